/* Geometry of a located MRZ: on the band resampled upright around the
 * candidate line (reader_band.c), binarise it, find the 2-3 text lines by row projection and lay a
 * monospaced grid of exactly 30/36/44 cells on each. The MRZ is monospaced and
 * every position holds a glyph (fillers too), so the grid comes from the pitch
 * fitted to glyph centres, not from segmenting glyphs one by one: touching or
 * broken glyphs only drop out of the fit, they never shift the cells. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/reader.h"
#include "document/reader_trim.h"

#define GH KYC_READER__GLYPH_H
/* Glyph runs kept per line: enough for the seed's span, and for the
 * whole of a loose layout's longer band (kyc_reader__band_layout_loose). */
#define RUNS 128
#define LOOSE_RUNS 256
/* A loose layout bridges gaps in a line up to this many pitches (a glare
 * band across the MRZ washes out several glyphs of each line). */
#define LOOSE_GAP 12
/* layout()'s modes: LOOSE (kyc_reader__band_layout_loose); MARGINS, lines
 * cut short laid on a fitting line's grid (kyc_reader__band_layout_margins);
 * TRIM, lines past their count cut to it at their left end, and with
 * TRIM_RIGHT at their right (kyc_reader__band_layout_trimmed) */
#define LOOSE 1
#define MARGINS 2
#define TRIM 4
#define TRIM_RIGHT 8

typedef unsigned char v16b __attribute__((vector_size(16)));

/* Columns of one line that hold glyph ink: ink in the line's rows, leaving
 * out rows that are nearly all ink (a printed rule touching the line) and
 * columns where ink also crosses well above and below the line (a border). */
static void glyph_columns(const unsigned char *ink, int w, int h, const struct kyc_reader__line *L,
			  int x0, int x1, unsigned char *col)
{
	int nx = x1 - x0 + 1;
	if (nx <= 0)
		return;
	/* a column is on when a row that is no rule has ink there: the rows
	 * ORed together (ink is 0 or 1) */
	memset(col + x0, 0, (size_t)nx);
	for (int y = L->top; y <= L->bot; y++) {
		const unsigned char *row = ink + (size_t)y * w + x0;
		if (y - L->top < 4 * GH && kyc_reader__count_set(row, nx) > 0.7 * nx)
			continue;
		int x = 0;
		for (; x + 16 <= nx; x += 16) {
			v16b a, c;
			memcpy(&a, row + x, 16);
			memcpy(&c, col + x0 + x, 16);
			c |= a;
			memcpy(col + x0 + x, &c, 16);
		}
		for (; x < nx; x++)
			col[x0 + x] |= row[x];
	}
	int above = L->top - 3, below = L->bot + 3;
	if (above >= 0 && below < h)
		for (int x = x0; x <= x1; x++)
			col[x] &= (unsigned char)!(ink[(size_t)above * w + x] & ink[(size_t)below * w + x]);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Glyph runs of a line: their centres into xs (at most RUNS, LOOSE_RUNS
 * when loose), the median centre-to-centre step, and the line's extent
 * (left/right) taken from the chain of evenly spaced runs around the band's
 * centre, so a card edge or a speck a few pitches beyond the text is left
 * out. Loose (kyc_reader__band_layout_loose): the step is the median of the
 * steps within a glyph's plausible pitch (OCR-B's pitch is about its
 * height: 0.87-1.12 of the line's rows on development seed 4711), or the
 * line's height when blur merged most glyphs, and the chain bridges gaps of
 * up to LOOSE_GAP pitches. Returns the count. */
static int glyph_runs(const unsigned char *col, int x0, int x1, int mid, int loose,
		      struct kyc_reader__line *L, double *xs, double *ws, double *step)
{
	int nx = 0, start = -1, r0[LOOSE_RUNS], r1[LOOSE_RUNS], cap = loose ? LOOSE_RUNS : RUNS;
	L->left = L->right = -1;
	for (int x = x0; x <= x1 + 1 && nx < cap; x++) {
		int on = x <= x1 && col[x];
		if (on && start < 0) {
			start = x;
		} else if (!on && start >= 0) {
			r0[nx] = start;
			r1[nx] = x - 1;
			xs[nx++] = (start + x - 1) / 2.0;
			start = -1;
		}
	}
	*step = 0;
	if (nx < 3)
		return nx;
	if (loose) { /* specks left by glare or desk texture would bridge gaps */
		double wd[LOOSE_RUNS];
		for (int i = 0; i < nx; i++)
			wd[i] = r1[i] - r0[i] + 1;
		qsort(wd, (size_t)nx, sizeof *wd, dbl_cmp);
		double thin = 0.3 * wd[nx / 2];
		int k = 0;
		for (int i = 0; i < nx; i++)
			if (r1[i] - r0[i] + 1 >= thin) {
				r0[k] = r0[i];
				r1[k] = r1[i];
				xs[k++] = xs[i];
			}
		nx = k;
		if (nx < 3)
			return nx;
	}
	double d[LOOSE_RUNS], lh = L->bot - L->top + 1;
	int nd = 0;
	for (int i = 1; i < nx; i++) {
		double g = xs[i] - xs[i - 1];
		if (!loose || (g > 0.7 * lh && g < 1.45 * lh))
			d[nd++] = g;
	}
	if (loose && nd < 4) {
		*step = lh;
	} else {
		qsort(d, (size_t)nd, sizeof *d, dbl_cmp);
		*step = d[(nd - 1) / 2];
	}
	int c = 0;
	for (int i = 1; i < nx; i++)
		if (fabs(xs[i] - mid) < fabs(xs[c] - mid))
			c = i;
	int lo = c, hi = c;
	double maxgap = (loose ? LOOSE_GAP : 2.4) * *step;
	while (lo > 0 && xs[lo] - xs[lo - 1] <= maxgap)
		lo--;
	while (hi < nx - 1 && xs[hi + 1] - xs[hi] <= maxgap)
		hi++;
	/* slivers at the chain's ends are a card edge, desk texture or specks:
	 * the narrowest OCR-B glyph is still half as wide as a typical one */
	double wd[LOOSE_RUNS];
	for (int i = lo; i <= hi; i++)
		wd[i - lo] = r1[i] - r0[i] + 1;
	qsort(wd, (size_t)(hi - lo + 1), sizeof *wd, dbl_cmp);
	double thin = 0.3 * wd[(hi - lo) / 2];
	while (lo < hi && r1[lo] - r0[lo] + 1 < thin)
		lo++;
	while (hi > lo && r1[hi] - r0[hi] + 1 < thin)
		hi--;
	L->left = r0[lo];
	L->right = r1[hi];
	/* keep only the chain's runs */
	for (int i = lo; i <= hi; i++) {
		xs[i - lo] = xs[i];
		ws[i - lo] = r1[i] - r0[i] + 1;
	}
	return hi - lo + 1;
}

/* Text lines near the centre: rows of dense ink as tall as a glyph, evenly
 * spaced, as long as the seed line (which sits at the band's centre). Up to
 * CHAIN of them, top to bottom, into out; *seed_at says which one is the seed.
 * More than 3 when printed text just above or below the MRZ keeps its
 * spacing: the layout picks the lines that fit. The chain grows upwards
 * first, or downwards when down; the first step sets the spacing the other
 * side must keep, so text printed closer above the MRZ than its lines are
 * apart can shut out the MRZ's own line below: *other is set to 1 when the
 * second side's first line was refused for its spacing alone (the other
 * order gives another chain). */
#define CHAIN 5
static int find_lines(const unsigned char *ink, const struct kyc_reader__band *b,
		      double seed_len, int down, struct kyc_reader__line *out, int *seed_at,
		      int *other)
{
	*other = 0;
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
		prof[y] = kyc_reader__count_set(ink + (size_t)y * w + x0, x1 - x0 + 1);
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
	for (int side = 0; side < 2; side++) {
		int dir = (side == 0) == !down ? -1 : 1;
		for (;;) {
			int cur = dir < 0 ? lo : hi, nx = cur + dir;
			if (nx < 0 || nx >= nr || hi - lo + 1 >= CHAIN)
				break;
			double gap = fabs((runs[nx].top + runs[nx].bot) / 2.0 -
					  (runs[cur].top + runs[cur].bot) / 2.0);
			double hr = (double)(runs[nx].bot - runs[nx].top + 1) /
				    (runs[cur].bot - runs[cur].top + 1);
			if (gap < GH * 1.15 || gap > GH * 3.4 || hr < 0.7 || hr > 1.45)
				break;
			/* a further line must keep the spacing of the first ones */
			if (hi > lo) {
				double g0 = (runs[hi].top + runs[hi].bot - runs[lo].top - runs[lo].bot) /
					    2.0 / (hi - lo);
				if (fabs(gap / g0 - 1) > 0.2) {
					*other = side == 1 && cur == seed;
					break;
				}
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
	*seed_at = seed - lo;
	return n;
}

static double ncorr(const double *q, int n, int lag)
{
	double sxy = 0, sxx = 0, syy = 0;
	for (int x = 0; x + lag < n; x++) {
		sxy += q[x] * q[x + lag];
		sxx += q[x] * q[x];
		syy += q[x + lag] * q[x + lag];
	}
	return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

/* Loose: the pitch of line L over its extent from the gray band, not the
 * runs (blur merges glyphs into runs whose steps say little): the lag of a
 * plausible pitch (0.7-1.45 line heights) at which the ink profile along
 * the line, less a running mean, best repeats, refined on its fourth
 * multiple for a fraction of a pixel. fallback when the line is too short
 * or the profile does not repeat. */
static double gray_pitch(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			 double fallback)
{
	double lh = L->bot - L->top + 1;
	int lo = (int)(0.7 * lh), hi = (int)(1.45 * lh) + 1, n = L->right - L->left + 1;
	if (lo < 2 || n < 8 * hi)
		return fallback;
	double *p = malloc(sizeof(double) * (size_t)(2 * n + 1)), *q = p ? p + n + 1 : NULL;
	if (!p)
		return fallback;
	p[0] = 0; /* prefix sums of the column darkness */
	for (int x = 0; x < n; x++) {
		double d = 0;
		for (int y = L->top; y <= L->bot; y++)
			d += 255 - b->px[(size_t)y * b->w + L->left + x];
		p[x + 1] = p[x] + d;
	}
	for (int x = 0; x < n; x++) {
		int a = x - hi < 0 ? 0 : x - hi, e = x + hi + 1 > n ? n : x + hi + 1;
		q[x] = (p[x + 1] - p[x]) - (p[e] - p[a]) / (e - a);
	}
	double best = 0.2, pitch = fallback;
	int t0 = 0;
	for (int t = lo; t <= hi; t++) {
		double r = ncorr(q, n, t);
		if (r > best) {
			best = r;
			t0 = t;
		}
	}
	if (t0) {
		int k = 4 * t0 + 5 < n / 2 ? 4 : 1, tk = k * t0;
		double rk = ncorr(q, n, tk);
		for (int t = k * t0 - k; t <= k * t0 + k; t++) {
			double r = ncorr(q, n, t);
			if (r > rk) {
				rk = r;
				tk = t;
			}
		}
		double rm = ncorr(q, n, tk - 1), rp = ncorr(q, n, tk + 1), den = rm - 2 * rk + rp;
		pitch = (tk + (den < 0 ? 0.5 * (rm - rp) / den : 0)) / k;
	}
	free(p);
	return pitch;
}

/* The 2-3 MRZ lines and their grids in a binarised band: of the chain of
 * evenly spaced lines around the seed, the 3 (TD1, 30 cells) or 2 (36 or 44
 * cells) consecutive ones holding the seed whose grids fit best. 0,
 * KYC_ERR_NOTFOUND or KYC_ERR_NOMEM. col (w) and xs (2*CHAIN*LOOSE_RUNS)
 * are scratch. Loose: the runs are looked for over the whole band and laid
 * out as kyc_reader__walk_fit's loose mode says, and lay is KYC_READER__LOOSE_LAYOUTS
 * long: the best fit of each format (30, 36, 44 cells) that fits, best
 * first, lay->cells saying how many cells of each line the runs span (a
 * line short of its count fits 36 cells as well as 44: only the check
 * digits can choose). */
static int layout_from_chain(const unsigned char *ink, const struct kyc_reader__band *b,
			     double seed_len, int loose, int down, int *other, unsigned char *col,
			     double *xs, struct kyc_reader__layout *lay)
{
	int w = b->w, h = b->h, seed = 0, margins = loose & MARGINS, trim = loose & TRIM;
	int side = (loose & TRIM_RIGHT) != 0;
	loose &= LOOSE;
	struct kyc_reader__line ln[CHAIN];
	int nc = find_lines(ink, b, seed_len, down, ln, &seed, other);
	if (nc < 0)
		return nc;
	if (nc < 2)
		return KYC_ERR_NOTFOUND;
	int span0 = (int)(w / 2.0 - seed_len / b->s / 2) - 2 * GH;
	int span1 = (int)(w / 2.0 + seed_len / b->s / 2) + 2 * GH;
	if (span0 < 0)
		span0 = 0;
	if (span1 > w - 1)
		span1 = w - 1;
	if (loose) {
		span0 = 2;
		span1 = w - 3;
	}
	int nx[CHAIN];
	double step[CHAIN], *ws = xs + CHAIN * LOOSE_RUNS;
	for (int i = 0; i < nc; i++) {
		glyph_columns(ink, w, h, &ln[i], span0, span1, col);
		nx[i] = glyph_runs(col, span0, span1, w / 2, loose, &ln[i], xs + LOOSE_RUNS * i,
				   ws + LOOSE_RUNS * i, &step[i]);
		if (loose && ln[i].left >= 0)
			step[i] = gray_pitch(b, &ln[i], step[i]);
	}
	/* glyphs up to the span's very end: the line goes on past the
	 * candidate (the quiet zone after an MRZ is wider than a pitch) */
	if (nx[seed] >= 8 && step[seed] > 0) {
		if (ln[seed].right >= span1 - step[seed] / 2 && span1 < w - 1)
			lay->open_end = 1;
		else if (ln[seed].left <= span0 + step[seed] / 2 && span0 > 0)
			lay->open_end = -1;
	}
	static const int two[] = {36, 44}, three[] = {30};
	int n = 0, nl = 0;
	double best = 9; /* mean misfit per line */
	struct kyc_reader__line fit[3];
	int fcells[3] = {0};
	struct kyc_reader__layout per[3] = {{0}}; /* loose: per format, 30/36/44 */
	for (int k = 0; k < 3; k++)
		per[k].fit = 9;
	for (int lines = 3; lines >= 2; lines--) {
		const int *cands = lines == 3 ? three : two;
		int ncand = lines == 3 ? 1 : 2;
		for (int f = seed - lines + 1; f <= seed; f++) {
			if (f < 0 || f + lines > nc)
				continue;
			int ok = 1;
			for (int i = f; i < f + lines; i++)
				ok &= nx[i] >= 10;
			for (int c = 0; c < ncand && ok; c++) {
				double err = 0;
				struct kyc_reader__line tl[3];
				int tc[3];
				memcpy(tl, ln + f, sizeof(tl[0]) * lines);
				double e[3];
				for (int i = 0; i < lines; i++)
					e[i] = kyc_reader__walk_fit(
					    xs + LOOSE_RUNS * (f + i), ws + LOOSE_RUNS * (f + i),
					    nx[f + i], step[f + i], cands[c], loose, &tl[i],
					    &tc[i]);
				if (!loose)
					kyc_reader__refit_to_margin(
					    xs + LOOSE_RUNS * f, ws + LOOSE_RUNS * f, LOOSE_RUNS,
					    nx + f, step + f, lines, cands[c], e, tl, tc);
				if (margins)
					kyc_reader__short_to_margin(
					    xs + LOOSE_RUNS * f, ws + LOOSE_RUNS * f, LOOSE_RUNS,
					    nx + f, lines, cands[c], e, tl, tc);
				lay->over |= !loose && kyc_reader__over_count(nx + f, e, lines, cands[c]);
				if (trim)
					kyc_reader__trim_to_count(
					    xs + LOOSE_RUNS * f, ws + LOOSE_RUNS * f, LOOSE_RUNS,
					    nx + f, step + f, lines, cands[c], side, e, tl, tc);
				for (int i = 0; i < lines; i++) {
					err += e[i];
					lay->one_fits |= e[i] < 0.4;
				}
				int fk = cands[c] == 30 ? 0 : cands[c] == 36 ? 1 : 2;
				if (loose && err / lines < per[fk].fit) {
					per[fk].fit = err / lines;
					per[fk].nlines = lines;
					per[fk].len = cands[c];
					memcpy(per[fk].ln, tl, sizeof(tl[0]) * lines);
					memcpy(per[fk].cells, tc, sizeof(tc[0]) * lines);
				}
				if (err / lines < best) {
					best = err / lines;
					n = cands[c];
					nl = lines;
					memcpy(fit, tl, sizeof(tl[0]) * lines);
					memcpy(fcells, tc, sizeof(tc[0]) * lines);
				}
			}
		}
	}
	if (loose) {
		int no = 0;
		for (int k = 0; k < 3; k++) { /* best first */
			if (per[k].fit > 0.4)
				continue;
			int at = no++;
			while (at > 0 && lay[at - 1].fit > per[k].fit) {
				lay[at] = lay[at - 1];
				at--;
			}
			double sharp = lay[0].sharp;
			lay[at] = per[k];
			lay[0].sharp = sharp;
		}
		return no ? 0 : KYC_ERR_NOTFOUND;
	}
	if (!n || best > 0.4)
		return KYC_ERR_NOTFOUND;
	lay->nlines = nl;
	lay->len = n;
	lay->fit = best;
	memcpy(lay->ln, fit, sizeof(fit[0]) * nl);
	memcpy(lay->cells, fcells, sizeof(fcells[0]) * nl);
	return 0;
}

/* layout_from_chain on the chain of lines grown upwards first and, when
 * that gives no layout and growing downwards first gives another chain,
 * on that one (an MRZ under a paper's closely printed lines). */
static int layout_from_ink(const unsigned char *ink, const struct kyc_reader__band *b,
			   double seed_len, int loose, unsigned char *col, double *xs,
			   struct kyc_reader__layout *lay)
{
	int other = 0;
	int rc = layout_from_chain(ink, b, seed_len, loose, 0, &other, col, xs, lay);
	if (rc == KYC_ERR_NOTFOUND && other)
		rc = layout_from_chain(ink, b, seed_len, loose, 1, &other, col, xs, lay);
	return rc;
}

/* The 2-3 MRZ lines and their grids in band b: binarised by Otsu's
 * threshold on the seed line, then (local) by a local mean when that gives
 * no layout, loose or not (layout_from_ink; lay is then
 * KYC_READER__LOOSE_LAYOUTS long). 0, KYC_ERR_NOTFOUND or KYC_ERR_NOMEM;
 * lay->sharp is set in every case. */
static int layout(const struct kyc_reader__band *b, double seed_len, int local, int loose,
		  struct kyc_reader__layout *lay)
{
	int w = b->w, h = b->h, rc = KYC_ERR_NOMEM;
	memset(lay, 0, sizeof *lay * (loose & LOOSE ? KYC_READER__LOOSE_LAYOUTS : 1));
	unsigned char *ink = malloc((size_t)w * h), *col = malloc((size_t)w);
	double *xs = malloc(sizeof(double) * 2 * CHAIN * LOOSE_RUNS);
	uint32_t *ii = NULL;
	if (!ink || !col || !xs)
		goto out;
	/* threshold from the rows and the extent of the seed line, so clutter
	 * above and below and a dark desk beside the document do not pull it */
	unsigned hist[256] = {0}, total = 0;
	int y0 = h / 2 - GH < 0 ? 0 : h / 2 - GH, y1 = h / 2 + GH > h ? h : h / 2 + GH;
	int sx0 = (int)(w / 2.0 - seed_len / b->s / 2), sx1 = (int)(w / 2.0 + seed_len / b->s / 2);
	if (sx0 < 0)
		sx0 = 0;
	if (sx1 > w)
		sx1 = w;
	for (int y = y0; y < y1; y++)
		for (int x = sx0; x < sx1; x++) {
			hist[b->px[(size_t)y * w + x]]++;
			total++;
		}
	int t = kyc_reader__otsu(hist, total);
	kyc_reader__threshold(b->px, (size_t)w * h, t, ink);
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

	rc = layout_from_ink(ink, b, seed_len, loose, col, xs, lay);
	if (rc != KYC_ERR_NOTFOUND || !local)
		goto out;
	/* one global threshold failed: try a local one */
	ii = malloc(sizeof(uint32_t) * (2 * (size_t)w + 1));
	if (!ii) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* darker than the mean of a window about two glyphs wide by a tenth of
	 * it: a shadow, a glare band or a dark desk inside the band */
	kyc_reader__ink_local(b->px, w, h, ii, GH, 10, 6, ink);
	rc = layout_from_ink(ink, b, seed_len, loose, col, xs, lay);
out:
	free(ink);
	free(col);
	free(xs);
	free(ii);
	return rc;
}

int kyc_reader__band_layout(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    int flip, struct kyc_reader__band *b, struct kyc_reader__layout *lay)
{
	int rc = kyc_reader__rectify(img, c, flip, b);
	if (rc)
		return rc;
	/* the band as photographed first, by one threshold; when no layout comes
	 * out, the band flattened, which takes away shadows, glare slopes and the
	 * desk beside the card (but leaves the desk's texture looking like ink,
	 * hence not first), by one threshold and then by a local one. The
	 * cells are read on the flattened band either way. */
	rc = layout(b, c->len, 0, 0, lay);
	int open = lay->open_end, fits = lay->one_fits, over = lay->over;
	if (rc == 0 || rc == KYC_ERR_NOTFOUND) {
		int found = rc == 0;
		rc = kyc_reader__flatten(b);
		if (rc == 0 && !found) {
			rc = layout(b, c->len, 1, 0, lay);
			lay->open_end = open ? open : lay->open_end;
			lay->one_fits |= fits;
			lay->over |= over;
		}
	}
	if (rc != 0 && rc != KYC_ERR_NOTFOUND) {
		free(b->px);
		b->px = NULL;
	}
	return rc;
}

/* The layout of c's flattened band in mode (MARGINS, TRIM, TRIM_RIGHT). */
static int band_layout_mode(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    int flip, int mode, struct kyc_reader__band *b,
			    struct kyc_reader__layout *lay)
{
	int rc = kyc_reader__rectify(img, c, flip, b);
	if (rc == 0) /* the cells are read on the flattened band anyway */
		rc = kyc_reader__flatten(b);
	if (rc == 0)
		rc = layout(b, c->len, 1, mode, lay);
	if (rc != 0 && rc != KYC_ERR_NOTFOUND) {
		free(b->px);
		b->px = NULL;
	}
	return rc;
}

int kyc_reader__band_layout_margins(const struct kyc_image *img, const struct kyc_reader__cand *c,
				    int flip, struct kyc_reader__band *b,
				    struct kyc_reader__layout *lay)
{
	return band_layout_mode(img, c, flip, MARGINS, b, lay);
}

int kyc_reader__band_layout_trimmed(const struct kyc_image *img, const struct kyc_reader__cand *c,
				    int flip, int side, struct kyc_reader__band *b,
				    struct kyc_reader__layout *lay)
{
	return band_layout_mode(img, c, flip, side ? TRIM | TRIM_RIGHT : TRIM, b, lay);
}

/* The loose layout on the band of e, the threshold taken on the seed's
 * own extent (seed_len, at the band's centre). */
static int loose_band(const struct kyc_image *img, const struct kyc_reader__cand *e,
		      double seed_len, struct kyc_reader__band *b,
		      struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS])
{
	memset(lay, 0, sizeof(lay[0]) * KYC_READER__LOOSE_LAYOUTS);
	int rc = kyc_reader__rectify(img, e, 0, b);
	if (rc)
		return rc;
	/* flattened, by Otsu's threshold only: the local mean over a band this
	 * long cost photos without an MRZ more than it gained (none, on the
	 * development seeds' hardest classes) */
	rc = kyc_reader__flatten(b);
	if (rc == 0)
		rc = layout(b, seed_len, 0, 1, lay);
	if (rc != 0 && rc != KYC_ERR_NOTFOUND) {
		free(b->px);
		b->px = NULL;
	}
	return rc;
}

int kyc_reader__band_layout_loose(const struct kyc_image *img, const struct kyc_reader__cand *c,
				  struct kyc_reader__band *b,
				  struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS])
{
	/* long enough for a 44-cell line (a pitch about its height, 1.15 at
	 * most) holding the candidate anywhere along it */
	struct kyc_reader__cand e = *c;
	double mrz = 44 * 1.15 * c->thick;
	if (mrz > c->len)
		e.len = 2 * mrz - c->len;
	return loose_band(img, &e, c->len, b, lay);
}

int kyc_reader__band_layout_loose_at(const struct kyc_image *img, const struct kyc_reader__cand *c,
				     struct kyc_reader__band *b,
				     struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS])
{
	return loose_band(img, c, c->len, b, lay);
}

int kyc_reader__band_layout_longer(const struct kyc_image *img, const struct kyc_reader__cand *c,
				   int open, int flip, struct kyc_reader__band *b,
				   struct kyc_reader__layout *lay)
{
	/* twice as long, reaching a whole candidate's length past the end the
	 * glyphs ran into */
	struct kyc_reader__cand e = *c;
	double ux = c->ux, uy = c->uy;
	if (ux < 0 || (ux == 0 && uy < 0)) { /* the band's own way (kyc_reader__rectify_at) */
		ux = -ux;
		uy = -uy;
	}
	if (flip)
		open = -open;
	e.cx += open * 0.5 * c->len * ux;
	e.cy += open * 0.5 * c->len * uy;
	e.len = 2 * c->len;
	return kyc_reader__band_layout(img, &e, flip, b, lay);
}

int kyc_reader__band_layout_again(const struct kyc_reader__band *b, double seed_len,
				  struct kyc_reader__layout *lay)
{
	return layout(b, seed_len, 1, 0, lay);
}
