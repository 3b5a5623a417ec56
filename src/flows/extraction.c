#include "flows/extraction.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "document/card_dl_aamva.h"
#include "document/card_eg_nid.h"
#include "document/card_identify.h"
#include "document/card_kr_dl.h"
#include "document/doc_read.h"
#include "document/viz.h"
#include "document/mrz.h"
#include "document/presence.h"
#include "document/eg_nid.h"

/* A field of the extraction and the MRZ field and check digit it comes from
 * (check NULL: no check digit of its own; it is accepted when the whole MRZ
 * verified). date: six digits that must also make a real date, which with
 * their check digit the parser trusts however sure the OCR was (mrz.h,
 * KYC_MRZ_W_CHARACTERS_UNSURE); the extraction trusts exactly that. */
static const struct {
	const char *name, *mrz_field, *check;
	int date;
} field_map[] = {
	{"document_code", "document_code", NULL, 0},
	{"issuing_country", "issuing_country", NULL, 0},
	{"document_number", "document_number", "document_number", 0},
	{"surname", "surname", NULL, 0},
	{"given_names", "given_names", NULL, 0},
	{"nationality", "nationality", NULL, 0},
	{"birth_date", "birth_date", "birth_date", 1},
	{"sex", "sex", NULL, 0},
	{"expiry_date", "expiry_date", "expiry_date", 1},
	{"personal_number", "optional_data", "optional_data", 0},
};
#define NFIELDS (sizeof field_map / sizeof field_map[0])

/* Which fields a format carries. The personal number has its own check digit
 * only on TD3 passports; elsewhere the optional data is free-form and not
 * part of what every document must carry. */
static int carries(const char *format, const char *name)
{
	if (!strcmp(name, "personal_number"))
		return format && !strcmp(format, "TD3");
	return 1;
}

/* 1 when the MRZ verified but for characters_unsure: every check holds and
 * nothing is invalid, only some field was read unsure. Its sure fields stand
 * as they would in a valid MRZ; the unsure ones fall to their confidence. */
static int verified_but_unsure(const json_t *mrz)
{
	const json_t *checks = json_object_get(mrz, "checks"), *v;
	const char *k;
	size_t i;
	int unsure = 0;
	json_object_foreach((json_t *)checks, k, v)
	{
		if (!json_is_true(v))
			return 0;
	}
	json_array_foreach(json_object_get(mrz, "warnings"), i, v)
	{
		const char *w = json_string_value(v);
		if (!w)
			continue;
		if (!strcmp(w, "characters_unsure"))
			unsure = 1;
		else if (strstr(w, "_invalid"))
			return 0;
	}
	return unsure;
}

json_t *kyc_extraction_from_mrz(const json_t *mrz, const char *reason)
{
	json_t *out = json_object(), *fields = json_object(), *carried = json_array(),
	       *missing = json_array();
	const json_t *mf = mrz ? json_object_get(mrz, "fields") : NULL;
	const json_t *checks = mrz ? json_object_get(mrz, "checks") : NULL;
	const json_t *confs = mrz ? json_object_get(mrz, "confidence") : NULL;
	const char *format = mrz ? json_string_value(json_object_get(mrz, "format")) : NULL;
	int valid = mrz && json_is_true(json_object_get(mrz, "valid"));
	int holds = valid || (mrz && verified_but_unsure(mrz));

	for (size_t i = 0; i < NFIELDS; i++) {
		if (!carries(format, field_map[i].name))
			continue;
		const json_t *v = mf ? json_object_get(mf, field_map[i].mrz_field) : NULL;
		const char *s = json_string_value(v);
		int read = s && *s;
		/* An empty field of an MRZ whose check digits all hold is not a
		 * misread: this document has none (a single name, no personal
		 * number). It is neither carried nor missing. */
		if (!read && holds)
			continue;
		json_array_append_new(carried, json_string(field_map[i].name));
		int accepted;
		if (!read)
			accepted = 0;
		else if (field_map[i].check && json_is_boolean(json_object_get(checks, field_map[i].check)))
			accepted = json_is_true(json_object_get(checks, field_map[i].check));
		else
			accepted = holds;
		/* no check digit covers names and codes, and one can pass by
		 * chance: a field the OCR was unsure of is read but not accepted,
		 * but for a date its check digit holds for (an MRZ without
		 * confidences, typed text, counts as sure) */
		const json_t *cj = confs ? json_object_get(confs, field_map[i].mrz_field) : NULL;
		double conf = json_is_number(cj) ? json_number_value(cj) : 1;
		if (conf < KYC_MRZ_CONF_ACCEPT && !field_map[i].date)
			accepted = 0;
		json_t *fo = json_pack("{s:o, s:b, s:b, s:s}", "value", read ? json_string(s) : json_null(),
				       "read", read, "accepted", accepted, "source", "mrz");
		if (fo && cj)
			json_object_set_new(fo, "confidence", json_real(conf));
		json_object_set_new(fields, field_map[i].name, fo);
		if (!read)
			json_array_append_new(missing, json_string(field_map[i].name));
	}
	json_object_set_new(out, "mrz_found", json_boolean(mrz != NULL));
	json_object_set_new(out, "mrz_verified", json_boolean(valid));
	json_object_set_new(out, "format", format ? json_string(format) : json_null());
	json_object_set_new(out, "reason", mrz || !reason ? json_null() : json_string(reason));
	json_object_set_new(out, "fields", fields);
	json_object_set_new(out, "document_fields", carried);
	json_object_set_new(out, "missing_fields", missing);
	json_object_set(out, "mrz", mrz ? (json_t *)mrz : json_null());
	return out;
}

json_t *kyc_document_extract(const struct kyc_image *img, int64_t now_ms)
{
	struct kyc_doc_read rd;
	int64_t today = now_ms / 86400000;
	if (kyc_doc_read(img, today, &rd) != 0)
		return kyc_extraction_from_mrz(NULL, "nomem");
	json_t *x = kyc_extraction_from_mrz(rd.mrz, rd.reason);
	const struct kyc_reader_result *rr = &rd.reader;
	json_object_set_new(x, "reader",
			    json_pack("{s:i, s:f, s:f, s:i}", "orientation", rr->orientation,
				      "mean_confidence", (double)rr->mean_conf, "ms",
				      (double)(long)(rr->ms_total * 10 + 0.5) / 10, "candidates",
				      rr->candidates));
	/* The printed page against a verified MRZ (docs/reader.md, "The visual
	 * zone"): what an unverified MRZ says is not worth comparing. */
	if (json_is_true(json_object_get(rd.mrz, "valid"))) {
		json_t *viz = NULL;
		int rc = kyc_viz_read(img, rr, rd.mrz, &viz);
		/* the name in the issuer's script, a field of the document's
		 * like the MRZ's (source "viz") */
		const json_t *native = rc ? NULL : json_object_get(viz, "native_name");
		if (native)
			json_object_set(json_object_get(x, "fields"), "native_name", (json_t *)native);
		json_object_set_new(x, "viz",
				    rc ? json_pack("{s:s}", "error",
						   rc == KYC_ERR_UNSUPPORTED ? "ocr_model_missing"
									     : "viz_unread")
				       : viz);
	}
	kyc_doc_read_release(&rd);
	return x;
}

/* Makes the fields of a reading other than the MRZ (a card's face, a
 * licence's barcode) the document's, with flag ("card_found", ...) true:
 * no MRZ field is carried. */
static void adopt(json_t *x, const json_t *from, const char *flag)
{
	json_object_set_new(x, flag, json_true());
	json_object_set(x, "fields", json_object_get(from, "fields"));
	json_object_set(x, "document_fields", json_object_get(from, "document_fields"));
	json_object_set(x, "missing_fields", json_object_get(from, "missing_fields"));
	json_object_set_new(x, "reason", json_null());
}

/* A driving licence without an MRZ: its barcode (and its front's printed
 * fields) become the document's when the PDF417 is AAMVA data. */
static json_t *extract_licence(json_t *x, const struct kyc_image *img, int back)
{
	int err = 0;
	json_t *dl = kyc_dl_read(back ? NULL : img, back ? img : NULL, &err);
	if (!dl)
		return x;
	const char *why = json_string_value(json_object_get(dl, "reason"));
	if (json_is_true(json_object_get(dl, "barcode_found"))) {
		adopt(x, dl, "barcode_found");
	} else if (why && !strncmp(why, "barcode_", 8)) {
		/* a PDF417 seen and not decoded: the document's reason, so that
		 * the attempt asks for a closer photo (docs/dl.md) */
		json_object_set_new(x, "reason", json_string(why));
		json_object_set(x, "barcode_module_px", json_object_get(dl, "barcode_module_px"));
	}
	/* A front without a PDF417 may be a Korean licence: its number, when
	 * one of its form is read, is the field licence_number. */
	json_t *kr = !back && !json_is_true(json_object_get(dl, "barcode_found"))
			 ? kyc_krdl_read(img, &err)
			 : NULL;
	const json_t *num = json_object_get(json_object_get(kr, "fields"), "licence_number");
	if (kr && json_is_true(json_object_get(num, "accepted"))) {
		json_object_set(json_object_get(x, "fields"), "licence_number", (json_t *)num);
		json_object_set_new(x, "kr_licence", kr);
	} else {
		json_decref(kr);
	}
	json_object_set_new(x, "licence", dl);
	return x;
}

json_t *kyc_document_licence_again(const json_t *x, const struct kyc_image *img)
{
	/* the side the picture was read as: the one seen when it was told */
	const char *seen = json_string_value(json_object_get(x, "side_seen"));
	const json_t *lic = json_object_get(x, "licence");
	int back = seen ? !strcmp(seen, "back") : json_object_get(lic, "front") == json_null();
	json_t *y = json_deep_copy(x);
	if (!y)
		return NULL;
	json_object_del(y, "licence");
	json_object_del(y, "barcode_module_px");
	y = extract_licence(y, img, back);
	if (!json_is_true(json_object_get(y, "barcode_found"))) {
		json_decref(y);
		return NULL;
	}
	return y;
}

/* The QR codes' texts of a document (a licence's come with it): "qr", and
 * the first as the field "qr_code" (`source: "barcode"`). Never fetched. */
static json_t *with_qr(json_t *x, const json_t *qr)
{
	const char *first = json_string_value(json_array_get(qr, 0));
	if (!x || !first)
		return x;
	json_object_set(x, "qr", (json_t *)qr);
	json_t *fields = json_object_get(x, "fields");
	if (json_is_object(fields))
		json_object_set_new(fields, "qr_code",
				    json_pack("{s:s, s:b, s:b, s:s}", "value", first, "read", 1,
					      "accepted", 1, "source", "barcode"));
	return x;
}

/* A two-sided card's front without an MRZ waits for the back only when a
 * card is in the photo at all (document/presence.h): "document_found". On a
 * photo of no document the reader's MRZ reasons (none found, one cut off or
 * unreadable: marks it took for a band) become "no_document_found"; its
 * reasons about the photo itself (dark, blurry, small) stay. */
static json_t *with_presence(json_t *x, const struct kyc_image *img)
{
	static const char *const mrz_reasons[] = {"no_mrz_found", "mrz_cut_off", "mrz_unreadable"};
	const char *reason = json_string_value(json_object_get(x, "reason"));
	int about_mrz = 0;
	for (size_t i = 0; reason && i < sizeof mrz_reasons / sizeof mrz_reasons[0]; i++)
		about_mrz |= !strcmp(reason, mrz_reasons[i]);
	struct kyc_presence p;
	if (!about_mrz || kyc_presence_card(img, &p) != 0)
		return x;
	json_object_set_new(x, "document_found", json_boolean(p.found));
	if (!p.found)
		json_object_set_new(x, "reason", json_string("no_document_found"));
	return x;
}

/* What the picture shows (document/card_identify.h): "identified", with
 * the template, side, quarter turn and evidence. A KYC vendor reads what
 * the picture is: a declared side it contradicts is flagged
 * ("side_mismatch", "side_seen") and the side seen is read; a family the
 * declared type does not hold is flagged ("type_mismatch") and read as
 * declared. *back becomes the side seen. */
static void identify(json_t *x, const struct kyc_image *img, const char *type, const char *side,
		     int *back, struct kyc_card_identity *told)
{
	/* told already by the number alone (before the MRZ), or now */
	if (!told->tpl && (kyc_card_identify(img, told) || !told->tpl))
		return;
	struct kyc_card_identity id = *told;
	int seen_back = id.side == KYC_CARD_BACK;
	const char *fam = id.tpl->family;
	int licence = !strcmp(fam, "dl_aamva") || !strcmp(fam, "kr_dl");
	json_object_set_new(x, "identified",
			    json_pack("{s:s, s:s, s:i, s:s, s:f}", "template", fam, "side",
				      seen_back ? "back" : "front", "rotation", id.rotation,
				      "evidence", id.evidence, "score",
				      round(id.score * 100) / 100));
	if (side && (!strcmp(side, "back") || !strcmp(side, "front")) && seen_back != *back) {
		json_object_set_new(x, "side_mismatch", json_true());
		json_object_set_new(x, "side_seen", json_string(seen_back ? "back" : "front"));
	}
	if (licence != !strcmp(type, "drivers_license"))
		json_object_set_new(x, "type_mismatch", json_true());
	*back = seen_back;
}

/* Whether the Egyptian back read in card, its number not read as one of
 * its form (the digit reader misreads some blurred lines), is still this
 * family's card: two of its closed lists (gender, religion, marital status)
 * read as the registry's values and one of its dates read as a date that
 * exists, all accepted. Without it the back's other fields, read right,
 * were dropped with the number (docs/card.md, "A back whose number is
 * misread"). */
static int back_by_its_print(const json_t *card)
{
	static const char *const lists[] = {"gender", "religion", "marital_status"};
	static const char *const dates[] = {"issue_date", "expiry_date"};
	const json_t *f = json_object_get(card, "fields");
	int n = 0, d = 0;
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		n += json_is_true(json_object_get(json_object_get(f, lists[i]), "accepted"));
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
		d += json_is_true(json_object_get(json_object_get(f, dates[i]), "accepted"));
	return n >= 2 && d >= 1;
}

json_t *kyc_document_extract_typed(const struct kyc_image *img, int64_t now_ms, const char *type,
				   const char *side)
{
	return kyc_document_extract_card(img, now_ms, type, side, NULL);
}

json_t *kyc_document_extract_card(const struct kyc_image *img, int64_t now_ms, const char *type,
				  const char *side, const char *other_number)
{
	struct kyc_card_identity id = {0};
	/* An Egyptian ID carries no MRZ: a photo whose national number
	 * identification reads surely is not searched for one (a quarter of
	 * the upload's time, bench/card). */
	if (type && !strcmp(type, "id_card") &&
	    (kyc_card_identify_number(img, &id) || id.score < KYC_CARD_IDENTIFY_SURE))
		memset(&id, 0, sizeof id);
	json_t *x = id.tpl ? kyc_extraction_from_mrz(NULL, "no_mrz_found")
			   : kyc_document_extract(img, now_ms),
	       *qr = NULL;
	int back = side && !strcmp(side, "back"), err = 0;
	int mrz = x && json_is_true(json_object_get(x, "mrz_found"));
	if (x && !mrz && type && (!strcmp(type, "drivers_license") || !strcmp(type, "id_card")))
		identify(x, img, type, side, &back, &id);
	if (x && !mrz && type && !strcmp(type, "drivers_license")) {
		x = extract_licence(x, img, back);
		qr = json_incref(json_object_get(json_object_get(x, "licence"), "qr"));
	} else if (x && !mrz && type && !strcmp(type, "id_card")) {
		/* Where identification read the card's number, the card it found
		 * (upright) is read, not found and turned again. */
		const double(*at)[2] = id.tpl == &kyc_card_tpl_eg_nid ? (const double(*)[2])id.quad : NULL;
		json_t *card = kyc_egnid_read_known(back ? NULL : img, back ? NULL : at,
						    back ? img : NULL, back ? at : NULL, other_number,
						    &err);
		/* A card is this family's only when a number of its form was
		 * read, or, for a back, its closed lists and a date were: any
		 * other card without an MRZ stays unread. */
		if (card && (json_is_true(json_object_get(card, "number_valid")) ||
			     (back && back_by_its_print(card)))) {
			adopt(x, card, "card_found");
			json_object_set_new(x, "card", card);
		} else {
			json_decref(card);
		}
	}
	if (x && !mrz && !back && type &&
	    (!strcmp(type, "id_card") || !strcmp(type, "residence_permit")) &&
	    !json_is_true(json_object_get(x, "card_found"))) {
		x = with_presence(x, img);
		/* The front of a card whose MRZ is on its back (ICAO TD1): its
		 * printed lines, kept to be compared with the back's MRZ when the
		 * attempt is decided (the workflow's data_consistency,
		 * docs/reader.md). Not when the photo holds no card at all. */
		json_t *front = NULL;
		if (!json_is_false(json_object_get(x, "document_found")) &&
		    !kyc_viz_read_card(img, &front))
			json_object_set_new(x, "viz_front", front);
	}
	if (x && !qr)
		qr = kyc_qr_read(img);
	x = with_qr(x, qr);
	json_decref(qr);
	return x;
}

/* An accepted card-face value of extraction x, or "". */
static const char *card_value(const json_t *x, const char *name)
{
	const json_t *f = json_object_get(json_object_get(json_object_get(x, "card"), "fields"), name);
	const char *v = json_string_value(json_object_get(f, "value"));
	return v && json_is_true(json_object_get(f, "accepted")) ? v : "";
}

json_t *kyc_extraction_card_contradictions(const json_t *front, const json_t *back)
{
	struct kyc_egnid_card c = {0};
	snprintf(c.national_number, sizeof c.national_number, "%.14s",
		 card_value(front, "national_number"));
	snprintf(c.birth_date, sizeof c.birth_date, "%.10s", card_value(front, "birth_date"));
	snprintf(c.national_number_back, sizeof c.national_number_back, "%.14s",
		 card_value(back, "national_number_back"));
	snprintf(c.gender, sizeof c.gender, "%.31s", card_value(back, "gender"));
	snprintf(c.issue_date, sizeof c.issue_date, "%.10s", card_value(back, "issue_date"));
	snprintf(c.expiry_date, sizeof c.expiry_date, "%.10s", card_value(back, "expiry_date"));
	const char *codes[8];
	int n = kyc_egnid_cross_check(&c, codes, 8);
	json_t *out = json_array();
	for (int i = 0; i < n && i < 8; i++)
		json_array_append_new(out, json_string(codes[i]));
	return out;
}
