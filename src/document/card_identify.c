/* Which card, which side, which way up (card_identify.h). */
#include "document/card_identify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/aamva.h"
#include "document/barcode.h"
#include "document/card.h"
#include "document/card_kr_dl.h"
#include "document/eg_nid.h"

/* The Egyptian number's evidence: the least sure digit of the likeliest
 * valid number, as the reader accepts a side's number (card_eg_nid.c). */
#define EG_ACCEPT 0.4
/* Tesseract's confidence at which a printed value is trusted (card.c). */
#define TEXT_CONF 60
/* The card finder's candidates tried. */
#define MAX_QUADS 2
/* Resolution the PDF417 is looked for on a rectified card (card_dl_aamva.c). */
#define SCAN_PX_PER_MM 12.0

int kyc_card_rotation(const double tl[2], const double tr[2])
{
	/* image y runs down, so a positive angle is a clockwise turn */
	double a = atan2(tr[1] - tl[1], tr[0] - tl[0]) * 180 / M_PI;
	int q = (int)lround(a / 90) % 4;
	return (q + 4) % 4 * 90;
}

static void half_turn(const double quad[4][2], double q[4][2])
{
	for (int i = 0; i < 4; i++)
		q[i][0] = quad[(i + 2) % 4][0], q[i][1] = quad[(i + 2) % 4][1];
}

static void set(struct kyc_card_identity *out, const struct kyc_card_template *T,
		enum kyc_card_side side, const double quad[4][2], double score, const char *evidence)
{
	out->tpl = T, out->side = side, out->score = score, out->evidence = evidence;
	memcpy(out->quad, quad, sizeof out->quad);
	out->rotation = kyc_card_rotation(quad[0], quad[1]);
}

double kyc_card_number_sureness(const struct kyc_edigits_reading *r)
{
	if (r->n != 14)
		return 0;
	char num[15];
	kyc_egnid_number_likeliest(r->prob, num);
	double p = r->conf / 100.0;
	for (int k = 0; k < 14; k++)
		p = fmin(p, r->prob[k][num[k] - '0']);
	return p;
}

/* The Egyptian ID: each number field of either side read on each candidate
 * card, both ways up; the surest wins. On the wrong side or upside down the
 * field's box holds other print, which the digit reader does not take for
 * fourteen digits. */
static int by_number(const struct kyc_image *img, double quads[][4][2], int n,
		     struct kyc_card_identity *out)
{
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	const double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	size_t npx = (size_t)w * (size_t)h;
	unsigned char *card = malloc(npx), *flip = malloc(npx);
	struct kyc_edigits_reading *r = malloc(sizeof *r);
	int rc = 0;
	if (!card || !flip || !r) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < n && out->score < KYC_CARD_IDENTIFY_SURE; i++) {
		/* Only the number fields' boxes are read, either way up: those
		 * alone are warped (a fifth of the card), and a half turn of the
		 * quad is the raster read backwards. */
		for (int f = 0; f < T->nfields; f++) {
			if (T->fields[f].script != KYC_CARD_EDIGITS)
				continue;
			double box[4];
			kyc_card_field_box(&T->fields[f], box);
			/* as the reader crops it (card.c), a pixel wider */
			int x0 = (int)fmax(0, box[0] * u) - 1, y0 = (int)fmax(0, box[1] * u) - 1;
			int x1 = (int)fmin(w, box[2] * u) + 1, y1 = (int)fmin(h, box[3] * u) + 1;
			x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
			x1 = x1 > w ? w : x1, y1 = y1 > h ? h : y1;
			kyc_card_warp_box(img, quads[i], w, h, x0, y0, x1, y1, card);
			kyc_card_warp_box(img, quads[i], w, h, w - x1, h - y1, w - x0, h - y0, card);
			for (int y = y0; y < y1; y++)
				for (int x = x0; x < x1; x++)
					flip[(size_t)y * (size_t)w + (size_t)x] =
					    card[npx - 1 - ((size_t)y * (size_t)w + (size_t)x)];
		}
		for (int turn = 0; turn < 2; turn++)
			for (int f = 0; f < T->nfields; f++) {
				const struct kyc_card_field *F = &T->fields[f];
				if (F->script != KYC_CARD_EDIGITS)
					continue;
				rc = kyc_card_read_digits(turn ? flip : card, w, h, u, F, r);
				if (rc == KYC_ERR_NOMEM)
					goto out;
				rc = 0;
				double p = kyc_card_number_sureness(r);
				if (p < EG_ACCEPT || p <= out->score)
					continue;
				double q[4][2];
				if (turn)
					half_turn(quads[i], q);
				else
					memcpy(q, quads[i], sizeof q);
				set(out, T, F->side, q, p, "national_number");
			}
	}
out:
	free(card);
	free(flip);
	free(r);
	return rc;
}

/* The card quad (as the finder names it, the right way up or not) upright
 * in q: an AAMVA back prints its PDF417 below the card's middle (the
 * template's barcode box, the symbol at its foot), so the rows of strong
 * vertical edges (the bars) lie mostly on the bottom edge's side. zxing's
 * corners cannot say it: after its own quarter turns they come back
 * mirrored. 0 or KYC_ERR_NOMEM. */
#define LAYOUT_PX_PER_MM 4.0
static int upright_by_bars(const struct kyc_image *img, const double quad[4][2], double q[4][2])
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	int w = (int)lround(T->w_mm * LAYOUT_PX_PER_MM), h = (int)lround(T->h_mm * LAYOUT_PX_PER_MM);
	unsigned char *g = malloc((size_t)w * (size_t)h);
	double *row = calloc((size_t)h, sizeof *row);
	if (!g || !row) {
		free(g);
		free(row);
		return KYC_ERR_NOMEM;
	}
	kyc_card_warp(img, quad, w, h, g);
	double top = 0;
	for (int y = 0; y < h; y++) {
		for (int x = 1; x < w; x++)
			row[y] += abs(g[(size_t)y * (size_t)w + (size_t)x] - g[(size_t)y * (size_t)w + (size_t)x - 1]);
		top = row[y] > top ? row[y] : top;
	}
	/* the centre of the rows that carry bars (half the busiest row's edges) */
	double sum = 0, mass = 0;
	for (int y = 0; y < h; y++)
		if (row[y] >= top / 2)
			sum += y * row[y], mass += row[y];
	if (mass > 0 && sum / mass < h / 2.0)
		half_turn(quad, q);
	else
		memcpy(q, quad, sizeof q[0] * 4);
	free(g);
	free(row);
	return 0;
}

/* Whether one of the n symbols is AAMVA data; *at gets its index. */
static int aamva_among(const struct kyc_barcode *b, int n, int *at)
{
	struct kyc_aamva *a = malloc(sizeof *a);
	if (!a)
		return KYC_ERR_NOMEM;
	int found = 0;
	for (int i = 0; i < n && !found; i++) {
		const char *why = NULL;
		if (!kyc_aamva_parse(b[i].data, b[i].len, a, &why))
			found = 1, *at = i;
	}
	free(a);
	return found;
}

/* A licence's back: a PDF417 of AAMVA data, on the photo as it is or on the
 * best candidate card rectified (zxing reads a symbol only when its rows run
 * nearly along the picture's). The symbol's own corners say which way up:
 * the generator and issuers print it upright. */
static int by_pdf417(const struct kyc_image *img, double quads[][4][2], int n,
		     struct kyc_card_identity *out)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	struct kyc_barcode *b = malloc(KYC_BARCODE_MAX * sizeof *b);
	unsigned char *card = NULL;
	int rc = 0, at = 0;
	if (!b)
		return KYC_ERR_NOMEM;
	int m = kyc_barcode_read(img->gray, img->w, img->h, img->w, KYC_BARCODE_PDF417, b,
				 KYC_BARCODE_MAX);
	if (m == KYC_ERR_NOMEM || (m > 0 && (rc = aamva_among(b, m, &at)) < 0)) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	if (m > 0 && rc == 1) {
		double q[4][2];
		memcpy(q, b[at].quad, sizeof q);
		rc = n < 1 ? 0 : upright_by_bars(img, quads[0], q);
		if (!rc)
			set(out, T, KYC_CARD_BACK, q, 1, "pdf417");
		goto out;
	}
	rc = 0;
	if (n < 1)
		goto out;
	int w = (int)lround(T->w_mm * SCAN_PX_PER_MM), h = (int)lround(T->h_mm * SCAN_PX_PER_MM);
	if (!(card = malloc((size_t)w * (size_t)h))) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	kyc_card_warp(img, quads[0], w, h, card);
	m = kyc_barcode_read(card, w, h, w, KYC_BARCODE_PDF417, b, KYC_BARCODE_MAX);
	if (m == KYC_ERR_NOMEM || (m > 0 && (rc = aamva_among(b, m, &at)) < 0)) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	if (m > 0 && rc == 1) {
		double q[4][2];
		rc = upright_by_bars(img, quads[0], q);
		if (!rc)
			set(out, T, KYC_CARD_BACK, q, 1, "pdf417");
		goto out;
	}
	rc = 0;
out:
	free(b);
	free(card);
	return rc;
}

/* 8 digits that make a date as an AAMVA front prints it, MMDDYYYY (US) or
 * YYYYMMDD (Canada), the slashes not read (the Latin field's characters
 * are capitals and digits). */
static int date_digits(const char *t)
{
	if (strlen(t) != 8 || strspn(t, "0123456789") != 8)
		return 0;
	long v = strtol(t, NULL, 10);
	int a = (int)(v / 10000), b = (int)(v % 10000);
	int us_m = a / 100, us_d = a % 100, ca_m = b / 100, ca_d = b % 100;
	return (b >= 1900 && b <= 2099 && us_m >= 1 && us_m <= 12 && us_d >= 1 &&
		us_d <= kyc_egnid_days_in_month(b, us_m)) ||
	       (a >= 1900 && a <= 2099 && ca_m >= 1 && ca_m <= 12 && ca_d >= 1 &&
		ca_d <= kyc_egnid_days_in_month(a, ca_m));
}

/* The fronts without Eastern Arabic digits, by Tesseract: a Korean
 * licence's number of its form (card_kr_dl.h), else an AAMVA front's three
 * dates where its template puts them, at least two of them dates. */
static int by_front_text(const struct kyc_image *img, struct kyc_card_identity *out)
{
	struct kyc_card_result *res = malloc(sizeof *res);
	if (!res)
		return KYC_ERR_NOMEM;
	/* the number alone (the first field), not the name */
	struct kyc_card_template K = kyc_card_tpl_kr_dl;
	K.nfields = 1;
	int rc = kyc_card_read(img, &K, KYC_CARD_FRONT, res);
	char num[16];
	if (!rc && res->found && res->values[0].conf >= TEXT_CONF &&
	    !kyc_krdl_number(res->values[0].text, num)) {
		set(out, &kyc_card_tpl_kr_dl, KYC_CARD_FRONT, (const double(*)[2])res->quad,
		    res->values[0].conf / 100.0, "licence_number");
		goto out;
	}
	if (rc)
		goto out;
	/* Only the dates are read: a template of the licence's size and
	 * portrait holding them alone. */
	const struct kyc_card_template *D = &kyc_card_tpl_dl_aamva;
	struct kyc_card_field dates[3];
	int nd = 0;
	for (int i = 0; i < D->nfields && nd < 3; i++)
		if (strstr(D->fields[i].name, "_date"))
			dates[nd++] = D->fields[i];
	struct kyc_card_template T = *D;
	T.fields = dates, T.nfields = nd;
	if ((rc = kyc_card_read(img, &T, KYC_CARD_FRONT, res)) || !res->found)
		goto out;
	/* Tesseract gives these lines no confidence (their slashes are not in
	 * the field's characters): the dates' form is the evidence. */
	int good = 0;
	for (int i = 0; i < nd; i++)
		good += date_digits(res->values[i].text);
	if (good >= 2)
		set(out, D, KYC_CARD_FRONT, (const double(*)[2])res->quad, good / 3.0,
		    "printed_dates");
out:
	free(res);
	return rc;
}

/* Identification up to the evidence asked for: the number alone (all 0),
 * or every family's. */
static int identify(const struct kyc_image *img, int all, struct kyc_card_identity *out)
{
	double t0 = kyc_mono_ms(), quads[MAX_QUADS][4][2];
	memset(out, 0, sizeof *out);
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	int n = kyc_card_find_candidates_or_corner(img, T->w_mm / T->h_mm, quads, NULL,
						    MAX_QUADS);
	if (n == KYC_ERR_NOMEM)
		return n;
	n = n < 0 ? 0 : n;
	/* cheapest first: a few ms of digit reading, then zxing, then Tesseract.
	 * The number alone is the look every id_card upload pays before its
	 * MRZ is searched: on the best candidate only (an Egyptian card at
	 * levels 0-1 is always sure there, bench/README.md); a card it misses
	 * is still told by the whole identification after the MRZ search. */
	int rc = n ? by_number(img, quads, all ? n : 1, out) : 0;
	if (!all) {
		out->ms = kyc_mono_ms() - t0;
		return rc;
	}
	if (!rc && !out->tpl)
		rc = by_pdf417(img, quads, n, out);
	if (!rc && !out->tpl && n)
		rc = by_front_text(img, out);
	out->ms = kyc_mono_ms() - t0;
	return rc;
}

int kyc_card_identify(const struct kyc_image *img, struct kyc_card_identity *out)
{
	return identify(img, 1, out);
}

int kyc_card_identify_number(const struct kyc_image *img, struct kyc_card_identity *out)
{
	return identify(img, 0, out);
}
