/* libFuzzer target: the web surfaces' parsers of what a browser sends --
 * the Cookie header (kyc_cookie_find), Accept-Language (web__pick_lang) and
 * the shape check of a hosted token (kyc_hosted_token_resolve_n stops at
 * the shape for anything that is not a token, before any store call). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "web/hosted_token.h"
#include "web/session.h"
#include "web/web_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct kyc_cookie_value v = kyc_cookie_find(p, size, "kycd_console");
	/* the value is a slice of the header, after "kycd_console=" */
	if (v.ptr && (v.ptr < p + 13 || v.ptr + v.len > p + size ||
		      memcmp(v.ptr - 13, "kycd_console=", 13) != 0))
		abort();
	const char *lang = web__pick_lang(p, size);
	if (strcmp(lang, "en") != 0 && strcmp(lang, "ar") != 0)
		abort();
	/* Only a 36-character UUID shape reaches the store; with none open,
	 * the store is never touched for anything else. */
	if (size != 36) {
		char t[37], vid[37];
		if (kyc_hosted_token_resolve_n(NULL, p, size, 0, t, vid) != KYC_ERR_DENIED)
			abort();
	}
	return 0;
}
