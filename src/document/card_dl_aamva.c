/* A driving licence read from its barcode and its face (card_dl_aamva.h). */
#include "document/card_dl_aamva.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/aamva.h"
#include "document/barcode.h"
#include "document/card.h"
#include "document/dl_scan.h"
#include "document/tess.h"

/* The front's confidence at which a reading of its form is accepted
 * (Tesseract's mean confidence, 0..100). */
#define FRONT_MIN_CONF 60

/* ---- the barcodes ---- */

/* A QR code's bytes as a JSON string: UTF-8 when they are, else ISO 8859-1. */
static json_t *qr_text(const struct kyc_barcode *b)
{
	json_t *s = json_stringn((const char *)b->data, b->len);
	if (s)
		return s;
	char out[2 * KYC_BARCODE_MAX_BYTES + 1];
	size_t n = 0;
	for (size_t i = 0; i < b->len && n + 2 < sizeof out; i++) {
		unsigned char c = b->data[i];
		if (c < 0x80) {
			out[n++] = (char)c;
		} else {
			out[n++] = (char)(0xc0 | (c >> 6));
			out[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return json_stringn(out, n);
}

/* ---- the front ---- */

static const struct {
	const char *name, *charset;
} front_sets[] = {
    {"document_number", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"},
    /* names unrestricted: with a whitelist the model drops the spaces
     * between words; what is not a name's character is dropped after */
    {"surname", NULL},
    {"given_names", NULL},
    {"birth_date", "0123456789/"},
    {"sex", "MFX"},
    {"issue_date", "0123456789/"},
    {"expiry_date", "0123456789/"},
};

static int date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* 8 digits as a date, year first or month first. 0 or -1. */
static int date_digits(const char *d, int year_first, char out[11])
{
	int y, m, dd;
	if (year_first)
		y = (int)strtol((char[5]){d[0], d[1], d[2], d[3], 0}, NULL, 10),
		m = (d[4] - '0') * 10 + d[5] - '0', dd = (d[6] - '0') * 10 + d[7] - '0';
	else
		m = (d[0] - '0') * 10 + d[1] - '0', dd = (d[2] - '0') * 10 + d[3] - '0',
		y = (int)strtol((char[5]){d[4], d[5], d[6], d[7], 0}, NULL, 10);
	if (!date_valid(y, m, dd))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, dd % 100);
	return 0;
}

/* A printed date (MM/DD/YYYY in the US, YYYY/MM/DD in Canada: country 1
 * for Canada, 0 for the US, -1 unknown) as YYYY-MM-DD. The first slash's
 * place says the order when it was read; else the country's; a card of
 * unknown country takes the other order when that one gives no date. */
static int printed_date(const char *text, int country, char out[11])
{
	char d[9];
	size_t n = 0;
	const char *slash = strchr(text, '/');
	for (const char *p = text; *p; p++)
		if (*p >= '0' && *p <= '9') {
			if (n == 8)
				return -1;
			d[n++] = *p;
		}
	if (n != 8)
		return -1;
	d[8] = 0;
	int year_first = slash && slash - text == 4   ? 1
	                 : slash && slash - text == 2 ? 0
	                                              : country == 1;
	if (!date_digits(d, year_first, out))
		return 0;
	return country < 0 && !slash ? date_digits(d, !year_first, out) : -1;
}

static const struct kyc_card_field *tpl_field(const struct kyc_card_template *T, const char *name)
{
	for (int i = 0; i < T->nfields; i++)
		if (!strcmp(T->fields[i].name, name))
			return &T->fields[i];
	return NULL;
}

/* Mean darkness of a template box (mm) of the rectified card. */
static double ink(const unsigned char *card, int w, int h, double u, const double b[4])
{
	double sum = 0;
	long n = 0;
	for (int y = (int)fmax(0, b[1] * u); y < (int)fmin(h, b[3] * u); y += 2)
		for (int x = (int)fmax(0, b[0] * u); x < (int)fmin(w, b[2] * u); x += 2, n++)
			sum += 255 - card[(size_t)y * (size_t)w + (size_t)x];
	return n ? sum / n : 0;
}

/* Reads the front's fields into a new object (NULL when out of memory). */
static json_t *read_front(const struct kyc_image *img, int country, int *err)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	double quad[4][2];
	json_t *o =
	    json_pack("{s:b, s:n, s:b, s:{}}", "found", 0, "reason", "upside_down", 0, "fields");
	if (!o)
		goto nomem;
	int rc = kyc_card_find(img, T->w_mm / T->h_mm, quad);
	if (rc == KYC_ERR_NOMEM)
		goto nomem;
	if (rc) {
		json_object_set_new(o, "reason", json_string("no_card_found"));
		return o;
	}
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card)
		goto nomem;
	kyc_card_warp(img, quad, w, h, card);
	/* The portrait is the darkest part of the front: where a half turn
	 * would put it carries more ink when the card lies upside down. */
	const double *p = T->portrait;
	double turned[4] = {T->w_mm - p[2], T->h_mm - p[3], T->w_mm - p[0], T->h_mm - p[1]};
	if (ink(card, w, h, u, turned) > ink(card, w, h, u, p) * 1.15) {
		double q[4][2];
		for (int i = 0; i < 4; i++)
			q[i][0] = quad[(i + 2) % 4][0], q[i][1] = quad[(i + 2) % 4][1];
		kyc_card_warp(img, q, w, h, card);
		json_object_set_new(o, "upside_down", json_true());
	}
	json_object_set_new(o, "found", json_true());
	json_object_set_new(o, "reason", json_null());
	json_t *fields = json_object_get(o, "fields");
	for (size_t i = 0; i < sizeof front_sets / sizeof front_sets[0]; i++) {
		const struct kyc_card_field *f = tpl_field(T, front_sets[i].name);
		double box[4];
		kyc_card_field_box(f, box);
		int x0 = (int)fmax(0, box[0] * u), y0 = (int)fmax(0, box[1] * u);
		int x1 = (int)fmin(w, box[2] * u), y1 = (int)fmin(h, box[3] * u);
		struct kyc_tess_line line;
		rc = kyc_tess_read_line(KYC_TESS_LATIN, card + (size_t)y0 * (size_t)w + (size_t)x0,
		                        x1 - x0, y1 - y0, w, front_sets[i].charset, &line);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED) {
			free(card);
			if (rc == KYC_ERR_NOMEM)
				goto nomem;
			json_object_set_new(o, "found", json_false());
			json_object_set_new(o, "reason", json_string("ocr_unavailable"));
			json_object_clear(fields);
			return o;
		}
		char value[256];
		int accepted = line.text[0] && line.conf >= FRONT_MIN_CONF;
		snprintf(value, sizeof value, "%s", line.text);
		if (strstr(f->name, "_date")) {
			char iso[11];
			if (!printed_date(line.text, country, iso))
				snprintf(value, sizeof value, "%s", iso);
			else
				accepted = 0;
		} else if (!front_sets[i].charset) {
			/* a name: capitals, '-', '\'' and single spaces */
			size_t k = 0;
			for (const char *q = line.text; *q && k + 1 < sizeof value; q++)
				if ((*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '\'' ||
				    (*q == ' ' && k && value[k - 1] != ' '))
					value[k++] = *q;
			while (k && value[k - 1] == ' ')
				k--;
			value[k] = 0;
			accepted = accepted && k == strlen(line.text);
		} else if (!strcmp(f->name, "document_number")) {
			/* a number has no spaces; Tesseract may split it */
			size_t k = 0;
			for (const char *s = line.text; *s; s++)
				if (*s != ' ')
					value[k++] = *s;
			value[k] = 0;
		}
		json_object_set_new(fields, f->name,
		                    json_pack("{s:s?, s:b, s:b, s:s, s:i}", "value",
		                              value[0] ? value : NULL, "read", value[0] != 0,
		                              "accepted", accepted, "source", "viz", "confidence",
		                              line.conf));
	}
	free(card);
	return o;
nomem:
	json_decref(o);
	*err = KYC_ERR_NOMEM;
	return NULL;
}

/* ---- the result ---- */

/* Letters and digits only, upper case: how names and numbers compare. In a
 * number (alnum), the letters a printed face cannot tell from digits are
 * taken for them (O 0, I 1, Z 2, S 5, B 8): the barcode says which it is,
 * and a front that reads "O6337425" for "06337425" contradicts nothing. */
static void squeeze(const char *s, int alnum, char *out, size_t cap)
{
	static const char from[] = "OIZSB", to[] = "01258";
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		const char *k = alnum && c ? strchr(from, c) : NULL;
		if (k)
			c = to[k - from];
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[n++] = c;
	}
	out[n] = 0;
}

static void cross_check(json_t *x, const json_t *bar, const json_t *face);

static const char *accepted_value(const json_t *fields, const char *name)
{
	const json_t *f = json_object_get(fields, name);
	return json_is_true(json_object_get(f, "accepted"))
	           ? json_string_value(json_object_get(f, "value"))
	           : NULL;
}

json_t *kyc_dl_cross_check(const json_t *bar, const json_t *face)
{
	json_t *x = json_object();
	if (x)
		cross_check(x, bar, face);
	return x;
}

static void cross_check(json_t *x, const json_t *bar, const json_t *face)
{
	static const char *const names[] = {
	    "document_number", "birth_date", "surname", "given_names",
	    "expiry_date",     "issue_date", "sex"};
	json_t *cc = json_object(), *contra = json_array();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *a = accepted_value(bar, names[i]), *b = accepted_value(face, names[i]);
		if (!json_object_get(bar, names[i]))
			continue;
		char sa[256], sb[256];
		const char *verdict = "not_read";
		if (a && b) {
			int number = !strcmp(names[i], "document_number");
			squeeze(a, number, sa, sizeof sa);
			squeeze(b, number, sb, sizeof sb);
			verdict = strcmp(sa, sb) ? "mismatch" : "match";
		}
		json_object_set_new(cc, names[i], json_string(verdict));
		if (!strcmp(verdict, "mismatch")) {
			char code[64];
			snprintf(code, sizeof code, "%s_mismatch", names[i]);
			json_array_append_new(contra, json_string(code));
		}
	}
	json_object_set_new(x, "cross_check", cc);
	json_object_set_new(x, "contradictions", contra);
}

/* document_fields: every field the document carries; missing_fields: those
 * of them not read. */
static void field_lists(json_t *x)
{
	json_t *carried = json_array(), *missing = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(x, "fields"), k, v)
	{
		json_array_append_new(carried, json_string(k));
		if (!json_is_true(json_object_get(v, "read")))
			json_array_append_new(missing, json_string(k));
	}
	json_object_set_new(x, "document_fields", carried);
	json_object_set_new(x, "missing_fields", missing);
}

json_t *kyc_dl_read(const struct kyc_image *front, const struct kyc_image *back, int *err)
{
	double t0 = kyc_mono_ms();
	struct kyc_dl_scan *s = calloc(1, sizeof *s);
	json_t *x = NULL, *face = NULL, *qr = json_array();
	*err = 0;
	if (!s || !qr)
		goto nomem;
	/* The back first: that is where the PDF417 is. */
	if ((back && kyc_dl_scan_side(back, s)) || (front && kyc_dl_scan_side(front, s)))
		goto nomem;
	for (int i = 0; i < s->nqr; i++)
		json_array_append_new(qr, qr_text(&s->qr[i]));
	/* the front's dates are read in the barcode's country's order */
	int country = !s->have_aamva ? -1 : !strcmp(kyc_aamva_country(&s->aamva), "CAN");
	if (front && !(face = read_front(front, country, err)))
		goto fail;
	json_t *bar = s->have_aamva ? kyc_aamva_fields(&s->aamva) : json_object();
	char reason[64] = "";
	/* the module as reported (to 0.01 px) is the one judged */
	s->module_px = round(s->module_px * 100) / 100;
	if (!s->have_aamva && s->why[0])
		snprintf(reason, sizeof reason, "aamva_%s", s->why);
	else if (!s->have_aamva)
		snprintf(reason, sizeof reason, "%s",
		         !s->module_px                         ? "no_barcode_found"
		         : s->module_px < KYC_DL_MIN_MODULE_PX ? "barcode_too_small"
		                                               : "barcode_unreadable");
	x = json_pack(
	    "{s:s, s:b, s:s?, s:o, s:O, s:O, s:O}", "document_type", "dl_aamva", "barcode_found",
	    s->have_aamva, "reason", reason[0] ? reason : NULL, "barcode_module_px",
	    s->module_px && !s->have_aamva && !s->why[0] ? json_real(s->module_px) : json_null(),
	    "fields", s->have_aamva || !face ? bar : json_object_get(face, "fields"), "qr", qr,
	    "front", face ? face : json_null());
	if (!x || !bar) {
		json_decref(bar);
		goto nomem;
	}
	cross_check(x, bar, face ? json_object_get(face, "fields") : NULL);
	json_decref(bar);
	field_lists(x);
	json_object_set_new(x, "ms", json_real(round((kyc_mono_ms() - t0) * 10) / 10));
	goto done;
nomem:
	*err = KYC_ERR_NOMEM;
fail:
	json_decref(x);
	x = NULL;
done:
	json_decref(face);
	json_decref(qr);
	free(s);
	return x;
}

json_t *kyc_qr_read(const struct kyc_image *img)
{
	json_t *qr = json_array();
	struct kyc_barcode *found = malloc(KYC_BARCODE_MAX * sizeof *found);
	int n = qr && found ? kyc_barcode_read(img->gray, img->w, img->h, img->w, KYC_BARCODE_QR,
	                                       found, KYC_BARCODE_MAX)
	                    : KYC_ERR_NOMEM;
	for (int i = 0; i < n; i++)
		json_array_append_new(qr, qr_text(&found[i]));
	free(found);
	if (n == KYC_ERR_NOMEM) {
		json_decref(qr);
		return NULL;
	}
	return qr;
}
