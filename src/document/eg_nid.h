/* The Egyptian national ID card: its fields, the 14-digit national number's
 * decoder, the cross-checks between what the card prints and what its number
 * says, and the ICAO Doc 9303 Part 3 transliteration of Arabic names
 * (docs/card.md). Pure functions on strings: no I/O, no allocation.
 *
 * The national number is C YYMMDD GG SSSS K: C the century (2 = 1900s,
 * 3 = 2000s), YYMMDD the birth date, GG the governorate of birth (88 = born
 * abroad), SSSS the registry sequence whose last digit is odd for a man and
 * even for a woman, K a check digit (its algorithm is not published: it is
 * not verified). */
#ifndef KYC_EG_NID_H
#define KYC_EG_NID_H

#include <stddef.h>

/* What the two faces print. Arabic strings are UTF-8; numbers and dates are
 * ASCII (dates YYYY-MM-DD). An empty string: not printed or not read. */
struct kyc_egnid_card {
	/* front */
	char first_name[96];  /* the holder's own name */
	char rest_name[256];  /* father's, grandfather's and family names */
	char address1[192];   /* street and district */
	char address2[192];   /* town and governorate */
	char birth_date[11];  /* printed under the portrait */
	char national_number[15];
	char serial[16];      /* the card's document number, Latin letters and digits */
	/* back */
	char national_number_back[15];
	char issue_date[11];
	char profession[192];
	char gender[32];         /* ذكر or أنثى */
	char religion[32];
	char marital_status[32];
	char husband_name[192];  /* a married woman's husband, where printed */
	char expiry_date[11];
};

/* A decoded national number. */
struct kyc_egnid_number {
	char birth_date[11]; /* YYYY-MM-DD */
	int governorate;     /* 1..35 or 88 */
	char sex;            /* 'M' or 'F' */
};

/* Decodes a 14-digit national number (ASCII or Eastern Arabic digits, len
 * bytes, not NUL-terminated). 0, or KYC_ERR_INVALID with *field naming what
 * is wrong ("length", "digit", "century", "birth_date", "governorate"). */
int kyc_egnid_number_decode(const char *s, size_t len, struct kyc_egnid_number *out,
			    const char **field);

/* Days in month m (1..12) of year y, Gregorian. */
int kyc_egnid_days_in_month(int y, int m);

/* The most likely national number that decodes (century 2 or 3, a birth
 * date that exists, a governorate that is one), given for each of the 14
 * positions the probability of each digit (prob[k][0..9], from the digit
 * reader; a position's probabilities need not sum to 1). Writes it into out
 * (14 ASCII digits, NUL-terminated) and returns the log of its probability;
 * the sequence and the check digit are taken as the most likely digits, the
 * check digit's algorithm being unpublished. */
double kyc_egnid_number_likeliest(const float prob[14][11], char out[15]);

/* The governorate of code, in English and in Arabic (static strings), or
 * NULL for a code that is not one. 88 is "Born abroad". */
const char *kyc_egnid_governorate_en(int code);
const char *kyc_egnid_governorate_ar(int code);

/* The sex the printed gender word means: 'M' for ذكر, 'F' for أنثى, 0 else. */
char kyc_egnid_gender_sex(const char *gender);

/* Rewrites Eastern Arabic (and Persian) digits in src as ASCII into dst (cap
 * bytes, always NUL-terminated), dropping everything but digits. Returns the
 * number of digits written. */
size_t kyc_egnid_ascii_digits(const char *src, char *dst, size_t cap);

/* The contradictions between the number and what the card prints, and
 * between the front and the back: each a stable code in codes[] (at most
 * cap), e.g. "birth_date_mismatch", "sex_mismatch", "number_front_back",
 * "number_invalid", "expiry_before_issue". Fields not read are not compared.
 * Returns how many were found (may exceed cap; only cap are stored). */
int kyc_egnid_cross_check(const struct kyc_egnid_card *c, const char **codes, int cap);

/* Transliterates an Arabic name (UTF-8) to Latin capitals by the table of
 * ICAO Doc 9303 Part 3 (for example محمد -> MXHMD), words kept apart by one
 * space; other characters (Latin letters included) pass through upper-cased,
 * diacritics (harakat, tatweel) are dropped. dst gets at most cap - 1 bytes,
 * NUL-terminated and never cut inside a letter's transliteration. Returns 0,
 * or KYC_ERR_TOOBIG when it had to stop early. */
int kyc_egnid_transliterate(const char *src, char *dst, size_t cap);

#endif
