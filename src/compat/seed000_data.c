/* Seed 000's customerData (docs/compat/000.md): every field the vendor's
 * answer carries, from the document's MRZ or, for an Egyptian national ID,
 * from the card's face; null where kycd cannot read it. Kept apart from the
 * routes in seed000.c: this is rendering only, no request and no store. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compat/compat.h"
#include "document/eg_nid.h"

static json_t *date_time(const json_t *fld)
{
	const char *v = json_is_true(json_object_get(fld, "read"))
	                    ? json_string_value(json_object_get(fld, "value"))
	                    : NULL;
	if (!v || strlen(v) != 10)
		return json_null();
	char buf[40];
	snprintf(buf, sizeof buf, "%sT00:00:00.000Z", v);
	return json_string(buf);
}

static json_t *scan_path(const json_t *doc)
{
	const char *fid = kyc__compat_str(doc, "file_id");
	char p[64];
	if (!fid)
		return json_null();
	snprintf(p, sizeof p, "/v1/files/%s", fid);
	return json_string(p);
}

/* The customerData fields an Egyptian national ID prints (no MRZ: read
 * from its face, docs/card.md), front and back, over the nulls in o. */
static void card_data(json_t *o, const json_t *front, const json_t *back)
{
	static const struct {
		const char *key, *field;
		int back;
	} map[] = {
	    {"fullName", "full_name", 0},         {"fullNameEn", "full_name_en", 0},
	    {"firstName", "first_name", 0},       {"firstNameEn", "first_name_en", 0},
	    {"familyName", "rest_name", 0},       {"familyNameEn", "family_name_en", 0},
	    {"address", "address", 0},           {"state", "state", 0},
	    {"idNumber", "national_number", 0},   {"idNumberBack", "national_number_back", 1},
	    {"documentNumber", "document_number", 0}, {"profession", "profession", 1},
	    {"maritalStatus", "marital_status", 1}, {"religion", "religion", 1},
	    {"nationality", "nationality", 0},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		json_t *v = kyc__compat_field(map[i].back ? back : front, map[i].field);
		if (json_is_string(v))
			json_object_set(o, map[i].key, v);
		json_decref(v);
	}
	const json_t *ff = json_object_get(front, "fields"), *bf = json_object_get(back, "fields");
	/* The birth date the number encodes, else the printed one. */
	json_t *bd = date_time(json_object_get(ff, "birth_date_number"));
	if (json_is_null(bd)) {
		json_decref(bd);
		bd = date_time(json_object_get(ff, "birth_date"));
	}
	if (!json_is_null(bd))
		json_object_set(o, "birthdate", bd);
	json_decref(bd);
	json_t *iss = date_time(json_object_get(bf, "issue_date")),
	       *exp = date_time(json_object_get(bf, "expiry_date"));
	if (!json_is_null(iss))
		json_object_set(o, "issueDate", iss);
	if (!json_is_null(exp))
		json_object_set(o, "expirationDate", exp);
	json_decref(iss);
	json_decref(exp);
	json_t *g = kyc__compat_gender(front);
	if (json_is_null(g) && back) {
		const char *w = json_string_value(json_object_get(json_object_get(bf, "gender"), "value"));
		char sex = w ? kyc_egnid_gender_sex(w) : 0;
		json_decref(g);
		g = sex ? json_string(sex == 'M' ? "Male" : "Female") : json_null();
	}
	if (!json_is_null(g))
		json_object_set(o, "gender", g);
	json_decref(g);
	if (front || back)
		json_object_set_new(o, "documentTypeCode", json_string("eg_nid"));
}

/* customerData: every field of the document, read from the card where the
 * card carries it (its MRZ), null where kycd cannot read it. */
json_t *kyc__compat000_customer_data(const json_t *applicant, const json_t *front,
                                     const json_t *back)
{
	const json_t *fx = json_object_get(front, "extraction");
	const json_t *bx = json_object_get(back, "extraction");
	const json_t *x = json_is_true(json_object_get(bx, "mrz_found"))   ? bx
	                  : json_is_true(json_object_get(fx, "mrz_found")) ? fx
	                                                                   : NULL;
	json_t *given = kyc__compat_field(x, "given_names"), *sur = kyc__compat_field(x, "surname");
	json_t *full = json_null();
	if (json_is_string(given) && json_is_string(sur)) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s %s", json_string_value(given),
		         json_string_value(sur));
		full = json_string(buf);
	}
	json_t *gender = kyc__compat_gender(x);
	const json_t *doc = front ? front : back;
	const json_t *fields = json_object_get(x, "fields");
	json_t *o = json_object();
	json_object_set(o, "customerId", json_object_get(applicant, "external_ref"));
	json_object_set_new(o, "idFrontScan", scan_path(front));
	json_object_set_new(o, "idBackScan", scan_path(back));
	/* the face engine's reading of the front (docs/face.md#workflow-checks):
	 * the aligned portrait it cut, and the age and gender it estimated */
	const json_t *face = json_object_get(json_object_get(front, "attributes"), "face");
	const char *portrait = kyc__compat_str(face, "portrait_file_id");
	char photo[64];
	snprintf(photo, sizeof photo, "/v1/files/%s", portrait ? portrait : "");
	json_object_set_new(o, "photo", portrait ? json_string(photo) : json_null());
	/* the name in the issuer's script, where the page prints one: the
	 * first word and the rest, as the card's are */
	json_t *native = kyc__compat_field(x, "native_name");
	const char *nv = json_string_value(native), *sp = nv ? strchr(nv, ' ') : NULL;
	json_object_set_new(o, "fullName", native);
	json_object_set_new(o, "fullNameEn", full);
	json_object_set_new(o, "firstName",
	                    sp ? json_stringn(nv, (size_t)(sp - nv)) : json_incref(native));
	json_object_set_new(o, "firstNameEn", given);
	json_object_set_new(o, "familyName", sp ? json_string(sp + 1) : json_null());
	json_object_set_new(o, "familyNameEn", sur);
	json_object_set_new(o, "address", json_null());
	json_object_set_new(o, "state", json_null());
	json_object_set_new(o, "birthdate", date_time(json_object_get(fields, "birth_date")));
	json_object_set_new(o, "idNumber", kyc__compat_field(fx, "personal_number"));
	json_object_set_new(o, "idNumberBack", kyc__compat_field(bx, "personal_number"));
	json_object_set_new(o, "documentNumber", kyc__compat_field(x, "document_number"));
	/* what the card is, as read (a passport sent for an ID card is a
	 * passport), else the type the onboarding asked for */
	const char *code =
	    json_string_value(json_object_get(json_object_get(fields, "document_code"), "value"));
	const char *read_type = !code || !*code          ? NULL
	                        : code[0] == 'P'         ? "passport"
	                        : code[0] == 'V'         ? "visa"
	                        : strchr("IAC", code[0]) ? "id_card"
	                                                 : NULL;
	if (read_type &&
	    json_is_true(json_object_get(json_object_get(fields, "document_code"), "read")))
		json_object_set_new(o, "documentTypeId", json_string(read_type));
	else
		json_object_set(o, "documentTypeId",
		                doc ? json_object_get(doc, "type") : json_null());
	json_object_set_new(o, "documentTypeCode", kyc__compat_field(x, "document_code"));
	json_object_set_new(o, "issueDate", json_null()); /* not in an MRZ */
	json_object_set_new(o, "profession", json_null());
	json_object_set_new(o, "maritalStatus", json_null());
	json_object_set_new(o, "religion", json_null());
	json_object_set_new(o, "gender", gender);
	json_object_set_new(o, "nationality", kyc__compat_field(x, "nationality"));
	const char *dg = kyc__compat_str(face, "gender");
	json_object_set_new(o, "detectedAge",
	                    json_is_number(json_object_get(face, "age"))
	                        ? json_integer((json_int_t)lround(
	                              json_number_value(json_object_get(face, "age"))))
	                        : json_null());
	json_object_set_new(o, "detectedGender", !dg                    ? json_null()
	                                         : !strcmp(dg, "male") ? json_string("Male")
	                                                               : json_string("Female"));
	json_object_set_new(o, "expirationDate", date_time(json_object_get(fields, "expiry_date")));
	/* each side as its picture shows it (a side sent as the other) */
	int fm = json_is_true(json_object_get(fx, "side_mismatch")),
	    bm = json_is_true(json_object_get(bx, "side_mismatch"));
	const json_t *cf = !fm ? fx : bm ? bx : NULL, *cb = !bm ? bx : fm ? fx : NULL;
	if (!x)
		card_data(o, json_object_get(cf, "card"), json_object_get(cb, "card"));
	return o;
}
