/* ocr-train: trains the OCR-B MLP on generated cells and writes it as C
 * (src/document/ocr_model.c); evaluates the compiled-in model.
 *
 *   ocr-train train --font F --out FILE [--seed N] [--steps N] [--batch N]
 *                   [--h1 N] [--h2 N] [--c1 N --c2 N] [--lr X] [--threads N] [--init 1]
 *   ocr-train eval  --font F [--seed N] [--n N]     (per-level accuracy, confusions, speed)
 *   ocr-train dump  --font F --dir D [--seed N] [--n N] [--level L]   (PGM cells)
 *   ocr-train real  --dir SHARED/realdocs [--out LIST]   (real scans, see real.c)
 *   ocr-train mine  --seeds A-B --out FILE [--extra N] [--threads N]   (the reader's cells, mine.c)
 *   ocr-train train ... --mined FILE --mix X [--hard Y]   (a share X of the cells
 *                   from FILE, Y of those from the ones the model gets wrong or unsure)
 *   ocr-train train ... --fine 1   (the finer model, ocr_fine_model.c; --init 1
 *                   starts it from the compiled-in first model, --init 2 from the
 *                   compiled-in finer model)
 *
 * Training is deterministic for a seed: sample i of the run is a pure function
 * of (seed, i), a batch is split into a fixed number of chunks whatever the
 * thread count, and the chunk gradients are summed in chunk order. The cells
 * are rendered here from the font (gen.c) and, with --mined, a share of them
 * cut by the reader from kycd synth photos of development seeds (mine.c);
 * evaluation seeds are refused, and the seeds bench/reader is read on for
 * choosing are not to be mined (docs/ocr.md). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"
#include "document/ocr.h"
#include "document/synth.h"
#include "gen.h"
#include "mine.h"

int cmd_real(const char *list, const char *dir);

#define NCHUNK 8
#define MAXT 16
/* Features plus the conv branch's values, as the first layer reads them,
 * or the finer model's features. */
#define NIN_CONV (KYC_OCR_NIN_CTX + KYC_OCR_MAX_NCONV)
#define NIN_MAX (NIN_CONV > KYC_OCR_NIN_FINE ? NIN_CONV : KYC_OCR_NIN_FINE)

/* The OCR-B digitisations trained on, ":"-separated (gen.h). */
static const char *opt_font = "/usr/share/fonts/opentype/ocr-b/OCRB.otf:"
			       "/usr/share/fonts/opentype/ocr-b/OCRBS.otf";
static const char *opt_out = NULL, *opt_dir = ".";
static uint64_t opt_seed = 1;
static long opt_steps = 20000, opt_n = 3000;
static int opt_batch = 64, opt_h1 = 192, opt_h2 = 96, opt_threads = 2, opt_level = 2;
static int opt_c1, opt_c2; /* channels of the conv branch (0: none) */
static int opt_init; /* 1: start from the compiled-in (first) model instead of random weights;
		      * 2 with --fine 1: from the compiled-in finer model */
static int opt_fine; /* train the finer model (KYC_OCR_NIN_FINE inputs, docs/ocr.md) */
static double opt_lr = 0.05;
static const char *opt_mined; /* cells cut by the reader (mine.c) */
static double opt_mix;        /* share of the training cells drawn from them */
static double opt_hard; /* share of those drawn from the cells the model gets wrong or unsure */
static uint64_t opt_seed_first, opt_seed_last; /* mine --seeds A-B */
static int opt_extra; /* mine --extra N: more level-2 photos of the classes missed */
static struct mine_set mined;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* This thread's CPU time: the speed figure should not depend on what else
 * the machine is doing. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the network (float, same layout as struct kyc_ocr_model) ---- */

struct net {
	int nin, h1, h2, nout;
	int c1, c2, nconv; /* the conv branch: channels, values it adds to the input */
	float *w1, *b1, *w2, *b2, *w3, *b3;
	float *cw1, *cb1, *cw2, *cb2;
	size_t n; /* total parameters, stored contiguously in p */
	float *p;
};

/* w1 has nin + nconv rows: the features, then the conv branch's values. */
static void net_init(struct net *n, int nin, int h1, int h2, int nout, int c1, int c2)
{
	n->nin = nin, n->h1 = h1, n->h2 = h2, n->nout = nout;
	n->c1 = c1, n->c2 = c2, n->nconv = c1 > 0 ? KYC_OCR_PW * KYC_OCR_PH * c2 : 0;
	size_t rows = (size_t)nin + (size_t)n->nconv;
	n->n = (size_t)h1 * rows + h1 + (size_t)h2 * h1 + h2 + (size_t)nout * h2 + nout +
	       9 * (size_t)c1 + c1 + 9 * (size_t)c1 * c2 + c2;
	n->p = calloc(n->n, sizeof(float));
	if (!n->p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	float *q = n->p;
	n->w1 = q, q += (size_t)h1 * rows;
	n->b1 = q, q += h1;
	n->w2 = q, q += (size_t)h2 * h1;
	n->b2 = q, q += h2;
	n->w3 = q, q += (size_t)nout * h2;
	n->b3 = q, q += nout;
	n->cw1 = q, q += 9 * (size_t)c1;
	n->cb1 = q, q += c1;
	n->cw2 = q, q += 9 * (size_t)c1 * c2;
	n->cb2 = q;
}

/* What the conv branch's backward pass needs of its forward pass. */
struct conv_act {
	float acc1[CONV_MAXMAP], p1[CONV_MAXMAP / 4], acc2[CONV_MAXMAP / 4];
	int arg1[CONV_MAXMAP / 4], arg2[CONV_MAXMAP / 16];
};

/* The conv branch on the window inside x, its values written after it. */
static void conv_run(const struct net *n, float *x, struct conv_act *c)
{
	if (!n->c1)
		return;
	conv_forward(x + KYC_OCR_NIN, KYC_OCR_WH, KYC_OCR_WW, 1, n->cw1, n->cb1, n->c1, c->acc1,
		     c->arg1, c->p1);
	conv_forward(c->p1, KYC_OCR_WH / 2, KYC_OCR_WW / 2, n->c1, n->cw2, n->cb2, n->c2, c->acc2,
		     c->arg2, x + KYC_OCR_NIN_CTX);
}

/* Same arithmetic as ocr.c: weights [in][out], zero inputs skipped. */
static void layer(const float *in, int nin, const float *w, const float *b, int nout, float *out,
		  int relu)
{
	for (int o = 0; o < nout; o++)
		out[o] = b[o];
	for (int i = 0; i < nin; i++) {
		float v = in[i];
		if (v == 0.0f)
			continue;
		const float *row = w + (size_t)i * nout;
		for (int o = 0; o < nout; o++)
			out[o] += v * row[o];
	}
	if (relu)
		for (int o = 0; o < nout; o++)
			out[o] = out[o] < 0 ? 0 : out[o];
}

/* Forward pass on x (the conv branch's values already after the features);
 * returns logits in z (and activations for backprop). */
static void forward(const struct net *n, const float *x, float *a1, float *a2, float *z)
{
	layer(x, n->nin + n->nconv, n->w1, n->b1, n->h1, a1, 1);
	layer(a1, n->h1, n->w2, n->b2, n->h2, a2, 1);
	layer(a2, n->h2, n->w3, n->b3, n->nout, z, 0);
}

static int argmax(const float *z, int n)
{
	int b = 0;
	for (int i = 1; i < n; i++)
		if (z[i] > z[b])
			b = i;
	return b;
}

/* Gradient of one dense layer: d is dLoss/dout (nout); adds into gw, gb and,
 * when din is not NULL, writes dLoss/din for inputs whose ReLU is on. */
static void layer_back(const float *in, int nin, const float *w, const float *d, int nout,
		       float *gw, float *gb, float *din)
{
	for (int o = 0; o < nout; o++)
		gb[o] += d[o];
	for (int i = 0; i < nin; i++) {
		float v = in[i];
		if (din)
			din[i] = 0;
		if (v == 0.0f)
			continue; /* ReLU off (or blank input): no gradient either way */
		float *g = gw + (size_t)i * nout;
		const float *row = w + (size_t)i * nout;
		float acc = 0;
		for (int o = 0; o < nout; o++) {
			g[o] += v * d[o];
			acc += row[o] * d[o];
		}
		if (din)
			din[i] = acc;
	}
}

/* Cross-entropy gradient of one sample added into g (same layout as n); x
 * has room for the conv branch's values. */
static double backprop(const struct net *n, float *x, int label, struct net *g)
{
	float a1[KYC_OCR_MAX_HIDDEN], a2[KYC_OCR_MAX_HIDDEN], z[KYC_OCR_NOUT];
	float d1[KYC_OCR_MAX_HIDDEN], d2[KYC_OCR_MAX_HIDDEN], d3[KYC_OCR_NOUT] = {0};
	static _Thread_local struct conv_act ca;
	conv_run(n, x, &ca);
	forward(n, x, a1, a2, z);
	float zm = z[argmax(z, n->nout)], sum = 0;
	for (int i = 0; i < n->nout; i++)
		sum += (d3[i] = expf(z[i] - zm));
	for (int i = 0; i < n->nout; i++)
		d3[i] /= sum;
	double loss = -log((double)d3[label] + 1e-12);
	d3[label] -= 1;
	layer_back(a2, n->h2, n->w3, d3, n->nout, g->w3, g->b3, d2);
	layer_back(a1, n->h1, n->w2, d2, n->h2, g->w2, g->b2, d1);
	layer_back(x, n->nin, n->w1, d1, n->h1, g->w1, g->b1, NULL);
	if (n->c1) {
		/* The first layer's rows of the conv values, then the branch itself. */
		static _Thread_local float dc[KYC_OCR_MAX_NCONV], dp1[CONV_MAXMAP / 4],
			dacc[CONV_MAXMAP];
		float gb_unused[KYC_OCR_MAX_HIDDEN] = {0};
		size_t off = (size_t)n->nin * n->h1;
		layer_back(x + n->nin, n->nconv, n->w1 + off, d1, n->h1, g->w1 + off, gb_unused, dc);
		conv_backward(ca.p1, KYC_OCR_WH / 2, KYC_OCR_WW / 2, n->c1, n->cw2, n->c2,
			      x + KYC_OCR_NIN_CTX, ca.arg2, dc, dacc, g->cw2, g->cb2, dp1);
		conv_backward(x + KYC_OCR_NIN, KYC_OCR_WH, KYC_OCR_WW, 1, n->cw1, n->c1, ca.p1,
			      ca.arg1, dp1, dacc, g->cw1, g->cb1, NULL);
	}
	return loss;
}

/* ---- sample stream ---- */

/* Training mixes the levels so that clean cells stay perfect while the model
 * learns to survive bad ones. */
static int pick_level(uint64_t *s)
{
	double u = gen_unif(s);
	return u < 0.15 ? GEN_CLEAN : u < 0.5 ? GEN_MILD : GEN_HEAVY;
}

/* Draws what a training cell holds; returns its label (KYC_OCR_NCLASSES is
 * the reject output). One cell in twelve is a non-character. */
static int pick_sample(uint64_t *s, int *cls, int *kind)
{
	/* One cell in six is drawn from the pairs real photos confuse, so the
	 * model sees their small differences more often. */
	static const char confusable[] = "0OD8B5S2Z1I";
	if (gen_unif(s) < 1.0 / 6)
		*cls = (int)(strchr(KYC_OCR_CLASSES, confusable[gen_mix(s) % (sizeof confusable - 1)]) -
			     KYC_OCR_CLASSES);
	else
		*cls = (int)(gen_mix(s) % KYC_OCR_NCLASSES);
	*kind = GEN_GLYPH;
	if (gen_unif(s) >= 1.0 / 12)
		return *cls;
	*kind = 1 + (int)(gen_mix(s) % (GEN_NKINDS - 1));
	if (*kind == GEN_UPSIDE) {
		const char *u = GEN_UPSIDE_CLASSES;
		char ch = u[gen_mix(s) % strlen(u)];
		*cls = (int)(strchr(KYC_OCR_CLASSES, ch) - KYC_OCR_CLASSES);
	}
	return KYC_OCR_NCLASSES;
}

static int make_features(struct gen *g, uint64_t seed, uint64_t idx, int level, int cls,
			 int kind, float *x)
{
	int (*features_at)(const unsigned char *, int, int, int, double, double, int, int,
			   float *) = opt_fine ? kyc_ocr_features_fine_at : kyc_ocr_features_at;
	unsigned char px[GEN_MAX_SIDE * GEN_MAX_SIDE];
	int w, h;
	double cx, pitch;
	if (gen_sample(g, seed, idx, level, cls, kind, px, &w, &h, &cx, &pitch))
		return -1;
	/* One cell in eight is read alone (kyc_ocr_classify on a crop, or a
	 * cell at the band's end): its window holds the cell and paper. */
	uint64_t s = seed ^ (idx * 0x2545f4914f6cdd1dULL);
	if (gen_mix(&s) % 8 == 0) {
		int x0 = (int)floor(cx - 0.55 * pitch), x1 = (int)ceil(cx + 0.55 * pitch);
		x0 = x0 < 0 ? 0 : x0;
		x1 = x1 > w - 1 ? w - 1 : x1;
		return features_at(px + x0, x1 - x0 + 1, h, w, cx - x0, pitch, 0, h - 1, x);
	}
	return features_at(px, w, h, w, cx, pitch, 0, h - 1, x);
}

struct job {
	struct gen *g;
	const struct net *net;
	struct net grad[NCHUNK];
	double loss[NCHUNK];
	long step;
	int tid, nthreads, chunk_size;
};

static void *chunk_worker(void *arg)
{
	struct job *j = arg;
	float x[NIN_MAX];
	for (int c = j->tid; c < NCHUNK; c += j->nthreads) {
		memset(j->grad[c].p, 0, sizeof(float) * j->grad[c].n);
		j->loss[c] = 0;
		for (int i = 0; i < j->chunk_size; i++) {
			uint64_t idx = ((uint64_t)j->step * NCHUNK + c) * j->chunk_size + i;
			/* a stream of its own, so --mix 0 trains exactly as before */
			uint64_t m = opt_seed ^ (idx * 0x9fb21c651e98df25ULL);
			gen_mix(&m);
			if (mined.n && gen_unif(&m) < opt_mix) {
				int hard = mined.nhard && gen_unif(&m) < opt_hard;
				long k = hard ? mined.hard[gen_mix(&m) % (uint64_t)mined.nhard]
					      : (long)(gen_mix(&m) % (uint64_t)mined.n);
				if (mine_features(&mined, k, opt_fine, x)) {
					fprintf(stderr, "mined cell %ld unreadable\n", k);
					exit(1);
				}
				j->loss[c] += backprop(j->net, x, mined.c[k].label, &j->grad[c]);
				continue;
			}
			uint64_t s = opt_seed ^ (idx * 0xd1342543de82ef95ULL);
			gen_mix(&s);
			int cls, kind, label = pick_sample(&s, &cls, &kind);
			int level = pick_level(&s);
			if (make_features(j->g, opt_seed, idx, level, cls, kind, x)) {
				fprintf(stderr, "render failed\n");
				exit(1);
			}
			j->loss[c] += backprop(j->net, x, label, &j->grad[c]);
		}
	}
	return NULL;
}

static void write_array(FILE *f, const char *name, const float *v, size_t n)
{
	fprintf(f, "static const float %s[%zu] = {", name, n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.6g,", i % 10 ? " " : "\n\t", (double)v[i]);
	fprintf(f, "\n};\n\n");
}

static int write_model(const struct net *n, float temp, const char *path, const char *info)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "/* Generated by tools/ocr-train (scripts/train-ocr); do not edit.\n"
		   " * %s */\n#include \"document/ocr.h\"\n\n",
		info);
	write_array(f, "w1", n->w1, (size_t)n->h1 * (n->nin + n->nconv));
	write_array(f, "b1", n->b1, n->h1);
	write_array(f, "w2", n->w2, (size_t)n->h2 * n->h1);
	write_array(f, "b2", n->b2, n->h2);
	write_array(f, "w3", n->w3, (size_t)n->nout * n->h2);
	write_array(f, "b3", n->b3, n->nout);
	if (n->c1) {
		write_array(f, "cw1", n->cw1, 9 * (size_t)n->c1);
		write_array(f, "cb1", n->cb1, n->c1);
		write_array(f, "cw2", n->cw2, 9 * (size_t)n->c1 * n->c2);
		write_array(f, "cb2", n->cb2, n->c2);
	}
	fprintf(f,
		"const struct kyc_ocr_model kyc__ocr%s_model = {\n"
		"\t.nin = %d, .h1 = %d, .h2 = %d, .nout = %d, .temperature = %.6ff,\n"
		"\t.w1 = w1, .b1 = b1, .w2 = w2, .b2 = b2, .w3 = w3, .b3 = b3,\n",
		opt_fine ? "_fine" : "", n->nin, n->h1, n->h2, n->nout, (double)temp);
	if (n->c1)
		fprintf(f,
			"\t.c1 = %d, .c2 = %d, .cw1 = cw1, .cb1 = cb1, .cw2 = cw2, .cb2 = cb2,\n",
			n->c1, n->c2);
	fprintf(f, "};\n");
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

/* Temperature that minimises the negative log-likelihood of held-out cells. */
static float calibrate(const struct net *n, struct gen *g)
{
	enum { NCAL = 6000 };
	static float logits[NCAL][KYC_OCR_NOUT];
	static int labels[NCAL];
	float x[NIN_MAX], a1[KYC_OCR_MAX_HIDDEN], a2[KYC_OCR_MAX_HIDDEN];
	static struct conv_act ca;
	uint64_t cseed = opt_seed + 0x5eed;
	for (int i = 0; i < NCAL; i++) {
		uint64_t s = cseed * 31 + (uint64_t)i;
		gen_mix(&s);
		int cls, kind;
		labels[i] = pick_sample(&s, &cls, &kind);
		if (make_features(g, cseed, (uint64_t)i, pick_level(&s), cls, kind, x))
			exit(1);
		conv_run(n, x, &ca);
		forward(n, x, a1, a2, logits[i]);
	}
	float best_t = 1;
	double best = 1e30;
	for (float t = 0.3f; t < 4.0f; t += 0.05f) {
		double nll = 0;
		for (int i = 0; i < NCAL; i++) {
			float *z = logits[i];
			float zm = z[argmax(z, KYC_OCR_NOUT)];
			double sum = 0;
			for (int c = 0; c < KYC_OCR_NOUT; c++)
				sum += exp((z[c] - zm) / t);
			nll -= (z[labels[i]] - zm) / t - log(sum);
		}
		if (nll < best)
			best = nll, best_t = t;
	}
	fprintf(stderr, "calibration: temperature %.2f, nll %.4f\n", (double)best_t, best / NCAL);
	return best_t;
}

/* Continued training (--init 1): the model this tool was built with, which
 * is the one in src/document/ocr_model.c, so a run stays reproducible from
 * the committed file. A model without the context window starts the one with
 * it, and a model without the conv branch the one with it: the new inputs'
 * weights start at zero, so training starts from exactly the old model's
 * answers (the branch's own weights keep their random start). */
static int net_load_builtin(struct net *n)
{
	/* --fine 1 --init 2: the compiled-in finer model, continued */
	const struct kyc_ocr_model *m =
	    opt_fine && opt_init == 2 ? &kyc__ocr_fine_model : &kyc__ocr_model;
	if (m->nin > n->nin || m->h1 != n->h1 || m->h2 != n->h2 || m->nout != n->nout ||
	    (m->c1 && (m->c1 != n->c1 || m->c2 != n->c2))) {
		fprintf(stderr, "train: --init needs --h1 %d --h2 %d --c1 %d --c2 %d (the built-in model)\n",
			m->h1, m->h2, m->c1, m->c2);
		return -1;
	}
	int mconv = m->c1 ? KYC_OCR_PW * KYC_OCR_PH * m->c2 : 0;
	memset(n->w1, 0, sizeof(float) * (size_t)n->h1 * (n->nin + n->nconv));
	memcpy(n->w1, m->w1, sizeof(float) * (size_t)n->h1 * m->nin);
	if (mconv)
		memcpy(n->w1 + (size_t)n->h1 * n->nin, m->w1 + (size_t)n->h1 * m->nin,
		       sizeof(float) * (size_t)n->h1 * mconv);
	if (m->c1) {
		memcpy(n->cw1, m->cw1, sizeof(float) * 9 * (size_t)m->c1);
		memcpy(n->cb1, m->cb1, sizeof(float) * (size_t)m->c1);
		memcpy(n->cw2, m->cw2, sizeof(float) * 9 * (size_t)m->c1 * m->c2);
		memcpy(n->cb2, m->cb2, sizeof(float) * (size_t)m->c2);
	}
	memcpy(n->b1, m->b1, sizeof(float) * (size_t)n->h1);
	memcpy(n->w2, m->w2, sizeof(float) * (size_t)n->h2 * n->h1);
	memcpy(n->b2, m->b2, sizeof(float) * (size_t)n->h2);
	memcpy(n->w3, m->w3, sizeof(float) * (size_t)n->nout * n->h2);
	memcpy(n->b3, m->b3, sizeof(float) * (size_t)n->nout);
	return 0;
}

static int cmd_train(void)
{
	if (!opt_out) {
		fprintf(stderr, "train: --out FILE required\n");
		return 2;
	}
	if (opt_h1 > KYC_OCR_MAX_HIDDEN || opt_h2 > KYC_OCR_MAX_HIDDEN || opt_batch % NCHUNK ||
	    opt_threads < 1 || opt_threads > MAXT || opt_c1 < 0 || opt_c1 > KYC_OCR_MAX_CONV ||
	    opt_c1 % 4 || opt_c2 < 0 || opt_c2 > KYC_OCR_MAX_CONV || opt_c2 % 4 ||
	    (opt_c1 > 0) != (opt_c2 > 0)) {
		fprintf(stderr, "train: bad sizes\n");
		return 2;
	}
	struct net n, vel;
	int nin = opt_fine ? KYC_OCR_NIN_FINE : KYC_OCR_NIN_CTX;
	net_init(&n, nin, opt_h1, opt_h2, KYC_OCR_NOUT, opt_c1, opt_c2);
	net_init(&vel, nin, opt_h1, opt_h2, KYC_OCR_NOUT, opt_c1, opt_c2);
	uint64_t s = opt_seed;
	/* He initialisation; Box-Muller from the seeded stream. */
	struct {
		float *w;
		int fan_in;
		size_t cnt;
	} L[5] = {{n.w1, n.nin + n.nconv, (size_t)n.h1 * (n.nin + n.nconv)},
		  {n.w2, n.h1, (size_t)n.h2 * n.h1},
		  {n.w3, n.h2, (size_t)n.nout * n.h2},
		  {n.cw1, 9, 9 * (size_t)n.c1},
		  {n.cw2, 9 * n.c1, 9 * (size_t)n.c1 * n.c2}};
	for (int l = 0; l < 5; l++)
		for (size_t i = 0; i < L[l].cnt; i++) {
			double u = gen_unif(&s) + 1e-12, v = gen_unif(&s);
			L[l].w[i] = (float)(sqrt(-2 * log(u)) * cos(6.283185307 * v) *
					    sqrt(2.0 / L[l].fan_in));
		}
	if (opt_init && net_load_builtin(&n))
		return 2;
	if (opt_mined && opt_mix > 0) {
		if (mine_load(opt_mined, &mined) || (opt_hard > 0 && mine_find_hard(&mined)))
			return 1;
		fprintf(stderr,
			"train: %ld cells cut by the reader (%ld hard), %.0f%% of the batches, "
			"%.0f%% of those hard\n",
			mined.n, mined.nhard, 100 * opt_mix, 100 * opt_hard);
	}

	struct job jobs[MAXT];
	pthread_t th[MAXT];
	struct job shared;
	memset(&shared, 0, sizeof shared);
	for (int c = 0; c < NCHUNK; c++)
		net_init(&shared.grad[c], nin, opt_h1, opt_h2, KYC_OCR_NOUT, opt_c1, opt_c2);
	for (int t = 0; t < opt_threads; t++) {
		jobs[t].g = gen_new(opt_font);
		if (!jobs[t].g) {
			fprintf(stderr, "cannot load font %s\n", opt_font);
			return 1;
		}
	}
	double t0 = now_s(), loss_acc = 0;
	long loss_n = 0;
	const float mom = 0.9f, wd = 1e-5f;
	for (long step = 0; step < opt_steps; step++) {
		for (int t = 0; t < opt_threads; t++) {
			struct gen *g = jobs[t].g;
			jobs[t] = shared;
			jobs[t].g = g;
			jobs[t].net = &n;
			jobs[t].step = step;
			jobs[t].tid = t;
			jobs[t].nthreads = opt_threads;
			jobs[t].chunk_size = opt_batch / NCHUNK;
			pthread_create(&th[t], NULL, chunk_worker, &jobs[t]);
		}
		for (int t = 0; t < opt_threads; t++)
			pthread_join(th[t], NULL);
		/* Fixed chunk order whatever thread ran which chunk. */
		for (int c = 0; c < NCHUNK; c++)
			loss_acc += jobs[c % opt_threads].loss[c];
		loss_n += opt_batch;
		double prog = (double)step / (double)opt_steps;
		float lr = (float)(opt_lr * (0.02 + 0.98 * 0.5 * (1 + cos(3.141592653589793 * prog))));
		float scale = 1.0f / (float)opt_batch;
		for (size_t i = 0; i < n.n; i++) {
			float gsum = 0;
			for (int c = 0; c < NCHUNK; c++)
				gsum += shared.grad[c].p[i];
			vel.p[i] = mom * vel.p[i] - lr * (gsum * scale + wd * n.p[i]);
			n.p[i] += vel.p[i];
		}
		if ((step + 1) % 1000 == 0) {
			fprintf(stderr, "step %ld/%ld loss %.4f lr %.4f %.0fs\n", step + 1, opt_steps,
				loss_acc / (double)loss_n, (double)lr, now_s() - t0);
			loss_acc = 0;
			loss_n = 0;
		}
	}
	float temp = calibrate(&n, jobs[0].g);
	char info[512], convinfo[96] = "";
	if (n.c1)
		snprintf(convinfo, sizeof convinfo, " + conv 3x3 (%d) pool conv 3x3 (%d) pool = %d",
			 n.c1, n.c2, n.nconv);
	char mineinfo[160] = "";
	if (mined.n)
		snprintf(mineinfo, sizeof mineinfo,
			 ", %.0f%% of the cells from %ld cut by the reader (%.0f%% of those from its %ld "
			 "hard ones)",
			 100 * opt_mix, mined.n, 100 * opt_hard, mined.nhard);
	const char *from = "";
	if (opt_init == 2 && opt_fine)
		from = ", continued from the finer model";
	else if (opt_init)
		from = ", continued from the previous model";
	snprintf(info, sizeof info,
		 "MLP %d%s-%d-%d-%d, seed %llu, %ld steps of batch %d, lr %g%s%s, trained in %.0f s.",
		 n.nin, convinfo, n.h1, n.h2, n.nout, (unsigned long long)opt_seed, opt_steps, opt_batch,
		 opt_lr, from, mineinfo, now_s() - t0);
	if (write_model(&n, temp, opt_out, info)) {
		fprintf(stderr, "cannot write %s\n", opt_out);
		return 1;
	}
	fprintf(stderr, "wrote %s (%s)\n", opt_out, info);
	for (int t = 0; t < opt_threads; t++)
		gen_free(jobs[t].g);
	for (int c = 0; c < NCHUNK; c++)
		free(shared.grad[c].p);
	free(n.p);
	free(vel.p);
	mine_free(&mined);
	return 0;
}

/* ---- evaluation of the compiled-in model through the public API ---- */

static int cmd_eval(void)
{
	struct gen *g = gen_new(opt_font);
	if (!g) {
		fprintf(stderr, "cannot load font %s\n", opt_font);
		return 1;
	}
	static long conf[KYC_OCR_NCLASSES][KYC_OCR_NCLASSES];
	long rel_n[4] = {0}, rel_ok[4] = {0};
	unsigned char px[GEN_MAX_SIDE * GEN_MAX_SIDE];
	printf("seed %llu, %ld cells per level\n", (unsigned long long)opt_seed, opt_n);
	printf("level   top1      top2      mean score right / wrong   us/cell\n");
	for (int level = 0; level < GEN_NLEVELS; level++) {
		long right = 0, right2 = 0, nwrong = 0;
		double sr = 0, sw = 0, tcls = 0;
		for (long i = 0; i < opt_n; i++) {
			int cls = (int)(i % KYC_OCR_NCLASSES), w, h;
			double cx, pitch;
			if (gen_sample(g, opt_seed, (uint64_t)(i + level * 10000000L), level, cls, 0, px,
				       &w, &h, &cx, &pitch))
				return 1;
			struct kyc_ocr_guess out[4];
			double t0 = cpu_s();
			int k = kyc_ocr_classify_at(px, w, h, w, cx, pitch, 0, h - 1, out, 4);
			tcls += cpu_s() - t0;
			if (k < 2)
				return 1;
			int got = (int)(strchr(KYC_OCR_CLASSES, out[0].ch) - KYC_OCR_CLASSES);
			conf[cls][got]++;
			int bin = out[0].score < 0.5f ? 0 : out[0].score < 0.9f ? 1 : out[0].score < 0.99f ? 2 : 3;
			rel_n[bin]++;
			rel_ok[bin] += got == cls;
			if (got == cls) {
				right++;
				sr += out[0].score;
			} else {
				nwrong++;
				sw += out[0].score;
			}
			if (got == cls || out[1].ch == KYC_OCR_CLASSES[cls])
				right2++;
			else if (opt_out && nwrong <= 80) {
				/* --out DIR: keep the misses for a look */
				char path[4096];
				snprintf(path, sizeof path, "%s/L%d_%04ld_%c_as_%c.pgm", opt_out, level,
					 i, KYC_OCR_CLASSES[cls] == '<' ? '_' : KYC_OCR_CLASSES[cls],
					 out[0].ch == '<' ? '_' : out[0].ch);
				FILE *f = fopen(path, "wb");
				if (f) {
					fprintf(f, "P5\n%d %d\n255\n", w, h);
					fwrite(px, 1, (size_t)w * h, f);
					fclose(f);
				}
			}
		}
		printf("%-6s %7.3f%%  %7.3f%%  %.3f / %.3f           %.1f\n",
		       level == 0 ? "clean" : level == 1 ? "mild" : "heavy",
		       100.0 * right / opt_n, 100.0 * right2 / opt_n, right ? sr / right : 0,
		       nwrong ? sw / nwrong : 0, tcls / opt_n * 1e6);
	}
	printf("calibration (all levels): top score -> cells, share right\n");
	static const char *bins[4] = {"< 0.5", "0.5-0.9", "0.9-0.99", ">= 0.99"};
	for (int b = 0; b < 4; b++)
		printf("  %-9s %6ld  %.4f\n", bins[b], rel_n[b],
		       rel_n[b] ? (double)rel_ok[b] / rel_n[b] : 0);
	printf("non-characters: mean top score, share with top score >= 0.5\n");
	for (int level = 0; level < GEN_NLEVELS; level++)
		for (int kind = 1; kind < GEN_NKINDS; kind++) {
			double sum = 0;
			long hi = 0, n = opt_n / 4;
			for (long i = 0; i < n; i++) {
				const char *u = GEN_UPSIDE_CLASSES;
				int cls = kind == GEN_UPSIDE
						  ? (int)(strchr(KYC_OCR_CLASSES, u[i % (long)strlen(u)]) -
							  KYC_OCR_CLASSES)
						  : (int)(i % KYC_OCR_NCLASSES);
				int w, h;
				double cx, pitch;
				if (gen_sample(g, opt_seed + 1, (uint64_t)i, level, cls, kind, px, &w, &h,
					       &cx, &pitch))
					return 1;
				struct kyc_ocr_guess out[1];
				if (kyc_ocr_classify_at(px, w, h, w, cx, pitch, 0, h - 1, out, 1) != 1)
					return 1;
				sum += out[0].score;
				hi += out[0].score >= 0.5f;
			}
			printf("  %-6s %-9s %.3f  %.3f\n",
			       level == 0 ? "clean" : level == 1 ? "mild" : "heavy",
			       kind == GEN_UPSIDE ? "upside" : kind == GEN_STRADDLE ? "straddle" : "blank",
			       sum / n, (double)hi / n);
		}
	printf("confusions (true -> read: count), all levels:\n");
	for (int a = 0; a < KYC_OCR_NCLASSES; a++)
		for (int b = 0; b < KYC_OCR_NCLASSES; b++)
			if (a != b && conf[a][b] >= 2)
				printf("  %c -> %c: %ld\n", KYC_OCR_CLASSES[a], KYC_OCR_CLASSES[b],
				       conf[a][b]);
	gen_free(g);
	return 0;
}

static int cmd_dump(void)
{
	struct gen *g = gen_new(opt_font);
	if (!g)
		return 1;
	unsigned char px[GEN_MAX_SIDE * GEN_MAX_SIDE];
	for (long i = 0; i < opt_n; i++) {
		int cls = (int)(i % KYC_OCR_NCLASSES), w, h;
		double cx, pitch;
		if (gen_sample(g, opt_seed, (uint64_t)i, opt_level, cls, 0, px, &w, &h, &cx, &pitch))
			return 1;
		char path[4096];
		snprintf(path, sizeof path, "%s/%04ld_%c.pgm", opt_dir, i,
			 KYC_OCR_CLASSES[cls] == '<' ? '_' : KYC_OCR_CLASSES[cls]);
		FILE *f = fopen(path, "wb");
		if (!f)
			return 1;
		fprintf(f, "P5\n%d %d\n255\n", w, h);
		fwrite(px, 1, (size_t)w * h, f);
		fclose(f);
	}
	gen_free(g);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ocr-train train|eval|dump [options]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--font"))
			opt_font = v;
		else if (!strcmp(k, "--out"))
			opt_out = v;
		else if (!strcmp(k, "--dir"))
			opt_dir = v;
		else if (!strcmp(k, "--seed"))
			opt_seed = strtoull(v, NULL, 10);
		else if (!strcmp(k, "--steps"))
			opt_steps = strtol(v, NULL, 10);
		else if (!strcmp(k, "--n"))
			opt_n = strtol(v, NULL, 10);
		else if (!strcmp(k, "--batch"))
			opt_batch = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--h1"))
			opt_h1 = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--h2"))
			opt_h2 = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--c1"))
			opt_c1 = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--c2"))
			opt_c2 = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--threads"))
			opt_threads = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--level"))
			opt_level = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--fine"))
			opt_fine = atoi(v);
		else if (!strcmp(k, "--init"))
			opt_init = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--lr"))
			opt_lr = strtod(v, NULL);
		else if (!strcmp(k, "--mined"))
			opt_mined = v;
		else if (!strcmp(k, "--mix"))
			opt_mix = strtod(v, NULL);
		else if (!strcmp(k, "--hard"))
			opt_hard = strtod(v, NULL);
		else if (!strcmp(k, "--extra"))
			opt_extra = (int)strtol(v, NULL, 10);
		else if (!strcmp(k, "--seeds")) {
			char *e;
			opt_seed_first = strtoull(v, &e, 10);
			opt_seed_last = *e == '-' ? strtoull(e + 1, NULL, 10) : opt_seed_first;
		}
		else {
			fprintf(stderr, "unknown option %s\n", k);
			return 2;
		}
	}
	/* Seeds kept for measuring the reader are never trained on; `mine`
	 * checks its kycd synth seeds too (docs/synth.md, "Evaluation seeds"). */
	if (kyc_synth_seed_is_eval(opt_seed)) {
		fprintf(stderr, "ocr-train: %llu is an evaluation seed (docs/synth.md)\n",
			(unsigned long long)opt_seed);
		return 2;
	}
	if (!strcmp(argv[1], "train"))
		return cmd_train();
	if (!strcmp(argv[1], "eval"))
		return cmd_eval();
	if (!strcmp(argv[1], "real"))
		return cmd_real(opt_out ? opt_out : "tools/ocr-train/realdocs.txt", opt_dir);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump();
	if (!strcmp(argv[1], "mine")) {
		if (!opt_out || !opt_seed_first) {
			fprintf(stderr, "mine: --seeds A-B and --out FILE required\n");
			return 2;
		}
		return mine_run(opt_seed_first, opt_seed_last, opt_extra, opt_threads, opt_out) ? 1 : 0;
	}
	fprintf(stderr, "unknown command %s\n", argv[1]);
	return 2;
}
