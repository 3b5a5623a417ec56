#include "core/base64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static const char std_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

enum { V_BAD = 0xff, V_WS = 0xfe, V_PAD = 0xfd };

/* The value of one input character in the chosen alphabet. A switch rather
 * than a table built at run time: no shared state, so no thread-safety question. */
static unsigned sextet(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	switch (c) {
	case '+':
		return url ? V_BAD : 62;
	case '/':
		return url ? V_BAD : 63;
	case '-':
		return url ? 62 : V_BAD;
	case '_':
		return url ? 63 : V_BAD;
	case '=':
		return V_PAD;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case '\v':
	case '\f':
		return V_WS;
	default:
		return V_BAD;
	}
}

size_t kyc_base64_encoded_len(size_t n, int flags)
{
	if (flags & KYC_B64_NOPAD)
		return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	return (n + 2) / 3 * 4;
}

size_t kyc_base64_decoded_max(size_t inlen)
{
	return inlen / 4 * 3 + (inlen % 4 ? inlen % 4 - 1 : 0);
}

/* One pass that validates and (when out is not NULL) writes. Counting first
 * with out == NULL lets callers size the output exactly. */
static int decode(const char *in, size_t inlen, int flags, unsigned char *out, size_t outsz,
                  size_t *outlen)
{
	int url = (flags & KYC_B64_URL) != 0;
	int pad_optional = (flags & (KYC_B64_URL | KYC_B64_NOPAD)) != 0;
	uint32_t acc = 0;
	unsigned nbits = 0;
	size_t nchars = 0, npad = 0, n = 0;
	for (size_t i = 0; i < inlen; i++) {
		unsigned v = sextet((unsigned char)in[i], url);
		if (v == V_WS)
			continue;
		if (v == V_BAD)
			return KYC_ERR_INVALID;
		if (v == V_PAD) {
			npad++;
			continue;
		}
		if (npad)
			return KYC_ERR_INVALID; /* data after padding */
		nchars++;
		acc = (acc << 6 | v) & 0xffffff;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			if (out) {
				if (n >= outsz)
					return KYC_ERR_TOOBIG;
				out[n] = (unsigned char)(acc >> nbits);
			}
			n++;
		}
	}
	size_t rem = nchars % 4;
	if (rem == 1)
		return KYC_ERR_INVALID; /* 6 bits cannot make a byte */
	if (npad) {
		if (rem == 0 || npad != 4 - rem)
			return KYC_ERR_INVALID;
	} else if (rem && !pad_optional) {
		return KYC_ERR_INVALID;
	}
	if (acc & ((1u << nbits) - 1))
		return KYC_ERR_INVALID; /* non-canonical: unused bits set */
	*outlen = n;
	return 0;
}

int kyc_base64_decode(const char *in, size_t inlen, int flags, unsigned char *out, size_t outsz,
                      size_t *outlen)
{
	size_t need = 0;
	int rc = decode(in, inlen, flags, NULL, 0, &need);
	if (rc)
		return rc;
	if (need > outsz)
		return KYC_ERR_TOOBIG;
	if (need == 0) {
		*outlen = 0;
		return 0;
	}
	return decode(in, inlen, flags, out, outsz, outlen);
}

int kyc_base64_decode_buf(const char *in, size_t inlen, int flags, kyc_buf *b)
{
	size_t need = 0;
	int rc = decode(in, inlen, flags, NULL, 0, &need);
	if (rc)
		return rc;
	if (need > b->max || b->len > b->max - need)
		return KYC_ERR_TOOBIG;
	if (need == 0)
		return kyc_buf_append(b, "", 0);
	/* kyc_buf has no "reserve and write in place", so decode into a scratch
	 * block of the exact size and append it. */
	unsigned char *tmp = malloc(need);
	if (!tmp)
		return KYC_ERR_NOMEM;
	size_t got = 0;
	rc = decode(in, inlen, flags, tmp, need, &got);
	if (rc == 0)
		rc = kyc_buf_append(b, tmp, got);
	free(tmp);
	return rc;
}

int kyc_base64_encode_buf(const void *p, size_t n, int flags, kyc_buf *b)
{
	const unsigned char *s = p;
	const char *tab = (flags & KYC_B64_URL) ? url_chars : std_chars;
	int pad = !(flags & KYC_B64_NOPAD);
	if (n > ((size_t)-1 - 2) / 4 * 3)
		return KYC_ERR_TOOBIG;
	size_t total = kyc_base64_encoded_len(n, flags);
	if (total > b->max || b->len > b->max - total)
		return KYC_ERR_TOOBIG;
	char q[4];
	size_t i = 0;
	int rc = 0;
	for (; i + 3 <= n && rc == 0; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = tab[(v >> 6) & 63];
		q[3] = tab[v & 63];
		rc = kyc_buf_append(b, q, 4);
	}
	if (rc == 0 && i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		size_t k = 0;
		q[k++] = tab[v >> 18];
		q[k++] = tab[(v >> 12) & 63];
		if (i + 1 < n)
			q[k++] = tab[(v >> 6) & 63];
		while (pad && k < 4)
			q[k++] = '=';
		rc = kyc_buf_append(b, q, k);
	}
	if (rc == 0 && n == 0)
		rc = kyc_buf_append(b, "", 0);
	return rc;
}

static int ieq_prefix(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return 1;
}

int kyc_base64_data_url(const char *s, size_t len, const char **payload, size_t *payload_len,
                        char *mime, size_t mimesz)
{
	if (mime && mimesz)
		mime[0] = '\0';
	if (!ieq_prefix(s, len, "data:")) {
		*payload = s;
		*payload_len = len;
		return 0;
	}
	const char *head = s + 5;
	size_t rest = len - 5;
	const char *comma = memchr(head, ',', rest);
	if (!comma)
		return KYC_ERR_INVALID;
	size_t hlen = (size_t)(comma - head);
	static const char suffix[] = ";base64";
	if (hlen < sizeof suffix - 1 ||
	    !ieq_prefix(head + hlen - (sizeof suffix - 1), sizeof suffix - 1, suffix))
		return KYC_ERR_INVALID;
	const char *semi = memchr(head, ';', hlen);
	size_t mlen = (size_t)(semi - head); /* semi exists: the suffix has one */
	if (mime && mimesz) {
		if (mlen >= mimesz)
			return KYC_ERR_INVALID;
		for (size_t i = 0; i < mlen; i++) {
			char c = head[i];
			if ((unsigned char)c < 0x21 || c == 0x7f)
				return KYC_ERR_INVALID;
			mime[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		mime[mlen] = '\0';
	}
	*payload = comma + 1;
	*payload_len = rest - hlen - 1;
	return 0;
}
