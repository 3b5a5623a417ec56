#include "json/write.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Bytes a JSON string must escape: '"', '\\' and the controls below 0x20.
 * jansson writes UTF-8 as it is (strings are valid UTF-8 in jansson). */
static int must_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

static int write_string(const char *s, size_t n, kyc_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = kyc_buf_append(out, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!must_escape(c))
			continue;
		rc = kyc_buf_append(out, s + run, i - run);
		run = i + 1;
		char esc[6] = {'\\', 0};
		size_t el = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default: /* as jansson: \u and four upper-case hex digits */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			el = 6;
		}
		rc = rc ? rc : kyc_buf_append(out, esc, el);
	}
	rc = rc ? rc : kyc_buf_append(out, s + run, n - run);
	return rc ? rc : kyc_buf_append(out, "\"", 1);
}

static int write_integer(json_int_t v, kyc_buf *out)
{
	char tmp[24], *p = tmp + sizeof tmp;
	/* the magnitude as unsigned: -INT64_MIN fits there, not in json_int_t */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return kyc_buf_append(out, p, (size_t)(tmp + sizeof tmp - p));
}

/* Reals are rare in answers; jansson's own formatting keeps the bytes the same. */
static int write_real(const json_t *v, kyc_buf *out)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!t)
		return KYC_ERR_INVALID; /* NaN or infinity, or out of memory */
	int rc = kyc_buf_puts(out, t);
	free(t);
	return rc;
}

static int write_value(const json_t *v, kyc_buf *out, int depth)
{
	if (depth > KYC_JSON_WRITE_DEPTH)
		return KYC_ERR_INVALID;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		int rc = kyc_buf_append(out, "{", 1), first = 1;
		const char *k;
		size_t kl;
		json_t *m;
		json_object_keylen_foreach((json_t *)v, k, kl, m)
		{
			if (rc)
				break;
			rc = first ? 0 : kyc_buf_append(out, ",", 1);
			first = 0;
			rc = rc ? rc : write_string(k, kl, out);
			rc = rc ? rc : kyc_buf_append(out, ":", 1);
			rc = rc ? rc : write_value(m, out, depth + 1);
		}
		return rc ? rc : kyc_buf_append(out, "}", 1);
	}
	case JSON_ARRAY: {
		int rc = kyc_buf_append(out, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			rc = i ? kyc_buf_append(out, ",", 1) : 0;
			rc = rc ? rc : write_value(json_array_get(v, i), out, depth + 1);
		}
		return rc ? rc : kyc_buf_append(out, "]", 1);
	}
	case JSON_STRING:
		return write_string(json_string_value(v), json_string_length(v), out);
	case JSON_INTEGER:
		return write_integer(json_integer_value(v), out);
	case JSON_REAL:
		return write_real(v, out);
	case JSON_TRUE:
		return kyc_buf_append(out, "true", 4);
	case JSON_FALSE:
		return kyc_buf_append(out, "false", 5);
	case JSON_NULL:
		return kyc_buf_append(out, "null", 4);
	}
	return KYC_ERR_INVALID;
}

int kyc_json_write(const json_t *v, kyc_buf *out)
{
	return v ? write_value(v, out, 0) : KYC_ERR_INVALID;
}
