/* A visa's optional data, made sure by two models (docs/reader.md, step 15,
 * "Characters no check digit covers"). A visa (MRV-A, MRV-B) carries no
 * composite check digit, so the optional data at the end of its second line
 * is covered by none, and it holds letters and digits alike: a `0` read `O`
 * there passes every check (development seed 4712, clutter level 2 #20:
 * `KXXVJ80OUZL72SSC`, the `O` at 0.970). The names' rule (reader_names.c)
 * lets a letter's digit twin count as the letter, since the position rules
 * the digit out; here nothing rules either out, so a cell stays sure only
 * when a model reads the very character surely. */
#include "document/mrz.h"
#include "document/reader_names.h"
#include "document/reader_smear.h"

/* where a visa's optional data starts on its second line (ICAO 9303 part 7) */
#define MRV_OPTIONAL 28

/* 1 when c is one of the OCR-B twins (kyc_reader__twin), letter or digit. */
static int has_twin(char c)
{
	for (char o = '0'; o <= 'Z'; o++)
		if (kyc_reader__twin(c, o) || kyc_reader__twin(o, c))
			return 1;
	return 0;
}

int kyc_reader__char_sure(char c, const struct kyc_reader__two_reads *t)
{
	if (t->first == c && t->first_p >= KYC_READER__SURE_ALONE)
		return 1;
	if (t->fine != c)
		return 0;
	/* a twin's finer reading at the parser's bar too: in a name the digit
	 * twin cannot stand, here it can, and a shape between the two splits
	 * the finer model (seed 9103, light level 1 #26: `O` for `0`, the first
	 * model at 0.986, the finer `O` 0.673 and `0` 0.326) */
	return !has_twin(c) || t->fine_p >= KYC_MRZ_CONF_ACCEPT;
}

void kyc_reader__optional_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
			       const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
			       unsigned char helped[][KYC_READER_MAX_CHARS])
{
	/* a visa as the parser tells one: two lines, `V` first (docs/mrz.md) */
	if (out->nlines != 2 || out->lines[0][0] != 'V' || lay->nlines != 2)
		return;
	for (int k = MRV_OPTIONAL; k < out->line_len; k++) {
		struct kyc_reader__two_reads t;
		char c = out->lines[1][k];
		if (out->conf[1][k] < KYC_MRZ_CONF_ACCEPT)
			continue;
		/* the reading's own best candidate at 0.99: a model read c itself */
		if (r->cands.ch[1][k][0] == c && r->cands.p[1][k][0] >= KYC_READER__SURE_ALONE)
			continue;
		if (kyc_reader__read_twice(b, &lay->ln[1], k, c, &t) ||
		    !kyc_reader__char_sure(c, &t))
			out->conf[1][k] = KYC_READER__REFUSED;
		else if (t.first != c || t.first_p < KYC_READER__SURE_ALONE)
			helped[1][k] = KYC_READER__HELPED_CHAR;
	}
}
