/* TF.js graph models (graph.h): the runner; the loader is graph_load.c. */
#include "tensor/graph.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "core/err.h"
#include "tensor/tensor.h"
#include "tensor/weights.h"
#include "tensor/graph_model.h"

int kyc_graph__alloc(struct kyc_gtensor *t, int rank, const int *shape, size_t max, int zero)
{
	memset(t, 0, sizeof *t);
	if (rank < 0 || rank > KYC_GRAPH_MAX_RANK)
		return KYC_ERR_INVALID;
	size_t n = 1;
	for (int i = 0; i < rank; i++) {
		if (shape[i] < 1)
			return KYC_ERR_INVALID;
		if ((size_t)shape[i] > max / n)
			return KYC_ERR_TOOBIG;
		n *= (size_t)shape[i];
	}
	t->d = zero ? calloc(n, sizeof(float)) : malloc(n * sizeof(float));
	if (!t->d)
		return KYC_ERR_NOMEM;
	t->rank = rank;
	memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
	t->count = n;
	return 0;
}

int kyc_gtensor_alloc(struct kyc_gtensor *t, int rank, const int *shape)
{
	return kyc_graph__alloc(t, rank, shape, DEFAULT_MAX_ELEMS, 1);
}

void kyc_gtensor_free(struct kyc_gtensor *t)
{
	if (!t)
		return;
	free(t->d);
	memset(t, 0, sizeof *t);
}

/* ---- running ---- */

struct run {
	const struct kyc_graph *g;
	char *err;
	size_t errlen;
	const struct gnode *n; /* the node being run, for errors */
};

static int bad(struct run *r, const char *what)
{
	return fail(r->err, r->errlen, KYC_ERR_INVALID, "node %s (%s): %s", r->n->name,
	            r->n->opname, what);
}

/* Whether a tensor of that shape, times factor, stays under the cap. */
static int fits(struct run *r, int rank, const int *shape, int factor)
{
	size_t n = (size_t)factor, max = r->g->max_elems;
	for (int i = 0; i < rank; i++) {
		if (shape[i] < 1)
			return bad(r, "empty output");
		if ((size_t)shape[i] > max / n)
			return fail(r->err, r->errlen, KYC_ERR_TOOBIG,
			            "node %s (%s): over %zu elements", r->n->name, r->n->opname,
			            max);
		n *= (size_t)shape[i];
	}
	return 0;
}

/* A tensor for a node's output; zero 0 when the op writes every value. */
static int ralloc_z(struct run *r, struct kyc_gtensor *t, int rank, const int *shape, int zero)
{
	int rc = kyc_graph__alloc(t, rank, shape, r->g->max_elems, zero);
	if (rc == KYC_ERR_TOOBIG)
		return fail(r->err, r->errlen, rc, "node %s (%s): output over %zu elements",
		            r->n->name, r->n->opname, r->g->max_elems);
	if (rc == KYC_ERR_INVALID)
		return bad(r, "empty output");
	return rc;
}

static int ralloc(struct run *r, struct kyc_gtensor *t, int rank, const int *shape)
{
	return ralloc_z(r, t, rank, shape, 1);
}

/* The fused bias and activation on the last axis of t (c channels). */
static int fused_tail(struct run *r, struct kyc_gtensor *t, int c, const struct kyc_gtensor *bias,
                      const struct kyc_gtensor *alpha)
{
	if (bias && bias->count != (size_t)c)
		return bad(r, "the bias does not have one value per channel");
	if (alpha && alpha->count != (size_t)c && alpha->count != 1)
		return bad(r, "the prelu alpha does not have one value per channel");
	const float *bd = bias ? bias->d : NULL, *al = alpha ? alpha->d : NULL;
	size_t astep = alpha && alpha->count == 1 ? 0 : 1;
	/* Pixel by pixel, one loop per case, so that the compiler vectorises. */
	for (float *p = t->d, *end = t->d + t->count; p < end; p += c) {
		if (bd)
			for (int k = 0; k < c; k++)
				p[k] += bd[k];
		switch (r->n->act) {
		case ACT_RELU:
			for (int k = 0; k < c; k++)
				p[k] = p[k] > 0.0f ? p[k] : 0.0f;
			break;
		case ACT_RELU6:
			for (int k = 0; k < c; k++)
				p[k] = p[k] > 0.0f ? (p[k] < 6.0f ? p[k] : 6.0f) : 0.0f;
			break;
		case ACT_PRELU:
			for (int k = 0; k < c; k++)
				p[k] = p[k] < 0.0f ? al[k * astep] * p[k] : p[k];
			break;
		case ACT_NONE:
			break;
		}
	}
	return 0;
}

/* Output size of one axis and the padding before it, TensorFlow's rules. */
static int conv_out(int in, int k, int stride, enum gpad pad)
{
	if (pad == GP_SAME)
		return (in + stride - 1) / stride;
	return in < k ? 0 : (in - k) / stride + 1;
}

static int op_conv(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct gnode *n = r->n;
	const struct kyc_gtensor *x = in[0], *f = in[1];
	int dw = n->op == G_DWCONV;
	if (x->rank != 4 || x->shape[0] != 1)
		return bad(r, "the input must be [1, h, w, c]");
	if (f->rank != 4 || f->shape[2] != x->shape[3] || (dw && f->shape[3] != 1))
		return bad(r, dw ? "the filter must be [kh, kw, c, 1]"
		                 : "the filter must be [kh, kw, cin, cout]");
	struct kyc_tensor kx = {x->shape[1], x->shape[2], x->shape[3], x->d}, padded = {0},
	                  ko = {0};
	int kh = f->shape[0], kw = f->shape[1], cout = dw ? x->shape[3] : f->shape[3], rc;
	enum gpad pad = n->pad;
	if (pad == GP_EXPLICIT) {
		int shape[4] = {1, kx.h + n->expl[0] + n->expl[1], kx.w + n->expl[2] + n->expl[3],
		                kx.c};
		if ((rc = fits(r, 4, shape, 1)) != 0)
			return rc;
		if ((rc = kyc_pad_zero(&kx, n->expl[0], n->expl[1], n->expl[2], n->expl[3],
		                       &padded)) != 0)
			return rc == KYC_ERR_INVALID ? bad(r, "bad padding") : rc;
		kx = padded;
		pad = GP_VALID;
	}
	int oh = conv_out(kx.h, kh, n->stride, pad), ow = conv_out(kx.w, kw, n->stride, pad);
	int oshape[4] = {1, oh, ow, cout};
	/* The output and, for conv2d, im2col's matrix must fit the cap. */
	int cols[3] = {oh, ow, kh * kw};
	if ((rc = fits(r, 4, oshape, 1)) != 0 || (!dw && (rc = fits(r, 3, cols, kx.c)) != 0))
		goto out;
	enum kyc_pad kp = pad == GP_SAME ? KYC_PAD_SAME : KYC_PAD_VALID;
	rc = dw ? kyc_depthwise_conv2d(&kx, f->d, kh, kw, n->stride, kp, &ko)
	        : kyc_conv2d(&kx, f->d, kh, kw, cout, NULL, n->stride, kp, &ko);
	if (rc) {
		rc = rc == KYC_ERR_INVALID ? bad(r, "shapes do not fit") : rc;
		goto out;
	}
	out->rank = 4;
	memcpy(out->shape, oshape, sizeof oshape);
	out->count = (size_t)oh * ow * cout;
	out->d = ko.d;
	rc = fused_tail(r, out, cout, n->bias ? in[2] : NULL, n->act == ACT_PRELU ? in[3] : NULL);
out:
	kyc_tensor_free(&padded);
	return rc;
}

static int op_matmul(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct gnode *n = r->n;
	const struct kyc_gtensor *a = in[0], *b = in[1];
	if (a->rank != 2 || b->rank != 2)
		return bad(r, "both inputs must be matrices");
	int M = n->ta ? a->shape[1] : a->shape[0], K = n->ta ? a->shape[0] : a->shape[1];
	int Kb = n->tb ? b->shape[1] : b->shape[0], N = n->tb ? b->shape[0] : b->shape[1];
	if (K != Kb)
		return bad(r, "inner sizes differ");
	int shape[2] = {M, N};
	int rc = ralloc(r, out, 2, shape);
	if (rc)
		return rc;
	cblas_sgemm(CblasRowMajor, n->ta ? CblasTrans : CblasNoTrans,
	            n->tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, a->d, a->shape[1], b->d,
	            b->shape[1], 0.0f, out->d, N);
	return fused_tail(r, out, N, n->bias ? in[2] : NULL, n->act == ACT_PRELU ? in[3] : NULL);
}

/* Element-wise binary ops with NumPy broadcasting, shapes aligned right. */
static int op_binary(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct kyc_gtensor *a = in[0], *b = in[1];
	int rank = a->rank > b->rank ? a->rank : b->rank;
	int sa[4] = {1, 1, 1, 1}, sb[4] = {1, 1, 1, 1}, so[4];
	size_t ta[4], tb[4];
	for (int i = 0; i < a->rank; i++)
		sa[4 - a->rank + i] = a->shape[i];
	for (int i = 0; i < b->rank; i++)
		sb[4 - b->rank + i] = b->shape[i];
	for (int i = 0; i < 4; i++) {
		if (sa[i] != sb[i] && sa[i] != 1 && sb[i] != 1)
			return bad(r, "shapes do not broadcast");
		so[i] = sa[i] > sb[i] ? sa[i] : sb[i];
	}
	int rc = ralloc_z(r, out, rank, so + 4 - rank, 0);
	if (rc)
		return rc;
	size_t ca = 1, cb = 1;
	for (int i = 3; i >= 0; i--) {
		ta[i] = sa[i] == 1 ? 0 : ca;
		tb[i] = sb[i] == 1 ? 0 : cb;
		ca *= (size_t)sa[i];
		cb *= (size_t)sb[i];
	}
	float *o = out->d;
	/* The innermost axis with unit or zero strides; one loop per op (a
	 * switch per element costs more than the arithmetic). */
#define BINARY(EXPR)                                                                               \
	for (int i0 = 0; i0 < so[0]; i0++)                                                         \
		for (int i1 = 0; i1 < so[1]; i1++)                                                 \
			for (int i2 = 0; i2 < so[2]; i2++) {                                       \
				const float *pa = a->d + i0 * ta[0] + i1 * ta[1] + i2 * ta[2];     \
				const float *pb = b->d + i0 * tb[0] + i1 * tb[1] + i2 * tb[2];     \
				if (ta[3] && tb[3])                                                \
					for (int i3 = 0; i3 < so[3]; i3++, o++) {                  \
						float x = pa[i3], y = pb[i3];                      \
						*o = (EXPR);                                       \
					}                                                          \
				else                                                               \
					for (int i3 = 0; i3 < so[3]; i3++, o++) {                  \
						float x = pa[i3 * ta[3]], y = pb[i3 * tb[3]];      \
						*o = (EXPR);                                       \
					}                                                          \
			}
	switch (r->n->op) {
	case G_ADD:
		BINARY(x + y);
		break;
	case G_SUB:
		BINARY(x - y);
		break;
	case G_MUL:
		BINARY(x * y);
		break;
	case G_MIN:
		BINARY(x < y ? x : y);
		break;
	default:
		BINARY(x > y ? x : y);
		break;
	}
#undef BINARY
	return 0;
}

/* Unary ops; math in double and rounded once, as TF.js's CPU backend does. */
static int op_unary(struct run *r, const struct kyc_gtensor *x, struct kyc_gtensor *out)
{
	int rc = ralloc_z(r, out, x->rank, x->shape, 0);
	if (rc)
		return rc;
	if (r->n->op == G_SOFTMAX) {
		if (x->rank < 1)
			return bad(r, "softmax of a scalar");
		size_t c = (size_t)x->shape[x->rank - 1];
		for (size_t base = 0; base < x->count; base += c) {
			float m = x->d[base];
			double sum = 0;
			for (size_t i = 1; i < c; i++)
				m = x->d[base + i] > m ? x->d[base + i] : m;
			for (size_t i = 0; i < c; i++) {
				out->d[base + i] = (float)exp((double)(x->d[base + i] - m));
				sum += out->d[base + i];
			}
			for (size_t i = 0; i < c; i++)
				out->d[base + i] /= (float)sum;
		}
		return 0;
	}
#define UNARY(T, EXPR)                                                                             \
	for (size_t i = 0; i < x->count; i++) {                                                    \
		T v = x->d[i];                                                                     \
		out->d[i] = (float)(EXPR);                                                         \
	}
	switch (r->n->op) {
	case G_RELU:
		UNARY(float, v > 0.0f ? v : 0.0f);
		break;
	case G_RELU6:
		UNARY(float, v > 0.0f ? (v < 6.0f ? v : 6.0f) : 0.0f);
		break;
	case G_ABS:
		UNARY(float, fabsf(v));
		break;
	case G_SQUARE:
		UNARY(float, v *v);
		break;
	case G_RSQRT:
		UNARY(double, 1.0 / sqrt(v));
		break;
	case G_SIGMOID:
		UNARY(double, 1.0 / (1.0 + exp(-v)));
		break;
	default:
		return bad(r, "not an element-wise op"); /* never reached: parse_node's table */
	}
#undef UNARY
	return 0;
}

/* Axes from a Const-like tensor of integers (scalar or list) as a bit mask. */
static int axes_mask(struct run *r, const struct kyc_gtensor *ax, int rank, unsigned *mask)
{
	*mask = 0;
	if (ax->rank > 1 || ax->count > KYC_GRAPH_MAX_RANK)
		return bad(r, "the axes must be a scalar or a list");
	for (size_t i = 0; i < ax->count; i++) {
		float v = ax->d[i];
		if (v != floorf(v) || v < -rank || v >= rank)
			return bad(r, "an axis out of range");
		*mask |= 1u << (int)(v < 0 ? v + (float)rank : v);
	}
	return 0;
}

static int op_reduce(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct kyc_gtensor *x = in[0];
	unsigned mask;
	int rc = axes_mask(r, in[1], x->rank, &mask);
	if (rc)
		return rc;
	int oshape[4], orank = 0, s4[4] = {1, 1, 1, 1}, keep[4];
	size_t n = 1;
	for (int i = 0; i < x->rank; i++) {
		s4[4 - x->rank + i] = x->shape[i];
		keep[4 - x->rank + i] = !(mask & (1u << i));
		if (mask & (1u << i))
			n *= (size_t)x->shape[i];
		if (!(mask & (1u << i)) || r->n->keep_dims)
			oshape[orank++] = mask & (1u << i) ? 1 : x->shape[i];
	}
	for (int i = 0; i < 4 - x->rank; i++)
		keep[i] = 1;
	if ((rc = ralloc(r, out, orank, oshape)) != 0)
		return rc;
	double *acc = calloc(out->count, sizeof *acc);
	if (!acc)
		return KYC_ERR_NOMEM;
	/* Output strides over the kept axes of the four-axis view. */
	size_t os[4], c = 1;
	for (int i = 3; i >= 0; i--) {
		os[i] = keep[i] ? c : 0;
		c *= keep[i] ? (size_t)s4[i] : 1;
	}
	const float *p = x->d;
	for (int i0 = 0; i0 < s4[0]; i0++)
		for (int i1 = 0; i1 < s4[1]; i1++)
			for (int i2 = 0; i2 < s4[2]; i2++)
				for (int i3 = 0; i3 < s4[3]; i3++)
					acc[i0 * os[0] + i1 * os[1] + i2 * os[2] + i3 * os[3]] +=
					    *p++;
	for (size_t i = 0; i < out->count; i++)
		out->d[i] = (float)(r->n->op == G_MEAN ? acc[i] / (double)n : acc[i]);
	free(acc);
	return 0;
}

static int op_reshape(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct kyc_gtensor *x = in[0], *s = in[1];
	int shape[4], free_axis = -1;
	size_t known = 1;
	if (s->rank != 1 || s->count > KYC_GRAPH_MAX_RANK)
		return bad(r, "the shape must be a list of at most 4");
	for (size_t i = 0; i < s->count; i++) {
		float v = s->d[i];
		if (v == -1.0f && free_axis < 0) {
			free_axis = (int)i;
			shape[i] = 1;
		} else if (v >= 1.0f && v <= (float)INT_MAX / 2 && v == floorf(v)) {
			shape[i] = (int)v;
			known *= (size_t)shape[i];
			if (known > x->count)
				return bad(r, "the shape does not fit the input");
		} else {
			return bad(r, "a bad size in the shape");
		}
	}
	if (free_axis >= 0)
		shape[free_axis] = (int)(x->count / known);
	if (x->count % known || (free_axis < 0 && known != x->count))
		return bad(r, "the shape does not fit the input");
	int rc = ralloc(r, out, (int)s->count, shape);
	if (rc)
		return rc;
	memcpy(out->d, x->d, x->count * sizeof(float));
	return 0;
}

static int op_squeeze(struct run *r, const struct kyc_gtensor *x, struct kyc_gtensor *out)
{
	int shape[4], rank = 0, any = 0;
	for (int i = 0; i < KYC_GRAPH_MAX_RANK; i++)
		any |= r->n->squeeze[i];
	for (int i = 0; i < x->rank; i++) {
		/* squeeze[] holds axes from the front (1) or, for negative ones,
		 * from the back (-1, at index axis + 4). */
		int listed = r->n->squeeze[i] == 1 ||
		             (i - x->rank + KYC_GRAPH_MAX_RANK >= 0 &&
		              r->n->squeeze[i - x->rank + KYC_GRAPH_MAX_RANK] == -1);
		if (listed && x->shape[i] != 1)
			return bad(r, "squeezing an axis whose size is not 1");
		if (any ? !listed : x->shape[i] != 1)
			shape[rank++] = x->shape[i];
	}
	int rc = ralloc(r, out, rank, shape);
	if (rc)
		return rc;
	memcpy(out->d, x->d, x->count * sizeof(float));
	return 0;
}

static int op_pad(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	const struct kyc_gtensor *x = in[0], *p = in[1];
	int before[4] = {0}, s4[4] = {1, 1, 1, 1}, o4[4] = {1, 1, 1, 1}, shape[4];
	if (p->rank != 2 || p->shape[0] != x->rank || p->shape[1] != 2)
		return bad(r, "the paddings must be [rank, 2]");
	for (int i = 0; i < x->rank; i++) {
		float b = p->d[2 * i], a = p->d[2 * i + 1];
		if (b < 0 || a < 0 || b > MAX_PAD || a > MAX_PAD || b != floorf(b) ||
		    a != floorf(a))
			return bad(r, "a padding out of range");
		shape[i] = x->shape[i] + (int)b + (int)a;
		before[4 - x->rank + i] = (int)b;
		s4[4 - x->rank + i] = x->shape[i];
		o4[4 - x->rank + i] = shape[i];
	}
	int rc = ralloc(r, out, x->rank, shape);
	if (rc)
		return rc;
	const float *src = x->d;
	for (int i0 = 0; i0 < s4[0]; i0++)
		for (int i1 = 0; i1 < s4[1]; i1++)
			for (int i2 = 0; i2 < s4[2]; i2++) {
				size_t o =
				    (((size_t)(i0 + before[0]) * o4[1] + i1 + before[1]) * o4[2] +
				     i2 + before[2]) *
				        o4[3] +
				    before[3];
				memcpy(out->d + o, src, (size_t)s4[3] * sizeof(float));
				src += s4[3];
			}
	return 0;
}

static int run_node(struct run *r, struct kyc_gtensor **in, struct kyc_gtensor *out)
{
	switch (r->n->op) {
	case G_CONV:
	case G_DWCONV:
		return op_conv(r, in, out);
	case G_MATMUL:
		return op_matmul(r, in, out);
	case G_ADD:
	case G_SUB:
	case G_MUL:
	case G_MIN:
	case G_MAX:
		return op_binary(r, in, out);
	case G_MEAN:
	case G_SUM:
		return op_reduce(r, in, out);
	case G_RESHAPE:
		return op_reshape(r, in, out);
	case G_SQUEEZE:
		return op_squeeze(r, in[0], out);
	case G_PAD:
		return op_pad(r, in, out);
	case G_IDENTITY: {
		int rc = ralloc(r, out, in[0]->rank, in[0]->shape);
		if (!rc)
			memcpy(out->d, in[0]->d, in[0]->count * sizeof(float));
		return rc;
	}
	case G_CONST:
	case G_PLACEHOLDER:
		return bad(r, "not computed"); /* never reached: values are given */
	default:
		return op_unary(r, in[0], out);
	}
}

/* The nodes the targets depend on, inputs before their consumers (an
 * iterative depth-first walk: a deep graph cannot overflow the stack). */
static int plan(const struct kyc_graph *g, const int *targets, int nt, int *order, int *n,
                char *err, size_t errlen)
{
	int *state = calloc((size_t)g->count, sizeof *state); /* 0 new, 1 open, 2 done */
	int *stack = malloc((size_t)g->count * sizeof *stack);
	int *next = calloc((size_t)g->count, sizeof *next);
	int sp = 0, rc = 0;
	*n = 0;
	if (!state || !stack || !next) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int t = 0; t < nt; t++) {
		if (state[targets[t]])
			continue;
		stack[sp++] = targets[t];
		state[targets[t]] = 1;
		while (sp) {
			int v = stack[sp - 1];
			if (next[v] < g->n[v].nin) {
				int u = g->n[v].in[next[v]++];
				if (state[u] == 1) {
					rc = fail(err, errlen, KYC_ERR_INVALID, "node %s: a cycle",
					          g->n[u].name);
					goto out;
				}
				if (state[u] == 0) {
					state[u] = 1;
					stack[sp++] = u;
				}
			} else {
				state[v] = 2;
				order[(*n)++] = v;
				sp--;
			}
		}
	}
out:
	free(state);
	free(stack);
	free(next);
	return rc;
}

static int check_input(const struct kyc_graph *g, const struct kyc_gtensor *x, char *err,
                       size_t errlen)
{
	const struct gnode *p = &g->n[g->input];
	int ok = x->rank == p->placeholder_rank && x->d;
	size_t c = 1;
	for (int i = 0; ok && i < x->rank; i++) {
		ok = x->shape[i] >= 1 &&
		     (p->placeholder_shape[i] == -1 || p->placeholder_shape[i] == x->shape[i]);
		c *= ok ? (size_t)x->shape[i] : 1;
	}
	if (!ok || c != x->count)
		return fail(err, errlen, KYC_ERR_INVALID,
		            "input: the shape does not fit placeholder %s", p->name);
	return 0;
}

/* The node called name, with or without ":0"; -1 when none. */
static int find_node(const struct kyc_graph *g, const char *name)
{
	size_t len = strlen(name);
	if (len > 2 && !strcmp(name + len - 2, ":0"))
		len -= 2;
	for (int i = 0; i < g->count; i++)
		if (strlen(g->n[i].name) == len && !strncmp(g->n[i].name, name, len))
			return i;
	return -1;
}

static int is_borrowed(const struct gnode *n)
{
	return n->op == G_CONST || n->op == G_PLACEHOLDER;
}

int kyc_graph_run_many(const struct kyc_graph *g, const struct kyc_gtensor *input,
                       const char *const *outputs, int nout, struct kyc_gtensor *outs, char *err,
                       size_t errlen)
{
	struct run r = {.g = g, .err = err, .errlen = errlen};
	struct kyc_gtensor *vals = NULL;
	int *order = NULL, *uses = NULL, *targets = NULL, n = 0, rc;
	if (nout < 1 || nout > g->count)
		return fail(err, errlen, KYC_ERR_INVALID, "%d outputs asked for", nout);
	memset(outs, 0, (size_t)nout * sizeof *outs);
	if ((rc = check_input(g, input, err, errlen)) != 0)
		return rc;
	vals = calloc((size_t)g->count, sizeof *vals);
	order = malloc((size_t)g->count * sizeof *order);
	uses = calloc((size_t)g->count, sizeof *uses);
	targets = malloc((size_t)nout * sizeof *targets);
	if (!vals || !order || !uses || !targets) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int t = 0; t < nout; t++)
		if ((targets[t] = find_node(g, outputs[t])) < 0) {
			rc = fail(err, errlen, KYC_ERR_NOTFOUND, "no node called %s", outputs[t]);
			goto out;
		}
	if ((rc = plan(g, targets, nout, order, &n, err, errlen)) != 0)
		goto out;
	for (int k = 0; k < n; k++)
		for (int j = 0; j < g->n[order[k]].nin; j++)
			uses[g->n[order[k]].in[j]]++;
	for (int t = 0; t < nout; t++)
		uses[targets[t]]++; /* the results outlive the run */
	for (int k = 0; k < n; k++) {
		int v = order[k];
		r.n = &g->n[v];
		if (is_borrowed(r.n)) {
			/* never freed here */
			vals[v] = r.n->op == G_CONST ? r.n->value : *input;
			continue;
		}
		struct kyc_gtensor *in[4];
		for (int j = 0; j < r.n->nin; j++)
			in[j] = &vals[r.n->in[j]];
		if ((rc = run_node(&r, in, &vals[v])) != 0)
			goto out;
		for (int j = 0; j < r.n->nin; j++) {
			int u = r.n->in[j];
			if (--uses[u] == 0 && !is_borrowed(&g->n[u]))
				kyc_gtensor_free(&vals[u]);
		}
	}
	for (int t = 0; t < nout; t++) {
		int v = targets[t], first = t;
		for (int e = 0; e < t; e++)
			if (targets[e] == v && first == t)
				first = e;
		if (first == t && !is_borrowed(&g->n[v])) {
			outs[t] = vals[v];
			memset(&vals[v], 0, sizeof vals[v]);
			continue;
		}
		/* a constant, the input, or an output asked for twice: a copy */
		const struct kyc_gtensor *src = first == t ? &vals[v] : &outs[first];
		r.n = &g->n[v];
		if ((rc = ralloc(&r, &outs[t], src->rank, src->shape)) != 0)
			goto out;
		memcpy(outs[t].d, src->d, src->count * sizeof(float));
	}
out:
	for (int i = 0; vals && i < g->count; i++)
		if (!is_borrowed(&g->n[i]))
			kyc_gtensor_free(&vals[i]);
	if (rc)
		for (int t = 0; t < nout; t++)
			kyc_gtensor_free(&outs[t]);
	free(vals);
	free(order);
	free(uses);
	free(targets);
	return rc;
}

int kyc_graph_run(const struct kyc_graph *g, const struct kyc_gtensor *input, const char *output,
                  struct kyc_gtensor *out, char *err, size_t errlen)
{
	return kyc_graph_run_many(g, input, &output, 1, out, err, errlen);
}
