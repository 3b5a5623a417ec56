#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define MAX_SERIES 512

/* Buckets in milliseconds (Prometheus exposes seconds). */
static const double bucket_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};
#define NBUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])

static struct {
	const char *route; /* route patterns live as long as the server's table */
	int status;
	uint64_t count;
} series[MAX_SERIES];
static int nseries;
static pthread_mutex_t series_lock = PTHREAD_MUTEX_INITIALIZER;

static _Atomic uint64_t hist[NBUCKETS + 1];
static _Atomic uint64_t hist_count;
static _Atomic uint64_t hist_sum_us;
static _Atomic uint64_t uploads;
static _Atomic uint64_t store_errors;

void kyc_metrics_request(const char *route, int status, double ms)
{
	if (!route)
		route = "unmatched";
	pthread_mutex_lock(&series_lock);
	int i;
	for (i = 0; i < nseries; i++)
		if (series[i].status == status &&
		    (series[i].route == route || !strcmp(series[i].route, route)))
			break;
	if (i == nseries && nseries < MAX_SERIES) {
		series[i].route = route;
		series[i].status = status;
		series[i].count = 0;
		nseries++;
	}
	if (i < nseries)
		series[i].count++;
	pthread_mutex_unlock(&series_lock);
	size_t b = 0;
	while (b < NBUCKETS && ms > bucket_ms[b])
		b++;
	atomic_fetch_add(&hist[b], 1);
	atomic_fetch_add(&hist_count, 1);
	atomic_fetch_add(&hist_sum_us, (uint64_t)(ms * 1000.0));
}

void kyc_metrics_upload(void)
{
	atomic_fetch_add(&uploads, 1);
}

void kyc_metrics_store_error(void)
{
	atomic_fetch_add(&store_errors, 1);
}

int kyc_metrics_render(kyc_buf *out)
{
	int rc = kyc_buf_puts(out, "# HELP kycd_http_requests_total HTTP requests by route and status.\n"
				   "# TYPE kycd_http_requests_total counter\n");
	pthread_mutex_lock(&series_lock);
	for (int i = 0; i < nseries && !rc; i++)
		rc = kyc_buf_printf(out, "kycd_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				    series[i].route, series[i].status,
				    (unsigned long long)series[i].count);
	pthread_mutex_unlock(&series_lock);
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
				      (unsigned long long)atomic_load(&hist_count));
	rc = rc ? rc : kyc_buf_printf(out,
				      "# HELP kycd_uploads_total Document images accepted.\n"
				      "# TYPE kycd_uploads_total counter\n"
				      "kycd_uploads_total %llu\n"
				      "# HELP kycd_store_errors_total Database or file store failures.\n"
				      "# TYPE kycd_store_errors_total counter\n"
				      "kycd_store_errors_total %llu\n",
				      (unsigned long long)atomic_load(&uploads),
				      (unsigned long long)atomic_load(&store_errors));
	return rc;
}
