/* A stamp's frame drawn across a generated photo's MRZ (stamp.h). */
#include "stamp.h"

#include <math.h>
#include <stdlib.h>

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double uni(uint64_t *s, double a, double b)
{
	return a + (b - a) * (double)(mix(s) >> 11) / 9007199254740992.0;
}

/* how much of the pixel at distance d (px) from the centre of a stroke of
 * half-width hw is covered: a pixel-wide soft edge */
static double cover(double d, double hw)
{
	double c = hw + 0.5 - fabs(d);
	return c <= 0 ? 0 : c >= 1 ? 1 : c;
}

/* the ink's colour as the share of light each channel lets through */
static const double ink_rgb[TSTAMP_INKS][3] = {
    {0.92, 0.22, 0.26}, /* red */
    {0.25, 0.38, 0.88}, /* blue */
    {0.62, 0.28, 0.84}, /* violet */
    {0.10, 0.10, 0.10}, /* black: what no plane of colour can take out */
};

int tstamp_photo(uint64_t seed, int i, int level, enum kyc_synth_class cls, enum tstamp_ink ink,
		 struct kyc_synth_doc *d, unsigned char **jpg, size_t *len)
{
	struct kyc_synth_image img;
	*jpg = NULL;
	if (ink < 0 || ink >= TSTAMP_INKS ||
	    kyc_synth_render_class(seed, i, level, cls, KYC_SYNTH_MIXED, d, &img) != 0)
		return -1;
	uint64_t s = seed * 1000003u + (uint64_t)i * 7919u + 0x5A17u;
	const double(*q)[2] = d->mrz_quad;
	/* the MRZ's axes: along its lines (ux, uy) and down across them */
	double mw = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);
	double mh = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
	double ux = (q[1][0] - q[0][0]) / mw, uy = (q[1][1] - q[0][1]) / mw;
	double vx = (q[3][0] - q[0][0]) / mh, vy = (q[3][1] - q[0][1]) / mh;
	double at = uni(&s, 0.2, 0.8), down = uni(&s, 0.3, 0.7);
	double cx = q[0][0] + ux * mw * at + vx * mh * down;
	double cy = q[0][1] + uy * mw * at + vy * mh * down;
	/* a frame a third of the MRZ wide, taller than it, turned a little */
	double hw = mw * uni(&s, 0.12, 0.2), hh = mh * uni(&s, 0.7, 1.1);
	double turn = uni(&s, -0.25, 0.25), ca = cos(turn), sa = sin(turn);
	double ax = ux * ca - uy * sa, ay = ux * sa + uy * ca;
	double stroke = d->mrz_px * uni(&s, 0.15, 0.25), gap = d->mrz_px * uni(&s, 0.5, 0.8);
	double alpha = uni(&s, 0.75, 0.95);
	for (int y = 0; y < img.h; y++)
		for (int x = 0; x < img.w; x++) {
			double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
			double a = fabs(dx * ax + dy * ay), b = fabs(-dx * ay + dy * ax);
			double c = 0;
			/* an outer and an inner frame, as on entry stamps */
			for (int k = 0; k < 2; k++) {
				double w = hw - k * gap, h = hh - k * gap;
				if (a > w + stroke + 1 || b > h + stroke + 1)
					continue;
				double e = fmax(a <= w + stroke ? cover(b - h, stroke) : 0,
						b <= h + stroke ? cover(a - w, stroke) : 0);
				c = fmax(c, e);
			}
			if (c <= 0)
				continue;
			unsigned char *p = img.px + 3 * ((size_t)y * img.w + x);
			for (int ch = 0; ch < 3; ch++)
				p[ch] = (unsigned char)lround(p[ch] *
							      (1 - c * alpha * (1 - ink_rgb[ink][ch])));
		}
	int rc = kyc_synth_jpeg(&img, d->quality, jpg, len);
	kyc_synth_image_release(&img);
	return rc ? -1 : 0;
}
