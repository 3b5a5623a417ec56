/* A band across which a glare band or a shadow's edge runs keeps, once
 * flattened (paper white everywhere), glyphs of very different contrast:
 * the washed ones stay pale, under both Otsu's threshold (taken on the
 * whole seed line) and the local mean's margin, so the lines' chains of
 * glyph runs stop at them and no layout comes out. Stretching each column's
 * contrast to its own ink level gives the washed glyphs the contrast of the
 * rest. Run only on an MRZ-like band that gave no layout, and on the longer
 * band past a line that ran on to its band's end (reader.c, read_band). */
#include "document/reader_stretch.h"

#include <stdlib.h>

#include "core/err.h"

#define GH KYC_READER__GLYPH_H

int kyc_reader__stretch(struct kyc_reader__band *b)
{
	int w = b->w, h = b->h, rc = KYC_ERR_NOMEM;
	unsigned char *cmin = malloc((size_t)w), *wmin = malloc((size_t)w);
	if (!cmin || !wmin)
		goto out;
	/* the rows of up to three MRZ lines about the seed line: beyond them
	 * clutter's ink would set the level */
	int y0 = h / 2 - 4 * GH < 0 ? 0 : h / 2 - 4 * GH;
	int y1 = h / 2 + 4 * GH > h ? h : h / 2 + 4 * GH;
	for (int x = 0; x < w; x++) {
		unsigned char m = 255;
		for (int y = y0; y < y1; y++) {
			unsigned char v = b->px[(size_t)y * w + x];
			m = v < m ? v : m;
		}
		cmin[x] = m;
	}
	for (int x = 0; x < w; x++) {
		unsigned char m = 255;
		int a = x - GH < 0 ? 0 : x - GH, e = x + GH >= w ? w - 1 : x + GH;
		for (int k = a; k <= e; k++)
			m = cmin[k] < m ? cmin[k] : m;
		wmin[x] = m;
	}
	for (int x = 0; x < w; x++) {
		double g = 255.0 / (255 - wmin[x] + 1e-9);
		if (g > KYC_READER__STRETCH_GAIN)
			g = KYC_READER__STRETCH_GAIN;
		if (g <= 1)
			continue;
		for (int y = 0; y < h; y++) {
			unsigned char *p = b->px + (size_t)y * w + x;
			double v = 255 - (255 - *p) * g;
			*p = (unsigned char)(v < 0 ? 0 : v + 0.5);
		}
	}
	rc = 0;
out:
	free(cmin);
	free(wmin);
	return rc;
}

int kyc_reader__stretch_layout(struct kyc_reader__band *b, double seed_len,
			       struct kyc_reader__layout *lay)
{
	int rc = kyc_reader__stretch(b);
	if (rc == 0)
		rc = kyc_reader__band_layout_again(b, seed_len, lay);
	return rc;
}
