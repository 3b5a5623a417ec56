/* Resampling for the networks' inputs (sample.h). */
#include "face/sample.h"

#include <math.h>

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

int face__crop(const struct face__rgb *img, double x0, double y0, double src_side, double angle,
               const double *clip, int n, struct kyc_tensor *out)
{
	int rc = kyc_tensor_alloc(out, n, n, 3);
	if (rc)
		return rc;
	double step = src_side / n;
	/* Shrinking: average k×k bilinear samples per output pixel so that
	 * detail finer than the output grid does not alias. */
	int k = step > 1.0 ? (int)ceil(step) : 1;
	if (k > 8)
		k = 8;
	double ca = cos(angle), sa = sin(angle);
	double cx = x0 + src_side / 2, cy = y0 + src_side / 2;
	for (int v = 0; v < n; v++)
		for (int u = 0; u < n; u++) {
			double acc[3] = {0, 0, 0};
			for (int sy = 0; sy < k; sy++)
				for (int sx = 0; sx < k; sx++) {
					double lx = (u + (sx + 0.5) / k) * step - src_side / 2;
					double ly = (v + (sy + 0.5) / k) * step - src_side / 2;
					bilinear(img, clip, cx + ca * lx - sa * ly,
					         cy + sa * lx + ca * ly, acc);
				}
			float *o = out->d + ((size_t)v * n + u) * 3;
			for (int c = 0; c < 3; c++)
				o[c] = (float)(acc[c] / (k * k));
		}
	return 0;
}
