/* A small tensor engine for the face networks (docs/face.md): one image at a
 * time in NHWC order (batch 1), float32, the operations TF.js runs for them
 * with the same padding rules ("same" pads floor(total/2) before and the rest
 * after, as TensorFlow does). Convolutions are im2col plus OpenBLAS sgemm;
 * depthwise convolution, pooling and the element-wise operations are plain C.
 *
 * Every function that makes a tensor allocates it in *out (cleared first) and
 * returns 0 or KYC_ERR_NOMEM / KYC_ERR_INVALID (shapes that do not fit); the
 * caller releases it with kyc_tensor_free(). Inputs are never modified except
 * by the in-place operations, whose names end in _inplace. */
#ifndef KYC_TENSOR_H
#define KYC_TENSOR_H

#include <stddef.h>

struct kyc_tensor {
	int h, w, c;
	float *d; /* h*w*c floats, channel fastest */
};

enum kyc_pad { KYC_PAD_VALID, KYC_PAD_SAME };

/* Allocates a zeroed h×w×c tensor. */
int kyc_tensor_alloc(struct kyc_tensor *t, int h, int w, int c);
/* Frees the data and clears the struct; safe on a cleared tensor. */
void kyc_tensor_free(struct kyc_tensor *t);
/* Moves src into *dst (freeing what dst held); src is left cleared. */
void kyc_tensor_move(struct kyc_tensor *dst, struct kyc_tensor *src);

/* A copy of x in *out. */
int kyc_tensor_copy(const struct kyc_tensor *x, struct kyc_tensor *out);

/* OpenBLAS picks its kernels once, when it loads, from the CPU's model; on a
 * CPU it does not know (virtual machines that hide the model) it falls back
 * to its SSE3 "Prescott" kernels, two to three times slower here. When that
 * happened and OPENBLAS_CORETYPE is unset, this sets it from the CPU's
 * features (SkylakeX with AVX-512, Haswell with AVX2 and FMA) and re-executes
 * the program with argv, once; otherwise it returns and changes nothing.
 * Call it first thing in main(). Returns only when there was nothing to do or
 * the exec failed (then the slow kernels stay). */
void kyc_tensor_pick_blas_kernels(char **argv);

/* Single-threaded BLAS: a face runs on one core; the server's threads give
 * the parallelism. Called once before the first convolution. */
void kyc_tensor_init(void);

/* conv2d: filters are [kh][kw][cin][cout] (TF's HWIO), bias[cout] or NULL. */
int kyc_conv2d(const struct kyc_tensor *x, const float *filters, int kh, int kw, int cout,
               const float *bias, int stride, enum kyc_pad pad, struct kyc_tensor *out);
/* Depthwise conv2d with channel multiplier 1: filters [kh][kw][c]; no bias. */
int kyc_depthwise_conv2d(const struct kyc_tensor *x, const float *filters, int kh, int kw,
                         int stride, enum kyc_pad pad, struct kyc_tensor *out);
/* TF's separableConv2d followed by a bias: depthwise [3][3][cin], then
 * pointwise [cin][cout] with bias[cout]. */
int kyc_separable_conv2d(const struct kyc_tensor *x, const float *depthwise, int k,
                         const float *pointwise, int cout, const float *bias, int stride,
                         enum kyc_pad pad, struct kyc_tensor *out);

/* Max / average pooling over k×k windows. Padded cells are ignored (TF). */
int kyc_maxpool(const struct kyc_tensor *x, int k, int stride, enum kyc_pad pad,
                struct kyc_tensor *out);
int kyc_avgpool(const struct kyc_tensor *x, int k, int stride, enum kyc_pad pad,
                struct kyc_tensor *out);
/* Zero padding on each side. */
int kyc_pad_zero(const struct kyc_tensor *x, int top, int bottom, int left, int right,
                 struct kyc_tensor *out);

void kyc_relu_inplace(struct kyc_tensor *t);
/* TF.js's leaky ReLU as the Yolo nets write it: relu(x - a·x) + a·x. */
void kyc_leaky_inplace(struct kyc_tensor *t, float alpha);
/* t += u (same shape; KYC_ERR_INVALID otherwise). */
int kyc_add_inplace(struct kyc_tensor *t, const struct kyc_tensor *u);
/* Per channel: t = t*mul + add (either may be NULL). */
void kyc_channel_affine_inplace(struct kyc_tensor *t, const float *mul, const float *add);
/* Per channel: t = (t - sub) * mul (batch norm as the Yolo weights store it). */
void kyc_channel_submul_inplace(struct kyc_tensor *t, const float *sub, const float *mul);
/* Mean over height and width into out[c]. */
void kyc_mean_hw(const struct kyc_tensor *x, float *out);
/* out[m] = in[n] · weights[n][m] + bias[m] (bias may be NULL). */
void kyc_fully_connected(const float *in, int n, const float *weights, int m, const float *bias,
                         float *out);

#endif
