/* bench/krdl: Korean driving licences' numbers (src/document/card_kr_dl.c)
 * on generated fronts (kyc_synth_krdl_render) at levels 0, 1 and 2: the
 * number exact and accepted, a wrong number accepted, CPU ms on one core;
 * against a baseline in the same run: Tesseract's page layout analysis on
 * the whole photo (no template, no card finder), its lines searched for a
 * number of the form. See run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/card_kr_dl.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "document/tess.h"

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 30;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	const char *dump = getenv("DUMP"); /* a directory: each card's photo as PNG */
	printf("| level | cards | number exact | accepted (exact) | wrong accepted | baseline exact | ratio | name exact (accepted) | ms median | baseline ms median |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (int level = 0; level <= 2; level++) {
		int cards = 0, exact = 0, acc = 0, wrong = 0, base = 0, name = 0, name_acc = 0;
		double *ms = calloc((size_t)n, sizeof *ms), *bms = calloc((size_t)n, sizeof *bms);
		for (int i = 0; i < n; i++) {
			struct kyc_krdl_card c;
			unsigned char *jpg = NULL;
			size_t len;
			kyc_synth_krdl_card(seed, i, &c);
			if (kyc_synth_krdl_photo(seed, i, level, &c, &jpg, &len))
				continue;
			int rc;
			struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
			struct kyc_image img;
			rc = kyc_image_decode(jpg, len, &o, &img, NULL);
			if (dump && i < 3) {
				char p[512];
				snprintf(p, sizeof p, "%s/krdl_%d_%d.jpg", dump, level, i);
				FILE *f = fopen(p, "wb");
				if (f) {
					fwrite(jpg, 1, len, f);
					fclose(f);
				}
			}
			free(jpg);
			if (rc)
				continue;
			int err;
			double t0 = cpu_ms();
			json_t *x = kyc_krdl_read(&img, &err);
			ms[cards] = cpu_ms() - t0;
			const json_t *f = json_object_get(json_object_get(x, "fields"), "licence_number");
			const char *v = json_string_value(json_object_get(f, "value"));
			int ok = v && !strcmp(v, c.number), a = json_is_true(json_object_get(f, "accepted"));
			exact += ok, acc += a && ok, wrong += a && !ok;
			const json_t *nf = json_object_get(json_object_get(x, "fields"), "name");
			const char *nm = json_string_value(json_object_get(nf, "value"));
			name += nm && !strcmp(nm, c.name);
			name_acc += nm && !strcmp(nm, c.name) && json_is_true(json_object_get(nf, "accepted"));
			if (getenv("VERBOSE") && !ok)
				printf("  level %d card %d: want %s got %s (conf %lld)\n", level, i, c.number,
				       v ? v : "-", json_integer_value(json_object_get(f, "confidence")));
			json_decref(x);
			/* the baseline: the whole photo's lines */
			struct kyc_tess_page *pg = malloc(sizeof *pg);
			t0 = cpu_ms();
			int found = 0;
			if (pg && !kyc_tess_read_page(KYC_TESS_LATIN, img.gray, img.w, img.h, img.w, pg))
				for (int k = 0; k < pg->n && !found; k++) {
					char num[16];
					found = !kyc_krdl_number(pg->line[k].text, num) && !strcmp(num, c.number);
				}
			bms[cards] = cpu_ms() - t0;
			free(pg);
			base += found;
			cards++;
			kyc_image_free(&img);
		}
		qsort(ms, (size_t)cards, sizeof *ms, cmp);
		qsort(bms, (size_t)cards, sizeof *bms, cmp);
		printf("| %d | %d | %.0f %% | %.0f %% | %d | %.0f %% | %.2f | %.0f %% (%.0f %%) | %.0f | %.0f |\n",
		       level, cards, 100.0 * exact / (cards ? cards : 1),
		       100.0 * acc / (cards ? cards : 1), wrong, 100.0 * base / (cards ? cards : 1),
		       base ? (double)exact / base : 0, 100.0 * name / (cards ? cards : 1),
		       100.0 * name_acc / (cards ? cards : 1), cards ? ms[cards / 2] : 0,
		       cards ? bms[cards / 2] : 0);
		free(ms);
		free(bms);
	}
	return 0;
}
