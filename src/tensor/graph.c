/* TF.js graph models (graph.h). */
#include "tensor/graph.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <jansson.h>

#include "core/base64.h"
#include "core/err.h"
#include "tensor/tensor.h"
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

/* Data inputs each op takes; -1: the fused ops, 2 + num_args. */
static const struct {
	const char *name;
	enum gop op;
	int nin;
} OPS[] = {
    {"Const", G_CONST, 0},
    {"Placeholder", G_PLACEHOLDER, 0},
    {"Identity", G_IDENTITY, 1},
    {"Conv2D", G_CONV, 2},
    {"_FusedConv2D", G_CONV, -1},
    {"DepthwiseConv2dNative", G_DWCONV, 2},
    {"FusedDepthwiseConv2dNative", G_DWCONV, -1},
    {"MatMul", G_MATMUL, 2},
    {"_FusedMatMul", G_MATMUL, -1},
    {"Add", G_ADD, 2},
    {"AddV2", G_ADD, 2},
    {"BiasAdd", G_ADD, 2},
    {"Sub", G_SUB, 2},
    {"Mul", G_MUL, 2},
    {"Minimum", G_MIN, 2},
    {"Maximum", G_MAX, 2},
    {"Relu", G_RELU, 1},
    {"Relu6", G_RELU6, 1},
    {"Abs", G_ABS, 1},
    {"Square", G_SQUARE, 1},
    {"Rsqrt", G_RSQRT, 1},
    {"Sigmoid", G_SIGMOID, 1},
    {"Softmax", G_SOFTMAX, 1},
    {"Mean", G_MEAN, 2},
    {"Sum", G_SUM, 2},
    {"Reshape", G_RESHAPE, 2},
    {"Squeeze", G_SQUEEZE, 1},
    {"Pad", G_PAD, 2},
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
};

#define fail kyc_weights_fail

static int alloc_capped(struct kyc_gtensor *t, int rank, const int *shape, size_t max, int zero)
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
	return alloc_capped(t, rank, shape, DEFAULT_MAX_ELEMS, 1);
}

void kyc_gtensor_free(struct kyc_gtensor *t)
{
	if (!t)
		return;
	free(t->d);
	memset(t, 0, sizeof *t);
}

void kyc_graph_free(struct kyc_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->count; i++) {
		free(g->n[i].name);
		free(g->n[i].in);
		kyc_gtensor_free(&g->n[i].value);
	}
	free(g->n);
	free(g);
}

const char *kyc_graph_input_name(const struct kyc_graph *g)
{
	return g->n[g->input].name;
}

int kyc_graph_input_shape(const struct kyc_graph *g, int shape[KYC_GRAPH_MAX_RANK])
{
	const struct gnode *p = &g->n[g->input];
	memcpy(shape, p->placeholder_shape, sizeof p->placeholder_shape);
	return p->placeholder_rank;
}

void kyc_graph_set_max_elems(struct kyc_graph *g, size_t max)
{
	g->max_elems = max;
}

/* ---- parsing ---- */

/* An integer that the converter writes either as a JSON number or as a
 * decimal string (protobuf's JSON form of int64). */
static int json_int(json_t *v, long lo, long hi, long *out)
{
	if (json_is_integer(v)) {
		*out = (long)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		*out = strtol(s, &end, 10);
		if (errno || end == s || *end)
			return -1;
	} else {
		return -1;
	}
	return *out < lo || *out > hi ? -1 : 0;
}

static json_t *attr(json_t *node, const char *name, const char *kind)
{
	return json_object_get(json_object_get(json_object_get(node, "attr"), name), kind);
}

/* An attribute's list of integers ("list": {"i": [...]}); n gets its length
 * (0 when absent). */
static int attr_ints(json_t *node, const char *name, long *v, int max, int *n)
{
	json_t *l = json_object_get(attr(node, name, "list"), "i");
	*n = 0;
	if (!l)
		return 0;
	if (!json_is_array(l) || json_array_size(l) > (size_t)max)
		return -1;
	for (size_t i = 0; i < json_array_size(l); i++)
		if (json_int(json_array_get(l, i), -1, 1L << 20, &v[i]))
			return -1;
	*n = (int)json_array_size(l);
	return 0;
}

/* A string attribute ("s", base64 in the JSON) into buf; "" when absent. */
static int attr_str(json_t *v, char *buf, size_t len)
{
	size_t got = 0;
	buf[0] = 0;
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) > 4 * (len - 1) / 3)
		return -1;
	if (kyc_base64_decode(json_string_value(v), json_string_length(v), KYC_B64_STD,
	                      (unsigned char *)buf, len - 1, &got))
		return -1;
	buf[got] = 0;
	return strlen(buf) == got ? 0 : -1;
}

static int parse_conv_attrs(json_t *jn, struct gnode *n, char *err, size_t errlen)
{
	long v[8];
	int c;
	char s[32];
	if (attr_ints(jn, "strides", v, 4, &c) || c != 4 || v[0] != 1 || v[3] != 1 ||
	    v[1] != v[2] || v[1] < 1 || v[1] > MAX_STRIDE)
		return fail(err, errlen, KYC_ERR_UNSUPPORTED,
		            "node %s (%s): strides must be [1, s, s, 1]", n->name, n->opname);
	n->stride = (int)v[1];
	if (attr_ints(jn, "dilations", v, 4, &c))
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad dilations", n->name);
	for (int i = 0; i < c; i++)
		if (v[i] != 1)
			return fail(err, errlen, KYC_ERR_UNSUPPORTED,
			            "node %s (%s): dilations other than 1", n->name, n->opname);
	if (attr_str(attr(jn, "data_format", "s"), s, sizeof s) || (s[0] && strcmp(s, "NHWC")))
		return fail(err, errlen, KYC_ERR_UNSUPPORTED,
		            "node %s (%s): data_format must be NHWC", n->name, n->opname);
	if (attr_str(attr(jn, "padding", "s"), s, sizeof s))
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad padding", n->name);
	if (!strcmp(s, "SAME")) {
		n->pad = GP_SAME;
	} else if (!strcmp(s, "VALID")) {
		n->pad = GP_VALID;
	} else if (!strcmp(s, "EXPLICIT")) {
		n->pad = GP_EXPLICIT;
		if (attr_ints(jn, "explicit_paddings", v, 8, &c) || c != 8 || v[0] || v[1] ||
		    v[6] || v[7])
			return fail(err, errlen, KYC_ERR_INVALID,
			            "node %s: explicit_paddings must be 8 values, batch and "
			            "channels 0",
			            n->name);
		for (int i = 0; i < 4; i++) {
			if (v[2 + i] < 0 || v[2 + i] > MAX_PAD)
				return fail(err, errlen, KYC_ERR_INVALID,
				            "node %s: explicit padding out of range", n->name);
			n->expl[i] = (int)v[2 + i];
		}
	} else {
		return fail(err, errlen, KYC_ERR_UNSUPPORTED, "node %s (%s): padding '%s'", n->name,
		            n->opname, s);
	}
	return 0;
}

/* fused_ops: optionally BiasAdd, then optionally one activation; num_args
 * must count the extra inputs that takes. Sets *nin. */
static int parse_fused(json_t *jn, struct gnode *n, int *nin, char *err, size_t errlen)
{
	json_t *l = json_object_get(attr(jn, "fused_ops", "list"), "s");
	long nargs = 0;
	json_t *ja = attr(jn, "num_args", "i");
	if (ja && json_int(ja, 0, 2, &nargs))
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad num_args", n->name);
	if (l && (!json_is_array(l) || json_array_size(l) > 2))
		return fail(err, errlen, KYC_ERR_UNSUPPORTED, "node %s (%s): fused_ops", n->name,
		            n->opname);
	for (size_t i = 0; l && i < json_array_size(l); i++) {
		char s[32];
		if (attr_str(json_array_get(l, i), s, sizeof s))
			return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad fused_ops",
			            n->name);
		if (i == 0 && !strcmp(s, "BiasAdd"))
			n->bias = 1;
		else if (n->act == ACT_NONE && n->bias && !strcmp(s, "Relu"))
			n->act = ACT_RELU;
		else if (n->act == ACT_NONE && n->bias && !strcmp(s, "Relu6"))
			n->act = ACT_RELU6;
		else if (n->act == ACT_NONE && n->bias && !strcmp(s, "Prelu"))
			n->act = ACT_PRELU;
		else
			return fail(err, errlen, KYC_ERR_UNSUPPORTED,
			            "node %s (%s): fused op '%s' is not supported", n->name,
			            n->opname, s);
	}
	if (nargs != n->bias + (n->act == ACT_PRELU))
		return fail(err, errlen, KYC_ERR_INVALID,
		            "node %s: num_args %ld does not fit fused_ops", n->name, nargs);
	*nin = 2 + (int)nargs;
	return 0;
}

static int parse_placeholder(json_t *jn, struct gnode *n, char *err, size_t errlen)
{
	json_t *dims = json_object_get(attr(jn, "shape", "shape"), "dim");
	if (!json_is_array(dims) || json_array_size(dims) > KYC_GRAPH_MAX_RANK)
		return fail(err, errlen, KYC_ERR_UNSUPPORTED,
		            "node %s: the placeholder needs a shape of rank 4 at most", n->name);
	n->placeholder_rank = (int)json_array_size(dims);
	for (int i = 0; i < n->placeholder_rank; i++) {
		long v;
		if (json_int(json_object_get(json_array_get(dims, (size_t)i), "size"), -1, 1L << 20,
		             &v) ||
		    v == 0)
			return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad shape", n->name);
		n->placeholder_shape[i] = (int)v;
	}
	return 0;
}

/* The node an input string names: "name", "name:0"; *control for "^name".
 * Other output indices are refused (every op here has one output). */
static int resolve_input(const struct kyc_graph *g, const char *s, int *control, char *err,
                         size_t errlen, const char *who)
{
	char buf[KYC_WEIGHTS_MAX_NAME + 8];
	*control = s[0] == '^';
	if (*control)
		s++;
	if (strlen(s) >= sizeof buf)
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: input name too long", who);
	snprintf(buf, sizeof buf, "%s", s);
	char *colon = strrchr(buf, ':');
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		if (strcmp(colon + 1, "0") != 0)
			return fail(err, errlen, KYC_ERR_UNSUPPORTED,
			            "node %s: input %s: only output 0 of a node is supported", who,
			            s);
		*colon = 0;
	}
	for (int i = 0; i < g->count; i++)
		if (!strcmp(g->n[i].name, buf))
			return i;
	return fail(err, errlen, KYC_ERR_INVALID, "node %s: input %s is not a node", who, s);
}

/* Every node's name and op; a second pass resolves inputs and attributes. */
static int parse_node(struct kyc_graph *g, json_t *jn, struct gnode *n, struct kyc_weights *w,
                      char *err, size_t errlen)
{
	const char *op = json_string_value(json_object_get(jn, "op"));
	json_t *inputs = json_object_get(jn, "input");
	int nin = -2, rc;
	for (size_t i = 0; op && i < sizeof OPS / sizeof OPS[0]; i++)
		if (!strcmp(op, OPS[i].name)) {
			n->op = OPS[i].op;
			n->opname = OPS[i].name;
			nin = OPS[i].nin;
		}
	if (!op)
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: no op", n->name);
	if (nin == -2)
		return fail(err, errlen, KYC_ERR_UNSUPPORTED,
		            "node %s: op '%.64s' is not supported", n->name, op);
	if (inputs && !json_is_array(inputs))
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: input is not a list", n->name);
	json_t *t = attr(jn, "T", "type");
	if (t && (!json_is_string(t) || strcmp(json_string_value(t), "DT_FLOAT")))
		return fail(err, errlen, KYC_ERR_UNSUPPORTED, "node %s (%s): T must be DT_FLOAT",
		            n->name, n->opname);
	switch (n->op) {
	case G_CONV:
	case G_DWCONV:
		if ((rc = parse_conv_attrs(jn, n, err, errlen)) != 0)
			return rc;
		if (nin == -1 && (rc = parse_fused(jn, n, &nin, err, errlen)) != 0)
			return rc;
		break;
	case G_MATMUL: {
		json_t *ta = attr(jn, "transpose_a", "b"), *tb = attr(jn, "transpose_b", "b");
		n->ta = json_is_true(ta);
		n->tb = json_is_true(tb);
		if (nin == -1 && (rc = parse_fused(jn, n, &nin, err, errlen)) != 0)
			return rc;
		break;
	}
	case G_ADD:
		if (!strcmp(n->opname, "BiasAdd")) {
			char s[32];
			if (attr_str(attr(jn, "data_format", "s"), s, sizeof s) ||
			    (s[0] && strcmp(s, "NHWC")))
				return fail(err, errlen, KYC_ERR_UNSUPPORTED,
				            "node %s (BiasAdd): data_format must be NHWC", n->name);
		}
		break;
	case G_MEAN:
	case G_SUM:
		n->keep_dims = json_is_true(attr(jn, "keep_dims", "b"));
		break;
	case G_SQUEEZE: {
		long v[KYC_GRAPH_MAX_RANK];
		int c;
		if (attr_ints(jn, "squeeze_dims", v, KYC_GRAPH_MAX_RANK, &c))
			return fail(err, errlen, KYC_ERR_INVALID, "node %s: bad squeeze_dims",
			            n->name);
		for (int i = 0; i < c; i++) {
			if (v[i] < -KYC_GRAPH_MAX_RANK || v[i] >= KYC_GRAPH_MAX_RANK)
				return fail(err, errlen, KYC_ERR_INVALID,
				            "node %s: bad squeeze_dims", n->name);
			n->squeeze[v[i] < 0 ? v[i] + KYC_GRAPH_MAX_RANK : v[i]] = v[i] < 0 ? -1 : 1;
		}
		break;
	}
	case G_PLACEHOLDER:
		if ((rc = parse_placeholder(jn, n, err, errlen)) != 0)
			return rc;
		break;
	case G_CONST: {
		struct kyc_weight *wt = (struct kyc_weight *)kyc_weights_find(w, n->name);
		if (!wt || !wt->data)
			return fail(err, errlen, KYC_ERR_INVALID,
			            "node %s: a Const with no weight in the manifest", n->name);
		if (wt->rank > KYC_GRAPH_MAX_RANK)
			return fail(err, errlen, KYC_ERR_UNSUPPORTED, "node %s: rank over 4",
			            n->name);
		n->value.rank = wt->rank;
		memcpy(n->value.shape, wt->shape, sizeof n->value.shape);
		n->value.count = wt->count;
		n->value.d = wt->data; /* taken: the weights are released after parsing */
		wt->data = NULL;
		break;
	}
	default:
		break;
	}
	/* Data inputs first, then control dependencies (TF's rule). */
	size_t ni = inputs ? json_array_size(inputs) : 0;
	if (ni > 16)
		return fail(err, errlen, KYC_ERR_INVALID, "node %s: too many inputs", n->name);
	n->in = calloc(ni ? ni : 1, sizeof *n->in);
	if (!n->in)
		return KYC_ERR_NOMEM;
	for (size_t i = 0; i < ni; i++) {
		json_t *v = json_array_get(inputs, i);
		int control;
		if (!json_is_string(v))
			return fail(err, errlen, KYC_ERR_INVALID, "node %s: input is not a string",
			            n->name);
		int k = resolve_input(g, json_string_value(v), &control, err, errlen, n->name);
		if (k < 0)
			return k;
		if (control)
			continue;
		if (n->nin != (int)i)
			return fail(err, errlen, KYC_ERR_INVALID,
			            "node %s: a data input after a control input", n->name);
		n->in[n->nin++] = k;
	}
	if (n->nin != nin)
		return fail(err, errlen, KYC_ERR_INVALID, "node %s (%s): %d inputs, want %d",
		            n->name, n->opname, n->nin, nin);
	return 0;
}

static int parse_root(json_t *root, const unsigned char *shards, size_t slen, struct kyc_graph *g,
                      char *err, size_t errlen)
{
	json_t *nodes = json_object_get(json_object_get(root, "modelTopology"), "node");
	json_t *man = json_object_get(root, "weightsManifest");
	struct kyc_manifest m = {0};
	struct kyc_weights w = {0};
	char *mtext = NULL;
	int rc;
	if (!json_is_array(nodes) || json_array_size(nodes) == 0 ||
	    json_array_size(nodes) > KYC_GRAPH_MAX_NODES)
		return fail(err, errlen, KYC_ERR_INVALID,
		            "modelTopology.node: not a list of 1 to %d nodes", KYC_GRAPH_MAX_NODES);
	if (!(mtext = json_dumps(man, JSON_COMPACT)))
		return fail(err, errlen, KYC_ERR_INVALID, "weightsManifest: missing");
	rc = kyc_manifest_parse(mtext, strlen(mtext), &m, err, errlen);
	free(mtext);
	if (rc)
		return rc;
	if ((rc = kyc_weights_decode(&m, shards, slen, &w, err, errlen)) != 0)
		goto out;
	g->count = (int)json_array_size(nodes);
	if (!(g->n = calloc((size_t)g->count, sizeof *g->n))) {
		g->count = 0;
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < g->count; i++) {
		json_t *name = json_object_get(json_array_get(nodes, (size_t)i), "name");
		if (!json_is_string(name) || json_string_length(name) == 0 ||
		    json_string_length(name) > KYC_WEIGHTS_MAX_NAME) {
			rc = fail(err, errlen, KYC_ERR_INVALID, "node[%d]: bad name", i);
			goto out;
		}
		if (!(g->n[i].name = strdup(json_string_value(name)))) {
			rc = KYC_ERR_NOMEM;
			goto out;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(g->n[j].name, g->n[i].name)) {
				rc = fail(err, errlen, KYC_ERR_INVALID, "node %s: named twice",
				          g->n[i].name);
				goto out;
			}
	}
	g->input = -1;
	for (int i = 0; i < g->count; i++) {
		if ((rc = parse_node(g, json_array_get(nodes, (size_t)i), &g->n[i], &w, err,
		                     errlen)) != 0)
			goto out;
		if (g->n[i].op == G_PLACEHOLDER) {
			if (g->input >= 0) {
				rc = fail(err, errlen, KYC_ERR_UNSUPPORTED,
				          "node %s: a second placeholder", g->n[i].name);
				goto out;
			}
			g->input = i;
		}
	}
	if (g->input < 0)
		rc = fail(err, errlen, KYC_ERR_INVALID, "no Placeholder node");
out:
	kyc_weights_release(&w);
	kyc_manifest_release(&m);
	return rc;
}

int kyc_graph_parse(const char *json, size_t len, const unsigned char *shards, size_t slen,
                    struct kyc_graph **out, char *err, size_t errlen)
{
	*out = NULL;
	if (len > (size_t)KYC_GRAPH_MAX_JSON)
		return fail(err, errlen, KYC_ERR_TOOBIG, "model.json: over %ld bytes",
		            KYC_GRAPH_MAX_JSON);
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, errlen, KYC_ERR_INVALID, "model.json: not JSON (line %d: %s)",
		            jerr.line, jerr.text);
	struct kyc_graph *g = calloc(1, sizeof *g);
	int rc = KYC_ERR_NOMEM;
	if (!g)
		goto out;
	g->max_elems = DEFAULT_MAX_ELEMS;
	if ((rc = parse_root(root, shards, slen, g, err, errlen)) != 0)
		goto out;
	*out = g;
	g = NULL;
out:
	kyc_graph_free(g);
	json_decref(root);
	return rc;
}

int kyc_graph_load(const char *path, struct kyc_graph **out, char *err, size_t errlen)
{
	unsigned char *json = NULL, *shards = NULL;
	size_t jlen = 0, slen = 0;
	struct kyc_manifest m = {0};
	json_t *root = NULL;
	char dir[4096];
	int rc;
	*out = NULL;
	if ((rc = kyc_weights_read_file(path, (size_t)KYC_GRAPH_MAX_JSON, &json, &jlen)) != 0)
		return fail(err, errlen, rc, "%s: cannot read (%s)", path, kyc_err_name(rc));
	/* The shard names come from the manifest: read them beside the JSON. */
	const char *slash = strrchr(path, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	json_error_t jerr;
	root = json_loadb((const char *)json, jlen, JSON_REJECT_DUPLICATES, &jerr);
	char *mtext =
	    root ? json_dumps(json_object_get(root, "weightsManifest"), JSON_COMPACT) : NULL;
	if (!mtext) {
		rc = fail(err, errlen, KYC_ERR_INVALID, "%s: no weightsManifest", path);
		goto out;
	}
	rc = kyc_manifest_parse(mtext, strlen(mtext), &m, err, errlen);
	free(mtext);
	if (rc == 0 && (rc = kyc_weights_read_shards(dir, &m, &shards, &slen, err, errlen)) == 0)
		rc = kyc_graph_parse((const char *)json, jlen, shards, slen, out, err, errlen);
out:
	kyc_manifest_release(&m);
	json_decref(root);
	free(shards);
	free(json);
	return rc;
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
	int rc = alloc_capped(t, rank, shape, r->g->max_elems, zero);
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
