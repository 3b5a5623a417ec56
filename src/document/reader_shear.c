/* Sheared glyphs straightened (reader_shear.h). The band is cut square to
 * the located line, but a document tilted about an axis oblique to its
 * lines is foreshortened obliquely, and a keystoned one has its verticals
 * converge: on the band its glyphs lean, by a slant that changes along a
 * line. The recogniser learnt upright OCR-B, and a leaning `I` reads `S`,
 * an `N` reads `M` (bench/README.md, "Issue 11: sheared glyphs at level 2").
 * OCR-B's strokes are mostly vertical and many glyphs are their own mirror
 * image across the middle row (the fillers `<` among them, whose arms lean
 * both ways), so the slant is the shear under which the column profiles of
 * the steps across the rows in the line's upper and lower halves agree
 * best. */
#include "document/reader_shear.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define KMAX 0.40   /* the steepest slant looked for (22°) */
#define KSTEP 0.04  /* the peak is found between the steps */
#define NK 21       /* 2 KMAX / KSTEP + 1 */
#define EDGE_MIN 8  /* a step across a row under this is paper's noise */
#define MIN_INK 200 /* ink pixels below which a half line's slant is not told */

/* Otsu's threshold of b's pixels in rows [y0, y1], columns [x0, x1). */
static int local_otsu(const struct kyc_reader__band *b, int y0, int y1, int x0, int x1)
{
	unsigned hist[256] = {0}, n = 0;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x < x1; x++, n++)
			hist[b->px[(size_t)y * (size_t)b->w + (size_t)x]]++;
	return kyc_reader__otsu(hist, n);
}

/* Adds to s[NK] the agreement of line L's upper and lower halves over
 * columns [x0, x1) of b under each shear (the sum of the products of their
 * column profiles of steps across the rows). 1 when the cells held ink
 * enough to count, else 0 (s unchanged). */
static int add_curve(const struct kyc_reader__band *b, const struct kyc_reader__line *L, double x0,
                     double x1, double s[NK])
{
	int y0 = L->top < 0 ? 0 : L->top, y1 = L->bot >= b->h ? b->h - 1 : L->bot;
	/* clamped as doubles first: a layout off the band (or absurd) has
	 * cell centres no int holds */
	double lo = x0 > 4 ? x0 : 4, hi = x1 < b->w - 4 ? x1 : b->w - 4;
	int c0 = (int)(lo < b->w ? lo : b->w), c1 = (int)(hi > 0 ? hi : 0);
	if (y1 - y0 < 4 || c1 - c0 < 16)
		return 0;
	double yc = (y0 + y1) / 2.0;
	/* the step is taken across one image pixel: a band upsampled from a
	 * small MRZ is bilinear between the image's pixels, and its kinks
	 * along the image's columns would pull the slant towards the
	 * image's own vertical */
	long d = lround(1 / b->s);
	d = d < 1 ? 1 : d > 4 ? 4 : d;
	int t = local_otsu(b, y0, y1, c0, c1), ink = 0;
	for (int y = y0; y <= y1; y++)
		for (int x = c0; x < c1; x++)
			ink += b->px[(size_t)y * (size_t)b->w + (size_t)x] <= t;
	if (ink < MIN_INK)
		return 0;
	/* the steps across the rows: a stroke's two edges, sharp peaks of
	 * opposite signs even when blurred; only those over paper's noise,
	 * gathered once for every shear */
	int n = 0, cap = (y1 - y0 + 1) * (c1 - c0);
	float *ex = malloc(sizeof *ex * 3 * (size_t)cap), *ey = ex + cap, *ew = ey + cap;
	if (!ex)
		return 0;
	for (int y = y0; y <= y1; y++) {
		const unsigned char *row = b->px + (size_t)y * (size_t)b->w;
		for (int x = c0; x < c1 && y != yc; x++) {
			int g = row[x + d] - row[x - d];
			if (g >= EDGE_MIN || g <= -EDGE_MIN) {
				ex[n] = (float)x;
				ey[n] = (float)(y - yc);
				ew[n++] = (float)g;
			}
		}
	}
	/* the profile reaches KMAX times half the line's height past each end */
	int pad = (int)(KMAX * (y1 - y0) / 2) + 2, np = c1 - c0 + 2 * pad;
	double *up = malloc(sizeof *up * 2 * (size_t)np), *low = up + np;
	if (!up) {
		free(ex);
		return 0;
	}
	for (int k = 0; k < NK; k++) {
		double sh = -KMAX + k * KSTEP, sum = 0;
		memset(up, 0, sizeof *up * 2 * (size_t)np);
		for (int j = 0; j < n; j++) {
			/* split between the two bins it falls between */
			double p = ex[j] + pad - c0 - sh * ey[j], *pr = ey[j] < 0 ? up : low;
			int i = (int)p;
			double f = p - i;
			pr[i] += ew[j] * (1 - f);
			pr[i + 1] += ew[j] * f;
		}
		for (int i = 0; i < np; i++)
			sum += up[i] * low[i];
		s[k] += sum;
	}
	free(ex);
	free(up);
	return 1;
}

/* The shear at which s[NK] peaks, between the steps by the parabola
 * through three. */
static double peak(const double s[NK])
{
	int kb = 0;
	for (int k = 1; k < NK; k++)
		kb = s[k] > s[kb] ? k : kb;
	double k = -KMAX + kb * KSTEP;
	if (kb > 0 && kb < NK - 1) {
		double den = s[kb - 1] - 2 * s[kb] + s[kb + 1];
		if (den < 0)
			k += KSTEP * 0.5 * (s[kb - 1] - s[kb + 1]) / den;
	}
	return k;
}

double kyc_reader__shear_of(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            double k0, double k1)
{
	double s[NK] = {0};
	int n = 0;
	for (int i = 0; i < lay->nlines; i++) {
		const struct kyc_reader__line *L = &lay->ln[i];
		n += add_curve(b, L, kyc_reader__cell_x(L, k0), kyc_reader__cell_x(L, k1), s);
	}
	return n ? peak(s) : 0;
}

/* Moves rows [ya, yb] of b by k(x) (y - yc), k linear in x through (xa, ka)
 * and (xb, kb). row: b->w bytes of room. */
static void shift_rows(struct kyc_reader__band *b, int ya, int yb, double yc, double xa, double ka,
                       double xb, double kb, unsigned char *row)
{
	double dk = xb > xa ? (kb - ka) / (xb - xa) : 0;
	for (int y = ya; y <= yb; y++) {
		unsigned char *dst = b->px + (size_t)y * (size_t)b->w;
		memcpy(row, dst, (size_t)b->w);
		double dy = y - yc;
		for (int x = 0; x < b->w; x++) {
			double p = x + (ka + dk * (x - xa)) * dy;
			if (!(p > 0 && p < b->w - 1)) {
				dst[x] = row[p > 0 ? b->w - 1 : 0];
				continue;
			}
			int i = (int)p;
			double f = p - i;
			dst[x] = (unsigned char)(row[i] + f * (row[i + 1] - row[i]) + 0.5);
		}
	}
}

int kyc_reader__unshear(struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	if (!b->px || lay->nlines < 1 || lay->len < 4)
		return 0;
	unsigned char *row = malloc((size_t)b->w);
	if (!row)
		return KYC_ERR_NOMEM;
	/* the slant of the first and the last half of the lines, pooled: a
	 * half of fillers alone tells little, and lines a glyph apart lean
	 * alike */
	double h = lay->len / 2.0, ka = kyc_reader__shear_of(b, lay, -0.5, h),
	       kb = kyc_reader__shear_of(b, lay, h, lay->len - 0.5);
	int moved = 0;
	if ((fabs(ka) < KYC_READER__SHEAR_MIN && fabs(kb) < KYC_READER__SHEAR_MIN) ||
	    fabs(ka - kb) > KYC_READER__SHEAR_SPREAD)
		goto out;
	for (int i = 0; i < lay->nlines; i++) {
		const struct kyc_reader__line *L = &lay->ln[i];
		int hh = (L->bot - L->top + 1) / 2;
		int ya = i > 0 ? (lay->ln[i - 1].bot + L->top + 1) / 2 : L->top - hh;
		int yb = i + 1 < lay->nlines ? (L->bot + lay->ln[i + 1].top) / 2 : L->bot + hh;
		ya = ya < 0 ? 0 : ya;
		yb = yb >= b->h ? b->h - 1 : yb;
		double xa = kyc_reader__cell_x(L, h / 2), xb = kyc_reader__cell_x(L, 1.5 * h);
		if (!isfinite(xa) || !isfinite(xb))
			continue;
		shift_rows(b, ya, yb, (L->top + L->bot) / 2.0, xa, ka, xb, kb, row);
		moved = 1;
	}
out:
	free(row);
	return moved;
}
