#include "core/base64.h"

#include <stdint.h>
#include <string.h>

#include "core/err.h"

static const char std_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* What each input byte is: below 64 a sextet of both alphabets; 0x40|v only
 * in the standard one ('+' '/'), 0x80|v only in the URL-safe one ('-' '_');
 * then padding, whitespace and everything else. A constant table rather
 * than range tests: the range tests mispredict on every character of
 * random data and made decoding six times slower. */
enum { V_STD = 0x40, V_URL = 0x80, V_PAD = 0xfd, V_WS = 0xfe, V_BAD = 0xff };
static const unsigned char dec_tab[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e, 0xff, 0xbe, 0xff, 0x7f,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xff,
    0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xff, 0xff, 0xff, 0xff, 0xbf,
    0xff, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Where decoded bytes go: a caller's array, or a kyc_buf through a chunk on
 * the stack (one pass, no scratch allocation the size of the image). */
struct sink {
	unsigned char *out;
	size_t outsz;
	kyc_buf *b;
	unsigned char chunk[4096];
	size_t n;     /* bytes in chunk (kyc_buf) or in out (array) */
	size_t total; /* bytes produced */
};

static int sink_flush(struct sink *s)
{
	int rc = s->n ? kyc_buf_append(s->b, s->chunk, s->n) : 0;
	s->n = 0;
	return rc;
}

static int decode(const char *in, size_t inlen, int flags, struct sink *s)
{
	int url = (flags & KYC_B64_URL) != 0;
	int pad_optional = (flags & (KYC_B64_URL | KYC_B64_NOPAD)) != 0;
	unsigned other = url ? V_STD : V_URL; /* the other alphabet's marker */
	uint32_t acc = 0;
	unsigned nbits = 0;
	size_t nchars = 0, npad = 0;
	for (size_t i = 0; i < inlen; i++) {
		unsigned v = dec_tab[(unsigned char)in[i]];
		if (v >= 64) {
			if (v == V_WS)
				continue;
			if (v == V_PAD) {
				npad++;
				continue;
			}
			if (v == V_BAD || (v & other))
				return KYC_ERR_INVALID;
			v &= 63;
		}
		if (npad)
			return KYC_ERR_INVALID; /* data after padding */
		nchars++;
		acc = (acc << 6 | v) & 0xffffff;
		nbits += 6;
		if (nbits < 8)
			continue;
		nbits -= 8;
		unsigned char byte = (unsigned char)(acc >> nbits);
		if (s->b) {
			if (s->n == sizeof s->chunk) {
				int rc = sink_flush(s);
				if (rc)
					return rc;
			}
			s->chunk[s->n++] = byte;
		} else {
			if (s->n >= s->outsz)
				return KYC_ERR_TOOBIG;
			s->out[s->n++] = byte;
		}
		s->total++;
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
	return s->b ? sink_flush(s) : 0;
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

int kyc_base64_decode(const char *in, size_t inlen, int flags, unsigned char *out, size_t outsz,
                      size_t *outlen)
{
	struct sink s = {.out = out, .outsz = out ? outsz : 0};
	int rc = decode(in, inlen, flags, &s);
	*outlen = rc ? 0 : s.total;
	return rc;
}

int kyc_base64_decode_buf(const char *in, size_t inlen, int flags, kyc_buf *b)
{
	size_t old = b->len;
	struct sink s = {.b = b};
	int rc = decode(in, inlen, flags, &s);
	if (rc == 0 && !b->data)
		rc = kyc_buf_append(b, "", 0); /* so data is never NULL on success */
	if (rc && b->data) {
		/* undo the chunks already appended: b is as it was */
		b->len = old;
		b->data[old] = '\0';
	}
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
	char q[4096];
	size_t k = 0, i = 0, old = b->len;
	int rc = 0;
	for (; i + 3 <= n && rc == 0; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		q[k++] = tab[v >> 18];
		q[k++] = tab[(v >> 12) & 63];
		q[k++] = tab[(v >> 6) & 63];
		q[k++] = tab[v & 63];
		if (k == sizeof q) {
			rc = kyc_buf_append(b, q, k);
			k = 0;
		}
	}
	if (rc == 0 && i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		q[k++] = tab[v >> 18];
		q[k++] = tab[(v >> 12) & 63];
		if (i + 1 < n)
			q[k++] = tab[(v >> 6) & 63];
		for (size_t j = n - i; pad && j < 3; j++)
			q[k++] = '=';
	}
	if (rc == 0)
		rc = kyc_buf_append(b, q, k); /* also for n == 0: data is never NULL */
	if (rc && b->data) {
		b->len = old; /* out of memory half-way: leave b as it was */
		b->data[old] = '\0';
	}
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
