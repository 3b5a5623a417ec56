/* bench/face age: the engine's age and gender estimates against faces
 * labelled by their file names (bench/README.md#face says which set). */
#ifndef BENCH_FACE_AGE_H
#define BENCH_FACE_AGE_H

struct kyc_face_engine;

/* Reads every STEP-th file of DIR (sorted by name) whose name starts
 * "AGE_GENDER_" (UTKFace's "[age]_[gender]_[race]_[date].jpg", gender 0 male,
 * 1 female) or is All-Age-Faces' "%05dA%02d.jpg" (serial, age), picks the face as the workflow picks a selfie's, and prints the
 * age's mean absolute error overall and by age band, the signed bias, the
 * share beyond the age_consistency check's gap, and gender accuracy; then
 * every two faces as an impostor pair (the set has no identities): the
 * thresholds at false-match rates of 1, 0.1 and 0.01 %, and the rates at the
 * workflow's and dlib's thresholds; AGE_SAMPLE=K in the environment prints
 * K of the pairs under the workflow's line to look at. 0, or 1
 * when DIR cannot be read or holds no labelled file. */
int bench_face_age(const struct kyc_face_engine *e, const char *dir, int step);

struct kyc_face_list;

/* Reads the photo DIR/NAME in colour and finds its faces into l (to free
 * with kyc_face_list_free), *ms the CPU time of kyc_face_analyze, *w and *h
 * the photo's size: -1 when the file cannot be read (nothing to free), else
 * what kyc_face_analyze returned. */
int bench_face_read(const struct kyc_face_engine *e, const char *dir, const char *name,
                    struct kyc_face_list *l, double *ms, int *w, int *h);

struct kyc_image;

/* As bench_face_read, the decoded photo kept in *im when 0 is returned (to
 * free with kyc_image_free); *w and *h are im's. */
int bench_face_load(const struct kyc_face_engine *e, const char *dir, const char *name,
                    struct kyc_face_list *l, double *ms, struct kyc_image *im);

#endif
