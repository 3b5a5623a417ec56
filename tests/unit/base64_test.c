#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/err.h"
#include "test.h"

/* RFC 4648 section 10. */
static const char *const vec[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static int dec(const char *s, int flags, kyc_buf *b)
{
	kyc_buf_reset(b);
	return kyc_base64_decode_buf(s, strlen(s), flags, b);
}

TEST(rfc4648_vectors)
{
	kyc_buf b;
	kyc_buf_init(&b, 64);
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		kyc_buf_reset(&b);
		CHECK_INT(kyc_base64_encode_buf(vec[i][0], strlen(vec[i][0]), KYC_B64_STD, &b), 0);
		CHECK_STR(b.data, vec[i][1]);
		CHECK_INT(b.len, kyc_base64_encoded_len(strlen(vec[i][0]), KYC_B64_STD));
		CHECK_INT(dec(vec[i][1], KYC_B64_STD, &b), 0);
		CHECK_STR(b.data, vec[i][0]);
		CHECK_INT(b.len, strlen(vec[i][0]));
		/* the same with padding left out, where padding is optional */
		char nopad[16];
		snprintf(nopad, sizeof nopad, "%s", vec[i][1]);
		char *eq = strchr(nopad, '=');
		if (eq)
			*eq = '\0';
		CHECK_INT(dec(nopad, KYC_B64_URL, &b), 0);
		CHECK_STR(b.data, vec[i][0]);
		CHECK_INT(dec(nopad, KYC_B64_NOPAD, &b), 0);
		CHECK_STR(b.data, vec[i][0]);
		kyc_buf_reset(&b);
		CHECK_INT(kyc_base64_encode_buf(vec[i][0], strlen(vec[i][0]), KYC_B64_NOPAD, &b),
		          0);
		CHECK_STR(b.data, nopad);
		if (eq)
			CHECK_INT(dec(nopad, KYC_B64_STD, &b), KYC_ERR_INVALID);
	}
	kyc_buf_release(&b);
}

TEST(url_alphabet)
{
	const unsigned char raw[] = {0xfb, 0xff, 0xbf, 0x3e};
	kyc_buf b;
	kyc_buf_init(&b, 64);
	CHECK_INT(kyc_base64_encode_buf(raw, sizeof raw, KYC_B64_STD, &b), 0);
	CHECK_STR(b.data, "+/+/Pg==");
	kyc_buf_reset(&b);
	CHECK_INT(kyc_base64_encode_buf(raw, sizeof raw, KYC_B64_URL | KYC_B64_NOPAD, &b), 0);
	CHECK_STR(b.data, "-_-_Pg");
	CHECK_INT(dec("-_-_Pg", KYC_B64_URL, &b), 0);
	CHECK_INT(b.len, 4);
	CHECK(memcmp(b.data, raw, 4) == 0);
	CHECK_INT(dec("-_-_Pg==", KYC_B64_URL, &b), 0);
	CHECK_INT(b.len, 4);
	/* each alphabet refuses the other's two characters */
	CHECK_INT(dec("-_-_Pg==", KYC_B64_STD, &b), KYC_ERR_INVALID);
	CHECK_INT(dec("+/+/Pg==", KYC_B64_URL, &b), KYC_ERR_INVALID);
	kyc_buf_release(&b);
}

TEST(whitespace_ignored)
{
	kyc_buf b;
	kyc_buf_init(&b, 64);
	CHECK_INT(dec(" Zm9v\r\nYmFy\n", KYC_B64_STD, &b), 0);
	CHECK_STR(b.data, "foobar");
	CHECK_INT(dec("Zm9v Yg= =\t", KYC_B64_STD, &b), 0);
	CHECK_STR(b.data, "foob");
	CHECK_INT(dec(" \n\t", KYC_B64_STD, &b), 0);
	CHECK_INT(b.len, 0);
	kyc_buf_release(&b);
}

TEST(strict_padding_and_alphabet)
{
	kyc_buf b;
	kyc_buf_init(&b, 64);
	static const char *const bad[] = {
	    "Zg=",      /* too little padding */
	    "Zg===",    /* too much */
	    "Zm9v=",    /* padding on a full quantum */
	    "Zm9vY",    /* one lone character */
	    "Zm9vY===", /* one lone character, padded */
	    "Zg==Zg==", /* data after padding */
	    "Zh==",     /* unused bits set: non-canonical */
	    "Zm9=",     /* unused bits set */
	    "Zm9v!",    /* outside the alphabet */
	    "Zm\0v",    /* NUL */
	    "=",        /* padding alone */
	    "====",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		kyc_buf_reset(&b);
		size_t n = i == 9 ? 4 : strlen(bad[i]);
		int rc = kyc_base64_decode_buf(bad[i], n, KYC_B64_STD, &b);
		if (rc != KYC_ERR_INVALID)
			test_fail(__FILE__, __LINE__, bad[i]);
		CHECK_INT(b.len, 0);
	}
	kyc_buf_release(&b);
}

TEST(caps)
{
	kyc_buf b;
	kyc_buf_init(&b, 5);
	CHECK_INT(dec("Zm9vYmFy", KYC_B64_STD, &b), KYC_ERR_TOOBIG);
	CHECK_INT(b.len, 0);
	CHECK_INT(dec("Zm9vYmE=", KYC_B64_STD, &b), 0);
	CHECK_INT(b.len, 5);
	kyc_buf_reset(&b);
	CHECK_INT(kyc_base64_encode_buf("foo", 3, KYC_B64_STD, &b), 0);
	CHECK_INT(kyc_base64_encode_buf("f", 1, KYC_B64_STD, &b), KYC_ERR_TOOBIG);
	CHECK_STR(b.data, "Zm9v");
	kyc_buf_release(&b);

	unsigned char out[4];
	size_t n = 99;
	CHECK_INT(kyc_base64_decode("Zm9vYg==", 8, 0, out, 3, &n), KYC_ERR_TOOBIG);
	CHECK_INT(kyc_base64_decode("Zm9vYg==", 8, 0, out, 4, &n), 0);
	CHECK_INT(n, 4);
	CHECK(memcmp(out, "foob", 4) == 0);
	CHECK(kyc_base64_decoded_max(8) >= 6);
	CHECK(kyc_base64_decoded_max(6) >= 4);
}

/* Every byte string survives a round trip in both alphabets. */
TEST(roundtrip_all_lengths)
{
	unsigned char raw[300];
	for (size_t i = 0; i < sizeof raw; i++)
		raw[i] = (unsigned char)(i * 151 + 7);
	kyc_buf e, d;
	kyc_buf_init(&e, 1024);
	kyc_buf_init(&d, 1024);
	for (size_t n = 0; n <= sizeof raw; n += 1) {
		for (int f = 0; f < 4; f++) {
			kyc_buf_reset(&e);
			kyc_buf_reset(&d);
			REQUIRE(kyc_base64_encode_buf(raw, n, f, &e) == 0);
			CHECK_INT(e.len, kyc_base64_encoded_len(n, f));
			CHECK(kyc_base64_decoded_max(e.len) >= n);
			REQUIRE(kyc_base64_decode_buf(e.data, e.len, f, &d) == 0);
			CHECK_INT(d.len, n);
			CHECK(n == 0 || memcmp(d.data, raw, n) == 0);
		}
	}
	kyc_buf_release(&e);
	kyc_buf_release(&d);
}

/* Every byte value in the last position, in both alphabets, against the
 * alphabets spelled out: the decoder's lookup table has no wrong entry. */
TEST(every_byte_value)
{
	static const char *const alpha[2] = {
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"};
	for (int url = 0; url < 2; url++) {
		for (int c = 0; c < 256; c++) {
			char in[4] = {'A', 'A', 'A', (char)c};
			unsigned char out[4];
			size_t n = 99;
			int rc = kyc_base64_decode(in, 4, url ? KYC_B64_URL : KYC_B64_STD, out,
			                           sizeof out, &n);
			const char *at = c ? memchr(alpha[url], c, 64) : NULL;
			int ws = c && strchr(" \t\r\n\v\f", c);
			if (at) {
				CHECK(rc == 0 && n == 3 &&
				      out[2] == (unsigned char)(at - alpha[url]));
			} else if (c == '=' || (ws && url)) {
				CHECK(rc == 0 && n == 2 && out[0] == 0 && out[1] == 0);
			} else if (rc != KYC_ERR_INVALID) {
				char what[48];
				snprintf(what, sizeof what, "byte %d url %d", c, url);
				test_fail(__FILE__, __LINE__, what);
			}
		}
	}
}

TEST(data_url_prefix)
{
	const char *p;
	size_t n;
	char mime[32];
	const char *s = "data:image/JPEG;base64,/9j/4AAQ";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), 0);
	CHECK_STR(mime, "image/jpeg");
	CHECK_INT(n, 8);
	CHECK(strncmp(p, "/9j/4AAQ", n) == 0);

	s = "DATA:image/png;name=a.png;BASE64,iVBO";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), 0);
	CHECK_STR(mime, "image/png");
	CHECK_INT(n, 4);

	s = "data:;base64,QQ==";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), 0);
	CHECK_STR(mime, "");
	CHECK_INT(n, 4);

	s = "/9j/4AAQ";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), 0);
	CHECK(p == s);
	CHECK_INT(n, strlen(s));
	CHECK_STR(mime, "");

	s = "data:image/jpeg,rawtext"; /* not base64 */
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), KYC_ERR_INVALID);
	s = "data:image/jpeg;base64"; /* no comma */
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), KYC_ERR_INVALID);
	s = "data:image/a-very-long-media-type-name-here;base64,QQ==";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, 16), KYC_ERR_INVALID);
	s = "data:";
	CHECK_INT(kyc_base64_data_url(s, strlen(s), &p, &n, mime, sizeof mime), KYC_ERR_INVALID);
}

int main(void)
{
	RUN(rfc4648_vectors);
	RUN(url_alphabet);
	RUN(whitespace_ignored);
	RUN(strict_padding_and_alphabet);
	RUN(caps);
	RUN(roundtrip_all_lengths);
	RUN(every_byte_value);
	RUN(data_url_prefix);
	return test_done("base64");
}
