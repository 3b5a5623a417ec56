#include "document/card_eg_nid.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "document/card.h"
#include "document/eg_nid.h"

/* Both sides read with their values, by the template's field index. */
struct sides {
	struct kyc_card_result r[2];
	int have[2];
};

static const struct kyc_card_value *value(const struct sides *s, const char *name)
{
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	for (int i = 0; i < T->nfields; i++)
		if (!strcmp(T->fields[i].name, name)) {
			int side = T->fields[i].side;
			return s->have[side] ? &s->r[side].values[i] : NULL;
		}
	return NULL;
}

static void put(json_t *fields, json_t *carried, json_t *missing, const char *name,
		const char *v, int accepted, int conf)
{
	int read = v && *v;
	json_object_set_new(fields, name,
			    json_pack("{s:o, s:b, s:b, s:s, s:i}", "value",
				      read ? json_string(v) : json_null(), "read", read, "accepted",
				      read && accepted, "source", "viz", "confidence", conf));
	json_array_append_new(carried, json_string(name));
	if (!read)
		json_array_append_new(missing, json_string(name));
}

/* A field as read, under its own name or another. */
static void put_read(json_t *f, json_t *c, json_t *m, const char *name,
		     const struct kyc_card_value *v)
{
	put(f, c, m, name, v && v->read ? v->text : NULL, v && v->accepted, v ? v->conf : 0);
}

/* A number's reading is trusted when its least sure digit is at least this
 * probable (the digit reader's probability, 0..100). */
#define MIN_NUMBER_CONF 40

static struct kyc_card_value *value_at(struct sides *s, const char *name)
{
	return (struct kyc_card_value *)value(s, name);
}

/* The least probability among the digits of text under prob. */
static double weakest(const float prob[14][11], const char *text)
{
	double p = 1;
	for (int k = 0; k < 14; k++)
		p = fmin(p, prob[k][text[k] - '0']);
	return p;
}

static double log_prob(const float prob[14][11], const char *text)
{
	double lp = 0;
	for (int k = 0; k < 14; k++)
		lp += log(prob[k][text[k] - '0'] + 1e-9);
	return lp;
}

/* The number text with the probability of its least sure digit, at most
 * raw_conf: the digit reader's own confidence in the pieces it cut (a
 * line that is no number, its pieces unlike any digit, stays unsure
 * however valid the number made of them). */
static void set_number(struct kyc_card_value *v, const char *text, double pmin, int raw_conf)
{
	snprintf(v->text, sizeof v->text, "%s", text);
	v->conf = (int)lround(100 * pmin);
	v->conf = v->conf < raw_conf ? v->conf : raw_conf;
	v->read = 1;
	v->accepted = v->conf >= MIN_NUMBER_CONF;
}

/* How much less likely than its own best reading a side may find the two
 * sides' joint reading and still be taken to agree with it (a factor of
 * e^3, about 20): a digit one side read unsurely is settled by the other,
 * while a digit both read surely and differently stays a contradiction. */
#define AGREE_LOGP 3.0

/* Decodes each side's number as the likeliest that is valid (eg_nid.h), and
 * where both sides were read, the likeliest under both: each side takes the
 * joint reading when it agrees with it. */
static void decode_numbers(struct sides *s)
{
	struct kyc_card_value *v[2] = {value_at(s, "national_number"),
				       value_at(s, "national_number_back")};
	char own[2][15];
	double lp[2];
	int have[2];
	for (int i = 0; i < 2; i++) {
		have[i] = v[i] && v[i]->digits.n == 14;
		if (!have[i])
			continue;
		lp[i] = kyc_egnid_number_likeliest(v[i]->digits.prob, own[i]);
		set_number(v[i], own[i], weakest(v[i]->digits.prob, own[i]), v[i]->digits.conf);
	}
	if (!have[0] || !have[1])
		return;
	float joint[14][11];
	for (int k = 0; k < 14; k++) {
		double sum = 0;
		for (int d = 0; d < 10; d++)
			sum += joint[k][d] = v[0]->digits.prob[k][d] * v[1]->digits.prob[k][d];
		for (int d = 0; d < 10; d++)
			joint[k][d] = (float)(sum > 0 ? joint[k][d] / sum : 0.1);
		joint[k][10] = 0;
	}
	char both[15];
	kyc_egnid_number_likeliest(joint, both);
	for (int i = 0; i < 2; i++)
		if (log_prob(v[i]->digits.prob, both) < lp[i] - AGREE_LOGP)
			return;
	int raw = v[0]->digits.conf > v[1]->digits.conf ? v[0]->digits.conf : v[1]->digits.conf;
	for (int i = 0; i < 2; i++)
		set_number(v[i], both, weakest(joint, both), raw);
}

/* The log probability of the date iso (YYYY-MM-DD) under the digit
 * reader's distributions of a date field (YYYY/MM/DD); 1 when the field
 * was not cut into a date. */
static double date_log_prob(const struct kyc_edigits_reading *r, const char *iso)
{
	/* the digits' places, the same in the field and in the ISO text */
	static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
	if (r->n != 10 || strlen(iso) != 10)
		return 1;
	double lp = 0;
	for (int k = 0; k < 8; k++) {
		int d = iso[at[k]] - '0';
		if (d < 0 || d > 9)
			return 1;
		lp += log(r->prob[at[k]][d] + 1e-9);
	}
	return lp;
}

/* How much less likely than the printed date's reading the number's birth
 * date may be and still not be ruled out (e^6, about 400): the digit
 * reader is sure past its due of a blurred ٥ read ٠ (1 in 165 seen), while a
 * printed date that really differs (a year off) has its differing digit
 * at 1 in e^9.7 or less (60 such cards of development seed 9307). */
#define DATE_AGREE_LOGP 6.0

/* The printed birth date against the accepted number's (num_date): a
 * reading that differs from it yet does not rule it out is a digit
 * misread, not a contradiction, and is not accepted (nor compared). A date
 * read surely otherwise stays accepted, and the cross-check flags it. */
static void check_birth_date(struct kyc_card_value *v, const char *num_date)
{
	if (!v || !v->accepted || !strcmp(v->text, num_date))
		return;
	double own = date_log_prob(&v->digits, v->text), theirs = date_log_prob(&v->digits, num_date);
	if (own > 0 || theirs > 0 || theirs >= own - DATE_AGREE_LOGP)
		v->accepted = 0;
}

static int valid_number(const char *text)
{
	struct kyc_egnid_number d;
	const char *why;
	return text && strlen(text) == 14 && kyc_egnid_number_decode(text, 14, &d, &why) == 0;
}

/* One side read, the other side's number known (kyc_egnid_read_known): the
 * side takes it on the rule decode_numbers applies to two sides read
 * together, the known side being sure of every digit. Not where the digit
 * reader's pieces are unlike digits (its own confidence under the bar): a
 * line of anything but digits is near-flat, and any number would fit it.
 * 1 when taken. */
static int take_known(struct kyc_card_value *v, const char *known)
{
	char own[15];
	if (!v || v->digits.n != 14 || v->digits.conf < MIN_NUMBER_CONF || !valid_number(known))
		return 0;
	double best = kyc_egnid_number_likeliest(v->digits.prob, own);
	if (log_prob(v->digits.prob, known) < best - AGREE_LOGP)
		return 0;
	set_number(v, known, 1.0, v->digits.conf);
	return 1;
}

static int raw_decodes(const struct kyc_card_value *v)
{
	struct kyc_egnid_number d;
	const char *why;
	return v && v->digits.n == 14 &&
	       kyc_egnid_number_decode(v->digits.text, 14, &d, &why) == 0;
}

static int number_ok(const struct kyc_card_value *v, struct kyc_egnid_number *d)
{
	const char *why;
	return v && v->read && kyc_egnid_number_decode(v->text, strlen(v->text), d, &why) == 0;
}

static json_t *side_json(const struct sides *s, int i)
{
	if (!s->have[i])
		return json_null();
	const struct kyc_card_result *r = &s->r[i];
	return json_pack("{s:b, s:o, s:b, s:f}", "found", r->found, "reason",
			 r->reason ? json_string(r->reason) : json_null(), "upside_down",
			 r->upside_down, "ms", (double)(long)((r->ms_find + r->ms_read) * 10) / 10);
}

static void front_fields(json_t *f, json_t *c, json_t *m, const struct sides *s,
			 const struct kyc_egnid_number *num, int num_ok, int num_conf)
{
	const struct kyc_card_value *first = value(s, "first_name"), *rest = value(s, "rest_name");
	const struct kyc_card_value *a1 = value(s, "address1"), *a2 = value(s, "address2");
	char full[512] = "", en[512], en2[512], both[1024];
	put_read(f, c, m, "first_name", first);
	put_read(f, c, m, "rest_name", rest);
	int names_ok = first && rest && first->read && rest->read;
	if (names_ok)
		snprintf(full, sizeof full, "%s %s", first->text, rest->text);
	int names_acc = names_ok && first->accepted && rest->accepted;
	int names_conf = names_ok ? (first->conf < rest->conf ? first->conf : rest->conf) : 0;
	put(f, c, m, "full_name", full, names_acc, names_conf);
	/* English names: ICAO Doc 9303 Part 3 transliteration of what was read. */
	en[0] = en2[0] = both[0] = 0;
	if (first && first->read)
		kyc_egnid_transliterate(first->text, en, sizeof en);
	if (rest && rest->read)
		kyc_egnid_transliterate(rest->text, en2, sizeof en2);
	if (*en && *en2)
		snprintf(both, sizeof both, "%s %s", en, en2);
	put(f, c, m, "first_name_en", en, first && first->accepted, first ? first->conf : 0);
	put(f, c, m, "family_name_en", en2, rest && rest->accepted, rest ? rest->conf : 0);
	put(f, c, m, "full_name_en", both, names_acc, names_conf);
	put_read(f, c, m, "address1", a1);
	put_read(f, c, m, "address2", a2);
	char addr[512] = "";
	int addr_ok = a1 && a2 && a1->read && a2->read;
	if (addr_ok)
		snprintf(addr, sizeof addr, "%s %s", a1->text, a2->text);
	put(f, c, m, "address", addr, addr_ok && a1->accepted && a2->accepted,
	    addr_ok ? (a1->conf < a2->conf ? a1->conf : a2->conf) : 0);
	const struct kyc_card_value *nn = value(s, "national_number");
	put(f, c, m, "national_number", nn && nn->read ? nn->text : NULL, num_ok, num_conf);
	put_read(f, c, m, "document_number", value(s, "serial"));
	put_read(f, c, m, "birth_date", value(s, "birth_date"));
	put(f, c, m, "birth_date_number", num_ok ? num->birth_date : NULL, num_ok, num_conf);
	char sex[2] = {num_ok ? num->sex : 0, 0};
	put(f, c, m, "sex", sex, num_ok, num_conf);
	put(f, c, m, "state", num_ok ? kyc_egnid_governorate_en(num->governorate) : NULL, num_ok,
	    num_conf);
	put(f, c, m, "nationality", "EGY", 1, 100);
}

/* A paired closed-list field (religion, marital status) in the form of sex
 * ('M', 'F'; 0: unknown): Tesseract drops a short word's last letter as
 * often as any, and مطلق read for مطلقة is one of the list, so the number's
 * sex picks the form (the printed gender word is not used: it is what the
 * number is checked against). A value not of the list is left as read. */
static void put_form(json_t *f, json_t *c, json_t *m, const char *name,
		     const struct kyc_card_value *v, char sex)
{
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	const struct kyc_card_field *fd = NULL;
	for (int i = 0; i < T->nfields && !fd; i++)
		if (!strcmp(T->fields[i].name, name))
			fd = &T->fields[i];
	if (!v || !v->read || !sex || !fd || !fd->paired || !fd->lexicon) {
		put_read(f, c, m, name, v);
		return;
	}
	int j = 0;
	while (fd->lexicon[j] && strcmp(fd->lexicon[j], v->text))
		j++;
	int want = sex == 'F'; /* the pair's second, feminine, form */
	if (!fd->lexicon[j] || j % 2 == want || !fd->lexicon[j ^ 1]) {
		put_read(f, c, m, name, v);
		return;
	}
	put(f, c, m, name, fd->lexicon[j ^ 1], v->accepted, v->conf);
}

static void back_fields(json_t *f, json_t *c, json_t *m, const struct sides *s, int num_ok,
			int num_conf, char sex)
{
	const struct kyc_card_value *nb = value(s, "national_number_back");
	put(f, c, m, "national_number_back", nb && nb->read ? nb->text : NULL, num_ok, num_conf);
	static const char *const names[] = {"issue_date", "profession", "gender", "religion",
					    "marital_status", "expiry_date"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		put_form(f, c, m, names[i], value(s, names[i]), sex);
	/* Printed for married women only: carried when read. */
	const struct kyc_card_value *hn = value(s, "husband_name");
	if (hn && hn->read)
		put_read(f, c, m, "husband_name", hn);
}

/* The card as read, for the cross-checks: fields are compared only when
 * they were accepted, so that an OCR slip is not taken for a forgery. */
static void card_of(const struct sides *s, const char *number, struct kyc_egnid_card *card)
{
	memset(card, 0, sizeof *card);
	/* The number as accepted (both sides agreeing count as sure). */
	if (number)
		snprintf(card->national_number, sizeof card->national_number, "%.14s", number);
#define TAKE(dst, name)                                                                            \
	do {                                                                                       \
		const struct kyc_card_value *v_ = value(s, name);                                  \
		if (v_ && v_->accepted)                                                            \
			snprintf(card->dst, sizeof card->dst, "%.*s", (int)sizeof card->dst - 1, v_->text); \
	} while (0)
	if (!number) {
		TAKE(national_number, "national_number");
		TAKE(national_number_back, "national_number_back");
	}
	TAKE(birth_date, "birth_date");
	TAKE(gender, "gender");
	TAKE(issue_date, "issue_date");
	TAKE(expiry_date, "expiry_date");
#undef TAKE
}

json_t *kyc_egnid_read(const struct kyc_image *front, const struct kyc_image *back, int *err)
{
	return kyc_egnid_read_at(front, NULL, back, NULL, err);
}

json_t *kyc_egnid_read_at(const struct kyc_image *front, const double (*front_quad)[2],
			  const struct kyc_image *back, const double (*back_quad)[2], int *err)
{
	return kyc_egnid_read_known(front, front_quad, back, back_quad, NULL, err);
}

json_t *kyc_egnid_read_known(const struct kyc_image *front, const double (*front_quad)[2],
			     const struct kyc_image *back, const double (*back_quad)[2],
			     const char *other_number, int *err)
{
	static struct sides zero;
	struct sides s = zero;
	const struct kyc_image *img[2] = {front, back};
	const double(*quad[2])[2] = {front_quad, back_quad};
	*err = 0;
	for (int i = 0; i < 2; i++) {
		if (!img[i])
			continue;
		const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
		enum kyc_card_side side = (enum kyc_card_side)i;
		int rc = quad[i] ? kyc_card_read_upright(img[i], T, side, quad[i], &s.r[i])
				 : kyc_card_read(img[i], T, side, &s.r[i]);
		if (rc) {
			*err = rc;
			return NULL;
		}
		s.have[i] = 1;
	}
	decode_numbers(&s);
	/* One side alone with the other's number known: agreeing with it is as
	 * sure as two sides reading the same digits. */
	int known = s.have[0] != s.have[1] && other_number &&
		    take_known(value_at(&s, s.have[0] ? "national_number" : "national_number_back"),
			       other_number);
	/* The number: accepted when it decodes and either side is sure of it,
	 * or both sides read the same digits. */
	struct kyc_egnid_number dn, db;
	const struct kyc_card_value *nf = value(&s, "national_number"),
				    *nb = value(&s, "national_number_back");
	int f_ok = number_ok(nf, &dn), b_ok = number_ok(nb, &db);
	int agree = (f_ok && b_ok && !strcmp(nf->text, nb->text)) || (known && (f_ok || b_ok));
	int f_sure = f_ok && (nf->accepted || agree), b_sure = b_ok && (nb->accepted || agree);
	int num_ok = f_sure || b_sure;
	/* What the number says comes from a side that is sure of it. */
	struct kyc_egnid_number num = f_sure ? dn : b_sure ? db : f_ok ? dn : db;
	int num_conf = agree ? 100 : f_ok ? nf->conf : b_ok ? nb->conf : 0;
	if (num_ok)
		check_birth_date(value_at(&s, "birth_date"), num.birth_date);

	json_t *out = json_object(), *f = json_object(), *c = json_array(), *m = json_array();
	if (front)
		front_fields(f, c, m, &s, &num, num_ok, num_conf);
	if (back)
		back_fields(f, c, m, &s, num_ok, num_conf, num_ok ? num.sex : 0);
	/* Each side's number is accepted for its own digits: the other side's
	 * sureness does not vouch for a different reading. */
	json_t *jn = json_object_get(f, "national_number"), *jb = json_object_get(f, "national_number_back");
	if (jn)
		json_object_set_new(jn, "accepted", json_boolean(f_sure));
	if (jb)
		json_object_set_new(jb, "accepted", json_boolean(b_sure));
	struct kyc_egnid_card card;
	card_of(&s, num_ok ? (f_sure ? nf->text : nb->text) : NULL, &card);
	const char *codes[8];
	int n = kyc_egnid_cross_check(&card, codes, 8);
	json_t *contra = json_array();
	for (int i = 0; i < n && i < 8; i++)
		json_array_append_new(contra, json_string(codes[i]));
	/* Two numbers that each decode but differ: front and back disagree; so
	 * do one side's sure number and the other's known one (a back of
	 * another card sent after a front). */
	if ((f_sure && b_sure && !agree) ||
	    (s.have[0] != s.have[1] && !known && valid_number(other_number) && (f_sure || b_sure) &&
	     strcmp(f_sure ? nf->text : nb->text, other_number)))
		json_array_append_new(contra, json_string("number_front_back"));
	json_object_set_new(out, "document_type", json_string("eg_nid"));
	/* A number of the right form on some side: this is the family's card,
	 * whether or not every digit is sure. */
	/* The likeliest valid number always decodes: the card is this family's
	 * when a side's number is sure, or its digits as read decode as they
	 * are (any other card with a line of text would pass otherwise). */
	json_object_set_new(out, "number_valid",
			    json_boolean(f_sure || b_sure || raw_decodes(nf) || raw_decodes(nb)));
	json_object_set_new(out, "fields", f);
	json_object_set_new(out, "document_fields", c);
	json_object_set_new(out, "missing_fields", m);
	json_object_set_new(out, "contradictions", contra);
	json_object_set_new(out, "sides",
			    json_pack("{s:o, s:o}", "front", side_json(&s, 0), "back", side_json(&s, 1)));
	double ms = 0;
	for (int i = 0; i < 2; i++)
		ms += s.have[i] ? s.r[i].ms_find + s.r[i].ms_read : 0;
	json_object_set_new(out, "ms", json_real((double)(long)(ms * 10) / 10));
	return out;
}
