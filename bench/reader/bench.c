/* bench/reader: the MRZ reader against a Tesseract baseline, in one run.
 *
 * For each photo both engines start from the JPEG bytes:
 *   kycd       decode + kyc_reader_scan (locate, rectify, grid, OCR-B classifier)
 *   tesseract  decode + the same locator, skew refinement, rectified band and
 *              line layout, then Tesseract (stock eng model, whitelist 0-9A-Z<,
 *              one text block) on the band's MRZ rows instead of our classifier
 * and the lines of both go through the same parser (kyc_mrz_parse_ocr, which
 * corrects with check digits; kycd's with each character's confidence and
 * runner-up, as the API passes them, so its filler and character rules can
 * refuse a misread: "valid" is what a user gets). The photos, all from an evaluation seed
 * (docs/synth.md) unless SEED says otherwise:
 *   - each level (0, 1, 2) as kycd synth makes it;
 *   - each difficulty class (perspective ... rotation, mixed) at each level;
 *   - the real specimen scans in REALDOCS_DIR, as they are and shrunk to
 *     0.6 and 0.52 of their size (JPEG quality 60);
 *   - photos without any MRZ (class nomrz, plus the real nomrz.jpg).
 * Reported per set: share of documents whose parsed lines equal the truth
 * exactly, share with every check digit valid, how many were valid but wrong
 * (a misread the parser accepted), median and p95 CPU milliseconds per image
 * on one core (this thread's CPU time, so other load on the machine does not
 * inflate it), and the speed ratio. On the no-MRZ set, "valid" counts false
 * valid reads and must be 0.
 *
 * Usage: bench N_PER_LEVEL N_PER_CLASS N_NOMRZ SEED [REALDOCS_DIR]
 *        (built and run by bench/reader/run; TESS=0 leaves Tesseract out) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <tesseract/capi.h>

#include "core/buf.h"
#include "core/clock.h"
#include "document/image.h"
#include "document/mrz.h"
#include "document/reader.h"
#include "document/synth.h"
#include "engines.h"

struct tally {
	int n, exact, valid, wrong_valid, read;
	double *ms;
	const char *name; /* "kycd" to report its valid-but-wrong reads, else NULL */
};

/* The photo being read, for messages: set, level, index or file. */
static char photo[1100];
/* READER_LOG=FILE: one line per photo (photo, exact, valid, ms) for kycd, so
 * two runs can be compared photo by photo; then the reader's reason, and where
 * the time went: decoding and each locator pass (kyc_reader_result.ms_pass), ms;
 * then the lines read (joined by '|', '-' when none) and a hash of everything
 * the scan returns but its times, so that a change meant to be faster only can
 * be shown to read every photo to the bit as before. */
static FILE *photo_log;
static char photo_times[400];

/* FNV-1a over n bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The hash of a scan's result but its times, field by field (no padding). */
static uint64_t result_hash(const struct kyc_reader_result *r)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int ints[] = {(int)r->reason, r->nlines, r->line_len, r->checks_total, r->checks_ok,
	              r->orientation, r->candidates};
	h = fnv(h, ints, sizeof ints);
	for (int i = 0; i < r->nlines && i < KYC_READER_MAX_LINES; i++) {
		h = fnv(h, r->lines[i], strlen(r->lines[i]));
		h = fnv(h, r->conf[i], sizeof r->conf[i]);
		h = fnv(h, r->alt[i], sizeof r->alt[i]);
		h = fnv(h, r->alt_conf[i], sizeof r->alt_conf[i]);
	}
	float fl[] = {r->min_conf, r->mean_conf};
	double db[] = {r->angle_deg, r->pitch_px};
	h = fnv(h, fl, sizeof fl);
	h = fnv(h, db, sizeof db);
	return fnv(h, r->quad, sizeof r->quad);
}

static int tally_init(struct tally *t, int cap)
{
	memset(t, 0, sizeof *t);
	t->ms = malloc(sizeof(double) * (size_t)(cap > 0 ? cap : 1));
	t->name = "kycd";
	return t->ms ? 0 : -1;
}

static void tally_add(struct tally *all, const struct tally *t)
{
	for (int i = 0; i < t->n; i++)
		all->ms[all->n++] = t->ms[i];
	all->exact += t->exact, all->valid += t->valid;
	all->wrong_valid += t->wrong_valid, all->read += t->read;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(struct tally *t, double q)
{
	if (!t->n)
		return 0;
	qsort(t->ms, (size_t)t->n, sizeof *t->ms, dcmp);
	int i = (int)(q * (t->n - 1) + 0.5);
	return t->ms[i];
}

static int exact_lines(const struct kyc_mrz *m, const char truth[][48], int nlines)
{
	int ok = nlines > 0 && m->nlines == nlines;
	for (int i = 0; ok && i < nlines; i++)
		ok = !strcmp(m->lines[i], truth[i]);
	return ok;
}

/* Parses text lines and scores them against the truth (nlines 0: a photo
 * without MRZ, where any valid parse is a false valid). */
static void score(struct tally *t, const char *text, const char *alt, const float *conf,
                  size_t len, const char truth[][48], int nlines, double ms)
{
	struct kyc_mrz m;
	char err[128];
	int64_t today = kyc_now_ms() / 86400000;
	t->ms[t->n++] = ms;
	int ok = 0, parsed = text && kyc_mrz_parse_ocr(text, alt, conf, len, today, &m, err,
						      sizeof err) == 0;
	if (photo_log && t->name)
		fprintf(photo_log, "%s\t%d\t%d\t%.2f%s\n", photo,
			parsed && exact_lines(&m, truth, nlines), parsed && m.valid, ms, photo_times);
	if (!text)
		return;
	t->read++;
	if (!parsed)
		return;
	t->valid += m.valid;
	ok = exact_lines(&m, truth, nlines);
	t->exact += ok;
	t->wrong_valid += m.valid && !ok;
	if (m.valid && !ok && t->name) { /* worth a look: which photo, what was read */
		fprintf(stderr, "valid but wrong (%s): %s\n", t->name, photo);
		for (int i = 0; i < m.nlines; i++)
			fprintf(stderr, "  read %s%s%s\n", m.lines[i],
			        i < nlines ? "\n  true " : "", i < nlines ? truth[i] : "");
	}
}

static void one(TessBaseAPI *api, const unsigned char *jpg, size_t len, const char truth[][48],
                int nlines, struct tally *k, struct tally *t)
{
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE, .keep_bytes = 1};
	char text[256], alt[256];
	float conf[256];
	/* kycd */
	double t0 = bench_cpu_ms();
	struct kyc_image img;
	size_t n = 0;
	photo_times[0] = 0;
	if (kyc_image_decode(jpg, len, &o, &img, NULL) == 0) {
		double dec = bench_cpu_ms() - t0;
		struct kyc_reader_result r;
		if (kyc_reader_scan(&img, &r) == 0)
			n = bench_join(text, alt, conf, sizeof text,
			         (const char(*)[KYC_READER_MAX_CHARS + 1]) r.lines, r.nlines, &r);
		int at = snprintf(photo_times, sizeof photo_times, "\t%s\t%.2f",
		                  kyc_reader_reason_name(r.reason), dec);
#ifdef KYC_READER_PASSES /* (a reader from before the pass timer builds too) */
		for (int p = 0; p < KYC_READER_PASSES && at > 0 && at < (int)sizeof photo_times; p++)
			at += snprintf(photo_times + at, sizeof photo_times - (size_t)at, "\t%.2f",
			               r.ms_pass[p]);
#endif
		if (photo_log && at > 0 && at < (int)sizeof photo_times) {
			at += snprintf(photo_times + at, sizeof photo_times - (size_t)at, "\t");
			for (int i = 0; i < r.nlines && at > 0 && at < (int)sizeof photo_times; i++)
				at += snprintf(photo_times + at, sizeof photo_times - (size_t)at,
				               "%s%s", i ? "|" : "", r.lines[i]);
			if (at > 0 && at < (int)sizeof photo_times)
				at += snprintf(photo_times + at, sizeof photo_times - (size_t)at,
				               "%s\t%016llx", r.nlines ? "" : "-",
				               (unsigned long long)result_hash(&r));
		}
		(void)at;
		kyc_image_free(&img);
	}
	score(k, n ? text : NULL, alt, conf, n, truth, nlines, bench_cpu_ms() - t0);
	if (!api)
		return;
	/* tesseract (whose many misreads are counted, not listed) */
	t->name = NULL;
	t0 = bench_cpu_ms();
	n = 0;
	if (kyc_image_decode(jpg, len, &o, &img, NULL) == 0) {
		n = bench_tess_read(api, &img, text, sizeof text);
		kyc_image_free(&img);
	}
	score(t, n ? text : NULL, NULL, NULL, n, truth, nlines, bench_cpu_ms() - t0);
}

static double share(int a, int n)
{
	return 100.0 * a / (n ? n : 1);
}

/* One row of the markdown table bench/README.md shows. */
static void report(const char *set, struct tally *k, struct tally *t)
{
	double km = pct(k, 0.5), tm = pct(t, 0.5);
	printf("| %-18s | %4d | %5.1f%% | %5.1f%% | %3d | %6.1f ms | %6.1f ms |", set, k->n,
	       share(k->exact, k->n), share(k->valid, k->n), k->wrong_valid, km, pct(k, 0.95));
	if (t->n)
		printf(" %5.1f%% | %5.1f%% | %3d | %6.0f ms | %6.0f ms | x%.0f |\n",
		       share(t->exact, t->n), share(t->valid, t->n), t->wrong_valid, tm,
		       pct(t, 0.95), km > 0 ? tm / km : 0);
	else
		printf(" - | - | - | - | - | - |\n");
	fflush(stdout);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *p = malloc(32u << 20);
	*len = p ? fread(p, 1, 32u << 20, f) : 0;
	fclose(f);
	return p;
}

/* n generated photos of (level, class) into k and t. */
static int run_synth(TessBaseAPI *api, uint64_t seed, int level, enum kyc_synth_class cls, int n,
                     struct tally *k, struct tally *t)
{
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpg;
		size_t len;
		if (kyc_synth_make_class(seed, i, level, cls, KYC_SYNTH_MIXED, &d, &jpg, &len) !=
		    0) {
			fprintf(stderr, "bench: kyc_synth_make_class failed\n");
			return -1;
		}
		snprintf(photo, sizeof photo, "class %s, level %d, index %d",
		         kyc_synth_class_name(cls), level, i);
		one(api, jpg, len, d.id.lines, d.id.nlines, k, t);
		free(jpg);
	}
	return 0;
}

/* The photo shrunk by scale (area average) and saved again as a JPEG of
 * quality 60: the real specimens' own OCR-B, smaller and softer, as a phone
 * gives it from arm's length. NULL on failure. */
static unsigned char *shrink(const unsigned char *jpg, size_t len, double scale, size_t *out_len)
{
	struct kyc_image img;
	if (kyc_image_decode(jpg, len, NULL, &img, NULL) != 0)
		return NULL;
	int w = (int)(img.w * scale), h = (int)(img.h * scale);
	unsigned char *px = malloc((size_t)w * (size_t)h), *out = NULL;
	for (int y = 0; px && y < h; y++)
		for (int x = 0; x < w; x++) {
			int x0 = (int)(x / scale), x1 = (int)((x + 1) / scale);
			int y0 = (int)(y / scale), y1 = (int)((y + 1) / scale);
			unsigned sum = 0, n = 0;
			for (int yy = y0; yy < y1 && yy < img.h; yy++)
				for (int xx = x0; xx < x1 && xx < img.w; xx++, n++)
					sum += img.gray[(size_t)yy * (size_t)img.w + (size_t)xx];
			px[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(n ? sum / n : 255);
		}
	kyc_buf b;
	kyc_buf_init(&b, 32u << 20);
	if (px && kyc_image_write_jpeg(px, w, h, w, 60, &b) == 0 && (out = malloc(b.len)) != NULL) {
		memcpy(out, b.data, b.len);
		*out_len = b.len;
	}
	kyc_buf_release(&b);
	free(px);
	kyc_image_free(&img);
	return out;
}

/* The real specimen scans, shrunk by scale when it is below 1: those with
 * lines into k/t, nomrz.jpg (no lines) into the no-MRZ tallies nk/nt (at
 * scale 1 only). */
static void run_realdocs(TessBaseAPI *api, const char *dir, double scale, struct tally *k,
                         struct tally *t, struct tally *nk, struct tally *nt)
{
	char path[1024], line[4096];
	snprintf(path, sizeof path, "%s/truth.jsonl", dir);
	FILE *f = fopen(path, "r");
	while (f && k->n < 64 && fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		json_t *ls = json_object_get(j, "lines");
		const char *file = json_string_value(json_object_get(j, "file"));
		if (!j || !file) {
			json_decref(j);
			continue;
		}
		char truth[3][48] = {{0}};
		int n = json_is_array(ls) ? (int)json_array_size(ls) : 0;
		for (int i = 0; i < n && i < 3; i++)
			snprintf(truth[i], sizeof truth[i], "%s",
			         json_string_value(json_array_get(ls, (size_t)i)));
		snprintf(path, sizeof path, "%s/%s", dir, file);
		size_t len;
		unsigned char *jpg = slurp(path, &len);
		if (jpg && scale < 1) {
			unsigned char *small = n ? shrink(jpg, len, scale, &len) : NULL;
			free(jpg);
			jpg = small;
		}
		snprintf(photo, sizeof photo, "%s at scale %.2f", path, scale);
		if (jpg)
			one(api, jpg, len, truth, n, n ? k : nk, n ? t : nt);
		free(jpg);
		json_decref(j);
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr,
		        "usage: bench N_PER_LEVEL N_PER_CLASS N_NOMRZ SEED [REALDOCS_DIR]\n");
		return 2;
	}
	int per = (int)strtol(argv[1], NULL, 10), per_class = (int)strtol(argv[2], NULL, 10);
	int n_nomrz = (int)strtol(argv[3], NULL, 10);
	uint64_t seed = strtoull(argv[4], NULL, 0);
	if (per < 0 || per > 100000 || per_class < 0 || per_class > 100000 || n_nomrz < 0 ||
	    n_nomrz > 100000)
		return 2;
	TessBaseAPI *api;
	if (bench_tess_open(&api) != 0)
		return 1;
	printf(
	    "| set | n | kycd exact | kycd valid | kycd wrong valid | kycd median | kycd p95 | "
	    "tess. exact | tess. valid | tess. wrong valid | tess. median | tess. p95 | speed |\n"
	    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
	    "---: |\n");
	int cap = 3 * per + 3 * per_class * KYC_SYNTH_CLASS_COUNT + n_nomrz + 3 * 64;
	/* mrz_*: every photo with an MRZ (levels, classes, real scans) */
	struct tally all_k, all_t, cls_k, cls_t, nk, nt, mrz_k, mrz_t;
	if (tally_init(&all_k, cap) || tally_init(&all_t, cap) || tally_init(&cls_k, cap) ||
	    tally_init(&cls_t, cap) || tally_init(&nk, cap) || tally_init(&nt, cap) ||
	    tally_init(&mrz_k, cap) || tally_init(&mrz_t, cap))
		return 1;
	const char *log = getenv("READER_LOG");
	if (log && *log && !(photo_log = fopen(log, "w"))) {
		fprintf(stderr, "bench: cannot write %s\n", log);
		return 1;
	}
	char name[64];
	for (int level = 0; level <= 2 && per > 0; level++) {
		struct tally k, t;
		if (tally_init(&k, per) || tally_init(&t, per))
			return 1;
		if (run_synth(api, seed, level, KYC_SYNTH_CLASS_NONE, per, &k, &t))
			return 1;
		snprintf(name, sizeof name, "level %d", level);
		report(name, &k, &t);
		tally_add(&all_k, &k);
		tally_add(&all_t, &t);
		tally_add(&mrz_k, &k);
		tally_add(&mrz_t, &t);
		free(k.ms);
		free(t.ms);
	}
	if (per > 0)
		report("levels, all", &all_k, &all_t);
	for (int c = KYC_SYNTH_CLASS_PERSPECTIVE; c <= KYC_SYNTH_CLASS_MIXED && per_class > 0; c++)
		for (int level = 0; level <= 2; level++) {
			struct tally k, t;
			if (tally_init(&k, per_class) || tally_init(&t, per_class))
				return 1;
			if (run_synth(api, seed, level, (enum kyc_synth_class)c, per_class, &k, &t))
				return 1;
			snprintf(name, sizeof name, "%s, level %d", kyc_synth_class_name(c), level);
			report(name, &k, &t);
			tally_add(&cls_k, &k);
			tally_add(&cls_t, &t);
			tally_add(&mrz_k, &k);
			tally_add(&mrz_t, &t);
			free(k.ms);
			free(t.ms);
		}
	if (per_class > 0)
		report("classes, all", &cls_k, &cls_t);
	if (argc > 5) {
		struct tally k, t;
		if (tally_init(&k, 64) || tally_init(&t, 64))
			return 1;
		run_realdocs(api, argv[5], 1, &k, &t, &nk, &nt);
		report("realdocs", &k, &t);
		tally_add(&mrz_k, &k);
		tally_add(&mrz_t, &t);
		free(k.ms);
		free(t.ms);
		/* The same real glyphs smaller: how the classifier does on OCR-B
		 * digitisations it was not trained on, at low resolution. */
		static const double scales[] = {0.6, 0.52};
		for (int i = 0; i < 2; i++) {
			if (tally_init(&k, 64) || tally_init(&t, 64))
				return 1;
			run_realdocs(api, argv[5], scales[i], &k, &t, &nk, &nt);
			snprintf(name, sizeof name, "realdocs x%.2f", scales[i]);
			report(name, &k, &t);
			tally_add(&mrz_k, &k);
			tally_add(&mrz_t, &t);
			free(k.ms);
			free(t.ms);
		}
	}
	for (int i = 0; i < n_nomrz; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpg;
		size_t len;
		if (kyc_synth_make_class(seed, i, i % 3, KYC_SYNTH_CLASS_NOMRZ, KYC_SYNTH_MIXED, &d,
		                         &jpg, &len) != 0)
			return 1;
		snprintf(photo, sizeof photo, "class nomrz, level %d, index %d", i % 3, i);
		one(api, jpg, len, NULL, 0, &nk, &nt);
		free(jpg);
	}
	if (nk.n) {
		report("no MRZ (valid = false)", &nk, &nt);
		printf("no-MRZ set: %d photos, kycd read lines on %d and called %d valid; "
		       "tesseract read lines on %d and called %d valid\n",
		       nk.n, nk.read, nk.valid, nt.read, nt.valid);
	}
	/* the time a user sees over everything sent: MRZ photos and others */
	if (mrz_k.n)
		report("MRZ photos, all", &mrz_k, &mrz_t);
	tally_add(&mrz_k, &nk);
	tally_add(&mrz_t, &nt);
	if (mrz_k.n && nk.n)
		report("all photos", &mrz_k, &mrz_t);
	if (photo_log)
		fclose(photo_log);
	bench_tess_close(api);
	free(all_k.ms), free(all_t.ms), free(cls_k.ms), free(cls_t.ms), free(nk.ms), free(nt.ms);
	free(mrz_k.ms), free(mrz_t.ms);
	return 0;
}
