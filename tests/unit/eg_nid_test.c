#include <string.h>

#include "core/err.h"
#include "document/eg_nid.h"
#include "test.h"

TEST(decode)
{
	struct kyc_egnid_number d;
	const char *why;
	/* 1990-05-12, Giza, sequence 1234 (4: even, a woman), check 5 */
	CHECK_INT(kyc_egnid_number_decode("29005122101245", 14, &d, &why), 0);
	CHECK_STR(d.birth_date, "1990-05-12");
	CHECK_INT(d.governorate, 21);
	CHECK_INT(d.sex, 'F');
	CHECK_STR(kyc_egnid_governorate_en(d.governorate), "Giza");
	/* the same in Eastern Arabic digits; 2004-02-29 (a leap day), born abroad, a man */
	const char *east = "٣٠٤٠٢٢٩٨٨٠٠٠٣٧";
	CHECK_INT(kyc_egnid_number_decode(east, strlen(east), &d, &why), 0);
	CHECK_STR(d.birth_date, "2004-02-29");
	CHECK_INT(d.governorate, 88);
	CHECK_INT(d.sex, 'M');
	CHECK_STR(kyc_egnid_governorate_en(88), "Born abroad");
}

TEST(decode_refuses)
{
	struct kyc_egnid_number d;
	const char *why = NULL;
	CHECK_INT(kyc_egnid_number_decode("2900512210124", 13, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "length");
	CHECK_INT(kyc_egnid_number_decode("290051221012455", 15, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "length");
	CHECK_INT(kyc_egnid_number_decode("2900512210124a", 14, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "digit");
	CHECK_INT(kyc_egnid_number_decode("19005122101245", 14, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "century");
	CHECK_INT(kyc_egnid_number_decode("29002302101245", 14, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "birth_date"); /* 30 February */
	CHECK_INT(kyc_egnid_number_decode("21902292101245", 14, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "birth_date"); /* 1919 was no leap year */
	CHECK_INT(kyc_egnid_number_decode("29005122001245", 14, &d, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "governorate"); /* 20 is no governorate */
}

TEST(digits)
{
	char out[32];
	CHECK_INT(kyc_egnid_ascii_digits("٢٠٣٠/٠١/٠٩", out, sizeof out), 8);
	CHECK_STR(out, "20300109");
	CHECK_INT(kyc_egnid_ascii_digits("۱۲ a 3", out, sizeof out), 3); /* Persian digits too */
	CHECK_STR(out, "123");
}

static int has(const char **codes, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(codes[i], code))
			return 1;
	return 0;
}

TEST(cross_check)
{
	struct kyc_egnid_card c = {0};
	const char *codes[8];
	strcpy(c.national_number, "29005122101245");
	strcpy(c.national_number_back, "29005122101245");
	strcpy(c.birth_date, "1990-05-12");
	strcpy(c.gender, "أنثى");
	strcpy(c.issue_date, "2020-01-02");
	strcpy(c.expiry_date, "2027-01-01");
	CHECK_INT(kyc_egnid_cross_check(&c, codes, 8), 0);

	strcpy(c.birth_date, "1990-05-13");
	strcpy(c.gender, "ذكر");
	int n = kyc_egnid_cross_check(&c, codes, 8);
	CHECK_INT(n, 2);
	CHECK(has(codes, n, "birth_date_mismatch"));
	CHECK(has(codes, n, "sex_mismatch"));

	struct kyc_egnid_card b = c;
	strcpy(b.birth_date, "1990-05-12");
	strcpy(b.gender, "أنثى");
	strcpy(b.national_number_back, "29005122101265");
	n = kyc_egnid_cross_check(&b, codes, 8);
	CHECK_INT(n, 1);
	CHECK(has(codes, n, "number_front_back"));

	struct kyc_egnid_card e = {0};
	strcpy(e.national_number, "29013122101245");
	strcpy(e.issue_date, "2020-01-02");
	strcpy(e.expiry_date, "2019-01-01");
	n = kyc_egnid_cross_check(&e, codes, 1);
	CHECK_INT(n, 2); /* both counted, one stored */
	CHECK_STR(codes[0], "number_invalid");
}

/* Probabilities that make `sure` the likeliest digits, with `alt` a close
 * second at each position where it differs. */
static void probs(const char *sure, const char *alt, float p[14][11])
{
	for (int k = 0; k < 14; k++) {
		for (int d = 0; d < 11; d++)
			p[k][d] = 0.01f;
		p[k][sure[k] - '0'] = 0.6f;
		if (alt[k] != sure[k])
			p[k][alt[k] - '0'] = 0.3f;
	}
}

TEST(likeliest)
{
	float p[14][11];
	char out[15];
	/* The likeliest digits decode: they are the answer. */
	probs("29005122101245", "29005122101245", p);
	kyc_egnid_number_likeliest(p, out);
	CHECK_STR(out, "29005122101245");
	/* A month 15 is no month: the runner-up 1 -> 0 at the month's tens is. */
	probs("29015122101245", "29005122101245", p);
	kyc_egnid_number_likeliest(p, out);
	CHECK_STR(out, "29005122101245");
	/* Century 8 and governorate 91 do not exist; 30 February neither: the
	 * day's tens take their runner-up (the 20th), its units stay sure. */
	probs("89002309101245", "29002282101245", p);
	kyc_egnid_number_likeliest(p, out);
	CHECK_STR(out, "29002202101245");
	struct kyc_egnid_number d;
	const char *why;
	CHECK_INT(kyc_egnid_number_decode(out, 14, &d, &why), 0);
	/* The sequence and the check digit are whatever is likeliest. */
	probs("29005122198765", "29005122101245", p);
	kyc_egnid_number_likeliest(p, out);
	CHECK_STR(out, "29005122198765");
}

TEST(transliterate)
{
	char out[128];
	CHECK_INT(kyc_egnid_transliterate("محمد", out, sizeof out), 0);
	CHECK_STR(out, "MXHMD");
	CHECK_INT(kyc_egnid_transliterate("  فاطمة   عبد الرحمن ", out, sizeof out), 0);
	CHECK_STR(out, "FAXTTMXTA EBD ALRXHMN");
	CHECK_INT(kyc_egnid_transliterate("مُصْطَفَى", out, sizeof out), 0); /* harakat dropped */
	CHECK_STR(out, "MXSSXTTFXAY");
	CHECK_INT(kyc_egnid_transliterate("أحمد Ali", out, sizeof out), 0);
	CHECK_STR(out, "XAEXHMD ALI");
	/* never cut inside a letter's transliteration */
	CHECK_INT(kyc_egnid_transliterate("محمد", out, 5), KYC_ERR_TOOBIG);
	CHECK_STR(out, "MXHM");
}

int main(void)
{
	RUN(decode);
	RUN(decode_refuses);
	RUN(digits);
	RUN(cross_check);
	RUN(likeliest);
	RUN(transliterate);
	return test_done("eg_nid");
}
