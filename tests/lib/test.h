/* Minimal unit-test harness shared by tests/unit and tests/e2e.
 *
 *   TEST(name) { CHECK(x == 1); REQUIRE(p != NULL); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(name); return test_done("mrz"); }
 *
 * A case passes when none of its CHECKs failed. test_done() prints
 * "[suite] N passed, N failed" and returns the exit status; tests/run sums these. */
#ifndef KYC_TEST_H
#define KYC_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int test_case_failed;

void test_fail(const char *file, int line, const char *what);
void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want);
/* Fails the running case with a message of its own (printf format), or,
 * between cases (a server stopped after the last one, say), counts one more
 * failed case named after the program; so call it, and stop servers, before
 * test_done(), whose line would not count it. */
void test_fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_run(const char *name, void (*fn)(void));
int test_done(const char *suite);
/* The whole file at path in a malloc'd buffer (the caller frees it), its
 * size in *len; NULL (and *len 0) when it cannot be read or is empty. */
unsigned char *test_read_file(const char *path, size_t *len);

/* A fresh seed for tests that generate their photos at random (48 bits, so
 * it prints and `kycd synth --seed` takes it), or KYCD_TEST_SEED's value
 * when set, so a failure the test printed can be replayed. */
uint64_t test_seed(void);

#define TEST(name) static void name(void)
#define RUN(name) test_run(#name, name)
/* A case run under a label ("postgres: name"), for suites that run the same
 * cases on several backends. */
void test_run_on(const char *label, const char *name, void (*fn)(void));
#define RUN_ON(label, name) test_run_on(label, #name, name)
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail(__FILE__, __LINE__, #cond);                                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if (!got_ || !want_ || strcmp(got_, want_) != 0)                                   \
			test_fail_str(__FILE__, __LINE__, #got, got_, want_);                      \
	} while (0)
#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long got_ = (long long)(got), want_ = (long long)(want);                      \
		if (got_ != want_) {                                                               \
			char g_[32], w_[32];                                                       \
			snprintf(g_, sizeof g_, "%lld", got_);                                     \
			snprintf(w_, sizeof w_, "%lld", want_);                                    \
			test_fail_str(__FILE__, __LINE__, #got, g_, w_);                           \
		}                                                                                  \
	} while (0)

#endif
