/* The face pipeline (face.h): detect on a square view, place landmarks on the
 * detection box, describe the box crop with HSE FaceRes, align on the eyes
 * and mouth, then estimate age and gender and measure quality on the aligned
 * crop. */
#include "face/face.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "face/nets.h"
#include "face/sample.h"
#include "tensor/graph.h"

#define DETECT_SIDE 416
#define DETECT_SCORE 0.5 /* face-api's default */
#define NMS_IOU 0.4      /* the tiny face detector's */
#define MAX_FACES 32
/* Later passes pad each side by these fractions of the longer side, so a
 * face that fills the frame shrinks to what the detector was trained on
 * (0.35 finds a crop of 1.2 times the face box, 0.8 a tight aligned chip). */
static const double FILL_MARGINS[] = {0.35, 0.8};
/* When the black padding and the zoomed squares find nothing, the same
 * with the image's edges repeated into the padding: a face cut by the frame
 * (forehead or chin outside, as web crops cut it) then continues instead of
 * ending on a black edge the detector was not trained on. More margins here:
 * these passes run only on images where nothing else found a face. */
static const double EDGE_MARGINS[] = {0.2, 0.35, 0.55, 0.8};
/* When every pass found nothing, the places the detector scored above
 * NEAR_SCORE (but not above DETECT_SCORE) are read again in a square of
 * NEAR_ZOOMS times their box about them (the second when the first finds
 * nothing there), where the face fills the share of the detector's input it
 * scores best: on a face a tenth of the photo wide its score swings with
 * the window's placement (0.13 to 0.79 on one card's portrait; docs/face.md,
 * "Near misses"). At most NEAR_MAX places. */
#define NEAR_SCORE 0.3
#define NEAR_MAX 3
static const double NEAR_ZOOMS[] = {2.5, 3.2};
/* A face found there is kept only when scored at least this: a real face
 * seen at its best size scores over 0.8 (10 squares of 12 about one card's
 * portrait), while the boxes such a closer look makes on a receipt's or a
 * page's print score 0.53 to 0.58. */
#define NEAR_CONFIRM 0.7

/* FaceRes's box crop: the detector's box made square on its longer side
 * and grown by this share of it on each side, not turned (HSE_FaceRec_tf's
 * facial_analysis.py cuts its detector's box with a margin, unrotated). */
#define DESCRIPTOR_MARGIN 0.1
#define DESCRIPTOR_OUTPUT "global_pooling/Mean"
/* HSE's input: BGR minus these means (B, G, R), no scaling. */
static const float BGR_MEANS[3] = {103.939f, 116.779f, 123.68f};

struct kyc_face_engine {
	struct kyc_face_nets *nets;
	struct kyc_graph *faceres;
};

static const double ANCHORS[5][2] = {
    {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061},
    {4.266906, 5.178857}, {9.041765, 10.66308},
};

int kyc_face_engine_open(const char *dir, struct kyc_face_engine **out, char *err, size_t errlen)
{
	char found[1024];
	*out = NULL;
	if (!dir) {
		if (kyc_face_models_dir(found, sizeof found) != 0) {
			snprintf(err, errlen,
			         "no face models (tried %s; set KYCD_MODELS or run "
			         "scripts/fetch-models)",
			         found);
			return KYC_ERR_NOTFOUND;
		}
		dir = found;
	}
	struct kyc_face_engine *e = calloc(1, sizeof *e);
	if (!e)
		return KYC_ERR_NOMEM;
	char path[1200];
	/* not face-api's recognition network: FaceRes describes the faces */
	int rc = kyc_face_nets_load(dir, 0, &e->nets, err, errlen);
	if (rc)
		goto fail;
	snprintf(path, sizeof path, "%s/../human/faceres.json", dir);
	if ((rc = kyc_graph_load(path, &e->faceres, err, errlen)))
		goto fail;
	*out = e;
	return 0;
fail:
	kyc_face_engine_free(e);
	return rc;
}

void kyc_face_engine_free(struct kyc_face_engine *e)
{
	if (!e)
		return;
	kyc_face_nets_free(e->nets);
	kyc_graph_free(e->faceres);
	free(e);
}

void kyc_face_list_free(struct kyc_face_list *l)
{
	if (!l)
		return;
	free(l->faces);
	memset(l, 0, sizeof *l);
}

static double sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

struct det {
	double x, y, w, h, score;
};

static double iou(const struct det *a, const struct det *b)
{
	double x1 = fmax(a->x, b->x), y1 = fmax(a->y, b->y);
	double x2 = fmin(a->x + a->w, b->x + b->w), y2 = fmin(a->y + a->h, b->y + b->h);
	double inter = fmax(0, x2 - x1) * fmax(0, y2 - y1);
	double uni = a->w * a->h + b->w * b->h - inter;
	return uni > 0 ? inter / uni : 0;
}

static int by_score_desc(const void *a, const void *b)
{
	const struct det *x = a, *y = b;
	return (x->score < y->score) - (x->score > y->score);
}

/* Fills the pixels of t outside columns u0..u1-1 and rows v0..v1-1 (the
 * image's, each wholly inside it) with the nearest pixel inside. */
static void repeat_edges(struct kyc_tensor *t, int u0, int u1, int v0, int v1)
{
	int n = t->w;
	u0 = u0 < 0 ? 0 : u0 > n - 1 ? n - 1 : u0;
	v0 = v0 < 0 ? 0 : v0 > n - 1 ? n - 1 : v0;
	u1 = u1 <= u0 ? u0 + 1 : u1 > n ? n : u1;
	v1 = v1 <= v0 ? v0 + 1 : v1 > n ? n : v1;
	for (int v = 0; v < n; v++)
		for (int u = 0; u < n; u++) {
			if (u >= u0 && u < u1 && v >= v0 && v < v1)
				continue;
			int su = u < u0 ? u0 : u >= u1 ? u1 - 1 : u;
			int sv = v < v0 ? v0 : v >= v1 ? v1 - 1 : v;
			float *o = t->d + ((size_t)v * n + u) * 3;
			const float *s = t->d + ((size_t)sv * n + su) * 3;
			o[0] = s[0], o[1] = s[1], o[2] = s[2];
		}
}

/* The best places scored under DETECT_SCORE but above NEAR_SCORE by the
 * passes so far, held apart by NMS_IOU, best first. */
struct near {
	struct det d[NEAR_MAX];
	int n;
};

static void near_add(struct near *nr, const struct det *c)
{
	for (int j = 0; j < nr->n; j++)
		if (iou(c, &nr->d[j]) > NMS_IOU) {
			if (c->score > nr->d[j].score)
				nr->d[j] = *c; /* the same place, scored better */
			return;
		}
	if (nr->n == NEAR_MAX && nr->d[NEAR_MAX - 1].score >= c->score)
		return;
	int at = nr->n < NEAR_MAX ? nr->n++ : NEAR_MAX - 1;
	nr->d[at] = *c;
	for (int j = at; j > 0 && nr->d[j].score > nr->d[j - 1].score; j--) {
		struct det t = nr->d[j];
		nr->d[j] = nr->d[j - 1], nr->d[j - 1] = t;
	}
}

/* One detector pass on the square (x0, y0, side) of the image (parts
 * outside it are padding: zeros, or the image's edges repeated when edges
 * is set); the faces found are added to dets[*ndets..] unless they overlap
 * one already there, and places scored above NEAR_SCORE to nr (when not
 * NULL). Boxes are in image pixels. */
static int detect_window(const struct kyc_face_engine *e, const struct face__rgb *img, double x0,
                         double y0, double side, int edges, struct det *dets, int *ndets,
                         struct near *nr)
{
	struct kyc_tensor in = {0}, out = {0};
	int rc = face__crop(img, x0, y0, side, 0, NULL, DETECT_SIDE, &in);
	if (rc == 0 && edges) {
		double step = side / DETECT_SIDE;
		repeat_edges(&in, (int)ceil(-x0 / step), (int)floor((img->w - x0) / step),
		             (int)ceil(-y0 / step), (int)floor((img->h - y0) / step));
	}
	if (rc == 0)
		rc = kyc_face_net_detector(e->nets, &in, &out);
	kyc_tensor_free(&in);
	if (rc)
		return rc;
	struct det cand[13 * 13 * 5] = {{0}};
	int n = 0, g = out.h;
	for (int row = 0; row < g; row++)
		for (int col = 0; col < out.w; col++)
			for (int a = 0; a < 5; a++) {
				const float *t =
				    out.d + ((size_t)row * out.w + col) * out.c + a * 5;
				double score = sigmoid(t[4]);
				if (score <= (nr ? NEAR_SCORE : DETECT_SCORE) ||
				    n >= (int)(sizeof cand / sizeof cand[0]))
					continue;
				double cx = (col + sigmoid(t[0])) / g,
				       cy = (row + sigmoid(t[1])) / g;
				double w = exp(t[2]) * ANCHORS[a][0] / g,
				       h = exp(t[3]) * ANCHORS[a][1] / g;
				struct det c = {x0 + (cx - w / 2) * side, y0 + (cy - h / 2) * side,
				                w * side, h * side, score};
				if (score > DETECT_SCORE)
					cand[n++] = c;
				else
					near_add(nr, &c);
			}
	kyc_tensor_free(&out);
	qsort(cand, (size_t)n, sizeof cand[0], by_score_desc);
	for (int i = 0; i < n && *ndets < MAX_FACES; i++) {
		int keep = 1;
		for (int j = 0; j < *ndets && keep; j++)
			if (iou(&cand[i], &dets[j]) > NMS_IOU)
				keep = 0;
		if (keep)
			dets[(*ndets)++] = cand[i];
	}
	return 0;
}

/* One pass on the image centred in a square of side max(w,h)·(1+2·margin). */
static int detect_pass(const struct kyc_face_engine *e, const struct face__rgb *img, double margin,
                       int edges, struct det *dets, int *ndets, struct near *nr)
{
	double side = fmax(img->w, img->h) * (1 + 2 * margin);
	*ndets = 0;
	return detect_window(e, img, (img->w - side) / 2, (img->h - side) / 2, side, edges, dets,
	                     ndets, nr);
}

/* The last resort: squares of half the longer side, overlapping by half, so
 * that a face under about a tenth of the photo (the portrait on a photo of
 * a whole passport page) is seen twice as large. Up to 9 passes. */
static int detect_zoomed(const struct kyc_face_engine *e, const struct face__rgb *img,
                         struct det *dets, int *ndets, struct near *nr)
{
	double side = fmax(img->w, img->h) / 2, step = side / 2;
	int nx = img->w > side ? (int)ceil((img->w - side) / step) + 1 : 1;
	int ny = img->h > side ? (int)ceil((img->h - side) / step) + 1 : 1;
	int rc = 0;
	*ndets = 0;
	for (int j = 0; j < ny && rc == 0; j++)
		for (int i = 0; i < nx && rc == 0; i++) {
			double x0 = nx > 1 ? fmin(i * step, img->w - side) : (img->w - side) / 2;
			double y0 = ny > 1 ? fmin(j * step, img->h - side) : (img->h - side) / 2;
			rc = detect_window(e, img, x0, y0, side, 0, dets, ndets, nr);
		}
	return rc;
}

/* The last resort: each near miss read again in squares NEAR_ZOOMS times
 * its box about its centre; a face found there counts when scored at least
 * NEAR_CONFIRM and its centre lies in the near miss's box (the same place,
 * not another near it). */
static int detect_near(const struct kyc_face_engine *e, const struct face__rgb *img,
                       const struct near *nr, struct det *dets, int *ndets)
{
	int rc = 0;
	*ndets = 0;
	for (int i = 0; i < nr->n && rc == 0; i++) {
		const struct det *m = &nr->d[i];
		int before = *ndets;
		for (size_t z = 0;
		     rc == 0 && *ndets == before && z < sizeof NEAR_ZOOMS / sizeof NEAR_ZOOMS[0];
		     z++) {
			double side = NEAR_ZOOMS[z] * fmax(m->w, m->h);
			struct det found[MAX_FACES];
			int nf = 0;
			rc = detect_window(e, img, m->x + m->w / 2 - side / 2,
			                   m->y + m->h / 2 - side / 2, side, 0, found, &nf, NULL);
			for (int j = 0; j < nf && *ndets < MAX_FACES; j++) {
				double cx = found[j].x + found[j].w / 2,
				       cy = found[j].y + found[j].h / 2;
				int keep = found[j].score >= NEAR_CONFIRM && cx >= m->x &&
				           cx <= m->x + m->w && cy >= m->y && cy <= m->y + m->h;
				for (int k = 0; k < *ndets && keep; k++)
					keep = iou(&found[j], &dets[k]) <= NMS_IOU;
				if (keep)
					dets[(*ndets)++] = found[j];
			}
		}
	}
	return rc;
}

static void centroid(const struct kyc_face *f, int from, int to, double c[2])
{
	c[0] = c[1] = 0;
	for (int i = from; i < to; i++) {
		c[0] += f->landmarks[i][0];
		c[1] += f->landmarks[i][1];
	}
	c[0] /= (to - from);
	c[1] /= (to - from);
}

/* The aligned square: face-api's align() (size = eye-to-mouth / 0.45, the
 * reference point 0.43 of it below the top), turned upright on the eyes. */
static void aligned_square(const struct kyc_face *f, double *x0, double *y0, double *side,
                           double *angle)
{
	double le[2], re[2], mo[2];
	centroid(f, 36, 42, le);
	centroid(f, 42, 48, re);
	centroid(f, 48, 68, mo);
	double d = (hypot(mo[0] - le[0], mo[1] - le[1]) + hypot(mo[0] - re[0], mo[1] - re[1])) / 2;
	double size = d / 0.45;
	double rx = (le[0] + re[0] + mo[0]) / 3, ry = (le[1] + re[1] + mo[1]) / 3;
	*angle = atan2(re[1] - le[1], re[0] - le[0]);
	/* The square's centre lies (0.5 - 0.43)·size below the reference point
	 * in the face's own frame; face__crop rotates about the centre. */
	double off = (0.5 - 0.43) * size;
	double cx = rx - sin(*angle) * off, cy = ry + cos(*angle) * off;
	*side = size;
	*x0 = cx - size / 2;
	*y0 = cy - size / 2;
}

/* Variance of the 4-neighbour Laplacian and mean luminance of the square
 * [lo, hi) of a tensor of 0..255 RGB. */
static void measure(const struct kyc_tensor *t, int lo, int hi, double *sharp, double *bright)
{
	int n = t->w;
	double sum = 0, sum2 = 0, lum = 0;
	long cnt = 0, lcnt = 0;
#define LUMA(x, y)                                                                                 \
	(0.299 * t->d[((size_t)(y)*n + (x)) * 3] + 0.587 * t->d[((size_t)(y)*n + (x)) * 3 + 1] +   \
	 0.114 * t->d[((size_t)(y)*n + (x)) * 3 + 2])
	for (int y = lo; y < hi; y++)
		for (int x = lo; x < hi; x++) {
			double c = LUMA(x, y);
			lum += c;
			lcnt++;
			double l = LUMA(x - 1, y) + LUMA(x + 1, y) + LUMA(x, y - 1) +
			           LUMA(x, y + 1) - 4 * c;
			sum += l;
			sum2 += l * l;
			cnt++;
		}
#undef LUMA
	double mean = sum / cnt;
	*sharp = sum2 / cnt - mean * mean;
	*bright = lum / lcnt;
}

static void measure_pose(struct kyc_face *f)
{
	double le[2], re[2], mo[2];
	centroid(f, 36, 42, le);
	centroid(f, 42, 48, re);
	centroid(f, 48, 68, mo);
	const double *nose = f->landmarks[30], *jl = f->landmarks[0], *jr = f->landmarks[16];
	f->quality.roll = atan2(re[1] - le[1], re[0] - le[0]) * 180 / M_PI;
	/* Yaw: how far the nose tip sits off the middle of the jaw line. */
	double dl = hypot(nose[0] - jl[0], nose[1] - jl[1]),
	       dr = hypot(nose[0] - jr[0], nose[1] - jr[1]);
	double r = (dl - dr) / fmax(dl + dr, 1e-6);
	f->quality.yaw = asin(fmax(-1, fmin(1, 2 * r))) * 180 / M_PI;
	/* Pitch: where the nose tip falls between the eyes and the mouth, in
	 * the face's own frame; about 0.55 of the way when level. */
	double ex = (le[0] + re[0]) / 2, ey = (le[1] + re[1]) / 2, a = f->quality.roll * M_PI / 180;
	double ny = -sin(a) * (nose[0] - ex) + cos(a) * (nose[1] - ey);
	double my = -sin(a) * (mo[0] - ex) + cos(a) * (mo[1] - ey);
	double ratio = my > 1e-6 ? ny / my : 0.55;
	f->quality.pitch = asin(fmax(-1, fmin(1, (ratio - 0.55) / 0.35))) * 180 / M_PI;
}

int kyc_face_descriptor(const struct kyc_face_engine *e, const unsigned char *rgb,
                        float out[KYC_FACE_EMBEDDING_DIM])
{
	const int n = KYC_FACE_DESCRIPTOR_SIDE;
	int shape[4] = {1, n, n, 3};
	struct kyc_gtensor in = {0}, res = {0};
	char err[256];
	int rc = kyc_gtensor_alloc(&in, 4, shape);
	if (rc)
		return rc;
	for (size_t i = 0; i < (size_t)n * n; i++)
		for (int c = 0; c < 3; c++)
			in.d[3 * i + c] = (float)rgb[3 * i + 2 - c] - BGR_MEANS[c];
	rc = kyc_graph_run(e->faceres, &in, DESCRIPTOR_OUTPUT, &res, err, sizeof err);
	kyc_gtensor_free(&in);
	if (rc)
		return rc;
	if (res.count != KYC_FACE_EMBEDDING_DIM) {
		kyc_gtensor_free(&res);
		return KYC_ERR_INVALID;
	}
	double norm = 0;
	for (int i = 0; i < KYC_FACE_EMBEDDING_DIM; i++)
		norm += (double)res.d[i] * res.d[i];
	norm = norm > 0 ? sqrt(norm) : 1;
	for (int i = 0; i < KYC_FACE_EMBEDDING_DIM; i++)
		out[i] = (float)(res.d[i] / norm);
	kyc_gtensor_free(&res);
	return 0;
}

/* The crop t as bytes, rounded and clamped, in *px (malloc); frees t.
 * 0 or KYC_ERR_NOMEM. */
static int to_bytes(struct kyc_tensor *t, unsigned char **px)
{
	size_t n = (size_t)t->h * t->w * t->c;
	*px = malloc(n);
	for (size_t i = 0; *px && i < n; i++)
		(*px)[i] = (unsigned char)lrintf(t->d[i] < 0 ? 0 : t->d[i] > 255 ? 255 : t->d[i]);
	kyc_tensor_free(t);
	return *px ? 0 : KYC_ERR_NOMEM;
}

/* The descriptor of face f: its box crop as bytes (as the calibration's
 * crops were kept, bench/face/export.c), then kyc_face_descriptor. */
static int describe(const struct kyc_face_engine *e, const struct face__rgb *img,
                    struct kyc_face *f)
{
	const int n = KYC_FACE_DESCRIPTOR_SIDE;
	const double *b = f->box;
	double side = fmax(b[2], b[3]) * (1 + 2 * DESCRIPTOR_MARGIN);
	struct kyc_tensor t = {0};
	unsigned char *px = NULL;
	int rc = face__crop(img, b[0] + b[2] / 2 - side / 2, b[1] + b[3] / 2 - side / 2, side, 0,
	                    NULL, n, &t);
	if (rc || (rc = to_bytes(&t, &px)))
		return rc;
	rc = kyc_face_descriptor(e, px, f->embedding);
	free(px);
	return rc;
}

static int analyze_face(const struct kyc_face_engine *e, const struct face__rgb *img,
                        const struct det *d, struct kyc_face *f)
{
	struct kyc_tensor t112 = {0};
	float lm[136], gender[2], age;
	int rc;
	memset(f, 0, sizeof *f);
	f->box[0] = d->x;
	f->box[1] = d->y;
	f->box[2] = d->w;
	f->box[3] = d->h;
	f->score = d->score;
	/* Landmarks on the box, padded to a square with zeros (face-api's
	 * extractFaces + toBatchTensor(112, centred)). */
	double side = fmax(d->w, d->h);
	double sx = d->x + d->w / 2 - side / 2, sy = d->y + d->h / 2 - side / 2;
	double clip[4] = {d->x, d->y, d->w, d->h};
	if ((rc = face__crop(img, sx, sy, side, 0, clip, KYC_FACE_LANDMARK_SIDE, &t112)))
		goto out;
	if ((rc = kyc_face_net_landmarks(e->nets, &t112, lm)))
		goto out;
	for (int i = 0; i < KYC_FACE_LANDMARKS; i++) {
		f->landmarks[i][0] = sx + lm[2 * i] * side;
		f->landmarks[i][1] = sy + lm[2 * i + 1] * side;
	}
	kyc_tensor_free(&t112);
	double ax, ay, aside, angle;
	aligned_square(f, &ax, &ay, &aside, &angle);
	if ((rc = face__crop(img, ax, ay, aside, angle, NULL, KYC_FACE_LANDMARK_SIDE, &t112)))
		goto out;
	if ((rc = describe(e, img, f)) ||
	    (rc = kyc_face_net_age_gender(e->nets, &t112, &age, gender)))
		goto out;
	f->age = age;
	f->gender = gender[0] >= 0.5f ? "male" : "female";
	f->gender_score = gender[0] >= 0.5f ? gender[0] : gender[1];
	f->quality.face_ratio = d->w / img->w;
	f->quality.cut_off = d->x < 0 || d->y < 0 || d->x + d->w > img->w || d->y + d->h > img->h;
	/* The central part of the aligned crop: eyes, nose, mouth, cheeks. */
	measure(&t112, t112.w / 6, t112.w - t112.w / 6, &f->quality.sharpness,
	        &f->quality.brightness);
	measure_pose(f);
	kyc_face_spoof_measure(img->px, img->w, img->h, f->box, &f->spoof);
out:
	kyc_tensor_free(&t112);
	return rc;
}

static int by_width_desc(const void *a, const void *b)
{
	const struct kyc_face *x = a, *y = b;
	return (x->box[2] < y->box[2]) - (x->box[2] > y->box[2]);
}

static const char *quality_issue(const struct kyc_face_quality *q, double box_w);

int kyc_face_analyze(const struct kyc_face_engine *e, const struct kyc_image *img,
                     struct kyc_face_list *out)
{
	memset(out, 0, sizeof *out);
	if (!img->rgb || img->w < 1 || img->h < 1)
		return KYC_ERR_INVALID;
	struct face__rgb rgb = {img->rgb, img->w, img->h};
	struct det dets[MAX_FACES];
	/* Light and focus of the central square of the image, at 256 px. */
	struct kyc_tensor small = {0};
	double sq = fmin(img->w, img->h);
	int ms = sq < 256 ? (int)sq : 256; /* never upscaled: that would look blurred */
	int rc = face__crop(&rgb, (img->w - sq) / 2, (img->h - sq) / 2, sq, 0, NULL, ms, &small);
	if (rc)
		return rc;
	measure(&small, 1, ms - 1, &out->image_sharpness, &out->image_brightness);
	kyc_tensor_free(&small);
	int n = 0;
	struct near nr = {.n = 0};
	rc = detect_pass(e, &rgb, 0, 0, dets, &n, &nr);
	for (size_t m = 0; rc == 0 && n == 0 && m < sizeof FILL_MARGINS / sizeof FILL_MARGINS[0];
	     m++)
		rc = detect_pass(e, &rgb, FILL_MARGINS[m], 0, dets, &n, &nr);
	if (rc == 0 && n == 0)
		rc = detect_zoomed(e, &rgb, dets, &n, &nr);
	/* last, so that a document's small portrait (the zoomed squares') is
	 * found as before, and its photo pays nothing more */
	for (size_t m = 0; rc == 0 && n == 0 && m < sizeof EDGE_MARGINS / sizeof EDGE_MARGINS[0];
	     m++)
		rc = detect_pass(e, &rgb, EDGE_MARGINS[m], 1, dets, &n, &nr);
	if (rc == 0 && n == 0)
		rc = detect_near(e, &rgb, &nr, dets, &n);
	if (rc)
		return rc;
	if (n == 0)
		return 0;
	out->faces = calloc((size_t)n, sizeof *out->faces);
	if (!out->faces)
		return KYC_ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		if ((rc = analyze_face(e, &rgb, &dets[i], &out->faces[i]))) {
			kyc_face_list_free(out);
			return rc;
		}
		out->faces[i].quality.issue = quality_issue(&out->faces[i].quality, dets[i].w);
		out->count++;
	}
	qsort(out->faces, out->count, sizeof *out->faces, by_width_desc);
	return 0;
}

int kyc_face_analyze_around(const struct kyc_face_engine *e, const struct kyc_image *img,
                            const double box[4], struct kyc_face_list *out)
{
	memset(out, 0, sizeof *out);
	if (!img->rgb || img->w < 1 || img->h < 1)
		return KYC_ERR_INVALID;
	double side = 2 * fmax(box[2], box[3]);
	int x0 = (int)fmax(0, floor(box[0] + box[2] / 2 - side / 2));
	int y0 = (int)fmax(0, floor(box[1] + box[3] / 2 - side / 2));
	int x1 = (int)fmin(img->w, ceil(box[0] + box[2] / 2 + side / 2));
	int y1 = (int)fmin(img->h, ceil(box[1] + box[3] / 2 + side / 2));
	if (x1 - x0 < 16 || y1 - y0 < 16)
		return 0;
	struct kyc_image sub = *img;
	sub.gray = NULL;
	sub.w = x1 - x0;
	sub.h = y1 - y0;
	sub.rgb = malloc((size_t)sub.w * (size_t)sub.h * 3);
	if (!sub.rgb)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < sub.h; y++)
		memcpy(sub.rgb + (size_t)y * sub.w * 3,
		       img->rgb + ((size_t)(y0 + y) * img->w + x0) * 3, (size_t)sub.w * 3);
	int rc = kyc_face_analyze(e, &sub, out);
	free(sub.rgb);
	for (size_t i = 0; rc == 0 && i < out->count; i++) {
		struct kyc_face *f = &out->faces[i];
		f->box[0] += x0;
		f->box[1] += y0;
		for (int k = 0; k < KYC_FACE_LANDMARKS; k++) {
			f->landmarks[k][0] += x0;
			f->landmarks[k][1] += y0;
		}
	}
	return rc;
}

/* Selfie limits (docs/face.md). */
#define MIN_FACE_PX 64
#define MIN_FACE_RATIO 0.10
#define MIN_BRIGHTNESS 50
#define MAX_BRIGHTNESS 215
#define MIN_SHARPNESS 20
#define MIN_IMAGE_SHARPNESS 20
#define MAX_YAW 30
#define MAX_PITCH 30
#define MAX_ROLL 25

static const char *quality_issue(const struct kyc_face_quality *q, double box_w)
{
	if (box_w < MIN_FACE_PX || q->face_ratio < MIN_FACE_RATIO)
		return "face_too_small";
	if (q->cut_off)
		return "face_cut_off";
	if (q->brightness < MIN_BRIGHTNESS)
		return "too_dark";
	if (q->brightness > MAX_BRIGHTNESS)
		return "too_bright";
	if (q->sharpness < MIN_SHARPNESS)
		return "too_blurry";
	if (fabs(q->yaw) > MAX_YAW || fabs(q->pitch) > MAX_PITCH || fabs(q->roll) > MAX_ROLL)
		return "not_frontal";
	return NULL;
}

const struct kyc_face *kyc_face_pick(const struct kyc_face_list *l, const char **reason)
{
	if (l->count == 0) {
		*reason = "no_face";
		return NULL;
	}
	if (l->count > 1 && l->faces[1].box[2] >= 0.6 * l->faces[0].box[2]) {
		*reason = "several_faces";
		return NULL;
	}
	*reason = NULL;
	return &l->faces[0];
}

const char *kyc_face_selfie(const struct kyc_face_list *l)
{
	if (l->count == 0) {
		if (l->image_brightness < MIN_BRIGHTNESS)
			return "too_dark";
		if (l->image_brightness > MAX_BRIGHTNESS)
			return "too_bright";
		if (l->image_sharpness < MIN_IMAGE_SHARPNESS)
			return "too_blurry";
		return "no_face";
	}
	if (l->count > 1 && l->faces[1].box[2] >= 0.4 * l->faces[0].box[2])
		return "several_faces";
	return l->faces[0].quality.issue;
}

void kyc_face_compare(const float *a, const float *b, double threshold, struct kyc_face_match *out)
{
	double dot = 0, na = 0, nb = 0;
	for (int i = 0; i < KYC_FACE_EMBEDDING_DIM; i++) {
		dot += (double)a[i] * b[i];
		na += (double)a[i] * a[i];
		nb += (double)b[i] * b[i];
	}
	out->similarity = (na > 0 && nb > 0) ? dot / sqrt(na * nb) : 0;
	out->distance = 1 - out->similarity;
	out->threshold = threshold;
	out->match = out->distance <= threshold;
}

int kyc_face_aligned_crop(const struct kyc_image *img, const struct kyc_face *f, int side,
                          unsigned char **rgb)
{
	*rgb = NULL;
	if (!img->rgb || side < 16 || side > 1024)
		return KYC_ERR_INVALID;
	struct face__rgb src = {img->rgb, img->w, img->h};
	struct kyc_tensor t = {0};
	double x0, y0, size, angle;
	aligned_square(f, &x0, &y0, &size, &angle);
	int rc = face__crop(&src, x0, y0, size, angle, NULL, side, &t);
	return rc ? rc : to_bytes(&t, rgb);
}
