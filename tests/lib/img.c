#include "img.h"

#include <stdio.h>

#include <jpeglib.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *pattern(int w, int h)
{
	unsigned char *p = malloc((size_t)w * (size_t)h);
	if (!p)
		return NULL;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			p[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(((x / 8) ^ (y / 8)) & 1 ? 230 : (x + y) % 200);
	return p;
}

unsigned char *timg_jpeg(int w, int h, int q, size_t *len)
{
	unsigned char *px = pattern(w, h);
	if (!px)
		return NULL;
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL;
	unsigned long outlen = 0;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, q, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = px + (size_t)c.next_scanline * (size_t)w;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(px);
	*len = outlen;
	return out;
}

struct pngbuf {
	unsigned char *p;
	size_t len, cap;
};

static void png_write_cb(png_structp png, png_bytep data, png_size_t n)
{
	struct pngbuf *b = png_get_io_ptr(png);
	if (b->len + n > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		unsigned char *np = realloc(b->p, cap);
		if (!np)
			png_error(png, "oom");
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void png_flush_cb(png_structp png)
{
	(void)png;
}

unsigned char *timg_png(int w, int h, size_t *len)
{
	unsigned char *px = pattern(w, h);
	struct pngbuf b = {0};
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!px || !info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(px);
		free(b.p);
		return NULL;
	}
	png_set_write_fn(png, &b, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, px + (size_t)y * (size_t)w);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(px);
	*len = b.len;
	return b.p;
}
