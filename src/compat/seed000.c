/* Seed 000: national-ID onboarding, step #5 (docs/compat/000.md).
 *   POST /api/v1/onboarding/Request/SelectNationalIdStep/{isNationalID}
 *   POST /api/v1/onboarding/NationalId/UploadFrontImage   {customerId, image}
 *   POST /api/v1/onboarding/NationalId/UploadBackImage    {customerId, image}
 *   POST /api/v1/onboarding/NationalId/ApproveFrontImage  {fullNameEn, firstNameEn, familyNameEn}
 *   POST /api/v1/onboarding/NationalId/ApproveBackImage
 * Answers {isSuccess, message, customerData} (the uploads) or true (the
 * rest), with messages in the language Accept-Language asks for (English,
 * Arabic).
 *
 * A customer is an applicant whose external_ref is the customerId; its
 * onboarding is a seed-000 verification. The routes without a customerId
 * act on the one onboarding the same API key has in flight (compat_ref
 * holds the key's id; an X-Customer-Id header names the customer instead);
 * with several, a 409: the customer is never guessed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/compat.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/settings.h"
#include "flows/workflow.h"

static const char *const langs[] = {"en", "ar", NULL};

/* Every message this set says, in each language. Error codes of the common
 * layer map to one of these by key; anything else falls back to "failed". */
static const struct {
	const char *key, *en, *ar;
} msgs[] = {
    {"selected", "The identity document step was selected", "تم اختيار خطوة وثيقة الهوية"},
    {"front_ok", "The front image was read successfully", "تمت قراءة صورة الوجه الأمامي بنجاح"},
    {"front_need_back", "The front image was received; please upload the back of the ID card",
     "تم استلام صورة الوجه الأمامي، يرجى رفع صورة الوجه الخلفي لبطاقة الهوية"},
    {"back_ok", "The back image was read successfully", "تمت قراءة صورة الوجه الخلفي بنجاح"},
    {"review", "The images were received and are under review", "تم استلام الصور وهي قيد المراجعة"},
    {"rejected", "The identity verification was rejected", "تم رفض التحقق من الهوية"},
    /* why, by the decision's reason code (docs/flows.md, docs/errors.md) */
    {"rejected:document_expired",
     "The identity verification was rejected: the document has expired",
     "تم رفض التحقق من الهوية: الوثيقة منتهية الصلاحية"},
    {"rejected:minimum_age",
     "The identity verification was rejected: the holder is under the minimum age",
     "تم رفض التحقق من الهوية: صاحب الوثيقة دون السن الأدنى"},
    {"rejected:blocked_country",
     "The identity verification was rejected: documents of this country are not accepted",
     "تم رفض التحقق من الهوية: وثائق هذه الدولة غير مقبولة"},
    {"rejected:duplicate_document",
     "The identity verification was rejected: this document is already used by another customer",
     "تم رفض التحقق من الهوية: هذه الوثيقة مستخدمة بالفعل من قبل عميل آخر"},
    {"rejected:duplicate_applicant",
     "The identity verification was rejected: this person is already registered as another "
     "customer",
     "تم رفض التحقق من الهوية: هذا الشخص مسجل بالفعل كعميل آخر"},
    {"rejected:reject_period",
     "The identity verification was rejected: this document was rejected recently; please try "
     "again later",
     "تم رفض التحقق من الهوية: تم رفض هذه الوثيقة مؤخرًا، يرجى المحاولة لاحقًا"},
    {"rejected:too_many_attempts",
     "The identity verification was rejected: too many failed attempts",
     "تم رفض التحقق من الهوية: عدد كبير جدًا من المحاولات الفاشلة"},
    /* the workflow's retry codes (docs/flows.md) */
    {"document_not_found",
     "No document was found in the photo; please photograph the whole document on a plain surface",
     "لم يتم العثور على وثيقة في الصورة، يرجى تصوير الوثيقة كاملة على سطح مستوٍ"},
    {"mrz_unreadable",
     "The document could not be read; please retake the photo in good light, without glare",
     "تعذرت قراءة الوثيقة، يرجى إعادة التصوير في إضاءة جيدة ودون انعكاس"},
    {"mrz_check_failed",
     "The document was not read reliably; please retake the photo closer and in focus",
     "لم تتم قراءة الوثيقة بشكل موثوق، يرجى إعادة التصوير عن قرب وبوضوح"},
    {"mrz_cut_off", "Part of the document is cut off; please fit the whole document in the photo",
     "جزء من الوثيقة مقطوع، يرجى إظهار الوثيقة كاملة في الصورة"},
    {"image_too_small", "The document is too small in the photo; please move closer",
     "الوثيقة صغيرة جدًا في الصورة، يرجى الاقتراب"},
    {"image_too_blurry",
     "The photo is blurry; please hold still and make sure the document is in focus",
     "الصورة غير واضحة، يرجى الثبات والتأكد من وضوح الوثيقة"},
    {"image_too_dark", "The photo is too dark; please retake it in better light",
     "الصورة مظلمة جدًا، يرجى إعادة التصوير في إضاءة أفضل"},
    {"wrong_document_type",
     "This is not the document that was chosen; please send the right document",
     "هذه ليست الوثيقة المختارة، يرجى إرسال الوثيقة الصحيحة"},
    {"retry", "The document could not be read; please try again",
     "تعذرت قراءة الوثيقة، يرجى المحاولة مرة أخرى"},
    {"image_required", "The image is required", "الصورة مطلوبة"},
    {"image_invalid", "The image must be a JPEG or PNG photo",
     "يجب أن تكون الصورة بصيغة JPEG أو PNG"},
    {"image_too_large", "The image is larger than the allowed size", "حجم الصورة أكبر من المسموح"},
    {"customer_required", "The customer is required", "العميل مطلوب"},
    {"customer_invalid", "The customer id is not valid", "معرّف العميل غير صالح"},
    {"no_onboarding", "No identity document upload was found for this customer",
     "لم يتم العثور على وثيقة هوية مرفوعة لهذا العميل"},
    {"already_processed", "This identity verification is already being processed",
     "التحقق من الهوية قيد المعالجة بالفعل"},
    {"closed", "This identity verification is closed; please start again",
     "تم إغلاق التحقق من الهوية، يرجى البدء من جديد"},
    {"invalid_step", "isNationalID must be true or false",
     "يجب أن تكون قيمة isNationalID صحيحة أو خاطئة"},
    {"names_invalid", "The English names are not valid", "الأسماء باللغة الإنجليزية غير صالحة"},
    {"ambiguous_customer",
     "More than one customer is being onboarded with this key; name the customer with "
     "customerId or the X-Customer-Id header",
     "يتم تسجيل أكثر من عميل باستخدام هذا المفتاح؛ يرجى تحديد العميل عبر customerId أو "
     "الترويسة X-Customer-Id"},
    {"invalid_json", "The request body is not valid JSON", "محتوى الطلب ليس بصيغة JSON صالحة"},
    {"unauthorized", "A valid Authorization key is required", "مفتاح التفويض غير صالح أو مفقود"},
    {"not_enabled", "This service is not enabled", "هذه الخدمة غير مفعلة"},
    {"failed", "The request could not be completed", "تعذر إتمام الطلب"},
    {"server_error", "An unexpected error occurred; please try again later",
     "حدث خطأ غير متوقع، يرجى المحاولة لاحقًا"},
};

static const char *lang_of(struct api_call *c)
{
	return kyc_compat_lang(kyc_req_header(c->req, "accept-language"), langs);
}

static const char *msg(struct api_call *c, const char *key)
{
	int ar = !strcmp(lang_of(c), "ar");
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		if (!strcmp(msgs[i].key, key))
			return ar ? msgs[i].ar : msgs[i].en;
	return NULL;
}

/* The message key of an error code from anywhere below. */
static const char *key_of(const char *code, int status)
{
	static const struct {
		const char *code, *key;
	} map[] = {
	    {"unauthenticated", "unauthorized"},
	    {"invalid_api_key", "unauthorized"},
	    {"forbidden", "unauthorized"},
	    {"route_set_disabled", "not_enabled"},
	    {"invalid_json", "invalid_json"},
	    {"unsupported_media_type", "image_invalid"},
	    {"image_invalid", "image_invalid"},
	    {"image_too_many_pixels", "image_too_large"},
	    {"image_too_large", "image_too_large"},
	    {"invalid_base64", "image_invalid"},
	    {"image_required", "image_required"},
	    {"customer_required", "customer_required"},
	    {"customer_invalid", "customer_invalid"},
	    {"no_onboarding", "no_onboarding"},
	    {"verification_pending_review", "already_processed"},
	    {"verification_approved", "already_processed"},
	    {"verification_closed", "closed"},
	    {"invalid_step", "invalid_step"},
	    {"names_invalid", "names_invalid"},
	    {"ambiguous_customer", "ambiguous_customer"},
	};
	if (status >= 500)
		return "server_error";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i].code, code))
			return map[i].key;
	return "failed";
}

/* Errors: 401 for a missing or bad key, 500 for ours, 400 for the rest (the
 * document lists 200 and 400 only); {isSuccess:false, message, customerData:null}. */
static void shape000(struct api_call *c, int status, const char *code, const char *field,
                     const char *detail)
{
	kyc__compat_error_headers(c, code, field);
	/* 409: the key has several customers in flight and named none */
	int st =
	    status == 401 || status >= 500 || !strcmp(code, "ambiguous_customer") ? status : 400;
	const char *key = key_of(code, status);
	/* English callers get the precise reason where there is no catalogue entry. */
	const char *m =
	    !strcmp(key, "failed") && !strcmp(lang_of(c), "en") && detail[0] ? detail : msg(c, key);
	api_json(c, st, json_pack("{s:b, s:s, s:n}", "isSuccess", 0, "message", m, "customerData"));
}

/* ---- finding the customer and its onboarding ---- */

struct session {
	json_t *applicant; /* the customer */
	json_t *ver;       /* its seed-000 verification (may be NULL: none yet) */
};

static void session_release(struct session *s)
{
	json_decref(s->applicant);
	json_decref(s->ver);
}

/* The customer's onboarding: its latest seed-000 verification. */
static int customer_session(struct api_call *c, const char *customer_id, struct session *s)
{
	int rc = kyc__compat_newest(c, KYC_R_APPLICANT,
	                            json_pack("{s:s}", "external_ref", customer_id), &s->applicant);
	if (rc || !s->applicant)
		return rc;
	return kyc__compat_newest(c, KYC_R_VERIFICATION,
	                          json_pack("{s:s, s:O}", "compat_seed", "000", "applicant_id",
	                                    json_object_get(s->applicant, "id")),
	                          &s->ver);
}

static int open_status(const char *st);
static int national_id(const json_t *ver);

/* An onboarding still in flight: neither closed nor finished (an ID card's
 * back approved, or a passport's names) and within its lifetime. */
static int in_flight(const json_t *v)
{
	const char *st = kyc__compat_str(v, "status");
	if (!st || !strcmp(st, "rejected") || !strcmp(st, "expired") || !strcmp(st, "cancelled"))
		return 0;
	if (json_object_get(json_object_get(json_object_get(v, "attributes"), "compat000"),
	                    "back_approved_at"))
		return 0;
	if (!national_id(v) && !strcmp(st, "approved"))
		return 0;
	int64_t exp = kyc__compat_time_ms(v, "expires_at");
	return exp < 0 || kyc_now_ms() < exp;
}

/* This API key's onboardings in flight (those it made or uploaded to:
 * compat_ref holds the key's id) of named (or, named 0, not yet named)
 * customers. Exactly one goes into s; with several, KYC_ERR_CONFLICT and
 * s left empty; with none, s stays empty. */
static int key_onboarding(struct api_call *c, int named, struct session *s)
{
	json_t *filter = json_pack("{s:s, s:s}", "compat_seed", "000", "compat_ref", c->actor);
	struct kyc_store_page pg;
	int rc = kyc_store_list(c->store, KYC_R_VERIFICATION, c->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	if (rc)
		return rc;
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(pg.items, i, v)
	{
		json_t *a = NULL;
		if (rc || !in_flight(v))
			continue;
		rc = kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id,
		                   kyc__compat_str(v, "applicant_id"), &a);
		if (!rc && json_is_string(json_object_get(a, "external_ref")) == named &&
		    n++ == 0) {
			s->ver = json_incref(v);
			s->applicant = json_incref(a);
		}
		json_decref(a);
	}
	json_decref(pg.items);
	if (rc || n > 1) {
		session_release(s);
		s->ver = s->applicant = NULL;
	}
	return rc ? rc : n > 1 ? KYC_ERR_CONFLICT : 0;
}

/* The onboarding this API key means when it names no customer: the one
 * of a named customer it has in flight. Never a guess: with several,
 * KYC_ERR_CONFLICT (answered 409, ambiguous_customer). */
static int key_session(struct api_call *c, struct session *s)
{
	return key_onboarding(c, 1, s);
}

/* The key's in-flight onboarding of a customer not yet named (opened by
 * SelectNationalIdStep before any upload), when there is exactly one. */
static int key_unnamed(struct api_call *c, struct session *s)
{
	int rc = key_onboarding(c, 0, s);
	return rc == KYC_ERR_CONFLICT ? 0 : rc;
}

/* Marks ver as one of this key's onboardings. */
static int bind_key(struct api_call *c, const json_t *ver)
{
	if (!strcmp(kyc__compat_str(ver, "compat_ref") ? kyc__compat_str(ver, "compat_ref") : "",
	            c->actor))
		return 0;
	json_t *set = json_pack("{s:s}", "compat_ref", c->actor);
	int rc = kyc_store_update(c->store, KYC_R_VERIFICATION, c->tenant_id,
	                          kyc__compat_str(ver, "id"), set, 0);
	json_decref(set);
	return rc;
}

/* The customer a request without customerId in its body means: the
 * X-Customer-Id header, else this key's onboarding in flight. */
static int implied_session(struct api_call *c, struct session *s)
{
	kyc_str h = kyc_req_header(c->req, "x-customer-id");
	if (h.ptr && h.len) {
		if (h.len > 128)
			return KYC_ERR_INVALID;
		return customer_session(c, kyc_req_strdup(c->req, h.ptr, h.len), s);
	}
	return key_session(c, s);
}

/* Answers the implied session's failure: 409 when the key has several
 * onboardings in flight, else the store error. */
static void session_error(struct api_call *c, int rc)
{
	if (rc == KYC_ERR_CONFLICT)
		api_problem(c, 409, "ambiguous_customer", "X-Customer-Id",
		            "this key has more than one onboarding in progress: name the customer "
		            "with X-Customer-Id or customerId");
	else
		api_store_error(c, rc, "onboarding");
}

static int open_status(const char *st)
{
	return st && (!strcmp(st, "created") || !strcmp(st, "awaiting_input") ||
	              !strcmp(st, "incomplete"));
}

static int national_id(const json_t *ver)
{
	json_t *v = json_object_get(
	    json_object_get(json_object_get(ver, "attributes"), "compat000"), "national_id");
	return !json_is_false(v);
}

/* A fresh onboarding for the applicant (type per the step chosen). */
static int new_onboarding(struct api_call *c, const char *applicant_id, int nid, json_t **ver,
                          struct kyc_jerr *e)
{
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_000, &fl, actor);
	json_t *req = json_pack("{s:s, s:[s]}", "applicant_id", applicant_id, "document_types",
	                        nid ? "id_card" : "passport");
	/* The level that waits for ApproveFrontImage (document, then the names'
	 * confirmation) when the tenant has it; else the tenant's default. */
	json_t *settings = NULL;
	if (kyc_settings_get(c->store, c->tenant_id, &settings) == 0 &&
	    json_object_get(json_object_get(settings, "levels"), "confirm"))
		json_object_set_new(req, "level", json_string("confirm"));
	json_decref(settings);
	json_t *compat = json_pack("{s:s, s:s, s:{s:b}}", "seed", "000", "ref", c->actor, "data",
	                           "national_id", nid);
	int rc = kyc_flow_verification_create_compat(&fl, req, compat, ver, e);
	json_decref(compat);
	json_decref(req);
	if (rc)
		return -1;
	rc = bind_key(c, *ver);
	return rc ? kyc_jerr_set(e, 500, "store_error", NULL, "the onboarding could not be stored")
	          : 0;
}

/* ---- SelectNationalIdStep ---- */

COMPAT_HANDLER(s000_select, KYC_COMPAT_000, API_WRITE, shape000)
{
	const char *p = api_param(c, 0);
	int nid;
	if (!strcasecmp(p, "true"))
		nid = 1;
	else if (!strcasecmp(p, "false"))
		nid = 0;
	else {
		api_problem(c, 400, "invalid_step", "isNationalID",
		            "isNationalID must be true or false");
		return;
	}
	struct session s = {0};
	struct kyc_jerr e;
	/* the customer the header names, else the one still to be named: the
	 * step starts a customer's flow, so it never picks among named ones */
	kyc_str named = kyc_req_header(c->req, "x-customer-id");
	int rc = named.ptr && named.len ? implied_session(c, &s) : key_unnamed(c, &s);
	if (rc) {
		session_error(c, rc);
		goto out;
	}
	const char *st = kyc__compat_str(s.ver, "status");
	json_t *docs = NULL;
	if (s.ver && open_status(st)) {
		/* the choice holds while nothing was uploaded for it */
		rc = kyc__compat_newest(
		    c, KYC_R_DOCUMENT,
		    json_pack("{s:O}", "verification_id", json_object_get(s.ver, "id")), &docs);
		if (rc) {
			api_store_error(c, rc, "onboarding");
			goto out;
		}
	}
	if (s.ver && open_status(st) && !docs) {
		json_t *attrs = json_deep_copy(json_object_get(s.ver, "attributes"));
		json_object_set_new(attrs, "compat000", json_pack("{s:b}", "national_id", nid));
		json_t *patch = json_pack("{s:o, s:[s]}", "attributes", attrs, "document_types",
		                          nid ? "id_card" : "passport");
		rc = kyc_store_update(c->store, KYC_R_VERIFICATION, c->tenant_id,
		                      kyc__compat_str(s.ver, "id"), patch, 0);
		json_decref(patch);
	} else {
		/* A new onboarding: for the customer the header named, else for
		 * one still unnamed, whom the first upload's customerId names. */
		const char *aid = named.ptr ? kyc__compat_str(s.applicant, "id") : NULL;
		char fresh[37];
		if (!aid) {
			kyc_uuid_new(fresh);
			json_t *a = json_pack("{s:s, s:s, s:i, s:{s:{}}}", "id", fresh, "level",
			                      "L0", "tier", 0, "attributes", "metadata");
			rc = kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, a);
			json_decref(a);
			aid = fresh;
		}
		json_t *ver = NULL;
		if (!rc && new_onboarding(c, aid, nid, &ver, &e)) {
			json_decref(docs);
			api_jerr(c, &e);
			goto out;
		}
		json_decref(ver);
	}
	json_decref(docs);
	if (rc) {
		api_store_error(c, rc, "onboarding");
		goto out;
	}
	/* The document answers 200 with no content, so with no content type. */
	kyc_req_respond(c->req, 200, NULL, "", 0);
out:
	session_release(&s);
}

/* ---- the uploads ---- */

/* The newest document of one side of a verification. */
static int side_doc(struct api_call *c, const json_t *ver, const char *side, json_t **out)
{
	return kyc__compat_newest(
	    c, KYC_R_DOCUMENT,
	    json_pack("{s:O, s:s}", "verification_id", json_object_get(ver, "id"), "side", side),
	    out);
}

/* Finds or starts the onboarding of the customer an upload names. */
static int upload_session(struct api_call *c, const char *customer_id, struct session *s,
                          struct kyc_jerr *e)
{
	int rc;
	if (!customer_id) {
		rc = implied_session(c, s);
		if (rc == KYC_ERR_CONFLICT)
			return kyc_jerr_set(e, 409, "ambiguous_customer", "customerId",
			                    "this key has more than one onboarding in progress: "
			                    "send customerId");
		if (rc)
			return kyc_jerr_set(e, 500, "store_error", NULL, "store error");
		if (!s->ver || !json_is_string(json_object_get(s->applicant, "external_ref")))
			return kyc_jerr_set(e, 400, "customer_required", "customerId",
			                    "customerId is required");
		return 0;
	}
	if ((rc = customer_session(c, customer_id, s)))
		return kyc_jerr_set(e, 500, "store_error", NULL, "store error");
	if (!s->applicant) {
		/* A new customer: it names this key's unnamed onboarding if there
		 * is one (SelectNationalIdStep came first), else a new applicant. */
		struct session k = {0};
		if ((rc = key_unnamed(c, &k))) {
			session_release(&k);
			return kyc_jerr_set(e, 500, "store_error", NULL, "store error");
		}
		json_t *patch = json_pack("{s:s}", "external_ref", customer_id);
		if (k.applicant && !json_is_string(json_object_get(k.applicant, "external_ref"))) {
			rc = kyc_store_update(c->store, KYC_R_APPLICANT, c->tenant_id,
			                      kyc__compat_str(k.applicant, "id"), patch, 0);
			s->applicant = k.applicant;
			s->ver = k.ver;
			json_object_set_new(s->applicant, "external_ref", json_string(customer_id));
		} else {
			session_release(&k);
			char id[37];
			kyc_uuid_new(id);
			json_t *a = json_pack("{s:s, s:s, s:s, s:i, s:{s:{}}}", "id", id,
			                      "external_ref", customer_id, "level", "L0", "tier", 0,
			                      "attributes", "metadata");
			rc = kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, a);
			s->applicant = a;
		}
		json_decref(patch);
		if (rc)
			return kyc_jerr_set(e, 500, "store_error", NULL, "store error");
	}
	const char *st = kyc__compat_str(s->ver, "status");
	if (!s->ver ||
	    !(open_status(st) || !strcmp(st, "processing") || !strcmp(st, "pending_review"))) {
		/* none yet, or the last one was decided: a new onboarding, of the
		 * type this key's SelectNationalIdStep chose last */
		int nid = s->ver ? national_id(s->ver) : 1;
		struct session k = {0};
		if (key_unnamed(c, &k) == 0 && k.ver &&
		    open_status(kyc__compat_str(k.ver, "status")))
			nid = national_id(k.ver);
		session_release(&k);
		json_decref(s->ver);
		s->ver = NULL;
		return new_onboarding(c, kyc__compat_str(s->applicant, "id"), nid, &s->ver, e);
	}
	if (bind_key(c, s->ver))
		return kyc_jerr_set(e, 500, "store_error", NULL, "store error");
	return 0;
}

static void upload(struct api_call *c, const char *side)
{
	json_t *body = api_body_object(c), *res = NULL, *front = NULL, *back = NULL;
	struct session s = {0};
	struct kyc_jerr e;
	kyc_buf img;
	kyc_buf_init(&img, c->app->max_image_bytes);
	if (!body)
		goto out;
	json_t *jc = json_object_get(body, "customerId"), *ji = json_object_get(body, "image");
	if ((jc && !json_is_null(jc) &&
	     (!json_is_string(jc) || !json_string_length(jc) || json_string_length(jc) > 128))) {
		api_problem(c, 400, "customer_invalid", "customerId", "customerId is not valid");
		goto out;
	}
	if (!json_is_string(ji) || !json_string_length(ji)) {
		api_problem(c, 400, "image_required", "image", "image is required (base64)");
		goto out;
	}
	const char *payload;
	size_t plen;
	char mime[64];
	int rc = kyc_base64_data_url(json_string_value(ji), json_string_length(ji), &payload, &plen,
	                             mime, sizeof mime);
	if (!rc) {
		rc = kyc_base64_decode_buf(payload, plen, KYC_B64_STD, &img);
		if (rc == KYC_ERR_INVALID)
			rc = kyc_base64_decode_buf(payload, plen, KYC_B64_URL, &img);
	}
	if (rc) {
		api_problem(c, 400, rc == KYC_ERR_TOOBIG ? "image_too_large" : "invalid_base64",
		            "image", "the image is not valid base64 of at most %zu bytes",
		            c->app->max_image_bytes);
		goto out;
	}
	if (kyc__compat_image_check(c, img.data, img.len, "image",
	                            "the image is not a JPEG or PNG"))
		goto out;
	if (upload_session(c, json_string_value(jc), &s, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_000, &fl, actor);
	struct kyc_flow_image fi = {.type = national_id(s.ver) ? "id_card" : "passport",
	                            .side = side,
	                            .bytes = (const unsigned char *)img.data,
	                            .len = img.len};
	if (kyc_flow_submit(&fl, kyc__compat_str(s.ver, "id"), &fi, 1, &res, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	const json_t *v = json_object_get(res, "verification");
	if ((rc = side_doc(c, v, "front", &front)) || (rc = side_doc(c, v, "back", &back))) {
		api_store_error(c, rc, "document");
		goto out;
	}
	const char *st = kyc__compat_str(v, "status"), *retry, *retry_msg;
	kyc__compat_retry(v, &retry, &retry_msg);
	int ok = 1;
	const char *key;
	char reason_key[64];
	if (st && !strcmp(st, "incomplete")) {
		ok = 0;
		key = retry && !strcmp(retry, "back_side_required") ? "front_need_back"
		      : retry && msg(c, retry)                      ? retry
		                                                    : "retry";
		kyc__compat_error_headers(c, retry ? retry : "retry", "image");
	} else if (st && !strcmp(st, "rejected")) {
		/* the reason in words; the code also in the header */
		const char *why = kyc__compat_str(json_object_get(v, "decision"), "reason");
		snprintf(reason_key, sizeof reason_key, "rejected:%.40s", why ? why : "");
		ok = 0;
		key = msg(c, reason_key) ? reason_key : "rejected";
		kyc__compat_error_headers(c, why ? why : "verification_rejected", NULL);
	} else if (st && !strcmp(st, "pending_review")) {
		key = "review";
	} else if (retry && !strcmp(retry, "back_side_required")) {
		key = "front_need_back";
	} else {
		key = !strcmp(side, "front") ? "front_ok" : "back_ok";
	}
	api_json(c, ok ? 200 : 400,
	         json_pack("{s:b, s:s, s:o}", "isSuccess", ok, "message", msg(c, key),
	                   "customerData", kyc__compat000_customer_data(s.applicant, front, back)));
out:
	kyc_buf_release(&img);
	json_decref(front);
	json_decref(back);
	json_decref(res);
	session_release(&s);
	json_decref(body);
}

COMPAT_HANDLER(s000_upload_front, KYC_COMPAT_000, API_WRITE, shape000)
{
	upload(c, "front");
}

COMPAT_HANDLER(s000_upload_back, KYC_COMPAT_000, API_WRITE, shape000)
{
	upload(c, "back");
}

/* ---- the approvals ---- */

/* The onboarding an approval is about: it must have had an upload. */
static int approval_session(struct api_call *c, struct session *s)
{
	int rc = implied_session(c, s);
	if (rc) {
		session_error(c, rc);
		return -1;
	}
	if (!s->ver) {
		api_problem(c, 400, "no_onboarding", NULL, "no upload was made for this customer");
		return -1;
	}
	return 0;
}

/* Splits fullNameEn into the middle names between firstNameEn and
 * familyNameEn; 0, or -1 when it does not start and end with them. */
static int middle_of(const char *full, const char *first, const char *last, char *out, size_t outsz)
{
	size_t fl = strlen(full), a = strlen(first), b = strlen(last);
	if (fl < a + b || strncmp(full, first, a) || strcmp(full + fl - b, last))
		return -1;
	const char *m = full + a;
	size_t ml = fl - a - b;
	if (ml == 0 && a && b)
		return -1; /* "JohnSmith" is not "John Smith" */
	while (ml && *m == ' ')
		m++, ml--;
	while (ml && m[ml - 1] == ' ')
		ml--;
	snprintf(out, outsz, "%.*s", (int)ml, m);
	return 0;
}

COMPAT_HANDLER(s000_approve_front, KYC_COMPAT_000, API_WRITE, shape000)
{
	json_t *body = api_body_object(c), *names = NULL, *res = NULL;
	struct session s = {0};
	struct kyc_jerr e;
	if (!body)
		goto out;
	static const char *const keys[] = {"fullNameEn", "firstNameEn", "familyNameEn"};
	const char *v[3] = {NULL, NULL, NULL};
	for (int i = 0; i < 3; i++) {
		json_t *j = json_object_get(body, keys[i]);
		if (j && !json_is_null(j) &&
		    (!json_is_string(j) || json_string_length(j) > 200 ||
		     kyc_jv_string(body, keys[i], 0, 200, &v[i], &e))) {
			api_problem(c, 400, "names_invalid", keys[i], "%s is not a valid name",
			            keys[i]);
			goto out;
		}
	}
	names = json_object();
	if (v[1])
		json_object_set_new(names, "first_name", json_string(v[1]));
	if (v[2])
		json_object_set_new(names, "last_name", json_string(v[2]));
	if (v[0] && v[1] && v[2]) {
		char mid[200];
		if (middle_of(v[0], v[1], v[2], mid, sizeof mid)) {
			api_problem(
			    c, 400, "names_invalid", "fullNameEn",
			    "fullNameEn must be firstNameEn, any middle names, then familyNameEn");
			goto out;
		}
		json_object_set_new(names, "middle_name", mid[0] ? json_string(mid) : json_null());
	}
	if (approval_session(c, &s))
		goto out;
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_000, &fl, actor);
	if (kyc_flow_correct_names(&fl, kyc__compat_str(s.ver, "id"), names, &res, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	api_json(c, 200, json_true());
out:
	json_decref(res);
	json_decref(names);
	session_release(&s);
	json_decref(body);
}

COMPAT_HANDLER(s000_approve_back, KYC_COMPAT_000, API_WRITE, shape000)
{
	struct session s = {0};
	if (approval_session(c, &s))
		goto out;
	/* The customer confirms the back as read; the workflow has already
	 * decided on it, so this is recorded with the onboarding. */
	json_t *attrs = json_deep_copy(json_object_get(s.ver, "attributes"));
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_pack("{s:{}}", "metadata");
	}
	json_t *mine = json_object_get(attrs, "compat000");
	if (!json_is_object(mine)) {
		mine = json_pack("{s:b}", "national_id", 1);
		json_object_set_new(attrs, "compat000", mine);
	}
	char now[32];
	kyc_time_iso(kyc_now_ms(), now);
	json_object_set_new(mine, "back_approved_at", json_string(now));
	json_t *patch = json_pack("{s:o}", "attributes", attrs);
	int rc = kyc_store_update(c->store, KYC_R_VERIFICATION, c->tenant_id,
	                          kyc__compat_str(s.ver, "id"), patch, 0);
	json_decref(patch);
	if (rc) {
		api_store_error(c, rc, "onboarding");
		goto out;
	}
	api_json(c, 200, json_true());
out:
	session_release(&s);
}

void kyc__compat000_routes(kyc_server *s)
{
	kyc_server_route(s, "POST",
	                 "/api/v1/onboarding/Request/SelectNationalIdStep/{isNationalID}",
	                 s000_select);
	kyc_server_route(s, "POST", "/api/v1/onboarding/NationalId/UploadFrontImage",
	                 s000_upload_front);
	kyc_server_route(s, "POST", "/api/v1/onboarding/NationalId/UploadBackImage",
	                 s000_upload_back);
	kyc_server_route(s, "POST", "/api/v1/onboarding/NationalId/ApproveFrontImage",
	                 s000_approve_front);
	kyc_server_route(s, "POST", "/api/v1/onboarding/NationalId/ApproveBackImage",
	                 s000_approve_back);
}
