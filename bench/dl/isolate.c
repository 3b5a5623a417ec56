/* bench/dl/isolate: what running every zxing read in a child process
 * (core/isolate.h, src/document/barcode_zxing.cpp) costs.
 *  - one fork: kyc_isolate_run of a function that only fills a result of
 *    KYC_BARCODE_MAX symbols, wall ms (median, p90) over 200 runs, at this
 *    process's resident size and with BALLAST_MB more touched (a server's
 *    models: a fork copies the page tables of what is mapped), and with
 *    the face engine loaded as kycd serve loads it (BENCH_FACE=1), before
 *    the ballast;
 *  - a back: kyc_dl_read of N generated backs a level (development seed),
 *    each read three ways in the same run (the order rotating): in the
 *    process (the baseline, unsafe), one child for the side (the default),
 *    and a child for every zxing read; wall ms, and CPU ms of this thread
 *    plus its reaped children (the reads' CPU is theirs when guarded), and
 *    whether all three gave the same answer.
 * Usage: [BENCH_FACE=1] isolate N SEED [BALLAST_MB]. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/isolate.h"
#include "document/barcode.h"
#include "document/card_dl_aamva.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "face/face.h"
#include "lib/timing.h"

static double wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double rss_mb(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f && fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = 0;
	if (f)
		fclose(f);
	return res * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static int nothing(void *arg, void *out, size_t out_len)
{
	memset(out, 0, out_len);
	return 0;
}

static void fork_cost(const char *label)
{
	enum { RUNS = 200 };
	static double t[RUNS];
	static struct kyc_barcode out[KYC_BARCODE_MAX];
	for (int i = 0; i < RUNS; i++) {
		double t0 = wall_ms();
		if (kyc_isolate_run(nothing, NULL, out, sizeof out, 10000, NULL))
			fprintf(stderr, "isolate failed\n");
		t[i] = wall_ms() - t0;
	}
	printf("| %s | %.0f MB | %.2f / %.2f |\n", label, rss_mb(), bench_percentile(t, RUNS, 0.5),
	       bench_percentile(t, RUNS, 0.9));
	fflush(stdout);
}

/* The answer of one read, to compare off and on: the reason, or the
 * document number when the barcode was read. */
static void answer(const json_t *x, char *out, size_t n)
{
	const char *why = json_string_value(json_object_get(x, "reason"));
	const json_t *num = json_object_get(json_object_get(x, "fields"), "document_number");
	snprintf(out, n, "%s/%s", why ? why : "-",
	         json_string_value(json_object_get(num, "value"))
	             ? json_string_value(json_object_get(num, "value"))
	             : "-");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30; /* banned-ok: the bench's own argument */
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 4711;
	int ballast = argc > 3 ? atoi(argv[3]) : 0; /* banned-ok: the bench's own argument */
	printf("| process | resident | one fork, wall ms median / p90 |\n| --- | --- | --- |\n");
	fork_cost("bench alone");
	struct kyc_face_engine *face = NULL;
	if (getenv("BENCH_FACE")) {
		char err[256];
		if (kyc_face_engine_open(NULL, &face, err, sizeof err)) {
			fprintf(stderr, "no face engine: %s\n", err);
			return 1;
		}
		fork_cost("with the face engine (as kycd serve)");
	}
	char *b = NULL;
	if (ballast > 0) {
		b = malloc((size_t)ballast << 20);
		if (!b)
			return 1;
		memset(b, 1, (size_t)ballast << 20);
		char label[64];
		snprintf(label, sizeof label, "with %d MB touched", ballast);
		fork_cost(label);
	}
	double *w[3], *c[3];
	for (int k = 0; k < 3; k++)
		w[k] = malloc(sizeof(double) * (size_t)n),
		c[k] = malloc(sizeof(double) * (size_t)n);
	static const enum kyc_barcode_isolation modes[3] = {
	    KYC_BARCODE_IN_PROCESS, KYC_BARCODE_ISOLATED, KYC_BARCODE_ISOLATED_EACH_READ};
	printf("\n| level | backs | same answer | CPU ms median / p90: in process (baseline) | a "
	       "child a side | ratio (median) | a child a read | ratio (median) | wall ms median: "
	       "in process / a side / a read |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (int level = 0; level <= 2; level++) {
		int same = 0;
		for (int i = 1; i <= n; i++) {
			struct kyc_dl_card card;
			struct kyc_image im;
			double module;
			kyc_synth_dl_card(seed, i, &card);
			if (kyc_synth_dl_upload(seed, i, level, KYC_CARD_BACK, &card,
			                        KYC_READER_DECODE_SIDE, &im, NULL, &module))
				return 1;
			char ans[3][128];
			for (int j = 0; j < 3; j++) {
				int on = (i + j) % 3; /* each way first on a third of the backs */
				kyc_barcode_set_isolated(modes[on]);
				int err = 0;
				double t0 = wall_ms(), c0 = bench_cpu_children_ms();
				json_t *x = kyc_dl_read(NULL, &im, &err);
				c[on][i - 1] = bench_cpu_children_ms() - c0;
				w[on][i - 1] = wall_ms() - t0;
				answer(x, ans[on], sizeof ans[on]);
				json_decref(x);
			}
			same += !strcmp(ans[0], ans[1]) && !strcmp(ans[0], ans[2]);
			kyc_image_free(&im);
		}
		double wm[3], wp[3], cm[3], cp[3];
		for (int k = 0; k < 3; k++) {
			wm[k] = bench_percentile(w[k], n, 0.5),
			wp[k] = bench_percentile(w[k], n, 0.9);
			cm[k] = bench_percentile(c[k], n, 0.5),
			cp[k] = bench_percentile(c[k], n, 0.9);
		}
		(void)wp;
		printf("| %d | %d | %d | %.1f / %.1f | %.1f / %.1f | %.2f | %.1f / %.1f | %.2f | "
		       "%.0f / %.0f / %.0f |\n",
		       level, n, same, cm[0], cp[0], cm[1], cp[1], cm[1] / cm[0], cm[2], cp[2],
		       cm[2] / cm[0], wm[0], wm[1], wm[2]);
		fflush(stdout);
	}
	kyc_barcode_set_isolated(KYC_BARCODE_ISOLATED);
	kyc_face_engine_free(face);
	free(b);
	return 0;
}
