/* Resampling for the networks' inputs (sample.h). */
#include "face/sample.h"

#include <math.h>
#include <stdlib.h>

#include "core/err.h"

static void bilinear(const struct face__rgb *img, const double *clip, double x, double y,
                     double acc[3])
{
	/* Pixel centres are at integer + 0.5. */
	x -= 0.5;
	y -= 0.5;
	int ix = (int)floor(x), iy = (int)floor(y);
	double fx = x - ix, fy = y - iy;
	for (int dy = 0; dy <= 1; dy++)
		for (int dx = 0; dx <= 1; dx++) {
			int px = ix + dx, py = iy + dy;
			double wgt = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
			if (px < 0 || py < 0 || px >= img->w || py >= img->h || wgt == 0)
				continue;
			if (clip && (px < clip[0] || py < clip[1] || px >= clip[0] + clip[2] ||
			             py >= clip[1] + clip[3]))
				continue;
			const unsigned char *p = img->px + ((size_t)py * img->w + px) * 3;
			acc[0] += wgt * p[0];
			acc[1] += wgt * p[1];
			acc[2] += wgt * p[2];
		}
}

/* The pixel at (x, y) (nearest), added to acc; nothing outside the image or
 * the clip rectangle. */
static void nearest(const struct face__rgb *img, const double *clip, double x, double y,
                    double acc[3])
{
	int px = (int)floor(x), py = (int)floor(y);
	if (px < 0 || py < 0 || px >= img->w || py >= img->h)
		return;
	if (clip &&
	    (px < clip[0] || py < clip[1] || px >= clip[0] + clip[2] || py >= clip[1] + clip[3]))
		return;
	const unsigned char *p = img->px + ((size_t)py * img->w + px) * 3;
	acc[0] += p[0];
	acc[1] += p[1];
	acc[2] += p[2];
}

/* For an upright crop the k point samples of each output column (row) fall
 * on the same source columns (rows) everywhere: their indices are computed
 * once, -1 where they leave the image or the clip rectangle. */
static int *sample_index(int n, int k, double origin, double step, int limit, double lo, double hi)
{
	int *idx = malloc(sizeof(int) * (size_t)n * k);
	if (!idx)
		return NULL;
	for (int u = 0; u < n; u++)
		for (int s = 0; s < k; s++) {
			int p = (int)floor(origin + (u + (s + 0.5) / k) * step);
			idx[u * k + s] = (p < 0 || p >= limit || p < lo || p >= hi) ? -1 : p;
		}
	return idx;
}

static int crop_upright(const struct face__rgb *img, double x0, double y0, double step, int k,
                        const double *clip, int n, struct kyc_tensor *out)
{
	double lox = clip ? clip[0] : 0, hix = clip ? clip[0] + clip[2] : img->w;
	double loy = clip ? clip[1] : 0, hiy = clip ? clip[1] + clip[3] : img->h;
	int *xs = sample_index(n, k, x0, step, img->w, lox, hix);
	int *ys = sample_index(n, k, y0, step, img->h, loy, hiy);
	if (!xs || !ys) {
		free(xs);
		free(ys);
		return -1;
	}
	const float inv = 1.0f / (float)(k * k);
	for (int v = 0; v < n; v++)
		for (int u = 0; u < n; u++) {
			unsigned acc[3] = {0, 0, 0};
			for (int sy = 0; sy < k; sy++) {
				int py = ys[v * k + sy];
				if (py < 0)
					continue;
				const unsigned char *row = img->px + (size_t)py * img->w * 3;
				for (int sx = 0; sx < k; sx++) {
					int px = xs[u * k + sx];
					if (px < 0)
						continue;
					acc[0] += row[px * 3];
					acc[1] += row[px * 3 + 1];
					acc[2] += row[px * 3 + 2];
				}
			}
			float *o = out->d + ((size_t)v * n + u) * 3;
			for (int c = 0; c < 3; c++)
				o[c] = (float)acc[c] * inv;
		}
	free(xs);
	free(ys);
	return 0;
}

int face__crop(const struct face__rgb *img, double x0, double y0, double src_side, double angle,
               const double *clip, int n, struct kyc_tensor *out)
{
	int rc = kyc_tensor_alloc(out, n, n, 3);
	if (rc)
		return rc;
	double step = src_side / n;
	/* Shrinking: the mean of k×k point samples per output pixel (a box
	 * filter, so detail finer than the output grid does not alias);
	 * otherwise bilinear interpolation. */
	int k = step > 1.0 ? (int)ceil(step) : 1;
	if (k > 8)
		k = 8;
	if (k > 1 && angle == 0) {
		if (crop_upright(img, x0, y0, step, k, clip, n, out) == 0)
			return 0;
		kyc_tensor_free(out);
		return KYC_ERR_NOMEM;
	}
	double ca = cos(angle), sa = sin(angle);
	double cx = x0 + src_side / 2, cy = y0 + src_side / 2;
	for (int v = 0; v < n; v++)
		for (int u = 0; u < n; u++) {
			double acc[3] = {0, 0, 0};
			for (int sy = 0; sy < k; sy++)
				for (int sx = 0; sx < k; sx++) {
					double lx = (u + (sx + 0.5) / k) * step - src_side / 2;
					double ly = (v + (sy + 0.5) / k) * step - src_side / 2;
					double x = cx + ca * lx - sa * ly,
					       y = cy + sa * lx + ca * ly;
					if (k > 1)
						nearest(img, clip, x, y, acc);
					else
						bilinear(img, clip, x, y, acc);
				}
			float *o = out->d + ((size_t)v * n + u) * 3;
			for (int c = 0; c < 3; c++)
				o[c] = (float)(acc[c] / (k * k));
		}
	return 0;
}
