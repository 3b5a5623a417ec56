/* A loose layout whose reading failed, read again on its band with the
 * contrast restored where glare or a shadow washed it (docs/reader.md, step
 * 14, "A washed loose layout read again"). Internal to src/document/reader*.c. */
#ifndef KYC_READER_WASHED_H
#define KYC_READER_WASHED_H

#include "document/reader.h"

struct kyc_reader__reading;

/* The lines whose loose layout a scan reads washed: at most this many. */
#define KYC_READER__WASHED_MAX 3

/* Reads lay (a loose layout's grid whose reading on b failed) into r on a
 * copy of b whose washed-out ink is stretched to the contrast of the band's
 * other glyphs (kyc_reader__band_overlay); lay may move a cell
 * (kyc_reader__try_shifts, kyc_reader__align_lines). 1 when every check
 * digit of r holds on surely read characters (kyc_reader__sure_checked), 0
 * when not or when b gives no restored band, or KYC_ERR_NOMEM. */
int kyc_reader__read_washed(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
                            struct kyc_reader__reading *r);

#endif
