/* libFuzzer target for what the store takes from outside as text
 * (src/store/store_record.c): a list cursor (clients send it back) and the
 * first bytes of a webhook answer kept in the attempt log (any bytes, cut
 * anywhere). Input: one byte choosing the parser, then its input. Checks
 * that a cursor is refused or decodes to what encodes back to it, and that
 * the kept text is valid UTF-8 without NULs, no longer than the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* 1 when p is valid UTF-8 (shortest forms, no surrogates' check needed
 * beyond what the sanitizer promises: lead and continuation bytes). */
static int utf8_ok(const unsigned char *p)
{
	while (*p) {
		size_t len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
		if (!len || (len == 2 && *p < 0xc2) || (len == 4 && *p > 0xf4))
			return 0;
		for (size_t j = 1; j < len; j++)
			if ((p[j] >> 6) != 2)
				return 0;
		p += len;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *in = malloc(size);
	if (!in)
		abort();
	memcpy(in, data + 1, size - 1);
	in[size - 1] = 0;
	if (data[0] & 1) {
		int64_t created;
		char id[64], again[128];
		if (kyc__store_cursor_decode(in, &created, id) == 0) {
			kyc__store_cursor_encode(again, sizeof again, created, id);
			int64_t c2;
			char id2[64];
			if (again[0] && (kyc__store_cursor_decode(again, &c2, id2) != 0 || c2 != created ||
					 strcmp(id2, id) != 0))
				abort();
		}
	} else {
		char *t = kyc__store_utf8_text((const char *)data + 1, size - 1);
		if (!t || strlen(t) > size - 1 || !utf8_ok((const unsigned char *)t))
			abort();
		free(t);
	}
	free(in);
	return 0;
}
