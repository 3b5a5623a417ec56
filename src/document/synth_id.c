/* Invented identities and their MRZ lines (ICAO 9303 parts 4, 5, 6 and 7).
 * The fields are read back from the finished lines, the way a parser reads
 * them, so truth and lines cannot disagree. */
#include "document/synth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/mrz.h"

/* ---- PRNG ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

void kyc_synth__rng_seed(struct kyc_synth__rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
	/* Mix twice so that nearby (seed, stream) pairs start far apart. */
	x = splitmix64(&x);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t kyc_synth__rng_next(struct kyc_synth__rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

int kyc_synth__rng_int(struct kyc_synth__rng *r, int lo, int hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
	return lo + (int)(kyc_synth__rng_next(r) % span);
}

double kyc_synth__rng_unif(struct kyc_synth__rng *r, double lo, double hi)
{
	double u = (double)(kyc_synth__rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
	return lo + (hi - lo) * u;
}

/* ---- formats ---- */

static const char *const format_names[] = {"TD1", "TD2", "TD3", "MRVA", "MRVB", "mixed"};

const char *kyc_synth_format_name(enum kyc_synth_format f)
{
	if ((int)f < 0 || f > KYC_SYNTH_MIXED)
		return "?";
	return format_names[f];
}

int kyc_synth_format_parse(const char *s, enum kyc_synth_format *out)
{
	for (int i = 0; i <= KYC_SYNTH_MIXED; i++) {
		if (s && !strcasecmp(s, format_names[i])) {
			*out = (enum kyc_synth_format)i;
			return 0;
		}
	}
	return KYC_ERR_INVALID;
}

/* ---- building blocks ---- */

/* A piece of a name: how the visual zone prints it (UTF-8) and its ICAO
 * transliteration for the MRZ (Doc 9303 part 3, section 6, kept simple). */
struct syl {
	const char *viz, *mrz;
};

static const struct syl plain[] = {
    {"KAR", "KAR"}, {"VEN", "VEN"}, {"DOL", "DOL"}, {"MIR", "MIR"}, {"TAS", "TAS"}, {"BRO", "BRO"},
    {"LEN", "LEN"}, {"SOR", "SOR"}, {"VAL", "VAL"}, {"TEK", "TEK"}, {"NOR", "NOR"}, {"DAN", "DAN"},
    {"RIL", "RIL"}, {"MAS", "MAS"}, {"ZOV", "ZOV"}, {"PEL", "PEL"}, {"GAR", "GAR"}, {"HUL", "HUL"},
    {"FEN", "FEN"}, {"JOR", "JOR"}, {"KES", "KES"}, {"LAN", "LAN"}, {"MOR", "MOR"}, {"NIS", "NIS"},
    {"OST", "OST"}, {"QUI", "QUI"}, {"RAB", "RAB"}, {"SIL", "SIL"}, {"TOR", "TOR"}, {"UVE", "UVE"},
    {"WEN", "WEN"}, {"YAR", "YAR"}, {"BE", "BE"},   {"LO", "LO"},   {"XA", "XA"},   {"THA", "THA"},
    {"CRI", "CRI"}, {"PHO", "PHO"}, {"STE", "STE"}, {"GLA", "GLA"},
};
static const struct syl accented[] = {
    {"MÜ", "MUE"}, {"KÖ", "KOE"}, {"BÄ", "BAE"}, {"SØ", "SOE"}, {"LÅ", "LAA"},
    {"RÉ", "RE"},  {"ÑA", "NA"},  {"ÇE", "CE"},  {"ÆR", "AER"}, {"ÁN", "AN"},
    {"ÍL", "IL"},  {"ÓR", "OR"},  {"ŠE", "SE"},  {"ŽA", "ZA"},  {"ČI", "CI"},
};
static const char *const surname_end[] = {"SSON", "EN",   "OVA", "ESCU", "INI",    "AR",
                                          "ELL",  "MANN", "ER",  "IS",   "AS",     "OS",
                                          "ETTE", "SKI",  "AKI", "HOLM", "DOTTIR", "IC"};
static const char *const given_end[] = {"A", "O", "IA", "EN", "ER", "IS", "AN", "EL", "INE", "ITA"};

static const char *const countries[] = {
    "AUT", "BEL", "BRA", "CAN", "CHE", "CZE", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
    "GRC", "HUN", "IRL", "ISL", "ITA", "JPN", "KEN", "LTU", "LVA", "MEX", "NLD", "NOR",
    "NZL", "POL", "PRT", "ROU", "SWE", "SVN", "TUR", "UKR", "USA", "ZAF", "IND", "AUS",
    "ARG", "CHL", "EGY", "NGA", "UTO", "UTO", "UTO", "D",   "D"};
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

static const char *const towns[] = {"VELMORA",  "KASTRIN", "OSTAVEL", "LINDQUAR", "PELHAVEN",
                                    "SORRENKA", "BRAVIK",  "TOLMENA", "GARSDAL",  "MIRANTE"};

#define PICK(r, arr) (arr[kyc_synth__rng_int(r, 0, (int)(sizeof arr / sizeof arr[0]) - 1)])

/* Appends s to dst (size n), truncating; dst stays NUL-terminated. */
static void cat(char *dst, size_t n, const char *s)
{
	size_t l = strlen(dst);
	if (l + 1 >= n)
		return;
	snprintf(dst + l, n - l, "%s", s);
}

/* One word of a name into viz and mrz. */
static void name_word(struct kyc_synth__rng *r, int surname, char *viz, size_t vn, char *mrz,
                      size_t mn)
{
	int n = kyc_synth__rng_int(r, 1, surname ? 3 : 2);
	for (int i = 0; i < n; i++) {
		const struct syl *s =
		    kyc_synth__rng_int(r, 0, 9) == 0 ? &PICK(r, accented) : &PICK(r, plain);
		cat(viz, vn, s->viz);
		cat(mrz, mn, s->mrz);
	}
	const char *end = surname ? PICK(r, surname_end) : PICK(r, given_end);
	cat(viz, vn, end);
	cat(mrz, mn, end);
}

/* Alphanumerics: digits only when letters == 0. */
static void alnum(struct kyc_synth__rng *r, char *out, int n, int letters)
{
	for (int i = 0; i < n; i++) {
		int c = kyc_synth__rng_int(r, 0, letters ? 35 : 9);
		out[i] = (char)(c < 10 ? '0' + c : 'A' + c - 10);
	}
	out[n] = '\0';
}

static void doc_number(struct kyc_synth__rng *r, int len, char *out)
{
	int style = kyc_synth__rng_int(r, 0, 3);
	alnum(r, out, len, 0);
	if (style == 0) /* all digits */
		return;
	out[0] = (char)('A' + kyc_synth__rng_int(r, 0, 25));
	if (style == 2)
		out[1] = (char)('A' + kyc_synth__rng_int(r, 0, 25));
	if (style == 3) /* letters anywhere, like L898902C */
		alnum(r, out + 1, len - 1, 1);
}

static int days_in_month(int y, int m)
{
	int d = 31;
	while (d > 28 && !kyc_date_valid(y, m, d))
		d--;
	return d;
}

/* Places s into line[pos..pos+len), padding with '<'. */
static void put(char *line, int pos, int len, const char *s)
{
	int i = 0;
	for (; i < len && s[i]; i++)
		line[pos + i] = s[i];
	for (; i < len; i++)
		line[pos + i] = '<';
}

static char cd(const char *s, int n)
{
	int d = kyc_mrz_check_digit(s, (size_t)n);
	return (char)('0' + (d < 0 ? 0 : d));
}

/* The text of line[pos..pos+len) with fillers trimmed from the end; with
 * spaces = 1, inner fillers become spaces (names). */
static void get(const char *line, int pos, int len, char *out, size_t n, int spaces)
{
	int e = len;
	while (e > 0 && line[pos + e - 1] == '<')
		e--;
	size_t k = 0;
	for (int i = 0; i < e && k + 1 < n; i++) {
		char c = line[pos + i];
		out[k++] = (spaces && c == '<') ? ' ' : c;
	}
	out[k] = '\0';
}

/* Splits the name field at the first "<<" into surname and given names. */
static void get_name(const char *line, int pos, int len, struct kyc_synth_fields *f)
{
	int split = -1;
	for (int i = pos; i + 1 < pos + len; i++) {
		if (line[i] == '<' && line[i + 1] == '<') {
			split = i;
			break;
		}
	}
	if (split < 0) {
		get(line, pos, len, f->surname, sizeof f->surname, 1);
		f->given_names[0] = '\0';
		return;
	}
	get(line, pos, split - pos, f->surname, sizeof f->surname, 1);
	get(line, split + 2, pos + len - split - 2, f->given_names, sizeof f->given_names, 1);
	/* Only single spaces survive: a truncation may leave "ANNA<" at the end. */
	size_t l = strlen(f->given_names);
	while (l > 0 && f->given_names[l - 1] == ' ')
		f->given_names[--l] = '\0';
}

static void yymmdd(const char *iso, char out[7])
{
	out[0] = iso[2], out[1] = iso[3], out[2] = iso[5], out[3] = iso[6];
	out[4] = iso[8], out[5] = iso[9], out[6] = '\0';
}

static enum kyc_synth_format pick_format(uint64_t seed, int index)
{
	struct kyc_synth__rng r;
	kyc_synth__rng_seed(&r, seed, 0x100000000ULL + (uint64_t)(uint32_t)index);
	/* The mix of the task: mostly TD1 cards and TD3 pages, visas, some TD2. */
	int x = kyc_synth__rng_int(&r, 0, 99);
	if (x < 35)
		return KYC_SYNTH_TD1;
	if (x < 70)
		return KYC_SYNTH_TD3;
	if (x < 80)
		return KYC_SYNTH_MRVA;
	if (x < 88)
		return KYC_SYNTH_MRVB;
	return KYC_SYNTH_TD2;
}

int kyc_synth_identity(uint64_t seed, int index, enum kyc_synth_format format,
                       struct kyc_synth_identity *out)
{
	if ((int)format < 0 || format > KYC_SYNTH_MIXED)
		return KYC_ERR_INVALID;
	if (format == KYC_SYNTH_MIXED)
		format = pick_format(seed, index);
	memset(out, 0, sizeof *out);
	out->format = format;
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, 0x200000000ULL + (uint64_t)(uint32_t)index);

	/* Names: sometimes double-barrelled or very long, to exercise truncation. */
	char vs[96] = "", ms[96] = "", vg[96] = "", mg[96] = "";
	int nsur = kyc_synth__rng_int(r, 0, 9) < 8 ? 1 : 2;
	int ngiven = kyc_synth__rng_int(r, 0, 9) < 5 ? 1 : (kyc_synth__rng_int(r, 0, 4) ? 2 : 3);
	if (kyc_synth__rng_int(r, 0, 9) == 0)
		nsur = 3; /* long */
	for (int i = 0; i < nsur; i++) {
		if (i) {
			int hyphen = kyc_synth__rng_int(r, 0, 1);
			cat(vs, sizeof vs, hyphen ? "-" : " ");
			cat(ms, sizeof ms, "<");
		}
		name_word(r, 1, vs, sizeof vs, ms, sizeof ms);
	}
	for (int i = 0; i < ngiven; i++) {
		if (i) {
			cat(vg, sizeof vg, " ");
			cat(mg, sizeof mg, "<");
		}
		name_word(r, 0, vg, sizeof vg, mg, sizeof mg);
	}
	snprintf(out->viz_surname, sizeof out->viz_surname, "%s", vs);
	snprintf(out->viz_given_names, sizeof out->viz_given_names, "%s", vg);
	char name[200];
	snprintf(name, sizeof name, "%s<<%s", ms, mg);

	const char *issuer = countries[kyc_synth__rng_int(r, 0, (int)NCOUNTRIES - 1)];
	const char *nat = kyc_synth__rng_int(r, 0, 4)
	                      ? issuer
	                      : countries[kyc_synth__rng_int(r, 0, (int)NCOUNTRIES - 1)];

	int by = kyc_synth__rng_int(r, 1940, 2008), bm = kyc_synth__rng_int(r, 1, 12);
	int bd = kyc_synth__rng_int(r, 1, days_in_month(by, bm));
	int ey = kyc_synth__rng_int(r, by + 5 > 2008 ? by + 5 : 2008, 2037);
	int em = kyc_synth__rng_int(r, 1, 12), ed = kyc_synth__rng_int(r, 1, days_in_month(ey, em));
	int iy = ey - (kyc_synth__rng_int(r, 0, 1) ? 10 : 5);
	if (iy <= by)
		iy = by + 1;
	int id = ed < 29 ? ed : 28;
	char birth[40], expiry[40], issue[40], dob6[7], exp6[7];
	snprintf(birth, sizeof birth, "%04d-%02d-%02d", by, bm, bd);
	snprintf(expiry, sizeof expiry, "%04d-%02d-%02d", ey, em, ed);
	snprintf(issue, sizeof issue, "%04d-%02d-%02d", iy, em, id);
	memcpy(out->issue_date, issue, 10);
	snprintf(out->birth_place, sizeof out->birth_place, "%s", PICK(r, towns));
	yymmdd(birth, dob6);
	yymmdd(expiry, exp6);
	int s = kyc_synth__rng_int(r, 0, 19);
	char sex = s < 9 ? 'F' : (s < 18 ? 'M' : '<');

	/* Document number: 7-9 characters, and for TD1 sometimes 10-14 (the
	 * long-number rule of part 5: filler in the check digit position, the rest
	 * and its check digit in the optional data). */
	int longnum = format == KYC_SYNTH_TD1 && kyc_synth__rng_int(r, 0, 3) == 0;
	char num[24];
	doc_number(r, longnum ? kyc_synth__rng_int(r, 10, 14) : kyc_synth__rng_int(r, 7, 9), num);
	char opt[24] = "", opt2[16] = "";
	int optlen = format == KYC_SYNTH_TD1    ? 15
	             : format == KYC_SYNTH_TD2  ? 7
	             : format == KYC_SYNTH_TD3  ? 14
	             : format == KYC_SYNTH_MRVA ? 16
	                                        : 8;
	if (!longnum && kyc_synth__rng_int(r, 0, 1))
		alnum(r, opt, kyc_synth__rng_int(r, optlen / 2, optlen), 1);
	if (format == KYC_SYNTH_TD1 && kyc_synth__rng_int(r, 0, 3) == 0)
		alnum(r, opt2, kyc_synth__rng_int(r, 3, 11), 1);

	static const char *const codes_td1[] = {"I<", "I<", "ID", "IR", "AC"};
	static const char *const codes_td2[] = {"I<", "I<", "ID", "IR"};
	static const char *const codes_td3[] = {"P<", "P<", "P<", "PD", "PO"};
	static const char *const codes_v[] = {"V<", "V<", "V<", "VI"};
	const char *code = format == KYC_SYNTH_TD1   ? PICK(r, codes_td1)
	                   : format == KYC_SYNTH_TD2 ? PICK(r, codes_td2)
	                   : format == KYC_SYNTH_TD3 ? PICK(r, codes_td3)
	                                             : PICK(r, codes_v);
	int empty_pn_filler = kyc_synth__rng_int(r, 0, 1);

	char *l1 = out->lines[0], *l2 = out->lines[1], *l3 = out->lines[2];
	int L = format == KYC_SYNTH_TD1                                 ? 30
	        : (format == KYC_SYNTH_TD3 || format == KYC_SYNTH_MRVA) ? 44
	                                                                : 36;
	out->line_len = L;
	out->nlines = format == KYC_SYNTH_TD1 ? 3 : 2;
	for (int i = 0; i < out->nlines; i++)
		memset(out->lines[i], '<', (size_t)L);

	if (format == KYC_SYNTH_TD1) {
		put(l1, 0, 2, code);
		put(l1, 2, 3, issuer);
		if (longnum) {
			size_t n = strlen(num);
			put(l1, 5, 9, num);
			l1[14] = '<';
			put(l1, 15, (int)n - 9, num + 9);
			l1[15 + n - 9] = cd(num, (int)n);
		} else {
			put(l1, 5, 9, num);
			l1[14] = cd(l1 + 5, 9);
			put(l1, 15, 15, opt);
		}
		put(l2, 0, 6, dob6);
		l2[6] = cd(l2, 6);
		l2[7] = sex;
		put(l2, 8, 6, exp6);
		l2[14] = cd(l2 + 8, 6);
		put(l2, 15, 3, nat);
		put(l2, 18, 11, opt2);
		char comp[64];
		memcpy(comp, l1 + 5, 25);
		memcpy(comp + 25, l2, 7);
		memcpy(comp + 32, l2 + 8, 7);
		memcpy(comp + 39, l2 + 18, 11);
		l2[29] = cd(comp, 50);
		put(l3, 0, 30, name);
	} else {
		put(l1, 0, 2, code);
		put(l1, 2, 3, issuer);
		put(l1, 5, L - 5, name);
		put(l2, 0, 9, num);
		l2[9] = cd(l2, 9);
		put(l2, 10, 3, nat);
		put(l2, 13, 6, dob6);
		l2[19] = cd(l2 + 13, 6);
		l2[20] = sex;
		put(l2, 21, 6, exp6);
		l2[27] = cd(l2 + 21, 6);
		if (format == KYC_SYNTH_TD3) {
			put(l2, 28, 14, opt);
			l2[42] = (!opt[0] && empty_pn_filler) ? '<' : cd(l2 + 28, 14);
		} else if (format == KYC_SYNTH_TD2) {
			put(l2, 28, 7, opt);
		} else {
			put(l2, 28, L - 28, opt);
		}
		if (format == KYC_SYNTH_TD3 || format == KYC_SYNTH_TD2) {
			char comp[64];
			int n = 0;
			memcpy(comp, l2, 10), n = 10;
			memcpy(comp + n, l2 + 13, 7), n += 7;
			memcpy(comp + n, l2 + 21, (size_t)(L - 1 - 21)), n += L - 1 - 21;
			l2[L - 1] = cd(comp, n);
		}
	}
	for (int i = 0; i < out->nlines; i++)
		out->lines[i][L] = '\0';

	/* Fields, read back from the lines. */
	struct kyc_synth_fields *f = &out->f;
	get(l1, 0, 2, f->document_code, sizeof f->document_code, 0);
	get(l1, 2, 3, f->issuing_country, sizeof f->issuing_country, 0);
	snprintf(f->document_number, sizeof f->document_number, "%s", num);
	memcpy(f->birth_date, birth, 10); /* both zeroed by the memset above */
	memcpy(f->expiry_date, expiry, 10);
	f->sex[0] = sex == '<' ? 'X' : sex;
	if (format == KYC_SYNTH_TD1) {
		get(l2, 15, 3, f->nationality, sizeof f->nationality, 0);
		get_name(l3, 0, 30, f);
		if (!longnum)
			get(l1, 15, 15, f->optional_data, sizeof f->optional_data, 0);
		get(l2, 18, 11, f->optional_data_2, sizeof f->optional_data_2, 0);
	} else {
		get(l2, 10, 3, f->nationality, sizeof f->nationality, 0);
		get_name(l1, 5, L - 5, f);
		int on = format == KYC_SYNTH_TD3 ? 14 : format == KYC_SYNTH_TD2 ? 7 : L - 28;
		get(l2, 28, on, f->optional_data, sizeof f->optional_data, 0);
	}
	/* An issuer that writes Arabic prints the holder's name in it too. */
	if (!strcmp(f->issuing_country, "EGY"))
		kyc_synth__arabic_name(seed, index, f->sex[0] != 'F', out->native_name,
		                       sizeof out->native_name);
	return 0;
}
