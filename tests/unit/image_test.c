/* Image decoding: JPEG and PNG written here with libjpeg/libpng (through our
 * encoders), EXIF orientation added by hand, broken and hostile inputs. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "document/image.h"
#include "test.h"

/* A w×h test card: a dark 16×16 block in the top-left corner, white elsewhere,
 * so every orientation can be told apart from where the block lands. */
static unsigned char *card(int w, int h)
{
	unsigned char *g = malloc((size_t)w * h);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			g[y * w + x] = (x < 16 && y < 16) ? 10 : 240;
	return g;
}

static int dark(const struct kyc_image *im, int x, int y)
{
	return im->gray[(size_t)y * im->w + x] < 80;
}

/* Inserts an APP1 Exif segment with one Orientation entry right after SOI. */
static void add_exif(kyc_buf *jpg, int orientation, int big_endian)
{
	unsigned char seg[2 + 2 + 6 + 8 + 2 + 12 + 4];
	size_t n = 0;
	seg[n++] = 0xFF;
	seg[n++] = 0xE1;
	size_t seglen = sizeof seg - 2;
	seg[n++] = (unsigned char)(seglen >> 8);
	seg[n++] = (unsigned char)seglen;
	memcpy(seg + n, "Exif\0\0", 6);
	n += 6;
#define U16(v)                                                                                     \
	do {                                                                                       \
		unsigned v_ = (v);                                                                 \
		seg[n++] = (unsigned char)(big_endian ? v_ >> 8 : v_);                             \
		seg[n++] = (unsigned char)(big_endian ? v_ : v_ >> 8);                             \
	} while (0)
#define U32(v)                                                                                     \
	do {                                                                                       \
		unsigned long w_ = (v);                                                            \
		if (big_endian) {                                                                  \
			U16(w_ >> 16);                                                             \
			U16(w_ & 0xFFFF);                                                          \
		} else {                                                                           \
			U16(w_ & 0xFFFF);                                                          \
			U16(w_ >> 16);                                                             \
		}                                                                                  \
	} while (0)
	seg[n++] = big_endian ? 'M' : 'I';
	seg[n++] = big_endian ? 'M' : 'I';
	U16(42);
	U32(8);
	U16(1);      /* one IFD entry */
	U16(0x0112); /* Orientation */
	U16(3);      /* SHORT */
	U32(1);
	U16((unsigned)orientation);
	U16(0);
	U32(0); /* no next IFD */
#undef U16
#undef U32
	kyc_buf out;
	kyc_buf_init(&out, 1 << 24);
	kyc_buf_append(&out, jpg->data, 2);
	kyc_buf_append(&out, seg, n);
	kyc_buf_append(&out, jpg->data + 2, jpg->len - 2);
	kyc_buf_release(jpg);
	*jpg = out;
}

TEST(jpeg_and_png_roundtrip_sizes)
{
	static const int sizes[][2] = {{24, 24}, {33, 25}, {640, 480}, {25, 301}};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		int w = sizes[i][0], h = sizes[i][1];
		unsigned char *g = card(w, h);
		for (int fmt = 0; fmt < 2; fmt++) {
			kyc_buf b;
			kyc_buf_init(&b, 1 << 24);
			REQUIRE((fmt ? kyc_image_write_png(g, w, h, w, &b)
				     : kyc_image_write_jpeg(g, w, h, w, 90, &b)) == 0);
			CHECK_INT(kyc_image_sniff(b.data, b.len), fmt ? KYC_IMAGE_PNG : KYC_IMAGE_JPEG);
			struct kyc_image im;
			const char *why = NULL;
			CHECK_INT(kyc_image_decode(b.data, b.len, NULL, &im, &why), 0);
			CHECK_INT(im.w, w);
			CHECK_INT(im.h, h);
			if (im.gray) {
				CHECK(dark(&im, 2, 2));
				CHECK(!dark(&im, w - 1, h - 1));
				if (fmt)
					CHECK(memcmp(im.gray, g, (size_t)w * h) == 0);
			}
			kyc_image_free(&im);
			/* RGB on request, gray still there */
			struct kyc_image_opts o = {.want_rgb = 1};
			CHECK_INT(kyc_image_decode(b.data, b.len, &o, &im, &why), 0);
			CHECK(im.rgb != NULL && im.gray != NULL);
			kyc_image_free(&im);
			kyc_buf_release(&b);
		}
		free(g);
	}
}

TEST(exif_orientation_applied)
{
	int w = 64, h = 40;
	unsigned char *g = card(w, h);
	/* where the stored top-left block must appear once displayed, per orientation */
	static const struct {
		int o;
		int right, bottom;
	} cases[] = {{1, 0, 0}, {2, 1, 0}, {3, 1, 1}, {4, 0, 1},
		     {5, 0, 0}, {6, 1, 0}, {7, 1, 1}, {8, 0, 1}};
	for (int be = 0; be < 2; be++) {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			kyc_buf b;
			kyc_buf_init(&b, 1 << 24);
			REQUIRE(kyc_image_write_jpeg(g, w, h, w, 92, &b) == 0);
			add_exif(&b, cases[i].o, be);
			struct kyc_image im;
			REQUIRE(kyc_image_decode(b.data, b.len, NULL, &im, NULL) == 0);
			CHECK_INT(im.exif_orientation, cases[i].o);
			int W = cases[i].o >= 5 ? h : w, H = cases[i].o >= 5 ? w : h;
			CHECK_INT(im.w, W);
			CHECK_INT(im.h, H);
			int x = cases[i].right ? W - 3 : 2, y = cases[i].bottom ? H - 3 : 2;
			CHECK(dark(&im, x, y));
			CHECK(!dark(&im, W - 1 - x, H - 1 - y));
			kyc_image_free(&im);
			kyc_buf_release(&b);
		}
	}
	free(g);
}

TEST(truncated_and_corrupt_are_422)
{
	int w = 200, h = 120;
	unsigned char *g = card(w, h);
	for (int fmt = 0; fmt < 2; fmt++) {
		kyc_buf b;
		kyc_buf_init(&b, 1 << 24);
		REQUIRE((fmt ? kyc_image_write_png(g, w, h, w, &b)
			     : kyc_image_write_jpeg(g, w, h, w, 90, &b)) == 0);
		struct kyc_image im;
		const char *why = NULL;
		/* cut in the middle of the pixel data, and right after the header */
		size_t cuts[] = {b.len / 2, b.len - 20, 40};
		for (size_t i = 0; i < 3; i++) {
			CHECK_INT(kyc_image_decode(b.data, cuts[i], NULL, &im, &why), KYC_ERR_INVALID);
			CHECK(im.gray == NULL);
			CHECK(why && (!strcmp(why, "truncated") || !strcmp(why, "corrupt")));
		}
		/* flip bytes of the header region */
		char *bad = malloc(b.len);
		memcpy(bad, b.data, b.len);
		for (size_t i = 12; i < 60 && i < b.len; i++)
			bad[i] = (char)(bad[i] ^ 0x5A);
		int rc = kyc_image_decode(bad, b.len, NULL, &im, &why);
		CHECK(rc == KYC_ERR_INVALID || rc == KYC_ERR_TOOBIG || rc == 0);
		kyc_image_free(&im);
		free(bad);
		kyc_buf_release(&b);
	}
	free(g);
}

TEST(non_images_are_415)
{
	struct kyc_image im;
	const char *why = NULL;
	CHECK_INT(kyc_image_decode("GIF89a....", 10, NULL, &im, &why), KYC_ERR_UNSUPPORTED);
	CHECK_STR(why, "not_an_image");
	CHECK_INT(kyc_image_decode("", 0, NULL, &im, &why), KYC_ERR_UNSUPPORTED);
	CHECK_INT(kyc_image_decode("%PDF-1.4 hello", 14, NULL, &im, &why), KYC_ERR_UNSUPPORTED);
	CHECK_INT(kyc_image_decode("\xFF\xD8", 2, NULL, &im, &why), KYC_ERR_UNSUPPORTED);
	CHECK_INT(kyc_image_load("/nonexistent/kycd/file.jpg", NULL, &im, &why), KYC_ERR_IO);
}

TEST(caps_checked_from_header)
{
	int w = 300, h = 200;
	unsigned char *g = card(w, h);
	for (int fmt = 0; fmt < 2; fmt++) {
		kyc_buf b;
		kyc_buf_init(&b, 1 << 24);
		REQUIRE((fmt ? kyc_image_write_png(g, w, h, w, &b)
			     : kyc_image_write_jpeg(g, w, h, w, 90, &b)) == 0);
		struct kyc_image im;
		const char *why = NULL;
		struct kyc_image_opts o = {.max_pixels = (long)w * h - 1};
		CHECK_INT(kyc_image_decode(b.data, b.len, &o, &im, &why), KYC_ERR_TOOBIG);
		CHECK_STR(why, "too_many_pixels");
		o = (struct kyc_image_opts){.max_bytes = b.len - 1};
		CHECK_INT(kyc_image_decode(b.data, b.len, &o, &im, &why), KYC_ERR_TOOBIG);
		CHECK_STR(why, "too_large");
		o = (struct kyc_image_opts){.min_side = h + 1};
		CHECK_INT(kyc_image_decode(b.data, b.len, &o, &im, &why), KYC_ERR_INVALID);
		CHECK_STR(why, "too_small");
		kyc_buf_release(&b);
	}
	/* a PNG header claiming 100000×100000 is refused before any allocation */
	kyc_buf b;
	kyc_buf_init(&b, 1 << 24);
	REQUIRE(kyc_image_write_png(g, w, h, w, &b) == 0);
	unsigned char *p = (unsigned char *)b.data;
	/* IHDR width/height at offsets 16..23; the CRC no longer matches, which
	 * libpng reports as corrupt unless the size check comes first: both are 422 */
	p[16] = 0; p[17] = 1; p[18] = 0x86; p[19] = 0xA0;
	p[20] = 0; p[21] = 1; p[22] = 0x86; p[23] = 0xA0;
	struct kyc_image im;
	int rc = kyc_image_decode(b.data, b.len, NULL, &im, NULL);
	CHECK(rc == KYC_ERR_TOOBIG || rc == KYC_ERR_INVALID);
	kyc_buf_release(&b);
	free(g);
}

TEST(jpeg_downscaled_decode)
{
	int w = 1600, h = 1200;
	unsigned char *g = card(w, h);
	kyc_buf b;
	kyc_buf_init(&b, 1 << 24);
	REQUIRE(kyc_image_write_jpeg(g, w, h, w, 80, &b) == 0);
	struct kyc_image im;
	struct kyc_image_opts o = {.target_side = 700};
	REQUIRE(kyc_image_decode(b.data, b.len, &o, &im, NULL) == 0);
	CHECK_INT(im.scale_denom, 2);
	CHECK_INT(im.w, 800);
	CHECK_INT(im.h, 600);
	kyc_image_free(&im);
	kyc_buf_release(&b);
	free(g);
}

int main(void)
{
	RUN(jpeg_and_png_roundtrip_sizes);
	RUN(exif_orientation_applied);
	RUN(truncated_and_corrupt_are_422);
	RUN(non_images_are_415);
	RUN(caps_checked_from_header);
	RUN(jpeg_downscaled_decode);
	return test_done("image");
}
