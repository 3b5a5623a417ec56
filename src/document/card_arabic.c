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
	return 0;
}
