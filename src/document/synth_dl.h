/* Specimen North American driving licences and ID cards (`kycd synth --kind
 * dl-aamva`, docs/dl.md): an invented person (the generator's identities,
 * synth_id.c), a front with the printed fields in the AAMVA layout
 * (card_tpl_dl_aamva.c) and a back with a real PDF417 of the AAMVA data
 * (aamva.h, encoded by zxing-cpp through barcode.h) and, on one card in
 * three, a QR code. Photographed with the levels of the other cards
 * (synth_scene.c). Pure functions of (seed, index, level), like synth.h. */
#ifndef KYC_SYNTH_DL_H
#define KYC_SYNTH_DL_H

#include <stdint.h>

#include "core/buf.h"
#include "document/aamva.h"
#include "document/image.h"
#include "document/synth.h"
#include "document/synth_card.h"

/* One invented card. Dates are YYYY-MM-DD; every string is ASCII. */
struct kyc_dl_card {
	char subfile[3];           /* "DL" or "ID" */
	char jurisdiction[3];      /* DAJ: "CA", "ON", ... */
	char jurisdiction_name[24];
	char country[4];           /* "USA" or "CAN" */
	char iin[7];
	int version, jurisdiction_version;
	char document_number[24];
	char surname[48], first_name[48], middle_names[48];
	char birth_date[11], issue_date[11], expiry_date[11];
	char sex[2];               /* "M", "F" or "X" */
	char street[48], city[32], postal_code[12];
	char eye_color[4], height[8];
	char discriminator[24];
	char vehicle_class[4];     /* "" on an ID card */
	char qr[96];               /* the back's QR code text, "" when it has none */
};

/* The invented card for (seed, index). */
void kyc_synth_dl_card(uint64_t seed, int index, struct kyc_dl_card *out);

/* The AAMVA data of the card's barcode, as its elements (version 8 to 10:
 * dates MMDDCCYY in the US, CCYYMMDD in Canada). */
void kyc_synth_dl_aamva(const struct kyc_dl_card *c, struct kyc_aamva *out);

/* The module of the card's PDF417 as the back draws it, mm (0 when the
 * data cannot be encoded): for the benchmark's and tests' truth. */
double kyc_synth_dl_module_mm(const struct kyc_dl_card *c);

/* Draws side (KYC_CARD_FRONT or KYC_CARD_BACK) of card and photographs it at
 * level (0..2) as (seed, index) choose; *img is allocated here. 0,
 * KYC_ERR_INVALID, KYC_ERR_NOMEM or KYC_ERR_IO (a font is missing). On error
 * *img holds nothing. */
int kyc_synth_dl_render(uint64_t seed, int index, int level, enum kyc_card_side side,
			const struct kyc_dl_card *card, struct kyc_synth_card_shot *shot,
			struct kyc_synth_image *img);

/* The same photograph as an upload is decoded (a JPEG at the shot's
 * quality, decoded with target_side as its longer side, 0: full size) into
 * *out; quad (may be NULL) gets the card's corners and module_px (may be
 * NULL) its barcode module, both in the decoded picture's pixels. 0 or an
 * error code as above or kyc_image_decode's. */
int kyc_synth_dl_upload(uint64_t seed, int index, int level, enum kyc_card_side side,
			const struct kyc_dl_card *card, int target_side, struct kyc_image *out,
			double quad[4][2], double *module_px);

/* Appends the truth.jsonl line of a card and its two pictures: "fields"
 * under the extraction's names, written from the card itself (not through
 * the parser), "qr", "barcode" (the symbol's text) and each picture's
 * geometry. 0, KYC_ERR_NOMEM or KYC_ERR_TOOBIG. */
int kyc_synth_dl_truth_json(const struct kyc_dl_card *card, uint64_t seed, int index,
			    const struct kyc_synth_card_shot shots[2], const char *files[2],
			    kyc_buf *out);

/* ---- Korean licences (card_tpl_kr_dl.c, docs/dl.md) ---- */

/* One invented Korean licence: the number NN-NN-NNNNNN-NN (a region code,
 * the year of first issue, a serial, two digits), the name in Hangul, the
 * resident registration number's first part, an address, the dates. */
struct kyc_krdl_card {
	char number[16];
	char name[32];         /* Hangul, UTF-8 */
	char resident[16];     /* "YYMMDD-N******" */
	char address[2][96];   /* Hangul and digits, UTF-8 */
	char issue_date[11], renewal_date[11];
	char licence_class[16];
};

void kyc_synth_krdl_card(uint64_t seed, int index, struct kyc_krdl_card *out);

/* Draws the front of card and photographs it at level (0..2), as
 * kyc_synth_dl_render (fonts-nanum's NanumGothic, KYCD_FONT_HANGUL and
 * KYCD_FONT_HANGUL_BOLD override it). */
int kyc_synth_krdl_render(uint64_t seed, int index, int level, const struct kyc_krdl_card *card,
			  struct kyc_synth_card_shot *shot, struct kyc_synth_image *img);

/* The same photograph as a JPEG at the shot's quality: *jpg malloc()ed.
 * 0 or an error code as above. */
int kyc_synth_krdl_photo(uint64_t seed, int index, int level, const struct kyc_krdl_card *card,
			 unsigned char **jpg, size_t *len);

#endif
