/* Training lines for the Eastern Arabic digit reader: a random number or
 * date set in one of the training fonts, photographed the way a rectified
 * card field looks (size, weight, spacing tight enough for neighbours to
 * touch, a low-resolution capture scaled back up, blur, a pastel ground with
 * fine waves, noise), with each pixel's owner character for the labels. */
#include "lines.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include "core/err.h"

struct lines {
	FT_Library lib;
	FT_Face face[LINES_MAX_FONTS];
	int nfaces;
};

struct lines *lines_new(const char *const *paths, int n)
{
	struct lines *L = calloc(1, sizeof *L);
	if (!L || FT_Init_FreeType(&L->lib)) {
		free(L);
		return NULL;
	}
	for (int i = 0; i < n && L->nfaces < LINES_MAX_FONTS; i++) {
		FT_Face f;
		if (FT_New_Face(L->lib, paths[i], 0, &f))
			continue;
		/* Only a face with all ten digits and the slash. */
		int ok = FT_Get_Char_Index(f, '/') != 0;
		for (unsigned c = 0x660; c <= 0x669 && ok; c++)
			ok = FT_Get_Char_Index(f, c) != 0;
		if (ok)
			L->face[L->nfaces++] = f;
		else
			FT_Done_Face(f);
	}
	return L;
}

int lines_nfonts(const struct lines *L)
{
	return L->nfaces;
}

void lines_free(struct lines *L)
{
	if (!L)
		return;
	for (int i = 0; i < L->nfaces; i++)
		FT_Done_Face(L->face[i]);
	FT_Done_FreeType(L->lib);
	free(L);
}

uint64_t lines_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t *s, double a, double b)
{
	return a + (b - a) * (double)(lines_rng(s) >> 11) / 9007199254740992.0;
}

static int irand(uint64_t *s, int a, int b)
{
	return a + (int)(lines_rng(s) % (uint64_t)(b - a + 1));
}

/* Separable Gaussian blur of a float plane in place. */
static void blur(float *p, int w, int h, double sigma, float *tmp)
{
	if (sigma < 0.3)
		return;
	int r = (int)ceil(2.5 * sigma);
	float k[64];
	double sum = 0;
	r = r > 31 ? 31 : r;
	for (int i = -r; i <= r; i++)
		sum += (k[i + r] = (float)exp(-i * i / (2 * sigma * sigma)));
	for (int i = 0; i <= 2 * r; i++)
		k[i] = (float)(k[i] / sum);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int i = -r; i <= r; i++) {
				int X = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
				a += k[i + r] * p[y * w + X];
			}
			tmp[y * w + x] = (float)a;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;
			for (int i = -r; i <= r; i++) {
				int Y = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
				a += k[i + r] * tmp[Y * w + x];
			}
			p[y * w + x] = (float)a;
		}
}

/* The text of a line: a national number, a date, or digits of any length. */
static int line_text(uint64_t *s, char *text)
{
	int kind = irand(s, 0, 9), n = 0;
	if (kind < 4) {
		for (; n < 14; n++)
			text[n] = (char)('0' + irand(s, 0, 9));
	} else if (kind < 8) {
		for (; n < 10; n++)
			text[n] = n == 4 || n == 7 ? '/' : (char)('0' + irand(s, 0, 9));
	} else {
		int len = irand(s, 3, 16);
		for (; n < len; n++)
			text[n] = irand(s, 0, 7) ? (char)('0' + irand(s, 0, 9)) : '/';
	}
	text[n] = 0;
	return n;
}

int lines_make(struct lines *L, uint64_t seed, struct line_sample *out)
{
	uint64_t st = seed * 0x2545F4914F6CDD1DULL + 17, *s = &st;
	memset(out, 0, sizeof *out);
	int n = line_text(s, out->text);
	FT_Face face = L->face[irand(s, 0, L->nfaces - 1)];
	/* The field's em in the rectified card (10 px/mm: 2.8..5.2 mm) and the
	 * resolution it was captured at before the warp scaled it up. */
	double em = unif(s, 26, 54), capture = unif(s, 0.35, 1.0);
	if (irand(s, 0, 3) == 0)
		capture = 1.0;
	double em_lo = em * capture, track = unif(s, -0.10, 0.12) * em_lo;
	double bold = irand(s, 0, 2) == 0 ? unif(s, 0.0, 0.035) * em_lo : 0;
	/* Low-resolution canvas with margins like a field's crop. */
	int lw = (int)ceil(em_lo * (0.9 * n + 3)) + 8, lh = (int)ceil(em_lo * 1.9) + 4;
	if (lw > LINES_MAX_W || lh > LINES_MAX_H)
		return KYC_ERR_TOOBIG;
	float *cov = calloc((size_t)lw * (size_t)lh, sizeof *cov);
	signed char *own = malloc((size_t)lw * (size_t)lh);
	float *covown = calloc((size_t)lw * (size_t)lh, sizeof *covown);
	if (!cov || !own || !covown) {
		free(cov), free(own), free(covown);
		return KYC_ERR_NOMEM;
	}
	memset(own, -1, (size_t)lw * (size_t)lh);
	FT_Set_Char_Size(face, 0, (FT_F26Dot6)lround(em_lo * 64), 72, 72);
	double pen = unif(s, 0.3, 1.2) * em_lo, base = unif(s, 0.95, 1.25) * em_lo;
	for (int i = 0; i < n; i++) {
		unsigned cp = out->text[i] == '/' ? '/' : 0x660u + (unsigned)(out->text[i] - '0');
		double fx = pen - floor(pen);
		FT_Vector d = {(FT_Pos)lround(fx * 64), 0};
		FT_Set_Transform(face, NULL, &d);
		if (FT_Load_Char(face, cp, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP))
			continue;
		if (bold > 0 && face->glyph->format == FT_GLYPH_FORMAT_OUTLINE)
			FT_Outline_Embolden(&face->glyph->outline, (FT_Pos)lround(bold * 64));
		if (FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL))
			continue;
		FT_GlyphSlot g = face->glyph;
		int ox = (int)floor(pen) + g->bitmap_left, oy = (int)lround(base) - g->bitmap_top;
		for (unsigned y = 0; y < g->bitmap.rows; y++)
			for (unsigned x = 0; x < g->bitmap.width; x++) {
				int X = ox + (int)x, Y = oy + (int)y;
				float v = g->bitmap.buffer[(int)y * g->bitmap.pitch + (int)x] / 255.0f;
				if (X < 0 || Y < 0 || X >= lw || Y >= lh || v <= 0)
					continue;
				size_t k = (size_t)Y * (size_t)lw + (size_t)X;
				cov[k] = cov[k] + v > 1 ? 1 : cov[k] + v;
				if (v > covown[k])
					covown[k] = v, own[k] = (signed char)i;
			}
		pen += g->advance.x / 64.0 + track;
	}
	FT_Set_Transform(face, NULL, NULL);
	/* Scaled up to the card's resolution (bilinear, as the warp does). */
	int w = (int)lround(lw / capture), h = (int)lround(lh / capture);
	w = w > LINES_MAX_W ? LINES_MAX_W : w, h = h > LINES_MAX_H ? LINES_MAX_H : h;
	float *big = malloc((size_t)w * (size_t)h * sizeof *big);
	float *tmp = malloc((size_t)(w > lw ? w : lw) * (size_t)(h > lh ? h : lh) * sizeof *tmp);
	if (!big || !tmp) {
		free(cov), free(own), free(covown), free(big), free(tmp);
		return KYC_ERR_NOMEM;
	}
	blur(cov, lw, lh, unif(s, 0, 0.6), tmp);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double X = (x + 0.5) * capture - 0.5, Y = (y + 0.5) * capture - 0.5;
			int ix = (int)floor(X), iy = (int)floor(Y);
			double ax = X - ix, ay = Y - iy;
			ix = ix < 0 ? 0 : ix >= lw - 1 ? lw - 2 : ix;
			iy = iy < 0 ? 0 : iy >= lh - 1 ? lh - 2 : iy;
			const float *p = cov + (size_t)iy * (size_t)lw + (size_t)ix;
			big[(size_t)y * (size_t)w + (size_t)x] =
			    (float)((p[0] * (1 - ax) + p[1] * ax) * (1 - ay) + (p[lw] * (1 - ax) + p[lw + 1] * ax) * ay);
			int ox = (int)((x + 0.5) * capture), oy = (int)((y + 0.5) * capture);
			ox = ox >= lw ? lw - 1 : ox, oy = oy >= lh ? lh - 1 : oy;
			out->owner[(size_t)y * (size_t)w + (size_t)x] = own[(size_t)oy * (size_t)lw + (size_t)ox];
		}
	blur(big, w, h, unif(s, 0, 1.4), tmp);
	/* Paper, a gradient and fine waves, ink, noise. */
	double paper = unif(s, 165, 245), ink = unif(s, 10, 100), grad = unif(s, -25, 25);
	double wave_a = unif(s, 0, 35), period = unif(s, 10, 40), ph = unif(s, 0, 6.3);
	double noise = unif(s, 0, 9);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double bg = paper + grad * x / w;
			double wv = fabs(sin(2 * M_PI * (y + 0.3 * x) / period + ph));
			bg -= wave_a * (wv > 0.97 ? 1 : 0);
			double v = bg - (bg - ink) * big[(size_t)y * (size_t)w + (size_t)x];
			v += noise * (unif(s, -1, 1) + unif(s, -1, 1));
			out->gray[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	out->w = w, out->h = h, out->n = n;
	free(cov), free(own), free(covown), free(big), free(tmp);
	return 0;
}
