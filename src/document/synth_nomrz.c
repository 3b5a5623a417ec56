/* Photos that hold no MRZ (class "nomrz", docs/synth.md): the front of a
 * card without one (a driving licence), a card back with barcodes and an
 * address, a till receipt in a monospaced font, part of a page of text
 * (sometimes with a payment slip's OCR-B coding line), a portrait print, or
 * the bare desk. They are photographed like the documents, with the
 * level's camera faults, so the reader meets text lines, barcodes and
 * OCR-B that are not an MRZ. */
#include "document/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

enum { CARD_FRONT, CARD_BACK, RECEIPT, PAGE, PORTRAIT, TEXTURE, NKINDS };

static const char *const syll[] = {"ka", "ro",  "ve", "lin", "dor", "sa",  "mi", "tor", "en",
                                   "al", "bri", "gu", "ste", "na",  "pol", "re", "chi", "mo"};

/* A made-up word of 1-4 syllables into out (upper case when caps). */
static void word(struct kyc_synth__rng *r, int caps, char *out, size_t n)
{
	size_t k = 0;
	int ns = kyc_synth__rng_int(r, 1, 4);
	out[0] = 0;
	for (int i = 0; i < ns; i++) {
		const char *s =
		    syll[kyc_synth__rng_int(r, 0, (int)(sizeof syll / sizeof *syll) - 1)];
		for (; *s && k + 1 < n; s++)
			out[k++] = caps ? (char)(*s - 'a' + 'A') : *s;
	}
	out[k] = 0;
}

/* Appends a line of about len characters of words (and numbers) to b. */
static int words_line(kyc_buf *b, struct kyc_synth__rng *r, int len, int caps)
{
	int rc = 0, k = 0;
	char w[40];
	while (!rc && k < len) {
		if (kyc_synth__rng_int(r, 0, 6) == 0)
			snprintf(w, sizeof w, "%d", kyc_synth__rng_int(r, 1, 99999));
		else
			word(r, caps, w, sizeof w);
		rc = kyc_buf_printf(b, k ? " %s" : "%s", w);
		k += (int)strlen(w) + 1;
	}
	return rc ? rc : kyc_buf_puts(b, "\n");
}

/* Draws text (lines split at '\n') in font at cap height cap px, top-left at (x, y). */
static int print(struct kyc_synth_image *im, int font, double cap, const char *s, double x,
                 double y, const unsigned char ink[3])
{
	struct kyc_synth__mask m;
	int rc = kyc_synth__text_mask(font, cap / 0.73, s, 0, &m);
	if (rc)
		return rc;
	kyc_synth__blit_mask(im, &m, (int)x, (int)y, ink, 0.95);
	free(m.px);
	return 0;
}

static int fill(struct kyc_synth_image *im, int w, int h, const unsigned char c[3])
{
	im->w = w, im->h = h;
	im->px = malloc((size_t)w * (size_t)h * 3);
	if (!im->px)
		return KYC_ERR_NOMEM;
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
		memcpy(im->px + i * 3, c, 3);
	return 0;
}

static void box(struct kyc_synth_image *im, int x0, int y0, int x1, int y1,
                const unsigned char c[3])
{
	for (int y = y0 < 0 ? 0 : y0; y < y1 && y < im->h; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < im->w; x++)
			memcpy(im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3, c, 3);
}

/* A card of the generator with its MRZ zone painted over and an address
 * printed there: a driving licence or residence card without MRZ. */
static int card_front(struct kyc_synth_image *d, struct kyc_synth__rng *r, uint64_t seed, int index,
                      double u)
{
	struct kyc_synth_identity id;
	double mb[4][4];
	enum kyc_synth_format f = kyc_synth__rng_int(r, 0, 1) ? KYC_SYNTH_TD1 : KYC_SYNTH_TD2;
	int rc = kyc_synth_identity(seed ^ 0x40a1ULL, index, f, &id);
	if (!rc)
		rc = kyc_synth__draw_document(&id, u, r, d, mb);
	if (rc)
		return rc;
	int y0 = (int)(mb[0][1] - 1.5 * u);
	unsigned char paper[3];
	memcpy(paper, d->px + ((size_t)(y0 - 1) * (size_t)d->w + 2) * 3, 3);
	box(d, 0, y0, d->w, d->h, paper);
	kyc_buf b;
	kyc_buf_init(&b, 4096);
	rc = words_line(&b, r, 24, 1);
	if (!rc)
		rc = words_line(&b, r, 18, 1);
	unsigned char ink[3] = {25, 25, 40};
	if (!rc)
		rc = print(d, KYC_SYNTH__SANS, 2.0 * u, b.data, 4 * u, y0 + 1.0 * u, ink);
	kyc_buf_release(&b);
	return rc;
}

/* The back of a card: a 1D barcode, a 2D code of random modules, an
 * address and a signature strip. */
static int card_back(struct kyc_synth_image *d, struct kyc_synth__rng *r, double u)
{
	unsigned char tint[3] = {(unsigned char)kyc_synth__rng_int(r, 215, 240),
	                         (unsigned char)kyc_synth__rng_int(r, 220, 242),
	                         (unsigned char)kyc_synth__rng_int(r, 215, 240)};
	int rc = fill(d, (int)(85.6 * u), (int)(54 * u), tint);
	if (rc)
		return rc;
	unsigned char black[3] = {20, 20, 25}, white[3] = {245, 245, 245};
	/* 1D barcode: bars of 1-3 modules. */
	double mod = kyc_synth__rng_unif(r, 0.25, 0.4) * u;
	int bx = (int)(5 * u), by = (int)(5 * u), bh = (int)(kyc_synth__rng_unif(r, 8, 14) * u);
	box(d, bx - (int)(2 * u), by - (int)u, bx + (int)(45 * u), by + bh + (int)u, white);
	for (double x = bx; x < bx + 40 * u;) {
		double w = kyc_synth__rng_int(r, 1, 3) * mod;
		if (kyc_synth__rng_int(r, 0, 1))
			box(d, (int)x, by, (int)(x + w), by + bh, black);
		x += w;
	}
	/* 2D code: a grid of random modules. */
	int cx = (int)(55 * u), cy = (int)(5 * u), n = kyc_synth__rng_int(r, 17, 29);
	double cm = 24 * u / n;
	for (int j = 0; j < n; j++)
		for (int i = 0; i < n; i++)
			if (kyc_synth__rng_int(r, 0, 1) || i < 2 || j < 2)
				box(d, cx + (int)(i * cm), cy + (int)(j * cm),
				    cx + (int)((i + 1) * cm), cy + (int)((j + 1) * cm), black);
	kyc_buf b;
	kyc_buf_init(&b, 4096);
	for (int i = 0; i < 3 && !rc; i++)
		rc = words_line(&b, r, kyc_synth__rng_int(r, 14, 30), kyc_synth__rng_int(r, 0, 1));
	if (!rc)
		rc = print(d, KYC_SYNTH__SANS, 1.9 * u, b.data, 5 * u, 32 * u, black);
	kyc_buf_release(&b);
	return rc;
}

/* A till receipt: narrow paper, monospaced capitals, prices, a total. */
static int receipt(struct kyc_synth_image *d, struct kyc_synth__rng *r, double u)
{
	int lines = kyc_synth__rng_int(r, 16, 30), cols = kyc_synth__rng_int(r, 28, 40);
	double cap = kyc_synth__rng_unif(r, 1.8, 2.4) * u;
	unsigned char paper[3] = {250, 248, 242}, ink[3] = {40, 40, 48};
	int rc =
	    fill(d, (int)(cols * cap * 0.85 + 10 * u), (int)(lines * cap * 1.72 + 20 * u), paper);
	if (rc)
		return rc;
	kyc_buf b;
	kyc_buf_init(&b, 16384);
	char w[40];
	word(r, 1, w, sizeof w);
	rc = kyc_buf_printf(&b, "%*s%s MARKET\n", (cols - (int)strlen(w) - 7) / 2, "", w);
	for (int i = 0; i < lines - 6 && !rc; i++) {
		word(r, 1, w, sizeof w);
		int cents = kyc_synth__rng_int(r, 50, 9999);
		rc = kyc_buf_printf(&b, "%-*.*s%7d.%02d\n", cols - 10, cols - 10, w, cents / 100,
		                    cents % 100);
	}
	if (!rc)
		rc = kyc_buf_printf(&b,
		                    "%.*s\nTOTAL EUR%*d.%02d\nVISA ************%04d\n"
		                    "AUTH %06d  %02d.%02d.20%02d\nTHANK YOU\n",
		                    cols, "----------------------------------------", cols - 12,
		                    kyc_synth__rng_int(r, 5, 400), kyc_synth__rng_int(r, 0, 99),
		                    kyc_synth__rng_int(r, 0, 9999),
		                    kyc_synth__rng_int(r, 0, 999999), kyc_synth__rng_int(r, 1, 28),
		                    kyc_synth__rng_int(r, 1, 12), kyc_synth__rng_int(r, 10, 29));
	if (!rc)
		rc = print(d, KYC_SYNTH__MONO, cap, b.data, 5 * u, 8 * u, ink);
	kyc_buf_release(&b);
	return rc;
}

/* Part of a printed page: a heading and paragraphs; one page in three ends
 * with a payment slip's coding line in OCR-B. */
static int page(struct kyc_synth_image *d, struct kyc_synth__rng *r, double u)
{
	unsigned char paper[3] = {246, 246, 240}, ink[3] = {30, 30, 35};
	int rc = fill(d, (int)(150 * u), (int)(110 * u), paper);
	if (rc)
		return rc;
	kyc_buf b;
	kyc_buf_init(&b, 16384);
	rc = words_line(&b, r, 20, 1);
	if (!rc)
		rc = print(d, KYC_SYNTH__BOLD, 3.5 * u, b.data, 10 * u, 8 * u, ink);
	kyc_buf_reset(&b);
	int n = kyc_synth__rng_int(r, 10, 18);
	for (int i = 0; i < n && !rc; i++)
		rc = words_line(&b, r, kyc_synth__rng_int(r, 50, 70), 0);
	if (!rc)
		rc = print(d, KYC_SYNTH__SANS, 2.0 * u, b.data, 10 * u, 18 * u, ink);
	if (!rc && kyc_synth__rng_int(r, 0, 2) == 0) {
		char line[96];
		snprintf(line, sizeof line, "%010d>%015d%012d+ %09d>",
		         kyc_synth__rng_int(r, 0, 999999999), kyc_synth__rng_int(r, 0, 999999999),
		         kyc_synth__rng_int(r, 0, 999999999), kyc_synth__rng_int(r, 0, 999999999));
		rc = print(d, KYC_SYNTH__OCRB, 2.4 * u, line, 8 * u, 98 * u, ink);
	}
	kyc_buf_release(&b);
	return rc;
}

/* A portrait print with a white border. */
static int portrait_print(struct kyc_synth_image *d, struct kyc_synth__rng *r, double u)
{
	unsigned char white[3] = {240, 240, 236};
	int rc = fill(d, (int)(70 * u), (int)(90 * u), white);
	if (!rc)
		rc = kyc_synth__portrait(d, r, u, 4 * u, 4 * u, 62 * u, 82 * u);
	return rc;
}

int kyc_synth__render_nomrz(uint64_t seed, int index, int level, struct kyc_synth_doc *truth,
                            struct kyc_synth_image *img)
{
	struct kyc_synth__rng rr, *r = &rr;
	struct kyc_synth_image d = {0};
	static const int wmin[3] = {1000, 800, 640}, wmax[3] = {1600, 1800, 1999};
	kyc_synth__rng_seed(r, seed,
	                    0x700000000ULL + ((uint64_t)level << 40) + (uint64_t)(uint32_t)index);
	memset(&truth->id, 0, sizeof truth->id);
	truth->seed = seed, truth->index = index, truth->level = level;
	truth->nomrz_kind = kyc_synth__rng_int(r, 0, NKINDS - 1);
	truth->quality = kyc_synth__rng_int(r, 50, 92);
	truth->orientation = level == 2 ? 90 * kyc_synth__rng_int(r, 0, 3) : 0;
	truth->skew_deg = round(kyc_synth__rng_unif(r, -8 - 6 * level, 8 + 6 * level) * 10) / 10;
	int W = kyc_synth__rng_int(r, wmin[level], wmax[level]);
	int H = (int)(W * kyc_synth__rng_unif(r, 0.66, 0.8));
	double u = kyc_synth__rng_unif(r, 0.45, 0.85) * W / 90.0; /* px per mm */
	int rc = 0;
	switch (truth->nomrz_kind) {
	case CARD_FRONT:
		rc = card_front(&d, r, seed, index, u);
		break;
	case CARD_BACK:
		rc = card_back(&d, r, u);
		break;
	case RECEIPT:
		rc = receipt(&d, r, u * 0.7);
		break;
	case PAGE:
		rc = page(&d, r, u * 0.8);
		break;
	case PORTRAIT:
		rc = portrait_print(&d, r, u * 0.8);
		break;
	default:
		break;
	}
	if (rc)
		goto out;
	img->w = W, img->h = H;
	img->px = malloc((size_t)W * (size_t)H * 3);
	if (!img->px) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	kyc_synth__desk(img, r, truth->nomrz_kind == TEXTURE ? 8 + 2 * level : 3 + 2 * level);
	if (d.px) {
		/* Laid at the skew about a point that keeps most of it in frame;
		 * a big page may run off the picture. */
		double a = truth->skew_deg * M_PI / 180, ca = cos(a), sa = sin(a);
		double cx = W * kyc_synth__rng_unif(r, 0.35, 0.65),
		       cy = H * kyc_synth__rng_unif(r, 0.35, 0.65);
		double src[4][2] = {{0, 0}, {d.w, 0}, {d.w, d.h}, {0, d.h}}, dst[4][2], hinv[9];
		for (int i = 0; i < 4; i++) {
			double x = src[i][0] - d.w / 2.0, y = src[i][1] - d.h / 2.0;
			dst[i][0] = cx + x * ca - y * sa, dst[i][1] = cy + x * sa + y * ca;
		}
		if (kyc_synth__homography(dst, src, hinv) == 0) {
			double soft = 0.015 * W;
			kyc_synth__composite(img, &d, hinv, dst, 2 * u, 0.3 * soft, 0.6 * soft,
			                     soft);
		}
	}
	rc = kyc_synth__camera(img, r, level, 1.5, truth->orientation);
	if (rc)
		goto out;
	truth->width = img->w, truth->height = img->h;
out:
	free(d.px);
	if (rc)
		kyc_synth_image_release(img);
	return rc;
}
