/* bench/face export: our pipeline's face crops, written out for the candidate
 * recognition networks run under node (tools/face-ref/candidates.mjs;
 * bench/README.md, "Face: candidate recognition networks"). Measurement only.
 *
 *   bench-face export OUT SET...
 *
 * SET is "lfw:DIR" (DIR/PERSON/IMAGE; people with 2+ images; the face whose
 * box holds the image's centre, as `ident` keeps it, at least 64 px wide) or
 * "flat:DIR:STEP" (every STEP-th file of DIR by name; the face the workflow
 * picks, as `age` keeps it). For each kept face it appends:
 *   OUT.tsv     set, person (the folder, or the file for flat), file, the
 *               engine's gender, then the engine's 128-d dlib embedding;
 *   OUT.sq224   224×224×3 RGB bytes: the engine's own aligned square
 *               (kyc_face_aligned_crop: upright on the eyes);
 *   OUT.arc112  112×112×3 RGB bytes: the five-point similarity alignment of
 *               the ArcFace/InsightFace family (eye centres, nose tip, mouth
 *               corners from our 68 landmarks onto its 112×112 template);
 *   OUT.box224  224×224×3 RGB bytes: the detector's box, square, 0.1 of its
 *               side added each side, not turned (HSE_FaceRec_tf's crop).
 * 0, or 1 when nothing could be written. */
#ifndef BENCH_FACE_EXPORT_H
#define BENCH_FACE_EXPORT_H

struct kyc_face_engine;

int bench_face_export(const struct kyc_face_engine *e, const char *out, int nsets, char **sets);

#endif
