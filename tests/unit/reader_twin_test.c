/* A letter contested only by its digit twin where the format holds letters
 * (kyc_reader__twin_conf, docs/reader.md step 15): readings set by hand as
 * the reader hands them over, each cell's score and runner-up. */
#include <stdio.h>
#include <string.h>

#include "document/reader.h"
#include "test.h"

/* lines read with every cell 0.99 sure, runner-up '<' at 0.01 */
static void reading(struct kyc_reader_result *r, int n, const char *const *lines)
{
	memset(r, 0, sizeof *r);
	r->nlines = n;
	r->line_len = (int)strlen(lines[0]);
	for (int l = 0; l < n; l++) {
		memcpy(r->lines[l], lines[l], (size_t)r->line_len);
		for (int k = 0; k < r->line_len; k++) {
			r->conf[l][k] = 0.99f;
			r->alt[l][k] = '<';
			r->alt_conf[l][k] = 0.01f;
		}
	}
}

static void cell(struct kyc_reader_result *r, int l, int k, float p, char alt, float q)
{
	r->conf[l][k] = p;
	r->alt[l][k] = alt;
	r->alt_conf[l][k] = q;
}

static const char *const td3[] = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                  "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};

TEST(twin_digit_joins_the_letter)
{
	struct kyc_reader_result r;
	reading(&r, 2, td3);
	cell(&r, 0, 11, 0.262f, '0', 0.737f); /* the O of ERIKSSON */
	cell(&r, 0, 15, 0.380f, '4', 0.616f); /* the A of ANNA */
	cell(&r, 1, 12, 0.878f, '0', 0.120f); /* the nationality's O */
	cell(&r, 0, 4, 0.5f, '0', 0.6f);      /* the issuing state's O: capped */
	kyc_reader__twin_conf(&r);
	CHECK(r.conf[0][11] > 0.99f);
	CHECK(r.conf[0][15] > 0.99f);
	CHECK(r.conf[1][12] > 0.99f);
	CHECK(r.conf[0][4] == 1.0f);
}

TEST(other_rivals_keep_the_score)
{
	struct kyc_reader_result r;
	reading(&r, 2, td3);
	cell(&r, 0, 6, 0.55f, 'N', 0.40f);  /* R or N: two letters */
	cell(&r, 0, 9, 0.50f, '8', 0.45f);  /* S with 8: not its twin */
	cell(&r, 1, 0, 0.60f, '1', 0.39f);  /* L in the document number */
	cell(&r, 1, 7, 0.60f, '0', 0.39f);  /* C where digits may stand */
	cell(&r, 1, 15, 0.60f, '0', 0.39f); /* a date's digit */
	kyc_reader__twin_conf(&r);
	CHECK(r.conf[0][6] == 0.55f);
	CHECK(r.conf[0][9] == 0.50f);
	CHECK(r.conf[1][0] == 0.60f);
	CHECK(r.conf[1][7] == 0.60f);
	CHECK(r.conf[1][15] == 0.60f);
}

TEST(td1_names_and_the_french_card)
{
	static const char *const td1[] = {"I<UTOD231458907<<<<<<<<<<<<<<<",
	                                  "7408122F1204159UTO<<<<<<<<<<<6",
	                                  "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
	struct kyc_reader_result r;
	reading(&r, 3, td1);
	cell(&r, 2, 6, 0.30f, '0', 0.69f); /* a name's O */
	r.lines[0][20] = 'O';              /* optional data: anything */
	cell(&r, 0, 20, 0.30f, '0', 0.69f);
	kyc_reader__twin_conf(&r);
	CHECK(r.conf[2][6] > 0.98f);
	CHECK(r.conf[0][20] == 0.30f);
	/* digits where TD2 has the nationality: left as read */
	static const char *const frid[] = {"IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<",
	                                   "9409923102854CORINNE<<<<<<<6512068F4"};
	reading(&r, 2, frid);
	r.lines[0][7] = 'O';
	cell(&r, 0, 7, 0.30f, '0', 0.69f);
	kyc_reader__twin_conf(&r);
	CHECK(r.conf[0][7] == 0.30f);
}

int main(void)
{
	RUN(twin_digit_joins_the_letter);
	RUN(other_rivals_keep_the_score);
	RUN(td1_names_and_the_french_card);
	return test_done("reader_twin");
}
