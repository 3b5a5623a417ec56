/* ocr-train real: a check of the compiled-in model on real scans. Each line of
 * the list names a JPEG, the pixel rows of one MRZ line and its true text; the
 * line is cut into equal cells the way a simple reader would (ink extent
 * divided by the character count), and every cell is classified. A rough
 * stand-in for the reader pipeline, for measurement only. */
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
static void ink_extent(const unsigned char *px, int w, int y0, int y1, int maxgap, int *x0,
		       int *x1)
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

int cmd_real(const char *list, const char *dir)
{
	FILE *f = fopen(list, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", list);
		return 1;
	}
	char line[512], file[256], truth[128];
	int y0, y1, total = 0, right = 0, right2 = 0;
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
		int n = (int)strlen(truth), x0, x1;
		int lh = y1 - y0 + 1;
		ink_extent(px, w, y0, y1, lh / 2, &x0, &x1);
		/* OCR-B glyphs are about 0.69 of the pitch wide. */
		double pitch = (x1 - x0 + 1) / (n - 1 + 0.69);
		int pad = lh / 4;
		char read[128];
		int ok = 0, ok2 = 0;
		for (int i = 0; i < n; i++) {
			double c = x0 + 0.345 * pitch + i * pitch;
			int cy0 = y0 - pad, cy1 = y1 + pad;
			if (cy0 < 0)
				cy0 = 0;
			if (cy1 >= h)
				cy1 = h - 1;
			struct kyc_ocr_guess g[2];
			int rc = kyc_ocr_classify_at(px, w, h, w, c, pitch, cy0, cy1, g, 2);
			read[i] = rc > 0 ? g[0].ch : '?';
			ok += rc > 0 && g[0].ch == truth[i];
			ok2 += rc > 0 && (g[0].ch == truth[i] || g[1].ch == truth[i]);
		}
		read[n] = 0;
		printf("%-16s %s\n%-16s %s  %d/%d (top-2 %d)\n", file, truth, "", read, ok, n, ok2);
		total += n;
		right += ok;
		right2 += ok2;
		free(px);
	}
	fclose(f);
	printf("real scans: %d/%d characters right (%.2f%%), top-2 %d\n", right, total,
	       total ? 100.0 * right / total : 0, right2);
	return 0;
}
