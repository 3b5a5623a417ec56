/* kyc_json_write (src/json/write.h) writes the bytes json_dumps(v,
 * JSON_COMPACT | JSON_ENCODE_ANY) writes: checked on hand-made edge cases
 * and on random documents, each compared with jansson's own output. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "json/write.h"
#include "test.h"

/* 1 when both writers give the same text for v. */
static int same_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	kyc_buf got;
	kyc_buf_init(&got, 1u << 24);
	int ok = want && kyc_json_write(v, &got) == 0 && got.data && !strcmp(got.data, want);
	if (!ok)
		fprintf(stderr, "  want %s\n  got  %s\n", want ? want : "(null)",
			got.data ? got.data : "(null)");
	free(want);
	kyc_buf_release(&got);
	return ok;
}

TEST(edge_cases_as_jansson)
{
	static const char *docs[] = {
	    "{}", "[]", "\"\"", "0", "-1", "9223372036854775807", "-9223372036854775808",
	    "true", "false", "null", "0.5", "1e300", "-2.5e-8", "3.0", "0.1",
	    "[1,[2,[3,[]]],{\"a\":{}}]",
	    "{\"z\":1,\"a\":2,\"m\":[\"x\",null]}",
	    "\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"",
	    "\"\\u0000\\u0001\\u001f\\u007f\\u0080 é ü 中文 😀 \\u2028\"",
	    "{\"k\\u0001ey\":\"v\\u0000al\",\"\\u00e9\":\"\\ud83d\\ude00\"}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		json_error_t e;
		json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
		REQUIRE(v != NULL);
		CHECK(same_as_jansson(v));
		json_decref(v);
	}
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random value: strings of random bytes made valid UTF-8 by jansson's
 * own check (invalid ones are retried as ASCII), integers over the whole
 * range, reals, and nesting. */
static json_t *random_value(int depth)
{
	switch (next() % (depth > 4 ? 5 : 7)) {
	case 0: {
		char s[24] = {0};
		size_t n = next() % sizeof s;
		for (size_t i = 0; i < n; i++)
			s[i] = (char)(next() & 0xff);
		json_t *v = json_stringn(s, n);
		if (!v) {
			for (size_t i = 0; i < n; i++)
				s[i] &= 0x7f;
			v = json_stringn(s, n);
		}
		return v;
	}
	case 1:
		return json_integer((json_int_t)next());
	case 2:
		return json_real((double)(int64_t)next() / (double)(1 + next() % 100000));
	case 3:
		return next() % 2 ? json_true() : json_null();
	case 4:
		return json_integer((json_int_t)(next() % 2000) - 1000);
	case 5: {
		json_t *a = json_array();
		for (int i = (int)(next() % 5); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = (int)(next() % 5); i > 0; i--) {
			char k[8];
			size_t kl = next() % sizeof k;
			for (size_t j = 0; j < kl; j++)
				k[j] = (char)(next() % 0x7f);
			json_object_setn_new(o, k, kl, random_value(depth + 1));
		}
		return o;
	}
	}
}

TEST(random_documents_as_jansson)
{
	int same = 0;
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_value(0);
		REQUIRE(v != NULL);
		same += same_as_jansson(v);
		json_decref(v);
	}
	CHECK_INT(same, 2000);
}

TEST(caps_and_refusals)
{
	kyc_buf b;
	kyc_buf_init(&b, 8);
	json_t *v = json_string("longer than eight");
	CHECK_INT(kyc_json_write(v, &b), KYC_ERR_TOOBIG);
	json_decref(v);
	kyc_buf_release(&b);
	kyc_buf_init(&b, 1024);
	CHECK_INT(kyc_json_write(NULL, &b), KYC_ERR_INVALID);
	json_t *deep = json_array(), *inner = deep;
	for (int i = 0; i < KYC_JSON_WRITE_DEPTH + 1; i++) {
		json_t *a = json_array();
		json_array_append_new(inner, a);
		inner = a;
	}
	kyc_buf_release(&b);
	kyc_buf_init(&b, 1u << 20);
	CHECK_INT(kyc_json_write(deep, &b), KYC_ERR_INVALID);
	json_decref(deep);
	kyc_buf_release(&b);
}

int main(void)
{
	RUN(edge_cases_as_jansson);
	RUN(random_documents_as_jansson);
	RUN(caps_and_refusals);
	return test_done("json_write");
}
