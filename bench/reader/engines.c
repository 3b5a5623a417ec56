/* bench/reader/engines.c: what the reader benchmarks share (bench/reader/bench.c
 * on generated photos and the specimen scans, bench/reader/realset.c on the
 * real set of bench/reader/realset.tsv): the CPU clock, kycd's lines joined as
 * the API's extraction passes them to the parser, and the Tesseract baseline
 * on kycd's own located and rectified band. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "document/mrz.h"
#include "engines.h"

double bench_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The reader's lines joined as the parser takes them, with each character's
 * runner-up and confidence when r is given, as the API's extraction passes
 * them (src/document/doc_read.c), so "valid" is what a user gets. */
size_t bench_join(char *out, char *alt, float *conf, size_t cap,
                  const char lines[][KYC_READER_MAX_CHARS + 1], int n,
                  const struct kyc_reader_result *r)
{
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(lines[i]);
		if (k + l + 1 >= cap)
			break;
		memcpy(out + k, lines[i], l);
		for (size_t j = 0; r && j < l; j++) {
			alt[k + j] = r->alt[i][j];
			conf[k + j] = r->conf[i][j];
		}
		k += l;
		if (r) {
			alt[k] = 0;
			conf[k] = 1;
		}
		out[k++] = '\n';
	}
	out[k] = 0;
	return k;
}

/* Tesseract's text for a band: keeps the characters MRZ lines can hold, and
 * the last nlines lines of at least 20 of them, cut or padded to len. */
static size_t clean_tess(const char *txt, int nlines, int len, char *out, size_t cap)
{
	char lines[16][128];
	int nl = 0;
	const char *p = txt;
	while (*p && nl < 16) {
		int k = 0;
		while (*p && *p != '\n') {
			if (((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || *p == '<') &&
			    k < 127)
				lines[nl][k++] = *p;
			p++;
		}
		if (*p == '\n')
			p++;
		lines[nl][k] = 0;
		if (k >= 20)
			nl++;
	}
	size_t o = 0;
	for (int i = nl - nlines < 0 ? 0 : nl - nlines; i < nl && o + len + 2 < cap; i++) {
		int k = (int)strlen(lines[i]);
		for (int j = 0; j < len; j++)
			out[o++] = j < k ? lines[i][j] : '<';
		out[o++] = '\n';
	}
	out[o] = 0;
	return o;
}

/* The baseline: our geometry, Tesseract's reading. Tries the candidates and
 * both ways up like kyc_reader_scan does, stopping at the first reading the
 * parser finds fully valid. Leaves its best text in out. */
size_t bench_tess_read(TessBaseAPI *api, const struct kyc_image *img, char *out, size_t cap)
{
	struct kyc_reader__cand c[4];
	double luma;
	int nc = kyc_reader__locate(img->gray, img->w, img->h, img->w, c, 4, &luma);
	size_t best = 0;
	out[0] = 0;
	for (int i = 0; i < nc; i++) {
		if (kyc_reader__refine(img, &c[i]) != 0)
			continue;
		for (int flip = 0; flip < 2; flip++) {
			struct kyc_reader__band b;
			struct kyc_reader__layout lay;
			if (kyc_reader__band_layout(img, &c[i], flip, &b, &lay) != 0) {
				free(b.px);
				continue;
			}
			const struct kyc_reader__line *f = &lay.ln[0], *l = &lay.ln[lay.nlines - 1];
			int m = KYC_READER__GLYPH_H / 2;
			int y0 = f->top - m < 0 ? 0 : f->top - m;
			int y1 = l->bot + m >= b.h ? b.h - 1 : l->bot + m;
			int x0 = (int)kyc_reader__cell_x(f, -1.5),
			    x1 = (int)kyc_reader__cell_x(f, lay.len + 0.5);
			if (x0 < 0)
				x0 = 0;
			if (x1 > b.w - 1)
				x1 = b.w - 1;
			TessBaseAPISetImage(api, b.px + (size_t)y0 * b.w + x0, x1 - x0 + 1,
			                    y1 - y0 + 1, 1, b.w);
			char *txt = TessBaseAPIGetUTF8Text(api);
			char tmp[256];
			size_t n = txt ? clean_tess(txt, lay.nlines, lay.len, tmp, sizeof tmp) : 0;
			TessDeleteText(txt);
			free(b.px);
			struct kyc_mrz mz;
			char err[64];
			int valid = n &&
			            kyc_mrz_parse(tmp, n, kyc_now_ms() / 86400000, &mz, err,
			                          sizeof err) == 0 &&
			            mz.valid;
			if (n && (!best || valid)) {
				memcpy(out, tmp, n + 1);
				best = n;
			}
			if (valid)
				return best;
		}
	}
	return best;
}

int bench_tess_open(TessBaseAPI **api)
{
	const char *env = getenv("TESS");
	*api = NULL;
	if (env && !strcmp(env, "0"))
		return 0;
	*api = TessBaseAPICreate();
	if (TessBaseAPIInit3(*api, NULL, "eng") != 0) {
		fprintf(stderr, "bench: tesseract eng model not found (tesseract-ocr-eng)\n");
		bench_tess_close(*api);
		*api = NULL;
		return -1;
	}
	TessBaseAPISetVariable(*api, "tessedit_char_whitelist",
	                       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<");
	TessBaseAPISetPageSegMode(*api, PSM_SINGLE_BLOCK);
	return 0;
}

void bench_tess_close(TessBaseAPI *api)
{
	if (!api)
		return;
	TessBaseAPIEnd(api);
	TessBaseAPIDelete(api);
}
