/* Process-wide counters exported at GET /metrics in the Prometheus text
 * format: requests by route and status, a request latency histogram, uploads
 * accepted, store errors. Thread-safe. */
#ifndef KYC_METRICS_H
#define KYC_METRICS_H

#include "core/buf.h"

/* Counts one finished request (called by the server). route may be NULL (no route matched). */
void kyc_metrics_request(const char *route, int status, double ms);
void kyc_metrics_upload(void);
void kyc_metrics_store_error(void);
/* Appends the exposition text to out. 0 or a kyc_err code. */
int kyc_metrics_render(kyc_buf *out);

#endif
