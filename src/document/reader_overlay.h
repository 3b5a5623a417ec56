/* An MRZ band under a half-transparent overlay (a stock-photo watermark's
 * large letters) given its contrast back, for a second reading of a band
 * whose first one failed (docs/reader.md, step 14, "A watermarked band read
 * again, its contrast restored"). Internal to src/document/reader*.c. Pure
 * computation on a band's pixels. */
#ifndef KYC_READER_OVERLAY_H
#define KYC_READER_OVERLAY_H

#include "document/reader.h"

/* out becomes a copy of b (the band the reader read, flattened: paper near
 * white; out->px the caller's to free()) whose rows around lay's lines have
 * their ink stretched locally: each pixel's ink is scaled so that the
 * darkest ink within a stroke's reach reaches the contrast the band's
 * glyphs have where nothing covers them, by at most a few times; windows
 * holding no more than paper's noise are left as they are. 0,
 * KYC_ERR_INVALID (an empty layout, one off the band) or KYC_ERR_NOMEM;
 * out->px NULL on error. */
int kyc_reader__band_overlay(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__band *out);

struct kyc_reader__reading;
/* A reading *best of lay on b (spare another reading's room) given a second
 * look on b with its contrast restored (kyc_reader__band_overlay). When a
 * check digit of *best fails, *best becomes spare when every check digit of
 * the new reading holds and the characters they cover are read surely
 * (kyc_reader__sure_checked). When every one holds and a letter of the
 * names' line (which no check digit covers) is unsure, the new reading's
 * letter or filler, when both models read it surely on the restored band,
 * every check digit of the new reading holds and the first letter is not
 * one only its digit twin contests, replaces it in *best with the first's
 * confidence, still unsure. 0 or KYC_ERR_NOMEM. */
int kyc_reader__read_overlay(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__reading **best, struct kyc_reader__reading *spare);

#endif
