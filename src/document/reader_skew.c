/* A small MRZ turned 24-41°, looked for again at a finer working size
 * (reader_skew.h; docs/reader.md, step 14, "A small MRZ turned off the
 * axes"). */
#include "document/reader_skew.h"

#include <stdlib.h>

#include "core/err.h"

/* 2° bins of a stroke's angle to the axes, 0-90° (a glyph's strokes lie
 * along its line and across it, 90° apart: one bin) */
#define BINS 45

double kyc_reader__skew_share(const struct kyc_image *img, double *angle)
{
	*angle = 0;
	if (!img || !img->gray || img->w < 3 || img->h < 3)
		return 0;
	int w = img->w, h = img->h, st = (w > h ? w : h) / 350;
	st = st < 1 ? 1 : st;
	const unsigned char *g = img->gray;
	double hist[BINS] = {0}, total = 0;
	for (int y = 1; y < h - 1; y += st)
		for (int x = 1; x < w - 1; x += st) {
			/* Sobel at one pixel: a step of st across strokes
			 * thinner than it, or a plain difference, pulls the
			 * angles to 0° and 45° */
			const unsigned char *p = g + (size_t)y * w + x;
			int gx =
			    (p[1 - w] - p[-1 - w]) + 2 * (p[1] - p[-1]) + (p[1 + w] - p[-1 + w]);
			int gy =
			    (p[w - 1] - p[-w - 1]) + 2 * (p[w] - p[-w]) + (p[w + 1] - p[-w + 1]);
			double m = (double)gx * gx + (double)gy * gy;
			if (m < 6400) /* flat paper and noise: 4 times a step of 20 */
				continue;
			/* the gradient's angle modulo 90°, from its first-quadrant
			 * angle (a rational approximation of atan, within 0.3°) */
			double ax = abs(gx), ay = abs(gy), r = ax < ay ? ax / ay : ay / ax;
			double t = (45 + 15.64 * (1 - r)) * r;
			t = ax < ay ? 90 - t : t;
			double a = (gx < 0) != (gy < 0) ? 90 - t : t;
			int b = (int)(a * (BINS / 90.0));
			hist[b < BINS ? b : 0] += m;
			total += m;
		}
	if (total <= 0)
		return 0;
	/* the strongest three neighbouring bins at least KYC_READER__SKEW_MIN_DEG
	 * from either axis: strokes the pass turned by 45° puts within 24° of
	 * its axes */
	double best = 0;
	for (int b = 0; b < BINS; b++) {
		double mid = (b + 0.5) * (90.0 / BINS), off = mid < 45 ? mid : 90 - mid;
		if (off < KYC_READER__SKEW_MIN_DEG)
			continue;
		double s = hist[(b + BINS - 1) % BINS] + hist[b] + hist[(b + 1) % BINS];
		if (s > best) {
			best = s;
			*angle = mid;
		}
	}
	return best / total;
}

int kyc_reader__read_skewed(const struct kyc_image *img, kyc_reader__read_line_fn read, void *ctx)
{
	int longer = img->w > img->h ? img->w : img->h;
	double angle;
	if (longer < KYC_READER__SKEW_MIN_SIDE ||
	    kyc_reader__skew_share(img, &angle) < KYC_READER__SKEW_SHARE)
		return 0;
	struct kyc_reader__cand c[KYC_READER__MORE_MAX];
	struct kyc_reader__work wk = {0};
	double luma;
	int n = kyc_reader__locate_at(img->gray, img->w, img->h, img->w, c, KYC_READER__MORE_MAX,
	                              &luma, KYC_READER__SKEW_SIDE, KYC_READER__TURN45, &wk);
	kyc_reader__work_free(&wk);
	if (n <= 0)
		return n < 0 ? n : 0;
	int idx[KYC_READER__SKEW_READ], rc = 0;
	int k = kyc_reader__more_lines(img, c, n, 0, idx, KYC_READER__SKEW_READ);
	for (int i = 0; i < k && rc == 0; i++) {
		struct kyc_reader__cand l = c[idx[i]];
		if (kyc_reader__refine(img, &l) == KYC_ERR_NOMEM)
			return KYC_ERR_NOMEM;
		rc = read(img, &l, ctx);
	}
	return rc < 0 ? rc : 0;
}
