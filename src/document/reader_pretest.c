/* Does a candidate line look like MRZ print? MRZ characters are monospaced
 * and every position holds a glyph (fillers too), so along the line the ink
 * comes and goes once per pitch, and the pitch is about the glyph height.
 * Proportional text, word gaps, rules, edges and desk texture do not repeat
 * that evenly. A few thousand samples: far cheaper than a band's layout. */
#include <math.h>
#include <stdlib.h>

#include "document/reader.h"

#define SPH 8  /* samples per line height along the line */
#define ROWS 6 /* samples across the glyph body */
#define MAXN 1024

/* Gray at image point (x, y), bilinear; -1 outside the image. */
static int sample(const struct kyc_image *img, double x, double y)
{
	if (x < 0 || y < 0 || x >= img->w - 1 || y >= img->h - 1)
		return -1;
	int xi = (int)x, yi = (int)y;
	double fx = x - xi, fy = y - yi;
	const unsigned char *p = img->gray + (size_t)yi * img->w + xi;
	double top = p[0] + fx * (p[1] - p[0]), bot = p[img->w] + fx * (p[img->w + 1] - p[img->w]);
	return (int)(top + fy * (bot - top) + 0.5);
}

/* The column profile (ink per step along the line) of the line at offset
 * off (in line heights) across c; how many steps were inside the image. */
static int profile(const struct kyc_image *img, const struct kyc_reader__cand *c, double off,
                   double *p, int n)
{
	double st = c->thick / SPH, vx = -c->uy, vy = c->ux, inside = 0;
	double x0 = c->cx - c->ux * st * n / 2 + vx * off * c->thick;
	double y0 = c->cy - c->uy * st * n / 2 + vy * off * c->thick;
	for (int i = 0; i < n; i++) {
		double sum = 0;
		int k = 0;
		for (int r = 0; r < ROWS; r++) {
			double d = ((r + 0.5) / ROWS - 0.5) * 0.7 * c->thick;
			int g =
			    sample(img, x0 + i * st * c->ux + d * vx, y0 + i * st * c->uy + d * vy);
			if (g >= 0) {
				sum += 255 - g;
				k++;
			}
		}
		p[i] = k ? sum / k : 0;
		inside += k == ROWS;
	}
	return (int)inside;
}

/* Normalised autocorrelation of the profile, less its running mean over two
 * pitches, at the best lag of a plausible pitch (0.6-1.6 line heights). */
static double periodicity(double *p, int n)
{
	static const int half = SPH;
	double q[MAXN] = {0}, cum[MAXN + 1] = {0};
	for (int i = 0; i < n; i++)
		cum[i + 1] = cum[i] + p[i];
	for (int i = 0; i < n; i++) { /* centred running mean, clipped at the ends */
		int a = i - half < 0 ? 0 : i - half, b = i + half >= n ? n - 1 : i + half;
		q[i] = p[i] - (cum[b + 1] - cum[a]) / (b - a + 1);
	}
	double best = 0;
	for (int lag = (int)(0.6 * SPH); lag <= (int)(1.6 * SPH + 0.5); lag++) {
		double xy = 0, xx = 0, yy = 0;
		for (int i = 0; i + lag < n; i++) {
			xy += q[i] * q[i + lag];
			xx += q[i] * q[i];
			yy += q[i + lag] * q[i + lag];
		}
		double r = xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0;
		if (r > 1) /* rounding; Cauchy-Schwarz keeps it at most 1 */
			r = 1;
		if (r > best)
			best = r;
	}
	return best;
}

double kyc_reader__mrz_like(const struct kyc_image *img, const struct kyc_reader__cand *c,
                            double enough)
{
	if (!img || !img->gray || !c || c->thick < 1)
		return 0;
	int n = (int)(c->len / c->thick * SPH);
	if (n > MAXN)
		n = MAXN;
	if (n < 8 * SPH)
		return 0;
	double p[MAXN];
	if (profile(img, c, 0, p, n) < n / 2)
		return 0;
	double own = periodicity(p, n), partner = 0;
	if (own < enough)
		return own; /* the lower of the two is below enough whatever the other */
	/* an MRZ line never stands alone: another one as regular lies 1.4-2.4
	 * line heights above or below */
	static const double offs[] = {-2.4, -2.0, -1.7, -1.4, 1.4, 1.7, 2.0, 2.4};
	for (size_t k = 0; k < sizeof offs / sizeof offs[0] && partner < enough; k++) {
		if (profile(img, c, offs[k], p, n) < n / 2)
			continue;
		double r = periodicity(p, n);
		if (r > partner)
			partner = r;
	}
	return own < partner ? own : partner;
}

int kyc_reader__cut_off(const struct kyc_image *img, const struct kyc_reader__cand *c)
{
	double ex = fabs(c->ux * c->len / 2), ey = fabs(c->uy * c->len / 2), m = c->thick * 0.5;
	return c->cx - ex < m || c->cx + ex > img->w - 1 - m || c->cy - ey < m ||
	       c->cy + ey > img->h - 1 - m;
}

int kyc_reader__worth_reading(const struct kyc_image *img, const struct kyc_reader__cand *c,
			      int pass, int rank)
{
	if (pass == 0 && rank == 0)
		return 1;
	return kyc_reader__mrz_like(img, c, KYC_READER__MRZ_LIKE_LINE) >= KYC_READER__MRZ_LIKE_LINE;
}

int kyc_reader__more_lines(const struct kyc_image *img, const struct kyc_reader__cand *c, int n,
                           int from, int *idx, int max)
{
	double sc[KYC_READER__MORE_MAX];
	int k = 0;
	if (from < 0)
		from = 0;
	if (max > KYC_READER__MORE_MAX)
		max = KYC_READER__MORE_MAX;
	for (int i = from; i < n && i < from + KYC_READER__MORE_MAX; i++) {
		double s = kyc_reader__mrz_like(img, &c[i], KYC_READER__MRZ_LIKE_PHOTO);
		if (s < KYC_READER__MRZ_LIKE_PHOTO)
			continue;
		/* insertion by score, best first; the rest fall off the end */
		int j = k < max ? k++ : max;
		for (; j > 0 && sc[j - 1] < s; j--)
			if (j < max) {
				sc[j] = sc[j - 1];
				idx[j] = idx[j - 1];
			}
		if (j < max) {
			sc[j] = s;
			idx[j] = i;
		}
	}
	return k;
}

int kyc_reader__mrz_evidence(const struct kyc_image *img, const struct kyc_reader__cand *c, int n)
{
	for (int i = 0; i < n; i++)
		if (kyc_reader__mrz_like(img, &c[i], KYC_READER__MRZ_LIKE_PHOTO) >=
		    KYC_READER__MRZ_LIKE_PHOTO)
			return 1;
	return 0;
}

double kyc_reader__axis_strokes(const struct kyc_image *img)
{
	if (!img || !img->gray || img->w < 3 || img->h < 3)
		return 0;
	int w = img->w, h = img->h, st = (w > h ? w : h) / 500;
	if (st < 1)
		st = 1;
	const unsigned char *g = img->gray;
	double num = 0, den = 0;
	for (int y = st; y < h - st; y += st)
		for (int x = st; x < w - st; x += st) {
			double gx = g[(size_t)y * w + x + st] - g[(size_t)y * w + x - st];
			double gy = g[(size_t)(y + st) * w + x] - g[(size_t)(y - st) * w + x];
			double m = gx * gx + gy * gy;
			if (m < 400) /* flat paper and noise: no stroke */
				continue;
			/* cos 4φ of the gradient's angle φ, times its strength: a
			 * glyph's strokes lie along its line and across it, at φ and
			 * φ + 90°, which 4φ makes one */
			double c2 = gx * gx - gy * gy, s2 = 2 * gx * gy;
			num += (c2 * c2 - s2 * s2) / m;
			den += m;
		}
	return den > 0 ? num / den : 0;
}

/* Edge steepness: the steepest 0.2% of horizontal steps (every third row)
 * over the 5-95% gray range. Only computed to explain a failure. */
double kyc_reader__sharpness(const struct kyc_image *img)
{
	unsigned hd[256] = {0}, hg[256] = {0}, n = 0;
	for (int y = 0; y < img->h; y += 3) {
		const unsigned char *r = img->gray + (size_t)y * img->w;
		for (int x = 0; x + 1 < img->w; x++) {
			hd[abs(r[x + 1] - r[x])]++;
			hg[r[x]]++;
			n++;
		}
	}
	int p5 = 0, p95 = 255, pd = 0;
	unsigned s = 0;
	for (int i = 0; i < 256 && s + hg[i] < n / 20; i++) {
		s += hg[i];
		p5 = i + 1;
	}
	s = 0;
	for (int i = 255; i >= 0 && s + hg[i] < n / 20; i--) {
		s += hg[i];
		p95 = i - 1;
	}
	s = 0;
	for (int i = 255; i >= 0; i--) {
		s += hd[i];
		if (s >= n / 500) {
			pd = i;
			break;
		}
	}
	/* an image with next to no contrast is empty rather than blurred */
	return p95 - p5 >= 24 ? (double)pd / (p95 - p5 + 1) : 1;
}
