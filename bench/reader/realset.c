/* bench/reader/realset: kycd's MRZ reader and the Tesseract baseline on the real
 * pictures of bench/reader/realset.tsv, one row per picture and a table per split.
 *
 * Both engines start from the file's bytes, as bench/reader/bench.c runs them
 * (engines.c): kycd decodes at KYC_READER_DECODE_SIDE and scans; Tesseract
 * reads the rows of kycd's located band; the lines of both go through
 * kyc_mrz_parse_ocr. "exact" = the parsed lines equal the manifest's truth;
 * "valid" = every check digit holds and every character was read sure (what
 * the API calls valid); "wrong valid" = valid but not exact. A picture of
 * truth "unsure" is read and reported but not counted; on one of truth "nomrz"
 * a valid reading is a false valid. Times are this thread's CPU ms, decode
 * included.
 *
 * Usage: realset MANIFEST DIR [dev|eval|all]   (TESS=0 leaves Tesseract out) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>

#include "core/clock.h"
#include "document/image.h"
#include "document/mrz.h"
#include "document/reader.h"
#include "engines.h"

#define MAX_ROWS 256
#define MAX_FILE (32u << 20)

/* One row of the manifest. */
struct row {
	char file[256], split[8], truth[8];
	char lines[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS + 1];
	int nlines;
};

/* What one engine made of one picture. */
struct outcome {
	int parsed, exact, valid;
	const char *why; /* kycd: the reader's reason, "unparsed", or "read" */
	double ms;
};

/* Counts of one engine over the rows of one truth class. */
struct tally {
	int n, exact, valid, wrong_valid, read;
	int reasons[8]; /* kycd's reason when no line was read */
	double ms[MAX_ROWS];
};

/* Splits a manifest line on tabs into r; 0 for a row, -1 for a comment or a
 * short line. */
static int parse_row(char *line, struct row *r)
{
	char *f[16];
	int n = 0;
	line[strcspn(line, "\r\n")] = 0;
	if (line[0] == '#' || !line[0])
		return -1;
	for (char *p = line; n < 16; n++) {
		f[n] = p;
		char *t = strchr(p, '\t');
		if (!t) {
			n++;
			break;
		}
		*t = 0;
		p = t + 1;
	}
	if (n < 7)
		return -1;
	memset(r, 0, sizeof *r);
	snprintf(r->file, sizeof r->file, "%s", f[0]);
	snprintf(r->split, sizeof r->split, "%s", f[5]);
	snprintf(r->truth, sizeof r->truth, "%s", f[6]);
	for (int i = 7; i < n && r->nlines < KYC_READER_MAX_LINES; i++)
		if (f[i][0])
			snprintf(r->lines[r->nlines++], sizeof r->lines[0], "%s", f[i]);
	return 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *p = malloc(MAX_FILE);
	*len = p ? fread(p, 1, MAX_FILE, f) : 0;
	fclose(f);
	return p;
}

/* Parses text (with each character's runner-up and confidence when given)
 * and scores it against r's truth. */
static void judge(const struct row *r, const char *text, const char *alt, const float *conf,
                  size_t len, struct outcome *o)
{
	struct kyc_mrz m;
	char err[128];
	o->parsed = text && kyc_mrz_parse_ocr(text, alt, conf, len, kyc_now_ms() / 86400000, &m,
	                                      err, sizeof err) == 0;
	if (!o->parsed)
		return;
	o->valid = m.valid;
	o->exact = r->nlines > 0 && m.nlines == r->nlines;
	for (int i = 0; o->exact && i < r->nlines; i++)
		o->exact = !strcmp(m.lines[i], r->lines[i]);
}

static void run_kycd(const struct row *r, const unsigned char *bytes, size_t len, struct outcome *o,
                     char *read, size_t cap)
{
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE, .keep_bytes = 1};
	struct kyc_image img;
	char text[256], alt[256];
	float conf[256];
	size_t n = 0;
	double t0 = bench_cpu_ms();
	o->why = "undecodable";
	read[0] = 0;
	if (kyc_image_decode(bytes, len, &opts, &img, NULL) == 0) {
		struct kyc_reader_result res;
		if (kyc_reader_scan(&img, &res) == 0)
			n = bench_join(text, alt, conf, sizeof text,
			               (const char(*)[KYC_READER_MAX_CHARS + 1]) res.lines,
			               res.nlines, &res);
		o->why = kyc_reader_reason_name(res.reason);
		kyc_image_free(&img);
	}
	judge(r, n ? text : NULL, alt, conf, n, o);
	o->ms = bench_cpu_ms() - t0;
	if (n) {
		o->why = o->parsed ? "read" : "unparsed";
		snprintf(read, cap, "%s", text);
		for (char *p = read; (p = strchr(p, '\n')) != NULL;)
			*p = p[1] ? '|' : 0;
	}
}

static void run_tess(TessBaseAPI *api, const struct row *r, const unsigned char *bytes, size_t len,
                     struct outcome *o)
{
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE};
	struct kyc_image img;
	char text[256];
	size_t n = 0;
	double t0 = bench_cpu_ms();
	if (kyc_image_decode(bytes, len, &opts, &img, NULL) == 0) {
		n = bench_tess_read(api, &img, text, sizeof text);
		kyc_image_free(&img);
	}
	judge(r, n ? text : NULL, NULL, NULL, n, o);
	o->ms = bench_cpu_ms() - t0;
}

static void tally_add(struct tally *t, const struct outcome *o, int reason)
{
	if (t->n < MAX_ROWS)
		t->ms[t->n] = o->ms;
	t->n++;
	t->read += o->parsed;
	t->exact += o->exact;
	t->valid += o->valid;
	t->wrong_valid += o->valid && !o->exact;
	if (reason >= 0 && reason < 8)
		t->reasons[reason]++;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(struct tally *t, double q)
{
	int n = t->n < MAX_ROWS ? t->n : MAX_ROWS;
	if (!n)
		return 0;
	qsort(t->ms, (size_t)n, sizeof *t->ms, dcmp);
	return t->ms[(int)(q * (n - 1) + 0.5)];
}

/* The reason name's index, so the table can count them (-1: lines were read). */
static int reason_index(const char *why)
{
	for (int i = 0; i < 8; i++)
		if (!strcmp(why, kyc_reader_reason_name((enum kyc_reader_reason)i)))
			return i;
	return -1;
}

static void report(const char *split, const char *truth, struct tally *k, struct tally *t)
{
	if (!k->n)
		return;
	printf("| %s | %s | %d | %d | %d | %d | %d |", split, truth, k->n, k->exact, k->valid,
	       k->wrong_valid, k->n - k->read);
	const char *sep = " ";
	for (int i = 1; i < 8; i++)
		if (k->reasons[i]) {
			printf("%s%s %d", sep, kyc_reader_reason_name((enum kyc_reader_reason)i),
			       k->reasons[i]);
			sep = ", ";
		}
	printf("%s | %.1f | %.1f |", *sep == ' ' ? " -" : "", pct(k, 0.5), pct(k, 0.95));
	if (t->n)
		printf(" %d | %d | %d | %.0f |\n", t->exact, t->valid, t->wrong_valid, pct(t, 0.5));
	else
		printf(" - | - | - | - |\n");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: realset MANIFEST DIR [dev|eval|all]\n");
		return 2;
	}
	const char *want = argc > 3 ? argv[3] : "all";
	TessBaseAPI *api;
	if (bench_tess_open(&api) != 0)
		return 1;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "realset: cannot read %s\n", argv[1]);
		bench_tess_close(api);
		return 1;
	}
	static const char *splits[] = {"dev", "eval"}, *truths[] = {"exact", "unsure", "nomrz"};
	static struct tally k[2][3], t[2][3];
	char line[1024], path[2048], read[256];
	struct row r;
	printf("| file | split | truth | kycd | kycd valid | reason | ms | tess. | tess. valid | "
	       "ms | kycd's lines |\n| --- | --- | --- | --- | --- | --- | ---: | --- | --- | ---: "
	       "| --- |\n");
	while (fgets(line, sizeof line, f)) {
		if (parse_row(line, &r) != 0 || (strcmp(want, "all") && strcmp(want, r.split)))
			continue;
		int s = !strcmp(r.split, "eval"), c = 0;
		while (c < 2 && strcmp(r.truth, truths[c]))
			c++;
		snprintf(path, sizeof path, "%s/%s", argv[2], r.file);
		size_t len;
		unsigned char *bytes = slurp(path, &len);
		if (!bytes || !len) {
			fprintf(stderr, "realset: cannot read %s\n", path);
			free(bytes);
			continue;
		}
		struct outcome ko = {0}, to = {0};
		run_kycd(&r, bytes, len, &ko, read, sizeof read);
		tally_add(&k[s][c], &ko, reason_index(ko.why));
		if (api) {
			run_tess(api, &r, bytes, len, &to);
			tally_add(&t[s][c], &to, -1);
		}
		free(bytes);
		printf("| %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %.0f | %s |\n", r.file,
		       r.split, r.truth,
		       ko.exact    ? "exact"
		       : ko.parsed ? "wrong"
		                   : "-",
		       ko.valid ? "valid" : "-", ko.why, ko.ms,
		       !api        ? ""
		       : to.exact  ? "exact"
		       : to.parsed ? "wrong"
		                   : "-",
		       to.valid ? "valid" : "-", to.ms, read[0] ? read : "-");
		fflush(stdout);
	}
	fclose(f);
	printf("\n| split | truth | n | kycd exact | kycd valid | kycd wrong valid | kycd no "
	       "lines | why no lines | kycd median ms | kycd p95 ms | tess. exact | tess. valid "
	       "| tess. wrong valid | tess. median ms |\n| --- | --- | ---: | ---: | ---: | ---: "
	       "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (int s = 0; s < 2; s++)
		for (int c = 0; c < 3; c++)
			report(splits[s], truths[c], &k[s][c], &t[s][c]);
	bench_tess_close(api);
	return 0;
}
