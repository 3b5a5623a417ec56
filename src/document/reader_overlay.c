/* An MRZ band under a half-transparent overlay given its contrast back
 * (reader_overlay.h). A stock-photo watermark lays white or grey over the
 * picture at a fixed opacity: inside its letters, ink and paper both move
 * towards its colour, so the ink-paper step of every glyph under it shrinks
 * by the same factor while glyphs beside it keep theirs. Its letters are
 * wider than an OCR-B stroke, so a window a stroke or two wide around a
 * glyph's pixel mostly sees ink under the same cover; stretching each pixel
 * by what its window's darkest ink lacks against the band's uncovered
 * glyphs gives the broken and washed-out strokes back. */
#include "document/reader_overlay.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/mrz.h"
#include "document/ocr.h"
#include "document/reader_int.h"

/* Half the window, in band pixels (glyphs are 20 tall, strokes 2-3 wide):
 * a stroke's own width, so that a window on a washed-out stroke sees that
 * stroke's ink and seldom a neighbour's uncovered one across a watermark
 * letter's edge (4 read one photo fewer, 6 two fewer, on development seeds
 * 9100-9107, watermark level 2). */
#define REACH 2
/* The stretch's bound: ink left at a quarter of its step is read; below
 * that, paper's and the JPEG's noise would be stretched as much. */
#define MAX_GAIN 4.0
/* The rows above and below the lines stretched: the classifier's context. */
#define MARGIN 8

/* The rows of lay's lines with MARGIN, and its cells with one more cell
 * either side, clipped to b. 0 when too small. */
static int region(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay, int r[4])
{
	if (lay->nlines < 1 || lay->len < 1)
		return 0;
	double x0 = 1e9, x1 = -1e9;
	int y0 = b->h, y1 = 0;
	for (int i = 0; i < lay->nlines; i++) {
		const struct kyc_reader__line *L = &lay->ln[i];
		double a = kyc_reader__cell_x(L, -1.5), e = kyc_reader__cell_x(L, lay->len + 0.5);
		x0 = a < x0 ? a : x0;
		x1 = e > x1 ? e : x1;
		y0 = L->top < y0 ? L->top : y0;
		y1 = L->bot > y1 ? L->bot : y1;
	}
	r[0] = x0 < 0 ? 0 : (int)x0;
	r[2] = x1 > b->w ? b->w : (int)x1 + 1;
	r[1] = y0 - MARGIN < 0 ? 0 : y0 - MARGIN;
	r[3] = y1 + 1 + MARGIN > b->h ? b->h : y1 + 1 + MARGIN;
	return r[2] - r[0] > 2 * REACH && r[3] - r[1] > 2 * REACH;
}

/* Min (lo) and max (hi) of src (w×h) over (2 REACH + 1)² windows, clipped:
 * across the rows into tmp, then down the columns. */
static void window_range(const unsigned char *src, int w, int h, unsigned char *tlo,
                         unsigned char *thi, unsigned char *lo, unsigned char *hi)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int a = x - REACH < 0 ? 0 : x - REACH,
			    e = x + REACH >= w ? w - 1 : x + REACH;
			unsigned char mn = 255, mx = 0;
			for (const unsigned char *p = src + (size_t)y * (size_t)w + (size_t)a,
			                         *q = p + (e - a);
			     p <= q; p++) {
				mn = *p < mn ? *p : mn;
				mx = *p > mx ? *p : mx;
			}
			tlo[(size_t)y * (size_t)w + (size_t)x] = mn;
			thi[(size_t)y * (size_t)w + (size_t)x] = mx;
		}
	for (int y = 0; y < h; y++) {
		int a = y - REACH < 0 ? 0 : y - REACH, e = y + REACH >= h ? h - 1 : y + REACH;
		for (int x = 0; x < w; x++) {
			unsigned char mn = 255, mx = 0;
			for (int k = a; k <= e; k++) {
				size_t i = (size_t)k * (size_t)w + (size_t)x;
				mn = tlo[i] < mn ? tlo[i] : mn;
				mx = thi[i] > mx ? thi[i] : mx;
			}
			lo[(size_t)y * (size_t)w + (size_t)x] = mn;
			hi[(size_t)y * (size_t)w + (size_t)x] = mx;
		}
	}
}

/* The contrast the band's uncovered glyphs have: the upper quartile of the
 * windows' ranges over the lines' rows (most windows there hold a stroke,
 * and most strokes are uncovered). */
static int glyph_contrast(const struct kyc_reader__layout *lay, const int r[4], int w,
                          const unsigned char *lo, const unsigned char *hi)
{
	unsigned hist[256] = {0}, n = 0;
	for (int i = 0; i < lay->nlines; i++)
		for (int y = lay->ln[i].top; y <= lay->ln[i].bot; y++) {
			if (y < r[1] || y >= r[3])
				continue;
			for (int x = 0; x < w; x++) {
				size_t k = (size_t)(y - r[1]) * (size_t)w + (size_t)x;
				hist[hi[k] - lo[k]]++;
				n++;
			}
		}
	unsigned acc = 0;
	for (int c = 255; c > 0; c--)
		if ((acc += hist[c]) * 4 >= n)
			return c;
	return 0;
}

int kyc_reader__band_overlay(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__band *out)
{
	*out = *b;
	out->px = NULL;
	int r[4];
	if (!b->px || !region(b, lay, r))
		return KYC_ERR_INVALID;
	int w = r[2] - r[0], h = r[3] - r[1], rc = 0;
	size_t n = (size_t)w * (size_t)h;
	unsigned char *buf = malloc(5 * n);
	out->px = malloc((size_t)b->w * (size_t)b->h);
	if (!buf || !out->px) {
		rc = KYC_ERR_NOMEM;
		goto fail;
	}
	unsigned char *src = buf, *lo = buf + n, *hi = buf + 2 * n;
	for (int y = 0; y < h; y++)
		memcpy(src + (size_t)y * (size_t)w,
		       b->px + (size_t)(y + r[1]) * (size_t)b->w + (size_t)r[0], (size_t)w);
	window_range(src, w, h, buf + 3 * n, buf + 4 * n, lo, hi);
	int k = glyph_contrast(lay, r, w, lo, hi);
	if (k < 16) { /* no glyphs to take a contrast from */
		rc = KYC_ERR_INVALID;
		goto fail;
	}
	/* a window whose range is paper's noise is left as it is, and the
	 * stretch comes in over a second such step, not at once */
	double floor = k / (2 * MAX_GAIN);
	memcpy(out->px, b->px, (size_t)b->w * (size_t)b->h);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			size_t i = (size_t)y * (size_t)w + (size_t)x;
			double c = hi[i] - lo[i];
			if (c <= floor || c >= k)
				continue;
			double g = k / c, ramp = (c - floor) / floor;
			g = g > MAX_GAIN ? MAX_GAIN : g;
			g = ramp < 1 ? 1 + (g - 1) * ramp : g;
			double v = hi[i] - (hi[i] - src[i]) * g;
			out->px[(size_t)(y + r[1]) * (size_t)b->w + (size_t)(x + r[0])] =
			    (unsigned char)(v < 0 ? 0 : v + 0.5);
		}
	free(buf);
	return 0;
fail:
	free(buf);
	free(out->px);
	out->px = NULL;
	return rc;
}

/* Reads lay on b again with its contrast restored into r, the restored
 * band into d (d->px the caller's to free(), NULL when none). 1 when every
 * check digit of r holds, 0 when not or when b gives no such band, or
 * KYC_ERR_NOMEM. */
static int read_restored(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                         struct kyc_reader__band *d, struct kyc_reader__reading *r)
{
	int rc = kyc_reader__band_overlay(b, lay, d);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : 0;
	kyc_reader__read_cells(d, lay, r);
	return kyc_reader__all_checks(r);
}

/* 1 when the finer model reads cell k of line L of d as c at the parser's
 * bar or above: the restored band's first model reads some washed-out
 * letters surely wrong (a name's `R` as `N`), and the finer model, which
 * sees the cell at the band's own resolution, is unsure of those. */
static int fine_sure(const struct kyc_reader__band *d, const struct kyc_reader__line *L, int k,
                     char c)
{
	float p[KYC_OCR_NOUT];
	struct kyc_ocr_guess f[1];
	int y0, y1;
	double cx = kyc_reader__cell_x(L, k), pitch = kyc_reader__cell_pitch(L, k);
	kyc_reader__cell_rows(d->h, L, &y0, &y1);
	return !kyc_ocr_probs_at(d->px, d->w, d->h, d->w, cx, pitch, y0, y1, p) &&
	       kyc_ocr_classify_fine_given(d->px, d->w, d->h, d->w, cx, pitch, y0, y1, p, f, 1) ==
	           1 &&
	       f[0].ch == c && f[0].score >= KYC_MRZ_CONF_ACCEPT;
}

/* The names' line: TD1's third, the others' first. No check digit covers
 * any of its characters. */
static int names_line(int nlines)
{
	return nlines == 3 ? 2 : 0;
}

int kyc_reader__read_overlay(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__reading **best, struct kyc_reader__reading *spare)
{
	struct kyc_reader__reading *r = *best;
	struct kyc_reader__band d = {0};
	int rc, i = names_line(r->nlines), unsure = 0;
	if (!kyc_reader__all_checks(r)) {
		rc = read_restored(b, lay, &d, spare);
		if (rc == 1 &&
		    kyc_reader__sure_checked(spare->nlines, spare->len, spare->lines, spare->conf))
			*best = spare;
		goto out;
	}
	for (int k = 0; k < r->len; k++)
		unsure += r->conf[i][k] < KYC_MRZ_CONF_ACCEPT;
	if (!unsure)
		return 0;
	rc = read_restored(b, lay, &d, spare);
	if (rc != 1 || spare->nlines != r->nlines || spare->len != r->len)
		goto out;
	/* a letter read surely by both models only there replaces one read
	 * unsurely here, and keeps this reading's confidence: two views that
	 * disagree make no letter sure, so no field becomes valid by it */
	for (int k = 0; k < r->len; k++) {
		char c = spare->lines[i][k];
		/* only a letter or a filler, which the names hold (a name's `O`
		 * read `0` there, development seed 9105, jpeg level 1 #8), and not
		 * over a letter only its digit twin contests, which the twin rule
		 * makes sure (kyc_reader__twin_conf) */
		if (r->conf[i][k] >= KYC_MRZ_CONF_ACCEPT ||
		    spare->conf[i][k] < KYC_MRZ_CONF_ACCEPT || c == r->lines[i][k] ||
		    !((c >= 'A' && c <= 'Z') || c == '<') ||
		    kyc_reader__twin(r->lines[i][k], r->alt[i][k]) ||
		    !fine_sure(&d, &lay->ln[i], k, c))
			continue;
		if (r->alt[i][k] == c)
			r->alt[i][k] = r->lines[i][k];
		r->lines[i][k] = c;
	}
out:
	free(d.px);
	return rc < 0 ? rc : 0;
}
