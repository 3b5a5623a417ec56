/* ocr-train real: a check of the compiled-in models on real scans. Each line of
 * the list names a JPEG, the pixel rows of one MRZ line and its true text; the
 * line is cut into equal cells the way a simple reader would (ink extent
 * divided by the character count), and every cell is classified by the first
 * and by the finer model, at the scan's size and scaled down to 0.6 and 0.52.
 * A rough stand-in for the reader pipeline, for measurement only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "document/ocr.h"

int cmd_real(const char *list, const char *dir);

static unsigned char *load_gray(const char *path, int *w, int *h)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	d.err = jpeg_std_error(&err);
	jpeg_create_decompress(&d);
	jpeg_stdio_src(&d, f);
	jpeg_read_header(&d, TRUE);
	d.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&d);
	*w = (int)d.output_width;
	*h = (int)d.output_height;
	unsigned char *px = malloc((size_t)*w * (size_t)*h);
	while (px && d.output_scanline < d.output_height) {
		JSAMPROW row = px + (size_t)d.output_scanline * (size_t)*w;
		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	fclose(f);
	return px;
}

/* The widest group of ink columns in rows [y0, y1], gaps of up to maxgap
 * blank columns allowed inside it (the spaces between characters). */
static void ink_extent(const unsigned char *px, int w, int y0, int y1, int maxgap, int *x0, int *x1)
{
	int best = -1, start = -1, last = -1;
	*x0 = 0;
	*x1 = w - 1;
	for (int x = 0; x <= w; x++) {
		int ink = 0;
		for (int y = y0; x < w && y <= y1; y++)
			ink += px[(size_t)y * w + x] < 110;
		if (x < w && ink > 0) {
			if (start < 0 || x - last > maxgap + 1)
				start = x;
			last = x;
			if (last - start > best) {
				best = last - start;
				*x0 = start;
				*x1 = last;
			}
		}
	}
}

/* Area-average downscale by f (0 < f <= 1), as a photo taken further away. */
static unsigned char *downscale(const unsigned char *px, int w, int h, double f, int *ow, int *oh)
{
	*ow = (int)(w * f), *oh = (int)(h * f);
	unsigned char *out = *ow > 0 && *oh > 0 ? malloc((size_t)*ow * (size_t)*oh) : NULL;
	for (int y = 0; out && y < *oh; y++)
		for (int x = 0; x < *ow; x++) {
			int xa = (int)(x / f), xb = (int)((x + 1) / f), ya = (int)(y / f),
			    yb = (int)((y + 1) / f);
			xb = xb > w ? w : xb > xa ? xb : xa + 1;
			yb = yb > h ? h : yb > ya ? yb : ya + 1;
			long acc = 0;
			for (int yy = ya; yy < yb; yy++)
				for (int xx = xa; xx < xb; xx++)
					acc += px[(size_t)yy * w + xx];
			out[(size_t)y * *ow + x] =
			    (unsigned char)(acc / ((long)(xb - xa) * (yb - ya)));
		}
	return out;
}

/* Characters right: the first model (top-1, top-2), the finer model, and on
 * the cells the first model reads under 0.9 (where the reader asks the finer
 * model) each model's share. */
struct tally {
	int total, right, right2, fine, unsure, unsure_first, unsure_fine;
};

static void read_line(const unsigned char *px, int w, int h, int y0, int y1, const char *truth,
                      struct tally *t, char *read)
{
	int n = (int)strlen(truth), x0, x1;
	int lh = y1 - y0 + 1;
	ink_extent(px, w, y0, y1, lh / 2, &x0, &x1);
	/* OCR-B glyphs are about 0.69 of the pitch wide. */
	double pitch = (x1 - x0 + 1) / (n - 1 + 0.69);
	int pad = lh / 4;
	for (int i = 0; i < n; i++) {
		double c = x0 + 0.345 * pitch + i * pitch;
		int cy0 = y0 - pad, cy1 = y1 + pad;
		if (cy0 < 0)
			cy0 = 0;
		if (cy1 >= h)
			cy1 = h - 1;
		struct kyc_ocr_guess g[2], gf[1];
		int rc = kyc_ocr_classify_at(px, w, h, w, c, pitch, cy0, cy1, g, 2);
		int rf = kyc_ocr_classify_fine_at(px, w, h, w, c, pitch, cy0, cy1, gf, 1);
		read[i] = rc > 0 ? g[0].ch : '?';
		int ok = rc > 0 && g[0].ch == truth[i], okf = rf > 0 && gf[0].ch == truth[i];
		t->right += ok;
		t->right2 += rc > 0 && (g[0].ch == truth[i] || g[1].ch == truth[i]);
		t->fine += okf;
		if (rc > 0 && g[0].score < 0.9f) {
			t->unsure++;
			t->unsure_first += ok;
			t->unsure_fine += okf;
		}
	}
	read[n] = 0;
	t->total += n;
}

int cmd_real(const char *list, const char *dir)
{
	FILE *f = fopen(list, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", list);
		return 1;
	}
	/* the scans as they are, and as photos taken further away (the scales
	 * bench/reader reads them at too) */
	static const double scales[] = {1.0, 0.6, 0.52};
	struct tally t[3] = {{0}};
	char line[512], file[256], truth[128];
	int y0, y1;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%255s %d %d %127s", file, &y0, &y1, truth) != 4)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, file);
		int w, h;
		unsigned char *px = load_gray(path, &w, &h);
		if (!px || y0 < 0 || y1 >= h || y1 <= y0) {
			fprintf(stderr, "cannot read %s\n", path);
			free(px);
			fclose(f);
			return 1;
		}
		for (int k = 0; k < 3; k++) {
			int sw = w, sh = h;
			unsigned char *sp = k ? downscale(px, w, h, scales[k], &sw, &sh) : px;
			if (!sp)
				continue;
			struct tally one = {0};
			char read[128];
			int sy0 = (int)(y0 * scales[k]), sy1 = (int)(y1 * scales[k]);
			read_line(sp, sw, sh, sy0, sy1 < sh ? sy1 : sh - 1, truth, &one, read);
			if (k == 0)
				printf("%-16s %s\n%-16s %s  %d/%d (top-2 %d, finer %d)\n", file,
				       truth, "", read, one.right, one.total, one.right2, one.fine);
			t[k].total += one.total, t[k].right += one.right, t[k].right2 += one.right2;
			t[k].fine += one.fine, t[k].unsure += one.unsure;
			t[k].unsure_first += one.unsure_first, t[k].unsure_fine += one.unsure_fine;
			if (k)
				free(sp);
		}
		free(px);
	}
	fclose(f);
	for (int k = 0; k < 3; k++)
		printf(
		    "real scans x%.2f: %d/%d characters right (%.2f%%), top-2 %d; finer model %d; "
		    "under 0.9 by the first model %d: first %d, finer %d right\n",
		    scales[k], t[k].right, t[k].total,
		    t[k].total ? 100.0 * t[k].right / t[k].total : 0, t[k].right2, t[k].fine,
		    t[k].unsure, t[k].unsure_first, t[k].unsure_fine);
	return 0;
}
