/* The compatibility route sets: five vendor APIs (the seed documents,
 * docs/compat/) answered from kycd's own applicants, verifications,
 * documents and files. One file per seed (seed000.c ... seed004.c); this
 * header holds what they share: registration, the per-tenant switch, the
 * handler macro whose errors come out in the seed's own envelope, and small
 * helpers (outbound fetches, times, languages).
 *
 * A route set answers every error in its own envelope, authentication and
 * malformed bodies included. Since those envelopes have no room for kycd's
 * stable error code and field, both travel in response headers as well:
 *   Kycd-Error-Code: field_required
 *   Kycd-Error-Field: image */
#ifndef KYC_COMPAT_H
#define KYC_COMPAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/api.h"
#include "http/server.h"
#include "net/fetch.h"

enum kyc_compat_seed {
	KYC_COMPAT_000, /* national-ID onboarding */
	KYC_COMPAT_001, /* two-step KYC submission (multipart) */
	KYC_COMPAT_002, /* hosted identity verification */
	KYC_COMPAT_003, /* ID card by URL, tier-gated */
	KYC_COMPAT_004, /* KYC record sharing */
	KYC_COMPAT__COUNT
};

/* "000" ... "004": the keys of the tenant setting "compat". */
const char *kyc_compat_seed_name(enum kyc_compat_seed seed);

/* Registers every route of every set and their webhook formats (called
 * where the server is assembled, src/cli/cmd_serve.c). Each route checks
 * per request whether the caller's tenant has its set on. */
void kyc_compat_register(kyc_server *s);
/* Registers the formats compat002 and compat004 with the webhook worker
 * (src/webhooks/payload.h); kyc_compat_register does it too. */
void kyc_compat_webhook_formats_register(void);

/* 1 when the tenant's settings have the route set on (tenant setting
 * "compat": {"003": false} turns one off; every set is on by default).
 * Returns 0 as well when the settings cannot be read (rc set). */
int kyc_compat_enabled(kyc_store *s, const char *tenant_id, enum kyc_compat_seed seed, int *rc);

/* Picks the response language from an Accept-Language value (RFC 9110
 * ranges with q-values; "ar-EG" matches "ar", "*" the first supported):
 * the supported tag with the highest q, ties going to the earlier range.
 * supported is NULL-terminated, lower case; the first is the default when
 * nothing matches or the header is absent (v.ptr NULL). Never fails. */
const char *kyc_compat_lang(kyc_str accept_language, const char *const *supported);

/* ---- webhook payloads (src/compat/webhook.c) ---- */

/* Render a stored event (type, created_at, payload = the verification's
 * snapshot, attributes.compat = the route set's marks from kyc_event_emit)
 * as seed 002's webhook ({id, applicationId, createdUtc, deliveredUtc,
 * isDelivered, payload: the IDV, type: IdentityVerification.*}) or seed
 * 004's user-status push ({merchantUserId, userId, kycStatus, status}),
 * appended to body. The formats "compat002" and "compat004" of
 * src/webhooks/payload.c. 0 or KYC_ERR_NOMEM / KYC_ERR_TOOBIG. */
int kyc_compat002_webhook(const json_t *event, kyc_buf *body, const char **content_type);
int kyc_compat004_webhook(const json_t *event, kyc_buf *body, const char **content_type);
/* Seed 002's IDV status of a kycd status: Created until the end user
 * starts (started: consented or sent something), InProgress while
 * documents come, Completed once kycd has what it needs (a decision or a
 * review), Expired, Cancelled. */
const char *kyc_compat002_idv_status(const char *status, int started);
/* Seed 002's KYC identification of a verification record (new reference):
 * status Approved / Rejected / Awaiting with its reason, isCrossChecked,
 * and document (stolen; NULL gives null). */
json_t *kyc_compat002_identification(const json_t *verification, const char *tenant_id,
                                     json_t *document);

/* ---- request parsers (pure; fuzz/compat.c) ---- */

/* Seed 001: kycd's document type for an idType ("government_id" ->
 * "id_card"), NULL when it is not one of the document's nine. */
const char *kyc_compat001_kyc_type(const char *id_type);
/* Seed 001's customOptions: a JSON object of booleans sent as a string.
 * *out: the object (new reference), or 400 in e. */
int kyc_compat001_options(const char *text, size_t len, json_t **out, struct kyc_jerr *e);

/* Seed 002's create body: the registration's fields are written into
 * applicant (applicant columns: external_ref, names, email, phone,
 * birth_date, personal_code, country as alpha-3). 0, or 422 in e. */
int kyc_compat002_parse(const json_t *body, json_t *applicant, struct kyc_jerr *e);
/* Seed 002's identity-verification object of a stored seed-002
 * verification record (new reference); consented_at: when the end user
 * consented (RFC 3339), or NULL. */
json_t *kyc_compat002_idv(const json_t *verification, const char *tenant_id,
                          const char *consented_at);

/* Seed 003's body. Pointers point into the parsed body; document_type is
 * the normalised (upper-case) name, kyc_type kycd's document type. */
struct kyc_compat003_req {
	const char *customer_id, *document_type, *kyc_type, *document_url, *channel;
	char customer_id_lc[37]; /* customer_id points here: GUIDs are case-insensitive */
};
/* Checks the fields in the document's order; on failure e holds the status
 * (400), a stable code, the field and the document's exact message. */
int kyc_compat003_parse(const json_t *body, struct kyc_compat003_req *out, struct kyc_jerr *e);

/* Seed 004's body. Pointers point into it; vo is kycIdentityInfoVo;
 * kyc_doc_type is NULL for UTILITY_BILL (not a document the reader takes);
 * urls: frontFileUrl, backFileUrl, selfieFileUrl, amlFileUrl (NULL when absent). */
struct kyc_compat004_req {
	const char *merchant_user_id, *email, *kyc_type, *register_time, *type, *callback_url;
	const json_t *vo;
	const char *dob, *level, *id_type, *kyc_doc_type;
	const char *urls[4];
};
/* Validates the whole body (required fields, ISO 3166-1 alpha-3 countries,
 * dates, gender, idType and kycLevel); on failure e names the field
 * ("kycIdentityInfoVo.idType") with 422 and a stable code. */
int kyc_compat004_parse(const json_t *body, struct kyc_compat004_req *out, struct kyc_jerr *e);

/* ---- for the seed files ---- */

/* A handler of route set `seed` whose errors go through `shape`: like
 * API_HANDLER, and the request is refused with 404 (in the seed's
 * envelope) when the tenant has the set off. */
#define COMPAT_HANDLER(name, seed, flags, shape)                                                   \
	static void name##_impl(struct api_call *c);                                               \
	static void name##_gated(struct api_call *c)                                               \
	{                                                                                          \
		if (kyc__compat_gate(c, seed) == 0)                                                \
			name##_impl(c);                                                            \
	}                                                                                          \
	static void name(kyc_req *r)                                                               \
	{                                                                                          \
		api_handle_shaped(r, name##_gated, flags, shape);                                  \
	}                                                                                          \
	static void name##_impl(struct api_call *c)

/* 0 when the set is on; otherwise the 404 (or store error) is sent and -1. */
int kyc__compat_gate(struct api_call *c, enum kyc_compat_seed seed);

/* Adds the Kycd-Error-Code / Kycd-Error-Field headers (field may be NULL or ""). */
void kyc__compat_error_headers(struct api_call *c, const char *code, const char *field);

/* Downloads url into out (its max is the cap) under the address policy of
 * src/net/fetch.c with the server's fetch settings. 0 or the fetch error
 * with fi filled. */
int kyc__compat_fetch(struct api_call *c, const char *url, kyc_buf *out, struct kyc_fetch_info *fi);

/* ms since the epoch of a record's RFC 3339 time; -1 when absent or malformed. */
int64_t kyc__compat_time_ms(const json_t *rec, const char *key);

/* Stores bytes that are not a document image (seed 004's AML report and
 * utility bills) as a file of kind `kind`: the blob first, then the row.
 * fid_out gets the file's id. 0 or a store/IO error (nothing left behind). */
int kyc__compat_store_file(struct api_call *c, const char *kind, const void *p, size_t n,
                           const char *content_type, const char *source_url, char fid_out[37]);

/* Decodes p (quickly, at a reduced scale) to find out before anything is
 * written whether the workflow will take it as an image: 0, or the error
 * sent (415 not JPEG/PNG, 413 over the cap, 422 undecodable) with message
 * as its text and field at fault, and -1. */
int kyc__compat_image_check(struct api_call *c, const void *p, size_t n, const char *field,
                            const char *message);
/* The same without answering: NULL when usable, else the error code with
 * its status in *status. */
const char *kyc__compat_image_unusable(struct api_call *c, const void *p, size_t n, int *status);

struct kyc_flow;
/* Fills a workflow context for this call (store, tenant, limits); the
 * audit actor ("compat:003:key:kyc_<key id>") is written into actor_buf,
 * which must outlive f. */
void kyc__compat_flow(struct api_call *c, enum kyc_compat_seed seed, struct kyc_flow *f,
                      char actor_buf[64]);

/* The retry code and message of a verification, stored ("retry_code") or
 * rendered ("retry": {"code","message"}); NULLs when there is none. */
void kyc__compat_retry(const json_t *v, const char **code, const char **message);

/* The newest record of type t matching filter (column = value; the
 * reference is stolen), or *out NULL when none. 0 or a store error. */
int kyc__compat_newest(struct api_call *c, enum kyc_rtype t, json_t *filter, json_t **out);

/* The id of the applicant whose external_ref is ref into id (*found 1), or
 * *found 0. 0 or a store error. */
int kyc__compat_applicant_by_ref(struct api_call *c, const char *ref, char id[37], int *found);

/* An extraction's field value when it was read (a new reference), else
 * JSON null: what the seeds answer for a field, never an invented one. */
json_t *kyc__compat_field(const json_t *extraction, const char *name);
/* The extraction's sex as "Male" / "Female", else JSON null (new reference). */
json_t *kyc__compat_gender(const json_t *extraction);

/* The string at key of obj, or NULL when absent or not a string. */
const char *kyc__compat_str(const json_t *obj, const char *key);

/* Seed 000's customerData of an onboarding's applicant and its newest
 * front and back documents (either may be NULL); a new object
 * (seed000_data.c). */
json_t *kyc__compat000_customer_data(const json_t *applicant, const json_t *front,
                                     const json_t *back);

/* Route registrations of each set. */
void kyc__compat000_routes(kyc_server *s);
void kyc__compat001_routes(kyc_server *s);
void kyc__compat002_routes(kyc_server *s);
void kyc__compat003_routes(kyc_server *s);
void kyc__compat004_routes(kyc_server *s);

#endif
