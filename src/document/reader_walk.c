/* The cell grid of one MRZ line from its glyph runs (docs/reader.md, step
 * 9): the walk along the runs, the least-squares grid, and a line walked
 * again inside the margins of the lines that fit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "document/reader.h"

/* runs of a line walked again inside the margins: as many as a line's
 * glyph runs in a band (RUNS in reader_layout.c) */
#define WALK_RUNS 128
/* runs a line walked again may leave outside the margins */
#define REFIT_MAX_CUT 4
/* the mean distance, in pitches, of a line cut short's runs from the cells
 * of the grid it borrows: a line at another pitch averages about 0.25 */
#define SHORT_MAX_DEV 0.15

/* Least squares x = a + b*i + c*i^2 over np points; 0 or -1 when singular. */
static int quad_fit(const double *fi, const double *fx, int np, double *a, double *b, double *c)
{
	double m = 0;
	for (int k = 0; k < np; k++)
		m += fi[k];
	m /= np; /* centred indices keep the normal equations well conditioned */
	double s[5] = {0}, t[3] = {0};
	for (int k = 0; k < np; k++) {
		double u = fi[k] - m, p = 1;
		for (int e = 0; e < 5; e++, p *= u)
			s[e] += p;
		t[0] += fx[k];
		t[1] += fx[k] * u;
		t[2] += fx[k] * u * u;
	}
	double M[3][3] = {{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}};
	double det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
	             M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
	             M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
	if (fabs(det) < 1e-9)
		return -1;
	double r[3];
	for (int col = 0; col < 3; col++) { /* Cramer's rule */
		double N[3][3];
		memcpy(N, M, sizeof N);
		for (int row = 0; row < 3; row++)
			N[row][col] = t[row];
		r[col] = (N[0][0] * (N[1][1] * N[2][2] - N[1][2] * N[2][1]) -
		          N[0][1] * (N[1][0] * N[2][2] - N[1][2] * N[2][0]) +
		          N[0][2] * (N[1][0] * N[2][1] - N[1][1] * N[2][0])) /
		         det;
	}
	*c = r[2];
	*b = r[1] - 2 * r[2] * m;
	*a = r[0] - r[1] * m + r[2] * m * m;
	return 0;
}

/* Least squares x = a + b*i over np points (c = 0); 0 or -1 when singular. */
static int lin_fit(const double *fi, const double *fx, int np, double *a, double *b, double *c)
{
	double si = 0, sx = 0, sii = 0, six = 0;
	for (int k = 0; k < np; k++) {
		si += fi[k];
		sx += fx[k];
		sii += fi[k] * fi[k];
		six += fi[k] * fx[k];
	}
	double det = np * sii - si * si;
	if (fabs(det) < 1e-9)
		return -1;
	*b = (np * six - si * sx) / det;
	*a = (sx - *b * si) / np;
	*c = 0;
	return 0;
}

/* Lays n cells on a line's glyph runs. Runs as wide as several cells
 * (touching glyphs) are split evenly; then the runs are walked left to right,
 * each step advancing round(gap / pitch) cells with the pitch tracked as it
 * goes, so a pitch that changes along the line (perspective) does not lose
 * count. The walk must end on cell n-1 (a stray run at either end may be
 * dropped); the grid is then a quadratic least-squares fit of centre against
 * cell index. Returns the mean misfit in pitches (lower is better), or 9 and
 * more when the count does not fit; *cells is how many cells the runs span.
 * Loose: runs of any width are split (blur merges a line's fillers into one
 * run), and a walk ending short, on at least half the cells, is laid from
 * its left end (cells past the last run washed out by glare: the reader
 * tries the grid from either end, reader.c), linearly when the runs cover
 * less than three quarters of the line (a quadratic does not extrapolate). */
double kyc_reader__walk_fit(const double *xs, const double *ws, int nx, double step, int n,
                            int loose, struct kyc_reader__line *L, int *cells)
{
	double cx[256], fi[256], fx[256];
	int m = 0, idx[256];
	*cells = 0;
	if (nx < n / 3 || step < 2)
		return 9;
	for (int k = 0; k < nx && m < 256; k++) {
		int c = (int)lround(ws[k] / step);
		if (c > 1 && ws[k] > 1.3 * step && (c <= 4 || (loose && c <= n))) {
			for (int j = 0; j < c && m < 256; j++)
				cx[m++] = xs[k] - ws[k] / 2 + (j + 0.5) * ws[k] / c;
		} else {
			cx[m++] = xs[k];
		}
	}
	if (m < 1)
		return 9;
	double sl = step, last = cx[0];
	int np = 1, cur = 0;
	idx[0] = 0;
	fx[0] = cx[0];
	for (int k = 1; k < m; k++) {
		double g = cx[k] - last;
		int di = (int)floor(g / sl + 0.35);
		if (loose && di > 1) /* a long gap: the nearest count */
			di = (int)lround(g / sl);
		if (di < 1)
			continue; /* a speck or a glyph broken in two */
		if (di == 1)
			sl = 0.8 * sl + 0.2 * g;
		cur += di;
		last = cx[k];
		idx[np] = cur;
		fx[np++] = cx[k];
	}
	int extra = cur - (n - 1), shortfall = 0;
	if (loose && extra < 0 && 2 * (cur + 1) >= n) {
		shortfall = -extra;
		extra = 0;
	}
	/* loose: more than a line's worth when the chain took in specks or
	 * text beyond a washed-out gap; the window explaining most runs wins */
	if (extra < 0 || extra > (loose ? n : 2))
		return 9 + abs(extra);
	*cells = n - shortfall;
	double best = 9;
	for (int t = 0; t <= extra; t++) { /* drop t cells' worth at the left */
		int q = 0;
		for (int k = 0; k < np; k++)
			if (idx[k] >= t && idx[k] < t + n) {
				fi[q] = idx[k] - t;
				cx[q++] = fx[k];
			}
		double a, b, c;
		if (q < n / 3 || quad_fit(fi, cx, q, &a, &b, &c) != 0 || b < 2)
			continue;
		if (4 * (n - shortfall) < 3 * n && (lin_fit(fi, cx, q, &a, &b, &c) != 0 || b < 2))
			continue;
		double dev = 0;
		for (int k = 0; k < q; k++)
			dev += fabs(cx[k] - (a + b * fi[k] + c * fi[k] * fi[k]));
		/* a real grid explains every run; the penalty is for dropped ones */
		double err = dev / q / b + (double)(np - q) / np + (extra || shortfall ? 0.1 : 0);
		if (err < best) {
			best = err;
			L->a = a;
			L->p = b;
			L->q = c;
		}
	}
	return best;
}

/* The line that fits its count best (misfit under 0.4), or -1. */
static int fitting_line(const double *e, int lines)
{
	int g = -1;
	for (int i = 0; i < lines; i++)
		if (e[i] < 0.4 && (g < 0 || e[i] < e[g]))
			g = i;
	return g;
}

/* Half a pitch and a little beyond the fitting line's end cells: its own
 * grid ends on glyph centres, and the other line's glyphs sit under them. */
void kyc_reader__refit_to_margin(const double *xs, const double *ws, int stride, const int *nx,
                                 const double *step, int lines, int n, double *e,
                                 struct kyc_reader__line *tl, int *tc)
{
	int g = fitting_line(e, lines);
	if (g < 0)
		return;
	/* the margins only when every line that fits keeps them: one a cell
	 * off says a line took in a corner on one side and lost a glyph on
	 * the other, and which margin is right is not known */
	for (int i = 0; i < lines; i++)
		if (e[i] < 0.4 &&
		    (fabs(kyc_reader__cell_x(&tl[i], 0) - kyc_reader__cell_x(&tl[g], 0)) >
		         0.5 * kyc_reader__cell_pitch(&tl[g], 0) ||
		     fabs(kyc_reader__cell_x(&tl[i], n - 1) - kyc_reader__cell_x(&tl[g], n - 1)) >
		         0.5 * kyc_reader__cell_pitch(&tl[g], n - 1)))
			return;
	double pg = kyc_reader__cell_pitch(&tl[g], 0), pe = kyc_reader__cell_pitch(&tl[g], n - 1);
	double lo = kyc_reader__cell_x(&tl[g], 0) - 0.6 * pg;
	double hi = kyc_reader__cell_x(&tl[g], n - 1) + 0.6 * pe;
	for (int i = 0; i < lines; i++) {
		if (e[i] < 9)
			continue;
		double cx[WALK_RUNS], cw[WALK_RUNS];
		int m = 0;
		const double *x = xs + (size_t)stride * i, *w = ws + (size_t)stride * i;
		for (int k = 0; k < nx[i] && m < WALK_RUNS; k++)
			if (x[k] >= lo && x[k] <= hi) {
				cx[m] = x[k];
				cw[m++] = w[k];
			}
		/* a corner and a glyph or two of print beyond it, no more: a
		 * 44-cell line cut to a 36-cell one's grid (its fillers washed
		 * out) would hold every check digit of the shorter format */
		if (m == nx[i] || nx[i] - m > REFIT_MAX_CUT || m < n / 2)
			continue;
		struct kyc_reader__line L = tl[i];
		int cells;
		double r = kyc_reader__walk_fit(cx, cw, m, step[i], n, 0, &L, &cells);
		if (r < 0.4) {
			L.left = (int)(cx[0] - cw[0] / 2);
			L.right = (int)(cx[m - 1] + cw[m - 1] / 2 + 0.5);
			tl[i] = L;
			tc[i] = cells;
			e[i] = r;
		}
	}
}

void kyc_reader__short_to_margin(const double *xs, const double *ws, int stride, const int *nx,
                                 int lines, int n, double *e, struct kyc_reader__line *tl,
                                 int *tc)
{
	int g = fitting_line(e, lines);
	if (g < 0)
		return;
	const struct kyc_reader__line *G = &tl[g];
	double lo = kyc_reader__cell_x(G, 0) - 0.6 * kyc_reader__cell_pitch(G, 0);
	double hi = kyc_reader__cell_x(G, n - 1) + 0.6 * kyc_reader__cell_pitch(G, n - 1);
	for (int i = 0; i < lines; i++) {
		if (e[i] < 9)
			continue;
		const double *x = xs + (size_t)stride * i, *w = ws + (size_t)stride * i;
		double dev = 0;
		int covered = 0, next = 0, used = 0, k;
		for (k = 0; k < nx[i]; k++) {
			if (x[k] < lo || x[k] > hi)
				break; /* ink past the margins: not a line cut short */
			/* the cell under the run's left glyph, by the grid's own
			 * index (two steps of the quadratic's inverse) */
			double p = kyc_reader__cell_pitch(G, 0), x0 = x[k] - w[k] / 2;
			int c = (int)lround(w[k] / p);
			c = c < 1 ? 1 : c;
			double j = (x0 + p / 2 - G->a) / G->p;
			j = (x0 + p / 2 - G->a - G->q * j * j) / G->p;
			j = (x0 + p / 2 - G->a - G->q * j * j) / G->p;
			int j0 = (int)lround(j);
			if (j0 < next)
				continue; /* a glyph broken in two, a speck */
			next = j0 + c;
			used++;
			/* a run of c glyphs is centred on the middle of its cells */
			double mid =
			    (kyc_reader__cell_x(G, j0) + kyc_reader__cell_x(G, j0 + c - 1)) / 2;
			dev += fabs(x[k] - mid) / kyc_reader__cell_pitch(G, j0);
			covered += c;
		}
		/* every run inside the margins and on the grid, and at least half
		 * the line's cells: the rest washed or blurred out of the chain */
		if (k < nx[i] || used < 1 || 2 * covered < n || dev / used > SHORT_MAX_DEV)
			continue;
		struct kyc_reader__line L = *G;
		L.top = tl[i].top;
		L.bot = tl[i].bot;
		tl[i] = L;
		tc[i] = n;
		e[i] = dev / used + 0.1; /* a grid borrowed, not found */
	}
}
