/* bench/dl: driving licences by barcode (docs/dl.md) on generated cards
 * (`kycd synth --kind dl-aamva`'s generator) at levels 0, 1 and 2, decoded
 * as an upload is (JPEG decoded at the reader's size, kyc_dl_read):
 *  - the back: the share of cards whose AAMVA data decodes with every field
 *    exactly the card's, and its CPU ms (median, p90, p95) on one core; beside
 *    it the baseline, zxing-cpp alone on the whole picture (one
 *    ReadBarcodes, no rectification or turn), measured in the same run on
 *    the same pictures, and the ratios;
 *  - the front and back together: the printed fields' exact share and the
 *    cross-check: cards whose front contradicts the barcode though both
 *    are the same card (false alarms), and forged fronts (the printed birth
 *    year one off) that are flagged.
 * Usage: bench N SEED. BENCH_DL_BACKS_ONLY=1 stops after the backs' tables,
 * BENCH_DL_LEVELS=2 (or 01, ...) reads the backs of those levels only;
 * BENCH_DL_SOFT=0 turns the grid reader's soft correction off (the
 * comparison of bench/dl/compare; a library without it ignores this);
 * BENCH_VERBOSE=1 names each back not read (level, index, reason, module)
 * and each field that differs, on stderr; BENCH_DL_CACHE=DIR keeps the
 * pictures drawn in DIR for the next run (photo()). CPU ms count the child processes
 * the zxing reads run in (core/isolate.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/aamva.h"
#include "document/barcode.h"
#include "document/card_tpl.h"
#include "document/card_dl_aamva.h"
#include "document/image.h"
#include "document/pdf417_grid.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "document/tess.h"
#include "lib/timing.h"

/* Weak: bench/dl/compare links this bench to libraries without it too. */
__attribute__((weak)) void kyc_pdf417_grid_set_soft(int on);

/* The module of the last back photographed, px in the picture as decoded
 * (the generator's module times the card's scale in the photo). */
static double last_module_px;

/* as an upload is decoded (src/flows/workflow_submit.c); with
 * BENCH_DL_CACHE=DIR each picture is kept there as it was decoded (its
 * size, module and gray pixels) and taken from there the next time, so
 * that two libraries read the same pictures without drawing them twice
 * (bench/dl/compare; the drawing is most of a run's time). Not the
 * front's forged copy, which is drawn from another card. */
static int photo(uint64_t seed, int i, int level, enum kyc_card_side side,
		 const struct kyc_dl_card *c, struct kyc_image *out)
{
	const char *dir = getenv("BENCH_DL_CACHE");
	char path[512];
	if (dir)
		snprintf(path, sizeof path, "%s/%llu-%d-%d-%d-%.10s.gray", dir,
			 (unsigned long long)seed, level, (int)side, i, c->birth_date);
	FILE *f = dir ? fopen(path, "rb") : NULL;
	if (f) {
		int wh[2] = {0, 0}, ok = fread(wh, sizeof wh, 1, f) == 1 &&
					  fread(&last_module_px, sizeof last_module_px, 1, f) == 1;
		unsigned char *g = ok && wh[0] > 0 && wh[1] > 0 && wh[0] < 20000 && wh[1] < 20000
				       ? malloc((size_t)wh[0] * (size_t)wh[1])
				       : NULL;
		ok = g && fread(g, (size_t)wh[0] * (size_t)wh[1], 1, f) == 1 &&
		     !kyc_image_from_gray(g, wh[0], wh[1], wh[0], out);
		free(g);
		fclose(f);
		if (ok)
			return 0;
	}
	int rc = kyc_synth_dl_upload(seed, i, level, side, c, KYC_READER_DECODE_SIDE, out, NULL,
				     &last_module_px);
	if (!rc && dir && (f = fopen(path, "wb"))) {
		int wh[2] = {out->w, out->h};
		fwrite(wh, sizeof wh, 1, f);
		fwrite(&last_module_px, sizeof last_module_px, 1, f);
		fwrite(out->gray, (size_t)out->w * (size_t)out->h, 1, f);
		fclose(f);
	}
	return rc;
}

/* Whether the fields of x are every field of the card's truth line. */
static int all_exact(const json_t *x, const json_t *truth)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)truth, k, v)
	{
		const json_t *f = json_object_get(json_object_get(x, "fields"), k);
		const char *got = json_string_value(json_object_get(f, "value"));
		if (!got || strcmp(got, json_string_value(v))) {
			if (getenv("BENCH_VERBOSE"))
				fprintf(stderr, "%s: %s != %s\n", k, got ? got : "(none)",
					json_string_value(v));
			return 0;
		}
	}
	return 1;
}

static const char *const front_fields[] = {"document_number", "surname",    "given_names",
					   "birth_date",      "issue_date", "expiry_date", "sex"};
#define NFF (sizeof front_fields / sizeof front_fields[0])

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50; /* banned-ok: the bench's own argument */
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	double *ours = malloc(sizeof(double) * (size_t)n), *base = malloc(sizeof(double) * (size_t)n);
	struct kyc_barcode *b = malloc(KYC_BARCODE_MAX * sizeof *b);
	const char *soft = getenv("BENCH_DL_SOFT");
	if (soft && kyc_pdf417_grid_set_soft)
		kyc_pdf417_grid_set_soft(strcmp(soft, "0") != 0);
	/* the backs of every level by their module in the picture: decoded, and
	 * the reason of those not decoded */
	static const double edges[] = {0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 1e9};
#define NBIN (sizeof edges / sizeof edges[0] - 1)
	int bin_n[NBIN] = {0}, bin_ok[NBIN] = {0}, bin_small[NBIN] = {0}, bin_unread[NBIN] = {0},
	    bin_none[NBIN] = {0};
	printf("| level | cards | decoded, every field exact | decoded wrong | zxing alone (baseline) | ratio | ms median / p90 / p95 | baseline ms median / p90 | ratio (median) |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	const char *levels = getenv("BENCH_DL_LEVELS");
	for (int level = 0; level <= 2; level++) {
		if (levels && !strchr(levels, '0' + level))
			continue;
		int ok = 0, base_ok = 0, wrong = 0;
		for (int i = 1; i <= n; i++) {
			struct kyc_dl_card c;
			struct kyc_image im;
			kyc_synth_dl_card(seed, i, &c);
			if (photo(seed, i, level, KYC_CARD_BACK, &c, &im))
				return 1;
			kyc_buf line;
			kyc_buf_init(&line, 1 << 16);
			struct kyc_synth_card_shot shots[2] = {{0}};
			const char *files[2] = {"", ""};
			kyc_synth_dl_truth_json(&c, seed, i, shots, files, &line);
			json_t *t = json_loads(line.data, 0, NULL);
			kyc_buf_release(&line);
			double t0 = bench_cpu_children_ms();
			int nb = kyc_barcode_read(im.gray, im.w, im.h, im.w, KYC_BARCODE_PDF417, b,
						  KYC_BARCODE_MAX);
			base[i - 1] = bench_cpu_children_ms() - t0;
			static struct kyc_aamva a;
			base_ok += nb > 0 && !kyc_aamva_parse(b[0].data, b[0].len, &a, NULL);
			int err = 0;
			t0 = bench_cpu_children_ms();
			json_t *x = kyc_dl_read(NULL, &im, &err);
			ours[i - 1] = bench_cpu_children_ms() - t0;
			int exact = json_is_true(json_object_get(x, "barcode_found")) &&
				    all_exact(x, json_object_get(t, "fields"));
			ok += exact;
			/* a barcode taken for the card's that is not: must never be */
			wrong += !exact && json_is_true(json_object_get(x, "barcode_found"));
			size_t k = 0;
			while (k + 1 < NBIN && last_module_px >= edges[k + 1])
				k++;
			const char *why = json_string_value(json_object_get(x, "reason"));
			if (!exact && getenv("BENCH_VERBOSE"))
				fprintf(stderr, "level %d back %d not read: %s, module %.2f px\n", level,
					i, why ? why : "(fields differ)", last_module_px);
			bin_n[k]++;
			bin_ok[k] += exact;
			bin_small[k] += !exact && why && !strcmp(why, "barcode_too_small");
			bin_unread[k] += !exact && why && !strcmp(why, "barcode_unreadable");
			bin_none[k] += !exact && why && !strcmp(why, "no_barcode_found");
			json_decref(x);
			json_decref(t);
			kyc_image_free(&im);
		}
		double om = bench_percentile(ours, n, 0.5), op = bench_percentile(ours, n, 0.9),
		       o95 = bench_percentile(ours, n, 0.95);
		double bm = bench_percentile(base, n, 0.5), bp = bench_percentile(base, n, 0.9);
		printf("| %d | %d | %.1f %% | %d | %.1f %% | %.2f | %.0f / %.0f / %.0f | %.0f / %.0f | %.2f |\n",
		       level, n, 100.0 * ok / n, wrong, 100.0 * base_ok / n,
		       base_ok ? (double)ok / base_ok : 0, om, op, o95, bm, bp, bm > 0 ? om / bm : 0);
		fflush(stdout);
	}

	printf("\n| module in the picture, px | backs (levels 0-2) | decoded, every field exact | not decoded: barcode_too_small | barcode_unreadable | no_barcode_found |\n");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	for (size_t k = 0; k < NBIN; k++) {
		if (!bin_n[k])
			continue;
		char range[32];
		if (k + 1 == NBIN)
			snprintf(range, sizeof range, "%.2f and over", edges[k]);
		else
			snprintf(range, sizeof range, "%.2f-%.2f", edges[k], edges[k + 1]);
		printf("| %s | %d | %d (%.0f %%) | %d | %d | %d |\n", range, bin_n[k], bin_ok[k],
		       100.0 * bin_ok[k] / bin_n[k], bin_small[k], bin_unread[k], bin_none[k]);
	}
	fflush(stdout);
	if (getenv("BENCH_DL_BACKS_ONLY"))
		goto done;

	/* the front against the back, level 0 and 1 */
	printf("\n| level | cards | front found | ");
	for (size_t k = 0; k < NFF; k++)
		printf("%s exact | ", front_fields[k]);
	printf("false contradictions | forged fronts flagged | ms front+back median |\n|");
	for (size_t k = 0; k < NFF + 6; k++)
		printf(" --- |");
	printf("\n");
	int m = n < 30 ? n : 30; /* the front's OCR is the slow part */
	for (int level = 0; level <= 1; level++) {
		int found = 0, exact[NFF] = {0}, false_alarms = 0, flagged = 0, forged_checked = 0;
		for (int i = 1; i <= m; i++) {
			struct kyc_dl_card c, forged;
			struct kyc_image f, bk, g;
			kyc_synth_dl_card(seed, i, &c);
			forged = c;
			forged.birth_date[3] = (char)(c.birth_date[3] == '9' ? '0' : c.birth_date[3] + 1);
			if (photo(seed, i, level, KYC_CARD_FRONT, &c, &f) ||
			    photo(seed, i, level, KYC_CARD_BACK, &c, &bk) ||
			    photo(seed, i, level, KYC_CARD_FRONT, &forged, &g))
				return 1;
			int err = 0;
			double t0 = bench_cpu_children_ms();
			json_t *x = kyc_dl_read(&f, &bk, &err);
			ours[i - 1] = bench_cpu_children_ms() - t0;
			json_t *y = kyc_dl_read(&g, &bk, &err);
			const json_t *front = json_object_get(x, "front");
			found += json_is_true(json_object_get(front, "found"));
			char given[100];
			snprintf(given, sizeof given, "%s%s%s", c.first_name, c.middle_names[0] ? " " : "",
				 c.middle_names);
			const char *want[NFF] = {c.document_number, c.surname,     given, c.birth_date,
						 c.issue_date,      c.expiry_date, c.sex};
			for (size_t k = 0; k < NFF; k++) {
				const char *got = json_string_value(json_object_get(
				    json_object_get(json_object_get(front, "fields"), front_fields[k]),
				    "value"));
				exact[k] += got ? !strcmp(got, want[k]) : !want[k][0];
			}
			false_alarms += json_array_size(json_object_get(x, "contradictions")) > 0;
			const char *bd = json_string_value(
			    json_object_get(json_object_get(y, "cross_check"), "birth_date"));
			if (bd && strcmp(bd, "not_read")) {
				forged_checked++;
				flagged += !strcmp(bd, "mismatch");
			}
			json_decref(x);
			json_decref(y);
			kyc_image_free(&f);
			kyc_image_free(&bk);
			kyc_image_free(&g);
		}
		printf("| %d | %d | %.0f %% |", level, m, 100.0 * found / m);
		for (size_t k = 0; k < NFF; k++)
			printf(" %.0f %% |", 100.0 * exact[k] / m);
		printf(" %d | %d of %d read | %.0f |\n", false_alarms, flagged, forged_checked,
		       bench_percentile(ours, m, 0.5));
		fflush(stdout);
	}
done:
	kyc_tess_thread_release();
	free(ours);
	free(base);
	free(b);
	return 0;
}
