#include "document/mrz.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "document/mrz_int.h"

static int mrz_char_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c == '<')
		return 0;
	return -1;
}

int kyc_mrz_char_weight(char c)
{
	int v = mrz_char_value(c);
	return v < 0 ? 0 : v;
}

int kyc_mrz_check_digit(const char *s, size_t n)
{
	static const int weights[3] = {7, 3, 1};
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		int v = mrz_char_value(s[i]);
		if (v < 0)
			return -1;
		sum += v * weights[i % 3];
	}
	return sum % 10;
}

const char *kyc_mrz_format_name(enum kyc_mrz_format f)
{
	static const char *const names[] = {"", "TD1", "TD2", "TD3", "MRVA", "MRVB", "FRID"};
	if ((int)f < 0 || (size_t)f >= sizeof names / sizeof names[0])
		return "";
	return names[f];
}

const char *kyc_mrz_check_name(enum kyc_mrz_check c)
{
	static const char *const names[KYC_MRZ_NCHECKS] = {
	    "document_number", "birth_date", "expiry_date", "optional_data", "composite"};
	if ((int)c < 0 || c >= KYC_MRZ_NCHECKS)
		return "";
	return names[c];
}

const char *kyc_mrz_warning_name(enum kyc_mrz_warning w)
{
	static const char *const names[KYC_MRZ_NWARNINGS] = {
	    "issuing_country_unknown", "nationality_unknown", "birth_date_partial",
	    "birth_date_unknown",      "birth_date_invalid",  "expiry_date_none",
	    "expiry_date_invalid",     "name_truncated",      "sex_invalid",
	    "document_number_long",    "filler_invalid",      "characters_invalid",
	    "characters_unsure"};
	if ((int)w < 0 || w >= KYC_MRZ_NWARNINGS)
		return "";
	return names[w];
}

/* ICAO 9303 part 3 codes that are not ISO 3166-1 alpha-3 (plus RKS, which
 * Kosovo issues and other states accept). */
static const char icao_special[][4] = {
    "D",   "GBD", "GBN", "GBO", "GBS", "GBP", "UNO", "UNA", "UNK",
    "XXA", "XXB", "XXC", "XXX", "UTO", "EUE", "XBA", "XIM", "XCC",
    "XCE", "XCO", "XEC", "XPO", "XOM", "XDC", "XES", "XMP", "RKS",
};

int kyc_mrz_country_known(const char *code, size_t len)
{
	while (len > 0 && code[len - 1] == '<')
		len--;
	if (len == 0 || len > 3)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return 0;
	if (len == 3 && kyc_country_alpha3_valid(code, 3))
		return 1;
	for (size_t i = 0; i < sizeof icao_special / sizeof icao_special[0]; i++)
		if (strlen(icao_special[i]) == len && !memcmp(icao_special[i], code, len))
			return 1;
	return 0;
}

#define SP(l, s, n) ((struct mrz_span){(l), (s), (n)})

static void layout_for(struct mrz_work *w)
{
	struct mrz_layout *y = &w->lay;
	memset(y, 0, sizeof *y);
	y->code = SP(0, 0, 2);
	y->issuer = SP(0, 2, 3);
	switch (w->format) {
	case KYC_MRZ_TD1:
		y->docnum = SP(0, 5, 9);
		y->docnum_cd = SP(0, 14, 1);
		y->opt1 = SP(0, 15, 15);
		y->birth = SP(1, 0, 6);
		y->birth_cd = SP(1, 6, 1);
		y->sex = SP(1, 7, 1);
		y->expiry = SP(1, 8, 6);
		y->expiry_cd = SP(1, 14, 1);
		y->nationality = SP(1, 15, 3);
		y->opt2 = SP(1, 18, 11);
		y->composite = SP(1, 29, 1);
		y->name = SP(2, 0, 30);
		y->comp[0] = SP(0, 5, 25);
		y->comp[1] = SP(1, 0, 7);
		y->comp[2] = SP(1, 8, 7);
		y->comp[3] = SP(1, 18, 11);
		y->ncomp = 4;
		break;
	case KYC_MRZ_TD2:
	case KYC_MRZ_MRVB:
	case KYC_MRZ_TD3:
	case KYC_MRZ_MRVA: {
		int wide = w->format == KYC_MRZ_TD3 || w->format == KYC_MRZ_MRVA;
		y->name = SP(0, 5, wide ? 39 : 31);
		y->docnum = SP(1, 0, 9);
		y->docnum_cd = SP(1, 9, 1);
		y->nationality = SP(1, 10, 3);
		y->birth = SP(1, 13, 6);
		y->birth_cd = SP(1, 19, 1);
		y->sex = SP(1, 20, 1);
		y->expiry = SP(1, 21, 6);
		y->expiry_cd = SP(1, 27, 1);
		if (w->format == KYC_MRZ_TD3) {
			y->opt1 = SP(1, 28, 14);
			y->opt1_cd = SP(1, 42, 1);
			y->composite = SP(1, 43, 1);
		} else if (w->format == KYC_MRZ_TD2) {
			y->opt1 = SP(1, 28, 7);
			y->composite = SP(1, 35, 1);
		} else {
			y->opt1 = SP(1, 28, wide ? 16 : 8);
		}
		if (y->composite.len) {
			y->comp[0] = SP(1, 0, 10);
			y->comp[1] = SP(1, 13, 7);
			y->comp[2] = SP(1, 21, (uint8_t)(y->composite.start - 21));
			y->ncomp = 3;
		}
		break;
	}
	case KYC_MRZ_FRID:
		y->surname = SP(0, 5, 25);
		y->opt1 = SP(0, 30, 6);
		y->docnum = SP(1, 0, 12);
		y->docnum_cd = SP(1, 12, 1);
		y->given = SP(1, 13, 14);
		y->birth = SP(1, 27, 6);
		y->birth_cd = SP(1, 33, 1);
		y->sex = SP(1, 34, 1);
		y->composite = SP(1, 35, 1);
		y->comp[0] = SP(0, 0, 36);
		y->comp[1] = SP(1, 0, 35);
		y->ncomp = 2;
		break;
	default:
		break;
	}
}

static void set_type(struct mrz_work *w, struct mrz_span s, char t)
{
	for (int i = 0; i < s.len; i++)
		w->type[s.line][s.start + i] = t;
}

static void types_for(struct mrz_work *w)
{
	const struct mrz_layout *y = &w->lay;
	memset(w->type, MRZ_T_ALNUM, sizeof w->type);
	set_type(w, y->code, MRZ_T_ALPHA);
	set_type(w, y->issuer, MRZ_T_ALPHA);
	set_type(w, y->nationality, MRZ_T_ALPHA);
	set_type(w, y->name, MRZ_T_ALPHA);
	set_type(w, y->surname, MRZ_T_ALPHA);
	set_type(w, y->given, MRZ_T_ALPHA);
	set_type(w, y->sex, MRZ_T_SEX);
	set_type(w, y->birth, MRZ_T_DIGIT);
	set_type(w, y->birth_cd, MRZ_T_DIGIT);
	set_type(w, y->expiry, MRZ_T_DIGIT);
	set_type(w, y->expiry_cd, MRZ_T_DIGIT);
	set_type(w, y->docnum_cd, MRZ_T_DIGIT);
	set_type(w, y->opt1_cd, MRZ_T_DIGIT);
	set_type(w, y->composite, MRZ_T_DIGIT);
}

static void group_add(struct mrz_group *g, struct mrz_span s)
{
	for (int i = 0; i < s.len && g->n < MRZ_GROUP_MAX; i++) {
		g->pos[g->n][0] = s.line;
		g->pos[g->n][1] = (uint8_t)(s.start + i);
		g->n++;
	}
}

static void group_add2(struct mrz_group *g, struct mrz_span s)
{
	for (int i = 0; i < s.len && g->n2 < MRZ_GROUP_MAX; i++) {
		g->pos2[g->n2][0] = s.line;
		g->pos2[g->n2][1] = (uint8_t)(s.start + i);
		g->n2++;
	}
}

static struct mrz_group *group_new(struct mrz_work *w, int check, struct mrz_span cd)
{
	struct mrz_group *g = &w->groups[w->ngroups++];
	memset(g, 0, sizeof *g);
	g->check = check;
	g->cd[0] = cd.line;
	g->cd[1] = cd.start;
	return g;
}

/* TD1 and TD2 numbers longer than 9 chars: '<' at the check digit position,
 * the rest of the number and then its check digit at the start of the
 * optional data. The check digit is the last char before the first filler. */
static void detect_long_docnum(struct mrz_work *w)
{
	const struct mrz_layout *y = &w->lay;
	w->long_docnum = 0;
	w->long_extra = 0;
	if (w->format != KYC_MRZ_TD1 && w->format != KYC_MRZ_TD2)
		return;
	if (w->l[y->docnum_cd.line][y->docnum_cd.start] != '<')
		return;
	const char *o = &w->l[y->opt1.line][y->opt1.start];
	int run = 0;
	while (run < y->opt1.len && o[run] != '<')
		run++;
	/* At least one more char of the number and the check digit, which must
	 * read as a digit (or a letter that corrections may turn into one). */
	if (run < 2 || run == y->opt1.len)
		return;
	w->long_docnum = 1;
	w->long_extra = run - 1;
}

void kyc_mrz__build_groups(struct mrz_work *w)
{
	const struct mrz_layout *y = &w->lay;
	struct mrz_group *g;
	w->ngroups = 0;
	detect_long_docnum(w);
	if (w->long_docnum) {
		struct mrz_span extra = SP(y->opt1.line, y->opt1.start, (uint8_t)w->long_extra);
		g = group_new(w, KYC_MRZ_CHECK_DOCUMENT_NUMBER,
		              SP(y->opt1.line, (uint8_t)(y->opt1.start + w->long_extra), 1));
		group_add(g, y->docnum);
		group_add(g, extra);
		/* Some issuers compute the digit over the 9 chars, the filler and the
		 * rest (the text as printed); ICAO says over the number alone. */
		group_add2(g, y->docnum);
		group_add2(g, y->docnum_cd);
		group_add2(g, extra);
	} else {
		g = group_new(w, KYC_MRZ_CHECK_DOCUMENT_NUMBER, y->docnum_cd);
		group_add(g, y->docnum);
	}
	g = group_new(w, KYC_MRZ_CHECK_BIRTH_DATE, y->birth_cd);
	group_add(g, y->birth);
	if (y->expiry.len) {
		g = group_new(w, KYC_MRZ_CHECK_EXPIRY_DATE, y->expiry_cd);
		group_add(g, y->expiry);
	}
	if (y->opt1_cd.len) {
		g = group_new(w, KYC_MRZ_CHECK_OPTIONAL_DATA, y->opt1_cd);
		group_add(g, y->opt1);
		g->empty_ok = 1;
	}
	if (y->composite.len) {
		g = group_new(w, KYC_MRZ_CHECK_COMPOSITE, y->composite);
		for (int i = 0; i < y->ncomp; i++)
			group_add(g, y->comp[i]);
	}
}

static int digit_over(const struct mrz_work *w, const uint8_t (*pos)[2], int n)
{
	char buf[MRZ_GROUP_MAX];
	for (int i = 0; i < n; i++)
		buf[i] = w->l[pos[i][0]][pos[i][1]];
	return kyc_mrz_check_digit(buf, (size_t)n);
}

int kyc_mrz__group_ok(const struct mrz_work *w, const struct mrz_group *g)
{
	char c = w->l[g->cd[0]][g->cd[1]];
	if (g->empty_ok) {
		int empty = 1;
		for (int i = 0; i < g->n && empty; i++)
			empty = w->l[g->pos[i][0]][g->pos[i][1]] == '<';
		if (empty)
			return c == '<' || c == '0';
	}
	if (c < '0' || c > '9')
		return 0;
	/* G and U weigh the same as 6 and 0 mod 10: a letter where only digits
	 * may stand fails the check even when the sum happens to match. */
	for (int i = 0; i < g->n; i++) {
		char d = w->l[g->pos[i][0]][g->pos[i][1]];
		if (w->type[g->pos[i][0]][g->pos[i][1]] == MRZ_T_DIGIT && d != '<' &&
		    (d < '0' || d > '9'))
			return 0;
	}
	if (digit_over(w, g->pos, g->n) == c - '0')
		return 1;
	return g->n2 > 0 && digit_over(w, g->pos2, g->n2) == c - '0';
}

/* Copies a span with its fillers turned into single spaces and trimmed. */
static void span_text(const struct mrz_work *w, struct mrz_span s, char *out, size_t outsz)
{
	size_t o = 0;
	int pending = 0;
	for (int i = 0; i < s.len && o + 1 < outsz; i++) {
		char c = w->l[s.line][s.start + i];
		if (c == '<') {
			pending = o > 0;
			continue;
		}
		if (pending && o + 2 < outsz)
			out[o++] = ' ';
		pending = 0;
		out[o++] = c;
	}
	out[o] = '\0';
}

/* Raw text of a span, fillers kept. */
static void span_raw(const struct mrz_work *w, const char (*lines)[MRZ_MAXW + 4], struct mrz_span s,
                     char *out, size_t outsz)
{
	size_t n = s.len < outsz ? s.len : outsz - 1;
	memcpy(out, &lines[s.line][s.start], n);
	out[n] = '\0';
}

/* Names: primary and secondary identifier split at the first "<<"; inside
 * each, '<' separates components. No "<<" at all: a single name (or a
 * primary identifier so long that it was truncated). */
static void parse_name(const struct mrz_work *w, struct mrz_span s, struct kyc_mrz *m)
{
	const char *p = &w->l[s.line][s.start];
	int sep = -1;
	for (int i = 0; i + 1 < s.len; i++)
		if (p[i] == '<' && p[i + 1] == '<') {
			sep = i;
			break;
		}
	if (sep < 0) {
		span_text(w, s, m->surname, sizeof m->surname);
	} else {
		span_text(w, SP(s.line, s.start, (uint8_t)sep), m->surname, sizeof m->surname);
		span_text(w, SP(s.line, (uint8_t)(s.start + sep + 2), (uint8_t)(s.len - sep - 2)),
		          m->given_names, sizeof m->given_names);
	}
	if (p[s.len - 1] != '<')
		m->warnings |= 1u << KYC_MRZ_W_NAME_TRUNCATED;
}

static int two_digits(const char *p, int *v)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return 0;
	*v = (p[0] - '0') * 10 + (p[1] - '0');
	return 1;
}

static int all_fill(const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i] != '<')
			return 0;
	return 1;
}

/* The century rules (docs/mrz.md): a birth date is the latest of 19YY/20YY
 * that is not after today; an expiry date is 20YY unless that is more than
 * 50 years after today, then 19YY. Returns 0 ok, 1 partial, 2 unknown,
 * -1 invalid; out gets the ISO (reduced precision when partial) or "". */
static int parse_date(const char *p, int64_t today, int birth, char out[11])
{
	int yy, mm, dd;
	out[0] = '\0';
	if (all_fill(p, 6))
		return 2;
	if (!two_digits(p, &yy))
		return -1;
	char ty[16];
	kyc_date_format(today, ty);
	int tyear = (ty[0] - '0') * 1000 + (ty[1] - '0') * 100 + (ty[2] - '0') * 10 + (ty[3] - '0');
	int tmon = (ty[5] - '0') * 10 + (ty[6] - '0');
	int have_m = two_digits(p + 2, &mm), have_d = two_digits(p + 4, &dd);
	if (!have_m && !all_fill(p + 2, 4))
		return -1;
	if (have_m && !have_d && !all_fill(p + 4, 2))
		return -1;
	if (have_m && (mm < 1 || mm > 12))
		return -1;
	int y = 2000 + yy;
	if (have_m && have_d && !kyc_date_valid(y, mm, dd) && !kyc_date_valid(y - 100, mm, dd))
		return -1;
	if (birth) {
		if (have_m && have_d) {
			/* 20YY and 19YY are both valid except for Feb 29 of 2000/1900. */
			if (!kyc_date_valid(y, mm, dd) || kyc_days_from_civil(y, mm, dd) > today)
				y -= 100;
		} else if (have_m) {
			if (y > tyear || (y == tyear && mm > tmon))
				y -= 100;
		} else if (y > tyear) {
			y -= 100;
		}
	} else if (y > tyear + 50) {
		y -= 100;
	}
	if (have_m && have_d) {
		if (!kyc_date_valid(y, mm, dd))
			return -1;
		snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)mm % 100u,
		         (unsigned)dd % 100u);
		return 0;
	}
	if (have_m)
		snprintf(out, 11, "%04u-%02u", (unsigned)y % 10000u, (unsigned)mm % 100u);
	else
		snprintf(out, 11, "%04u", (unsigned)y % 10000u);
	return 1;
}

static void fields_for(const struct mrz_work *w, int64_t today, struct kyc_mrz *m)
{
	const struct mrz_layout *y = &w->lay;
	char tmp[48];
	span_text(w, y->code, m->document_code, sizeof m->document_code);
	span_text(w, y->issuer, m->issuing_country, sizeof m->issuing_country);
	if (!kyc_mrz_country_known(&w->l[0][2], 3))
		m->warnings |= 1u << KYC_MRZ_W_ISSUER_UNKNOWN;
	if (y->nationality.len) {
		span_text(w, y->nationality, m->nationality, sizeof m->nationality);
		if (!kyc_mrz_country_known(&w->l[y->nationality.line][y->nationality.start], 3))
			m->warnings |= 1u << KYC_MRZ_W_NATIONALITY_UNKNOWN;
	} else {
		/* The French card is issued to French nationals only. */
		snprintf(m->nationality, sizeof m->nationality, "%s", m->issuing_country);
	}
	span_text(w, y->docnum, m->document_number, sizeof m->document_number);
	struct mrz_span o1 = y->opt1;
	if (w->long_docnum) {
		size_t n = strlen(m->document_number);
		memcpy(m->document_number + n, &w->l[o1.line][o1.start], (size_t)w->long_extra);
		m->document_number[n + (size_t)w->long_extra] = '\0';
		o1.start = (uint8_t)(o1.start + w->long_extra + 1);
		o1.len = (uint8_t)(o1.len - w->long_extra - 1);
		m->warnings |= 1u << KYC_MRZ_W_DOCUMENT_NUMBER_LONG;
	}
	span_text(w, o1, m->optional_data, sizeof m->optional_data);
	span_text(w, y->opt2, m->optional_data_2, sizeof m->optional_data_2);
	if (y->name.len) {
		parse_name(w, y->name, m);
	} else {
		span_text(w, y->surname, m->surname, sizeof m->surname);
		span_text(w, y->given, m->given_names, sizeof m->given_names);
		if (w->l[y->surname.line][y->surname.start + y->surname.len - 1] != '<')
			m->warnings |= 1u << KYC_MRZ_W_NAME_TRUNCATED;
	}
	char s = w->l[y->sex.line][y->sex.start];
	m->sex[0] = s == 'F' || s == 'M' ? s : 'X';
	m->sex[1] = '\0';
	if (s != 'F' && s != 'M' && s != 'X' && s != '<')
		m->warnings |= 1u << KYC_MRZ_W_SEX_INVALID;

	span_raw(w, w->l, y->birth, tmp, sizeof tmp);
	int r = parse_date(tmp, today, 1, m->birth_date);
	if (r == 1)
		m->warnings |= 1u << KYC_MRZ_W_BIRTH_PARTIAL;
	else if (r == 2)
		m->warnings |= 1u << KYC_MRZ_W_BIRTH_UNKNOWN;
	else if (r < 0)
		m->warnings |= 1u << KYC_MRZ_W_BIRTH_INVALID;
	if (y->expiry.len) {
		span_raw(w, w->l, y->expiry, tmp, sizeof tmp);
		r = parse_date(tmp, today, 0, m->expiry_date);
		if (r == 2)
			m->warnings |= 1u << KYC_MRZ_W_EXPIRY_NONE;
		else if (r != 0) {
			/* A partial expiry date is no expiry date. */
			m->expiry_date[0] = '\0';
			m->warnings |= 1u << KYC_MRZ_W_EXPIRY_INVALID;
		}
	}
}

/* Records, field by field, what the corrections changed. */
static void record_corrections(const struct mrz_work *w, struct kyc_mrz *m)
{
	const struct mrz_layout *y = &w->lay;
	const struct {
		const char *name;
		struct mrz_span s;
	} f[] = {
	    {"document_code", y->code},
	    {"issuing_country", y->issuer},
	    {"names", y->name},
	    {"surname", y->surname},
	    {"document_number", y->docnum},
	    {"document_number_check", y->docnum_cd},
	    {"given_names", y->given},
	    {"nationality", y->nationality},
	    {"birth_date", y->birth},
	    {"birth_date_check", y->birth_cd},
	    {"sex", y->sex},
	    {"expiry_date", y->expiry},
	    {"expiry_date_check", y->expiry_cd},
	    {"optional_data", y->opt1},
	    {"optional_data_check", y->opt1_cd},
	    {"optional_data_2", y->opt2},
	    {"composite", y->composite},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		struct mrz_span s = f[i].s;
		if (!s.len || !memcmp(&w->l[s.line][s.start], &w->orig[s.line][s.start], s.len))
			continue;
		if (m->ncorrections >= KYC_MRZ_MAX_CORRECTIONS)
			return;
		struct kyc_mrz_correction *c = &m->corrections[m->ncorrections++];
		snprintf(c->field, sizeof c->field, "%s", f[i].name);
		span_raw(w, w->orig, s, c->from, sizeof c->from);
		span_raw(w, w->l, s, c->to, sizeof c->to);
	}
}

/* Splits text into at most 3 lines, dropping trailing blanks on each line and
 * blank lines before and after. */
static int mrz_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

static int split_lines(const char *text, const char *alt, const float *conf, size_t len,
                       struct mrz_work *w, char *err, size_t errsz)
{
	int n = 0, blank_after = 0;
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t end = e;
		while (end > i &&
		       (text[end - 1] == ' ' || text[end - 1] == '\r' || text[end - 1] == '\t'))
			end--;
		if (end > i) {
			if (blank_after) {
				snprintf(err, errsz, "a blank line inside the MRZ");
				return KYC_ERR_INVALID;
			}
			if (n >= 3) {
				snprintf(err, errsz, "more than 3 lines");
				return KYC_ERR_INVALID;
			}
			if (end - i > MRZ_MAXW) {
				snprintf(err, errsz, "line %d is %zu characters long (at most 44)",
				         n + 1, end - i);
				return KYC_ERR_INVALID;
			}
			for (size_t k = i; k < end; k++) {
				char c = text[k];
				if (!mrz_char_ok(c)) {
					snprintf(err, errsz,
					         "line %d, column %zu: character 0x%02x is not "
					         "allowed in an MRZ",
					         n + 1, k - i + 1, (unsigned char)c);
					return KYC_ERR_INVALID;
				}
			}
			memcpy(w->l[n], text + i, end - i);
			for (size_t k = i; alt && k < end; k++)
				if (alt[k] != text[k] && mrz_char_ok(alt[k]))
					w->alt[n][k - i] = alt[k];
			for (size_t k = i; k < end; k++) /* NaN and strays count as unsure */
				w->conf[n][k - i] = !conf ? 1.0f
				                    : conf[k] >= 0 && conf[k] <= 1 ? conf[k]
				                    : conf[k] > 1 ? 1.0f : 0.0f;
			w->l[n][end - i] = '\0';
			n++;
		} else if (n > 0) {
			blank_after = 1;
		}
		i = e + 1;
	}
	w->nlines = n;
	return 0;
}

static int detect_format(struct mrz_work *w, char *err, size_t errsz)
{
	size_t w0 = strlen(w->l[0]);
	for (int i = 1; i < w->nlines; i++)
		if (strlen(w->l[i]) != w0) {
			snprintf(err, errsz, "lines of different lengths (%zu and %zu)", w0,
			         strlen(w->l[i]));
			return KYC_ERR_INVALID;
		}
	w->width = (int)w0;
	char c0 = w->l[0][0];
	if (w->nlines == 3 && w0 == 30) {
		w->format = KYC_MRZ_TD1;
	} else if (w->nlines == 2 && w0 == 44) {
		w->format = c0 == 'V' ? KYC_MRZ_MRVA : KYC_MRZ_TD3;
	} else if (w->nlines == 2 && w0 == 36) {
		/* The French card: "IDFRA" and digits where TD2 has the nationality. */
		const char *l2 = w->l[1];
		int nat_alpha = 1;
		for (int i = 10; i < 13; i++)
			nat_alpha &= (l2[i] >= 'A' && l2[i] <= 'Z') || l2[i] == '<';
		if (!memcmp(w->l[0], "IDFRA", 5) && !nat_alpha)
			w->format = KYC_MRZ_FRID;
		else
			w->format = c0 == 'V' ? KYC_MRZ_MRVB : KYC_MRZ_TD2;
	} else if (w->nlines == 0) {
		snprintf(err, errsz, "no text");
		return KYC_ERR_INVALID;
	} else {
		snprintf(err, errsz, "%d line(s) of %zu characters is no MRZ format", w->nlines,
		         w0);
		return KYC_ERR_INVALID;
	}
	return 0;
}

/* After correction, text with the right shape but no MRZ structure is
 * rejected: a first char that is no letter, more than a fifth of the typed
 * positions holding the wrong class (digits in names and codes, letters in
 * dates and check digits), or a third of the digit positions holding letters
 * with no check passing. */
static int plausible(const struct mrz_work *w, const struct kyc_mrz *m)
{
	char c0 = w->l[0][0];
	if (c0 < 'A' || c0 > 'Z')
		return 0;
	int digit_pos = 0, letters = 0, typed = 0, wrong = 0;
	for (int l = 0; l < w->nlines; l++)
		for (int i = 0; i < w->width; i++) {
			char c = w->l[l][i];
			if (w->type[l][i] == MRZ_T_DIGIT) {
				digit_pos++;
				typed++;
				letters += c >= 'A' && c <= 'Z';
			} else if (w->type[l][i] == MRZ_T_ALPHA) {
				typed++;
				wrong += c >= '0' && c <= '9';
			}
		}
	wrong += letters;
	if (wrong * 5 > typed)
		return 0;
	return m->checks_ok || letters * 3 <= digit_pos;
}

int kyc_mrz__setup(struct mrz_work *w, char *err, size_t errsz)
{
	int rc = detect_format(w, err, errsz);
	if (rc)
		return rc;
	layout_for(w);
	types_for(w);
	kyc_mrz__build_groups(w);
	return 0;
}

int kyc_mrz_parse(const char *text, size_t len, int64_t today_days, struct kyc_mrz *out, char *err,
                  size_t errsz)
{
	return kyc_mrz_parse_ex(text, NULL, len, today_days, out, err, errsz);
}

int kyc_mrz_parse_ex(const char *text, const char *alt, size_t len, int64_t today_days,
                     struct kyc_mrz *out, char *err, size_t errsz)
{
	return kyc_mrz_parse_ocr(text, alt, NULL, len, today_days, out, err, errsz);
}

int kyc_mrz_parse_ocr(const char *text, const char *alt, const float *conf, size_t len,
                      int64_t today_days, struct kyc_mrz *out, char *err, size_t errsz)
{
	struct mrz_work w;
	char dummy[1];
	if (!err || errsz == 0) {
		err = dummy;
		errsz = sizeof dummy;
	}
	err[0] = '\0';
	memset(out, 0, sizeof *out);
	memset(&w, 0, sizeof w);
	int rc = split_lines(text, alt, conf, len, &w, err, errsz);
	if (rc)
		return rc;
	rc = detect_format(&w, err, errsz);
	if (rc)
		return rc;
	memcpy(w.orig, w.l, sizeof w.l);
	layout_for(&w);
	types_for(&w);
	kyc_mrz__correct(&w);
	kyc_mrz__build_groups(&w);
	kyc_mrz__check_fillers(&w, out);

	out->format = w.format;
	out->nlines = w.nlines;
	for (int i = 0; i < w.nlines; i++)
		snprintf(out->lines[i], sizeof out->lines[i], "%s", w.l[i]);
	for (int i = 0; i < w.ngroups; i++) {
		out->checks |= 1u << w.groups[i].check;
		if (kyc_mrz__group_ok(&w, &w.groups[i]))
			out->checks_ok |= 1u << w.groups[i].check;
	}
	fields_for(&w, today_days, out);
	if (!plausible(&w, out)) {
		snprintf(err, errsz, "%s-shaped text without MRZ structure",
		         kyc_mrz_format_name(w.format));
		memset(out, 0, sizeof *out);
		return KYC_ERR_INVALID;
	}
	record_corrections(&w, out);
	kyc_mrz__field_conf(&w, out);
	if (conf)
		kyc_mrz__unsure(out);
	out->valid = out->checks_ok == out->checks &&
	             !(out->warnings & (1u << KYC_MRZ_W_BIRTH_INVALID | 1u << KYC_MRZ_W_EXPIRY_INVALID |
	                                1u << KYC_MRZ_W_FILLER_INVALID | 1u << KYC_MRZ_W_SEX_INVALID |
	                                1u << KYC_MRZ_W_CHARACTERS_INVALID |
	                                1u << KYC_MRZ_W_CHARACTERS_UNSURE));
	return 0;
}
