#include "core/rand.h"

#include <ctype.h>
#include <errno.h>
#include <sys/random.h>

#include "core/err.h"

int kyc_rand_bytes(void *p, size_t n)
{
	unsigned char *q = p;
	while (n > 0) {
		ssize_t got = getrandom(q, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return KYC_ERR_IO;
		}
		q += got;
		n -= (size_t)got;
	}
	return 0;
}

void kyc_hex_encode(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int kyc_rand_hex(char *out, size_t n)
{
	unsigned char tmp[64];
	if (n > sizeof tmp)
		return KYC_ERR_TOOBIG;
	int rc = kyc_rand_bytes(tmp, n);
	if (rc)
		return rc;
	kyc_hex_encode(out, tmp, n);
	return 0;
}

int kyc_uuid_new(char out[37])
{
	unsigned char b[16];
	int rc = kyc_rand_bytes(b, sizeof b);
	if (rc)
		return rc;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	char hex[33];
	kyc_hex_encode(hex, b, 16);
	int o = 0;
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[o++] = '-';
		out[o++] = hex[i];
	}
	out[o] = '\0';
	return 0;
}

int kyc_uuid_valid(const char *s, size_t len)
{
	if (!s || len != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}
