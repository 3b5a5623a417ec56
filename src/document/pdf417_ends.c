/* Where a blurred PDF417 lies in a region of a photo (pdf417_ends.h). */
#include "document/pdf417_ends.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/card.h"

/* The symbol's bars and ends in the region's warp. */
struct sym_ends {
	double xa, xs, u;      /* start bar's left edge, stop bar's left edge, module px */
	double thr;            /* ink from paper */
	double top[2], bot[2]; /* the symbol's top and bottom at xa and at xs */
};

/* The dark runs of p (under thr): sub-pixel left and right edges. */
struct run {
	double l, r;
};

static int dark_runs(const double *p, int n, double thr, struct run *out, int max)
{
	int k = 0;
	for (int x = 0; x < n && k < max; x++) {
		if (p[x] >= thr)
			continue;
		int e = x;
		while (e < n && p[e] < thr)
			e++;
		out[k].l = x > 0 ? x - 1 + (p[x - 1] - thr) / (p[x - 1] - p[x] + 1e-9) : x;
		out[k].r = e < n ? e - 1 + (p[e - 1] - thr) / (p[e - 1] - p[e] - 1e-9) : e;
		k++;
		x = e;
	}
	return k;
}

/* The mean of p over [a, b), or 0 when that is not all inside it. */
static double span_mean(const double *p, int n, double a, double b)
{
	int i0 = (int)ceil(a), i1 = (int)ceil(b);
	if (i0 < 0 || i1 > n || i1 <= i0)
		return 0;
	double s = 0;
	for (int i = i0; i < i1; i++)
		s += p[i];
	return s / (i1 - i0);
}

/* First x moving from `from` by dir (±1) where p drops under thr, as a
 * sub-pixel crossing; -1 if no dark run of at least min_run pixels. */
static double dark_edge(const double *p, int n, int from, int dir, double thr, int min_run)
{
	for (int x = from; x >= 0 && x < n; x += dir) {
		if (p[x] >= thr)
			continue;
		int e = x;
		while (e >= 0 && e < n && p[e] < thr)
			e += dir;
		if ((e - x) * dir >= min_run) {
			int prev = x - dir;
			if (prev < 0 || prev >= n)
				return x;
			double f = (p[prev] - thr) / (p[prev] - p[x] + 1e-9);
			return prev + dir * f;
		}
		x = e - dir;
	}
	return -1;
}

double kyc_pdf417__col_mean(const unsigned char *g, int w, int h, int stride, int x, double y0,
                            double y1)
{
	int a = (int)ceil(y0), b = (int)floor(y1);
	a = a < 0 ? 0 : a, b = b >= h ? h - 1 : b;
	if (x < 0 || x >= w || b < a)
		return 255;
	double s = 0;
	for (int y = a; y <= b; y++)
		s += g[(size_t)y * (size_t)stride + (size_t)x];
	return s / (b - a + 1);
}

/* A bar's top and bottom (its columns [x0, x1) averaged), by the crossing
 * of the half way between its ink and the paper above and below. */
static int bar_ends(const unsigned char *g, int w, int h, int stride, int x0, int x1, double *top,
                    double *bot)
{
	double *v = malloc((size_t)h * sizeof *v), lo = 255, hi = 0;
	if (!v)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < h; y++) {
		double s = 0;
		int n = 0;
		for (int x = x0; x < x1; x++)
			if (x >= 0 && x < w)
				s += g[(size_t)y * (size_t)stride + (size_t)x], n++;
		v[y] = n ? s / n : 255;
		lo = fmin(lo, v[y]), hi = fmax(hi, v[y]);
	}
	double thr = (lo + hi) / 2;
	*top = dark_edge(v, h, 0, 1, thr, h / 4);
	*bot = dark_edge(v, h, h - 1, -1, thr, h / 4);
	free(v);
	return *top < 0 || *bot < 0 || *bot - *top < 10 ? KYC_ERR_NOTFOUND : 0;
}

/* The symbol's start and stop bars (their left edges) and ends, with the
 * module taken as mod_px. */
static int find_ends(const unsigned char *g, int w, int h, int stride, double mod_px, double u_max,
                     struct sym_ends *G)
{
	double *col = malloc((size_t)w * sizeof *col), lo = 255, hi = 0;
	if (!col)
		return KYC_ERR_NOMEM;
	for (int x = 0; x < w; x++) {
		col[x] = kyc_pdf417__col_mean(g, w, h, stride, x, h / 4.0, 3 * h / 4.0);
		lo = fmin(lo, col[x]), hi = fmax(hi, col[x]);
	}
	/* the start bar: the first dark run from the left of about 8 modules
	 * (up to 15 where blur joins the six one-module bars and spaces after
	 * it into one grey under the threshold, seed 1234567 #83) with paper before
	 * it, not the desk's wider dark; the stop bar: the last of about 7 */
	double thr = (lo + hi) / 2, u_est = mod_px;
	struct run runs[256];
	int n = hi - lo < 40 ? 0 : dark_runs(col, w, thr, runs, 256);
	G->xa = G->xs = -1;
	for (int i = 0; i < n && G->xa < 0; i++) {
		double wd = runs[i].r - runs[i].l;
		if (wd <= 5 * u_est ||
		    span_mean(col, w, runs[i].l - 2.5 * u_est, runs[i].l - 0.5 * u_est) <= thr)
			continue;
		/* one too wide for this module, but not for the largest that
		 * locate tries, is the start bar at another scale: a codeword's
		 * bar after it must not be taken for it */
		if (wd >= 15.5 * u_est && wd < 15.5 * u_max)
			break;
		if (wd < 15.5 * u_est)
			G->xa = runs[i].l;
	}
	/* the stop pattern is 18 modules, then paper */
	for (int i = n - 1; i >= 0 && G->xs < 0; i--) {
		double wd = runs[i].r - runs[i].l;
		if (wd > 4 * u_est && wd < 10.5 * u_est && runs[i].l > G->xa + 80 * u_est &&
		    span_mean(col, w, runs[i].l + 18.5 * u_est, runs[i].l + 20.5 * u_est) > thr)
			G->xs = runs[i].l;
	}
	free(col);
	if (G->xa < 0 || G->xs < 0)
		return KYC_ERR_NOTFOUND;
	G->u = u_est;
	int rc = bar_ends(g, w, h, stride, (int)(G->xa + 1.5 * G->u), (int)(G->xa + 6.5 * G->u),
	                  &G->top[0], &G->bot[0]);
	if (!rc)
		rc = bar_ends(g, w, h, stride, (int)(G->xs + 1.5 * G->u), (int)(G->xs + 5.5 * G->u),
		              &G->top[1], &G->bot[1]);
	G->thr = thr;
	return rc;
}

/* The left edge of the dark bar holding x (inside it) in g's rows [y0, y1]. */
static double bar_left(const unsigned char *g, int w, int h, int stride, double x, double y0,
                       double y1, double thr)
{
	int xi = (int)x;
	double prev = kyc_pdf417__col_mean(g, w, h, stride, xi, y0, y1), cur = prev;
	while (xi > 0 && cur < thr)
		prev = cur, cur = kyc_pdf417__col_mean(g, w, h, stride, --xi, y0, y1);
	return cur < thr ? -1 : xi + (cur - thr) / (cur - prev + 1e-9);
}

/* The symbol's corners in the warp g (TL, TR, BR, BL): the start bar's
 * left edge and the stop bar's, each measured in the upper and the lower
 * half and carried to the bars' ends. Module 0 and W - 18 across, the
 * symbol's top and bottom down. */
static int corners(const unsigned char *g, int w, int h, int stride, const struct sym_ends *G,
                   double q[4][2])
{
	for (int k = 0; k < 2; k++) {
		double x = (k ? G->xs : G->xa) + 2 * G->u, t = G->top[k], H = G->bot[k] - t;
		double ya = t + 0.25 * H, yb = t + 0.75 * H;
		double xa = bar_left(g, w, h, stride, x, t + 0.1 * H, t + 0.4 * H, G->thr);
		double xb = bar_left(g, w, h, stride, x, t + 0.6 * H, t + 0.9 * H, G->thr);
		if (xa < 0 || xb < 0 || fabs(xa - xb) > 4 * G->u)
			return KYC_ERR_NOTFOUND;
		double slope = (xb - xa) / (yb - ya);
		/* TL, BL for the start bar; TR, BR for the stop bar */
		q[k ? 1 : 0][0] = xa + (t - ya) * slope, q[k ? 1 : 0][1] = t;
		q[k ? 2 : 3][0] = xa + (G->bot[k] - ya) * slope, q[k ? 2 : 3][1] = G->bot[k];
	}
	return 0;
}

/* A point (x, y) of the w x h warp of quad, in the photo. */
static void to_photo(const double quad[4][2], int w, int h, const double p[2], double out[2])
{
	double s = (p[0] + 0.5) / w, t = (p[1] + 0.5) / h, q[4][2];
	kyc_card_quad_sub(quad, s, t, s, t, q);
	out[0] = q[0][0], out[1] = q[0][1];
}

/* g (w x h) divided by the paper's level around each pixel, scaled back to
 * 0..255: the level is the brightest pixel within about r pixels (cells of
 * r / 2, the brightest of each, their maximum over the cells within r),
 * averaged over the same cells and interpolated between their centres. In
 * a PDF417 no pixel is farther than a few modules from a space, so with r
 * of ten modules the level is the paper's under a shadow as beside it.
 * 0 or KYC_ERR_NOMEM. */
static int flatten(unsigned char *g, int w, int h, double r)
{
	int c = (int)fmax(4, r / 2), k = 2, gw = (w + c - 1) / c, gh = (h + c - 1) / c, rc = 0;
	double *mx = calloc((size_t)gw * (size_t)gh, sizeof *mx);
	double *dl = malloc((size_t)gw * (size_t)gh * sizeof *dl);
	double *bg = malloc((size_t)gw * (size_t)gh * sizeof *bg);
	if (!mx || !dl || !bg) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double *m = &mx[(size_t)(y / c) * (size_t)gw + (size_t)(x / c)];
			*m = fmax(*m, g[(size_t)y * (size_t)w + (size_t)x]);
		}
	/* the brightest within k cells, then its mean over as many */
	for (int pass = 0; pass < 2; pass++) {
		const double *in = pass ? dl : mx;
		double *o = pass ? bg : dl;
		for (int cy = 0; cy < gh; cy++)
			for (int cx = 0; cx < gw; cx++) {
				double v = 0;
				int n = 0;
				for (int y = cy - k; y <= cy + k; y++)
					for (int x = cx - k; x <= cx + k; x++)
						if (x >= 0 && y >= 0 && x < gw && y < gh) {
							double e =
							    in[(size_t)y * (size_t)gw + (size_t)x];
							v = pass ? v + e : fmax(v, e), n++;
						}
				o[(size_t)cy * (size_t)gw + (size_t)cx] = pass ? v / n : v;
			}
	}
	for (int y = 0; y < h; y++) {
		double fy = fmin(fmax((y + 0.5) / c - 0.5, 0), gh - 1);
		int y0 = (int)fy, y1 = y0 + 1 < gh ? y0 + 1 : y0;
		for (int x = 0; x < w; x++) {
			double fx = fmin(fmax((x + 0.5) / c - 0.5, 0), gw - 1);
			int x0 = (int)fx, x1 = x0 + 1 < gw ? x0 + 1 : x0;
			double a = fx - x0, b = fy - y0;
			double p = (1 - b) * ((1 - a) * bg[(size_t)y0 * (size_t)gw + (size_t)x0] +
			                      a * bg[(size_t)y0 * (size_t)gw + (size_t)x1]) +
			           b * ((1 - a) * bg[(size_t)y1 * (size_t)gw + (size_t)x0] +
			                a * bg[(size_t)y1 * (size_t)gw + (size_t)x1]);
			unsigned char *q = &g[(size_t)y * (size_t)w + (size_t)x];
			*q = p > 1 ? (unsigned char)lround(fmin(255, 255 * *q / p)) : 255;
		}
	}
out:
	free(mx);
	free(dl);
	free(bg);
	return rc;
}

/* Scales of the module tried when the bars are not found at the one given:
 * the module comes from the card finder's quadrilateral, and one a third
 * too large measures it a third too small, so that the bars' widths fall
 * out of their ranges. */
static const double scales[] = {1, 1.25, 0.8, 1.6, 0.65};
#define NSCALES (int)(sizeof scales / sizeof scales[0])
#define SCALE_MAX 1.6

/* The bars and ends found in g (rw x h) at one of the scales, and the
 * corners q; 0 or KYC_ERR_NOTFOUND (KYC_ERR_NOMEM). */
static int find_at_scales(const unsigned char *g, int rw, int h, double mod_px, struct sym_ends *E,
                          double q[4][2])
{
	int rc = KYC_ERR_NOTFOUND;
	for (int k = 0; k < NSCALES && rc == KYC_ERR_NOTFOUND; k++) {
		rc = find_ends(g, rw, h, rw, mod_px * scales[k], mod_px * SCALE_MAX, E);
		if (!rc)
			rc = corners(g, rw, h, rw, E, q);
	}
	return rc;
}

/* Past this slope (pixels across a pixel down) of either bar's left edge
 * in the region's warp, the bars are looked for again between their own
 * lines: a leaning bar averaged down the symbol is smeared across, and its
 * ends are measured in columns it partly leaves (about 3 degrees; seed
 * 9201 #94, whose box the card finder turned 5 degrees off the symbol and
 * whose bars lean apart by perspective). */
#define MAX_SLOPE 0.05
/* The reach of the paper's level under a shadow (flatten), in modules. */
#define FLAT_MODULES 10.0

int kyc_pdf417__locate(const struct kyc_image *img, const double region[4][2], int rw, int rh,
                       double mod_px, int flat, double sym[4][2], double *span, double *hm)
{
	unsigned char *g = malloc((size_t)rw * (size_t)rh);
	if (!g)
		return KYC_ERR_NOMEM;
	double reg[4][2];
	memcpy(reg, region, sizeof reg);
	int rc = KYC_ERR_NOTFOUND;
	double mod = mod_px;
	for (int pass = 0; pass < 2; pass++) {
		kyc_card_warp(img, reg, rw, rh, g);
		struct sym_ends E = {0};
		double q[4][2];
		int r = flat ? flatten(g, rw, rh, FLAT_MODULES * mod) : 0;
		if (!r)
			r = find_at_scales(g, rw, rh, mod, &E, q);
		if (r) {
			rc = r == KYC_ERR_NOMEM ? r : rc;
			break;
		}
		for (int k = 0; k < 4; k++)
			to_photo(reg, rw, rh, q[k], sym[k]);
		*hm = (E.bot[0] - E.top[0] + E.bot[1] - E.top[1]) / 2 / E.u;
		*span = (E.xs - E.xa) / E.u;
		rc = 0;
		double slope = (q[3][0] - q[0][0]) / (q[3][1] - q[0][1] + 1e-9);
		double slope_e = (q[2][0] - q[1][0]) / (q[2][1] - q[1][1] + 1e-9);
		if (pass || fmax(fabs(slope), fabs(slope_e)) <= MAX_SLOPE)
			break;
		/* the region taken again between the two bars' lines (a
		 * homography: in its warp both bars stand upright, even when
		 * perspective leans them apart), past the quiet zones, and a
		 * sixth of its height more above and below; the first answer
		 * is kept when this one finds nothing */
		double ml = 6 * E.u, mr = 24 * E.u, y0 = -rh / 6.0, y1 = rh + rh / 6.0, p[2];
		double ys[4] = {y0, y0, y1, y1};
		for (int k = 0; k < 4; k++) {
			int right = k == 1 || k == 2;
			const double *a = q[right ? 1 : 0];
			double sl = right ? slope_e : slope;
			p[0] = a[0] + sl * (ys[k] - a[1]) + (right ? mr : -ml) - 0.5;
			p[1] = ys[k] - 0.5;
			to_photo(region, rw, rh, p, reg[k]);
		}
		/* the module found, in the new warp's pixels */
		mod = E.u * rw / (E.xs - E.xa + ml + mr);
	}
	free(g);
	return rc;
}
