/* The verification workflow (src/flows/workflow.h, docs/flows.md): the
 * change machinery, creation, loading with expiry, the expiry sweep, and the
 * step and decision helpers (src/flows/workflow_int.h).
 *
 * Every mutation follows the same shape: validate and do the slow, pure work
 * (decoding and reading images) outside any transaction; then BEGIN
 * IMMEDIATE, read the verification again, check its state, write records,
 * the status (only through kyc_vstate_next), the audit trail and the events,
 * and COMMIT. Files are written before the transaction and removed if it
 * fails, so a crash can leave an unreferenced file but never a row without
 * its file. */
#include "flows/workflow_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "document/image.h"
#include "document/reader.h"
#include "flows/checks.h"
#include "flows/erasure.h"
#include "flows/extraction.h"
#include "flows/render.h"
#include "flows/settings.h"
#include "flows/vstate.h"
#include "store/blob.h"

const char *const kyc_document_types[] = {
    "passport", "id_card", "residence_permit", "visa", "drivers_license", NULL,
};

/* Supporting documents a level may ask for: stored, not read. */
const char *const flow__proof_types[] = {"proof_of_address", "proof_of_income", NULL};

int flow__in_list(const char *s, const char *const *l)
{
	for (; s && *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

const char *flow__str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

const char *flow__side(const json_t *doc)
{
	const char *seen = flow__str(json_object_get(doc, "extraction"), "side_seen");
	const char *side = seen ? seen : flow__str(doc, "side");
	return side ? side : "";
}

int flow__store_err(struct kyc_jerr *e, int rc, const char *what)
{
	if (rc == KYC_ERR_NOTFOUND)
		return kyc_jerr_set(e, 404, "not_found", "", "no such %s", what);
	if (rc == KYC_ERR_CONFLICT || rc == KYC_ERR_TIMEOUT)
		return kyc_jerr_set(e, 409, "conflict", "", "the %s changed meanwhile; try again",
		                    what);
	return kyc_jerr_set(e, 500, "store_error", "", "the %s could not be stored", what);
}

/* ---- state changes ---- */

int flow__change_begin(struct kyc_flow *f, const char *id, struct change *c, struct kyc_jerr *e)
{
	memset(c, 0, sizeof *c);
	c->f = f;
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store); /* leave a read snapshot before writing */
	int rc = kyc_store_begin(f->store);
	if (rc)
		return flow__store_err(e, rc, "verification");
	rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, &c->ver);
	if (rc) {
		kyc_store_rollback(f->store);
		return flow__store_err(e, rc, "verification");
	}
	if (kyc_vstate_parse(flow__str(c->ver, "status"), &c->from)) {
		kyc_store_rollback(f->store);
		json_decref(c->ver);
		c->ver = NULL;
		return kyc_jerr_set(e, 500, "internal", "", "the stored status is unknown");
	}
	c->cur = c->from;
	c->patch = json_object();
	return 0;
}

void flow__change_abort(struct change *c)
{
	if (c->ver)
		kyc_store_rollback(c->f->store);
	json_decref(c->ver);
	json_decref(c->patch);
	c->ver = c->patch = NULL;
}

/* Moves the pending status by ev, with an audit row. KYC_ERR_STATE when the
 * machine does not allow it. */
int flow__change_move(struct change *c, enum kyc_vevent ev, const char *reason,
                      const json_t *details)
{
	enum kyc_vstate to;
	int rc = kyc_vstate_next(c->cur, ev, &to);
	if (rc)
		return rc;
	rc = kyc_history_append(c->f->store, c->f->tenant_id, flow__str(c->ver, "id"), c->f->actor,
	                        kyc_vevent_name(ev), kyc_vstate_name(c->cur), kyc_vstate_name(to),
	                        reason, details);
	if (rc)
		return rc;
	c->cur = to;
	c->moved = 1;
	json_object_set_new(c->patch, "status", json_string(kyc_vstate_name(to)));
	if (kyc_vstate_final(to) && to != KYC_VS_EXPIRED && to != KYC_VS_CANCELLED)
		json_object_set_new(c->patch, "decided_at", json_integer(kyc_now_ms()));
	return 0;
}

/* Writes the patch, emits verification.status_changed when the status moved
 * (and extra_event when given), commits. *out: the stored record. */
int flow__change_commit(struct change *c, const char *extra_event, json_t **out, struct kyc_jerr *e)
{
	struct kyc_flow *f = c->f;
	const char *id = flow__str(c->ver, "id");
	json_t *now = NULL;
	int rc = kyc_store_update(f->store, KYC_R_VERIFICATION, f->tenant_id, id, c->patch,
	                          json_integer_value(json_object_get(c->ver, "version")));
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, &now);
	if (!rc) {
		json_t *snap = kyc_render_verification(now);
		int64_t version = json_integer_value(json_object_get(now, "version"));
		if (c->moved && c->cur != c->from)
			rc = kyc_event_emit_status_change(f->store, f->tenant_id, id, version, snap,
			                                  kyc_vstate_name(c->from));
		if (!rc && extra_event)
			rc = kyc_event_emit(f->store, f->tenant_id, extra_event, "verification", id,
			                    version, snap);
		json_decref(snap);
	}
	rc = rc ? rc : kyc_store_commit(f->store);
	if (rc) {
		json_decref(now);
		flow__change_abort(c);
		return flow__store_err(e, rc, "verification");
	}
	json_decref(c->ver);
	json_decref(c->patch);
	c->ver = c->patch = NULL;
	if (out)
		*out = now;
	else
		json_decref(now);
	return 0;
}

/* ---- create, load, expire ---- */

static int https_url_ok(const char *u)
{
	if (strncmp(u, "https://", 8) != 0 || strlen(u) > 2048 || strlen(u) < 10)
		return 0;
	const char *host = u + 8;
	const char *end = host + strcspn(host, "/?#");
	for (const char *p = host; p < end; p++)
		if (*p == '@' || *p == ' ')
			return 0;
	return end > host;
}

static int create(struct kyc_flow *f, const json_t *req, const json_t *compat, json_t **out,
                  struct kyc_jerr *e);

int kyc_flow_verification_create(struct kyc_flow *f, const json_t *req, json_t **out,
                                 struct kyc_jerr *e)
{
	return create(f, req, NULL, out, e);
}

int kyc_flow_verification_create_compat(struct kyc_flow *f, const json_t *req, const json_t *compat,
                                        json_t **out, struct kyc_jerr *e)
{
	return create(f, req, compat, out, e);
}

static int create(struct kyc_flow *f, const json_t *req, const json_t *compat, json_t **out,
                  struct kyc_jerr *e)
{
	static const char *const known[] = {
	    "applicant_id", "document_types", "expires_in", "callback_url",
	    "metadata",     "level",          "options",    NULL};
	const char *applicant_id = NULL, *callback = NULL, *level = NULL;
	int64_t expires_in = f->default_ttl_ms / 1000;
	json_t *settings = NULL, *eff = NULL, *app = NULL, *rec = NULL, *types = NULL;
	int ret = -1;
	*out = NULL;
	if (kyc_jv_known_fields(req, known, e) ||
	    kyc_jv_string(req, "applicant_id", KYC_JV_REQUIRED, 64, &applicant_id, e) ||
	    kyc_jv_int(req, "expires_in", 0, 60, 30 * 86400, &expires_in, e) ||
	    kyc_jv_string(req, "callback_url", 0, 2048, &callback, e) ||
	    kyc_jv_string(req, "level", 0, 32, &level, e))
		return -1;
	if (callback && !https_url_ok(callback))
		return kyc_jerr_set(e, 422, "invalid_url", "callback_url",
		                    "'callback_url' must be an https:// URL without credentials");
	/* Pushes to an internal address would be refused and retried for days. */
	if (callback && kyc_webhook_url_check(callback, &f->callback_policy, "callback_url", e))
		return -1;
	json_t *meta = json_object_get(req, "metadata");
	if (meta && !json_is_null(meta) && kyc_render_metadata_check(meta, e))
		return -1;
	int rc = kyc_settings_get(f->store, f->tenant_id, &settings);
	if (rc) {
		flow__store_err(e, rc, "settings");
		goto out;
	}
	const json_t *opts = json_object_get(req, "options");
	eff = kyc_settings_effective(settings, opts, e);
	if (!eff) {
		if (!strcmp(e->field, "options") || !*e->field)
			snprintf(e->field, sizeof e->field, "options");
		goto out;
	}
	if (!level)
		level = flow__str(settings, "default_level");
	json_t *lv = json_object_get(json_object_get(settings, "levels"), level);
	if (!lv) {
		kyc_jerr_set(e, 422, "invalid_value", "level", "no level '%s' in the settings",
		             level);
		goto out;
	}
	json_t *allowed = json_object_get(settings, "document_types");
	json_t *asked = json_object_get(req, "document_types");
	types = json_array();
	if (asked && !json_is_null(asked)) {
		size_t i;
		json_t *t;
		if (!json_is_array(asked) || json_array_size(asked) == 0) {
			kyc_jerr_set(e, 422, "invalid_type", "document_types",
			             "'document_types' must be a non-empty array");
			goto out;
		}
		json_array_foreach(asked, i, t)
		{
			if (!json_is_string(t) ||
			    !flow__in_list(json_string_value(t), kyc_document_types)) {
				kyc_jerr_set(e, 422, "invalid_value", "document_types",
				             "document types are: passport, id_card, "
				             "residence_permit, visa, drivers_license");
				goto out;
			}
			size_t j;
			json_t *a;
			int ok = 0;
			json_array_foreach(allowed, j, a) ok |= json_equal(a, t);
			if (!ok) {
				kyc_jerr_set(e, 422, "document_type_not_allowed", "document_types",
				             "the tenant does not accept %s documents",
				             json_string_value(t));
				goto out;
			}
			json_array_append(types, t);
		}
	} else {
		json_array_extend(types, allowed);
	}
	rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, applicant_id, &app);
	if (rc == KYC_ERR_NOTFOUND) {
		kyc_jerr_set(e, 404, "applicant_not_found", "applicant_id", "no such applicant");
		goto out;
	}
	if (rc) {
		flow__store_err(e, rc, "applicant");
		goto out;
	}
	if (kyc_erasure_is_erased(app)) {
		kyc_jerr_set(e, 410, "applicant_erased", "applicant_id", "this applicant was erased");
		goto out;
	}
	char id[37];
	kyc_uuid_new(id);
	rec = json_pack("{s:s, s:s, s:s, s:O, s:i, s:i, s:I, s:s, s:O}", "id", id, "applicant_id",
	                applicant_id, "status", "awaiting_input", "document_types", types,
	                "attempts", 0, "failed_attempts", 0, "expires_at",
	                (json_int_t)(kyc_now_ms() + expires_in * 1000), "level", level,
	                "pending_steps", json_object_get(lv, "steps"));
	json_object_set_new(
	    rec, "attributes",
	    json_pack("{s:o}", "metadata", json_is_object(meta) ? json_incref(meta) : json_object()));
	if (callback)
		json_object_set_new(rec, "callback_url", json_string(callback));
	if (json_is_object(opts))
		json_object_set(rec, "options", (json_t *)opts);
	/* a compatibility route set's marks, written with the row (src/compat) */
	const char *cseed = json_string_value(json_object_get(compat, "seed"));
	if (cseed) {
		char key[16];
		json_t *data = json_object_get(compat, "data");
		json_object_set_new(rec, "compat_seed", json_string(cseed));
		json_object_set(rec, "compat_ref",
		                json_object_get(compat, "ref") ? json_object_get(compat, "ref")
		                                               : json_null());
		snprintf(key, sizeof key, "compat%.3s", cseed);
		if (json_is_object(data))
			json_object_set(json_object_get(rec, "attributes"), key, data);
	}
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store);
	rc = kyc_store_begin(f->store);
	/* erased since it was read above: "changed meanwhile", and nothing is added */
	json_decref(app);
	app = NULL;
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, applicant_id, &app);
	rc = rc || !kyc_erasure_is_erased(app) ? rc : KYC_ERR_CONFLICT;
	rc = rc ? rc : kyc_store_insert(f->store, KYC_R_VERIFICATION, f->tenant_id, rec);
	rc = rc ? rc
	        : kyc_history_append(f->store, f->tenant_id, id, f->actor, "create", NULL,
	                             "awaiting_input", NULL, NULL);
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
	if (!rc && f->on_create)
		rc = f->on_create(f->store, f->tenant_id, *out, f->on_create_arg);
	if (!rc) {
		json_t *snap = kyc_render_verification(*out);
		rc = kyc_event_emit(f->store, f->tenant_id, "verification.created", "verification",
		                    id, 1, snap);
		json_decref(snap);
	}
	rc = rc ? rc : kyc_store_commit(f->store);
	if (rc) {
		kyc_store_rollback(f->store);
		json_decref(*out);
		*out = NULL;
		flow__store_err(e, rc, "verification");
		goto out;
	}
	ret = 0;
out:
	json_decref(settings);
	json_decref(eff);
	json_decref(app);
	json_decref(rec);
	json_decref(types);
	return ret;
}

static int past_expiry(const json_t *v, int64_t now_ms)
{
	enum kyc_vstate st;
	const char *exp = flow__str(v, "expires_at");
	if (kyc_vstate_parse(flow__str(v, "status"), &st) || !kyc_vstate_accepts_input(st) || !exp)
		return 0;
	char now[32];
	kyc_time_iso(now_ms, now);
	return strcmp(now, exp) >= 0; /* same fixed-width UTC form: text order is time order */
}

int64_t kyc_flow_verification_fresh_until(const json_t *v)
{
	enum kyc_vstate st;
	const char *exp = flow__str(v, "expires_at");
	if (kyc_vstate_parse(flow__str(v, "status"), &st) || !kyc_vstate_accepts_input(st) || !exp)
		return INT64_MAX;
	/* kyc_time_iso's form, "YYYY-MM-DDTHH:MM:SS.mmmZ" */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	int64_t days;
	if (strlen(exp) != sizeof shape - 1 || kyc_date_parse(exp, 10, &days))
		return 0;
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)exp[i]) : exp[i] != shape[i])
			return 0;
#define D2(i) ((exp[i] - '0') * 10 + (exp[(i) + 1] - '0'))
	int64_t ms = (((days * 24 + D2(11)) * 60 + D2(14)) * 60 + D2(17)) * 1000 +
		     D2(20) * 10 + (exp[22] - '0');
#undef D2
	return ms;
}

static int expire_one(struct kyc_flow *f, const char *id)
{
	struct change c;
	struct kyc_jerr e;
	if (flow__change_begin(f, id, &c, &e))
		return e.status == 404 ? KYC_ERR_NOTFOUND : KYC_ERR_CONFLICT;
	if (!past_expiry(c.ver, kyc_now_ms())) { /* someone else got there first */
		flow__change_abort(&c);
		return 0;
	}
	if (flow__change_move(&c, KYC_VE_EXPIRE, "expires_at_passed", NULL)) {
		flow__change_abort(&c);
		return KYC_ERR_STATE;
	}
	return flow__change_commit(&c, NULL, NULL, &e) ? KYC_ERR_IO : 0;
}

int kyc_flow_verification_load(struct kyc_flow *f, const char *id, json_t **out)
{
	int rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
	if (rc || !past_expiry(*out, kyc_now_ms()))
		return rc;
	json_decref(*out);
	*out = NULL;
	rc = expire_one(f, id);
	if (rc && rc != KYC_ERR_CONFLICT)
		return rc;
	return kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
}

int flow__each_in_status(kyc_store *s, const char *status,
                         void (*fn)(kyc_store *s, const char *tenant_id, const json_t *v,
                                    void *arg),
                         void *arg)
{
	/* Tenants are few; their verifications in a status are found through
	 * the status index, oldest first, a page at a time. */
	json_t *tenants = NULL;
	int rc = kyc_store_tenant_ids(s, &tenants);
	if (rc)
		return rc;
	size_t ti;
	json_t *t;
	json_array_foreach(tenants, ti, t)
	{
		const char *tid = json_string_value(t);
		char cursor[128] = "";
		do {
			struct kyc_store_page pg;
			json_t *filter = json_pack("{s:s}", "status", status);
			rc = kyc_store_list_asc(s, KYC_R_VERIFICATION, tid, filter, cursor, 100, &pg);
			json_decref(filter);
			if (rc)
				goto out;
			size_t i;
			json_t *v;
			json_array_foreach(pg.items, i, v) fn(s, tid, v, arg);
			json_decref(pg.items);
			snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
		} while (*cursor);
	}
out:
	json_decref(tenants);
	return rc;
}

struct expiry {
	int64_t now_ms;
	int count;
};

static void expire_if_due(kyc_store *s, const char *tenant_id, const json_t *v, void *arg)
{
	struct expiry *x = arg;
	struct kyc_flow f = {.store = s, .tenant_id = tenant_id, .actor = "system"};
	if (past_expiry(v, x->now_ms) && !expire_one(&f, flow__str(v, "id")))
		x->count++;
}

int kyc_flow_expire_sweep(kyc_store *s, int64_t now_ms, int *count)
{
	static const char *const waiting[] = {"created", "awaiting_input", "incomplete"};
	struct expiry x = {now_ms, 0};
	int rc = 0;
	for (int w = 0; w < 3 && !rc; w++)
		rc = flow__each_in_status(s, waiting[w], expire_if_due, &x);
	*count = x.count;
	return rc;
}

int flow__pending_has(const json_t *ver_or_patch, const char *step)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(ver_or_patch, "pending_steps"), i, s)
	{
		if (!strcmp(json_string_value(s), step))
			return 1;
	}
	return 0;
}

/* The documents of this attempt (stored ones and the new ones). */
json_t *flow__attempt_documents(struct kyc_flow *f, const char *vid, int64_t attempt,
                                 json_t *fresh)
{
	json_t *docs = json_array();
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	if (!kyc_store_list(f->store, KYC_R_DOCUMENT, f->tenant_id, filter, "", 100, &pg)) {
		size_t i;
		json_t *d;
		json_array_foreach(pg.items, i, d)
		{
			json_t *a = json_object_get(json_object_get(d, "attributes"), "attempt");
			if (json_integer_value(a) == attempt)
				json_array_append(docs, d);
		}
		json_decref(pg.items);
	}
	json_decref(filter);
	json_array_extend(docs, fresh);
	return docs;
}

/* pending_steps without the named steps (NULL-terminated). */
json_t *flow__steps_without(const json_t *steps, const char *const *drop)
{
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s)
	{
		if (!flow__in_list(json_string_value(s), drop))
			json_array_append(out, s);
	}
	return out;
}

/* Steps only a person can judge: supporting documents are stored, not
 * read. (A selfie is judged by the face checks, flow__conclude.) */
int flow__level_needs_person(const json_t *settings, const char *level)
{
	static const char *const human[] = {"proof_of_address", "proof_of_income", NULL};
	for (const char *const *h = human; *h; h++)
		if (flow__level_has(settings, level, *h))
			return 1;
	return 0;
}

/* What is left for the applicant, ignoring liveness (no capture exists for it). */
int flow__steps_left(const json_t *steps)
{
	static const char *const ignore[] = {"liveness", NULL};
	json_t *left = flow__steps_without(steps, ignore);
	int n = (int)json_array_size(left);
	json_decref(left);
	return n;
}

/* Why a level that asks for a selfie cannot be decided by the face checks
 * alone: face_match did not pass (a failure is already a cause), or passed
 * close to its threshold. NULL when it may. */
static const char *face_cause(struct change *c, const json_t *checks)
{
	size_t i;
	json_t *ck;
	json_array_foreach(checks, i, ck)
	{
		if (strcmp(flow__str(ck, "name"), "face_match"))
			continue;
		const char *r = flow__str(ck, "result");
		if (!strcmp(r, "pass"))
			return json_is_true(json_object_get(json_object_get(ck, "details"), "close"))
			           ? "close_to_threshold"
			           : NULL;
		if (!strcmp(r, "fail"))
			return NULL;
		return c->f->face ? flow__str(ck, "reason") : "face_engine_unavailable";
	}
	return "no_face_match";
}

/* Everything the applicant owes is in: decide (auto-approve, or review). */
int flow__conclude(struct change *c, const json_t *settings, const json_t *checks)
{
	json_t *all = NULL;
	int close = 0;
	int rc = flow__face_apply(c, settings, checks, &all, &close);
	if (rc)
		return rc;
	if (checks || json_array_size(all))
		json_object_set(c->patch, "checks", all);
	json_t *why = json_array();
	size_t i;
	json_t *ck;
	json_array_foreach(all, i, ck)
	{
		/* a failed check, or one that asks for a person (liveness
		 * without the challenge) */
		if (!strcmp(flow__str(ck, "result"), "fail") ||
		    !strcmp(flow__str(ck, "result"), "review"))
			json_array_append_new(why, json_pack("{s:s, s:s}", "check",
			                                     flow__str(ck, "name"), "reason",
			                                     flow__str(ck, "reason")));
	}
	const char *level = flow__str(c->ver, "level");
	const char *face = flow__level_has(settings, level, "selfie") ? face_cause(c, all) : NULL;
	if (face)
		json_array_append_new(why,
		                      json_pack("{s:s, s:s}", "check", "face_match", "reason", face));
	if (flow__level_needs_person(settings, level))
		json_array_append_new(why, json_pack("{s:s}", "reason", "level_needs_review"));
	if (!json_is_true(json_object_get(settings, "auto_approve")))
		json_array_append_new(why, json_pack("{s:s}", "reason", "auto_approve_off"));
	if (!checks)
		json_array_append_new(why,
		                      json_pack("{s:s}", "reason", "no_machine_readable_data"));
	if (json_array_size(why) == 0) {
		rc = flow__change_move(c, KYC_VE_AUTO_APPROVE, "all_checks_passed", NULL);
		json_object_set_new(c->patch, "decision",
		                    json_pack("{s:s, s:s, s:s, s:b}", "outcome", "approved",
		                              "reason", "all_checks_passed", "actor", "system",
		                              "automatic", 1));
	} else {
		json_t *d = json_pack("{s:O}", "causes", why);
		rc = flow__change_move(c, KYC_VE_NEEDS_REVIEW, "needs_review", d);
		json_decref(d);
	}
	json_decref(why);
	json_decref(all);
	return rc;
}

int flow__reject(struct change *c, const char *reason, const json_t *details)
{
	int rc = flow__change_move(c, KYC_VE_AUTO_REJECT, reason, details);
	json_object_set_new(c->patch, "decision",
	                    json_pack("{s:s, s:s, s:s, s:b}", "outcome", "rejected", "reason",
	                              reason, "actor", "system", "automatic", 1));
	return rc;
}

json_t *flow__effective_settings(struct kyc_flow *f, const json_t *ver, int *rc)
{
	json_t *s = NULL;
	struct kyc_jerr e;
	*rc = kyc_settings_get(f->store, f->tenant_id, &s);
	if (*rc)
		return NULL;
	json_t *eff = kyc_settings_effective(s, json_object_get(ver, "options"), &e);
	json_decref(s);
	if (!eff)
		*rc = KYC_ERR_INVALID;
	return eff;
}
