/* Real JPEG and PNG bytes made in memory for tests (libjpeg-turbo, libpng). */
#ifndef KYC_TEST_IMG_H
#define KYC_TEST_IMG_H

#include <stddef.h>

/* A w x h grayscale test pattern encoded as JPEG (quality q) or PNG.
 * Returns malloc()ed bytes and their length, or NULL. */
unsigned char *timg_jpeg(int w, int h, int q, size_t *len);
unsigned char *timg_png(int w, int h, size_t *len);

#endif
