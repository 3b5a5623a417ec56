/* MRZ (machine readable zone, ICAO 9303) parsing, validation and correction.
 *
 * Pure computation: no I/O and no allocation while parsing (the JSON builder
 * allocates jansson objects). Formats: TD1 (3x30), TD2 (2x36), TD3 (2x44),
 * MRV-A (2x44, code V), MRV-B (2x36, code V) and the French national ID card
 * of 1988-2021 (2x36, "IDFRA", its own layout). docs/mrz.md describes the
 * quirks handled, the century rule and the correction rules. */
#ifndef KYC_MRZ_H
#define KYC_MRZ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* The ICAO 9303 check digit (weights 7,3,1; '<' = 0, A-Z = 10-35) of n chars.
 * Returns 0..9, or -1 when s holds a character outside 0-9, A-Z and '<'. */
int kyc_mrz_check_digit(const char *s, size_t n);
/* A character's value in that check digit: 0-9 for digits, 10-35 for A-Z,
 * 0 for '<' and anything else (the readers' candidates, which the check
 * digit's own input never holds). */
int kyc_mrz_char_weight(char c);

enum kyc_mrz_format {
	KYC_MRZ_NONE = 0,
	KYC_MRZ_TD1,  /* ID card, 3 lines of 30 */
	KYC_MRZ_TD2,  /* ID card / other official document, 2 lines of 36 */
	KYC_MRZ_TD3,  /* passport, 2 lines of 44 */
	KYC_MRZ_MRVA, /* visa, 2 lines of 44 */
	KYC_MRZ_MRVB, /* visa, 2 lines of 36 */
	KYC_MRZ_FRID, /* French national ID card (1988-2021), 2 lines of 36 */
};

/* The check digits a format may carry; bit (1u << check) in the masks below. */
enum kyc_mrz_check {
	KYC_MRZ_CHECK_DOCUMENT_NUMBER,
	KYC_MRZ_CHECK_BIRTH_DATE,
	KYC_MRZ_CHECK_EXPIRY_DATE,
	KYC_MRZ_CHECK_OPTIONAL_DATA, /* TD3 personal number */
	KYC_MRZ_CHECK_COMPOSITE,
	KYC_MRZ_NCHECKS
};

/* Things worth knowing that do not make the MRZ invalid by themselves
 * (except the *_INVALID ones, which clear `valid`). Bits of kyc_mrz.warnings. */
enum kyc_mrz_warning {
	KYC_MRZ_W_ISSUER_UNKNOWN,       /* issuing state not in the ICAO code table */
	KYC_MRZ_W_NATIONALITY_UNKNOWN,  /* nationality not in the ICAO code table */
	KYC_MRZ_W_BIRTH_PARTIAL,        /* day or month unknown ('<'): "YYYY-MM" or "YYYY" */
	KYC_MRZ_W_BIRTH_UNKNOWN,        /* birth date all '<': "" */
	KYC_MRZ_W_BIRTH_INVALID,        /* not a calendar date: "", valid = 0 */
	KYC_MRZ_W_EXPIRY_NONE,          /* expiry all '<' (no expiry): "" */
	KYC_MRZ_W_EXPIRY_INVALID,       /* not a calendar date: "", valid = 0 */
	KYC_MRZ_W_NAME_TRUNCATED,       /* the name field is full: the name may be cut */
	KYC_MRZ_W_SEX_INVALID,          /* sex not F, M, X or '<' (a misread): reported as
	                                 * "X", valid = 0 */
	KYC_MRZ_W_DOCUMENT_NUMBER_LONG, /* > 9 chars, continued in the optional data */
	KYC_MRZ_W_FILLER_INVALID,       /* a character among the fillers that end the names
	                                 * (or an unsure lone one in optional data), which no
	                                 * correction could settle: valid = 0 */
	KYC_MRZ_W_CHARACTERS_INVALID,   /* a digit where only letters and fillers may stand
	                                 * (document code, issuing state, nationality,
	                                 * names) that no correction could settle: a
	                                 * misread, valid = 0 */
	KYC_MRZ_W_CHARACTERS_UNSURE,    /* OCR'd lines only: a field other than the dates
	                                 * below KYC_MRZ_CONF_ACCEPT. Check digits pass by
	                                 * chance (two errors cancel, letters ten apart
	                                 * share a value) and names have none; or a
	                                 * date whose check digit and a digit are both
	                                 * unsure: valid = 0 */
	KYC_MRZ_NWARNINGS
};

/* The fields of a parsed MRZ, in the order `kycd mrz` prints them. */
enum kyc_mrz_field {
	KYC_MRZ_F_DOCUMENT_CODE,
	KYC_MRZ_F_ISSUING_COUNTRY,
	KYC_MRZ_F_DOCUMENT_NUMBER,
	KYC_MRZ_F_SURNAME,
	KYC_MRZ_F_GIVEN_NAMES,
	KYC_MRZ_F_NATIONALITY,
	KYC_MRZ_F_BIRTH_DATE,
	KYC_MRZ_F_SEX,
	KYC_MRZ_F_EXPIRY_DATE,
	KYC_MRZ_F_OPTIONAL_DATA,
	KYC_MRZ_F_OPTIONAL_DATA_2,
	KYC_MRZ_NFIELDS
};

/* Below this confidence a field is not to be taken as read (docs/mrz.md). */
#define KYC_MRZ_CONF_ACCEPT 0.9f

#define KYC_MRZ_MAX_CORRECTIONS 24

/* One correction: the field ("birth_date", "document_number_check", "names",
 * ...) and its raw MRZ text before and after. */
struct kyc_mrz_correction {
	char field[32];
	char from[48];
	char to[48];
};

/* A parsed MRZ. All strings are NUL-terminated; fields absent from a format are "". */
struct kyc_mrz {
	enum kyc_mrz_format format;
	int nlines;
	char lines[3][48]; /* the lines after correction */

	char document_code[3];    /* "P", "I", "ID", "V", ... (fillers removed) */
	char issuing_country[4];  /* "UTO", "D" (fillers removed) */
	char document_number[40]; /* whole number, long numbers joined, fillers removed */
	char surname[48];
	char given_names[48]; /* components separated by one space */
	char nationality[4];
	char birth_date[11];      /* "YYYY-MM-DD", "YYYY-MM", "YYYY" or "" (see warnings) */
	char sex[2];              /* "F", "M" or "X" */
	char expiry_date[11];     /* "YYYY-MM-DD" or "" */
	char optional_data[48];   /* TD3 personal number, TD1 line 1 / TD2 / MRV optional data,
	                           * FRID office code; fillers trimmed */
	char optional_data_2[48]; /* TD1 line 2 optional data */

	unsigned checks;    /* which checks the format carries (bits of enum kyc_mrz_check) */
	unsigned checks_ok; /* which of them passed */
	unsigned warnings;  /* bits of enum kyc_mrz_warning */
	int valid;          /* every carried check passed, the dates are calendar dates and,
	                     * for OCR'd lines, every field but the dates is at least
	                     * KYC_MRZ_CONF_ACCEPT sure */

	int ncorrections;
	struct kyc_mrz_correction corrections[KYC_MRZ_MAX_CORRECTIONS];

	/* How sure each field is, in [0,1]: the least sure of its characters
	 * (check digit included), as the OCR gave them (1 for typed text); a
	 * character a correction changed without a check digit confirming it
	 * counts 0.5, a suspect filler 0.2. Indexed by enum kyc_mrz_field. */
	float field_conf[KYC_MRZ_NFIELDS];
};

/* Parses one MRZ: its 2 or 3 lines separated by '\n' or "\r\n" (trailing
 * spaces, tabs and CRs on a line and blank lines before/after are ignored).
 * today_days (days since 1970-01-01) anchors the century of the dates.
 * Corrects OCR confusions when check digits (or field types) confirm them.
 * Returns 0 and fills *out (even when out->valid is 0), or KYC_ERR_INVALID when
 * the text is no MRZ (wrong line count or length, bad characters, no
 * structure), with a human-readable reason in err (errsz bytes, may be 0).
 * text need not be NUL-terminated. */
int kyc_mrz_parse(const char *text, size_t len, int64_t today_days, struct kyc_mrz *out, char *err,
                  size_t errsz);

/* kyc_mrz_parse() with OCR hints: alt (len bytes, parallel to text, may be
 * NULL) holds for each character the OCR's second choice where it was unsure
 * of text[i], and 0 (or text[i]) where it was sure. A hint becomes a
 * candidate correction at its position, of any class (3 for 8 too), tried
 * before the look-alike rules and kept under the same rule: it must be the
 * only candidate that the check digit confirms. Pass hints for uncertain
 * characters only: every hint is a candidate that may pass by chance. */
int kyc_mrz_parse_ex(const char *text, const char *alt, size_t len, int64_t today_days,
                     struct kyc_mrz *out, char *err, size_t errsz);

/* kyc_mrz_parse_ex() with the OCR's confidence per character too: conf
 * (len floats parallel to text, may be NULL for "sure") feeds field_conf,
 * and an unsure lone character among fillers is corrected to the filler when
 * alt offers it. */
int kyc_mrz_parse_ocr(const char *text, const char *alt, const float *conf, size_t len,
                      int64_t today_days, struct kyc_mrz *out, char *err, size_t errsz);

/* "document_code", "issuing_country", ... (the keys of "fields"); "" when
 * out of range. */
const char *kyc_mrz_field_name(enum kyc_mrz_field f);

/* "TD1", "TD2", "TD3", "MRVA", "MRVB", "FRID"; "" for KYC_MRZ_NONE. */
const char *kyc_mrz_format_name(enum kyc_mrz_format f);
/* "document_number", "birth_date", "expiry_date", "optional_data", "composite". */
const char *kyc_mrz_check_name(enum kyc_mrz_check c);
/* "issuing_country_unknown", "birth_date_partial", ... */
const char *kyc_mrz_warning_name(enum kyc_mrz_warning w);

/* 1 when the len chars of code (fillers '<' allowed at the end: "D<<") are an
 * ICAO 9303 issuing state / nationality code: ISO 3166-1 alpha-3, "D", the
 * British GBD/GBN/GBO/GBS/GBP, UN UNO/UNA/UNK, stateless/refugee XXA/XXB/XXC/XXX,
 * the specimen state UTO and the organisation codes (EUE, XPO, ...). */
int kyc_mrz_country_known(const char *code, size_t len);

/* The result as a new JSON object (caller json_decref()s it), NULL on NOMEM:
 * {"format","valid","lines","fields":{...},"checks":{...},"corrections":[...],
 *  "warnings":[...],"confidence":{...}}; "checks" holds exactly the checks the
 * format carries; "confidence" has the keys of "fields" (field_conf). */
json_t *kyc_mrz_to_json(const struct kyc_mrz *m);
/* {"error":{"code":"mrz_not_recognized","message":message}}, NULL on NOMEM. */
json_t *kyc_mrz_error_json(const char *message);

#endif
