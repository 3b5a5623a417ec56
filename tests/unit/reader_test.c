/* The MRZ reader end to end on real specimen scans ($KYCD_SHARED/realdocs)
 * and on freshly generated photos (kycd synth) with random seeds, plus the
 * reasons it gives when there is nothing to read. Pass-rate thresholds are
 * below what bench/reader measures on large sets, so a fresh seed does not
 * fail by bad luck, yet far above what a broken stage would reach. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "core/err.h"
#include "document/image.h"
#include "document/mrz.h"
#include "document/mrz_decode.h"
#include "document/reader.h"
#include "document/synth.h"
#include "test.h"

static int lines_match(const struct kyc_reader_result *r, const char lines[][48], int n)
{
	if (r->nlines != n)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(r->lines[i], lines[i]) != 0)
			return 0;
	return 1;
}

TEST(realdocs_specimens)
{
	const char *shared = getenv("KYCD_SHARED");
	if (!shared) {
		printf("  (KYCD_SHARED not set; realdocs skipped)\n");
		return;
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/realdocs/truth.jsonl", shared);
	FILE *f = fopen(path, "r");
	REQUIRE(f != NULL);
	char line[4096];
	int docs = 0, exact = 0, nomrz_ok = 0, nomrz = 0;
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		if (!j)
			continue;
		const char *file = json_string_value(json_object_get(j, "file"));
		json_t *lines = json_object_get(j, "lines");
		snprintf(path, sizeof path, "%s/realdocs/%s", shared, file ? file : "");
		struct kyc_image img;
		struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
		int rc = kyc_image_load(path, &o, &img, NULL);
		CHECK_INT(rc, 0);
		if (rc) {
			json_decref(j);
			continue;
		}
		struct kyc_reader_result r;
		rc = kyc_reader_scan(&img, &r);
		if (!json_is_array(lines)) {
			nomrz++;
			nomrz_ok += rc == KYC_ERR_NOTFOUND && r.reason == KYC_READER_NO_MRZ_FOUND;
		} else {
			char want[3][48] = {{0}};
			int n = (int)json_array_size(lines);
			for (int i = 0; i < n && i < 3; i++)
				snprintf(want[i], sizeof want[i], "%s",
					 json_string_value(json_array_get(lines, (size_t)i)));
			docs++;
			int ok = rc == 0 && lines_match(&r, want, n);
			exact += ok;
			if (!ok)
				printf("  realdocs %s: not exact (rc %d, %s)\n", file,
				       rc, kyc_reader_reason_name(r.reason));
		}
		kyc_image_free(&img);
		json_decref(j);
	}
	fclose(f);
	printf("  realdocs: %d/%d MRZ documents exact, %d/%d without MRZ reported as such\n",
	       exact, docs, nomrz_ok, nomrz);
	CHECK(docs >= 6);
	CHECK(exact >= docs - 1);
	CHECK_INT(nomrz_ok, nomrz);
}

/* Reads n fresh documents at a level; returns how many came out exact. */
static int synth_exact(uint64_t seed, int level, int n, int turn_all)
{
	int exact = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpg = NULL;
		size_t len = 0;
		if (kyc_synth_make(seed, i, level, KYC_SYNTH_MIXED, &d, &jpg, &len) != 0) {
			CHECK(!"kyc_synth_make failed");
			continue;
		}
		struct kyc_image img;
		struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
		int rc = kyc_image_decode(jpg, len, &o, &img, NULL);
		free(jpg);
		CHECK_INT(rc, 0);
		if (rc)
			continue;
		if (turn_all) { /* also turn the photo by 90° steps ourselves */
			int turns = i % 4;
			for (int t = 0; t < turns; t++) {
				unsigned char *g = malloc((size_t)img.w * img.h);
				for (int y = 0; y < img.h; y++)
					for (int x = 0; x < img.w; x++)
						g[(size_t)x * img.h + (img.h - 1 - y)] =
							img.gray[(size_t)y * img.w + x];
				free(img.gray);
				img.gray = g;
				int tmp = img.w;
				img.w = img.h;
				img.h = tmp;
			}
		}
		struct kyc_reader_result r;
		rc = kyc_reader_scan(&img, &r);
		int ok = rc == 0 && lines_match(&r, d.id.lines, d.id.nlines);
		if (ok && turn_all) {
			int want = (d.orientation + 90 * (i % 4)) % 360;
			CHECK_INT(r.orientation, want);
		}
		exact += ok;
		kyc_image_free(&img);
	}
	return exact;
}

TEST(synth_fresh_seeds)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	static const struct {
		int level, n, min;
	} plan[] = {{0, 16, 15}, {1, 8, 7}, {2, 8, 4}};
	for (size_t p = 0; p < sizeof plan / sizeof *plan; p++) {
		int ex = synth_exact(seed, plan[p].level, plan[p].n, 0);
		printf("  synth seed %llu level %d: %d/%d exact\n", (unsigned long long)seed,
		       plan[p].level, ex, plan[p].n);
		CHECK(ex >= plan[p].min);
	}
}

TEST(synth_turned_by_us)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int ex = synth_exact(seed, 0, 8, 1);
	printf("  synth seed %llu level 0 turned 0/90/180/270: %d/8 exact\n",
	       (unsigned long long)seed, ex);
	CHECK(ex >= 7);
}

/* Horizontal then vertical box blur of radius r, in place. */
static void box_blur(unsigned char *g, int w, int h, int r)
{
	unsigned char *t = malloc((size_t)(w > h ? w : h));
	for (int pass = 0; pass < 2; pass++) {
		int n = pass ? w : h, len = pass ? h : w;
		size_t step = pass ? (size_t)w : 1, line = pass ? 1 : (size_t)w;
		for (int l = 0; l < n; l++) {
			unsigned char *p = g + l * line;
			for (int i = 0; i < len; i++) {
				int sum = 0, k = 0;
				for (int d = -r; d <= r; d++)
					if (i + d >= 0 && i + d < len) {
						sum += p[(i + d) * step];
						k++;
					}
				t[i] = (unsigned char)(sum / k);
			}
			for (int i = 0; i < len; i++)
				p[i * step] = t[i];
		}
	}
	free(t);
}

/* Retry hints on real failures: the photo cut through the middle of the MRZ,
 * and the photo blurred by a third of the MRZ pitch. */
/* A level-0 photo of (seed, i) decoded at full size into img, its truth into d.
 * 0, or -1 when the generator or the decoder failed. */
static int level0_photo(uint64_t seed, int i, struct kyc_synth_doc *d, struct kyc_image *img)
{
	unsigned char *jpg;
	size_t len;
	if (kyc_synth_make(seed, i, 0, KYC_SYNTH_MIXED, d, &jpg, &len) != 0)
		return -1;
	int rc = kyc_image_decode(jpg, len, NULL, img, NULL);
	free(jpg);
	return rc == 0 ? 0 : -1;
}

TEST(cut_off_and_blurry_hints)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int cut = 0, blurry = 0;
	for (int i = 0; i < 3; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img, part;
		REQUIRE(level0_photo(seed, i, &d, &img) == 0);
		int cw = (int)((d.mrz_quad[0][0] + d.mrz_quad[1][0]) / 2);
		struct kyc_reader_result r;
		if (d.orientation == 0 && cw > 300 &&
		    kyc_image_from_gray(img.gray, cw, img.h, img.w, &part) == 0) {
			cut += kyc_reader_scan(&part, &r) == KYC_ERR_NOTFOUND &&
			       r.reason == KYC_READER_MRZ_CUT_OFF;
			kyc_image_free(&part);
		} else {
			cut++; /* level 0 is upright; nothing to cut otherwise */
		}
		box_blur(img.gray, img.w, img.h, (int)(d.mrz_px / 3 + 1));
		int rc = kyc_reader_scan(&img, &r);
		blurry += rc == KYC_ERR_NOTFOUND && r.reason == KYC_READER_TOO_BLURRY;
		kyc_image_free(&img);
	}
	printf("  seed %llu: cut off %d/3, too blurry %d/3\n", (unsigned long long)seed, cut,
	       blurry);
	CHECK(cut >= 2);
	CHECK(blurry >= 2);
}

/* A small picture cut tight round a document's MRZ, as public specimen images
 * of 250-290 px often are (bench/README.md, "Issue 11: a second real set"): a
 * generated photo's MRZ with two cells of margin and ten lines of page above,
 * shrunk (area average) to 6 px a cell, is read, not refused as too small. */
TEST(small_tight_crop_is_read)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int n = 3, small = 0, exact = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img, part;
		REQUIRE(level0_photo(seed, i, &d, &img) == 0);
		double p = d.mrz_px, x0 = img.w, y0 = img.h, x1 = 0, y1 = 0, s = 6 / p;
		for (int k = 0; k < 4; k++) {
			x0 = fmin(x0, d.mrz_quad[k][0]), x1 = fmax(x1, d.mrz_quad[k][0]);
			y0 = fmin(y0, d.mrz_quad[k][1]), y1 = fmax(y1, d.mrz_quad[k][1]);
		}
		int cx = (int)fmax(0, x0 - 2 * p), cy = (int)fmax(0, y0 - 10 * 1.6 * p);
		int cw = (int)fmin(img.w, x1 + 2 * p) - cx, ch = (int)fmin(img.h, y1 + 2 * p) - cy;
		int w = (int)(cw * s), h = (int)(ch * s);
		unsigned char *g = malloc((size_t)w * (size_t)h);
		REQUIRE(g != NULL);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				unsigned sum = 0, m = 0;
				for (int yy = (int)(y / s); yy < (int)((y + 1) / s); yy++)
					for (int xx = (int)(x / s); xx < (int)((x + 1) / s); xx++, m++)
						sum += img.gray[(size_t)(cy + yy) * (size_t)img.w +
						                (size_t)(cx + xx)];
				g[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(m ? sum / m : 255);
			}
		REQUIRE(kyc_image_from_gray(g, w, h, w, &part) == 0);
		struct kyc_reader_result r;
		small += w < 320 || h < 200; /* below the reader's former floor */
		exact += kyc_reader_scan(&part, &r) == 0 && lines_match(&r, d.id.lines, d.id.nlines);
		kyc_image_free(&part);
		kyc_image_free(&img);
		free(g);
	}
	printf("  seed %llu: %d of %d small crops read exactly (%d below 320 x 200 px)\n",
	       (unsigned long long)seed, exact, n, small);
	CHECK(small == n);
	CHECK(exact >= 2);
}

/* A page drawn with a thin printed frame (a specimen drawing's border) half a
 * pitch beyond the MRZ's ends: the line bridges to the frame's sides, and
 * the frame must not weld every line it passes into one component. The
 * photo is cut round the frame, which runs from a pitch under the MRZ to
 * 26 pitches above it (a data page about as tall as two thirds its width). */
TEST(mrz_inside_a_printed_frame_is_located)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int n = 3, exact = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img, part;
		REQUIRE(level0_photo(seed, i, &d, &img) == 0);
		const double(*q)[2] = d.mrz_quad; /* tl, tr, br, bl */
		double p = d.mrz_px, dx = q[1][0] - q[0][0], dy = q[1][1] - q[0][1];
		double len = hypot(dx, dy), ux = dx / len, uy = dy / len;
		double ht = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
		/* the frame in the MRZ's own axes: along from a0 to a1, across
		 * (downwards) from b0 to b1, t pixels thick */
		double a0 = -0.5 * p, a1 = len + 0.5 * p, b0 = -26 * p, b1 = ht + p;
		double t = fmax(1.2, (a1 - a0 + 4 * p) / 560);
		double x0 = img.w, y0 = img.h, x1 = 0, y1 = 0;
		for (int k = 0; k < 4; k++) {
			double a = k & 1 ? a1 + 2 * p : a0 - 2 * p, b = k & 2 ? b1 + 2 * p : b0 - 2 * p;
			double x = q[0][0] + a * ux - b * uy, y = q[0][1] + a * uy + b * ux;
			x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
		}
		int cx = (int)fmax(0, x0), cy = (int)fmax(0, y0);
		int w = (int)fmin(img.w, x1) - cx, h = (int)fmin(img.h, y1) - cy;
		unsigned char *g = malloc((size_t)w * (size_t)h);
		REQUIRE(g != NULL);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double rx = cx + x - q[0][0], ry = cy + y - q[0][1];
				double a = rx * ux + ry * uy, b = -rx * uy + ry * ux;
				int on = a >= a0 - t / 2 && a <= a1 + t / 2 && b >= b0 - t / 2 &&
				         b <= b1 + t / 2 &&
				         (fabs(a - a0) < t / 2 || fabs(a - a1) < t / 2 ||
				          fabs(b - b0) < t / 2 || fabs(b - b1) < t / 2);
				g[(size_t)y * (size_t)w + (size_t)x] =
				    on ? 20 : img.gray[(size_t)(cy + y) * (size_t)img.w + (size_t)(cx + x)];
			}
		REQUIRE(kyc_image_from_gray(g, w, h, w, &part) == 0);
		struct kyc_reader_result r;
		exact += kyc_reader_scan(&part, &r) == 0 && lines_match(&r, d.id.lines, d.id.nlines);
		kyc_image_free(&part);
		kyc_image_free(&img);
		free(g);
	}
	printf("  seed %llu: %d of %d framed pages read exactly\n", (unsigned long long)seed,
	       exact, n);
	CHECK(exact >= 2);
}

/* A located line that stops half way along the MRZ (glare or a shadow over
 * its second half): its band gives no layout and says which end its glyphs
 * ran into, and the band twice as long past that end lays the MRZ out with
 * the document's line count and length. The candidate is the first line's
 * first half, from the generator's truth. */
TEST(line_stopped_short_gets_a_longer_band)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int open_said = 0, laid = 0, n = 3;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img;
		REQUIRE(level0_photo(seed, i, &d, &img) == 0);
		const double(*q)[2] = d.line_quads[0]; /* tl, tr, br, bl */
		double dx = q[1][0] - q[0][0], dy = q[1][1] - q[0][1], l = hypot(dx, dy);
		struct kyc_reader__cand c = {
		    .cx = q[0][0] + 0.25 * dx + 0.5 * (q[3][0] - q[0][0]),
		    .cy = q[0][1] + 0.25 * dy + 0.5 * (q[3][1] - q[0][1]),
		    .ux = dx / l,
		    .uy = dy / l,
		    .len = 0.5 * l,
		    .thick = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]),
		};
		/* the missing half lies the text's way, which the band takes
		 * left to right when it runs rightwards */
		int side = dx > 0 || (dx == 0 && dy > 0) ? 1 : -1;
		struct kyc_reader__band b = {0}, lb = {0};
		struct kyc_reader__layout lay, ll;
		REQUIRE(kyc_reader__refine(&img, &c) == 0);
		int rc = kyc_reader__band_layout(&img, &c, 0, &b, &lay);
		open_said += rc == KYC_ERR_NOTFOUND && lay.open_end == side;
		rc = kyc_reader__band_layout_longer(&img, &c, side, 0, &lb, &ll);
		laid += rc == 0 && ll.nlines == d.id.nlines &&
			ll.len == (int)strlen(d.id.lines[0]);
		free(b.px);
		free(lb.px);
		kyc_image_free(&img);
	}
	printf("  seed %llu: open end said %d/%d, laid out longer %d/%d\n",
	       (unsigned long long)seed, open_said, n, laid, n);
	CHECK(open_said >= 2);
	CHECK(laid >= 2);
}

/* Photos without an MRZ (kycd synth's nomrz kinds: card fronts and backs,
 * receipts, pages, portraits, a cluttered desk) are told no_mrz_found: text
 * running off the edge is mrz_cut_off only when it looks like MRZ print. On
 * development seeds 4711 and 4712 the rule gave 270 of 302 with a second
 * rule (a filler pair for mrz_unreadable) that was not kept; without it the 7
 * mrz_unreadable go back, the rest are mrz_cut_off on receipts and papers
 * whose monospaced lines look MRZ-like; 234 before. The floor leaves room for
 * a fresh seed's luck. */
TEST(no_mrz_photos_say_no_mrz_found)
{
	uint64_t seed = test_seed(); /* KYCD_TEST_SEED replays one */
	int n = 30, none = 0, unreadable = 0, read = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpg;
		size_t len;
		REQUIRE(kyc_synth_make_class(seed, i, i % 3, KYC_SYNTH_CLASS_NOMRZ, KYC_SYNTH_MIXED,
					     &d, &jpg, &len) == 0);
		struct kyc_image img;
		struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
		int rc = kyc_image_decode(jpg, len, &o, &img, NULL);
		free(jpg);
		REQUIRE(rc == 0);
		struct kyc_reader_result r;
		rc = kyc_reader_scan(&img, &r);
		kyc_image_free(&img);
		read += rc == 0;
		none += rc == KYC_ERR_NOTFOUND && r.reason == KYC_READER_NO_MRZ_FOUND;
		unreadable += rc == KYC_ERR_NOTFOUND && r.reason == KYC_READER_MRZ_UNREADABLE;
		if (rc != KYC_ERR_NOTFOUND || r.reason != KYC_READER_NO_MRZ_FOUND)
			printf("  seed %llu index %d (kind %d): %s\n", (unsigned long long)seed, i,
			       d.nomrz_kind, rc ? kyc_reader_reason_name(r.reason) : "lines read");
	}
	printf("  seed %llu: %d of %d no_mrz_found, %d mrz_unreadable, %d read\n",
	       (unsigned long long)seed, none, n, unreadable, read);
	CHECK(none >= 18);
}

TEST(reasons_when_nothing_to_read)
{
	struct kyc_reader_result r;
	struct kyc_image img;
	CHECK_INT(kyc_reader_scan(NULL, &r), KYC_ERR_INVALID);

	unsigned char *g = malloc(800 * 600);
	memset(g, 235, 800 * 600);
	REQUIRE(kyc_image_from_gray(g, 800, 600, 800, &img) == 0);
	CHECK_INT(kyc_reader_scan(&img, &r), KYC_ERR_NOTFOUND);
	CHECK_INT(r.reason, KYC_READER_NO_MRZ_FOUND);
	CHECK_INT(r.nlines, 0);
	kyc_image_free(&img);

	memset(g, 12, 800 * 600);
	REQUIRE(kyc_image_from_gray(g, 800, 600, 800, &img) == 0);
	CHECK_INT(kyc_reader_scan(&img, &r), KYC_ERR_NOTFOUND);
	CHECK_INT(r.reason, KYC_READER_TOO_DARK);
	kyc_image_free(&img);

	REQUIRE(kyc_image_from_gray(g, 120, 90, 120, &img) == 0);
	CHECK_INT(kyc_reader_scan(&img, &r), KYC_ERR_NOTFOUND);
	CHECK_INT(r.reason, KYC_READER_IMAGE_TOO_SMALL);
	kyc_image_free(&img);
	free(g);

	CHECK_STR(kyc_reader_reason_name(KYC_READER_MRZ_CUT_OFF), "mrz_cut_off");
	CHECK_STR(kyc_reader_reason_name(KYC_READER_TOO_BLURRY), "too_blurry");
}

/* kycd scan: one JSON object per file with the parsed MRZ or an error code,
 * exit 1 when a file is not an image at all. Runs $KYCD_BIN (set by tests/run). */
TEST(cli_scan_json_lines)
{
	const char *bin = getenv("KYCD_BIN"), *shared = getenv("KYCD_SHARED");
	if (!bin || !shared) {
		printf("  (KYCD_BIN or KYCD_SHARED not set; cli skipped)\n");
		return;
	}
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' scan '%s/realdocs/td3.jpg' '%s/realdocs/nomrz.jpg' "
		 "'%s/realdocs/truth.jsonl'", bin, shared, shared, shared);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != NULL);
	char line[8192];
	int n = 0;
	json_t *o[3] = {NULL, NULL, NULL};
	while (n < 3 && fgets(line, sizeof line, p))
		o[n++] = json_loads(line, 0, NULL);
	int status = pclose(p);
	CHECK_INT(n, 3);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	if (n == 3 && o[0] && o[1] && o[2]) {
		json_t *mrz = json_object_get(o[0], "mrz");
		CHECK(json_is_null(json_object_get(o[0], "error")));
		CHECK(json_is_true(json_object_get(mrz, "valid")));
		CHECK_STR(json_string_value(json_object_get(mrz, "format")), "TD3");
		CHECK(json_is_number(json_object_get(o[0], "ms")));
		CHECK(json_is_null(json_object_get(o[1], "mrz")));
		CHECK_STR(json_string_value(json_object_get(json_object_get(o[1], "error"), "code")),
			  "no_mrz_found");
		CHECK_STR(json_string_value(json_object_get(json_object_get(o[2], "error"), "code")),
			  "not_an_image");
	}
	for (int i = 0; i < 3; i++)
		json_decref(o[i]);
}

TEST(check_digits_of_raw_lines)
{
	char l[3][KYC_READER_MAX_CHARS + 1] = {
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	};
	int total = 0;
	CHECK_INT(kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])l, 2, 44, &total), 5);
	CHECK_INT(total, 5);
	l[1][3] = '9'; /* breaks the document number and the composite */
	CHECK_INT(kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])l, 2, 44, &total), 3);
}

/* Check digit character of n characters of s. */
static char cd_of(const char *s, size_t n)
{
	return (char)('0' + kyc_mrz_check_digit(s, n));
}

/* A TD1 number longer than nine characters (ICAO 9303-5: a filler at the
 * check digit, the rest and its check digit at the start of the optional
 * data) holds its check, as the parser says, whichever of the two ways the
 * issuer computed the digit; a reading that held 3 of 4 made the reader
 * take an exact reading for a failing one and try every later step. */
TEST(check_digits_of_a_long_document_number)
{
	char l[3][KYC_READER_MAX_CHARS + 1] = {
		"I<UTOD23145890<7349?<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<?",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	};
	for (int printed = 0; printed < 2; printed++) {
		char num[32];
		/* the whole number, or the text as printed (the filler too) */
		snprintf(num, sizeof num, printed ? "%.10s%.4s" : "%.9s%.4s", l[0] + 5, l[0] + 15);
		l[0][19] = cd_of(num, strlen(num));
		char comp[64];
		memcpy(comp, l[0] + 5, 25);
		memcpy(comp + 25, l[1], 7);
		memcpy(comp + 32, l[1] + 8, 7);
		memcpy(comp + 39, l[1] + 18, 11);
		l[1][29] = cd_of(comp, 50);
		int total = 0;
		CHECK_INT(kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])l, 3, 30, &total), 4);
		CHECK_INT(total, 4);
		struct kyc_mrz m;
		char text[3 * (KYC_READER_MAX_CHARS + 1) + 1];
		snprintf(text, sizeof text, "%s\n%s\n%s", l[0], l[1], l[2]);
		CHECK_INT(kyc_mrz_parse(text, strlen(text), 20000, &m, NULL, 0), 0);
		CHECK(m.valid);
	}
	l[0][16] = l[0][16] == '3' ? '8' : '3'; /* breaks the number and the composite */
	int total = 0;
	CHECK_INT(kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])l, 3, 30, &total), 2);
	CHECK_INT(total, 4);
}

/* Candidates that are the lines themselves, each sure at 0.95, with a
 * runner-up where given. */
static void sure_cands(const char l[][KYC_READER_MAX_CHARS + 1], int nlines, int len,
		       struct kyc_mrz_cands *c, float conf[][KYC_READER_MAX_CHARS])
{
	memset(c, 0, sizeof *c);
	c->nlines = nlines;
	c->len = len;
	for (int i = 0; i < nlines; i++)
		for (int k = 0; k < len; k++) {
			c->ch[i][k][0] = l[i][k];
			c->p[i][k][0] = 0.95f;
			conf[i][k] = 0.95f;
		}
}

static void runner_up(struct kyc_mrz_cands *c, float conf[][KYC_READER_MAX_CHARS], int line,
		      int k, float p0, char ch, float p1)
{
	c->p[line][k][0] = p0;
	conf[line][k] = p0;
	c->ch[line][k][1] = ch;
	c->p[line][k][1] = p1;
}

TEST(codes_fitted_from_candidates)
{
	char l[3][KYC_READER_MAX_CHARS + 1] = {
	    "F<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	    "L898902C36NQR7408122P1204159ZE184226B<<<<<10",
	};
	struct kyc_mrz_cands c;
	float conf[3][KYC_READER_MAX_CHARS];
	sure_cands((const char(*)[KYC_READER_MAX_CHARS + 1])l, 2, 44, &c, conf);
	runner_up(&c, conf, 0, 0, 0.6f, 'P', 0.3f);  /* document code F, P second */
	runner_up(&c, conf, 1, 11, 0.7f, 'O', 0.2f); /* nationality NQR, NOR second */
	runner_up(&c, conf, 1, 20, 0.5f, 'F', 0.4f); /* sex P, F second */
	CHECK_INT(kyc_reader__fit_codes(&c, l, conf), 3);
	CHECK_STR(l[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
	CHECK_STR(l[1], "L898902C36NOR7408122F1204159ZE184226B<<<<<10");
	/* the changed characters are as sure as their candidates were */
	CHECK(conf[1][11] > 0.19f && conf[1][11] < 0.21f);
	CHECK(conf[0][0] > 0.29f && conf[0][0] < 0.31f);
	/* known codes and allowed letters stay, whatever the runners-up */
	CHECK_INT(kyc_reader__fit_codes(&c, l, conf), 0);

	/* an unknown code whose only known alternative is far less likely stays */
	memcpy(&l[1][10], "NQR", 3);
	sure_cands((const char(*)[KYC_READER_MAX_CHARS + 1])l, 2, 44, &c, conf);
	runner_up(&c, conf, 1, 11, 0.99f, 'O', 0.01f);
	CHECK_INT(kyc_reader__fit_codes(&c, l, conf), 0);
	CHECK(!memcmp(&l[1][10], "NQR", 3));

	/* TD1: nationality and sex on the second line at 15 and 7 */
	char t[3][KYC_READER_MAX_CHARS + 1] = {
	    "I<UTOD231458907<<<<<<<<<<<<<<<",
	    "7408122M1204159UTQ<<<<<<<<<<<6",
	    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	};
	sure_cands((const char(*)[KYC_READER_MAX_CHARS + 1])t, 3, 30, &c, conf);
	runner_up(&c, conf, 1, 17, 0.8f, 'O', 0.15f);
	CHECK_INT(kyc_reader__fit_codes(&c, t, conf), 1);
	CHECK_STR(t[1], "7408122M1204159UTO<<<<<<<<<<<6");

	/* the French card: its document number where the nationality would be
	 * (left alone), its sex at the end (fitted) */
	char f[3][KYC_READER_MAX_CHARS + 1] = {
	    "IDFRAERIKSSON<<<<<<<<<<<<<<<<<<<<<<<",
	    "8806923102856ANNA<MARIA<<<<7408122P6",
	};
	sure_cands((const char(*)[KYC_READER_MAX_CHARS + 1])f, 2, 36, &c, conf);
	c.ch[1][10][1] = 'D';
	c.p[1][10][1] = 0.9f;
	runner_up(&c, conf, 1, 34, 0.5f, 'F', 0.4f);
	CHECK_INT(kyc_reader__fit_codes(&c, f, conf), 1);
	CHECK_STR(f[1], "8806923102856ANNA<MARIA<<<<7408122F6");
}

int main(void)
{
	RUN(codes_fitted_from_candidates);
	RUN(check_digits_of_raw_lines);
	RUN(check_digits_of_a_long_document_number);
	RUN(reasons_when_nothing_to_read);
	RUN(cli_scan_json_lines);
	RUN(cut_off_and_blurry_hints);
	RUN(small_tight_crop_is_read);
	RUN(mrz_inside_a_printed_frame_is_located);
	RUN(line_stopped_short_gets_a_longer_band);
	RUN(no_mrz_photos_say_no_mrz_found);
	RUN(realdocs_specimens);
	RUN(synth_fresh_seeds);
	RUN(synth_turned_by_us);
	return test_done("reader");
}
