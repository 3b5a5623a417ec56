/* bench/face chip: a second alignment for measurement only (issue #12),
 * chosen by KYC_FACE_ALIGN=chip, which nothing outside bench/face reads.
 *
 * The engine's crop is face-api's aligned square turned upright on the eyes
 * (docs/face.md, "Align"). The recognition network was trained by dlib on its
 * own "face chips": a least-squares similarity transform of the landmarks
 * onto a mean face shape, padded by 0.25 around that shape's box. This
 * variant cuts such a chip from the engine's own 68 landmarks, onto a
 * template derived here (bench-face chip-template, below; not dlib's), and
 * embeds it instead, so that the two alignments can be compared. */
#ifndef BENCH_FACE_CHIP_H
#define BENCH_FACE_CHIP_H

struct kyc_image;
struct kyc_face_list;
struct kyc_face_engine;

/* The least-squares similarity p = s·R(angle)·t + c taking the n template
 * points tmpl onto the image points pts, as face__crop's square (top-left
 * x0, y0, side, angle) of the template square of side tside centred on
 * (tcx, tcy) in template units. */
void bench_face_fit_square(const double (*tmpl)[2], const double (*pts)[2], int n, double tcx,
                           double tcy, double tside, double *x0, double *y0, double *side,
                           double *angle);

/* 1 when KYC_FACE_ALIGN=chip. */
int bench_face_chip_on(void);

/* Replaces the embedding of every face of l by the one of its chip (150×150,
 * padding 0.25), cut from img (decoded with want_rgb). 0, or nonzero when the
 * models cannot be loaded or a crop or forward fails. */
int bench_face_chip_embed(const struct kyc_image *img, struct kyc_face_list *l);

struct kyc_face;

/* dlib's 128-d descriptor of face f of img (decoded with want_rgb), as the
 * engine computed it until branch face12: face-api's recognition network on
 * the engine's upright square (kyc_face_aligned_crop) at 150×150. 0, or
 * nonzero when the models cannot be loaded or the crop or forward fails. */
int bench_face_dlib_embed(const struct kyc_image *img, const struct kyc_face *f, float out[128]);

/* bench-face chip-template DIR: the mean shape of landmarks 17..67 (brows,
 * nose, eyes, mouth) over the near-frontal faces of every image of DIR, each
 * first made upright on its eyes and scaled by its eye-to-mouth distance;
 * printed as the C table chip.c holds, normalised to x 0..1, top at y 0. */
int bench_face_chip_template(const struct kyc_face_engine *e, const char *dir);

#endif
