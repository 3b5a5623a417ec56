/* libFuzzer target: the HTTP/1 request head as the server re-reads it for
 * ambiguous body framing (src/http/framing.c), with whatever bytes a client
 * sends. Checks: no crash, and that the answer agrees with a plain count of
 * the two header names at line starts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/framing.h"

static int count(const char *p, size_t n, const char *name)
{
	size_t len = strlen(name);
	int c = 0;
	for (size_t i = 0; i < n; i++) {
		if ((i == 0 || p[i - 1] == '\n') && n - i > len && p[i + len] == ':' &&
		    !strncasecmp(p + i, name, len))
			c++;
	}
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	int cl = count(p, size, "content-length"), te = count(p, size, "transfer-encoding");
	int want = (cl && te) || cl > 1 || te > 1;
	if (kyc_http1_framing_ambiguous(p, size) != want)
		abort();
	return 0;
}
