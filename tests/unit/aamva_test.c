/* The AAMVA parser (src/document/aamva.c) on generated licences' data with
 * known ground truth and on hand-written barcodes of older versions, the
 * zxing wrapper (barcode.h) on rendered licence backs, and the licence
 * reader (card_dl_aamva.h) front against back. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/err.h"
#include "document/aamva.h"
#include "document/barcode.h"
#include "document/card_dl_aamva.h"
#include "document/image.h"
#include "document/pdf417_grid.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "document/tess.h"
#include "test.h"

static const char *value(const json_t *fields, const char *name)
{
	return json_string_value(json_object_get(json_object_get(fields, name), "value"));
}

static int accepted(const json_t *fields, const char *name)
{
	return json_is_true(json_object_get(json_object_get(fields, name), "accepted"));
}

static int parse_text(const char *s, struct kyc_aamva *a, const char **why)
{
	size_t n = strlen(s);
	unsigned char *copy = malloc(n ? n : 1); /* exact size: ASan sees reads past it */
	memcpy(copy, s, n);
	int rc = kyc_aamva_parse(copy, n, a, why);
	free(copy);
	return rc;
}

/* Every field of every generated card comes back as the card was made. */
TEST(generated)
{
	static struct kyc_aamva a, b;
	for (int i = 1; i <= 300; i++) {
		struct kyc_dl_card c;
		kyc_synth_dl_card(42, i, &c);
		kyc_synth_dl_aamva(&c, &a);
		kyc_buf data;
		kyc_buf_init(&data, 8192);
		CHECK_INT(kyc_aamva_write(&a, &data), 0);
		const char *why = NULL;
		CHECK_INT(kyc_aamva_parse((const unsigned char *)data.data, data.len, &b, &why), 0);
		kyc_buf_release(&data);
		CHECK_INT(b.version, c.version);
		CHECK_STR(b.iin, c.iin);
		CHECK_STR(b.subfile, c.subfile);
		json_t *f = kyc_aamva_fields(&b);
		char given[100];
		snprintf(given, sizeof given, "%s%s%s", c.first_name, c.middle_names[0] ? " " : "",
			 c.middle_names);
		CHECK_STR(value(f, "document_number"), c.document_number);
		CHECK_STR(value(f, "surname"), c.surname);
		if (c.first_name[0]) {
			CHECK_STR(value(f, "given_names"), given);
			CHECK_STR(value(f, "first_name"), c.first_name);
		} else { /* a person with one name: DAC says NONE */
			CHECK(!json_object_get(f, "given_names"));
		}
		CHECK_STR(value(f, "birth_date"), c.birth_date);
		CHECK_STR(value(f, "issue_date"), c.issue_date);
		CHECK_STR(value(f, "expiry_date"), c.expiry_date);
		CHECK_STR(value(f, "sex"), c.sex);
		CHECK_STR(value(f, "issuing_country"), c.country);
		CHECK_STR(value(f, "address_street"), c.street);
		CHECK_STR(value(f, "address_city"), c.city);
		CHECK_STR(value(f, "address_state"), c.jurisdiction);
		CHECK_STR(value(f, "address_postal_code"), c.postal_code);
		CHECK_STR(value(f, "document_type"), c.subfile);
		CHECK(c.middle_names[0] ? !strcmp(value(f, "middle_names"), c.middle_names)
					: !json_object_get(f, "middle_names"));
		CHECK(c.vehicle_class[0] ? !strcmp(value(f, "vehicle_class"), c.vehicle_class)
					 : !json_object_get(f, "vehicle_class"));
		CHECK(accepted(f, "birth_date") && accepted(f, "document_number") &&
		      accepted(f, "sex"));
		CHECK_STR(json_string_value(json_object_get(json_object_get(f, "surname"), "source")),
			  "barcode");
		json_decref(f);
	}
}

/* Written by hand from the standard: a version-1 card (no jurisdiction
 * version, the whole name in DAA, sex as a letter, CCYYMMDD dates) and a
 * Canadian version-8 card without DCG (the IIN says Canada). */
TEST(older_and_canadian)
{
	static struct kyc_aamva a;
	const char *why = NULL;
	const char *v1 = "@\n\x1e\rANSI 6360000101DL00290084DL"
			 "DAQD1234567\nDAAPUBLIC,JOHN,QUINCY\nDBB19700131\nDBA20300131\n"
			 "DBCM\nDAG1 MAIN ST\nDAJVA\r";
	CHECK_INT(parse_text(v1, &a, &why), 0);
	CHECK_INT(a.version, 1);
	CHECK_INT(a.jurisdiction_version, 0);
	json_t *f = kyc_aamva_fields(&a);
	CHECK_STR(value(f, "surname"), "PUBLIC");
	CHECK_STR(value(f, "given_names"), "JOHN QUINCY");
	/* US order MMDDCCYY does not give a date: the other order is taken */
	CHECK_STR(value(f, "birth_date"), "1970-01-31");
	CHECK_STR(value(f, "sex"), "M");
	CHECK_STR(value(f, "issuing_country"), "USA");
	json_decref(f);

	const char *on = "@\n\x1e\rANSI 636012080002DL00410058ZO00990005DL"
			 "DAQP1234-56789-01234\nDCSPUBLIC\nDACJANE\nDBB19800704\nDBC2\r"
			 "ZOZOA1\r";
	CHECK_INT(parse_text(on, &a, &why), 0);
	f = kyc_aamva_fields(&a);
	CHECK_STR(value(f, "issuing_country"), "CAN");
	CHECK_STR(value(f, "birth_date"), "1980-07-04"); /* CCYYMMDD */
	CHECK_STR(value(f, "sex"), "F");
	CHECK_STR(value(f, "given_names"), "JANE");
	CHECK(!json_object_get(f, "middle_names"));
	json_decref(f);

	/* A wrong offset: the subfile is found right after the designators;
	 * "NONE" and "unavl" are no values. */
	const char *off = "@\n\x1e\rANSI 636000100001DL09990050DLDAQ123\nDADNONE\nDCSunavl\nDACAL\r";
	CHECK_INT(parse_text(off, &a, &why), 0);
	CHECK_STR(kyc_aamva_get(&a, "DAQ"), "123");
	CHECK(!kyc_aamva_get(&a, "DAD") && !kyc_aamva_get(&a, "DCS"));
	/* a date that is none is read but not accepted */
	const char *bad = "@\n\x1e\rANSI 636000100001DL00310020DLDBB13452000\r";
	CHECK_INT(parse_text(bad, &a, &why), 0);
	f = kyc_aamva_fields(&a);
	CHECK_STR(value(f, "birth_date"), "13452000");
	CHECK(!accepted(f, "birth_date"));
	json_decref(f);
}

TEST(refuses)
{
	static struct kyc_aamva a;
	static const struct {
		const char *data, *why;
	} cases[] = {
		{"", "header"},
		{"@\n\r\x1e" "ANSI 636000100001DL00310020DLDAQ1\r", "header"},
		{"@\n\x1e\rISO  636000100001DL00310020DLDAQ1\r", "file_type"},
		{"@\n\x1e\rANSI 63600X100001DL00310020DLDAQ1\r", "iin"},
		{"@\n\x1e\rANSI 6360000", "version"},
		{"@\n\x1e\rANSI 636000100000", "entries"},
		{"@\n\x1e\rANSI 636000100001DL0031", "designator"},
		{"@\n\x1e\rANSI 636000100001dl00310020DLDAQ1\r", "designator"},
		{"@\n\x1e\rANSI 636000100001ZV00310020ZVZVA1\r", "no_subfile"},
		{"@\n\x1e\rANSI 636000100001DL00310020XXDAQ1\r", "no_subfile"},
		{"@\n\x1e\rANSI 636000100001DL00310020DL\r", "no_elements"},
		{"@\n\x1e\rANSI 636000100001DL00310020DLdaq1\r", "element"},
		{"@\n\x1e\rANSI 636000100001DL00310020DLDAQ1\x01\r", "value_bytes"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = NULL;
		CHECK_INT(parse_text(cases[i].data, &a, &why), KYC_ERR_INVALID);
		CHECK_STR(why, cases[i].why);
	}
	/* a value longer than any field of the standard */
	char longv[400] = "@\n\x1e\rANSI 636000100001DL00310300DLDAQ";
	size_t n = strlen(longv);
	memset(longv + n, 'A', 300);
	longv[n + 300] = 0;
	const char *why = NULL;
	CHECK_INT(parse_text(longv, &a, &why), KYC_ERR_INVALID);
	CHECK_STR(why, "value_too_long");
}

/* Photographs of generated licence backs at levels 0 and 1, through the
 * licence reader: the PDF417 is decoded and its data is the card's (level
 * 2's smallest pictures leave a module under two pixels: bench/dl). */
TEST(barcode_photos)
{
	int decoded = 0, total = 0;
	for (int level = 0; level <= 1; level++)
		for (int i = 1; i <= 3; i++) {
			struct kyc_dl_card c;
			struct kyc_synth_card_shot shot;
			struct kyc_synth_image img;
			unsigned char *jpeg = NULL;
			size_t len = 0;
			kyc_synth_dl_card(7, i, &c);
			CHECK_INT(kyc_synth_dl_render(7, i, level, KYC_CARD_BACK, &c, &shot, &img), 0);
			CHECK_INT(kyc_synth_jpeg(&img, shot.quality, &jpeg, &len), 0);
			kyc_synth_image_release(&img);
			struct kyc_image im;
			CHECK_INT(kyc_image_decode(jpeg, len, NULL, &im, NULL), 0);
			free(jpeg);
			int err = 0;
			json_t *x = kyc_dl_read(NULL, &im, &err);
			kyc_image_free(&im);
			total++;
			const char *num = value(json_object_get(x, "fields"), "document_number");
			decoded += json_is_true(json_object_get(x, "barcode_found")) && num &&
				   !strcmp(num, c.document_number);
			json_decref(x);
		}
	CHECK_INT(decoded, total);
}

/* The whole answer (but its time) of a back read in the process, in one
 * child for the side (the default) and in a child for every zxing read:
 * the same, QR codes and the module seen included, with no child left
 * behind. */
static char *answer(const struct kyc_image *im, enum kyc_barcode_isolation mode)
{
	kyc_barcode_set_isolated(mode);
	int err = 0;
	json_t *x = kyc_dl_read(NULL, im, &err);
	kyc_barcode_set_isolated(KYC_BARCODE_ISOLATED);
	json_object_del(x, "ms");
	char *s = x ? json_dumps(x, JSON_SORT_KEYS) : NULL;
	json_decref(x);
	return s;
}

TEST(isolated_reads_answer_as_in_process)
{
	for (int level = 1; level <= 2; level++)
		for (int i = 1; i <= 2; i++) {
			struct kyc_dl_card c;
			struct kyc_image im;
			kyc_synth_dl_card(7, i, &c);
			REQUIRE(!kyc_synth_dl_upload(7, i, level, KYC_CARD_BACK, &c, KYC_READER_DECODE_SIDE, &im,
						     NULL, NULL));
			char *a = answer(&im, KYC_BARCODE_IN_PROCESS);
			char *b = answer(&im, KYC_BARCODE_ISOLATED);
			char *e = answer(&im, KYC_BARCODE_ISOLATED_EACH_READ);
			REQUIRE(a && b && e);
			CHECK_STR(b, a);
			CHECK_STR(e, a);
			/* a level-1 back decodes (barcode_photos) */
			CHECK(level == 2 || strstr(a, "\"barcode_found\": true"));
			free(a);
			free(b);
			free(e);
			kyc_image_free(&im);
		}
	int st;
	CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD);
}

/* A PDF417 of a licence's data drawn at 1.6 px a module (each pixel inked by
 * the share of it the modules cover) and blurred (Gaussian, sigma 1 px):
 * the one-module bars blur flat and zxing alone does not read it; redrawn
 * from its grid (pdf417_grid.h) it decodes to exactly the data. Noise
 * gives no symbol, or one that does not decode. */
static int clampi(int v, int n)
{
	return v < 0 ? 0 : v >= n ? n - 1 : v;
}

#define GRID_MOD 1.6
#define GRID_SS 10 /* supersampling of the drawing */
TEST(grid_redraws_a_blurred_symbol)
{
	struct kyc_dl_card c;
	struct kyc_aamva a;
	kyc_buf data;
	kyc_synth_dl_card(11, 1, &c);
	kyc_synth_dl_aamva(&c, &a);
	kyc_buf_init(&data, KYC_BARCODE_MAX_BYTES);
	REQUIRE(!kyc_aamva_write(&a, &data));
	unsigned char *m = NULL;
	int mw = 0, mh = 0;
	REQUIRE(!kyc_barcode_encode(KYC_BARCODE_PDF417, (const unsigned char *)data.data, data.len, 3, &m, &mw,
				    &mh));
	/* 12 modules of paper around */
	int w = (int)ceil((mw + 24) * GRID_MOD), h = (int)ceil((mh + 24) * GRID_MOD);
	double *ink = calloc((size_t)w * (size_t)h, sizeof *ink);
	double *tmp = calloc((size_t)w * (size_t)h, sizeof *tmp);
	unsigned char *g = malloc((size_t)w * (size_t)h);
	REQUIRE(ink && tmp && g);
	for (int y = 0; y < h * GRID_SS; y++)
		for (int x = 0; x < w * GRID_SS; x++) {
			int mx = (int)floor((x + 0.5) / GRID_SS / GRID_MOD) - 12;
			int my = (int)floor((y + 0.5) / GRID_SS / GRID_MOD) - 12;
			if (mx >= 0 && my >= 0 && mx < mw && my < mh && m[(size_t)my * (size_t)mw + (size_t)mx])
				ink[(size_t)(y / GRID_SS) * (size_t)w + (size_t)(x / GRID_SS)] += 1.0 / (GRID_SS * GRID_SS);
		}
	double k[7], ks = 0;
	for (int i = 0; i < 7; i++)
		ks += k[i] = exp(-(i - 3) * (i - 3) / 2.0);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double v = 0;
			for (int i = 0; i < 7; i++)
				v += k[i] / ks * ink[(size_t)y * (size_t)w + (size_t)clampi(x + i - 3, w)];
			tmp[(size_t)y * (size_t)w + (size_t)x] = v;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double v = 0;
			for (int i = 0; i < 7; i++)
				v += k[i] / ks * tmp[(size_t)clampi(y + i - 3, h) * (size_t)w + (size_t)x];
			g[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)lround(245 - 225 * v);
		}
	struct kyc_barcode *b = malloc(KYC_BARCODE_MAX * sizeof *b);
	REQUIRE(b);
	/* zxing alone, as the reader's plain reads do */
	int n = kyc_barcode_read(g, w, h, w, KYC_BARCODE_PDF417, b, KYC_BARCODE_MAX);
	CHECK(n <= 0 || b[0].len != data.len || memcmp(b[0].data, data.data, data.len));
	/* the grid, the region warped at twice the picture's size */
	struct kyc_image img = {.w = w, .h = h, .gray = g};
	const double region[4][2] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
	int read = 0;
	for (int t = 0; t < KYC_PDF417_GRID_TRIES && !read; t++) {
		unsigned char *sym = NULL;
		int sw = 0, sh = 0;
		if (kyc_pdf417_grid_redraw(&img, region, 2 * w, 2 * h, 2 * GRID_MOD, t, &sym, &sw, &sh))
			continue;
		n = kyc_barcode_read(sym, sw, sh, sw, KYC_BARCODE_PDF417, b, KYC_BARCODE_MAX);
		read = n > 0 && b[0].len == data.len && !memcmp(b[0].data, data.data, data.len);
		/* a symbol that decodes is this one, nothing else */
		CHECK(n <= 0 || read);
		free(sym);
	}
	CHECK(read);
	/* noise: no symbol decodes */
	uint32_t r = 12345;
	for (int i = 0; i < w * h; i++)
		r = r * 1664525u + 1013904223u, g[i] = (unsigned char)(r >> 24);
	for (int t = 0; t < KYC_PDF417_GRID_TRIES; t++) {
		unsigned char *sym = NULL;
		int sw = 0, sh = 0;
		int rc = kyc_pdf417_grid_redraw(&img, region, 2 * w, 2 * h, 2 * GRID_MOD, t, &sym, &sw, &sh);
		CHECK(rc || kyc_barcode_read(sym, sw, sh, sw, KYC_BARCODE_PDF417, b, KYC_BARCODE_MAX) <= 0);
		CHECK(!rc || !sym);
		free(sym);
	}
	free(b);
	free(g);
	free(ink);
	free(tmp);
	free(m);
	kyc_buf_release(&data);
}

TEST(encode_refuses)
{
	unsigned char *m = NULL;
	int w = 0, h = 0;
	static unsigned char big[KYC_BARCODE_MAX_BYTES + 1];
	CHECK_INT(kyc_barcode_encode(KYC_BARCODE_PDF417, big, sizeof big, 2, &m, &w, &h),
		  KYC_ERR_INVALID);
	CHECK(!m && !w && !h);
	CHECK_INT(kyc_barcode_encode(KYC_BARCODE_QR, (const unsigned char *)"x", 1, 99, &m, &w, &h),
		  KYC_ERR_INVALID);
	unsigned char px[16] = {0};
	struct kyc_barcode b;
	CHECK_INT(kyc_barcode_read(px, 4, 4, 4, KYC_BARCODE_QR, &b, 1), 0); /* nothing there */
	CHECK_INT(kyc_barcode_read(px, 4, 4, 3, KYC_BARCODE_QR, &b, 1), KYC_ERR_INVALID);
}

static int photo(uint64_t seed, int i, enum kyc_card_side side, const struct kyc_dl_card *c,
		 struct kyc_image *out)
{
	struct kyc_synth_card_shot shot;
	struct kyc_synth_image img;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	int rc = kyc_synth_dl_render(seed, i, 0, side, c, &shot, &img);
	if (!rc) {
		rc = kyc_synth_jpeg(&img, shot.quality, &jpeg, &len);
		kyc_synth_image_release(&img);
	}
	if (!rc)
		rc = kyc_image_decode(jpeg, len, NULL, out, NULL);
	free(jpeg);
	return rc;
}

/* Front and back of the same card agree; a front printed with another
 * birth date than the barcode's is flagged. */
TEST(front_against_back)
{
	int matched = 0;
	for (int i = 1; i <= 2; i++) {
		struct kyc_dl_card c, forged;
		struct kyc_image f, b, g;
		kyc_synth_dl_card(11, i, &c);
		forged = c;
		forged.birth_date[3] = (char)(forged.birth_date[3] == '9' ? '0' : forged.birth_date[3] + 1);
		CHECK_INT(photo(11, i, KYC_CARD_FRONT, &c, &f), 0);
		CHECK_INT(photo(11, i, KYC_CARD_BACK, &c, &b), 0);
		CHECK_INT(photo(11, i, KYC_CARD_FRONT, &forged, &g), 0);
		int err = 0;
		json_t *x = kyc_dl_read(&f, &b, &err);
		CHECK(x && json_is_true(json_object_get(x, "barcode_found")));
		const json_t *fields = json_object_get(x, "fields");
		CHECK_STR(value(fields, "birth_date"), c.birth_date);
		CHECK_STR(value(fields, "document_number"), c.document_number);
		CHECK_STR(json_string_value(json_object_get(json_object_get(fields, "birth_date"), "source")),
			  "barcode");
		/* what the front reads and accepts never contradicts its own card */
		CHECK_INT(json_array_size(json_object_get(x, "contradictions")), 0);
		const char *bd = json_string_value(
		    json_object_get(json_object_get(x, "cross_check"), "birth_date"));
		matched += bd && !strcmp(bd, "match");
		json_t *y = kyc_dl_read(&g, &b, &err);
		const char *bd2 = json_string_value(
		    json_object_get(json_object_get(y, "cross_check"), "birth_date"));
		if (bd && !strcmp(bd, "match")) {
			CHECK_STR(bd2, "mismatch");
			CHECK_STR(json_string_value(json_array_get(json_object_get(y, "contradictions"), 0)),
				  "birth_date_mismatch");
		}
		json_decref(x);
		json_decref(y);
		kyc_image_free(&f);
		kyc_image_free(&b);
		kyc_image_free(&g);
	}
	/* the front of a level-0 photo is read well enough to be checked */
	CHECK(matched >= 1);
	kyc_tess_thread_release();
}

int main(void)
{
	RUN(generated);
	RUN(older_and_canadian);
	RUN(refuses);
	RUN(barcode_photos);
	RUN(isolated_reads_answer_as_in_process);
	RUN(grid_redraws_a_blurred_symbol);
	RUN(encode_refuses);
	RUN(front_against_back);
	return test_done("aamva");
}
