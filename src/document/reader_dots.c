/* Dot-matrix print (docs/reader.md, step 10, "Dot-matrix print"). Some
 * issuers print the MRZ with a dot-matrix printer: each glyph is a grid of
 * round dots, about seven to a capital's height, and the strokes the
 * recogniser learnt come out as chains of blobs with paper between them.
 * Binarised, such a line breaks into many more pieces than it has
 * characters (a solid OCR-B glyph is one piece; `<` too), and its glyphs
 * into pieces none of which holds most of the ink, which a glyph broken by
 * a watermark's line or washed thin keeps. A band found to be dot-matrix is
 * smoothed at the dot pitch before its cells are read, which joins the dots
 * into the strokes the recogniser knows, and laid out again on those. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/reader.h"
#include "document/reader_dots.h"

/* Union-find root with path halving. */
static int root(int *par, int i)
{
	while (par[i] != i)
		i = par[i] = par[par[i]];
	return i;
}

/* Pieces of ink (4-connected, at least 2 pixels) of line L of b under
 * threshold t, counted on scratch par, size and sx (one int a pixel of the
 * line's box each); *split counts the line's cells of 4 pixels of ink or
 * more whose largest piece holds under half their ink (a piece belongs to
 * the cell of its centre), *inked those cells. */
static int line_pieces(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int len,
                       int t, int *par, int *size, int *sx, int *split, int *inked)
{
	int x0 = L->left, x1 = L->right, y0 = L->top, y1 = L->bot;
	int bw = x1 - x0 + 1, n = 0;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++) {
			int i = (y - y0) * bw + (x - x0);
			par[i] = -1;
			if (b->px[(size_t)y * b->w + x] > t)
				continue;
			par[i] = i;
			size[i] = 1;
			sx[i] = x;
			int l = x > x0 ? par[i - 1] : -1, u = y > y0 ? par[i - bw] : -1;
			if (l >= 0) {
				int r = root(par, l);
				par[i] = r;
				size[r]++;
				sx[r] += x;
			}
			if (u >= 0) {
				int a = root(par, i), c = root(par, u);
				if (a != c) {
					par[c] = a;
					size[a] += size[c];
					sx[a] += sx[c];
				}
			}
		}
	int tot[KYC_READER_MAX_CHARS] = {0}, big[KYC_READER_MAX_CHARS] = {0};
	for (int i = 0; i < bw * (y1 - y0 + 1); i++) {
		if (par[i] != i || size[i] < 2)
			continue;
		n++;
		int k = (int)((sx[i] / (double)size[i] - L->a) / L->p + 0.5);
		if (k < 0 || k >= len)
			continue;
		tot[k] += size[i];
		big[k] = size[i] > big[k] ? size[i] : big[k];
	}
	for (int k = 0; k < len; k++) {
		*inked += tot[k] >= 4;
		*split += tot[k] >= 4 && 2 * big[k] < tot[k];
	}
	return n;
}

double kyc_reader__dot_pieces(const struct kyc_reader__band *b,
                              const struct kyc_reader__layout *lay, double *split)
{
	unsigned hist[256] = {0}, total = 0;
	int cells = 0, pieces = 0, area = 0, nsplit = 0, inked = 0;
	*split = 0;
	for (int l = 0; l < lay->nlines; l++) {
		const struct kyc_reader__line *L = &lay->ln[l];
		if (L->left < 0 || L->right >= b->w || L->top < 0 || L->bot >= b->h ||
		    L->right < L->left || L->bot < L->top)
			return 0;
		int a = (L->right - L->left + 1) * (L->bot - L->top + 1);
		area = a > area ? a : area;
		for (int y = L->top; y <= L->bot; y++)
			for (int x = L->left; x <= L->right; x++, total++)
				hist[b->px[(size_t)y * b->w + x]]++;
	}
	if (!total || !lay->len || lay->len > KYC_READER_MAX_CHARS)
		return 0;
	int t = kyc_reader__otsu(hist, total);
	int *par = malloc(sizeof *par * (size_t)area * 3);
	if (!par)
		return 0;
	for (int l = 0; l < lay->nlines; l++) {
		pieces += line_pieces(b, &lay->ln[l], lay->len, t, par, par + area, par + 2 * area,
		                      &nsplit, &inked);
		cells += lay->len;
	}
	free(par);
	*split = inked ? (double)nsplit / inked : 0;
	return (double)pieces / cells;
}

int kyc_reader__dotted(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	double split;
	return kyc_reader__dot_pieces(b, lay, &split) >= KYC_READER__DOTS &&
	       split >= KYC_READER__DOTS_SPLIT;
}

int kyc_reader__dot_smooth(struct kyc_reader__band *b)
{
	int w = b->w, h = b->h;
	unsigned short *t = malloc(sizeof *t * (size_t)w * h);
	if (!t)
		return KYC_ERR_NOMEM;
	/* a binomial 1-2-1 twice each way (5 taps, sigma 1 px): the dots of a
	 * 7-dot capital stand about 2.9 px apart in a 20 px glyph */
	for (int y = 0; y < h; y++) {
		const unsigned char *s = b->px + (size_t)y * w;
		for (int x = 0; x < w; x++) {
			int xm2 = x > 1 ? x - 2 : 0, xm1 = x > 0 ? x - 1 : 0;
			int xp1 = x < w - 1 ? x + 1 : w - 1, xp2 = x < w - 2 ? x + 2 : w - 1;
			t[(size_t)y * w + x] =
			    (unsigned short)(s[xm2] + 4 * s[xm1] + 6 * s[x] + 4 * s[xp1] + s[xp2]);
		}
	}
	for (int y = 0; y < h; y++) {
		int ym2 = y > 1 ? y - 2 : 0, ym1 = y > 0 ? y - 1 : 0;
		int yp1 = y < h - 1 ? y + 1 : h - 1, yp2 = y < h - 2 ? y + 2 : h - 1;
		for (int x = 0; x < w; x++) {
			unsigned v = t[(size_t)ym2 * w + x] + 4u * t[(size_t)ym1 * w + x] +
			             6u * t[(size_t)y * w + x] + 4u * t[(size_t)yp1 * w + x] +
			             t[(size_t)yp2 * w + x];
			b->px[(size_t)y * w + x] = (unsigned char)((v + 128) >> 8);
		}
	}
	free(t);
	return 0;
}

int kyc_reader__dot_strokes(struct kyc_reader__band *b, double seed_len,
                            struct kyc_reader__layout *lay)
{
	struct kyc_reader__layout again;
	int rc = kyc_reader__dot_smooth(b);
	if (rc)
		return rc;
	/* laid out on the dots, a glyph whose columns of dots stand apart (an
	 * `N`) may walk as two cells; joined into strokes it is one run */
	rc = kyc_reader__band_layout_again(b, seed_len, &again);
	if (rc == KYC_ERR_NOMEM)
		return rc;
	if (rc == 0 && again.nlines == lay->nlines && again.len == lay->len) {
		/* the grids only: the band's sharpness is the photo's, not the
		 * smoothing's */
		memcpy(lay->ln, again.ln, sizeof lay->ln);
		lay->fit = again.fit;
	}
	return 0;
}
