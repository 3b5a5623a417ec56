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
	/* The MRZ box, grown by three character pitches along its lines and a
	 * little over half a pitch across them: more across would reach past
	 * the card's edge on cards whose MRZ sits near it, and paint the card
	 * shorter than it is (the visual-zone reader then rectifies a wrong
	 * quadrilateral and reads no line). */
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	for (int k = 0; k < 4; k++) {
		minx = fmin(minx, d.mrz_quad[k][0]);
		maxx = fmax(maxx, d.mrz_quad[k][0]);
		miny = fmin(miny, d.mrz_quad[k][1]);
		maxy = fmax(maxy, d.mrz_quad[k][1]);
	}
	int along_x = fabs(d.mrz_quad[1][0] - d.mrz_quad[0][0]) >=
	              fabs(d.mrz_quad[1][1] - d.mrz_quad[0][1]);
	double along = 3 * d.mrz_px, across = 0.6 * d.mrz_px;
	double mx = along_x ? along : across, my = along_x ? across : along;
	int x0 = (int)fmax(0, minx - mx), x1 = (int)fmin(img.w - 1, maxx + mx);
	int y0 = (int)fmax(0, miny - my), y1 = (int)fmin(img.h - 1, maxy + my);
	/* the paper's colour: just past the box on the side of the characters'
	 * tops (towards the visual zone, so on the card), halfway along */
	double tx = (d.mrz_quad[0][0] + d.mrz_quad[1][0]) / 2,
	       ty = (d.mrz_quad[0][1] + d.mrz_quad[1][1]) / 2;
	double bx = (d.mrz_quad[3][0] + d.mrz_quad[2][0]) / 2,
	       by = (d.mrz_quad[3][1] + d.mrz_quad[2][1]) / 2;
	double ux = tx - bx, uy = ty - by, un = hypot(ux, uy);
	if (un < 1e-9)
		un = 1, ux = 0, uy = -1;
	double reach = across + 2;
	int px = (int)fmin(img.w - 1, fmax(0, tx + ux / un * reach));
	int py = (int)fmin(img.h - 1, fmax(0, ty + uy / un * reach));
	const unsigned char *paper = img.px + ((size_t)py * (size_t)img.w + (size_t)px) * 3;
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

int specimen_egnid_photo(uint64_t seed, int index, int level, enum kyc_card_side side,
                         const struct kyc_synth_card_opts *opts, struct kyc_egnid_card *card,
                         struct kyc_synth_card_shot *shot, struct kyc_image *img)
{
	struct kyc_synth_image im;
	unsigned char *jpg = NULL;
	size_t len = 0;
	kyc_synth_egnid_card(seed, index, card);
	if (kyc_synth_egnid_render_opts(seed, index, level, side, card, opts, shot, &im) != 0)
		return -1;
	int rc = kyc_synth_jpeg(&im, shot->quality, &jpg, &len);
	kyc_synth_image_release(&im);
	if (rc != 0)
		return -1;
	rc = kyc_image_decode(jpg, len, NULL, img, NULL);
	free(jpg);
	return rc == 0 ? 0 : -1;
}
