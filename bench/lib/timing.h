/* Timing for the benchmarks (bench/): the calling thread's CPU time, and
 * percentiles of a sample. Header-only: each bench is one program. */
#ifndef KYC_BENCH_TIMING_H
#define KYC_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* CPU milliseconds this thread has used. */
static inline double bench_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
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
