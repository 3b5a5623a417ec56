/* Counters without locks: every event-loop thread counts every request, so a
 * mutex here would be the one point all threads meet. Series (route, status)
 * live in a fixed open-addressing table whose slots are claimed once with a
 * compare-and-swap and never freed; route names are copied in, so a series
 * outlives the server (and its route table) that created it. */
#include "http/metrics.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flows/orphans.h"

#define MAX_SERIES 1024 /* a power of two */
#define ROUTE_MAX 128

enum { SLOT_EMPTY, SLOT_CLAIMING, SLOT_READY };

/* Buckets in milliseconds (Prometheus exposes seconds). */
static const double bucket_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};
#define NBUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])

static struct series {
	atomic_int state;
	int status;
	char route[ROUTE_MAX];
	_Atomic uint64_t count;
} series[MAX_SERIES];

static _Atomic uint64_t series_overflow; /* requests not counted by route: table full */
static _Atomic uint64_t hist[NBUCKETS + 1];
static _Atomic uint64_t hist_sum_us;
static _Atomic uint64_t uploads;
static _Atomic uint64_t store_errors;

static uint32_t series_hash(const char *route, int status)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)route; *p; p++)
		h = (h ^ *p) * 16777619u;
	return (h ^ (uint32_t)status) * 16777619u;
}

static int series_is(struct series *s, const char *route, int status)
{
	int st;
	while ((st = atomic_load_explicit(&s->state, memory_order_acquire)) == SLOT_CLAIMING)
		sched_yield(); /* another thread is filling the slot in; it takes a few ns */
	return st == SLOT_READY && s->status == status && !strncmp(s->route, route, ROUTE_MAX - 1);
}

static void count_series(const char *route, int status)
{
	uint32_t h = series_hash(route, status);
	for (uint32_t i = 0; i < MAX_SERIES; i++) {
		struct series *s = &series[(h + i) & (MAX_SERIES - 1)];
		int expect = SLOT_EMPTY;
		if (atomic_load_explicit(&s->state, memory_order_acquire) == SLOT_EMPTY &&
		    atomic_compare_exchange_strong(&s->state, &expect, SLOT_CLAIMING)) {
			s->status = status;
			snprintf(s->route, sizeof s->route, "%s", route);
			atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
			atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
			return;
		}
		if (series_is(s, route, status)) {
			atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
			return;
		}
	}
	atomic_fetch_add_explicit(&series_overflow, 1, memory_order_relaxed);
}

void kyc_metrics_request(const char *route, int status, double ms)
{
	count_series(route ? route : "unmatched", status);
	size_t b = 0;
	while (b < NBUCKETS && ms > bucket_ms[b])
		b++;
	atomic_fetch_add_explicit(&hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hist_sum_us, (uint64_t)(ms > 0 ? ms * 1000.0 : 0),
				  memory_order_relaxed);
}

void kyc_metrics_upload(void)
{
	atomic_fetch_add_explicit(&uploads, 1, memory_order_relaxed);
}

void kyc_metrics_store_error(void)
{
	atomic_fetch_add_explicit(&store_errors, 1, memory_order_relaxed);
}

/* A label value in the exposition format: \, " and newline escaped. */
static int put_label(kyc_buf *out, const char *v)
{
	int rc = 0;
	for (const char *p = v; *p && !rc; p++) {
		if (*p == '\\' || *p == '"')
			rc = kyc_buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			rc = kyc_buf_puts(out, "\\n");
		else
			rc = kyc_buf_append(out, p, 1);
	}
	return rc;
}

int kyc_metrics_render(kyc_buf *out)
{
	int rc = kyc_buf_puts(out, "# HELP kycd_http_requests_total HTTP requests by route and status.\n"
				   "# TYPE kycd_http_requests_total counter\n");
	for (int i = 0; i < MAX_SERIES && !rc; i++) {
		struct series *s = &series[i];
		if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
			continue;
		rc = kyc_buf_puts(out, "kycd_http_requests_total{route=\"");
		rc = rc ? rc : put_label(out, s->route);
		rc = rc ? rc : kyc_buf_printf(out, "\",status=\"%d\"} %llu\n", s->status,
					      (unsigned long long)atomic_load(&s->count));
	}
	rc = rc ? rc : kyc_buf_printf(out,
				      "# HELP kycd_http_requests_uncounted_total Requests not counted by route "
				      "(too many series).\n"
				      "# TYPE kycd_http_requests_uncounted_total counter\n"
				      "kycd_http_requests_uncounted_total %llu\n",
				      (unsigned long long)atomic_load(&series_overflow));
	rc = rc ? rc : kyc_buf_puts(out, "# HELP kycd_http_request_duration_seconds Time to handle a request.\n"
					 "# TYPE kycd_http_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS && !rc; b++) {
		cum += atomic_load(&hist[b]);
		rc = kyc_buf_printf(out, "kycd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				    bucket_ms[b] / 1000.0, (unsigned long long)cum);
	}
	cum += atomic_load(&hist[NBUCKETS]);
	rc = rc ? rc : kyc_buf_printf(out,
				      "kycd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
				      "kycd_http_request_duration_seconds_sum %.6f\n"
				      "kycd_http_request_duration_seconds_count %llu\n",
				      (unsigned long long)cum,
				      (double)atomic_load(&hist_sum_us) / 1e6,
				      (unsigned long long)cum); /* = +Inf, even while others count */
	rc = rc ? rc : kyc_buf_printf(out,
				      "# HELP kycd_uploads_total Document images accepted.\n"
				      "# TYPE kycd_uploads_total counter\n"
				      "kycd_uploads_total %llu\n"
				      "# HELP kycd_store_errors_total Database or file store failures.\n"
				      "# TYPE kycd_store_errors_total counter\n"
				      "kycd_store_errors_total %llu\n",
				      (unsigned long long)atomic_load(&uploads),
				      (unsigned long long)atomic_load(&store_errors));
	uint64_t sweeps, removed;
	kyc_orphan_totals(&sweeps, &removed);
	rc = rc ? rc : kyc_buf_printf(out,
				      "# HELP kycd_orphan_sweeps_total Completed sweeps for blobs whose "
				      "row never committed.\n"
				      "# TYPE kycd_orphan_sweeps_total counter\n"
				      "kycd_orphan_sweeps_total %llu\n"
				      "# HELP kycd_orphans_removed_total Blobs removed because no row "
				      "names them.\n"
				      "# TYPE kycd_orphans_removed_total counter\n"
				      "kycd_orphans_removed_total %llu\n",
				      (unsigned long long)sweeps, (unsigned long long)removed);
	return rc;
}
