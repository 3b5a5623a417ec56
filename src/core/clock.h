/* The one clock kycd reads. Everything that depends on time (expiry of
 * verifications and idempotency keys, webhook retry schedules, audit
 * timestamps) asks here, so tests can move time.
 *
 * Test hook: when the environment variable KYCD_CLOCK_FILE names a file, its
 * content (an integer number of seconds, may be negative) is added to the real
 * time; the file is re-read whenever its modification time changes. Never set
 * it in production. */
#ifndef KYC_CLOCK_H
#define KYC_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch, with the test offset applied. */
int64_t kyc_now_ms(void);
/* Milliseconds on the monotonic clock, for how long something took (never
 * offset by the test hook, never stepped by the system's time). */
double kyc_mono_ms(void);
/* The moment ms from now on clock clk (real, not offset: for
 * pthread_cond_timedwait deadlines). */
void kyc_timespec_after(clockid_t clk, int64_t ms, struct timespec *out);
/* Sets an in-process offset (unit tests). */
void kyc_clock_set_offset_ms(int64_t offset);

/* Formats ms since the epoch as RFC 3339 UTC with milliseconds,
 * "2026-06-25T10:14:33.521Z" (25 bytes incl. NUL). */
void kyc_time_iso(int64_t ms, char out[32]);
/* Parses "YYYY-MM-DD" into days since the epoch; 0 or KYC_ERR_INVALID
 * (also for impossible dates like 2023-02-30). */
int kyc_date_parse(const char *s, size_t len, int64_t *days);
/* Days since the epoch -> "YYYY-MM-DD" (11 bytes incl. NUL). */
void kyc_date_format(int64_t days, char out[16]);
/* Civil date -> days since the epoch (proleptic Gregorian). */
int64_t kyc_days_from_civil(int y, int m, int d);
/* 1 when y-m-d is a real calendar date. */
int kyc_date_valid(int y, int m, int d);

#endif
