/* TF.js graph models (graph.h): the model.json's nodes parsed and their
 * weights bound; the runner is graph.c. */
#include "tensor/graph.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/base64.h"
#include "core/err.h"
#include "core/isolate.h"
#include "tensor/weights.h"
#include "tensor/graph_model.h"

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

void kyc_graph_free(struct kyc_graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->count; i++) {
		free(g->n[i].name);
		free(g->n[i].in);
		if (g->consts && g->n[i].op == G_CONST)
			g->n[i].value.d = NULL; /* in g->consts */
		kyc_gtensor_free(&g->n[i].value);
	}
	free(g->n);
	kyc_isolate_private_free(g->consts, g->consts_len);
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

static int parse_root(json_t *root, const unsigned char *shards, size_t slen, int private,
                      struct kyc_graph *g, char *err, size_t errlen)
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
	if ((rc = kyc_weights_decode_in(&m, shards, slen, private, &w, err, errlen)) != 0)
		goto out;
	/* the block is the graph's from here: its Consts point into it */
	g->consts = w.block, g->consts_len = w.block_len;
	w.block = NULL;
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
	for (size_t i = 0; g->consts && i < w.count; i++)
		w.w[i].data = NULL; /* in g->consts */
	kyc_weights_release(&w);
	kyc_manifest_release(&m);
	return rc;
}

/* kyc_graph_parse; private: the Consts in one block kept out of forked
 * children (kyc_weights_decode_in), as the file loader wants. */
static int graph_parse(const char *json, size_t len, const unsigned char *shards, size_t slen,
                       int private, struct kyc_graph **out, char *err, size_t errlen)
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
	if ((rc = parse_root(root, shards, slen, private, g, err, errlen)) != 0)
		goto out;
	*out = g;
	g = NULL;
out:
	kyc_graph_free(g);
	json_decref(root);
	return rc;
}

int kyc_graph_parse(const char *json, size_t len, const unsigned char *shards, size_t slen,
                    struct kyc_graph **out, char *err, size_t errlen)
{
	return graph_parse(json, len, shards, slen, 0, out, err, errlen);
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
		rc = graph_parse((const char *)json, jlen, shards, slen, 1, out, err, errlen);
out:
	kyc_manifest_release(&m);
	json_decref(root);
	free(shards);
	free(json);
	return rc;
}
