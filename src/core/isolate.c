/* A function run in a child process (isolate.h). */
#include "core/isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"

/* Set in a child of kyc_isolate_run: a nested call runs fn directly. */
static volatile sig_atomic_t in_child;

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k, n -= (size_t)k;
	}
	return 0;
}

static _Noreturn void child(int wfd, kyc_isolate_fn fn, void *arg, void *out, size_t out_len)
{
	/* Dies with the parent; a parent gone before the prctl is seen by
	 * getppid changing (to init or a subreaper). */
	in_child = 1;
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(2);
	/* A parent that stopped reading gets EPIPE here, not a signal; the
	 * server's own handlers are not the child's business. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	/* Keeps stdin/out/err (a sanitizer's report goes to stderr) and the
	 * pipe; other threads' pipes must not stay open here, or their EOF
	 * would wait for this child, and no client socket stays open here. */
	if (wfd > 3)
		close_range(3, (unsigned)wfd - 1, 0);
	close_range((unsigned)wfd + 1, ~0U, 0);
	int status = fn(arg, out, out_len);
	if (write_all(wfd, &status, sizeof status) || write_all(wfd, out, out_len))
		_exit(3);
	/* _exit: no atexit handler (nor LeakSanitizer's check), no stdio flush */
	_exit(0);
}

/* A child's two limits: the CPU time it may use (its budget, timeout_ms),
 * and a wall-clock bound four times that, for a child that hangs without
 * using the CPU. The budget is CPU time and not wall time so that a loaded
 * machine (many uploads on two cores, a sanitizer build beside other work)
 * does not turn a slow read into a lost one: waiting for a core costs the
 * child no budget. */
struct limits {
	clockid_t cpu; /* the child's CPU clock; has_cpu 0 when it has none */
	int has_cpu;
	int64_t budget_ms, wall_deadline;
};

static int64_t cpu_ms(clockid_t c)
{
	struct timespec t;
	if (clock_gettime(c, &t))
		return -1;
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Whether the child is past either limit. A clock that cannot be read (the
 * child has ended and been reaped by no one yet on some kernels) leaves only
 * the wall bound. */
static int past_limits(const struct limits *l)
{
	if (now_ms() >= l->wall_deadline)
		return 1;
	return l->has_cpu && cpu_ms(l->cpu) >= l->budget_ms;
}

/* Reads n bytes into p within the limits; 0, 1 at EOF or on an error
 * (the child died), KYC_ISOLATE_TIMEOUT. */
static int read_all(int fd, void *p, size_t n, const struct limits *l)
{
	unsigned char *b = p;
	while (n) {
		if (past_limits(l))
			return KYC_ISOLATE_TIMEOUT;
		int64_t left = l->wall_deadline - now_ms();
		if (left <= 0)
			return KYC_ISOLATE_TIMEOUT;
		/* short slices: the CPU budget is looked at between them */
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, left > 50 ? 50 : (int)left);
		if (r < 0 && errno != EINTR)
			return 1;
		if (r <= 0)
			continue;
		ssize_t k = read(fd, b, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return 1;
		b += k, n -= (size_t)k;
	}
	return 0;
}

/* Reaps pid within the limits; its wait status, or -1 past them. */
static int reap(pid_t pid, const struct limits *l)
{
	for (;;) {
		int st = 0;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (past_limits(l))
			return -1;
		nanosleep(&(struct timespec){0, 200000}, NULL);
	}
}

int kyc_isolate_run(kyc_isolate_fn fn, void *arg, void *out, size_t out_len, int timeout_ms,
                    int *status)
{
	if (!fn || (!out && out_len) || timeout_ms <= 0)
		return KYC_ERR_INVALID;
	if (in_child) {
		int st = fn(arg, out, out_len);
		if (status)
			*status = st;
		return 0;
	}
	struct limits lim = {.budget_ms = timeout_ms,
			     .wall_deadline = now_ms() + 4 * (int64_t)timeout_ms};
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return KYC_ERR_IO;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return KYC_ERR_IO;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], fn, arg, out, out_len);
	}
	close(fds[1]);
	lim.has_cpu = clock_getcpuclockid(pid, &lim.cpu) == 0;
	int st_fn = 0, rc = read_all(fds[0], &st_fn, sizeof st_fn, &lim);
	if (!rc)
		rc = read_all(fds[0], out, out_len, &lim);
	close(fds[0]);
	/* the child has written all and is leaving; a child that has not gets
	 * until its limits to end (its EOF came early) */
	int ws = rc == KYC_ISOLATE_TIMEOUT ? -1 : reap(pid, &lim);
	if (ws == -1) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		return KYC_ISOLATE_TIMEOUT;
	}
	if (rc || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return KYC_ISOLATE_CRASHED;
	if (status)
		*status = st_fn;
	return 0;
}

void *kyc_isolate_private_alloc(size_t len)
{
	if (!len)
		return NULL;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* without it the memory still works; the forks only cost more */
	(void)madvise(p, len, MADV_DONTFORK);
	return p;
}

void kyc_isolate_private_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

const char *kyc_isolate_name(int rc)
{
	return rc == KYC_ISOLATE_CRASHED   ? "crashed"
	       : rc == KYC_ISOLATE_TIMEOUT ? "timeout"
	                                   : kyc_err_name(rc);
}
