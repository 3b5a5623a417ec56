/* The graph model's insides, shared by its loader (graph_load.c) and its
 * runner (graph.c); not part of the engine's interface (graph.h). */
#ifndef KYC_TENSOR_GRAPH_MODEL_H
#define KYC_TENSOR_GRAPH_MODEL_H

#include <stddef.h>

#include "tensor/graph.h"
#include "tensor/weights.h"

#define DEFAULT_MAX_ELEMS ((size_t)64 * 1024 * 1024)
#define MAX_STRIDE 64
#define MAX_PAD 4096

enum gop {
	G_CONST,
	G_PLACEHOLDER,
	G_IDENTITY,
	G_CONV,
	G_DWCONV,
	G_MATMUL,
	G_ADD,
	G_SUB,
	G_MUL,
	G_MIN,
	G_MAX,
	G_RELU,
	G_RELU6,
	G_ABS,
	G_SQUARE,
	G_RSQRT,
	G_SIGMOID,
	G_SOFTMAX,
	G_MEAN,
	G_SUM,
	G_RESHAPE,
	G_SQUEEZE,
	G_PAD,
};

enum gpad { GP_VALID, GP_SAME, GP_EXPLICIT };
enum gact { ACT_NONE, ACT_RELU, ACT_RELU6, ACT_PRELU };

struct gnode {
	char *name;
	const char *opname; /* from OPS */
	enum gop op;
	int *in;
	int nin;
	int stride;
	enum gpad pad;
	int expl[4]; /* explicit padding: top, bottom, left, right */
	int bias;    /* fused BiasAdd: input 2 */
	enum gact act;
	int ta, tb;
	int keep_dims;
	int squeeze[KYC_GRAPH_MAX_RANK]; /* 1: drop this axis; all 0: every size-1 axis */
	int placeholder_shape[KYC_GRAPH_MAX_RANK];
	int placeholder_rank;
	struct kyc_gtensor value; /* Const */
};

struct kyc_graph {
	struct gnode *n;
	int count;
	int input;
	size_t max_elems;
	/* kyc_graph_load's: every Const's values in one block that forked
	 * children do not get (kyc_weights_decode_in's), or NULL */
	float *consts;
	size_t consts_len;
};

#define fail kyc_weights_fail

/* A tensor of shape[rank] floats, refused past max elements (zeroed when
 * zero is set). */
int kyc_graph__alloc(struct kyc_gtensor *t, int rank, const int *shape, size_t max, int zero);

#endif
