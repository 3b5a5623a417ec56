/* bench/face graph (graph.h). */
#include "graph.h"

#include <stdio.h>

#include "tensor/graph.h"
#include "tensor/tensor.h"
#include "../lib/timing.h"

static const struct {
	const char *name;
	int side;
	float scale; /* human's input range: 0..255 or 0..1 */
	const char *outputs[3];
	int nout;
} MODELS[] = {
    {"faceres", 224, 255, {"global_pooling/Mean", "age_pred/Softmax", "gender_pred/Sigmoid"}, 3},
    {"faceres-deep",
     224,
     255,
     {"global_pooling/Mean", "age_pred/Softmax", "gender_pred/Sigmoid"},
     3},
    {"mobileface", 112, 255, {"batchnorm0/add_1"}, 1},
    {"mobilefacenet", 112, 1, {"embeddings"}, 1},
};

static int one(const char *dir, int m, int reps)
{
	char path[4096], err[256];
	struct kyc_graph *g = NULL;
	struct kyc_gtensor in = {0}, outs[3];
	double ms[1000];
	int shape[4] = {1, MODELS[m].side, MODELS[m].side, 3}, rc = 1;
	snprintf(path, sizeof path, "%s/%s.json", dir, MODELS[m].name);
	if (kyc_graph_load(path, &g, err, sizeof err) || kyc_gtensor_alloc(&in, 4, shape)) {
		fprintf(stderr, "bench-face graph: %s: %s\n", MODELS[m].name, err);
		goto out;
	}
	/* A smooth pattern in the model's range (speed does not depend on it). */
	for (size_t i = 0; i < in.count; i++)
		in.d[i] = MODELS[m].scale * (float)((i * 7919) % 256) / 255.0f;
	reps = reps < 1 ? 1 : reps > 1000 ? 1000 : reps;
	for (int r = -1; r < reps; r++) {
		double t0 = bench_cpu_ms();
		if (kyc_graph_run_many(g, &in, MODELS[m].outputs, MODELS[m].nout, outs, err,
		                       sizeof err)) {
			fprintf(stderr, "bench-face graph: %s: %s\n", MODELS[m].name, err);
			goto out;
		}
		if (r >= 0)
			ms[r] = bench_cpu_ms() - t0;
		for (int o = 0; o < MODELS[m].nout; o++)
			kyc_gtensor_free(&outs[o]);
	}
	printf("%s kycd: median %.1f ms, p95 %.1f ms CPU over %d runs\n", MODELS[m].name,
	       bench_percentile(ms, reps, 0.5), bench_percentile(ms, reps, 0.95), reps);
	rc = 0;
out:
	kyc_gtensor_free(&in);
	kyc_graph_free(g);
	return rc;
}

int bench_face_graph(const char *dir, int reps)
{
	kyc_tensor_init();
	for (int m = 0; m < (int)(sizeof MODELS / sizeof MODELS[0]); m++)
		if (one(dir, m, reps))
			return 1;
	return 0;
}
