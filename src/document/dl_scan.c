/* A licence side's barcodes (dl_scan.h); moved out of card_dl_aamva.c. */
#include "document/dl_scan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/isolate.h"
#include "core/log.h"
#include "document/card.h"
#include "document/pdf417_codes.h"
#include "document/pdf417_find.h"
#include "document/pdf417_grid.h"

/* Reads the symbols of one picture of w x h gray pixels into s: PDF417s,
 * and QR codes while none has been found (a later try of the same picture
 * would find them again). */
static int scan_pixels(const unsigned char *gray, int w, int h, struct kyc_dl_scan *s)
{
	struct kyc_barcode *found = malloc(KYC_BARCODE_MAX * sizeof *found);
	if (!found)
		return KYC_ERR_NOMEM;
	unsigned formats = KYC_BARCODE_PDF417 | (s->nqr ? 0 : KYC_BARCODE_QR);
	int n = kyc_barcode_read_hinted(gray, w, h, w, formats, s->hints, found, KYC_BARCODE_MAX);
	for (int i = 0; i < n; i++) {
		if (found[i].format == KYC_BARCODE_QR) {
			if (s->nqr < KYC_BARCODE_MAX)
				s->qr[s->nqr++] = found[i];
		} else if (!s->have_aamva) {
			const char *why = NULL;
			s->have_aamva =
			    !kyc_aamva_parse(found[i].data, found[i].len, &s->aamva, &why);
			if (!s->have_aamva)
				snprintf(s->why, sizeof s->why, "%s", why ? why : "");
		}
	}
	free(found);
	return n == KYC_ERR_NOMEM ? n : 0;
}

/* Resolution of the rectified card the barcodes are looked for on, px/mm:
 * a licence's PDF417 module (about 0.3 to 0.4 mm) gets four pixels. */
#define SCAN_PX_PER_MM 12.0

/* Unsharp masking of the rectified card: the picture plus UNSHARP_GAIN
 * times its difference from its local mean over (2 UNSHARP_R + 1)² pixels
 * (0.6 mm at 12 px/mm, about two modules). A small, blurred photo leaves a
 * module under two pixels of the original spread over its neighbours,
 * which zxing's binarizer cannot split; the mask restores the step between
 * a module and the next (docs/dl.md). Chosen on a throwaway harness of 40
 * level-2 backs (9 failures: plain 0, this 5-6 recovered). */
#define UNSHARP_R 3
#define UNSHARP_GAIN 3.0

static int unsharp(unsigned char *g, int w, int h)
{
	/* integral image of g, (w+1) x (h+1) */
	size_t W = (size_t)w + 1;
	unsigned *I = calloc(W * ((size_t)h + 1), sizeof *I);
	if (!I)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			I[(y + 1) * W + x + 1] = g[(size_t)y * (size_t)w + (size_t)x] +
			                         I[y * W + x + 1] + I[(y + 1) * W + x] -
			                         I[y * W + x];
	for (int y = 0; y < h; y++) {
		int y0 = y - UNSHARP_R < 0 ? 0 : y - UNSHARP_R,
		    y1 = y + UNSHARP_R + 1 > h ? h : y + UNSHARP_R + 1;
		for (int x = 0; x < w; x++) {
			int x0 = x - UNSHARP_R < 0 ? 0 : x - UNSHARP_R;
			int x1 = x + UNSHARP_R + 1 > w ? w : x + UNSHARP_R + 1;
			double sum = (double)I[y1 * W + x1] - I[y0 * W + x1] - I[y1 * W + x0] +
			             I[y0 * W + x0];
			unsigned char *p = g + (size_t)y * (size_t)w + (size_t)x;
			double v = *p + UNSHARP_GAIN * (*p - sum / ((x1 - x0) * (y1 - y0)));
			*p = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
		}
	}
	free(I);
	return 0;
}

/* The barcode box of the rectified card (w x h at SCAN_PX_PER_MM), or
 * where a half turn puts it (turn 1: the finder does not say which way up),
 * cut out onto white paper BOX_MARGIN_MM wide, and scanned. The card's
 * ground around the symbol's two-module quiet zone (fine waves, the QR code,
 * text) can keep zxing from a symbol it reads cut out: a clean level-0 card
 * of seed 31337 read at every scale but this one (docs/dl.md). */
#define BOX_MARGIN_MM 5.0
/* The card finder's candidates tried. */
#define SCAN_QUADS 3
static int scan_box(const unsigned char *card, int w, int h, int turn, struct kyc_dl_scan *s)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double *b = T->barcode, u = SCAN_PX_PER_MM;
	double bx0 = turn ? T->w_mm - b[2] : b[0], bx1 = turn ? T->w_mm - b[0] : b[2];
	double by0 = turn ? T->h_mm - b[3] : b[1], by1 = turn ? T->h_mm - b[1] : b[3];
	/* grown by 1 mm for the finder's error */
	int x0 = (int)((bx0 - 1) * u), x1 = (int)((bx1 + 1) * u);
	int y0 = (int)((by0 - 1) * u), y1 = (int)((by1 + 1) * u);
	x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0, x1 = x1 > w ? w : x1, y1 = y1 > h ? h : y1;
	int m = (int)lround(BOX_MARGIN_MM * u), bw = x1 - x0 + 2 * m, bh = y1 - y0 + 2 * m;
	if (x1 <= x0 || y1 <= y0)
		return 0;
	unsigned char *box = malloc((size_t)bw * (size_t)bh);
	if (!box)
		return KYC_ERR_NOMEM;
	memset(box, 255, (size_t)bw * (size_t)bh);
	for (int y = y0; y < y1; y++)
		memcpy(box + (size_t)(y - y0 + m) * (size_t)bw + (size_t)m,
		       card + (size_t)y * (size_t)w + (size_t)x0, (size_t)(x1 - x0));
	int rc = scan_pixels(box, bw, bh, s);
	free(box);
	return rc;
}

/* The box both ways up, until one holds AAMVA data. */
static int scan_boxes(const unsigned char *card, int w, int h, struct kyc_dl_scan *s)
{
	int rc = 0;
	for (int turn = 0; turn < 2 && !rc && !s->have_aamva; turn++)
		rc = scan_box(card, w, h, turn, s);
	return rc;
}

/* How far the barcode box is grown for the grid, across and down (mm):
 * the finder's corners can be a few mm off (level 2 of seed 20261313), and
 * the grid needs the whole start and stop patterns. */
#define GRID_GROW_X_MM 7.0
#define GRID_GROW_Y_MM 3.0

/* The grid reader's runs of one side (quad and module), for its last
 * tries with the contrast matcher (scan_contrast). */
#define GRID_RUNS 4
struct grid_runs {
	int n;
	double quad[GRID_RUNS][4][2], mm[GRID_RUNS];
};

/* The barcode box of the card found at quad (grown by GRID_GROW_*), either
 * way up, its symbol redrawn from its grid for each column count the bars
 * allow, and scanned (pdf417_grid.h): a module of under two pixels in the
 * photo, blurred flat where zxing decides pixel by pixel, is chosen
 * codeword by codeword among its cluster's patterns. The run is noted in
 * runs; with runs NULL, the tries are the contrast matcher's. */
static int scan_grid(const struct kyc_image *img, const double quad[4][2], struct kyc_dl_scan *s,
                     struct grid_runs *runs)
{
	if (runs && runs->n < GRID_RUNS) {
		memcpy(runs->quad[runs->n], quad, sizeof runs->quad[0]);
		runs->mm[runs->n++] = s->module_mm;
	}
	int first = runs ? 0 : KYC_PDF417_GRID_CONTRAST;
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double *b = T->barcode, u = SCAN_PX_PER_MM;
	double x0 = b[0] - GRID_GROW_X_MM, x1 = b[2] + GRID_GROW_X_MM;
	double y0 = b[1] - GRID_GROW_Y_MM, y1 = b[3] + GRID_GROW_Y_MM;
	int bw = (int)lround((x1 - x0) * u), bh = (int)lround((y1 - y0) * u), rc = 0;
	for (int turn = 0; turn < 2 && !rc && !s->have_aamva; turn++) {
		double box[4][2], up[4][2];
		if (turn)
			kyc_card_quad_sub(quad, 1 - x1 / T->w_mm, 1 - y1 / T->h_mm,
			                  1 - x0 / T->w_mm, 1 - y0 / T->h_mm, box);
		else
			kyc_card_quad_sub(quad, x0 / T->w_mm, y0 / T->h_mm, x1 / T->w_mm,
			                  y1 / T->h_mm, box);
		/* upright: a half turn's top-left corner is the box's bottom-right */
		for (int k = 0; k < 4; k++)
			up[k][0] = box[(k + 2 * turn) % 4][0],
			up[k][1] = box[(k + 2 * turn) % 4][1];
		for (int t = 0; t < KYC_PDF417_GRID_TRIES && !rc && !s->have_aamva; t++) {
			unsigned char *sym = NULL;
			int sw = 0, sh = 0;
			int r = kyc_pdf417_grid_redraw(img, up, bw, bh, s->module_mm * u, first + t,
			                               &sym, &sw, &sh);
			if (r == KYC_ERR_NOMEM)
				rc = r;
			else if (!r)
				rc = scan_pixels(sym, sw, sh, s);
			free(sym);
		}
	}
	return rc;
}

/* The most the wider of the two end bars may be over the narrower for a
 * symbol: first as the standard draws them (8 and 7 modules, blurred),
 * then with the start pattern joined by blur (scan_joined). */
#define BARS_RATIO 1.6
#define BARS_RATIO_JOINED 2.2

/* A PDF417's module on the rectified card (w x h at SCAN_PX_PER_MM), mm, or
 * 0 when no symbol is seen in the barcode box. Columns of the box's middle
 * half are averaged: the codewords change from row to row and average to
 * grey, while the start pattern's 8-module bar and the stop pattern's
 * 7-module bar run the symbol's whole height and stay dark. The widest dark
 * run near each end is one of them, either way up, so the module is their
 * sum over 15. Dark is under 40 % of the way from the darkest column to the
 * light ones: blur narrows a wide bar little there, and it keeps the start
 * pattern's one-module bars, blurred to grey, out of its run. *joined gets
 * the same module when the bars are within BARS_RATIO_JOINED of each other
 * (scan_joined), else 0. */
static double symbol_module_mm(const unsigned char *card, int w, int h, double *joined)
{
	const double *b = kyc_card_tpl_dl_aamva.barcode, u = SCAN_PX_PER_MM;
	int x0 = (int)fmax(0, (b[0] - 2) * u), x1 = (int)fmin(w, (b[2] + 2) * u);
	int y0 = (int)fmax(0, (b[1] + (b[3] - b[1]) / 4) * u),
	    y1 = (int)fmin(h, (b[3] - (b[3] - b[1]) / 4) * u);
	int n = x1 - x0;
	*joined = 0;
	if (n < 16 || y1 <= y0)
		return 0;
	double *col = malloc((size_t)n * sizeof *col), lo = 255, hi = 0;
	if (!col)
		return 0;
	for (int x = x0; x < x1; x++) {
		double sum = 0;
		for (int y = y0; y < y1; y++)
			sum += card[(size_t)y * (size_t)w + (size_t)x];
		col[x - x0] = sum / (y1 - y0);
		lo = fmin(lo, col[x - x0]);
		hi = fmax(hi, col[x - x0]);
	}
	/* the widest dark run in each outer sixth of the box, and the extent
	 * of the dark columns */
	double thr = lo + 0.4 * (hi - lo), run[2] = {0, 0};
	int first = -1, last = -1;
	for (int x = 0; x < n;) {
		if (col[x] >= thr) {
			x++;
			continue;
		}
		int e = x;
		while (e < n && col[e] < thr)
			e++;
		first = first < 0 ? x : first, last = e;
		double mid = (x + e) / 2.0, width = (e - x) / u;
		if (mid < n / 6.0)
			run[0] = fmax(run[0], width);
		else if (mid > n - n / 6.0)
			run[1] = fmax(run[1], width);
		x = e;
	}
	/* between the bars, the codewords' grey: about half ink (a text's
	 * columns are mostly paper) */
	double inner = 0;
	int i0 = first + (int)(run[0] * u), i1 = last - (int)(run[1] * u);
	for (int x = i0; x < i1; x++)
		inner += col[x];
	inner = i1 > i0 ? (inner / (i1 - i0) - lo) / (hi - lo + 1e-9) : 0;
	free(col);
	double mod = (run[0] + run[1]) / 15;
	/* a symbol: contrast, two bars of like width, of a module the standard
	 * allows (0.17 mm up, measured a little narrow) or a little over, at
	 * least the 86 modules of a one-column symbol between its ends, grey
	 * between them */
	if (hi - lo < 40 || run[0] <= 0 || run[1] <= 0 || mod < 0.15 || mod > 0.6 ||
	    (last - first) / u < 86 * mod || inner < 0.25 || inner > 0.75)
		return 0;
	double wide = fmax(run[0], run[1]), narrow = fmin(run[0], run[1]);
	*joined = wide <= BARS_RATIO_JOINED * narrow ? mod : 0;
	return wide <= BARS_RATIO * narrow ? mod : 0;
}

/* Pixels per mm of the card whose corners are q in the picture. */
static double quad_px_per_mm(const double q[4][2])
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	double top = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);
	double bottom = hypot(q[2][0] - q[3][0], q[2][1] - q[3][1]);
	double left = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
	double right = hypot(q[2][0] - q[1][0], q[2][1] - q[1][1]);
	return ((top + bottom) / T->w_mm + (left + right) / T->h_mm) / 4;
}

/* One quadrilateral taken for the card (TL, TR, BR, BL) warped into card
 * (caller's, the template at SCAN_PX_PER_MM) and read: whole, its barcode
 * box cut out, and when sharpen, unsharp-masked, whole and cut out, and
 * the box with zxing's global binarizer. The symbol's module is measured
 * when none was yet (and *joined, when not NULL, as symbol_module_mm). */
static int scan_card(const struct kyc_image *img, const double quad[4][2], int sharpen,
                     unsigned char *card, struct kyc_dl_scan *s, double *joined)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	int w = (int)lround(T->w_mm * SCAN_PX_PER_MM), h = (int)lround(T->h_mm * SCAN_PX_PER_MM);
	kyc_card_warp(img, quad, w, h, card);
	if (!s->module_px) {
		double j;
		s->module_mm = symbol_module_mm(card, w, h, &j);
		if (joined)
			*joined = j;
		s->module_px = s->module_mm * quad_px_per_mm(quad);
	}
	int rc = scan_pixels(card, w, h, s);
	if (!rc && !s->have_aamva)
		rc = scan_boxes(card, w, h, s);
	if (!rc && !s->have_aamva && sharpen)
		rc = unsharp(card, w, h);
	if (!rc && !s->have_aamva && sharpen)
		rc = scan_pixels(card, w, h, s);
	if (!rc && !s->have_aamva && sharpen)
		rc = scan_boxes(card, w, h, s);
	/* the sharpened box once more with one threshold for all of it:
	 * zxing's local one splits a module of about 1.2 px wrongly where
	 * the global one does not (docs/dl.md, branch card10) */
	if (!rc && !s->have_aamva && sharpen) {
		s->hints = KYC_BARCODE_GLOBAL_BINARIZER;
		rc = scan_boxes(card, w, h, s);
		s->hints = 0;
	}
	return rc;
}

/* The PDF417s found by their own look (pdf417_find.h), each taken for the
 * barcode box of a card around it and read as the card finder's candidates
 * are, then redrawn from its grid: the card's edges can be lost where the
 * symbol's are not (a white card on white sheets of print, docs/dl.md,
 * branch card14a). The module first seen is the one reported. */
static int scan_located(const struct kyc_image *img, unsigned char *card, struct kyc_dl_scan *s,
                        struct grid_runs *runs)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double *b = T->barcode, bw = b[2] - b[0], bh = b[3] - b[1];
	struct kyc_pdf417_found f[KYC_PDF417_FIND_MAX];
	int n = kyc_pdf417_find(img, f, KYC_PDF417_FIND_MAX), rc = n < 0 ? n : 0;
	double seen_px = s->module_px, seen_mm = s->module_mm;
	for (int i = 0; i < n && !rc && !s->have_aamva; i++) {
		double quad[4][2];
		kyc_card_quad_sub(f[i].quad, -b[0] / bw, -b[1] / bh, (T->w_mm - b[0]) / bw,
		                  (T->h_mm - b[1]) / bh, quad);
		s->module_px = 0;
		rc = scan_card(img, quad, 1, card, s, NULL);
		double own = f[i].module_px / quad_px_per_mm(quad);
		if (!s->module_mm)
			s->module_mm = own;
		if (!rc && !s->have_aamva)
			rc = scan_grid(img, quad, s, runs);
		/* the module of the finder's own bars, when the card's measure
		 * was another: that card's scale is the template's box put on
		 * the symbol, and its bars were measured on a coarser cut (9213
		 * #81: 7 % under, and no column count chosen decoded) */
		if (!rc && !s->have_aamva && fabs(s->module_mm / own - 1) > 0.05) {
			double mm = s->module_mm;
			s->module_mm = own;
			rc = scan_grid(img, quad, s, runs);
			s->module_mm = mm;
		}
		if (!seen_px)
			seen_px = s->module_px ? s->module_px : f[i].module_px,
			seen_mm = s->module_mm;
	}
	s->module_px = seen_px, s->module_mm = seen_mm;
	return rc;
}

/* When no symbol was seen at all: the grid reader run on the first
 * candidate whose barcode box showed a symbol with the start bar up to
 * BARS_RATIO_JOINED times the stop bar (joined[i], measured with the first
 * measure: no second warp). Under about 1.3 px a module the start
 * pattern's thin bars and spaces join the 8-module bar into one run of
 * 12-15 modules (pdf417_ends.c); on a rectified card that is about twice
 * the stop bar's, which the first measure refuses (9201 #94, docs/dl.md).
 * Only here, last: with the looser ratio first, a candidate whose bars
 * merely look unequal was taken before the one where the symbol decodes
 * (271828 #37, branch card15a). The module is the bars' sum over 15, an
 * over-estimate the grid reader's smaller scales cover. */
static int scan_joined(const struct kyc_image *img, const double quads[][4][2],
                       const double *joined, int n, struct kyc_dl_scan *s, struct grid_runs *runs)
{
	for (int i = 0; i < n; i++)
		if (joined[i] > 0) {
			s->module_mm = joined[i],
			s->module_px = joined[i] * quad_px_per_mm(quads[i]);
			return scan_grid(img, quads[i], s, runs);
		}
	return 0;
}

/* Last of all, every grid run of the side tried again with the contrast
 * matcher (pdf417_grid.h, KYC_PDF417_GRID_CONTRAST): a glare over part of
 * a symbol of about one pixel a module lifts its codewords' ink there, and
 * the matcher that takes its levels from the rows' ends chose too many of
 * them wrong (docs/dl.md, branch dl17). After every other try, so that a
 * back read before pays nothing; the module reported stays the first. */
static int scan_contrast(const struct kyc_image *img, const struct grid_runs *runs,
                         struct kyc_dl_scan *s)
{
	double mm = s->module_mm;
	int rc = 0;
	for (int i = 0; i < runs->n && !rc && !s->have_aamva; i++) {
		s->module_mm = runs->mm[i];
		rc = scan_grid(img, runs->quad[i], s, NULL);
	}
	s->module_mm = mm;
	return rc;
}

static int scan_image(const struct kyc_image *img, struct kyc_dl_scan *s)
{
	int rc = scan_pixels(img->gray, img->w, img->h, s);
	if (rc || s->have_aamva)
		return rc;
	/* zxing finds a PDF417 only when its rows run nearly along the
	 * picture's: a card photographed askew is found and rectified first
	 * (as the card reader does) and read again; when that fails too, the
	 * picture is turned by its dominant edge direction. */
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	double quads[SCAN_QUADS][4][2];
	int n = kyc_card_find_candidates(img, T->w_mm / T->h_mm, quads, NULL, SCAN_QUADS);
	if (n == KYC_ERR_NOMEM)
		return n;
	int w = (int)lround(T->w_mm * SCAN_PX_PER_MM), h = (int)lround(T->h_mm * SCAN_PX_PER_MM);
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card)
		return KYC_ERR_NOMEM;
	rc = 0;
	int seen = 0;                    /* the candidate on which a symbol's module was seen */
	double joined[SCAN_QUADS] = {0}; /* scan_joined's module on each candidate */
	struct grid_runs runs = {0};
	/* The finder's best candidate, then the next ones: a sheet overlapping
	 * the card can win the edges (level 2 of seed 31337, docs/dl.md). The
	 * unsharp mask on the best one only: blur is the same on all. */
	for (int i = 0; i < n && !rc && !s->have_aamva; i++) {
		/* the symbol's module in the picture, for the reason a symbol
		 * that does not decode gives (barcode_too_small) */
		seen = s->module_px ? seen : i;
		rc = scan_card(img, quads[i], i == 0, card, s, &joined[i]);
	}
	/* the symbol redrawn from its grid, on the candidate where it was
	 * seen, warped anew from the photo (the mask's overshoot is no blur
	 * the grid's model knows) */
	if (!rc && !s->have_aamva && s->module_mm > 0)
		rc = scan_grid(img, quads[seen], s, &runs);
	if (rc || s->have_aamva)
		goto out;
	/* the picture turned by its dominant edge direction; then by the
	 * direction of the finder's best candidate's top side, when that
	 * differs: sheets of print around the card can outweigh its edges in
	 * the histogram, and a candidate whose side fell on the symbol's
	 * start bar still lies along the card (seed 555 #30, docs/dl.md) */
	double turns[2] = {kyc_pdf417_find_angle(img), 0};
	if (n > 0) {
		double q = atan2(quads[0][1][1] - quads[0][0][1], quads[0][1][0] - quads[0][0][0]);
		q = fmod(q * 180 / M_PI + 360, 90);
		turns[1] = q >= 45 ? q - 90 : q;
		if (fabs(turns[1] - turns[0]) < 2)
			turns[1] = 0;
	}
	for (int k = 0; k < 2 && !rc && !s->have_aamva; k++) {
		if (fabs(turns[k]) < 1)
			continue;
		unsigned char *t = kyc_pdf417_turned(img, -turns[k]);
		rc = t ? scan_pixels(t, img->w, img->h, s) : KYC_ERR_NOMEM;
		free(t);
	}
	/* last, the symbol looked for by its own look, not the card's */
	if (!rc && !s->have_aamva)
		rc = scan_located(img, card, s, &runs);
	if (!rc && !s->have_aamva && !s->module_px)
		rc = scan_joined(img, quads, joined, n, s, &runs);
	if (!rc && !s->have_aamva)
		rc = scan_contrast(img, &runs, s);
out:
	free(card);
	return rc;
}

/* How long one side's scan may take in its child: a few hundred ms in a
 * release build, seconds under AddressSanitizer on a loaded machine. */
#define SIDE_TIMEOUT_MS 30000

struct side {
	const struct kyc_image *img;
	const struct kyc_dl_scan *in;
};

static int side_child(void *arg, void *out, size_t len)
{
	const struct side *a = arg;
	struct kyc_dl_scan *s = out;
	*s = *a->in;
	return scan_image(a->img, s);
}

/* scan_image in a child process (core/isolate.h): zxing-cpp 1.4 faults on
 * some pictures (docs/dl.md), and a side's dozen reads share one fork, whose
 * cost would otherwise be paid by each (bench/README.md, "## dl", branch
 * zxguard); zxing's own per-read guard sees it is in a child and forks no
 * more. A child that crashed or timed out leaves s as it was: no symbol. */
int kyc_dl_scan_side(const struct kyc_image *img, struct kyc_dl_scan *s)
{
	if (kyc_barcode_isolated() != KYC_BARCODE_ISOLATED)
		return scan_image(img, s);
	struct kyc_dl_scan *r = malloc(sizeof *r);
	if (!r)
		return KYC_ERR_NOMEM;
	kyc_pdf417_codes_ready(); /* built once here, not in every child */
	int st = 0, rc = kyc_isolate_run(side_child, &(struct side){img, s}, r, sizeof *r,
	                                 SIDE_TIMEOUT_MS, &st);
	if (!rc)
		*s = *r;
	else /* the picture's size only, never its pixels */
		kyc_logf(
		    KYC_LOG_WARN,
		    "licence barcode scan %s in its child process (%dx%d picture); no symbol taken",
		    kyc_isolate_name(rc), img->w, img->h);
	free(r);
	return rc ? 0 : st;
}
