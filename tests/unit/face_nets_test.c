/* The face networks against the reference JavaScript implementation: the
 * vectors in tests/data/face/ref.json were produced by @vladmandic/face-api's
 * own networks on the TF.js CPU backend (tools/face-ref/make-vectors.mjs) from
 * the PNG inputs beside them, cut from the package's real photos. Each output
 * must agree within 1e-4. Also the TF.js weights loader on real and hostile
 * manifests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "document/image.h"
#include "face/face.h"
#include "face/nets.h"
#include "tensor/tensor.h"
#include "tensor/weights.h"
#include "test.h"

#define DATA "tests/data/face/"
#define TOL 1e-4

static struct kyc_face_nets *nets;
static json_t *ref;

static int load_rgb(const char *file, struct kyc_tensor *t)
{
	char path[512];
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	snprintf(path, sizeof path, DATA "%s", file);
	if (kyc_image_load(path, &o, &im, NULL))
		return -1;
	if (kyc_tensor_alloc(t, im.h, im.w, 3)) {
		kyc_image_free(&im);
		return -1;
	}
	for (size_t i = 0; i < (size_t)im.w * im.h * 3; i++)
		t->d[i] = im.rgb[i];
	kyc_image_free(&im);
	return 0;
}

/* Largest |got - want| over an array in the reference. */
static double max_diff(const float *got, json_t *want, size_t n)
{
	double m = json_array_size(want) == n ? 0 : INFINITY;
	for (size_t i = 0; i < n && i < json_array_size(want); i++) {
		double d = fabs(got[i] - json_number_value(json_array_get(want, i)));
		if (d > m)
			m = d;
	}
	return m;
}

TEST(detector_matches_reference)
{
	size_t i;
	json_t *d;
	REQUIRE(json_array_size(json_object_get(ref, "detector")) > 0);
	json_array_foreach(json_object_get(ref, "detector"), i, d)
	{
		struct kyc_tensor in, out;
		REQUIRE(load_rgb(json_string_value(json_object_get(d, "input")), &in) == 0);
		CHECK_INT(kyc_face_net_detector(nets, &in, &out), 0);
		CHECK_INT(out.h * out.w * out.c, json_array_size(json_object_get(d, "raw")));
		double m =
		    max_diff(out.d, json_object_get(d, "raw"), (size_t)out.h * out.w * out.c);
		if (m > TOL)
			fprintf(stderr, "detector %zu: max diff %g\n", i, m);
		CHECK(m <= TOL);
		kyc_tensor_free(&in);
		kyc_tensor_free(&out);
	}
}

TEST(landmarks_embedding_age_gender_match_reference)
{
	size_t i;
	json_t *f;
	REQUIRE(json_array_size(json_object_get(ref, "faces")) > 0);
	json_array_foreach(json_object_get(ref, "faces"), i, f)
	{
		struct kyc_tensor in112, in150;
		float lm[136], emb[KYC_FACE_EMBED_DIM], age, gender[2];
		REQUIRE(load_rgb(json_string_value(json_object_get(f, "input112")), &in112) == 0);
		REQUIRE(load_rgb(json_string_value(json_object_get(f, "input150")), &in150) == 0);
		CHECK_INT(kyc_face_net_landmarks(nets, &in112, lm), 0);
		CHECK_INT(kyc_face_net_embedding(nets, &in150, emb), 0);
		CHECK_INT(kyc_face_net_age_gender(nets, &in112, &age, gender), 0);
		double ml = max_diff(lm, json_object_get(f, "landmarks"), 136);
		double me = max_diff(emb, json_object_get(f, "embedding"), KYC_FACE_EMBED_DIM);
		double mg = max_diff(gender, json_object_get(f, "gender"), 2);
		double ma = fabs(age - json_number_value(json_object_get(f, "age")));
		if (ml > TOL || me > TOL || mg > TOL || ma > TOL)
			fprintf(stderr, "face %zu: landmarks %g embedding %g gender %g age %g\n", i,
			        ml, me, mg, ma);
		CHECK(ml <= TOL);
		CHECK(me <= TOL);
		CHECK(mg <= TOL);
		CHECK(ma <= TOL);
		kyc_tensor_free(&in112);
		kyc_tensor_free(&in150);
	}
}

TEST(wrong_input_sizes_are_refused)
{
	struct kyc_tensor t, out;
	float v[136], age, g[2];
	REQUIRE(kyc_tensor_alloc(&t, 100, 100, 3) == 0);
	CHECK_INT(kyc_face_net_detector(nets, &t, &out), KYC_ERR_INVALID);
	CHECK_INT(kyc_face_net_landmarks(nets, &t, v), KYC_ERR_INVALID);
	CHECK_INT(kyc_face_net_embedding(nets, &t, v), KYC_ERR_INVALID);
	CHECK_INT(kyc_face_net_age_gender(nets, &t, &age, g), KYC_ERR_INVALID);
	kyc_tensor_free(&t);
}

/* The engine loads no recognition network (FaceRes describes its faces):
 * asked for one anyway, the nets refuse rather than read missing weights. */
TEST(the_recognition_net_is_loaded_only_on_request)
{
	char dir[1024], err[256];
	struct kyc_face_nets *lean = NULL;
	struct kyc_tensor t;
	float v[KYC_FACE_EMBED_DIM];
	REQUIRE(kyc_face_models_dir(dir, sizeof dir) == 0);
	REQUIRE(kyc_face_nets_load(dir, 0, &lean, err, sizeof err) == 0);
	REQUIRE(kyc_tensor_alloc(&t, KYC_FACE_EMBED_SIDE, KYC_FACE_EMBED_SIDE, 3) == 0);
	for (size_t i = 0; i < (size_t)t.h * t.w * t.c; i++)
		t.d[i] = (float)(i % 251);
	CHECK_INT(kyc_face_net_embedding(lean, &t, v), KYC_ERR_INVALID);
	CHECK_INT(kyc_face_net_embedding(nets, &t, v), 0);
	kyc_tensor_free(&t);
	kyc_face_nets_free(lean);
}

TEST(manifest_quantisation_and_float16)
{
	const char *m = "[{\"paths\":[\"a.bin\"],\"weights\":["
	                "{\"name\":\"q\",\"shape\":[2,2],\"dtype\":\"float32\","
	                "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.5,\"min\":-1}},"
	                "{\"name\":\"h\",\"shape\":[3],\"dtype\":\"float32\",\"quantization\":{"
	                "\"dtype\":\"float16\"}},"
	                "{\"name\":\"f\",\"shape\":[1],\"dtype\":\"float32\"},"
	                "{\"name\":\"i\",\"shape\":[1],\"dtype\":\"int32\"}]}]";
	struct kyc_manifest man;
	struct kyc_weights w;
	char err[160];
	REQUIRE(kyc_manifest_parse(m, strlen(m), &man, err, sizeof err) == 0);
	CHECK_INT(man.total_bytes, 4 + 6 + 4 + 4);
	unsigned char bytes[18] = {0,    1,    2,    255,  0x00,
	                           0x3c, 0x00, 0xc0, 0x00, 0x35, /* 1.0, -2.0, 0.3125 */
	                           0,    0,    0xc0, 0x3f,       /* 1.5f */
	                           0xfe, 0xff, 0xff, 0xff};      /* -2 */
	REQUIRE(kyc_weights_decode(&man, bytes, sizeof bytes, &w, err, sizeof err) == 0);
	struct kyc_weights w2;
	const struct kyc_weight *q = kyc_weights_get(&w, "q", 2, 4),
	                        *h = kyc_weights_get(&w, "h", 1, 3);
	REQUIRE(q && h);
	CHECK(q->data[0] == -1.0f && q->data[1] == -0.5f && q->data[3] == 126.5f);
	CHECK(h->data[0] == 1.0f && h->data[1] == -2.0f && h->data[2] == 0.3125f);
	CHECK(kyc_weights_find(&w, "f")->data[0] == 1.5f);
	CHECK(kyc_weights_find(&w, "i")->data[0] == -2.0f);
	CHECK(kyc_weights_get(&w, "q", 2, 5) == NULL);
	CHECK_INT(kyc_weights_decode(&man, bytes, sizeof bytes - 1, &w2, err, sizeof err),
	          KYC_ERR_INVALID);
	/* the same values in one block kept out of forked children */
	struct kyc_weights p;
	REQUIRE(kyc_weights_decode_in(&man, bytes, sizeof bytes, 1, &p, err, sizeof err) == 0);
	CHECK(p.block && p.block_len == (4 + 3 + 1 + 1) * sizeof(float));
	CHECK_INT(p.count, w.count);
	for (size_t i = 0; i < p.count; i++) {
		CHECK(p.w[i].data >= p.block && p.w[i].data + p.w[i].count <= p.block + 9);
		CHECK(!memcmp(p.w[i].data, w.w[i].data, w.w[i].count * sizeof(float)));
	}
	kyc_weights_release(&p);
	CHECK(p.block == NULL && p.count == 0);
	kyc_weights_release(&w);
	kyc_manifest_release(&man);
	CHECK(kyc_half_to_float(0x7c00) == INFINITY);
	CHECK(kyc_half_to_float(0x0001) == ldexpf(1.0f, -24));
}

TEST(hostile_manifests_are_refused)
{
	static const char *const bad[] = {
	    "",
	    "{}",
	    "[]",
	    "[{\"paths\":[\"../"
	    "x.bin\"],\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\"}]}]",
	    "[{\"paths\":[\"/etc/"
	    "passwd\"],\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\"}]}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[0],\"dtype\":\"float32\"}]"
	    "}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[-1],\"dtype\":\"float32\"}"
	    "]}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[65536,65536],\"dtype\":"
	    "\"float32\"}]}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[1,1,1,1,1],\"dtype\":"
	    "\"float32\"}]}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"string\"}]}"
	    "]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"float32\","
	    "\"quantization\":{\"dtype\":\"uint8\"}}]}]",
	    "[{\"paths\":[\"a\"],\"weights\":[{\"name\":\"a\",\"shape\":[1],\"dtype\":\"int32\","
	    "\"quantization\":{\"dtype\":\"float16\"}}]}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kyc_manifest man;
		char err[160] = "";
		int rc = kyc_manifest_parse(bad[i], strlen(bad[i]), &man, err, sizeof err);
		if (rc == 0)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(rc == KYC_ERR_INVALID || rc == KYC_ERR_TOOBIG);
		CHECK(err[0] != 0);
	}
}

int main(void)
{
	char dir[1024], err[256];
	json_error_t jerr;
	ref = json_load_file(DATA "ref.json", 0, &jerr);
	if (!ref || kyc_face_models_dir(dir, sizeof dir) != 0 ||
	    kyc_face_nets_load(dir, KYC_FACE_NETS_RECOGNITION, &nets, err, sizeof err) != 0) {
		fprintf(
		    stderr,
		    "face_nets: no reference vectors or no models (%s): run scripts/fetch-models\n",
		    ref ? err : jerr.text);
		test_fail(__FILE__, __LINE__, "setup");
		return test_done("face_nets");
	}
	RUN(manifest_quantisation_and_float16);
	RUN(hostile_manifests_are_refused);
	RUN(wrong_input_sizes_are_refused);
	RUN(the_recognition_net_is_loaded_only_on_request);
	RUN(detector_matches_reference);
	RUN(landmarks_embedding_age_gender_match_reference);
	kyc_face_nets_free(nets);
	json_decref(ref);
	return test_done("face_nets");
}
