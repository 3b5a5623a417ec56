#include "document/edigits.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H

#include "core/err.h"

#define NW 16 /* normalised glyph grid */
#define NH 20
#define NFEAT (NW * NH + 2)
#define MAX_FONTS 8
#define NCLASS 11 /* ٠..٩ and '/' */
#define MAX_GLYPHS 32

static const char *const default_fonts[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
	"/usr/share/fonts/truetype/noto/NotoKufiArabic-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoKufiArabic-Bold.ttf",
};

struct tmpl {
	int cls;
	float f[NFEAT];
};

static struct tmpl templates[MAX_FONTS * NCLASS];
static int ntemplates;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A glyph's ink box inside a binary (1 = ink) w x h image. */
struct box {
	int x0, y0, x1, y1; /* inclusive */
};

/* Features of the ink inside b: the box resampled into NW x NH (aspect kept,
 * centred), then its height against the line's and its middle's height in
 * the line, which tell ٠ (a small dot at mid height) from the rest. */
static void features(const unsigned char *ink, int w, struct box b, double line_top,
		     double line_h, float *f)
{
	int bw = b.x1 - b.x0 + 1, bh = b.y1 - b.y0 + 1;
	double s = fmax((double)bw / NW, (double)bh / NH);
	double ox = b.x0 + bw / 2.0 - s * NW / 2, oy = b.y0 + bh / 2.0 - s * NH / 2;
	double norm = 0;
	for (int y = 0; y < NH; y++)
		for (int x = 0; x < NW; x++) {
			/* Average of the cell's area, sampled 3 x 3. */
			double v = 0;
			for (int j = 0; j < 3; j++)
				for (int i = 0; i < 3; i++) {
					int px = (int)floor(ox + (x + (i + 0.5) / 3) * s);
					int py = (int)floor(oy + (y + (j + 0.5) / 3) * s);
					if (px >= b.x0 && px <= b.x1 && py >= b.y0 && py <= b.y1)
						v += ink[(size_t)py * (size_t)w + (size_t)px];
				}
			f[y * NW + x] = (float)(v / 9);
			norm += (v / 9) * (v / 9);
		}
	norm = sqrt(norm) + 1e-6;
	for (int i = 0; i < NW * NH; i++)
		f[i] = (float)(f[i] / norm);
	f[NW * NH] = (float)(1.5 * bh / line_h);
	f[NW * NH + 1] = (float)(1.5 * ((b.y0 + b.y1) / 2.0 - line_top) / line_h);
}

static void load_templates(void)
{
	FT_Library lib;
	if (FT_Init_FreeType(&lib))
		return;
	const char *env = getenv("KYCD_EDIGIT_FONTS");
	char *list = env && *env ? strdup(env) : NULL;
	const char *paths[MAX_FONTS];
	int np = 0;
	if (list) {
		for (char *save = NULL, *p = strtok_r(list, ":", &save); p && np < MAX_FONTS;
		     p = strtok_r(NULL, ":", &save))
			paths[np++] = p;
	} else {
		for (size_t i = 0; i < sizeof default_fonts / sizeof default_fonts[0]; i++)
			paths[np++] = default_fonts[i];
	}
	enum { EM = 64, SZ = 128 };
	unsigned char *ink = calloc(SZ * SZ, 1);
	for (int p = 0; p < np && ink; p++) {
		FT_Face face;
		if (FT_New_Face(lib, paths[p], 0, &face))
			continue;
		FT_Set_Pixel_Sizes(face, 0, EM);
		/* The line: digits stand on the baseline up to the font's digit height. */
		double line_top = SZ / 2.0 - EM * 0.75, line_h = EM * 0.75;
		for (int c = 0; c < NCLASS; c++) {
			unsigned cp = c < 10 ? 0x660u + (unsigned)c : '/';
			FT_UInt gi = FT_Get_Char_Index(face, cp);
			if (!gi || FT_Load_Glyph(face, gi, FT_LOAD_RENDER))
				continue;
			FT_Bitmap *bm = &face->glyph->bitmap;
			memset(ink, 0, SZ * SZ);
			struct box b = {SZ, SZ, -1, -1};
			for (unsigned y = 0; y < bm->rows; y++)
				for (unsigned x = 0; x < bm->width; x++) {
					int X = 16 + (int)x, Y = SZ / 2 - face->glyph->bitmap_top + (int)y;
					if (X < 0 || Y < 0 || X >= SZ || Y >= SZ ||
					    bm->buffer[(int)y * bm->pitch + (int)x] < 128)
						continue;
					ink[Y * SZ + X] = 1;
					b.x0 = X < b.x0 ? X : b.x0, b.x1 = X > b.x1 ? X : b.x1;
					b.y0 = Y < b.y0 ? Y : b.y0, b.y1 = Y > b.y1 ? Y : b.y1;
				}
			if (b.x1 < 0 || ntemplates >= MAX_FONTS * NCLASS)
				continue;
			struct tmpl *t = &templates[ntemplates++];
			t->cls = c;
			features(ink, SZ, b, line_top, line_h, t->f);
		}
		FT_Done_Face(face);
	}
	free(ink);
	free(list);
	FT_Done_FreeType(lib);
}

/* Otsu's threshold of the crop. */
static int otsu(const unsigned char *g, int w, int h, int stride)
{
	double hist[256] = {0}, n = (double)w * h, sum = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			hist[g[(size_t)y * (size_t)stride + (size_t)x]]++;
	for (int i = 0; i < 256; i++)
		sum += i * hist[i];
	double wb = 0, sb = 0, best = -1;
	int t = 128;
	for (int i = 0; i < 256; i++) {
		wb += hist[i];
		if (wb == 0 || wb == n)
			continue;
		sb += i * hist[i];
		double mb = sb / wb, mf = (sum - sb) / (n - wb);
		double between = wb * (n - wb) * (mb - mf) * (mb - mf);
		if (between > best)
			best = between, t = i;
	}
	return t;
}

/* Connected ink components (8-neighbours) as boxes; returns how many. */
static int components(unsigned char *ink, int w, int h, int *stack, struct box *out, int cap,
		      int *area)
{
	int n = 0;
	for (int s = 0; s < w * h; s++) {
		if (ink[s] != 1)
			continue;
		struct box b = {w, h, -1, -1};
		int sp = 0, a = 0;
		ink[s] = 2;
		stack[sp++] = s;
		while (sp > 0) {
			int i = stack[--sp], x = i % w, y = i / w;
			a++;
			b.x0 = x < b.x0 ? x : b.x0, b.x1 = x > b.x1 ? x : b.x1;
			b.y0 = y < b.y0 ? y : b.y0, b.y1 = y > b.y1 ? y : b.y1;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int X = x + dx, Y = y + dy;
					if (X < 0 || Y < 0 || X >= w || Y >= h || ink[Y * w + X] != 1)
						continue;
					ink[Y * w + X] = 2;
					stack[sp++] = Y * w + X;
				}
		}
		if (n < cap)
			area[n] = a, out[n++] = b;
	}
	for (int i = 0; i < w * h; i++)
		ink[i] = ink[i] ? 1 : 0;
	return n;
}

/* ٢ and ٣ differ only in their top: two prongs or three. The most ink runs
 * a row of the glyph's upper part crosses tells them apart where the whole
 * glyph's shape is too close to call. */
static int top_prongs(const unsigned char *ink, int w, struct box b)
{
	int most = 0, hgt = b.y1 - b.y0 + 1, min_run = (b.x1 - b.x0 + 1) / 12 + 1;
	for (int y = b.y0; y <= b.y0 + hgt * 2 / 5; y++) {
		int runs = 0, len = 0;
		for (int x = b.x0; x <= b.x1 + 1; x++) {
			int on = x <= b.x1 && ink[(size_t)y * (size_t)w + (size_t)x];
			if (on)
				len++;
			else if (len) {
				runs += len >= min_run;
				len = 0;
			}
		}
		most = runs > most ? runs : most;
	}
	return most;
}

static int by_x(const void *a, const void *b)
{
	return ((const struct box *)a)->x0 - ((const struct box *)b)->x0;
}

int kyc_edigits_read(const unsigned char *gray, int w, int h, int stride, int slashes, char *out,
		     int cap, int *conf)
{
	out[0] = 0;
	*conf = 0;
	if (w < 8 || h < 8 || cap < 2)
		return KYC_ERR_INVALID;
	pthread_once(&once, load_templates);
	if (ntemplates == 0)
		return KYC_ERR_UNSUPPORTED;
	unsigned char *ink = malloc((size_t)w * (size_t)h);
	int *stack = malloc((size_t)w * (size_t)h * sizeof *stack); /* each pixel once */
	enum { MAXC = 256 };
	struct box comp[MAXC], glyph[MAX_GLYPHS];
	int area[MAXC];
	if (!ink || !stack) {
		free(ink);
		free(stack);
		return KYC_ERR_NOMEM;
	}
	int t = otsu(gray, w, h, stride);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			ink[(size_t)y * (size_t)w + (size_t)x] =
			    gray[(size_t)y * (size_t)stride + (size_t)x] <= t;
	int n = components(ink, w, h, stack, comp, MAXC, area);
	/* The line's extent: the tallest components are digits. */
	int tall = 0;
	for (int i = 0; i < n; i++)
		tall = comp[i].y1 - comp[i].y0 > tall ? comp[i].y1 - comp[i].y0 : tall;
	double line_top = h, line_bot = 0;
	for (int i = 0; i < n; i++)
		if (comp[i].y1 - comp[i].y0 >= tall * 0.6) {
			line_top = fmin(line_top, comp[i].y0);
			line_bot = fmax(line_bot, comp[i].y1);
		}
	double line_h = line_bot - line_top + 1;
	/* Keep what could be part of a digit: inside the line, not specks;
	 * the zero is a small dot, so the floor is low. */
	int ng = 0;
	for (int i = 0; i < n && ng < MAX_GLYPHS; i++) {
		struct box b = comp[i];
		double cy = (b.y0 + b.y1) / 2.0;
		if (cy < line_top || cy > line_bot || area[i] < line_h * line_h * 0.01 ||
		    b.y1 - b.y0 + 1 < line_h * 0.12)
			continue;
		glyph[ng++] = b;
	}
	qsort(glyph, (size_t)ng, sizeof glyph[0], by_x);
	/* Pieces of one glyph that overlap in x become one. */
	int m = 0;
	for (int i = 0; i < ng; i++) {
		if (m > 0) {
			struct box *p = &glyph[m - 1];
			int ov = (p->x1 < glyph[i].x1 ? p->x1 : glyph[i].x1) - glyph[i].x0;
			int narrow = glyph[i].x1 - glyph[i].x0 < p->x1 - p->x0 ? glyph[i].x1 - glyph[i].x0
										 : p->x1 - p->x0;
			/* Only a small piece joins its neighbour: two tall glyphs that
			 * overlap (a slanted '/' under kerning) stay apart. */
			int small = glyph[i].y1 - glyph[i].y0 < line_h * 0.45 ||
				    p->y1 - p->y0 < line_h * 0.45;
			if (small && ov > narrow / 2) {
				p->x0 = p->x0 < glyph[i].x0 ? p->x0 : glyph[i].x0;
				p->x1 = p->x1 > glyph[i].x1 ? p->x1 : glyph[i].x1;
				p->y0 = p->y0 < glyph[i].y0 ? p->y0 : glyph[i].y0;
				p->y1 = p->y1 > glyph[i].y1 ? p->y1 : glyph[i].y1;
				continue;
			}
		}
		glyph[m++] = glyph[i];
	}
	int k = 0, minconf = 100;
	for (int i = 0; i < m && k + 1 < cap; i++) {
		float f[NFEAT];
		features(ink, w, glyph[i], line_top, line_h, f);
		double best[NCLASS];
		for (int c = 0; c < NCLASS; c++)
			best[c] = 1e9;
		for (int j = 0; j < ntemplates; j++) {
			double d = 0;
			for (int q = 0; q < NFEAT; q++)
				d += (f[q] - templates[j].f[q]) * (f[q] - templates[j].f[q]);
			if (d < best[templates[j].cls])
				best[templates[j].cls] = d;
		}
		int c1 = -1, c2 = -1;
		for (int c = 0; c < NCLASS; c++) {
			if (c == 10 && !slashes)
				continue;
			if (c1 < 0 || best[c] < best[c1])
				c2 = c1, c1 = c;
			else if (c2 < 0 || best[c] < best[c2])
				c2 = c;
		}
		/* Confidence from the margin to the runner-up. */
		double margin = c2 >= 0 ? (best[c2] - best[c1]) / (best[c2] + 1e-9) : 1;
		int cf = (int)lround(100 * fmin(1, margin * 2.5));
		if ((c1 == 2 || c1 == 3) && (c2 == 2 || c2 == 3)) {
			int prongs = top_prongs(ink, w, glyph[i]);
			if (prongs >= 2) {
				c1 = prongs >= 3 ? 3 : 2;
				cf = 60; /* the prongs decided, not the shape */
			}
		}
		minconf = cf < minconf ? cf : minconf;
		out[k++] = c1 == 10 ? '/' : (char)('0' + c1);
	}
	out[k] = 0;
	*conf = k ? minconf : 0;
	free(ink);
	free(stack);
	return 0;
}
