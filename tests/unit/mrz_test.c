#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/mrz.h"
#include "mrz_fixtures.h"
#include "test.h"

TEST(specimen_td3)
{
	struct kyc_mrz m;
	REQUIRE(parse(TD3_L1 "\n" TD3_L2 "\n", &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_TD3);
	CHECK(m.valid);
	CHECK_STR(m.document_code, "P");
	CHECK_STR(m.issuing_country, "UTO");
	CHECK_STR(m.document_number, "L898902C3");
	CHECK_STR(m.surname, "ERIKSSON");
	CHECK_STR(m.given_names, "ANNA MARIA");
	CHECK_STR(m.nationality, "UTO");
	CHECK_STR(m.birth_date, "1974-08-12");
	CHECK_STR(m.sex, "F");
	CHECK_STR(m.expiry_date, "2012-04-15");
	CHECK_STR(m.optional_data, "ZE184226B");
	CHECK_INT(m.checks, 0x1f);
	CHECK_INT(m.checks_ok, 0x1f);
	CHECK_INT(m.ncorrections, 0);
	CHECK_INT(m.warnings, 0);
	CHECK_STR(m.lines[1], TD3_L2);
}

TEST(specimen_td1_td2)
{
	struct kyc_mrz m;
	REQUIRE(parse(TD1_L1 "\r\n" TD1_L2 "\r\n" TD1_L3 "\r\n", &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_TD1);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "D23145890");
	CHECK_STR(m.birth_date, "1974-08-12");
	CHECK_STR(m.expiry_date, "2012-04-15");
	CHECK_STR(m.given_names, "ANNA MARIA");
	CHECK_INT(m.checks, 1u << KYC_MRZ_CHECK_DOCUMENT_NUMBER | 1u << KYC_MRZ_CHECK_BIRTH_DATE |
	                        1u << KYC_MRZ_CHECK_EXPIRY_DATE | 1u << KYC_MRZ_CHECK_COMPOSITE);
	REQUIRE(parse(TD2_L1 "  \n" TD2_L2, &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_TD2);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "D23145890");
	CHECK_STR(m.surname, "ERIKSSON");
}

TEST(specimen_visas_and_uk)
{
	struct kyc_mrz m;
	REQUIRE(parse(MRVA_L1 "\n" MRVA_L2, &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_MRVA);
	CHECK(m.valid);
	CHECK_INT(m.checks, 7);
	CHECK_STR(m.nationality, "XXX");
	CHECK_STR(m.birth_date, "1940-09-07");
	CHECK_STR(m.expiry_date, "1996-12-10");
	CHECK_STR(m.optional_data, "6ZE184226B");
	REQUIRE(parse(MRVB_L1 "\n" MRVB_L2, &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_MRVB);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "L8988901C");
	REQUIRE(parse("P<GBRPUDARSAN<<HENERT<<<<<<<<<<<<<<<<<<<<<<<\n"
	              "7077979792GBR9505209M1704224<<<<<<<<<<<<<<00",
	              &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.sex, "M");
	CHECK_STR(m.optional_data, "");
}

TEST(specimen_french_id)
{
	struct kyc_mrz m;
	REQUIRE(parse(FRID_L1 "\n" FRID_L2, &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_FRID);
	CHECK(m.valid);
	CHECK_STR(m.document_code, "ID");
	CHECK_STR(m.document_number, "050693202043");
	CHECK_STR(m.surname, "DOUEL");
	CHECK_STR(m.given_names, "CHRISTIANE NI");
	CHECK_STR(m.birth_date, "1929-06-20");
	CHECK_STR(m.expiry_date, "");
	CHECK_STR(m.optional_data, "932013");
	CHECK_INT(m.checks, 1u << KYC_MRZ_CHECK_DOCUMENT_NUMBER | 1u << KYC_MRZ_CHECK_BIRTH_DATE |
	                        1u << KYC_MRZ_CHECK_COMPOSITE);
}

TEST(broken_check_digits)
{
	struct kyc_mrz m;
	/* Each check digit of the TD3 specimen, replaced by another digit. */
	const struct {
		int col;
		enum kyc_mrz_check check;
	} cds[] = {{9, KYC_MRZ_CHECK_DOCUMENT_NUMBER},
	           {19, KYC_MRZ_CHECK_BIRTH_DATE},
	           {27, KYC_MRZ_CHECK_EXPIRY_DATE},
	           {42, KYC_MRZ_CHECK_OPTIONAL_DATA},
	           {43, KYC_MRZ_CHECK_COMPOSITE}};
	for (size_t i = 0; i < sizeof cds / sizeof cds[0]; i++) {
		char c = TD3_L2[cds[i].col] == '9' ? '1' : (char)(TD3_L2[cds[i].col] + 1);
		REQUIRE(parse_with(TD3_L1, TD3_L2, NULL, 1, cds[i].col, c, &m) == 0);
		CHECK(!m.valid);
		CHECK(!check_ok(&m, cds[i].check));
		/* The composite covers the field checks too, nothing else fails. */
		unsigned want = 0x1fu & ~(1u << cds[i].check);
		if (cds[i].check != KYC_MRZ_CHECK_COMPOSITE)
			want &= ~(1u << KYC_MRZ_CHECK_COMPOSITE);
		CHECK_INT(m.checks_ok, want);
	}
	/* A wrong birth date digit (still a date, still digits). */
	REQUIRE(parse_with(TD1_L1, TD1_L2, TD1_L3, 1, 5, '3', &m) == 0);
	CHECK(!m.valid);
	CHECK(!check_ok(&m, KYC_MRZ_CHECK_BIRTH_DATE));
	CHECK(check_ok(&m, KYC_MRZ_CHECK_DOCUMENT_NUMBER));
	/* The visa: no composite, so only the field check fails. */
	REQUIRE(parse_with(MRVB_L1, MRVB_L2, NULL, 1, 27, '0', &m) == 0);
	CHECK(!m.valid);
	CHECK_INT(m.checks_ok, 3);
}

TEST(long_document_number_td1)
{
	struct kyc_mrz m;
	char l1[31], l2[31];
	/* ICAO: the check digit over the whole number, '<' at the check position. */
	snprintf(l1, sizeof l1, "%s", "I<UTOD23145890<734?<<<<<<<<<<<");
	snprintf(l2, sizeof l2, "%s", TD1_L2);
	char num[] = "D23145890734";
	l1[18] = (char)('0' + kyc_mrz_check_digit(num, 12));
	set_composite(KYC_MRZ_TD1, l1, l2);
	REQUIRE(parse3(l1, l2, TD1_L3, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "D23145890734");
	CHECK_STR(m.optional_data, "");
	CHECK(has_warning(&m, KYC_MRZ_W_DOCUMENT_NUMBER_LONG));
	/* The variant seen on real cards: the digit over the text as printed,
	 * filler included. */
	l1[18] = (char)('0' + kyc_mrz_check_digit(l1 + 5, 13));
	set_composite(KYC_MRZ_TD1, l1, l2);
	REQUIRE(parse3(l1, l2, TD1_L3, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "D23145890734");
	/* Optional data after the number stays optional data. */
	memcpy(l1 + 20, "AB12", 4);
	set_composite(KYC_MRZ_TD1, l1, l2);
	REQUIRE(parse3(l1, l2, TD1_L3, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.optional_data, "AB12");
	/* A wrong digit is still caught. */
	l1[18] = l1[18] == '9' ? '0' : (char)(l1[18] + 1);
	REQUIRE(parse3(l1, l2, TD1_L3, &m) == 0);
	CHECK(!m.valid);
	CHECK(!check_ok(&m, KYC_MRZ_CHECK_DOCUMENT_NUMBER));
}

TEST(long_document_number_td2)
{
	struct kyc_mrz m;
	char l2[37];
	/* Number X1234567ZAB: 9 chars, '<' at the check position, "AB" and the
	 * check digit at the start of the optional data. */
	snprintf(l2, sizeof l2, "%s", "X1234567Z<UTO7408122F1204159AB?<<<<?");
	l2[30] = (char)('0' + kyc_mrz_check_digit("X1234567ZAB", 11));
	set_composite(KYC_MRZ_TD2, NULL, l2);
	REQUIRE(parse3(TD2_L1, l2, NULL, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.document_number, "X1234567ZAB");
	CHECK_STR(m.optional_data, "");
}

TEST(empty_personal_number)
{
	struct kyc_mrz m;
	char l2[45];
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	memcpy(l2 + 28, "<<<<<<<<<<<<<<<", 15);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.optional_data, "");
	l2[42] = '0';
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK(m.valid);
	l2[42] = '3';
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK(!m.valid);
	CHECK(!check_ok(&m, KYC_MRZ_CHECK_OPTIONAL_DATA));
	/* '<' is only a check digit for an empty number. */
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	l2[42] = '<';
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK(!check_ok(&m, KYC_MRZ_CHECK_OPTIONAL_DATA));
}

/* A TD3 specimen whose name field is name, padded with fillers (or cut) to 39. */
static int parse_td3_name(const char *name, struct kyc_mrz *m)
{
	char l1[45];
	memset(l1, '<', 44);
	l1[44] = '\0';
	memcpy(l1, "P<UTO", 5);
	size_t n = strlen(name);
	memcpy(l1 + 5, name, n > 39 ? 39 : n);
	return parse3(l1, TD3_L2, NULL, m);
}

TEST(names)
{
	struct kyc_mrz m;
	REQUIRE(parse_td3_name("<<ANNA<MARIA", &m) == 0);
	CHECK_STR(m.surname, "");
	CHECK_STR(m.given_names, "ANNA MARIA");
	REQUIRE(parse_td3_name("ERIKSSON", &m) == 0);
	CHECK_STR(m.surname, "ERIKSSON");
	CHECK_STR(m.given_names, "");
	/* A single name with no separator at all. */
	REQUIRE(parse_td3_name("ERIKSSON<ANNA<MARIA", &m) == 0);
	CHECK_STR(m.surname, "ERIKSSON ANNA MARIA");
	CHECK_STR(m.given_names, "");
	CHECK(!has_warning(&m, KYC_MRZ_W_NAME_TRUNCATED));
	/* A full field: the name may be truncated. */
	REQUIRE(parse_td3_name("VANDERSTEENHOVENBERG<<ALEXANDRA<MARIECLAIRE", &m) == 0);
	CHECK_STR(m.surname, "VANDERSTEENHOVENBERG");
	CHECK_STR(m.given_names, "ALEXANDRA MARIECL");
	CHECK(has_warning(&m, KYC_MRZ_W_NAME_TRUNCATED));
	CHECK(m.valid);
}

TEST(sex_and_countries)
{
	struct kyc_mrz m;
	char l2[45];
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	l2[20] = '<';
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.sex, "X");
	CHECK(m.valid);
	CHECK(!has_warning(&m, KYC_MRZ_W_SEX_INVALID));
	l2[20] = 'X';
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.sex, "X");
	static const char *known[] = {"D<<", "GBD", "GBN", "GBO", "GBS", "GBP", "UNO", "UNA",
	                              "UNK", "XXA", "XXB", "XXC", "XXX", "UTO", "DEU", "NLD"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		char l1[45];
		snprintf(l1, sizeof l1, "%s", TD3_L1);
		memcpy(l1 + 2, known[i], 3);
		snprintf(l2, sizeof l2, "%s", TD3_L2);
		memcpy(l2 + 10, known[i], 3);
		REQUIRE(parse3(l1, l2, NULL, &m) == 0);
		CHECK(!has_warning(&m, KYC_MRZ_W_ISSUER_UNKNOWN));
		CHECK(!has_warning(&m, KYC_MRZ_W_NATIONALITY_UNKNOWN));
		CHECK(m.valid);
	}
	REQUIRE(parse("P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" TD3_L2, &m) == 0);
	CHECK_STR(m.issuing_country, "QQQ");
	CHECK(has_warning(&m, KYC_MRZ_W_ISSUER_UNKNOWN));
	CHECK(m.valid); /* flagged, not rejected */
	REQUIRE(parse("P<D<<ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" TD3_L2, &m) == 0);
	CHECK_STR(m.issuing_country, "D");
	CHECK(kyc_mrz_country_known("D<<", 3));
	CHECK(!kyc_mrz_country_known("QQQ", 3));
}

TEST(more_quirks)
{
	struct kyc_mrz m;
	char l2[45];
	/* A sex that is none of F, M, X, '<'. */
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	l2[20] = 'Q';
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.sex, "X");
	CHECK(has_warning(&m, KYC_MRZ_W_SEX_INVALID));
	CHECK(!m.valid); /* no check digit covers it: a misread */
	CHECK(m.field_conf[KYC_MRZ_F_SEX] <= 0.2f);
	/* No expiry: all fillers; a partial expiry is no date. */
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	memcpy(l2 + 21, "<<<<<<", 6);
	set_cd(l2, 21, 6, 27);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.expiry_date, "");
	CHECK(has_warning(&m, KYC_MRZ_W_EXPIRY_NONE));
	CHECK(m.valid);
	memcpy(l2 + 21, "1204<<", 6);
	set_cd(l2, 21, 6, 27);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK(has_warning(&m, KYC_MRZ_W_EXPIRY_INVALID));
	CHECK(!m.valid);
	/* "IDFRA" on a TD2 document (letters where TD2 has the nationality)
	 * stays TD2. */
	char t1[37], t2[37];
	snprintf(t1, sizeof t1, "%s", TD2_L1);
	memcpy(t1, "IDFRA", 5);
	snprintf(t2, sizeof t2, "%s", TD2_L2);
	memcpy(t2 + 10, "FRA", 3);
	REQUIRE(parse3(t1, t2, NULL, &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_TD2);
	CHECK(m.valid);
	CHECK_STR(m.nationality, "FRA");
	/* A broken French card: the composite covers both lines. */
	REQUIRE(parse_with(FRID_L1, FRID_L2, NULL, 0, 5, 'E', &m) == 0);
	CHECK_INT(m.format, KYC_MRZ_FRID);
	CHECK(!m.valid);
	CHECK(!check_ok(&m, KYC_MRZ_CHECK_COMPOSITE));
	CHECK(check_ok(&m, KYC_MRZ_CHECK_DOCUMENT_NUMBER));
}

TEST(dates_and_centuries)
{
	struct kyc_mrz m;
	char l2[45];
	/* Birth: never in the future relative to today (2026-06-15). */
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	memcpy(l2 + 13, "260615", 6);
	set_cd(l2, 13, 6, 19);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.birth_date, "2026-06-15");
	CHECK(m.valid);
	memcpy(l2 + 13, "260616", 6);
	set_cd(l2, 13, 6, 19);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.birth_date, "1926-06-16");
	/* Expiry: 20YY unless more than 50 years ahead. */
	memcpy(l2 + 21, "760101", 6);
	set_cd(l2, 21, 6, 27);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.expiry_date, "2076-01-01");
	memcpy(l2 + 21, "770101", 6);
	set_cd(l2, 21, 6, 27);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.expiry_date, "1977-01-01");
	/* Not calendar dates: month 13, Feb 30 -> "" and not valid, even with
	 * right check digits. */
	static const char *bad[] = {"741312", "740230", "740000", "230229"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(l2, sizeof l2, "%s", TD3_L2);
		memcpy(l2 + 13, bad[i], 6);
		set_cd(l2, 13, 6, 19);
		set_composite(KYC_MRZ_TD3, NULL, l2);
		REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
		CHECK_STR(m.birth_date, "");
		CHECK(has_warning(&m, KYC_MRZ_W_BIRTH_INVALID));
		CHECK(check_ok(&m, KYC_MRZ_CHECK_BIRTH_DATE));
		CHECK(!m.valid);
	}
	/* Feb 29 of a leap year is a date. */
	snprintf(l2, sizeof l2, "%s", TD3_L2);
	memcpy(l2 + 13, "000229", 6);
	set_cd(l2, 13, 6, 19);
	set_composite(KYC_MRZ_TD3, NULL, l2);
	REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
	CHECK_STR(m.birth_date, "2000-02-29");
	CHECK(m.valid);
}

TEST(partial_birth_dates)
{
	struct kyc_mrz m;
	char l2[45];
	static const struct {
		const char *raw, *iso;
		enum kyc_mrz_warning w;
	} cases[] = {{"7408<<", "1974-08", KYC_MRZ_W_BIRTH_PARTIAL},
	             {"74<<<<", "1974", KYC_MRZ_W_BIRTH_PARTIAL},
	             {"<<<<<<", "", KYC_MRZ_W_BIRTH_UNKNOWN},
	             {"7<0812", "", KYC_MRZ_W_BIRTH_INVALID}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(l2, sizeof l2, "%s", TD3_L2);
		memcpy(l2 + 13, cases[i].raw, 6);
		set_cd(l2, 13, 6, 19);
		set_composite(KYC_MRZ_TD3, NULL, l2);
		REQUIRE(parse3(TD3_L1, l2, NULL, &m) == 0);
		CHECK_STR(m.birth_date, cases[i].iso);
		CHECK(has_warning(&m, cases[i].w));
		CHECK(check_ok(&m, KYC_MRZ_CHECK_BIRTH_DATE));
		CHECK(m.valid == (cases[i].w != KYC_MRZ_W_BIRTH_INVALID));
	}
}

TEST(errors)
{
	struct kyc_mrz m;
	char err[160];
	static const char *bad[] = {
	    "",
	    "\n\n",
	    "hello world",
	    TD3_L1,                         /* one line */
	    TD3_L1 "\n" TD3_L2 "\n" TD3_L2, /* three lines of 44 */
	    TD3_L1 "\n" TD3_L2 "<",         /* too long */
	    TD3_L1 "\n"
	           "L898902C36UTO7408122F1204159ZE184226B<<<<<1",    /* too short */
	    TD3_L1 "\n" TD2_L2,                                      /* mixed lengths */
	    TD3_L1 "\n\n" TD3_L2,                                    /* blank line inside */
	    "P<UTOERIKSSON<<ANNA MARIA<<<<<<<<<<<<<<<<<<<\n" TD3_L2, /* space inside */
	    "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\n" TD3_L2, /* lower case */
	    "THEQUICKBROWNFOXJUMPSOVERTHELAZYDOGANDRUNSAW\n"
	    "AYFROMTHEFARMERWHOISCHASINGITWITHABROOMSTICK",
	    "12345678901234567890123456789012345678901234\n"
	    "12345678901234567890123456789012345678901234",
	    TD1_L1 "\n" TD1_L2, /* TD1 with 2 lines */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		m.valid = 1;
		int rc = kyc_mrz_parse(bad[i], strlen(bad[i]), today(), &m, err, sizeof err);
		CHECK_INT(rc, KYC_ERR_INVALID);
		if (rc != KYC_ERR_INVALID)
			fprintf(stderr, "  case %zu parsed\n", i);
		CHECK(!m.valid);
		CHECK(err[0] != '\0');
	}
	/* Not NUL-terminated input: only len bytes are read. */
	char buf[2 * 45];
	memcpy(buf, TD3_L1 "\n" TD3_L2, sizeof buf - 1);
	buf[sizeof buf - 1] = 'X';
	CHECK_INT(kyc_mrz_parse(buf, sizeof buf - 1, today(), &m, err, sizeof err), 0);
	CHECK(m.valid);
}

/* The specimen scans' ground truth in $KYCD_SHARED/realdocs/truth.jsonl:
 * every MRZ there parses, is valid and has the stated format. */
TEST(realdocs_truth)
{
	const char *shared = getenv("KYCD_SHARED");
	if (!shared) {
		fprintf(stderr, "  KYCD_SHARED not set, skipped\n");
		return;
	}
	char path[512];
	snprintf(path, sizeof path, "%s/realdocs/truth.jsonl", shared);
	FILE *f = fopen(path, "r");
	REQUIRE(f != NULL);
	char line[2048];
	int docs = 0;
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		if (!j)
			continue;
		json_t *lines = json_object_get(j, "lines");
		const char *format = json_string_value(json_object_get(j, "format"));
		if (json_is_array(lines) && format) {
			char text[160];
			size_t n = 0;
			for (size_t i = 0; i < json_array_size(lines) && n < sizeof text; i++)
				n += (size_t)snprintf(text + n, sizeof text - n, "%s\n",
				                      json_string_value(json_array_get(lines, i)));
			struct kyc_mrz m;
			CHECK_INT(parse(text, &m), 0);
			CHECK(m.valid);
			CHECK_STR(kyc_mrz_format_name(m.format), format);
			CHECK_INT(m.ncorrections, 0);
			docs++;
		}
		json_decref(j);
	}
	fclose(f);
	CHECK(docs >= 6);
}

TEST(json_shape)
{
	struct kyc_mrz m;
	REQUIRE(parse_with(TD3_L1, TD3_L2, NULL, 1, 15, 'O', &m) == 0);
	json_t *j = kyc_mrz_to_json(&m);
	REQUIRE(j != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "format")), "TD3");
	CHECK(json_is_true(json_object_get(j, "valid")));
	CHECK_INT(json_array_size(json_object_get(j, "lines")), 2);
	json_t *f = json_object_get(j, "fields");
	CHECK_INT(json_object_size(f), 11);
	CHECK_STR(json_string_value(json_object_get(f, "birth_date")), "1974-08-12");
	json_t *c = json_object_get(j, "checks");
	CHECK_INT(json_object_size(c), 5);
	CHECK(json_is_true(json_object_get(c, "composite")));
	json_t *corr = json_array_get(json_object_get(j, "corrections"), 0);
	CHECK_STR(json_string_value(json_object_get(corr, "field")), "birth_date");
	CHECK_STR(json_string_value(json_object_get(corr, "from")), "74O812");
	CHECK_STR(json_string_value(json_object_get(corr, "to")), "740812");
	json_decref(j);
	REQUIRE(parse(MRVB_L1 "\n" MRVB_L2, &m) == 0);
	j = kyc_mrz_to_json(&m);
	REQUIRE(j != NULL);
	c = json_object_get(j, "checks");
	CHECK_INT(json_object_size(c), 3);
	CHECK(json_object_get(c, "composite") == NULL);
	json_decref(j);
	j = kyc_mrz_error_json("x");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
	          "mrz_not_recognized");
	json_decref(j);
}

/* The command itself: $KYCD_BIN mrz, several documents, one bad. */
TEST(cli_mrz)
{
	const char *bin = getenv("KYCD_BIN");
	if (!bin) {
		fprintf(stderr, "  KYCD_BIN not set, skipped\n");
		return;
	}
	char path[] = "/tmp/kycd_mrz_XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	FILE *in = fdopen(fd, "w");
	REQUIRE(in != NULL);
	fprintf(in, "%s\n%s\n\n\n%s\r\n%s\r\n%s\r\n\nnot an mrz\n\n%s\n%s\n", TD3_L1,
	        "L898902C36UTO74O8122F1204159ZE184226B<<<<<10", TD1_L1, TD1_L2, TD1_L3, MRVB_L1,
	        MRVB_L2);
	fclose(in);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s mrz < %s", bin, path);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != NULL);
	char line[4096];
	json_t *docs[8];
	int n = 0;
	while (n < 8 && fgets(line, sizeof line, p))
		docs[n++] = json_loads(line, 0, NULL);
	int status = pclose(p);
	unlink(path);
	CHECK_INT(n, 4);
	CHECK(status != 0); /* one document did not parse */
	if (n == 4) {
		CHECK_STR(json_string_value(json_object_get(docs[0], "format")), "TD3");
		CHECK(json_is_true(json_object_get(docs[0], "valid")));
		CHECK_STR(json_string_value(
		              json_object_get(json_object_get(docs[0], "fields"), "birth_date")),
		          "1974-08-12");
		CHECK_STR(json_string_value(json_object_get(docs[1], "format")), "TD1");
		CHECK_STR(
		    json_string_value(json_object_get(json_object_get(docs[2], "error"), "code")),
		    "mrz_not_recognized");
		CHECK_STR(json_string_value(json_object_get(docs[3], "format")), "MRVB");
	}
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
	/* All good: exit 0. */
	snprintf(cmd, sizeof cmd, "printf '%%s\\n%%s\\n' '%s' '%s' | %s mrz >/dev/null", TD2_L1,
	         TD2_L2, bin);
	CHECK_INT(system(cmd), 0);
}

/* Fillers carry no check digit: letters after the end of the names are
 * corrected when the OCR offers the filler, else flagged (not valid), and
 * every field says how sure its characters were. */
TEST(fillers_and_confidence)
{
	struct kyc_mrz m;
	char err[160];
	/* typed text: nothing to be unsure of, but the structure is broken */
	REQUIRE(parse(TD1_L1 "\n" TD1_L2 "\nERIKSSON<<ANNA<MARIA<<<<<<44<<\n", &m) == 0);
	CHECK(!m.valid);
	CHECK(has_warning(&m, KYC_MRZ_W_FILLER_INVALID));
	CHECK(m.field_conf[KYC_MRZ_F_GIVEN_NAMES] <= 0.2f);
	CHECK(m.field_conf[KYC_MRZ_F_BIRTH_DATE] == 1.0f);
	/* a single given name ending in "<<" is no anomaly */
	REQUIRE(parse(TD1_L1 "\n" TD1_L2 "\nERIKSSON<<ANNA<<<<<<<<<<<<<<<<\n", &m) == 0);
	CHECK(m.valid);
	CHECK(!has_warning(&m, KYC_MRZ_W_FILLER_INVALID));
	/* OCR: an S among the fillers whose runner-up is the filler */
	const char *text = TD3_L1 "\n" TD3_L2 "\n";
	char t[128], alt[128];
	float conf[128];
	size_t n = strlen(text);
	memcpy(t, text, n);
	memset(alt, 0, sizeof alt);
	for (size_t i = 0; i < n; i++)
		conf[i] = 0.99f;
	t[30] = 'S';
	alt[30] = '<';
	conf[30] = 0.6f;
	conf[8] = 0.4f; /* an unsure letter of the surname */
	REQUIRE(kyc_mrz_parse_ocr(t, alt, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(!m.valid); /* read, every check digit holds, but not sure */
	CHECK(has_warning(&m, KYC_MRZ_W_CHARACTERS_UNSURE));
	CHECK(!has_warning(&m, KYC_MRZ_W_FILLER_INVALID));
	CHECK_STR(m.lines[0], TD3_L1);
	CHECK_STR(m.given_names, "ANNA MARIA");
	CHECK(m.field_conf[KYC_MRZ_F_SURNAME] < 0.5f);
	CHECK(m.field_conf[KYC_MRZ_F_DOCUMENT_NUMBER] > 0.98f);
	/* the same S without the filler as runner-up: flagged */
	alt[30] = 'B';
	REQUIRE(kyc_mrz_parse_ocr(t, alt, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(!m.valid);
	CHECK(has_warning(&m, KYC_MRZ_W_FILLER_INVALID));
	/* a correction no check digit confirms (a digit in a name) is unsure */
	memcpy(t, text, n);
	t[9] = '5';
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, NULL, n, today(), &m, err, sizeof err) == 0);
	CHECK_STR(m.surname, "ERIKSSON");
	CHECK(m.field_conf[KYC_MRZ_F_SURNAME] <= 0.5f);
	/* a correction a check digit confirms is not */
	memcpy(t, text, n);
	t[45 + 15] = 'O';
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, NULL, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.valid);
	CHECK(m.field_conf[KYC_MRZ_F_BIRTH_DATE] == 1.0f);
	/* confidences out of range count as unsure, never as more than sure */
	memcpy(t, text, n);
	conf[2] = -3;
	conf[3] = 7;
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.field_conf[KYC_MRZ_F_ISSUING_COUNTRY] == 0.0f);
	/* the JSON carries one confidence per field */
	json_t *j = kyc_mrz_to_json(&m);
	REQUIRE(j != NULL);
	CHECK(json_object_size(json_object_get(j, "confidence")) == KYC_MRZ_NFIELDS);
	CHECK(json_is_number(json_object_get(json_object_get(j, "confidence"), "surname")));
	json_decref(j);
}

/* A check digit cannot tell letters ten apart (C = 12, M = 22), so a
 * document number read with such a letter unsure passes every check: valid
 * only when the OCR was sure of every field but the dates, whose digits each
 * change their check digit. */
TEST(unsure_characters_are_not_valid)
{
	struct kyc_mrz m;
	char err[160], t[128];
	float conf[128];
	size_t n = (size_t)snprintf(t, sizeof t, "%s\n%s\n", TD3_L1, TD3_L2);
	for (size_t i = 0; i < n; i++)
		conf[i] = 0.97f;
	t[45 + 7] = 'M';
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.checks_ok == m.checks); /* the misread passes the digits */
	CHECK(m.valid);                 /* and a sure OCR is taken at its word */
	conf[45 + 7] = 0.6f;
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.checks_ok == m.checks);
	CHECK(!m.valid);
	CHECK(has_warning(&m, KYC_MRZ_W_CHARACTERS_UNSURE));
	CHECK(m.field_conf[KYC_MRZ_F_DOCUMENT_NUMBER] < KYC_MRZ_CONF_ACCEPT);
	json_t *j = kyc_mrz_to_json(&m);
	REQUIRE(j != NULL);
	const json_t *w = json_object_get(j, "warnings");
	int listed = 0;
	for (size_t i = 0; i < json_array_size(w); i++)
		listed |= !strcmp(json_string_value(json_array_get(w, i)), "characters_unsure");
	CHECK(listed);
	CHECK(json_is_false(json_object_get(j, "valid")));
	json_decref(j);
	/* the sex has no check digit either */
	t[45 + 7] = 'C';
	conf[45 + 7] = 0.97f;
	conf[45 + 20] = 0.7f;
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(!m.valid);
	CHECK(has_warning(&m, KYC_MRZ_W_CHARACTERS_UNSURE));
	/* an unsure date digit alone: one wrong digit would break its check */
	conf[45 + 20] = 0.97f;
	conf[45 + 15] = 0.6f;
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, conf, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.valid);
	CHECK(!has_warning(&m, KYC_MRZ_W_CHARACTERS_UNSURE));
	/* typed text (no confidences) is not OCR: valid as its digits say */
	t[45 + 7] = 'M';
	REQUIRE(kyc_mrz_parse_ocr(t, NULL, NULL, n, today(), &m, err, sizeof err) == 0);
	CHECK(m.valid);
}

/* The TD3 fixture with character pos changed to ch, parsed: a digit where
 * only letters stand must leave it not valid, flagged, its field unsure. */
static void check_digit_in_letters(int pos, char ch, enum kyc_mrz_field field)
{
	struct kyc_mrz m;
	char t[128];
	snprintf(t, sizeof t, "%s\n%s\n", TD3_L1, TD3_L2);
	t[pos] = ch;
	REQUIRE(parse(t, &m) == 0);
	CHECK(!m.valid);
	CHECK(has_warning(&m, KYC_MRZ_W_CHARACTERS_INVALID));
	CHECK(m.field_conf[field] <= 0.2f);
	CHECK(m.field_conf[KYC_MRZ_F_DOCUMENT_NUMBER] == 1.0f);
}

/* Codes and names hold letters and fillers only: a digit there without a
 * look-alike letter is a misread no check digit sees, so never valid. */
TEST(digits_where_letters_stand)
{
	struct kyc_mrz m;
	char t[128];
	snprintf(t, sizeof t, "%s\n%s\n", TD3_L1, TD3_L2);
	REQUIRE(parse(t, &m) == 0);
	CHECK(m.valid);
	CHECK(!has_warning(&m, KYC_MRZ_W_CHARACTERS_INVALID));
	check_digit_in_letters(8, '4', KYC_MRZ_F_SURNAME);
	check_digit_in_letters(3, '7', KYC_MRZ_F_ISSUING_COUNTRY);
	check_digit_in_letters(1, '9', KYC_MRZ_F_DOCUMENT_CODE);
	check_digit_in_letters(45 + 11, '3', KYC_MRZ_F_NATIONALITY);
	/* a digit with a look-alike letter is corrected, not flagged */
	t[9] = '5';
	REQUIRE(parse(t, &m) == 0);
	CHECK(m.valid);
	CHECK(!has_warning(&m, KYC_MRZ_W_CHARACTERS_INVALID));
}

int main(void)
{
	RUN(digits_where_letters_stand);
	RUN(fillers_and_confidence);
	RUN(unsure_characters_are_not_valid);
	RUN(specimen_td3);
	RUN(specimen_td1_td2);
	RUN(specimen_visas_and_uk);
	RUN(specimen_french_id);
	RUN(broken_check_digits);
	RUN(long_document_number_td1);
	RUN(long_document_number_td2);
	RUN(empty_personal_number);
	RUN(names);
	RUN(sex_and_countries);
	RUN(more_quirks);
	RUN(dates_and_centuries);
	RUN(partial_birth_dates);
	RUN(errors);
	RUN(realdocs_truth);
	RUN(json_shape);
	RUN(cli_mrz);
	return test_done("mrz");
}
