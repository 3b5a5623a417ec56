/* bench/face ident: verification accuracy on a set labelled by identity,
 * laid out as DIR/PERSON/IMAGE (bench/README.md#face says which set). */
#ifndef BENCH_FACE_IDENT_H
#define BENCH_FACE_IDENT_H

struct kyc_face_engine;

/* Reads every image of each DIR/PERSON folder holding at least
 * IDENT_MIN_PHOTOS (2) images, keeps the face whose box holds the image's
 * centre (LFW's rule for which face is labelled; the nearest centre when
 * several do; IDENT_PICK=1: the face the workflow picks, for a set of one
 * photo a person laid out as folders of one), and prints how many images
 * gave no such face, then the rates (rates.h) of every genuine pair and of
 * every impostor pair, or of a fixed-seed sample of IDENT_IMPOSTORS of them;
 * then the same with at most IDENT_CAP (10) images a person, so that a few
 * people photographed hundreds of times do not make the genuine pairs; the
 * nearest impostor and farthest genuine pairs by name, to look at.
 * IDENT_SPLIT=SEED (nonzero) halves the identities by a hash of their name
 * and the seed and prints the same for the pairs within each half: a
 * calibration half to read a threshold on, and a held-out half to check it.
 * Each face keeps FaceRes's embedding (the engine's) and dlib's (chip.h);
 * IDENT_NET=faceres (default), dlib or fused says which distance the pairs
 * get (fused: both standardised by IDENT_FUSE=MF,SF,MD,SD, the impostor
 * means and deviations a faceres run prints, and summed). IDENT_CACHE=FILE
 * keeps the faces between runs (delete it when the engine changes);
 * IDENT_GENDER=FILE, lines "PERSON M|F", adds gender accuracy. 0, or 1
 * when DIR holds no such folder (2: IDENT_NET or IDENT_FUSE is wrong). */
int bench_face_ident(const struct kyc_face_engine *e, const char *dir);

struct kyc_face;
struct kyc_face_list;

/* fn(ctx, FOLDER, PERSON, FILE) for one image; nonzero stops the walk. */
typedef int (*bench_face_photo_fn)(void *ctx, const char *folder, const char *person,
                                   const char *file);

/* Calls fn for every image of each DIR/PERSON folder holding at least
 * min_photos images, people and images by name. The number of such people,
 * or -1 when DIR cannot be read. */
int bench_face_each_photo(const char *dir, int min_photos, bench_face_photo_fn fn, void *ctx);

/* The face LFW labels: the one whose box holds the image's centre (w × h),
 * the nearest centre when several do. NULL when none does. */
const struct kyc_face *bench_face_central(const struct kyc_face_list *l, int w, int h);

#endif
