/* The photograph: a desk-like background, the document laid on it through a
 * rotation and (level 2) a mild perspective, then the camera's faults: uneven
 * light, shadow, blur, sensor noise, and the phone held sideways or upside
 * down. Everything draws from one PRNG stream per (seed, index, level). */
#include "document/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Level knobs. */
struct level_cfg {
	int wmin, wmax;            /* final image width, px */
	double skew;               /* max |skew| in degrees */
	double fmin, fmax;         /* document bounding box / canvas */
	double persp;              /* corner jitter, fraction of the document size */
	double blur_min, blur_max; /* gaussian sigma, px */
	double noise_min, noise_max;
	int qmin, qmax;   /* JPEG quality */
	double light;     /* strength of uneven light */
	double min_pitch; /* smallest MRZ character pitch, px */
};

static const struct level_cfg levels[3] = {
    {1000, 1600, 1.0, 0.70, 0.86, 0.0, 0.0, 0.25, 0.5, 1.5, 92, 95, 0.04, 12},
    {800, 1800, 8.0, 0.60, 0.86, 0.01, 0.3, 0.9, 2.0, 5.0, 70, 90, 0.15, 10},
    {640, 2000, 20.0, 0.50, 0.85, 0.04, 0.5, 1.3, 3.0, 8.0, 50, 80, 0.28, 8},
};

static unsigned char clamp8(double v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* ---- camera ---- */

/* Uneven light: a tilt, a soft spot, warm white balance and (level 2) a
 * soft-edged shadow across part of the picture (a hand, a phone). One
 * multiplicative field, computed row by row in float. */
static int lighting(struct kyc_synth_image *c, struct kyc_synth__rng *r, double strength,
                    int shadow)
{
	double gx = kyc_synth__rng_unif(r, -strength, strength);
	double gy = kyc_synth__rng_unif(r, -strength, strength);
	double bright = kyc_synth__rng_unif(r, 0.92, 1.05);
	double sx = kyc_synth__rng_unif(r, 0, 1) * c->w, sy = kyc_synth__rng_unif(r, 0, 1) * c->h;
	double sr = kyc_synth__rng_unif(r, 0.2, 0.6) * c->w,
	       spot = strength * kyc_synth__rng_unif(r, 0, 1);
	float warm[3] = {(float)(1.0 + kyc_synth__rng_unif(r, 0, 0.04)), 1.0f,
	                 (float)(1.0 - kyc_synth__rng_unif(r, 0, 0.06))};
	double ang = kyc_synth__rng_unif(r, 0, 2 * M_PI), nx = cos(ang), ny = sin(ang);
	double lim = kyc_synth__rng_unif(r, 0.25, 0.45) * (fabs(nx) * c->w + fabs(ny) * c->h);
	double depth = shadow ? kyc_synth__rng_unif(r, 0.2, 0.45) : 0;
	double edge = kyc_synth__rng_unif(r, 0.02, 0.08) * c->w;
	/* The field is smooth (the shadow edge is at least 2 % of the width), so
	 * it is evaluated every 4 px and interpolated, then applied as 8.8
	 * fixed-point gains per channel. */
	size_t stride = (size_t)c->w * 3;
	int nk = c->w / 4 + 2;
	float *L = malloc(sizeof(float) * (size_t)nk);
	uint16_t *G = malloc(sizeof(uint16_t) * stride);
	if (!L || !G) {
		free(L);
		free(G);
		return KYC_ERR_NOMEM;
	}
	for (int y = 0; y < c->h; y++) {
		double ly = gy * ((double)y / c->h - 0.5), dy = (y - sy) / sr;
		for (int i = 0; i < nk; i++) {
			double x = 4.0 * i, dx = (x - sx) / sr;
			double l = bright * (1 + gx * (x / c->w - 0.5) + ly) +
			           spot / (1 + dx * dx + dy * dy);
			if (depth > 0) {
				double t =
				    ((x - c->w / 2.0) * nx + (y - c->h / 2.0) * ny - lim) / edge;
				if (t > -0.5)
					l *= 1 - depth * (t + 0.5 < 1 ? t + 0.5 : 1);
			}
			L[i] = (float)l;
		}
		for (int x = 0; x < c->w; x++) {
			float f = (x & 3) / 4.0f, l = L[x >> 2] * (1 - f) + L[(x >> 2) + 1] * f;
			for (int k = 0; k < 3; k++) {
				float g = l * warm[k] * 256 + 0.5f;
				G[(size_t)x * 3 + (size_t)k] = (uint16_t)(g > 1023 ? 1023 : g);
			}
		}
		unsigned char *restrict p = c->px + (size_t)y * stride;
		for (size_t j = 0; j < stride; j++) {
			uint32_t v = ((uint32_t)p[j] * G[j] + 128) >> 8;
			p[j] = (unsigned char)(v > 255 ? 255 : v);
		}
	}
	free(G);
	free(L);
	return 0;
}

/* acc[j] += w * (a[j] + b[j]) and friends, in fixed runs of 16 so that the
 * compiler vectorises them at -O2. */
static void mac2(uint16_t *restrict acc, const unsigned char *restrict a,
                 const unsigned char *restrict b, uint16_t w, size_t n)
{
	size_t j = 0;
	for (; j + 16 <= n; j += 16)
		for (int k = 0; k < 16; k++)
			acc[j + k] = (uint16_t)(acc[j + k] + w * (a[j + k] + b[j + k]));
	for (; j < n; j++)
		acc[j] = (uint16_t)(acc[j] + w * (a[j] + b[j]));
}

static void mul1(uint16_t *restrict acc, const unsigned char *restrict a, uint16_t w, size_t n)
{
	size_t j = 0;
	for (; j + 16 <= n; j += 16)
		for (int k = 0; k < 16; k++)
			acc[j + k] = (uint16_t)(w * a[j + k]);
	for (; j < n; j++)
		acc[j] = (uint16_t)(w * a[j]);
}

static void store(unsigned char *restrict o, const uint16_t *restrict acc, size_t n)
{
	size_t j = 0;
	for (; j + 16 <= n; j += 16)
		for (int k = 0; k < 16; k++)
			o[j + k] = (unsigned char)((acc[j + k] + 128) >> 8);
	for (; j < n; j++)
		o[j] = (unsigned char)((acc[j] + 128) >> 8);
}

/* Separable gaussian blur of sigma px with integer weights (sum 256, so
 * 16-bit sums suffice and the loops vectorise), as a
 * row pass and a column pass over whole rows so both stay cache-friendly. */
static int blur(struct kyc_synth_image *c, double sigma)
{
	if (sigma < 0.2)
		return 0;
	int R = (int)ceil(2.5 * sigma), wsum = 0, w[16];
	double g[16], gsum = 0;
	if (R > 7)
		R = 7;
	for (int i = 0; i <= R; i++) {
		g[i] = exp(-(double)i * i / (2 * sigma * sigma));
		gsum += i ? 2 * g[i] : g[i];
	}
	for (int i = 0; i <= R; i++) {
		w[i] = (int)lround(256 * g[i] / gsum);
		wsum += i ? 2 * w[i] : w[i];
	}
	w[0] += 256 - wsum; /* exact normalisation: sums stay within 16 bits */
	size_t stride = (size_t)c->w * 3;
	unsigned char *tmp = malloc(stride * (size_t)c->h);
	uint16_t *acc = malloc(stride * sizeof *acc);
	if (!tmp || !acc) {
		free(tmp);
		free(acc);
		return KYC_ERR_NOMEM;
	}
	/* Rows: c -> tmp, through a copy padded with R edge pixels each side so
	 * the inner loop has no bounds tests. */
	unsigned char *pad = malloc(stride + (size_t)R * 6);
	if (!pad) {
		free(tmp);
		free(acc);
		return KYC_ERR_NOMEM;
	}
	for (int y = 0; y < c->h; y++) {
		const unsigned char *in = c->px + (size_t)y * stride;
		for (int i = 0; i < R; i++) {
			memcpy(pad + (size_t)i * 3, in, 3);
			memcpy(pad + (size_t)R * 3 + stride + (size_t)i * 3, in + stride - 3, 3);
		}
		memcpy(pad + (size_t)R * 3, in, stride);
		const unsigned char *m = pad + (size_t)R * 3;
		mul1(acc, m, (uint16_t)w[0], stride);
		for (int i = 1; i <= R; i++)
			mac2(acc, m - i * 3, m + i * 3, (uint16_t)w[i], stride);
		store(tmp + (size_t)y * stride, acc, stride);
	}
	free(pad);
	/* Columns: tmp -> c, a whole row of sums at a time. */
	for (int y = 0; y < c->h; y++) {
		const unsigned char *mid = tmp + (size_t)y * stride;
		mul1(acc, mid, (uint16_t)w[0], stride);
		for (int i = 1; i <= R; i++) {
			int yu = y - i < 0 ? 0 : y - i, yd = y + i >= c->h ? c->h - 1 : y + i;
			mac2(acc, tmp + (size_t)yu * stride, tmp + (size_t)yd * stride,
			     (uint16_t)w[i], stride);
		}
		store(c->px + (size_t)y * stride, acc, stride);
	}
	free(tmp);
	free(acc);
	return 0;
}

static int noise(struct kyc_synth_image *c, struct kyc_synth__rng *r, double sd)
{
	/* Luma noise (triangular: the sum of two uniforms) plus a little chroma,
	 * drawn from tables indexed by bits of one 64-bit draw per pixel. */
	int *luma = malloc(sizeof(int) * 4096), *chroma = malloc(sizeof(int) * 1024);
	if (!luma || !chroma) {
		free(luma);
		free(chroma);
		return KYC_ERR_NOMEM;
	}
	for (int i = 0; i < 4096; i++)
		luma[i] = (int)lround(((i & 63) + (i >> 6) - 63) / 63.0 * sd * 1.7);
	for (int i = 0; i < 1024; i++)
		chroma[i] = (int)lround((i - 512) / 1024.0 * sd * 0.6);
	size_t n = (size_t)c->w * (size_t)c->h;
	for (size_t i = 0; i < n; i++) {
		uint64_t z = kyc_synth__rng_next(r);
		int l = luma[z & 4095];
		unsigned char *p = c->px + i * 3;
		for (int k = 0; k < 3; k++) {
			int v = p[k] + l + chroma[(z >> (12 + 10 * k)) & 1023];
			p[k] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	free(luma);
	free(chroma);
	return 0;
}

/* Turns the image clockwise by deg (90, 180, 270). */
static int orient(struct kyc_synth_image *c, int deg)
{
	if (deg == 0)
		return 0;
	int W = c->w, H = c->h;
	int nw = deg == 180 ? W : H, nh = deg == 180 ? H : W;
	unsigned char *o = malloc((size_t)W * (size_t)H * 3);
	if (!o)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int X, Y;
			if (deg == 90)
				X = H - 1 - y, Y = x;
			else if (deg == 180)
				X = W - 1 - x, Y = H - 1 - y;
			else
				X = y, Y = W - 1 - x;
			memcpy(o + ((size_t)Y * (size_t)nw + (size_t)X) * 3,
			       c->px + ((size_t)y * (size_t)W + (size_t)x) * 3, 3);
		}
	free(c->px);
	c->px = o, c->w = nw, c->h = nh;
	return 0;
}

static void orient_point(int deg, int W, int H, double x, double y, double *X, double *Y)
{
	if (deg == 90)
		*X = H - y, *Y = x;
	else if (deg == 180)
		*X = W - x, *Y = H - y;
	else if (deg == 270)
		*X = y, *Y = W - x;
	else
		*X = x, *Y = y;
}

/* Moves the MRZ boxes (x0, y0, x1, y1) with the document inside a larger
 * raster. */
static void shift_boxes(double boxes[4][4], double dx, double dy)
{
	for (int b = 0; b < 4; b++)
		boxes[b][0] += dx, boxes[b][2] += dx, boxes[b][1] += dy, boxes[b][3] += dy;
}

#define BOOKLET_MM 2.5 /* cover visible around the pages */

/* Puts the drawn data page into an open booklet: cover colour around, the
 * facing page above, a shaded fold between them. Replaces *doc and moves
 * mrz_box with the page. */
static int booklet(struct kyc_synth_image *doc, double u, struct kyc_synth__rng *r,
                   double mrz_box[4][4])
{
	static const unsigned char covers[4][3] = {
	    {105, 28, 38}, {28, 38, 82}, {30, 68, 48}, {32, 32, 36}};
	const unsigned char *cover = covers[kyc_synth__rng_int(r, 0, 3)];
	int b = (int)lround(BOOKLET_MM * u);
	int W = doc->w + 2 * b, H = 2 * doc->h + 2 * b, fold = b + doc->h;
	unsigned char *px = malloc((size_t)W * (size_t)H * 3);
	if (!px)
		return KYC_ERR_NOMEM;
	double page[3];
	for (int k = 0; k < 3; k++)
		page[k] = kyc_synth__rng_unif(r, 222, 242);
	double wave = kyc_synth__rng_unif(r, 6, 14) * u, tilt = kyc_synth__rng_unif(r, -0.6, 0.6);
	double gutter = kyc_synth__rng_unif(r, 2.5, 5) * u,
	       dark = kyc_synth__rng_unif(r, 0.12, 0.3);
	for (int y = 0; y < H; y++) {
		double d = (y - fold) / gutter;
		double shade = 1 - dark * exp(-d * d);
		for (int x = 0; x < W; x++) {
			unsigned char *p = px + ((size_t)y * (size_t)W + (size_t)x) * 3;
			if (x < b || x >= W - b || y < b || y >= H - b) {
				memcpy(p, cover, 3);
			} else if (y < fold) {
				/* The facing page: plain paper with a faint print. */
				double t = fmod(x + tilt * y + 4 * wave, wave);
				for (int k = 0; k < 3; k++)
					p[k] = clamp8((page[k] - 4 * (t < 0.5 * u)) * shade);
			} else {
				const unsigned char *q =
				    doc->px +
				    ((size_t)(y - fold) * (size_t)doc->w + (size_t)(x - b)) * 3;
				for (int k = 0; k < 3; k++)
					p[k] = clamp8(q[k] * shade);
			}
		}
	}
	free(doc->px);
	doc->px = px, doc->w = W, doc->h = H;
	shift_boxes(mrz_box, b, fold);
	return 0;
}

/* Pastes a visa onto a blank passport page (125 x 88 mm), the way visas are
 * issued: a sticker with a thin shadowed edge. Replaces *doc and moves
 * mrz_box with the sticker. */
static int visa_page(struct kyc_synth_image *doc, double u, struct kyc_synth__rng *r,
                     double mrz_box[4][4])
{
	int W = (int)lround(125 * u), H = (int)lround(88 * u);
	int ox =
	    (W - doc->w) / 2 + (int)lround(kyc_synth__rng_unif(r, -0.4, 0.4) * (W - doc->w) / 2);
	int oy =
	    (H - doc->h) / 2 + (int)lround(kyc_synth__rng_unif(r, -0.4, 0.4) * (H - doc->h) / 2);
	unsigned char *px = malloc((size_t)W * (size_t)H * 3);
	if (!px)
		return KYC_ERR_NOMEM;
	double page[3];
	for (int k = 0; k < 3; k++)
		page[k] = kyc_synth__rng_unif(r, 220, 240);
	double wave = kyc_synth__rng_unif(r, 4, 9) * u;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			unsigned char *p = px + ((size_t)y * (size_t)W + (size_t)x) * 3;
			int sx = x - ox, sy = y - oy;
			if (sx >= 0 && sy >= 0 && sx < doc->w && sy < doc->h) {
				memcpy(p, doc->px + ((size_t)sy * (size_t)doc->w + (size_t)sx) * 3,
				       3);
				continue;
			}
			/* Page print, and the sticker's shadow just outside its edge. */
			double t = fmod(x + 0.35 * y + 4 * wave, wave);
			int dx = sx < 0 ? -sx : sx >= doc->w ? sx - doc->w + 1 : 0;
			int dy = sy < 0 ? -sy : sy >= doc->h ? sy - doc->h + 1 : 0;
			double d = dx > dy ? dx : dy, sh = d < 3 ? 0.8 + 0.07 * d : 1;
			for (int k = 0; k < 3; k++)
				p[k] = clamp8((page[k] - 5 * (t < 0.4 * u)) * sh);
		}
	free(doc->px);
	doc->px = px, doc->w = W, doc->h = H;
	shift_boxes(mrz_box, ox, oy);
	return 0;
}

/* A soft laminate reflection somewhere on the document: lifts everything
 * towards white, strongest at its centre. */
static void glare(struct kyc_synth_image *c, struct kyc_synth__rng *r, const double quad[4][2],
                  double strength)
{
	double s = kyc_synth__rng_unif(r, 0.15, 0.85), t = kyc_synth__rng_unif(r, 0.15, 0.85);
	double cx = (1 - t) * ((1 - s) * quad[0][0] + s * quad[1][0]) +
	            t * ((1 - s) * quad[3][0] + s * quad[2][0]);
	double cy = (1 - t) * ((1 - s) * quad[0][1] + s * quad[1][1]) +
	            t * ((1 - s) * quad[3][1] + s * quad[2][1]);
	double side = hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
	double rx = kyc_synth__rng_unif(r, 0.08, 0.25) * side,
	       ry = rx * kyc_synth__rng_unif(r, 0.3, 1.0);
	double a = kyc_synth__rng_unif(r, 0, M_PI), ca = cos(a), sa = sin(a);
	double amp = kyc_synth__rng_unif(r, 0.5, 1.0) * strength, ext = 2.5 * rx;
	for (int y = (int)fmax(0, cy - ext); y < (int)fmin(c->h, cy + ext); y++)
		for (int x = (int)fmax(0, cx - ext); x < (int)fmin(c->w, cx + ext); x++) {
			double dx = x - cx, dy = y - cy;
			double lx = (dx * ca + dy * sa) / rx, ly = (-dx * sa + dy * ca) / ry;
			double q = lx * lx + ly * ly;
			if (q > 6)
				continue;
			double k = amp / (1 + q * q);
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(p[ch] + (255 - p[ch]) * k);
		}
}

/* Crops the document raster to the MRZ: card_mm below its last line and
 * side_mm beside its ends (never growing it), moving the boxes with it. The
 * issuer who prints the MRZ close to the edge, or a card trimmed tight. */
static int crop_to_mrz(struct kyc_synth_image *doc, double mrz_box[4][4], double u, double card_mm,
                       double side_mm)
{
	int x0 = (int)fmax(0, floor(mrz_box[0][0] - side_mm * u));
	int x1 = (int)fmin(doc->w, ceil(mrz_box[0][2] + side_mm * u));
	int y1 = (int)fmin(doc->h, ceil(mrz_box[0][3] + card_mm * u));
	if (x0 == 0 && x1 == doc->w && y1 == doc->h)
		return 0;
	int W = x1 - x0, H = y1;
	unsigned char *px = malloc((size_t)W * (size_t)H * 3);
	if (!px)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < H; y++)
		memcpy(px + (size_t)y * (size_t)W * 3,
		       doc->px + ((size_t)y * (size_t)doc->w + (size_t)x0) * 3, (size_t)W * 3);
	free(doc->px);
	doc->px = px, doc->w = W, doc->h = H;
	shift_boxes(mrz_box, -x0, 0);
	return 0;
}

int kyc_synth__camera(struct kyc_synth_image *c, struct kyc_synth__rng *r, int level,
                      double max_blur, int orientation)
{
	const struct level_cfg *L = &levels[level];
	int rc = lighting(c, r, L->light, level == 2 && kyc_synth__rng_int(r, 0, 2) != 0);
	if (!rc)
		rc = blur(c, fmin(max_blur, kyc_synth__rng_unif(r, L->blur_min, L->blur_max)));
	if (!rc)
		rc = noise(c, r, kyc_synth__rng_unif(r, L->noise_min, L->noise_max));
	if (!rc)
		rc = orient(c, orientation);
	return rc;
}

int kyc_synth_render(uint64_t seed, int index, int level, enum kyc_synth_format format,
                     struct kyc_synth_doc *truth, struct kyc_synth_image *img)
{
	return kyc_synth_render_class(seed, index, level, KYC_SYNTH_CLASS_NONE, format, truth, img);
}

int kyc_synth_render_class(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                           enum kyc_synth_format format, struct kyc_synth_doc *truth,
                           struct kyc_synth_image *img)
{
	return kyc_synth_render_portrait(seed, index, level, cls, format, NULL, truth, img);
}

int kyc_synth_render_portrait(uint64_t seed, int index, int level, enum kyc_synth_class cls,
                              enum kyc_synth_format format, const struct kyc_synth_image *photo,
                              struct kyc_synth_doc *truth, struct kyc_synth_image *img)
{
	struct kyc_synth_image doc = {0};
	struct kyc_synth__plan P;
	int rc;
	memset(img, 0, sizeof *img);
	if (level < 0 || level > 2 || (unsigned)cls >= KYC_SYNTH_CLASS_COUNT)
		return KYC_ERR_INVALID;
	memset(truth, 0, sizeof *truth);
	rc = kyc_synth_identity(seed, index, format, &truth->id);
	if (rc)
		return rc;
	truth->cls = cls;
	if (cls == KYC_SYNTH_CLASS_NOMRZ) {
		truth->classes = 1u << cls;
		return kyc_synth__render_nomrz(seed, index, level, truth, img);
	}
	/* The class draws from its own stream: the level's draws below are the
	 * same with or without it. */
	kyc_synth__plan_class(cls, level, seed, index, &P);
	truth->classes = P.mask;
	struct kyc_synth__rng cr;
	kyc_synth__rng_seed(&cr, seed,
	                    0x600000000ULL + ((uint64_t)level << 40) + ((uint64_t)cls << 36) +
	                        (uint64_t)(uint32_t)index);
	const struct level_cfg *L = &levels[level];
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed,
	                    0x300000000ULL + ((uint64_t)level << 40) + (uint64_t)(uint32_t)index);
	truth->seed = seed, truth->index = index, truth->level = level;
	truth->orientation = level == 2 ? 90 * kyc_synth__rng_int(r, 0, 3) : 0;
	truth->skew_deg = round(kyc_synth__rng_unif(r, -L->skew, L->skew) * 10) / 10;
	truth->quality = kyc_synth__rng_int(r, L->qmin, L->qmax);
	if (P.mask & (1u << KYC_SYNTH_CLASS_ROTATION))
		truth->orientation = P.orientation, truth->skew_deg = P.skew_deg;
	if (P.mask & (1u << KYC_SYNTH_CLASS_JPEG))
		truth->quality = P.quality;

	/* A passport data page is usually photographed in its open booklet:
	 * cover edges around it and the facing page above. */
	int visa = truth->id.format == KYC_SYNTH_MRVA || truth->id.format == KYC_SYNTH_MRVB;
	int on_page = visa && kyc_synth__rng_int(r, 0, 9) < 6; /* a sticker in a passport */
	int open_booklet =
	    (truth->id.format == KYC_SYNTH_TD3 || on_page) && kyc_synth__rng_int(r, 0, 9) < 7;
	double wmm, hmm, u, bw, bh;
	int W0, H0;
	for (;;) {
		kyc_synth__doc_size_mm(on_page ? KYC_SYNTH_TD3 : truth->id.format, &wmm, &hmm);
		if (open_booklet)
			wmm += 2 * BOOKLET_MM, hmm = 2 * hmm + 2 * BOOKLET_MM;
		int tall = hmm > wmm;

		/* The long side within the level's range (so no picture passes 2000 px
		 * either way), and the width of a portrait picture still at least the
		 * level's minimum. The canvas is shaped like the document before the
		 * quarter turn. */
		double aspect = kyc_synth__rng_unif(r, 0.66, 0.8);
		int side = truth->orientation % 180 != 0;
		int lo = (side != tall) ? (int)ceil(L->wmin / aspect) : L->wmin;
		int longest = kyc_synth__rng_int(r, lo < L->wmax ? lo : L->wmax, L->wmax);
		W0 = longest, H0 = (int)lround(longest * aspect);
		if (tall)
			W0 = H0, H0 = longest;
		double th = fabs(truth->skew_deg) * M_PI / 180;
		bw = wmm * fabs(cos(th)) + hmm * fabs(sin(th));
		bh = wmm * fabs(sin(th)) + hmm * fabs(cos(th));
		double frac = kyc_synth__rng_unif(r, L->fmin, L->fmax);
		u = fmin(frac * W0 / bw, frac * H0 / bh);
		/* Keep the MRZ legible at the smallest sizes: grow the document, up to
		 * nearly filling the frame. */
		double umax = fmin(0.95 * W0 / bw, 0.95 * H0 / bh);
		if (u * 2.54 < L->min_pitch)
			u = fmin(umax, L->min_pitch / 2.54);
		/* A small picture of a whole booklet would shrink the MRZ below
		 * legibility: show the page alone instead. */
		if ((open_booklet || on_page) && u * 2.54 < L->min_pitch) {
			if (open_booklet)
				open_booklet = 0;
			else
				on_page = 0;
			continue;
		}
		break;
	}
	if (P.cap_px > 0) {
		/* Low resolution: the MRZ characters cap_px high (cap height about
		 * 2.4 mm), in a picture small enough to be decoded at full size. */
		u = P.cap_px / 2.4;
		int longest = W0 > H0 ? W0 : H0;
		if (longest > 1600)
			W0 = W0 * 1600 / longest, H0 = H0 * 1600 / longest;
	}
	double mrz_box[4][4];
	rc = kyc_synth__draw_document_printed(&truth->id, u, r, P.printed ? &P.mrz_print : NULL,
	                                      photo, &doc, mrz_box);
	if (!rc && on_page)
		rc = visa_page(&doc, u, r, mrz_box);
	if (!rc && open_booklet)
		rc = booklet(&doc, u, r, mrz_box);
	/* Class effects printed on the document itself. */
	if (!rc && P.print > 0)
		kyc_synth__security_print(&doc, &cr, mrz_box[0], u, P.print);
	if (!rc && P.holo > 0)
		kyc_synth__hologram(&doc, &cr, mrz_box[0], u, P.holo);
	if (!rc && P.near_text)
		rc = kyc_synth__text_near_mrz(&doc, &cr, mrz_box[0], u);
	if (!rc && P.card_margin_mm > 0)
		rc = crop_to_mrz(&doc, mrz_box, u, P.card_margin_mm, P.side_margin_mm);
	if (rc)
		goto out;

	img->w = W0, img->h = H0;
	img->px = malloc((size_t)W0 * (size_t)H0 * 3);
	if (!img->px) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	kyc_synth__desk(img, r, 3 + 2 * level);

	/* Where the corners go: rotation about a random centre, then jitter. */
	double a = truth->skew_deg * M_PI / 180, ca = cos(a), sa = sin(a);
	double slack_x = fmax(0, (W0 - bw * u) / 2), slack_y = fmax(0, (H0 - bh * u) / 2);
	double cx = W0 / 2.0 + kyc_synth__rng_unif(r, -0.8, 0.8) * slack_x;
	double cy = H0 / 2.0 + kyc_synth__rng_unif(r, -0.8, 0.8) * slack_y;
	double src[4][2] = {{0, 0}, {doc.w, 0}, {doc.w, doc.h}, {0, doc.h}}, dst[4][2];
	for (int i = 0; i < 4; i++) {
		double x = src[i][0] - doc.w / 2.0, y = src[i][1] - doc.h / 2.0;
		dst[i][0] =
		    cx + x * ca - y * sa + kyc_synth__rng_unif(r, -L->persp, L->persp) * doc.w;
		dst[i][1] =
		    cy + x * sa + y * ca + kyc_synth__rng_unif(r, -L->persp, L->persp) * doc.h;
	}
	if (P.mask & (1u << KYC_SYNTH_CLASS_CLUTTER)) {
		kyc_synth__desk(img, &cr, 6 + 3 * level);
		if (P.second_doc)
			rc = kyc_synth__second_document(img, &cr, seed, index, dst);
		if (rc)
			goto out;
	}
	if (P.tilt_deg > 0) {
		truth->tilt_deg = round(P.tilt_deg * 10) / 10;
		kyc_synth__tilted_corners(dst, doc.w, doc.h, a, P.tilt_deg, P.tilt_axis,
		                          P.focal * (W0 > H0 ? W0 : H0), cx, cy);
		kyc_synth__fit_inside(dst, W0, H0);
	}
	double hfwd[9], hinv[9];
	if (kyc_synth__homography(src, dst, hfwd)) {
		rc = KYC_ERR_INTERNAL;
		goto out;
	}
	if (P.border_pitches > 0) {
		/* Measured on the canvas: the pitch after any tilt. */
		double x0, y0, x1, y1;
		kyc_synth__apply(hfwd, mrz_box[1][0], mrz_box[1][1], &x0, &y0);
		kyc_synth__apply(hfwd, mrz_box[1][2], mrz_box[1][1], &x1, &y1);
		double pitch = hypot(x1 - x0, y1 - y0) / truth->id.line_len;
		kyc_synth__mrz_to_border(dst, hfwd, mrz_box[0], W0, H0, P.border_side,
		                         P.border_pitches * pitch);
		if (kyc_synth__homography(src, dst, hfwd)) {
			rc = KYC_ERR_INTERNAL;
			goto out;
		}
	}
	if (kyc_synth__homography(dst, src, hinv)) {
		rc = KYC_ERR_INTERNAL;
		goto out;
	}
	double rad = (truth->id.format == KYC_SYNTH_TD1   ? 3.18
	              : truth->id.format == KYC_SYNTH_TD2 ? 3.0
	                                                  : 1.0) *
	             u;
	if (on_page)
		rad = 1.0 * u;
	if (open_booklet)
		rad = 4.0 * u;
	double soft = kyc_synth__rng_unif(r, 0.01, 0.03) * W0;
	kyc_synth__composite(img, &doc, hinv, dst, rad, kyc_synth__rng_unif(r, -0.6, 0.6) * soft,
	                     kyc_synth__rng_unif(r, 0.2, 1.0) * soft, soft);

	/* The MRZ on the canvas, for the effects aimed at it. */
	double mq[4][2], mpitch;
	{
		const double *m = mrz_box[0];
		double box[4][2] = {{m[0], m[1]}, {m[2], m[1]}, {m[2], m[3]}, {m[0], m[3]}};
		for (int i = 0; i < 4; i++)
			kyc_synth__apply(hfwd, box[i][0], box[i][1], &mq[i][0], &mq[i][1]);
		mpitch = hypot(mq[1][0] - mq[0][0], mq[1][1] - mq[0][1]) / truth->id.line_len;
	}
	if (P.fingers)
		kyc_synth__fingers(img, &cr, dst, mq);

	if (level > 0 && kyc_synth__rng_int(r, 0, 1))
		glare(img, r, dst, level == 1 ? 0.25 : 0.4);
	rc = lighting(img, r, L->light, level == 2 && kyc_synth__rng_int(r, 0, 2) != 0);
	if (rc)
		goto out;
	if (P.shadow > 0)
		kyc_synth__hard_shadow(img, &cr, mq, mpitch, P.shadow);
	if (P.glare > 0)
		kyc_synth__glare_band(img, &cr, mq, mpitch, P.glare);
	double sigma = kyc_synth__rng_unif(r, L->blur_min, L->blur_max);
	sigma = fmin(sigma, u * 2.54 / 7); /* never past legibility */
	rc = blur(img, sigma);
	if (!rc && P.motion_pitches > 0)
		rc = kyc_synth__motion_blur(img, P.motion_pitches * mpitch, P.motion_angle);
	if (rc)
		goto out;
	rc = noise(img, r, kyc_synth__rng_unif(r, L->noise_min, L->noise_max));
	if (rc)
		goto out;
	rc = orient(img, truth->orientation);
	/* A picture agency's mark goes on the finished picture. */
	if (!rc && P.stock > 0)
		rc = kyc_synth__stock_watermark(img, &cr, mpitch, P.stock);
	if (rc)
		goto out;

	/* The zone and each line, through the same transforms as the pixels. */
	for (int b = 0; b <= truth->id.nlines; b++) {
		const double *m = mrz_box[b];
		double box[4][2] = {{m[0], m[1]}, {m[2], m[1]}, {m[2], m[3]}, {m[0], m[3]}};
		double(*q)[2] = b ? truth->line_quads[b - 1] : truth->mrz_quad;
		for (int i = 0; i < 4; i++) {
			double x, y;
			kyc_synth__apply(hfwd, box[i][0], box[i][1], &x, &y);
			orient_point(truth->orientation, W0, H0, x, y, &q[i][0], &q[i][1]);
		}
	}
	truth->mrz_px = 2.54 * u;
	truth->width = img->w, truth->height = img->h;
out:
	free(doc.px);
	if (rc)
		kyc_synth_image_release(img);
	return rc;
}

/* ---- cards without an MRZ (synth_egnid.c) ---- */

void kyc_synth__card_frame(int level, struct kyc_synth__rng *r, double wmm, double hmm,
                           struct kyc_synth__frame *f)
{
	const struct level_cfg *L = &levels[level];
	f->skew_deg = round(kyc_synth__rng_unif(r, -L->skew, L->skew) * 10) / 10;
	f->quality = kyc_synth__rng_int(r, L->qmin, L->qmax);
	double aspect = kyc_synth__rng_unif(r, 0.66, 0.8);
	f->w = kyc_synth__rng_int(r, L->wmin, L->wmax);
	f->h = (int)lround(f->w * aspect);
	double th = fabs(f->skew_deg) * M_PI / 180;
	double bw = wmm * cos(th) + hmm * sin(th), bh = wmm * sin(th) + hmm * cos(th);
	double frac = kyc_synth__rng_unif(r, L->fmin, L->fmax);
	f->u = fmin(frac * f->w / bw, frac * f->h / bh);
}

int kyc_synth__card_photo(const struct kyc_synth_image *doc, double rad, int level,
                          const struct kyc_synth__frame *f, struct kyc_synth__rng *r,
                          const struct kyc_synth__sheet *sheet, struct kyc_synth_image *img,
                          double quad[4][2])
{
	const struct level_cfg *L = &levels[level];
	int W0 = f->w, H0 = f->h, rc;
	img->w = W0, img->h = H0;
	img->px = malloc((size_t)W0 * (size_t)H0 * 3);
	if (!img->px)
		return KYC_ERR_NOMEM;
	kyc_synth__desk(img, r, 3 + 2 * level);
	double a = f->skew_deg * M_PI / 180, ca = cos(a), sa = sin(a);
	double bw = doc->w * fabs(ca) + doc->h * fabs(sa),
	       bh = doc->w * fabs(sa) + doc->h * fabs(ca);
	double cx = W0 / 2.0 + kyc_synth__rng_unif(r, -0.8, 0.8) * fmax(0, (W0 - bw) / 2);
	double cy = H0 / 2.0 + kyc_synth__rng_unif(r, -0.8, 0.8) * fmax(0, (H0 - bh) / 2);
	double src[4][2] = {{0, 0}, {doc->w, 0}, {doc->w, doc->h}, {0, doc->h}};
	for (int i = 0; i < 4; i++) {
		double x = src[i][0] - doc->w / 2.0, y = src[i][1] - doc->h / 2.0;
		quad[i][0] =
		    cx + x * ca - y * sa + kyc_synth__rng_unif(r, -L->persp, L->persp) * doc->w;
		quad[i][1] =
		    cy + x * sa + y * ca + kyc_synth__rng_unif(r, -L->persp, L->persp) * doc->h;
	}
	double hinv[9];
	if (kyc_synth__homography(quad, src, hinv)) {
		rc = KYC_ERR_INTERNAL;
		goto fail;
	}
	double soft = kyc_synth__rng_unif(r, 0.01, 0.03) * W0;
	/* in the order the base's call drew them (its arguments right to left) */
	double sdy = kyc_synth__rng_unif(r, 0.2, 1.0), sdx = kyc_synth__rng_unif(r, -0.6, 0.6);
	if (sheet) {
		/* Flat on the paper, a card casts no more than a line of shadow
		 * (about 0.3 mm). */
		kyc_synth__flush_sheet(img, quad, sheet);
		soft = 0.3 * f->u;
	}
	kyc_synth__composite(img, doc, hinv, quad, rad, sdx * soft, sdy * soft, soft);
	if (level > 0 && kyc_synth__rng_int(r, 0, 1))
		glare(img, r, quad, level == 1 ? 0.25 : 0.4);
	rc = lighting(img, r, L->light, level == 2 && kyc_synth__rng_int(r, 0, 2) != 0);
	if (!rc)
		rc = blur(img, kyc_synth__rng_unif(r, L->blur_min, L->blur_max));
	if (!rc)
		rc = noise(img, r, kyc_synth__rng_unif(r, L->noise_min, L->noise_max));
	if (!rc)
		return 0;
fail:
	kyc_synth_image_release(img);
	return rc;
}
