/* The trainer's side of the classifier's conv branch (src/document/ocr.h):
 * forward with what backpropagation needs, and the gradients. Plain scalar C,
 * the same arithmetic as src/document/ocr.c's conv_pool (which skips zeros and
 * sums four channels at a time, so the last bits of a sum may differ). */
#ifndef OCR_TRAIN_CONV_H
#define OCR_TRAIN_CONV_H

#include "document/ocr.h"

#define CONV_MAXMAP (KYC_OCR_WH * KYC_OCR_WW * KYC_OCR_MAX_CONV)

/* One conv 3x3 - ReLU - max-pool 2x2 stage over an h x w x cin map (channel
 * innermost), weights [ky][kx][cin][cout]: acc gets the convolution's sums,
 * arg the index into acc of each pooled maximum, out the pooled values. */
void conv_forward(const float *in, int h, int w, int cin, const float *wt, const float *b,
		  int cout, float *acc, int *arg, float *out);

/* The gradient of that stage: dout is dLoss/dout ((h/2) x (w/2) x cout); adds
 * into gw and gb and, when din is not NULL, writes dLoss/din (h x w x cin).
 * dacc is scratch of h x w x cout floats. */
void conv_backward(const float *in, int h, int w, int cin, const float *wt, int cout,
		   const float *out, const int *arg, const float *dout, float *dacc, float *gw,
		   float *gb, float *din);

#endif
