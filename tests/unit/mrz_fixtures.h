/* Shared by the MRZ unit tests (mrz_test.c, mrz_correct_test.c): a fixed
 * "today", the ICAO specimens, builders that compute check digits with
 * kyc_mrz_check_digit(), and a seeded generator of valid MRZs. */
#ifndef KYC_MRZ_FIXTURES_H
#define KYC_MRZ_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "document/mrz.h"

/* A fixed "today" so the century rules are tested, not the calendar. */
static inline int64_t today(void)
{
	return kyc_days_from_civil(2026, 6, 15);
}

static inline int parse(const char *text, struct kyc_mrz *m)
{
	char err[160];
	return kyc_mrz_parse(text, strlen(text), today(), m, err, sizeof err);
}

static inline int check_ok(const struct kyc_mrz *m, enum kyc_mrz_check c)
{
	return (m->checks_ok >> c) & 1;
}

static inline int has_warning(const struct kyc_mrz *m, enum kyc_mrz_warning w)
{
	return (m->warnings >> w) & 1;
}

static inline const struct kyc_mrz_correction *find_corr(const struct kyc_mrz *m, const char *field)
{
	for (int i = 0; i < m->ncorrections; i++)
		if (!strcmp(m->corrections[i].field, field))
			return &m->corrections[i];
	return NULL;
}

/* The ICAO 9303 specimens (public test data; also in ../shared/realdocs). */
#define TD1_L1 "I<UTOD231458907<<<<<<<<<<<<<<<"
#define TD1_L2 "7408122F1204159UTO<<<<<<<<<<<6"
#define TD1_L3 "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
#define TD2_L1 "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
#define TD2_L2 "D231458907UTO7408122F1204159<<<<<<<6"
#define TD3_L1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_L2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define MRVA_L1 "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define MRVA_L2 "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"
#define MRVB_L1 "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"
#define MRVB_L2 "L8988901C4XXX4009078F9612109<<<<<<<<"
#define FRID_L1 "IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013"
#define FRID_L2 "0506932020438CHRISTIANE<<NI2906209F3"

/* Changes one char of a specimen and parses it. */
static inline int parse_with(const char *l1, const char *l2, const char *l3, int line, int col,
                             char c, struct kyc_mrz *m)
{
	char b[3][48], text[160];
	snprintf(b[0], sizeof b[0], "%s", l1);
	snprintf(b[1], sizeof b[1], "%s", l2);
	snprintf(b[2], sizeof b[2], "%s", l3 ? l3 : "");
	if (line >= 0)
		b[line][col] = c;
	snprintf(text, sizeof text, "%s\n%s\n%s", b[0], b[1], b[2]);
	return parse(text, m);
}

/* Sets line[at] to the check digit of line[start..start+n). */
static inline void set_cd(char *line, int start, int n, int at)
{
	line[at] = (char)('0' + kyc_mrz_check_digit(line + start, (size_t)n));
}

static inline void set_composite(int format, char *l1, char *l2)
{
	char b[80];
	size_t n = 0;
	if (format == KYC_MRZ_TD1) {
		memcpy(b, l1 + 5, 25), n = 25;
		memcpy(b + n, l2, 7), n += 7;
		memcpy(b + n, l2 + 8, 7), n += 7;
		memcpy(b + n, l2 + 18, 11), n += 11;
		l2[29] = (char)('0' + kyc_mrz_check_digit(b, n));
		return;
	}
	int at = format == KYC_MRZ_TD3 ? 43 : 35;
	memcpy(b, l2, 10), n = 10;
	memcpy(b + n, l2 + 13, 7), n += 7;
	memcpy(b + n, l2 + 21, (size_t)(at - 21)), n += (size_t)(at - 21);
	l2[at] = (char)('0' + kyc_mrz_check_digit(b, n));
}

static inline int parse3(const char *l1, const char *l2, const char *l3, struct kyc_mrz *m)
{
	return parse_with(l1, l2, l3, -1, 0, 0, m);
}

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static inline unsigned rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 0x2545F4914F6CDD1Dull) >> 33) % n;
}

static inline void rnd_chars(char *p, int n, const char *set)
{
	size_t k = strlen(set);
	for (int i = 0; i < n; i++)
		p[i] = set[rnd((unsigned)k)];
}

static inline void rnd_date(char *p, int y0, int span)
{
	int y = y0 + (int)rnd((unsigned)span), mo = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
	char b[8];
	snprintf(b, sizeof b, "%02d%02d%02d", y % 100, mo, d);
	memcpy(p, b, 6);
}

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char *const COUNTRIES[] = {"UTO", "DEU", "FRA", "GBR", "D<<", "NLD", "XXA", "ITA"};

/* A random valid MRZ of a random format; returns its line count. */
static inline int gen_mrz(char l[3][48], int *format)
{
	static const int formats[] = {KYC_MRZ_TD1, KYC_MRZ_TD2, KYC_MRZ_TD3};
	*format = formats[rnd(3)];
	int w = *format == KYC_MRZ_TD1 ? 30 : *format == KYC_MRZ_TD2 ? 36 : 44;
	for (int i = 0; i < 3; i++) {
		memset(l[i], '<', (size_t)w);
		l[i][w] = '\0';
	}
	const char *country = COUNTRIES[rnd(8)];
	/* Document numbers as issued: all digits, a letter prefix, or any mix. */
	char num[10];
	unsigned kind = rnd(3);
	rnd_chars(num, 9, kind == 2 ? ALNUM : "0123456789");
	if (kind == 1)
		rnd_chars(num, 1 + (int)rnd(2), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	const char *nat = COUNTRIES[rnd(8)];
	char name[48];
	int sl = 3 + (int)rnd(10), gl = 2 + (int)rnd(8);
	memset(name, '<', sizeof name);
	rnd_chars(name, sl, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	rnd_chars(name + sl + 2, gl, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	l[0][0] = *format == KYC_MRZ_TD3 ? 'P' : 'I';
	memcpy(l[0] + 2, country, 3);
	int doff = *format == KYC_MRZ_TD1 ? 0 : 13; /* where the birth date starts */
	char *L2 = l[1];
	if (*format == KYC_MRZ_TD1) {
		memcpy(l[0] + 5, num, 9);
		set_cd(l[0], 5, 9, 14);
		memcpy(l[2], name, 30);
		memcpy(L2 + 15, nat, 3);
		if (rnd(2))
			rnd_chars(l[0] + 15, (int)rnd(6), ALNUM);
	} else {
		memcpy(l[0] + 5, name, (size_t)(w - 5));
		memcpy(L2, num, 9);
		set_cd(L2, 0, 9, 9);
		memcpy(L2 + 10, nat, 3);
		if (*format == KYC_MRZ_TD3 && rnd(2)) {
			rnd_chars(L2 + 28, 1 + (int)rnd(13), ALNUM);
			set_cd(L2, 28, 14, 42);
		}
	}
	rnd_date(L2 + doff, 1930, 95);
	set_cd(L2, doff, 6, doff + 6);
	L2[doff + 7] = "FMX<"[rnd(4)];
	rnd_date(L2 + doff + 8, 2015, 20);
	set_cd(L2, doff + 8, 6, doff + 14);
	set_composite(*format, l[0], L2);
	l[0][w] = l[1][w] = l[2][w] = '\0';
	return *format == KYC_MRZ_TD1 ? 3 : 2;
}

static inline int parse_lines(char l[3][48], int n, struct kyc_mrz *m)
{
	char text[160];
	if (n == 3)
		snprintf(text, sizeof text, "%s\n%s\n%s\n", l[0], l[1], l[2]);
	else
		snprintf(text, sizeof text, "%s\n%s\n", l[0], l[1]);
	return parse(text, m);
}

/* Parses lines with OCR second choices: hints[i] is "line col char". */
static inline int parse_hinted(char l[3][48], int n, const int (*hints)[3], int nh,
                               struct kyc_mrz *m)
{
	char text[160], alt[160];
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s\n", l[i]);
	memset(alt, 0, sizeof alt);
	for (int k = 0; k < nh; k++) {
		size_t off = (size_t)hints[k][0] * (strlen(l[0]) + 1) + (size_t)hints[k][1];
		alt[off] = (char)hints[k][2];
	}
	char err[160];
	return kyc_mrz_parse_ex(text, alt, len, today(), m, err, sizeof err);
}

#endif
