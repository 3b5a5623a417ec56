/* A blurred PDF417 redrawn clean from its known grid (pdf417_grid.h). */
#include "document/pdf417_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/card.h"
#include "document/pdf417_codes.h"
#include "document/pdf417_ends.h"
#include "document/pdf417_match.h"
#include "document/pdf417_soft.h"

#define SPM 4                             /* profile samples a module */
#define CTX 2                             /* context modules either side of a codeword */
#define CW_SAMPLES ((17 + 2 * CTX) * SPM) /* one codeword's samples */
#define MAX_PATTERNS 1500                 /* bar patterns of a cluster (1484 at most) */
#define MARGIN 8                          /* white modules around the redrawn symbol */
#define ROW_MODS 4                        /* a redrawn row's height, modules */

static int soft_enabled = 1;

void kyc_pdf417_grid_set_soft(int on)
{
	soft_enabled = on;
}

static const unsigned char start_el[8] = {8, 1, 1, 1, 1, 1, 1, 3};
static const unsigned char stop_el[9] = {7, 1, 1, 3, 1, 1, 1, 2, 1};
/* Every 17-module pattern of four bars and four spaces of 1 to 6 modules,
 * by cluster (bars b1-b2+b3-b4 mod 9: 0, 3, 6). The standard uses 929 of
 * each cluster's; the others are kept as rivals: a codeword chosen among
 * them is one zxing rejects, which its error correction treats as any
 * other wrong one. */
struct patterns {
	int n[3];
	unsigned char el[3][MAX_PATTERNS][8];
};

static void enumerate(struct patterns *P, unsigned char *e, int depth, int sum)
{
	if (depth == 8) {
		int k = (e[0] - e[2] + e[4] - e[6] + 18) % 9;
		if (sum == 17 && k % 3 == 0 && P->n[k / 3] < MAX_PATTERNS)
			memcpy(P->el[k / 3][P->n[k / 3]++], e, 8);
		return;
	}
	for (int v = 1; v <= 6 && sum + v + (7 - depth) <= 17; v++) {
		e[depth] = (unsigned char)v;
		enumerate(P, e, depth + 1, sum + v);
	}
}

/* Elements (bar first) to module darkness 0/1 into d; returns modules. */
static int modules_of(const unsigned char *el, int n, double *d)
{
	int m = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < el[i]; k++)
			d[m++] = i % 2 == 0;
	return m;
}

/* Samples at SPM a module of n modules of darkness d blurred by a Gaussian
 * of sigma modules (exact for box modules): t[n * SPM]. */
static void blur_samples(const double *d, int n, double sigma, double *t)
{
	for (int j = 0; j < n * SPM; j++) {
		double s = (j + 0.5) / SPM, v = 0;
		int m0 = (int)floor(s - 4 * sigma - 1), m1 = (int)ceil(s + 4 * sigma + 1);
		for (int m = m0 < 0 ? 0 : m0; m < n && m <= m1; m++)
			v += d[m] * 0.5 *
			     (erf((m + 1 - s) / (sigma * M_SQRT2)) -
			      erf((m - s) / (sigma * M_SQRT2)));
		t[j] = v;
	}
}

/* Least-squares fit of p ~ a + b t (b < 0: dark is low): the residual's
 * share of p's variance, 1 when the fit is no better than flat or b >= 0. */
static double fit_residual(const double *p, const double *t, int n)
{
	double sp = 0, st = 0, spp = 0, stt = 0, spt = 0;
	for (int i = 0; i < n; i++)
		sp += p[i], st += t[i], spp += p[i] * p[i], stt += t[i] * t[i], spt += p[i] * t[i];
	double vp = spp - sp * sp / n, vt = stt - st * st / n, cov = spt - sp * st / n;
	if (vp <= 1e-9 || vt <= 1e-9 || cov >= 0)
		return 1;
	return 1 - cov * cov / (vt * vp);
}

/* The profile pr (n values, pixel x0 at index 0) at pixel x, linear. */
static double at(const double *pr, int n, double x)
{
	if (x <= 0)
		return pr[0];
	if (x >= n - 1)
		return pr[n - 1];
	int i = (int)x;
	double f = x - i;
	return pr[i] * (1 - f) + pr[i + 1] * f;
}

/* The fit of a known pattern's modules d[0..nm) at module offset delta:
 * module m at x = x0 + (m + m0 + delta) u in the row profile. */
static double pattern_fit(const double *pr, int n, double x0, double u, int m0, const double *t,
                          int nm, double delta)
{
	double p[64 * SPM];
	for (int j = 0; j < nm * SPM; j++)
		p[j] = at(pr, n, x0 + (m0 + delta + (j + 0.5) / SPM) * u);
	return fit_residual(p, t, nm * SPM);
}

/* The geometry found, and the rows' profiles. */
struct grid {
	double xa, xs, u;      /* start bar's left edge, stop bar's left edge, module px */
	int c, W, R;           /* data columns, modules across, rows */
	double top[2], bot[2]; /* the symbol's top and bottom at xa and at xs */
	int px0, pn;           /* the profiles' first pixel column and length */
	double *prof;          /* R profiles of pn values */
	double *ds, *de;       /* each row's start and stop offsets, modules */
};

static double top_at(const struct grid *G, double x, double t)
{
	double f = (x - G->xa) / (G->xs - G->xa);
	double y0 = G->top[0] + f * (G->top[1] - G->top[0]),
	       y1 = G->bot[0] + f * (G->bot[1] - G->bot[0]);
	return y0 + t * (y1 - y0);
}

/* The column count (try_: the try_-th likeliest) on the symbol warped
 * straight (G's ends and height set), and the module: D = (W - 18) u with
 * W = 17 (c + 4) + 1. The counts whose module is within 20 % of u_est, the
 * likeliest first: a codeword always ends with a space and begins with a
 * bar, so the columns averaged step from light to dark at every 17th
 * module of the right count. */
static int choose_columns(const unsigned char *g, int w, int h, int stride, double u_est, int try_,
                          struct grid *G)
{
	double *col = malloc((size_t)w * sizeof *col), D = G->xs - G->xa, score[31] = {0};
	if (!col)
		return KYC_ERR_NOMEM;
	for (int x = 0; x < w; x++)
		col[x] = kyc_pdf417__col_mean(g, w, h, stride, x, G->top[0], G->bot[0]);
	int order[31], n_c = 0;
	for (int c = 1; c <= 30; c++) {
		double u = D / (17 * (c + 3));
		if (fabs(u / u_est - 1) > 0.2)
			continue;
		for (int j = 1; j <= c + 2; j++)
			score[c] += at(col, w, G->xa + (17 * j - 0.5) * u) -
			            at(col, w, G->xa + (17 * j + 0.5) * u);
		score[c] /= c + 2;
		int i = n_c++;
		for (; i > 0 && score[order[i - 1]] < score[c]; i--)
			order[i] = order[i - 1];
		order[i] = c;
	}
	free(col);
	/* no step up to ink at the codewords' starts: not this count, or the
	 * symbol upside down (its codewords then end with a bar) */
	if (try_ < 0 || try_ >= n_c || try_ >= KYC_PDF417_GRID_COUNTS || score[order[try_]] <= 0)
		return KYC_ERR_NOTFOUND;
	G->c = order[try_];
	G->W = 17 * (G->c + 4) + 1;
	G->u = D / (G->W - 18);
	return 0;
}

/* The rows: the count whose boundaries change most from the line above to
 * the one below, against the middles between them. */
static int count_rows(const unsigned char *g, int h, int stride, struct grid *G)
{
	double H = (G->bot[0] + G->bot[1] - G->top[0] - G->top[1]) / 2, best = 0;
	int r0 = (int)(H / (6 * G->u)), r1 = (int)(H / (2.5 * G->u)) + 1;
	G->R = 0;
	for (int R = r0 < 3 ? 3 : r0; R <= r1 && R <= 90; R++) {
		double eb = 0, em = 0;
		int nb = 0;
		for (int k = 1; k < R; k++)
			for (double x = G->xa + 17 * G->u; x < G->xs - G->u; x += 1) {
				int xi = (int)x;
				for (int half = 0; half < 2; half++) {
					double y = top_at(G, x, (k - 0.5 * half) / R);
					int yi = (int)lround(y);
					if (yi < 1 || yi + 1 >= h)
						continue;
					double d = fabs(
					    (double)
					        g[(size_t)(yi + 1) * (size_t)stride + (size_t)xi] -
					    g[(size_t)(yi - 1) * (size_t)stride + (size_t)xi]);
					if (half)
						em += d;
					else
						eb += d, nb++;
				}
			}
		double s = nb ? (eb - em) / nb : 0;
		if (s > best)
			best = s, G->R = R;
	}
	return G->R ? 0 : KYC_ERR_NOTFOUND;
}

/* Each row's profile: its columns averaged over the middle of its height. */
static int row_profiles(const unsigned char *g, int w, int h, int stride, struct grid *G)
{
	G->px0 = (int)floor(G->xa - 4 * G->u);
	G->pn = (int)ceil(G->xs + 22 * G->u) - G->px0;
	G->prof = malloc((size_t)G->R * (size_t)G->pn * sizeof *G->prof);
	G->ds = calloc((size_t)G->R * 2, sizeof *G->ds);
	if (!G->prof || !G->ds)
		return KYC_ERR_NOMEM;
	G->de = G->ds + G->R;
	for (int r = 0; r < G->R; r++)
		for (int i = 0; i < G->pn; i++) {
			int x = G->px0 + i;
			double y0 = top_at(G, x, (r + 0.2) / G->R),
			       y1 = top_at(G, x, (r + 0.8) / G->R);
			G->prof[(size_t)r * (size_t)G->pn + (size_t)i] =
			    kyc_pdf417__col_mean(g, w, h, stride, x, y0, y1);
		}
	return 0;
}

/* The start and stop patterns with their context (the quiet zone, and the
 * codewords' first bar and last space), blurred by sigma modules. */
struct ends {
	double ts[25 * SPM], te[25 * SPM];
	int ns, ne;
};

static void end_templates(double sigma, struct ends *E)
{
	double d[32];
	int n = 0;
	for (int i = 0; i < 3; i++)
		d[n++] = 0;
	n += modules_of(start_el, 8, d + n);
	d[n++] = 1;
	E->ns = n;
	blur_samples(d, n, sigma, E->ts);
	n = 0;
	d[n++] = 0;
	n += modules_of(stop_el, 9, d + n);
	for (int i = 0; i < 3; i++)
		d[n++] = 0;
	E->ne = n;
	blur_samples(d, n, sigma, E->te);
}

/* Each row's start and stop offsets (modules), fitted and then smoothed by
 * a line over the rows; returns the mean residual. */
static double fit_ends(struct grid *G, const struct ends *E)
{
	double total = 0;
	for (int r = 0; r < G->R; r++) {
		const double *pr = G->prof + (size_t)r * (size_t)G->pn;
		double x0 = G->xa - G->px0, bs = 2, be = 2;
		for (double d = -1.5; d <= 1.5; d += 0.125) {
			double fs = pattern_fit(pr, G->pn, x0, G->u, -3, E->ts, E->ns, d);
			double fe = pattern_fit(pr, G->pn, x0, G->u, G->W - 19, E->te, E->ne, d);
			if (fs < bs)
				bs = fs, G->ds[r] = d;
			if (fe < be)
				be = fe, G->de[r] = d;
		}
		total += bs + be;
	}
	/* a line through each offset over the rows: the rectified card is
	 * nearly straight, and a single row's fit is noisy */
	for (int k = 0; k < 2; k++) {
		double *o = k ? G->de : G->ds, sr = 0, so = 0, srr = 0, sro = 0;
		for (int r = 0; r < G->R; r++)
			sr += r, so += o[r], srr += (double)r * r, sro += r * o[r];
		double den = G->R * srr - sr * sr, b = den > 0 ? (G->R * sro - sr * so) / den : 0;
		double a = (so - b * sr) / G->R;
		for (int r = 0; r < G->R; r++)
			o[r] = a + b * r;
	}
	return total / (2 * G->R);
}

/* Pixel x of module m in row r. */
static double module_x(const struct grid *G, int r, double m)
{
	double s = G->ds[r], e = G->de[r];
	/* module 0 at s, module W - 18 at W - 18 + e */
	return G->xa - G->px0 + (s + m * (1 + (e - s) / (G->W - 18))) * G->u;
}

/* The codeword templates of one cluster at sigma, with their sums; with
 * the codeword table, only the cluster's 929 codewords, each with its
 * value (val[i]; -1 without the table) and its pattern's index in P. */
struct bank {
	int n, *val, *pi;
	double *t, *st, *stt;
};

/* Each codeword sample's share of each module under a blur of sigma
 * modules: wt[j][m], shared by every pattern of every cluster. */
typedef double weights[CW_SAMPLES][17 + 2 * CTX];

static void make_weights(double sigma, weights wt)
{
	double d[17 + 2 * CTX], t[CW_SAMPLES];
	for (int m = 0; m < 17 + 2 * CTX; m++) {
		memset(d, 0, sizeof d);
		d[m] = 1;
		blur_samples(d, 17 + 2 * CTX, sigma, t);
		for (int j = 0; j < CW_SAMPLES; j++)
			wt[j][m] = t[j];
	}
}

/* A pattern's 17 modules as bits, the first the highest. */
static unsigned bits_of(const unsigned char *el)
{
	unsigned b = 0;
	for (int i = 0; i < 8; i++)
		for (int m = 0; m < el[i]; m++)
			b = b << 1 | (i % 2 == 0);
	return b;
}

static int make_bank(const struct patterns *P, int k, weights wt, int table, struct bank *B)
{
	B->t = malloc((size_t)P->n[k] * CW_SAMPLES * sizeof *B->t);
	B->st = malloc((size_t)P->n[k] * 2 * sizeof *B->st);
	B->val = malloc((size_t)P->n[k] * 2 * sizeof *B->val);
	if (!B->t || !B->st || !B->val)
		return KYC_ERR_NOMEM;
	B->pi = B->val + P->n[k];
	/* a pattern that is no codeword can only be a wrong choice */
	B->n = 0;
	for (int i = 0; i < P->n[k]; i++) {
		int v = table ? kyc_pdf417_codeword(bits_of(P->el[k][i])) : -1;
		if (!table || v >= 0)
			B->val[B->n] = v, B->pi[B->n++] = i;
	}
	B->stt = B->st + B->n;
	for (int b = 0; b < B->n; b++) {
		int i = B->pi[b];
		/* context: an unknown module, the last codeword's final space;
		 * the next one's first bar, an unknown module */
		double d[17 + 2 * CTX] = {0.5, 0}, *t = B->t + (size_t)b * CW_SAMPLES;
		modules_of(P->el[k][i], 8, d + CTX);
		d[17 + CTX] = 1, d[18 + CTX] = 0.5;
		double s = 0, ss = 0;
		for (int j = 0; j < CW_SAMPLES; j++) {
			double v = 0;
			for (int m = 0; m < 17 + 2 * CTX; m++)
				v += d[m] * wt[j][m];
			t[j] = v, s += v, ss += v * v;
		}
		B->st[b] = s, B->stt[b] = ss - s * s / CW_SAMPLES;
	}
	return 0;
}

/* The entry of the bank that fits p best (its index), the runner-up's in
 * *second (-1 if none) and the margin between their fits as a share of
 * p's variance in *margin. */
static int best_pattern(const struct bank *B, const double *p, int *second, double *margin)
{
	double sp = 0, spp = 0;
	for (int j = 0; j < CW_SAMPLES; j++)
		sp += p[j], spp += p[j] * p[j];
	int best = 0;
	double bv = -1, sv = -1;
	*second = -1;
	for (int i = 0; i < B->n; i++) {
		const double *t = B->t + (size_t)i * CW_SAMPLES;
		double spt = 0;
		for (int j = 0; j < CW_SAMPLES; j++)
			spt += p[j] * t[j];
		double cov = spt - sp * B->st[i] / CW_SAMPLES;
		if (cov >= 0)
			continue;
		double v = cov * cov / B->stt[i];
		if (v > bv)
			sv = bv, *second = bv >= 0 ? best : -1, bv = v, best = i;
		else if (v > sv)
			sv = v, *second = i;
	}
	double vp = spp - sp * sp / CW_SAMPLES;
	*margin = vp > 1e-9 && bv >= 0 ? (bv - (sv >= 0 ? sv : 0)) / vp : 0;
	return best;
}

static void draw_row(unsigned char *out, int ow, int row, const unsigned char *mods, int W)
{
	for (int y = 0; y < ROW_MODS * KYC_PDF417_GRID_PX; y++) {
		unsigned char *o =
		    out + (size_t)((MARGIN + row * ROW_MODS) * KYC_PDF417_GRID_PX + y) * (size_t)ow;
		for (int m = 0; m < W; m++)
			if (mods[m])
				memset(o + (MARGIN + m) * KYC_PDF417_GRID_PX, 0,
				       KYC_PDF417_GRID_PX);
	}
}

/* The symbol matched codeword by codeword (pdf417_match.h; contrast: its
 * contrast matcher) into val, sec and margin, and corrected into fixed: as
 * kyc_pdf417_soft_correct. */
static int rematch(const struct grid *G, int contrast, int *val, int *sec, double *margin,
                   int *fixed, int *ecl)
{
	double *x0 = malloc((size_t)G->R * 2 * sizeof *x0);
	if (!x0)
		return KYC_ERR_NOMEM;
	double *pitch = x0 + G->R;
	for (int r = 0; r < G->R; r++)
		x0[r] = module_x(G, r, 0), pitch[r] = module_x(G, r, 1) - x0[r];
	struct kyc_pdf417_match_in in = {G->R, G->c, G->pn, G->prof, x0, pitch, contrast};
	int tries, rc = kyc_pdf417_match(&in, val, sec, margin, NULL);
	if (!rc) {
		struct kyc_pdf417_soft S = {G->R, G->c, val, sec, margin};
		rc = kyc_pdf417_soft_correct(&S, fixed, ecl, &tries);
	}
	free(x0);
	return rc == KYC_ERR_NOMEM ? rc : rc ? KYC_ERR_NOTFOUND : 0;
}

/* Pixels a module of the symbol warped from its own corners, and the
 * modules of paper kept around it. */
#define WARP_PX 4
#define WARP_QUIET_X 6
#define WARP_QUIET_Y 2

/* How close two findings of the symbol's corners are the same, modules. */
#define SAME_ENDS 0.02

/* KYC_ERR_NOTFOUND when the symbol's ends found on the warp as it is lie
 * within SAME_ENDS modules of sym (found on the warp taken as shares of the
 * paper's level, and span modules wide): those tries were made already.
 * 0 when they differ, or when the warp as it is showed none. */
static int same_ends(const struct kyc_image *img, const double region[4][2], int rw, int rh,
                     double mod_px, const double sym[4][2], double span)
{
	double plain[4][2], span_p, hm_p;
	int rc = kyc_pdf417__locate(img, region, rw, rh, mod_px, 0, plain, &span_p, &hm_p);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : 0;
	double u = hypot(sym[1][0] - sym[0][0], sym[1][1] - sym[0][1]) / span;
	for (int k = 0; k < 4; k++)
		if (hypot(plain[k][0] - sym[k][0], plain[k][1] - sym[k][1]) > SAME_ENDS * u)
			return 0;
	return fabs(span_p / span - 1) > 0.1 ? 0 : KYC_ERR_NOTFOUND;
}

int kyc_pdf417_grid_redraw(const struct kyc_image *img, const double region[4][2], int rw, int rh,
                           double mod_px, int try_, unsigned char **out, int *ow, int *oh)
{
	*out = NULL;
	*ow = *oh = 0;
	if (!img || !img->gray || rw < 32 || rh < 16 || rw > 4096 || rh > 4096 ||
	    !(mod_px >= 1 && mod_px < 64))
		return KYC_ERR_INVALID;
	struct grid G = {0};
	struct patterns *P = NULL;
	struct bank B[3] = {{0}};
	unsigned char *mods = NULL, *g = NULL;
	double *p = NULL, *margin = NULL;
	int *ch = NULL;
	double(*wt)[17 + 2 * CTX] = NULL;
	/* the symbol's own corners, then the symbol warped again from them,
	 * the rows straight and level: WARP_PX a module as measured, the
	 * quiet zones around */
	double sym[4][2], wide[4][2], span, hm;
	int contrast = try_ >= KYC_PDF417_GRID_CONTRAST;
	try_ %= KYC_PDF417_GRID_CONTRAST;
	int flat = try_ >= KYC_PDF417_GRID_COUNTS;
	try_ %= KYC_PDF417_GRID_COUNTS;
	int rc = kyc_pdf417__locate(img, region, rw, rh, mod_px, flat, sym, &span, &hm);
	if (!rc && flat)
		rc = same_ends(img, region, rw, rh, mod_px, sym, span);
	if (rc)
		goto out;
	double across = span + 18 + 2 * WARP_QUIET_X;
	kyc_card_quad_sub(sym, -WARP_QUIET_X / span, -WARP_QUIET_Y / hm,
	                  (span + 18 + WARP_QUIET_X) / span, 1 + WARP_QUIET_Y / hm, wide);
	int w2 = (int)lround(across * WARP_PX), h2 = (int)lround((hm + 2 * WARP_QUIET_Y) * WARP_PX);
	if (h2 < 16 || h2 > 4096 || w2 > 4096) {
		rc = KYC_ERR_NOTFOUND;
		goto out;
	}
	g = malloc((size_t)w2 * (size_t)h2);
	if (!g) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	kyc_card_warp(img, wide, w2, h2, g);
	double sx = w2 / across, sy = h2 / (hm + 2 * WARP_QUIET_Y);
	G.xa = WARP_QUIET_X * sx - 0.5, G.xs = G.xa + span * sx;
	G.top[0] = G.top[1] = WARP_QUIET_Y * sy - 0.5;
	G.bot[0] = G.bot[1] = G.top[0] + hm * sy;
	rc = choose_columns(g, w2, h2, w2, sx, try_, &G);
	if (rc)
		goto out;
	rc = count_rows(g, h2, w2, &G);
	if (!rc)
		rc = row_profiles(g, w2, h2, w2, &G);
	if (rc)
		goto out;
	/* the blur: the one whose start and stop patterns fit best */
	double sigma = 0, bestfit = 2;
	struct ends E;
	for (double s = 0.3; s <= 1.21; s += 0.15) {
		end_templates(s, &E);
		double f = fit_ends(&G, &E);
		if (f < bestfit)
			bestfit = f, sigma = s;
	}
	end_templates(sigma, &E);
	fit_ends(&G, &E);
	P = calloc(1, sizeof *P);
	mods = malloc((size_t)G.W);
	wt = malloc(sizeof(weights));
	p = malloc(CW_SAMPLES * sizeof *p);
	size_t npos = (size_t)G.R * (size_t)(G.c + 2);
	ch = malloc((npos * 3 + (size_t)G.R * (size_t)G.c) * sizeof *ch);
	margin = malloc(npos * sizeof *margin);
	if (!P || !mods || !p || !wt || !ch || !margin) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* per position: the pattern chosen (bits), its value, the runner-up's;
	 * then the corrected data codewords */
	int *val = ch + npos, *sec = val + npos, *fixed = sec + npos;
	unsigned char e[8];
	enumerate(P, e, 0, 0);
	make_weights(sigma, wt);
	int table = soft_enabled && !kyc_pdf417_codes_ready();
	if (contrast && !table) {
		rc = KYC_ERR_NOTFOUND;
		goto out;
	}
	for (int k = 0; k < 3 && !rc; k++)
		rc = make_bank(P, k, wt, table, &B[k]);
	if (rc)
		goto out;
	for (int r = 0; r < G.R; r++) {
		const double *pr = G.prof + (size_t)r * (size_t)G.pn;
		const struct bank *b = &B[r % 3];
		for (int k = 0; k < G.c + 2; k++) {
			int m0 = 17 * (k + 1) - CTX, i = r * (G.c + 2) + k, s2;
			for (int j = 0; j < CW_SAMPLES; j++)
				p[j] = at(pr, G.pn, module_x(&G, r, m0 + (j + 0.5) / SPM));
			int bi = best_pattern(b, p, &s2, &margin[i]);
			ch[i] = (int)bits_of(P->el[r % 3][b->pi[bi]]);
			val[i] = b->val[bi], sec[i] = s2 >= 0 ? b->val[s2] : -1;
		}
	}
	/* the codewords corrected by erasures and the search, when the table
	 * is there; otherwise (or when that fails) the choices as they are,
	 * for zxing's own correction */
	if (table) {
		struct kyc_pdf417_soft S = {G.R, G.c, val, sec, margin};
		int ecl, tries;
		/* the contrast matcher's try: the grid's own choices were
		 * corrected (or not) by the try it repeats */
		int src =
		    contrast ? KYC_ERR_NOTFOUND : kyc_pdf417_soft_correct(&S, fixed, &ecl, &tries);
		/* past correcting: matched again on the rows' own levels, the
		 * drift and the rows around taken out (pdf417_match.h), when a
		 * quarter of the row indicators at least read as the symbol's
		 * (a wrong column count's read none, and would pay for nothing) */
		if (src == KYC_ERR_NOTFOUND && 2 * kyc_pdf417_soft_indicators(&S) >= G.R)
			src = rematch(&G, contrast, val, sec, margin, fixed, &ecl);
		/* the contrast try draws only what its matcher corrected: the
		 * choices as they are were drawn by the try it repeats */
		if (src == KYC_ERR_NOMEM || (src && contrast)) {
			rc = src == KYC_ERR_NOMEM ? src : KYC_ERR_NOTFOUND;
			goto out;
		}
		for (int r = 0; r < G.R && !src; r++)
			for (int k = 0; k < G.c + 2 && !src; k++) {
				int v = k == 0 || k == G.c + 1
				            ? kyc_pdf417_soft_indicator(r, k != 0, G.R, G.c, ecl)
				            : fixed[r * G.c + k - 1];
				unsigned bits = kyc_pdf417_pattern(r % 3, v);
				if (!bits)
					src = KYC_ERR_NOTFOUND;
				val[r * (G.c + 2) + k] = (int)bits; /* read already */
			}
		if (!src)
			memcpy(ch, val, npos * sizeof *ch);
	}
	*ow = (G.W + 2 * MARGIN) * KYC_PDF417_GRID_PX;
	*oh = (G.R * ROW_MODS + 2 * MARGIN) * KYC_PDF417_GRID_PX;
	*out = malloc((size_t)*ow * (size_t)*oh);
	if (!*out) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	memset(*out, 255, (size_t)*ow * (size_t)*oh);
	double dm[32];
	for (int r = 0; r < G.R; r++) {
		int m = modules_of(start_el, 8, dm);
		for (int i = 0; i < m; i++)
			mods[i] = (unsigned char)dm[i];
		for (int k = 0; k < G.c + 2; k++)
			for (int i = 0; i < 17; i++)
				mods[17 * (k + 1) + i] =
				    (unsigned char)((unsigned)ch[r * (G.c + 2) + k] >> (16 - i) &
				                    1);
		m = modules_of(stop_el, 9, dm);
		for (int i = 0; i < m; i++)
			mods[G.W - 18 + i] = (unsigned char)dm[i];
		draw_row(*out, *ow, r, mods, G.W);
	}
out:
	for (int k = 0; k < 3; k++)
		free(B[k].t), free(B[k].st), free(B[k].val);
	free(ch);
	free(margin);
	free(P);
	free(mods);
	free(p);
	free(wt);
	free(g);
	free(G.prof);
	free(G.ds);
	if (rc) {
		free(*out);
		*out = NULL;
		*ow = *oh = 0;
	}
	return rc;
}
