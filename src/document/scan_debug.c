/* The reader's debug picture (scan_debug.h). It calls the reader's own
 * locator, refinement, rectification and layout (reader.h's internal
 * functions, as bench/reader does) so that it shows what the reader works
 * on, not a re-implementation of it. */
#include "document/scan_debug.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/reader_deblur.h"

#define MAX_CANDS 8

struct canvas {
	int w, h;
	unsigned char *px; /* RGB */
};

static void dot(struct canvas *c, int x, int y, const unsigned char rgb[3])
{
	if (x >= 0 && y >= 0 && x < c->w && y < c->h)
		memcpy(c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3, rgb, 3);
}

/* A line width px wide (a square brush stepped along it). */
static void seg(struct canvas *c, double x0, double y0, double x1, double y1, int width,
                const unsigned char rgb[3])
{
	double len = hypot(x1 - x0, y1 - y0);
	int n = (int)ceil(len) + 1, r0 = -(width - 1) / 2, r1 = width / 2;
	if (n > 100000)
		return; /* far outside: nothing worth drawing */
	for (int i = 0; i <= n; i++) {
		double t = (double)i / n;
		int x = (int)lround(x0 + (x1 - x0) * t), y = (int)lround(y0 + (y1 - y0) * t);
		for (int dy = r0; dy <= r1; dy++)
			for (int dx = r0; dx <= r1; dx++)
				dot(c, x + dx, y + dy, rgb);
	}
}

static void poly(struct canvas *c, const double q[4][2], double oy, int width,
                 const unsigned char rgb[3])
{
	for (int i = 0; i < 4; i++)
		seg(c, q[i][0], q[i][1] + oy, q[(i + 1) % 4][0], q[(i + 1) % 4][1] + oy, width,
		    rgb);
}

/* The candidate's box: its length along (ux, uy), its thickness across. */
static void cand_quad(const struct kyc_reader__cand *k, double q[4][2])
{
	double hl = k->len / 2, ht = k->thick / 2 + 1, vx = -k->uy, vy = k->ux;
	double s[4][2] = {{-hl, -ht}, {hl, -ht}, {hl, ht}, {-hl, ht}};
	for (int i = 0; i < 4; i++) {
		q[i][0] = k->cx + s[i][0] * k->ux + s[i][1] * vx;
		q[i][1] = k->cy + s[i][0] * k->uy + s[i][1] * vy;
	}
}

static int inside(const double q[4][2], double x, double y)
{
	int in = 0;
	for (int i = 0, j = 3; i < 4; j = i++)
		if ((q[i][1] > y) != (q[j][1] > y) &&
		    x < (q[j][0] - q[i][0]) * (y - q[i][1]) / (q[j][1] - q[i][1]) + q[i][0])
			in = !in;
	return in;
}

/* The candidate the read came from (its centre inside the MRZ read), else
 * the first-ranked one; -1 when there is none. */
static int pick(const struct kyc_reader__cand *k, int n, const struct kyc_reader_result *res)
{
	for (int i = 0; res->nlines > 0 && i < n; i++)
		if (inside(res->quad, k[i].cx, k[i].cy))
			return i;
	return n > 0 ? 0 : -1;
}

/* Draws band b at the top of c and its outline on the photo, which starts
 * oy rows down. */
/* The band's pixels from canvas row top. */
static void draw_pixels(struct canvas *c, const struct kyc_reader__band *b, int top)
{
	for (int y = 0; y < b->h && y + top < c->h; y++)
		for (int x = 0; x < b->w && x < c->w; x++) {
			unsigned char g = b->px[(size_t)y * (size_t)b->w + (size_t)x];
			unsigned char rgb[3] = {g, g, g};
			dot(c, x, y + top, rgb);
		}
}

static void draw_band(struct canvas *c, const struct kyc_reader__band *b, double oy)
{
	static const unsigned char blue[3] = {40, 90, 255};
	draw_pixels(c, b, 0);
	/* Band pixel (x, y) is image point o + s*(x*u + y*v). */
	double q[4][2], bx[4] = {0, b->w, b->w, 0}, by[4] = {0, 0, b->h, b->h};
	for (int i = 0; i < 4; i++) {
		q[i][0] = b->ox + b->s * (bx[i] * b->ux + by[i] * b->vx);
		q[i][1] = b->oy + b->s * (bx[i] * b->uy + by[i] * b->vy);
	}
	poly(c, q, oy, 1, blue);
}

static void draw_layout(struct canvas *c, const struct kyc_reader__layout *lay)
{
	static const unsigned char cyan[3] = {0, 200, 230}, magenta[3] = {230, 0, 200};
	for (int l = 0; l < lay->nlines; l++) {
		const struct kyc_reader__line *L = &lay->ln[l];
		double x0 = kyc_reader__cell_x(L, -0.5), x1 = kyc_reader__cell_x(L, lay->len - 0.5);
		seg(c, x0, L->top, x1, L->top, 1, cyan);
		seg(c, x0, L->bot, x1, L->bot, 1, cyan);
		for (int k = 0; k < lay->len; k++) {
			double x = kyc_reader__cell_x(L, k);
			seg(c, x, L->bot + 2, x, L->bot + 5, 1, magenta);
		}
	}
}

int kyc_scan_debug_png(const struct kyc_image *img, const struct kyc_reader_result *res,
                       kyc_buf *out)
{
	static const unsigned char yellow[3] = {255, 210, 0}, green[3] = {0, 220, 60},
	                           red[3] = {255, 40, 40};
	struct kyc_reader__cand k[MAX_CANDS];
	struct kyc_reader__band b = {0}, db = {0};
	struct canvas c = {0};
	double luma;
	int rc;
	if (!img || !img->gray || img->w <= 0 || img->h <= 0 || !res || !out)
		return KYC_ERR_INVALID;
	int n = kyc_reader__locate(img->gray, img->w, img->h, img->w, k, MAX_CANDS, &luma);
	if (n < 0)
		return n;
	/* The band of the candidate read, turned the way the MRZ was read. */
	int best = pick(k, n, res), have_band = 0;
	struct kyc_reader__layout lay;
	int have_layout = 0;
	if (best >= 0) {
		struct kyc_reader__cand kc = k[best];
		double ca = fmod(atan2(kc.uy, kc.ux) * 180 / M_PI + 360, 360);
		double d = fabs(fmod(ca - res->angle_deg + 540, 360) - 180);
		int flip = res->nlines > 0 && d > 90;
		if (kyc_reader__refine(img, &kc) == 0) {
			rc = kyc_reader__band_layout(img, &kc, flip, &b, &lay);
			if (rc == KYC_ERR_NOMEM)
				goto out;
			have_band = b.px != NULL;
			have_layout = rc == 0;
		}
	}
	/* and under it, when a blur is measured, the band deblurred as the
	 * reader reads a failed band again (reader_deblur.h) */
	struct kyc_reader__layout dlay;
	if (have_layout &&
	    kyc_reader__band_deblurred(img, &b, &lay, &db, &dlay) == KYC_ERR_NOMEM) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	int band_h = have_band ? b.h + 4 + (db.px ? db.h + 4 : 0) : 0;
	c.w = img->w > (have_band ? b.w : 0) ? img->w : b.w;
	c.h = img->h + band_h;
	c.px = calloc((size_t)c.w * (size_t)c.h, 3);
	if (!c.px) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int y = 0; y < img->h; y++)
		for (int x = 0; x < img->w; x++) {
			size_t i = (size_t)y * (size_t)img->w + (size_t)x;
			unsigned char *p =
			    c.px + ((size_t)(y + band_h) * (size_t)c.w + (size_t)x) * 3;
			if (img->rgb)
				memcpy(p, img->rgb + i * 3, 3);
			else
				p[0] = p[1] = p[2] = img->gray[i];
		}
	if (have_band) {
		draw_band(&c, &b, band_h);
		if (have_layout)
			draw_layout(&c, &lay);
		if (db.px) {
			draw_pixels(&c, &db, b.h + 4);
			for (int l = 0; l < dlay.nlines; l++) { /* drawn b.h + 4 lower */
				dlay.ln[l].top += b.h + 4;
				dlay.ln[l].bot += b.h + 4;
			}
			draw_layout(&c, &dlay);
		}
	}
	for (int i = n - 1; i >= 0; i--) {
		double q[4][2];
		cand_quad(&k[i], q);
		poly(&c, q, band_h, i == 0 ? 2 : 1, yellow);
	}
	if (res->nlines > 0) {
		const unsigned char *col = res->checks_ok == res->checks_total ? green : red;
		poly(&c, res->quad, band_h, 3, col);
		int x = (int)res->quad[0][0], y = (int)res->quad[0][1] + band_h;
		int s = res->pitch_px > 4 ? (int)(res->pitch_px / 2) : 2;
		for (int dy = -s; dy <= s; dy++)
			for (int dx = -s; dx <= s; dx++)
				dot(&c, x + dx, y + dy, col);
	}
	rc = kyc_image_write_png_rgb(c.px, c.w, c.h, out);
out:
	free(b.px);
	free(db.px);
	free(c.px);
	return rc;
}
