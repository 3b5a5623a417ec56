/* When a loose layout's reading is sure enough to keep
 * (kyc_reader__sure_checked, docs/reader.md step 14): generated identities
 * of every format with every character read surely, then with one or two
 * cells washed out. The photos it reads are in reader_join_test.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/reader.h"
#include "document/synth.h"
#include "test.h"

struct reading {
	int nlines, len;
	char lines[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS + 1];
	float conf[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
};

/* The identity's lines, every character read with confidence 0.95. */
static void sure_reading(const struct kyc_synth_identity *id, struct reading *r)
{
	memset(r, 0, sizeof *r);
	r->nlines = id->nlines;
	r->len = id->line_len;
	for (int l = 0; l < r->nlines; l++) {
		memcpy(r->lines[l], id->lines[l], (size_t)r->len);
		for (int k = 0; k < r->len; k++)
			r->conf[l][k] = 0.95f;
	}
}

static int sure(const struct reading *r)
{
	return kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf);
}

/* The position of the first digit of the birth date on the checked line, and
 * of its check digit (ICAO 9303). */
static void birth_date(const struct reading *r, int *line, int *pos, int *check)
{
	*line = 1;
	*pos = r->nlines == 3 ? 0 : 13;
	*check = r->nlines == 3 ? 6 : 19;
}

TEST(washed_cells_refused_or_kept)
{
	static const enum kyc_synth_format fmts[] = {KYC_SYNTH_TD1, KYC_SYNTH_TD2, KYC_SYNTH_TD3,
	                                             KYC_SYNTH_MRVA, KYC_SYNTH_MRVB};
	for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++)
		for (int i = 0; i < 20; i++) {
			struct kyc_synth_identity id;
			struct reading r, w;
			CHECK_INT(kyc_synth_identity(4711, i, fmts[f], &id), 0);
			sure_reading(&id, &r);
			CHECK(sure(&r));
			int l, p, c;
			birth_date(&r, &l, &p, &c);
			/* one washed digit of the birth date: pinned by its
			 * check digit */
			w = r;
			w.conf[l][p + 2] = 0.1f;
			CHECK(sure(&w));
			/* the check digit itself: pinned by the date */
			w = r;
			w.conf[l][c] = 0.0f;
			CHECK(sure(&w));
			/* a digit and its check digit: a guess */
			w.conf[l][p + 2] = 0.3f;
			CHECK(!sure(&w));
			/* two digits anywhere on the checked lines: a guess */
			w = r;
			w.conf[l][p] = 0.2f;
			w.conf[l][c + 2] = 0.2f;
			CHECK(!sure(&w));
			/* the issuing state or nationality (letters): a guess */
			w = r;
			w.conf[r.nlines == 3 ? 0 : 1][r.nlines == 3 ? 2 : 10] = 0.2f;
			CHECK(!sure(&w));
			/* a name line's cell is no check digit's business */
			w = r;
			w.conf[r.nlines == 3 ? 2 : 0][r.len - 8] = 0.1f;
			CHECK(sure(&w));
		}
}

int main(void)
{
	RUN(washed_cells_refused_or_kept);
	return test_done("reader_sure");
}
