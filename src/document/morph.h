/* Grey-level morphology on 8-bit images, for the MRZ reader: the closing of
 * an image (its max, then min, over square windows) is the paper around dark
 * strokes thinner than the window, so an image divided by it, or compared
 * with it, shows the strokes alone; a dark area wider than the window (a
 * desk beside a card's edge, a shadow) is left as background. Pure
 * computation, thread-safe. */
#ifndef KYC_MORPH_H
#define KYC_MORPH_H

/* out = the closing of src (w×h, rows packed: stride w) over (2r+1)²
 * windows, clipped at the borders. out must not overlap src. Linear in the
 * pixel count, about log2(2r+1) passes. Returns 0, KYC_ERR_INVALID (sizes or
 * r out of range: w, h >= 1, 0 <= r <= 255) or KYC_ERR_NOMEM. */
int kyc_morph_closing(const unsigned char *src, int w, int h, int r, unsigned char *out);

#endif
