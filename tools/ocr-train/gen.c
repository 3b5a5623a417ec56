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

#define CANVAS_MAX (GEN_MAX_SIDE + 16)

struct gen {
	FT_Library lib;
	FT_Face face;
	FT_Outline glyph[KYC_OCR_NCLASSES]; /* at LOAD_PX, 26.6 */
	FT_Outline work;
	double adv, cap; /* advance and cap height (of 'H'), font pixels */
	double dtop;     /* top of the tallest digit: OCR-B digits outgrow capitals */
	float canvas[CANVAS_MAX * CANVAS_MAX];
	int cw, ch;
	unsigned char jpeg_in[CANVAS_MAX * CANVAS_MAX];
};

#define LOAD_PX 200

struct gen *gen_new(const char *font_path)
{
	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	if (FT_Init_FreeType(&g->lib))
		goto fail;
	if (FT_New_Face(g->lib, font_path, 0, &g->face))
		goto fail;
	if (FT_Set_Pixel_Sizes(g->face, 0, LOAD_PX))
		goto fail;
	int maxp = 0, maxc = 0;
	for (int c = 0; c < KYC_OCR_NCLASSES; c++) {
		if (FT_Load_Char(g->face, (FT_ULong)KYC_OCR_CLASSES[c],
				 FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP))
			goto fail;
		FT_Outline *o = &g->face->glyph->outline;
		if (FT_Outline_New(g->lib, (FT_UInt)o->n_points, o->n_contours, &g->glyph[c]) ||
		    FT_Outline_Copy(o, &g->glyph[c]))
			goto fail;
		if (o->n_points > maxp)
			maxp = o->n_points;
		if (o->n_contours > maxc)
			maxc = o->n_contours;
		if (KYC_OCR_CLASSES[c] >= '0' && KYC_OCR_CLASSES[c] <= '9') {
			FT_BBox b;
			FT_Outline_Get_CBox(o, &b);
			if ((double)b.yMax / 64.0 > g->dtop)
				g->dtop = (double)b.yMax / 64.0;
		}
		if (KYC_OCR_CLASSES[c] == 'H') {
			FT_BBox b;
			FT_Outline_Get_CBox(o, &b);
			g->cap = (double)b.yMax / 64.0;
			g->adv = (double)g->face->glyph->advance.x / 64.0;
		}
	}
	if (FT_Outline_New(g->lib, (FT_UInt)maxp, maxc, &g->work))
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
		for (int c = 0; c < KYC_OCR_NCLASSES; c++)
			if (g->glyph[c].points)
				FT_Outline_Done(g->lib, &g->glyph[c]);
		if (g->work.points)
			FT_Outline_Done(g->lib, &g->work);
		if (g->face)
			FT_Done_Face(g->face);
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
	double k;              /* output pixels per font pixel */
	double a, b, c, d;     /* rotation x shear, applied to font coordinates */
	double fx, fy;         /* font point mapped to (ox, oy) */
	double ox, oy;         /* canvas coordinates, y up */
	double bold;           /* stroke change, font pixels (negative thins) */
};

static int draw(struct gen *g, int cls, double penx, double peny, const struct placement *p)
{
	FT_Outline *o = &g->work;
	const FT_Outline *src = &g->glyph[cls];
	o->n_points = src->n_points;
	o->n_contours = src->n_contours;
	if (FT_Outline_Copy(src, o))
		return -1;
	FT_Pos e = (FT_Pos)lround(p->bold * 64.0);
	if (e != 0 && FT_Outline_EmboldenXY(o, e, e))
		return -1;
	/* Emboldening keeps the left and bottom edges: re-centre the glyph. */
	FT_Outline_Translate(o, (FT_Pos)lround((penx - p->fx - p->bold / 2) * 64.0),
			     (FT_Pos)lround((peny - p->fy - p->bold / 2) * 64.0));
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

static void blur(float *img, int w, int h, double sigma)
{
	if (sigma < 0.2)
		return;
	int r = (int)ceil(2.5 * sigma);
	if (r > 8)
		r = 8;
	float k[17], sum = 0;
	for (int i = -r; i <= r; i++) {
		k[i + r] = (float)exp(-(double)(i * i) / (2 * sigma * sigma));
		sum += k[i + r];
	}
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= sum;
	static _Thread_local float tmp[CANVAS_MAX * CANVAS_MAX];
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			float acc = 0;
			for (int i = -r; i <= r; i++) {
				int xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
				acc += k[i + r] * img[y * w + xx];
			}
			tmp[y * w + x] = acc;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			float acc = 0;
			for (int i = -r; i <= r; i++) {
				int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
				acc += k[i + r] * tmp[yy * w + x];
			}
			img[y * w + x] = acc;
		}
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
	double cellw_lo, cellw_hi, cellh_lo, cellh_hi;
};

static const struct levelp LEVELS[GEN_NLEVELS] = {
	[GEN_CLEAN] = {12, 48, 1.0, 0.02, -0.02, 0.03, 0.04, 0.5, 3, 0, 0, 0, 0, 0, 0, 180, 60, 120,
		       0.95, 1.25, 1.15, 1.5},
	[GEN_MILD] = {9, 60, 3.0, 0.05, -0.04, 0.06, 0.08, 0.9, 7, 0.3, 50, 95, 0.3, 10, 0.08, 140,
		      100, 70, 0.9, 1.35, 1.1, 1.7},
	[GEN_HEAVY] = {7.5, 60, 5.0, 0.09, -0.06, 0.10, 0.12, 1.4, 14, 0.5, 25, 90, 0.6, 15, 0.15,
		       100, 140, 40, 0.8, 1.5, 1.05, 1.9},
};

int gen_sample(struct gen *g, uint64_t seed, uint64_t index, int level, int cls, int kind,
	       unsigned char *px, int *w, int *h)
{
	const struct levelp *L = &LEVELS[level];
	uint64_t s = seed * 0x2545f4914f6cdd1dULL ^ (index + 1) * 0x9e3779b97f4a7c15ULL;
	gen_mix(&s);

	double capo = exp(unif(&s, log(L->hmin), log(L->hmax)));
	struct placement p;
	p.k = capo / g->cap;
	double pitch = g->adv * unif(&s, 0.95, 1.1);
	double lpitch = g->cap * unif(&s, 1.55, 2.1);
	double th = unif(&s, -L->rot, L->rot) * 3.141592653589793 / 180.0;
	double sh = unif(&s, -L->shear, L->shear);
	/* rotation(th) * shear(sh): x' = x + sh*y, then rotate */
	p.a = cos(th);
	p.b = cos(th) * sh - sin(th);
	p.c = sin(th);
	p.d = sin(th) * sh + cos(th);
	p.bold = g->cap * unif(&s, L->bold_lo, L->bold_hi);
	/* Stroke changes below half a pixel at the target size do nothing
	 * visible, and thinning a tiny glyph breaks it apart. */
	if (p.bold < 0 && p.bold * p.k < -0.35)
		p.bold = -0.35 / p.k;

	double cellw = pitch * unif(&s, L->cellw_lo, L->cellw_hi);
	double cellh = g->cap * unif(&s, L->cellh_lo, L->cellh_hi);
	/* Half the cells are cut the way a line-based reader cuts them: the
	 * line's ink band (as tall as the digits when the line has any, else as
	 * the capitals) plus a quarter of it above and below. Then the glyph's
	 * height against the cell's says digit or letter ('0'/'O', '8'/'B'),
	 * which the glyph's own shape hardly does in OCR-B. */
	int band = gen_unif(&s) < 0.5;
	double bandc = 0;
	if (band) {
		double top = (gen_unif(&s) < 0.75 ? g->dtop : g->cap) + gauss(&s) * 0.02 * g->cap;
		double bot = -0.015 * g->cap + gauss(&s) * 0.02 * g->cap;
		double m = (top - bot) * unif(&s, 0.2, 0.3) + unif(&s, 0.5, 1.5) / p.k;
		cellh = top - bot + 2 * m;
		bandc = (top + bot) / 2;
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
	p.fx = g->adv / 2 + gauss(&s) * L->jitter * pitch;
	p.fy = band ? bandc : g->cap / 2 + gauss(&s) * L->jitter * g->cap * 0.7;
	p.ox = mx + ow / 2.0;
	p.oy = 2 + oh / 2.0;
	memset(g->canvas, 0, sizeof(float) * (size_t)(g->cw * g->ch));

	int side = gen_unif(&s) < 0.5 ? -1 : 1;
	if (kind == GEN_UPSIDE) {
		p.a = -p.a, p.b = -p.b, p.c = -p.c, p.d = -p.d;
	} else if (kind == GEN_STRADDLE) {
		p.fx += side * pitch * unif(&s, 0.4, 0.6);
	}
	if (kind != GEN_BLANK && draw(g, cls, 0, 0, &p))
		return -1;
	for (int dx = -2; dx <= 2; dx++) {
		if (dx == 0)
			continue;
		int force = kind == GEN_STRADDLE && dx == side;
		if ((force || gen_unif(&s) < 0.9) &&
		    draw(g, neighbour_class(&s), dx * pitch, 0, &p))
			return -1;
	}
	for (int dy = -1; dy <= 1; dy += 2) {
		if (gen_unif(&s) < 0.5)
			continue;
		for (int dx = -1; dx <= 1; dx++)
			if (draw(g, neighbour_class(&s), dx * pitch, dy * lpitch, &p))
				return -1;
	}

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
	double noise = unif(&s, 0, L->noise);
	/* Thresholding a blurred tiny glyph leaves a blob no reader could read;
	 * binarised input comes from sharp enough images. */
	double sigma = unif(&s, 0, L->blur);
	int binarise = gen_unif(&s) < L->p_bin && sigma * 10 < capo;
	double bthr = unif(&s, 0.3, 0.7);
	blur(g->canvas, g->cw, g->ch, sigma);
	unsigned char *buf = g->jpeg_in;
	/* sin(a + b) = sin a cos b + cos a sin b: two tables instead of a sine
	 * per pixel (the generator, not the network, bounds training speed). */
	double sx[CANVAS_MAX], cx[CANVAS_MAX];
	for (int x = 0; x < g->cw; x++) {
		sx[x] = sin(6.283 * tfx * x);
		cx[x] = cos(6.283 * tfx * x);
	}
	for (int y = 0; y < g->ch; y++) {
		double sy = sin(6.283 * tfy * y + tph), cy = cos(6.283 * tfy * y + tph);
		for (int x = 0; x < g->cw; x++) {
			double a = g->canvas[y * g->cw + x];
			if (binarise)
				a = a > bthr ? 1 : 0;
			double paper = bg + grad * ((double)x / g->cw - 0.5);
			if (ta > 0)
				paper += ta * (sx[x] * cy + cx[x] * sy);
			double v = paper * (1 - a) + ink * a;
			if (noise > 0.3)
				v += noise * gauss_fast(&s);
			buf[y * g->cw + x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
		}
	}
	if (gen_unif(&s) < L->p_jpeg)
		jpeg_roundtrip(buf, g->cw, g->ch, (int)unif(&s, L->q_lo, L->q_hi));
	for (int y = 0; y < oh; y++)
		memcpy(px + y * ow, buf + (y + my) * g->cw + mx, (size_t)ow);
	*w = ow;
	*h = oh;
	return 0;
}
