/* The desk under the document: wood grain or a plain gradient with a
 * fabric-like texture, and clutter (paper sheets with text-like rows, pens,
 * mug rings). Textures are addressed by position through a hash so they cost
 * no PRNG draws per pixel. */
#include "document/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned char clamp8(double v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* Integer hash for texture decisions (not the PRNG: it must be addressable
 * by position). */
static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ c * 0xC2B2AE3Du;
	h ^= h >> 15;
	h *= 0x2C1B3C6Du;
	h ^= h >> 12;
	h *= 0x297A2D39u;
	return h ^ (h >> 15);
}

#define LUT_N 4096
struct sine {
	float v[LUT_N];
};
static void sine_init(struct sine *s)
{
	for (int i = 0; i < LUT_N; i++)
		s->v[i] = (float)sin(2 * M_PI * i / LUT_N);
}
/* sin(2*pi*t) by table. */
static float sine_at(const struct sine *s, double t)
{
	return s->v[(unsigned)(long)floor(t * LUT_N) & (LUT_N - 1)];
}

/* ---- background ---- */

static void wood(struct kyc_synth_image *c, struct kyc_synth__rng *r, const struct sine *S)
{
	double base[3], dark = kyc_synth__rng_unif(r, 0.10, 0.25);
	int kind = kyc_synth__rng_int(r, 0, 2);
	static const double tones[3][3] = {{150, 100, 60}, {196, 158, 112}, {110, 74, 48}};
	for (int k = 0; k < 3; k++)
		base[k] = tones[kind][k] * kyc_synth__rng_unif(r, 0.9, 1.1);
	/* Grain runs along i: rings every `period` px across it, bent slowly
	 * along it; fibres are streaks hashed on (j, i / 40); planks have seams. */
	/* Sizes follow the picture, so a small photo of a desk is not a
	 * corduroy of fine stripes. */
	double scale = (c->w > c->h ? c->w : c->h) / 1000.0;
	double period = kyc_synth__rng_unif(r, 14, 45) * scale;
	double a1 = kyc_synth__rng_unif(r, 0.0003, 0.0012) / scale,
	       a2 = kyc_synth__rng_unif(r, 0.0015, 0.004) / scale;
	double A1 = kyc_synth__rng_unif(r, 15, 60) * scale,
	       A2 = kyc_synth__rng_unif(r, 1, 4) * scale;
	double p1 = kyc_synth__rng_unif(r, 0, 1), p2 = kyc_synth__rng_unif(r, 0, 1);
	int plank = (int)(kyc_synth__rng_int(r, 180, 420) * scale) + 8,
	    seam_off = kyc_synth__rng_int(r, 0, plank);
	int vertical = kyc_synth__rng_int(r, 0, 1);
	int n = vertical ? c->h : c->w, m = vertical ? c->w : c->h;
	float *off = malloc(sizeof(float) * (size_t)n);
	if (!off)
		return;
	for (int i = 0; i < n; i++)
		off[i] = (float)(A1 * sine_at(S, i * a1 + p1) + A2 * sine_at(S, i * a2 + p2));
	for (int j = 0; j < m; j++) {
		int pj = (j + seam_off) / plank, seam = (j + seam_off) % plank < 2;
		double shift =
		    (hash3((uint32_t)pj, 1, 2) & 1023) * 0.37; /* each plank its own rings */
		double tone = 1 + ((hash3((uint32_t)pj, 3, 4) & 255) / 255.0 - 0.5) * 0.12;
		/* Irregular ring spacing: the phase drifts across the grain. */
		double drift = 0.6 * sine_at(S, j / (period * 5.3)) +
		               0.3 * sine_at(S, j / (period * 2.1) + 0.4);
		double kseam = tone * (seam ? 0.6 : 1), block = 0;
		for (int i = 0; i < n; i++) {
			if (i % 40 == 0) /* fibres: streaks 40 px long */
				block = ((hash3((uint32_t)j, (uint32_t)(i / 40), 7) & 255) / 255.0 -
				         0.5) *
				        0.5;
			double ring = 0.5 + 0.5 * sine_at(S, (j + off[i] + shift) / period + drift);
			ring = ring * ring * ring; /* thin dark late-wood lines */
			double fib =
			    block +
			    ((hash3((uint32_t)j, (uint32_t)i, 9) & 255) / 255.0 - 0.5) * 0.15;
			double k = kseam * (1 - dark * (ring + 0.3 * fib));
			int x = vertical ? j : i, y = vertical ? i : j;
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++)
				p[ch] = clamp8(base[ch] * k);
		}
	}
	free(off);
}

static void plain(struct kyc_synth_image *c, struct kyc_synth__rng *r)
{
	double a[3], b[3];
	int grey = kyc_synth__rng_int(r, 0, 1);
	for (int k = 0; k < 3; k++) {
		a[k] = kyc_synth__rng_unif(r, 60, 210);
		if (grey && k)
			a[k] = a[0] * kyc_synth__rng_unif(r, 0.95, 1.05);
		b[k] = a[k] * kyc_synth__rng_unif(r, 0.7, 1.1);
	}
	double ang = kyc_synth__rng_unif(r, 0, 2 * M_PI), dx = cos(ang), dy = sin(ang);
	double norm = fabs(dx) * c->w + fabs(dy) * c->h;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) {
			double t = ((x - c->w / 2.0) * dx + (y - c->h / 2.0) * dy) / norm + 0.5;
			/* Fabric-like fine texture. */
			double tex =
			    ((hash3((uint32_t)x, (uint32_t)y, 3) & 255) / 255.0 - 0.5) * 10 +
			    (((x + y) & 3) == 0 ? -4 : 0);
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				p[k] = clamp8(a[k] + (b[k] - a[k]) * t + tex);
		}
}

/* A rotated rectangle at (cx, cy) of half-sizes (hw, hh); a paper sheet gets
 * rows of text-like marks. */
static void sheet(struct kyc_synth_image *c, struct kyc_synth__rng *r, int paper)
{
	double cx = kyc_synth__rng_unif(r, -0.1, 1.1) * c->w,
	       cy = kyc_synth__rng_unif(r, -0.1, 1.1) * c->h;
	double hw = kyc_synth__rng_unif(r, 0.05, 0.35) * c->w,
	       hh = kyc_synth__rng_unif(r, 0.05, 0.35) * c->h;
	if (!paper)
		hh = fmin(hh, kyc_synth__rng_unif(r, 4, 14)); /* a pen or ruler */
	double a = kyc_synth__rng_unif(r, -M_PI, M_PI), ca = cos(a), sa = sin(a);
	double col[3];
	int shade = kyc_synth__rng_int(r, paper ? 200 : 20, paper ? 250 : 200);
	for (int k = 0; k < 3; k++)
		col[k] = shade * kyc_synth__rng_unif(r, paper ? 0.96 : 0.6, 1.0);
	double rowh = kyc_synth__rng_unif(r, 0.006, 0.014) * c->w, charw = rowh * 0.32;
	uint32_t salt = (uint32_t)kyc_synth__rng_next(r);
	double ext = fabs(hw * ca) + fabs(hh * sa) + 2, eyt = fabs(hw * sa) + fabs(hh * ca) + 2;
	int x0 = (int)fmax(0, cx - ext), x1 = (int)fmin(c->w - 1, cx + ext);
	int y0 = (int)fmax(0, cy - eyt), y1 = (int)fmin(c->h - 1, cy + eyt);
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++) {
			double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
			double lx = dx * ca + dy * sa, ly = -dx * sa + dy * ca;
			double e = fmin(hw - fabs(lx), hh - fabs(ly));
			if (e <= -0.5)
				continue;
			double cov = fmin(1, e + 0.5);
			double v[3] = {col[0], col[1], col[2]};
			if (paper && e > rowh * 1.5) {
				/* Rows of "words": ink where a row band, a word and a
				 * character cell all say so. */
				double ry = (ly + hh) / rowh, rx = (lx + hw) / charw;
				int row = (int)ry, cell = (int)rx;
				double in = ry - row;
				uint32_t w = hash3(salt, (uint32_t)row, (uint32_t)(cell / 6));
				if (in > 0.35 && in < 0.7 && (w & 7) != 0 && (cell % 6) != 5 &&
				    rx - cell < 0.72 &&
				    (hash3(salt ^ 5, (uint32_t)row, (uint32_t)cell) & 3) != 0 &&
				    (row % 9) != 8)
					for (int k = 0; k < 3; k++)
						v[k] *= 0.45;
			}
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				p[k] = clamp8(p[k] + (v[k] - p[k]) * cov);
		}
}

static void ring(struct kyc_synth_image *c, struct kyc_synth__rng *r)
{
	double cx = kyc_synth__rng_unif(r, 0, 1) * c->w, cy = kyc_synth__rng_unif(r, 0, 1) * c->h;
	double R = kyc_synth__rng_unif(r, 0.04, 0.15) * c->w,
	       t = kyc_synth__rng_unif(r, 3, 0.3 * R);
	double col[3];
	for (int k = 0; k < 3; k++)
		col[k] = kyc_synth__rng_unif(r, 30, 230);
	double alpha = kyc_synth__rng_unif(r, 0.4, 1);
	for (int y = (int)fmax(0, cy - R - 1); y < (int)fmin(c->h, cy + R + 1); y++)
		for (int x = (int)fmax(0, cx - R - 1); x < (int)fmin(c->w, cx + R + 1); x++) {
			double d = hypot(x + 0.5 - cx, y + 0.5 - cy);
			double cov = fmin(fmin(R - d, d - (R - t)) + 0.5, 1);
			if (cov <= 0)
				continue;
			unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				p[k] = clamp8(p[k] + (col[k] - p[k]) * cov * alpha);
		}
}

void kyc_synth__desk(struct kyc_synth_image *c, struct kyc_synth__rng *r, int clutter)
{
	struct sine st, *S = &st;
	sine_init(S);
	if (kyc_synth__rng_int(r, 0, 2))
		wood(c, r, S);
	else
		plain(c, r);
	int n = kyc_synth__rng_int(r, clutter / 2, clutter);
	for (int i = 0; i < n; i++) {
		int k = kyc_synth__rng_int(r, 0, 4);
		if (k <= 2)
			sheet(c, r, k <= 1);
		else
			ring(c, r);
	}
}
