#include "document/viz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/name_fold.h"
#include "document/card.h"
#include "document/tess.h"
#include "document/viz_int.h"

/* Output pixels per MRZ character pitch (2.54 mm): printed field values,
 * about 0.9 pitch tall, come out some 18 px high, where Tesseract reads best. */
#define VIZ_PX_PER_PITCH 20.0

enum viz_field { F_SURNAME, F_GIVEN, F_BIRTH, F_EXPIRY, F_NUMBER, F_COUNT };
static const char *const field_name[F_COUNT] = {"surname", "given_names", "birth_date",
                                                "expiry_date", "document_number"};

/* Label phrases by field, as folded words (kyc_name_fold: upper case, no
 * diacritics, sorted): a line is a field's label when it holds every word of
 * one of its phrases. English, French, Spanish, German, Italian, Polish and
 * Dutch, the languages most data pages add to English. */
static const char *const labels[F_COUNT][12] = {
    [F_SURNAME] = {"SURNAME", "NOM", "APELLIDOS", "NACHNAME", "FAMILY NAME", "COGNOME", "NAZWISKO",
                   "ACHTERNAAM", "NAME FAMILIENNAME", NULL},
    [F_GIVEN] = {"GIVEN NAMES", "GIVEN NAME", "PRENOMS", "PRENOM", "NOMBRES", "VORNAMEN", "NOME",
                 "IMIONA", "VOORNAMEN", "FORENAMES", NULL},
    [F_BIRTH] = {"BIRTH DATE OF", "DATE BIRTH", "NAISSANCE", "NACIMIENTO", "GEBURTSTAG", "NASCITA",
                 "URODZENIA", "GEBOORTEDATUM", NULL},
    [F_EXPIRY] = {"DATE EXPIRY OF", "EXPIRY", "EXPIRATION", "CADUCIDAD", "BIS GULTIG", "SCADENZA",
                  "UNTIL", "WAZNOSCI", "GELDIG TOT", NULL},
    [F_NUMBER] = {"DOCUMENT NO", "NO PASSPORT", "DOCUMENT NUMBER", "NUMBER PASSPORT", "N PASSEPORT",
                  "NO VISA", "CARD NO", "NO PASAPORTE", "PASSNUMMER", "DOCUMENTO NO", "N DOCUMENTO",
                  NULL},
};

/* ---- the page ---- */

/* Where the data page lies around the MRZ band, in pitches: the margin left
 * and right of the lines and how far the page reaches above the band's top
 * (ICAO 9303 Parts 4 to 6: TD3 125 x 88 mm with its MRZ in the bottom
 * 23 mm, TD2 105 x 74 mm, TD1 85.6 x 54 mm), with a little to spare. */
static void page_frame(int line_len, double *margin, double *above)
{
	if (line_len == 44)
		*margin = 3.0, *above = 28.0;
	else if (line_len == 36)
		*margin = 3.0, *above = 22.0;
	else
		*margin = 2.5, *above = 15.0;
}

/* The share of the page's width, from the left, that the portrait takes on
 * passports, visas and most cards (ICAO 9303 Part 4 zone V): not read. */
#define VIZ_SKIP_LEFT 0.27

/* Bilinear sample of the gray plane; white outside the image. */
static unsigned char sample(const struct kyc_image *img, double x, double y)
{
	if (x < 0 || y < 0 || x > img->w - 1 || y > img->h - 1)
		return 255;
	int x0 = (int)x, y0 = (int)y;
	int x1 = x0 + 1 < img->w ? x0 + 1 : x0, y1 = y0 + 1 < img->h ? y0 + 1 : y0;
	double fx = x - x0, fy = y - y0;
	const unsigned char *g = img->gray;
	double top = g[(size_t)y0 * img->w + x0] * (1 - fx) + g[(size_t)y0 * img->w + x1] * fx;
	double bot = g[(size_t)y1 * img->w + x0] * (1 - fx) + g[(size_t)y1 * img->w + x1] * fx;
	return (unsigned char)(top * (1 - fy) + bot * fy + 0.5);
}

/* The page above the band, upright, at VIZ_PX_PER_PITCH times scale: a new
 * w x h buffer. */
static unsigned char *page_image(const struct kyc_image *img, const struct kyc_reader_result *rr,
                                 double scale, int *w, int *h)
{
	double ux = rr->quad[1][0] - rr->quad[0][0], uy = rr->quad[1][1] - rr->quad[0][1];
	double len = hypot(ux, uy);
	if (len < 1 || rr->pitch_px <= 0)
		return NULL;
	ux /= len, uy /= len;
	double vx = -uy, vy = ux; /* down the page, in image coordinates */
	double margin, above;
	page_frame(rr->line_len, &margin, &above);
	double ppp = VIZ_PX_PER_PITCH * scale, p = rr->pitch_px, step = p / ppp;
	double width = rr->line_len + 2 * margin, skip = VIZ_SKIP_LEFT * width;
	double ox = rr->quad[0][0] + (skip - margin) * p * ux - above * p * vx;
	double oy = rr->quad[0][1] + (skip - margin) * p * uy - above * p * vy;
	*w = (int)((width - skip) * ppp);
	*h = (int)(above * ppp);
	unsigned char *px = malloc((size_t)*w * (size_t)*h);
	if (!px)
		return NULL;
	for (int y = 0; y < *h; y++)
		for (int x = 0; x < *w; x++)
			px[(size_t)y * *w + x] = sample(img, ox + step * (x * ux + y * vx),
			                                oy + step * (x * uy + y * vy));
	return px;
}

int kyc_viz_page_png(const struct kyc_image *img, const struct kyc_reader_result *rr, kyc_buf *out)
{
	if (!img || !img->gray || !rr || rr->nlines == 0)
		return KYC_ERR_INVALID;
	int w, h;
	unsigned char *px = page_image(img, rr, 1.0, &w, &h);
	if (!px)
		return KYC_ERR_NOMEM;
	int rc = kyc_image_write_png(px, w, h, w, out);
	free(px);
	return rc;
}

/* ---- labels and values ---- */

/* 1 when every word of the folded phrase is a word of the folded line. */
static int has_words(const char *line, const char *phrase)
{
	for (const char *w = phrase; *w;) {
		const char *we = strchr(w, ' ');
		size_t wl = we ? (size_t)(we - w) : strlen(w);
		int found = 0;
		for (const char *q = line; *q && !found;) {
			const char *e = strchr(q, ' ');
			size_t ql = e ? (size_t)(e - q) : strlen(q);
			found = ql == wl && !memcmp(q, w, wl);
			q += ql;
			while (*q == ' ')
				q++;
		}
		if (!found)
			return 0;
		w += wl;
		while (*w == ' ')
			w++;
	}
	return 1;
}

/* The field whose label line i is, or -1. */
int kyc__viz_label_of(const char *folded)
{
	for (int f = 0; f < F_COUNT; f++)
		for (int k = 0; labels[f][k]; k++)
			if (has_words(folded, labels[f][k]))
				return f;
	return -1;
}

/* 1 when line i lies under label line l: starting within a few pitches of
 * its left edge, its top below the label's and within two label heights,
 * and not a label itself. */
static int is_under(const struct kyc_tess_page *pg, const int *is_label, int l, int i)
{
	const int *b = pg->box[l], *c = pg->box[i];
	int lh = b[3] - b[1] > 4 ? b[3] - b[1] : 4, dy = c[1] - b[1];
	return i != l && !is_label[i] && dy > lh / 2 && dy <= 3 * lh &&
	       abs(c[0] - b[0]) <= 3 * (int)VIZ_PX_PER_PITCH;
}

/* The nearest line under label line l, or -1 when none. */
static int value_under(const struct kyc_tess_page *pg, const int *is_label, int l)
{
	int best = -1;
	for (int i = 0; i < pg->n; i++)
		if (is_under(pg, is_label, l, i) && (best < 0 || pg->box[i][1] < pg->box[best][1]))
			best = i;
	return best;
}

/* What the MRZ says of field f, or NULL. */
static const char *mrz_value(const json_t *mrz, int f)
{
	const char *v =
	    json_string_value(json_object_get(json_object_get(mrz, "fields"), field_name[f]));
	return v && *v ? v : NULL;
}

/* 1 when text under field f's label may be held against the MRZ: a line
 * Tesseract is sure of (OCR noise is not a forgery) that is a whole value of
 * its kind (a date that parses; a name or number about as long as the
 * MRZ's, not a fragment the layout analysis cut off). */
static int contradicts(int f, const struct kyc_tess_line *L, const json_t *mrz, int ref_year)
{
	char iso[11], a[256], b[256];
	const char *want = mrz_value(mrz, f);
	if (L->conf < 80)
		return 0;
	switch (f) {
	case F_SURNAME:
	case F_GIVEN:
		kyc_name_fold(L->text, a, sizeof a);
		kyc_name_fold(want, b, sizeof b);
		return strlen(a) * 2 >= strlen(b) &&
		       kyc__viz_edit_distance(a, b) * 2 > (int)strlen(b);
	case F_NUMBER: {
		/* A visa prints its own number and the passport's, and its MRZ
		 * may carry either (the ICAO specimens carry the passport's, under
		 * a printed "Document No." that is the visa's): a differing number
		 * on a visa is no contradiction. */
		const char *code = json_string_value(
		    json_object_get(json_object_get(mrz, "fields"), "document_code"));
		if (code && code[0] == 'V')
			return 0;
		/* a number has digits: a name under a misread label is not one */
		int digits = 0;
		for (const char *q = L->text; *q; q++)
			digits += *q >= '0' && *q <= '9';
		kyc__viz_number_key(L->text, a, sizeof a);
		kyc__viz_number_key(want, b, sizeof b);
		return digits >= 2 && strlen(a) + 1 >= strlen(b) && strlen(a) <= strlen(b) + 1 &&
		       kyc__viz_edit_distance(a, b) > 1;
	}
	default: {
		int whole = 0;
		return kyc__viz_parse_date(L->text, ref_year, iso, &whole) && whole;
	}
	}
}

/* 1 when text is the MRZ's whole name, in either order: pages that print
 * one "Name" or "Surname, given names" line (the ICAO specimens do) hold
 * both name fields there. */
static int full_name_agrees(const char *text, const json_t *mrz)
{
	const char *sur = mrz_value(mrz, F_SURNAME), *giv = mrz_value(mrz, F_GIVEN);
	char full[512];
	if (!sur || !giv)
		return 0;
	snprintf(full, sizeof full, "%s %s", sur, giv);
	if (kyc__viz_names_agree(text, full))
		return 1;
	snprintf(full, sizeof full, "%s %s", giv, sur);
	return kyc__viz_names_agree(text, full);
}

/* 1 when text agrees with the MRZ's value of field f. */
static int agrees(int f, const char *text, const json_t *mrz, int ref_year)
{
	char iso[11];
	const char *want = mrz_value(mrz, f);
	switch (f) {
	case F_SURNAME:
	case F_GIVEN:
		return kyc__viz_names_agree(text, want) || full_name_agrees(text, mrz);
	case F_NUMBER:
		return kyc__viz_numbers_agree(text, want);
	default:
		return kyc_viz_parse_date(text, ref_year, iso) && !strcmp(iso, want);
	}
}

/* Compares the page's lines pg with mrz: kyc_viz_read's object, its "ms"
 * counted from t0. Frees nothing. */
static int compare_page(const struct kyc_tess_page *pg, const json_t *mrz, double t0, json_t **out)
{
	*out = NULL;
	/* the reference year for two-digit years: the MRZ's expiry, else today */
	int ref_year = 0;
	const char *exp = mrz_value(mrz, F_EXPIRY);
	if (exp && strlen(exp) >= 4)
		ref_year = (int)strtol(exp, NULL, 10); /* "YYYY-MM-DD" from the MRZ object */
	if (ref_year < 1900) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		ref_year = tm.tm_year + 1900;
	}
	char folded[KYC_TESS_PAGE_LINES][256];
	int is_label[KYC_TESS_PAGE_LINES], label_field[KYC_TESS_PAGE_LINES];
	for (int i = 0; i < pg->n; i++) {
		kyc_name_fold(pg->line[i].text, folded[i], sizeof folded[i]);
		label_field[i] = kyc__viz_label_of(folded[i]);
		is_label[i] = label_field[i] >= 0;
	}
	json_t *fields = json_object(), *mism = json_array();
	int matched = 0;
	for (int f = 0; f < F_COUNT && fields && mism; f++) {
		const char *want = mrz_value(mrz, f);
		if (!want)
			continue;
		const char *text = NULL, *by = NULL;
		int match = 0;
		/* under its label first: agreeing under any of its labels (a page
		 * may print two numbers, the passport's and the visa's, and a
		 * label's second language may come between it and its value),
		 * else contradicting for sure */
		for (int i = 0; i < pg->n && !text; i++)
			for (int v = 0; label_field[i] == f && v < pg->n && !text; v++)
				if (is_under(pg, is_label, i, v) &&
				    agrees(f, pg->line[v].text, mrz, ref_year))
					text = pg->line[v].text, by = "label", match = 1;
		/* a contradiction only from the value line itself, the nearest */
		for (int i = 0; i < pg->n && !text; i++) {
			int v = label_field[i] == f ? value_under(pg, is_label, i) : -1;
			if (v >= 0 && contradicts(f, &pg->line[v], mrz, ref_year))
				text = pg->line[v].text, by = "label", match = 0;
		}
		/* else anywhere on the page: found or not, never a contradiction */
		for (int i = 0; i < pg->n && !text; i++)
			if (!is_label[i] && agrees(f, pg->line[i].text, mrz, ref_year))
				text = pg->line[i].text, by = "search", match = 1;
		if (!text)
			continue;
		json_object_set_new(
		    fields, field_name[f],
		    json_pack("{s:s, s:b, s:s}", "text", text, "match", match, "by", by));
		if (match)
			matched++;
		else
			json_array_append_new(mism, json_string(field_name[f]));
	}
	int lines = pg->n;
	if (!fields || !mism) {
		json_decref(fields);
		json_decref(mism);
		return KYC_ERR_NOMEM;
	}
	/* below this many lines of text the page was not really read */
	enum { VIZ_MIN_LINES = 6 };
	/* One field read as contradicting, beside others that agree, is most
	 * often OCR noise (a misread letter under a clear-looking line, 1 to 2
	 * genuine pages in 100): it is reported, not held against the page. Two
	 * fields, or one with nothing agreeing, are. */
	size_t nm = json_array_size(mism);
	const char *verdict = nm >= 2 || (nm == 1 && matched == 0)     ? "contradicts"
	                      : matched == 0 && lines >= VIZ_MIN_LINES ? "unmatched"
	                      : matched                                ? "agrees"
	                                                               : "unread";
	*out =
	    json_pack("{s:s, s:o, s:i, s:o, s:i, s:f}", "verdict", verdict, "fields", fields,
	              "matched", matched, "mismatched", mism, "lines", lines, "ms", kyc_mono_ms() - t0);
	return *out ? 0 : KYC_ERR_NOMEM;
}

/* The page's text lines, as Tesseract's layout analysis finds them, into a
 * new *pg (the caller frees it); px is at scale times VIZ_PX_PER_PITCH, the
 * boxes come back at VIZ_PX_PER_PITCH, where the layout rules are set. */
static int read_lines(const unsigned char *px, int w, int h, double scale,
                      struct kyc_tess_page **pg)
{
	*pg = malloc(sizeof **pg);
	if (!*pg)
		return KYC_ERR_NOMEM;
	int rc = kyc_tess_read_page(KYC_TESS_LATIN, px, w, h, w, *pg);
	if (rc) {
		free(*pg);
		*pg = NULL;
		return rc;
	}
	for (int i = 0; i < (*pg)->n && scale != 1.0; i++)
		for (int k = 0; k < 4; k++)
			(*pg)->box[i][k] = (int)lround((*pg)->box[i][k] / scale);
	return 0;
}

/* Tesseract's layout analysis of a page is brittle: a value of bold print
 * over a guilloche may come out cut into pieces or merged with its label,
 * and which depends on the page's exact pixels (about 1 genuine card in 250
 * at levels 0-1 had no field agree, which sent an honest applicant to
 * review). The same page drawn half as large again is laid out otherwise;
 * it is read when the first reading agrees on fewer than two fields, and
 * the reading with more agreeing fields is kept. Forged pages (another
 * holder's MRZ) pay for the second reading and are caught as before:
 * agreement needs the MRZ's own values. */
#define VIZ_SECOND_SCALE 1.5
#define VIZ_SECOND_BELOW 2

static json_int_t matched_of(const json_t *res)
{
	return json_integer_value(json_object_get(res, "matched"));
}

int kyc_viz_read(const struct kyc_image *img, const struct kyc_reader_result *rr, const json_t *mrz,
                 json_t **out)
{
	*out = NULL;
	if (!img || !img->gray || !rr || rr->nlines == 0 || !mrz)
		return KYC_ERR_INVALID;
	double t0 = kyc_mono_ms();
	int w, h;
	unsigned char *px = page_image(img, rr, 1.0, &w, &h);
	if (!px)
		return KYC_ERR_NOMEM;
	struct kyc_tess_page *pg;
	int rc = read_lines(px, w, h, 1.0, &pg);
	if (rc) {
		free(px);
		return rc;
	}
	json_t *native = kyc__viz_native_name(mrz, px, w, h, pg);
	free(px);
	rc = compare_page(pg, mrz, t0, out);
	free(pg);
	pg = NULL;
	if (!rc && matched_of(*out) < VIZ_SECOND_BELOW) {
		json_t *again = NULL;
		px = page_image(img, rr, VIZ_SECOND_SCALE, &w, &h);
		rc = px ? read_lines(px, w, h, VIZ_SECOND_SCALE, &pg) : KYC_ERR_NOMEM;
		if (!rc)
			rc = compare_page(pg, mrz, t0, &again);
		free(px);
		free(pg);
		if (!rc && matched_of(again) > matched_of(*out)) {
			json_decref(*out);
			*out = again;
			again = NULL;
		}
		json_decref(again);
		if (!rc) {
			json_object_set_new(*out, "readings", json_integer(2));
			json_object_set_new(*out, "ms", json_real(kyc_mono_ms() - t0));
		}
	}
	if (!rc && native)
		json_object_set_new(*out, "native_name", native);
	else
		json_decref(native);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the front of a card whose MRZ is on its back ---- */

/* The card's size (ISO/IEC 7810 ID-1, ICAO TD1), mm. */
#define VIZ_CARD_W_MM 85.6
#define VIZ_CARD_H_MM 54.0

/* The number of lines of pg that are some field's label. */
static int count_labels(const struct kyc_tess_page *pg)
{
	int n = 0;
	for (int i = 0; i < pg->n; i++) {
		char folded[256];
		kyc_name_fold(pg->line[i].text, folded, sizeof folded);
		n += kyc__viz_label_of(folded) >= 0;
	}
	return n;
}

/* The card of quad (TL, TR, BR, BL as it is to be read) warped at the
 * visual zone's scale, the portrait's side left out, and its lines. */
static int read_card_side(const struct kyc_image *img, const double quad[4][2], double scale,
                          struct kyc_tess_page **pg)
{
	double ppmm = VIZ_PX_PER_PITCH * scale / 2.54;
	int cw = (int)(VIZ_CARD_W_MM * ppmm + 0.5), h = (int)(VIZ_CARD_H_MM * ppmm + 0.5);
	int skip = (int)(VIZ_SKIP_LEFT * cw), w = cw - skip;
	unsigned char *card = malloc((size_t)cw * (size_t)h), *px = malloc((size_t)w * (size_t)h);
	int rc = KYC_ERR_NOMEM;
	*pg = NULL;
	if (!card || !px)
		goto out;
	kyc_card_warp(img, quad, cw, h, card);
	for (int y = 0; y < h; y++)
		memcpy(px + (size_t)y * w, card + (size_t)y * cw + skip, (size_t)w);
	rc = read_lines(px, w, h, scale, pg);
out:
	free(card);
	free(px);
	return rc;
}

/* The number of lines of pg that hold a whole date (the birth date and the
 * expiry of a card's front): fewer than two, and the layout analysis most
 * likely cut the values, so the side is read a second time. */
static int count_dates(const struct kyc_tess_page *pg)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int n = 0;
	for (int i = 0; i < pg->n; i++) {
		char iso[11];
		int whole = 0;
		n += kyc__viz_parse_date(pg->line[i].text, tm.tm_year + 1900, iso, &whole) && whole;
	}
	return n;
}

static json_t *lines_json(const struct kyc_tess_page *pg)
{
	json_t *a = json_array();
	for (int i = 0; i < pg->n && a; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:i, s:[i,i,i,i]}", "text",
		                                       pg->line[i].text, "conf", pg->line[i].conf,
		                                       "box", pg->box[i][0], pg->box[i][1],
		                                       pg->box[i][2], pg->box[i][3]))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

int kyc_viz_read_card(const struct kyc_image *img, json_t **out)
{
	*out = NULL;
	if (!img || !img->gray)
		return KYC_ERR_INVALID;
	double t0 = kyc_mono_ms(), quad[4][2];
	int rc = kyc_card_find(img, VIZ_CARD_W_MM / VIZ_CARD_H_MM, quad);
	if (rc == KYC_ERR_NOTFOUND) {
		*out = json_pack("{s:b, s:[], s:f}", "found", 0, "lines", "ms", kyc_mono_ms() - t0);
		return *out ? 0 : KYC_ERR_NOMEM;
	}
	if (rc)
		return rc;
	/* Which way up: the way more labels read ("Surname", "Date of birth"
	 * ...); the half turn is read only when the first way shows few. */
	struct kyc_tess_page *pg = NULL, *turned = NULL;
	rc = read_card_side(img, quad, 1.0, &pg);
	int upside_down = 0;
	if (!rc && count_labels(pg) < 2) {
		double q[4][2];
		for (int k = 0; k < 4; k++)
			q[k][0] = quad[(k + 2) % 4][0], q[k][1] = quad[(k + 2) % 4][1];
		rc = read_card_side(img, q, 1.0, &turned);
		if (!rc && count_labels(turned) > count_labels(pg)) {
			struct kyc_tess_page *t = pg;
			pg = turned, turned = t, upside_down = 1;
		}
	}
	/* the second reading (see VIZ_SECOND_SCALE), kept beside the first:
	 * which agrees more is known only when the back's MRZ comes */
	struct kyc_tess_page *again = NULL;
	if (!rc && count_dates(pg) < 2) {
		double q[4][2];
		for (int k = 0; k < 4; k++)
			q[k][0] = quad[(k + 2 * upside_down) % 4][0],
			q[k][1] = quad[(k + 2 * upside_down) % 4][1];
		rc = read_card_side(img, q, VIZ_SECOND_SCALE, &again);
	}
	json_t *lines = rc ? NULL : lines_json(pg);
	json_t *lines2 = rc || !again ? NULL : lines_json(again);
	free(pg);
	free(turned);
	free(again);
	if (rc)
		return rc;
	*out = json_pack("{s:b, s:b, s:o, s:f}", "found", 1, "upside_down", upside_down, "lines",
	                 lines, "ms", kyc_mono_ms() - t0);
	if (*out && lines2)
		json_object_set_new(*out, "lines_2", lines2);
	else
		json_decref(lines2);
	return *out ? 0 : KYC_ERR_NOMEM;
}

/* The stored lines of one reading compared with mrz. */
static int compare_lines(const json_t *lines, const json_t *mrz, json_t **out)
{
	struct kyc_tess_page *pg = calloc(1, sizeof *pg);
	if (!pg)
		return KYC_ERR_NOMEM;
	size_t i;
	const json_t *l;
	json_array_foreach(lines, i, l)
	{
		const char *text = json_string_value(json_object_get(l, "text"));
		const json_t *box = json_object_get(l, "box");
		if (pg->n >= KYC_TESS_PAGE_LINES || !text || json_array_size(box) != 4)
			continue;
		snprintf(pg->line[pg->n].text, sizeof pg->line[pg->n].text, "%s", text);
		pg->line[pg->n].conf = (int)json_integer_value(json_object_get(l, "conf"));
		for (int k = 0; k < 4; k++)
			pg->box[pg->n][k] = (int)json_integer_value(json_array_get(box, (size_t)k));
		pg->n++;
	}
	int rc = compare_page(pg, mrz, kyc_mono_ms(), out);
	free(pg);
	return rc;
}

int kyc_viz_compare(const json_t *card, const json_t *mrz, json_t **out)
{
	*out = NULL;
	const json_t *lines = json_object_get(card, "lines");
	const json_t *lines2 = json_object_get(card, "lines_2");
	if (!json_is_array(lines) || !mrz)
		return KYC_ERR_INVALID;
	int rc = compare_lines(lines, mrz, out);
	if (rc || !json_is_array(lines2) || matched_of(*out) >= VIZ_SECOND_BELOW)
		return rc;
	json_t *again = NULL;
	rc = compare_lines(lines2, mrz, &again);
	if (!rc && matched_of(again) > matched_of(*out)) {
		json_decref(*out);
		*out = again;
		again = NULL;
	}
	json_decref(again);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
