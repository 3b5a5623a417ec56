/* Re-captures of a photo through a print or a screen (recapture.h). */
#include "recapture.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "document/image.h"
#include "document/synth.h"

#define SUB 4 /* samples a side per camera pixel: the sensor integrates */

/* The photo's colour at (x, y), 0..1, bilinear; white paper or a dark
 * bezel outside. */
static void source(const unsigned char *rgb, int w, int h, double x, double y, double out_of,
                   double c[3])
{
	if (x < 0 || y < 0 || x > w - 1 || y > h - 1) {
		c[0] = c[1] = c[2] = out_of;
		return;
	}
	int x0 = (int)x, y0 = (int)y, x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
	double fx = x - x0, fy = y - y0;
	for (int k = 0; k < 3; k++) {
		double a = rgb[((size_t)y0 * w + x0) * 3 + k],
		       b = rgb[((size_t)y0 * w + x1) * 3 + k],
		       d = rgb[((size_t)y1 * w + x0) * 3 + k],
		       e = rgb[((size_t)y1 * w + x1) * 3 + k];
		c[k] = ((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy) / 255;
	}
}

/* Reflectance of a CMY clustered-dot halftone at print point (x, y): each
 * ink on its own screen angle (15°, 75°, 0°, as offset printing does). */
static void print_at(const unsigned char *rgb, int w, int h, double x, double y, double period,
                     double r[3])
{
	static const double angle[3] = {15, 75, 0};
	double c[3];
	source(rgb, w, h, x, y, 1, c);
	for (int k = 0; k < 3; k++) {
		double a = angle[k] * M_PI / 180;
		double u = x * cos(a) + y * sin(a), v = -x * sin(a) + y * cos(a);
		double s = 0.5 * (cos(2 * M_PI * u / period) + cos(2 * M_PI * v / period));
		double ink = 1 - c[k];
		/* the dot grows from the cell's centre as the ink's share rises */
		r[k] = s > 1 - 2 * ink ? 0.08 : 0.96;
	}
}

/* Emission of an RGB stripe screen at (x, y): each screen pixel shows the
 * photo's colour at its centre in three vertical stripes, with dark gaps. */
static void screen_at(const unsigned char *rgb, int w, int h, double x, double y, double pitch,
                      double r[3])
{
	double px = floor(x / pitch), py = floor(y / pitch);
	double fx = x / pitch - px, fy = y / pitch - py;
	double c[3];
	source(rgb, w, h, (px + 0.5) * pitch, (py + 0.5) * pitch, 0.03, c);
	int stripe = (int)(fx * 3);
	double in = fx * 3 - stripe;
	int lit = in > 0.1 && in < 0.9 && fy > 0.05 && fy < 0.95;
	for (int k = 0; k < 3; k++)
		/* the camera's exposure makes up for the dark share of the grid */
		r[k] = k == stripe && lit ? c[k] * 3 / (0.8 * 0.9) : 0.01;
}

static double gauss(uint64_t *s)
{
	/* Box-Muller on a 64-bit LCG: reproducible from the seed alone */
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	double a = ((*s >> 11) + 1.0) / 9007199254740993.0;
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	double b = (*s >> 11) / 9007199254740992.0;
	return sqrt(-2 * log(a)) * cos(2 * M_PI * b);
}

int trecap_make(const unsigned char *rgb, int w, int h, const struct trecap *p, unsigned char **out)
{
	size_t n = (size_t)w * (size_t)h;
	double *acc = calloc(n * 3, sizeof *acc), *tmp = calloc(n * 3, sizeof *tmp);
	unsigned char *o = malloc(n * 3);
	int rc = -1;
	if (!acc || !tmp || !o)
		goto out;
	double a = p->angle * M_PI / 180, ca = cos(a), sa = sin(a), cx = w / 2.0, cy = h / 2.0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int j = 0; j < SUB; j++)
				for (int i = 0; i < SUB; i++) {
					double dx = x + (i + 0.5) / SUB - cx,
					       dy = y + (j + 0.5) / SUB - cy;
					double sx = cx + dx * ca + dy * sa,
					       sy = cy - dx * sa + dy * ca;
					double r[3];
					if (p->kind == TRECAP_PRINT)
						print_at(rgb, w, h, sx, sy, p->period, r);
					else
						screen_at(rgb, w, h, sx, sy, p->period, r);
					for (int k = 0; k < 3; k++)
						acc[((size_t)y * w + x) * 3 + k] +=
						    r[k] / (SUB * SUB);
				}
	/* the lens: a small Gaussian blur (sigma 0.6 px), separable */
	static const double g[5] = {0.0175, 0.2005, 0.5639, 0.2005, 0.0175};
	for (int pass = 0; pass < 2; pass++) {
		double *from = pass ? tmp : acc, *to = pass ? acc : tmp;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				for (int k = 0; k < 3; k++) {
					double s = 0;
					for (int t = -2; t <= 2; t++) {
						int xx = pass ? x : x + t, yy = pass ? y + t : y;
						xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
						yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
						s += g[t + 2] * from[((size_t)yy * w + xx) * 3 + k];
					}
					to[((size_t)y * w + x) * 3 + k] = s;
				}
	}
	uint64_t s = p->seed * 2654435761ULL + 1;
	for (size_t i = 0; i < n * 3; i++) {
		double v = 255 * acc[i] + 2.0 * gauss(&s);
		o[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
	}
	*out = o;
	o = NULL;
	rc = 0;
out:
	free(acc);
	free(tmp);
	free(o);
	return rc;
}

unsigned char *trecap_jpeg(const unsigned char *img, size_t len, const struct trecap *p,
                           size_t *out_len)
{
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	struct kyc_synth_image shot = {0};
	unsigned char *jpg = NULL;
	if (kyc_image_decode(img, len, &o, &im, NULL))
		return NULL;
	shot.w = im.w, shot.h = im.h;
	if (!trecap_make(im.rgb, im.w, im.h, p, &shot.px) &&
	    kyc_synth_jpeg(&shot, 90, &jpg, out_len)) {
		free(jpg);
		jpg = NULL;
	}
	free(shot.px);
	kyc_image_free(&im);
	return jpg;
}
