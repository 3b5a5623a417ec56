/* The pixels of a band: resampling it upright around a candidate line
 * (bilinear, fixed point), flattening it by its closing, turning it by 180°,
 * the two byte loops its layout runs most (a threshold, a count), Otsu's
 * threshold, and the refinement of a candidate's skew and offset. These
 * run over a whole band several times per line read, so the flattening and
 * the byte loops have a vector form where the machine has SSE2, giving the
 * scalar form's bytes to the bit (docs/reader.md, steps 7-8). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/morph.h"
#include "document/reader.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define GH KYC_READER__GLYPH_H
#define BAND_HALF 6.5 /* band half-height around the seed line, in line thicknesses */

static inline int inside(long x, long y, long xmax, long ymax)
{
	return x >= 0 && y >= 0 && x < xmax && y < ymax;
}

typedef unsigned char v16b __attribute__((vector_size(16)));

/* 16 bytes at a time by a sum of absolute differences from 0 where the
 * machine has it. */
int kyc_reader__count_set(const unsigned char *p, int n)
{
	int i = 0, c = 0;
#ifdef __SSE2__
	__m128i acc = _mm_setzero_si128();
	for (; i + 16 <= n; i += 16)
		acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i)),
		                                      _mm_setzero_si128()));
	c = _mm_cvtsi128_si32(acc) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(acc, acc));
#endif
	for (; i < n; i++)
		c += p[i];
	return c;
}

void kyc_reader__threshold(const unsigned char *px, size_t n, int t, unsigned char *ink)
{
	size_t i = 0;
	v16b vt = (v16b){0} + (unsigned char)t, one = (v16b){0} + 1;
	for (; t >= 0 && t < 256 && i + 16 <= n; i += 16) {
		v16b a;
		memcpy(&a, px + i, 16);
		v16b r = (v16b)(a <= vt) & one;
		memcpy(ink + i, &r, 16);
	}
	for (; i < n; i++)
		ink[i] = px[i] <= t;
}

/* Beyond the frame: the nearest border pixel, so a desk cut by the border
 * does not become a thin dark stroke between the card and a white margin.
 * (x, y) in 16.16 fixed point. */
static unsigned char border(const unsigned char *g, int W, int H, long x, long y)
{
	long cx = x < 0 ? 0 : x >> 16, cy = y < 0 ? 0 : y >> 16;
	return g[(cy > H - 1 ? H - 1 : cy) * W + (cx > W - 1 ? W - 1 : cx)];
}

/* n bilinear samples from (x, y) in steps (dx, dy), 16.16 fixed point, every
 * one with its 2×2 neighbourhood inside the W-wide image. */
static void bilinear_run(const unsigned char *g, int W, long x, long y, long dx, long dy,
                         unsigned char *out, int n)
{
	for (int i = 0; i < n; i++, x += dx, y += dy) {
		int xi = (int)(x >> 16), yi = (int)(y >> 16);
		int fx = (int)(x & 0xFFFF) >> 8, fy = (int)(y & 0xFFFF) >> 8;
		const unsigned char *p = g + (size_t)yi * W + xi;
		int top = p[0] * 256 + fx * (p[1] - p[0]);
		int bot = p[W] * 256 + fx * (p[W + 1] - p[W]);
		out[i] = (unsigned char)((top * 256 + fy * (bot - top) + 32768) >> 16);
	}
}

int kyc_reader__rectify_at(const struct kyc_image *img, const struct kyc_reader__cand *c, int flip,
                           double gh, double half, struct kyc_reader__band *b)
{
	memset(b, 0, sizeof *b);
	double s = c->thick / gh;
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
	b->h = (int)(2 * half * c->thick / s);
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
	long xmax = (long)(W - 1) << 16, ymax = (long)(H - 1) << 16;
	for (int j = 0; j < b->h; j++) {
		double x0 = b->ox + j * s * b->vx, y0 = b->oy + j * s * b->vy;
		long x = lround(x0 * 65536), y = lround(y0 * 65536);
		unsigned char *row = b->px + (size_t)j * b->w;
		/* a straight row crosses the frame once: the samples inside are one
		 * run [lo, hi), interpolated without a bounds test each */
		int lo = 0, hi = b->w;
		while (lo < hi && !inside(x + lo * dx, y + lo * dy, xmax, ymax))
			lo++;
		while (hi > lo && !inside(x + (hi - 1) * dx, y + (hi - 1) * dy, xmax, ymax))
			hi--;
		for (int i = 0; i < b->w; i++) {
			if (i == lo && lo < hi) {
				bilinear_run(g, W, x + i * dx, y + i * dy, dx, dy, row + i,
				             hi - lo);
				i = hi - 1;
				continue;
			}
			row[i] = border(g, W, H, x + i * dx, y + i * dy);
		}
	}
	return 0;
}

int kyc_reader__rectify(const struct kyc_image *img, const struct kyc_reader__cand *c, int flip,
                        struct kyc_reader__band *b)
{
	return kyc_reader__rectify_at(img, c, flip, GH, BAND_HALF, b);
}

int kyc_reader__flatten(struct kyc_reader__band *b)
{
	size_t n = (size_t)b->w * b->h;
	unsigned char *clo = malloc(n);
	int rc = KYC_ERR_NOMEM;
	if (!clo)
		goto out;
	rc = kyc_morph_closing(b->px, b->w, b->h, GH / 2, clo);
	if (rc)
		goto out;
	/* 8.8 fixed-point reciprocals of the background level */
	unsigned scale[256];
	for (int v = 0; v < 256; v++)
		scale[v] = v ? 255u * 256 / v : 0;
	size_t i = 0;
#ifdef __SSE2__
	/* 4 pixels at a time in floats, the same integers: 65280 / v is at
	 * least 1/v from the next integer, more than half a float's step
	 * there, so its truncation is the integer quotient, and
	 * px * scale < 2^24 is exact, as is the shift by 8 (a product by
	 * 1/256) */
	const __m128 num = _mm_set1_ps(255.0f * 256), by256 = _mm_set1_ps(1.0f / 256);
	const __m128i z = _mm_setzero_si128();
	for (; i + 16 <= n; i += 16) {
		__m128i p = _mm_loadu_si128((const __m128i *)(b->px + i));
		__m128i c = _mm_loadu_si128((const __m128i *)(clo + i));
		__m128i p16[2] = {_mm_unpacklo_epi8(p, z), _mm_unpackhi_epi8(p, z)};
		__m128i c16[2] = {_mm_unpacklo_epi8(c, z), _mm_unpackhi_epi8(c, z)};
		__m128i v16[2];
		for (int hlf = 0; hlf < 2; hlf++) {
			__m128i v32[2];
			for (int q = 0; q < 2; q++) {
				__m128i pv = q ? _mm_unpackhi_epi16(p16[hlf], z)
				               : _mm_unpacklo_epi16(p16[hlf], z);
				__m128i cv = q ? _mm_unpackhi_epi16(c16[hlf], z)
				               : _mm_unpacklo_epi16(c16[hlf], z);
				__m128 cf = _mm_cvtepi32_ps(cv);
				/* 0 where the closing is 0, as scale[0] */
				__m128 sc = _mm_and_ps(_mm_cvtepi32_ps(_mm_cvttps_epi32(_mm_div_ps(
				                           num, _mm_max_ps(cf, _mm_set1_ps(1))))),
				                       _mm_cmpgt_ps(cf, _mm_setzero_ps()));
				v32[q] = _mm_cvttps_epi32(
				    _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(pv), sc), by256));
			}
			v16[hlf] = _mm_packs_epi32(v32[0], v32[1]);
		}
		/* packus saturates at 255, as the test below */
		_mm_storeu_si128((__m128i *)(b->px + i), _mm_packus_epi16(v16[0], v16[1]));
	}
#endif
	for (; i < n; i++) {
		unsigned v = (b->px[i] * scale[clo[i]]) >> 8;
		b->px[i] = (unsigned char)(v > 255 ? 255 : v);
	}
out:
	free(clo);
	return rc;
}

int kyc_reader__band_turn(const struct kyc_reader__band *src, struct kyc_reader__band *dst)
{
	size_t n = (size_t)src->w * src->h;
	*dst = *src;
	dst->px = malloc(n);
	if (!dst->px)
		return KYC_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		dst->px[i] = src->px[n - 1 - i];
	/* pixel (0,0) now shows what was pixel (w-1, h-1); the axes reverse */
	dst->ox = src->ox + (src->w - 1) * src->s * src->ux + (src->h - 1) * src->s * src->vx;
	dst->oy = src->oy + (src->w - 1) * src->s * src->uy + (src->h - 1) * src->s * src->vy;
	dst->ux = -src->ux;
	dst->uy = -src->uy;
	dst->vx = -src->vx;
	dst->vy = -src->vy;
	return 0;
}

int kyc_reader__otsu(const unsigned *hist, unsigned total)
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

/* Sum of squares of the row histogram of the ink points sheared by t: it
 * peaks when the text lines are exactly horizontal. Fixed point (16.16):
 * this runs a million times per photo. */
static double shear_score(const int *pts, int np, double t, int h, int *hist, int nh)
{
	memset(hist, 0, sizeof(int) * (size_t)nh);
	long t16 = lround(t * 65536), off = (long)h * 65536 + 32768;
	for (int i = 0; i < np; i++) {
		long r = ((long)pts[2 * i + 1] * 65536 - pts[2 * i] * t16 + off) >> 16;
		if (r >= 0 && r < nh)
			hist[r]++;
	}
	double sc = 0;
	for (int r = 0; r < nh; r++)
		sc += (double)hist[r] * hist[r];
	return sc;
}

int kyc_reader__refine(const struct kyc_image *img, struct kyc_reader__cand *c)
{
	struct kyc_reader__band b;
	int rc = kyc_reader__rectify_at(img, c, 0, GH / 2.0, 3.5, &b);
	if (rc)
		return rc;
	int w = b.w, h = b.h, half = (int)(c->len / b.s / 2), np = 0;
	int x0 = w / 2 - half < 0 ? 0 : w / 2 - half, x1 = w / 2 + half > w ? w : w / 2 + half;
	int nh = 3 * h;
	int *pts = malloc(sizeof(int) * 2 * 60000), *hist = malloc(sizeof(int) * (size_t)nh);
	rc = KYC_ERR_NOMEM;
	if (!pts || !hist)
		goto out;
	unsigned histo[256] = {0};
	for (size_t i = 0; i < (size_t)w * h; i++)
		histo[b.px[i]]++;
	int t = kyc_reader__otsu(histo, (unsigned)((size_t)w * h));
	for (int y = 0; y < h; y++)
		for (int x = x0; x < x1 && np < 60000; x++)
			if (b.px[(size_t)y * w + x] <= t) {
				pts[2 * np] = x - w / 2;
				pts[2 * np + 1] = y;
				np++;
			}
	rc = 0;
	if (np < 50)
		goto out;
	/* the residual slope, about ±5°, coarse to fine: the profile's peak is
	 * about thickness / half-length wide, 0.05 and more */
	double best = 0, bt = 0;
	static const double step[] = {0.015, 0.004, 0.0008};
	for (int lvl = 0; lvl < 3; lvl++) {
		double c0 = bt, reach = lvl ? 1.25 * step[lvl - 1] : 0.09;
		for (double sl = c0 - reach; sl <= c0 + reach + 1e-9; sl += step[lvl]) {
			double sc = shear_score(pts, np, sl, h, hist, nh);
			if (sc > best) {
				best = sc;
				bt = sl;
			}
		}
	}
	/* the text runs along (1, bt) in band axes */
	double ux = b.ux + bt * b.vx, uy = b.uy + bt * b.vy, n = sqrt(ux * ux + uy * uy);
	c->ux = ux / n;
	c->uy = uy / n;
	/* the ink height of the centre line, from the sheared profile */
	shear_score(pts, np, bt, h, hist, nh);
	int mid = h + h / 2, pk = mid;
	for (int r = mid - GH / 4; r <= mid + GH / 4; r++)
		if (r >= 0 && r < nh && hist[r] > hist[pk])
			pk = r;
	int lo = pk, hi = pk;
	while (lo > 0 && hist[lo - 1] > hist[pk] / 4)
		lo--;
	while (hi < nh - 1 && hist[hi + 1] > hist[pk] / 4)
		hi++;
	double th = (hi - lo + 1) * b.s;
	if (th > 0.6 * c->thick && th < 1.4 * c->thick) {
		/* and move the centre onto that line */
		double off = (lo + hi) / 2.0 - mid;
		c->cx += off * b.s * b.vx;
		c->cy += off * b.s * b.vy;
		c->thick = th;
	}
out:
	free(pts);
	free(hist);
	free(b.px);
	return rc;
}
