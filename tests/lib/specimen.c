#include "specimen.h"

#include "document/image.h"
#include "document/reader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The first index from `from` that has (expired 0) or has not (1) expired. */
static int first_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named, int valid)
{
	char today[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	for (int i = from; i < from + 200; i++) {
		struct kyc_synth_identity id;
		if (kyc_synth_identity(seed, i, fmt, &id) ||
		    (strcmp(id.f.expiry_date, today) > 0) != valid)
			continue;
		if (named && (!id.f.given_names[0] || id.f.sex[0] == 'X'))
			continue;
		return i;
	}
	return from;
}

int specimen_valid_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named)
{
	return first_index(seed, fmt, from, named, 1);
}

int specimen_expired_index(uint64_t seed, enum kyc_synth_format fmt, int from)
{
	return first_index(seed, fmt, from, 1, 0);
}

/* The card of (seed, index) with its MRZ painted out, as JPEG. */
static int painted_front(uint64_t seed, int index, enum kyc_synth_format fmt, unsigned char **jpg,
                         size_t *len)
{
	struct kyc_synth_doc d;
	struct kyc_synth_image img;
	*jpg = NULL;
	if (kyc_synth_render(seed, index, 0, fmt, &d, &img))
		return -1;
	/* the MRZ box, grown by three character pitches on every side */
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	for (int k = 0; k < 4; k++) {
		minx = fmin(minx, d.mrz_quad[k][0]);
		maxx = fmax(maxx, d.mrz_quad[k][0]);
		miny = fmin(miny, d.mrz_quad[k][1]);
		maxy = fmax(maxy, d.mrz_quad[k][1]);
	}
	double m = 3 * d.mrz_px;
	int x0 = (int)fmax(0, minx - m), x1 = (int)fmin(img.w - 1, maxx + m);
	int y0 = (int)fmax(0, miny - m), y1 = (int)fmin(img.h - 1, maxy + m);
	/* the paper's colour: the pixel just above the box */
	int py = y0 > 0 ? y0 - 1 : 0;
	const unsigned char *paper = img.px + ((size_t)py * (size_t)img.w + (size_t)x0) * 3;
	unsigned char c[3] = {paper[0], paper[1], paper[2]};
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++)
			memcpy(img.px + ((size_t)y * (size_t)img.w + (size_t)x) * 3, c, 3);
	int rc = kyc_synth_jpeg(&img, 90, jpg, len);
	kyc_synth_image_release(&img);
	return rc ? -1 : 0;
}

/* 1 when the reader finds no MRZ at all in the JPEG (what a card's face is). */
static int reads_as_face(const unsigned char *jpg, size_t len)
{
	struct kyc_image img = {0};
	const char *why = NULL;
	struct kyc_image_opts io = {
	    .max_bytes = len, .max_pixels = 50000000, .target_side = KYC_READER_DECODE_SIDE};
	struct kyc_reader_result r;
	int face = kyc_image_decode(jpg, len, &io, &img, &why) == 0 &&
	           kyc_reader_scan(&img, &r) != 0 && r.reason == KYC_READER_NO_MRZ_FOUND;
	kyc_image_free(&img);
	return face;
}

int specimen_card_front(uint64_t seed, int index, enum kyc_synth_format fmt, unsigned char **jpg,
                        size_t *len)
{
	int used;
	return specimen_card_front_index(seed, index, fmt, jpg, len, &used);
}

int specimen_card_front_index(uint64_t seed, int index, enum kyc_synth_format fmt,
                              unsigned char **jpg, size_t *len, int *used)
{
	/* the paint can leave an edge the reader takes for a cut-off MRZ: the
	 * first card from index whose face reads as none is used */
	for (int i = index; i < index + 20; i++) {
		if (painted_front(seed, i, fmt, jpg, len))
			return -1;
		*used = i;
		if (reads_as_face(*jpg, *len))
			return 0;
		free(*jpg);
		*jpg = NULL;
	}
	return -1;
}
