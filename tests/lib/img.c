#include "img.h"

#include <stdlib.h>

#include "core/buf.h"
#include "document/image.h"

/* A pattern with edges and gradients, so JPEG sizes are realistic. */
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

/* Encodes with the same writers kycd uses (src/document/image.c). */
static unsigned char *encode(int w, int h, int q, size_t *len)
{
	unsigned char *px = pattern(w, h);
	if (!px)
		return NULL;
	kyc_buf b;
	kyc_buf_init(&b, 256u << 20);
	int rc = q > 0 ? kyc_image_write_jpeg(px, w, h, w, q, &b) : kyc_image_write_png(px, w, h, w, &b);
	free(px);
	if (rc) {
		kyc_buf_release(&b);
		return NULL;
	}
	return (unsigned char *)kyc_buf_detach(&b, len);
}

unsigned char *timg_jpeg(int w, int h, int q, size_t *len)
{
	return encode(w, h, q < 1 ? 1 : q, len);
}

unsigned char *timg_png(int w, int h, size_t *len)
{
	return encode(w, h, 0, len);
}
