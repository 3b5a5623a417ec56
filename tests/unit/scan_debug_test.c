/* The reader's debug picture (src/document/scan_debug.c) and `kycd scan
 * --debug DIR`: a PNG per photo, the band on top of the photo, the MRZ read
 * outlined in green when valid; nothing drawn as read when nothing was. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/scan_debug.h"
#include "document/synth.h"
#include "test.h"

/* Pixels of a pure overlay colour in the photo part (below the band). */
static int count_colour(const struct kyc_image *png, int from_row, int r, int g, int b)
{
	int n = 0;
	for (int y = from_row; y < png->h; y++)
		for (int x = 0; x < png->w; x++) {
			const unsigned char *p =
			    png->rgb + ((size_t)y * (size_t)png->w + (size_t)x) * 3;
			n += p[0] == r && p[1] == g && p[2] == b;
		}
	return n;
}

static int debug_png(const unsigned char *jpg, size_t len, struct kyc_image *img,
                     struct kyc_reader_result *res, struct kyc_image *png)
{
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE, .want_rgb = 1};
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	int rc = kyc_image_decode(jpg, len, &o, img, NULL);
	if (!rc) {
		kyc_reader_scan(img, res);
		rc = kyc_scan_debug_png(img, res, &b);
	}
	struct kyc_image_opts po = {.want_rgb = 1};
	if (!rc)
		rc = kyc_image_decode(b.data, b.len, &po, png, NULL);
	kyc_buf_release(&b);
	return rc;
}

TEST(picture_of_a_read_and_of_no_mrz)
{
	struct kyc_synth_doc d;
	unsigned char *jpg;
	size_t len;
	/* A plain level-0 photo the reader reads. */
	REQUIRE(kyc_synth_make(kyc_synth_eval_seed(9), 1, 0, KYC_SYNTH_TD3, &d, &jpg, &len) == 0);
	struct kyc_image img, png;
	struct kyc_reader_result res;
	REQUIRE(debug_png(jpg, len, &img, &res, &png) == 0);
	free(jpg);
	CHECK(res.reason == KYC_READER_OK && res.checks_ok == res.checks_total);
	/* The photo at full size under the band, which is at least a glyph tall. */
	CHECK(png.w >= img.w);
	CHECK(png.h >= img.h + KYC_READER__GLYPH_H);
	int band = png.h - img.h;
	CHECK(count_colour(&png, band, 0, 220, 60) > 100); /* green: the valid read */
	CHECK(count_colour(&png, band, 255, 40, 40) == 0);
	CHECK(count_colour(&png, band, 255, 210, 0) > 20); /* yellow: candidates */
	CHECK(count_colour(&png, 0, 0, 200, 230) > 50);    /* cyan: fitted line rows */
	kyc_image_free(&img);
	kyc_image_free(&png);

	/* A photo without MRZ: candidates perhaps, never a read outline. */
	REQUIRE(kyc_synth_make_class(kyc_synth_eval_seed(9), 3, 0, KYC_SYNTH_CLASS_NOMRZ,
	                             KYC_SYNTH_MIXED, &d, &jpg, &len) == 0);
	REQUIRE(debug_png(jpg, len, &img, &res, &png) == 0);
	free(jpg);
	CHECK(res.nlines == 0);
	CHECK(count_colour(&png, png.h - img.h, 0, 220, 60) == 0);
	kyc_image_free(&img);
	kyc_image_free(&png);

	kyc_buf b;
	kyc_buf_init(&b, 1024);
	CHECK(kyc_scan_debug_png(NULL, &res, &b) != 0);
	kyc_buf_release(&b);
}

TEST(cli_writes_one_png_per_photo)
{
	const char *bin = getenv("KYCD_BIN"), *shared = getenv("KYCD_SHARED");
	if (!bin || !shared) {
		printf("  (KYCD_BIN or KYCD_SHARED not set; cli skipped)\n");
		return;
	}
	char dir[] = "/tmp/kycd-scan-debug-XXXXXX", cmd[4096], path[4200];
	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(cmd, sizeof cmd,
	         "'%s' scan --debug '%s/out' '%s/realdocs/td1.jpg' '%s/realdocs/nomrz.jpg'", bin,
	         dir, shared, shared);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != NULL);
	char line[8192];
	int n = 0, vizzes = 0;
	while (fgets(line, sizeof line, p)) {
		json_t *o = json_loads(line, 0, NULL);
		const char *dbg = json_string_value(json_object_get(o, "debug"));
		CHECK(dbg != NULL);
		struct stat st;
		CHECK(dbg && stat(dbg, &st) == 0 && st.st_size > 1000);
		if (dbg) {
			/* the visual zone's page beside it, when the MRZ verified */
			char viz[4200];
			snprintf(viz, sizeof viz, "%.*s.viz.png", (int)strlen(dbg) - 4, dbg);
			int verified = json_is_true(
				json_object_get(json_object_get(o, "mrz"), "valid"));
			CHECK_INT(stat(viz, &st) == 0 && st.st_size > 1000, verified);
			vizzes += verified;
			unlink(viz);
			unlink(dbg);
		}
		n += o != NULL;
		json_decref(o);
	}
	CHECK(pclose(p) == 0);
	CHECK_INT(n, 2);
	CHECK_INT(vizzes, 1); /* td1's MRZ verifies; nomrz has none */
	snprintf(path, sizeof path, "%s/out", dir);
	CHECK(rmdir(path) == 0); /* nothing but those pictures was written */
	rmdir(dir);
	/* A missing directory argument is a usage error. */
	snprintf(cmd, sizeof cmd, "'%s' scan --debug 2>/dev/null", bin);
	CHECK(WEXITSTATUS(system(cmd)) == 2);
}

int main(void)
{
	RUN(picture_of_a_read_and_of_no_mrz);
	RUN(cli_writes_one_png_per_photo);
	return test_done("scan_debug");
}
