/* Seed 003: submit an ID card by HTTPS URL for a customer, gated by tier
 * (docs/compat/003.md). POST /api/v1/customers/kyc/id-card answers
 * {code, success, message, data} with the document's exact messages.
 *
 * The customer is a kycd applicant (customerId is its id); each submission
 * is a new verification of that applicant, numbered DOC-SUB-00001, ... per
 * tenant (compat_ref), which goes to review: the downloaded image is
 * submitted through the workflow like any other document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/compat.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/deferred.h"
#include "flows/settings.h"
#include "flows/workflow.h"

/* The document's error messages, word for word. */
#define MSG_GUID "customerId must be a valid GUID"
#define MSG_TYPE                                                                                   \
	"documentType '%s' is not accepted. Allowed values: NIN_CARD, DRIVERS_LICENCE, PASSPORT, " \
	"VOTERS_CARD"
#define MSG_HTTPS "documentUrl must use HTTPS"
#define MSG_NOT_FOUND "The customer could not be found"
#define MSG_PENDING                                                                                \
	"A document submission is already under review. Re-upload is only permitted after "        \
	"current review completes."
#define MSG_APPROVED                                                                               \
	"This customer's ID card has already been approved. No further submission is required."
#define MSG_UNEXPECTED "An unexpected error occurred while submitting the ID card"
#define MSG_OK "ID card submitted successfully and is pending review"

/* Seed 003's tier gate as requirement rules (src/flows/settings.h): used
 * when the tenant has set none of its own. */
#define DEFAULT_RULES                                                                              \
	"[{\"applicant_field\":\"attestations.nin_verified\",\"equals\":true,"                     \
	"\"code\":\"nin_bvn_not_verified\",\"message\":\"NIN and BVN verification must be "        \
	"completed before an ID card can be submitted\"},"                                         \
	"{\"applicant_field\":\"attestations.bvn_verified\",\"equals\":true,"                      \
	"\"code\":\"nin_bvn_not_verified\",\"message\":\"NIN and BVN verification must be "        \
	"completed before an ID card can be submitted\"},"                                         \
	"{\"applicant_field\":\"tier\",\"at_least\":2,\"code\":\"tier_too_low\","                  \
	"\"message\":\"Customer must be on Tier 2 before submitting an ID card\"}]"

static const struct {
	const char *name, *kyc_type;
} doc_types[] = {
    {"NIN_CARD", "id_card"},
    {"DRIVERS_LICENCE", "drivers_license"},
    {"PASSPORT", "passport"},
    {"VOTERS_CARD", "id_card"},
};

static const char *const channels[] = {"WAAS", "MERCHANT_SERVICE", NULL};

int kyc_compat003_parse(const json_t *body, struct kyc_compat003_req *out, struct kyc_jerr *e)
{
	memset(out, 0, sizeof *out);
	const char *id = kyc__compat_str(body, "customerId");
	if (!id || !kyc_uuid_valid(id, strlen(id)))
		return kyc_jerr_set(e, 400, id ? "invalid_value" : "field_required", "customerId",
		                    MSG_GUID);
	/* a GUID in any case names the same customer; kycd's ids are lower case */
	for (int i = 0; i < 36; i++)
		out->customer_id_lc[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] + 32 : id[i]);
	out->customer_id_lc[36] = 0;
	out->customer_id = out->customer_id_lc;

	json_t *jt = json_object_get(body, "documentType");
	const char *t = json_string_value(jt);
	if (!t) {
		/* Not in the table: an absent (or non-string) type is named the
		 * same way, with an empty value. */
		return kyc_jerr_set(e, 400, jt ? "invalid_type" : "field_required", "documentType",
		                    MSG_TYPE, "");
	}
	for (size_t i = 0; i < sizeof doc_types / sizeof doc_types[0]; i++)
		if (!strcasecmp(t, doc_types[i].name) && strlen(t) == strlen(doc_types[i].name)) {
			out->document_type = doc_types[i].name;
			out->kyc_type = doc_types[i].kyc_type;
		}
	if (!out->document_type)
		return kyc_jerr_set(e, 400, "invalid_value", "documentType", MSG_TYPE,
		                    strlen(t) > 64 ? "(too long)" : t);

	const char *url = kyc__compat_str(body, "documentUrl");
	if (!url || strncasecmp(url, "https://", 8) != 0 || strlen(url) > KYC_FETCH_URL_MAX)
		return kyc_jerr_set(e, 400, url ? "url_scheme_not_allowed" : "field_required",
		                    "documentUrl", MSG_HTTPS);
	out->document_url = url;

	json_t *jc = json_object_get(body, "submissionChannel");
	out->channel = "WAAS";
	if (jc && !json_is_null(jc)) {
		const char *ch = json_string_value(jc);
		out->channel = NULL;
		for (const char *const *k = channels; ch && *k; k++)
			if (!strcasecmp(ch, *k) && strlen(ch) == strlen(*k))
				out->channel = *k;
		if (!out->channel)
			return kyc_jerr_set(e, 400, "invalid_value", "submissionChannel",
			                    "submissionChannel '%s' is not accepted. Allowed "
			                    "values: WAAS, MERCHANT_SERVICE",
			                    !ch               ? ""
			                    : strlen(ch) > 64 ? "(too long)"
			                                      : ch);
	}
	return 0;
}

/* {code, success, message, data}: code is the status as a string, "00" on success. */
static void send_envelope(struct api_call *c, int status, const char *message, json_t *data)
{
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	api_json(c, status,
	         json_pack("{s:s, s:b, s:s, s:o}", "code", status < 300 ? "00" : code, "success",
	                   status < 300, "message", message, "data", data ? data : json_null()));
}

/* Every error of this route set: the status kycd chose and its message. A
 * 5xx always reads as the document's "unexpected" row. */
static void shape003(struct api_call *c, int status, const char *code, const char *field,
                     const char *detail)
{
	kyc__compat_error_headers(c, code, field);
	if (status == 401)
		detail = "A valid x-api-key header is required";
	else if (status >= 500)
		detail = MSG_UNEXPECTED;
	send_envelope(c, status, detail, NULL);
}

/* The customer's latest seed-003 verification, or NULL. */
static int latest_submission(struct api_call *c, const char *applicant_id, json_t **out, int *count)
{
	json_t *filter =
	    json_pack("{s:s, s:s}", "applicant_id", applicant_id, "compat_seed", "003");
	struct kyc_store_page pg;
	char cursor[128] = "";
	*out = NULL;
	*count = 0;
	int rc;
	do {
		rc = kyc_store_list(c->store, KYC_R_VERIFICATION, c->tenant_id, filter, cursor, 100,
		                    &pg);
		if (rc)
			break;
		if (!*out && json_array_size(pg.items))
			*out = json_incref(json_array_get(pg.items, 0));
		*count += (int)json_array_size(pg.items);
		json_decref(pg.items);
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
	} while (cursor[0]);
	json_decref(filter);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* The head-turn challenge's verdict on the customer's newest verification
 * that took one ("passed" / "failed", docs/face.md#liveness), or NULL (none
 * among the newest 100, or a store error: the attestation then speaks). */
static const char *challenge_verdict(struct api_call *c, const char *applicant_id)
{
	json_t *filter = json_pack("{s:s}", "applicant_id", applicant_id);
	struct kyc_store_page pg = {0};
	const char *out = NULL;
	size_t i;
	json_t *v;
	if (!kyc_store_list(c->store, KYC_R_VERIFICATION, c->tenant_id, filter, "", 100, &pg)) {
		json_array_foreach(pg.items, i, v)
		{
			const char *lv = kyc__compat_str(
			    json_object_get(json_object_get(v, "attributes"), "face"), "liveness");
			if (lv && (!strcmp(lv, "passed") || !strcmp(lv, "failed"))) {
				out = !strcmp(lv, "passed") ? "passed" : "failed";
				break;
			}
		}
		json_decref(pg.items);
	}
	json_decref(filter);
	return out;
}

/* Gives verification vid the tenant's next DOC-SUB number, in one write
 * transaction so two submissions never share one. */
static int assign_number(struct api_call *c, const char *vid, char num[32])
{
	json_t *filter = json_pack("{s:s}", "compat_seed", "003");
	struct kyc_store_page pg = {0};
	long n = 0;
	int rc = kyc_store_begin(c->store);
	/* newest first; the newest numbered one holds the highest number */
	char cursor[128] = "";
	while (!rc) {
		rc = kyc_store_list(c->store, KYC_R_VERIFICATION, c->tenant_id, filter, cursor, 20,
		                    &pg);
		if (rc)
			break;
		size_t i;
		json_t *v;
		json_array_foreach(pg.items, i, v)
		{
			const char *ref = kyc__compat_str(v, "compat_ref");
			long k;
			if (ref && sscanf(ref, "DOC-SUB-%ld", &k) == 1 && k > n)
				n = k;
		}
		json_decref(pg.items);
		if (n > 0 || !pg.next_cursor[0])
			break;
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
	}
	json_decref(filter);
	snprintf(num, 32, "DOC-SUB-%05ld", n + 1);
	json_t *patch = json_pack("{s:s}", "compat_ref", num);
	rc = rc ? rc : kyc_store_update(c->store, KYC_R_VERIFICATION, c->tenant_id, vid, patch, 0);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc)
		kyc_store_rollback(c->store);
	json_decref(patch);
	return rc;
}

/* The rules that gate this route: the tenant's own when it set any. */
static json_t *gate_settings(const json_t *settings)
{
	json_t *s = json_deep_copy(settings);
	json_t *rules = json_object_get(s, "requirements");
	if (!json_is_array(rules) || json_array_size(rules) == 0)
		json_object_set_new(s, "requirements", json_loads(DEFAULT_RULES, 0, NULL));
	return s;
}

/* The download's error in this envelope: a bad URL is the caller's (400),
 * the far side's failure 502, slowness 504. */
static void fetch_error(struct api_call *c, int rc, const struct kyc_fetch_info *fi)
{
	const char *code = fi->code ? fi->code : "url_fetch_failed";
	int status = rc == KYC_ERR_TIMEOUT                                                   ? 504
	             : rc == KYC_ERR_TOOBIG                                                  ? 413
	             : !strcmp(code, "url_http_status") || !strcmp(code, "url_fetch_failed") ? 502
	                                                                                     : 400;
	api_problem(c, status, code, "documentUrl", "documentUrl could not be downloaded: %s",
	            fi->message[0] ? fi->message : code);
}

/* Maps the workflow's refusals to the document's rows. */
static void flow_error(struct api_call *c, const struct kyc_jerr *e)
{
	if (!strcmp(e->code, "verification_pending_review")) {
		api_problem(c, 409, e->code, NULL, MSG_PENDING);
		return;
	}
	if (!strcmp(e->code, "verification_approved")) {
		api_problem(c, 409, e->code, NULL, MSG_APPROVED);
		return;
	}
	api_jerr(c, e);
}

COMPAT_HANDLER(s003_id_card, KYC_COMPAT_003, API_WRITE | API_IDEMPOTENT, shape003)
{
	json_t *body = api_body_object(c), *app = NULL, *settings = NULL, *gate = NULL;
	json_t *prev = NULL, *req = NULL, *ver = NULL, *res = NULL;
	struct kyc_compat003_req in;
	struct kyc_jerr e;
	kyc_buf img;
	kyc_buf_init(&img, c->app->max_image_bytes);
	if (!body)
		goto out;
	if (kyc_compat003_parse(body, &in, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	int rc = kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, in.customer_id, &app);
	if (rc == KYC_ERR_NOTFOUND) {
		api_problem(c, 404, "customer_not_found", "customerId", MSG_NOT_FOUND);
		goto out;
	}
	if (rc) {
		api_store_error(c, rc, "customer");
		goto out;
	}
	if ((rc = kyc_settings_get(c->store, c->tenant_id, &settings))) {
		api_store_error(c, rc, "settings");
		goto out;
	}
	gate = gate_settings(settings);
	if (kyc_requirements_check(gate, app, in.kyc_type, &e)) {
		api_problem(c, 422, e.code, e.field, "%s", e.detail);
		goto out;
	}
	int count;
	if ((rc = latest_submission(c, in.customer_id, &prev, &count))) {
		api_store_error(c, rc, "submission");
		goto out;
	}
	const char *pst = kyc__compat_str(prev, "status");
	/* a submission whose document is still being fetched is under review too */
	if (pst && (!strcmp(pst, "pending_review") || kyc_deferred_document_waiting(prev))) {
		api_problem(c, 409, "verification_pending_review", NULL, MSG_PENDING);
		goto out;
	}
	if (pst && !strcmp(pst, "approved")) {
		api_problem(c, 409, "verification_approved", NULL, MSG_APPROVED);
		goto out;
	}
	/* "The URL is stored verbatim; the back office presigns / fetches it
	 * during review": fetched now when it answers, else kept and fetched
	 * again later (src/flows/deferred.h). Only a URL that can never be
	 * fetched (not https, a refused address, not a URL) is the caller's
	 * error. */
	struct kyc_fetch_info fi = {0};
	const char *later = NULL;
	if ((rc = kyc__compat_fetch(c, in.document_url, &img, &fi))) {
		if (rc == KYC_ERR_DENIED || rc == KYC_ERR_INVALID) {
			fetch_error(c, rc, &fi);
			goto out;
		}
		later = fi.code ? fi.code : "url_fetch_failed";
	} else {
		int ist;
		later = kyc__compat_image_unusable(c, img.data, img.len, &ist);
	}

	struct kyc_flow f;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_003, &f, actor);
	/* the back office decides every submission (seed 003: pending_review) */
	req = json_pack("{s:s, s:[s], s:{s:s, s:s}, s:{s:b}}", "applicant_id", in.customer_id,
	                "document_types", in.kyc_type, "metadata", "documentType", in.document_type,
	                "channel", in.channel, "options", "manual_review", 1);
	json_t *compat = json_pack("{s:s}", "seed", "003");
	rc = kyc_flow_verification_create_compat(&f, req, compat, &ver, &e);
	json_decref(compat);
	if (rc) {
		flow_error(c, &e);
		goto out;
	}
	const char *vid = kyc__compat_str(ver, "id");
	char num[32];
	if ((rc = assign_number(c, vid, num))) {
		api_store_error(c, rc, "submission");
		goto out;
	}
	struct kyc_flow_image fimg = {.type = in.kyc_type,
	                              .side = "front",
	                              .bytes = (const unsigned char *)img.data,
	                              .len = img.len,
	                              .source_url = in.document_url};
	if (later) {
		/* under review for the customer; the download is retried */
		if ((rc = kyc_deferred_document_add(&f, vid, in.document_url, in.kyc_type, "front",
		                                    later))) {
			api_store_error(c, rc, "submission");
			goto out;
		}
	} else if (kyc_flow_submit(&f, vid, &fimg, 1, &res, &e)) {
		flow_error(c, &e);
		goto out;
	}
	json_t *v = json_object_get(res, "verification");
	const char *status = later ? "pending_review" : kyc__compat_str(v, "status");
	char when[32];
	int64_t sub = later ? -1 : kyc__compat_time_ms(v, "submitted_at");
	kyc_time_iso(sub >= 0 ? sub : kyc_now_ms(), when);
	json_t *data =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "customerId", in.customer_id,
	              "submissionId", num, "documentType", in.document_type, "documentUrl",
	              in.document_url, "status", status ? status : "pending_review", "submittedAt",
	              when, "attemptNumber", count + 1, "channel", in.channel);
	/* Tier 2 includes liveness: the head-turn challenge when the customer
	 * took one with kycd (a hosted-page verification, docs/face.md#liveness),
	 * else what the customer's record says, as set by the system that
	 * checked it (attestations.liveness_completed). */
	const json_t *att = json_object_get(json_object_get(app, "attributes"), "attestations");
	const char *verdict = challenge_verdict(c, in.customer_id);
	json_object_set_new(data, "livenessStatus",
	                    json_string(verdict && !strcmp(verdict, "passed") ? "PASSED"
	                                : verdict                              ? "FAILED"
	                                : json_is_true(json_object_get(att, "liveness_completed"))
	                                    ? "ATTESTED"
	                                    : "NOT_PERFORMED"));
	send_envelope(c, 200, MSG_OK, data);
out:
	kyc_buf_release(&img);
	json_decref(res);
	json_decref(ver);
	json_decref(req);
	json_decref(prev);
	json_decref(gate);
	json_decref(settings);
	json_decref(app);
	json_decref(body);
}

void kyc__compat003_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/api/v1/customers/kyc/id-card", s003_id_card);
}
