/* bench/viz: the visual-zone reader (src/document/viz.c) on generated
 * passports, visas (TD2) and cards with an MRZ, from an evaluation seed: for
 * each format and level, how often each field is found and agrees with the
 * MRZ, and, with the MRZ of another generated document in its place (a page
 * whose printed data contradict its MRZ), how often each field is caught as
 * a contradiction; median and p95 ms per page on one core. NATIVE=1: the
 * name in Arabic script instead (native_main). See run. */
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

/* Draws (seed, i) at level in fmt and reads its MRZ: *img and *rd to
 * release. 0, or -1 when nothing was drawn or no MRZ was read. */
static int read_doc(uint64_t seed, int i, int level, enum kyc_synth_format fmt,
		    struct kyc_synth_doc *d, struct kyc_image *img, struct kyc_doc_read *rd)
{
	unsigned char *jpg = NULL;
	size_t len;
	if (kyc_synth_make(seed, i, level, fmt, d, &jpg, &len))
		return -1;
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE};
	int rc = kyc_image_decode(jpg, len, &opts, img, NULL);
	free(jpg);
	if (rc)
		return -1;
	if (kyc_doc_read(img, kyc_now_ms() / 86400000, rd) || !rd->mrz) {
		kyc_image_free(img);
		return -1;
	}
	return 0;
}

/* UTF-8 to code points; the count. */
static int decode(const char *s, unsigned *cp, int cap)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n < cap;) {
		unsigned c = *p, len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		unsigned v = len == 1 ? c : c & (0xFF >> (len + 1));
		for (unsigned k = 1; k < len && p[k]; k++)
			v = v << 6 | (p[k] & 0x3F);
		cp[n++] = v;
		p += len;
	}
	return n;
}

static int distance(const char *a, const char *b, int *len_b)
{
	unsigned x[128], y[128];
	int la = decode(a, x, 128), lb = decode(b, y, 128), row[129];
	*len_b = lb;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (x[i - 1] != y[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best, diag = up;
		}
	}
	return row[lb];
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n ? v[n / 2] : 0;
}

/* NATIVE=1: the holder's name in Arabic script on the pages that print one
 * (Egyptian documents): exact reads, character error rate, wrong names
 * accepted, and the visual zone's CPU time with the Arabic reading against
 * the same page read without it (its MRZ given a Latin-script issuer: the
 * baseline, in the same run). */
static int native_main(int n, uint64_t seed)
{
	static const enum kyc_synth_format fmts[] = {KYC_SYNTH_TD3, KYC_SYNTH_TD2, KYC_SYNTH_TD1};
	printf("| format | level | pages | read | exact | accepted | accepted and wrong | CER | median ms with | median ms without | ratio |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t fi = 0; fi < sizeof fmts / sizeof *fmts; fi++)
		for (int level = 0; level <= 1; level++) {
			int pages = 0, read = 0, exact = 0, accepted = 0, wrong = 0, errs = 0, chars = 0;
			double *with = calloc((size_t)n, sizeof *with), *without = calloc((size_t)n, sizeof *without);
			for (int i = 0; pages < n && i < 100 * n; i++) {
				struct kyc_synth_identity id;
				if (kyc_synth_identity(seed, i, fmts[fi], &id) || !id.native_name[0])
					continue;
				struct kyc_synth_doc d;
				struct kyc_image img;
				struct kyc_doc_read rd;
				if (read_doc(seed, i, level, fmts[fi], &d, &img, &rd))
					continue;
				json_t *v = NULL, *latin = json_deep_copy(rd.mrz);
				json_t *lf = json_object_get(latin, "fields");
				json_object_set_new(lf, "issuing_country", json_string("UTO"));
				json_object_set_new(lf, "nationality", json_string("UTO"));
				double t0 = cpu_ms();
				int rc = kyc_viz_read(&img, &rd.reader, rd.mrz, &v);
				with[pages] = cpu_ms() - t0;
				json_t *v2 = NULL;
				t0 = cpu_ms();
				if (!kyc_viz_read(&img, &rd.reader, latin, &v2))
					without[pages] = cpu_ms() - t0;
				pages++;
				const json_t *nn = rc ? NULL : json_object_get(v, "native_name");
				const char *got = json_string_value(json_object_get(nn, "value"));
				int lb, dist = distance(got ? got : "", id.native_name, &lb);
				errs += dist, chars += lb;
				read += got != NULL;
				exact += dist == 0;
				int acc = json_is_true(json_object_get(nn, "accepted"));
				accepted += acc;
				wrong += acc && dist;
				if (getenv("VERBOSE"))
					printf("%s %d %d: '%s' (%lld) truth '%s'\n", kyc_synth_format_name(fmts[fi]), level, i, got ? got : "-", (long long)json_integer_value(json_object_get(nn, "confidence")), id.native_name);
				json_decref(v);
				json_decref(v2);
				json_decref(latin);
				kyc_doc_read_release(&rd);
				kyc_image_free(&img);
			}
			double mw = median(with, pages), mo = median(without, pages);
			printf("| %s | %d | %d | %d | %d | %d | %d | %.1f%% | %.0f | %.0f | %.2f |\n", kyc_synth_format_name(fmts[fi]), level,
			       pages, read, exact, accepted, wrong, chars ? 100.0 * errs / chars : 0, mw, mo, mo > 0 ? mw / mo : 0);
			free(with);
			free(without);
		}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : kyc_synth_eval_seed(3);
	int verbose = getenv("VERBOSE") != NULL;
	if (getenv("NATIVE"))
		return native_main(n, seed);
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
				struct kyc_image img;
				struct kyc_doc_read rd;
				if (read_doc(seed, i, level, fmts[fi], &d, &img, &rd))
					continue;
				pages++;
				json_t *v = NULL;
				double t0 = cpu_ms();
				int rc = kyc_viz_read(&img, &rd.reader, rd.mrz, &v);
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
