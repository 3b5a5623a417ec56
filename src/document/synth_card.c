/* What the card generators share (synth_card.h): photographing one drawn
 * side, and the pictures' part of the truth line. */
#include "document/synth_card.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

int kyc_synth__card_shoot(uint64_t seed, uint64_t stream, int index, int level,
			  enum kyc_card_side side, const struct kyc_card_template *T,
			  kyc_synth__card_draw_fn draw, const void *card,
			  struct kyc_synth_card_shot *shot, struct kyc_synth_image *img)
{
	memset(img, 0, sizeof *img);
	memset(shot, 0, sizeof *shot);
	if (level < 0 || level > 2 || (side != KYC_CARD_FRONT && side != KYC_CARD_BACK))
		return KYC_ERR_INVALID;
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed,
			    stream + ((uint64_t)level << 40) + ((uint64_t)side << 36) +
				(uint64_t)(uint32_t)index);
	struct kyc_synth__frame fr;
	kyc_synth__card_frame(level, r, T->w_mm, T->h_mm, &fr);
	struct kyc_synth_image doc = {0};
	int rc = draw(card, side, fr.u, r, &doc);
	if (!rc)
		rc = kyc_synth__card_photo(&doc, T->corner_mm * fr.u, level, &fr, r, img, shot->quad);
	free(doc.px);
	if (rc)
		return rc;
	shot->side = side, shot->level = level, shot->width = img->w, shot->height = img->h;
	shot->quality = fr.quality, shot->skew_deg = fr.skew_deg;
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
		json_array_append_new(pics, json_pack("{s:s, s:s, s:i, s:i, s:i, s:f, s:i, s:o}", "file",
						      files[s], "side", s ? "back" : "front", "level",
						      h->level, "width", h->width, "height", h->height,
						      "skew_deg", h->skew_deg, "quality", h->quality,
						      "quad", q));
	}
	return pics;
}

void kyc_synth__iso_date(char out[11], int y, int m, int d)
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}
