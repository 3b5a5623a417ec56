/* Rectification and field-by-field reading of a card face (card.h). */
#include "document/card.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "document/edigits.h"
#include "document/eg_nid.h"
#include "document/tess.h"

/* The projective map of the unit square onto quad (TL, TR, BR, BL), in the
 * closed form of Heckbert's square-to-quadrilateral mapping: for (s, t) in
 * [0,1]^2, x = (a s + b t + c) / (g s + h t + 1), y = (d s + e t + f) / (...). */
struct square_map {
	double a, b, c, d, e, f, g, h;
};

static void square_to_quad(const double q[4][2], struct square_map *m)
{
	double x0 = q[0][0], y0 = q[0][1], x1 = q[1][0], y1 = q[1][1];
	double x2 = q[2][0], y2 = q[2][1], x3 = q[3][0], y3 = q[3][1];
	double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
	double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
	double den = dx1 * dy2 - dx2 * dy1;
	if (fabs(den) < 1e-9) {
		m->g = m->h = 0;
	} else {
		m->g = (sx * dy2 - dx2 * sy) / den;
		m->h = (dx1 * sy - sx * dy1) / den;
	}
	m->a = x1 - x0 + m->g * x1, m->b = x3 - x0 + m->h * x3, m->c = x0;
	m->d = y1 - y0 + m->g * y1, m->e = y3 - y0 + m->h * y3, m->f = y0;
}

void kyc_card_warp(const struct kyc_image *img, const double quad[4][2], int w, int h,
		   unsigned char *out)
{
	struct square_map m;
	square_to_quad(quad, &m);
	for (int Y = 0; Y < h; Y++) {
		double t = (Y + 0.5) / h;
		for (int X = 0; X < w; X++) {
			double s = (X + 0.5) / w;
			double z = m.g * s + m.h * t + 1;
			double x = (m.a * s + m.b * t + m.c) / z - 0.5;
			double y = (m.d * s + m.e * t + m.f) / z - 0.5;
			int ix = (int)floor(x), iy = (int)floor(y);
			double fx = x - ix, fy = y - iy;
			if (ix < 0 || iy < 0 || ix + 1 >= img->w || iy + 1 >= img->h) {
				out[(size_t)Y * (size_t)w + (size_t)X] = 255; /* off the photo: paper white */
				continue;
			}
			const unsigned char *p = img->gray + (size_t)iy * (size_t)img->w + (size_t)ix;
			double v = (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
				   (p[img->w] * (1 - fx) + p[img->w + 1] * fx) * fy;
			out[(size_t)Y * (size_t)w + (size_t)X] = (unsigned char)(v + 0.5);
		}
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The serial's character set (digits and dates have their own reader). */
static const char LATIN_SERIAL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Confidence below which a read value is not trusted on its own. */
#define MIN_CONF 60

static int valid_date(const char *d8, char iso[11])
{
	int y = (d8[0] - '0') * 1000 + (d8[1] - '0') * 100 + (d8[2] - '0') * 10 + (d8[3] - '0');
	int m = (d8[4] - '0') * 10 + (d8[5] - '0'), d = (d8[6] - '0') * 10 + (d8[7] - '0');
	static const int dim[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > dim[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	snprintf(iso, 11, "%.4s-%.2s-%.2s", d8, d8 + 4, d8 + 6);
	return 1;
}

/* Turns Tesseract's line into the field's value and decides whether it is
 * accepted. */
static void normalise(const struct kyc_card_field *f, const struct kyc_tess_line *line,
		      struct kyc_card_value *v)
{
	char digits[64];
	size_t n;
	v->conf = line->conf;
	v->text[0] = 0;
	switch (f->script) {
	case KYC_CARD_EDIGITS:
		n = kyc_egnid_ascii_digits(line->text, digits, sizeof digits);
		snprintf(v->text, sizeof v->text, "%s", digits);
		v->accepted = n > 0; /* the family's rules say more (card_eg_nid.c) */
		break;
	case KYC_CARD_EDATE:
		n = kyc_egnid_ascii_digits(line->text, digits, sizeof digits);
		if (n == 8 && valid_date(digits, v->text))
			v->accepted = 1;
		else
			snprintf(v->text, sizeof v->text, "%s", digits);
		break;
	case KYC_CARD_LATIN: {
		size_t k = 0;
		for (const char *p = line->text; *p && k + 1 < sizeof v->text; p++)
			if (*p != ' ')
				v->text[k++] = *p;
		v->text[k] = 0;
		v->accepted = k > 0;
		break;
	}
	default:
		snprintf(v->text, sizeof v->text, "%s", line->text);
		v->accepted = 1;
		break;
	}
	v->read = v->text[0] != 0;
	v->accepted = v->read && v->accepted && v->conf >= MIN_CONF;
}

static const char *charset(enum kyc_card_script s)
{
	switch (s) {
	case KYC_CARD_LATIN: return LATIN_SERIAL;
	default: return NULL; /* a whitelist would drop the spaces between words */
	}
}

/* Reads every field of side on the rectified card (w x h, px per mm u). */
static int read_fields(const unsigned char *card, int w, int h, double u,
		       const struct kyc_card_template *T, enum kyc_card_side side,
		       struct kyc_card_result *out)
{
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side != side)
			continue;
		double box[4];
		kyc_card_field_box(f, box);
		int x0 = (int)fmax(0, box[0] * u), y0 = (int)fmax(0, box[1] * u);
		int x1 = (int)fmin(w, box[2] * u), y1 = (int)fmin(h, box[3] * u);
		const unsigned char *crop = card + (size_t)y0 * (size_t)w + (size_t)x0;
		struct kyc_tess_line line;
		int rc;
		if (f->script == KYC_CARD_EDIGITS || f->script == KYC_CARD_EDATE)
			rc = kyc_edigits_read(crop, x1 - x0, y1 - y0, w, f->script == KYC_CARD_EDATE,
					      line.text, (int)sizeof line.text, &line.conf);
		else
			rc = kyc_tess_read_line(f->script == KYC_CARD_LATIN ? KYC_TESS_LATIN
									   : KYC_TESS_ARABIC,
						crop, x1 - x0, y1 - y0, w, charset(f->script), &line);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED)
			return rc;
		normalise(f, &line, &out->values[i]);
	}
	return 0;
}

/* Dark ink in a template box (mm) of the rectified card: mean darkness 0..255. */
static double box_ink(const unsigned char *card, int w, int h, double u, const double b[4])
{
	int x0 = (int)fmax(0, b[0] * u), y0 = (int)fmax(0, b[1] * u);
	int x1 = (int)fmin(w, b[2] * u), y1 = (int)fmin(h, b[3] * u);
	double sum = 0;
	long n = 0;
	for (int y = y0; y < y1; y += 2)
		for (int x = x0; x < x1; x += 2, n++)
			sum += 255 - card[(size_t)y * (size_t)w + (size_t)x];
	return n ? sum / n : 0;
}

/* Whether the rectified card is upside down: the side's landmark (the
 * portrait on the front, the barcode on the back) carries more ink where it
 * belongs than where it would be after a half turn. */
static int upside_down(const unsigned char *card, int w, int h, double u,
		       const struct kyc_card_template *T, enum kyc_card_side side)
{
	const double *b = side == KYC_CARD_FRONT ? T->portrait : T->barcode;
	double r[4] = {T->w_mm - b[2], T->h_mm - b[3], T->w_mm - b[0], T->h_mm - b[1]};
	return box_ink(card, w, h, u, r) > box_ink(card, w, h, u, b) * 1.15;
}

int kyc_card_read_quad(const struct kyc_image *img, const struct kyc_card_template *T,
		       enum kyc_card_side side, const double quad[4][2],
		       struct kyc_card_result *out)
{
	double t0 = now_ms(), u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	memset(out, 0, sizeof *out);
	out->tpl = T, out->side = side, out->found = 1;
	memcpy(out->quad, quad, sizeof out->quad);
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card)
		return KYC_ERR_NOMEM;
	kyc_card_warp(img, out->quad, w, h, card);
	if (upside_down(card, w, h, u, T, side)) {
		/* The same corners, named from the other end. */
		double q[4][2];
		for (int i = 0; i < 4; i++)
			q[i][0] = quad[(i + 2) % 4][0], q[i][1] = quad[(i + 2) % 4][1];
		memcpy(out->quad, q, sizeof q);
		out->upside_down = 1;
		kyc_card_warp(img, out->quad, w, h, card);
	}
	int rc = read_fields(card, w, h, u, T, side, out);
	free(card);
	out->ms_read = now_ms() - t0;
	return rc;
}

int kyc_card_read(const struct kyc_image *img, const struct kyc_card_template *T,
		  enum kyc_card_side side, struct kyc_card_result *out)
{
	memset(out, 0, sizeof *out);
	out->tpl = T, out->side = side;
	double t0 = now_ms(), quad[4][2];
	int rc = kyc_card_find(img, quad);
	out->ms_find = now_ms() - t0;
	if (rc == KYC_ERR_NOMEM)
		return rc;
	if (rc) {
		out->reason = "no_card_found";
		return 0;
	}
	double ms_find = out->ms_find;
	rc = kyc_card_read_quad(img, T, side, quad, out);
	out->ms_find = ms_find;
	return rc;
}
