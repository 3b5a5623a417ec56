/* The characters no check digit covers, made sure by two models (docs/reader.md,
 * step 15). A name, the document code, the issuing state and the nationality
 * carry no check digit, and the parser accepts such a field when its least
 * sure character scores at least 0.9. On watermark and print the first model
 * scores some misreads above that (a surname's `B` read `G` at 0.904, bench/
 * README.md, "Issue 11: no valid-but-wrong names"), so a letter it is sure of is
 * read again by the finer model (docs/ocr.md), which sees the cell at the
 * band's own resolution; the reading stays sure only when the rule below
 * accepts both models' scores. */
#include <math.h>
#include <string.h>

#include "document/mrz.h"
#include "document/ocr.h"
#include "document/reader_alike.h"
#include "document/reader_deblur.h"
#include "document/reader_names.h"
#include "document/reader_smear.h"

/* how far (pitches) a names line's grid may be moved from the others' */
#define OFF_MARGINS 0.75
/* a filler beyond a line's end this sure: the line goes on */
#define FILLER_BEYOND 0.9f

int kyc_reader__letter_sure(char c, const struct kyc_reader__two_reads *t)
{
	if (t->first == c && t->first_p >= KYC_READER__SURE_ALONE)
		return 1;
	return t->fine && (t->fine == c || kyc_reader__twin(c, t->fine));
}

int kyc_reader__letter_clear(char c, const struct kyc_reader__two_reads *t)
{
	if (c < 'A' || c > 'Z' || t->first != c || t->first_p < KYC_READER__SURE_ALONE ||
	    t->first_p >= KYC_READER__SURE_CLEAR)
		return 1;
	return t->fine && t->fine_share >= KYC_READER__FINE_BAR;
}

/* 1 when band b (laid out as lay) is shaken as far as a smeared band
 * (reader_smear.h) in any direction: there the finer model doubts right
 * letters too (tests/unit/reader_smear_test, reader_alike_test), so a
 * letter kyc_reader__letter_clear refuses is left to the smeared band's
 * third look (kyc_reader__smear_sure) instead. */
static int shaken(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	struct kyc_reader__blur bl;
	return !kyc_reader__blur_measure(b, lay, &bl) && bl.dip >= KYC_READER__SMEAR_DIP &&
	       bl.len >= KYC_READER__SMEAR_LEN;
}

int kyc_reader__read_twice(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			   int k, char c, struct kyc_reader__two_reads *t)
{
	float p[KYC_OCR_NOUT];
	struct kyc_ocr_guess g[1], f[2];
	int y0, y1;
	double cx = kyc_reader__cell_x(L, k), pitch = kyc_reader__cell_pitch(L, k);
	kyc_reader__cell_rows(b->h, L, &y0, &y1);
	if (kyc_ocr_probs_at(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p) ||
	    kyc_ocr_top_k(p, g, 1) < 1)
		return -1;
	*t = (struct kyc_reader__two_reads){g[0].ch, 0, g[0].score, 0, 0};
	float bar = c >= 'A' && c <= 'Z' ? KYC_READER__SURE_CLEAR : KYC_READER__SURE_ALONE;
	int n;
	if ((g[0].ch != c || g[0].score < bar) &&
	    (n = kyc_ocr_classify_fine_given(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p, f,
					     2)) >= 1) {
		t->fine = f[0].ch;
		t->fine_p = f[0].score;
		/* against the other letters and fillers only: a digit cannot
		 * stand where the format holds letters */
		float own = 0, other = 0;
		for (int j = 0; j < n; j++)
			if (f[j].ch == c || kyc_reader__twin(c, f[j].ch))
				own += f[j].score;
			else if (f[j].ch < '0' || f[j].ch > '9')
				other += f[j].score;
		t->fine_share = own > 0 ? own / (own + other) : 0;
	}
	return 0;
}

/* How far, in pitches, the grid of line i is moved along the line from the
 * other lines' (the mean of its two ends' offsets, over the other lines),
 * whose check digits hold. MRZ lines start and end at the same margins; a
 * names line whose grid took in a card's rounded corner as an `L` and lost
 * its last filler beyond the other end reads every letter surely one cell
 * over (development seed 9102, edge level 2 #25: `LPELMASDOTTIR` for
 * `PELMASDOTTIR`, -0.98), and no check digit sees it. A keystone photo
 * moves the lines' ends apart by a fraction of a pitch, mostly opposite
 * ways at the two ends (at most 0.61 on development seeds 9100-9107). */
static double shift(const struct kyc_reader__layout *lay, int i, int len)
{
	const struct kyc_reader__line *L = &lay->ln[i];
	double sum = 0;
	for (int c = 0; c < lay->nlines; c++) {
		const struct kyc_reader__line *C = &lay->ln[c];
		if (c == i)
			continue;
		double d0 = kyc_reader__cell_x(L, 0) - kyc_reader__cell_x(C, 0),
		       d1 = kyc_reader__cell_x(L, len - 1) - kyc_reader__cell_x(C, len - 1);
		sum += (d0 + d1) / 2 / kyc_reader__cell_pitch(C, 0);
	}
	return lay->nlines > 1 ? sum / (lay->nlines - 1) : 0;
}

/* 1 when the cell just beyond either end of line L holds a filler read
 * surely: the line goes on, so the grid holds part of it (a 44-cell visa
 * read as 36, whose check digits all lie in the first 28 cells:
 * development seed 9105, light level 2 #16, `<` and `U` beyond the lines'
 * ends at 0.9999). Only a filler: beyond the names line of a card photographed at
 * its edge, the card's edge reads `1`, `I`, `L` or `J` at up to 0.98. */
static int runs_on(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int len)
{
	int y0, y1;
	kyc_reader__cell_rows(b->h, L, &y0, &y1);
	for (int e = 0; e < 2; e++) {
		float p[KYC_OCR_NOUT];
		struct kyc_ocr_guess g[1];
		double k = e ? len : -1;
		if (!kyc_ocr_probs_at(b->px, b->w, b->h, b->w, kyc_reader__cell_x(L, k),
				      kyc_reader__cell_pitch(L, k), y0, y1, p) &&
		    kyc_ocr_top_k(p, g, 1) == 1 && g[0].ch == '<' && g[0].score >= FILLER_BEYOND)
			return 1;
	}
	return 0;
}

void kyc_reader__names_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
			    const struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	int n = out->nlines, len = out->line_len;
	/* a reading a check digit fails is not valid anyway; the French card
	 * holds digits where the format's letters are (kyc_reader__twin_conf) */
	if (!out->checks_total || out->checks_ok != out->checks_total || n != lay->nlines ||
	    (n == 2 && len == 36 && !memcmp(out->lines[0], "IDFRA", 5)))
		return;
	/* the names' line: TD1's third, the others' first; the other lines
	 * hold the check digits that confirm their grids */
	int names = n == 3 ? 2 : 0;
	int off = fabs(shift(lay, names, len)) > OFF_MARGINS || runs_on(b, &lay->ln[names], len);
	/* the cells the finer model made sure, for a third look on a smeared band */
	unsigned char helped[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS] = {{0}};
	int shake = -1; /* whether the band is shaken, measured when first needed */
	for (int i = 0; i < n; i++)
		for (int k = 0; k < len; k++) {
			struct kyc_reader__two_reads t;
			if (kyc_reader__field_kind(n, len, i, k) != 'a' ||
			    out->conf[i][k] < KYC_MRZ_CONF_ACCEPT)
				continue;
			if (off && i == names) {
				out->conf[i][k] = KYC_READER__REFUSED;
				continue;
			}
			/* the reading's own best candidate at 0.99: the first model's
			 * (sure alone) or, on a cell it was unsure of, the finer
			 * model's (which agrees); nothing to read again, unless a
			 * letter is under KYC_READER__SURE_CLEAR */
			char c = out->lines[i][k];
			if (r->cands.ch[i][k][0] == c &&
			    r->cands.p[i][k][0] >= ((c >= 'A' && c <= 'Z') ? KYC_READER__SURE_CLEAR
									: KYC_READER__SURE_ALONE))
				continue;
			if (kyc_reader__read_twice(b, &lay->ln[i], k, c, &t) ||
			    !kyc_reader__letter_sure(c, &t))
				out->conf[i][k] = KYC_READER__REFUSED;
			else if (!kyc_reader__letter_clear(c, &t)) {
				if (shake < 0)
					shake = shaken(b, lay);
				if (shake)
					helped[i][k] = KYC_READER__HELPED_LETTER;
				else
					out->conf[i][k] = KYC_READER__REFUSED;
			} else if (t.first != out->lines[i][k] || t.first_p < KYC_READER__SURE_ALONE)
				helped[i][k] = KYC_READER__HELPED_LETTER;
		}
	kyc_reader__optional_sure(out, r, b, lay, helped);
	kyc_reader__alike_sure(out, r, b, lay, helped);
	kyc_reader__smear_sure(out, b, lay, helped, KYC_READER__REFUSED);
}
