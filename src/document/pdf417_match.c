/* A PDF417's codewords matched against their cluster's blurred patterns
 * (pdf417_match.h). */
#include "document/pdf417_match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/pdf417_codes.h"

#define SPM 4             /* samples a module */
#define CTX 3             /* context modules either side of a codeword */
#define WM (17 + 2 * CTX) /* a codeword's window, modules */
#define NS (WM * SPM)     /* a codeword's samples */
#define NV 929            /* codewords a cluster */
#define QUIET 3           /* paper modules taken before and after the symbol */
#define SHIFT_MAX 0.5     /* a codeword's shift searched, modules either way */
#define SHIFT_STEP 0.0625
#define MIX_MAX 0.45 /* the share of a neighbouring row, at most */
#define GAIN_MAX 0.4 /* a codeword's own levels off its row's, at most */
/* A codeword's own contrast may fall to this share of its row's: a glare
 * over a few codewords lifts their ink towards the paper while the start
 * and stop patterns, which give the row's levels, lie outside it (level 2
 * draws glares of up to 0.4 of the way to white); at 0.6 the codewords of
 * 9202 #36 under one were past correcting (docs/dl.md, branch dl16). */
#define GAIN_MIN 0.4
#define PASSES 2 /* matches with the chosen neighbours as context */
/* The contrast matcher (kyc_pdf417_match_in.contrast): how strongly a
 * codeword's own gain and offset are held to the levels measured around it
 * while each pattern is fitted, in squared darkness. The gain is held
 * weakly (a glare lifts a codeword's ink by up to 0.4 of its contrast and
 * varies within a few codewords), the offset as strongly as the window's
 * mean (a glare moves the paper, near white, little); within a factor of
 * three either way the same codewords were chosen (docs/dl.md, branch
 * dl17). */
#define OWN_GAIN_HOLD 1.0
#define OWN_OFFSET_HOLD ((double)NS)

static const unsigned char start_el[8] = {8, 1, 1, 1, 1, 1, 1, 3};
static const unsigned char stop_el[9] = {7, 1, 1, 3, 1, 1, 1, 2, 1};

/* The share of module [m, m + 1) seen at s (modules) under a Gaussian
 * blur of sigma modules. */
static double cell(double s, double m, double sigma)
{
	return 0.5 * (erf((m + 1 - s) / (sigma * M_SQRT2)) - erf((m - s) / (sigma * M_SQRT2)));
}

static int elements(const unsigned char *el, int n, double *d)
{
	int m = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < el[i]; k++)
			d[m++] = i % 2 == 0;
	return m;
}

/* The row's darkness of module m, 0 outside the symbol (paper). */
static double row_module(const double *d, int W, int m)
{
	return m < 0 || m >= W ? 0 : d[m];
}

struct state {
	const struct kyc_pdf417_match_in *in;
	int W, npos;
	double sigma, noise;
	double *a0, *b0, *a1, *b1; /* each row's paper and ink step at its start and its stop */
	double *T, *TT, *ST;       /* 3 x NV templates of NS samples, their squares and sums */
	double *shift;             /* each position's shift, modules */
	double *mix;               /* each position's share of the row above, below, gain, offset */
	double *d;                 /* each row's modules as chosen (R x W darkness) */
	double *B;                 /* each row's modules blurred, SPM a module (R x W * SPM) */
	int *best;
};

/* The profile of row r at module position m, linearly interpolated. */
static double sample(const struct kyc_pdf417_match_in *in, int r, double m)
{
	const double *p = in->prof + (size_t)r * (size_t)in->n;
	double x = in->x0[r] + m * in->pitch[r];
	if (x <= 0)
		return p[0];
	if (x >= in->n - 1)
		return p[in->n - 1];
	int i = (int)x;
	double f = x - i;
	return p[i] * (1 - f) + p[i + 1] * f;
}

/* Least squares p ~ a + b t over row r's samples of modules [m0 + lo, m0 +
 * hi), t the modules d[0..nm) (module m0 first) blurred; the residual's sum
 * of squares, and how many samples, added to *sse and *cnt. */
static void fit_known(const struct kyc_pdf417_match_in *in, int r, int m0, const double *d, int nm,
                      int lo, int hi, double sigma, double *a, double *b, double *sse, int *cnt)
{
	double sp = 0, st = 0, spp = 0, stt = 0, spt = 0;
	int n = 0;
	for (int j = lo * SPM; j < hi * SPM; j++) {
		double s = (j + 0.5) / SPM, t = 0;
		for (int m = (int)floor(s - 4 * sigma - 1); m <= s + 4 * sigma + 1; m++)
			if (m >= 0 && m < nm)
				t += d[m] * cell(s, m, sigma);
		double p = sample(in, r, m0 + s);
		sp += p, st += t, spp += p * p, stt += t * t, spt += p * t, n++;
	}
	double vt = stt - st * st / n, cov = spt - sp * st / n, vp = spp - sp * sp / n;
	*b = vt > 1e-9 ? cov / vt : 0;
	*a = (sp - *b * st) / n;
	*sse += fmax(0, vp - *b * cov), *cnt += n;
}

/* The start's and stop's modules with their context (quiet zone; the
 * first bar of the left row indicator, the last space of the right one;
 * 0.5 where unknown); their first module's index in the row. */
static int start_modules(double *d)
{
	int n = 0;
	for (int i = 0; i < QUIET; i++)
		d[n++] = 0;
	n += elements(start_el, 8, d + n);
	d[n++] = 1, d[n++] = 0.5, d[n++] = 0.5;
	return n;
}

static int stop_modules(double *d)
{
	int n = 0;
	d[n++] = 0.5, d[n++] = 0.5, d[n++] = 0;
	n += elements(stop_el, 9, d + n);
	for (int i = 0; i < QUIET; i++)
		d[n++] = 0;
	return n;
}

/* Every row's levels at sigma; the noise (the residual's variance over
 * the ink step's square) returned, HUGE_VAL when a row shows no ink. */
static double levels(struct state *S, double sigma)
{
	const struct kyc_pdf417_match_in *in = S->in;
	double ds[32], de[32], sse = 0, scaled = 0;
	int ns = start_modules(ds), ne = stop_modules(de);
	for (int r = 0; r < in->R; r++) {
		double e = 0;
		int cnt = 0;
		fit_known(in, r, -QUIET, ds, ns, 1, ns - 2, sigma, &S->a0[r], &S->b0[r], &e, &cnt);
		fit_known(in, r, S->W - 21, de, ne, 2, ne - 1, sigma, &S->a1[r], &S->b1[r], &e,
		          &cnt);
		/* ink darker than paper by a tenth of the range at least */
		if (S->b0[r] > -10 || S->b1[r] > -10)
			return HUGE_VAL;
		sse += e;
		scaled += e / cnt / (S->b0[r] * S->b1[r]);
	}
	S->noise = scaled / in->R;
	return sse;
}

/* The blur whose start and stop patterns fit the rows best. */
static int find_blur(struct state *S)
{
	double bestv = HUGE_VAL, best = 0;
	for (double s = 0.3; s <= 2.001; s += 0.05) {
		double v = levels(S, s);
		if (v < bestv)
			bestv = v, best = s;
	}
	if (bestv == HUGE_VAL)
		return KYC_ERR_NOTFOUND;
	S->sigma = best;
	levels(S, best);
	return 0;
}

/* The templates: each cluster's codewords' 17 modules blurred into the
 * window's samples (the context left out). */
static int make_templates(struct state *S, double wt[NS][WM])
{
	for (int j = 0; j < NS; j++)
		for (int m = 0; m < WM; m++)
			wt[j][m] = cell((j + 0.5) / SPM, m, S->sigma);
	for (int k = 0; k < 3; k++)
		for (int v = 0; v < NV; v++) {
			unsigned bits = kyc_pdf417_pattern(k, v);
			double *t = S->T + ((size_t)k * NV + (size_t)v) * NS, tt = 0, st = 0;
			if (!bits)
				return KYC_ERR_INVALID;
			for (int j = 0; j < NS; j++) {
				double x = 0;
				for (int m = 0; m < 17; m++)
					x += (bits >> (16 - m) & 1) * wt[j][CTX + m];
				t[j] = x, tt += x * x, st += x;
			}
			S->TT[k * NV + v] = tt, S->ST[k * NV + v] = st;
		}
	return 0;
}

/* Row r's blurred modules, as chosen, at module position s (0 outside). */
static double blurred(const struct state *S, int r, double s)
{
	int i = (int)lround(s * SPM - 0.5), n = S->W * SPM;
	return r < 0 || r >= S->in->R || i < 0 || i >= n ? 0
	                                                 : S->B[(size_t)r * (size_t)n + (size_t)i];
}

/* Row r's darkness at module position s: its samples on the row's levels
 * (interpolated from its start to its stop), with the share of the rows
 * above and below at position i taken out once they are chosen. In the
 * contrast matcher the codeword's gain and offset are those of the
 * codewords either side interpolated to s: a glare's peak is a few
 * codewords wide, and one level a codeword leaves its ends off. */
static double darkness(const struct state *S, int r, int i, double s)
{
	double f = (s - 8) / (S->W - 17), a = S->a0[r] + f * (S->a1[r] - S->a0[r]),
	       b = S->b0[r] + f * (S->b1[r] - S->b0[r]);
	const double *x = S->mix + i;
	int np = S->npos, C = S->in->c + 2;
	double z = (sample(S->in, r, s) - a) / b, u = x[0], d = x[np], g = x[2 * np], o = x[3 * np];
	if (S->in->contrast) {
		double pos = (s - 17) / 17 - 0.5, t;
		int k0 = (int)floor(pos);
		t = pos - k0;
		if (k0 < 0)
			k0 = 0, t = 0;
		if (k0 > C - 2)
			k0 = C - 2, t = 1;
		const double *G = S->mix + 2 * np + r * C, *O = S->mix + 3 * np + r * C;
		g = G[k0] + t * (G[k0 + 1] - G[k0]), o = O[k0] + t * (O[k0 + 1] - O[k0]);
	}
	if (u <= 0 && d <= 0 && g == 1 && o == 0)
		return z;
	return ((z - o) / g - u * blurred(S, r - 1, s) - d * blurred(S, r + 1, s)) / (1 - u - d);
}

/* Position (r, k)'s window, its context's blur taken out, into y. */
static void window(const struct state *S, const double wt[NS][WM], int r, int k, double shift,
                   double *y)
{
	int m0 = 17 * (k + 1) - CTX;
	const double *d = S->d + (size_t)r * (size_t)S->W;
	for (int j = 0; j < NS; j++) {
		double c = 0;
		for (int m = 0; m < CTX; m++)
			c += row_module(d, S->W, m0 + m) * wt[j][m] +
			     row_module(d, S->W, m0 + CTX + 17 + m) * wt[j][CTX + 17 + m];
		y[j] = darkness(S, r, r * (S->in->c + 2) + k, m0 + shift + (j + 0.5) / SPM) - c;
	}
}

/* The misfit of template t to y (up to y's own square). */
static double misfit(const double *t, double tt, const double *y)
{
	double dot = 0;
	for (int j = 0; j < NS; j++)
		dot += t[j] * y[j];
	return tt - 2 * dot;
}

/* The misfit of a template (dot with y, its sum st and square tt) to y
 * (sum sy, square syy) with the codeword's own gain and offset fitted over
 * the levels already taken out, held to them (1 and 0) by OWN_GAIN_HOLD
 * and OWN_OFFSET_HOLD: the least squares of y ~ o + g t plus those
 * penalties, solved in closed form. */
static double misfit_own(double dot, double st, double tt, double sy, double syy)
{
	double a11 = NS + OWN_OFFSET_HOLD, a12 = st, a22 = tt + OWN_GAIN_HOLD, b1 = sy,
	       b2 = dot + OWN_GAIN_HOLD, det = a11 * a22 - a12 * a12;
	double o = (a22 * b1 - a12 * b2) / det, g = (a11 * b2 - a12 * b1) / det;
	return syy + OWN_GAIN_HOLD - o * b1 - g * b2;
}

/* Every position matched at its shift: best, second and margin. The
 * contrast matcher fits each pattern's own gain (misfit_own), and its
 * margin is scaled by the square of the codeword's gain: the darkness was
 * divided by it, so its noise is that much larger, and a codeword washed
 * out by a glare goes to the front of the erasures. */
static void match_all(struct state *S, const double wt[NS][WM], int *second, double *margin)
{
	const struct kyc_pdf417_match_in *in = S->in;
	double y[NS];
	for (int r = 0; r < in->R; r++) {
		int k3 = r % 3;
		for (int k = 0; k < in->c + 2; k++) {
			int i = r * (in->c + 2) + k, b = -1, s = -1;
			window(S, wt, r, k, S->shift[i], y);
			double bv = HUGE_VAL, sv = HUGE_VAL, sy = 0, syy = 0, g = 1;
			for (int j = 0; j < NS; j++)
				sy += y[j], syy += y[j] * y[j];
			for (int v = 0; v < NV; v++) {
				const double *t = S->T + ((size_t)k3 * NV + (size_t)v) * NS;
				double e;
				if (in->contrast) {
					double dot = 0;
					for (int j = 0; j < NS; j++)
						dot += t[j] * y[j];
					e = misfit_own(dot, S->ST[k3 * NV + v], S->TT[k3 * NV + v],
					               sy, syy);
				} else
					e = misfit(t, S->TT[k3 * NV + v], y);
				if (e < bv)
					sv = bv, s = b, bv = e, b = v;
				else if (e < sv)
					sv = e, s = v;
			}
			S->best[i] = b, second[i] = s;
			if (in->contrast)
				g = S->mix[2 * S->npos + i];
			margin[i] = s < 0 ? 0 : (sv - bv) * g * g / (NS * S->noise + 1e-12);
		}
	}
}

/* Each row's modules as chosen (start, codewords, stop), and blurred. */
static void draw_rows(struct state *S)
{
	const struct kyc_pdf417_match_in *in = S->in;
	int n = S->W * SPM;
	for (int r = 0; r < in->R; r++) {
		double *d = S->d + (size_t)r * (size_t)S->W;
		elements(start_el, 8, d);
		for (int k = 0; k < in->c + 2; k++) {
			unsigned bits = kyc_pdf417_pattern(r % 3, S->best[r * (in->c + 2) + k]);
			for (int m = 0; m < 17; m++)
				d[17 * (k + 1) + m] = bits >> (16 - m) & 1;
		}
		elements(stop_el, 9, d + S->W - 18);
		double *B = S->B + (size_t)r * (size_t)n;
		for (int j = 0; j < n; j++) {
			double s = (j + 0.5) / SPM, v = 0;
			for (int m = (int)floor(s - 4 * S->sigma - 1); m <= s + 4 * S->sigma + 1;
			     m++)
				v += row_module(d, S->W, m) * cell(s, m, S->sigma);
			B[j] = v;
		}
	}
}

/* out: the median of raw over each position's 3 x 3 neighbourhood. */
static void median3x3(const struct state *S, const double *raw, double *out)
{
	int C = S->in->c + 2, R = S->in->R;
	for (int r = 0; r < R; r++)
		for (int k = 0; k < C; k++) {
			double w[9];
			int n = 0;
			for (int dr = -1; dr <= 1; dr++)
				for (int dk = -1; dk <= 1; dk++)
					if (r + dr >= 0 && r + dr < R && k + dk >= 0 && k + dk < C)
						w[n++] = raw[(r + dr) * C + k + dk];
			for (int a = 1; a < n; a++)
				for (int b = a; b > 0 && w[b - 1] > w[b]; b--) {
					double x = w[b];
					w[b] = w[b - 1], w[b - 1] = x;
				}
			out[r * C + k] = w[n / 2];
		}
}

/* Each position's shift: the best of its chosen pattern's, then the median
 * of its 3 x 3 neighbourhood (the drift is smooth over the symbol; one
 * codeword's own is noisy). */
static void find_shifts(struct state *S, const double wt[NS][WM], double *tmp)
{
	const struct kyc_pdf417_match_in *in = S->in;
	int C = in->c + 2;
	double y[NS];
	for (int r = 0; r < in->R; r++)
		for (int k = 0; k < C; k++) {
			int i = r * C + k, v = S->best[i];
			const double *t = S->T + ((size_t)(r % 3) * NV + (size_t)v) * NS;
			double bv = HUGE_VAL;
			tmp[i] = 0;
			for (double sh = -SHIFT_MAX; sh <= SHIFT_MAX + 1e-9; sh += SHIFT_STEP) {
				window(S, wt, r, k, sh, y);
				double e = misfit(t, S->TT[(r % 3) * NV + v], y), yy = 0;
				for (int j = 0; j < NS; j++)
					yy += y[j] * y[j];
				if (e + yy < bv)
					bv = e + yy, tmp[i] = sh;
			}
		}
	median3x3(S, tmp, S->shift);
}

/* Solves the n x n system A x = y (n <= 4) in place; 0, or -1 when it is
 * singular. */
static int solve(double A[4][4], double *y, int n)
{
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(A[r][c]) > fabs(A[p][c]))
				p = r;
		if (fabs(A[p][c]) < 1e-9)
			return -1;
		for (int k = 0; k < n; k++) {
			double t = A[c][k];
			A[c][k] = A[p][k], A[p][k] = t;
		}
		double t = y[c];
		y[c] = y[p], y[p] = t;
		for (int r = 0; r < n; r++)
			if (r != c) {
				double f = A[r][c] / A[c][c];
				for (int k = c; k < n; k++)
					A[r][k] -= f * A[c][k];
				y[r] -= f * y[c];
			}
	}
	for (int c = 0; c < n; c++)
		y[c] /= A[c][c];
	return 0;
}

/* Each codeword's own levels and its share of the rows above and below,
 * by least squares of its darkness on its row's chosen modules blurred
 * (z = o + g ((1 - u - d) own + u above + d below)), then the median of
 * each over the 3 x 3 around it: a row band that runs off its row (the
 * symbol not quite flat) takes some of the next, and glare or shade
 * changes the levels locally. */
static void find_mix(struct state *S, double *tmp)
{
	const struct kyc_pdf417_match_in *in = S->in;
	int C = in->c + 2, np = S->npos;
	for (int r = 0; r < in->R; r++)
		for (int k = 0; k < C; k++) {
			int i = r * C + k;
			double A[4][4] = {{0}}, y[4] = {0};
			/* the contrast matcher leaves the share of a row beyond the
			 * first or last out of the fit: with it the system is
			 * singular there, and those rows kept their row's levels
			 * under a glare (9216 #59's top rows, docs/dl.md) */
			int up = !in->contrast || r > 0, dn = !in->contrast || r < in->R - 1;
			int nx = 2 + up + dn;
			for (int j = 0; j < 17 * SPM; j++) {
				double s = 17 * (k + 1) + S->shift[i] + (j + 0.5) / SPM;
				double own = blurred(S, r, s);
				double x[4] = {1, own, 0, 0};
				int q = 2;
				if (up)
					x[q++] = blurred(S, r - 1, s) - own;
				if (dn)
					x[q++] = blurred(S, r + 1, s) - own;
				double f = (s - 8) / (S->W - 17),
				       a = S->a0[r] + f * (S->a1[r] - S->a0[r]),
				       b = S->b0[r] + f * (S->b1[r] - S->b0[r]);
				double z = (sample(in, r, s) - a) / b;
				for (int p = 0; p < nx; p++) {
					y[p] += z * x[p];
					for (int p2 = 0; p2 < nx; p2++)
						A[p][p2] += x[p] * x[p2];
				}
			}
			double o = 0, g = 1, u = 0, d = 0;
			if (!solve(A, y, nx) && y[1] > 0.1)
				o = y[0], g = y[1], u = up ? y[2] / g : 0,
				d = dn ? y[nx - 1] / g : 0;
			tmp[i] = fmin(fmax(u, 0), MIX_MAX), tmp[np + i] = fmin(fmax(d, 0), MIX_MAX);
			tmp[2 * np + i] = fmin(fmax(g, GAIN_MIN), 1 + GAIN_MAX);
			tmp[3 * np + i] = fmin(fmax(o, -GAIN_MAX), GAIN_MAX);
		}
	for (int q = 0; q < 4; q++)
		median3x3(S, tmp + q * np, S->mix + q * np);
}

int kyc_pdf417_match(const struct kyc_pdf417_match_in *in, int *best, int *second, double *margin,
                     double *sigma_out)
{
	if (!in || !in->prof || !in->x0 || !in->pitch || in->R < 3 || in->R > 90 || in->c < 1 ||
	    in->c > 30 || in->n < 16 || !best || !second || !margin || kyc_pdf417_codes_ready() ||
	    kyc_pdf417_codes_known() != 3 * NV)
		return KYC_ERR_INVALID;
	struct state S = {.in = in, .W = 17 * (in->c + 4) + 1, .best = best};
	S.npos = in->R * (in->c + 2);
	size_t R = (size_t)in->R, W = (size_t)S.W;
	double *mem =
	    malloc((4 * R + 3 * NV * NS + 6 * NV + 9 * (size_t)S.npos + R * W + R * W * SPM) *
	           sizeof *mem);
	double(*wt)[WM] = malloc(sizeof(double[NS][WM]));
	int rc = mem && wt ? 0 : KYC_ERR_NOMEM;
	if (rc)
		goto out;
	S.a0 = mem, S.b0 = S.a0 + R, S.a1 = S.b0 + R, S.b1 = S.a1 + R;
	S.T = S.b1 + R, S.TT = S.T + 3 * NV * NS, S.ST = S.TT + 3 * NV, S.shift = S.ST + 3 * NV;
	S.mix = S.shift + S.npos;
	double *tmp = S.mix + 4 * S.npos;
	S.d = tmp + 4 * S.npos, S.B = S.d + R * W;
	memset(S.shift, 0, (size_t)S.npos * 5 * sizeof *S.shift);
	for (int i = 0; i < S.npos; i++)
		S.mix[2 * S.npos + i] = 1; /* the gain */
	rc = find_blur(&S);
	if (!rc)
		rc = make_templates(&S, wt);
	if (rc)
		goto out;
	/* first: no shift, the neighbours unknown but for what every codeword
	 * has (a bar first, a space last) */
	for (size_t r = 0; r < R; r++) {
		double *d = S.d + r * W;
		for (size_t m = 0; m < W; m++)
			d[m] = m % 17 == 0 ? 1 : m % 17 == 16 ? 0 : 0.5;
		elements(start_el, 8, d);
		elements(stop_el, 9, d + W - 18);
	}
	match_all(&S, wt, second, margin);
	/* then with the choices as the neighbours, the shifts (once) and the
	 * levels and rows around measured on them */
	for (int p = 0; p < PASSES; p++) {
		draw_rows(&S);
		if (p == 0)
			find_shifts(&S, wt, tmp);
		find_mix(&S, tmp);
		match_all(&S, wt, second, margin);
	}
	if (sigma_out)
		*sigma_out = S.sigma;
out:
	free(mem);
	free(wt);
	return rc;
}
