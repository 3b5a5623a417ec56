/* Process-wide counters in the Prometheus text format: requests by route and
 * status, a request latency histogram, uploads accepted, store errors.
 * Lock-free (atomics) and safe from any thread. The server counts every
 * request itself; GET /metrics is registered by the API (src/http/api_system.c),
 * which calls kyc_metrics_render(). */
#ifndef KYC_METRICS_H
#define KYC_METRICS_H

#include "core/buf.h"

/* Counts one finished request (called by the server). route is the route's
 * pattern (copied on first use; at most 127 bytes kept), NULL when no route
 * matched ("unmatched"); ms is the time spent handling it. */
void kyc_metrics_request(const char *route, int status, double ms);
/* Counts one document image accepted (handlers call it). */
void kyc_metrics_upload(void);
/* Counts one database or file-store failure (handlers call it). */
void kyc_metrics_store_error(void);
/* Appends the exposition text to out. 0, or KYC_ERR_TOOBIG / KYC_ERR_NOMEM
 * from out (whose cap the caller chooses; 64 KiB is plenty). */
int kyc_metrics_render(kyc_buf *out);

#endif
