#include "test.h"

#include <errno.h> /* program_invocation_short_name */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int test_case_failed;
static int passed, failed, done;
static const char *current;

void test_fail(const char *file, int line, const char *what)
{
	test_case_failed = 1;
	fprintf(stderr, "  FAIL %s (%s:%d): %s\n", current ? current : "?", file, line, what);
}

void test_fail_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
	test_case_failed = 1;
	fprintf(stderr, "  FAIL %s (%s:%d): %s\n    got:  %s\n    want: %s\n", current ? current : "?",
		file, line, expr, got ? got : "(null)", want ? want : "(null)");
}

void test_fail_msg(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (current) {
		test_case_failed = 1;
		fprintf(stderr, "  FAIL %s: %s\n", current, msg);
		return;
	}
	/* outside every case nothing else would count it */
	failed++;
	fprintf(stderr, "not ok %s, outside its cases: %s%s\n", program_invocation_short_name, msg,
		done ? " (after its summary line, which did not count it)" : "");
}

void test_run(const char *name, void (*fn)(void))
{
	struct timespec t0, t1;
	current = name;
	test_case_failed = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fn();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* each case's wall time, to find where a suite spends it */
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (test_case_failed) {
		failed++;
		fprintf(stderr, "not ok %s (%.2f s)\n", name, secs);
	} else {
		passed++;
		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "ok %s (%.2f s)\n", name, secs);
	}
	current = NULL;
}

void test_run_on(const char *label, const char *name, void (*fn)(void))
{
	char full[160];
	snprintf(full, sizeof full, "%s: %s", label, name);
	test_run(full, fn);
}

int test_done(const char *suite)
{
	done = 1;
	printf("[%s] %d passed, %d failed\n", suite, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

unsigned char *test_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p = NULL;
	long n = 0;
	if (fp && !fseek(fp, 0, SEEK_END) && (n = ftell(fp)) > 0 && !fseek(fp, 0, SEEK_SET) &&
	    (p = malloc((size_t)n)) && fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		p = NULL;
	}
	*len = p ? (size_t)n : 0;
	if (fp)
		fclose(fp);
	return p;
}

uint64_t test_seed(void)
{
	const char *env = getenv("KYCD_TEST_SEED");
	if (env && *env)
		return strtoull(env, NULL, 0);
	uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)clock() << 20;
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(&seed, sizeof seed, 1, f) != 1)
			seed ^= (uint64_t)(uintptr_t)f;
		fclose(f);
	}
	return seed >> 16;
}
