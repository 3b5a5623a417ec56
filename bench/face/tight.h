/* bench/face tight: faces that fill the frame (docs/face.md, "The pipeline",
 * step 1): how often the engine finds the face of a tight crop.
 *
 *   bench-face tight OUT_DIR IMG...
 *
 * Each IMG is either a tight crop already (an image of at most 256 px a
 * side: read as it is), or a photo whose faces (a box at least 64 px wide)
 * are each cut as 200x200 squares centred on the box, of 1.0, 1.1 and 1.25
 * times its longer side (bilinear, edges repeated), as aligned web crops are
 * cut. Prints, per kind, how many crops give a face and the median CPU ms of
 * kyc_face_analyze on them; each crop that gives none is written to
 * OUT_DIR/miss-N.png to be looked at. */
#ifndef BENCH_FACE_TIGHT_H
#define BENCH_FACE_TIGHT_H

struct kyc_image;
struct kyc_face_engine;

/* Bilinear resample of the region (x0, y0, sw, sh) of im (RGB) into a new
 * w×h RGB image (malloc), the image's edge pixels repeated outside it. */
unsigned char *bench_face_cut(const struct kyc_image *im, double x0, double y0, double sw,
                              double sh, int w, int h);

int bench_face_tight(const struct kyc_face_engine *e, const char *outdir, int n, char **files);

#endif
