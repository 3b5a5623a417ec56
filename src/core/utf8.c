#include "core/utf8.h"

size_t kyc_utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
				    : (c & 0xF8) == 0xF0     ? 4
							     : 0;
	if (need == 1) {
		*cp = c;
		return 1;
	}
	size_t n = 1;
	while (n < len && n < 4 && (s[n] & 0xC0) == 0x80)
		n++;
	if (need == 0 || n != need) {
		*cp = 0xFFFD;
		return n;
	}
	unsigned v = c & (0x7F >> need);
	for (size_t i = 1; i < n; i++)
		v = (v << 6) | (s[i] & 0x3F);
	/* Overlong forms, surrogates and values past Unicode are not characters. */
	static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[need] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		v = 0xFFFD;
	*cp = v;
	return n;
}

int kyc_utf8_put(char *dst, size_t cap, size_t *n, unsigned cp)
{
	unsigned char b[4];
	size_t k;
	if (cp < 0x80)
		b[0] = (unsigned char)cp, k = 1;
	else if (cp < 0x800)
		b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3F)), k = 2;
	else if (cp < 0x10000)
		b[0] = (unsigned char)(0xE0 | cp >> 12), b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
		b[2] = (unsigned char)(0x80 | (cp & 0x3F)), k = 3;
	else
		b[0] = (unsigned char)(0xF0 | cp >> 18), b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)),
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (unsigned char)(0x80 | (cp & 0x3F)),
		k = 4;
	if (*n + k + 1 > cap)
		return -1;
	for (size_t i = 0; i < k; i++)
		dst[(*n)++] = (char)b[i];
	dst[*n] = 0;
	return 0;
}
