/* Pixel effects of the training-cell generator; see gen_fx.h. */
#include "gen_fx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MAX (GEN_FX_MAX_SIDE * GEN_FX_MAX_SIDE)

static _Thread_local float tmp[N_MAX];

static double unif(uint64_t *s, double a, double b)
{
	return a + (b - a) * gen_unif(s);
}

/* One pass of a separable kernel k[0..2r] along (dx, dy), edges clamped. */
static void blur_pass(const float *src, float *dst, int w, int h, int dx, int dy, const float *k,
                      int r)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			float acc = 0;
			for (int i = -r; i <= r; i++) {
				int xx = x + i * dx, yy = y + i * dy;
				xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
				yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
				acc += k[i + r] * src[yy * w + xx];
			}
			dst[y * w + x] = acc;
		}
}

void fx_blur(float *img, int w, int h, double sigma)
{
	if (sigma < 0.2)
		return;
	int r = (int)ceil(2.5 * sigma);
	if (r > 16)
		r = 16;
	float k[33], sum = 0;
	for (int i = -r; i <= r; i++) {
		k[i + r] = (float)exp(-(double)(i * i) / (2 * sigma * sigma));
		sum += k[i + r];
	}
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= sum;
	blur_pass(img, tmp, w, h, 1, 0, k, r);
	blur_pass(tmp, img, w, h, 0, 1, k, r);
}

static float sample_bilinear(const float *img, int w, int h, double x, double y)
{
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	if (x > w - 1)
		x = w - 1;
	if (y > h - 1)
		y = h - 1;
	int x0 = (int)x, y0 = (int)y;
	int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
	float fx = (float)(x - x0), fy = (float)(y - y0);
	float top = img[y0 * w + x0] * (1 - fx) + img[y0 * w + x1] * fx;
	float bot = img[y1 * w + x0] * (1 - fx) + img[y1 * w + x1] * fx;
	return top * (1 - fy) + bot * fy;
}

void fx_motion(float *img, int w, int h, double dx, double dy)
{
	double len = sqrt(dx * dx + dy * dy);
	if (len < 0.5)
		return;
	int n = 2 * (int)ceil(len) + 1;
	if (n > 41)
		n = 41;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			float acc = 0;
			for (int i = 0; i < n; i++) {
				double t = (double)i / (n - 1) - 0.5;
				acc += sample_bilinear(img, w, h, x + t * dx, y + t * dy);
			}
			tmp[y * w + x] = acc / (float)n;
		}
	memcpy(img, tmp, sizeof(float) * (size_t)(w * h));
}

static void disc(float *a, int w, int h, double cx, double cy, double r, float v)
{
	int x0 = (int)floor(cx - r - 1), x1 = (int)ceil(cx + r + 1);
	int y0 = (int)floor(cy - r - 1), y1 = (int)ceil(cy + r + 1);
	for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < h; y++)
		for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < w; x++) {
			double d =
			    sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
			double c = r + 0.5 - d; /* one-pixel anti-aliased rim */
			if (c <= 0)
				continue;
			float cov = (float)(c > 1 ? 1 : c) * v;
			if (cov > a[y * w + x])
				a[y * w + x] = cov;
		}
}

void fx_inkjet(float *a, int w, int h, double sigma, double thr, uint64_t *s)
{
	fx_blur(a, w, h, sigma);
	/* A soft threshold with per-pixel jitter: paper fibres wick the ink
	 * unevenly, so the edge is ragged rather than a smooth offset. */
	for (int i = 0; i < w * h; i++) {
		double t = thr + 0.12 * (gen_unif(s) - 0.5);
		double v = (a[i] - t) * 6 + 0.5;
		a[i] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
	}
	int n = (int)(gen_mix(s) % 6);
	for (int i = 0; i < n; i++) {
		int x = (int)(gen_mix(s) % (uint64_t)w), y = (int)(gen_mix(s) % (uint64_t)h);
		if (a[y * w + x] > 0.02f ||
		    sample_bilinear(a, w, h, x + 2, y) + sample_bilinear(a, w, h, x - 2, y) > 0.3f)
			disc(a, w, h, x + 0.5, y + 0.5, unif(s, 0.3, 0.9), (float)unif(s, 0.5, 1));
	}
}

void fx_dots(float *a, int w, int h, double pitch, double r, uint64_t *s)
{
	memcpy(tmp, a, sizeof(float) * (size_t)(w * h));
	memset(a, 0, sizeof(float) * (size_t)(w * h));
	double ox = unif(s, 0, pitch), oy = unif(s, 0, pitch);
	for (double y = oy; y < h; y += pitch)
		for (double x = ox; x < w; x += pitch)
			if (sample_bilinear(tmp, w, h, x, y) > 0.45f)
				disc(a, w, h, x + unif(s, -0.08, 0.08) * pitch, y, r,
				     (float)unif(s, 0.75, 1));
}

void fx_specks(float *a, int w, int h, int n, uint64_t *s)
{
	for (int i = 0; i < n; i++)
		disc(a, w, h, unif(s, 0, w), unif(s, 0, h), unif(s, 0.2, 0.7),
		     (float)unif(s, 0.3, 1));
}

void fx_emboss(const float *a, float *shade, int w, int h, double sigma, double theta)
{
	memcpy(shade, a, sizeof(float) * (size_t)(w * h));
	fx_blur(shade, w, h, sigma);
	memcpy(tmp, shade, sizeof(float) * (size_t)(w * h));
	float lx = (float)cos(theta), ly = (float)sin(theta);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int xl = x > 0 ? x - 1 : x, xr = x + 1 < w ? x + 1 : x;
			int yu = y > 0 ? y - 1 : y, yd = y + 1 < h ? y + 1 : y;
			float gx = tmp[y * w + xr] - tmp[y * w + xl];
			float gy = tmp[yd * w + x] - tmp[yu * w + x];
			shade[y * w + x] = (gx * lx + gy * ly) * (float)(1.0 + sigma);
		}
}

void fx_guilloche(float *paper, int w, int h, double dark, uint64_t *s)
{
	int fams = 1 + (int)(gen_mix(s) % 3);
	for (int f = 0; f < fams; f++) {
		double th = unif(s, 0, 3.14159265), c = cos(th), sn = sin(th);
		double period = unif(s, 2.5, 9), width = unif(s, 0.35, 1.2);
		double amp = unif(s, 0, 6), lam = unif(s, 8, 40), ph = unif(s, 0, 6.283);
		double d = dark * unif(s, 0.4, 1);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double along = x * c + y * sn, across = -x * sn + y * c;
				double u =
				    (across + amp * sin(6.283185 * along / lam + ph)) / period;
				double dist = fabs(u - floor(u + 0.5)) * period;
				double v = 1 - dist / width;
				if (v > 0)
					paper[y * w + x] -= (float)(d * (v > 1 ? 1 : v));
			}
	}
}

void fx_glare(float *g, int w, int h, double strength, uint64_t *s)
{
	double cx = unif(s, -0.3, 1.3) * w, cy = unif(s, -0.3, 1.3) * h;
	double rx = unif(s, 0.3, 1.2) * w, ry = unif(s, 0.3, 1.2) * h;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double dx = (x - cx) / rx, dy = (y - cy) / ry;
			double k = strength * exp(-(dx * dx + dy * dy));
			float *p = &g[y * w + x];
			*p += (float)((255 - *p) * k);
		}
}

void fx_shadow(float *g, int w, int h, double depth, uint64_t *s)
{
	double th = unif(s, 0, 6.283185), c = cos(th), sn = sin(th);
	double off = unif(s, -0.4, 0.4) * (w + h) / 2, soft = unif(s, 0.5, 0.3 * (w + h) / 2);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double d = ((x - w / 2.0) * c + (y - h / 2.0) * sn - off) / soft;
			double k = depth / (1 + exp(-d * 4)); /* soft step */
			g[y * w + x] *= (float)(1 - k);
		}
}

void fx_resample(const unsigned char *in, int w, int h, double f, int max, unsigned char *out,
                 int *ow, int *oh)
{
	int nw = (int)lround(w * f), nh = (int)lround(h * f);
	if (nw > max)
		nw = max;
	if (nh > max)
		nh = max;
	if (nw < 4)
		nw = 4;
	if (nh < 5)
		nh = 5;
	double sx = (double)w / nw, sy = (double)h / nh;
	for (int y = 0; y < nh; y++) {
		double fy = (y + 0.5) * sy - 0.5;
		if (fy < 0)
			fy = 0;
		if (fy > h - 1)
			fy = h - 1;
		int y0 = (int)fy, y1 = y0 + 1 < h ? y0 + 1 : y0;
		double ty = fy - y0;
		for (int x = 0; x < nw; x++) {
			double fx = (x + 0.5) * sx - 0.5;
			if (fx < 0)
				fx = 0;
			if (fx > w - 1)
				fx = w - 1;
			int x0 = (int)fx, x1 = x0 + 1 < w ? x0 + 1 : x0;
			double tx = fx - x0;
			double v = (in[y0 * w + x0] * (1 - tx) + in[y0 * w + x1] * tx) * (1 - ty) +
			           (in[y1 * w + x0] * (1 - tx) + in[y1 * w + x1] * tx) * ty;
			out[y * nw + x] = (unsigned char)lround(v);
		}
	}
	*ow = nw;
	*oh = nh;
}
