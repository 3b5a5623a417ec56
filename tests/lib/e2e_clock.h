/* Moving a running kycd's clock in end-to-end tests: KYCD_CLOCK_FILE names a
 * file holding seconds added to the clock (src/core/clock.h). The file is
 * replaced atomically, so the server never reads it half-written. */
#ifndef KYC_E2E_CLOCK_H
#define KYC_E2E_CLOCK_H

struct e2e_clock {
	char path[220];
	char env[260]; /* "KYCD_CLOCK_FILE=<path>", for e2e_start's environment */
	long secs;     /* how far ahead the clock is */
};

/* A clock file beside the data directory data_dir, at offset 0. 0 or -1. */
int e2e_clock_init(struct e2e_clock *c, const char *data_dir);
/* Moves the clock forward by secs (negative moves it back). */
void e2e_clock_add(struct e2e_clock *c, long secs);
/* Sets the clock secs ahead of real time (negative: behind). */
void e2e_clock_set(struct e2e_clock *c, long secs);
/* Removes the file. */
void e2e_clock_remove(struct e2e_clock *c);
/* Sleeps ms milliseconds of real time. */
void e2e_sleep_ms(long ms);

#endif
