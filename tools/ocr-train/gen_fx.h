/* Pixel effects of the training-cell generator (gen.c): print processes acting
 * on ink coverage, camera degradations acting on gray levels, and the
 * resampling the reader does. Images are row-major floats, w*h, stride w, at
 * most GEN_FX_MAX_SIDE on a side; every effect draws its randomness from the
 * caller's stream, so a cell stays a pure function of its seed. */
#ifndef OCR_TRAIN_GEN_FX_H
#define OCR_TRAIN_GEN_FX_H

#include <stdint.h>

#include "gen.h"

#define GEN_FX_MAX_SIDE (GEN_MAX_SIDE + 16)

/* Gaussian blur (sigma in pixels, radius capped at 16). */
void fx_blur(float *img, int w, int h, double sigma);

/* Motion blur: the mean of the image shifted along (dx, dy) pixels, both
 * ways from the centre (camera shake during the exposure). */
void fx_motion(float *img, int w, int h, double dx, double dy);

/* Ink spread or starved ink on coverage a in [0,1]: blurred by sigma and
 * re-thresholded at thr (below 0.5 grows the strokes, above thins them)
 * with ragged edges, plus satellite dots around the strokes. */
void fx_inkjet(float *a, int w, int h, double sigma, double thr, uint64_t *s);

/* Dot-matrix print: the coverage sampled on a grid of the given pitch (px)
 * and redrawn as anti-aliased dots of radius r. */
void fx_dots(float *a, int w, int h, double pitch, double r, uint64_t *s);

/* Toner specks: n small dots of random size at random places. */
void fx_specks(float *a, int w, int h, int n, uint64_t *s);

/* Relief shading of embossed characters: writes into shade[] the slope of
 * the blurred coverage towards a light from angle theta (radians); values
 * around [-1, 1]. */
void fx_emboss(const float *a, float *shade, int w, int h, double sigma, double theta);

/* Security print behind the characters: guilloche (families of thin wavy
 * lines) of the given darkness (gray levels) subtracted from paper[]. */
void fx_guilloche(float *paper, int w, int h, double dark, uint64_t *s);

/* Light across the cell: a glare blob washing the ink out, or a shadow edge
 * darkening one side. On gray levels (0-255). */
void fx_glare(float *g, int w, int h, double strength, uint64_t *s);
void fx_shadow(float *g, int w, int h, double depth, uint64_t *s);

/* Bilinear resampling of an 8-bit image by factor f (no prefilter), as the
 * reader resamples its band: writes at most max*max pixels into out and the
 * new size into *ow, *oh. */
void fx_resample(const unsigned char *in, int w, int h, double f, int max, unsigned char *out,
                 int *ow, int *oh);

#endif
