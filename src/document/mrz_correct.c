/* OCR correction of MRZ lines, guided by field types and check digits.
 *
 * The rules (docs/mrz.md has the long form):
 *  - A letter where only digits may stand (dates, check digits) is read as its
 *    look-alike digit; kept only when the field's check digit then passes.
 *  - In alphanumeric fields with a check digit (document number, personal
 *    number, optional data under the composite) a char is a suspect only when
 *    it is of the other class than all its neighbours (a letter between
 *    digits, a digit between letters); one look-alike substitution of one
 *    suspect is kept only when it is the single candidate that passes the
 *    check, and only with at most MAX_SUSPECTS candidates. The composite
 *    cannot confirm these: it weighs the document number and the personal
 *    number exactly as their own check digits do.
 *  - OCR second choices (kyc_mrz_parse_ex) are candidates of any class, tried
 *    first under the same single-pass rule (at most MAX_HINTS per check).
 *  - Fields without a check digit are corrected by type alone where that is
 *    unambiguous: digits in names become their look-alike letter, an unknown
 *    country code becomes the single known code its digits could stand for,
 *    and isolated K/X/C in a filler area become '<'.
 * The search is bounded: one substitution, at most 3 candidates per char. */
#include <string.h>

#include "document/mrz_int.h"

char kyc_mrz__letter_to_digit(char c)
{
	switch (c) {
	case 'O':
	case 'Q':
	case 'D':
	case 'U':
		return '0';
	case 'I':
	case 'L':
		return '1';
	case 'Z':
		return '2';
	case 'S':
		return '5';
	case 'G':
		return '6';
	case 'B':
		return '8';
	default:
		return 0;
	}
}

const char *kyc_mrz__digit_to_letters(char c)
{
	switch (c) {
	case '0':
		return "ODQ";
	case '1':
		return "I";
	case '2':
		return "Z";
	case '5':
		return "S";
	case '6':
		return "G";
	case '8':
		return "B";
	default:
		return "";
	}
}

static int is_fill_misread(char c)
{
	return c == 'K' || c == 'X' || c == 'C';
}

/* K/X/C runs of at most 2 chars inside a span, with "<<" before them and
 * '<' (or the span's end) after, become fillers. from: the first index of
 * the span where the filler area may begin. */
static void filler_rule(char *p, int len, int from)
{
	for (int i = from < 2 ? 2 : from; i < len; i++) {
		if (!is_fill_misread(p[i]) || p[i - 1] != '<' || p[i - 2] != '<')
			continue;
		int e = i;
		while (e < len && e - i < 3 && is_fill_misread(p[e]))
			e++;
		if (e - i > 2 || (e < len && p[e] != '<'))
			continue;
		for (int k = i; k < e; k++)
			p[k] = '<';
	}
}

static void fix_name_span(struct mrz_work *w, struct mrz_span s, int td_name)
{
	if (!s.len)
		return;
	char *p = &w->l[s.line][s.start];
	const char *hint = &w->alt[s.line][s.start];
	for (int i = 0; i < s.len; i++) {
		const char *alts = kyc_mrz__digit_to_letters(p[i]);
		if (p[i] >= '0' && p[i] <= '9' && hint[i] && !(hint[i] >= '0' && hint[i] <= '9'))
			p[i] = hint[i]; /* the OCR's own second choice first */
		else if (alts[0])
			p[i] = alts[0];
	}
	/* Where the filler area may start: after the second "<<" of an ICAO
	 * name (the first separates surname and given names), or after any
	 * "<<<" (the French card separates given names with "<<"). */
	int seps = 0, from = s.len;
	for (int i = 0; i + 1 < s.len; i++) {
		if (p[i] != '<' || p[i + 1] != '<')
			continue;
		if (i + 2 < s.len && p[i + 2] == '<') {
			from = i + 3;
			break;
		}
		if (td_name && ++seps == 2) {
			from = i + 2;
			break;
		}
		i++;
	}
	filler_rule(p, s.len, from);
}

static void fix_country(struct mrz_work *w, struct mrz_span s)
{
	if (!s.len)
		return;
	char *p = &w->l[s.line][s.start];
	if (kyc_mrz_country_known(p, 3))
		return;
	const char *alts[3];
	char withhint[3][8];
	for (int i = 0; i < 3; i++) {
		const char *d = kyc_mrz__digit_to_letters(p[i]);
		char h = w->alt[s.line][s.start + i];
		alts[i] = d[0] ? d : NULL;
		if (h && ((h >= 'A' && h <= 'Z') || h == '<')) {
			/* as read, its hint, and its look-alikes */
			withhint[i][0] = p[i];
			withhint[i][1] = h;
			memcpy(withhint[i] + 2, d, strlen(d) + 1);
			alts[i] = withhint[i];
		}
	}
	char found[3] = {0}, cand[3];
	int nfound = 0;
	int n0 = alts[0] ? (int)strlen(alts[0]) : 1, n1 = alts[1] ? (int)strlen(alts[1]) : 1,
	    n2 = alts[2] ? (int)strlen(alts[2]) : 1;
	for (int a = 0; a < n0; a++)
		for (int b = 0; b < n1; b++)
			for (int c = 0; c < n2; c++) {
				cand[0] = alts[0] ? alts[0][a] : p[0];
				cand[1] = alts[1] ? alts[1][b] : p[1];
				cand[2] = alts[2] ? alts[2][c] : p[2];
				if (kyc_mrz_country_known(cand, 3) && nfound++ == 0)
					memcpy(found, cand, 3);
			}
	if (nfound == 1)
		memcpy(p, found, 3);
}

/* Corrections by field type for the fields no check digit covers. */
static void fix_by_type(struct mrz_work *w)
{
	const struct mrz_layout *y = &w->lay;
	for (int i = 0; i < y->code.len; i++) {
		char *c = &w->l[0][i];
		const char *alts = kyc_mrz__digit_to_letters(*c);
		if (*c == '1')
			*c = 'I';
		else if (alts[0] && i == 1)
			*c = alts[0];
	}
	fix_country(w, y->issuer);
	fix_country(w, y->nationality);
	fix_name_span(w, y->name, 1);
	fix_name_span(w, y->surname, 0);
	fix_name_span(w, y->given, 0);
}

struct alt {
	uint8_t line, col;
	char to;
};

#define MAX_ALTS 160
#define MAX_SUSPECTS 2
#define MAX_HINTS 3

static int in_group(const struct mrz_group *g, int line, int col)
{
	for (int i = 0; i < g->n; i++)
		if (g->pos[i][0] == line && g->pos[i][1] == col)
			return 1;
	return g->cd[0] == line && g->cd[1] == col;
}

static void add_alt(struct alt *a, int *n, int line, int col, char to)
{
	if (*n >= MAX_ALTS)
		return;
	a[*n].line = (uint8_t)line;
	a[*n].col = (uint8_t)col;
	a[*n].to = to;
	(*n)++;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* 1 when c at col differs in class from every neighbour inside [lo, hi)
 * (and has at least one): the prior that makes a look-alike worth trying. */
static int suspect(const char *line, int col, int lo, int hi)
{
	char c = line[col];
	int n = 0, other = 0;
	for (int k = col - 1; k <= col + 1; k += 2) {
		if (k < lo || k >= hi || line[k] == '<')
			continue;
		n++;
		other += is_letter(c) ? is_digit(line[k]) : is_letter(line[k]);
	}
	return n > 0 && other == n;
}

/* Alternatives for an alphanumeric position: look-alikes of the other class
 * for a suspect, and '<' for a K/X/C next to a filler. */
static void alnum_alts(const struct mrz_work *w, int line, int col, int lo, int hi, struct alt *a,
                       int *n)
{
	char c = w->l[line][col];
	if (suspect(w->l[line], col, lo, hi)) {
		char cand[8] = {kyc_mrz__letter_to_digit(c)};
		const char *ls = kyc_mrz__digit_to_letters(c);
		memcpy(cand + 1, ls, strlen(ls) + 1); /* at most 3 letters */
		/* L/1, G/6, U/0 weigh the same mod 10: no check can pick them. */
		for (int k = cand[0] ? 0 : 1; cand[k]; k++)
			if ((kyc_mrz_char_weight(c) - kyc_mrz_char_weight(cand[k])) % 10 != 0)
				add_alt(a, n, line, col, cand[k]);
	}
	if (is_fill_misread(c) && ((col > lo && w->l[line][col - 1] == '<') ||
	                           (col + 1 < hi && w->l[line][col + 1] == '<')))
		add_alt(a, n, line, col, '<');
}

/* Tries each substitution of a; applies the one that passes, if exactly one
 * does. Returns 1 when one was applied. */
static int search(struct mrz_work *w, const struct mrz_group *g, const struct alt *a, int n)
{
	int hits = 0, hit = -1;
	for (int i = 0; i < n && hits < 2; i++) {
		char save = w->l[a[i].line][a[i].col];
		w->l[a[i].line][a[i].col] = a[i].to;
		if (kyc_mrz__group_ok(w, g) && hits++ == 0)
			hit = i;
		w->l[a[i].line][a[i].col] = save;
	}
	if (hits != 1)
		return 0;
	w->l[a[hit].line][a[hit].col] = a[hit].to;
	return 1;
}

/* Forced readings of letters in digit places (a filler for K/X/C). */
static void force_digits(struct mrz_work *w, const struct mrz_group *g)
{
	/* The fields under the composite have their own checks to confirm them. */
	int first = g->check == KYC_MRZ_CHECK_COMPOSITE ? g->n : 0;
	for (int i = first; i <= g->n; i++) {
		int line = i < g->n ? g->pos[i][0] : g->cd[0];
		int col = i < g->n ? g->pos[i][1] : g->cd[1];
		if (w->type[line][col] != MRZ_T_DIGIT)
			continue;
		char c = w->l[line][col], h = w->alt[line][col];
		char d = kyc_mrz__letter_to_digit(c);
		if (is_letter(c) && (is_digit(h) || h == '<'))
			w->l[line][col] = h;
		else if (d)
			w->l[line][col] = d;
		else if (is_fill_misread(c))
			w->l[line][col] = '<';
	}
}

/* 1 when g is the composite and (line, col) belongs to a field check. */
static int owned_by_other(const struct mrz_work *w, const struct mrz_group *g, int line, int col)
{
	if (g->check != KYC_MRZ_CHECK_COMPOSITE)
		return 0;
	for (int k = 0; k < w->ngroups; k++)
		if (&w->groups[k] != g && in_group(&w->groups[k], line, col))
			return 1;
	return 0;
}

/* Corrects one field check group; returns 1 when something changed. */
static int fix_group(struct mrz_work *w, int gi)
{
	const struct mrz_group *g = &w->groups[gi];
	if (kyc_mrz__group_ok(w, g))
		return 0;
	char saved[3][MRZ_MAXW + 4];
	memcpy(saved, w->l, sizeof saved);
	force_digits(w, g);
	if (kyc_mrz__group_ok(w, g))
		return memcmp(saved, w->l, sizeof saved) != 0;

	struct alt a[MAX_ALTS];
	int n = 0;
	/* The OCR's second choices first, of any class. */
	for (int i = 0; i <= g->n; i++) {
		int line = i < g->n ? g->pos[i][0] : g->cd[0];
		int col = i < g->n ? g->pos[i][1] : g->cd[1];
		char c = w->l[line][col], h = w->alt[line][col];
		if (!h || h == c || owned_by_other(w, g, line, col) ||
		    (w->type[line][col] == MRZ_T_DIGIT && !is_digit(h) && h != '<') ||
		    (w->type[line][col] != MRZ_T_DIGIT && w->type[line][col] != MRZ_T_ALNUM) ||
		    (kyc_mrz_char_weight(c) - kyc_mrz_char_weight(h)) % 10 == 0)
			continue;
		add_alt(a, &n, line, col, h);
	}
	if (n > 0 && n <= MAX_HINTS && search(w, g, a, n))
		return 1;
	n = 0;
	for (int i = 0; i < g->n; i++) {
		int line = g->pos[i][0], col = g->pos[i][1];
		if (w->type[line][col] != MRZ_T_ALNUM)
			continue;
		/* The composite's own search only touches what no field check covers. */
		if (owned_by_other(w, g, line, col))
			continue;
		/* The neighbours that count: the run of consecutive positions of
		 * this group on this line around col. */
		int lo = col, hi = col + 1;
		for (int k = i - 1; k >= 0 && g->pos[k][0] == line && g->pos[k][1] == lo - 1; k--)
			lo--;
		for (int k = i + 1; k < g->n && g->pos[k][0] == line && g->pos[k][1] == hi; k++)
			hi++;
		alnum_alts(w, line, col, lo, hi, a, &n);
	}
	/* Each candidate passes a wrong reading with probability 1/10: with more
	 * than MAX_SUSPECTS of them a unique pass proves too little. */
	if (n <= MAX_SUSPECTS && search(w, g, a, n))
		return 1;
	memcpy(w->l, saved, sizeof saved);
	return 0;
}

/* K/X/C in the filler area of optional data become '<' when every check
 * covering them that passed still passes (K weighs 20 = 0 mod 10, so checks
 * cannot tell it from '<': the type rule decides). */
static void fix_optional_fill(struct mrz_work *w, struct mrz_span s)
{
	if (!s.len)
		return;
	unsigned before = 0, after = 0;
	for (int i = 0; i < w->ngroups; i++)
		before |= (unsigned)kyc_mrz__group_ok(w, &w->groups[i]) << i;
	char saved[MRZ_MAXW + 4];
	memcpy(saved, w->l[s.line], sizeof saved);
	filler_rule(&w->l[s.line][s.start], s.len, 2);
	for (int i = 0; i < w->ngroups; i++)
		after |= (unsigned)kyc_mrz__group_ok(w, &w->groups[i]) << i;
	if ((before & after) != before)
		memcpy(w->l[s.line], saved, sizeof saved);
}

void kyc_mrz__correct(struct mrz_work *w)
{
	fix_by_type(w);
	/* Dates first (forced, rarely ambiguous), then the alphanumeric fields,
	 * then the composite; twice, since the groups are rebuilt from the
	 * corrected lines (a long document number is detected from them). */
	for (int pass = 0; pass < 2; pass++) {
		int changed = 0;
		kyc_mrz__build_groups(w);
		static const int order[] = {KYC_MRZ_CHECK_BIRTH_DATE, KYC_MRZ_CHECK_EXPIRY_DATE,
		                            KYC_MRZ_CHECK_DOCUMENT_NUMBER,
		                            KYC_MRZ_CHECK_OPTIONAL_DATA, KYC_MRZ_CHECK_COMPOSITE};
		for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
			for (int i = 0; i < w->ngroups; i++)
				if (w->groups[i].check == order[o])
					changed |= fix_group(w, i);
		if (!changed)
			break;
	}
	kyc_mrz__build_groups(w);
	struct mrz_span o1 = w->lay.opt1;
	if (w->long_docnum) {
		o1.start = (uint8_t)(o1.start + w->long_extra + 1);
		o1.len = (uint8_t)(o1.len - w->long_extra - 1);
	}
	fix_optional_fill(w, o1);
	fix_optional_fill(w, w->lay.opt2);
}
