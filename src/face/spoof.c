/* Passive anti-spoof cues on a face's pixels (spoof.h, docs/face.md). */
#include "face/spoof.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The analysed square: the largest power of two up to this, inside 0.8 of
 * the face box (eyes, nose, mouth, cheeks), at the photo's own pixels: a
 * resampling would blur the very dots and grids looked for. */
#define WIN_MAX 256
#define WIN_MIN 64

/* Where each cue starts to count and where it is plain (score 1 below lo,
 * 0 above hi, linear between). Set from what the cue is (docs/face.md):
 * the moiré limits against the peak a smooth, noise-like spectrum gives by
 * chance; the glare limits against a lit face's own highlights. */
#define MOIRE_LO 14.0 /* dB */
#define MOIRE_HI 24.0
#define GLARE_LO 0.03
#define GLARE_HI 0.15

/* In-place radix-2 FFT of n complex values spaced by stride. */
static void fft(double *re, double *im, int n, int stride)
{
	for (int i = 1, j = 0; i < n; i++) {
		int bit = n >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i * stride];
			re[i * stride] = re[j * stride];
			re[j * stride] = t;
			t = im[i * stride];
			im[i * stride] = im[j * stride];
			im[j * stride] = t;
		}
	}
	for (int len = 2; len <= n; len <<= 1) {
		double a = -2 * M_PI / len;
		for (int i = 0; i < n; i += len)
			for (int k = 0; k < len / 2; k++) {
				double wr = cos(a * k), wi = sin(a * k);
				int p = (i + k) * stride, q = (i + k + len / 2) * stride;
				double xr = re[q] * wr - im[q] * wi, xi = re[q] * wi + im[q] * wr;
				re[q] = re[p] - xr;
				im[q] = im[p] - xi;
				re[p] += xr;
				im[p] += xi;
			}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n) (reorders v). */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n ? v[n / 2] : 0;
}

static double ramp(double x, double lo, double hi)
{
	return x <= lo ? 1 : x >= hi ? 0 : (hi - x) / (hi - lo);
}

/* A frequency on a line of the 8-pixel block grid of JPEG (and of its
 * 1/2, 1/4, 1/8 scaled decodes): blocking, not the scene. */
static int on_block_grid(int f, int n)
{
	int g = n / 8, m = abs(f) % g;
	return m <= 1 || m >= g - 1;
}

/* The strongest isolated peak of the power spectrum p (n×n, DC at 0) over
 * what surrounds it, in dB. An edge of the scene spreads its energy along a
 * line through the origin, and a textured surface over a whole ring; a
 * periodic pattern (halftone dots, a screen's grid, the moiré between such a
 * grid and the camera's) puts it in a point. So the surroundings are the
 * larger of the median of the 9×9 neighbourhood (without the 3×3 peak) and
 * the bins 3 steps nearer and farther along the same direction. */
static double peak_db(const double *p, int n, double *ring_med, double *scratch)
{
	int rmin = n / 32 > 4 ? n / 32 : 4, rmax = n / 2 - 2;
	/* median power by whole radius, to skip most bins cheaply: the bins
	 * of the half plane bucketed by radius in one pass */
	int cnt[WIN_MAX / 2 + 1] = {0}, pos[WIN_MAX / 2 + 2];
	for (int v = 0; v <= rmax; v++)
		for (int u = -rmax; u <= rmax; u++) {
			int r = (int)lround(hypot(u, v));
			if (r >= rmin && r <= rmax)
				cnt[r]++;
		}
	pos[rmin] = 0;
	for (int r = rmin; r <= rmax; r++)
		pos[r + 1] = pos[r] + cnt[r];
	for (int v = 0; v <= rmax; v++)
		for (int u = -rmax; u <= rmax; u++) {
			int r = (int)lround(hypot(u, v));
			if (r >= rmin && r <= rmax)
				scratch[pos[r]++] = p[((v + n) % n) * n + (u + n) % n];
		}
	for (int r = rmin; r <= rmax; r++)
		ring_med[r] = median(scratch + pos[r] - cnt[r], cnt[r]);
	double best = 1;
#define P(u, v) p[((((v) % n) + n) % n) * n + ((((u) % n) + n) % n)]
	for (int v = 0; v <= rmax; v++)
		for (int u = -rmax; u <= rmax; u++) {
			double r = hypot(u, v);
			int ri = (int)lround(r);
			if (ri < rmin || ri > rmax || on_block_grid(u, n) || on_block_grid(v, n))
				continue;
			double c = P(u, v);
			if (c < 8 * ring_med[ri])
				continue;
			int is_max = 1;
			double sum = 0;
			for (int dv = -1; dv <= 1; dv++)
				for (int du = -1; du <= 1; du++) {
					sum += P(u + du, v + dv);
					if ((du || dv) && P(u + du, v + dv) > c)
						is_max = 0;
				}
			if (!is_max)
				continue;
			int k = 0;
			for (int dv = -4; dv <= 4; dv++)
				for (int du = -4; du <= 4; du++)
					if (abs(du) > 1 || abs(dv) > 1)
						scratch[k++] = P(u + du, v + dv);
			double bg = median(scratch, k);
			double in = P((int)lround(u * (r - 3) / r), (int)lround(v * (r - 3) / r));
			double out = P((int)lround(u * (r + 3) / r), (int)lround(v * (r + 3) / r));
			if ((in + out) / 2 > bg)
				bg = (in + out) / 2;
			if (bg > 0 && sum / 9 / bg > best)
				best = sum / 9 / bg;
		}
#undef P
	return 10 * log10(best);
}

void kyc_face_spoof_judge(struct kyc_face_spoof *s)
{
	s->cue = NULL;
	if (s->measured && s->score < KYC_FACE_SPOOF_SUSPICIOUS)
		s->cue = ramp(s->moire, MOIRE_LO, MOIRE_HI) <= ramp(s->glare, GLARE_LO, GLARE_HI)
		             ? "moire"
		             : "glare";
}

void kyc_face_spoof_measure(const unsigned char *rgb, int w, int h, const double box[4],
                            struct kyc_face_spoof *out)
{
	double *re = NULL, *im = NULL, *ring = NULL, *scratch = NULL;
	unsigned char *seen = NULL;
	memset(out, 0, sizeof *out);
	out->score = 1;
	double side = 0.8 * fmin(box[2], box[3]);
	/* a face under the smallest window, or a box that is empty, inverted
	 * or not a number, is not judged (and would never stop the halving) */
	if (!(side >= WIN_MIN) || w < WIN_MIN || h < WIN_MIN || !isfinite(box[0]) ||
	    !isfinite(box[1]))
		return;
	int n = WIN_MAX; /* halving from 256 stops at 64 or more: all three are */
	while (n > side || n > w || n > h)
		n /= 2;
	int x0 = (int)lround(box[0] + box[2] / 2 - n / 2.0),
	    y0 = (int)lround(box[1] + box[3] / 2 - n / 2.0);
	x0 = x0 < 0 ? 0 : x0 + n > w ? w - n : x0;
	y0 = y0 < 0 ? 0 : y0 + n > h ? h - n : y0;

	size_t nn = (size_t)n * (size_t)n;
	re = calloc(nn, sizeof *re);
	im = calloc(nn, sizeof *im);
	ring = calloc((size_t)n, sizeof *ring);
	scratch = calloc(nn, sizeof *scratch);
	seen = calloc(32768 / 8, 1);
	if (!re || !im || !ring || !scratch || !seen)
		goto out;

	double mean = 0;
	long glare = 0, colours = 0;
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			const unsigned char *px = rgb + ((size_t)(y0 + y) * w + (x0 + x)) * 3;
			int mn = px[0], mx = px[0];
			for (int c = 1; c < 3; c++) {
				mn = px[c] < mn ? px[c] : mn;
				mx = px[c] > mx ? px[c] : mx;
			}
			/* glare: near white and without colour, where skin is neither */
			glare += mn >= 235 && mx - mn <= 20;
			int q = (px[0] >> 3) << 10 | (px[1] >> 3) << 5 | px[2] >> 3;
			if (!(seen[q >> 3] & (1u << (q & 7)))) {
				seen[q >> 3] |= (unsigned char)(1u << (q & 7));
				colours++;
			}
			re[(size_t)y * n + x] = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
			mean += re[(size_t)y * n + x];
		}
	mean /= (double)nn;
	/* Hann window: the square's borders would otherwise be edges too */
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			double wy = 0.5 - 0.5 * cos(2 * M_PI * (y + 0.5) / n),
			       wx = 0.5 - 0.5 * cos(2 * M_PI * (x + 0.5) / n);
			re[(size_t)y * n + x] = (re[(size_t)y * n + x] - mean) * wx * wy;
		}
	for (int y = 0; y < n; y++)
		fft(re + (size_t)y * n, im + (size_t)y * n, n, 1);
	for (int x = 0; x < n; x++)
		fft(re + x, im + x, n, n);
	for (size_t i = 0; i < nn; i++)
		re[i] = re[i] * re[i] + im[i] * im[i];

	out->measured = 1;
	out->moire = peak_db(re, n, ring, scratch);
	out->glare = (double)glare / (double)nn;
	out->colours = 1000.0 * (double)colours / (double)nn;
	double sm = ramp(out->moire, MOIRE_LO, MOIRE_HI), sg = ramp(out->glare, GLARE_LO, GLARE_HI);
	out->score = fmin(sm, sg);
	kyc_face_spoof_judge(out);
out:
	free(re);
	free(im);
	free(ring);
	free(scratch);
	free(seen);
}
