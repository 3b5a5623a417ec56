/* Eastern Arabic digits (٠–٩) and the date separator '/', read from a
 * one-line crop by segmentation and nearest-template matching. Tesseract's
 * Arabic models read these digits poorly (they answer with Latin look-alikes
 * and Persian forms), and a card's number and dates are nothing but digits,
 * so they get a reader of their own (docs/card.md).
 *
 * The templates are rendered once per process from fonts of other families
 * than any card is known to use (DejaVu Sans from fonts-dejavu-core, Noto
 * Sans Arabic and Noto Kufi Arabic from fonts-noto-core; the generator draws
 * its cards in Noto Naskh and Amiri, so the benchmark measures reading an
 * unseen typeface). KYCD_EDIGIT_FONTS (colon-separated paths) overrides the
 * list. Thread-safe after the first call. */
#ifndef KYC_EDIGITS_H
#define KYC_EDIGITS_H

/* Reads the digits (and with slashes, '/') of the line in a grayscale crop
 * (w x h, stride bytes a row, dark ink on light). out gets ASCII digits and
 * '/' (cap bytes, NUL-terminated), *conf the lowest per-character
 * confidence (0..100). 0; KYC_ERR_INVALID for a crop too small;
 * KYC_ERR_UNSUPPORTED when no template font could be loaded; KYC_ERR_NOMEM. */
int kyc_edigits_read(const unsigned char *gray, int w, int h, int stride, int slashes, char *out,
		     int cap, int *conf);

#endif
