/* Timing for the benchmarks (bench/): the calling thread's CPU time, and
 * percentiles of a sample. Header-only: each bench is one program. */
#ifndef KYC_BENCH_TIMING_H
#define KYC_BENCH_TIMING_H

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* CPU milliseconds this thread has used. */
static inline double bench_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* bench_cpu_ms plus the CPU of the children reaped so far: work run in
 * child processes (core/isolate.h, the zxing reads) counts too. */
static inline double bench_cpu_children_ms(void)
{
	struct rusage r;
	getrusage(RUSAGE_CHILDREN, &r);
	return bench_cpu_ms() + (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile (0..1) of v[0..n), nearest rank; sorts v. */
static inline double bench_percentile(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n ? v[(int)(p * (n - 1) + 0.5)] : 0;
}

#endif
