/* Specimen Egyptian national ID cards, front and back, with ground truth
 * (`kycd synth --kind eg-nid`, docs/card.md). Invented people only: names,
 * places and numbers are drawn from small lists and a PRNG, the portrait is a
 * grey silhouette. Pure functions of (seed, index, level), like synth.h.
 *
 * Fonts: Noto Naskh Arabic (fonts-noto-core) shaped with HarfBuzz, Amiri
 * (fonts-hosny-amiri) for dates, DejaVu Sans Bold for the Latin serial;
 * KYCD_FONT_ARABIC, KYCD_FONT_ARABIC_BOLD, KYCD_FONT_DATE,
 * KYCD_FONT_DATE_BOLD and KYCD_FONT_SANS_BOLD override their paths. */
#ifndef KYC_SYNTH_CARD_H
#define KYC_SYNTH_CARD_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "document/card_tpl.h"
#include "document/eg_nid.h"
#include "document/synth.h"

/* The invented card for (seed, index): every field filled (husband_name only
 * for a married woman), the national number consistent with the printed
 * birth date and gender. */
void kyc_synth_egnid_card(uint64_t seed, int index, struct kyc_egnid_card *out);

/* One photographed side. */
struct kyc_synth_card_shot {
	enum kyc_card_side side;
	int level, width, height, quality;
	double skew_deg;
	double quad[4][2]; /* the card's corners: top-left, top-right, bottom-right, bottom-left */
	int sheet;         /* 0, or 1 + the card's corner in a flush white sheet's corner */
};

/* How the photos are drawn beyond (seed, index, level). */
struct kyc_synth_card_opts {
	/* The share of photos (0..1) where the card lies on a white sheet,
	 * pushed into its corner: two of the card's sides run along the
	 * sheet's edges, the other two have the paper beyond them (about as
	 * light as the card). Each photo draws it from a stream of its own:
	 * the other photos are the ones drawn at 0. */
	double sheet_rate;
};
/* The share of photos with a flush white sheet that `kycd synth --sheet`
 * and `BENCH_SHEET=1 bench/card/run` draw. */
#define KYC_SYNTH_SHEET_RATE 0.2

/* Draws side of card (as given: a caller may make it contradict itself) and
 * photographs it at level (0..2) as (seed, index) choose; *img is allocated
 * here. 0, KYC_ERR_INVALID, KYC_ERR_NOMEM or KYC_ERR_IO (a font is missing).
 * On error *img holds nothing. */
int kyc_synth_egnid_render(uint64_t seed, int index, int level, enum kyc_card_side side,
			   const struct kyc_egnid_card *card, struct kyc_synth_card_shot *shot,
			   struct kyc_synth_image *img);
/* The same with options (NULL: as kyc_synth_egnid_render). */
int kyc_synth_egnid_render_opts(uint64_t seed, int index, int level, enum kyc_card_side side,
				const struct kyc_egnid_card *card,
				const struct kyc_synth_card_opts *opts,
				struct kyc_synth_card_shot *shot, struct kyc_synth_image *img);

/* Appends the truth.jsonl line of a card and its two pictures: the fields,
 * the English names and the picture geometry. 0, KYC_ERR_NOMEM or KYC_ERR_TOOBIG. */
int kyc_synth_egnid_truth_json(const struct kyc_egnid_card *card, uint64_t seed, int index,
			       const struct kyc_synth_card_shot shots[2], const char *files[2],
			       kyc_buf *out);

/* ---- shared by the card generators (synth_card.c) ---- */

/* Draws side of card upright at u px/mm into a new *doc (allocated by the
 * callee, freed by the caller). 0 or an error code. */
typedef int (*kyc_synth__card_draw_fn)(const void *card, enum kyc_card_side side, double u,
				       struct kyc_synth__rng *r, struct kyc_synth_image *doc);

/* Draws side of card with draw and photographs it at level (0..2) from the
 * PRNG stream (stream + level, side, index) on template T's size; fills
 * *shot and allocates *img. 0, KYC_ERR_INVALID, KYC_ERR_NOMEM or the
 * drawing's error; on error *img holds nothing. */
int kyc_synth__card_shoot(uint64_t seed, uint64_t stream, int index, int level,
			  enum kyc_card_side side, const struct kyc_card_template *T,
			  kyc_synth__card_draw_fn draw, const void *card,
			  const struct kyc_synth_card_opts *opts, struct kyc_synth_card_shot *shot,
			  struct kyc_synth_image *img);

/* The "images" array of a card's truth line (file, side, level, size, skew,
 * JPEG quality, quad of each picture). NULL when out of memory. */
json_t *kyc_synth__card_images_json(const struct kyc_synth_card_shot shots[2],
				    const char *files[2]);

/* y-m-d as "YYYY-MM-DD" (each part reduced to its width). */
void kyc_synth__iso_date(char out[11], int y, int m, int d);

#endif
