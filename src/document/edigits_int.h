/* Internals of the Eastern Arabic digit reader (edigits.h), shared with its
 * trainer (tools/edigit-train), which must cut lines and compute features
 * exactly as the reader does. */
#ifndef KYC_EDIGITS_INT_H
#define KYC_EDIGITS_INT_H

#include "document/edigits.h"

/* A piece of the line: the ink of one connected component between two
 * columns (a whole component, or part of a wide one that was split). */
struct kyc__edigits_piece {
	int label;          /* the component's label in the segmentation's map */
	int x0, x1, y0, y1; /* inclusive box of the piece's ink */
};

#define KYC__EDIGITS_MAX_PIECES 64
/* A run of at most this many consecutive pieces may be one character. */
#define KYC__EDIGITS_MAX_RUN 3

/* A line cut into pieces, left to right. */
struct kyc__edigits_seg {
	int w, h;
	int *label;          /* w*h component labels, 0 = paper (owned) */
	double top, height;  /* the line's band: its digits' top row and height */
	int npieces;
	struct kyc__edigits_piece piece[KYC__EDIGITS_MAX_PIECES];
};

/* Binarises the crop (Otsu), finds the line's band and its pieces. 0,
 * KYC_ERR_INVALID (crop too small) or KYC_ERR_NOMEM; release with
 * kyc__edigits_seg_release in every case. */
int kyc__edigits_segment(const unsigned char *gray, int w, int h, int stride,
			 struct kyc__edigits_seg *s);
void kyc__edigits_seg_release(struct kyc__edigits_seg *s);

/* Whether pixel (x, y) is ink of one of the pieces [i, j). */
int kyc__edigits_run_ink(const struct kyc__edigits_seg *s, int i, int j, int x, int y);

/* The classifier's input for the run of pieces [i, j): the run's ink
 * resampled (aspect kept, centred) into NW x NH coverage values, then its
 * height, middle and width against the line's band. Returns 0, or -1 when
 * the run is too wide to be one character (then f is untouched). */
#define KYC__EDIGITS_NW 16
#define KYC__EDIGITS_NH 20
#define KYC__EDIGITS_NIN (KYC__EDIGITS_NW * KYC__EDIGITS_NH + 3)
int kyc__edigits_features(const struct kyc__edigits_seg *s, int i, int j, float *f);

/* The model: input -> hidden (ReLU) -> NOUT logits; weights input-major
 * [in][out]. Output KYC_EDIGITS_NCLASS is "not one character" (a piece of
 * one, two run together, a speck). */
#define KYC__EDIGITS_NOUT (KYC_EDIGITS_NCLASS + 1)
#define KYC__EDIGITS_MAX_HIDDEN 256
struct kyc__edigits_model {
	int nin, hidden, nout;
	const float *w1, *b1, *w2, *b2;
};
extern const struct kyc__edigits_model kyc__edigits_model;

/* Class probabilities (softmax over NOUT) of one input under model m. */
void kyc__edigits_classify(const struct kyc__edigits_model *m, const float *f, float *p);

#endif
