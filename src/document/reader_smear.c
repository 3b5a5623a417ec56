/* A smeared letter read a third time (reader_smear.h). Blur along the
 * lines runs neighbouring strokes into one another, and what tells some
 * letters apart goes with it: a smeared `H` is a gray block whose gaps
 * above and below the bar are only a shade lighter than the block, and
 * both models read it `B`, the first at 0.931 and the finer at 0.759 (a
 * unit test's TD1 card, `STEIC<<BULO` for `STEIC<<HULO` with every check
 * digit holding). The smear is measured on the band and undone
 * (reader_deblur.c), and there the same cell reads `H` at 1.000: a letter
 * that is sure on the band only with the finer model's help must be sure
 * on the band deblurred as well. */
#include "document/reader_smear.h"

#include <math.h>
#include <stdlib.h>

#include "core/err.h"
#include "document/mrz.h"
#include "document/reader_deblur.h"
#include "document/reader_names.h"

/* 1 when the deblurred band d reads cell k of line L as another character
 * than c, surely: the first model at the parser's bar or above, and by the
 * rule of kind (KYC_READER__HELPED_*) on both models' readings; a letter's
 * digit twin is not another letter (it cannot stand there), but in a
 * visa's optional data it is. A deblurred cell that is only unsure says
 * nothing: the deconvolution rings, and a weak reading of another letter
 * is as likely its artefact (an `R` read `T` at 0.256, the finer model
 * 0.869, development seed 9101, motion level 2 #4). */
static int sure_of_another(const struct kyc_reader__band *d, const struct kyc_reader__line *L,
                           int k, char c, int kind)
{
	struct kyc_reader__two_reads t;
	if (kyc_reader__read_twice(d, L, k, c, &t) || t.first == c ||
	    t.first_p < KYC_MRZ_CONF_ACCEPT)
		return 0;
	/* read_twice asked the finer model, since the first read another */
	if (kind == KYC_READER__HELPED_CHAR)
		return kyc_reader__char_sure(t.first, &t);
	return !kyc_reader__twin(c, t.first) && !kyc_reader__twin(t.first, c) &&
	       kyc_reader__letter_sure(t.first, &t);
}

int kyc_reader__smear_sure(struct kyc_reader_result *out, const struct kyc_reader__band *b,
                           const struct kyc_reader__layout *lay,
                           const unsigned char helped[][KYC_READER_MAX_CHARS], float refused)
{
	struct kyc_reader__band d = {0};
	struct kyc_reader__blur bl;
	int any = 0, rc;
	for (int i = 0; i < out->nlines; i++)
		for (int k = 0; k < out->line_len; k++)
			any |= helped[i][k];
	if (!any)
		return 0;
	rc = kyc_reader__blur_measure(b, lay, &bl);
	if (rc)
		goto out;
	if (bl.dip < KYC_READER__SMEAR_DIP || bl.len < KYC_READER__SMEAR_LEN ||
	    fabs(sin(bl.angle)) > sin(KYC_READER__SMEAR_ANGLE * M_PI / 180))
		return 0;
	/* only the lines with such cells deblurred (mostly the names' line):
	 * the deconvolution costs a few milliseconds a line */
	struct kyc_reader__layout some = *lay;
	int from[KYC_READER_MAX_LINES];
	some.nlines = 0;
	for (int i = 0; i < out->nlines; i++) {
		int line = 0;
		for (int k = 0; k < out->line_len; k++)
			line |= helped[i][k];
		if (line) {
			from[some.nlines] = i;
			some.ln[some.nlines++] = lay->ln[i];
		}
	}
	rc = kyc_reader__deblur(b, &some, &bl, KYC_READER__DEBLUR_ITERS, &d);
	if (rc == KYC_ERR_INVALID)
		return 0;
	if (rc)
		goto out;
	/* the deblurred band keeps b's geometry, so the lines' cells are its own */
	for (int j = 0; j < some.nlines; j++)
		for (int k = 0, i = from[j]; k < out->line_len; k++)
			if (helped[i][k] &&
			    sure_of_another(&d, &some.ln[j], k, out->lines[i][k], helped[i][k]))
				out->conf[i][k] = refused;
out:
	free(d.px);
	if (rc) /* not looked at: not sure */
		for (int i = 0; i < out->nlines; i++)
			for (int k = 0; k < out->line_len; k++)
				if (helped[i][k])
					out->conf[i][k] = refused;
	return rc;
}
