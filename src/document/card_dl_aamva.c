/* A driving licence read from its barcode and its face (card_dl_aamva.h). */
#include "document/card_dl_aamva.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/isolate.h"
#include "core/log.h"
#include "document/aamva.h"
#include "document/barcode.h"
#include "document/card.h"
#include "document/pdf417_codes.h"
#include "document/pdf417_find.h"
#include "document/pdf417_grid.h"
#include "document/tess.h"

/* The front's confidence at which a reading of its form is accepted
 * (Tesseract's mean confidence, 0..100). */
#define FRONT_MIN_CONF 60

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---- the barcodes ---- */

/* Flat (no pointers): a side's scan comes back from its child process. */
struct scan {
	int have_aamva;
	char why[24]; /* the AAMVA parser's code for the last PDF417 refused */
	double module_px; /* a PDF417's module in the picture, px; 0: none seen */
	double module_mm; /* the same on the card, mm */
	unsigned hints;   /* kyc_barcode_hint of the reads */
	int nqr;
	struct kyc_aamva aamva;
	struct kyc_barcode qr[KYC_BARCODE_MAX];
};

/* A QR code's bytes as a JSON string: UTF-8 when they are, else ISO 8859-1. */
static json_t *qr_text(const struct kyc_barcode *b)
{
	json_t *s = json_stringn((const char *)b->data, b->len);
	if (s)
		return s;
	char out[2 * KYC_BARCODE_MAX_BYTES + 1];
	size_t n = 0;
	for (size_t i = 0; i < b->len && n + 2 < sizeof out; i++) {
		unsigned char c = b->data[i];
		if (c < 0x80) {
			out[n++] = (char)c;
		} else {
			out[n++] = (char)(0xc0 | (c >> 6));
			out[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return json_stringn(out, n);
}

/* Reads the symbols of one picture of w x h gray pixels into s: PDF417s,
 * and QR codes while none has been found (a later try of the same picture
 * would find them again). */
static int scan_pixels(const unsigned char *gray, int w, int h, struct scan *s)
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
			s->have_aamva = !kyc_aamva_parse(found[i].data, found[i].len, &s->aamva, &why);
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
			I[(y + 1) * W + x + 1] = g[(size_t)y * (size_t)w + (size_t)x] + I[y * W + x + 1] +
						 I[(y + 1) * W + x] - I[y * W + x];
	for (int y = 0; y < h; y++) {
		int y0 = y - UNSHARP_R < 0 ? 0 : y - UNSHARP_R, y1 = y + UNSHARP_R + 1 > h ? h : y + UNSHARP_R + 1;
		for (int x = 0; x < w; x++) {
			int x0 = x - UNSHARP_R < 0 ? 0 : x - UNSHARP_R;
			int x1 = x + UNSHARP_R + 1 > w ? w : x + UNSHARP_R + 1;
			double sum = (double)I[y1 * W + x1] - I[y0 * W + x1] - I[y1 * W + x0] + I[y0 * W + x0];
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
static int scan_box(const unsigned char *card, int w, int h, int turn, struct scan *s)
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
static int scan_boxes(const unsigned char *card, int w, int h, struct scan *s)
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

/* The barcode box of the card found at quad (grown by GRID_GROW_*), either
 * way up, its symbol redrawn from its grid for each column count the bars
 * allow, and scanned (pdf417_grid.h): a module of under two pixels in the
 * photo, blurred flat where zxing decides pixel by pixel, is chosen
 * codeword by codeword among its cluster's patterns. */
static int scan_grid(const struct kyc_image *img, const double quad[4][2], struct scan *s)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double *b = T->barcode, u = SCAN_PX_PER_MM;
	double x0 = b[0] - GRID_GROW_X_MM, x1 = b[2] + GRID_GROW_X_MM;
	double y0 = b[1] - GRID_GROW_Y_MM, y1 = b[3] + GRID_GROW_Y_MM;
	int bw = (int)lround((x1 - x0) * u), bh = (int)lround((y1 - y0) * u), rc = 0;
	for (int turn = 0; turn < 2 && !rc && !s->have_aamva; turn++) {
		double box[4][2], up[4][2];
		if (turn)
			kyc_card_quad_sub(quad, 1 - x1 / T->w_mm, 1 - y1 / T->h_mm, 1 - x0 / T->w_mm,
					  1 - y0 / T->h_mm, box);
		else
			kyc_card_quad_sub(quad, x0 / T->w_mm, y0 / T->h_mm, x1 / T->w_mm, y1 / T->h_mm, box);
		/* upright: a half turn's top-left corner is the box's bottom-right */
		for (int k = 0; k < 4; k++)
			up[k][0] = box[(k + 2 * turn) % 4][0], up[k][1] = box[(k + 2 * turn) % 4][1];
		for (int t = 0; t < KYC_PDF417_GRID_TRIES && !rc && !s->have_aamva; t++) {
			unsigned char *sym = NULL;
			int sw = 0, sh = 0;
			int r = kyc_pdf417_grid_redraw(img, up, bw, bh, s->module_mm * u, t, &sym, &sw, &sh);
			if (r == KYC_ERR_NOMEM)
				rc = r;
			else if (!r)
				rc = scan_pixels(sym, sw, sh, s);
			free(sym);
		}
	}
	return rc;
}

/* A PDF417's module on the rectified card (w x h at SCAN_PX_PER_MM), mm, or
 * 0 when no symbol is seen in the barcode box. Columns of the box's middle
 * half are averaged: the codewords change from row to row and average to
 * grey, while the start pattern's 8-module bar and the stop pattern's
 * 7-module bar run the symbol's whole height and stay dark. The widest dark
 * run near each end is one of them, either way up, so the module is their
 * sum over 15. Dark is under 40 % of the way from the darkest column to the
 * light ones: blur narrows a wide bar little there, and it keeps the start
 * pattern's one-module bars, blurred to grey, out of its run. */
static double symbol_module_mm(const unsigned char *card, int w, int h)
{
	const double *b = kyc_card_tpl_dl_aamva.barcode, u = SCAN_PX_PER_MM;
	int x0 = (int)fmax(0, (b[0] - 2) * u), x1 = (int)fmin(w, (b[2] + 2) * u);
	int y0 = (int)fmax(0, (b[1] + (b[3] - b[1]) / 4) * u), y1 = (int)fmin(h, (b[3] - (b[3] - b[1]) / 4) * u);
	int n = x1 - x0;
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
	if (hi - lo < 40 || run[0] <= 0 || run[1] <= 0 || run[0] > 1.6 * run[1] || run[1] > 1.6 * run[0] ||
	    mod < 0.15 || mod > 0.6 || (last - first) / u < 86 * mod || inner < 0.25 || inner > 0.75)
		return 0;
	return mod;
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
 * when none was yet. */
static int scan_card(const struct kyc_image *img, const double quad[4][2], int sharpen,
		     unsigned char *card, struct scan *s)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	int w = (int)lround(T->w_mm * SCAN_PX_PER_MM), h = (int)lround(T->h_mm * SCAN_PX_PER_MM);
	kyc_card_warp(img, quad, w, h, card);
	if (!s->module_px) {
		s->module_mm = symbol_module_mm(card, w, h);
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
static int scan_located(const struct kyc_image *img, unsigned char *card, struct scan *s)
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
		rc = scan_card(img, quad, 1, card, s);
		if (!s->module_mm)
			s->module_mm = f[i].module_px / quad_px_per_mm(quad);
		if (!rc && !s->have_aamva)
			rc = scan_grid(img, quad, s);
		if (!seen_px)
			seen_px = s->module_px ? s->module_px : f[i].module_px, seen_mm = s->module_mm;
	}
	s->module_px = seen_px, s->module_mm = seen_mm;
	return rc;
}

static int scan_image(const struct kyc_image *img, struct scan *s)
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
	int seen = 0; /* the candidate on which a symbol's module was seen */
	/* The finder's best candidate, then the next ones: a sheet overlapping
	 * the card can win the edges (level 2 of seed 31337, docs/dl.md). The
	 * unsharp mask on the best one only: blur is the same on all. */
	for (int i = 0; i < n && !rc && !s->have_aamva; i++) {
		/* the symbol's module in the picture, for the reason a symbol
		 * that does not decode gives (barcode_too_small) */
		seen = s->module_px ? seen : i;
		rc = scan_card(img, quads[i], i == 0, card, s);
	}
	/* the symbol redrawn from its grid, on the candidate where it was
	 * seen, warped anew from the photo (the mask's overshoot is no blur
	 * the grid's model knows) */
	if (!rc && !s->have_aamva && s->module_mm > 0)
		rc = scan_grid(img, quads[seen], s);
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
		rc = scan_located(img, card, s);
out:
	free(card);
	return rc;
}

/* How long one side's scan may take in its child: a few hundred ms in a
 * release build, seconds under AddressSanitizer on a loaded machine. */
#define SIDE_TIMEOUT_MS 30000

struct side {
	const struct kyc_image *img;
	const struct scan *in;
};

static int side_child(void *arg, void *out, size_t len)
{
	const struct side *a = arg;
	struct scan *s = out;
	*s = *a->in;
	return scan_image(a->img, s);
}

/* scan_image in a child process (core/isolate.h): zxing-cpp 1.4 faults on
 * some pictures (docs/dl.md), and a side's dozen reads share one fork, whose
 * cost would otherwise be paid by each (bench/README.md, "## dl", branch
 * zxguard); zxing's own per-read guard sees it is in a child and forks no
 * more. A child that crashed or timed out leaves s as it was: no symbol. */
static int scan_side(const struct kyc_image *img, struct scan *s)
{
	if (kyc_barcode_isolated() != KYC_BARCODE_ISOLATED)
		return scan_image(img, s);
	struct scan *r = malloc(sizeof *r);
	if (!r)
		return KYC_ERR_NOMEM;
	kyc_pdf417_codes_ready(); /* built once here, not in every child */
	int st = 0, rc = kyc_isolate_run(side_child, &(struct side){img, s}, r, sizeof *r,
					 SIDE_TIMEOUT_MS, &st);
	if (!rc)
		*s = *r;
	else /* the picture's size only, never its pixels */
		kyc_logf(KYC_LOG_WARN, "licence barcode scan %s in its child process (%dx%d picture); no symbol taken",
			 kyc_isolate_name(rc), img->w, img->h);
	free(r);
	return rc ? 0 : st;
}

/* ---- the front ---- */

static const struct {
	const char *name, *charset;
} front_sets[] = {
	{"document_number", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"},
	/* names unrestricted: with a whitelist the model drops the spaces
	 * between words; what is not a name's character is dropped after */
	{"surname", NULL},
	{"given_names", NULL},
	{"birth_date", "0123456789/"},
	{"sex", "MFX"},
	{"issue_date", "0123456789/"},
	{"expiry_date", "0123456789/"},
};

static int date_valid(int y, int m, int d)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* 8 digits as a date, year first or month first. 0 or -1. */
static int date_digits(const char *d, int year_first, char out[11])
{
	int y, m, dd;
	if (year_first)
		y = (int)strtol((char[5]){d[0], d[1], d[2], d[3], 0}, NULL, 10),
		m = (d[4] - '0') * 10 + d[5] - '0', dd = (d[6] - '0') * 10 + d[7] - '0';
	else
		m = (d[0] - '0') * 10 + d[1] - '0', dd = (d[2] - '0') * 10 + d[3] - '0',
		y = (int)strtol((char[5]){d[4], d[5], d[6], d[7], 0}, NULL, 10);
	if (!date_valid(y, m, dd))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, dd % 100);
	return 0;
}

/* A printed date (MM/DD/YYYY in the US, YYYY/MM/DD in Canada: country 1
 * for Canada, 0 for the US, -1 unknown) as YYYY-MM-DD. The first slash's
 * place says the order when it was read; else the country's; a card of
 * unknown country takes the other order when that one gives no date. */
static int printed_date(const char *text, int country, char out[11])
{
	char d[9];
	size_t n = 0;
	const char *slash = strchr(text, '/');
	for (const char *p = text; *p; p++)
		if (*p >= '0' && *p <= '9') {
			if (n == 8)
				return -1;
			d[n++] = *p;
		}
	if (n != 8)
		return -1;
	d[8] = 0;
	int year_first = slash && slash - text == 4 ? 1 : slash && slash - text == 2 ? 0 : country == 1;
	if (!date_digits(d, year_first, out))
		return 0;
	return country < 0 && !slash ? date_digits(d, !year_first, out) : -1;
}

static const struct kyc_card_field *tpl_field(const struct kyc_card_template *T, const char *name)
{
	for (int i = 0; i < T->nfields; i++)
		if (!strcmp(T->fields[i].name, name))
			return &T->fields[i];
	return NULL;
}

/* Mean darkness of a template box (mm) of the rectified card. */
static double ink(const unsigned char *card, int w, int h, double u, const double b[4])
{
	double sum = 0;
	long n = 0;
	for (int y = (int)fmax(0, b[1] * u); y < (int)fmin(h, b[3] * u); y += 2)
		for (int x = (int)fmax(0, b[0] * u); x < (int)fmin(w, b[2] * u); x += 2, n++)
			sum += 255 - card[(size_t)y * (size_t)w + (size_t)x];
	return n ? sum / n : 0;
}

/* Reads the front's fields into a new object (NULL when out of memory). */
static json_t *read_front(const struct kyc_image *img, int country, int *err)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	const double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	double quad[4][2];
	json_t *o = json_pack("{s:b, s:n, s:b, s:{}}", "found", 0, "reason", "upside_down", 0,
			      "fields");
	if (!o)
		goto nomem;
	int rc = kyc_card_find(img, T->w_mm / T->h_mm, quad);
	if (rc == KYC_ERR_NOMEM)
		goto nomem;
	if (rc) {
		json_object_set_new(o, "reason", json_string("no_card_found"));
		return o;
	}
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card)
		goto nomem;
	kyc_card_warp(img, quad, w, h, card);
	/* The portrait is the darkest part of the front: where a half turn
	 * would put it carries more ink when the card lies upside down. */
	const double *p = T->portrait;
	double turned[4] = {T->w_mm - p[2], T->h_mm - p[3], T->w_mm - p[0], T->h_mm - p[1]};
	if (ink(card, w, h, u, turned) > ink(card, w, h, u, p) * 1.15) {
		double q[4][2];
		for (int i = 0; i < 4; i++)
			q[i][0] = quad[(i + 2) % 4][0], q[i][1] = quad[(i + 2) % 4][1];
		kyc_card_warp(img, q, w, h, card);
		json_object_set_new(o, "upside_down", json_true());
	}
	json_object_set_new(o, "found", json_true());
	json_object_set_new(o, "reason", json_null());
	json_t *fields = json_object_get(o, "fields");
	for (size_t i = 0; i < sizeof front_sets / sizeof front_sets[0]; i++) {
		const struct kyc_card_field *f = tpl_field(T, front_sets[i].name);
		double box[4];
		kyc_card_field_box(f, box);
		int x0 = (int)fmax(0, box[0] * u), y0 = (int)fmax(0, box[1] * u);
		int x1 = (int)fmin(w, box[2] * u), y1 = (int)fmin(h, box[3] * u);
		struct kyc_tess_line line;
		rc = kyc_tess_read_line(KYC_TESS_LATIN, card + (size_t)y0 * (size_t)w + (size_t)x0,
					x1 - x0, y1 - y0, w, front_sets[i].charset, &line);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED) {
			free(card);
			if (rc == KYC_ERR_NOMEM)
				goto nomem;
			json_object_set_new(o, "found", json_false());
			json_object_set_new(o, "reason", json_string("ocr_unavailable"));
			json_object_clear(fields);
			return o;
		}
		char value[256];
		int accepted = line.text[0] && line.conf >= FRONT_MIN_CONF;
		snprintf(value, sizeof value, "%s", line.text);
		if (strstr(f->name, "_date")) {
			char iso[11];
			if (!printed_date(line.text, country, iso))
				snprintf(value, sizeof value, "%s", iso);
			else
				accepted = 0;
		} else if (!front_sets[i].charset) {
			/* a name: capitals, '-', '\'' and single spaces */
			size_t k = 0;
			for (const char *q = line.text; *q && k + 1 < sizeof value; q++)
				if ((*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '\'' ||
				    (*q == ' ' && k && value[k - 1] != ' '))
					value[k++] = *q;
			while (k && value[k - 1] == ' ')
				k--;
			value[k] = 0;
			accepted = accepted && k == strlen(line.text);
		} else if (!strcmp(f->name, "document_number")) {
			/* a number has no spaces; Tesseract may split it */
			size_t k = 0;
			for (const char *s = line.text; *s; s++)
				if (*s != ' ')
					value[k++] = *s;
			value[k] = 0;
		}
		json_object_set_new(fields, f->name,
				    json_pack("{s:s?, s:b, s:b, s:s, s:i}", "value",
					      value[0] ? value : NULL, "read", value[0] != 0,
					      "accepted", accepted, "source", "viz", "confidence",
					      line.conf));
	}
	free(card);
	return o;
nomem:
	json_decref(o);
	*err = KYC_ERR_NOMEM;
	return NULL;
}

/* ---- the result ---- */

/* Letters and digits only, upper case: how names and numbers compare. In a
 * number (alnum), the letters a printed face cannot tell from digits are
 * taken for them (O 0, I 1, Z 2, S 5, B 8): the barcode says which it is,
 * and a front that reads "O6337425" for "06337425" contradicts nothing. */
static void squeeze(const char *s, int alnum, char *out, size_t cap)
{
	static const char from[] = "OIZSB", to[] = "01258";
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		const char *k = alnum && c ? strchr(from, c) : NULL;
		if (k)
			c = to[k - from];
		if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			out[n++] = c;
	}
	out[n] = 0;
}

static void cross_check(json_t *x, const json_t *bar, const json_t *face);

static const char *accepted_value(const json_t *fields, const char *name)
{
	const json_t *f = json_object_get(fields, name);
	return json_is_true(json_object_get(f, "accepted")) ? json_string_value(json_object_get(f, "value"))
							    : NULL;
}

json_t *kyc_dl_cross_check(const json_t *bar, const json_t *face)
{
	json_t *x = json_object();
	if (x)
		cross_check(x, bar, face);
	return x;
}

static void cross_check(json_t *x, const json_t *bar, const json_t *face)
{
	static const char *const names[] = {"document_number", "birth_date", "surname", "given_names",
					    "expiry_date",     "issue_date", "sex"};
	json_t *cc = json_object(), *contra = json_array();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *a = accepted_value(bar, names[i]), *b = accepted_value(face, names[i]);
		if (!json_object_get(bar, names[i]))
			continue;
		char sa[256], sb[256];
		const char *verdict = "not_read";
		if (a && b) {
			int number = !strcmp(names[i], "document_number");
			squeeze(a, number, sa, sizeof sa);
			squeeze(b, number, sb, sizeof sb);
			verdict = strcmp(sa, sb) ? "mismatch" : "match";
		}
		json_object_set_new(cc, names[i], json_string(verdict));
		if (!strcmp(verdict, "mismatch")) {
			char code[64];
			snprintf(code, sizeof code, "%s_mismatch", names[i]);
			json_array_append_new(contra, json_string(code));
		}
	}
	json_object_set_new(x, "cross_check", cc);
	json_object_set_new(x, "contradictions", contra);
}

/* document_fields: every field the document carries; missing_fields: those
 * of them not read. */
static void field_lists(json_t *x)
{
	json_t *carried = json_array(), *missing = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(x, "fields"), k, v)
	{
		json_array_append_new(carried, json_string(k));
		if (!json_is_true(json_object_get(v, "read")))
			json_array_append_new(missing, json_string(k));
	}
	json_object_set_new(x, "document_fields", carried);
	json_object_set_new(x, "missing_fields", missing);
}

json_t *kyc_dl_read(const struct kyc_image *front, const struct kyc_image *back, int *err)
{
	double t0 = now_ms();
	struct scan *s = calloc(1, sizeof *s);
	json_t *x = NULL, *face = NULL, *qr = json_array();
	*err = 0;
	if (!s || !qr)
		goto nomem;
	/* The back first: that is where the PDF417 is. */
	if ((back && scan_side(back, s)) || (front && scan_side(front, s)))
		goto nomem;
	for (int i = 0; i < s->nqr; i++)
		json_array_append_new(qr, qr_text(&s->qr[i]));
	/* the front's dates are read in the barcode's country's order */
	int country = !s->have_aamva ? -1 : !strcmp(kyc_aamva_country(&s->aamva), "CAN");
	if (front && !(face = read_front(front, country, err)))
		goto fail;
	json_t *bar = s->have_aamva ? kyc_aamva_fields(&s->aamva) : json_object();
	char reason[64] = "";
	/* the module as reported (to 0.01 px) is the one judged */
	s->module_px = round(s->module_px * 100) / 100;
	if (!s->have_aamva && s->why[0])
		snprintf(reason, sizeof reason, "aamva_%s", s->why);
	else if (!s->have_aamva)
		snprintf(reason, sizeof reason, "%s",
			 !s->module_px			      ? "no_barcode_found"
			 : s->module_px < KYC_DL_MIN_MODULE_PX ? "barcode_too_small"
							      : "barcode_unreadable");
	x = json_pack("{s:s, s:b, s:s?, s:o, s:O, s:O, s:O}", "document_type", "dl_aamva",
		      "barcode_found", s->have_aamva, "reason", reason[0] ? reason : NULL,
		      "barcode_module_px",
		      s->module_px && !s->have_aamva && !s->why[0] ? json_real(s->module_px) : json_null(),
		      "fields",
		      s->have_aamva || !face ? bar : json_object_get(face, "fields"), "qr", qr,
		      "front", face ? face : json_null());
	if (!x || !bar) {
		json_decref(bar);
		goto nomem;
	}
	cross_check(x, bar, face ? json_object_get(face, "fields") : NULL);
	json_decref(bar);
	field_lists(x);
	json_object_set_new(x, "ms", json_real(round((now_ms() - t0) * 10) / 10));
	goto done;
nomem:
	*err = KYC_ERR_NOMEM;
fail:
	json_decref(x);
	x = NULL;
done:
	json_decref(face);
	json_decref(qr);
	free(s);
	return x;
}

json_t *kyc_qr_read(const struct kyc_image *img)
{
	json_t *qr = json_array();
	struct kyc_barcode *found = malloc(KYC_BARCODE_MAX * sizeof *found);
	int n = qr && found ? kyc_barcode_read(img->gray, img->w, img->h, img->w, KYC_BARCODE_QR,
					       found, KYC_BARCODE_MAX)
			    : KYC_ERR_NOMEM;
	for (int i = 0; i < n; i++)
		json_array_append_new(qr, qr_text(&found[i]));
	free(found);
	if (n == KYC_ERR_NOMEM) {
		json_decref(qr);
		return NULL;
	}
	return qr;
}
