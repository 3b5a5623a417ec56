/* Finding MRZ text lines in a photo.
 *
 * The MRZ is 2-3 long lines of dense, equally tall, monospaced characters with
 * no real spaces (every position holds a glyph, fillers included). So: shrink
 * the photo to a working size, mark ink against the paper around it (the
 * closing: dark strokes are ink, a dark desk is not), fill short
 * gaps along rows so each text line becomes one solid blob, and keep blobs that
 * are long, thin, solid and nearly horizontal, ranked by length and by how many
 * equal parallel neighbours they have. The same is done along the columns
 * for documents turned by 90°. Everything is linear in the pixel count. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/morph.h"
#include "document/reader.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef unsigned char v16b __attribute__((vector_size(16)));
typedef uint16_t v16w __attribute__((vector_size(32)));

/* The closing's radius in working pixels: MRZ strokes are 1-3 px thick at the
 * working size, the desk beside a card is far wider than 5 px. */
#define INK_R 2
/* a run longer than the canvas's longer side over this is a rule, not glyphs */
#define RULE_DIV 5

struct comp {
	double n, sx, sy, sxx, syy, sxy;
	int x0, y0, x1, y1;
};

static int uf_find(int *p, int i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

struct run {
	int y, x0, x1, lab;
};

/* sum of k^2 for k = 0..m */
static double sq_sum(double m)
{
	return m < 0 ? 0 : m * (m + 1) * (2 * m + 1) / 6;
}

/* The ink runs of each row of a w×h mask (no gap bridged), row by row and
 * left to right; how many (at most (w/2+1)*h). */
static int row_runs(const unsigned char *mask, int w, int h, struct run *runs)
{
	int nr = 0;
	for (int y = 0; y < h; y++) {
		const unsigned char *row = mask + (size_t)y * w;
		for (int x = 0; x < w;) {
			if (!row[x]) {
				uint64_t word; /* most of the mask is empty: 8 bytes a step */
				while (x + 8 <= w && (memcpy(&word, row + x, 8), word == 0))
					x += 8;
				while (x < w && !row[x])
					x++;
				continue;
			}
			int x0 = x;
			while (x < w && row[x])
				x++;
			runs[nr++] = (struct run){y, x0, x - 1, 0};
		}
	}
	return nr;
}

/* The ink runs of each column of a w×h mask, column by column and top to
 * bottom, as row_runs gives them for the transposed mask (y the column, x0..x1
 * the rows), without transposing: a run starts or ends where a row differs
 * from the one above, which 8 bytes of XOR find at a time. open is w scratch,
 * tmp as large as runs; how many (at most (h/2+1)*w). */
static int col_runs(const unsigned char *mask, int w, int h, struct run *runs, struct run *tmp,
		    int *open, int *count)
{
	int nr = 0;
	memset(count, 0, sizeof(int) * ((size_t)w + 1));
	for (int y = 0; y <= h; y++) {
		const unsigned char *row = y < h ? mask + (size_t)y * w : NULL;
		const unsigned char *up = y > 0 ? mask + (size_t)(y - 1) * w : NULL;
		for (int x = 0; x < w;) {
			uint64_t a = 0, b = 0;
			if (x + 8 <= w) {
				if (row)
					memcpy(&a, row + x, 8);
				if (up)
					memcpy(&b, up + x, 8);
				if (a == b) {
					x += 8;
					continue;
				}
			}
			int xe = x + 8 <= w ? x + 8 : w;
			for (; x < xe; x++) {
				int now = row && row[x], before = up && up[x];
				if (now == before)
					continue;
				if (now) {
					open[x] = y;
				} else {
					tmp[nr++] = (struct run){x, open[x], y - 1, 0};
					count[x + 1]++;
				}
			}
		}
	}
	/* by column; within one, the order they ended in is top to bottom */
	for (int x = 0; x < w; x++)
		count[x + 1] += count[x];
	for (int i = 0; i < nr; i++)
		runs[count[tmp[i].y]++] = tmp[i];
	return nr;
}

/* Joins the runs of each row (raw, from row_runs or col_runs, h rows of w)
 * across gaps of at most gap pixels, so a text line becomes one solid run per
 * row, then labels the 4-connected runs and keeps the line-shaped components
 * as candidates, in working coordinates (transposed back when tr). Work is
 * per run, not per pixel, which keeps this far below a millisecond. */
static int label_lines(const struct run *raw, int nraw, int w, int h, int gap, int tr,
		       struct run *runs, int *par, struct comp *cs, struct kyc_reader__cand *out,
		       int nout, int maxout)
{
	int nr = 0, prev0 = 0, prev1 = 0;
	for (int k = 0; k < nraw;) {
		int y = raw[k].y, cur0 = nr;
		while (k < nraw && raw[k].y == y) {
			int x0 = raw[k].x0, last = raw[k].x1;
			for (k++; k < nraw && raw[k].y == y && raw[k].x0 - last - 1 <= gap; k++)
				last = raw[k].x1;
			runs[nr] = (struct run){y, x0, last, nr};
			par[nr] = nr;
			nr++;
		}
		if (prev1 > prev0 && runs[prev0].y != y - 1)
			prev0 = prev1; /* rows without ink between: nothing above to join */
		/* union with overlapping runs of the previous row */
		int j = prev0;
		for (int i = cur0; i < nr; i++) {
			while (j < prev1 && runs[j].x1 < runs[i].x0)
				j++;
			for (int q = j; q < prev1 && runs[q].x0 <= runs[i].x1; q++) {
				int a = uf_find(par, i), b = uf_find(par, q);
				if (a != b)
					par[a > b ? a : b] = a < b ? a : b;
			}
		}
		prev0 = cur0;
		prev1 = nr;
	}
	int nroot = 0;
	for (int i = 0; i < nr; i++) {
		int r = uf_find(par, i);
		if (r == i) {
			runs[i].lab = nroot;
			memset(&cs[nroot], 0, sizeof cs[nroot]);
			cs[nroot].x0 = w;
			cs[nroot].y0 = h;
			cs[nroot].x1 = cs[nroot].y1 = -1;
			nroot++;
		}
		struct comp *c = &cs[runs[r].lab];
		double n = runs[i].x1 - runs[i].x0 + 1, y = runs[i].y;
		double sx = n * (runs[i].x0 + runs[i].x1) / 2;
		c->n += n;
		c->sx += sx;
		c->sy += n * y;
		c->sxx += sq_sum(runs[i].x1) - sq_sum(runs[i].x0 - 1);
		c->syy += n * y * y;
		c->sxy += sx * y;
		if (runs[i].x0 < c->x0) c->x0 = runs[i].x0;
		if (runs[i].x1 > c->x1) c->x1 = runs[i].x1;
		if (y < c->y0) c->y0 = (int)y;
		if (y > c->y1) c->y1 = (int)y;
	}
	int side = w > h ? w : h;
	for (int i = 0; i < nroot && nout < maxout; i++) {
		struct comp *c = &cs[i];
		if (c->n < 60 || c->x1 - c->x0 < side / 12)
			continue;
		double mx = c->sx / c->n, my = c->sy / c->n;
		double vxx = c->sxx / c->n - mx * mx, vyy = c->syy / c->n - my * my;
		double vxy = c->sxy / c->n - mx * my;
		double tr2 = (vxx + vyy) / 2, det = sqrt((vxx - vyy) * (vxx - vyy) / 4 + vxy * vxy);
		double l1 = tr2 + det, l2 = tr2 - det;
		if (l2 <= 0)
			l2 = 0.01;
		double len = sqrt(12 * l1), thick = sqrt(12 * l2);
		double ang = 0.5 * atan2(2 * vxy, vxx - vyy);
		if (fabs(ang) > 24 * M_PI / 180 || thick < 2.5)
			continue;
		double ratio = len / thick, fill = c->n / (len * thick);
		if (ratio < 9 || ratio > 90 || fill < 0.4)
			continue;
		struct kyc_reader__cand *k = &out[nout++];
		double ux = cos(ang), uy = sin(ang);
		if (tr) { /* back from transposed coordinates: swap the axes */
			k->cx = my;
			k->cy = mx;
			k->ux = uy;
			k->uy = ux;
		} else {
			k->cx = mx;
			k->cy = my;
			k->ux = ux;
			k->uy = uy;
		}
		k->len = len;
		k->thick = thick;
		k->neighbours = 0;
		/* MRZ lines are 30-44 glyphs about as tall as their pitch, merged
		 * into a band a little taller than the glyphs: ratio ~20-50 */
		double shape = ratio < 18 ? ratio / 18 : ratio > 55 ? 55 / ratio : 1;
		k->score = len * shape * (fill > 0.6 ? 1 : fill / 0.6);
	}
	return nout;
}

/* v / div for every byte v as (v * mul) >> *sh, with 255 * mul < 2^16 so
 * the product fits 16 bits, at the largest *sh for which that is exact;
 * *exact 0 when there is none (then a table is used). */
static uint32_t div_by_mul(int div, int *sh, int *exact)
{
	uint32_t mm = 0;
	*exact = 0;
	for (*sh = 15; *sh > 0 && div > 0; --*sh) {
		mm = (1u << *sh) / (uint32_t)div + 1;
		int ok = 255 * mm < 65536;
		for (int v = 0; v < 256 && ok; v++)
			ok = (int)((uint32_t)v * mm >> *sh) == v / div;
		if (ok) {
			*exact = 1;
			return mm;
		}
	}
	return mm;
}

void kyc_reader__ink_local(const unsigned char *s, int w, int h, uint32_t *ii, int r, int div,
			   int add, unsigned char *m)
{
	/* ink below mean - mean/div - add, per mean level: no division a pixel */
	int below[256];
	for (int v = 0; v < 256; v++)
		below[v] = v - v / div - add;
	/* the window's column sums, kept as it slides down (a row in, a row
	 * out), and their prefix sums along the row: a window's sum is two of
	 * those apart. The column sums fit 16 bits up to r = 128 (wrapping
	 * adds and subtracts are then exact), 16 pixels a step. */
	uint32_t *col = ii, *pre = ii + w;
	uint16_t *c16 = (uint16_t *)ii;
	int narrow = (2 * r + 1) * 255 < 65536;
	int sh, exact;
	uint16_t mul = (uint16_t)div_by_mul(div, &sh, &exact);
	memset(col, 0, sizeof(uint32_t) * (size_t)w);
	for (int y = -r; y < h; y++) {
		/* the sums hold rows y-r .. y+r once row y+r is in and y-r-1 out */
		const unsigned char *in = y + r < h ? s + (size_t)(y + r) * w : NULL;
		const unsigned char *gone = y - r - 1 >= 0 ? s + (size_t)(y - r - 1) * w : NULL;
		int x = 0;
		if (narrow) {
			for (; x + 16 <= w; x += 16) {
				v16b bi = {0}, bo = {0};
				v16w c;
				if (in)
					memcpy(&bi, in + x, 16);
				if (gone)
					memcpy(&bo, gone + x, 16);
				memcpy(&c, c16 + x, 32);
				c += __builtin_convertvector(bi, v16w) - __builtin_convertvector(bo, v16w);
				memcpy(c16 + x, &c, 32);
			}
			for (; x < w; x++)
				c16[x] = (uint16_t)(c16[x] + (in ? in[x] : 0) - (gone ? gone[x] : 0));
		} else {
			for (; x < w; x++)
				col[x] += (in ? in[x] : 0u) - (gone ? gone[x] : 0u);
		}
		if (y < 0)
			continue;
		pre[0] = 0;
		if (narrow)
			for (x = 0; x < w; x++)
				pre[x + 1] = pre[x] + c16[x];
		else
			for (x = 0; x < w; x++)
				pre[x + 1] = pre[x] + col[x];
		int ny = (y + r + 1 > h ? h : y + r + 1) - (y - r < 0 ? 0 : y - r);
		const unsigned char *row = s + (size_t)y * w;
		unsigned char *out = m + (size_t)y * w;
		/* the windows that fit the row have one area: one reciprocal */
		int xa = r < w ? r : w, xe = w - r > xa ? w - r : xa;
		float inv = 1.0f / (float)((2 * r + 1) * ny);
		x = xa;
#ifdef __SSE2__
		/* 8 pixels at a time, the same float product and truncation as
		 * below, and mean/div as an exact multiply and shift */
		if (exact && add >= 0 && add < 256) {
			__m128 vi = _mm_set1_ps(inv);
			__m128i vm = _mm_set1_epi16((short)mul), va = _mm_set1_epi16((short)add);
			__m128i z = _mm_setzero_si128(), one = _mm_set1_epi8(1);
			for (; x + 8 <= xe; x += 8) {
				const uint32_t *hi = pre + x + r + 1, *lo = pre + x - r;
				__m128i s0 = _mm_sub_epi32(_mm_loadu_si128((const __m128i *)hi),
							   _mm_loadu_si128((const __m128i *)lo));
				__m128i s1 = _mm_sub_epi32(_mm_loadu_si128((const __m128i *)(hi + 4)),
							   _mm_loadu_si128((const __m128i *)(lo + 4)));
				__m128i m0 = _mm_cvttps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(s0), vi));
				__m128i m1 = _mm_cvttps_epi32(_mm_mul_ps(_mm_cvtepi32_ps(s1), vi));
				__m128i mean = _mm_packs_epi32(m0, m1);
				__m128i q = _mm_srl_epi16(_mm_mullo_epi16(mean, vm), _mm_cvtsi32_si128(sh));
				__m128i thr = _mm_sub_epi16(_mm_sub_epi16(mean, q), va);
				__m128i px = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(row + x)), z);
				__m128i lt = _mm_packs_epi16(_mm_cmplt_epi16(px, thr), z);
				_mm_storel_epi64((__m128i *)(out + x), _mm_and_si128(lt, one));
			}
		}
#endif
		for (; x < xe; x++) {
			int mean = (int)((float)(pre[x + r + 1] - pre[x - r]) * inv);
			out[x] = row[x] < below[mean];
		}
		/* near the ends the window is clipped: its own area */
		for (x = 0; x < w; x++) {
			if (x == xa && xa < xe) {
				x = xe - 1;
				continue;
			}
			int x0 = x - r < 0 ? 0 : x - r, x1 = x + r + 1 > w ? w : x + r + 1;
			float iv = 1.0f / (float)((x1 - x0) * ny);
			int mean = (int)((float)(pre[x1] - pre[x0]) * iv);
			out[x] = row[x] < below[mean];
		}
	}
}

/* m[i] = s[i] darker than clo[i] by clo[i]/div + add; m may be clo. */
static void ink_below(const unsigned char *s, const unsigned char *clo, size_t n, int div, int add,
		      unsigned char *m)
{
	/* clo/div as (clo * mul) >> sh in 16-bit lanes, 16 pixels at a time,
	 * with the largest sh for which that is the exact quotient of every
	 * byte (there is one for div 7 and 14); else, and for the tail, the
	 * threshold per closing level from a table */
	unsigned char below[256];
	for (int v = 0; v < 256; v++) {
		int t = v - v / div - add;
		below[v] = (unsigned char)(t < 0 ? 0 : t);
	}
	int sh, exact;
	uint16_t mul = (uint16_t)div_by_mul(div, &sh, &exact);
	size_t i = 0;
	if (exact && add >= 0 && add < 256)
		for (; i + 16 <= n; i += 16) {
			v16b a, c;
			memcpy(&a, s + i, 16);
			memcpy(&c, clo + i, 16);
			v16w cv = __builtin_convertvector(c, v16w);
			/* s < c - c/div - add, every term small and >= 0 */
			v16w lhs = __builtin_convertvector(a, v16w) + (v16w)((cv * mul) >> sh) +
				   (uint16_t)add;
			v16b r = __builtin_convertvector(lhs < cv, v16b) & 1;
			memcpy(m + i, &r, 16);
		}
	for (; i < n; i++)
		m[i] = s[i] < below[clo[i]];
}

int kyc_reader__ink_closing(const unsigned char *s, int w, int h, int r, int div, int add,
			    unsigned char *m)
{
	int rc = kyc_morph_closing(s, w, h, r, m);
	if (rc)
		return rc;
	ink_below(s, m, (size_t)w * h, div, add, m);
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct kyc_reader__cand *x = a, *y = b;
	double sx = x->score * (1 + 0.6 * (x->neighbours > 2 ? 2 : x->neighbours));
	double sy = y->score * (1 + 0.6 * (y->neighbours > 2 ? 2 : y->neighbours));
	return sx < sy ? 1 : sx > sy ? -1 : 0;
}

/* Area-averages g (w×h) down to sw×sh: each output pixel is the mean of the
 * source pixels whose index maps onto it, the rows summed 16 pixels at a
 * time, then the few columns of each output pixel. Returns the sum of the
 * output pixels. acc is w + 16 scratch. */
static uint64_t shrink(const unsigned char *g, int w, int h, int stride, unsigned char *s, int sw,
		       int sh, uint16_t *acc, int *xb)
{
	uint64_t total = 0;
	if (sw == w && sh == h) { /* nothing to average: the mean of one pixel is itself */
		for (int y = 0; y < h; y++) {
			const unsigned char *p = g + (size_t)y * stride;
			memcpy(s + (size_t)y * w, p, (size_t)w);
			for (int x = 0; x < w; x++)
				total += p[x];
		}
		return total;
	}
	uint32_t recip[1024]; /* 2^17 / count, for a rounded division by a multiply */
	for (int x = 0; x <= sw; x++)
		xb[x] = (int)((long)x * w / sw);
	for (int c = 1; c < 1024; c++)
		recip[c] = (1u << 17) / (uint32_t)c + 1;
	for (int y = 0; y < sh; y++) {
		int ya = (int)((long)y * h / sh), yb = (int)((long)(y + 1) * h / sh);
		memset(acc, 0, sizeof(uint16_t) * (size_t)w);
		for (int yy = ya; yy < yb; yy++) { /* at most 2^8 rows: no overflow */
			const unsigned char *p = g + (size_t)yy * stride;
			int x = 0;
			for (; x + 16 <= w; x += 16) {
				v16b b;
				v16w a;
				memcpy(&b, p + x, 16);
				memcpy(&a, acc + x, 32);
				a += __builtin_convertvector(b, v16w);
				memcpy(acc + x, &a, 32);
			}
			for (; x < w; x++)
				acc[x] += p[x];
		}
		/* each output pixel sums its few columns of acc directly: a running
		 * sum over the row cost a serial pass and a gather a pixel */
		unsigned char *o = s + (size_t)y * sw;
		uint32_t ry = (uint32_t)(yb - ya);
		for (int x = 0; x < sw; x++) {
			int lo = xb[x], hi = xb[x + 1];
			uint32_t sum = 0;
			for (int k = lo; k < hi; k++)
				sum += acc[k];
			uint32_t cnt = (uint32_t)(hi - lo) * ry;
			uint32_t v = cnt && cnt < 1024 ? (uint32_t)(((uint64_t)sum * 2 + cnt) *
								    recip[cnt] >> 18)
				     : cnt ? (sum + cnt / 2) / cnt : 255;
			o[x] = (unsigned char)(v > 255 ? 255 : v);
			total += o[x];
		}
	}
	return total;
}

int kyc_reader__locate(const unsigned char *g, int w, int h, int stride,
		       struct kyc_reader__cand *out, int max, double *mean_luma)
{
	return kyc_reader__locate_at(g, w, h, stride, out, max, mean_luma, KYC_READER__WORK_SIDE, 0,
				     NULL);
}

void kyc_reader__work_free(struct kyc_reader__work *wk)
{
	free(wk->s);
	free(wk->closing);
	*wk = (struct kyc_reader__work){0};
}

/* Marks in rule[] the runs of raw (row_runs' order: line y, then x0) that
 * make up a printed rule: runs at least len/8 long touching along the lines
 * (a rule slanted by a degree steps a pixel every 57) whose extent along
 * the runs is over len and more than eight times their extent across. par and cs
 * are scratch as large as raw. Returns how many runs were marked. */
static int mark_rules(const struct run *raw, int nraw, int len, int *par, struct comp *cs,
		      unsigned char *rule)
{
	/* only pieces an eighth as long are linked: the rounded corner of a
	 * frame would join its sides to its top and bottom, which lie across */
	int prev0 = 0, prev1 = 0, marked = 0, piece = len / 8;
	for (int k = 0; k < nraw;) {
		int y = raw[k].y, cur0 = k;
		for (; k < nraw && raw[k].y == y; k++)
			par[k] = k;
		if (prev1 > prev0 && raw[prev0].y != y - 1)
			prev0 = prev1;
		int j = prev0;
		for (int i = cur0; i < k; i++) { /* touching, corners too */
			while (j < prev1 && raw[j].x1 < raw[i].x0 - 1)
				j++;
			for (int q = j; q < prev1 && raw[q].x0 <= raw[i].x1 + 1; q++) {
				if (raw[i].x1 - raw[i].x0 < piece || raw[q].x1 - raw[q].x0 < piece)
					continue;
				int a = uf_find(par, i), b = uf_find(par, q);
				if (a != b)
					par[a > b ? a : b] = a < b ? a : b;
			}
		}
		prev0 = cur0;
		prev1 = k;
	}
	for (int i = 0; i < nraw; i++) {
		int r = uf_find(par, i);
		struct comp *c = &cs[r];
		if (r == i)
			*c = (struct comp){.x0 = raw[i].x0, .x1 = raw[i].x1, .y0 = raw[i].y,
					   .y1 = raw[i].y};
		if (raw[i].x0 < c->x0) c->x0 = raw[i].x0;
		if (raw[i].x1 > c->x1) c->x1 = raw[i].x1;
		if (raw[i].y > c->y1) c->y1 = raw[i].y;
	}
	for (int i = 0; i < nraw; i++) {
		const struct comp *c = &cs[uf_find(par, i)];
		int along = c->x1 - c->x0 + 1, across = c->y1 - c->y0 + 1;
		rule[i] = along > len && 8 * across < along;
		marked += rule[i];
	}
	return marked;
}

/* A printed frame or rule, ink that no stack of MRZ glyphs makes (a TD1
 * card filling the frame, its three lines blurred into one, stands under a
 * sixth of the longer side: 13 of 86 mm), taken out of the mask for the
 * labelling across it. When there is one, m is split in two w×h masks: m
 * without the rules along the columns of cr (for the rows' labelling) and,
 * after it, m without those along the rows of rr (for the columns'); 1
 * then, else 0 and m untouched. m is 2*w*h bytes; par, cs and rule are
 * scratch as large as the longer run list. */
static int drop_rules(unsigned char *m, int w, int h, const struct run *rr, int nrow,
		      const struct run *cr, int ncol, int len, int *par, struct comp *cs,
		      unsigned char *rule)
{
	unsigned char *m2 = m + (size_t)w * h;
	int any = 0;
	memcpy(m2, m, (size_t)w * h);
	if (mark_rules(rr, nrow, len, par, cs, rule)) {
		any = 1;
		for (int i = 0; i < nrow; i++)
			if (rule[i])
				memset(m2 + (size_t)rr[i].y * w + rr[i].x0, 0,
				       (size_t)(rr[i].x1 - rr[i].x0 + 1));
	}
	if (mark_rules(cr, ncol, len, par, cs, rule)) {
		any = 1;
		for (int i = 0; i < ncol; i++) /* y is the column, x0..x1 the rows */
			if (rule[i])
				for (int y = cr[i].x0; y <= cr[i].x1; y++)
					m[(size_t)y * w + cr[i].y] = 0;
	}
	return any;
}

/* Canvas point (u, v) of the 45° turned working image -> working image. */
static void from_turned(double u, double v, double cx, double cy, double cc, double *x, double *y)
{
	*x = cx + ((u - cc) - (v - cc)) * M_SQRT1_2;
	*y = cy + ((u - cc) + (v - cc)) * M_SQRT1_2;
}

int kyc_reader__locate_at(const unsigned char *g, int w, int h, int stride,
			  struct kyc_reader__cand *out, int max, double *mean_luma, int work_side,
			  int flags, struct kyc_reader__work *wk)
{
	int longer = w > h ? w : h, sensitive = flags & KYC_READER__SENSITIVE;
	double f = longer > work_side ? (double)longer / work_side : 1;
	int sw = (int)(w / f), sh = (int)(h / f);
	if (sw < 8 || sh < 8 || f > 250) /* (shrink sums at most 2^8 rows) */
		return 0;
	/* the canvas the lines are looked for in: the working image, or it
	 * turned by 45° (lines at 21-69° become nearly level there) */
	int turned = (flags & KYC_READER__TURN45) != 0;
	int cw = turned ? (int)((sw + sh) * M_SQRT1_2) + 2 : sw, ch = turned ? cw : sh;
	double cc = cw / 2.0;
	int n = sw * sh, rc = KYC_ERR_NOMEM, nout = 0;
	/* raw runs of the rows and of the columns, made once for both gaps;
	 * joined ones are fewer */
	int maxrow = (cw / 2 + 1) * ch, maxcol = (ch / 2 + 1) * cw;
	int maxr = maxrow > maxcol ? maxrow : maxcol;
	/* the working image another pass at this size already made */
	int kept = wk && wk->s && wk->side == work_side && wk->sw == sw && wk->sh == sh;
	unsigned char *s = kept ? NULL : malloc((size_t)n), *m = malloc(2 * (size_t)cw * ch);
	unsigned char *rot = turned ? malloc((size_t)cw * ch) : NULL;
	uint16_t *acc = malloc(sizeof(uint16_t) * (size_t)w);
	int *xb = malloc(sizeof(int) * (size_t)(sw + 1));
	struct run *runs = malloc(sizeof(struct run) * (size_t)maxr);
	struct run *rr = malloc(sizeof(struct run) * (size_t)maxrow);
	struct run *cr = malloc(sizeof(struct run) * (size_t)maxcol);
	int *open = malloc(sizeof(int) * ((size_t)cw + 1)), *count = malloc(sizeof(int) * ((size_t)cw + 1));
	int *par = malloc(sizeof(int) * (size_t)maxr);
	struct comp *cs = malloc(sizeof(struct comp) * (size_t)maxr);
	struct kyc_reader__cand *tmp = malloc(sizeof *tmp * 256);
	unsigned char *mark = malloc((size_t)maxr);
	if ((!kept && !s) || !m || !acc || !xb || !runs || !rr || !cr || !open || !count ||
	    !par || !cs || !tmp || !mark || (turned && !rot))
		goto out;

	if (kept) {
		s = wk->s;
		*mean_luma = wk->mean_luma;
	} else {
		*mean_luma = (double)shrink(g, w, h, stride, s, sw, sh, acc, xb) / n;
		if (wk && !wk->s) { /* kept for the later passes at this size */
			*wk = (struct kyc_reader__work){.side = work_side, .sw = sw, .sh = sh,
							.mean_luma = *mean_luma, .s = s};
			kept = 1;
		}
	}
	const unsigned char *canvas = s;
	if (turned) { /* nearest neighbour is enough to find lines; outside: the mean */
		unsigned char fill = (unsigned char)*mean_luma;
		double cx = sw / 2.0, cy = sh / 2.0;
		for (int v = 0; v < ch; v++) {
			/* the working image covers about half the canvas: the row's
			 * span inside it, widened by 2 px against rounding, is the
			 * only part sampled (the test below still decides) */
			double lo = fmax(v + (-0.5 - cx) * M_SQRT2, 2 * cc - v + (-0.5 - cy) * M_SQRT2);
			double hi = fmin(v + (sw - 0.5 - cx) * M_SQRT2,
					 2 * cc - v + (sh - 0.5 - cy) * M_SQRT2);
			int u0 = lo - 2 < 0 ? 0 : lo - 2 > cw ? cw : (int)(lo - 2);
			int u1 = hi + 2 < u0 ? u0 : hi + 2 > cw ? cw : (int)(hi + 2);
			unsigned char *row = rot + (size_t)v * cw;
			memset(row, fill, (size_t)u0);
			memset(row + u1, fill, (size_t)(cw - u1));
			for (int u = u0; u < u1; u++) {
				double x, y;
				from_turned(u, v, cx, cy, cc, &x, &y);
				/* truncation is floor() from 0 up, and below 0 is
				 * outside anyway: no libm call a pixel */
				double xr = x + 0.5, yr = y + 0.5;
				row[u] = xr >= 0 && yr >= 0 && xr < sw && yr < sh
						 ? s[(size_t)(int)yr * sw + (int)xr]
						 : fill;
			}
		}
		canvas = rot;
	}
	int side = sw > sh ? sw : sh;
	int gap = side / 90 + 2;
	/* ink: darker than the closing, by a margin that grows with brightness;
	 * halved in the sensitive pass, for faint print, glare and shadow */
	if (kept && !turned) { /* the closing does not depend on the margin: made once */
		if (!wk->closing) {
			if (!(wk->closing = malloc((size_t)n)))
				goto out;
			if (kyc_morph_closing(s, sw, sh, INK_R, wk->closing)) {
				free(wk->closing);
				wk->closing = NULL;
				goto out;
			}
		}
		ink_below(s, wk->closing, (size_t)n, sensitive ? 14 : 7, sensitive ? 4 : 8, m);
	} else if (kyc_reader__ink_closing(canvas, cw, ch, INK_R, sensitive ? 14 : 7,
					   sensitive ? 4 : 8, m)) {
		goto out;
	}
	/* a printed frame or rule across the lines (a page's border beside the
	 * MRZ) is ink a bridging gap from a line's end and welds every line it
	 * passes into one frame-shaped component: a rule along the columns
	 * (drop_rules) is left out of the rows' labelling, and one along the
	 * rows out of the columns'. The column runs go
	 * through runs as scratch, which labelling reuses. */
	int nrow = row_runs(m, cw, ch, rr);
	int ncol = col_runs(m, cw, ch, cr, runs, open, count);
	int rule = (cw > ch ? cw : ch) / RULE_DIV;
	if (drop_rules(m, cw, ch, rr, nrow, cr, ncol, rule, par, cs, mark)) {
		nrow = row_runs(m, cw, ch, rr);
		ncol = col_runs(m + (size_t)cw * ch, cw, ch, cr, runs, open, count);
	}
	/* Two gap widths: glyph spacing is a fraction of the unknown pitch, and a
	 * large MRZ needs wider bridging than a small one (which the wide gap
	 * would weld to its neighbours). */
	int nt = 0;
	for (int pass = 0; pass < 2; pass++) {
		int gp = pass ? 2 * gap + 2 : gap;
		nt = label_lines(rr, nrow, cw, ch, gp, 0, runs, par, cs, tmp, nt, 256);
		nt = label_lines(cr, ncol, ch, cw, gp, 1, runs, par, cs, tmp, nt, 256);
	}
	/* parallel neighbours of equal length at a line pitch */
	for (int i = 0; i < nt; i++) {
		for (int j = 0; j < nt; j++) {
			if (i == j)
				continue;
			struct kyc_reader__cand *a = &tmp[i], *b = &tmp[j];
			double dot = fabs(a->ux * b->ux + a->uy * b->uy);
			double lr = b->len / a->len, tr = b->thick / a->thick;
			if (dot < 0.995 || lr < 0.8 || lr > 1.25 || tr < 0.5 || tr > 2)
				continue;
			double dx = b->cx - a->cx, dy = b->cy - a->cy;
			double along = fabs(dx * a->ux + dy * a->uy);
			double perp = fabs(-dx * a->uy + dy * a->ux);
			if (along < 0.15 * a->len && perp > 1.1 * a->thick && perp < 3.2 * a->thick)
				a->neighbours++;
		}
	}
	qsort(tmp, (size_t)nt, sizeof *tmp, cand_cmp);
	for (int i = 0; i < nt && nout < max; i++) {
		struct kyc_reader__cand c = tmp[i];
		int dup = 0; /* the same line found by both passes */
		for (int j = 0; j < i && !dup; j++) {
			double dx = tmp[j].cx - c.cx, dy = tmp[j].cy - c.cy;
			dup = dx * dx + dy * dy < c.thick * c.thick &&
			      fabs(tmp[j].ux * c.ux + tmp[j].uy * c.uy) > 0.995 &&
			      fabs(tmp[j].len / c.len - 1) < 0.1;
		}
		if (dup)
			continue;
		if (turned) {
			double ux = (c.ux - c.uy) * M_SQRT1_2, uy = (c.ux + c.uy) * M_SQRT1_2;
			from_turned(c.cx, c.cy, sw / 2.0, sh / 2.0, cc, &c.cx, &c.cy);
			c.ux = ux;
			c.uy = uy;
		}
		c.cx = (c.cx + 0.5) * f - 0.5;
		c.cy = (c.cy + 0.5) * f - 0.5;
		c.len *= f;
		c.thick *= f;
		out[nout++] = c;
	}
	rc = nout;
out:
	if (!kept)
		free(s);
	free(m);
	free(rr);
	free(cr);
	free(open);
	free(count);
	free(acc);
	free(xb);
	free(runs);
	free(par);
	free(cs);
	free(tmp);
	free(mark);
	free(rot);
	return rc;
}
