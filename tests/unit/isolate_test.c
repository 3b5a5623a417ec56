#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/isolate.h"
#include "test.h"

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* No child of this process left, exited or not. */
static int no_children(void)
{
	int st;
	return waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
}

/* out = the arg's text repeated, and its length as the status */
static int fill(void *arg, void *out, size_t out_len)
{
	const char *s = arg;
	size_t n = strlen(s);
	for (size_t i = 0; i < out_len; i++)
		((char *)out)[i] = s[i % n];
	return (int)n;
}

TEST(returns_the_bytes)
{
	char out[32] = {0};
	int st = -1;
	CHECK_INT(kyc_isolate_run(fill, "abc", out, sizeof out - 1, 5000, &st), 0);
	CHECK_INT(st, 3);
	CHECK_STR(out, "abcabcabcabcabcabcabcabcabcabca");
	CHECK(no_children());
}

/* More than a pipe's buffer (64 KiB), so the parent must read while the
 * child writes. */
TEST(big_output)
{
	size_t n = 3u << 20;
	char *out = malloc(n);
	REQUIRE(out);
	memset(out, 0, n);
	int st = 0;
	CHECK_INT(kyc_isolate_run(fill, "0123456789", out, n, 20000, &st), 0);
	CHECK_INT(st, 10);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += out[i] != "0123456789"[i % 10];
	CHECK_INT(bad, 0);
	free(out);
	CHECK(no_children());
}

static int segv(void *arg, void *out, size_t out_len)
{
	memset(out, 'x', out_len / 2);
	raise(SIGSEGV);
	return 0;
}

/* A fault in the child: crashed, and this process goes on. */
TEST(fault_is_crashed)
{
	char out[64];
	int st = 42;
	CHECK_INT(kyc_isolate_run(segv, NULL, out, sizeof out, 5000, &st), KYC_ISOLATE_CRASHED);
	CHECK_INT(st, 42);
	CHECK(no_children());
}

static int aborts(void *arg, void *out, size_t out_len)
{
	abort();
}

TEST(abort_is_crashed)
{
	char out[8];
	CHECK_INT(kyc_isolate_run(aborts, NULL, out, sizeof out, 5000, NULL), KYC_ISOLATE_CRASHED);
	CHECK(no_children());
}

static int exits(void *arg, void *out, size_t out_len)
{
	_exit(0); /* leaves before writing its result, with status 0 */
}

TEST(early_exit_is_crashed)
{
	char out[8];
	CHECK_INT(kyc_isolate_run(exits, NULL, out, sizeof out, 5000, NULL), KYC_ISOLATE_CRASHED);
	CHECK(no_children());
}

static int loops(void *arg, void *out, size_t out_len)
{
	for (volatile unsigned long i = 0;; i++)
		;
	return 0;
}

/* A hang: timed out at the deadline (the bound here is loose: tests do not
 * fail on timing, only on a wait that never ends), the child killed and
 * reaped. */
TEST(hang_is_timed_out)
{
	char out[8];
	int64_t t0 = now_ms();
	CHECK_INT(kyc_isolate_run(loops, NULL, out, sizeof out, 300, NULL), KYC_ISOLATE_TIMEOUT);
	int64_t took = now_ms() - t0;
	CHECK(took >= 300);
	CHECK(took < 30000);
	CHECK(no_children());
}

/* A child that waits without using the CPU (a lock held at the fork, a
 * blocking call): its CPU budget never runs out, and the wall bound (four
 * times the budget) still ends it. */
static int sleeps_forever(void *arg, void *out, size_t out_len)
{
	for (;;)
		pause();
	return 0;
}

TEST(sleeping_hang_is_timed_out)
{
	char out[8];
	int64_t t0 = now_ms();
	CHECK_INT(kyc_isolate_run(sleeps_forever, NULL, out, sizeof out, 100, NULL),
		  KYC_ISOLATE_TIMEOUT);
	CHECK(now_ms() - t0 >= 400);
	CHECK(no_children());
}

/* The budget is CPU time: a child that waits (as one waits for a core on a
 * loaded machine) longer than its budget but within the wall bound, using
 * almost no CPU, is not cut off. Under a wall-clock deadline alone this read
 * was lost. */
static int waits_then_answers(void *arg, void *out, size_t out_len)
{
	nanosleep(&(struct timespec){0, 300000000}, NULL);
	memset(out, 7, out_len);
	return 5;
}

TEST(waiting_is_not_spending_the_budget)
{
	char out[8];
	int st = 0;
	CHECK_INT(kyc_isolate_run(waits_then_answers, NULL, out, sizeof out, 150, &st), 0);
	CHECK_INT(st, 5);
	CHECK_INT(out[7], 7);
	CHECK(no_children());
}

/* A leak in the child is not reported: _exit skips LeakSanitizer's check,
 * which would otherwise exit the child 23 (crashed). */
static int leaks(void *arg, void *out, size_t out_len)
{
	void *volatile p = malloc(1000);
	memset(out, 0, out_len);
	return p != NULL;
}

TEST(leak_in_child_not_reported)
{
	char out[8];
	int st = 0;
	CHECK_INT(kyc_isolate_run(leaks, NULL, out, sizeof out, 5000, &st), 0);
	CHECK_INT(st, 1);
	CHECK(no_children());
}

/* Several threads at once: each child holds only its own pipe, so a
 * crash's EOF is not held up by another thread's child. */
static int slow_or_crash(void *arg, void *out, size_t out_len)
{
	if ((intptr_t)arg % 2)
		raise(SIGSEGV);
	nanosleep(&(struct timespec){0, 100000000}, NULL);
	memset(out, (int)(intptr_t)arg, out_len);
	return (int)(intptr_t)arg;
}

static void *thread_run(void *arg)
{
	char out[16];
	int st = -1;
	int rc = kyc_isolate_run(slow_or_crash, arg, out, sizeof out, 20000, &st);
	intptr_t k = (intptr_t)arg;
	int ok = k % 2 ? rc == KYC_ISOLATE_CRASHED : rc == 0 && st == (int)k && out[15] == (char)k;
	return (void *)(intptr_t)ok;
}

TEST(threads)
{
	pthread_t t[6];
	for (intptr_t i = 0; i < 6; i++)
		REQUIRE(!pthread_create(&t[i], NULL, thread_run, (void *)i));
	for (int i = 0; i < 6; i++) {
		void *ok = NULL;
		pthread_join(t[i], &ok);
		CHECK(ok == (void *)1);
	}
	CHECK(no_children());
}

static int write_pid(void *arg, void *out, size_t out_len)
{
	*(pid_t *)out = getpid();
	return 0;
}

/* in the child, the pid of a nested call's fn next to its own */
static int nested(void *arg, void *out, size_t out_len)
{
	pid_t *p = out;
	p[0] = getpid();
	return kyc_isolate_run(write_pid, NULL, &p[1], sizeof p[1], 5000, NULL);
}

/* A nested call runs in the child that made it: no second fork. */
TEST(nested_runs_in_the_child)
{
	pid_t p[2] = {0, 0};
	int st = -1;
	CHECK_INT(kyc_isolate_run(nested, NULL, p, sizeof p, 5000, &st), 0);
	CHECK_INT(st, 0);
	CHECK(p[0] != 0 && p[0] != getpid());
	CHECK_INT(p[1], p[0]);
	CHECK(no_children());
}

TEST(bad_arguments)
{
	char out[8];
	CHECK_INT(kyc_isolate_run(NULL, NULL, out, sizeof out, 100, NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_isolate_run(fill, "a", out, sizeof out, 0, NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_isolate_run(fill, "a", NULL, 8, 100, NULL), KYC_ERR_INVALID);
	CHECK_STR(kyc_isolate_name(KYC_ISOLATE_CRASHED), "crashed");
	CHECK_STR(kyc_isolate_name(KYC_ISOLATE_TIMEOUT), "timeout");
}

/* reads the first byte of the memory at arg */
static int reads_arg(void *arg, void *out, size_t out_len)
{
	return *(volatile unsigned char *)arg;
}

/* Private memory: the parent uses it; a child does not have it (a read
 * there faults, reported as a crash), while the heap beside it is the
 * child's as before. */
TEST(private_memory_is_not_the_childs)
{
	enum { LEN = 3 * 4096 + 5 };
	unsigned char *p = kyc_isolate_private_alloc(LEN), *h = malloc(16);
	REQUIRE(p && h);
	CHECK(p[0] == 0 && p[LEN - 1] == 0);
	memset(p, 7, LEN);
	h[0] = 9;
	char out[4];
	int st = 0;
	CHECK_INT(kyc_isolate_run(reads_arg, h, out, sizeof out, 5000, &st), 0);
	CHECK_INT(st, 9);
	st = 42;
	CHECK_INT(kyc_isolate_run(reads_arg, p + LEN - 1, out, sizeof out, 5000, &st),
	          KYC_ISOLATE_CRASHED);
	CHECK_INT(st, 42);
	CHECK(p[LEN - 1] == 7);
	CHECK(no_children());
	kyc_isolate_private_free(p, LEN);
	free(h);
	CHECK(kyc_isolate_private_alloc(0) == NULL);
	kyc_isolate_private_free(NULL, 0);
}

int main(void)
{
	RUN(returns_the_bytes);
	RUN(big_output);
	RUN(fault_is_crashed);
	RUN(abort_is_crashed);
	RUN(early_exit_is_crashed);
	RUN(hang_is_timed_out);
	RUN(sleeping_hang_is_timed_out);
	RUN(waiting_is_not_spending_the_budget);
	RUN(leak_in_child_not_reported);
	RUN(threads);
	RUN(nested_runs_in_the_child);
	RUN(private_memory_is_not_the_childs);
	RUN(bad_arguments);
	return test_done("isolate");
}
