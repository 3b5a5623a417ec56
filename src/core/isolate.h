/* Running a function of untrusted input in a child process, so that a fault
 * in it costs that one call and never the server (docs/security.md, "Third-
 * party parsers in a child process"). Used around zxing-cpp's reads
 * (src/document/barcode_zxing.cpp), which read out of bounds on some
 * pictures (docs/dl.md).
 *
 * How: fork(); the child runs fn, writes its result (a status word and the
 * out buffer) to a pipe and leaves with _exit(0), so it runs no atexit
 * handler, flushes no stdio buffer and (under LeakSanitizer) reports no
 * leak. The parent reads the pipe within the child's limits (a CPU-time
 * budget, and a wall-clock bound for a hang), reaps the child with waitpid
 * and copies nothing back unless the child wrote all of it and exited 0.
 * Past a limit the child is killed (SIGKILL) and reaped: no zombie is left.
 *
 * Threads: the caller may be one thread of many. Only the calling thread
 * exists in the child; glibc's malloc is safe after fork, and a lock another
 * thread held at the fork (stdio, a library's own) can only make the child
 * hang, which the wall-clock bound turns into KYC_ISOLATE_TIMEOUT. fn must not use
 * OpenMP or start threads that wait on the parent's. The child inherits the
 * parent's descriptors (it closes none, so the parent loses none) and holds
 * them until it ends; it dies with its parent (PR_SET_PDEATHSIG).
 *
 * Nested calls: inside such a child, kyc_isolate_run runs fn directly (the
 * child is already expendable), so a caller may guard a whole task of many
 * guarded steps with one fork.
 *
 * Cost: one fork per call, which copies the caller's page tables (bench/README.md,
 * "## dl", branch zxguard). */
#ifndef KYC_ISOLATE_H
#define KYC_ISOLATE_H

#include <stddef.h>

/* What kyc_isolate_run returns besides 0 and the errors of core/err.h. */
enum kyc_isolate_result {
	/* the child ended abnormally: a signal (SIGSEGV, SIGABRT, ...), an
	 * exit status other than 0 (AddressSanitizer's report exits 1), or
	 * its result was cut short */
	KYC_ISOLATE_CRASHED = -100,
	/* the child used its CPU budget, or hung past its wall bound; it was
	 * killed */
	KYC_ISOLATE_TIMEOUT = -101,
};

/* Runs in the child: reads arg (the parent's memory as it was at the fork),
 * writes its result into out[0..out_len), and returns a status passed back
 * as *status. */
typedef int (*kyc_isolate_fn)(void *arg, void *out, size_t out_len);

/* Runs fn(arg, out, out_len) in a child process and lets it use at most
 * timeout_ms (> 0) of CPU time, and at most four times that of wall time (a
 * hang that uses no CPU); a child waiting for a core on a loaded machine uses
 * none of its budget. 0 when fn returned: out holds the child's out buffer and
 * *status (when not NULL) what fn returned. KYC_ISOLATE_CRASHED or
 * KYC_ISOLATE_TIMEOUT as above, KYC_ERR_IO when the pipe or the fork failed,
 * KYC_ERR_INVALID for bad arguments; out is then undefined (it may hold part
 * of the child's result). Never raises SIGPIPE in the caller. */
int kyc_isolate_run(kyc_isolate_fn fn, void *arg, void *out, size_t out_len, int timeout_ms,
                    int *status);

/* Memory the children of kyc_isolate_run do not get: a mapping of at least
 * len bytes (zeroed, page-aligned) marked MADV_DONTFORK, so that a fork
 * copies no page table of it and its pages are never write-protected for
 * copy-on-write. For large read-only data no child reads (a model's
 * weights): a child that did would fault, which kyc_isolate_run reports as
 * KYC_ISOLATE_CRASHED. NULL when len is 0 or the mapping failed. Free with
 * kyc_isolate_private_free and the same len. */
void *kyc_isolate_private_alloc(size_t len);
void kyc_isolate_private_free(void *p, size_t len);

/* A short name of a kyc_isolate_run result for logs ("crashed", "timeout",
 * or kyc_err_name's). */
const char *kyc_isolate_name(int rc);

#endif
