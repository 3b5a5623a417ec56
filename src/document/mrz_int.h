/* Internals of the MRZ parser shared by mrz.c (layout, fields, dates) and
 * mrz_correct.c (OCR correction). Not for use outside src/document/mrz*.c. */
#ifndef KYC_MRZ_INT_H
#define KYC_MRZ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "document/mrz.h"

#define MRZ_MAXW 44 /* the widest line */

/* A run of characters of one line. len 0: absent in this format. */
struct mrz_span {
	uint8_t line, start, len;
};

/* Where each field of a format lives. */
struct mrz_layout {
	struct mrz_span code, issuer, docnum, docnum_cd, name, surname, given, nationality, birth,
	    birth_cd, sex, expiry, expiry_cd, opt1, opt1_cd, opt2, composite;
	struct mrz_span comp[4]; /* what the composite digit covers */
	int ncomp;
};

/* The character type of a position, which decides what a correction may do. */
enum mrz_ctype {
	MRZ_T_ALPHA = 'A', /* letters and '<': codes, names */
	MRZ_T_DIGIT = 'D', /* digits and '<': dates, check digits */
	MRZ_T_ALNUM = 'N', /* anything: document number, optional data */
	MRZ_T_SEX = 'S',
};

/* A check digit and the positions it covers. pos2 (n2 > 0) is a second
 * accepted reading of the same data (the long document number with its
 * filler counted, see docs/mrz.md). */
#define MRZ_GROUP_MAX 72
struct mrz_group {
	int check; /* enum kyc_mrz_check */
	int n, n2;
	uint8_t pos[MRZ_GROUP_MAX][2];
	uint8_t pos2[MRZ_GROUP_MAX][2];
	uint8_t cd[2];
	int empty_ok; /* all-filler data may carry '<' or '0' (TD3 personal number) */
};

/* The working state of one parse. */
struct mrz_work {
	enum kyc_mrz_format format;
	int nlines, width;
	char l[3][MRZ_MAXW + 4];    /* current (corrected) lines */
	char orig[3][MRZ_MAXW + 4]; /* as read */
	char type[3][MRZ_MAXW + 4];
	char alt[3][MRZ_MAXW + 4]; /* OCR second choices, 0 for none */
	float conf[3][MRZ_MAXW + 4]; /* OCR confidence per character, 1 when typed */
	struct mrz_layout lay;
	int long_docnum; /* document number continued in opt1 */
	int long_extra;  /* how many of its chars are in opt1 (the check digit follows) */
	struct mrz_group groups[KYC_MRZ_NCHECKS];
	int ngroups;
};

/* Detects the format of the lines in w->l (w->nlines set) and fills the
 * layout, the position types and the check groups. 0, or KYC_ERR_INVALID
 * with a reason in err when the lines are no MRZ format. */
int kyc_mrz__setup(struct mrz_work *w, char *err, size_t errsz);
/* Builds w->groups from w->lay and the current lines (the long document
 * number is detected from the lines). */
void kyc_mrz__build_groups(struct mrz_work *w);
/* 1 when the group's check digit matches its data. */
int kyc_mrz__group_ok(const struct mrz_work *w, const struct mrz_group *g);
/* The look-alike digit of a letter (O, Q, D, U -> 0 ...), or 0. */
char kyc_mrz__letter_to_digit(char c);
/* The look-alike letters of a digit, most likely first, or "". */
const char *kyc_mrz__digit_to_letters(char c);
/* After the corrections: letters among the fillers that end the names, and
 * unsure lone characters among the fillers of optional data without a check
 * digit, become '<' when the OCR's second choice says so, else are flagged
 * (KYC_MRZ_W_FILLER_INVALID in m->warnings, confidence 0.2). */
void kyc_mrz__check_fillers(struct mrz_work *w, struct kyc_mrz *m);
/* Fills m->field_conf from w->conf, the corrections and the checks; sets
 * KYC_MRZ_W_CHARACTERS_UNSURE when a date's check digit is unsure and so is
 * a digit of the date whose runner-up is another digit (two unknowns). */
void kyc_mrz__field_conf(const struct mrz_work *w, struct kyc_mrz *m);
/* Sets KYC_MRZ_W_CHARACTERS_UNSURE when a field other than the dates (digits
 * only, each under its own check digit and the composite, where one wrong
 * digit always shows) is below KYC_MRZ_CONF_ACCEPT. */
void kyc_mrz__unsure(struct kyc_mrz *m);
/* Runs every correction on w->l (see docs/mrz.md). */
void kyc_mrz__correct(struct mrz_work *w);

#endif
