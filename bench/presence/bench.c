/* bench/presence: the document-presence decision (src/document/presence.h)
 * on photos that must wait for their back (generated ID-card fronts without
 * an MRZ) and photos of no document (real face photos, the generator's bare
 * desk, and generated walls, checkerboards, noise and landscapes): how many
 * of each are said to hold a document, with the figures the decision rests
 * on. Each photo is JPEG-encoded and decoded as the workflow decodes it.
 *
 *   build/bench/presence N SEED [FACE_DIR]                                */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/lib/img.h"
#include "../../tests/lib/specimen.h"
#include "../lib/timing.h"
#include "document/presence.h"
#include "document/reader.h"
#include "document/synth.h"
#include "document/synth_card.h"

struct tally {
	const char *name;
	int want; /* 1: must be found (waits for the back), 0: must not */
	int n, found;
	double ms;
};

static uint64_t rng;
static double unit(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void measure(struct tally *t, const unsigned char *jpg, size_t len, const char *label)
{
	struct kyc_image img = {0};
	const char *why = NULL;
	struct kyc_image_opts io = {.max_bytes = len, .max_pixels = 50000000,
				    .target_side = KYC_READER_DECODE_SIDE};
	if (kyc_image_decode(jpg, len, &io, &img, &why)) {
		fprintf(stderr, "%s: %s: not decoded (%s)\n", t->name, label, why ? why : "?");
		return;
	}
	struct kyc_presence p;
	double t0 = bench_cpu_ms();
	if (kyc_presence_card(&img, &p) == 0) {
		t->ms += bench_cpu_ms() - t0;
		t->n++;
		t->found += p.found;
		if (p.found != t->want || getenv("PRESENCE_VERBOSE"))
			fprintf(stderr, "%s %s: found %d edge %.1f ink %.3f texture %.0f\n", t->name,
				label, p.found, p.edge, p.ink, p.texture);
	}
	kyc_image_free(&img);
}

static void measure_rgb(struct tally *t, const struct kyc_synth_image *im, const char *label)
{
	unsigned char *jpg = NULL;
	size_t len = 0;
	if (kyc_synth_jpeg(im, 88, &jpg, &len) == 0)
		measure(t, jpg, len, label);
	free(jpg);
}

/* A gray picture of fn(x, y) in 0..255, as RGB. */
static int gray_image(int w, int h, double (*fn)(int, int, int, int, const double *),
		      const double *prm, struct kyc_synth_image *im)
{
	im->w = w, im->h = h;
	im->px = malloc((size_t)w * (size_t)h * 3);
	if (!im->px)
		return -1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double v = fn(x, y, w, h, prm) + (unit() - 0.5) * prm[0];
			unsigned char c = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
			memset(im->px + ((size_t)y * (size_t)w + (size_t)x) * 3, c, 3);
		}
	return 0;
}

/* A painted wall: one tone, light falling off across it. prm: noise, tone, falloff. */
static double wall(int x, int y, int w, int h, const double *prm)
{
	double dx = (double)x / w - 0.3, dy = (double)y / h - 0.2;
	return prm[1] * (1 - prm[2] * sqrt(dx * dx + dy * dy));
}

/* Smooth value noise of a few octaves (a landscape's texture). */
static double vnoise(double x, double y, unsigned seed)
{
	int ix = (int)floor(x), iy = (int)floor(y);
	double fx = x - ix, fy = y - iy, c[2][2];
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 2; i++) {
			unsigned hsh = (unsigned)(ix + i) * 374761393u + (unsigned)(iy + j) * 668265263u + seed;
			hsh = (hsh ^ (hsh >> 13)) * 1274126177u;
			c[j][i] = (double)(hsh & 0xffff) / 65535.0;
		}
	fx = fx * fx * (3 - 2 * fx), fy = fy * fy * (3 - 2 * fy);
	return (c[0][0] * (1 - fx) + c[0][1] * fx) * (1 - fy) + (c[1][0] * (1 - fx) + c[1][1] * fx) * fy;
}

/* A landscape: a sky darkening upwards, a ridge of hills, textured ground.
 * prm: noise, horizon (share of the height), seed. */
static double landscape(int x, int y, int w, int h, const double *prm)
{
	unsigned s = (unsigned)prm[2];
	double ridge = prm[1] * h + 0.12 * h * (vnoise(x / 90.0, 0, s) - 0.5) +
		       0.04 * h * (vnoise(x / 20.0, 3, s));
	if (y < ridge)
		return 150 + 80.0 * y / h + 20 * vnoise(x / 200.0, y / 60.0, s + 1);
	double t = 0;
	for (int o = 0; o < 4; o++)
		t += vnoise(x / (60.0 / (1 << o)), y / (40.0 / (1 << o)), s + 7 + (unsigned)o) / (1 << o);
	return 40 + 70 * t;
}

/* White noise of tone. */
static double noise(int x, int y, int w, int h, const double *prm)
{
	(void)x, (void)y, (void)w, (void)h, (void)prm;
	return 255 * unit();
}

static void report(const struct tally *t, int nt)
{
	printf("%-34s %6s %6s %8s %8s\n", "set", "photos", "found", "share", "ms/photo");
	for (int i = 0; i < nt; i++)
		printf("%-34s %6d %6d %7.1f%% %8.1f\n", t[i].name, t[i].n, t[i].found,
		       t[i].n ? 100.0 * t[i].found / t[i].n : 0, t[i].n ? t[i].ms / t[i].n : 0);
	int pn = 0, pf = 0, nn = 0, nf = 0;
	for (int i = 0; i < nt; i++) {
		if (t[i].want)
			pn += t[i].n, pf += t[i].found;
		else
			nn += t[i].n, nf += t[i].found;
	}
	printf("\nbaseline (no decision: any front the reader finds no MRZ on waits for the back): "
	       "%d of %d photos of no document said to hold one\n",
	       nn, nn);
	printf("\nconfusion          said document   said none\n");
	printf("card fronts (%4d)      %5d        %5d   (%.1f%% wait for the back)\n", pn, pf,
	       pn - pf, pn ? 100.0 * pf / pn : 0);
	printf("no document (%4d)      %5d        %5d   (%.1f%% fail at once)\n", nn, nf, nn - nf,
	       nn ? 100.0 * (nn - nf) / nn : 0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261202;
	const char *faces = argc > 3 ? argv[3] : "build/models/face-api/samples";
	rng = seed;
	struct tally t[] = {
	    {"TD1 front, MRZ painted out (L0)", 1, 0, 0, 0},
	    {"card front without MRZ (nomrz L0)", 1, 0, 0, 0},
	    {"card front without MRZ (nomrz L1)", 1, 0, 0, 0},
	    {"Egyptian ID front (L0)", 1, 0, 0, 0},
	    {"Egyptian ID front (L1)", 1, 0, 0, 0},
	    {"real face photos", 0, 0, 0, 0},
	    {"bare desk (nomrz L0, L1)", 0, 0, 0, 0},
	    {"wall", 0, 0, 0, 0},
	    {"checkerboard", 0, 0, 0, 0},
	    {"white noise", 0, 0, 0, 0},
	    {"landscape", 0, 0, 0, 0},
	};
	char label[64];
	for (int i = 0; i < n; i++) {
		snprintf(label, sizeof label, "#%d", i);
		unsigned char *jpg = NULL;
		size_t len = 0;
		if (specimen_card_front(seed, i * 20, KYC_SYNTH_TD1, &jpg, &len) == 0)
			measure(&t[0], jpg, len, label);
		free(jpg);
		/* the nomrz class: kind 0 is a card's front, 5 the bare desk
		 * (docs/synth.md); walk the indexes until one of each */
		for (int lv = 0; lv < 2; lv++) {
			int got_front = 0, got_desk = lv == 1 && i % 2;
			for (int k = i * 50; k < i * 50 + 50 && !(got_front && got_desk); k++) {
				struct kyc_synth_doc d;
				struct kyc_synth_image im;
				if (kyc_synth_render_class(seed, k, lv, KYC_SYNTH_CLASS_NOMRZ, KYC_SYNTH_TD1,
							   &d, &im))
					continue;
				if (d.nomrz_kind == 0 && !got_front)
					measure_rgb(&t[1 + lv], &im, label), got_front = 1;
				else if (d.nomrz_kind == 5 && !got_desk)
					measure_rgb(&t[6], &im, label), got_desk = 1;
				kyc_synth_image_release(&im);
			}
		}
		for (int lv = 0; lv < 2; lv++) {
			struct kyc_egnid_card card;
			struct kyc_synth_card_shot shot;
			struct kyc_synth_image im;
			kyc_synth_egnid_card(seed, i, &card);
			if (kyc_synth_egnid_render(seed, i, lv, KYC_CARD_FRONT, &card, &shot, &im) == 0) {
				measure_rgb(&t[3 + lv], &im, label);
				kyc_synth_image_release(&im);
			}
		}
		struct kyc_synth_image im;
		int w = 900 + (int)(unit() * 700), h = w * 3 / 4;
		double pw[3] = {6 + unit() * 10, 120 + unit() * 110, unit() * 0.5};
		if (gray_image(w, h, wall, pw, &im) == 0)
			measure_rgb(&t[7], &im, label), kyc_synth_image_release(&im);
		double pn[3] = {0, 0, 0};
		if (gray_image(w, h, noise, pn, &im) == 0)
			measure_rgb(&t[9], &im, label), kyc_synth_image_release(&im);
		double pl[3] = {10, 0.3 + unit() * 0.35, (double)(unsigned)(unit() * 1e6)};
		if (gray_image(w, h, landscape, pl, &im) == 0)
			measure_rgb(&t[10], &im, label), kyc_synth_image_release(&im);
		size_t cl = 0;
		unsigned char *cb = timg_jpeg(w, h, 80, &cl);
		if (cb)
			measure(&t[8], cb, cl, label);
		free(cb);
	}
	DIR *dir = opendir(faces);
	struct dirent *de;
	while (dir && (de = readdir(dir)) != NULL) {
		if (!strstr(de->d_name, ".jpg"))
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", faces, de->d_name);
		FILE *fp = fopen(path, "rb");
		if (!fp)
			continue;
		unsigned char *buf = malloc(8u << 20);
		size_t len = buf ? fread(buf, 1, 8u << 20, fp) : 0;
		fclose(fp);
		if (len)
			measure(&t[5], buf, len, de->d_name);
		free(buf);
	}
	if (dir)
		closedir(dir);
	else
		fprintf(stderr, "bench/presence: no %s (scripts/fetch-models): no real faces\n", faces);
	printf("bench/presence: %d per generated set, seed %llu\n\n", n, (unsigned long long)seed);
	report(t, (int)(sizeof t / sizeof t[0]));
	return 0;
}
