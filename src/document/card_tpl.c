#include "document/card_tpl.h"

void kyc_card_field_box(const struct kyc_card_field *f, double box[4])
{
	/* Arabic letters rise to about 0.9 em (alef, lam) and their dots fall
	 * to about 0.65 em below the baseline (a final yeh); digits and capitals stay above. */
	int arabic = f->script == KYC_CARD_ARABIC;
	box[0] = f->left - 1.0;
	box[1] = f->baseline - (arabic ? 1.1 : 0.95) * f->em;
	box[2] = f->right + 1.0;
	box[3] = f->baseline + (arabic ? 0.7 : 0.3) * f->em;
}
