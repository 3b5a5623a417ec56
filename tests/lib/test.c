#include "test.h"

#include <stdlib.h>

int test_case_failed;
static int passed, failed;
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

void test_run(const char *name, void (*fn)(void))
{
	current = name;
	test_case_failed = 0;
	fn();
	if (test_case_failed) {
		failed++;
		fprintf(stderr, "not ok %s\n", name);
	} else {
		passed++;
		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "ok %s\n", name);
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
	printf("[%s] %d passed, %d failed\n", suite, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}
