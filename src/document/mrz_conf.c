/* How sure a parsed MRZ is, field by field, and the filler rules that no
 * check digit enforces (mrz_int.h). Names, codes and most optional data carry
 * no check digit, so a misread there would pass as valid: the OCR's own
 * confidence is what tells, and the structure of the fillers (after the names
 * end, nothing but fillers may follow). */
#include <string.h>

#include "document/mrz_int.h"

#define SUSPECT_CONF 0.2f   /* a flagged filler */
#define UNCONFIRMED 0.5f    /* a correction no check digit confirmed */
#define LONE_SURE 0.9f      /* a lone optional character at least this sure stays */

const char *kyc_mrz_field_name(enum kyc_mrz_field f)
{
	static const char *const names[KYC_MRZ_NFIELDS] = {
	    "document_code", "issuing_country", "document_number", "surname",
	    "given_names",   "nationality",     "birth_date",      "sex",
	    "expiry_date",   "optional_data",   "optional_data_2"};
	if ((int)f < 0 || f >= KYC_MRZ_NFIELDS)
		return "";
	return names[f];
}

/* Position k of span s turned to a filler when the OCR offered one, else
 * flagged. */
static void settle(struct mrz_work *w, struct mrz_span s, int k, struct kyc_mrz *m)
{
	int l = s.line, i = s.start + k;
	if (w->alt[l][i] == '<') {
		w->l[l][i] = '<';
		return;
	}
	if (w->conf[l][i] > SUSPECT_CONF)
		w->conf[l][i] = SUSPECT_CONF;
	m->warnings |= 1u << KYC_MRZ_W_FILLER_INVALID;
}

/* An ICAO name field: the primary identifier, "<<", the secondary one (its
 * components split by single '<'), then fillers to the end. A name that
 * fills the field (truncated) has no end to check. */
static void name_fillers(struct mrz_work *w, struct mrz_span s, struct kyc_mrz *m)
{
	const char *p = &w->l[s.line][s.start];
	int sep = -1, end = -1;
	for (int i = 0; i + 1 < s.len; i++)
		if (p[i] == '<' && p[i + 1] == '<') {
			sep = i;
			break;
		}
	if (sep < 0)
		return;
	if (sep + 2 >= s.len || p[sep + 2] == '<') {
		end = sep + 2;
	} else {
		for (int i = sep + 2; i + 1 < s.len && end < 0; i++)
			if (p[i] == '<' && p[i + 1] == '<')
				end = i;
	}
	for (int i = end; end >= 0 && i < s.len; i++)
		if (p[i] != '<')
			settle(w, s, i, m);
}

/* Optional data without a check digit may hold anything, but a single
 * unsure character with fillers on both sides is more likely a misread
 * filler than data. */
static void lone_fillers(struct mrz_work *w, struct mrz_span s, struct kyc_mrz *m)
{
	const char *p = &w->l[s.line][s.start];
	for (int i = 2; i < s.len; i++) {
		if (p[i] == '<' || p[i - 1] != '<' || p[i - 2] != '<')
			continue;
		int right = i + 1 == s.len || (p[i + 1] == '<' && (i + 2 == s.len || p[i + 2] == '<'));
		if (right && w->conf[s.line][s.start + i] < LONE_SURE)
			settle(w, s, i, m);
	}
}

void kyc_mrz__check_fillers(struct mrz_work *w, struct kyc_mrz *m)
{
	const struct mrz_layout *y = &w->lay;
	if (y->name.len)
		name_fillers(w, y->name, m);
	struct mrz_span o1 = y->opt1;
	if (w->long_docnum) {
		o1.start = (uint8_t)(o1.start + w->long_extra + 1);
		o1.len = (uint8_t)(o1.len - w->long_extra - 1);
	}
	if (!y->opt1_cd.len)
		lone_fillers(w, o1, m);
	lone_fillers(w, y->opt2, m);
	/* codes and names hold letters and fillers only, the sex F, M, X or
	 * '<': a digit the corrections left in the first (one without a
	 * look-alike letter) or another letter in the second is a misread,
	 * whatever the check digits say (sex_invalid is set by the fields) */
	for (int l = 0; l < w->nlines; l++)
		for (int i = 0; i < w->width; i++) {
			char c = w->l[l][i];
			int bad = (w->type[l][i] == MRZ_T_ALPHA && c >= '0' && c <= '9') ||
			          (w->type[l][i] == MRZ_T_SEX && !strchr("FMX<", c));
			if (!bad)
				continue;
			if (w->conf[l][i] > SUSPECT_CONF)
				w->conf[l][i] = SUSPECT_CONF;
			if (w->type[l][i] == MRZ_T_ALPHA)
				m->warnings |= 1u << KYC_MRZ_W_CHARACTERS_INVALID;
		}
}

static float span_min(float (*c)[MRZ_MAXW + 4], struct mrz_span s, float acc)
{
	for (int i = 0; i < s.len; i++)
		if (c[s.line][s.start + i] < acc)
			acc = c[s.line][s.start + i];
	return acc;
}

/* Whether a date's check digit settles its unsure digits. It settles one
 * unknown, not two: with the check digit itself unsure and a digit of the
 * date unsure between two digits, a misread check digit makes the decoder
 * put a wrong digit where it holds (a visa's expiry 121023, check digit 3,
 * read 121025 with 5: the `3` was the date cell's runner-up at 0.97 and the
 * check digit's cell read `S`; development seed 9103, clutter level 2 #9).
 * A digit whose runner-up is a letter (`0` and `O`) is no such unknown:
 * only digits stand in a date. */
static int date_unsettled(const struct mrz_work *w, struct mrz_span d, struct mrz_span cd)
{
	if (!cd.len || w->conf[cd.line][cd.start] >= KYC_MRZ_CONF_ACCEPT)
		return 0;
	for (int i = 0; i < d.len; i++) {
		char a = w->alt[d.line][d.start + i];
		if (w->conf[d.line][d.start + i] < KYC_MRZ_CONF_ACCEPT && a >= '0' && a <= '9')
			return 1;
	}
	return 0;
}

void kyc_mrz__field_conf(const struct mrz_work *w, struct kyc_mrz *m)
{
	const struct mrz_layout *y = &w->lay;
	float c[3][MRZ_MAXW + 4];
	unsigned char confirmed[3][MRZ_MAXW + 4];
	memcpy(c, w->conf, sizeof c);
	memset(confirmed, 0, sizeof confirmed);
	for (int g = 0; g < w->ngroups; g++) {
		const struct mrz_group *gr = &w->groups[g];
		if (!kyc_mrz__group_ok(w, gr))
			continue;
		for (int i = 0; i < gr->n; i++)
			confirmed[gr->pos[i][0]][gr->pos[i][1]] = 1;
		confirmed[gr->cd[0]][gr->cd[1]] = 1;
	}
	for (int l = 0; l < w->nlines; l++)
		for (int i = 0; i < w->width; i++)
			if (w->l[l][i] != w->orig[l][i] && !confirmed[l][i] && c[l][i] > UNCONFIRMED)
				c[l][i] = UNCONFIRMED;

	struct mrz_span surname = y->surname, given = y->given, o1 = y->opt1;
	if (y->name.len) { /* split at the first "<<", as the fields are */
		const char *p = &w->l[y->name.line][y->name.start];
		int sep = y->name.len;
		for (int i = 0; i + 1 < y->name.len; i++)
			if (p[i] == '<' && p[i + 1] == '<') {
				sep = i;
				break;
			}
		surname = (struct mrz_span){y->name.line, y->name.start, (uint8_t)sep};
		given = sep + 2 <= y->name.len
		            ? (struct mrz_span){y->name.line, (uint8_t)(y->name.start + sep + 2),
		                                (uint8_t)(y->name.len - sep - 2)}
		            : (struct mrz_span){0, 0, 0};
		/* the fillers after the names decide where they end */
		float tail = span_min(c, given, 1);
		if (sep + 2 > y->name.len)
			tail = 1;
		m->field_conf[KYC_MRZ_F_SURNAME] =
		    span_min(c, surname, tail);
		m->field_conf[KYC_MRZ_F_GIVEN_NAMES] = tail;
	} else {
		m->field_conf[KYC_MRZ_F_SURNAME] = span_min(c, surname, 1);
		m->field_conf[KYC_MRZ_F_GIVEN_NAMES] = span_min(c, given, 1);
	}
	float(*cc)[MRZ_MAXW + 4] = c;
	float doc = span_min(cc, y->docnum_cd, span_min(cc, y->docnum, 1));
	if (w->long_docnum) { /* its rest and check digit open the optional data */
		doc = span_min(cc, (struct mrz_span){o1.line, o1.start, (uint8_t)(w->long_extra + 1)}, doc);
		o1.start = (uint8_t)(o1.start + w->long_extra + 1);
		o1.len = (uint8_t)(o1.len - w->long_extra - 1);
	}
	m->field_conf[KYC_MRZ_F_DOCUMENT_CODE] = span_min(cc, y->code, 1);
	m->field_conf[KYC_MRZ_F_ISSUING_COUNTRY] = span_min(cc, y->issuer, 1);
	m->field_conf[KYC_MRZ_F_DOCUMENT_NUMBER] = doc;
	m->field_conf[KYC_MRZ_F_NATIONALITY] =
	    y->nationality.len ? span_min(cc, y->nationality, 1) : span_min(cc, y->issuer, 1);
	m->field_conf[KYC_MRZ_F_BIRTH_DATE] = span_min(cc, y->birth_cd, span_min(cc, y->birth, 1));
	/* a date is accepted on its check digit (kyc_mrz__unsure) */
	if (date_unsettled(w, y->birth, y->birth_cd) || date_unsettled(w, y->expiry, y->expiry_cd))
		m->warnings |= 1u << KYC_MRZ_W_CHARACTERS_UNSURE;
	m->field_conf[KYC_MRZ_F_SEX] = span_min(cc, y->sex, 1);
	m->field_conf[KYC_MRZ_F_EXPIRY_DATE] = span_min(cc, y->expiry_cd, span_min(cc, y->expiry, 1));
	m->field_conf[KYC_MRZ_F_OPTIONAL_DATA] = span_min(cc, y->opt1_cd, span_min(cc, o1, 1));
	m->field_conf[KYC_MRZ_F_OPTIONAL_DATA_2] = span_min(cc, y->opt2, 1);
}

void kyc_mrz__unsure(struct kyc_mrz *m)
{
	for (int f = 0; f < KYC_MRZ_NFIELDS; f++)
		if (f != KYC_MRZ_F_BIRTH_DATE && f != KYC_MRZ_F_EXPIRY_DATE &&
		    m->field_conf[f] < KYC_MRZ_CONF_ACCEPT)
			m->warnings |= 1u << KYC_MRZ_W_CHARACTERS_UNSURE;
}
