/* Structured logs: one JSON object per line on stderr, written with a single
 * write(2) so lines from different threads never interleave.
 *
 * What must never be logged (and callers are responsible for): image bytes,
 * API keys or secrets, capture tokens, full document numbers (use
 * kyc_log_mask()). */
#ifndef KYC_LOG_H
#define KYC_LOG_H

#include <stddef.h>

enum kyc_log_level { KYC_LOG_DEBUG, KYC_LOG_INFO, KYC_LOG_WARN, KYC_LOG_ERROR };

/* Sets the lowest level written (default INFO; KYCD_LOG_LEVEL=debug|info|warn|error). */
void kyc_log_set_level(enum kyc_log_level level);
/* Writes {"ts":...,"level":...,"msg":"<formatted>"}; msg is JSON-escaped. */
void kyc_logf(enum kyc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a complete JSON object given as text (no newline) as one line. */
void kyc_log_json(const char *json, size_t len);
/* Masks a document number for logs: keeps the last 3 characters, e.g.
 * "L898902C3" -> "******2C3". out must hold len+1 bytes (at most 63 chars kept). */
void kyc_log_mask(char *out, size_t outsz, const char *s, size_t len);

#endif
