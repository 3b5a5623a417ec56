/* bench/viz: the visual-zone reader (src/document/viz.c) on generated
 * passports, visas (TD2) and cards with an MRZ, from an evaluation seed: for
 * each format and level, how often each field is found and agrees with the
 * MRZ, and, with the MRZ of another generated document in its place (a page
 * whose printed data contradict its MRZ), how often each field is caught as
 * a contradiction; median and p95 ms per page on one core. See run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "document/doc_read.h"
#include "document/image.h"
#include "document/synth.h"
#include "document/viz.h"

#define NF 5
static const char *const fields[NF] = {"surname", "given_names", "birth_date", "expiry_date",
				       "document_number"};

/* CPU time of this thread: the figure a loaded machine does not distort. */
static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : kyc_synth_eval_seed(3);
	int verbose = getenv("VERBOSE") != NULL;
	static const enum kyc_synth_format fmts[] = {KYC_SYNTH_TD3, KYC_SYNTH_TD2, KYC_SYNTH_TD1};
	printf("| format | level | pages | read | %s agrees | %s | %s | %s | %s | another's MRZ caught (of which: nothing agrees) | genuine held to contradict (nothing agrees) | median ms | p95 ms |\n",
	       fields[0], fields[1], fields[2], fields[3], fields[4]);
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t fi = 0; fi < sizeof fmts / sizeof *fmts; fi++)
		for (int level = 0; level <= 1; level++) {
			int agree[NF] = {0}, read = 0, caught = 0, falsec = 0, pages = 0, none = 0, none_sw = 0;
			double *ms = calloc((size_t)n, sizeof *ms);
			json_t *prev = NULL;
			for (int i = 0; i < n; i++) {
				struct kyc_synth_doc d;
				unsigned char *jpg = NULL;
				size_t len;
				if (kyc_synth_make(seed, i, level, fmts[fi], &d, &jpg, &len))
					continue;
				struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE};
				struct kyc_image img;
				int rc = kyc_image_decode(jpg, len, &opts, &img, NULL);
				free(jpg);
				if (rc)
					continue;
				struct kyc_doc_read rd;
				if (kyc_doc_read(&img, kyc_now_ms() / 86400000, &rd) || !rd.mrz) {
					kyc_image_free(&img);
					continue;
				}
				pages++;
				json_t *v = NULL;
				double t0 = cpu_ms();
				rc = kyc_viz_read(&img, &rd.reader, rd.mrz, &v);
				ms[read] = cpu_ms() - t0;
				if (!rc) {
					read++;
					json_t *f = json_object_get(v, "fields");
					for (int k = 0; k < NF; k++)
						agree[k] += json_is_true(json_object_get(json_object_get(f, fields[k]), "match"));
					const char *vd = json_string_value(json_object_get(v, "verdict"));
					falsec += !strcmp(vd, "contradicts");
					none += !strcmp(vd, "unmatched");
					if (verbose && (json_array_size(json_object_get(v, "mismatched")) || json_integer_value(json_object_get(v, "matched")) < 4)) {
						char *s = json_dumps(v, JSON_COMPACT);
						printf("%s %d %d %s\n  viz %s / %s; mrz %s\n", kyc_synth_format_name(fmts[fi]), level, i, s, d.id.viz_surname, d.id.viz_given_names, d.id.lines[1]);
						free(s);
					}
					json_decref(v);
					/* the page against another document's MRZ */
					if (prev && !kyc_viz_read(&img, &rd.reader, prev, &v)) {
						const char *vd = json_string_value(json_object_get(v, "verdict"));
						caught += !strcmp(vd, "contradicts") || !strcmp(vd, "unmatched");
						none_sw += !strcmp(vd, "unmatched");
						json_decref(v);
					}
				}
				json_decref(prev);
				prev = json_incref(rd.mrz);
				kyc_doc_read_release(&rd);
				kyc_image_free(&img);
			}
			json_decref(prev);
			qsort(ms, (size_t)read, sizeof *ms, cmp_double);
			printf("| %s | %d | %d | %d |", kyc_synth_format_name(fmts[fi]), level, pages, read);
			for (int k = 0; k < NF; k++)
				printf(" %.0f%% |", read ? 100.0 * agree[k] / read : 0);
			printf(" %d/%d (%d) | %d (%d) | %.0f | %.0f |\n", caught, read > 1 ? read - 1 : 0, none_sw, falsec + none, none,
			       read ? ms[read / 2] : 0, read ? ms[(int)(read * 0.95)] : 0);
			free(ms);
		}
	return 0;
}
