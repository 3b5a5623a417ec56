#include "http/framing.h"

#include <string.h>
#include <strings.h>

/* The number of header fields called name in the head. */
static int field_count(const char *head, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	int n = 0;
	for (const char *p = head, *end = head + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		if ((size_t)(line_end - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen))
			n++;
		p = eol ? eol + 1 : end;
	}
	return n;
}

int kyc_http1_framing_ambiguous(const char *head, size_t len)
{
	int cl = field_count(head, len, "content-length");
	int te = field_count(head, len, "transfer-encoding");
	return (cl && te) || cl > 1 || te > 1;
}
