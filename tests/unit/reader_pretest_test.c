/* The reader's pre-test (src/document/reader_pretest.c), both ways: the lines
 * of generated MRZs look MRZ-like, and a photo's strokes that run along the
 * axes run off them once it is turned by 45° (bars drawn on paper likewise);
 * card faces with their MRZ painted out, noise and a solid stroke do not
 * look MRZ-like. Fresh random seeds on every run; the floors are below what
 * repeated runs give, far above chance. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "specimen.h"
#include "test.h"

#define N 8

static int decode(const unsigned char *jpg, size_t len, struct kyc_image *img)
{
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
	return kyc_image_decode(jpg, len, &o, img, NULL);
}

/* Generated photo i of a class at a level, decoded as the scan gets it
 * (CLASS_NONE: the level's ordinary photo). 0 when decoded. */
static int photo(uint64_t seed, int i, int level, enum kyc_synth_class cls,
                 struct kyc_synth_doc *d, struct kyc_image *img)
{
	unsigned char *jpg = NULL;
	size_t len = 0;
	int rc = kyc_synth_make_class(seed, i, level, cls, KYC_SYNTH_MIXED, d, &jpg, &len);
	CHECK_INT(rc, 0);
	if (rc)
		return rc;
	rc = decode(jpg, len, img);
	free(jpg);
	CHECK_INT(rc, 0);
	return rc;
}

/* The first pass's lines as the scan looks at them before reading. */
static int first_lines(const struct kyc_image *img, struct kyc_reader__cand *c)
{
	double luma;
	return kyc_reader__locate(img->gray, img->w, img->h, img->w, c, 16, &luma);
}

/* img turned by deg about its centre onto a canvas that holds all of it,
 * the corners filled with the image's first pixel. */
static int turn(const struct kyc_image *img, double deg, struct kyc_image *out)
{
	double cs = cos(deg * M_PI / 180), sn = sin(deg * M_PI / 180);
	int side = (int)((img->w + img->h) * M_SQRT1_2) + 2;
	unsigned char *g = malloc((size_t)side * side);
	if (!g)
		return -1;
	double c = side / 2.0;
	for (int v = 0; v < side; v++)
		for (int u = 0; u < side; u++) {
			double x = img->w / 2.0 + (u - c) * cs + (v - c) * sn;
			double y = img->h / 2.0 - (u - c) * sn + (v - c) * cs;
			int xi = (int)floor(x + 0.5), yi = (int)floor(y + 0.5);
			g[(size_t)v * side + u] = xi >= 0 && yi >= 0 && xi < img->w && yi < img->h
			                              ? img->gray[(size_t)yi * img->w + xi]
			                              : img->gray[0];
		}
	memset(out, 0, sizeof *out);
	out->gray = g;
	out->w = out->h = side;
	return 0;
}

static uint64_t fresh_seed(void)
{
	return test_seed(); /* KYCD_TEST_SEED replays one */
}

/* A line along the middle of MRZ line i of a scan's result (the quad's
 * corners: top-left, top-right, bottom-right, bottom-left of the band). */
static struct kyc_reader__cand mrz_line(const struct kyc_reader_result *r, int i)
{
	double f = (i + 0.5) / r->nlines;
	double lx = r->quad[0][0] + f * (r->quad[3][0] - r->quad[0][0]);
	double ly = r->quad[0][1] + f * (r->quad[3][1] - r->quad[0][1]);
	double rx = r->quad[1][0] + f * (r->quad[2][0] - r->quad[1][0]);
	double ry = r->quad[1][1] + f * (r->quad[2][1] - r->quad[1][1]);
	double len = hypot(rx - lx, ry - ly);
	struct kyc_reader__cand c = {.cx = (lx + rx) / 2,
	                             .cy = (ly + ry) / 2,
	                             .ux = (rx - lx) / len,
	                             .uy = (ry - ly) / len,
	                             .len = len,
	                             .thick = r->pitch_px};
	return c;
}

/* MRZ-like is a per-photo rate, not a rule: over 60 fresh seeds of 8 level-0
 * photos (session 12) 417 of 480 read MRZs passed, 87 %, and a floor of 6 of 8
 * failed one run in twelve. Hence 32 photos and a floor of 19 (a binomial tail
 * of 2e-5 at 87 %), which still fails when the rate falls under about 70 %. */
#define N_LIKE 32

TEST(generated_mrz_looks_like_mrz)
{
	uint64_t seed = fresh_seed();
	int read = 0, seen = 0, axis = 0, turned = 0;
	for (int i = 0; i < N_LIKE; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img, t;
		if (photo(seed, i, 0, KYC_SYNTH_CLASS_NONE, &d, &img))
			continue;
		/* every line of the MRZ the reader found, as a candidate line */
		struct kyc_reader_result r;
		if (kyc_reader_scan(&img, &r) == 0 && r.nlines >= 2) {
			read++;
			double lo = 1, hi = 0;
			for (int k = 0; k < r.nlines; k++) {
				struct kyc_reader__cand c = mrz_line(&r, k);
				double m = kyc_reader__mrz_like(&img, &c, 1);
				lo = m < lo ? m : lo;
				hi = m > hi ? m : hi;
			}
			/* the surer line passes for a photo's evidence, every line
			 * for a later pass's */
			seen += hi >= KYC_READER__MRZ_LIKE_PHOTO && lo >= KYC_READER__MRZ_LIKE_LINE;
		}
		/* turning a photo by 45° turns cos 4φ's sign: strokes that ran
		 * along the axes run off them */
		double up = kyc_reader__axis_strokes(&img);
		if (up >= KYC_READER__AXIS_STROKES && turn(&img, 45, &t) == 0) {
			axis++;
			turned += kyc_reader__axis_strokes(&t) < KYC_READER__AXIS_STROKES;
			kyc_image_free(&t);
		}
		kyc_image_free(&img);
	}
	printf("  seed %llu level 0: MRZ read %d/%d, MRZ-like %d; strokes on "
	       "the axes %d/%d, of them off the axes turned by 45° %d\n",
	       (unsigned long long)seed, read, N_LIKE, seen, axis, N_LIKE, turned);
	CHECK(read >= N_LIKE - 1);
	CHECK(seen >= 19);
	CHECK_INT(turned, axis);
}

/* Strokes drawn along the axes (bars of glyph size on paper): near 1; the
 * same turned by 45°, near -1; turned by 21°, the least a document needs
 * the turned pass, below the bar. */
TEST(strokes_on_and_off_the_axes)
{
	int w = 800, h = 560;
	struct kyc_image img = {.w = w, .h = h}, t;
	img.gray = malloc((size_t)w * h);
	REQUIRE(img.gray);
	memset(img.gray, 230, (size_t)w * h);
	for (int row = 0; row < 12; row++)
		for (int col = 0; col < 40; col++) {
			int x0 = 40 + col * 18, y0 = 40 + row * 40, tall = (row + col) % 3 != 0;
			for (int y = y0; y < y0 + (tall ? 22 : 4); y++)
				for (int x = x0; x < x0 + (tall ? 4 : 12); x++)
					img.gray[(size_t)y * w + x] = 30;
		}
	double up = kyc_reader__axis_strokes(&img);
	CHECK(up > 0.8);
	REQUIRE(turn(&img, 45, &t) == 0);
	double t45 = kyc_reader__axis_strokes(&t);
	kyc_image_free(&t);
	REQUIRE(turn(&img, 21, &t) == 0);
	double t21 = kyc_reader__axis_strokes(&t);
	kyc_image_free(&t);
	printf("  bars: %.2f upright, %.2f turned by 45°, %.2f by 21°\n", up, t45, t21);
	CHECK(t45 < -0.5);
	CHECK(t21 < KYC_READER__AXIS_STROKES);
	free(img.gray);
}

TEST(no_mrz_does_not_look_like_mrz)
{
	uint64_t seed = fresh_seed();
	int quiet = 0;
	for (int i = 0, from = 0; i < N; i++) {
		unsigned char *jpg = NULL;
		size_t len = 0;
		int used = 0;
		/* a TD1 card's face: its printed fields and portrait, no MRZ */
		REQUIRE(specimen_card_front_index(seed, from, KYC_SYNTH_TD1, &jpg, &len, &used) ==
		        0);
		from = used + 1;
		struct kyc_image img;
		int rc = decode(jpg, len, &img);
		free(jpg);
		CHECK_INT(rc, 0);
		if (rc)
			continue;
		struct kyc_reader__cand c[16];
		int n = first_lines(&img, c);
		quiet += !kyc_reader__mrz_evidence(&img, c, n);
		kyc_image_free(&img);
	}
	printf("  seed %llu card faces without MRZ: not MRZ-like %d/%d\n", (unsigned long long)seed,
	       quiet, N);
	CHECK(quiet >= N / 2);
}

/* The first pass reads its likeliest line whatever it scores, and a line
 * past it only when MRZ-like: on photos whose MRZ sits among clutter (a
 * desk, fingers, other print) the MRZ's lines would still be read from any
 * rank, and those photos still read. */
TEST(first_pass_reads_mrz_lines_past_the_likeliest)
{
	uint64_t seed = fresh_seed();
	int read = 0, worth = 0, exact = 0;
	for (int i = 0; i < N; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img;
		if (photo(seed, i, 1, KYC_SYNTH_CLASS_CLUTTER, &d, &img))
			continue;
		struct kyc_reader_result r;
		if (kyc_reader_scan(&img, &r) == 0 && r.nlines >= 2) {
			read++;
			int same = r.nlines == d.id.nlines;
			for (int k = 0; same && k < r.nlines; k++)
				same = !strcmp(r.lines[k], d.id.lines[k]);
			exact += same;
			/* one line is enough to read the MRZ from */
			int any = 0;
			for (int k = 0; k < r.nlines; k++) {
				struct kyc_reader__cand c = mrz_line(&r, k);
				any |= kyc_reader__worth_reading(&img, &c, 0, 1 + k);
			}
			worth += any;
		}
		/* the likeliest line of the first pass is read, whatever it is */
		struct kyc_reader__cand c[16];
		if (first_lines(&img, c) > 0)
			CHECK_INT(kyc_reader__worth_reading(&img, &c[0], 0, 0), 1);
		kyc_image_free(&img);
	}
	printf("  seed %llu clutter level 1: read %d/%d (raw lines exact %d), MRZ read from "
	       "past the likeliest line %d\n",
	       (unsigned long long)seed, read, N, exact, worth);
	CHECK(read >= N - 1);
	CHECK(worth >= read - 1);
}

/* Photos without an MRZ (card backs, receipts, pages of text, portraits,
 * desks): many of the first pass's lines past its likeliest are left
 * unread, where each used to cost a band and three binarisations. */
TEST(no_mrz_first_pass_lines_skipped)
{
	uint64_t seed = fresh_seed();
	int offered = 0, skipped = 0;
	for (int i = 0; i < 2 * N; i++) {
		struct kyc_synth_doc d;
		struct kyc_image img;
		if (photo(seed, i, i % 3, KYC_SYNTH_CLASS_NOMRZ, &d, &img))
			continue;
		struct kyc_reader__cand c[16];
		int n = first_lines(&img, c);
		/* the scan reads up to four lines a pass */
		for (int k = 1; k < n && k < 4; k++) {
			offered++;
			skipped += !kyc_reader__worth_reading(&img, &c[k], 0, k);
		}
		kyc_image_free(&img);
	}
	printf("  seed %llu without MRZ: first-pass lines past the likeliest %d, left unread %d\n",
	       (unsigned long long)seed, offered, skipped);
	CHECK(offered > 0);
	CHECK(skipped * 5 >= offered);
}

/* Noise and blank paper: no line of them looks like MRZ print, whatever
 * the locator makes of them. */
TEST(noise_and_paper)
{
	int w = 900, h = 640;
	struct kyc_image img = {.w = w, .h = h};
	img.gray = malloc((size_t)w * h);
	REQUIRE(img.gray);
	uint64_t s = fresh_seed() | 1;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17; /* xorshift */
		img.gray[i] = (unsigned char)(60 + s % 160);
	}
	struct kyc_reader__cand c[16];
	int n = first_lines(&img, c);
	CHECK_INT(kyc_reader__mrz_evidence(&img, c, n), 0);
	/* a line drawn across paper by hand: as long and thick as an MRZ line,
	 * one solid stroke, no pitch */
	memset(img.gray, 235, (size_t)w * h);
	for (int y = 300; y < 312; y++)
		memset(img.gray + (size_t)y * w + 100, 40, 700);
	struct kyc_reader__cand line = {
	    .cx = 450, .cy = 305.5, .ux = 1, .uy = 0, .len = 700, .thick = 12};
	CHECK(kyc_reader__mrz_like(&img, &line, 1) < KYC_READER__MRZ_LIKE_LINE);
	CHECK_INT(kyc_reader__worth_reading(&img, &line, 0, 1), 0);
	CHECK_INT(kyc_reader__worth_reading(&img, &line, 1, 0), 0);
	CHECK_INT(kyc_reader__worth_reading(&img, &line, 0, 0), 1);
	/* blank paper has no strokes: 0, which runs the turned pass */
	memset(img.gray, 235, (size_t)w * h);
	CHECK(fabs(kyc_reader__axis_strokes(&img)) < 1e-9);
	free(img.gray);
}

int main(void)
{
	RUN(generated_mrz_looks_like_mrz);
	RUN(no_mrz_does_not_look_like_mrz);
	RUN(strokes_on_and_off_the_axes);
	RUN(noise_and_paper);
	RUN(first_pass_reads_mrz_lines_past_the_likeliest);
	RUN(no_mrz_first_pass_lines_skipped);
	return test_done("reader_pretest");
}
