/* Cell renderer for training and evaluation. The glyph outlines come from the
 * OCR-B font and are emboldened/thinned, rotated, sheared, scaled and shifted
 * as outlines, then rasterised by FreeType straight at the target resolution
 * (exact area coverage, so sub-pixel placement is real); the degradations
 * that act on pixels (blur, texture, noise, JPEG, thresholding) follow. */
#include "gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <jpeglib.h>

#include "document/ocr.h"
#include "gen_fx.h"

#define CANVAS_MAX GEN_FX_MAX_SIDE

/* One digitisation or weight of OCR-B, its glyphs loaded once. */
struct font {
	FT_Face face;
	FT_Outline glyph[KYC_OCR_NCLASSES]; /* at LOAD_PX, 26.6 */
	double adv, cap; /* advance and cap height (of 'H'), font pixels */
	double dtop;     /* top of the tallest digit: OCR-B digits outgrow capitals */
};

struct gen {
	FT_Library lib;
	struct font font[GEN_MAX_FONTS];
	int nfonts;
	FT_Outline work;
	float canvas[CANVAS_MAX * CANVAS_MAX]; /* ink coverage, then gray levels */
	float paper[CANVAS_MAX * CANVAS_MAX];
	float shade[CANVAS_MAX * CANVAS_MAX]; /* emboss relief */
	float wmark[CANVAS_MAX * CANVAS_MAX]; /* coverage of a watermark's glyphs */
	int cw, ch;
	unsigned char gray[CANVAS_MAX * CANVAS_MAX];
	unsigned char small[CANVAS_MAX * CANVAS_MAX];
};

#define LOAD_PX 200

static int font_load(struct gen *g, struct font *f, const char *path, int *maxp, int *maxc)
{
	if (FT_New_Face(g->lib, path, 0, &f->face) || FT_Set_Pixel_Sizes(f->face, 0, LOAD_PX))
		return -1;
	for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
		if (FT_Load_Char(f->face, (FT_ULong)KYC_OCR_CLASSES[c],
				 FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP))
			return -1;
		FT_Outline *o = &f->face->glyph->outline;
		if (FT_Outline_New(g->lib, (FT_UInt)o->n_points, o->n_contours, &f->glyph[c]) ||
		    FT_Outline_Copy(o, &f->glyph[c]))
			return -1;
		if (o->n_points > *maxp)
			*maxp = o->n_points;
		if (o->n_contours > *maxc)
			*maxc = o->n_contours;
		FT_BBox b;
		FT_Outline_Get_CBox(o, &b);
		if (KYC_OCR_CLASSES[c] >= '0' && KYC_OCR_CLASSES[c] <= '9' &&
		    (double)b.yMax / 64.0 > f->dtop)
			f->dtop = (double)b.yMax / 64.0;
		if (KYC_OCR_CLASSES[c] == 'H') {
			f->cap = (double)b.yMax / 64.0;
			f->adv = (double)f->face->glyph->advance.x / 64.0;
		}
	}
	return f->cap > 0 && f->adv > 0 ? 0 : -1;
}

struct gen *gen_new(const char *font_paths)
{
	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	if (FT_Init_FreeType(&g->lib))
		goto fail;
	int maxp = 0, maxc = 0;
	for (const char *p = font_paths; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char path[4096];
		if (n == 0 || n >= sizeof path || g->nfonts == GEN_MAX_FONTS)
			goto fail;
		memcpy(path, p, n);
		path[n] = 0;
		if (font_load(g, &g->font[g->nfonts++], path, &maxp, &maxc))
			goto fail;
		p += n + (e != NULL);
	}
	if (g->nfonts == 0 || FT_Outline_New(g->lib, (FT_UInt)maxp, maxc, &g->work))
		goto fail;
	return g;
fail:
	gen_free(g);
	return NULL;
}

void gen_free(struct gen *g)
{
	if (!g)
		return;
	if (g->lib) {
		for (int i = 0; i < g->nfonts; i++) {
			for (int c = 0; c < KYC_OCR_NCLASSES; c++)
				if (g->font[i].glyph[c].points)
					FT_Outline_Done(g->lib, &g->font[i].glyph[c]);
			if (g->font[i].face)
				FT_Done_Face(g->font[i].face);
		}
		if (g->work.points)
			FT_Outline_Done(g->lib, &g->work);
		FT_Done_FreeType(g->lib);
	}
	free(g);
}

static double unif(uint64_t *s, double a, double b)
{
	return a + (b - a) * gen_unif(s);
}

static double gauss(uint64_t *s)
{
	double u = gen_unif(s), v = gen_unif(s);
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Roughly normal (sum of four uniforms, unit variance): pixel noise needs
 * the shape, not the tails. */
static double gauss_fast(uint64_t *s)
{
	uint64_t r = gen_mix(s);
	double t = (double)(r & 0xffff) + (double)((r >> 16) & 0xffff) +
		   (double)((r >> 32) & 0xffff) + (double)(r >> 48);
	return (t / 65536.0 - 2.0) * 1.7320508;
}

/* FreeType hands coverage spans bottom-up; ink from several glyphs combines
 * by max, as overlapping print would. */
static void span_cb(int y, int count, const FT_Span *spans, void *user)
{
	struct gen *g = user;
	int row = g->ch - 1 - y;
	if (row < 0 || row >= g->ch)
		return;
	for (int i = 0; i < count; i++) {
		float cov = (float)spans[i].coverage / 255.0f;
		for (int x = spans[i].x; x < spans[i].x + spans[i].len; x++) {
			if (x < 0 || x >= g->cw)
				continue;
			float *p = &g->canvas[row * g->cw + x];
			if (cov > *p)
				*p = cov;
		}
	}
}

struct placement {
	const struct font *f;  /* the digitisation drawn */
	double k;              /* output pixels per font pixel */
	double a, b, c, d;     /* rotation x shear x width, applied to font coordinates */
	double fx, fy;         /* font point mapped to (ox, oy) */
	double ox, oy;         /* canvas coordinates, y up */
	double boldx, boldy;   /* stroke change, font pixels (negative thins) */
	/* Another digitisation's curves: a smooth displacement of the outline's
	 * points, amplitude in font pixels, one wave across and one along. */
	double warp, wfx, wfy, wpx, wpy;
	/* A document photographed at an angle: the glyph height changes across
	 * the line and the width along it (per cap, around the cell's centre). */
	double kx, ky;
};

static void warp_outline(FT_Outline *o, const struct placement *p)
{
	if (p->warp <= 0)
		return;
	double cap = p->f->cap;
	for (int i = 0; i < o->n_points; i++) {
		double x = o->points[i].x / 64.0, y = o->points[i].y / 64.0;
		double dx = p->warp * sin(6.283185 * p->wfx * y / cap + p->wpx);
		double dy = p->warp * sin(6.283185 * p->wfy * x / cap + p->wpy);
		o->points[i].x += (FT_Pos)lround(dx * 64.0);
		o->points[i].y += (FT_Pos)lround(dy * 64.0);
	}
}

/* Keystone of the whole cell, neighbours included: points are font pixels
 * around the cell's reference point, so the line bends as one plane. */
static void keystone(FT_Outline *o, const struct placement *p)
{
	if (p->kx == 0 && p->ky == 0)
		return;
	double cap = p->f->cap;
	for (int i = 0; i < o->n_points; i++) {
		double x = o->points[i].x / 64.0, y = o->points[i].y / 64.0;
		o->points[i].x = (FT_Pos)lround(x * (1 + p->ky * y / cap) * 64.0);
		o->points[i].y = (FT_Pos)lround(y * (1 + p->kx * x / cap) * 64.0);
	}
}

static int draw(struct gen *g, int cls, double penx, double peny, const struct placement *p)
{
	FT_Outline *o = &g->work;
	const FT_Outline *src = &p->f->glyph[cls];
	o->n_points = src->n_points;
	o->n_contours = src->n_contours;
	if (FT_Outline_Copy(src, o))
		return -1;
	warp_outline(o, p);
	FT_Pos ex = (FT_Pos)lround(p->boldx * 64.0), ey = (FT_Pos)lround(p->boldy * 64.0);
	if ((ex != 0 || ey != 0) && FT_Outline_EmboldenXY(o, ex, ey))
		return -1;
	/* Emboldening keeps the left and bottom edges: re-centre the glyph. */
	FT_Outline_Translate(o, (FT_Pos)lround((penx - p->fx - p->boldx / 2) * 64.0),
			     (FT_Pos)lround((peny - p->fy - p->boldy / 2) * 64.0));
	keystone(o, p);
	FT_Matrix m = {
		.xx = (FT_Fixed)lround(p->k * p->a * 65536.0),
		.xy = (FT_Fixed)lround(p->k * p->b * 65536.0),
		.yx = (FT_Fixed)lround(p->k * p->c * 65536.0),
		.yy = (FT_Fixed)lround(p->k * p->d * 65536.0),
	};
	FT_Outline_Transform(o, &m);
	FT_Outline_Translate(o, (FT_Pos)lround(p->ox * 64.0), (FT_Pos)lround(p->oy * 64.0));
	FT_BBox bb;
	FT_Outline_Get_CBox(o, &bb);
	if (bb.xMax < 0 || bb.yMax < 0 || bb.xMin > g->cw * 64 || bb.yMin > g->ch * 64)
		return 0;
	FT_Raster_Params rp;
	memset(&rp, 0, sizeof rp);
	rp.source = o;
	rp.flags = FT_RASTER_FLAG_AA | FT_RASTER_FLAG_DIRECT | FT_RASTER_FLAG_CLIP;
	rp.gray_spans = span_cb;
	rp.user = g;
	rp.clip_box.xMin = 0;
	rp.clip_box.yMin = 0;
	rp.clip_box.xMax = g->cw;
	rp.clip_box.yMax = g->ch;
	return FT_Outline_Render(g->lib, o, &rp) ? -1 : 0;
}

static int neighbour_class(uint64_t *s)
{
	/* MRZ lines are full of '<' fillers. */
	if (gen_unif(s) < 0.35)
		return KYC_OCR_NCLASSES - 1;
	return (int)(gen_mix(s) % KYC_OCR_NCLASSES);
}

/* A real JPEG round trip through libjpeg at the given quality. */
static void jpeg_roundtrip(unsigned char *px, int w, int h, int quality)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL;
	unsigned long memlen = 0;
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &memlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = px + (size_t)c.next_scanline * (size_t)w;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);

	struct jpeg_decompress_struct d;
	d.err = jpeg_std_error(&err);
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, mem, memlen);
	jpeg_read_header(&d, TRUE);
	d.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&d);
	while (d.output_scanline < d.output_height) {
		JSAMPROW row = px + (size_t)d.output_scanline * (size_t)w;
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	free(mem);
}

/* Per-level ranges. Sizes are cap heights in output pixels. */
struct levelp {
	double hmin, hmax, rot, shear, bold_lo, bold_hi, jitter, blur, noise;
	double p_jpeg, q_lo, q_hi, p_tex, tex_amp, p_bin, bg_lo, ink_hi, min_contrast;
	/* cellw_*: unused since the cell is cut at the reader's 1.1 pitches
	 * inside its context window (kept so the table below stays positional) */
	double cellw_lo, cellw_hi, cellh_lo, cellh_hi;
	double band_jit;              /* error of the line's top and bottom, in caps */
	double warp, widen;           /* outline warp (caps), width change (+-) */
	double p_print[GEN_NPRINTS];  /* print process; the rest of 1 is laser */
	double p_guill, guill_dark;   /* security print behind the line */
	double p_motion, motion_len;  /* camera shake, length in caps */
	double p_glare, p_shadow, gamma;
	double p_lowres, lowres_lo, lowres_hi; /* photographed small, read upsampled */
	double p_resample;            /* resampled to the reader's glyph height */
	double p_persp, persp;        /* keystone: scale change across the cell, per cap */
	double p_wmark, wmark_dark;   /* large faint characters printed behind the line */
	double p_defocus, defocus;    /* strong defocus: sigma up to this share of the cap */
};

static const struct levelp LEVELS[GEN_NLEVELS] = {
	[GEN_CLEAN] = {12, 48, 1.0, 0.02, -0.02, 0.03, 0.04, 0.5, 3, 0, 0, 0, 0, 0, 0, 180, 60, 120,
		       0.95, 1.25, 1.15, 1.5, 0.02, 0.006, 0.03, {0}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		       0.3, 0, 0, 0, 0, 0, 0},
	[GEN_MILD] = {9, 60, 3.0, 0.05, -0.05, 0.07, 0.08, 0.9, 7, 0.3, 50, 95, 0.3, 10, 0.08, 140,
		      100, 70, 0.9, 1.35, 1.1, 1.7, 0.04, 0.015, 0.07, {0, 0.12, 0.05, 0.02}, 0.15, 40,
		      0.15, 0.3, 0.1, 0.1, 0.25, 0.15, 8, 12, 0.5, 0.25, 0.04, 0.1, 50, 0.1, 0.12},
	[GEN_HEAVY] = {7.5, 60, 5.0, 0.09, -0.07, 0.12, 0.12, 1.4, 16, 0.5, 20, 90, 0.6, 18, 0.15,
		       90, 150, 35, 0.8, 1.5, 1.05, 1.9, 0.07, 0.025, 0.12, {0, 0.18, 0.08, 0.05}, 0.3,
		       80, 0.3, 0.55, 0.2, 0.2, 0.4, 0.35, 6, 12, 0.5, 0.4, 0.08, 0.2, 90, 0.2, 0.14},
};

static int pick_print(const struct levelp *L, uint64_t *s)
{
	double u = gen_unif(s);
	for (int i = 1; i < GEN_NPRINTS; i++) {
		if (u < L->p_print[i])
			return i;
		u -= L->p_print[i];
	}
	return GEN_PRINT_LASER;
}

/* The glyph and its neighbours as ink coverage in g->canvas. */
static int draw_cell(struct gen *g, const struct placement *p, int cls, int kind, int side,
		     double pitch, double lpitch, uint64_t *s)
{
	if (kind != GEN_BLANK && draw(g, cls, 0, 0, p))
		return -1;
	for (int dx = -2; dx <= 2; dx++) {
		if (dx == 0)
			continue;
		int force = kind == GEN_STRADDLE && dx == side;
		if ((force || gen_unif(s) < 0.9) && draw(g, neighbour_class(s), dx * pitch, 0, p))
			return -1;
	}
	for (int dy = -1; dy <= 1; dy += 2) {
		if (gen_unif(s) < 0.5)
			continue;
		for (int dx = -1; dx <= 1; dx++)
			if (draw(g, neighbour_class(s), dx * pitch, dy * lpitch, p))
				return -1;
	}
	return 0;
}

/* The print process acting on the coverage; returns whether the relief of
 * an embossed print is in g->shade. */
static int apply_print(struct gen *g, int print, double capo, uint64_t *s)
{
	int w = g->cw, h = g->ch;
	switch (print) {
	case GEN_PRINT_INKJET:
		fx_inkjet(g->canvas, w, h, capo * unif(s, 0.02, 0.07) + 0.3,
			  gen_unif(s) < 0.7 ? unif(s, 0.2, 0.45) : unif(s, 0.5, 0.65), s);
		return 0;
	case GEN_PRINT_DOTS: {
		/* 7 to 9 dots per capital, as 9- and 24-pin printers put them;
		 * below about 1.3 px a dot grid is just a blur. */
		double pitch = capo / unif(s, 6.5, 9.5);
		if (pitch >= 1.3)
			fx_dots(g->canvas, w, h, pitch, pitch * unif(s, 0.42, 0.7), s);
		return 0;
	}
	case GEN_PRINT_EMBOSS:
		fx_emboss(g->canvas, g->shade, w, h, capo * unif(s, 0.03, 0.08) + 0.4,
			  unif(s, 0, 6.283185));
		return 1;
	default:
		if (gen_unif(s) < 0.3)
			fx_specks(g->canvas, w, h, (int)(gen_mix(s) % 5), s);
		return 0;
	}
}

/* A stock-photo watermark or a document's large background lettering: one
 * or two glyphs two to five times the line's size at any angle, drawn into
 * g->wmark (coverage), so that only their strokes cross the cell. */
static int draw_watermark(struct gen *g, const struct placement *p, uint64_t *s)
{
	int n = g->cw * g->ch, count = 1 + (gen_unif(s) < 0.4);
	memset(g->canvas, 0, sizeof(float) * (size_t)n);
	for (int i = 0; i < count; i++) {
		struct placement q = *p;
		double th = unif(s, -0.8, 0.8);
		q.k = p->k * unif(s, 2, 5);
		q.a = cos(th), q.b = -sin(th), q.c = sin(th), q.d = cos(th);
		q.kx = q.ky = 0;
		q.warp = 0;
		q.boldx = q.boldy = 0;
		q.fx = q.f->adv / 2, q.fy = q.f->cap / 2;
		q.ox = unif(s, -0.5, 1.5) * g->cw;
		q.oy = unif(s, -0.5, 1.5) * g->ch;
		if (draw(g, (int)(gen_mix(s) % (KYC_OCR_NCLASSES - 1)), 0, 0, &q))
			return -1;
	}
	memcpy(g->wmark, g->canvas, sizeof(float) * (size_t)n);
	memset(g->canvas, 0, sizeof(float) * (size_t)n);
	return 0;
}

int gen_sample(struct gen *g, uint64_t seed, uint64_t index, int level, int cls, int kind,
	       unsigned char *px, int *w, int *h, double *ccx, double *cpitch)
{
	const struct levelp *L = &LEVELS[level];
	uint64_t s = seed * 0x2545f4914f6cdd1dULL ^ (index + 1) * 0x9e3779b97f4a7c15ULL;
	gen_mix(&s);

	struct placement p;
	memset(&p, 0, sizeof p);
	/* The first font is the reference digitisation: half the cells. */
	int fi = g->nfonts > 1 && gen_unif(&s) >= 0.5 ? 1 + (int)(gen_mix(&s) % (uint64_t)(g->nfonts - 1)) : 0;
	p.f = &g->font[fi];
	const struct font *f = p.f;
	int lowres = gen_unif(&s) < L->p_lowres;
	double capo = lowres ? unif(&s, L->lowres_lo, L->lowres_hi)
			     : exp(unif(&s, log(L->hmin), log(L->hmax)));
	p.k = capo / f->cap;
	double pitch = f->adv * unif(&s, 0.95, 1.1);
	double lpitch = f->cap * unif(&s, 1.55, 2.1);
	double th = unif(&s, -L->rot, L->rot) * 3.141592653589793 / 180.0;
	double sh = unif(&s, -L->shear, L->shear);
	double wide = 1 + unif(&s, -L->widen, L->widen);
	/* rotation(th) * shear(sh) * width: x' = wide*x + sh*y, then rotate */
	p.a = cos(th) * wide;
	p.b = cos(th) * sh - sin(th);
	p.c = sin(th) * wide;
	p.d = sin(th) * sh + cos(th);
	p.boldx = f->cap * unif(&s, L->bold_lo, L->bold_hi);
	p.boldy = p.boldx * unif(&s, 0.6, 1.4);
	/* Stroke changes below half a pixel at the target size do nothing
	 * visible, and thinning a tiny glyph breaks it apart. */
	if (p.boldx < 0 && p.boldx * p.k < -0.35)
		p.boldx = -0.35 / p.k;
	if (p.boldy < 0 && p.boldy * p.k < -0.35)
		p.boldy = -0.35 / p.k;
	if (gen_unif(&s) < 0.6) {
		p.warp = f->cap * unif(&s, 0, L->warp);
		p.wfx = unif(&s, 0.3, 1.5);
		p.wfy = unif(&s, 0.3, 1.5);
		p.wpx = unif(&s, 0, 6.283185);
		p.wpy = unif(&s, 0, 6.283185);
	}

	/* The context window the reader hands over (KYC_OCR_WIN_HALF pitches
	 * each side of the cell's centre) and a little more, at the pitch the
	 * reader measured, which is off by a few percent. */
	double pitch_est = pitch * exp(gauss(&s) * 0.02);
	double cellw = pitch * (2 * KYC_OCR_WIN_HALF + 0.3);
	double cellh = f->cap * unif(&s, L->cellh_lo, L->cellh_hi);
	/* Half the cells are cut the way a line-based reader cuts them: the
	 * line's ink band (as tall as the digits when the line has any, else as
	 * the capitals) plus a quarter of it above and below. Then the glyph's
	 * height against the cell's says digit or letter ('0'/'O', '8'/'B'),
	 * which the glyph's own shape hardly does in OCR-B. */
	int band = gen_unif(&s) < 0.5;
	double bandc = 0;
	if (band) {
		double top = (gen_unif(&s) < 0.75 ? f->dtop : f->cap) + gauss(&s) * L->band_jit * f->cap;
		double bot = -0.015 * f->cap + gauss(&s) * L->band_jit * f->cap;
		double m = (top - bot) * unif(&s, 0.2, 0.3) + unif(&s, 0.5, 1.5) / p.k;
		cellh = top - bot + 2 * m;
		bandc = (top + bot) / 2;
	}
	if (gen_unif(&s) < L->p_persp) {
		p.kx = unif(&s, -L->persp, L->persp);
		p.ky = unif(&s, -L->persp, L->persp) * 0.5;
	}
	int ow = (int)lround(cellw * p.k), oh = (int)lround(cellh * p.k);
	if (ow < 4)
		ow = 4;
	if (oh < 5)
		oh = 5;
	if (ow > GEN_MAX_SIDE)
		ow = GEN_MAX_SIDE;
	if (oh > GEN_MAX_SIDE)
		oh = GEN_MAX_SIDE;
	int mx = 2 + (int)(gen_mix(&s) % 8), my = 2 + (int)(gen_mix(&s) % 8);
	g->cw = ow + mx + 2;
	g->ch = oh + my + 2;
	int cw = g->cw, ch = g->ch, n = cw * ch;
	p.fx = f->adv / 2 + gauss(&s) * L->jitter * pitch;
	p.fy = band ? bandc : f->cap / 2 + gauss(&s) * L->jitter * f->cap * 0.7;
	p.ox = mx + ow / 2.0;
	p.oy = 2 + oh / 2.0;
	int wmark = gen_unif(&s) < L->p_wmark;
	if (wmark && draw_watermark(g, &p, &s))
		return -1;
	memset(g->canvas, 0, sizeof(float) * (size_t)n);

	int side = gen_unif(&s) < 0.5 ? -1 : 1;
	if (kind == GEN_UPSIDE) {
		p.a = -p.a, p.b = -p.b, p.c = -p.c, p.d = -p.d;
	} else if (kind == GEN_STRADDLE) {
		p.fx += side * pitch * unif(&s, 0.4, 0.6);
	}
	if (draw_cell(g, &p, cls, kind, side, pitch, lpitch, &s))
		return -1;
	int emboss = apply_print(g, pick_print(L, &s), capo, &s);

	/* Paper and ink levels, then what lies behind the characters. */
	double bg = unif(&s, L->bg_lo, 255);
	double ink = unif(&s, 0, L->ink_hi);
	if (bg - ink < L->min_contrast)
		ink = bg - L->min_contrast;
	if (ink < 0)
		ink = 0;
	double ta = 0, tfx = 0, tfy = 0, tph = 0, grad = 0;
	if (gen_unif(&s) < L->p_tex) {
		ta = unif(&s, 0, L->tex_amp);
		tfx = unif(&s, -0.3, 0.3);
		tfy = unif(&s, -0.3, 0.3);
		tph = unif(&s, 0, 6.283);
		grad = unif(&s, -L->tex_amp, L->tex_amp);
	}
	/* sin(a + b) = sin a cos b + cos a sin b: two tables instead of a sine
	 * per pixel (the generator, not the network, bounds training speed). */
	double sx[CANVAS_MAX], cx[CANVAS_MAX];
	for (int x = 0; x < cw; x++) {
		sx[x] = sin(6.283 * tfx * x);
		cx[x] = cos(6.283 * tfx * x);
	}
	for (int y = 0; y < ch; y++) {
		double sy = sin(6.283 * tfy * y + tph), cy = cos(6.283 * tfy * y + tph);
		for (int x = 0; x < cw; x++)
			g->paper[y * cw + x] = (float)(bg + grad * ((double)x / cw - 0.5) +
						       (ta > 0 ? ta * (sx[x] * cy + cx[x] * sy) : 0));
	}
	if (gen_unif(&s) < L->p_guill)
		fx_guilloche(g->paper, cw, ch, unif(&s, 0.1, 0.5) * fmin(L->guill_dark, bg - ink), &s);
	if (wmark) {
		/* Darker print behind the line, or a lighter stock-photo overlay
		 * washing the ink out where it crosses. */
		double dark = unif(&s, 0.15, 0.6) * fmin(L->wmark_dark, bg - ink);
		double sign = gen_unif(&s) < 0.6 ? -1 : 1;
		for (int i = 0; i < n; i++)
			g->paper[i] += (float)(sign * dark * g->wmark[i]);
	}

	/* Thresholding a blurred tiny glyph leaves a blob no reader could read;
	 * binarised input comes from sharp enough images. */
	/* Blur in proportion to the glyph: a sigma of a seventh of the
	 * capital's height leaves nothing a person could read. */
	double sigma = unif(&s, 0, fmin(L->blur, 0.09 * capo + 0.35));
	int shake = gen_unif(&s) < L->p_motion;
	if (shake)
		sigma *= 0.5;
	else if (gen_unif(&s) < L->p_defocus)
		sigma = capo * unif(&s, 0.06, L->defocus); /* a phone focused on the desk */
	int binarise = !emboss && gen_unif(&s) < L->p_bin && sigma * 10 < capo;
	double bthr = unif(&s, 0.3, 0.7);
	/* Embossed characters: relief shading, and the tipping foil (ink) on
	 * the top of the relief anything from worn off to complete. */
	double relief = emboss ? unif(&s, 0.25, 0.6) * (bg - ink) : 0;
	double tip = emboss ? unif(&s, 0.2, 1) : 1;
	for (int i = 0; i < n; i++) {
		double a = g->canvas[i];
		if (binarise)
			a = a > bthr ? 1 : 0;
		a *= tip;
		double v = g->paper[i] * (1 - a) + ink * a;
		if (emboss)
			v += relief * g->shade[i];
		g->canvas[i] = (float)v;
	}

	/* The camera: focus, shake, light, gamma, sensor noise. */
	fx_blur(g->canvas, cw, ch, sigma);
	if (shake) {
		double len = capo * unif(&s, 0.03, L->motion_len), ang = unif(&s, 0, 3.14159265);
		fx_motion(g->canvas, cw, ch, len * cos(ang), len * sin(ang));
	}
	if (gen_unif(&s) < L->p_glare)
		fx_glare(g->canvas, cw, ch, unif(&s, 0.15, 0.55), &s);
	if (gen_unif(&s) < L->p_shadow)
		fx_shadow(g->canvas, cw, ch, unif(&s, 0.2, 0.6), &s);
	double gam = L->gamma > 0 ? exp(unif(&s, -L->gamma, L->gamma)) : 1;
	/* Sensor noise above a third of the contrast buries the strokes. */
	double noise = unif(&s, 0, fmin(L->noise, 0.35 * (bg - ink)));
	unsigned char *buf = g->gray;
	for (int i = 0; i < n; i++) {
		double v = g->canvas[i];
		if (gam != 1 && v > 0)
			v = 255 * pow(v / 255, gam);
		if (noise > 0.3)
			v += noise * gauss_fast(&s);
		buf[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
	}
	if (gen_unif(&s) < L->p_jpeg || (lowres && gen_unif(&s) < 0.5))
		jpeg_roundtrip(buf, cw, ch, (int)unif(&s, L->q_lo, L->q_hi));
	unsigned char *cut = lowres ? g->small : px;
	for (int y = 0; y < oh; y++)
		memcpy(cut + y * ow, buf + (y + my) * cw + mx, (size_t)ow);
	*w = ow;
	*h = oh;
	*ccx = ow / 2.0;
	*cpitch = pitch_est * p.k;
	/* The reader resamples its band to glyphs about 20 px tall: small
	 * photographed glyphs arrive upsampled (bilinear), large ones shrunk. */
	if (lowres || gen_unif(&s) < L->p_resample) {
		double to = unif(&s, 17, 23) / capo;
		if (!lowres) {
			memcpy(g->small, px, (size_t)(ow * oh));
			cut = g->small;
		}
		fx_resample(cut, ow, oh, to, GEN_MAX_SIDE, px, w, h);
		*ccx *= (double)*w / ow;
		*cpitch *= (double)*w / ow;
	}
	return 0;
}
