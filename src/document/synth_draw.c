/* Draws one document upright at a given resolution: tinted security
 * background with guilloche-like curves, title, portrait placeholder,
 * labelled visual-zone fields and the MRZ in OCR-B on the ICAO grid.
 * All layout is in millimetres and converted once (px = mm * u). */
#include "document/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include "core/err.h"

#define OCRB_PATH "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
#define SANS_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define BOLD_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define MONO_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define OCRB_SHARP_PATH "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
/* Hangul for Korean licences (fonts-nanum): precomposed syllables, no shaping. */
#define HANGUL_PATH "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
#define HANGUL_BOLD_PATH "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"

/* ICAO 9303 MRZ geometry: OCR-B size I (characters about 2.4 mm high) on a
 * 2.54 mm (10 cpi) pitch, the zone centred across the document inside its
 * effective reading zone (17.9 mm high on TD1, 23.2 mm otherwise). Line
 * spacing and the height above the bottom edge vary between issuers; the
 * ranges below bracket the ICAO specimens (about 5.9 mm apart, the last
 * line 4.7 mm up on TD1 and 8-9 mm up on TD3). */
#define MRZ_PITCH_MM 2.54

struct fonts {
	FT_Library lib;
	FT_Face ocrb, sans, bold, sharp; /* sharp: only for the class "print" */
	double ocrb_cap;                 /* cap height / em */
};

struct pen {
	struct kyc_synth_image *img;
	double u; /* pixels per mm */
	unsigned char ink[3];
};

void kyc_synth__doc_size_mm(enum kyc_synth_format f, double *w, double *h)
{
	switch (f) {
	case KYC_SYNTH_TD1:
		*w = 85.6, *h = 54.0;
		break;
	case KYC_SYNTH_TD2:
	case KYC_SYNTH_MRVB:
		*w = 105.0, *h = 74.0;
		break;
	case KYC_SYNTH_MRVA:
		*w = 120.0, *h = 80.0;
		break;
	default:
		*w = 125.0, *h = 88.0;
		break;
	}
}

static const char *font_path(const char *env, const char *def)
{
	const char *p = getenv(env);
	return p && *p ? p : def;
}

static int fonts_open(struct fonts *f)
{
	memset(f, 0, sizeof *f);
	if (FT_Init_FreeType(&f->lib))
		return KYC_ERR_IO;
	if (FT_New_Face(f->lib, font_path("KYCD_FONT_OCRB", OCRB_PATH), 0, &f->ocrb) ||
	    FT_New_Face(f->lib, font_path("KYCD_FONT_SANS", SANS_PATH), 0, &f->sans) ||
	    FT_New_Face(f->lib, font_path("KYCD_FONT_SANS_BOLD", BOLD_PATH), 0, &f->bold))
		return KYC_ERR_IO;
	/* The cap height decides the MRZ font size, so measure it rather than
	 * trust a design constant. */
	FT_Set_Char_Size(f->ocrb, 0, 100 * 64, 72, 72);
	if (FT_Load_Char(f->ocrb, 'H', FT_LOAD_NO_HINTING))
		return KYC_ERR_IO;
	f->ocrb_cap = (double)f->ocrb->glyph->metrics.height / 64.0 / 100.0;
	if (f->ocrb_cap < 0.3 || f->ocrb_cap > 1.2)
		f->ocrb_cap = 0.7;
	return 0;
}

static void fonts_close(struct fonts *f)
{
	if (f->ocrb)
		FT_Done_Face(f->ocrb);
	if (f->sans)
		FT_Done_Face(f->sans);
	if (f->bold)
		FT_Done_Face(f->bold);
	if (f->sharp)
		FT_Done_Face(f->sharp);
	if (f->lib)
		FT_Done_FreeType(f->lib);
}

/* ---- raster primitives (pixels) ---- */

static void blend(struct kyc_synth_image *im, int x, int y, const unsigned char c[3], double a)
{
	if (x < 0 || y < 0 || x >= im->w || y >= im->h || a <= 0)
		return;
	if (a > 1)
		a = 1;
	unsigned char *p = im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
	for (int k = 0; k < 3; k++)
		p[k] = (unsigned char)(p[k] + (c[k] - p[k]) * a + 0.5);
}

void kyc_synth__blend(struct kyc_synth_image *im, int x, int y, const unsigned char c[3], double a)
{
	blend(im, x, y, c, a);
}

/* A dot at a fractional position spread over its four pixels. */
static void splat(struct kyc_synth_image *im, double x, double y, const unsigned char c[3],
                  double a)
{
	int x0 = (int)floor(x), y0 = (int)floor(y);
	double fx = x - x0, fy = y - y0;
	blend(im, x0, y0, c, a * (1 - fx) * (1 - fy));
	blend(im, x0 + 1, y0, c, a * fx * (1 - fy));
	blend(im, x0, y0 + 1, c, a * (1 - fx) * fy);
	blend(im, x0 + 1, y0 + 1, c, a * fx * fy);
}

/* An anti-aliased line of width w px, drawn as a run of dots. */
static void line(struct kyc_synth_image *im, double x0, double y0, double x1, double y1, double w,
                 const unsigned char c[3], double a)
{
	double len = hypot(x1 - x0, y1 - y0);
	int n = (int)(len * 2) + 1;
	for (int i = 0; i <= n; i++) {
		double t = (double)i / n;
		double x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t;
		if (w <= 1.2) {
			splat(im, x, y, c, a * 0.6);
			continue;
		}
		for (double dy = -w / 2; dy <= w / 2; dy += 0.7)
			for (double dx = -w / 2; dx <= w / 2; dx += 0.7)
				if (dx * dx + dy * dy <= w * w / 4)
					splat(im, x + dx, y + dy, c, a * 0.35);
	}
}

static void rect(struct kyc_synth_image *im, double x0, double y0, double x1, double y1,
                 const unsigned char c[3], double a)
{
	for (int y = (int)floor(y0); y < (int)ceil(y1); y++) {
		double cy = fmin(y + 1, y1) - fmax(y, y0);
		for (int x = (int)floor(x0); x < (int)ceil(x1); x++) {
			double cx = fmin(x + 1, x1) - fmax(x, x0);
			blend(im, x, y, c, a * cx * cy);
		}
	}
}

static void ellipse(struct kyc_synth_image *im, double cx, double cy, double rx, double ry,
                    const unsigned char c[3], double a)
{
	double rm = fmin(rx, ry);
	for (int y = (int)floor(cy - ry); y <= (int)ceil(cy + ry); y++) {
		for (int x = (int)floor(cx - rx); x <= (int)ceil(cx + rx); x++) {
			double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
			double d = sqrt(dx * dx + dy * dy);
			double cov = (1 - d) * rm + 0.5;
			if (cov > 0)
				blend(im, x, y, c, a * fmin(cov, 1));
		}
	}
}

/* ---- text ---- */

static unsigned utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned c = p[0];
	int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	if (n)
		c &= 0x3Fu >> n;
	*s += 1;
	for (int i = 0; i < n && (**s & 0xC0) == 0x80; i++, (*s)++)
		c = (c << 6) | (unsigned)(**s & 0x3F);
	return c;
}

/* Width in px of utf8 at em size em (px). */
static double text_width(FT_Face face, double em, const char *s)
{
	FT_Set_Char_Size(face, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
	double w = 0;
	while (*s) {
		unsigned cp = utf8_next(&s);
		if (!FT_Load_Char(face, cp, FT_LOAD_NO_HINTING))
			w += face->glyph->linearHoriAdvance / 65536.0;
	}
	return w;
}

/* Draws utf8 with its baseline at (x, base), px; returns the advance. */
static double text(struct pen *p, FT_Face face, double em, double x, double base, const char *s,
                   double alpha)
{
	FT_Set_Char_Size(face, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
	double pen = x;
	while (*s) {
		unsigned cp = utf8_next(&s);
		double fx = floor(pen), fy = floor(base);
		/* Subpixel placement keeps glyph spacing exact at small sizes. */
		FT_Vector d = {(FT_Pos)lround((pen - fx) * 64), -(FT_Pos)lround((base - fy) * 64)};
		FT_Set_Transform(face, NULL, &d);
		if (FT_Load_Char(face, cp, FT_LOAD_RENDER | FT_LOAD_NO_HINTING))
			continue;
		FT_GlyphSlot g = face->glyph;
		FT_Bitmap *b = &g->bitmap;
		if (b->pixel_mode == FT_PIXEL_MODE_GRAY) {
			for (unsigned r = 0; r < b->rows; r++)
				for (unsigned c = 0; c < b->width; c++) {
					int v = b->buffer[(int)r * b->pitch + (int)c];
					if (v)
						blend(p->img, (int)fx + g->bitmap_left + (int)c,
						      (int)fy - g->bitmap_top + (int)r, p->ink,
						      alpha * v / 255.0);
				}
		}
		pen += g->linearHoriAdvance / 65536.0;
	}
	FT_Set_Transform(face, NULL, NULL);
	return pen - x;
}

/* ---- pieces of the document ---- */

static void guilloche(struct pen *p, struct kyc_synth__rng *r, const unsigned char tint[3])
{
	struct kyc_synth_image *im = p->img;
	double u = p->u;
	/* Two families of phase-shifted waves cross each other, the look of a
	 * security print without any of its precision. */
	for (int fam = 0; fam < 2; fam++) {
		unsigned char c[3];
		for (int k = 0; k < 3; k++)
			c[k] = (unsigned char)(tint[k] * (fam ? 0.82 : 0.88));
		double period = kyc_synth__rng_unif(r, 18, 40) * u;
		double amp = kyc_synth__rng_unif(r, 2, 6) * u;
		double gap = kyc_synth__rng_unif(r, 1.4, 2.6) * u;
		double dph = kyc_synth__rng_unif(r, 0.08, 0.3) * (fam ? -1 : 1);
		int n = (int)(im->h / gap) + 8;
		for (int k = -4; k < n; k++) {
			double y0 = k * gap, ph = k * dph;
			for (double x = 0; x < im->w; x += 0.8) {
				double y = y0 + amp * sin(2 * M_PI * x / period + ph);
				splat(im, x, y, c, 0.55);
			}
		}
	}
	/* A rosette somewhere in the background. */
	double cx = kyc_synth__rng_unif(r, 0.3, 0.8) * im->w,
	       cy = kyc_synth__rng_unif(r, 0.25, 0.6) * im->h;
	double R = kyc_synth__rng_unif(r, 10, 18) * u;
	int lobes = kyc_synth__rng_int(r, 9, 17);
	unsigned char c[3] = {(unsigned char)(tint[0] * 0.8), (unsigned char)(tint[1] * 0.8),
	                      (unsigned char)(tint[2] * 0.85)};
	for (int ring = 0; ring < 7; ring++) {
		double rr = R * (0.45 + ring * 0.09);
		for (double t = 0; t < 2 * M_PI; t += 0.6 / rr) {
			double rad = rr + 0.12 * R * sin(lobes * t + ring * 0.7);
			splat(im, cx + rad * cos(t), cy + rad * sin(t), c, 0.5);
		}
	}
}

static void portrait_shapes(struct pen *p, struct kyc_synth__rng *r, struct kyc_synth_image *im,
                            double x0, double y0, double w, double h)
{
	unsigned char bg[3] = {(unsigned char)kyc_synth__rng_int(r, 200, 230),
	                       (unsigned char)kyc_synth__rng_int(r, 205, 232),
	                       (unsigned char)kyc_synth__rng_int(r, 210, 240)};
	rect(im, x0, y0, x0 + w, y0 + h, bg, 1);
	int g = kyc_synth__rng_int(r, 120, 175);
	unsigned char skin[3] = {(unsigned char)(g + 40), (unsigned char)(g + 20),
	                         (unsigned char)g};
	unsigned char hair[3];
	int hg = kyc_synth__rng_int(r, 30, 120);
	hair[0] = (unsigned char)hg, hair[1] = (unsigned char)(hg * 0.8),
	hair[2] = (unsigned char)(hg * 0.6);
	unsigned char dark[3] = {40, 35, 35}, coat[3];
	int cg = kyc_synth__rng_int(r, 40, 110);
	coat[0] = (unsigned char)cg, coat[1] = (unsigned char)cg,
	coat[2] = (unsigned char)(cg + 20);
	double cx = x0 + w * kyc_synth__rng_unif(r, 0.46, 0.54);
	double hy = y0 + h * 0.42, rx = w * 0.25, ry = h * 0.24;
	ellipse(im, cx, y0 + h * 1.02, w * 0.48, h * 0.3, coat, 1); /* shoulders */
	rect(im, cx - rx * 0.35, hy + ry * 0.7, cx + rx * 0.35, y0 + h * 0.8, skin, 1); /* neck */
	ellipse(im, cx, hy - ry * 0.25, rx * 1.08, ry * 0.9, hair, 1);                  /* hair */
	ellipse(im, cx, hy, rx, ry, skin, 1);                                           /* face */
	ellipse(im, cx - rx * 0.4, hy - ry * 0.1, rx * 0.12, ry * 0.07, dark, 0.9);
	ellipse(im, cx + rx * 0.4, hy - ry * 0.1, rx * 0.12, ry * 0.07, dark, 0.9);
	line(im, cx, hy, cx - rx * 0.08, hy + ry * 0.3, p->u * 0.25, dark, 0.4);
	line(im, cx - rx * 0.3, hy + ry * 0.55, cx + rx * 0.3, hy + ry * 0.55, p->u * 0.35, dark,
	     0.6);
}

/* photo, centred and cut to the frame's shape, resampled into t. */
static void portrait_photo(const struct kyc_synth_image *photo, struct kyc_synth_image *t)
{
	double s = fmin((double)photo->w / t->w, (double)photo->h / t->h);
	double ox = (photo->w - s * t->w) / 2, oy = (photo->h - s * t->h) / 2;
	for (int y = 0; y < t->h; y++)
		for (int x = 0; x < t->w; x++) {
			double v[3];
			kyc_synth__sample(photo, ox + (x + 0.5) * s - 0.5, oy + (y + 0.5) * s - 0.5,
			                  v);
			for (int c = 0; c < 3; c++)
				t->px[((size_t)y * t->w + x) * 3 + c] =
				    (unsigned char)fmin(255, fmax(0, lround(v[c])));
		}
}

/* Draws the face-like placeholder (or the photo given) in its own raster so
 * that no shape spills out of the frame, then copies it in. */
static int portrait(struct pen *p, struct kyc_synth__rng *r, double x0, double y0, double w,
                    double h, const struct kyc_synth_image *photo)
{
	int ix = (int)lround(x0), iy = (int)lround(y0), iw = (int)lround(w), ih = (int)lround(h);
	struct kyc_synth_image t = {iw, ih, malloc((size_t)iw * (size_t)ih * 3 + 1)};
	if (!t.px)
		return KYC_ERR_NOMEM;
	memset(t.px, 0, (size_t)iw * (size_t)ih * 3);
	/* The shapes draw from r either way, so the rest of the page is the same. */
	portrait_shapes(p, r, &t, 0, 0, iw, ih);
	if (photo)
		portrait_photo(photo, &t);
	for (int y = 0; y < ih; y++)
		for (int x = 0; x < iw; x++)
			blend(p->img, ix + x, iy + y,
			      t.px + ((size_t)y * (size_t)iw + (size_t)x) * 3, 1);
	free(t.px);
	return 0;
}

static void signature(struct pen *p, struct kyc_synth__rng *r, double x0, double y0, double w,
                      double h)
{
	unsigned char ink[3] = {20, 30, (unsigned char)kyc_synth__rng_int(r, 60, 140)};
	double px = x0, py = y0 + h / 2, a = 0;
	int n = kyc_synth__rng_int(r, 12, 22);
	for (int i = 0; i < n; i++) {
		a += kyc_synth__rng_unif(r, -2.2, 2.2);
		double nx = x0 + w * (i + 1) / n + cos(a) * w * 0.03;
		double ny = y0 + h / 2 + sin(a) * h * 0.4;
		line(p->img, px, py, nx, ny, p->u * 0.3, ink, 0.8);
		px = nx, py = ny;
	}
}

static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

/* "1974-08-12" as the visual zone prints it, in one of two styles. */
static void viz_date(const char *iso, int style, char *out, size_t n)
{
	int m = (iso[5] - '0') * 10 + (iso[6] - '0');
	if (m < 1 || m > 12)
		m = 1;
	if (style)
		snprintf(out, n, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, n, "%.2s %s %.4s", iso + 8, months[m - 1], iso);
}

struct field {
	const char *label, *value;
	int arabic; /* the value is in Arabic script, shaped right to left */
};

/* The em size (px) for text at em, shrunk so that it fits maxw px. */
static double fit(FT_Face face, double em, const char *s, double maxw)
{
	double w = text_width(face, em, s);
	return w > maxw && w > 0 ? em * maxw / w : em;
}

/* Label over value, at (x, y) mm top-left, each shrunk to fit maxw mm. */
static void labelled(struct pen *p, struct fonts *F, double x, double y, double scale, double maxw,
                     const char *label, const char *value)
{
	double u = p->u;
	double lab = fit(F->sans, 1.55 * scale / 0.73 * u, label, maxw * u) / u;
	double val = fit(F->bold, 2.3 * scale / 0.73 * u, value, maxw * u) / u;
	unsigned char save[3];
	memcpy(save, p->ink, 3);
	unsigned char grey[3] = {(unsigned char)(save[0] + 70), (unsigned char)(save[1] + 70),
	                         (unsigned char)(save[2] + 80)};
	memcpy(p->ink, grey, 3);
	text(p, F->sans, lab * u, x * u, (y + 1.55 * scale) * u, label, 1);
	memcpy(p->ink, save, 3);
	text(p, F->bold, val * u, x * u, (y + (1.55 + 0.9 + 2.3) * scale) * u, value, 1);
}

/* One MRZ character printed as pr says: the outline offset (emboldened or
 * thinned), rendered, and laid down as ink or as a grid of round dots. */
static void mrz_glyph(struct pen *p, FT_Face face, double em, double x, double base, char ch,
                      const struct kyc_synth__print *pr, double cap_px, double alpha)
{
	FT_Set_Char_Size(face, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
	double fx = floor(x), fy = floor(base);
	FT_Vector d = {(FT_Pos)lround((x - fx) * 64), -(FT_Pos)lround((base - fy) * 64)};
	FT_Set_Transform(face, NULL, &d);
	if (FT_Load_Char(face, (unsigned char)ch, FT_LOAD_NO_HINTING) ||
	    face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
		goto out;
	FT_Outline_Embolden(&face->glyph->outline, (FT_Pos)lround(pr->embolden * cap_px * 64));
	if (FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL))
		goto out;
	FT_GlyphSlot g = face->glyph;
	FT_Bitmap *b = &g->bitmap;
	double dot = cap_px / 7; /* a 7-dot-high matrix */
	for (unsigned rr = 0; rr < b->rows; rr++)
		for (unsigned c = 0; c < b->width; c++) {
			double v = b->buffer[(int)rr * b->pitch + (int)c] / 255.0;
			int px = (int)fx + g->bitmap_left + (int)c,
			    py = (int)fy - g->bitmap_top + (int)rr;
			if (pr->dots && v > 0) {
				double ux = fmod(px + 0.5, dot) / dot - 0.5,
				       uy = fmod(py + 0.5, dot) / dot - 0.5;
				v = v > 0.3 && ux * ux + uy * uy < 0.2 ? 1 : 0;
			}
			if (v > 0)
				blend(p->img, px, py, p->ink, alpha * v);
		}
out:
	FT_Set_Transform(face, NULL, NULL);
}

int kyc_synth__draw_document(const struct kyc_synth_identity *id, double u,
                             struct kyc_synth__rng *r, struct kyc_synth_image *out,
                             double mrz_box[4][4])
{
	return kyc_synth__draw_document_printed(id, u, r, NULL, NULL, out, mrz_box);
}

int kyc_synth__draw_document_printed(const struct kyc_synth_identity *id, double u,
                                     struct kyc_synth__rng *r, const struct kyc_synth__print *pr,
                                     const struct kyc_synth_image *photo,
                                     struct kyc_synth_image *out, double mrz_box[4][4])
{
	struct fonts F;
	double wmm, hmm;
	int rc = fonts_open(&F);
	memset(out, 0, sizeof *out);
	if (rc)
		goto out;
	kyc_synth__doc_size_mm(id->format, &wmm, &hmm);
	out->w = (int)lround(wmm * u);
	out->h = (int)lround(hmm * u);
	out->px = malloc((size_t)out->w * (size_t)out->h * 3);
	if (!out->px) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	struct pen P = {out, u, {0, 0, 0}}, *p = &P;

	/* Pastel paper tint. */
	unsigned char tint[3];
	int hue = kyc_synth__rng_int(r, 0, 4);
	static const unsigned char tints[5][3] = {
	    {232, 238, 222}, {226, 234, 242}, {242, 232, 226}, {236, 230, 242}, {240, 238, 222}};
	for (int k = 0; k < 3; k++)
		tint[k] = (unsigned char)(tints[hue][k] + kyc_synth__rng_int(r, -6, 6));
	for (size_t i = 0; i < (size_t)out->w * (size_t)out->h; i++)
		memcpy(out->px + i * 3, tint, 3);
	guilloche(p, r, tint);

	int td1 = id->format == KYC_SYNTH_TD1;
	int visa = id->format == KYC_SYNTH_MRVA || id->format == KYC_SYNTH_MRVB;
	double mrz_zone = td1 ? 17.9 : 23.2;
	double s = td1                                                             ? 0.8
	           : (id->format == KYC_SYNTH_TD3 || id->format == KYC_SYNTH_MRVA) ? 1.0
	                                                                           : 0.9;
	double margin = 4.0 * s;

	/* Header: title and a coloured strip. */
	unsigned char strip[3] = {(unsigned char)(tint[0] * 0.7), (unsigned char)(tint[1] * 0.75),
	                          (unsigned char)(tint[2] * 0.85)};
	rect(out, 0, 0, out->w, 9.5 * s * u, strip, 0.35);
	p->ink[0] = 25, p->ink[1] = 35, p->ink[2] = 70;
	const char *title = id->format == KYC_SYNTH_TD3   ? "PASSPORT / PASSEPORT"
	                    : visa                        ? "VISA"
	                    : id->format == KYC_SYNTH_TD2 ? "IDENTITY CARD / CARTE D'IDENTITÉ"
	                                                  : "IDENTITY CARD";
	char hdr[64];
	snprintf(hdr, sizeof hdr, "%s  %s", id->f.document_code, id->f.issuing_country);
	double hw = text_width(F.sans, 2.4 * s / 0.73 * u, hdr);
	text(p, F.sans, 2.4 * s / 0.73 * u, (wmm - margin) * u - hw, 6.3 * s * u, hdr, 1);
	double tw = (wmm - 2 * margin - 4) * u - hw;
	text(p, F.bold, fit(F.bold, 3.4 * s / 0.73 * u, title, tw), margin * u, 6.6 * s * u, title,
	     1);

	/* Portrait and signature. */
	double top = 11.5 * s, viz_h = hmm - mrz_zone - top - 1.0;
	double ph = viz_h * (td1 ? 0.98 : 0.82), pw = ph * 0.78;
	rc = portrait(p, r, margin * u, top * u, pw * u, ph * u, photo);
	if (rc)
		goto out;
	if (!td1)
		signature(p, r, margin * u, (top + ph + 0.5) * u, pw * u, (viz_h - ph - 0.5) * u);

	/* Fields: two columns right of the portrait. */
	char dob[24], exp[24], iss[24];
	int style = kyc_synth__rng_int(r, 0, 1);
	viz_date(id->f.birth_date, style, dob, sizeof dob);
	viz_date(id->f.expiry_date, style, exp, sizeof exp);
	viz_date(id->issue_date, style, iss, sizeof iss);
	const char *sex = id->f.sex;
	struct field fl[12];
	int nf = 0;
	fl[nf++] = (struct field){"Surname / Nom", id->viz_surname};
	fl[nf++] = (struct field){"Given names / Prénoms", id->viz_given_names};
	/* the name in the issuer's script, on a row of its own like the
	 * Latin names */
	int names = 2;
	if (id->native_name[0]) {
		fl[nf++] = (struct field){"Name in Arabic", id->native_name, 1};
		names = 3;
	}
	if (td1) {
		fl[nf++] = (struct field){"Nationality", id->f.nationality};
		fl[nf++] = (struct field){"Date of birth", dob};
		fl[nf++] = (struct field){"Sex", sex};
		fl[nf++] = (struct field){"Document no.", id->f.document_number};
		fl[nf++] = (struct field){"Date of expiry", exp};
	} else {
		fl[nf++] = (struct field){"Nationality / Nationalité", id->f.nationality};
		fl[nf++] = (struct field){"Date of birth / Date de naissance", dob};
		fl[nf++] = (struct field){"Sex / Sexe", sex};
		fl[nf++] = (struct field){"Place of birth", id->birth_place};
		fl[nf++] = (struct field){visa ? "Valid from" : "Date of issue", iss};
		fl[nf++] = (struct field){visa ? "Until" : "Date of expiry", exp};
		fl[nf++] =
		    (struct field){visa ? "Visa no." : "Document no.", id->f.document_number};
		fl[nf++] = (struct field){"Authority",
		                          visa ? "CONSULATE GENERAL" : "MINISTRY OF INTERIOR"};
	}
	double fx = margin + pw + 4.0 * s, row = 6.0 * s;
	int rows = (int)(viz_h / row);
	if (rows < 1)
		rows = 1;
	double colw = (wmm - fx - margin) / 2;
	p->ink[0] = 15, p->ink[1] = 15, p->ink[2] = 25;
	int per_col = rows - names > 0 ? rows - names : 1;
	for (int i = 0; i < nf; i++) {
		int col = i < names ? 0 : (i - names) / per_col;
		int rw = i < names ? i : names + (i - names) % per_col;
		if (col > 1)
			break;
		/* The name rows may use both columns. */
		double x = fx + col * colw, y = top + rw * row;
		double maxw = (i < names ? 2 * colw : colw) - 1.5;
		labelled(p, &F, x, y, s, maxw, fl[i].label, fl[i].arabic ? "" : fl[i].value);
		if (fl[i].arabic &&
		    (rc = kyc_synth__arabic_text(out, 2.6 * s / 0.73 * u, (x + maxw) * u,
		                                 (y + (1.55 + 0.9 + 2.3) * s) * u, maxw * u,
		                                 fl[i].value, p->ink)))
			goto out;
	}

	/* The MRZ: each character centred in its 2.54 mm cell, with a little
	 * variation of ink from character to character, as printers leave. */
	double cap_mm = kyc_synth__rng_unif(r, 2.3, 2.5);
	double line_mm = td1 ? kyc_synth__rng_unif(r, 5.3, 5.9) : kyc_synth__rng_unif(r, 5.0, 5.9);
	double last_centre =
	    hmm - (td1 ? kyc_synth__rng_unif(r, 4.2, 5.0) : kyc_synth__rng_unif(r, 6.0, 8.5));
	double cap_px = cap_mm * u, em = cap_px / F.ocrb_cap;
	double pitch = MRZ_PITCH_MM * u;
	double x0 = (wmm - id->line_len * MRZ_PITCH_MM) / 2 * u;
	int g = kyc_synth__rng_int(r, 10, 40);
	p->ink[0] = (unsigned char)g, p->ink[1] = (unsigned char)g,
	p->ink[2] = (unsigned char)(g + 8);
	FT_Face mrz_face = F.ocrb;
	struct kyc_synth__rng jr;
	if (pr) {
		p->ink[0] = p->ink[1] = (unsigned char)pr->ink,
		p->ink[2] = (unsigned char)(pr->ink + 8);
		kyc_synth__rng_seed(&jr, pr->seed, 0x9a1);
		if (pr->sharp &&
		    !FT_New_Face(F.lib, font_path("KYCD_FONT_OCRB_SHARP", OCRB_SHARP_PATH), 0,
		                 &F.sharp))
			mrz_face = F.sharp;
	}
	FT_Set_Char_Size(mrz_face, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
	for (int l = 0; l < id->nlines; l++) {
		double centre = last_centre - (id->nlines - 1 - l) * line_mm;
		double base = (centre + cap_mm / 2) * u;
		for (int i = 0; i < id->line_len; i++) {
			char ch[2] = {id->lines[l][i], 0};
			double adv = 0;
			FT_Set_Char_Size(mrz_face, 0, (FT_F26Dot6)lround(em * 64), 72, 72);
			if (!FT_Load_Char(mrz_face, (unsigned char)ch[0], FT_LOAD_NO_HINTING))
				adv = mrz_face->glyph->linearHoriAdvance / 65536.0;
			double x = x0 + i * pitch + (pitch - adv) / 2;
			double alpha = kyc_synth__rng_unif(r, 0.82, 1.0);
			if (!pr) {
				text(p, F.ocrb, em, x, base, ch, alpha);
				continue;
			}
			double jx = kyc_synth__rng_unif(&jr, -1, 1) * pr->jitter * pitch;
			double jy = kyc_synth__rng_unif(&jr, -1, 1) * pr->jitter * pitch;
			mrz_glyph(p, mrz_face, em, x + jx, base + jy, ch[0], pr, cap_px, alpha);
		}
	}
	/* [0] the zone, [1 + l] line l: the cells' left and right, cap height. */
	memset(mrz_box, 0, sizeof(double) * 16);
	for (int l = 0; l < id->nlines; l++) {
		double centre = last_centre - (id->nlines - 1 - l) * line_mm;
		mrz_box[1 + l][0] = x0;
		mrz_box[1 + l][1] = (centre - cap_mm / 2) * u;
		mrz_box[1 + l][2] = x0 + id->line_len * pitch;
		mrz_box[1 + l][3] = (centre + cap_mm / 2) * u;
	}
	mrz_box[0][0] = x0;
	mrz_box[0][1] = mrz_box[1][1];
	mrz_box[0][2] = x0 + id->line_len * pitch;
	mrz_box[0][3] = mrz_box[id->nlines][3];
	rc = 0;
out:
	fonts_close(&F);
	if (rc) {
		free(out->px);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

/* ---- helpers for the classes and the no-MRZ scenes ---- */

int kyc_synth__portrait(struct kyc_synth_image *img, struct kyc_synth__rng *r, double u, double x0,
                        double y0, double w, double h)
{
	struct pen P = {img, u, {0, 0, 0}};
	return portrait(&P, r, x0, y0, w, h, NULL);
}

int kyc_synth__text_mask(int font, double em, const char *s, int pad, struct kyc_synth__mask *m)
{
	static const char *const env[] = {"KYCD_FONT_SANS",   "KYCD_FONT_SANS_BOLD",
	                                  "KYCD_FONT_OCRB",   "KYCD_FONT_MONO",
	                                  "KYCD_FONT_HANGUL", "KYCD_FONT_HANGUL_BOLD"};
	static const char *const def[] = {SANS_PATH, BOLD_PATH,   OCRB_PATH,
	                                  MONO_PATH, HANGUL_PATH, HANGUL_BOLD_PATH};
	FT_Library lib = NULL;
	FT_Face face = NULL;
	int rc = KYC_ERR_IO;
	memset(m, 0, sizeof *m);
	if (font < 0 || font > 5 || em < 1 || FT_Init_FreeType(&lib))
		return KYC_ERR_IO;
	if (FT_New_Face(lib, font_path(env[font], def[font]), 0, &face))
		goto out;
	/* Size the mask from the widest line and the line count. */
	double maxw = 0;
	int nlines = 1;
	char line[512];
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		snprintf(line, sizeof line, "%.*s",
		         (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		maxw = fmax(maxw, text_width(face, em, line));
		p += n;
		if (*p == '\n')
			p++, nlines += *p != 0;
	}
	m->w = (int)ceil(maxw) + 2 * pad + 2;
	m->h = (int)ceil(em * (1.25 * (nlines - 1) + 1.2)) + 2 * pad;
	struct kyc_synth_image im = {m->w, m->h, calloc((size_t)m->w * (size_t)m->h, 3)};
	if (!im.px) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* Drawn white on black through the ordinary text path, then one channel kept. */
	struct pen P = {&im, 1, {255, 255, 255}};
	double base = pad + em * 0.92;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		snprintf(line, sizeof line, "%.*s",
		         (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		text(&P, face, em, pad + 1, base, line, 1);
		base += 1.25 * em;
		p += n;
		if (*p == '\n')
			p++;
	}
	m->px = malloc((size_t)m->w * (size_t)m->h);
	if (!m->px) {
		free(im.px);
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < (size_t)m->w * (size_t)m->h; i++)
		m->px[i] = im.px[i * 3];
	free(im.px);
	rc = 0;
out:
	if (face)
		FT_Done_Face(face);
	FT_Done_FreeType(lib);
	if (rc)
		memset(m, 0, sizeof *m);
	return rc;
}

void kyc_synth__blit_mask(struct kyc_synth_image *img, const struct kyc_synth__mask *m, int x,
                          int y, const unsigned char rgb[3], double alpha)
{
	for (int j = 0; j < m->h; j++)
		for (int i = 0; i < m->w; i++) {
			int v = m->px[(size_t)j * (size_t)m->w + (size_t)i];
			if (v)
				blend(img, x + i, y + j, rgb, alpha * v / 255.0);
		}
}
