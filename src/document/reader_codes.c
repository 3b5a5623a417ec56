/* The MRZ format's rules the reader holds its lines to: the ICAO check
 * digits of raw lines, and the fields no check digit covers whose values
 * are few (kyc_reader__fit_codes); and the names of the reader's reasons.
 * Moved out of reader.c, unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "document/mrz.h"
#include "document/mrz_decode.h"
#include "document/reader.h"

const char *kyc_reader_reason_name(enum kyc_reader_reason r)
{
	switch (r) {
	case KYC_READER_OK: return "ok";
	case KYC_READER_NO_MRZ_FOUND: return "no_mrz_found";
	case KYC_READER_MRZ_UNREADABLE: return "mrz_unreadable";
	case KYC_READER_IMAGE_TOO_SMALL: return "image_too_small";
	case KYC_READER_TOO_BLURRY: return "too_blurry";
	case KYC_READER_TOO_DARK: return "too_dark";
	case KYC_READER_MRZ_CUT_OFF: return "mrz_cut_off";
	}
	return "unknown";
}

/* ---- check digits ---- */

static int chk(const char *s, int from, int n, char digit, int *total)
{
	(*total)++;
	int d = kyc_mrz_check_digit(s + from, (size_t)n);
	return d >= 0 && digit == '0' + d;
}

/* The composite check digit runs over several pieces of one line. */
static int chk_composite(const char *l, const int (*parts)[2], int np, char digit, int *total)
{
	char buf[64];
	int n = 0;
	for (int i = 0; i < np; i++) {
		memcpy(buf + n, l + parts[i][0], (size_t)parts[i][1]);
		n += parts[i][1];
	}
	return chk(buf, 0, n, digit, total);
}

/* The document number of a TD1 or TD2 line: nine characters at num, its
 * check digit at cd, the optional data at opt (n long). A number longer than
 * nine (a filler at cd) goes on at the start of the optional data, and its
 * check digit is the last character before the first filler there, computed
 * over the whole number or, by some issuers, over the text as printed (the
 * nine, the filler, the rest); the parser takes both (mrz.c,
 * detect_long_docnum). Counted as one check either way. */
static int chk_docnum(const char *l, int num, int cd, int opt, int n, int *total)
{
	int run = 0;
	while (run < n && l[opt + run] != '<')
		run++;
	if (l[cd] != '<' || run < 2 || run == n)
		return chk(l, num, 9, l[cd], total);
	char whole[64], printed[64];
	memcpy(whole, l + num, 9);
	memcpy(whole + 9, l + opt, (size_t)run - 1);
	memcpy(printed, l + num, 10);
	memcpy(printed + 10, l + opt, (size_t)run - 1);
	char digit = l[opt + run - 1];
	int t = 0;
	int ok = chk(whole, 0, 9 + run - 1, digit, &t) || chk(printed, 0, 10 + run - 1, digit, &t);
	(*total)++;
	return ok;
}

int kyc_reader_checks(const char lines[][KYC_READER_MAX_CHARS + 1], int nlines, int line_len,
		      int *total)
{
	int ok = 0;
	*total = 0;
	if (nlines == 3 && line_len == 30) {
		const char *a = lines[0], *b = lines[1];
		char comp[64];
		ok += chk_docnum(a, 5, 14, 15, 15, total);
		ok += chk(b, 0, 6, b[6], total);
		ok += chk(b, 8, 6, b[14], total);
		memcpy(comp, a + 5, 25);
		memcpy(comp + 25, b, 7);
		memcpy(comp + 32, b + 8, 7);
		memcpy(comp + 39, b + 18, 11);
		ok += chk(comp, 0, 50, b[29], total);
	} else if (nlines == 2 && (line_len == 36 || line_len == 44)) {
		const char *b = lines[1];
		int visa = lines[0][0] == 'V';
		/* TD2's optional data (28-34) may continue a long number; a
		 * TD3's number is never long (its optional data is personal) */
		if (line_len == 36 && !visa)
			ok += chk_docnum(b, 0, 9, 28, 7, total);
		else
			ok += chk(b, 0, 9, b[9], total);
		ok += chk(b, 13, 6, b[19], total);
		ok += chk(b, 21, 6, b[27], total);
		if (!visa && line_len == 36) {
			static const int p[][2] = {{0, 10}, {13, 7}, {21, 14}};
			ok += chk_composite(b, p, 3, b[35], total);
		} else if (!visa) {
			static const int p[][2] = {{0, 10}, {13, 7}, {21, 22}};
			if (b[42] != '<' || b[28] != '<')
				ok += chk(b, 28, 14, b[42], total);
			ok += chk_composite(b, p, 3, b[43], total);
		}
	}
	return ok;
}

/* One code of n characters at (line, start), allowed: its first character
 * one of allowed, or with allowed NULL a country code ICAO knows. */
static int fit_code(const struct kyc_mrz_cands *c, char lines[][KYC_READER_MAX_CHARS + 1],
		    float conf[][KYC_READER_MAX_CHARS], int line, int start, int n,
		    const char *allowed)
{
	char *s = &lines[line][start];
	if (allowed ? strchr(allowed, s[0]) != NULL : kyc_mrz_country_known(s, (size_t)n))
		return 0;
	const char(*ch)[KYC_MRZ_DECODE_K] = &c->ch[line][start];
	const float(*p)[KYC_MRZ_DECODE_K] = &c->p[line][start];
	char best[3] = {0}, t[3];
	/* not far below the reading as it stands (the decoder's bound): a
	 * code read from a misplaced grid is no country */
	double bp = 1.0 / 50;
	int k[3] = {0}, changed = 0;
	for (int i = 0; i < n; i++)
		bp *= conf[line][start + i];
	/* every combination of the candidates, 4^n <= 64 */
	for (;;) {
		double prob = 1;
		for (int i = 0; i < n; i++) {
			t[i] = ch[i][k[i]];
			prob *= p[i][k[i]];
		}
		int ok = allowed ? t[0] && strchr(allowed, t[0]) != NULL
				 : kyc_mrz_country_known(t, (size_t)n);
		if (ok && prob > bp) {
			bp = prob;
			memcpy(best, t, (size_t)n);
		}
		int i = 0;
		while (i < n && (++k[i] == KYC_MRZ_DECODE_K || !ch[i][k[i]]))
			k[i++] = 0;
		if (i == n)
			break;
	}
	for (int i = 0; best[0] && i < n; i++) {
		if (s[i] == best[i])
			continue;
		for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
			if (ch[i][q] == best[i])
				conf[line][start + i] = p[i][q];
		s[i] = best[i];
		changed++;
	}
	return changed;
}

/* The French card: its document number where the others have the
 * nationality, and its sex at the end. */
static int french_card(int nlines, int len, const char *line0)
{
	return nlines == 2 && len == 36 && !memcmp(line0, "IDFRA", 5);
}

int kyc_reader__fit_codes(const struct kyc_mrz_cands *c, char lines[][KYC_READER_MAX_CHARS + 1],
			  float conf[][KYC_READER_MAX_CHARS])
{
	int td1 = c->nlines == 3, n = 0;
	int frid = french_card(c->nlines, c->len, lines[0]);
	n += fit_code(c, lines, conf, 0, 0, 1, "PIACV");
	n += fit_code(c, lines, conf, 0, 2, 3, NULL);
	if (!frid)
		n += fit_code(c, lines, conf, 1, td1 ? 15 : 10, 3, NULL);
	n += fit_code(c, lines, conf, 1, td1 ? 7 : frid ? 34 : 20, 1, "MFX<");
	return n;
}

/* What kind of character a position of the format holds: 'd' digit, 'a' letter
 * or filler, 0 anything. Used to pick the classifier's best guess of the right
 * kind; the MRZ parser does the check-digit-driven corrections. */
char kyc_reader__field_kind(int nlines, int len, int line, int pos)
{
	if (line == 0 && pos < 5)
		return 'a';
	if (nlines == 3) {
		if (line == 0 && pos == 14)
			return 'd';
		if (line == 1 && ((pos <= 6) || (pos >= 8 && pos <= 14) || pos == 29))
			return 'd';
		if (line == 1 && pos >= 15 && pos <= 17)
			return 'a';
		if (line == 2)
			return 'a';
		return 0;
	}
	if (line == 0)
		return 'a';
	if (pos == 9 || (pos >= 13 && pos <= 19) || (pos >= 21 && pos <= 27))
		return 'd';
	if (pos >= 10 && pos <= 12)
		return 'a';
	if (len == 44 && pos == 43)
		return 'd';
	return 0;
}

/* the digit a letter's shape is in OCR-B but for its width or a corner;
 * narrower than the corrector's look-alikes (kyc_mrz__letter_to_digit,
 * mrz_correct.c), which also list letters a misread may come from */
int kyc_reader__twin(char letter, char digit)
{
	static const char pairs[][2] = {{'O', '0'}, {'I', '1'}, {'Z', '2'}, {'A', '4'},
					{'S', '5'}, {'G', '6'}, {'B', '8'}};
	for (size_t q = 0; q < sizeof pairs / sizeof pairs[0]; q++)
		if (pairs[q][0] == letter && pairs[q][1] == digit)
			return 1;
	return 0;
}

void kyc_reader__twin_conf(struct kyc_reader_result *out)
{
	int n = out->nlines, len = out->line_len;
	if (french_card(n, len, out->lines[0]))
		return;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < len; k++) {
			if (kyc_reader__field_kind(n, len, i, k) != 'a' ||
			    !kyc_reader__twin(out->lines[i][k], out->alt[i][k]))
				continue;
			float s = out->conf[i][k] + out->alt_conf[i][k];
			out->conf[i][k] = s > 1 ? 1 : s;
		}
}
