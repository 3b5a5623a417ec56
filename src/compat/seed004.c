/* Seed 004: a partner shares a completed identity verification record
 * (docs/compat/004.md). POST /api/v1/user/kyc/share with the user and its
 * kycIdentityInfoVo; answers {"code","msg","data":{"userId"}}.
 *
 * The user is a kycd applicant (userId is its id, external_ref the
 * merchant's user id or e-mail); each share that brings documents is a
 * verification of it whose images are downloaded under the address policy
 * and submitted through the workflow, so status changes reach callbackUrl
 * through the webhook machinery (the verification's callback_url). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "flows/deferred.h"
#include "flows/settings.h"
#include "flows/workflow.h"
#include "store/blob.h"

static const char *const top_fields[] = {
    "merchantUserId",    "email", "kycType",     "registerTime",
    "kycIdentityInfoVo", "type",  "callbackUrl", NULL,
};

static const char *const vo_fields[] = {
    "firstName",  "middleName", "lastName", "firstNameEn",    "middleNameEn",       "lastNameEn",
    "gender",     "idType",     "idNumber", "nationality",    "residentialCountry", "idCountry",
    "dob",        "idExpiry",   "street",   "number",         "district",           "city",
    "state",      "zip",        "address",  "frontFileUrl",   "backFileUrl",        "selfieFileUrl",
    "amlFileUrl", "kycTime",    "kycLevel", "accountPurpose", "monthSpend",         "sourceFunds",
    "occupation", NULL,
};

/* Free-text fields of the vo kept as they are, with their caps. */
static const struct {
	const char *name;
	size_t max;
	int required;
} vo_texts[] = {
    {"firstName", 100, 1},   {"middleName", 100, 0},   {"lastName", 100, 1},
    {"firstNameEn", 100, 0}, {"middleNameEn", 100, 0}, {"lastNameEn", 100, 0},
    {"idNumber", 64, 1},     {"street", 200, 0},       {"number", 32, 0},
    {"district", 100, 0},    {"city", 100, 0},         {"state", 100, 0},
    {"zip", 32, 0},          {"address", 500, 0},      {"accountPurpose", 200, 0},
    {"monthSpend", 64, 0},   {"sourceFunds", 200, 0},  {"occupation", 200, 0},
};

static const char *const kyc_types[] = {"USER", "ENTERPRISE", NULL};
static const char *const share_types[] = {"new", "update", "reNew", NULL};
static const char *const genders[] = {"M", "F", NULL};
static const char *const levels[] = {"L0", "L1", "L2", NULL};

static const struct {
	const char *name, *kyc_type; /* kyc_type NULL: not a document the reader takes */
} id_types[] = {
    {"PASSPORT", "passport"}, {"DRIVERS", "drivers_license"},           {"VISA", "visa"},
    {"ID_CARD", "id_card"},   {"RESIDENCE_PERMIT", "residence_permit"}, {"UTILITY_BILL", NULL},
};

static const char *const url_fields[] = {"frontFileUrl", "backFileUrl", "selfieFileUrl",
                                         "amlFileUrl"};

/* "yyyy-MM-dd HH:mm:ss", a real date and time. */
static int datetime_ok(const char *s)
{
	int y, mo, d, h, mi, se;
	char tail;
	if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
	    s[16] != ':')
		return 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6)
		return 0;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return kyc_date_valid(y, mo, d) && h < 24 && mi < 60 && se < 60;
}

static int https_ok(const char *u)
{
	if (strncmp(u, "https://", 8) != 0 || strlen(u) > KYC_FETCH_URL_MAX)
		return 0;
	const char *host = u + 8;
	size_t hl = strcspn(host, "/?#");
	for (size_t i = 0; i < hl; i++)
		if (host[i] == '@' || host[i] == ' ')
			return 0;
	return hl > 0;
}

/* Prefixes e's field with "kycIdentityInfoVo.". */
static int in_vo(struct kyc_jerr *e)
{
	char f[sizeof e->field];
	snprintf(f, sizeof f, "kycIdentityInfoVo.%.60s", e->field);
	memcpy(e->field, f, sizeof f);
	return -1;
}

int kyc_compat004_parse(const json_t *body, struct kyc_compat004_req *out, struct kyc_jerr *e)
{
	memset(out, 0, sizeof *out);
	if (kyc_jv_known_fields(body, top_fields, e) ||
	    kyc_jv_string(body, "merchantUserId", 0, 128, &out->merchant_user_id, e) ||
	    kyc_jv_email(body, "email", 0, &out->email, e) ||
	    kyc_jv_enum(body, "kycType", KYC_JV_REQUIRED, kyc_types, &out->kyc_type, e) ||
	    kyc_jv_string(body, "registerTime", 0, 19, &out->register_time, e) ||
	    kyc_jv_enum(body, "type", 0, share_types, &out->type, e) ||
	    kyc_jv_string(body, "callbackUrl", 0, KYC_FETCH_URL_MAX, &out->callback_url, e))
		return -1;
	if (!out->merchant_user_id && !out->email)
		return kyc_jerr_set(
		    e, 422, "field_required", "merchantUserId",
		    "'merchantUserId' or 'email' is required (the merchant's user)");
	if (out->register_time && !datetime_ok(out->register_time))
		return kyc_jerr_set(e, 422, "invalid_date", "registerTime",
		                    "'registerTime' must be yyyy-MM-dd HH:mm:ss");
	if (out->callback_url && !https_ok(out->callback_url))
		return kyc_jerr_set(e, 422, "invalid_url", "callbackUrl",
		                    "'callbackUrl' must be an https:// URL without credentials");

	const json_t *vo = json_object_get(body, "kycIdentityInfoVo");
	if (!vo || json_is_null(vo))
		return kyc_jerr_set(e, 422, "field_required", "kycIdentityInfoVo",
		                    "'kycIdentityInfoVo' is required");
	if (!json_is_object(vo))
		return kyc_jerr_set(e, 422, "invalid_type", "kycIdentityInfoVo",
		                    "'kycIdentityInfoVo' must be an object");
	out->vo = vo;
	if (kyc_jv_known_fields(vo, vo_fields, e))
		return in_vo(e);
	const char *s;
	for (size_t i = 0; i < sizeof vo_texts / sizeof vo_texts[0]; i++)
		if (kyc_jv_string(vo, vo_texts[i].name, vo_texts[i].required ? KYC_JV_REQUIRED : 0,
		                  vo_texts[i].max, &s, e))
			return in_vo(e);
	static const char *const countries[] = {"nationality", "residentialCountry", "idCountry"};
	for (int i = 0; i < 3; i++)
		if (kyc_jv_country3(vo, countries[i], KYC_JV_REQUIRED, &s, e))
			return in_vo(e);
	if (kyc_jv_enum(vo, "gender", KYC_JV_REQUIRED, genders, &s, e) ||
	    kyc_jv_date(vo, "dob", KYC_JV_REQUIRED, &out->dob, e) ||
	    kyc_jv_date(vo, "idExpiry", KYC_JV_REQUIRED, &s, e) ||
	    kyc_jv_enum(vo, "kycLevel", KYC_JV_REQUIRED, levels, &out->level, e))
		return in_vo(e);
	const char *kyc_time = NULL;
	if (kyc_jv_string(vo, "kycTime", 0, 19, &kyc_time, e))
		return in_vo(e);
	if (kyc_time && !datetime_ok(kyc_time))
		return kyc_jerr_set(e, 422, "invalid_date", "kycIdentityInfoVo.kycTime",
		                    "'kycTime' must be yyyy-MM-dd HH:mm:ss");
	int64_t dob;
	kyc_date_parse(out->dob, strlen(out->dob), &dob);
	if (dob * 86400000LL > kyc_now_ms())
		return kyc_jerr_set(e, 422, "invalid_date", "kycIdentityInfoVo.dob",
		                    "'dob' is in the future");
	const char *t = kyc__compat_str(vo, "idType");
	if (!t)
		return kyc_jerr_set(e, 422, "field_required", "kycIdentityInfoVo.idType",
		                    "'idType' is required");
	for (size_t i = 0; i < sizeof id_types / sizeof id_types[0]; i++)
		if (!strcmp(t, id_types[i].name)) {
			out->id_type = id_types[i].name;
			out->kyc_doc_type = id_types[i].kyc_type;
		}
	if (!out->id_type)
		return kyc_jerr_set(e, 422, "invalid_value", "kycIdentityInfoVo.idType",
		                    "'idType' must be one of: PASSPORT, DRIVERS, VISA, ID_CARD, "
		                    "RESIDENCE_PERMIT, UTILITY_BILL");
	for (int i = 0; i < 4; i++) {
		if (kyc_jv_string(vo, url_fields[i], i == 0 || i == 2 ? KYC_JV_REQUIRED : 0,
		                  KYC_FETCH_URL_MAX, &out->urls[i], e))
			return in_vo(e);
		if (out->urls[i] && !https_ok(out->urls[i]))
			return kyc_jerr_set(e, 422, "invalid_url", url_fields[i],
			                    "'%s' must be an https:// URL without credentials",
			                    url_fields[i]),
			       in_vo(e);
	}
	return 0;
}

/* {"code","msg","data"}: "0" and "success", or the status and why. */
static void send_envelope(struct api_call *c, int status, const char *msg, json_t *data)
{
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	api_json(c, status,
	         json_pack("{s:s, s:s, s:o}", "code", status < 300 ? "0" : code, "msg", msg, "data",
	                   data ? data : json_null()));
}

static void shape004(struct api_call *c, int status, const char *code, const char *field,
                     const char *detail)
{
	kyc__compat_error_headers(c, code, field);
	send_envelope(c, status, detail, NULL);
}

/* The applicant's fields from the share: Latin names in first/middle/last
 * (the English ones when given, the native ones kept beside them). */
static json_t *applicant_fields(const struct kyc_compat004_req *in, const char *ref)
{
	const json_t *vo = in->vo;
	json_t *a = json_object();
	static const char *const parts[][3] = {{"firstName", "firstNameEn", "first_name"},
	                                       {"middleName", "middleNameEn", "middle_name"},
	                                       {"lastName", "lastNameEn", "last_name"}};
	for (int i = 0; i < 3; i++) {
		const char *nat = kyc__compat_str(vo, parts[i][0]);
		const char *en = kyc__compat_str(vo, parts[i][1]);
		char native_key[32];
		snprintf(native_key, sizeof native_key, "%s_native", parts[i][2]);
		json_object_set_new(a, parts[i][2],
		                    en    ? json_string(en)
		                    : nat ? json_string(nat)
		                          : json_null());
		json_object_set_new(a, native_key, en && nat ? json_string(nat) : json_null());
	}
	json_object_set_new(a, "external_ref", json_string(ref));
	if (in->email)
		json_object_set_new(a, "email", json_string(in->email));
	json_object_set_new(a, "birth_date", json_string(in->dob));
	json_object_set(a, "country", json_object_get(vo, "residentialCountry"));
	json_object_set(a, "nationality", json_object_get(vo, "nationality"));
	json_object_set_new(a, "level", json_string(in->level));
	return a;
}

/* What the share says beyond the applicant's columns, kept with it. */
static json_t *share_record(const struct kyc_compat004_req *in)
{
	json_t *r = json_deep_copy(in->vo);
	/* the image URLs travel with the verification, not the person */
	for (int i = 0; i < 4; i++)
		json_object_del(r, url_fields[i]);
	json_object_set_new(r, "kycType", json_string(in->kyc_type));
	if (in->merchant_user_id)
		json_object_set_new(r, "merchantUserId", json_string(in->merchant_user_id));
	if (in->register_time)
		json_object_set_new(r, "registerTime", json_string(in->register_time));
	return r;
}

/* The downloaded files of one share, in url_fields order; later[i]: the
 * error code of a URL kept to be fetched again (src/flows/deferred.h). */
struct fetched {
	kyc_buf b[4];
	char ctype[4][128];
	const char *later[4];
};

/* Downloads the share's files. A URL that does not answer now (no
 * connection, an HTTP error, a timeout) is kept for later when the share
 * makes a verification to hang it on: the seed says nothing of when files
 * are read, and the outcome reaches the merchant by push. A URL that can
 * never work (refused address, over the cap) or content that is no usable
 * image is answered at once: trying again would bring the same. */
static int fetch_all(struct api_call *c, const struct kyc_compat004_req *in, struct fetched *f)
{
	for (int i = 0; i < 4; i++) {
		if (!in->urls[i])
			continue;
		struct kyc_fetch_info fi = {0};
		int rc = kyc__compat_fetch(c, in->urls[i], &f->b[i], &fi);
		const char *code = fi.code ? fi.code : "url_fetch_failed";
		if (rc && in->kyc_doc_type && rc != KYC_ERR_DENIED && rc != KYC_ERR_INVALID &&
		    rc != KYC_ERR_TOOBIG) {
			f->later[i] = code;
			continue;
		}
		if (rc) {
			char field[64];
			snprintf(field, sizeof field, "kycIdentityInfoVo.%s", url_fields[i]);
			int status =
			    rc == KYC_ERR_TIMEOUT  ? 504
			    : rc == KYC_ERR_TOOBIG ? 413
			    : !strcmp(code, "url_http_status") || !strcmp(code, "url_fetch_failed")
			        ? 502
			        : 422;
			api_problem(c, status, code, field, "%s could not be downloaded: %s",
			            url_fields[i], fi.message[0] ? fi.message : code);
			return -1;
		}
		snprintf(f->ctype[i], sizeof f->ctype[i], "%s", fi.content_type);
		/* Images the workflow will take must decode: found out now, before
		 * anything is written, not half-way through the share. */
		if (i < 3 && (in->kyc_doc_type || i == 2)) {
			char field[64], why[96];
			snprintf(field, sizeof field, "kycIdentityInfoVo.%s", url_fields[i]);
			snprintf(why, sizeof why, "%s is not a usable JPEG or PNG image",
			         url_fields[i]);
			if (kyc__compat_image_check(c, f->b[i].data, f->b[i].len, field, why))
				return -1;
		}
	}
	return 0;
}

/* The share's URLs, to tell an update that brings new files from one that does not. */
static json_t *url_record(const struct kyc_compat004_req *in)
{
	json_t *u = json_object();
	for (int i = 0; i < 4; i++)
		json_object_set_new(u, url_fields[i],
		                    in->urls[i] ? json_string(in->urls[i]) : json_null());
	return u;
}

/* Stores the files the workflow does not take (the AML report; every file
 * of a UTILITY_BILL share) and returns {"<urlField>": "<file id>"}. */
static int store_other_files(struct api_call *c, const struct kyc_compat004_req *in,
                             const struct fetched *f, json_t **ids)
{
	static const char *const kinds[] = {"proof_of_address", "proof_of_address", "selfie",
	                                    "aml_report"};
	*ids = json_object();
	for (int i = 0; i < 4; i++) {
		if (!in->urls[i] || f->later[i] || (in->kyc_doc_type && i != 3))
			continue;
		char fid[37];
		int rc = kyc__compat_store_file(c, kinds[i], f->b[i].data, f->b[i].len, f->ctype[i],
		                                in->urls[i], fid);
		if (rc)
			return rc;
		json_object_set_new(*ids, url_fields[i], json_string(fid));
	}
	return 0;
}

/* Writes the applicant: a new one, or the share's fields over the old.
 * The share's extra data, its URLs and the ids of the files stored beside
 * the verification go into attributes.compat004. */
static int save_applicant(struct api_call *c, const struct kyc_compat004_req *in, const char *ref,
                          const json_t *old, const json_t *files, char id[37])
{
	json_t *rec = applicant_fields(in, ref);
	json_t *attrs = old ? json_deep_copy(json_object_get(old, "attributes")) : NULL;
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_pack("{s:{}}", "metadata");
	}
	json_t *prev = json_object_get(json_object_get(attrs, "compat004"), "files");
	json_t *share = share_record(in);
	json_object_set_new(share, "urls", url_record(in));
	json_object_set(share, "files", (json_t *)(files ? files : prev ? prev : NULL));
	if (!json_object_get(share, "files"))
		json_object_set_new(share, "files", json_object());
	json_object_set_new(attrs, "compat004", share);
	json_object_set_new(rec, "attributes", attrs);
	int rc;
	if (old) {
		snprintf(id, 37, "%s", kyc__compat_str(old, "id"));
		rc = kyc_store_update(c->store, KYC_R_APPLICANT, c->tenant_id, id, rec,
		                      json_integer_value(json_object_get(old, "version")));
	} else {
		kyc_uuid_new(id);
		json_object_set_new(rec, "id", json_string(id));
		json_object_set_new(rec, "tier", json_integer(0));
		rc = kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, rec);
	}
	json_decref(rec);
	return rc;
}

/* A verification of the share: created through the workflow, marked as
 * seed 004's, then fed the document images and the selfie. */
static int share_verification(struct api_call *c, const struct kyc_compat004_req *in,
                              const char *applicant_id, const struct fetched *f, struct kyc_jerr *e)
{
	struct kyc_flow fl;
	char actor[64];
	json_t *ver = NULL, *res = NULL;
	kyc__compat_flow(c, KYC_COMPAT_004, &fl, actor);
	json_t *req = json_pack("{s:s, s:[s]}", "applicant_id", applicant_id, "document_types",
	                        in->kyc_doc_type);
	if (in->callback_url)
		json_object_set_new(req, "callback_url", json_string(in->callback_url));
	if (strcmp(in->level, "L0"))
		json_object_set_new(req, "level", json_string(in->level));
	/* what seed 004's status push names the user by */
	json_t *compat = json_pack("{s:s, s:{s:s?}}", "seed", "004", "data", "merchantUserId",
	                           in->merchant_user_id);
	int rc = kyc_flow_verification_create_compat(&fl, req, compat, &ver, e);
	json_decref(compat);
	json_decref(req);
	if (rc)
		return -1;
	const char *vid = kyc__compat_str(ver, "id");
	/* What did not come now is fetched again later, each file in its place.
	 * A back waits with its front: the workflow reads a front first. */
	static const char *const roles[] = {"document", "document", "selfie", "file"};
	json_t *later = json_array();
	for (int i = 0; i < 4; i++) {
		if (!in->urls[i] || !(f->later[i] || (i == 1 && f->later[0])))
			continue;
		json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "url", in->urls[i], "role", roles[i],
		                      "field", url_fields[i], "why",
		                      f->later[i] ? f->later[i] : "front_pending");
		if (i < 2)
			json_object_set_new(d, "side", json_string(i ? "back" : "front"));
		if (i != 3) {
			json_object_set_new(d, "type", json_string(in->kyc_doc_type));
			json_object_set_new(d, "issuing_country",
			                    json_string(kyc__compat_str(in->vo, "idCountry")));
		} else {
			json_object_set_new(d, "kind", json_string("aml_report"));
			json_object_set_new(d, "record", json_string("compat004"));
		}
		json_array_append_new(later, d);
	}
	rc = json_array_size(later) ? kyc_deferred_add(&fl, vid, later) : 0;
	json_decref(later);
	if (rc) {
		kyc_logf(KYC_LOG_ERROR, "share %s: deferred downloads not kept: %s", vid,
		         kyc_store_errmsg(c->store));
		json_decref(ver);
		return kyc_jerr_set(e, 500, "store_error", "",
		                    "the share's downloads could not be kept; share again");
	}
	/* The selfie first: a document that fails a hard check closes the
	 * verification, and the share still hands over everything it brought. */
	struct kyc_flow_image selfie = {.type = in->kyc_doc_type,
	                                .side = "front",
	                                .bytes = (const unsigned char *)f->b[2].data,
	                                .len = f->b[2].len,
	                                .source_url = in->urls[2]};
	if (!f->later[2])
		rc = kyc_flow_selfie(&fl, vid, &selfie, &res, e);
	json_decref(res);
	res = NULL;
	struct kyc_flow_image imgs[2];
	int n = 0;
	for (int i = 0; i < 2 && !f->later[0]; i++)
		if (in->urls[i] && !f->later[i])
			imgs[n++] = (struct kyc_flow_image){
			    .type = in->kyc_doc_type,
			    .side = i ? "back" : "front",
			    .issuing_country = kyc__compat_str(in->vo, "idCountry"),
			    .bytes = (const unsigned char *)f->b[i].data,
			    .len = f->b[i].len,
			    .source_url = in->urls[i],
			};
	if (!rc && n)
		rc = kyc_flow_submit(&fl, vid, imgs, n, &res, e);
	json_decref(res);
	json_decref(ver);
	return rc ? -1 : 0;
}

COMPAT_HANDLER(s004_share, KYC_COMPAT_004, API_WRITE | API_IDEMPOTENT, shape004)
{
	json_t *body = api_body_object(c), *user = NULL, *files = NULL;
	struct kyc_compat004_req in;
	struct kyc_jerr e;
	struct fetched f;
	memset(&f, 0, sizeof f);
	for (int i = 0; i < 4; i++)
		kyc_buf_init(&f.b[i], c->app->max_image_bytes);
	if (!body)
		goto out;
	struct kyc_webhook_policy wp = api_webhook_policy(c);
	if (kyc_compat004_parse(body, &in, &e) ||
	    (in.callback_url && kyc_webhook_url_check(in.callback_url, &wp, "callbackUrl", &e))) {
		api_jerr(c, &e);
		goto out;
	}
	const char *ref = in.merchant_user_id ? in.merchant_user_id : in.email;
	int rc =
	    kyc__compat_newest(c, KYC_R_APPLICANT, json_pack("{s:s}", "external_ref", ref), &user);
	if (rc) {
		api_store_error(c, rc, "user");
		goto out;
	}
	const char *type = in.type ? in.type : user ? "update" : "new";
	if (!strcmp(type, "new") && user) {
		api_problem(c, 409, "user_exists", "type",
		            "this user was shared before; send type update or reNew");
		goto out;
	}
	if (strcmp(type, "new") && !user) {
		api_problem(c, 404, "user_not_found", "type",
		            "no user was shared with this merchantUserId/email; send type new");
		goto out;
	}
	/* An update that brings the same files changes the person only: nothing
	 * to verify again, no status to push (the document's "status unchanged"). */
	int fresh = 1;
	if (!strcmp(type, "update")) {
		json_t *urls = url_record(&in);
		json_t *share = json_object_get(json_object_get(user, "attributes"), "compat004");
		fresh = !json_equal(urls, json_object_get(share, "urls"));
		json_decref(urls);
	}
	/* A tenant may keep only the URLs (setting share_fetch_files): the
	 * person is recorded, nothing is downloaded or verified. */
	json_t *settings = NULL;
	if ((rc = kyc_settings_get(c->store, c->tenant_id, &settings))) {
		api_store_error(c, rc, "settings");
		goto out;
	}
	if (json_is_false(json_object_get(settings, "share_fetch_files")))
		fresh = 0;
	json_decref(settings);
	if (fresh && fetch_all(c, &in, &f))
		goto out;
	if (fresh && (rc = store_other_files(c, &in, &f, &files))) {
		api_store_error(c, rc, "file");
		goto out;
	}
	char id[37];
	if ((rc = save_applicant(c, &in, ref, user, files, id))) {
		api_store_error(c, rc, "user");
		goto out;
	}
	if (fresh && in.kyc_doc_type && share_verification(c, &in, id, &f, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	send_envelope(c, 200, "success", json_pack("{s:s}", "userId", id));
out:
	for (int i = 0; i < 4; i++)
		kyc_buf_release(&f.b[i]);
	json_decref(files);
	json_decref(user);
	json_decref(body);
}

void kyc__compat004_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/api/v1/user/kyc/share", s004_share);
}
