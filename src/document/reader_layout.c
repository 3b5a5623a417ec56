/* Geometry of a located MRZ: resample an upright band around the candidate
 * line, binarise it, find the 2-3 text lines by row projection and lay a
 * monospaced grid of exactly 30/36/44 cells on each. The MRZ is monospaced and
 * every position holds a glyph (fillers too), so the grid comes from the pitch
 * fitted to glyph centres, not from segmenting glyphs one by one: touching or
 * broken glyphs only drop out of the fit, they never shift the cells. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/reader.h"

#define GH KYC_READER__GLYPH_H
#define BAND_HALF 6.5 /* band half-height around the seed line, in line thicknesses */

int kyc_reader__rectify(const struct kyc_image *img, const struct kyc_reader__cand *c, int flip,
			struct kyc_reader__band *b)
{
	memset(b, 0, sizeof *b);
	double s = c->thick / GH;
	if (s < 0.25)
		s = 0.25;
	b->s = s;
	double ux = c->ux, uy = c->uy;
	if (ux < 0 || (ux == 0 && uy < 0)) { /* upright = text running left to right */
		ux = -ux;
		uy = -uy;
	}
	b->ux = flip ? -ux : ux;
	b->uy = flip ? -uy : uy;
	b->vx = -b->uy;
	b->vy = b->ux;
	b->w = (int)((c->len * 1.3 + 4 * c->thick) / s);
	b->h = (int)(2 * BAND_HALF * c->thick / s);
	if (b->w < 16 || b->h < 16 || b->w > 4000 || b->h > 1000)
		return KYC_ERR_INVALID;
	b->ox = c->cx - b->w / 2.0 * s * b->ux - b->h / 2.0 * s * b->vx;
	b->oy = c->cy - b->w / 2.0 * s * b->uy - b->h / 2.0 * s * b->vy;
	b->px = malloc((size_t)b->w * b->h);
	if (!b->px)
		return KYC_ERR_NOMEM;
	const unsigned char *g = img->gray;
	int W = img->w, H = img->h;
	/* fixed point (16.16) stepping keeps the inner loop cheap */
	long dx = lround(s * b->ux * 65536), dy = lround(s * b->uy * 65536);
	for (int j = 0; j < b->h; j++) {
		double x0 = b->ox + j * s * b->vx, y0 = b->oy + j * s * b->vy;
		long x = lround(x0 * 65536), y = lround(y0 * 65536);
		unsigned char *row = b->px + (size_t)j * b->w;
		for (int i = 0; i < b->w; i++, x += dx, y += dy) {
			if (x < 0 || y < 0 || x >= (long)(W - 1) << 16 || y >= (long)(H - 1) << 16) {
				row[i] = 255;
				continue;
			}
			int xi = (int)(x >> 16), yi = (int)(y >> 16);
			int fx = (int)(x & 0xFFFF) >> 8, fy = (int)(y & 0xFFFF) >> 8;
			const unsigned char *p = g + (size_t)yi * W + xi;
			int top = p[0] * 256 + fx * (p[1] - p[0]);
			int bot = p[W] * 256 + fx * (p[W + 1] - p[W]);
			row[i] = (unsigned char)((top * 256 + fy * (bot - top) + 32768) >> 16);
		}
	}
	return 0;
}

static int otsu(const unsigned *hist, unsigned total)
{
	double sum = 0, sumb = 0, best = -1;
	unsigned wb = 0;
	int t = 128;
	for (int i = 0; i < 256; i++)
		sum += (double)i * hist[i];
	for (int i = 0; i < 256; i++) {
		wb += hist[i];
		if (!wb)
			continue;
		unsigned wf = total - wb;
		if (!wf)
			break;
		sumb += (double)i * hist[i];
		double mb = sumb / wb, mf = (sum - sumb) / wf;
		double between = (double)wb * wf * (mb - mf) * (mb - mf);
		if (between > best) {
			best = between;
			t = i;
		}
	}
	return t;
}

/* Columns of one line that hold glyph ink: ink in the line's rows, leaving
 * out rows that are nearly all ink (a printed rule touching the line) and
 * columns where ink also crosses well above and below the line (a border). */
static void glyph_columns(const unsigned char *ink, int w, int h, const struct kyc_reader__line *L,
			  int x0, int x1, unsigned char *col)
{
	unsigned char rule[4 * GH];
	int lh = L->bot - L->top + 1;
	for (int y = L->top; y <= L->bot && y - L->top < 4 * GH; y++) {
		int n = 0;
		for (int x = x0; x <= x1; x++)
			n += ink[(size_t)y * w + x];
		rule[y - L->top] = n > 0.7 * (x1 - x0 + 1);
	}
	int above = L->top - 3, below = L->bot + 3;
	for (int x = x0; x <= x1; x++) {
		int on = 0;
		for (int y = L->top; y <= L->bot && !on; y++)
			on = (y - L->top >= 4 * GH || !rule[y - L->top]) && ink[(size_t)y * w + x];
		if (on && above >= 0 && below < h && ink[(size_t)above * w + x] &&
		    ink[(size_t)below * w + x])
			on = 0;
		col[x] = (unsigned char)on;
	}
	(void)lh;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Glyph runs of a line: centres into xs (at most 128); sets left/right and a
 * median centre-to-centre step. Returns the count. */
static int glyph_runs(const unsigned char *col, int x0, int x1, struct kyc_reader__line *L,
		      double *xs, double *step)
{
	int nx = 0, start = -1;
	L->left = L->right = -1;
	for (int x = x0; x <= x1 + 1 && nx < 128; x++) {
		int on = x <= x1 && col[x];
		if (on && start < 0) {
			start = x;
		} else if (!on && start >= 0) {
			xs[nx++] = (start + x - 1) / 2.0;
			if (L->left < 0)
				L->left = start;
			L->right = x - 1;
			start = -1;
		}
	}
	double d[128];
	for (int i = 1; i < nx; i++)
		d[i - 1] = xs[i] - xs[i - 1];
	if (nx > 2) {
		qsort(d, (size_t)nx - 1, sizeof *d, dbl_cmp);
		*step = d[(nx - 1) / 2];
	} else {
		*step = 0;
	}
	return nx;
}

/* Fits the grid of n cells to the glyph centres (least squares, a few rounds
 * of reassigning centres to cells). Returns the mean misfit in pitches plus a
 * penalty for unassigned glyphs; 9 when it fails. */
static double fit_grid_from(const double *xs, int nx, double a, double p, int n, double *a_out,
			    double *p_out)
{
	if (nx < n / 3 || p < 2)
		return 9;
	double err = 9;
	for (int it = 0; it < 4; it++) {
		double si = 0, sx = 0, sii = 0, six = 0, dev = 0;
		int m = 0;
		for (int k = 0; k < nx; k++) {
			double fi = (xs[k] - a) / p;
			int i = (int)lround(fi);
			if (i < 0 || i >= n || fabs(fi - i) > 0.3)
				continue;
			si += i;
			sx += xs[k];
			sii += (double)i * i;
			six += i * xs[k];
			dev += fabs(fi - i);
			m++;
		}
		if (m < n / 3)
			return 9;
		double den = m * sii - si * si;
		if (den <= 0)
			return 9;
		double pb = (m * six - si * sx) / den, ab = (sx - pb * si) / m;
		if (pb < p * 0.85 || pb > p * 1.15)
			return 9;
		err = dev / m + (double)(nx - m) / nx * 0.5;
		p = pb;
		a = ab;
	}
	*a_out = a;
	*p_out = p;
	return err;
}

/* The first guess comes from the line's ink extent: the first glyph's ink
 * starts about 0.15 pitch into its cell, the last one's ends 0.15 before. */
static double fit_grid(const double *xs, int nx, const struct kyc_reader__line *L, int n,
		       double *a_out, double *p_out)
{
	double p = (L->right - L->left) / (n - 0.3);
	return fit_grid_from(xs, nx, L->left + 0.35 * p, p, n, a_out, p_out);
}

/* Text lines near the centre: rows of dense ink as tall as a glyph, evenly
 * spaced, as long as the seed line (which sits at the band's centre). */
static int find_lines(const unsigned char *ink, const struct kyc_reader__band *b,
		      double seed_len, struct kyc_reader__line *out)
{
	int w = b->w, h = b->h;
	int x0 = (int)(w / 2.0 - seed_len / b->s / 2), x1 = (int)(w / 2.0 + seed_len / b->s / 2);
	if (x0 < 0)
		x0 = 0;
	if (x1 > w - 1)
		x1 = w - 1;
	int *prof = calloc((size_t)h, sizeof(int));
	if (!prof)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < h; y++)
		for (int x = x0; x <= x1; x++)
			prof[y] += ink[(size_t)y * w + x];
	int thr = (x1 - x0) / 14 + 1;
	struct kyc_reader__line runs[24];
	int nr = 0;
	for (int y = 0; y < h && nr < 24;) {
		if (prof[y] < thr) {
			y++;
			continue;
		}
		int t = y, peak = 0;
		while (y < h && prof[y] >= thr) {
			if (prof[y] > peak)
				peak = prof[y];
			y++;
		}
		int hh = y - t;
		/* text rows are far from solid; a dark edge or desk is solid */
		if (hh >= GH * 0.45 && hh <= GH * 1.8 && peak < 0.8 * (x1 - x0 + 1)) {
			memset(&runs[nr], 0, sizeof runs[nr]);
			runs[nr].top = t;
			runs[nr].bot = y - 1;
			nr++;
		}
	}
	free(prof);
	int seed = -1;
	double best = 1e9;
	for (int i = 0; i < nr; i++) {
		double d = fabs((runs[i].top + runs[i].bot) / 2.0 - h / 2.0);
		if (d < best) {
			best = d;
			seed = i;
		}
	}
	if (seed < 0 || best > GH)
		return 0;
	int lo = seed, hi = seed;
	for (int dir = -1; dir <= 1; dir += 2) {
		for (;;) {
			int cur = dir < 0 ? lo : hi, nx = cur + dir;
			if (nx < 0 || nx >= nr || hi - lo + 1 >= 3)
				break;
			double gap = fabs((runs[nx].top + runs[nx].bot) / 2.0 -
					  (runs[cur].top + runs[cur].bot) / 2.0);
			double hr = (double)(runs[nx].bot - runs[nx].top + 1) /
				    (runs[cur].bot - runs[cur].top + 1);
			if (gap < GH * 1.15 || gap > GH * 3.4 || hr < 0.7 || hr > 1.45)
				break;
			/* a third line must keep the spacing of the first two */
			if (hi > lo) {
				double g0 = (runs[hi].top + runs[hi].bot - runs[lo].top - runs[lo].bot) / 2.0;
				if (fabs(gap / g0 - 1) > 0.2)
					break;
			}
			if (dir < 0)
				lo = nx;
			else
				hi = nx;
		}
	}
	int n = hi - lo + 1;
	for (int i = 0; i < n; i++)
		out[i] = runs[lo + i];
	return n;
}

int kyc_reader__layout(const struct kyc_reader__band *b, double seed_len,
		       struct kyc_reader__layout *lay)
{
	int w = b->w, h = b->h, rc = KYC_ERR_NOMEM;
	memset(lay, 0, sizeof *lay);
	unsigned char *ink = malloc((size_t)w * h), *col = malloc((size_t)w);
	double *xs = malloc(sizeof(double) * 3 * 128);
	if (!ink || !col || !xs)
		goto out;
	/* threshold from the rows of the seed line, so clutter above and below
	 * does not pull it */
	unsigned hist[256] = {0}, total = 0;
	int y0 = h / 2 - GH < 0 ? 0 : h / 2 - GH, y1 = h / 2 + GH > h ? h : h / 2 + GH;
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < w; x++) {
			hist[b->px[(size_t)y * w + x]]++;
			total++;
		}
	int t = otsu(hist, total);
	for (size_t i = 0; i < (size_t)w * h; i++)
		ink[i] = b->px[i] <= t;
	/* sharpness: mean step of the strong edges along the seed rows over the
	 * ink/paper contrast; a blurred photo spreads each edge over many pixels */
	double lo = 0, hi = 0, edge = 0;
	unsigned nlo = 0, nhi = 0, ne = 0;
	for (int i = 0; i < 256; i++) {
		if (i <= t) {
			lo += (double)i * hist[i];
			nlo += hist[i];
		} else {
			hi += (double)i * hist[i];
			nhi += hist[i];
		}
	}
	double contrast = (nhi ? hi / nhi : 255) - (nlo ? lo / nlo : 0);
	for (int y = h / 2 - GH / 3; y < h / 2 + GH / 3; y++) {
		const unsigned char *row = b->px + (size_t)y * w;
		for (int x = 1; x < w; x++) {
			int d = abs(row[x] - row[x - 1]);
			if (d > contrast / 8) {
				edge += d;
				ne++;
			}
		}
	}
	lay->sharp = (ne && contrast > 1) ? edge / ne / contrast : 0;

	struct kyc_reader__line ln[3];
	int nl = find_lines(ink, b, seed_len, ln);
	if (nl < 0) {
		rc = nl;
		goto out;
	}
	rc = KYC_ERR_NOTFOUND;
	if (nl < 2)
		goto out;
	int span0 = (int)(w / 2.0 - seed_len / b->s / 2) - 2 * GH;
	int span1 = (int)(w / 2.0 + seed_len / b->s / 2) + 2 * GH;
	if (span0 < 0)
		span0 = 0;
	if (span1 > w - 1)
		span1 = w - 1;
	int nx[3];
	double step[3];
	for (int i = 0; i < nl; i++) {
		glyph_columns(ink, w, h, &ln[i], span0, span1, col);
		nx[i] = glyph_runs(col, span0, span1, &ln[i], xs + 128 * i, &step[i]);
		if (nx[i] < 10)
			goto out;
	}
	/* 3 lines: TD1, 30 cells; 2 lines: 36 or 44, whichever grid fits */
	static const int two[] = {36, 44}, three[] = {30};
	const int *cands = nl == 3 ? three : two;
	int ncand = nl == 3 ? 1 : 2, n = 0;
	double best = 9 * nl;
	for (int c = 0; c < ncand; c++) {
		double err = 0, a, p;
		for (int i = 0; i < nl; i++) {
			/* the median glyph-to-glyph step is the pitch (fillers are
			 * separate glyphs too): it rules out the wrong cell count */
			double p0 = (ln[i].right - ln[i].left) / (cands[c] - 0.3);
			if (step[i] > 0 && fabs(p0 / step[i] - 1) > 0.12)
				err += 1;
			err += fit_grid(xs + 128 * i, nx[i], &ln[i], cands[c], &a, &p);
		}
		if (err < best) {
			best = err;
			n = cands[c];
		}
	}
	if (!n || best / nl > 0.6)
		goto out;
	double err[3];
	int ref = 0;
	for (int i = 0; i < nl; i++) {
		err[i] = fit_grid(xs + 128 * i, nx[i], &ln[i], n, &ln[i].a, &ln[i].p);
		if (err[i] < err[ref])
			ref = i;
	}
	if (err[ref] >= 9)
		goto out;
	/* MRZ lines start at the same place with the same pitch: a line whose
	 * grid disagrees with the best-fitting one (clutter at its ends moved
	 * its extent) is refitted from the best line's grid */
	for (int i = 0; i < nl; i++) {
		double a = ln[ref].a, p = ln[ref].p;
		if (i == ref || (err[i] < 9 && fabs(ln[i].a - a) < 0.25 * p &&
				 fabs(ln[i].p - p) * n < 0.25 * p))
			continue;
		double a2, p2;
		if (fit_grid_from(xs + 128 * i, nx[i], a, p, n, &a2, &p2) < 9) {
			ln[i].a = a2;
			ln[i].p = p2;
		} else {
			ln[i].a = a;
			ln[i].p = p;
		}
	}
	lay->nlines = nl;
	lay->len = n;
	lay->fit = best / nl;
	memcpy(lay->ln, ln, sizeof(ln[0]) * nl);
	rc = 0;
out:
	free(ink);
	free(col);
	free(xs);
	return rc;
}
