/* The tensor engine's operations (tensor.h). */
#include "tensor/tensor.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>

#include "core/err.h"

/* Tensors here come from fixed networks on bounded images; this cap only
 * keeps a shape bug from asking for absurd memory. */
#define TENSOR_MAX_ELEMS (256L * 1024 * 1024)

int kyc_tensor_alloc(struct kyc_tensor *t, int h, int w, int c)
{
	memset(t, 0, sizeof *t);
	if (h < 1 || w < 1 || c < 1 || (long)h * w * c > TENSOR_MAX_ELEMS)
		return KYC_ERR_INVALID;
	t->d = calloc((size_t)h * w * c, sizeof(float));
	if (!t->d)
		return KYC_ERR_NOMEM;
	t->h = h;
	t->w = w;
	t->c = c;
	return 0;
}

void kyc_tensor_free(struct kyc_tensor *t)
{
	if (!t)
		return;
	free(t->d);
	memset(t, 0, sizeof *t);
}

void kyc_tensor_move(struct kyc_tensor *dst, struct kyc_tensor *src)
{
	kyc_tensor_free(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

void kyc_tensor_pick_blas_kernels(char **argv)
{
	if (getenv("OPENBLAS_CORETYPE"))
		return;
	const char *core = openblas_get_corename();
	if (!core || strcasecmp(core, "prescott") != 0)
		return;
	__builtin_cpu_init();
	const char *want = __builtin_cpu_supports("avx512f") ? "SkylakeX"
	                   : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
	                       ? "Haswell"
	                       : NULL;
	if (!want || setenv("OPENBLAS_CORETYPE", want, 1) != 0)
		return;
	execv("/proc/self/exe", argv);
}

void kyc_tensor_init(void)
{
	openblas_set_num_threads(1);
}

/* Output size and leading padding of one axis, TensorFlow's rules. */
static int out_size(int in, int k, int stride, enum kyc_pad pad, int *pad_before)
{
	if (pad == KYC_PAD_VALID) {
		*pad_before = 0;
		return in < k ? 0 : (in - k) / stride + 1;
	}
	int out = (in + stride - 1) / stride;
	int total = (out - 1) * stride + k - in;
	*pad_before = total > 0 ? total / 2 : 0;
	return out;
}

/* The kernel taps [k0, k1) of a window starting at input index start that
 * fall inside 0..in-1 (padding contributes nothing). */
static void window(int start, int k, int in, int *k0, int *k1)
{
	*k0 = start < 0 ? -start : 0;
	*k1 = start + k > in ? in - start : k;
	if (*k1 < *k0)
		*k1 = *k0;
}

int kyc_conv2d(const struct kyc_tensor *x, const float *filters, int kh, int kw, int cout,
               const float *bias, int stride, enum kyc_pad pad, struct kyc_tensor *out)
{
	int pt, pl;
	int oh = out_size(x->h, kh, stride, pad, &pt), ow = out_size(x->w, kw, stride, pad, &pl);
	int rc = kyc_tensor_alloc(out, oh, ow, cout);
	if (rc)
		return rc;
	const int cin = x->c, K = kh * kw * cin, P = oh * ow;
	const float *A = x->d;
	float *cols = NULL;
	if (!(kh == 1 && kw == 1 && stride == 1)) {
		cols = malloc((size_t)P * K * sizeof(float));
		if (!cols) {
			kyc_tensor_free(out);
			return KYC_ERR_NOMEM;
		}
		/* im2col: one row per output pixel, [ky][kx][cin] like the filters. */
		for (int oy = 0; oy < oh; oy++)
			for (int ox = 0; ox < ow; ox++) {
				float *row = cols + ((size_t)oy * ow + ox) * K;
				for (int ky = 0; ky < kh; ky++) {
					int iy = oy * stride + ky - pt;
					for (int kx = 0; kx < kw; kx++) {
						int ix = ox * stride + kx - pl;
						float *dst = row + (ky * kw + kx) * cin;
						if (iy < 0 || iy >= x->h || ix < 0 || ix >= x->w)
							memset(dst, 0, (size_t)cin * sizeof(float));
						else
							memcpy(dst,
							       x->d +
							           ((size_t)iy * x->w + ix) * cin,
							       (size_t)cin * sizeof(float));
					}
				}
			}
		A = cols;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, P, cout, K, 1.0f, A, K, filters,
	            cout, 0.0f, out->d, cout);
	free(cols);
	if (bias)
		kyc_channel_affine_inplace(out, NULL, bias);
	return 0;
}

int kyc_depthwise_conv2d(const struct kyc_tensor *x, const float *filters, int kh, int kw,
                         int stride, enum kyc_pad pad, struct kyc_tensor *out)
{
	int pt, pl;
	int oh = out_size(x->h, kh, stride, pad, &pt), ow = out_size(x->w, kw, stride, pad, &pl);
	int rc = kyc_tensor_alloc(out, oh, ow, x->c);
	if (rc)
		return rc;
	const int c = x->c;
	for (int oy = 0; oy < oh; oy++)
		for (int ox = 0; ox < ow; ox++) {
			float *o = out->d + ((size_t)oy * ow + ox) * c;
			int ky0, ky1, kx0, kx1;
			window(oy * stride - pt, kh, x->h, &ky0, &ky1);
			window(ox * stride - pl, kw, x->w, &kx0, &kx1);
			for (int ky = ky0; ky < ky1; ky++)
				for (int kx = kx0; kx < kx1; kx++) {
					const float *in =
					    x->d + ((size_t)(oy * stride - pt + ky) * x->w +
					            ox * stride - pl + kx) *
					               c;
					const float *f = filters + (ky * kw + kx) * c;
					for (int ch = 0; ch < c; ch++)
						o[ch] += in[ch] * f[ch];
				}
		}
	return 0;
}

int kyc_separable_conv2d(const struct kyc_tensor *x, const float *depthwise, int k,
                         const float *pointwise, int cout, const float *bias, int stride,
                         enum kyc_pad pad, struct kyc_tensor *out)
{
	struct kyc_tensor dw;
	int rc = kyc_depthwise_conv2d(x, depthwise, k, k, stride, pad, &dw);
	if (rc)
		return rc;
	rc = kyc_conv2d(&dw, pointwise, 1, 1, cout, bias, 1, KYC_PAD_VALID, out);
	kyc_tensor_free(&dw);
	return rc;
}

static int pool(const struct kyc_tensor *x, int k, int stride, enum kyc_pad pad, int is_max,
                struct kyc_tensor *out)
{
	int pt, pl;
	int oh = out_size(x->h, k, stride, pad, &pt), ow = out_size(x->w, k, stride, pad, &pl);
	int rc = kyc_tensor_alloc(out, oh, ow, x->c);
	if (rc)
		return rc;
	const int c = x->c;
	for (int oy = 0; oy < oh; oy++)
		for (int ox = 0; ox < ow; ox++) {
			float *o = out->d + ((size_t)oy * ow + ox) * c;
			int ky0, ky1, kx0, kx1;
			window(oy * stride - pt, k, x->h, &ky0, &ky1);
			window(ox * stride - pl, k, x->w, &kx0, &kx1);
			int n = (ky1 - ky0) * (kx1 - kx0);
			for (int ch = 0; ch < c; ch++)
				o[ch] = is_max ? -FLT_MAX : 0.0f;
			for (int ky = ky0; ky < ky1; ky++)
				for (int kx = kx0; kx < kx1; kx++) {
					const float *in =
					    x->d + ((size_t)(oy * stride - pt + ky) * x->w +
					            ox * stride - pl + kx) *
					               c;
					for (int ch = 0; ch < c; ch++)
						o[ch] = is_max ? (in[ch] > o[ch] ? in[ch] : o[ch])
						               : o[ch] + in[ch];
				}
			if (!is_max && n > 0)
				for (int ch = 0; ch < c; ch++)
					o[ch] /= (float)n;
		}
	return 0;
}

int kyc_maxpool(const struct kyc_tensor *x, int k, int stride, enum kyc_pad pad,
                struct kyc_tensor *out)
{
	return pool(x, k, stride, pad, 1, out);
}

int kyc_avgpool(const struct kyc_tensor *x, int k, int stride, enum kyc_pad pad,
                struct kyc_tensor *out)
{
	return pool(x, k, stride, pad, 0, out);
}

int kyc_tensor_copy(const struct kyc_tensor *x, struct kyc_tensor *out)
{
	int rc = kyc_tensor_alloc(out, x->h, x->w, x->c);
	if (rc == 0)
		memcpy(out->d, x->d, (size_t)x->h * x->w * x->c * sizeof(float));
	return rc;
}

int kyc_pad_zero(const struct kyc_tensor *x, int top, int bottom, int left, int right,
                 struct kyc_tensor *out)
{
	int rc = kyc_tensor_alloc(out, x->h + top + bottom, x->w + left + right, x->c);
	if (rc)
		return rc;
	for (int y = 0; y < x->h; y++)
		memcpy(out->d + ((size_t)(y + top) * out->w + left) * x->c,
		       x->d + (size_t)y * x->w * x->c, (size_t)x->w * x->c * sizeof(float));
	return 0;
}

void kyc_relu_inplace(struct kyc_tensor *t)
{
	size_t n = (size_t)t->h * t->w * t->c;
	for (size_t i = 0; i < n; i++)
		if (t->d[i] < 0.0f)
			t->d[i] = 0.0f;
}

void kyc_leaky_inplace(struct kyc_tensor *t, float alpha)
{
	size_t n = (size_t)t->h * t->w * t->c;
	for (size_t i = 0; i < n; i++) {
		float m = t->d[i] * alpha, r = t->d[i] - m;
		t->d[i] = (r > 0.0f ? r : 0.0f) + m;
	}
}

int kyc_add_inplace(struct kyc_tensor *t, const struct kyc_tensor *u)
{
	if (t->h != u->h || t->w != u->w || t->c != u->c)
		return KYC_ERR_INVALID;
	size_t n = (size_t)t->h * t->w * t->c;
	for (size_t i = 0; i < n; i++)
		t->d[i] += u->d[i];
	return 0;
}

void kyc_channel_affine_inplace(struct kyc_tensor *t, const float *mul, const float *add)
{
	size_t px = (size_t)t->h * t->w;
	for (size_t p = 0; p < px; p++) {
		float *v = t->d + p * t->c;
		for (int ch = 0; ch < t->c; ch++) {
			if (mul)
				v[ch] *= mul[ch];
			if (add)
				v[ch] += add[ch];
		}
	}
}

void kyc_channel_submul_inplace(struct kyc_tensor *t, const float *sub, const float *mul)
{
	size_t px = (size_t)t->h * t->w;
	for (size_t p = 0; p < px; p++) {
		float *v = t->d + p * t->c;
		for (int ch = 0; ch < t->c; ch++)
			v[ch] = (v[ch] - sub[ch]) * mul[ch];
	}
}

void kyc_mean_hw(const struct kyc_tensor *x, float *out)
{
	size_t px = (size_t)x->h * x->w;
	for (int ch = 0; ch < x->c; ch++)
		out[ch] = 0.0f;
	for (size_t p = 0; p < px; p++)
		for (int ch = 0; ch < x->c; ch++)
			out[ch] += x->d[p * x->c + ch];
	for (int ch = 0; ch < x->c; ch++)
		out[ch] /= (float)px;
}

void kyc_fully_connected(const float *in, int n, const float *weights, int m, const float *bias,
                         float *out)
{
	for (int j = 0; j < m; j++)
		out[j] = 0.0f;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++)
			out[j] += in[i] * weights[(size_t)i * m + j];
	if (bias)
		for (int j = 0; j < m; j++)
			out[j] += bias[j];
}
