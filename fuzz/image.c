/* libFuzzer target for the image decoders (JPEG, PNG, EXIF orientation) and,
 * on small decoded images, the MRZ locator (its passes sharing one working
 * image), the first located line's band and layout (and its band twice
 * as long past either end, and its loose layout), and the reader's
 * pre-test (reader_pretest.c). Input: the file bytes. Checks what callers rely on: a
 * failed decode leaves nothing to free and returns one of the documented
 * codes with a reason; a decoded image has sane dimensions within the caps;
 * the locator's candidates lie near the image; the pre-test's scores stay in
 * their ranges on the locator's lines and on a line anywhere, of any size,
 * taken from the input's first bytes (reaching past the image's edges). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/image.h"
#include "document/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small caps so the fuzzer explores headers, not huge allocations */
	struct kyc_image_opts o = {.max_pixels = 1 << 20, .min_side = 1, .want_rgb = size & 1};
	if (size > 2)
		o.target_side = data[size - 1] & 1 ? 64 : 0;
	struct kyc_image img;
	const char *why = NULL;
	int rc = kyc_image_decode(data, size, &o, &img, &why);
	if (!why)
		abort();
	if (rc) {
		if (img.gray || img.rgb || img.w || img.h)
			abort();
		if (rc != KYC_ERR_UNSUPPORTED && rc != KYC_ERR_INVALID && rc != KYC_ERR_TOOBIG &&
		    rc != KYC_ERR_NOMEM)
			abort();
		return 0;
	}
	if (!img.gray || img.w < 1 || img.h < 1 || (long)img.w * img.h > o.max_pixels ||
	    (o.want_rgb && !img.rgb))
		abort();
	/* touch every pixel so ASan sees the whole buffer */
	unsigned sum = 0;
	for (size_t i = 0; i < (size_t)img.w * img.h; i++)
		sum += img.gray[i];
	if (img.w * img.h <= 160 * 160) {
		struct kyc_reader__cand c[4];
		double luma;
		int n = kyc_reader__locate(img.gray, img.w, img.h, img.w, c, 4, &luma);
		if (n < 0 && n != KYC_ERR_NOMEM)
			abort();
		for (int i = 0; i < n; i++) {
			if (!isfinite(c[i].cx) || c[i].cx < -1 || c[i].cx > img.w ||
			    c[i].cy < -1 || c[i].cy > img.h || luma < 0 || luma > 255)
				abort();
			double m = kyc_reader__mrz_like(&img, &c[i], size & 2 ? 1 : 0.3);
			if (!(m >= 0 && m <= 1))
				abort();
		}
		if (n > 0 && (unsigned)kyc_reader__mrz_evidence(&img, c, n) > 1)
			abort();
		for (int i = 0; i < n; i++)
			if ((unsigned)kyc_reader__worth_reading(&img, &c[i], size & 4 ? 1 : 0, i) > 1)
				abort();
		/* the scan's passes sharing one working image: a small working
		 * side averages, the full one copies; the sensitive and the turned
		 * pass reuse what the first made */
		struct kyc_reader__work wk = {0};
		int side = size & 8 ? 24 : KYC_READER__WORK_SIDE;
		static const int flags[] = {0, KYC_READER__SENSITIVE, KYC_READER__TURN45};
		for (int f = 0; f < 3; f++) {
			struct kyc_reader__cand k[4];
			double l;
			int nk = kyc_reader__locate_at(img.gray, img.w, img.h, img.w, k, 4, &l, side,
						       flags[f], &wk);
			if (nk < 0 && nk != KYC_ERR_NOMEM)
				abort();
			for (int i = 0; i < nk; i++)
				if (!isfinite(k[i].cx) || k[i].cx < -1 || k[i].cx > img.w ||
				    k[i].cy < -1 || k[i].cy > img.h || l < 0 || l > 255)
					abort();
		}
		kyc_reader__work_free(&wk);
		/* a located line's band, resampled partly beyond the frame */
		if (n > 0) {
			struct kyc_reader__band b;
			struct kyc_reader__layout lay;
			int r = kyc_reader__band_layout(&img, &c[0], size & 16 ? 1 : 0, &b, &lay);
			if (r != 0 && r != KYC_ERR_NOTFOUND && r != KYC_ERR_INVALID && r != KYC_ERR_NOMEM)
				abort();
			if ((r == 0 || r == KYC_ERR_NOTFOUND) && (!b.px || b.w < 16 || b.h < 16))
				abort();
			if (r == KYC_ERR_NOTFOUND && lay.open_end != 0 && lay.open_end != 1 &&
			    lay.open_end != -1)
				abort();
			free(b.px);
			/* the longer band past either end (the reader's last try) */
			r = kyc_reader__band_layout_longer(&img, &c[0], size & 32 ? 1 : -1,
							   size & 16 ? 1 : 0, &b, &lay);
			if (r != 0 && r != KYC_ERR_NOTFOUND && r != KYC_ERR_INVALID && r != KYC_ERR_NOMEM)
				abort();
			if ((r == 0 || r == KYC_ERR_NOTFOUND) && (!b.px || b.w < 16 || b.h < 16))
				abort();
			free(b.px);
			/* the loose layout (after that): each layout found is 2-3 lines
			 * of a format, no line spanning more cells than it, and each
			 * of its full grids has that format */
			struct kyc_reader__layout ll[KYC_READER__LOOSE_LAYOUTS], v;
			r = kyc_reader__band_layout_loose(&img, &c[0], &b, ll);
			if (r != 0 && r != KYC_ERR_NOTFOUND && r != KYC_ERR_INVALID && r != KYC_ERR_NOMEM)
				abort();
			if ((r == 0 || r == KYC_ERR_NOTFOUND) && (!b.px || b.w < 16 || b.h < 16))
				abort();
			if (r == 0 && ll[0].nlines == 0)
				abort();
			for (int f = 0; r == 0 && f < KYC_READER__LOOSE_LAYOUTS && ll[f].nlines; f++) {
				if (ll[f].nlines < 2 || ll[f].nlines > 3 ||
				    (ll[f].len != 30 && ll[f].len != 36 && ll[f].len != 44))
					abort();
				for (int i = 0; i < ll[f].nlines; i++)
					if (ll[f].cells[i] < ll[f].len / 2 || ll[f].cells[i] > ll[f].len)
						abort();
				for (int k = 0; kyc_reader__layout_loose_variant(&ll[f], k, &v) == 0; k++)
					if (k > 1 || v.len != ll[f].len || v.nlines != ll[f].nlines)
						abort();
			}
			free(b.px);
		}
		double a = kyc_reader__axis_strokes(&img);
		if (!(a >= -1 - 1e-9 && a <= 1 + 1e-9))
			abort();
		if (size >= 6) {
			double ang = data[2] * (2 * M_PI / 256);
			struct kyc_reader__cand any = {
			    .cx = data[0] - 32.0, .cy = data[1] - 32.0, .ux = cos(ang), .uy = sin(ang),
			    .len = data[3] * 4.0, .thick = data[4] / 8.0};
			double m = kyc_reader__mrz_like(&img, &any, data[5] / 255.0);
			if (!(m >= 0 && m <= 1))
				abort();
		}
	}
	kyc_image_free(&img);
	return sum == 0xFFFFFFFFu; /* keep sum alive */
}
