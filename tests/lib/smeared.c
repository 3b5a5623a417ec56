/* Smeared photos and judged scans (smeared.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "document/mrz.h"
#include "document/reader.h"
#include "smeared.h"

void tsmear_rows(struct kyc_image *img, const struct kyc_synth_doc *d, int r)
{
	int x0 = img->w, x1 = 0, y0 = img->h, y1 = 0;
	for (int k = 0; k < 4; k++) {
		int x = (int)d->mrz_quad[k][0], y = (int)d->mrz_quad[k][1];
		x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
		y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
	}
	x0 = x0 - 4 * r < 0 ? 0 : x0 - 4 * r, x1 = x1 + 4 * r >= img->w ? img->w - 1 : x1 + 4 * r;
	y0 = y0 - r < 0 ? 0 : y0 - r, y1 = y1 + 2 * r >= img->h ? img->h - 1 : y1 + 2 * r;
	unsigned char *t = malloc((size_t)img->w);
	for (int y = y0; y <= y1 && t; y++) {
		unsigned char *row = img->gray + (size_t)y * img->w;
		for (int x = x0; x <= x1; x++) {
			int s = 0, c = 0;
			for (int k = x - r; k <= x + r; k++)
				if (k >= 0 && k < img->w) {
					s += row[k];
					c++;
				}
			t[x] = (unsigned char)(s / c);
		}
		memcpy(row + x0, t + x0, (size_t)(x1 - x0 + 1));
	}
	free(t);
}

int tsmear_scan_valid(const struct kyc_image *img, const struct kyc_synth_doc *d, int *exact)
{
	struct kyc_reader_result r;
	*exact = 0;
	if (kyc_reader_scan(img, &r) != 0)
		return 0;
	char text[KYC_READER_MAX_LINES * (KYC_READER_MAX_CHARS + 1) + 1], alt[sizeof text];
	float conf[sizeof text];
	size_t k = 0;
	int same = r.nlines == d->id.nlines;
	for (int i = 0; i < r.nlines; i++) {
		same = same && !strcmp(r.lines[i], d->id.lines[i]);
		for (int j = 0; j < r.line_len; j++, k++) {
			text[k] = r.lines[i][j];
			alt[k] = r.alt[i][j];
			conf[k] = r.conf[i][j];
		}
		text[k] = '\n';
		alt[k] = 0;
		conf[k++] = 1;
	}
	struct kyc_mrz m;
	char err[128];
	int valid = kyc_mrz_parse_ocr(text, alt, conf, k, kyc_now_ms() / 86400000, &m, err,
	                              sizeof err) == 0 &&
	            m.valid;
	if (valid && !same)
		for (int i = 0; i < r.nlines; i++)
			printf("  valid but wrong: read %s, truth %s\n", r.lines[i],
			       i < d->id.nlines ? d->id.lines[i] : "-");
	*exact = same;
	return valid;
}

void tsmear_tally(struct kyc_image *img, const struct kyc_synth_doc *d, struct tsmear_tally *t)
{
	int exact, v = tsmear_scan_valid(img, d, &exact);
	t->valid += v;
	t->right += v && exact;
	t->wrong += v && !exact;
	kyc_image_free(img);
}
