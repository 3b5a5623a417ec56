/* Training cells cut by the photo reader itself (mine.c): kycd synth photos
 * of development seeds, located, rectified and laid out by the reader's own
 * functions, each cell labelled with the true character found from the
 * photo's ground-truth geometry (not from what the classifier reads). */
#ifndef OCR_TRAIN_MINE_H
#define OCR_TRAIN_MINE_H

#include <stdint.h>

/* One mined cell: the part of the reader's rectified band that
 * kyc_ocr_features_at reads for it (the cell and its context window over the
 * line's rows), with the centre and pitch in the crop's columns. */
struct mine_cell {
	unsigned char label; /* index into KYC_OCR_CLASSES */
	unsigned char level; /* of the photo it came from */
	unsigned short w, h;
	double cx, pitch;
	unsigned char *px; /* w*h, stride w */
};

struct mine_set {
	struct mine_cell *c;
	long n, cap;
	long *hard, nhard; /* cells the compiled-in model misreads or is unsure of */
};

/* Mines the photos of development seeds first..last (every difficulty class
 * and the plain photo at levels 1 and 2, the plain photo and one class at
 * level 0, all photo index 0; then, with extra > 0, photos 1..extra of the
 * level-2 classes perspective, watermark, motion, print and mixed) on
 * nthreads threads and writes the cells to path in photo order, so the file
 * is a pure function of the seeds and extra (extra 0 gives the file of
 * before). Refuses evaluation seeds. 0 or -1 (message on stderr). */
int mine_run(uint64_t first, uint64_t last, int extra, int nthreads, const char *path);

/* Reads a file written by mine_run. 0 or -1. */
int mine_load(const char *path, struct mine_set *s);
void mine_free(struct mine_set *s);

/* Fills s->hard with the cells the compiled-in model reads wrong or with a
 * best score under 0.9 (what the MRZ parser does not accept). 0 or -1. */
int mine_find_hard(struct mine_set *s);

/* The features of cell i, as kyc_ocr_features_at (fine: _fine_at) gives
 * them on the band. */
int mine_features(const struct mine_set *s, long i, int fine, float *x);

#endif
