/* bench/reader/causes: why the reader misses a generated photo, one line per
 * photo, so misses can be counted by cause (bench/README.md, "Issue 11: level
 * 2 (branch rd11a)"). For each photo of (SEED, LEVEL, CLASS) it prints
 *   class index exact valid cause wrong alt_right reason pitch located
 * where cause is
 *   chars     the lines were laid out right (line count, cells per line) and
 *             characters are wrong: `wrong` of them, `alt_right` of those
 *             with the truth as the classifier's runner-up;
 *   layout    a reading with the wrong line count or length;
 *   notfound  no reading; `located` says whether one of the first locator
 *             pass's candidate lines has its centre inside the true MRZ box
 *             (1: the line was found, the band's layout failed; 0: the MRZ
 *             was not located).
 * A miss that was read is followed by its lines and the truth's, prefixed
 * "#". DUMP=DIR writes each missed photo there as CLASS_SEED_INDEX.jpg, for
 * `kycd scan --debug`. Development seeds only: it refuses evaluation seeds.
 *
 * Build (release library):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags $(make -s pkgs)) \
 *      bench/reader/causes.c build/release/libkycd.a $(pkg-config --libs $(make -s pkgs)) \
 *      -lm -lpthread -o build/bench/causes
 * Usage: causes SEED N CLASS [LEVEL]   (LEVEL 2 by default) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "document/image.h"
#include "document/mrz.h"
#include "document/reader.h"
#include "document/synth.h"

/* Whether a first-pass candidate line's centre lies inside the MRZ box. */
static int located(const struct kyc_image *img, const struct kyc_synth_doc *d)
{
	struct kyc_reader__cand c[8];
	double luma, sc = (double)img->w / d->width;
	int nc = kyc_reader__locate(img->gray, img->w, img->h, img->w, c, 8, &luma);
	for (int q = 0; q < nc; q++) {
		int pos = 0, neg = 0;
		for (int e = 0; e < 4; e++) {
			const double *a = d->mrz_quad[e], *b = d->mrz_quad[(e + 1) % 4];
			double x = c[q].cx / sc, y = c[q].cy / sc;
			double cr = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
			pos += cr > 0;
			neg += cr < 0;
		}
		if (pos == 4 || neg == 4)
			return 1;
	}
	return 0;
}

static void one(uint64_t seed, int i, int level, enum kyc_synth_class cls, const char *name)
{
	struct kyc_synth_doc d;
	unsigned char *jpg;
	size_t len;
	if (kyc_synth_make_class(seed, i, level, cls, KYC_SYNTH_MIXED, &d, &jpg, &len))
		return;
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE, .keep_bytes = 1};
	struct kyc_image img;
	struct kyc_reader_result r;
	memset(&r, 0, sizeof r);
	int rc = -1, loc = 0;
	if (kyc_image_decode(jpg, len, &o, &img, NULL) == 0) {
		rc = kyc_reader_scan(&img, &r);
		loc = rc ? located(&img, &d) : 1;
		kyc_image_free(&img);
	}
	/* the lines as the API's extraction passes them to the parser */
	char text[256], alt[256];
	float conf[256];
	size_t k = 0;
	for (int l = 0; rc == 0 && l < r.nlines; l++) {
		size_t ll = strlen(r.lines[l]);
		memcpy(text + k, r.lines[l], ll);
		for (size_t j = 0; j < ll; j++)
			alt[k + j] = r.alt[l][j], conf[k + j] = r.conf[l][j];
		k += ll;
		alt[k] = 0, conf[k] = 1;
		text[k++] = '\n';
	}
	text[k] = 0;
	struct kyc_mrz m;
	char err[128];
	int nl = d.id.nlines, n = (int)strlen(d.id.lines[0]);
	int parsed = k && kyc_mrz_parse_ocr(text, alt, conf, k, kyc_now_ms() / 86400000, &m, err,
	                                    sizeof err) == 0;
	int exact = parsed && m.nlines == nl;
	for (int l = 0; exact && l < nl; l++)
		exact = !strcmp(m.lines[l], d.id.lines[l]);
	const char *cause = "chars";
	int wrong = 0, alt_ok = 0;
	if (rc != 0)
		cause = "notfound";
	else if (r.nlines != nl || r.line_len != n)
		cause = "layout";
	else
		for (int l = 0; l < nl; l++)
			for (int j = 0; j < n; j++)
				if (r.lines[l][j] != d.id.lines[l][j]) {
					wrong++;
					alt_ok += r.alt[l][j] == d.id.lines[l][j];
				}
	printf("%s\t%d\t%d\t%d\t%s\t%d\t%d\t%s\t%.2f\t%d\n", name, i, exact, parsed && m.valid,
	       cause, wrong, alt_ok, kyc_reader_reason_name(r.reason), r.pitch_px, loc);
	const char *dump = getenv("DUMP");
	if (!exact && dump) {
		char fn[1024];
		snprintf(fn, sizeof fn, "%s/%s_%llu_%d.jpg", dump, name, (unsigned long long)seed,
		         i);
		FILE *f = fopen(fn, "wb");
		if (f) {
			fwrite(jpg, 1, len, f);
			fclose(f);
		}
	}
	free(jpg);
	if (!exact && rc == 0)
		for (int l = 0; l < r.nlines || l < nl; l++)
			printf("#  %s\n#  %s\n", l < r.nlines ? r.lines[l] : "",
			       l < nl ? d.id.lines[l] : "");
}

int main(int argc, char **argv)
{
	enum kyc_synth_class cls;
	if (argc < 4 || kyc_synth_class_parse(argv[3], &cls)) {
		fprintf(stderr, "usage: causes SEED N CLASS [LEVEL]\n");
		return 2;
	}
	uint64_t seed = strtoull(argv[1], NULL, 0);
	long n = strtol(argv[2], NULL, 10), level = argc > 4 ? strtol(argv[4], NULL, 10) : 2;
	if (kyc_synth_seed_is_eval(seed)) {
		fprintf(stderr, "causes: %s is an evaluation seed\n", argv[1]);
		return 2;
	}
	for (int i = 0; i < n; i++)
		one(seed, i, (int)level, cls, argv[3]);
	return 0;
}
