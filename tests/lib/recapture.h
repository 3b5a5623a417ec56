/* Re-captures of a real photo, made here to measure the passive anti-spoof
 * score (src/face/spoof.h, bench/face): the photo printed with a CMY
 * halftone screen, or shown on an RGB stripe screen, then photographed
 * (the camera integrates each pixel, a lens blur, sensor noise). A model of
 * our own: it measures what we imagined a re-capture to be, not real
 * attacks (docs/face.md says what that means). */
#ifndef KYC_TEST_RECAPTURE_H
#define KYC_TEST_RECAPTURE_H

#include <stddef.h>

enum trecap_kind { TRECAP_PRINT, TRECAP_SCREEN };

struct trecap {
	#include <stddef.h>

enum trecap_kind kind;
	double period; /* camera pixels per halftone cell or per screen pixel */
	double angle;  /* degrees the print or screen is turned in the camera */
	unsigned seed; /* the sensor noise */
};

/* The photo (w×h RGB) re-captured as p says, at the same size: *out is
 * malloc()ed w*h*3. 0, or -1 when out of memory. */
int trecap_make(const unsigned char *rgb, int w, int h, const struct trecap *p,
                unsigned char **out);

/* A JPEG (or any image kycd decodes) re-captured as p says and written as a
 * JPEG at quality 90, as a phone would: malloc()ed, or NULL. */
unsigned char *trecap_jpeg(const unsigned char *img, size_t len, const struct trecap *p,
                           size_t *out_len);

#endif
