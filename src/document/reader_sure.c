/* Whether a loose layout's reading is sure enough to keep (docs/reader.md,
 * step 14, "A line no binarisation laid out"). A grid laid past the ink is a
 * guess that only the check digits confirm, and the decoder fills a
 * washed-out cell with whatever makes its check digit hold, so the cells the
 * check digits cover must have been read, not guessed. One cell may be
 * guessed if it is a digit of a date, a number or a check digit: the check
 * weights (7, 3, 1) are prime to 10, so with every other character read,
 * one unknown digit of a check-digit group has a single value (a check digit
 * is its group's function), and the composite check digit covers it again.
 * Two unknown digits under one check digit are a guess (a washed birth date
 * 610404 with its check digit 7 read 620404 with 0). */
#include "document/reader.h"

int kyc_reader__sure_checked(int nlines, int len, const char lines[][KYC_READER_MAX_CHARS + 1],
                             const float conf[][KYC_READER_MAX_CHARS])
{
	int guessed = 0;
	/* the lines the check digits cover: TD1's first two, the others' second */
	for (int i = nlines == 3 ? 0 : 1; i < nlines - (nlines == 3); i++)
		for (int k = 0; k < len; k++) {
			if (conf[i][k] >= KYC_READER__SURE)
				continue;
			char c = lines[i][k];
			if (c < '0' || c > '9' ||
			    kyc_reader__field_kind(nlines, len, i, k) != 'd' || ++guessed > 1)
				return 0;
		}
	return 1;
}
