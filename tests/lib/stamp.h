/* Generated photos with a visa stamp's frame in coloured ink across the MRZ
 * (red, blue or violet), for the reader's ink plane (docs/reader.md step 16).
 * The stamp is drawn over kyc_synth_render_class's photo, so the generator's
 * photos are unchanged; the truth is the photo's. */
#ifndef KYC_TEST_STAMP_H
#define KYC_TEST_STAMP_H

#include <stddef.h>
#include <stdint.h>

#include "document/synth.h"

enum tstamp_ink { TSTAMP_RED, TSTAMP_BLUE, TSTAMP_VIOLET, TSTAMP_BLACK, TSTAMP_INKS };

/* Photo i of class cls at level for seed (truth in *d) with a stamp of ink
 * drawn across its MRZ (where, how large and turned how far drawn from the
 * seed and i), encoded as JPEG at the photo's quality into *jpg (malloc()ed,
 * the caller frees it). 0, or -1 when it cannot be made. */
int tstamp_photo(uint64_t seed, int i, int level, enum kyc_synth_class cls, enum tstamp_ink ink,
		 struct kyc_synth_doc *d, unsigned char **jpg, size_t *len);

#endif
