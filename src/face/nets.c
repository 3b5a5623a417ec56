/* The face-api networks on the tensor engine (nets.h). Each function follows
 * the package's TypeScript layer by layer (src/tinyYolov2, faceFeatureExtractor,
 * faceRecognitionNet, xception in @vladmandic/face-api 1.7.15), including the
 * order of additions, so that the outputs agree to float rounding. */
#include "face/nets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "tensor/weights.h"

struct kyc_face_nets {
	struct kyc_weights detector, landmarks, recognition, age_gender;
};

static const float MEAN_DETECTOR[3] = {117.001f, 114.697f, 97.404f};
static const float MEAN_FACE[3] = {122.782f, 117.001f, 104.298f};

void kyc_face_nets_free(struct kyc_face_nets *n)
{
	if (!n)
		return;
	kyc_weights_release(&n->detector);
	kyc_weights_release(&n->landmarks);
	kyc_weights_release(&n->recognition);
	kyc_weights_release(&n->age_gender);
	free(n);
}

int kyc_face_nets_load(const char *dir, int flags, struct kyc_face_nets **out, char *err,
                       size_t errlen)
{
	*out = NULL;
	struct kyc_face_nets *n = calloc(1, sizeof *n);
	if (!n)
		return KYC_ERR_NOMEM;
	int rc;
	if ((rc = kyc_weights_load(dir, "tiny_face_detector_model-weights_manifest.json",
	                           &n->detector, err, errlen)) ||
	    (rc = kyc_weights_load(dir, "face_landmark_68_model-weights_manifest.json",
	                           &n->landmarks, err, errlen)) ||
	    ((flags & KYC_FACE_NETS_RECOGNITION) &&
	     (rc = kyc_weights_load(dir, "face_recognition_model-weights_manifest.json",
	                            &n->recognition, err, errlen))) ||
	    (rc = kyc_weights_load(dir, "age_gender_model-weights_manifest.json", &n->age_gender,
	                           err, errlen))) {
		kyc_face_nets_free(n);
		return rc;
	}
	kyc_tensor_init();
	*out = n;
	return 0;
}

/* (rgb - mean) / 255, as normalize(...).div(255) computes it in float32. */
static int normalize(const struct kyc_tensor *rgb, const float mean[3], struct kyc_tensor *out)
{
	if (rgb->c != 3)
		return KYC_ERR_INVALID;
	int rc = kyc_tensor_alloc(out, rgb->h, rgb->w, 3);
	if (rc)
		return rc;
	size_t px = (size_t)rgb->h * rgb->w;
	for (size_t p = 0; p < px; p++)
		for (int c = 0; c < 3; c++)
			out->d[p * 3 + c] = (rgb->d[p * 3 + c] - mean[c]) / 255.0f;
	return 0;
}

static const float *weight(const struct kyc_weights *w, const char *prefix, const char *leaf,
                           size_t count)
{
	char name[KYC_WEIGHTS_MAX_NAME + 64];
	snprintf(name, sizeof name, "%s/%s", prefix, leaf);
	const struct kyc_weight *e = kyc_weights_get(w, name, -1, count);
	return e ? e->data : NULL;
}

/* The output channels a layer has, from the length of its bias. */
static int bias_channels(const struct kyc_weights *w, const char *prefix, const char *leaf)
{
	char name[KYC_WEIGHTS_MAX_NAME + 64];
	snprintf(name, sizeof name, "%s/%s", prefix, leaf);
	const struct kyc_weight *e = kyc_weights_find(w, name);
	return e && e->rank == 1 ? e->shape[0] : -1;
}

/* conv2d + bias (common/convLayer, xception's conv). */
static int conv_bias(const struct kyc_weights *w, const char *prefix, const struct kyc_tensor *x,
                     int k, int stride, enum kyc_pad pad, struct kyc_tensor *out)
{
	int cout = bias_channels(w, prefix, "bias");
	if (cout < 1)
		return KYC_ERR_INVALID;
	const float *f = weight(w, prefix, "filters", (size_t)k * k * x->c * cout);
	const float *b = weight(w, prefix, "bias", (size_t)cout);
	if (!f || !b)
		return KYC_ERR_INVALID;
	return kyc_conv2d(x, f, k, k, cout, b, stride, pad, out);
}

/* separableConv2d + bias (common/depthwiseSeparableConv). */
static int sep_conv(const struct kyc_weights *w, const char *prefix, const struct kyc_tensor *x,
                    int stride, enum kyc_pad pad, struct kyc_tensor *out)
{
	int cout = bias_channels(w, prefix, "bias");
	if (cout < 1)
		return KYC_ERR_INVALID;
	const float *dw = weight(w, prefix, "depthwise_filter", (size_t)9 * x->c);
	const float *pw = weight(w, prefix, "pointwise_filter", (size_t)x->c * cout);
	const float *b = weight(w, prefix, "bias", (size_t)cout);
	if (!dw || !pw || !b)
		return KYC_ERR_INVALID;
	return kyc_separable_conv2d(x, dw, 3, pw, cout, b, stride, pad, out);
}

/* ---- tiny face detector (tinyYolov2/TinyYolov2Base.runMobilenet) ---- */

static const float LEAKY_ALPHA = 0.1f; /* 0.10000000149011612 in the package */

int kyc_face_net_detector(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                          struct kyc_tensor *out)
{
	const struct kyc_weights *w = &n->detector;
	struct kyc_tensor x = {0}, t = {0}, p = {0};
	int rc;
	memset(out, 0, sizeof *out);
	if (rgb->h != rgb->w || rgb->h % 32 != 0 || rgb->h < 64)
		return KYC_ERR_INVALID;
	if ((rc = normalize(rgb, MEAN_DETECTOR, &x)))
		goto out;
	if ((rc = conv_bias(w, "conv0", &x, 3, 1, KYC_PAD_VALID, &t)))
		goto out;
	kyc_tensor_free(&x);
	kyc_leaky_inplace(&t, LEAKY_ALPHA);
	for (int i = 1; i <= 5; i++) {
		char prefix[16];
		if ((rc = kyc_maxpool(&t, 2, 2, KYC_PAD_SAME, &p)))
			goto out;
		/* Yolo's separable convs pad by one and convolve 'valid': for a 3×3
		 * kernel at stride 1 that is exactly 'same', without the copy. */
		snprintf(prefix, sizeof prefix, "conv%d", i);
		kyc_tensor_free(&t);
		if ((rc = sep_conv(w, prefix, &p, 1, KYC_PAD_SAME, &t)))
			goto out;
		kyc_leaky_inplace(&t, LEAKY_ALPHA);
		kyc_tensor_free(&p);
	}
	if ((rc = kyc_maxpool(&t, 2, 1, KYC_PAD_SAME, &p)))
		goto out;
	rc = conv_bias(w, "conv8", &p, 1, 1, KYC_PAD_VALID, out);
out:
	kyc_tensor_free(&x);
	kyc_tensor_free(&t);
	kyc_tensor_free(&p);
	return rc;
}

/* ---- 68 landmarks (faceFeatureExtractor/FaceFeatureExtractor + fc) ---- */

/* denseBlock4: out1 = relu(conv0(x)); then three separable convs, each fed
 * the relu of the running sum, and relu(out1 + (out2 + (out3 + out4))). */
static int dense_block4(const struct kyc_weights *w, const char *block, const struct kyc_tensor *x,
                        int first, struct kyc_tensor *out)
{
	struct kyc_tensor o1 = {0}, o2 = {0}, o3 = {0}, o4 = {0}, in = {0};
	char prefix[64];
	int rc;
	snprintf(prefix, sizeof prefix, "%s/conv0", block);
	rc = first ? conv_bias(w, prefix, x, 3, 2, KYC_PAD_SAME, &o1)
	           : sep_conv(w, prefix, x, 2, KYC_PAD_SAME, &o1);
	if (rc)
		goto out;
	kyc_relu_inplace(&o1);
	snprintf(prefix, sizeof prefix, "%s/conv1", block);
	if ((rc = sep_conv(w, prefix, &o1, 1, KYC_PAD_SAME, &o2)))
		goto out;
	/* in3 = relu(out1 + out2) */
	if ((rc = kyc_tensor_copy(&o1, &in)))
		goto out;
	if ((rc = kyc_add_inplace(&in, &o2)))
		goto out;
	kyc_relu_inplace(&in);
	snprintf(prefix, sizeof prefix, "%s/conv2", block);
	if ((rc = sep_conv(w, prefix, &in, 1, KYC_PAD_SAME, &o3)))
		goto out;
	/* in4 = relu(out1 + (out2 + out3)) */
	size_t nel = (size_t)o1.h * o1.w * o1.c;
	for (size_t i = 0; i < nel; i++) {
		float v = o1.d[i] + (o2.d[i] + o3.d[i]);
		in.d[i] = v > 0.0f ? v : 0.0f;
	}
	snprintf(prefix, sizeof prefix, "%s/conv3", block);
	if ((rc = sep_conv(w, prefix, &in, 1, KYC_PAD_SAME, &o4)))
		goto out;
	for (size_t i = 0; i < nel; i++) {
		float v = o1.d[i] + (o2.d[i] + (o3.d[i] + o4.d[i]));
		o1.d[i] = v > 0.0f ? v : 0.0f;
	}
	kyc_tensor_move(out, &o1);
out:
	kyc_tensor_free(&o1);
	kyc_tensor_free(&o2);
	kyc_tensor_free(&o3);
	kyc_tensor_free(&o4);
	kyc_tensor_free(&in);
	return rc;
}

int kyc_face_net_landmarks(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                           float out[136])
{
	const struct kyc_weights *w = &n->landmarks;
	struct kyc_tensor x = {0}, t = {0}, p = {0};
	int rc;
	if (rgb->h != KYC_FACE_LANDMARK_SIDE || rgb->w != KYC_FACE_LANDMARK_SIDE)
		return KYC_ERR_INVALID;
	if ((rc = normalize(rgb, MEAN_FACE, &x)))
		goto out;
	static const char *const blocks[4] = {"dense0", "dense1", "dense2", "dense3"};
	for (int i = 0; i < 4; i++) {
		if ((rc = dense_block4(w, blocks[i], &x, i == 0, &t)))
			goto out;
		kyc_tensor_move(&x, &t);
	}
	if ((rc = kyc_avgpool(&x, 7, 2, KYC_PAD_VALID, &p)))
		goto out;
	size_t nin = (size_t)p.h * p.w * p.c;
	const float *fw = weight(w, "fc", "weights", nin * 136), *fb = weight(w, "fc", "bias", 136);
	if (!fw || !fb) {
		rc = KYC_ERR_INVALID;
		goto out;
	}
	kyc_fully_connected(p.d, (int)nin, fw, 136, fb, out);
out:
	kyc_tensor_free(&x);
	kyc_tensor_free(&t);
	kyc_tensor_free(&p);
	return rc;
}

/* ---- 128-d descriptor (faceRecognitionNet) ---- */

/* conv + bias, then the scale layer (x·weights + biases), then relu if asked. */
static int res_conv(const struct kyc_weights *w, const char *prefix, const struct kyc_tensor *x,
                    int k, int stride, enum kyc_pad pad, int relu, struct kyc_tensor *out)
{
	char conv[96];
	int rc;
	snprintf(conv, sizeof conv, "%s/conv", prefix);
	if ((rc = conv_bias(w, conv, x, k, stride, pad, out)))
		return rc;
	const float *sw = weight(w, prefix, "scale/weights", (size_t)out->c);
	const float *sb = weight(w, prefix, "scale/biases", (size_t)out->c);
	if (!sw || !sb) {
		kyc_tensor_free(out);
		return KYC_ERR_INVALID;
	}
	kyc_channel_affine_inplace(out, sw, sb);
	if (relu)
		kyc_relu_inplace(out);
	return 0;
}

static int residual(const struct kyc_weights *w, const char *block, struct kyc_tensor *x)
{
	struct kyc_tensor a = {0}, b = {0};
	char prefix[64];
	int rc;
	snprintf(prefix, sizeof prefix, "%s/conv1", block);
	if ((rc = res_conv(w, prefix, x, 3, 1, KYC_PAD_SAME, 1, &a)))
		goto out;
	snprintf(prefix, sizeof prefix, "%s/conv2", block);
	if ((rc = res_conv(w, prefix, &a, 3, 1, KYC_PAD_SAME, 0, &b)))
		goto out;
	if ((rc = kyc_add_inplace(&b, x)))
		goto out;
	kyc_relu_inplace(&b);
	kyc_tensor_move(x, &b);
out:
	kyc_tensor_free(&a);
	kyc_tensor_free(&b);
	return rc;
}

/* residualDown: the shortcut is a 2×2 average pool, widened with zero
 * channels, and the main path is padded with a zero row and column when the
 * pooled map is one larger (odd sizes). */
static int residual_down(const struct kyc_weights *w, const char *block, struct kyc_tensor *x)
{
	struct kyc_tensor a = {0}, b = {0}, pooled = {0}, sum = {0};
	char prefix[64];
	int rc;
	snprintf(prefix, sizeof prefix, "%s/conv1", block);
	if ((rc = res_conv(w, prefix, x, 3, 2, KYC_PAD_VALID, 1, &a)))
		goto out;
	snprintf(prefix, sizeof prefix, "%s/conv2", block);
	if ((rc = res_conv(w, prefix, &a, 3, 1, KYC_PAD_SAME, 0, &b)))
		goto out;
	if ((rc = kyc_avgpool(x, 2, 2, KYC_PAD_VALID, &pooled)))
		goto out;
	if (pooled.h < b.h || pooled.w < b.w || pooled.h > b.h + 1 || pooled.w > b.w + 1 ||
	    (b.c != pooled.c && b.c != 2 * pooled.c)) {
		rc = KYC_ERR_INVALID;
		goto out;
	}
	if ((rc = kyc_tensor_alloc(&sum, pooled.h, pooled.w, b.c)))
		goto out;
	for (int y = 0; y < sum.h; y++)
		for (int xx = 0; xx < sum.w; xx++)
			for (int c = 0; c < sum.c; c++) {
				float pv =
				    c < pooled.c
				        ? pooled.d[((size_t)y * pooled.w + xx) * pooled.c + c]
				        : 0.0f;
				float mv = (y < b.h && xx < b.w)
				               ? b.d[((size_t)y * b.w + xx) * b.c + c]
				               : 0.0f;
				float v = pv + mv;
				sum.d[((size_t)y * sum.w + xx) * sum.c + c] = v > 0.0f ? v : 0.0f;
			}
	kyc_tensor_move(x, &sum);
out:
	kyc_tensor_free(&a);
	kyc_tensor_free(&b);
	kyc_tensor_free(&pooled);
	kyc_tensor_free(&sum);
	return rc;
}

int kyc_face_net_embedding(const struct kyc_face_nets *n, const struct kyc_tensor *rgb,
                           float out[KYC_FACE_EMBED_DIM])
{
	const struct kyc_weights *w = &n->recognition;
	struct kyc_tensor x = {0}, t = {0};
	float avg[256];
	int rc;
	if (!w->count || rgb->h != KYC_FACE_EMBED_SIDE || rgb->w != KYC_FACE_EMBED_SIDE)
		return KYC_ERR_INVALID; /* not loaded, or the wrong size */
	if ((rc = normalize(rgb, MEAN_FACE, &x)))
		goto out;
	if ((rc = res_conv(w, "conv32_down", &x, 7, 2, KYC_PAD_VALID, 1, &t)))
		goto out;
	kyc_tensor_free(&x);
	if ((rc = kyc_maxpool(&t, 3, 2, KYC_PAD_VALID, &x)))
		goto out;
	static const struct {
		const char *name;
		int down;
	} layers[] = {
	    {"conv32_1", 0},  {"conv32_2", 0},         {"conv32_3", 0},     {"conv64_down", 1},
	    {"conv64_1", 0},  {"conv64_2", 0},         {"conv64_3", 0},     {"conv128_down", 1},
	    {"conv128_1", 0}, {"conv128_2", 0},        {"conv256_down", 1}, {"conv256_1", 0},
	    {"conv256_2", 0}, {"conv256_down_out", 1},
	};
	for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
		if ((rc = layers[i].down ? residual_down(w, layers[i].name, &x)
		                         : residual(w, layers[i].name, &x)))
			goto out;
	if (x.c != 256) {
		rc = KYC_ERR_INVALID;
		goto out;
	}
	kyc_mean_hw(&x, avg);
	const struct kyc_weight *fc = kyc_weights_get(w, "fc", 2, 256 * KYC_FACE_EMBED_DIM);
	if (!fc) {
		rc = KYC_ERR_INVALID;
		goto out;
	}
	kyc_fully_connected(avg, 256, fc->data, KYC_FACE_EMBED_DIM, NULL, out);
out:
	kyc_tensor_free(&x);
	kyc_tensor_free(&t);
	return rc;
}

/* ---- age and gender (xception/TinyXception + ageGenderNet) ---- */

static int reduction_block(const struct kyc_weights *w, const char *block, struct kyc_tensor *x,
                           int activate_input)
{
	struct kyc_tensor in = {0}, a = {0}, b = {0}, p = {0}, e = {0};
	char prefix[96];
	int rc;
	if ((rc = kyc_tensor_copy(x, &in)))
		goto out;
	if (activate_input)
		kyc_relu_inplace(&in);
	snprintf(prefix, sizeof prefix, "%s/separable_conv0", block);
	if ((rc = sep_conv(w, prefix, &in, 1, KYC_PAD_SAME, &a)))
		goto out;
	kyc_relu_inplace(&a);
	snprintf(prefix, sizeof prefix, "%s/separable_conv1", block);
	if ((rc = sep_conv(w, prefix, &a, 1, KYC_PAD_SAME, &b)))
		goto out;
	if ((rc = kyc_maxpool(&b, 3, 2, KYC_PAD_SAME, &p)))
		goto out;
	snprintf(prefix, sizeof prefix, "%s/expansion_conv", block);
	if ((rc = conv_bias(w, prefix, x, 1, 2, KYC_PAD_SAME, &e)))
		goto out;
	if ((rc = kyc_add_inplace(&p, &e)))
		goto out;
	kyc_tensor_move(x, &p);
out:
	kyc_tensor_free(&in);
	kyc_tensor_free(&a);
	kyc_tensor_free(&b);
	kyc_tensor_free(&p);
	kyc_tensor_free(&e);
	return rc;
}

static int main_block(const struct kyc_weights *w, const char *block, struct kyc_tensor *x)
{
	struct kyc_tensor a = {0}, b = {0};
	char prefix[96];
	int rc = kyc_tensor_copy(x, &a);
	if (rc)
		return rc;
	for (int i = 0; i < 3; i++) {
		kyc_relu_inplace(&a);
		snprintf(prefix, sizeof prefix, "%s/separable_conv%d", block, i);
		if ((rc = sep_conv(w, prefix, &a, 1, KYC_PAD_SAME, &b)))
			goto out;
		kyc_tensor_move(&a, &b);
	}
	if ((rc = kyc_add_inplace(&a, x)))
		goto out;
	kyc_tensor_move(x, &a);
out:
	kyc_tensor_free(&a);
	kyc_tensor_free(&b);
	return rc;
}

int kyc_face_net_age_gender(const struct kyc_face_nets *n, const struct kyc_tensor *rgb, float *age,
                            float gender[2])
{
	const struct kyc_weights *w = &n->age_gender;
	struct kyc_tensor x = {0}, t = {0};
	int rc;
	if (rgb->h != KYC_FACE_LANDMARK_SIDE || rgb->w != KYC_FACE_LANDMARK_SIDE)
		return KYC_ERR_INVALID;
	if ((rc = normalize(rgb, MEAN_FACE, &x)))
		goto out;
	if ((rc = conv_bias(w, "entry_flow/conv_in", &x, 3, 2, KYC_PAD_SAME, &t)))
		goto out;
	kyc_tensor_free(&x);
	kyc_relu_inplace(&t);
	if ((rc = reduction_block(w, "entry_flow/reduction_block_0", &t, 0)) ||
	    (rc = reduction_block(w, "entry_flow/reduction_block_1", &t, 1)) ||
	    (rc = main_block(w, "middle_flow/main_block_0", &t)) ||
	    (rc = main_block(w, "middle_flow/main_block_1", &t)) ||
	    (rc = reduction_block(w, "exit_flow/reduction_block", &t, 1)))
		goto out;
	if ((rc = sep_conv(w, "exit_flow/separable_conv", &t, 1, KYC_PAD_SAME, &x)))
		goto out;
	kyc_relu_inplace(&x);
	kyc_tensor_free(&t);
	if ((rc = kyc_avgpool(&x, 7, 2, KYC_PAD_VALID, &t)))
		goto out;
	size_t nin = (size_t)t.h * t.w * t.c;
	const float *aw = weight(w, "fc/age", "weights", nin), *ab = weight(w, "fc/age", "bias", 1);
	const float *gw = weight(w, "fc/gender", "weights", nin * 2);
	const float *gb = weight(w, "fc/gender", "bias", 2);
	if (!aw || !ab || !gw || !gb) {
		rc = KYC_ERR_INVALID;
		goto out;
	}
	float logits[2];
	kyc_fully_connected(t.d, (int)nin, aw, 1, ab, age);
	kyc_fully_connected(t.d, (int)nin, gw, 2, gb, logits);
	float m = logits[0] > logits[1] ? logits[0] : logits[1];
	float e0 = expf(logits[0] - m), e1 = expf(logits[1] - m);
	gender[0] = e0 / (e0 + e1);
	gender[1] = e1 / (e0 + e1);
out:
	kyc_tensor_free(&x);
	kyc_tensor_free(&t);
	return rc;
}
