/* What the card generators share (synth_card.h): photographing one drawn
 * side, and the pictures' part of the truth line. */
#include "document/synth_card.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

void kyc_synth__flush_sheet(struct kyc_synth_image *img, const double quad[4][2],
			    const struct kyc_synth__sheet *sh)
{
	/* The sheet's corner sits on the card's, its edges along the card's
	 * two sides from it (a card pushed into the corner of the paper). */
	const double *p = quad[sh->corner], *a = quad[(sh->corner + 1) % 4],
		     *b = quad[(sh->corner + 3) % 4];
	double ax = a[0] - p[0], ay = a[1] - p[1], bx = b[0] - p[0], by = b[1] - p[1];
	double la = hypot(ax, ay), lb = hypot(bx, by);
	if (la < 1 || lb < 1)
		return;
	ax /= la, ay /= la, bx /= lb, by /= lb;
	/* Unit normals of the two edges, pointing onto the sheet. */
	double na[2] = {-ay, ax}, nb[2] = {-by, bx};
	if (na[0] * bx + na[1] * by < 0)
		na[0] = -na[0], na[1] = -na[1];
	if (nb[0] * ax + nb[1] * ay < 0)
		nb[0] = -nb[0], nb[1] = -nb[1];
	for (int y = 0; y < img->h; y++)
		for (int x = 0; x < img->w; x++) {
			double dx = x + 0.5 - p[0], dy = y + 0.5 - p[1];
			/* inside by this much past the edge along a, the edge along b,
			 * and the sheet's far edges */
			double ea = dx * na[0] + dy * na[1] + sh->gap,
			       eb = dx * nb[0] + dy * nb[1] + sh->gap;
			double e = fmin(fmin(ea, eb), fmin(sh->len_b - ea, sh->len_a - eb));
			if (e <= -0.5)
				continue;
			double cov = fmin(1, e + 0.5);
			unsigned char *q = img->px + ((size_t)y * (size_t)img->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				q[k] = (unsigned char)lround(q[k] + (sh->tone[k] - q[k]) * cov);
		}
}

/* Whether this photo has a white sheet flush against the card, and which:
 * from a PRNG stream of its own, so that every other photo is the one drawn
 * without the option. */
static const struct kyc_synth__sheet *pick_sheet(const struct kyc_synth_card_opts *o,
						 uint64_t seed, uint64_t stream,
						 const struct kyc_synth__frame *fr,
						 struct kyc_synth__sheet *sh)
{
	if (!o || o->sheet_rate <= 0)
		return NULL;
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, stream ^ 0x5EE7000000000000ULL);
	if (kyc_synth__rng_unif(r, 0, 1) >= o->sheet_rate)
		return NULL;
	sh->corner = kyc_synth__rng_int(r, 0, 3);
	double white = kyc_synth__rng_unif(r, 226, 250);
	for (int k = 0; k < 3; k++)
		sh->tone[k] = white * kyc_synth__rng_unif(r, 0.97, 1.0);
	/* An A4 sheet either way round, at the card's scale. */
	int wide = kyc_synth__rng_int(r, 0, 1);
	sh->len_a = (wide ? 297 : 210) * fr->u, sh->len_b = (wide ? 210 : 297) * fr->u;
	sh->gap = kyc_synth__rng_unif(r, -0.2, 0.3) * fr->u; /* flush within a third of a mm */
	return sh;
}

int kyc_synth__card_shoot(uint64_t seed, uint64_t stream, int index, int level,
			  enum kyc_card_side side, const struct kyc_card_template *T,
			  kyc_synth__card_draw_fn draw, const void *card,
			  const struct kyc_synth_card_opts *opts, struct kyc_synth_card_shot *shot,
			  struct kyc_synth_image *img)
{
	memset(img, 0, sizeof *img);
	memset(shot, 0, sizeof *shot);
	if (level < 0 || level > 2 || (side != KYC_CARD_FRONT && side != KYC_CARD_BACK))
		return KYC_ERR_INVALID;
	struct kyc_synth__rng rr, *r = &rr;
	uint64_t photo =
	    stream + ((uint64_t)level << 40) + ((uint64_t)side << 36) + (uint64_t)(uint32_t)index;
	kyc_synth__rng_seed(r, seed, photo);
	struct kyc_synth__frame fr;
	kyc_synth__card_frame(level, r, T->w_mm, T->h_mm, &fr);
	struct kyc_synth__sheet sh;
	const struct kyc_synth__sheet *sheet = pick_sheet(opts, seed, photo, &fr, &sh);
	struct kyc_synth_image doc = {0};
	int rc = draw(card, side, fr.u, r, &doc);
	if (!rc)
		rc = kyc_synth__card_photo(&doc, T->corner_mm * fr.u, level, &fr, r, sheet, img,
					   shot->quad);
	free(doc.px);
	if (rc)
		return rc;
	shot->side = side, shot->level = level, shot->width = img->w, shot->height = img->h;
	shot->quality = fr.quality, shot->skew_deg = fr.skew_deg;
	shot->sheet = sheet ? sheet->corner + 1 : 0;
	return 0;
}

json_t *kyc_synth__card_images_json(const struct kyc_synth_card_shot shots[2],
				    const char *files[2])
{
	json_t *pics = json_array();
	for (int s = 0; s < 2 && pics; s++) {
		const struct kyc_synth_card_shot *h = &shots[s];
		json_t *q = json_array();
		for (int i = 0; i < 4; i++)
			json_array_append_new(q, json_pack("[f,f]", round(h->quad[i][0] * 10) / 10,
							   round(h->quad[i][1] * 10) / 10));
		json_t *pic = json_pack("{s:s, s:s, s:i, s:i, s:i, s:f, s:i, s:o}", "file", files[s],
					"side", s ? "back" : "front", "level", h->level, "width",
					h->width, "height", h->height, "skew_deg", h->skew_deg,
					"quality", h->quality, "quad", q);
		if (pic && h->sheet)
			json_object_set_new(pic, "sheet_corner", json_integer(h->sheet - 1));
		json_array_append_new(pics, pic);
	}
	return pics;
}

void kyc_synth__iso_date(char out[11], int y, int m, int d)
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}
