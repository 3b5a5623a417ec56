/* The visual zone's values: printed dates parsed, and printed names and
 * document numbers compared with the MRZ's, within OCR's noise. Shared by
 * the page reader (viz.c) through viz_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/name_fold.h"
#include "document/viz.h"
#include "document/viz_int.h"

/* ---- dates ---- */

static int month_of(const char *w)
{
	static const char *const names[][4] = {
	    {"JAN", "JANV", "ENE", "STY"},  {"FEB", "FEV", "FEVR", "LUT"},
	    {"MAR", "MARS", "MRZ", "MAE"},  {"APR", "AVR", "ABR", "KWI"},
	    {"MAY", "MAI", "MAG", "MAJ"},   {"JUN", "JUIN", "GIU", "CZE"},
	    {"JUL", "JUIL", "LUG", "LIP"},  {"AUG", "AOUT", "AGO", "SIE"},
	    {"SEP", "SEPT", "SET", "WRZ"},  {"OCT", "OKT", "OTT", "PAZ"},
	    {"NOV", "LIS", "NOVE", "NOVI"}, {"DEC", "DEZ", "DIC", "GRU"},
	};
	for (int m = 0; m < 12; m++)
		for (int k = 0; k < 4; k++)
			if (!strcmp(w, names[m][k]))
				return m + 1;
	/* a bilingual month whose slash was read as a letter ("APRIAVR",
	 * "AUGIAOUT"): two names of the same month around one character */
	size_t n = strlen(w);
	for (size_t cut = 3; cut <= 4 && cut + 4 <= n; cut++) {
		char a[8], b[8];
		if (n - cut - 1 >= sizeof b)
			continue;
		memcpy(a, w, cut), a[cut] = 0;
		memcpy(b, w + cut + 1, n - cut), b[n - cut - 1] = 0;
		int m = 0;
		for (int i = 0; i < 12 && !m; i++)
			for (int k = 0; k < 4 && !m; k++)
				m = !strcmp(a, names[i][k]) ? i + 1 : 0;
		for (int k = 0; m && k < 4; k++)
			if (!strcmp(b, names[m - 1][k]))
				return m;
	}
	return 0;
}

/* A token that should be a number, with the letters OCR confuses with
 * digits read as digits; -1 when it is not one. */
static int number_of(const char *t, int *ndigits)
{
	int v = 0, n = 0;
	for (; *t; t++, n++) {
		char c = *t == 'O' || *t == 'D' || *t == 'Q' ? '0'
		         : *t == 'I' || *t == 'L'            ? '1'
		         : *t == 'S'                         ? '5'
		         : *t == 'B'                         ? '8'
		         : *t == 'Z'                         ? '2'
		                                             : *t;
		if (c < '0' || c > '9' || n >= 4)
			return -1;
		v = v * 10 + (c - '0');
	}
	*ndigits = n;
	return n ? v : -1;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

int kyc_viz_parse_date(const char *text, int ref_year, char iso[11])
{
	return kyc__viz_parse_date(text, ref_year, iso, NULL);
}

/* As kyc_viz_parse_date; *whole (may be NULL): 1 when the date was printed
 * in full, a two-digit day and a four-digit year, as data pages print them
 * (a shorter one is more likely a line cut by the layout analysis). */
int kyc__viz_parse_date(const char *text, int ref_year, char iso[11], int *whole)
{
	/* tokens: runs of letters or digits, upper case; a letter run right after
	 * a digit run is its own token ("12AUG") */
	char tok[16][12];
	int nt = 0;
	for (const char *p = text; *p && nt < 16;) {
		char c = *p;
		int alnum =
		    (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		if (!alnum) {
			p++;
			continue;
		}
		int digit = c >= '0' && c <= '9';
		size_t n = 0;
		while (*p && n < 11) {
			char d = *p;
			int isd = d >= '0' && d <= '9';
			int isl = (d >= 'A' && d <= 'Z') || (d >= 'a' && d <= 'z');
			if (!(isd || isl) ||
			    (n && isd != digit && !(digit && (d == 'O' || d == 'I'))))
				break;
			tok[nt][n++] = (char)(d >= 'a' && d <= 'z' ? d - 32 : d);
			p++;
		}
		while (*p &&
		       ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= 'a' && *p <= 'z')) &&
		       n >= 11)
			p++; /* the rest of an overlong token */
		tok[nt][n] = 0;
		nt++;
	}
	for (int i = 0; i + 2 < nt; i++) {
		int nd0, nd2, nd1 = 0, d, m, y;
		int a = number_of(tok[i], &nd0), c = number_of(tok[i + 2], &nd2);
		int mm = month_of(tok[i + 1]);
		/* a bilingual month ("AOUT/AUG") spans two tokens, or three when
		 * its slash was read as a stray character ("APR 7 AVR"): skip them */
		int c2 = -1, nd3 = 0;
		for (int k = i + 2; mm && c2 < 0 && k <= i + 3 && k + 1 < nt; k++)
			if (month_of(tok[k]) == mm)
				c2 = number_of(tok[k + 1], &nd3);
		if (!mm)
			mm = number_of(tok[i + 1], &nd1) > 0 && nd1 <= 2
			         ? number_of(tok[i + 1], &nd1)
			         : 0;
		if (c2 >= 0)
			c = c2, nd2 = nd3;
		if (a < 0 || c < 0 || mm < 1 || mm > 12)
			continue;
		int full;
		if (nd0 == 4 && nd2 <= 2) /* YYYY MM DD */
			y = a, m = mm, d = c, full = nd2 == 2;
		else if (nd0 <= 2 && (nd2 == 4 || nd2 == 2)) /* DD MM YYYY, DD MMM YY */
			d = a, m = mm, y = c, full = nd0 == 2 && nd2 == 4;
		else
			continue;
		if (y < 100) { /* the century nearest the reference year */
			int base = ref_year - ref_year % 100;
			y += base;
			if (y > ref_year + 50)
				y -= 100;
			else if (y < ref_year - 50)
				y += 100;
		}
		if (y < 1900 || y > 2199 || d < 1 || d > days_in(y, m))
			continue;
		snprintf(iso, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		         (unsigned)d % 100u);
		if (whole)
			*whole = full;
		return 1;
	}
	return 0;
}

/* ---- comparisons ---- */

int kyc__viz_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (int)(la > lb ? la : lb);
	int row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int sub = diag + (a[i - 1] != b[j - 1]);
			int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

/* Names: folded, equal within OCR's noise (one edit in eight letters), or the
 * MRZ's a cut-off start of the printed one (an MRZ truncates long names). */
int kyc__viz_names_agree(const char *printed, const char *mrz)
{
	char a[256], b[256];
	kyc_name_fold(printed, a, sizeof a);
	kyc_name_fold(mrz, b, sizeof b);
	if (!a[0] || !b[0])
		return 0;
	size_t lb = strlen(b);
	int tol = (int)(lb / 8) > 1 ? (int)(lb / 8) : 1;
	return kyc__viz_edit_distance(a, b) <= tol || (lb >= 20 && !strncmp(a, b, lb));
}

/* Document numbers: letters and digits only, with the pairs OCR confuses
 * made one, equal. */
void kyc__viz_number_key(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			continue;
		out[n++] = c == 'O' || c == 'Q' || c == 'D' ? '0'
		           : c == 'I' || c == 'L'           ? '1'
		           : c == 'S'                       ? '5'
		           : c == 'B'                       ? '8'
		           : c == 'Z'                       ? '2'
		                                            : c;
	}
	out[n] = 0;
}

int kyc__viz_numbers_agree(const char *printed, const char *mrz)
{
	char a[64], b[64];
	kyc__viz_number_key(printed, a, sizeof a);
	kyc__viz_number_key(mrz, b, sizeof b);
	return b[0] && (strstr(a, b) != NULL || kyc__viz_edit_distance(a, b) <= 1);
}
