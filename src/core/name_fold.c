#include "core/name_fold.h"

#include <stdlib.h>
#include <string.h>

/* Latin-1 Supplement and Latin Extended-A letters -> ASCII (upper case).
 * Indexed by code point - 0xC0 up to U+017F. */
static const char *latin_fold(unsigned cp)
{
	static const char *const l1[] = {
		/* C0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
		/* D0 */ "D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "SS",
		/* E0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
		/* F0 */ "D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "Y",
	};
	/* U+0100..U+017F (Latin Extended-A): the base letter of each. */
	static const char ext_a[] = "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIIIIIJJKKKLLLLLLLLLLNNNNNNNNNOOOOOOOORRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";
	static const char *const single[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I",
					     "J", "K", "L", "M", "N", "O", "P", "Q", "R",
					     "S", "T", "U", "V", "W", "X", "Y", "Z"};
	if (cp >= 0xC0 && cp <= 0xFF)
		return l1[cp - 0xC0];
	if (cp >= 0x100 && cp <= 0x17F)
		return single[ext_a[cp - 0x100] - 'A'];
	return NULL;
}

/* Decodes one UTF-8 sequence; returns its length (1 on a bad byte). */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	*cp = 0xFFFD;
	size_t n = 1;
	while (s[n] && (s[n] & 0xC0) == 0x80 && n < 4)
		n++;
	return n;
}

static int cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* AE/OE/UE -> A/O/U and AA -> A inside a word (an MRZ writes Ä as AE or A). */
static void fold_digraphs(char *w)
{
	char *o = w;
	for (char *p = w; *p; p++) {
		*o++ = *p;
		if ((p[0] == 'A' || p[0] == 'O' || p[0] == 'U') && p[1] == 'E')
			p++;
		else if (p[0] == 'A' && p[1] == 'A')
			p++;
	}
	*o = '\0';
}

size_t kyc_name_fold(const char *in, char *out, size_t outsz)
{
	char tmp[512];
	size_t n = 0;
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	while (*s && n + 3 < sizeof tmp) {
		unsigned cp;
		s += utf8_next(s, &cp);
		const char *f = NULL;
		char c[2] = {0, 0};
		if (cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))) {
			c[0] = (char)(cp >= 'a' ? cp - 32 : cp);
			f = c;
		} else if (cp >= 0xC0) {
			f = latin_fold(cp);
		}
		if (f) {
			for (; *f && n + 2 < sizeof tmp; f++)
				tmp[n++] = *f;
		} else if (n && tmp[n - 1] != ' ') {
			tmp[n++] = ' '; /* anything else separates words */
		}
	}
	tmp[n] = '\0';
	char *words[64];
	int nw = 0;
	for (char *p = tmp; *p && nw < 64;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		words[nw++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	/* To a fixed point, so folding a folded name changes nothing ("UEE" -> "U"). */
	for (int i = 0; i < nw; i++) {
		size_t before;
		do {
			before = strlen(words[i]);
			fold_digraphs(words[i]);
		} while (strlen(words[i]) != before);
	}
	qsort(words, (size_t)nw, sizeof words[0], cmp_words);
	size_t len = 0;
	if (outsz)
		out[0] = '\0';
	for (int i = 0; i < nw; i++) {
		size_t wl = strlen(words[i]);
		if (len + wl + 2 > outsz)
			break;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, words[i], wl);
		len += wl;
		out[len] = '\0';
	}
	return len;
}

