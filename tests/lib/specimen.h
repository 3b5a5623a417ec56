/* Generated identity documents (src/document/synth.h) fit for a test that
 * goes through the workflow's checks. */
#ifndef KYC_TEST_SPECIMEN_H
#define KYC_TEST_SPECIMEN_H

#include <stdint.h>

#include "document/image.h"
#include "document/synth.h"
#include "document/synth_card.h"

/* The first index from `from` whose identity (seed, format) has not expired
 * today (an expired document is rejected on its own) and, with `named`,
 * has given names and a sex of M or F. `from` when none of 200 does. */
int specimen_valid_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named);

/* The first index from `from` whose identity has expired (before today)
 * and has given names and a sex of M or F: a document the workflow
 * rejects as expired. `from` when none of 200 does. */
int specimen_expired_index(uint64_t seed, enum kyc_synth_format fmt, int from);

/* The front of an ID card, as a photo: a generated card of (seed, fmt)
 * with its machine-readable zone painted out in the card's own paper
 * colour, so that what is left is a document without an MRZ (a TD1 card's
 * face): the first from index on which the reader finds no MRZ at all.
 * *jpg is malloc()ed (JPEG). 0 or -1. */
int specimen_card_front(uint64_t seed, int index, enum kyc_synth_format fmt, unsigned char **jpg,
                        size_t *len);

/* The same, and *used: the index of the card drawn (its back is
 * kyc_synth_make of that index). */
int specimen_card_front_index(uint64_t seed, int index, enum kyc_synth_format fmt,
                              unsigned char **jpg, size_t *len, int *used);

/* An Egyptian ID side as an upload gives it: card (seed, index) drawn at
 * level with opts (NULL: the defaults), saved as JPEG at the shot's
 * quality and decoded into *img (the caller's, kyc_image_free). *card and
 * *shot are the truth. 0 or -1. */
int specimen_egnid_photo(uint64_t seed, int index, int level, enum kyc_card_side side,
                         const struct kyc_synth_card_opts *opts, struct kyc_egnid_card *card,
                         struct kyc_synth_card_shot *shot, struct kyc_image *img);

#endif
