/* JPEG (libjpeg-turbo) and PNG (libpng) decoding with caps, EXIF orientation
 * (libexif) and grayscale output. Both libraries report fatal errors through a
 * callback that must not return; we longjmp back to the decode function so a
 * hostile file becomes an error code, never an exit(). */
#include "document/image.h"

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <libexif/exif-data.h>
#include <png.h>

#include "core/err.h"

enum kyc_image_format kyc_image_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return KYC_IMAGE_JPEG;
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return KYC_IMAGE_PNG;
	return KYC_IMAGE_UNKNOWN;
}

void kyc_image_free(struct kyc_image *img)
{
	if (!img)
		return;
	free(img->gray);
	free(img->rgb);
	free(img->bytes);
	memset(img, 0, sizeof *img);
}

static void opts_fill(struct kyc_image_opts *o, const struct kyc_image_opts *in)
{
	memset(o, 0, sizeof *o);
	if (in)
		*o = *in;
	if (!o->max_bytes)
		o->max_bytes = KYC_IMAGE_DEFAULT_MAX_BYTES;
	if (!o->max_pixels)
		o->max_pixels = KYC_IMAGE_DEFAULT_MAX_PIXELS;
	if (!o->min_side)
		o->min_side = 16;
}

/* The size checks every format shares, done on the header's numbers before
 * a single pixel buffer exists. */
static int check_dims(const struct kyc_image_opts *o, unsigned long w, unsigned long h,
		      const char **reason)
{
	if (w == 0 || h == 0 || w > 100000 || h > 100000 ||
	    (unsigned long long)w * h > (unsigned long long)o->max_pixels) {
		*reason = (w == 0 || h == 0) ? "corrupt" : "too_many_pixels";
		return (w == 0 || h == 0) ? KYC_ERR_INVALID : KYC_ERR_TOOBIG;
	}
	if ((long)w < o->min_side || (long)h < o->min_side) {
		*reason = "too_small";
		return KYC_ERR_INVALID;
	}
	return 0;
}

/* EXIF orientation from a block that starts with "Exif\0\0" and a TIFF header. */
static int exif_orientation(const unsigned char *p, unsigned int n)
{
	if (n < 14 || memcmp(p, "Exif\0\0", 6) != 0)
		return 1;
	ExifData *ed = exif_data_new_from_data(p, n);
	if (!ed)
		return 1;
	int o = 1;
	ExifEntry *e = exif_data_get_entry(ed, EXIF_TAG_ORIENTATION);
	if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->size >= 2)
		o = exif_get_short(e->data, exif_data_get_byte_order(ed));
	exif_data_unref(ed);
	return (o >= 1 && o <= 8) ? o : 1;
}

/* Applies EXIF orientation o to a raster with ch channels; returns the new
 * buffer (or src itself for o == 1) and the displayed size in *ow, *oh. */
static unsigned char *orient(unsigned char *src, int w, int h, int ch, int o, int *ow, int *oh)
{
	*ow = w;
	*oh = h;
	if (o <= 1 || o > 8)
		return src;
	int W = o >= 5 ? h : w, H = o >= 5 ? w : h;
	unsigned char *dst = malloc((size_t)W * H * ch);
	if (!dst)
		return NULL;
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			int sx, sy;
			switch (o) {
			case 2: sx = w - 1 - x; sy = y; break;
			case 3: sx = w - 1 - x; sy = h - 1 - y; break;
			case 4: sx = x; sy = h - 1 - y; break;
			case 5: sx = y; sy = x; break;
			case 6: sx = y; sy = h - 1 - x; break;
			case 7: sx = w - 1 - y; sy = h - 1 - x; break;
			default: sx = w - 1 - y; sy = x; break; /* 8 */
			}
			const unsigned char *s = src + ((size_t)sy * w + sx) * ch;
			unsigned char *d = dst + ((size_t)y * W + x) * ch;
			for (int c = 0; c < ch; c++)
				d[c] = s[c];
		}
	}
	*ow = W;
	*oh = H;
	return dst;
}

static unsigned char *rgb_to_gray(const unsigned char *rgb, size_t n)
{
	unsigned char *g = malloc(n ? n : 1);
	if (!g)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = rgb + 3 * i;
		g[i] = (unsigned char)((77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8);
	}
	return g;
}

/* Finishes a decode: applies orientation to whichever rasters exist and
 * derives gray from rgb when only rgb was decoded. Takes ownership of both. */
static int finish(struct kyc_image *out, unsigned char *gray, unsigned char *rgb, int w, int h,
		  int o, int want_rgb)
{
	int W = w, H = h, rc = KYC_ERR_NOMEM;
	if (!gray && rgb) {
		gray = rgb_to_gray(rgb, (size_t)w * h);
		if (!gray)
			goto out;
	}
	if (!want_rgb) {
		free(rgb);
		rgb = NULL;
	}
	unsigned char *g2 = orient(gray, w, h, 1, o, &W, &H);
	if (!g2)
		goto out;
	if (g2 != gray) {
		free(gray);
		gray = g2;
	}
	if (rgb) {
		unsigned char *r2 = orient(rgb, w, h, 3, o, &W, &H);
		if (!r2)
			goto out;
		if (r2 != rgb) {
			free(rgb);
			rgb = r2;
		}
	}
	out->gray = gray;
	out->rgb = rgb;
	out->w = W;
	out->h = H;
	out->exif_orientation = o;
	return 0;
out:
	free(gray);
	free(rgb);
	return rc;
}

/* ---- JPEG ---- */

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int truncated;
};

static void jpeg_fail(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;
	longjmp(e->jb, 1);
}

/* Warnings are not fatal to libjpeg, but a premature end of data means we
 * would read the gray fill libjpeg substitutes: treat it as truncated. */
static void jpeg_msg(j_common_ptr c, int level)
{
	struct jerr *e = (struct jerr *)c->err;
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF)
		e->truncated = 1;
}

static int decode_jpeg(const unsigned char *data, size_t len, const struct kyc_image_opts *o,
		       struct kyc_image *out, const char **reason)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	/* volatile: these change between setjmp and a possible longjmp */
	unsigned char *volatile pix = NULL;
	volatile int rc = KYC_ERR_INVALID;

	memset(&ci, 0, sizeof ci);
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jpeg_fail;
	je.pub.emit_message = jpeg_msg;
	je.truncated = 0;
	if (setjmp(je.jb)) {
		*reason = je.truncated ? "truncated" : "corrupt";
		rc = KYC_ERR_INVALID;
		goto out;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, data, (unsigned long)len);
	jpeg_save_markers(&ci, JPEG_APP0 + 1, 0xFFFF);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK) {
		*reason = "corrupt";
		goto out;
	}
	rc = check_dims(o, ci.image_width, ci.image_height, reason);
	if (rc)
		goto out;
	rc = KYC_ERR_INVALID;
	int orientation = 1;
	for (jpeg_saved_marker_ptr m = ci.marker_list; m; m = m->next)
		if (m->marker == JPEG_APP0 + 1)
			orientation = exif_orientation(m->data, m->data_length);

	if (ci.jpeg_color_space == JCS_CMYK || ci.jpeg_color_space == JCS_YCCK) {
		*reason = "unsupported_color";
		rc = KYC_ERR_UNSUPPORTED;
		goto out;
	}
	ci.out_color_space = o->want_rgb ? JCS_RGB : JCS_GRAYSCALE;
	ci.scale_num = 1;
	ci.scale_denom = 1;
	if (o->target_side > 0) {
		unsigned long longer = ci.image_width > ci.image_height ? ci.image_width
									: ci.image_height;
		for (unsigned d = 8; d >= 2; d /= 2)
			if ((longer + d - 1) / d >= (unsigned long)o->target_side) {
				ci.scale_denom = d;
				break;
			}
	}
	jpeg_start_decompress(&ci);
	int w = (int)ci.output_width, h = (int)ci.output_height, ch = ci.output_components;
	if (ch != (o->want_rgb ? 3 : 1)) {
		*reason = "unsupported_color";
		rc = KYC_ERR_UNSUPPORTED;
		goto out;
	}
	pix = malloc((size_t)w * h * ch);
	if (!pix) {
		rc = KYC_ERR_NOMEM;
		*reason = "nomem";
		goto out;
	}
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW row = pix + (size_t)ci.output_scanline * w * ch;
		if (jpeg_read_scanlines(&ci, &row, 1) != 1)
			break;
	}
	if (je.truncated || ci.output_scanline < ci.output_height) {
		*reason = "truncated";
		goto out;
	}
	jpeg_finish_decompress(&ci);
	if (je.truncated) {
		*reason = "truncated";
		goto out;
	}
	out->format = KYC_IMAGE_JPEG;
	out->scale_denom = (int)ci.scale_denom;
	unsigned char *p = pix;
	pix = NULL;
	rc = finish(out, ch == 1 ? p : NULL, ch == 3 ? p : NULL, w, h, orientation, o->want_rgb);
	if (rc)
		*reason = "nomem";
out:
	jpeg_destroy_decompress(&ci);
	free(pix);
	return rc;
}

/* ---- PNG ---- */

struct pngsrc {
	const unsigned char *p;
	size_t len, off;
	jmp_buf jb;
	int truncated;
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct pngsrc *s = png_get_error_ptr(png);
	longjmp(s->jb, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
}

static void png_read_mem(png_structp png, png_bytep dst, size_t n)
{
	struct pngsrc *s = png_get_io_ptr(png);
	if (n > s->len - s->off) {
		s->truncated = 1;
		png_error(png, "truncated");
	}
	memcpy(dst, s->p + s->off, n);
	s->off += n;
}

static int decode_png(const unsigned char *data, size_t len, const struct kyc_image_opts *o,
		      struct kyc_image *out, const char **reason)
{
	struct pngsrc src = {.p = data, .len = len};
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *volatile pix = NULL;
	png_bytep *volatile rows = NULL;
	volatile int rc = KYC_ERR_INVALID;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_fail, png_warn);
	if (!png || !(info = png_create_info_struct(png))) {
		*reason = "nomem";
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	if (setjmp(src.jb)) {
		*reason = src.truncated ? "truncated" : "corrupt";
		rc = KYC_ERR_INVALID;
		goto out;
	}
	png_set_read_fn(png, &src, png_read_mem);
	png_set_user_limits(png, 100000, 100000);
	png_set_chunk_malloc_max(png, 8u << 20);
	png_read_info(png, info);
	png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	rc = check_dims(o, w, h, reason);
	if (rc)
		goto out;
	rc = KYC_ERR_INVALID;
	int orientation = 1;
#ifdef PNG_eXIf_SUPPORTED
	png_uint_32 nexif = 0;
	png_bytep exif = NULL;
	if (png_get_eXIf_1(png, info, &nexif, &exif) && exif && nexif > 8 && nexif < 65000) {
		unsigned char tmp[65536];
		memcpy(tmp, "Exif\0\0", 6);
		memcpy(tmp + 6, exif, nexif);
		orientation = exif_orientation(tmp, nexif + 6);
	}
#endif
	int ct = png_get_color_type(png, info);
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_strip_alpha(png);
	int color = (ct & PNG_COLOR_MASK_COLOR) != 0;
	if (!color && o->want_rgb)
		png_set_gray_to_rgb(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	int ch = png_get_channels(png, info);
	size_t rb = png_get_rowbytes(png, info);
	if ((ch != 1 && ch != 3) || rb != (size_t)w * ch) {
		*reason = "unsupported_color";
		rc = KYC_ERR_UNSUPPORTED;
		goto out;
	}
	pix = malloc((size_t)w * h * ch);
	rows = malloc(sizeof(png_bytep) * h);
	if (!pix || !rows) {
		*reason = "nomem";
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = pix + (size_t)y * rb;
	png_read_image(png, rows);
	out->format = KYC_IMAGE_PNG;
	out->scale_denom = 1;
	unsigned char *p = pix;
	pix = NULL;
	rc = finish(out, ch == 1 ? p : NULL, ch == 3 ? p : NULL, (int)w, (int)h, orientation,
		    o->want_rgb);
	if (rc)
		*reason = "nomem";
out:
	png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
	free(pix);
	free(rows);
	return rc;
}

int kyc_image_decode(const void *data, size_t len, const struct kyc_image_opts *opts,
		     struct kyc_image *out, const char **reason)
{
	const char *dummy;
	struct kyc_image_opts o;
	if (!reason)
		reason = &dummy;
	*reason = "ok";
	if (!out)
		return KYC_ERR_INVALID;
	memset(out, 0, sizeof *out);
	if (!data && len) {
		*reason = "not_an_image";
		return KYC_ERR_INVALID;
	}
	opts_fill(&o, opts);
	if (len > o.max_bytes) {
		*reason = "too_large";
		return KYC_ERR_TOOBIG;
	}
	int rc;
	switch (kyc_image_sniff(data, len)) {
	case KYC_IMAGE_JPEG:
		rc = decode_jpeg(data, len, &o, out, reason);
		break;
	case KYC_IMAGE_PNG:
		rc = decode_png(data, len, &o, out, reason);
		break;
	default:
		*reason = "not_an_image";
		return KYC_ERR_UNSUPPORTED;
	}
	out->target_side = o.target_side;
	if (!rc && o.keep_bytes) {
		out->bytes = malloc(len ? len : 1);
		if (!out->bytes) {
			kyc_image_free(out);
			*reason = "nomem";
			return KYC_ERR_NOMEM;
		}
		memcpy(out->bytes, data, len);
		out->nbytes = len;
	}
	return rc;
}

int kyc_image_decode_again_rgb(const struct kyc_image *img, int target_side,
			       struct kyc_image *out)
{
	if (!out)
		return KYC_ERR_INVALID;
	memset(out, 0, sizeof *out);
	if (!img || !img->bytes)
		return KYC_ERR_NOTFOUND;
	/* the caps were checked by the first decode */
	struct kyc_image_opts o = {.max_bytes = img->nbytes + 1,
				   .max_pixels = LONG_MAX,
				   .min_side = 1,
				   .want_rgb = 1,
				   .target_side = target_side ? target_side : img->target_side};
	return kyc_image_decode(img->bytes, img->nbytes, &o, out, NULL);
}

int kyc_image_load(const char *path, const struct kyc_image_opts *opts, struct kyc_image *out,
		   const char **reason)
{
	const char *dummy;
	struct kyc_image_opts o;
	if (!reason)
		reason = &dummy;
	opts_fill(&o, opts);
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*reason = "unreadable";
		return KYC_ERR_IO;
	}
	int rc = KYC_ERR_IO;
	unsigned char *buf = NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*reason = "unreadable";
		goto out;
	}
	if ((unsigned long long)st.st_size > o.max_bytes) {
		*reason = "too_large";
		rc = KYC_ERR_TOOBIG;
		goto out;
	}
	size_t n = (size_t)st.st_size, got = 0;
	buf = malloc(n ? n : 1);
	if (!buf) {
		rc = KYC_ERR_NOMEM;
		*reason = "nomem";
		goto out;
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0) {
			*reason = "unreadable";
			goto out;
		}
		got += (size_t)r;
	}
	rc = kyc_image_decode(buf, n, &o, out, reason);
out:
	free(buf);
	close(fd);
	return rc;
}

int kyc_image_from_gray(const unsigned char *gray, int w, int h, int stride,
			struct kyc_image *out)
{
	memset(out, 0, sizeof *out);
	if (!gray || w <= 0 || h <= 0 || stride < w)
		return KYC_ERR_INVALID;
	out->gray = malloc((size_t)w * h);
	if (!out->gray)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < h; y++)
		memcpy(out->gray + (size_t)y * w, gray + (size_t)y * stride, (size_t)w);
	out->w = w;
	out->h = h;
	out->exif_orientation = 1;
	out->scale_denom = 1;
	return 0;
}

/* ---- encoders ---- */

struct pngdst {
	kyc_buf *b;
	int rc;
	jmp_buf jb;
};

static void pngw_fail(png_structp png, png_const_charp msg)
{
	struct pngdst *d = png_get_error_ptr(png);
	longjmp(d->jb, 1);
}

static void pngw_write(png_structp png, png_bytep p, size_t n)
{
	struct pngdst *d = png_get_io_ptr(png);
	int rc = kyc_buf_append(d->b, p, n);
	if (rc) {
		d->rc = rc;
		png_error(png, "write");
	}
}

static void pngw_flush(png_structp png)
{
}

/* PNG of 8-bit gray (channels 1) or RGB (channels 3) rows, stride bytes apart. */
static int write_png(const unsigned char *px, int w, int h, int stride, int channels,
		     kyc_buf *out)
{
	if (!px || w <= 0 || h <= 0 || stride < w * channels || !out)
		return KYC_ERR_INVALID;
	struct pngdst d = {.b = out, .rc = 0};
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &d, pngw_fail, png_warn);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	volatile int rc = KYC_ERR_NOMEM;
	if (!png || !info)
		goto out;
	if (setjmp(d.jb)) {
		rc = d.rc ? d.rc : KYC_ERR_INVALID;
		goto out;
	}
	png_set_write_fn(png, &d, pngw_write, pngw_flush);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
		     channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, px + (size_t)y * stride);
	png_write_end(png, NULL);
	rc = 0;
out:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	return rc;
}

int kyc_image_write_png(const unsigned char *gray, int w, int h, int stride, kyc_buf *out)
{
	return write_png(gray, w, h, stride, 1, out);
}

int kyc_image_write_png_rgb(const unsigned char *rgb, int w, int h, kyc_buf *out)
{
	return write_png(rgb, w, h, w * 3, 3, out);
}

int kyc_image_write_jpeg(const unsigned char *gray, int w, int h, int stride, int quality,
			 kyc_buf *out)
{
	if (!gray || w <= 0 || h <= 0 || stride < w || !out || quality < 1 || quality > 100)
		return KYC_ERR_INVALID;
	struct jpeg_compress_struct ci;
	struct jerr je;
	unsigned char *m = NULL; /* address taken: lives in memory across longjmp */
	unsigned long memlen = 0;
	volatile int rc = KYC_ERR_INVALID;
	memset(&ci, 0, sizeof ci);
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jpeg_fail;
	je.pub.emit_message = jpeg_msg;
	je.truncated = 0;
	if (setjmp(je.jb))
		goto out;
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &m, &memlen);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = 1;
	ci.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, quality, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW row = (JSAMPROW)(gray + (size_t)ci.next_scanline * stride);
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	rc = kyc_buf_append(out, m, memlen);
out:
	jpeg_destroy_compress(&ci);
	free(m);
	return rc;
}
