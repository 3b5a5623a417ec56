/* OCR-B classifier: argument checks, the shape of the answer, and accuracy on
 * cells rendered here from the OCR-B font by a renderer of this test's own
 * (FreeType's hinted-off rasteriser, its own placement and noise, a seed the
 * trainer never used), so the figures measure generalisation, not recall of
 * the training images. The thresholds sit below what docs/ocr.md reports. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "core/err.h"
#include "document/ocr.h"
#include "test.h"

#define FONT_DEFAULT "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
#define CELL_MAX 160

static FT_Library lib;
static FT_Face face;
static uint64_t rng = 0x0c7e57a11ULL; /* not a training seed */

static double unif(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

struct cellspec {
	double cap;        /* cap height in pixels */
	double angle;      /* degrees */
	double jx, jy;     /* centring error, fraction of the pitch / cap height */
	double blur;       /* 0: none, else 3x3 box passes */
	double noise;      /* gray levels, uniform +- */
	int neighbours;    /* draw the characters left and right */
	int paper, ink;
	int line;          /* cut as kyc_ocr_classify_at sees it: the window in its line */
	int smear;         /* horizontal camera shake: a box this many px long along the line */
	int dots;          /* dot-matrix print: ink kept inside a 7-dot-per-cap lattice */
	double wash;       /* a white overlay band across the cell, this opaque */
	double guill;      /* two crossing families of wavy lines this dark behind the ink */
};

/* OCR-B: advance 0.6 em, capitals about 0.7 em. */
static double pitch_of(double cap)
{
	return cap / 0.70 * 0.6;
}

/* Draws ch with its pen origin at (px, baseline) in pixels into a float ink
 * cell (max compositing), turned by angle degrees about the glyph's centre
 * (half the pitch across, half the capital height up). */
static int draw_glyph(float *cell, int w, int h, char ch, double px, double baseline, double angle,
		      double pitch, double cap)
{
	FT_Matrix m;
	double a = angle * 3.14159265358979 / 180.0, ca = cos(a), sa = sin(a);
	m.xx = (FT_Fixed)lround(ca * 65536);
	m.xy = (FT_Fixed)lround(-sa * 65536);
	m.yx = (FT_Fixed)lround(sa * 65536);
	m.yy = (FT_Fixed)lround(ca * 65536);
	/* Sub-pixel placement and the turn's centre through the transform's
	 * delta; the integer part of the position moves the bitmap. */
	double fx = floor(px), fy = floor(baseline);
	double cx = pitch / 2, cy = cap / 2;
	double dx = (px - fx) + cx - (ca * cx - sa * cy);
	double dy = -(baseline - fy) + cy - (sa * cx + ca * cy);
	FT_Vector d = {(FT_Pos)lround(dx * 64), (FT_Pos)lround(dy * 64)};
	FT_Set_Transform(face, &m, &d);
	if (FT_Load_Char(face, (FT_ULong)(unsigned char)ch, FT_LOAD_RENDER | FT_LOAD_NO_HINTING))
		return -1;
	FT_GlyphSlot g = face->glyph;
	int ox = (int)fx + g->bitmap_left, oy = (int)fy - g->bitmap_top;
	for (unsigned r = 0; r < g->bitmap.rows; r++)
		for (unsigned c = 0; c < g->bitmap.width; c++) {
			int x = ox + (int)c, y = oy + (int)r;
			if (x < 0 || y < 0 || x >= w || y >= h)
				continue;
			float v = g->bitmap.buffer[r * (unsigned)g->bitmap.pitch + c] / 255.0f;
			if (v > cell[y * w + x])
				cell[y * w + x] = v;
		}
	return 0;
}

/* Renders one cell the way a reader might crop it: one pitch wide, a third
 * taller than the capitals, centred with the given error. */
static int render(char ch, const struct cellspec *sp, unsigned char *px, int *w, int *h)
{
	double em = sp->cap / 0.70, pitch = pitch_of(sp->cap);
	if (FT_Set_Pixel_Sizes(face, 0, (FT_UInt)lround(em)))
		return -1;
	/* in its line: the window and the neighbours beyond it */
	*w = (int)lround(pitch * (sp->line ? 2 * KYC_OCR_WIN_HALF + 0.4 : 1.1));
	if (*w > CELL_MAX)
		*w = CELL_MAX;
	*h = (int)lround(sp->cap * 1.35);
	if (*w < 5)
		*w = 5;
	static float cell[CELL_MAX * CELL_MAX];
	memset(cell, 0, sizeof(float) * (size_t)(*w * *h));
	double penx = (*w - pitch) / 2 + sp->jx * pitch;
	double base = (*h + sp->cap) / 2 + sp->jy * sp->cap;
	if (draw_glyph(cell, *w, *h, ch, penx, base, sp->angle, pitch, sp->cap))
		return -1;
	if (sp->neighbours) {
		const char *pool = KYC_OCR_CLASSES;
		char l = unif() < 0.4 ? '<' : pool[(int)(unif() * 36)];
		char r = unif() < 0.4 ? '<' : pool[(int)(unif() * 36)];
		if (draw_glyph(cell, *w, *h, l, penx - pitch, base, sp->angle, pitch, sp->cap) ||
		    draw_glyph(cell, *w, *h, r, penx + pitch, base, sp->angle, pitch, sp->cap))
			return -1;
		if (sp->line) {
			char l2 = unif() < 0.4 ? '<' : pool[(int)(unif() * 36)];
			char r2 = unif() < 0.4 ? '<' : pool[(int)(unif() * 36)];
			if (draw_glyph(cell, *w, *h, l2, penx - 2 * pitch, base, sp->angle, pitch,
				       sp->cap) ||
			    draw_glyph(cell, *w, *h, r2, penx + 2 * pitch, base, sp->angle, pitch,
				       sp->cap))
				return -1;
		}
	}
	if (sp->dots) {
		/* As a 9-pin printer puts it (and kycd synth's print class): the
		 * glyph's coverage kept inside round dots, those on an edge cut. */
		double dp = sp->cap / 7, ox = unif() * dp, oy = unif() * dp;
		for (int y = 0; y < *h; y++)
			for (int x = 0; x < *w; x++) {
				double u = (x + 0.5 - ox) / dp - floor((x + 0.5 - ox) / dp) - 0.5;
				double v = (y + 0.5 - oy) / dp - floor((y + 0.5 - oy) / dp) - 0.5;
				float *c = &cell[y * *w + x];
				*c = *c > 0.3f && u * u + v * v < 0.2 ? 1 : 0;
			}
	}
	if (sp->smear > 1) {
		static float tmp[CELL_MAX];
		for (int y = 0; y < *h; y++) {
			float *row = cell + y * *w;
			for (int x = 0; x < *w; x++) {
				float s = 0;
				for (int k = 0; k < sp->smear; k++) {
					int xx = x - sp->smear / 2 + k;
					s += row[xx < 0 ? 0 : xx >= *w ? *w - 1 : xx];
				}
				tmp[x] = s / (float)sp->smear;
			}
			memcpy(row, tmp, sizeof(float) * (size_t)*w);
		}
	}
	for (int pass = 0; pass < (int)sp->blur; pass++) {
		static float tmp[CELL_MAX * CELL_MAX];
		for (int y = 0; y < *h; y++)
			for (int x = 0; x < *w; x++) {
				float s = 0;
				int n = 0;
				for (int dy = -1; dy <= 1; dy++)
					for (int dx = -1; dx <= 1; dx++) {
						int xx = x + dx, yy = y + dy;
						if (xx >= 0 && yy >= 0 && xx < *w && yy < *h) {
							s += cell[yy * *w + xx];
							n++;
						}
					}
				tmp[y * *w + x] = s / (float)n;
			}
		memcpy(cell, tmp, sizeof(float) * (size_t)(*w * *h));
	}
	/* The overlay: a band a third to two thirds of a cap wide at any angle
	 * (a stroke of a stock photo's big letters); the guilloche: lines
	 * 0.25-0.45 cap apart, the second family's wave mirrored. */
	double bc = 0, bs = 0, boff = 0, bw = 0, gap = 1, amp = 0, lam = 1, ph = 0;
	if (sp->wash > 0) { /* drawn only here: other cases keep their random stream */
		double ba = unif() * 3.14159265;
		bc = cos(ba), bs = sin(ba);
		boff = (unif() - 0.5) * sp->cap, bw = sp->cap * (0.33 + 0.33 * unif());
	}
	if (sp->guill > 0) {
		gap = sp->cap * (0.25 + 0.2 * unif()), amp = sp->cap * 0.4 * unif();
		lam = sp->cap * (2 + 3 * unif()), ph = unif() * 6.283;
	}
	for (int i = 0; i < *w * *h; i++) {
		int x = i % *w, y = i / *w;
		double paper = sp->paper;
		if (sp->guill > 0)
			for (int f = -1; f <= 1; f += 2) {
				double t = (y + f * amp * sin(6.283 * x / lam + ph)) / gap;
				double d = fabs(t - floor(t + 0.5)) * gap;
				paper -= sp->guill * fmax(0, 1 - d / fmax(0.6, 0.08 * sp->cap));
			}
		double v = paper + (sp->ink - paper) * cell[i] + (unif() * 2 - 1) * sp->noise;
		double dist = (x - *w / 2.0) * bc + (y - *h / 2.0) * bs - boff;
		if (sp->wash > 0 && fabs(dist) < bw / 2)
			v += (255 - v) * sp->wash;
		px[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
	}
	return 0;
}

static int have_font(void)
{
	static int state = -1;
	if (state >= 0)
		return state;
	const char *path = getenv("KYCD_OCRB_FONT");
	if (!path)
		path = FONT_DEFAULT;
	state = !FT_Init_FreeType(&lib) && !FT_New_Face(lib, path, 0, &face);
	if (!state)
		printf("ocr_test: OCR-B font %s not found; accuracy cases skipped\n", path);
	return state;
}

/* Class c drawn as base with a random size in [cap_lo, cap_hi], turn within
 * +-angle degrees and centring error within +-jitter; *sp the spec drawn. */
static int random_cell(const struct cellspec *base, double cap_lo, double cap_hi, double angle,
		       double jitter, int c, struct cellspec *sp, unsigned char *px, int *w, int *h)
{
	*sp = *base;
	sp->cap = cap_lo * pow(cap_hi / cap_lo, unif());
	sp->angle = (unif() * 2 - 1) * angle;
	sp->jx = (unif() * 2 - 1) * jitter;
	sp->jy = (unif() * 2 - 1) * jitter;
	return render(KYC_OCR_CLASSES[c], sp, px, w, h);
}

/* Draws reps random cells of every class (random_cell) and hands each drawn
 * one to read with its class index c. */
typedef void read_cell_fn(const unsigned char *px, int w, int h, const struct cellspec *sp,
			  int c, void *ctx);
static void each_random_cell(const struct cellspec *base, double cap_lo, double cap_hi,
			     double angle, double jitter, int reps, read_cell_fn *read, void *ctx)
{
	unsigned char px[CELL_MAX * CELL_MAX];
	for (int rep = 0; rep < reps; rep++)
		for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
			struct cellspec sp;
			int w, h;
			if (!random_cell(base, cap_lo, cap_hi, angle, jitter, c, &sp, px, &w, &h))
				read(px, w, h, &sp, c, ctx);
		}
}

struct top2_count {
	int n, r1, r2;
};

static void read_top2(const unsigned char *px, int w, int h, const struct cellspec *sp, int c,
		      void *ctx)
{
	struct top2_count *t = ctx;
	struct kyc_ocr_guess g[2];
	int ng = sp->line ? kyc_ocr_classify_at(px, w, h, w, w * 0.5, pitch_of(sp->cap), 0, h - 1,
						  g, 2)
			  : kyc_ocr_classify(px, w, h, w, g, 2);
	if (ng != 2)
		return;
	t->n++;
	if (g[0].ch != KYC_OCR_CLASSES[c] && t->n - t->r1 <= 8)
		printf("    %c read as %c (%.2f; then %c %.2f), cap %.1f px\n", KYC_OCR_CLASSES[c],
		       g[0].ch, (double)g[0].score, g[1].ch, (double)g[1].score, sp->cap);
	t->r1 += g[0].ch == KYC_OCR_CLASSES[c];
	t->r2 += g[0].ch == KYC_OCR_CLASSES[c] || g[1].ch == KYC_OCR_CLASSES[c];
}

/* Fraction of cells read right (top-1, and within the top 2). */
static void accuracy(const struct cellspec *base, double cap_lo, double cap_hi, double angle,
		     double jitter, int reps, double *top1, double *top2)
{
	struct top2_count t = {0};
	each_random_cell(base, cap_lo, cap_hi, angle, jitter, reps, read_top2, &t);
	*top1 = t.n ? (double)t.r1 / KYC_OCR_NCLASSES / reps : 0;
	*top2 = t.n ? (double)t.r2 / KYC_OCR_NCLASSES / reps : 0;
}

TEST(rejects_bad_arguments)
{
	unsigned char px[20 * 30];
	memset(px, 255, sizeof px);
	struct kyc_ocr_guess g[4];
	CHECK_INT(kyc_ocr_classify(NULL, 20, 30, 20, g, 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 20, 30, 20, NULL, 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 20, 30, 20, g, 0), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 20, 30, 20, g, 5), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 20, 30, 19, g, 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 0, 30, 20, g, 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, 20, -1, 20, g, 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify(px, KYC_OCR_MAX_SIDE + 1, 1, KYC_OCR_MAX_SIDE + 1, g, 1),
		  KYC_ERR_INVALID);
	float f[KYC_OCR_NIN];
	CHECK_INT(kyc_ocr_features(px, 20, 30, 20, NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_features(px, 20, 30, 20, f), 0);
	/* A blank cell is not an error: the caller decides what it means. */
	CHECK_INT(kyc_ocr_classify(px, 20, 30, 20, g, 3), 3);
	/* In a line: the cell must lie in the image and fit the crop limits. */
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, 0, 29, g, 2), 2);
	CHECK_INT(kyc_ocr_classify_at(NULL, 20, 30, 20, 10, 9, 0, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, 0, 29, NULL, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, 0, 30, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, -1, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, 5, 6, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 0, 0, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, NAN, 0, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 40, 9, 0, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_at(px, 20, 30, 20, 10, 9, 0, 29, g, 5), KYC_ERR_INVALID);
	float fc[KYC_OCR_NIN_CTX];
	CHECK_INT(kyc_ocr_features_at(px, 20, 30, 20, 10, 9, 0, 29, fc), 0);
}

TEST(guesses_sorted_distinct_and_calibrated)
{
	if (!have_font())
		return;
	unsigned char px[CELL_MAX * CELL_MAX];
	struct cellspec sp = {.cap = 18, .paper = 230, .ink = 30, .blur = 1, .noise = 6};
	for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
		int w, h;
		REQUIRE(render(KYC_OCR_CLASSES[c], &sp, px, &w, &h) == 0);
		struct kyc_ocr_guess g[4];
		REQUIRE(kyc_ocr_classify(px, w, h, w, g, 4) == 4);
		float sum = 0;
		for (int i = 0; i < 4; i++) {
			CHECK(g[i].ch != 0 && strchr(KYC_OCR_CLASSES, g[i].ch) != NULL);
			CHECK(g[i].score >= 0 && g[i].score <= 1);
			if (i > 0)
				CHECK(g[i].score <= g[i - 1].score);
			for (int j = 0; j < i; j++)
				CHECK(g[i].ch != g[j].ch);
			sum += g[i].score;
		}
		CHECK(sum <= 1.0001f);
		/* Fewer guesses are the same prefix. */
		struct kyc_ocr_guess one;
		CHECK_INT(kyc_ocr_classify(px, w, h, w, &one, 1), 1);
		CHECK(one.ch == g[0].ch && fabsf(one.score - g[0].score) < 1e-6f);
	}
}

TEST(stride_is_honoured)
{
	if (!have_font())
		return;
	unsigned char px[CELL_MAX * CELL_MAX], wide[CELL_MAX * (CELL_MAX + 7)];
	struct cellspec sp = {.cap = 22, .paper = 220, .ink = 40, .neighbours = 1};
	int w, h;
	REQUIRE(render('K', &sp, px, &w, &h) == 0);
	int stride = w + 7;
	memset(wide, 0, sizeof wide); /* black padding must not be read */
	for (int y = 0; y < h; y++)
		memcpy(wide + y * stride, px + y * w, (size_t)w);
	struct kyc_ocr_guess a[2], b[2];
	REQUIRE(kyc_ocr_classify(px, w, h, w, a, 2) == 2);
	REQUIRE(kyc_ocr_classify(wide, w, h, stride, b, 2) == 2);
	CHECK(a[0].ch == b[0].ch && a[0].score == b[0].score && a[1].ch == b[1].ch);
}

TEST(clean_cells)
{
	if (!have_font())
		return;
	struct cellspec sp = {.paper = 235, .ink = 25};
	double t1, t2;
	accuracy(&sp, 12, 48, 1.0, 0.05, 20, &t1, &t2);
	printf("  clean cells: top-1 %.2f%%, top-2 %.2f%%\n", t1 * 100, t2 * 100);
	CHECK(t1 >= 0.99);
	CHECK(t2 >= 0.997);
}

TEST(degraded_cells)
{
	if (!have_font())
		return;
	struct cellspec sp = {.paper = 200, .ink = 70, .blur = 1, .noise = 14, .neighbours = 1};
	double t1, t2;
	accuracy(&sp, 9, 30, 3.0, 0.10, 20, &t1, &t2);
	printf("  degraded cells: top-1 %.2f%%, top-2 %.2f%%\n", t1 * 100, t2 * 100);
	CHECK(t1 >= 0.97);
	CHECK(t2 >= 0.985);
}

TEST(cells_in_their_line)
{
	if (!have_font())
		return;
	/* The same degraded print, read by the reader's call: the cell at the
	 * line's pitch with its neighbours in the window. */
	struct cellspec sp = {.paper = 200, .ink = 70, .blur = 1, .noise = 14, .neighbours = 1,
			      .line = 1};
	double t1, t2;
	accuracy(&sp, 9, 30, 3.0, 0.10, 20, &t1, &t2);
	printf("  degraded cells in their line: top-1 %.2f%%, top-2 %.2f%%\n", t1 * 100,
	       t2 * 100);
	CHECK(t1 >= 0.97);
	CHECK(t2 >= 0.985);
}

TEST(line_smeared_by_shake)
{
	if (!have_font())
		return;
	/* Camera shake along the line by a third of a pitch at 20 px capitals:
	 * every glyph runs into its neighbours. */
	struct cellspec sp = {.paper = 210, .ink = 50, .blur = 1, .noise = 6, .neighbours = 1,
			      .line = 1, .smear = 6};
	double t1, t2;
	accuracy(&sp, 18, 22, 1.0, 0.06, 10, &t1, &t2);
	printf("  shaken line: top-1 %.2f%%, top-2 %.2f%%\n", t1 * 100, t2 * 100);
	CHECK(t1 >= 0.90);
	CHECK(t2 >= 0.95);
}

TEST(tiny_blurred_cells)
{
	if (!have_font())
		return;
	/* 7-10 px capitals, twice box-blurred: the low end of what a phone
	 * photo of a passport gives after rectification. */
	struct cellspec sp = {.paper = 210, .ink = 50, .blur = 2, .noise = 8, .neighbours = 1};
	double t1, t2;
	accuracy(&sp, 7, 10, 2.0, 0.08, 10, &t1, &t2);
	printf("  tiny blurred cells: top-1 %.2f%%, top-2 %.2f%%\n", t1 * 100, t2 * 100);
	CHECK(t1 >= 0.80);
	CHECK(t2 >= 0.90);
}

/* Bilinear enlargement by f, as the reader's band resampling does. */
static void upsample(const unsigned char *in, int w, int h, double f, unsigned char *out, int *ow,
		     int *oh)
{
	*ow = (int)lround(w * f);
	*oh = (int)lround(h * f);
	for (int y = 0; y < *oh; y++)
		for (int x = 0; x < *ow; x++) {
			double sx = fmin(fmax((x + 0.5) / f - 0.5, 0), w - 1);
			double sy = fmin(fmax((y + 0.5) / f - 0.5, 0), h - 1);
			int x0 = (int)sx, y0 = (int)sy;
			int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
			double tx = sx - x0, ty = sy - y0;
			double v = (in[y0 * w + x0] * (1 - tx) + in[y0 * w + x1] * tx) * (1 - ty) +
				   (in[y1 * w + x0] * (1 - tx) + in[y1 * w + x1] * tx) * ty;
			out[y * *ow + x] = (unsigned char)lround(v);
		}
}

TEST(low_resolution_upsampled_cells)
{
	if (!have_font())
		return;
	/* An MRZ photographed with 6-9 px capitals, blurred once, then
	 * enlarged to the reader's 20 px glyph height: the soft, blocky cells
	 * of issue 11's low-resolution photos. */
	unsigned char px[CELL_MAX * CELL_MAX], big[CELL_MAX * CELL_MAX];
	int n = 0, r1 = 0, r2 = 0;
	for (int rep = 0; rep < 10; rep++)
		for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
			struct cellspec sp = {.cap = 6 + 3 * unif(), .angle = (unif() * 2 - 1) * 2,
					      .jx = (unif() * 2 - 1) * 0.08, .jy = (unif() * 2 - 1) * 0.08,
					      .blur = 1, .noise = 6, .neighbours = 1, .paper = 205,
					      .ink = 55, .line = 1};
			int w, h, bw, bh;
			REQUIRE(render(KYC_OCR_CLASSES[c], &sp, px, &w, &h) == 0);
			double f = 20.0 / sp.cap;
			upsample(px, w, h, f, big, &bw, &bh);
			struct kyc_ocr_guess g[2];
			/* as the reader reads them: in their line */
			REQUIRE(kyc_ocr_classify_at(big, bw, bh, bw, bw * 0.5, pitch_of(sp.cap) * f, 0,
						    bh - 1, g, 2) == 2);
			n++;
			r1 += g[0].ch == KYC_OCR_CLASSES[c];
			r2 += g[0].ch == KYC_OCR_CLASSES[c] || g[1].ch == KYC_OCR_CLASSES[c];
		}
	printf("  low-resolution cells: top-1 %.2f%%, top-2 %.2f%%\n", 100.0 * r1 / n,
	       100.0 * r2 / n);
	/* 90.5% / 95.1% with the first model, 89.2% / 93.2% with the one
	 * trained on many renderings (docs/ocr.md). */
	CHECK(r1 >= 0.85 * n);
	CHECK(r2 >= 0.90 * n);
}

TEST(level2_print_cells)
{
	if (!have_font())
		return;
	/* What kycd synth's level 2 prints and the first trainings did not
	 * draw (docs/ocr.md, "Print effects of the level-2 photos"): glyphs of
	 * dot-matrix dots cut by their outline, a white overlay washing half
	 * the ink out across the cell, dense crossing guilloche as dark as
	 * 60-90 gray levels; each in its line, lightly blurred, as read. */
	const struct cellspec kinds[3] = {
	    {.dots = 1, .blur = 1, .noise = 5, .neighbours = 1, .paper = 225, .ink = 60, .line = 1},
	    {.wash = 0.5, .blur = 1, .noise = 5, .neighbours = 1, .paper = 220, .ink = 25, .line = 1},
	    {.guill = 75, .blur = 1, .noise = 5, .neighbours = 1, .paper = 225, .ink = 25, .line = 1}};
	const char *names[3] = {"dot-matrix", "washed out", "guilloche"};
	/* Floors under what the committed model reads (95.7 / 86.8 / 96.0 %
	 * top-1, 98.6 / 94.1 / 99.5 % top-2): a guard, not a target; the
	 * retraining of session 21 did not move them (docs/ocr.md). */
	const double floor1[3] = {0.92, 0.82, 0.92}, floor2[3] = {0.95, 0.91, 0.97};
	for (int k = 0; k < 3; k++) {
		double t1, t2;
		accuracy(&kinds[k], 12, 24, 1.5, 0.06, 10, &t1, &t2);
		printf("  level-2 print, %s: top-1 %.2f%%, top-2 %.2f%%\n", names[k], 100 * t1,
		       100 * t2);
		CHECK(t1 >= floor1[k]);
		CHECK(t2 >= floor2[k]);
	}
}

TEST(non_characters_score_low)
{
	if (!have_font())
		return;
	/* The reader votes on the band's orientation and pitch with the
	 * scores: an upside-down glyph (of a class whose turned shape is no
	 * character) and a blank cell must score well below upright glyphs. */
	unsigned char px[CELL_MAX * CELL_MAX];
	const char *turnable = "34BCDEFGJKPRTUY<";
	double up = 0, down = 0;
	int n = 0;
	for (int rep = 0; rep < 4; rep++)
		for (const char *p = turnable; *p; p++) {
			struct cellspec sp = {.cap = 12 + 24 * unif(), .paper = 225, .ink = 35,
					      .noise = 4, .neighbours = 1};
			struct kyc_ocr_guess g[1];
			int w, h;
			REQUIRE(render(*p, &sp, px, &w, &h) == 0);
			REQUIRE(kyc_ocr_classify(px, w, h, w, g, 1) == 1);
			up += g[0].score;
			sp.angle = 180;
			REQUIRE(render(*p, &sp, px, &w, &h) == 0);
			REQUIRE(kyc_ocr_classify(px, w, h, w, g, 1) == 1);
			down += g[0].score;
			n++;
		}
	up /= n;
	down /= n;
	printf("  mean top score: upright %.3f, upside down %.3f\n", up, down);
	CHECK(up > 0.95);
	CHECK(down < 0.2);

	int w = 22, h = 34;
	for (int i = 0; i < w * h; i++)
		px[i] = (unsigned char)(200 + (int)(unif() * 12));
	struct kyc_ocr_guess g[1];
	REQUIRE(kyc_ocr_classify(px, w, h, w, g, 1) == 1);
	printf("  blank cell: top score %.3f\n", (double)g[0].score);
	CHECK(g[0].score < 0.2);
}

struct unsure_count {
	int n, first, fine;
};

static void read_unsure(const unsigned char *px, int w, int h, const struct cellspec *sp, int c,
			void *ctx)
{
	struct unsure_count *u = ctx;
	struct kyc_ocr_guess g[1], f[1];
	double pitch = pitch_of(sp->cap);
	if (kyc_ocr_classify_at(px, w, h, w, w * 0.5, pitch, 0, h - 1, g, 1) != 1 ||
	    g[0].score >= 0.9f ||
	    kyc_ocr_classify_fine_at(px, w, h, w, w * 0.5, pitch, 0, h - 1, f, 1) != 1)
		return;
	u->n++;
	u->first += g[0].ch == KYC_OCR_CLASSES[c];
	u->fine += f[0].ch == KYC_OCR_CLASSES[c];
}

/* Cells the first model reads under 0.9 (the reader's bar for the finer
 * model), counted in *n, of *first read right by the first model and *fine
 * by kyc_ocr_classify_fine_at. */
static void unsure_accuracy(const struct cellspec *base, double cap_lo, double cap_hi,
			    double angle, double jitter, int reps, int *n, int *first, int *fine)
{
	struct unsure_count u = {0};
	each_random_cell(base, cap_lo, cap_hi, angle, jitter, reps, read_unsure, &u);
	*n = u.n, *first = u.first, *fine = u.fine;
}

TEST(finer_model)
{
	unsigned char px[20 * 30];
	memset(px, 255, sizeof px);
	struct kyc_ocr_guess g[4];
	CHECK_INT(kyc_ocr_classify_fine_at(NULL, 20, 30, 20, 10, 9, 0, 29, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_fine_at(px, 20, 30, 20, 10, 9, 0, 29, g, 5), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_fine_at(px, 20, 30, 20, 10, 9, 0, 30, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_fine_at(px, 20, 30, 20, 10, 9, 0, 29, g, 2), 2);
	if (!have_font())
		return;
	if (!kyc__ocr_fine_model.nin) {
		printf("  no finer model compiled in: it reads as the first\n");
		return;
	}
	CHECK_INT(kyc__ocr_fine_model.nin, KYC_OCR_NIN_FINE);
	/* The cells the reader hands it: degraded print and a shaken line, each
	 * drawn once and read by the first model; the ones it reads under 0.9
	 * (the reader's bar) are read by the finer model too. */
	struct cellspec deg = {.paper = 200, .ink = 70, .blur = 1, .noise = 14, .neighbours = 1,
			       .line = 1};
	struct cellspec shake = {.paper = 210, .ink = 50, .blur = 1, .noise = 6, .neighbours = 1,
				 .line = 1, .smear = 6};
	int n1, f1, g1, n2, f2, g2;
	unsure_accuracy(&deg, 9, 30, 3.0, 0.10, 40, &n1, &f1, &g1);
	unsure_accuracy(&shake, 18, 22, 1.0, 0.06, 20, &n2, &f2, &g2);
	printf("  unsure cells right, first model -> finer: degraded in line %d -> %d of %d, "
	       "shaken line %d -> %d of %d\n",
	       f1, g1, n1, f2, g2, n2);
	/* A floor: a model of garbage weights reads next to none of them. On
	 * this test's own renderer the finer model reads fewer of them than
	 * the first (it was trained on the reader's cells of generated photos,
	 * where it reads more: bench/README.md, "Issue 11: the finer model
	 * alone on unsure cells"), so the two are printed, not compared. */
	REQUIRE(n1 + n2 >= 40);
	CHECK(g1 + g2 >= (n1 + n2) / 2);
}

/* Whether two lists of n guesses are the same characters at the same scores
 * (field by field: the struct has padding). */
static int same_guesses(const struct kyc_ocr_guess *a, const struct kyc_ocr_guess *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].ch != b[i].ch || a[i].score != b[i].score)
			return 0;
	return 1;
}

/* The reader reads every cell with the first model, then only the unsure ones
 * with both: the first model's softmax handed in must give exactly what the
 * call that computes it again gives, on cells in their line, sure and unsure
 * (blurred, shaken). */
TEST(finer_model_given_first_softmax)
{
	unsigned char px[CELL_MAX * CELL_MAX];
	memset(px, 255, sizeof px);
	float p[KYC_OCR_NOUT];
	struct kyc_ocr_guess g[4], f[4];
	CHECK_INT(kyc_ocr_probs_at(px, 20, 30, 20, 10, 9, 0, 29, NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_probs_at(px, 20, 30, 20, 10, 9, 0, 30, p), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_top_k(NULL, g, 2), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_top_k(p, g, 5), KYC_ERR_INVALID);
	CHECK_INT(kyc_ocr_classify_fine_given(px, 20, 30, 20, 10, 9, 0, 29, NULL, g, 2),
		  KYC_ERR_INVALID);
	if (!have_font())
		return;
	struct cellspec specs[] = {
		{.paper = 220, .ink = 30, .neighbours = 1, .line = 1},
		{.paper = 200, .ink = 70, .blur = 2, .noise = 14, .neighbours = 1, .line = 1},
		{.paper = 210, .ink = 50, .blur = 1, .noise = 6, .neighbours = 1, .line = 1,
		 .smear = 6},
	};
	int cells = 0, same = 0, unsure = 0;
	for (int s = 0; s < 3; s++)
		for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
			struct cellspec sp = specs[s];
			sp.cap = 9 + unif() * 12;
			sp.jx = (unif() * 2 - 1) * 0.1;
			int w, h;
			REQUIRE(render(KYC_OCR_CLASSES[c], &sp, px, &w, &h) == 0);
			double cx = w * 0.5, pitch = pitch_of(sp.cap);
			REQUIRE(kyc_ocr_probs_at(px, w, h, w, cx, pitch, 0, h - 1, p) == 0);
			/* the softmax's top 4 are the first model's guesses */
			CHECK_INT(kyc_ocr_top_k(p, f, 4), 4);
			CHECK_INT(kyc_ocr_classify_at(px, w, h, w, cx, pitch, 0, h - 1, g, 4), 4);
			CHECK(same_guesses(f, g, 4));
			unsure += g[0].score < 0.9f;
			int nf = kyc_ocr_classify_fine_given(px, w, h, w, cx, pitch, 0, h - 1, p, f, 4);
			int ng = kyc_ocr_classify_fine_at(px, w, h, w, cx, pitch, 0, h - 1, g, 4);
			cells++;
			same += nf == 4 && ng == 4 && same_guesses(f, g, 4);
		}
	printf("  %d cells (%d unsure), fine reading with the softmax given identical on %d\n",
	       cells, unsure, same);
	CHECK_INT(same, cells);
	/* not only sure cells: the unsure ones are what the reader passes */
	CHECK(unsure > 0);
}

int main(void)
{
	RUN(rejects_bad_arguments);
	RUN(guesses_sorted_distinct_and_calibrated);
	RUN(stride_is_honoured);
	RUN(clean_cells);
	RUN(degraded_cells);
	RUN(cells_in_their_line);
	RUN(line_smeared_by_shake);
	RUN(tiny_blurred_cells);
	RUN(low_resolution_upsampled_cells);
	RUN(level2_print_cells);
	RUN(non_characters_score_low);
	RUN(finer_model);
	RUN(finer_model_given_first_softmax);
	if (face)
		FT_Done_Face(face);
	if (lib)
		FT_Done_FreeType(lib);
	return test_done("ocr");
}
