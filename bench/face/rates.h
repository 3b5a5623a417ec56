/* bench/face: verification rates of genuine and impostor pair distances,
 * printed the one way every mode of bench-face prints them. */
#ifndef BENCH_FACE_RATES_H
#define BENCH_FACE_RATES_H

#include <stddef.h>

/* Sorts gen and imp, then prints the ROC AUC; for FMR 1, 0.1 and 0.01 %
 * the threshold that holds it and the FNMR there; and at dlib's threshold,
 * the workflow's default and each of the comma-separated thresholds of
 * FACE_THRESHOLD in the environment: FMR, FNMR, and the share of pairs the
 * workflow would decide without a person (a distance under the threshold
 * less KYC_FACE_MATCH_MARGIN approves; within the margin goes to review). */
void bench_face_rates(double *gen, size_t ng, double *imp, size_t ni);

#endif
