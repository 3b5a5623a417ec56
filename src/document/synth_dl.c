/* Driving licence specimens (synth_dl.h): the invented card, its AAMVA
 * data, the two faces drawn on the template of card_tpl_dl_aamva.c, and the
 * photograph (synth_scene.c). */
#include "document/synth_dl.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/barcode.h"
#include "document/card_tpl.h"

/* ---- the card ---- */

/* Jurisdictions drawn. US cards carry the standard's example IIN (636000);
 * Canadian ones their province's, so the parser's IIN fallback is exercised
 * by the tests. */
static const struct {
	const char *code, *name, *country, *iin;
} places[] = {
	{"CA", "CALIFORNIA", "USA", "636000"}, {"NY", "NEW YORK", "USA", "636000"},
	{"TX", "TEXAS", "USA", "636000"},      {"WA", "WASHINGTON", "USA", "636000"},
	{"IL", "ILLINOIS", "USA", "636000"},   {"FL", "FLORIDA", "USA", "636000"},
	{"ON", "ONTARIO", "CAN", "636012"},    {"BC", "BRITISH COLUMBIA", "CAN", "636028"},
	{"QC", "QUEBEC", "CAN", "604428"},     {"AB", "ALBERTA", "CAN", "604432"},
};
static const char *const street_words[] = {"OAK",  "MAPLE", "CEDAR", "PINE", "ELM", "LAKE",
					   "HILL", "PARK",  "MILL",  "RIVER", "BIRCH", "WILLOW"};
static const char *const street_kinds[] = {"ST", "AVE", "RD", "DR", "LN", "BLVD", "CT"};
static const char *const town_heads[] = {"GLEN", "FAIR", "SPRING", "BROOK", "ASH", "STONE",
					 "RED",  "CLEAR", "WEST",   "NORTH"};
static const char *const town_tails[] = {"FIELD", "VILLE", "DALE", "TON", "WOOD", "HAVEN",
					 "BURY",  "FORD",  "PORT", "VIEW"};
static const char *const eyes[] = {"BRO", "BLU", "GRN", "HAZ", "GRY", "BLK"};

#define NOF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define PICK(r, a) ((a)[kyc_synth__rng_int((r), 0, NOF(a) - 1)])

static void digits_into(struct kyc_synth__rng *r, char *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + kyc_synth__rng_int(r, 0, 9));
	out[n] = 0;
}

void kyc_synth_dl_card(uint64_t seed, int index, struct kyc_dl_card *c)
{
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, 0x700000000ULL + (uint64_t)(uint32_t)index);
	memset(c, 0, sizeof *c);
	/* The person: the generator's invented identity (names in their MRZ
	 * spelling, plain capitals), whatever its document format. */
	struct kyc_synth_identity id;
	kyc_synth_identity(seed, index, KYC_SYNTH_TD1, &id);
	snprintf(c->surname, sizeof c->surname, "%s", id.f.surname);
	size_t sp = strcspn(id.f.given_names, " ");
	snprintf(c->first_name, sizeof c->first_name, "%.*s", (int)sp, id.f.given_names);
	snprintf(c->middle_names, sizeof c->middle_names, "%s",
		 id.f.given_names[sp] ? id.f.given_names + sp + 1 : "");
	snprintf(c->birth_date, sizeof c->birth_date, "%s", id.f.birth_date);
	snprintf(c->sex, sizeof c->sex, "%s", id.f.sex);

	int p = kyc_synth__rng_int(r, 0, NOF(places) - 1);
	int canada = !strcmp(places[p].country, "CAN");
	snprintf(c->jurisdiction, sizeof c->jurisdiction, "%s", places[p].code);
	snprintf(c->jurisdiction_name, sizeof c->jurisdiction_name, "%s", places[p].name);
	snprintf(c->country, sizeof c->country, "%s", places[p].country);
	snprintf(c->iin, sizeof c->iin, "%s", places[p].iin);
	c->version = kyc_synth__rng_int(r, 8, 10);
	c->jurisdiction_version = kyc_synth__rng_int(r, 0, 3);
	snprintf(c->subfile, sizeof c->subfile, "%s", kyc_synth__rng_int(r, 0, 4) ? "DL" : "ID");

	char d[24];
	if (canada) { /* Ontario's shape: A1234-56789-01234 */
		digits_into(r, d, 14);
		snprintf(c->document_number, sizeof c->document_number, "%c%.4s-%.5s-%.5s",
			 c->surname[0] >= 'A' && c->surname[0] <= 'Z' ? c->surname[0] : 'A', d,
			 d + 4, d + 9);
	} else if (kyc_synth__rng_int(r, 0, 1)) {
		digits_into(r, d, 7);
		snprintf(c->document_number, sizeof c->document_number, "%c%.7s",
			 'A' + kyc_synth__rng_int(r, 0, 25), d);
	} else {
		digits_into(r, c->document_number, 9);
	}
	/* Issued 2018-2025, valid four to eight years, to the birthday. */
	int by = (int)strtol(c->birth_date, NULL, 10);
	int bm = (int)strtol(c->birth_date + 5, NULL, 10), bd = (int)strtol(c->birth_date + 8, NULL, 10);
	int iy = kyc_synth__rng_int(r, by + 16 > 2018 ? by + 16 : 2018, 2025);
	int im = kyc_synth__rng_int(r, 1, 12), idd = kyc_synth__rng_int(r, 1, 28);
	kyc_synth__iso_date(c->issue_date, iy, im, idd);
	kyc_synth__iso_date(c->expiry_date, iy + kyc_synth__rng_int(r, 4, 8), bm, bm == 2 && bd == 29 ? 28 : bd);

	snprintf(c->street, sizeof c->street, "%d %s %s", kyc_synth__rng_int(r, 1, 9999),
		 PICK(r, street_words), PICK(r, street_kinds));
	snprintf(c->city, sizeof c->city, "%s%s", PICK(r, town_heads), PICK(r, town_tails));
	if (canada)
		snprintf(c->postal_code, sizeof c->postal_code, "%c%d%c%d%c%d",
			 'A' + kyc_synth__rng_int(r, 0, 25), kyc_synth__rng_int(r, 0, 9),
			 'A' + kyc_synth__rng_int(r, 0, 25), kyc_synth__rng_int(r, 0, 9),
			 'A' + kyc_synth__rng_int(r, 0, 25), kyc_synth__rng_int(r, 0, 9));
	else
		snprintf(c->postal_code, sizeof c->postal_code, "%05d0000",
			 kyc_synth__rng_int(r, 10000, 99999));
	snprintf(c->eye_color, sizeof c->eye_color, "%s", PICK(r, eyes));
	if (canada)
		snprintf(c->height, sizeof c->height, "%03d cm", kyc_synth__rng_int(r, 150, 200));
	else
		snprintf(c->height, sizeof c->height, "%03d in", kyc_synth__rng_int(r, 58, 78));
	digits_into(r, d, kyc_synth__rng_int(r, 10, 16));
	snprintf(c->discriminator, sizeof c->discriminator, "%s", d);
	if (!strcmp(c->subfile, "DL"))
		snprintf(c->vehicle_class, sizeof c->vehicle_class, "%s", canada ? "G" : "C");
	if (kyc_synth__rng_int(r, 0, 2) == 0)
		snprintf(c->qr, sizeof c->qr, "https://dl.example.org/verify/%s/%s", c->jurisdiction,
			 c->discriminator);
}

/* YYYY-MM-DD as the card's country writes it in the barcode. */
static void barcode_date(const char *iso, int canada, char out[9])
{
	if (canada)
		snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	else
		snprintf(out, 9, "%.2s%.2s%.4s", iso + 5, iso + 8, iso);
}

static void add(struct kyc_aamva *a, const char *id, const char *value)
{
	if (a->nelements >= KYC_AAMVA_MAX_ELEMENTS)
		return;
	struct kyc_aamva_element *e = &a->elements[a->nelements++];
	snprintf(e->id, sizeof e->id, "%s", id);
	snprintf(e->value, sizeof e->value, "%s", value);
}

void kyc_synth_dl_aamva(const struct kyc_dl_card *c, struct kyc_aamva *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->iin, sizeof a->iin, "%s", c->iin);
	a->version = c->version;
	a->jurisdiction_version = c->jurisdiction_version;
	a->entries = 1;
	snprintf(a->subfile, sizeof a->subfile, "%s", c->subfile);
	int canada = !strcmp(c->country, "CAN");
	char d[9];
	/* The mandatory elements of versions 8-10, in the standard's order. */
	if (c->vehicle_class[0]) {
		add(a, "DCA", c->vehicle_class);
		add(a, "DCB", "NONE");
		add(a, "DCD", "NONE");
	}
	barcode_date(c->expiry_date, canada, d);
	add(a, "DBA", d);
	add(a, "DCS", c->surname);
	add(a, "DAC", c->first_name[0] ? c->first_name : "NONE");
	add(a, "DAD", c->middle_names[0] ? c->middle_names : "NONE");
	barcode_date(c->issue_date, canada, d);
	add(a, "DBD", d);
	barcode_date(c->birth_date, canada, d);
	add(a, "DBB", d);
	add(a, "DBC", !strcmp(c->sex, "M") ? "1" : !strcmp(c->sex, "F") ? "2" : "9");
	add(a, "DAY", c->eye_color);
	add(a, "DAU", c->height);
	add(a, "DAG", c->street);
	add(a, "DAI", c->city);
	add(a, "DAJ", c->jurisdiction);
	add(a, "DAK", c->postal_code);
	add(a, "DAQ", c->document_number);
	add(a, "DCF", c->discriminator);
	add(a, "DCG", c->country);
	add(a, "DDE", "N");
	add(a, "DDF", "N");
	add(a, "DDG", "N");
}

/* ---- drawing ---- */

/* Draws text at em px with its baseline at (x, base) px; right-aligned to x
 * when right; made smaller to fit maxw px when maxw > 0 (as issuers print a
 * long name). */
static int text_at(struct kyc_synth_image *im, int font, double em, double x, double base,
		   const char *s, const unsigned char ink[3], int right, double maxw)
{
	struct kyc_synth__mask m;
	int pad = 2;
	int rc = kyc_synth__text_mask(font, em, s, pad, &m);
	if (!rc && maxw > 0 && m.w - 2 * pad - 2 > maxw) {
		em *= maxw / (m.w - 2 * pad - 2);
		free(m.px);
		rc = kyc_synth__text_mask(font, em, s, pad, &m);
	}
	if (rc)
		return rc;
	double left = right ? x - (m.w - 2 * pad - 2) : x;
	kyc_synth__blit_mask(im, &m, (int)lround(left) - pad - 1, (int)lround(base - pad - em * 0.92),
			     ink, 1);
	free(m.px);
	return 0;
}

/* A pale ground that shades from one tint to another down the card, with
 * fine concentric rings around a point off the card: never dark enough to
 * read as ink. */
static void ground(struct kyc_synth_image *im, struct kyc_synth__rng *r, int back)
{
	double top[3] = {232, 238, 246}, bottom[3] = {246, 236, 222};
	if (back)
		top[0] = 238, top[1] = 240, top[2] = 236;
	double cx = kyc_synth__rng_unif(r, -0.5, 1.5) * im->w, cy = kyc_synth__rng_unif(r, 1, 2) * im->h;
	double ring = kyc_synth__rng_unif(r, 0.012, 0.02) * im->w;
	for (int y = 0; y < im->h; y++) {
		double t = (double)y / im->h;
		for (int x = 0; x < im->w; x++) {
			double wave = 0.5 + 0.5 * cos(2 * M_PI * hypot(x - cx, y - cy) / ring);
			unsigned char *px = im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				px[k] = (unsigned char)lround(top[k] + (bottom[k] - top[k]) * t - 14 * wave * wave * wave);
		}
	}
}

static void rect(struct kyc_synth_image *im, double x0, double y0, double x1, double y1,
		 const unsigned char c[3])
{
	for (int y = (int)y0; y < (int)ceil(y1); y++)
		for (int x = (int)x0; x < (int)ceil(x1); x++)
			kyc_synth__blend(im, x, y, c, 1);
}

/* The symbol's modules drawn as squares of mod px from (x, y), each pixel
 * inked by the share of it a dark module covers: rounding each module out
 * to whole pixels would print the bars fat and close the one-module spaces
 * the decoder needs. */
static void modules(struct kyc_synth_image *im, const unsigned char *m, int mw, int mh, double x,
		    double y, double mod)
{
	static const unsigned char ink[3] = {16, 16, 20};
	for (int py = (int)floor(y); py < (int)ceil(y + mh * mod); py++)
		for (int px = (int)floor(x); px < (int)ceil(x + mw * mod); px++) {
			/* the pixel's area in module units, and the dark share of it */
			double u0 = (px - x) / mod, u1 = (px + 1 - x) / mod;
			double v0 = (py - y) / mod, v1 = (py + 1 - y) / mod, dark = 0;
			for (int j = (int)floor(v0); j < v1; j++)
				for (int i = (int)floor(u0); i < u1; i++) {
					if (i < 0 || j < 0 || i >= mw || j >= mh ||
					    !m[(size_t)j * (size_t)mw + (size_t)i])
						continue;
					dark += (fmin(u1, i + 1) - fmax(u0, i)) * (fmin(v1, j + 1) - fmax(v0, j));
				}
			if (dark > 0)
				kyc_synth__blend(im, px, py, ink, fmin(1, dark * mod * mod));
		}
}

/* "YYYY-MM-DD" as the card's face prints it: MM/DD/YYYY in the US,
 * YYYY/MM/DD in Canada. */
static void face_date(const char *iso, int canada, char out[11])
{
	if (canada)
		snprintf(out, 11, "%.4s/%.2s/%.2s", iso, iso + 5, iso + 8);
	else
		snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 5, iso + 8, iso);
}

static const struct kyc_card_field *tpl_field(const char *name)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	for (int i = 0; i < T->nfields; i++)
		if (!strcmp(T->fields[i].name, name))
			return &T->fields[i];
	return NULL;
}

/* A field's caption (the standard's number and a word) left of its value,
 * and the value. */
static int field_at(struct kyc_synth_image *im, double u, const char *name, const char *caption,
		    double caption_x, const char *value)
{
	static const unsigned char ink[3] = {14, 14, 18}, label[3] = {150, 40, 40};
	const struct kyc_card_field *f = tpl_field(name);
	if (!f)
		return KYC_ERR_INTERNAL;
	int rc = text_at(im, KYC_SYNTH__SANS, 1.8 * u, caption_x * u, f->baseline * u, caption, label, 0, 0);
	if (!rc)
		rc = text_at(im, f->bold ? KYC_SYNTH__BOLD : KYC_SYNTH__SANS, f->em * u, f->left * u,
			     f->baseline * u, value, ink, 0, (f->right - f->left) * u);
	return rc;
}

static int draw_front(const struct kyc_dl_card *c, double u, struct kyc_synth__rng *r,
		      struct kyc_synth_image *im)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	int canada = !strcmp(c->country, "CAN");
	/* A pale header, as on many licences (a dark one would make the card
	 * finder take the band for the desk). */
	static const unsigned char band[3] = {206, 222, 242}, title[3] = {24, 52, 112};
	rect(im, 0, 0, im->w, 9.0 * u, band);
	int rc = text_at(im, KYC_SYNTH__BOLD, 3.4 * u, 4 * u, 6.2 * u, c->jurisdiction_name, title, 0, 0);
	if (!rc)
		rc = text_at(im, KYC_SYNTH__BOLD, 2.4 * u, 82 * u, 4.4 * u,
			     !strcmp(c->subfile, "DL") ? "DRIVER LICENSE" : "IDENTIFICATION CARD",
			     title, 1, 0);
	if (!rc)
		rc = text_at(im, KYC_SYNTH__SANS, 1.8 * u, 82 * u, 7.6 * u, "SPECIMEN - NOT VALID", title, 1, 0);
	if (!rc)
		rc = kyc_synth__portrait(im, r, u, T->portrait[0] * u, T->portrait[1] * u,
					 (T->portrait[2] - T->portrait[0]) * u,
					 (T->portrait[3] - T->portrait[1]) * u);
	char city[64], dob[11], iss[11], exp[11];
	snprintf(city, sizeof city, "%s, %s %.5s", c->city, c->jurisdiction, c->postal_code);
	face_date(c->birth_date, canada, dob);
	face_date(c->issue_date, canada, iss);
	face_date(c->expiry_date, canada, exp);
	char given[100];
	snprintf(given, sizeof given, "%s%s%s", c->first_name, c->middle_names[0] ? " " : "",
		 c->middle_names);
	/* name in the template, caption, where the caption starts (mm), value */
	const struct {
		const char *name, *caption;
		double x;
		const char *value;
	} rows[] = {
		{"document_number", "4d DLN", 30, c->document_number},
		{"surname", "1", 30, c->surname},
		{"given_names", "2", 30, given},
		{"address_street", "8", 30, c->street},
		{"address_city", "", 30, city},
		{"birth_date", "3 DOB", 30, dob},
		{"sex", "15 SEX", 65, c->sex},
		{"issue_date", "4a ISS", 30, iss},
		{"expiry_date", "4b EXP", 30, exp},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !rc; i++)
		rc = field_at(im, u, rows[i].name, rows[i].caption, rows[i].x, rows[i].value);
	return rc;
}

/* The card's PDF417 modules (*m malloc'd, mw x mh) and the module's size,
 * mm: the symbol fills the barcode box's width, its rows at least three
 * modules tall as the standard asks (zxing gives four). */
static int symbol(const struct kyc_dl_card *c, unsigned char **m, int *mw, int *mh, double *mod_mm)
{
	const double *b = kyc_card_tpl_dl_aamva.barcode;
	struct kyc_aamva a;
	kyc_buf data;
	kyc_synth_dl_aamva(c, &a);
	kyc_buf_init(&data, KYC_BARCODE_MAX_BYTES);
	int rc = kyc_aamva_write(&a, &data);
	if (!rc)
		rc = kyc_barcode_encode(KYC_BARCODE_PDF417, (const unsigned char *)data.data, data.len,
					3, m, mw, mh);
	kyc_buf_release(&data);
	if (!rc)
		*mod_mm = fmin((b[2] - b[0]) / *mw, (b[3] - b[1]) / *mh);
	return rc;
}

double kyc_synth_dl_module_mm(const struct kyc_dl_card *c)
{
	unsigned char *m = NULL;
	int mw, mh;
	double mod = 0;
	if (symbol(c, &m, &mw, &mh, &mod))
		mod = 0;
	free(m);
	return mod;
}

static int draw_back(const struct kyc_dl_card *c, double u, struct kyc_synth_image *im)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	unsigned char *m = NULL;
	int mw = 0, mh = 0;
	double mod_mm = 0;
	int rc = symbol(c, &m, &mw, &mh, &mod_mm);
	if (rc)
		return rc;
	const double *b = T->barcode;
	double mod = mod_mm * u;
	double x = (b[0] + b[2]) / 2 * u - mw * mod / 2, y = b[3] * u - mh * mod;
	static const unsigned char paper[3] = {252, 252, 250};
	rect(im, x - 2 * mod, y - 2 * mod, x + (mw + 2) * mod, y + (mh + 2) * mod, paper);
	modules(im, m, mw, mh, x, y, mod);
	free(m);
	static const unsigned char ink[3] = {40, 40, 48};
	rc = text_at(im, KYC_SYNTH__SANS, 1.9 * u, 4 * u, 5.0 * u, c->jurisdiction_name, ink, 0, 0);
	if (!rc)
		rc = text_at(im, KYC_SYNTH__SANS, 1.7 * u, 4 * u, 8.6 * u, "5 DD", ink, 0, 0);
	if (!rc)
		rc = text_at(im, KYC_SYNTH__SANS, 1.7 * u, 11 * u, 8.6 * u, c->discriminator, ink, 0, 0);
	if (!rc && c->qr[0]) {
		/* The QR code in the back's top-right corner, 11 mm square. */
		rc = kyc_barcode_encode(KYC_BARCODE_QR, (const unsigned char *)c->qr, strlen(c->qr),
					-1, &m, &mw, &mh);
		if (!rc) {
			double qm = 11.0 * u / mw;
			rect(im, 70 * u - 2 * qm, 2 * u - 2 * qm, 81 * u + 2 * qm, 13 * u + 2 * qm, paper);
			modules(im, m, mw, mh, 70 * u, 2 * u, qm);
			free(m);
		}
	}
	return rc;
}

/* kyc_synth__card_draw_fn for a licence. */
static int draw_dl(const void *card, enum kyc_card_side side, double u, struct kyc_synth__rng *r,
		   struct kyc_synth_image *doc)
{
	const struct kyc_card_template *T = &kyc_card_tpl_dl_aamva;
	doc->w = (int)lround(T->w_mm * u), doc->h = (int)lround(T->h_mm * u);
	if (!(doc->px = malloc((size_t)doc->w * (size_t)doc->h * 3)))
		return KYC_ERR_NOMEM;
	ground(doc, r, side == KYC_CARD_BACK);
	return side == KYC_CARD_FRONT ? draw_front(card, u, r, doc) : draw_back(card, u, doc);
}

int kyc_synth_dl_render(uint64_t seed, int index, int level, enum kyc_card_side side,
			const struct kyc_dl_card *card, struct kyc_synth_card_shot *shot,
			struct kyc_synth_image *img)
{
	return kyc_synth__card_shoot(seed, 0x800000000ULL, index, level, side,
				     &kyc_card_tpl_dl_aamva, draw_dl, card, NULL, shot, img);
}

/* ---- ground truth ---- */

int kyc_synth_dl_truth_json(const struct kyc_dl_card *c, uint64_t seed, int index,
			    const struct kyc_synth_card_shot shots[2], const char *files[2],
			    kyc_buf *out)
{
	char given[100], street[64], ver[8];
	snprintf(given, sizeof given, "%s%s%s", c->first_name, c->middle_names[0] ? " " : "",
		 c->middle_names);
	snprintf(street, sizeof street, "%s", c->street);
	snprintf(ver, sizeof ver, "%02d", c->version % 100);
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			      " s:s, s:s, s:s, s:s}",
			      "document_number", c->document_number, "surname", c->surname,
			      "birth_date", c->birth_date, "expiry_date", c->expiry_date,
			      "issue_date", c->issue_date, "sex", c->sex, "issuing_country",
			      c->country, "address_street", street, "address_city", c->city,
			      "address_state", c->jurisdiction, "address_postal_code", c->postal_code,
			      "eye_color", c->eye_color, "height", c->height,
			      "document_discriminator", c->discriminator, "document_type", c->subfile,
			      "iin", c->iin, "aamva_version", ver);
	/* a person with one name has no given names at all */
	if (f && c->first_name[0]) {
		json_object_set_new(f, "given_names", json_string(given));
		json_object_set_new(f, "first_name", json_string(c->first_name));
	}
	if (f && c->middle_names[0])
		json_object_set_new(f, "middle_names", json_string(c->middle_names));
	if (f && c->vehicle_class[0])
		json_object_set_new(f, "vehicle_class", json_string(c->vehicle_class));
	struct kyc_aamva a;
	kyc_buf bc;
	kyc_synth_dl_aamva(c, &a);
	kyc_buf_init(&bc, KYC_BARCODE_MAX_BYTES);
	int rc = kyc_aamva_write(&a, &bc);
	json_t *pics = kyc_synth__card_images_json(shots, files);
	json_t *o = json_pack("{s:s, s:I, s:i, s:o, s:s%, s:s?, s:o}", "kind", "dl-aamva", "seed",
			      (json_int_t)seed, "index", index, "fields", f ? f : json_null(),
			      "barcode", rc ? "" : bc.data, rc ? 0 : bc.len, "qr",
			      c->qr[0] ? c->qr : NULL, "images", pics);
	kyc_buf_release(&bc);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	if (!s)
		return rc ? rc : KYC_ERR_NOMEM;
	rc = rc ? rc : kyc_buf_printf(out, "%s\n", s);
	free(s);
	return rc;
}

/* ---- Korean licences ---- */

static const char *const kr_family[] = {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"};
static const char *const kr_given[] = {"민", "서", "지", "현", "우", "준", "영", "수", "은", "하",
				       "도", "연", "성", "진", "혜", "호"};
static const char *const kr_region[][2] = {
    {"11", "서울특별시"}, {"12", "부산광역시"}, {"13", "경기도"},     {"14", "강원도"},
    {"15", "충청북도"},   {"16", "충청남도"},   {"17", "전라북도"},   {"18", "전라남도"},
    {"19", "경상북도"},   {"20", "경상남도"},   {"21", "제주특별자치도"}, {"22", "대구광역시"},
    {"23", "인천광역시"}, {"24", "광주광역시"}, {"25", "대전광역시"}, {"26", "울산광역시"},
    {"28", "경기도"},
};
static const char *const kr_street[] = {"중앙로", "세종대로", "한강대로", "시청길", "문화로", "은행나무길"};
static const char *const kr_class[] = {"1종보통", "2종보통", "1종대형", "2종소형"};

void kyc_synth_krdl_card(uint64_t seed, int index, struct kyc_krdl_card *c)
{
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, 0xA00000000ULL + (uint64_t)(uint32_t)index);
	memset(c, 0, sizeof *c);
	int reg = kyc_synth__rng_int(r, 0, (int)(sizeof kr_region / sizeof *kr_region) - 1);
	int by = kyc_synth__rng_int(r, 1950, 2004), bm = kyc_synth__rng_int(r, 1, 12),
	    bd = kyc_synth__rng_int(r, 1, 28);
	int first = by + kyc_synth__rng_int(r, 18, 30);
	if (first > 2024)
		first = 2024;
	char serial[7], check[3];
	digits_into(r, serial, 6);
	digits_into(r, check, 2);
	snprintf(c->number, sizeof c->number, "%s-%02u-%s-%s", kr_region[reg][0],
		 (unsigned)first % 100u, serial, check);
	snprintf(c->name, sizeof c->name, "%s%s%s",
		 kr_family[kyc_synth__rng_int(r, 0, (int)(sizeof kr_family / sizeof *kr_family) - 1)],
		 kr_given[kyc_synth__rng_int(r, 0, (int)(sizeof kr_given / sizeof *kr_given) - 1)],
		 kr_given[kyc_synth__rng_int(r, 0, (int)(sizeof kr_given / sizeof *kr_given) - 1)]);
	int sexdigit = (by >= 2000 ? 3 : 1) + kyc_synth__rng_int(r, 0, 1);
	snprintf(c->resident, sizeof c->resident, "%02u%02u%02u-%u******", (unsigned)by % 100u,
		 (unsigned)bm % 100u, (unsigned)bd % 100u, (unsigned)sexdigit % 10u);
	snprintf(c->address[0], sizeof c->address[0], "%s %s %d", kr_region[reg][1],
		 kr_street[kyc_synth__rng_int(r, 0, (int)(sizeof kr_street / sizeof *kr_street) - 1)],
		 kyc_synth__rng_int(r, 1, 399));
	snprintf(c->address[1], sizeof c->address[1], "%d동 %d호", kyc_synth__rng_int(r, 101, 120),
		 kyc_synth__rng_int(r, 101, 1504));
	int iy = kyc_synth__rng_int(r, 2016, 2024);
	kyc_synth__iso_date(c->issue_date, iy, kyc_synth__rng_int(r, 1, 12),
			    kyc_synth__rng_int(r, 1, 28));
	kyc_synth__iso_date(c->renewal_date, iy + 10, 12, 31);
	snprintf(c->licence_class, sizeof c->licence_class, "%s",
		 kr_class[kyc_synth__rng_int(r, 0, (int)(sizeof kr_class / sizeof *kr_class) - 1)]);
}

/* "YYYY-MM-DD" as the card prints it, "YYYY.MM.DD." */
static void kr_date(const char *iso, char out[12])
{
	snprintf(out, 12, "%.4s.%.2s.%.2s.", iso, iso + 5, iso + 8);
}

static int draw_krdl(const void *card, enum kyc_card_side side, double u,
		     struct kyc_synth__rng *r, struct kyc_synth_image *doc)
{
	const struct kyc_krdl_card *c = card;
	const struct kyc_card_template *T = &kyc_card_tpl_kr_dl;
	const struct kyc_card_field *f = &T->fields[0];
	static const unsigned char ink[3] = {18, 18, 24}, title[3] = {20, 60, 120},
				   label[3] = {110, 110, 120};
	(void)side;
	doc->w = (int)lround(T->w_mm * u), doc->h = (int)lround(T->h_mm * u);
	if (!(doc->px = malloc((size_t)doc->w * (size_t)doc->h * 3)))
		return KYC_ERR_NOMEM;
	ground(doc, r, 0);
	char iss[12], ren[24], period[48];
	kr_date(c->issue_date, iss);
	kr_date(c->renewal_date, ren);
	snprintf(period, sizeof period, "적성검사 %s", ren);
	int rc = text_at(doc, KYC_SYNTH__HANGUL_BOLD, 4.2 * u, 4 * u, 7.5 * u, "자동차운전면허증",
			 title, 0, 0);
	if (!rc)
		rc = text_at(doc, KYC_SYNTH__HANGUL_BOLD, 2.8 * u, 82 * u, 7.5 * u, c->licence_class,
			     title, 1, 0);
	if (!rc)
		rc = kyc_synth__portrait(doc, r, u, T->portrait[0] * u, T->portrait[1] * u,
					 (T->portrait[2] - T->portrait[0]) * u,
					 (T->portrait[3] - T->portrait[1]) * u);
	if (!rc)
		rc = text_at(doc, KYC_SYNTH__BOLD, f->em * u, f->left * u, f->baseline * u, c->number,
			     ink, 0, (f->right - f->left) * u);
	/* the rest is printed, not read */
	const struct {
		int font;
		double x, base, em;
		const char *text;
	} rows[] = {
		{KYC_SYNTH__HANGUL_BOLD, T->fields[1].left, T->fields[1].baseline, T->fields[1].em,
		 c->name},
		{KYC_SYNTH__SANS, 31, 28.0, 2.8, c->resident},
		{KYC_SYNTH__HANGUL, 31, 32.8, 2.3, c->address[0]},
		{KYC_SYNTH__HANGUL, 31, 36.4, 2.3, c->address[1]},
		{KYC_SYNTH__HANGUL, 31, 42.0, 2.3, period},
		{KYC_SYNTH__SANS, 31, 46.0, 2.4, iss},
		{KYC_SYNTH__HANGUL_BOLD, 48, 51.0, 3.0, "경찰청장"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !rc; i++)
		rc = text_at(doc, rows[i].font, rows[i].em * u, rows[i].x * u, rows[i].base * u,
			     rows[i].text, i < 2 ? ink : label, 0, (84 - rows[i].x) * u);
	return rc;
}

int kyc_synth_krdl_render(uint64_t seed, int index, int level, const struct kyc_krdl_card *card,
			  struct kyc_synth_card_shot *shot, struct kyc_synth_image *img)
{
	return kyc_synth__card_shoot(seed, 0xB00000000ULL, index, level, KYC_CARD_FRONT,
				     &kyc_card_tpl_kr_dl, draw_krdl, card, NULL, shot, img);
}

int kyc_synth_dl_upload(uint64_t seed, int index, int level, enum kyc_card_side side,
			const struct kyc_dl_card *card, int target_side, struct kyc_image *out,
			double quad[4][2], double *module_px)
{
	struct kyc_synth_card_shot shot;
	struct kyc_synth_image img;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	int rc = kyc_synth_dl_render(seed, index, level, side, card, &shot, &img);
	if (rc)
		return rc;
	rc = kyc_synth_jpeg(&img, shot.quality, &jpeg, &len);
	kyc_synth_image_release(&img);
	struct kyc_image_opts io = {.target_side = target_side};
	if (!rc)
		rc = kyc_image_decode(jpeg, len, &io, out, NULL);
	free(jpeg);
	if (rc)
		return rc;
	double d = out->scale_denom > 0 ? out->scale_denom : 1;
	double top = hypot(shot.quad[1][0] - shot.quad[0][0], shot.quad[1][1] - shot.quad[0][1]);
	for (int k = 0; quad && k < 4; k++)
		quad[k][0] = shot.quad[k][0] / d, quad[k][1] = shot.quad[k][1] / d;
	if (module_px)
		*module_px = kyc_synth_dl_module_mm(card) * top / kyc_card_tpl_dl_aamva.w_mm / d;
	return 0;
}

int kyc_synth_krdl_photo(uint64_t seed, int index, int level, const struct kyc_krdl_card *card,
			 unsigned char **jpg, size_t *len)
{
	struct kyc_synth_card_shot shot;
	struct kyc_synth_image im;
	*jpg = NULL;
	int rc = kyc_synth_krdl_render(seed, index, level, card, &shot, &im);
	if (rc)
		return rc;
	rc = kyc_synth_jpeg(&im, shot.quality, jpg, len);
	kyc_synth_image_release(&im);
	return rc;
}
