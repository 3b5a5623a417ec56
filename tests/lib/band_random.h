/* Random bands and layouts for the reader's fuzz-style unit tests: sizes
 * down to a pixel, lines partly or wholly off the band. Every draw comes
 * from the caller's state, so a failure replays. */
#ifndef KYC_TEST_BAND_RANDOM_H
#define KYC_TEST_BAND_RANDOM_H

#include <stdint.h>

#include "document/reader.h"

/* A xorshift draw in [0, n) from *state (never 0). */
unsigned tband_rnd(uint64_t *state, unsigned n);
/* *b an upright band w×h of plain paper at level paper (b->s = 1; the
 * caller owns b->px), *lay empty. 0, or -1 when out of memory. */
int tband_paper(struct kyc_reader__band *b, struct kyc_reader__layout *lay, int w, int h,
                int paper);
/* *b a band 1-400 × 1-120 of random pixels (b->s = 1; the caller owns
 * b->px), *lay min_lines to 3 lines of min_len to 44 cells at random rows,
 * starts, pitches and slopes (one in eight absurdly steep), each possibly
 * off the band. 0, or -1 when out
 * of memory. */
int tband_random(struct kyc_reader__band *b, struct kyc_reader__layout *lay, uint64_t *state,
                 int min_lines, int min_len);
/* 1 when bands a and b (of one size) hold the same rows above the topmost
 * line of lay less margin rows (or there are none): what a band filter that
 * works on the lines' rows must leave alone. */
int tband_same_above(const struct kyc_reader__band *a, const struct kyc_reader__band *b,
                     const struct kyc_reader__layout *lay, int margin);

#endif
