/* Characters a check digit cannot tell apart, made sure by two models
 * (docs/reader.md, step 15). A check digit weighs `<` as 0, a digit as its
 * value and A-Z as 10-35, so it holds as well when a character is misread
 * as another of the same weight mod 10: a TD1 card's optional-data `K` (20)
 * read `<` (0) at 0.923, the `K` the runner-up at 0.077, passed the
 * composite (tests/unit/reader_loose_test, fresh seed 210042: rows blurred
 * along the text merge the `K`'s arms into a `<`). Names and visas' optional
 * data have no check digit and their own rules (reader_names.c,
 * reader_optional.c); here the fields one covers that mix letters, digits
 * and fillers are held to two models where the first model's own doubt is
 * of that kind. */
#include "document/reader_alike.h"

#include "document/mrz.h"
#include "document/ocr.h"
#include "document/reader_smear.h"

int kyc_reader__alike(char a, char b)
{
	return a != b && kyc_mrz_char_weight(a) % 10 == kyc_mrz_char_weight(b) % 10;
}

float kyc_reader__alike_share(char c, const struct kyc_ocr_guess *g, int n)
{
	float own = 0, other = 0;
	for (int j = 0; j < n; j++)
		if (g[j].ch == c)
			own += g[j].score;
		else if (kyc_reader__alike(c, g[j].ch))
			other += g[j].score;
	return own > 0 ? own / (own + other) : 0;
}

/* Cell k of line L of band b read again by the first model and, unless its
 * share for c (kyc_reader__alike_share) is KYC_READER__SURE_ALONE, by the
 * finer model: 1 when one of them holds c surely against the characters of
 * its weight, 0 when neither does, -1 when the first model gives nothing.
 * *fine is set when the finer model was needed. */
static int read_alike(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int k,
                      char c, int *fine)
{
	float p[KYC_OCR_NOUT];
	struct kyc_ocr_guess g[KYC_MRZ_DECODE_K];
	int y0, y1, n;
	double cx = kyc_reader__cell_x(L, k), pitch = kyc_reader__cell_pitch(L, k);
	kyc_reader__cell_rows(b->h, L, &y0, &y1);
	*fine = 0;
	if (kyc_ocr_probs_at(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p) ||
	    (n = kyc_ocr_top_k(p, g, KYC_MRZ_DECODE_K)) < 1)
		return -1;
	float first = kyc_reader__alike_share(c, g, n);
	if (first >= KYC_READER__SURE_ALONE)
		return 1;
	*fine = 1;
	n = kyc_ocr_classify_fine_given(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p, g,
	                                KYC_MRZ_DECODE_K);
	float f = n > 0 ? kyc_reader__alike_share(c, g, n) : 0;
	return f >= KYC_MRZ_CONF_ACCEPT;
}

/* 1 when cell k of line i lies in a field a check digit covers that may
 * hold letters, digits and fillers alike (ICAO 9303 parts 4-7): TD1's
 * document number and both optional data, the others' document number and
 * a passport's or TD2 card's optional data. */
static int covered_mixed(const struct kyc_reader_result *out, int i, int k)
{
	int len = out->line_len;
	if (out->nlines == 3)
		return (i == 0 && k >= 5 && k <= 29 && k != 14) || (i == 1 && k >= 18 && k <= 28);
	if (out->nlines != 2 || i != 1)
		return 0;
	if (k <= 8)
		return 1;
	/* a visa carries no composite: its optional data is covered by none */
	return out->lines[0][0] != 'V' && k >= 28 && k <= len - (len == 44 ? 3 : 2);
}

void kyc_reader__alike_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
                            const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            unsigned char helped[][KYC_READER_MAX_CHARS])
{
	for (int i = 0; i < out->nlines; i++)
		for (int k = 0; k < out->line_len; k++) {
			char c = out->lines[i][k];
			const char *ch = r->cands.ch[i][k];
			const float *p = r->cands.p[i][k];
			if (!covered_mixed(out, i, k) || out->conf[i][k] < KYC_MRZ_CONF_ACCEPT ||
			    (ch[0] == c && p[0] >= KYC_READER__SURE_ALONE))
				continue;
			float same = 0;
			for (int j = 0; j < KYC_MRZ_DECODE_K; j++)
				if (kyc_reader__alike(c, ch[j]))
					same += p[j];
			/* the rest of the doubt is what the check digit ruled out */
			if (same < KYC_READER__ALIKE_SHARE)
				continue;
			int fine, sure = read_alike(b, &lay->ln[i], k, c, &fine);
			if (sure != 1)
				out->conf[i][k] = KYC_READER__REFUSED;
			else if (fine)
				helped[i][k] = KYC_READER__HELPED_CHAR;
		}
}
