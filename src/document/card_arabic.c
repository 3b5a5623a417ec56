/* Arabic lines read with Tesseract at a few sizes (card_arabic.h). */
#include "document/card_arabic.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* The letters of Arabic proper and the space: the script model also knows
 * Persian and Urdu forms (ک, ی, ہ) that an Egyptian card never prints. */
static const char ARABIC_LETTERS[] = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي ";

/* Shrinks a crop by k < 1 (area average) into *out (malloc'ed, *ow x *oh). */
static int shrink(const unsigned char *crop, int w, int h, int stride, double k,
		  unsigned char **out, int *ow, int *oh)
{
	int sw = (int)(w * k), sh = (int)(h * k);
	unsigned char *small = malloc((size_t)(sw > 0 ? sw : 1) * (size_t)(sh > 0 ? sh : 1));
	if (!small)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < sh; y++)
		for (int x = 0; x < sw; x++) {
			int ax = (int)(x / k), bx = (int)((x + 1) / k), ay = (int)(y / k),
			    by = (int)((y + 1) / k);
			bx = bx > ax ? (bx < w ? bx : w) : ax + 1;
			by = by > ay ? (by < h ? by : h) : ay + 1;
			unsigned sum = 0, n = 0;
			for (int yy = ay; yy < by; yy++)
				for (int xx = ax; xx < bx; xx++, n++)
					sum += crop[(size_t)yy * (size_t)stride + (size_t)xx];
			small[(size_t)y * (size_t)sw + (size_t)x] =
			    (unsigned char)(n ? sum / n : 255);
		}
	*out = small, *ow = sw, *oh = sh;
	return 0;
}

/* Tesseract's Arabic models drop short words whole, or misread them, at
 * some sizes and not at others: a field is read at a few sizes of its em
 * (px) and with both models, in this order, until one reading is sure
 * enough; the surest reading wins. */
static const struct {
	enum kyc_tess_script model;
	double em_px;
} attempts[] = {
    {KYC_TESS_ARA, 21},    {KYC_TESS_ARA, 17}, {KYC_TESS_ARABIC, 21}, {KYC_TESS_ARA, 26},
    {KYC_TESS_ARABIC, 17}, {KYC_TESS_ARA, 14}, {KYC_TESS_ARA, 31},    {KYC_TESS_ARABIC, 26},
};

_Static_assert(sizeof attempts / sizeof attempts[0] == KYC_CARD_ARABIC_ATTEMPTS,
	       "card_arabic.h names the number of attempts");
/* Reads the crop with model at a size of em em_px (the crop's own em is
 * crop_em), in the block mode when block: 0, KYC_ERR_INVALID for a crop
 * too small at that size, the reader's errors. */
static int read_at(enum kyc_tess_script model, double em_px, int block, const unsigned char *crop,
		   int w, int h, int stride, double crop_em, struct kyc_tess_line *line)
{
	double k = em_px / crop_em;
	unsigned char *small = NULL;
	int sw = w, sh = h, rc = 0;
	line->text[0] = 0;
	line->conf = 0;
	if (k < 1 && (rc = shrink(crop, w, h, stride, k, &small, &sw, &sh)))
		return rc;
	const unsigned char *px = small ? small : crop;
	int st = small ? sw : stride;
	if (sw < 8 || sh < 8)
		rc = KYC_ERR_INVALID;
	else if (block)
		rc = kyc_tess_read_block(model, px, sw, sh, st, ARABIC_LETTERS, line);
	else
		rc = kyc_tess_read_line(model, px, sw, sh, st, ARABIC_LETTERS, line);
	free(small);
	return rc;
}

int kyc_card_read_arabic(const unsigned char *crop, int w, int h, int stride, double em_px,
			 struct kyc_tess_line *best)
{
	best->text[0] = 0;
	best->conf = -1;
	int rc =
	    kyc_card_read_arabic_from(crop, w, h, stride, em_px, 0, KYC_CARD_ARABIC_ATTEMPTS, best);
	if (!rc && best->conf < 0)
		best->conf = 0;
	return rc;
}

int kyc_card_read_arabic_from(const unsigned char *crop, int w, int h, int stride, double em_px,
			      int first, int last, struct kyc_tess_line *best)
{
	int n = (int)(sizeof attempts / sizeof attempts[0]);
	last = last < n ? last : n;
	for (int i = first < 0 ? 0 : first; i < last && best->conf < KYC_CARD_ARABIC_SURE; i++) {
		struct kyc_tess_line line;
		int rc = read_at(attempts[i].model, attempts[i].em_px, 0, crop, w, h, stride, em_px,
				 &line);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED)
			return rc;
		if (!rc && line.text[0] && line.conf > best->conf)
			*best = line;
	}
	return 0;
}

/* An open field's opinions, in order: the attempts, the two models'
 * first at different sizes (the language model read و for ر at 14, 17 and
 * 21 px on a few cards where the script model read ر; both read ما for
 * مينا at 21 px), then sizes the attempts skip and the block mode, which
 * reads short words (سمر, طبيب بشري) the line mode drops whole at most
 * sizes. */
static const struct opinion {
	enum kyc_tess_script model;
	double em_px;
	int block;
} opinions[] = {
    {KYC_TESS_ARA, 21, 0},    {KYC_TESS_ARABIC, 17, 0}, {KYC_TESS_ARA, 17, 0},
    {KYC_TESS_ARABIC, 21, 0}, {KYC_TESS_ARA, 26, 0},    {KYC_TESS_ARA, 14, 0},
    {KYC_TESS_ARA, 31, 0},    {KYC_TESS_ARABIC, 26, 0}, {KYC_TESS_ARA, 15.5, 0},
    {KYC_TESS_ARA, 21, 1},    {KYC_TESS_ARA, 17, 1},    {KYC_TESS_ARABIC, 14, 0},
};
#define NOPINIONS (int)(sizeof opinions / sizeof opinions[0])

/* Code points of UTF-8 s. */
static int letters(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* What the readings say of the text of reading w: how many give it, their
 * best confidence, the most readings another text of as many letters has
 * (a letter read as another), and whether two of them are independent (the
 * two models, at different sizes or modes). */
struct tally {
	int votes, conf, rival, independent;
};

static void tally_of(const struct kyc_tess_line *seen, const int *by, int n, int w, struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->conf = -1;
	for (int a = 0; a < n; a++) {
		if (strcmp(seen[a].text, seen[w].text)) {
			if (letters(seen[a].text) != letters(seen[w].text))
				continue;
			int v = 0;
			for (int b = 0; b < n; b++)
				v += !strcmp(seen[a].text, seen[b].text);
			t->rival = v > t->rival ? v : t->rival;
			continue;
		}
		t->votes++;
		t->conf = seen[a].conf > t->conf ? seen[a].conf : t->conf;
		for (int b = 0; b < a; b++) {
			const struct opinion *p = &opinions[by[a]], *q = &opinions[by[b]];
			t->independent |= !strcmp(seen[a].text, seen[b].text) &&
					  p->model != q->model &&
					  (p->em_px != q->em_px || p->block != q->block);
		}
	}
}

/* Agreed: two readings more than any rival's, two of them independent. */
static int agreed_on(const struct tally *t)
{
	return t->votes >= 2 + t->rival && t->independent;
}

/* ى (alef maksura, no dots: ICAO XAY): every reading of both models gave
 * it for a word-final ي (yeh, two dots below: Y) whose dots the crop's
 * edge cut (الشافعي, docs/card.md "ي or ى"). */
static const char MAKSURA[] = "\xd9\x89";

/* Whether text has a word ending in ى. */
static int has_final_maksura(const char *text)
{
	for (const char *p = text; (p = strstr(p, "\xd9")) != NULL; p++)
		if (p[1] == MAKSURA[1] && (p[2] == 0 || p[2] == ' '))
			return 1;
	return 0;
}

/* Dots under a word's last letter: in the crop (w x h, em px to the em),
 * a small blob of ink apart from the letters, below the baseline (the row
 * with the most ink: Arabic letters join along it), within 0.75 em of the
 * word's left end. x0 is where Tesseract's box of the word begins; that
 * box cut off the last letter's bowl on some cards, so the end is followed
 * leftwards over the ink. 1 dots, 0 none, -1 unsure (a dot a little
 * farther, or too much ink to label). */
#define MAX_BLOBS 256
static int dots_below(const unsigned char *crop, int w, int h, int stride, double em, int x0)
{
	struct blob {
		int dot; /* 1 a dot, 0 a letter, -1 a speck */
		double cx;
	} *blob = NULL;
	int nb = 0, lo = 255, hi = 0, base = 0, most = -1, rc = -1;
	if (w <= 0 || h <= 0 || (size_t)w * (size_t)h > 1 << 20)
		return -1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int v = crop[(size_t)y * (size_t)stride + (size_t)x];
			lo = v < lo ? v : lo, hi = v > hi ? v : hi;
		}
	/* letters at trim_to_ink's threshold, dots nearer the paper: blurred,
	 * they are mid-grey */
	int t = lo + (hi - lo) * 2 / 5;
	for (int y = 0; y < h; y++) {
		int ink = 0;
		for (int x = 0; x < w; x++)
			ink += crop[(size_t)y * (size_t)stride + (size_t)x] < t;
		if (ink > most)
			most = ink, base = y;
	}
	/* the word's left end: from Tesseract's box (which cut off the last
	 * letter's bowl on some cards) leftwards over its ink, up to a gap of
	 * a space */
	int left = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0, gap = 0;
	for (int x = left - 1; x >= 0 && gap < 0.2 * em; x--) {
		int ink = 0;
		for (int y = 0; y < h; y++)
			ink += crop[(size_t)y * (size_t)stride + (size_t)x] < t;
		gap = ink ? 0 : gap + 1;
		left = ink ? x : left;
	}
	t = lo + (hi - lo) * 3 / 5;
	size_t n = (size_t)w * (size_t)h;
	unsigned char *seen = calloc(n, 1);
	int *stack = malloc(n * sizeof *stack);
	blob = malloc(MAX_BLOBS * sizeof *blob);
	if (!seen || !stack || !blob)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (seen[i] || crop[(i / (size_t)w) * (size_t)stride + i % (size_t)w] >= t)
			continue;
		if (nb == MAX_BLOBS)
			goto out;
		/* one blob of ink (8-connected): its area and extent */
		int top = 0, area = 0, bx0 = w, bx1 = -1, by0 = h, by1 = -1;
		long sx = 0, sy = 0;
		stack[top++] = (int)i;
		seen[i] = 1;
		while (top > 0) {
			int k = stack[--top], x = k % w, y = k / w;
			area++, sx += x, sy += y;
			bx0 = x < bx0 ? x : bx0, bx1 = x > bx1 ? x : bx1;
			by0 = y < by0 ? y : by0, by1 = y > by1 ? y : by1;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int X = x + dx, Y = y + dy;
					size_t j = (size_t)Y * (size_t)w + (size_t)X;
					if (X < 0 || Y < 0 || X >= w || Y >= h || seen[j] ||
					    crop[(size_t)Y * (size_t)stride + (size_t)X] >= t)
						continue;
					seen[j] = 1;
					stack[top++] = (int)j;
				}
		}
		struct blob *B = &blob[nb++];
		B->cx = (double)sx / area;
		/* a dot, or two run together, under the baseline */
		B->dot = area <= 0.15 * em * em && bx1 - bx0 < 0.6 * em && by1 - by0 < 0.35 * em &&
			 (double)sy / area > base + 0.1 * em;
		if (area < 0.003 * em * em)
			B->dot = -1;
	}
	rc = 0;
	for (int b = 0; b < nb; b++) {
		double at = (blob[b].cx - left) / em;
		if (blob[b].dot == 1 && at >= -0.15 && at <= 0.75)
			rc = 1;
		else if (blob[b].dot == 1 && rc == 0 && at >= -0.4 && at <= 1.0)
			rc = -1;
	}
out:
	free(seen);
	free(stack);
	free(blob);
	return rc;
}

/* Whether best's word-final ى (read by opinion o) are what the crop
 * prints: each is located by reading the crop again with the same model
 * and size, letter by letter, and must have no dots under it. 0 yes, 1
 * unsure (dots seen or not told apart, or the reading not found again),
 * or KYC_ERR_NOMEM / KYC_ERR_UNSUPPORTED. A word-final ي is left as read:
 * no reading gave ي for a printed ى on the development seeds. */
static int maksura_undotted(const struct opinion *o, const unsigned char *crop, int w, int h,
			    int stride, double crop_em, const struct kyc_tess_line *best)
{
	double k = o->em_px / crop_em;
	unsigned char *small = NULL;
	int sw = w, sh = h, rc = 0, unsure = 0;
	if (k < 1 && (rc = shrink(crop, w, h, stride, k, &small, &sw, &sh)))
		return rc;
	if (k >= 1)
		k = 1;
	struct kyc_tess_line line;
	struct kyc_tess_symbols *syms = malloc(sizeof *syms);
	if (!syms) {
		free(small);
		return KYC_ERR_NOMEM;
	}
	rc = kyc_tess_read_symbols(o->model, small ? small : crop, sw, sh, small ? sw : stride,
				   ARABIC_LETTERS, &line, syms);
	free(small);
	if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED)
		goto out;
	unsure = rc || strcmp(line.text, best->text);
	rc = 0;
	/* the letters in reading order are the text's, spaces aside */
	const char *p = best->text;
	for (int i = 0; i < syms->n && !unsure; i++) {
		const struct kyc_tess_symbol *s = &syms->sym[i];
		while (*p == ' ')
			p++;
		size_t len = strlen(s->text);
		if (strncmp(p, s->text, len)) {
			unsure = 1;
			break;
		}
		if (s->word_end && !strcmp(s->text, MAKSURA)) {
			unsure |=
			    dots_below(crop, w, h, stride, crop_em, (int)(s->word[0] / k)) != 0;
		}
		p += len;
	}
out:
	free(syms);
	return rc ? rc : unsure;
}

int kyc_card_read_arabic_agreed(const unsigned char *crop, int w, int h, int stride, double em_px,
				struct kyc_tess_line *best, int *agreed)
{
	struct kyc_tess_line seen[NOPINIONS];
	int by[NOPINIONS], n = 0, win = -1;
	struct tally t = {0};
	best->text[0] = 0;
	best->conf = 0;
	*agreed = 0;
	for (int i = 0; i < NOPINIONS; i++) {
		const struct opinion *o = &opinions[i];
		int rc = read_at(o->model, o->em_px, o->block, crop, w, h, stride, em_px, &seen[n]);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED)
			return rc;
		if (rc || !seen[n].text[0])
			continue;
		by[n++] = i;
		/* the text most readings give, then the surest */
		win = -1;
		for (int a = 0; a < n; a++) {
			struct tally ta;
			tally_of(seen, by, n, a, &ta);
			if (win < 0 || ta.votes > t.votes ||
			    (ta.votes == t.votes && ta.conf > t.conf))
				win = a, t = ta;
		}
		if (agreed_on(&t) && t.conf >= KYC_CARD_ARABIC_SURE)
			break;
	}
	if (win < 0)
		return 0;
	*best = seen[win];
	best->conf = t.conf;
	*agreed = agreed_on(&t);
	if (!*agreed || !has_final_maksura(best->text))
		return 0;
	/* ى only where no dots are under it, looked for along a line reading
	 * that gave the text */
	int line_by = -1;
	for (int a = 0; a < n && line_by < 0; a++)
		if (!strcmp(seen[a].text, seen[win].text) && !opinions[by[a]].block)
			line_by = by[a];
	if (line_by < 0) {
		*agreed = 0;
		return 0;
	}
	int rc = maksura_undotted(&opinions[line_by], crop, w, h, stride, em_px, best);
	if (rc < 0)
		return rc;
	*agreed = rc == 0;
	return 0;
}
