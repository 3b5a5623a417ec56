/* Egyptian national ID specimens: the invented identity, the two faces drawn
 * on the template of card_tpl_eg_nid.c (Arabic shaped by HarfBuzz), and the
 * photograph (synth_scene.c). */
#include "document/synth_card.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>

#include "core/err.h"
#include "core/utf8.h"

#define ARABIC_PATH "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"
#define ARABIC_BOLD_PATH "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf"
/* Naskh has no '/': dates are set in Amiri (fonts-hosny-amiri). */
#define DATE_PATH "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Regular.ttf"
#define DATE_BOLD_PATH "/usr/share/fonts/opentype/fonts-hosny-amiri/Amiri-Bold.ttf"
#define LATIN_BOLD_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

/* ---- the identity ---- */

static const char *const male_names[] = {
    "محمد", "أحمد", "محمود", "مصطفى", "علي",  "حسن",  "حسين", "إبراهيم", "يوسف", "عمر",
    "خالد", "طارق", "كريم", "عمرو",  "ياسر", "هشام", "شريف", "سامح",   "وليد", "أيمن",
    "عادل", "سعيد", "جمال", "ماجد",  "رامي", "مينا", "جرجس", "بيشوي",  "صلاح", "فتحي",
};
static const char *const female_names[] = {
    "فاطمة", "مريم", "نور", "سارة", "هدى",  "منى",  "ريم",   "دينا",  "ياسمين", "آية",
    "إيمان", "سلمى", "هبة", "نادية", "رانيا", "أسماء", "شيماء", "عبير", "نهى",   "سمر",
};
static const char *const family_names[] = {
    "السيد", "الشريف", "عبد الحميد", "النجار", "الشافعي", "منصور", "سليمان", "حسانين",
    "البنا", "الجمال", "رمضان",      "عثمان",  "فهمي",    "زكي",   "الطحان", "عبد الله",
};
static const char *const streets[] = {
    "شارع النصر",  "شارع الجمهورية", "شارع بورسعيد", "شارع الهرم",  "شارع التحرير",
    "شارع الجلاء", "شارع المعز",     "شارع السلام",  "شارع الثورة", "شارع النيل",
};
static const char *const districts[] = {
    "المعادي", "الزيتون", "شبرا", "مصر الجديدة", "العجوزة", "الدقي", "سيدي بشر", "المنشية",
};
/* Residence: a town and its governorate code. */
static const struct {
	const char *town;
	int gov;
} towns[] = {
    {"قسم المعادي", 1}, {"قسم شبرا", 1},     {"قسم الرمل", 2},   {"قسم العرب", 3},
    {"قسم الأربعين", 4}, {"مركز المنصورة", 12}, {"مركز الزقازيق", 13}, {"مركز بنها", 14},
    {"مركز طنطا", 16},  {"مركز شبين الكوم", 17}, {"قسم الدقي", 21},  {"مركز الفيوم", 23},
    {"مركز المنيا", 24}, {"مركز أسيوط", 25},    {"مركز سوهاج", 26}, {"مركز أسوان", 28},
};
static const int birth_govs[] = {1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21,
                                 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 34, 35, 88};
static const char *const professions_m[] = {
    "مهندس", "طبيب بشري", "محاسب", "مدرس", "طالب", "موظف بالقطاع الخاص", "سائق", "محامي",
    "صيدلي", "بدون عمل",
};
static const char *const professions_f[] = {
    "مهندسة", "طبيبة بشرية", "محاسبة", "مدرسة", "طالبة", "ربة منزل", "ممرضة", "صيدلانية",
};

#define PICK(r, a) ((a)[kyc_synth__rng_int((r), 0, (int)(sizeof(a) / sizeof((a)[0])) - 1)])

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static int days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : d[m - 1];
}

void kyc_synth_egnid_card(uint64_t seed, int index, struct kyc_egnid_card *c)
{
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, 0x500000000ULL + (uint64_t)(uint32_t)index);
	memset(c, 0, sizeof *c);
	int male = kyc_synth__rng_int(r, 0, 1);
	copy(c->first_name, sizeof c->first_name, male ? PICK(r, male_names) : PICK(r, female_names));
	snprintf(c->rest_name, sizeof c->rest_name, "%s %s %s", PICK(r, male_names),
	         PICK(r, male_names), PICK(r, family_names));
	int t = kyc_synth__rng_int(r, 0, (int)(sizeof towns / sizeof towns[0]) - 1);
	snprintf(c->address1, sizeof c->address1, "%s %s", PICK(r, streets), PICK(r, districts));
	snprintf(c->address2, sizeof c->address2, "%s %s", towns[t].town,
	         kyc_egnid_governorate_ar(towns[t].gov));

	int by = kyc_synth__rng_int(r, 1950, 2006), bm = kyc_synth__rng_int(r, 1, 12);
	int bd = kyc_synth__rng_int(r, 1, days_in_month(by, bm));
	kyc_synth__iso_date(c->birth_date, by, bm, bd);
	int gov = PICK(r, birth_govs);
	/* The sequence's last digit is odd for a man, even for a woman. */
	int seq = kyc_synth__rng_int(r, 0, 4999) * 2 + (male ? 1 : 0);
	snprintf(c->national_number, sizeof c->national_number, "%u%02u%02u%02u%02u%04u%u",
	         by >= 2000 ? 3u : 2u, (unsigned)by % 100u, (unsigned)bm % 100u, (unsigned)bd % 100u,
	         (unsigned)gov % 100u, (unsigned)seq % 10000u, (unsigned)kyc_synth__rng_int(r, 1, 9) % 10u);
	copy(c->national_number_back, sizeof c->national_number_back, c->national_number);
	snprintf(c->serial, sizeof c->serial, "%c%c%07u", 'A' + kyc_synth__rng_int(r, 0, 25),
	         'A' + kyc_synth__rng_int(r, 0, 25), (unsigned)kyc_synth__rng_int(r, 0, 9999999));

	/* Issued from the 16th birthday on, valid seven years. */
	int iy = kyc_synth__rng_int(r, by + 16 > 2018 ? by + 16 : 2018, 2025);
	int im = kyc_synth__rng_int(r, 1, 12), id = kyc_synth__rng_int(r, 1, 28);
	kyc_synth__iso_date(c->issue_date, iy, im, id);
	kyc_synth__iso_date(c->expiry_date, iy + 7, im, id);

	copy(c->gender, sizeof c->gender, male ? "ذكر" : "أنثى");
	int christian = kyc_synth__rng_int(r, 0, 9) == 0;
	copy(c->religion, sizeof c->religion,
	     christian ? (male ? "مسيحي" : "مسيحية") : (male ? "مسلم" : "مسلمة"));
	copy(c->profession, sizeof c->profession, male ? PICK(r, professions_m) : PICK(r, professions_f));
	int ms = iy - by < 22 ? 0 : kyc_synth__rng_int(r, 0, 5);
	static const char *const status_m[] = {"أعزب", "متزوج", "متزوج", "متزوج", "مطلق", "أرمل"};
	static const char *const status_f[] = {"آنسة", "متزوجة", "متزوجة", "متزوجة", "مطلقة", "أرملة"};
	copy(c->marital_status, sizeof c->marital_status, male ? status_m[ms] : status_f[ms]);
	if (!male && (ms >= 1 && ms <= 3))
		snprintf(c->husband_name, sizeof c->husband_name, "%s %s %s", PICK(r, male_names),
		         PICK(r, male_names), PICK(r, family_names));
}

/* ---- drawing ---- */

struct face {
	FT_Face ft;
	hb_font_t *hb;
};

struct fonts {
	FT_Library lib;
	struct face ar, ar_bold, date, date_bold, latin_bold;
};

static const char *font_path(const char *env, const char *def)
{
	const char *p = getenv(env);
	return p && *p ? p : def;
}

static int face_open(FT_Library lib, const char *path, struct face *f)
{
	if (FT_New_Face(lib, path, 0, &f->ft))
		return KYC_ERR_IO;
	FT_Set_Char_Size(f->ft, 0, 32 * 64, 72, 72);
	f->hb = hb_ft_font_create_referenced(f->ft);
	return f->hb ? 0 : KYC_ERR_NOMEM;
}

static void face_close(struct face *f)
{
	if (f->hb)
		hb_font_destroy(f->hb);
	if (f->ft)
		FT_Done_Face(f->ft);
}

static void fonts_close(struct fonts *F)
{
	face_close(&F->ar);
	face_close(&F->ar_bold);
	face_close(&F->date);
	face_close(&F->date_bold);
	face_close(&F->latin_bold);
	if (F->lib)
		FT_Done_FreeType(F->lib);
}

static int fonts_open(struct fonts *F)
{
	memset(F, 0, sizeof *F);
	int rc = FT_Init_FreeType(&F->lib) ? KYC_ERR_IO : 0;
	if (!rc)
		rc = face_open(F->lib, font_path("KYCD_FONT_ARABIC", ARABIC_PATH), &F->ar);
	if (!rc)
		rc = face_open(F->lib, font_path("KYCD_FONT_ARABIC_BOLD", ARABIC_BOLD_PATH), &F->ar_bold);
	if (!rc)
		rc = face_open(F->lib, font_path("KYCD_FONT_DATE", DATE_PATH), &F->date);
	if (!rc)
		rc = face_open(F->lib, font_path("KYCD_FONT_DATE_BOLD", DATE_BOLD_PATH), &F->date_bold);
	if (!rc)
		rc = face_open(F->lib, font_path("KYCD_FONT_SANS_BOLD", LATIN_BOLD_PATH), &F->latin_bold);
	if (rc)
		fonts_close(F);
	return rc;
}

/* Shapes s at em px (right to left when rtl) and, when im is not NULL, draws
 * it with its baseline at base and its left end at x. Returns the width, px. */
static double shaped(struct kyc_synth_image *im, struct face *f, double em, int rtl, double x,
                     double base, const char *s, const unsigned char ink[3])
{
	FT_Set_Char_Size(f->ft, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
	hb_ft_font_changed(f->hb);
	hb_buffer_t *b = hb_buffer_create();
	hb_buffer_add_utf8(b, s, -1, 0, -1);
	hb_buffer_guess_segment_properties(b);
	hb_buffer_set_direction(b, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	hb_shape(f->hb, b, NULL, 0);
	unsigned n = 0;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &n);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, &n);
	double pen = x;
	for (unsigned i = 0; i < n; i++) {
		if (im) {
			double gx = pen + pos[i].x_offset / 64.0, gy = base - pos[i].y_offset / 64.0;
			double fx = floor(gx), fy = floor(gy);
			FT_Vector d = {(FT_Pos)lround((gx - fx) * 64), -(FT_Pos)lround((gy - fy) * 64)};
			FT_Set_Transform(f->ft, NULL, &d);
			if (!FT_Load_Glyph(f->ft, info[i].codepoint, FT_LOAD_RENDER | FT_LOAD_NO_HINTING) &&
			    f->ft->glyph->bitmap.pixel_mode == FT_PIXEL_MODE_GRAY) {
				FT_GlyphSlot g = f->ft->glyph;
				for (unsigned yy = 0; yy < g->bitmap.rows; yy++)
					for (unsigned xx = 0; xx < g->bitmap.width; xx++) {
						int v = g->bitmap.buffer[(int)yy * g->bitmap.pitch + (int)xx];
						if (v)
							kyc_synth__blend(im, (int)fx + g->bitmap_left + (int)xx,
							      (int)fy - g->bitmap_top + (int)yy, ink, v / 255.0);
					}
			}
			FT_Set_Transform(f->ft, NULL, NULL);
		}
		pen += pos[i].x_advance / 64.0;
	}
	hb_buffer_destroy(b);
	return pen - x;
}

void kyc_synth__arabic_name(uint64_t seed, int index, int male, char *out, size_t cap)
{
	struct kyc_synth__rng rr, *r = &rr;
	kyc_synth__rng_seed(r, seed, 0x5A0000000ULL + (uint64_t)(uint32_t)index);
	const char *given = male ? PICK(r, male_names) : PICK(r, female_names);
	snprintf(out, cap, "%s %s %s", given, PICK(r, male_names), PICK(r, family_names));
}

int kyc_synth__arabic_text(struct kyc_synth_image *im, double em, double right, double base,
                           double maxw, const char *s, const unsigned char ink[3])
{
	FT_Library lib;
	struct face f = {0};
	if (FT_Init_FreeType(&lib))
		return KYC_ERR_IO;
	int rc = face_open(lib, font_path("KYCD_FONT_ARABIC_BOLD", ARABIC_BOLD_PATH), &f);
	if (!rc) {
		double w = shaped(NULL, &f, em, 1, 0, 0, s, ink);
		if (w > maxw && w > 0) {
			em *= maxw / w;
			w = maxw;
		}
		shaped(im, &f, em, 1, right - w, base, s, ink);
	}
	face_close(&f);
	FT_Done_FreeType(lib);
	return rc;
}

/* ASCII digits and '-' of a value as Eastern Arabic digits and '/'. */
static void eastern(const char *ascii, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (const char *p = ascii; *p; p++) {
		unsigned cp = *p >= '0' && *p <= '9' ? 0x660u + (unsigned)(*p - '0') : *p == '-' ? '/' : (unsigned char)*p;
		if (kyc_utf8_put(out, cap, &n, cp))
			break;
	}
}

/* Draws a field's value in its box: right-aligned, shrunk to fit. */
static void draw_field(struct kyc_synth_image *im, struct fonts *F, double u,
                       const struct kyc_card_field *f, const char *value, const unsigned char ink[3])
{
	char buf[256];
	const char *s = value;
	struct face *face = f->bold ? &F->ar_bold : &F->ar;
	int rtl = f->script == KYC_CARD_ARABIC;
	if (f->script == KYC_CARD_EDIGITS || f->script == KYC_CARD_EDATE) {
		/* YYYY-MM-DD is printed YYYY/MM/DD, read left to right. */
		eastern(value, buf, sizeof buf);
		s = buf;
		if (f->script == KYC_CARD_EDATE)
			face = f->bold ? &F->date_bold : &F->date;
	} else if (f->script == KYC_CARD_LATIN) {
		face = &F->latin_bold;
	}
	double em = f->em * u, maxw = (f->right - f->left) * u;
	double w = shaped(NULL, face, em, rtl, 0, 0, s, ink);
	if (w > maxw) {
		em *= maxw / w;
		w = maxw;
	}
	shaped(im, face, em, rtl, f->right * u - w, f->baseline * u, s, ink);
}

static void fill_rect(struct kyc_synth_image *im, double x0, double y0, double x1, double y1,
                      const unsigned char c[3], double a)
{
	for (int y = (int)y0; y < (int)y1; y++)
		for (int x = (int)x0; x < (int)x1; x++)
			kyc_synth__blend(im, x, y, c, a);
}

/* A pastel security print: a diagonal gradient and two families of fine
 * waves, never dark enough to read as ink. */
static void background(struct kyc_synth_image *im, struct kyc_synth__rng *r, int back)
{
	double c0[3] = {206, 226, 222}, c1[3] = {238, 222, 208};
	if (back)
		c0[0] = 214, c0[1] = 222, c0[2] = 232;
	double j = kyc_synth__rng_unif(r, -8, 8);
	for (int y = 0; y < im->h; y++)
		for (int x = 0; x < im->w; x++) {
			double t = (x + 0.6 * y) / (im->w + 0.6 * im->h);
			unsigned char *p = im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
			for (int k = 0; k < 3; k++)
				p[k] = (unsigned char)lround(fmin(255, fmax(0, c0[k] + (c1[k] - c0[k]) * t + j)));
		}
	for (int fam = 0; fam < 2; fam++) {
		unsigned char ink[3] = {(unsigned char)(fam ? 150 : 120), (unsigned char)(fam ? 170 : 160),
		                        (unsigned char)(fam ? 190 : 150)};
		double period = kyc_synth__rng_unif(r, 0.025, 0.05) * im->w;
		double amp = kyc_synth__rng_unif(r, 0.01, 0.03) * im->h, ph = kyc_synth__rng_unif(r, 0, 6.3);
		double step = im->h / 28.0;
		for (double y0 = fam * step / 2; y0 < im->h; y0 += step)
			for (int x = 0; x < im->w; x++) {
				double y = y0 + amp * sin(2 * M_PI * x / period + ph + y0 * 0.05 * (fam ? -1 : 1));
				kyc_synth__blend(im, x, (int)y, ink, 0.25);
			}
	}
}

/* A grey head-and-shoulders silhouette on a pale ground: no one's face. */
static void portrait(struct kyc_synth_image *im, double u, const double box[4])
{
	unsigned char bg[3] = {222, 228, 236}, fg[3] = {128, 132, 140};
	fill_rect(im, box[0] * u, box[1] * u, box[2] * u, box[3] * u, bg, 1);
	double cx = (box[0] + box[2]) / 2 * u, w = (box[2] - box[0]) * u, h = (box[3] - box[1]) * u;
	double hy = box[1] * u + 0.38 * h, hr = 0.22 * w;
	for (int y = (int)(box[1] * u); y < (int)(box[3] * u); y++)
		for (int x = (int)(box[0] * u); x < (int)(box[2] * u); x++) {
			double dx = (x - cx) / hr, dy = (y - hy) / (hr * 1.25);
			double sx = (x - cx) / (0.45 * w), sy = (y - box[3] * u) / (0.3 * h);
			if (dx * dx + dy * dy < 1 || (sy < 0 && sx * sx + sy * sy < 1))
				kyc_synth__blend(im, x, y, fg, 1);
		}
}

/* A golden ring with a filled disc inside: the place of the eagle emblem. */
static void emblem(struct kyc_synth_image *im, double u, const double box[4])
{
	unsigned char gold[3] = {196, 160, 72};
	double cx = (box[0] + box[2]) / 2 * u, cy = (box[1] + box[3]) / 2 * u,
	       rad = (box[2] - box[0]) / 2 * u;
	for (int y = (int)(cy - rad); y <= (int)(cy + rad); y++)
		for (int x = (int)(cx - rad); x <= (int)(cx + rad); x++) {
			double d = hypot(x - cx, y - cy) / rad;
			if (d < 0.55 || (d > 0.8 && d < 1))
				kyc_synth__blend(im, x, y, gold, 0.8);
		}
}

static void barcode(struct kyc_synth_image *im, double u, const double box[4],
                    struct kyc_synth__rng *r)
{
	unsigned char ink[3] = {20, 20, 24};
	for (double x = box[0] * u; x < box[2] * u;) {
		double w = kyc_synth__rng_int(r, 1, 3) * 0.25 * u;
		if (kyc_synth__rng_int(r, 0, 1))
			fill_rect(im, x, box[1] * u, x + w, box[3] * u, ink, 1);
		x += w;
	}
}

static const char *field_value(const struct kyc_egnid_card *c, const char *name)
{
#define F(n)                                                                                       \
	if (!strcmp(name, #n))                                                                     \
		return c->n;
	F(first_name) F(rest_name) F(address1) F(address2) F(national_number) F(birth_date)
	F(serial) F(national_number_back) F(issue_date) F(profession) F(gender) F(religion)
	F(marital_status) F(husband_name) F(expiry_date)
#undef F
	return "";
}

static int draw_side(const struct kyc_card_template *T, enum kyc_card_side side,
                     const struct kyc_egnid_card *c, double u, struct kyc_synth__rng *r,
                     struct kyc_synth_image *out)
{
	struct fonts F;
	int rc = fonts_open(&F);
	if (rc)
		return rc;
	out->w = (int)lround(T->w_mm * u), out->h = (int)lround(T->h_mm * u);
	out->px = malloc((size_t)out->w * (size_t)out->h * 3);
	if (!out->px) {
		fonts_close(&F);
		return KYC_ERR_NOMEM;
	}
	background(out, r, side == KYC_CARD_BACK);
	unsigned char ink[3] = {18, 18, 22};
	if (side == KYC_CARD_FRONT) {
		portrait(out, u, T->portrait);
	} else {
		emblem(out, u, T->emblem);
		barcode(out, u, T->barcode, r);
	}
	for (int i = 0; i < T->nlabels; i++) {
		const struct kyc_card_label *l = &T->labels[i];
		if (l->side != side)
			continue;
		struct face *f = l->bold ? &F.ar_bold : &F.ar;
		double w = shaped(NULL, f, l->em * u, 1, 0, 0, l->text, ink);
		shaped(out, f, l->em * u, 1, l->right * u - w, l->baseline * u, l->text, ink);
	}
	for (int i = 0; i < T->nfields; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		const char *v = field_value(c, f->name);
		if (f->side == side && *v)
			draw_field(out, &F, u, f, v, ink);
	}
	fonts_close(&F);
	return 0;
}

/* kyc_synth__card_draw_fn for an Egyptian card. */
static int draw_egnid(const void *card, enum kyc_card_side side, double u, struct kyc_synth__rng *r,
                      struct kyc_synth_image *doc)
{
	return draw_side(&kyc_card_tpl_eg_nid, side, card, u, r, doc);
}

int kyc_synth_egnid_render_opts(uint64_t seed, int index, int level, enum kyc_card_side side,
                                const struct kyc_egnid_card *card,
                                const struct kyc_synth_card_opts *opts,
                                struct kyc_synth_card_shot *shot, struct kyc_synth_image *img)
{
	return kyc_synth__card_shoot(seed, 0x600000000ULL, index, level, side, &kyc_card_tpl_eg_nid,
	                             draw_egnid, card, opts, shot, img);
}

int kyc_synth_egnid_render(uint64_t seed, int index, int level, enum kyc_card_side side,
                           const struct kyc_egnid_card *card, struct kyc_synth_card_shot *shot,
                           struct kyc_synth_image *img)
{
	return kyc_synth_egnid_render_opts(seed, index, level, side, card, NULL, shot, img);
}

int kyc_synth_egnid_truth_json(const struct kyc_egnid_card *c, uint64_t seed, int index,
                               const struct kyc_synth_card_shot shots[2], const char *files[2],
                               kyc_buf *out)
{
	char first_en[256], rest_en[512];
	kyc_egnid_transliterate(c->first_name, first_en, sizeof first_en);
	kyc_egnid_transliterate(c->rest_name, rest_en, sizeof rest_en);
	json_t *fields = json_object(), *o = json_object();
	json_t *pics = kyc_synth__card_images_json(shots, files);
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	for (int i = 0; i < T->nfields; i++)
		json_object_set_new(fields, T->fields[i].name,
		                    json_string(field_value(c, T->fields[i].name)));
	json_object_set_new(fields, "first_name_en", json_string(first_en));
	json_object_set_new(fields, "rest_name_en", json_string(rest_en));
	json_object_set_new(o, "kind", json_string("eg-nid"));
	json_object_set_new(o, "seed", json_integer((json_int_t)seed));
	json_object_set_new(o, "index", json_integer(index));
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "images", pics);
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (!s)
		return KYC_ERR_NOMEM;
	int rc = kyc_buf_printf(out, "%s\n", s);
	free(s);
	return rc;
}
