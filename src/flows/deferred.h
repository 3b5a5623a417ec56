/* Files given by URL that could not be downloaded when they were submitted
 * (seed 003's documentUrl is "stored verbatim; the back office presigns /
 * fetches it during review"; seed 004's share brings up to four URLs): each
 * URL is kept on its verification (attributes.deferred_downloads, one entry
 * per URL) and fetched again by the periodic sweep of `kycd serve`, with
 * growing gaps, until it arrives and is submitted in its place (a document
 * side, the selfie, or a file recorded with the applicant), or the
 * verification expires (docs/flows.md, "Documents fetched later").
 *
 * An entry leaves the list in the same transaction that submits what it
 * brought, so a server stopped mid-fetch or mid-submission neither loses a
 * URL nor submits one twice. */
#ifndef KYC_DEFERRED_H
#define KYC_DEFERRED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "net/fetch.h"
#include "store/store.h"

struct kyc_flow;
struct kyc_face_engine;

/* What the sweep needs to download and submit: the address policy of the
 * server's fetches, where files go, and the image caps. */
struct kyc_deferred_opts {
	struct kyc_fetch_opts fetch;
	const char *data_dir;
	size_t max_image_bytes;
	int64_t max_image_pixels;
	const struct kyc_face_engine *face; /* may be NULL (struct kyc_flow's face) */
};

/* Keeps the downloads of entries (an array of objects) on verification
 * vid, each first due at now + the first gap. An entry:
 *   url     the address (required);
 *   role    "document" (a side of the verification's document: type,
 *           side, issuing_country), "selfie", or "file" (stored as a file
 *           of `kind`; its id goes into the applicant's
 *           attributes.<record>.files.<field>);
 *   field   the client's name for the URL (seed 004: "frontFileUrl"),
 *           shown with its errors;
 *   why     the first try's error code.
 * A back side is not submitted while its front still waits (a front read
 * after its back was decided is not something the workflow takes).
 * 0 or a store error. */
int kyc_deferred_add(struct kyc_flow *f, const char *vid, const json_t *entries);

/* One document side, as kyc_deferred_add. */
int kyc_deferred_document_add(struct kyc_flow *f, const char *vid, const char *url,
                              const char *type, const char *side, const char *why);

/* The waiting downloads of verification record v (a new array; an empty one
 * when none): {url, role, field, type, side, attempts, next_at, last_error,
 * failed}. Reads the single attributes.deferred_document of older records. */
json_t *kyc_deferred_list(const json_t *v);

/* 1 when verification v still waits for a deferred download. */
int kyc_deferred_document_waiting(const json_t *v);

/* A copy of a verification's attributes without the entries of role whose
 * url is in urls (NULL-terminated): what a submission of those downloads
 * writes in its own transaction. */
json_t *kyc_deferred_attrs_without(const json_t *attrs, const char *const *urls,
                                   const char *role);

/* Writes bytes p[0..n) as a blob of tenant_id and fills *rec with its file
 * row (kind, the content type if one that cannot run script, else
 * application/octet-stream; source_url may be NULL) for the caller to
 * insert; on a failed insert the caller removes relpath. 0 or an error. */
int kyc_deferred_file_store(kyc_store *s, const char *data_dir, const char *tenant_id,
                            const char *kind, const void *p, size_t n, const char *content_type,
                            const char *source_url, char fid[37], char relpath[128], json_t **rec);

/* The gap before try number `attempt` (1-based) of a deferred download:
 * 30 s, 1, 2, 5, 10, 30 min, then hourly. */
int64_t kyc_deferred_gap_ms(int attempt);

/* Tries every due deferred download of every tenant once. What arrives is
 * submitted (kyc_flow_submit / kyc_flow_selfie, actor "system") or stored;
 * a download that fails is due again after the next gap; content the
 * workflow refuses stops that entry's retries (failed, last_error).
 * *arrived: how many arrived. 0 or a store error. */
int kyc_deferred_document_sweep(kyc_store *s, const struct kyc_deferred_opts *o, int64_t now_ms,
                                int *arrived);

#endif
