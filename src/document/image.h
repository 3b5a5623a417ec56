/* Image decoding for the document reader: JPEG and PNG bytes from outside
 * (uploads, files) into an 8-bit grayscale raster, with caps checked from the
 * header before any pixel memory is allocated and EXIF orientation applied.
 *
 * Error codes, so the HTTP layer can choose a status:
 *   KYC_ERR_UNSUPPORTED  not JPEG/PNG by its magic bytes (415)
 *   KYC_ERR_INVALID      corrupt or truncated data, or smaller than min_side (422)
 *   KYC_ERR_TOOBIG       more bytes than max_bytes or pixels than max_pixels (422)
 *   KYC_ERR_NOMEM        allocation failed
 * The reason string (see kyc_image_decode) tells the cases apart for messages. */
#ifndef KYC_IMAGE_H
#define KYC_IMAGE_H

#include <stddef.h>

#include "core/buf.h"

enum kyc_image_format { KYC_IMAGE_UNKNOWN = 0, KYC_IMAGE_JPEG, KYC_IMAGE_PNG };

/* A decoded image. gray is w*h bytes, row stride w; rgb (w*h*3, stride 3w)
 * only when asked for, else NULL. Both are owned by the struct: release with
 * kyc_image_free(). Orientation is already applied (w, h are as displayed). */
struct kyc_image {
	int w, h;
	unsigned char *gray;
	unsigned char *rgb;
	enum kyc_image_format format;
	int exif_orientation; /* 1..8 as found in the file (1 when absent) */
	int scale_denom;      /* 1, 2, 4 or 8 when the JPEG was decoded downscaled */
	/* a copy of the file's bytes when kept (kyc_image_opts.keep_bytes), else
	 * NULL: the reader decodes them again in colour when gray fails it */
	unsigned char *bytes;
	size_t nbytes;
	int target_side; /* the decode's target_side, to decode them alike */
};

/* Caps and options of one decode. Zero fields take the defaults below. */
struct kyc_image_opts {
	size_t max_bytes;  /* input size cap (default 25 MB) */
	long max_pixels;   /* width*height cap, checked from the header (default 40 Mpx) */
	int min_side;      /* both sides at least this many pixels (default 16) */
	int want_rgb;      /* also fill rgb */
	int target_side;   /* JPEG only: when > 0, decode at the smallest 1/2, 1/4, 1/8
			      scale whose longer side stays >= target_side (faster) */
	int keep_bytes;    /* keep a copy of the bytes in the image (kyc_image.bytes) */
};

#define KYC_IMAGE_DEFAULT_MAX_BYTES (25u * 1024u * 1024u)
#define KYC_IMAGE_DEFAULT_MAX_PIXELS (40L * 1000L * 1000L)

/* Which format the bytes are by their magic number (KYC_IMAGE_UNKNOWN if none). */
enum kyc_image_format kyc_image_sniff(const void *data, size_t len);

/* Decodes data (len bytes, not retained) into *out (cleared first; on error it
 * holds nothing to free). opts may be NULL for the defaults. When reason is not
 * NULL it receives a static, stable snake_case reason ("not_an_image",
 * "corrupt", "truncated", "too_many_pixels", "too_large", "too_small", ...).
 * Returns 0 or one of the codes in the comment at the top of this file. */
int kyc_image_decode(const void *data, size_t len, const struct kyc_image_opts *opts,
		     struct kyc_image *out, const char **reason);

/* Reads a whole file (up to opts->max_bytes) and decodes it. KYC_ERR_IO when
 * the file cannot be read; otherwise as kyc_image_decode. */
int kyc_image_load(const char *path, const struct kyc_image_opts *opts, struct kyc_image *out,
		   const char **reason);

/* Decodes img's kept bytes (kyc_image.bytes) again with rgb filled (gray then
 * comes from rgb), oriented alike, at img's scale when target_side is 0, else
 * as kyc_image_opts.target_side says. KYC_ERR_NOTFOUND when img kept no bytes;
 * otherwise as kyc_image_decode. */
int kyc_image_decode_again_rgb(const struct kyc_image *img, int target_side,
			       struct kyc_image *out);

/* Wraps a copy of a grayscale raster (stride bytes per row) as an image. */
int kyc_image_from_gray(const unsigned char *gray, int w, int h, int stride,
			struct kyc_image *out);

/* Frees the pixels and clears the struct; safe on a cleared or freed image. */
void kyc_image_free(struct kyc_image *img);

/* Encodes a grayscale raster as PNG / baseline JPEG (quality 1..100), appending to
 * out (its cap applies). For debugging, tests and the fuzz corpus.
 * 0, KYC_ERR_INVALID, KYC_ERR_TOOBIG or KYC_ERR_NOMEM. */
int kyc_image_write_png(const unsigned char *gray, int w, int h, int stride, kyc_buf *out);
int kyc_image_write_jpeg(const unsigned char *gray, int w, int h, int stride, int quality,
			 kyc_buf *out);
/* PNG of an RGB raster (rows of 3*w bytes); errors as kyc_image_write_png. */
int kyc_image_write_png_rgb(const unsigned char *rgb, int w, int h, kyc_buf *out);

#endif
