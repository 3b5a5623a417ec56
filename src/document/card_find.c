/* Finding a card in a photo (kyc_card_find): the card is the light,
 * even-toned region around the middle of the picture. On a small copy of
 * the photo, the pixels near the middle's tone that connect to the middle
 * make a region; its holes (text, portrait, barcode) are filled; each of its
 * four sides is fitted with a straight line by RANSAC, which ignores where
 * the region spills onto a light object beside the card or where a corner is
 * rounded; the lines' intersections are the corners. */
#include "document/card.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define WORK_SIDE 360

/* A line x = a*t + b over a parameter t (rows for left and right sides,
 * columns for top and bottom). */
struct line {
	double a, b;
};

/* Deterministic RANSAC: the same photo always gives the same corners. */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Fits v = a*t + b to the n points (t[i], v[i]); returns the inlier count. */
static int fit_line(const float *t, const float *v, int n, struct line *out)
{
	if (n < 8)
		return 0;
	uint32_t seed = 12345;
	int best = 0;
	struct line bl = {0, 0};
	for (int it = 0; it < 200; it++) {
		int i = (int)(lcg(&seed) % (uint32_t)n), j = (int)(lcg(&seed) % (uint32_t)n);
		if (fabsf(t[i] - t[j]) < n / 4.0f)
			continue;
		double a = (v[j] - v[i]) / (double)(t[j] - t[i]), b = v[i] - a * t[i];
		if (fabs(a) > 0.6) /* steeper than about 30 degrees: not this side */
			continue;
		int in = 0;
		for (int k = 0; k < n; k++)
			in += fabs(a * t[k] + b - v[k]) < 1.5;
		if (in > best)
			best = in, bl.a = a, bl.b = b;
	}
	if (best < n / 3)
		return 0;
	/* Least squares on the inliers. */
	double st = 0, sv = 0, stt = 0, stv = 0;
	int m = 0;
	for (int k = 0; k < n; k++)
		if (fabs(bl.a * t[k] + bl.b - v[k]) < 1.5) {
			st += t[k], sv += v[k], stt += (double)t[k] * t[k], stv += (double)t[k] * v[k];
			m++;
		}
	double den = m * stt - st * st;
	if (m >= 2 && fabs(den) > 1e-9) {
		bl.a = (m * stv - st * sv) / den;
		bl.b = (sv - bl.a * st) / m;
	}
	*out = bl;
	return best;
}

/* Where y = a1*x + b1 (top/bottom) meets x = a2*y + b2 (left/right). */
static void meet(const struct line *hz, const struct line *vt, double *x, double *y)
{
	*y = (hz->a * vt->b + hz->b) / (1 - hz->a * vt->a);
	*x = vt->a * *y + vt->b;
}

static int median_tone(const unsigned char *g, int w, int h)
{
	int hist[256] = {0}, n = 0;
	for (int y = h * 35 / 100; y < h * 65 / 100; y++)
		for (int x = w * 35 / 100; x < w * 65 / 100; x++, n++)
			hist[g[(size_t)y * (size_t)w + (size_t)x]]++;
	/* The upper half of the tones: the card's ground, not its ink. */
	int c = 0;
	for (int v = 255; v >= 0; v--)
		if ((c += hist[v]) >= n / 3)
			return v;
	return 128;
}

int kyc_card_find(const struct kyc_image *img, double quad[4][2])
{
	int rc = KYC_ERR_NOTFOUND;
	int k = (img->w > img->h ? img->w : img->h) / WORK_SIDE;
	if (k < 1)
		k = 1;
	int w = img->w / k, h = img->h / k;
	if (w < 32 || h < 32)
		return KYC_ERR_NOTFOUND;
	size_t n = (size_t)w * (size_t)h;
	unsigned char *g = malloc(n), *reg = calloc(n, 1);
	int *stack = malloc(n * sizeof *stack);
	float *pt = malloc(4 * (size_t)(w + h) * 2 * sizeof *pt);
	if (!g || !reg || !stack || !pt) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* Box-averaged copy. */
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned s = 0;
			for (int dy = 0; dy < k; dy++) {
				const unsigned char *p = img->gray + (size_t)(y * k + dy) * (size_t)img->w +
							 (size_t)(x * k);
				for (int dx = 0; dx < k; dx++)
					s += p[dx];
			}
			g[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)(s / (unsigned)(k * k));
		}
	int tone = median_tone(g, w, h), tol = tone / 7 + 6;

	/* 1: the region of the middle's tone connected to the middle. */
	int sp = 0;
	for (int y = h * 2 / 5; y < h * 3 / 5; y++)
		for (int x = w * 2 / 5; x < w * 3 / 5; x++) {
			size_t i = (size_t)y * (size_t)w + (size_t)x;
			if (abs(g[i] - tone) <= tol && !reg[i])
				reg[i] = 1, stack[sp++] = (int)i;
		}
	while (sp > 0) {
		int i = stack[--sp], x = i % w, y = i / w;
		int nb[4] = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1,
			     y + 1 < h ? i + w : -1};
		for (int j = 0; j < 4; j++)
			if (nb[j] >= 0 && !reg[nb[j]] && abs(g[nb[j]] - tone) <= tol)
				reg[nb[j]] = 1, stack[sp++] = nb[j];
	}
	/* 2: fill its holes: 2 marks what the border reaches around it. */
	for (int x = 0; x < w; x++)
		for (int e = 0; e < 2; e++) {
			int i = e ? (h - 1) * w + x : x;
			if (!reg[i])
				reg[i] = 2, stack[sp++] = i;
		}
	for (int y = 0; y < h; y++)
		for (int e = 0; e < 2; e++) {
			int i = y * w + (e ? w - 1 : 0);
			if (!reg[i])
				reg[i] = 2, stack[sp++] = i;
		}
	while (sp > 0) {
		int i = stack[--sp], x = i % w, y = i / w;
		int nb[4] = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1,
			     y + 1 < h ? i + w : -1};
		for (int j = 0; j < 4; j++)
			if (nb[j] >= 0 && !reg[nb[j]])
				reg[nb[j]] = 2, stack[sp++] = nb[j];
	}
	/* 3: the region's outline per row and per column, one line per side. */
	float *lt = pt, *lv = lt + h, *rt = lv + h, *rv = rt + h;
	float *tt = rv + h, *tv = tt + w, *bt = tv + w, *bv = bt + w;
	int nl = 0, nr = 0, ntop = 0, nbot = 0;
	for (int y = 0; y < h; y++) {
		int x0 = -1, x1 = -1;
		for (int x = 0; x < w; x++)
			if (reg[(size_t)y * (size_t)w + (size_t)x] != 2) {
				if (x0 < 0)
					x0 = x;
				x1 = x;
			}
		if (x0 > 0)
			lt[nl] = (float)y, lv[nl++] = (float)x0;
		if (x1 >= 0 && x1 < w - 1)
			rt[nr] = (float)y, rv[nr++] = (float)x1 + 1;
	}
	for (int x = 0; x < w; x++) {
		int y0 = -1, y1 = -1;
		for (int y = 0; y < h; y++)
			if (reg[(size_t)y * (size_t)w + (size_t)x] != 2) {
				if (y0 < 0)
					y0 = y;
				y1 = y;
			}
		if (y0 > 0)
			tt[ntop] = (float)x, tv[ntop++] = (float)y0;
		if (y1 >= 0 && y1 < h - 1)
			bt[nbot] = (float)x, bv[nbot++] = (float)y1 + 1;
	}
	struct line L, R, Tp, B;
	if (!fit_line(lt, lv, nl, &L) || !fit_line(rt, rv, nr, &R) || !fit_line(tt, tv, ntop, &Tp) ||
	    !fit_line(bt, bv, nbot, &B))
		goto out;
	double q[4][2];
	meet(&Tp, &L, &q[0][0], &q[0][1]);
	meet(&Tp, &R, &q[1][0], &q[1][1]);
	meet(&B, &R, &q[2][0], &q[2][1]);
	meet(&B, &L, &q[3][0], &q[3][1]);
	double top = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);
	double left = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
	if (top < w / 5.0 || left < h / 5.0)
		goto out;
	/* A card standing on its short side: name the corners from its long side. */
	int turn = left > top;
	double ratio = turn ? left / top : top / left;
	if (ratio < 1.3 || ratio > 1.9)
		goto out;
	for (int i = 0; i < 4; i++) {
		int j = turn ? (i + 3) % 4 : i;
		quad[i][0] = q[j][0] * k, quad[i][1] = q[j][1] * k;
	}
	rc = 0;
out:
	free(g);
	free(reg);
	free(stack);
	free(pt);
	return rc;
}
