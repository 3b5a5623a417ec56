/* Located lines that are a whole MRZ welded into one blob (docs/reader.md,
 * step 14, "Lines welded into one"). An MRZ at a card's edge, or beside a
 * paper's print, can give the locator's ink mask no gap between its lines:
 * the card's edge or the print next to it bridges them, and the locator's
 * one candidate is two or three lines thick. Its band is then rectified with
 * the blob as one line's height, the glyphs come out a third as tall as the
 * layout wants, and no layout is found. The blob's rows, read across, show
 * its lines apart: each becomes a candidate of its own. */
#include <stdlib.h>

#include "core/err.h"
#include "document/reader.h"

/* The blob's thickness in band pixels (a line of it about a third). */
#define BLOB_H 60
/* Blobs split into lines at most (kyc_reader__read_welded). */
#define MAX_UNWELD 2

int kyc_reader__welded(const struct kyc_reader__cand *c)
{
	return c->thick > 0 && c->len / c->thick < KYC_READER__WELD_RATIO;
}

int kyc_reader__unweld(const struct kyc_image *img, const struct kyc_reader__cand *c,
		       struct kyc_reader__cand *out, int max)
{
	struct kyc_reader__band b = {0};
	int *prof = NULL, n = 0;
	/* the blob BLOB_H tall, and 0.85 of its height above and below: a
	 * line the locator cut at the blob's edge is still whole */
	int rc = kyc_reader__rectify_at(img, c, 0, BLOB_H, 0.85, &b);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : 0;
	rc = KYC_ERR_NOMEM;
	if (!(prof = calloc((size_t)b.h, sizeof *prof)))
		goto out;
	/* the blob's own extent along the line: the band's ends hold the
	 * print it was welded to */
	int half = (int)(c->len / b.s / 2), x0 = b.w / 2 - half, x1 = b.w / 2 + half;
	x0 = x0 < 0 ? 0 : x0;
	x1 = x1 > b.w ? b.w : x1;
	unsigned hist[256] = {0};
	for (int y = 0; y < b.h; y++)
		for (int x = x0; x < x1; x++)
			hist[b.px[(size_t)y * b.w + x]]++;
	int t = kyc_reader__otsu(hist, (unsigned)((size_t)b.h * (size_t)(x1 - x0)));
	int peak = 0;
	for (int y = 0; y < b.h; y++) {
		for (int x = x0; x < x1; x++)
			prof[y] += b.px[(size_t)y * b.w + x] <= t;
		peak = prof[y] > peak ? prof[y] : peak;
	}
	/* the rows of text: a quarter of the fullest row's ink, as the
	 * refinement measures a line's height; each run of them inside the
	 * blob that is a line's height (MRZ lines are as tall as each other,
	 * the blob 2-3 of them and the gaps) is one line */
	int mid = b.h / 2, lo = mid - BLOB_H * 6 / 10, hi = mid + BLOB_H * 6 / 10;
	lo = lo < 0 ? 0 : lo;
	hi = hi > b.h ? b.h : hi;
	for (int y = lo; y < hi && n < max;) {
		if (prof[y] <= peak / 4) {
			y++;
			continue;
		}
		int top = y;
		while (y < hi && prof[y] > peak / 4)
			y++;
		int th = y - top;
		if (th < BLOB_H / 6 || th > BLOB_H * 6 / 10)
			continue;
		struct kyc_reader__cand *l = &out[n++];
		double off = (top + y) / 2.0 - mid;
		*l = *c;
		l->cx = c->cx + off * b.s * b.vx;
		l->cy = c->cy + off * b.s * b.vy;
		l->thick = th * b.s;
	}
	/* one line alone is the blob itself, or a line with a rule: not two
	 * lines welded */
	rc = n >= 2 ? n : 0;
out:
	free(prof);
	free(b.px);
	return rc;
}

int kyc_reader__read_welded(const struct kyc_image *img, const struct kyc_reader__cand *weld, int n,
			    kyc_reader__read_line_fn read, void *ctx)
{
	struct kyc_reader__cand l[3];
	int rc = 0, tried = 0;
	for (int k = 0; k < n && tried < MAX_UNWELD && rc == 0; k++) {
		/* its ink comes and goes at a pitch as the pre-test's photo
		 * bar asks of a line: its score before looking for a second
		 * line, which the blob holds */
		if (kyc_reader__mrz_like(img, &weld[k], 1) < KYC_READER__MRZ_LIKE_PHOTO)
			continue;
		tried++;
		int nl = kyc_reader__unweld(img, &weld[k], l, 3);
		if (nl < 0)
			return nl;
		for (int i = 0; i < nl && rc == 0; i++) {
			if (kyc_reader__mrz_like(img, &l[i], KYC_READER__MRZ_LIKE_PHOTO) <
			    KYC_READER__MRZ_LIKE_PHOTO)
				continue;
			if (kyc_reader__refine(img, &l[i]) == KYC_ERR_NOMEM)
				return KYC_ERR_NOMEM;
			rc = read(img, &l[i], ctx);
		}
	}
	return rc < 0 ? rc : 0;
}
