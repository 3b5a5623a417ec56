/* EXPERIMENT: an unsure cell compared with cells of the same band read surely. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/mrz_decode.h"
#include "document/ocr.h"
#include "document/reader.h"

static int envi(const char *n, int d)
{
	const char *s = getenv(n);
	return s ? atoi(s) : d;
}
static double envd(const char *n, double d)
{
	const char *s = getenv(n);
	return s ? atof(s) : d;
}

int kyc_reader__by_example(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
			   struct kyc_mrz_cands *c);

#define PW 32
#define PH 40
struct patch {
	int w, h;
	float v[PH + 4][PW + 4]; /* with a margin of 2 each side for the shift search */
};

/* The cell's patch, its centre 'frac' pitch wide, over the line's rows, plus 2 px
 * each way; bilinear-free: nearest band pixel. Returns 0 when outside. */
static int cut(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int k,
	       double frac, struct patch *pt)
{
	double cx = kyc_reader__cell_x(L, k), p = kyc_reader__cell_pitch(L, k);
	int w = (int)lround(frac * p), h = L->bot - L->top + 1 + 2;
	if (w < 4 || w > PW || h > PH)
		return 0;
	int x0 = (int)lround(cx - w / 2.0) - 2, y0 = L->top - 1 - 2;
	pt->w = w;
	pt->h = h;
	for (int y = 0; y < h + 4; y++)
		for (int x = 0; x < w + 4; x++) {
			int xx = x0 + x, yy = y0 + y;
			if (xx < 0 || yy < 0 || xx >= b->w || yy >= b->h)
				return 0;
			pt->v[y][x] = b->px[(size_t)yy * b->w + xx];
		}
	return 1;
}

/* Best normalised correlation of a's centre with b's centre moved by up to 2 px
 * along and 1 px across. */
static double ncc(const struct patch *a, const struct patch *e)
{
	int w = a->w < e->w ? a->w : e->w, h = a->h < e->h ? a->h : e->h;
	double best = -1;
	int md = envi("EX_DX", 2);
	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -md; dx <= md; dx++) {
			double sa = 0, se = 0, saa = 0, see = 0, sae = 0;
			int n = 0;
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					double u = a->v[y + 2][x + 2], v = e->v[y + 2 + dy][x + 2 + dx];
					sa += u, se += v, saa += u * u, see += v * v, sae += u * v;
					n++;
				}
			double va = saa - sa * sa / n, ve = see - se * se / n;
			if (va <= 1e-6 || ve <= 1e-6)
				continue;
			double r = (sae - sa * se / n) / sqrt(va * ve);
			if (r > best)
				best = r;
		}
	return best;
}

#define MAXEX 6
int kyc_reader__by_example(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
			   struct kyc_mrz_cands *c)
{
	double beta = envd("EX_BETA", 0);
	if (beta <= 0)
		return 0;
	double sure = envd("EX_SURE", 0.97), unsure = envd("EX_UNSURE", 0.9),
	       frac = envd("EX_FRAC", 0.8);
	int changed = 0;
	for (int i = 0; i < lay->nlines; i++)
		for (int k = 0; k < lay->len; k++) {
			char *ch = c->ch[i][k];
			float *p = c->p[i][k];
			if (!ch[0] || !ch[1] || p[0] >= unsure)
				continue;
			struct patch me, ex;
			if (!cut(b, &lay->ln[i], k, frac, &me))
				continue;
			double sim[KYC_MRZ_DECODE_K];
			int nsim = 0;
			for (int q = 0; q < KYC_MRZ_DECODE_K; q++) {
				sim[q] = -2;
				if (!ch[q] || p[q] < 0.02)
					continue;
				int n = 0;
				for (int i2 = 0; i2 < lay->nlines && n < MAXEX; i2++)
					for (int k2 = 0; k2 < lay->len && n < MAXEX; k2++) {
						if ((i2 == i && k2 == k) || c->ch[i2][k2][0] != ch[q] ||
						    c->p[i2][k2][0] < sure)
							continue;
						if (!cut(b, &lay->ln[i2], k2, frac, &ex))
							continue;
						double s = ncc(&me, &ex);
						if (s > sim[q])
							sim[q] = s;
						n++;
					}
				nsim += n > 0;
			}
			if (envi("EX_DEBUG", 0)) {
				fprintf(stderr, "cell %d,%d:", i, k);
				for (int q = 0; q < KYC_MRZ_DECODE_K && ch[q]; q++)
					fprintf(stderr, " %c %.3f sim %.3f;", ch[q], p[q], sim[q]);
				fprintf(stderr, "\n");
			}
			if (nsim < 2)
				continue;
			double top = p[0], smax = -2, tot = 0, tot2 = 0;
			for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
				if (sim[q] > smax)
					smax = sim[q];
			/* reweighted among the candidates with examples, their mass kept */
			for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
				if (sim[q] > -2) {
					tot += p[q];
					p[q] = (float)(p[q] * exp(beta * (sim[q] - smax)));
					tot2 += p[q];
				}
			for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
				if (sim[q] > -2)
					p[q] = (float)(p[q] * tot / tot2);
			for (int a = 1; a < KYC_MRZ_DECODE_K; a++) /* best first */
				for (int q = a; q > 0 && ch[q] && p[q] > p[q - 1]; q--) {
					float tp = p[q];
					char tc = ch[q];
					p[q] = p[q - 1], ch[q] = ch[q - 1];
					p[q - 1] = tp, ch[q - 1] = tc;
				}
			if (p[0] > top) {
				double f = top / p[0];
				for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
					p[q] = (float)(p[q] * f);
			}
			changed = 1;
		}
	return changed;
}

int kyc_reader__cell_again(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			   int k, char *ch, float *pp);

#define MAXR 12
/* The cell's candidates (ch, pp: KYC_MRZ_DECODE_K) combined with those of other cuts. */
int kyc_reader__cell_again(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			   int k, char *ch, float *pp)
{
	int mode = envi("AGAIN_MODE", 1);
	int lh = L->bot - L->top + 1, my = lh / 4 + 1;
	int cy0 = L->top - my < 0 ? 0 : L->top - my;
	int cy1 = L->bot + my >= b->h ? b->h - 1 : L->bot + my;
	int set = envi("AGAIN_SET", 3);
	double dx = envd("AGAIN_DX", 0.15), ds = envd("AGAIN_DS", 0.06);
	int dy = envi("AGAIN_DY", 1);
	double cx = kyc_reader__cell_x(L, k), p = kyc_reader__cell_pitch(L, k);
	struct kyc_ocr_guess r[MAXR][4];
	int nr[MAXR], n = 0, ng = 0;
	for (; ng < KYC_MRZ_DECODE_K && ch[ng]; ng++)
		r[0][ng].ch = ch[ng], r[0][ng].score = pp[ng];
	if (ng < 1)
		return 0;
	nr[n++] = ng;
	double cuts[MAXR][4];
	int nc = 0;
	if (set & 1) {
		cuts[nc][0] = cx - dx * p, cuts[nc][1] = p, cuts[nc][2] = cy0, cuts[nc++][3] = cy1;
		cuts[nc][0] = cx + dx * p, cuts[nc][1] = p, cuts[nc][2] = cy0, cuts[nc++][3] = cy1;
	}
	if (set & 2) {
		cuts[nc][0] = cx, cuts[nc][1] = p, cuts[nc][2] = cy0 - dy, cuts[nc++][3] = cy1 - dy;
		cuts[nc][0] = cx, cuts[nc][1] = p, cuts[nc][2] = cy0 + dy, cuts[nc++][3] = cy1 + dy;
	}
	if (set & 4) {
		cuts[nc][0] = cx, cuts[nc][1] = p * (1 - ds), cuts[nc][2] = cy0, cuts[nc++][3] = cy1;
		cuts[nc][0] = cx, cuts[nc][1] = p * (1 + ds), cuts[nc][2] = cy0, cuts[nc++][3] = cy1;
	}
	int fine = envi("AGAIN_FINE", 1);
	for (int c = 0; c < nc; c++) {
		int y0 = (int)cuts[c][2], y1 = (int)cuts[c][3];
		if (y0 < 0)
			y0 = 0;
		if (y1 >= b->h)
			y1 = b->h - 1;
		int m = fine ? kyc_ocr_classify_fine_at(b->px, b->w, b->h, b->w, cuts[c][0],
							cuts[c][1], y0, y1, r[n], 4)
			     : kyc_ocr_classify_at(b->px, b->w, b->h, b->w, cuts[c][0], cuts[c][1],
						   y0, y1, r[n], 4);
		if (m > 0)
			nr[n++] = m;
	}
	double top0 = pp[0], sum0 = 0;
	for (int q = 0; q < ng; q++)
		sum0 += pp[q];
	struct kyc_ocr_guess out[4 * MAXR];
	int no = 0;
	if (mode == 2) {
		int best = 0;
		for (int j = 1; j < n; j++)
			if (r[j][0].score > r[best][0].score)
				best = j;
		no = nr[best];
		memcpy(out, r[best], sizeof(struct kyc_ocr_guess) * (size_t)no);
	} else {
		for (int j = 0; j < n; j++)
			for (int q = 0; q < nr[j]; q++) {
				int seen = 0;
				for (int o = 0; o < no; o++)
					seen |= out[o].ch == r[j][q].ch;
				if (!seen)
					out[no++] = r[j][q];
			}
		double tot = 0;
		for (int o = 0; o < no; o++) {
			double ls = 0;
			for (int j = 0; j < n; j++) {
				double pj = r[j][nr[j] - 1].score * 0.5;
				for (int q = 0; q < nr[j]; q++)
					if (r[j][q].ch == out[o].ch)
						pj = r[j][q].score;
				ls += log(pj > 1e-4 ? pj : 1e-4);
			}
			out[o].score = (float)exp(ls / n);
			tot += out[o].score;
		}
		for (int o = 0; o < no; o++)
			out[o].score = (float)(out[o].score / tot * sum0);
		for (int a = 1; a < no; a++)
			for (int c = a; c > 0 && out[c].score > out[c - 1].score; c--) {
				struct kyc_ocr_guess t = out[c];
				out[c] = out[c - 1];
				out[c - 1] = t;
			}
	}
	if (no > KYC_MRZ_DECODE_K)
		no = KYC_MRZ_DECODE_K;
	if (envi("AGAIN_CAP", 1) && out[0].score > top0) {
		double f = top0 / out[0].score;
		for (int o = 0; o < no; o++)
			out[o].score = (float)(out[o].score * f);
	}
	for (int q = 0; q < KYC_MRZ_DECODE_K; q++) {
		ch[q] = q < no ? out[q].ch : 0;
		pp[q] = q < no ? out[q].score : 0;
	}
	return no;
}
