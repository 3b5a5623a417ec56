/* OCR-B classifier: normalise the crop (ink levels, glyph box, fixed grid),
 * then a small MLP. Everything lives on the stack so that concurrent callers
 * share nothing but the constant model. */
#include "document/ocr.h"

#include <math.h>
#include <string.h>

#include "core/err.h"

/* The triangle filter that resamples the glyph box spans at most this many
 * source pixels per output pixel: 2 * (MAX_SIDE / min grid side) + 3. */
#define TAPS_MAX (2 * (KYC_OCR_MAX_SIDE / KYC_OCR_NW) + 4)

struct taps {
	int first, n;
	float w[TAPS_MAX];
};

static int check_args(const unsigned char *gray, int w, int h, int stride)
{
	if (!gray || w < KYC_OCR_MIN_SIDE || h < KYC_OCR_MIN_SIDE || w > KYC_OCR_MAX_SIDE ||
	    h > KYC_OCR_MAX_SIDE || stride < w)
		return KYC_ERR_INVALID;
	return 0;
}

/* Paper and ink levels: Otsu's threshold splits the histogram, and the mean
 * of each side is its level. Means rather than extremes, so that noise does
 * not set the scale; Otsu rather than fixed percentiles, because the share of
 * ink in a cell ranges from a few percent ('1' in a wide crop) to half. */
static void levels(const unsigned char *gray, int w, int h, int stride, float *paper, float *ink)
{
	/* Two interleaved histograms: runs of equal pixels (paper) would
	 * otherwise chain every increment on the previous one. */
	unsigned hist2[2][256] = {{0}}, hist[256];
	for (int y = 0; y < h; y++) {
		const unsigned char *row = gray + (size_t)y * (size_t)stride;
		int x = 0;
		for (; x + 1 < w; x += 2) {
			hist2[0][row[x]]++;
			hist2[1][row[x + 1]]++;
		}
		if (x < w)
			hist2[0][row[x]]++;
	}
	for (int v = 0; v < 256; v++)
		hist[v] = hist2[0][v] + hist2[1][v];
	double n = (double)w * (double)h, total = 0;
	for (int v = 0; v < 256; v++)
		total += (double)v * hist[v];
	double n0 = 0, s0 = 0, best = -1;
	int t = 0;
	for (int v = 0; v < 255; v++) {
		n0 += hist[v];
		s0 += (double)v * hist[v];
		if (n0 == 0 || n0 == n)
			continue;
		double m0 = s0 / n0, m1 = (total - s0) / (n - n0);
		double between = n0 * (n - n0) * (m1 - m0) * (m1 - m0);
		if (between > best) {
			best = between;
			t = v;
		}
	}
	double c0 = 0, a0 = 0;
	for (int v = 0; v <= t; v++) {
		c0 += hist[v];
		a0 += (double)v * hist[v];
	}
	*ink = c0 > 0 ? (float)(a0 / c0) : 0;
	*paper = n - c0 > 0 ? (float)((total - a0) / (n - c0)) : 255;
}

/* Ink per gray level, once per call rather than per pixel. Levels within
 * a tenth of the contrast of the paper count as paper: noise and texture
 * then leave the grid blank (zeros the MLP skips) instead of grey. */
static void ink_table(float paper, float inkl, float *ink)
{
	float inv = 1.0f / ((paper - inkl) * 0.9f);
	for (int v = 0; v < 256; v++) {
		float t = (paper - (float)v) * inv - 0.1f / 0.9f;
		ink[v] = t < 0 ? 0 : t > 1 ? 1 : t;
	}
}

/* Picks, among the runs of a projection of ink mass that stand out from its
 * floor (noise, texture), the one that is the glyph: the heaviest, where runs
 * touching the crop's border count half, because a run there is most likely
 * a sliver of a neighbouring character. */
static void main_run(const float *proj, int n, int *from, int *to)
{
	float lo = proj[0], hi = proj[0];
	for (int i = 1; i < n; i++) {
		lo = proj[i] < lo ? proj[i] : lo;
		hi = proj[i] > hi ? proj[i] : hi;
	}
	/* A crop tight around the glyph has no blank column to set the floor. */
	if (lo > 0.3f * hi)
		lo = 0.3f * hi;
	float on = lo + 0.08f * (hi - lo);
	float best = -1;
	*from = 0;
	*to = n - 1;
	for (int i = 0; i < n;) {
		if (proj[i] <= on) {
			i++;
			continue;
		}
		int j = i;
		float mass = 0;
		while (j < n && proj[j] > on)
			mass += proj[j++] - lo;
		if (i == 0 || j == n)
			mass *= 0.5f;
		if (mass > best) {
			best = mass;
			*from = i;
			*to = j - 1;
		}
		i = j;
	}
}

/* Triangle-filter taps that map output sample centre c (source pixel units)
 * with radius r onto source pixels [lo, hi]; pixels outside get weight 0. */
static void make_taps(struct taps *t, float c, float r, int lo, int hi)
{
	int a = (int)floorf(c - r), b = (int)ceilf(c + r);
	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	t->first = a;
	t->n = 0;
	float sum = 0;
	for (int i = a; i <= b && t->n < TAPS_MAX; i++) {
		float d = fabsf((float)i + 0.5f - c) / r;
		float wt = d < 1 ? 1 - d : 0;
		t->w[t->n++] = wt;
		sum += wt;
	}
	/* Outside the box the paper is blank, so a sample half off the glyph
	 * should come out lighter: normalise by the full kernel area, not sum. */
	(void)sum;
	for (int i = 0; i < t->n; i++)
		t->w[i] /= r;
}

int kyc_ocr_features(const unsigned char *gray, int w, int h, int stride, float *feat)
{
	if (check_args(gray, w, h, stride) || !feat)
		return KYC_ERR_INVALID;
	memset(feat, 0, sizeof(float) * KYC_OCR_NIN);
	float paper, inkl;
	levels(gray, w, h, stride, &paper, &inkl);
	if (paper - inkl < 12)
		return 0; /* blank: nothing printed */
	float ink[256];
	ink_table(paper, inkl, ink);
#define INK(v) ink[(v)]

	/* Column masses, and the whole cell at coarse resolution. */
	float proj[KYC_OCR_MAX_SIDE];
	float *coarse = feat + KYC_OCR_NW * KYC_OCR_NH;
	int ccount[KYC_OCR_NCOARSE] = {0};
	int binx[KYC_OCR_CW + 1]; /* first column of each coarse bin */
	for (int b = 0; b <= KYC_OCR_CW; b++)
		binx[b] = (b * w + KYC_OCR_CW - 1) / KYC_OCR_CW;
	for (int x = 0; x < w; x++)
		proj[x] = 0;
	for (int y = 0; y < h; y++) {
		const unsigned char *row = gray + (size_t)y * (size_t)stride;
		int c0 = (y * KYC_OCR_CH / h) * KYC_OCR_CW;
		for (int b = 0; b < KYC_OCR_CW; b++) {
			float acc = 0;
			for (int x = binx[b]; x < binx[b + 1]; x++) {
				float v = INK(row[x]);
				proj[x] += v;
				acc += v;
			}
			coarse[c0 + b] += acc;
			ccount[c0 + b] += binx[b + 1] - binx[b];
		}
	}
	for (int c = 0; c < KYC_OCR_NCOARSE; c++)
		if (ccount[c])
			coarse[c] /= (float)ccount[c];
	int x0, x1, y0, y1;
	main_run(proj, w, &x0, &x1);
	for (int y = 0; y < h; y++) {
		const unsigned char *row = gray + (size_t)y * (size_t)stride;
		float m = 0;
		for (int x = x0; x <= x1; x++)
			m += INK(row[x]);
		proj[y] = m;
	}
	main_run(proj, h, &y0, &y1);
	/* Keep one pixel of the anti-aliased edge on each side of the box. */
	int bx0 = x0 > 0 ? x0 - 1 : 0, bx1 = x1 < w - 1 ? x1 + 1 : w - 1;
	int by0 = y0 > 0 ? y0 - 1 : 0, by1 = y1 < h - 1 ? y1 + 1 : h - 1;
	float bw = (float)(x1 - x0 + 1), bh = (float)(y1 - y0 + 1);
	float s = fmaxf(bw / KYC_OCR_NW, bh / KYC_OCR_NH);
	float r = fmaxf(s, 1.0f);
	float cx = (float)(x0 + x1 + 1) * 0.5f, cy = (float)(y0 + y1 + 1) * 0.5f;

	struct taps tx[KYC_OCR_NW];
	for (int i = 0; i < KYC_OCR_NW; i++)
		make_taps(&tx[i], cx + ((float)i + 0.5f - KYC_OCR_NW * 0.5f) * s, r, bx0, bx1);

	/* Horizontal pass into one row of NW values per source row of the box,
	 * then the vertical pass straight into the feature grid. */
	float rows[KYC_OCR_MAX_SIDE][KYC_OCR_NW];
	for (int y = by0; y <= by1; y++) {
		const unsigned char *row = gray + (size_t)y * (size_t)stride;
		for (int i = 0; i < KYC_OCR_NW; i++) {
			float acc = 0;
			for (int k = 0; k < tx[i].n; k++)
				acc += tx[i].w[k] * INK(row[tx[i].first + k]);
			rows[y][i] = acc;
		}
	}
	float peak = 0;
	for (int j = 0; j < KYC_OCR_NH; j++) {
		struct taps ty;
		make_taps(&ty, cy + ((float)j + 0.5f - KYC_OCR_NH * 0.5f) * s, r, by0, by1);
		for (int i = 0; i < KYC_OCR_NW; i++) {
			float acc = 0;
			for (int k = 0; k < ty.n; k++)
				acc += ty.w[k] * rows[ty.first + k][i];
			feat[j * KYC_OCR_NW + i] = acc;
			if (acc > peak)
				peak = acc;
		}
	}
	/* Faint or thin print: stretch so the darkest sample is full ink. */
	if (peak > 0.05f) {
		float g = 1.0f / peak;
		for (int i = 0; i < KYC_OCR_NW * KYC_OCR_NH; i++)
			feat[i] *= g;
	}
	/* The box's size and place in the cell, which the grid normalises away:
	 * OCR-B digits stand taller than its capitals ('0' against 'O'). */
	float *ex = coarse + KYC_OCR_NCOARSE;
	ex[0] = bh / (float)h;
	ex[1] = bw / (float)h;
	ex[2] = cy / (float)h - 0.5f;
	return 0;
#undef INK
}

/* The context window: cx +- KYC_OCR_WIN_HALF pitches over rows y0..y1,
 * resampled into ww x wh (at most KYC_OCR_FW wide) with the same triangle
 * filter as the glyph grid but at a fixed scale per pitch, not per glyph box:
 * where neighbours have run into the glyph, the box is wrong, while the
 * line's pitch still says where each glyph stands. Outside the image counts
 * as paper. The levels are the window's own. */
static void window_grid(const unsigned char *img, int w, int stride, double cx, double pitch,
			int y0, int y1, int ww, int wh, float *win)
{
	memset(win, 0, sizeof(float) * (size_t)(ww * wh));
	double half = KYC_OCR_WIN_HALF * pitch, left = cx - half;
	int xa = (int)floor(left), xb = (int)ceil(cx + half);
	xa = xa < 0 ? 0 : xa;
	xb = xb > w - 1 ? w - 1 : xb;
	int nh = y1 - y0 + 1;
	if (xb - xa + 1 < 2)
		return;
	const unsigned char *base = img + (size_t)y0 * (size_t)stride;
	float paper, inkl;
	levels(base + xa, xb - xa + 1, nh, stride, &paper, &inkl);
	if (paper - inkl < 12)
		return;
	float ink[256];
	ink_table(paper, inkl, ink);
	float sx = (float)(2 * half / ww), sy = (float)nh / (float)wh;
	struct taps tx[KYC_OCR_FW];
	for (int i = 0; i < ww; i++)
		make_taps(&tx[i], (float)left + ((float)i + 0.5f) * sx, fmaxf(sx, 1.0f), xa, xb);
	float rows[KYC_OCR_MAX_SIDE][KYC_OCR_FW];
	for (int y = 0; y < nh; y++) {
		const unsigned char *row = base + (size_t)y * (size_t)stride;
		for (int i = 0; i < ww; i++) {
			float acc = 0;
			for (int k = 0; k < tx[i].n; k++)
				acc += tx[i].w[k] * ink[row[tx[i].first + k]];
			rows[y][i] = acc;
		}
	}
	float peak = 0;
	for (int j = 0; j < wh; j++) {
		struct taps ty;
		make_taps(&ty, ((float)j + 0.5f) * sy, fmaxf(sy, 1.0f), 0, nh - 1);
		for (int i = 0; i < ww; i++) {
			float acc = 0;
			for (int k = 0; k < ty.n; k++)
				acc += ty.w[k] * rows[ty.first + k][i];
			win[j * ww + i] = acc;
			peak = acc > peak ? acc : peak;
		}
	}
	if (peak > 0.05f)
		for (int i = 0; i < ww * wh; i++)
			win[i] /= peak;
}

/* The cell of kyc_ocr_classify_at: cx +- 0.55 pitch, clipped to the image. */
static int cell_of(int w, int h, int stride, double cx, double pitch, int y0, int y1, int *x0,
		   int *x1)
{
	if (w < 1 || h < 1 || stride < w || !(pitch > 0) || !(cx > -pitch) || !(cx < w + pitch) ||
	    pitch > 4.0 * KYC_OCR_MAX_SIDE || y0 < 0 || y1 >= h || y1 - y0 + 1 < KYC_OCR_MIN_SIDE ||
	    y1 - y0 + 1 > KYC_OCR_MAX_SIDE)
		return KYC_ERR_INVALID;
	*x0 = (int)floor(cx - 0.55 * pitch);
	*x1 = (int)ceil(cx + 0.55 * pitch);
	*x0 = *x0 < 0 ? 0 : *x0;
	*x1 = *x1 > w - 1 ? w - 1 : *x1;
	if (*x1 - *x0 + 1 < KYC_OCR_MIN_SIDE || *x1 - *x0 + 1 > KYC_OCR_MAX_SIDE)
		return KYC_ERR_INVALID;
	return 0;
}

int kyc_ocr_features_at(const unsigned char *img, int w, int h, int stride, double cx,
			double pitch, int y0, int y1, float *feat)
{
	int x0, x1;
	if (!img || !feat || cell_of(w, h, stride, cx, pitch, y0, y1, &x0, &x1))
		return KYC_ERR_INVALID;
	int rc = kyc_ocr_features(img + (size_t)y0 * (size_t)stride + x0, x1 - x0 + 1, y1 - y0 + 1,
				  stride, feat);
	if (rc)
		return rc;
	window_grid(img, w, stride, cx, pitch, y0, y1, KYC_OCR_WW, KYC_OCR_WH, feat + KYC_OCR_NIN);
	return 0;
}

int kyc_ocr_features_fine_at(const unsigned char *img, int w, int h, int stride, double cx,
			     double pitch, int y0, int y1, float *feat)
{
	int rc = kyc_ocr_features_at(img, w, h, stride, cx, pitch, y0, y1, feat);
	if (!rc)
		window_grid(img, w, stride, cx, pitch, y0, y1, KYC_OCR_FW, KYC_OCR_FH,
			    feat + KYC_OCR_NIN_CTX);
	return rc;
}

/* Weights are stored input-major ([in][out]) so that the inner loop runs over
 * outputs with no reduction, four at a time through GCC/Clang vector types
 * (plain SSE on any x86-64, NEON on arm64, scalar code elsewhere), each output
 * summing its inputs in the same order as the trainer's scalar loop; inputs that are
 * zero -- blank paper in the grid, ReLUs that are off -- are skipped
 * outright: typically more than half of them. */
typedef float v4f __attribute__((vector_size(16)));

#define NIN_CONV (KYC_OCR_NIN_CTX + KYC_OCR_MAX_NCONV)
#define NIN_MAX (NIN_CONV > KYC_OCR_NIN_FINE ? NIN_CONV : KYC_OCR_NIN_FINE)
#define DENSE_MAXIN (NIN_MAX > KYC_OCR_MAX_HIDDEN ? NIN_MAX : KYC_OCR_MAX_HIDDEN)

typedef int v4i __attribute__((vector_size(16)));

/* Lane-wise maximum (a comparison's mask selects; no SSE intrinsics needed). */
static inline v4f vmax4(v4f a, v4f b)
{
	v4i m = a > b;
	return (v4f)(((v4i)a & m) | ((v4i)b & ~m));
}

static inline v4f load4(const float *p)
{
	v4f v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* out = b + sum over j of val[j] * row[j][0..nout): the rows of weights of the
 * inputs that are not zero. Sixteen outputs at a time stay in registers. */
static void sum_rows(const float *val, const float *const *row, int nz, const float *b, int nout,
		     float *out)
{
	int o = 0;
	for (; o + 16 <= nout; o += 16) {
		v4f a0 = load4(b + o), a1 = load4(b + o + 4), a2 = load4(b + o + 8),
		    a3 = load4(b + o + 12);
		for (int j = 0; j < nz; j++) {
			const float *r = row[j] + o;
			v4f vv = {val[j], val[j], val[j], val[j]};
			a0 += vv * load4(r);
			a1 += vv * load4(r + 4);
			a2 += vv * load4(r + 8);
			a3 += vv * load4(r + 12);
		}
		memcpy(out + o, &a0, sizeof a0);
		memcpy(out + o + 4, &a1, sizeof a1);
		memcpy(out + o + 8, &a2, sizeof a2);
		memcpy(out + o + 12, &a3, sizeof a3);
	}
	for (; o + 4 <= nout; o += 4) {
		v4f a0 = load4(b + o);
		for (int j = 0; j < nz; j++) {
			v4f vv = {val[j], val[j], val[j], val[j]};
			a0 += vv * load4(row[j] + o);
		}
		memcpy(out + o, &a0, sizeof a0);
	}
	for (; o < nout; o++) {
		float a = b[o];
		for (int j = 0; j < nz; j++)
			a += val[j] * row[j][o];
		out[o] = a;
	}
}

static void dense(const float *in, int nin, const float *wt, const float *b, int nout, float *out,
		  int relu)
{
	float val[DENSE_MAXIN];
	const float *row[DENSE_MAXIN];
	int nz = 0;
	for (int i = 0; i < nin; i++)
		if (in[i] != 0.0f) {
			val[nz] = in[i];
			row[nz++] = wt + (size_t)i * (size_t)nout;
		}
	sum_rows(val, row, nz, b, nout, out);
	if (relu)
		for (int o = 0; o < nout; o++)
			out[o] = out[o] < 0 ? 0 : out[o];
}

/* One 3x3 convolution with zero padding, ReLU and 2x2 max-pooling of an
 * h x w x cin map (channel innermost) into (h/2) x (w/2) x cout, cout a
 * multiple of 4: each output sums the weight rows of its inputs that are not
 * zero (blank paper, ReLUs that are off: most of the map), as dense does. */
static void conv_pool(const float *in, int h, int w, int cin, const float *wt, const float *b,
		      int cout, float *acc, float *out)
{
	for (int oy = 0; oy < h; oy++)
		for (int ox = 0; ox < w; ox++) {
			float val[9 * KYC_OCR_MAX_CONV];
			const float *row[9 * KYC_OCR_MAX_CONV];
			int nz = 0;
			for (int t = 0; t < 9; t++) {
				int iy = oy + t / 3 - 1, ix = ox + t % 3 - 1;
				if (iy < 0 || iy >= h || ix < 0 || ix >= w)
					continue;
				const float *v = in + (size_t)(iy * w + ix) * cin;
				const float *r = wt + (size_t)t * cin * cout;
				for (int ci = 0; ci < cin; ci++)
					if (v[ci] != 0.0f) {
						val[nz] = v[ci];
						row[nz++] = r + (size_t)ci * cout;
					}
			}
			sum_rows(val, row, nz, b, cout, acc + (size_t)(oy * w + ox) * cout);
		}
	/* ReLU then max equals max then ReLU; four channels at a time. */
	v4f zero = {0, 0, 0, 0};
	for (int y = 0; y < h / 2; y++)
		for (int x = 0; x < w / 2; x++)
			for (int c = 0; c < cout; c += 4) {
				const float *a = acc + (size_t)((2 * y) * w + 2 * x) * cout + c;
				v4f m = vmax4(vmax4(load4(a), load4(a + cout)),
					      vmax4(load4(a + (size_t)w * cout),
						    load4(a + (size_t)(w + 1) * cout)));
				m = vmax4(m, zero);
				memcpy(out + ((size_t)y * (w / 2) + x) * cout + c, &m, sizeof m);
			}
}

/* The model's conv branch on the context window, written after it in x. */
static void conv_branch(const struct kyc_ocr_model *m, float *x)
{
	float acc[KYC_OCR_WH * KYC_OCR_WW * KYC_OCR_MAX_CONV];
	float p1[(KYC_OCR_WH / 2) * (KYC_OCR_WW / 2) * KYC_OCR_MAX_CONV];
	conv_pool(x + KYC_OCR_NIN, KYC_OCR_WH, KYC_OCR_WW, 1, m->cw1, m->cb1, m->c1, acc, p1);
	conv_pool(p1, KYC_OCR_WH / 2, KYC_OCR_WW / 2, m->c1, m->cw2, m->cb2, m->c2, acc,
		  x + KYC_OCR_NIN_CTX);
}

/* Model m on features x (room for NIN_MAX; the conv branch writes its
 * values after the window) into its softmax p[m->nout]. nin is the input m
 * must take: KYC_OCR_NIN_FINE for the finer model, else 0 (either of the
 * first model's). Returns nout or KYC_ERR_INTERNAL. */
static int model_probs(const struct kyc_ocr_model *m, int nin_want, float *x, float *p)
{
	if ((nin_want ? m->nin != nin_want : m->nin != KYC_OCR_NIN && m->nin != KYC_OCR_NIN_CTX) ||
	    (m->nout != KYC_OCR_NOUT && m->nout != KYC_OCR_NCLASSES) || m->h1 < 1 ||
	    m->h1 > KYC_OCR_MAX_HIDDEN || m->h2 < 1 || m->h2 > KYC_OCR_MAX_HIDDEN ||
	    m->c1 < 0 || m->c1 > KYC_OCR_MAX_CONV || m->c1 % 4 || m->c2 < 0 ||
	    m->c2 > KYC_OCR_MAX_CONV || m->c2 % 4 || (m->c1 > 0) != (m->c2 > 0) ||
	    (m->c1 > 0 && m->nin != KYC_OCR_NIN_CTX))
		return KYC_ERR_INTERNAL;
	float a1[KYC_OCR_MAX_HIDDEN], a2[KYC_OCR_MAX_HIDDEN];
	float *z = p;
	int nin = m->nin;
	if (m->c1 > 0) {
		conv_branch(m, x);
		nin += KYC_OCR_PW * KYC_OCR_PH * m->c2;
	}
	dense(x, nin, m->w1, m->b1, m->h1, a1, 1);
	dense(a1, m->h1, m->w2, m->b2, m->h2, a2, 1);
	dense(a2, m->h2, m->w3, m->b3, m->nout, z, 0);

	float t = m->temperature > 0 ? m->temperature : 1.0f;
	float zmax = z[0];
	for (int i = 1; i < m->nout; i++)
		if (z[i] > zmax)
			zmax = z[i];
	float sum = 0;
	for (int i = 0; i < m->nout; i++) {
		z[i] = expf((z[i] - zmax) / t);
		sum += z[i];
	}
	for (int i = 0; i < m->nout; i++)
		z[i] /= sum;
	return m->nout;
}

/* The k best characters of softmax p (not the reject output): a partial
 * selection sort, k is at most 4. */
static int top_k(const float *p, struct kyc_ocr_guess *out, int k)
{
	int used[KYC_OCR_NCLASSES] = {0};
	for (int n = 0; n < k; n++) {
		int best = -1;
		for (int i = 0; i < KYC_OCR_NCLASSES; i++)
			if (!used[i] && (best < 0 || p[i] > p[best]))
				best = i;
		used[best] = 1;
		out[n].ch = KYC_OCR_CLASSES[best];
		out[n].score = p[best];
	}
	return k;
}

int kyc_ocr_top_k(const float *p, struct kyc_ocr_guess *out, int k)
{
	if (!p || !out || k < 1 || k > 4)
		return KYC_ERR_INVALID;
	return top_k(p, out, k);
}

int kyc_ocr_probs_at(const unsigned char *img, int w, int h, int stride, double cx, double pitch,
		     int y0, int y1, float *p)
{
	float x[NIN_MAX];
	if (!p)
		return KYC_ERR_INVALID;
	int rc = kyc_ocr_features_at(img, w, h, stride, cx, pitch, y0, y1, x);
	if (rc)
		return rc;
	/* a model without the reject output leaves that slot at zero */
	p[KYC_OCR_NCLASSES] = 0;
	rc = model_probs(&kyc__ocr_model, 0, x, p);
	return rc < 0 ? rc : 0;
}

int kyc_ocr_classify_at(const unsigned char *img, int w, int h, int stride, double cx,
			double pitch, int y0, int y1, struct kyc_ocr_guess *out, int k)
{
	float p[KYC_OCR_NOUT];
	if (!out || k < 1 || k > 4)
		return KYC_ERR_INVALID;
	int rc = kyc_ocr_probs_at(img, w, h, stride, cx, pitch, y0, y1, p);
	return rc ? rc : top_k(p, out, k);
}

/* The finer model's share of the softmax an unsure cell is read by; the
 * first model's has the rest. The finer model sees the first model's input
 * too, and alone it reads more of the development seeds' unsure cells right
 * than the mean of the two did (0.5, session 14), with no valid reading wrong
 * (bench/README.md, "Issue 11: the finer model alone on unsure cells"). */
#define FINE_SHARE 1.0f

/* The finer model on one cell, mixed with the first model's softmax `first`
 * when the caller has it (the reader read every cell with the first model
 * before choosing the unsure ones), else computed here when FINE_SHARE asks
 * for it. */
static int classify_fine(const unsigned char *img, int w, int h, int stride, double cx,
			 double pitch, int y0, int y1, const float *first,
			 struct kyc_ocr_guess *out, int k)
{
	float x[NIN_MAX], p[KYC_OCR_NOUT], q[KYC_OCR_NOUT];
	if (!out || k < 1 || k > 4)
		return KYC_ERR_INVALID;
	if (!kyc__ocr_fine_model.nin) {
		if (first)
			return top_k(first, out, k);
		return kyc_ocr_classify_at(img, w, h, stride, cx, pitch, y0, y1, out, k);
	}
	int rc = kyc_ocr_features_fine_at(img, w, h, stride, cx, pitch, y0, y1, x);
	if (rc)
		return rc;
	/* The fine model first: the first model's conv branch, if it has
	 * one, writes over the fine window. */
	int nq = model_probs(&kyc__ocr_fine_model, KYC_OCR_NIN_FINE, x, q);
	if (nq < 0)
		return KYC_ERR_INTERNAL;
	if (FINE_SHARE >= 1.0f)
		return top_k(q, out, k);
	int np = kyc__ocr_model.nout;
	if (first)
		memcpy(p, first, sizeof(float) * (size_t)np);
	else
		np = model_probs(&kyc__ocr_model, 0, x, p);
	if (np < 0 || np != nq)
		return KYC_ERR_INTERNAL;
	for (int i = 0; i < np; i++)
		p[i] = (1.0f - FINE_SHARE) * p[i] + FINE_SHARE * q[i];
	return top_k(p, out, k);
}

int kyc_ocr_classify_fine_at(const unsigned char *img, int w, int h, int stride, double cx,
			     double pitch, int y0, int y1, struct kyc_ocr_guess *out, int k)
{
	return classify_fine(img, w, h, stride, cx, pitch, y0, y1, NULL, out, k);
}

int kyc_ocr_classify_fine_given(const unsigned char *img, int w, int h, int stride, double cx,
				double pitch, int y0, int y1, const float *first,
				struct kyc_ocr_guess *out, int k)
{
	if (!first)
		return KYC_ERR_INVALID;
	return classify_fine(img, w, h, stride, cx, pitch, y0, y1, first, out, k);
}

/* A lone crop is its own line: the cell is the crop, 1.1 pitches wide, and the
 * window sees paper beyond it. */
int kyc_ocr_classify(const unsigned char *gray, int w, int h, int stride,
		     struct kyc_ocr_guess *out, int k)
{
	if (check_args(gray, w, h, stride))
		return KYC_ERR_INVALID;
	return kyc_ocr_classify_at(gray, w, h, stride, w * 0.5, w / 1.1, 0, h - 1, out, k);
}
