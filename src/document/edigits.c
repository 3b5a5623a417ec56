/* The Eastern Arabic digit reader (edigits.h): pieces of ink, a trained
 * classifier on runs of pieces, and the best cut of the line into the
 * field's pattern. */
#include "document/edigits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/edigits_int.h"

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

struct comp {
	int x0, y0, x1, y1, area;
};

/* Labels the 8-connected ink components of s->label (1 = ink on entry)
 * from 1; returns how many (at most cap described in c; the rest are
 * labelled but not described, and dropped as paper). */
static int label_components(struct kyc__edigits_seg *s, int *stack, struct comp *c, int cap)
{
	int w = s->w, h = s->h, n = 0, *L = s->label;
	for (int i = 0; i < w * h; i++)
		L[i] = -L[i]; /* -1 = unlabelled ink */
	for (int start = 0; start < w * h; start++) {
		if (L[start] != -1)
			continue;
		int id = n < cap ? n + 1 : 0, sp = 0;
		struct comp b = {w, h, -1, -1, 0};
		L[start] = id;
		stack[sp++] = start;
		while (sp > 0) {
			int i = stack[--sp], x = i % w, y = i / w;
			b.area++;
			b.x0 = x < b.x0 ? x : b.x0, b.x1 = x > b.x1 ? x : b.x1;
			b.y0 = y < b.y0 ? y : b.y0, b.y1 = y > b.y1 ? y : b.y1;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int X = x + dx, Y = y + dy;
					if (X < 0 || Y < 0 || X >= w || Y >= h || L[Y * w + X] != -1)
						continue;
					L[Y * w + X] = id;
					stack[sp++] = Y * w + X;
				}
		}
		if (id)
			c[n++] = b;
	}
	return n;
}

/* The ink box of component label between columns x0 and x1; 0 when empty. */
static int piece_box(const struct kyc__edigits_seg *s, int label, int x0, int x1, int y0, int y1,
		     struct kyc__edigits_piece *p)
{
	p->label = label, p->x0 = x1 + 1, p->x1 = x0 - 1, p->y0 = y1 + 1, p->y1 = y0 - 1;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++)
			if (s->label[(size_t)y * (size_t)s->w + (size_t)x] == label) {
				p->x0 = x < p->x0 ? x : p->x0, p->x1 = x > p->x1 ? x : p->x1;
				p->y0 = y < p->y0 ? y : p->y0, p->y1 = y > p->y1 ? y : p->y1;
			}
	return p->x1 >= p->x0;
}

/* Adds the component (box c) as pieces: blurred neighbours touch, so a
 * component wider than a narrow digit is split at its thinnest interior
 * column, again and again. Splitting too much costs nothing (a run of
 * pieces is scored as one character too); not splitting two digits apart
 * would lose one. */
static void add_pieces(struct kyc__edigits_seg *s, int label, const struct comp *c)
{
	int x0 = c->x0, x1 = c->x1;
	double widest = 0.55 * s->height;
	while (s->npieces < KYC__EDIGITS_MAX_PIECES) {
		int cut = -1, least = 1 << 30, wdt = x1 - x0 + 1;
		if (wdt > widest)
			for (int x = x0 + wdt / 4; x <= x1 - wdt / 4; x++) {
				int n = 0;
				for (int y = c->y0; y <= c->y1; y++)
					n += s->label[(size_t)y * (size_t)s->w + (size_t)x] == label;
				/* Ties go to the middle: digits are about the same width. */
				int centred = abs(2 * x - x0 - x1) < abs(2 * cut - x0 - x1);
				if (n < least || (n == least && centred))
					least = n, cut = x;
			}
		struct kyc__edigits_piece p;
		if (cut < 0) {
			if (piece_box(s, label, x0, x1, c->y0, c->y1, &p))
				s->piece[s->npieces++] = p;
			return;
		}
		if (piece_box(s, label, x0, cut, c->y0, c->y1, &p))
			s->piece[s->npieces++] = p;
		x0 = cut + 1;
	}
}

static int by_middle(const void *a, const void *b)
{
	const struct kyc__edigits_piece *p = a, *q = b;
	return (p->x0 + p->x1) - (q->x0 + q->x1);
}

void kyc__edigits_seg_release(struct kyc__edigits_seg *s)
{
	free(s->label);
	s->label = NULL;
}

int kyc__edigits_segment(const unsigned char *gray, int w, int h, int stride,
			 struct kyc__edigits_seg *s)
{
	enum { MAXC = 512 };
	memset(s, 0, sizeof *s);
	if (!gray || w < 8 || h < 8 || stride < w || (size_t)w * (size_t)h > (1u << 24))
		return KYC_ERR_INVALID;
	s->w = w, s->h = h;
	s->label = malloc((size_t)w * (size_t)h * sizeof *s->label);
	int *stack = malloc((size_t)w * (size_t)h * sizeof *stack); /* each pixel once */
	struct comp *c = malloc(MAXC * sizeof *c);
	int rc = 0;
	if (!s->label || !stack || !c) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	int t = otsu(gray, w, h, stride);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			s->label[(size_t)y * (size_t)w + (size_t)x] =
			    gray[(size_t)y * (size_t)stride + (size_t)x] <= t;
	int n = label_components(s, stack, c, MAXC);
	/* The line's band: the tallest components are digits (and slashes). */
	int tall = 0;
	for (int i = 0; i < n; i++)
		tall = c[i].y1 - c[i].y0 > tall ? c[i].y1 - c[i].y0 : tall;
	double top = h, bot = 0;
	for (int i = 0; i < n; i++)
		if (c[i].y1 - c[i].y0 >= tall * 0.6 && c[i].y1 - c[i].y0 >= 4) {
			top = fmin(top, c[i].y0);
			bot = fmax(bot, c[i].y1);
		}
	if (bot < top)
		goto out; /* no ink: no pieces */
	s->top = top, s->height = bot - top + 1;
	/* What could be part of a character: its middle inside the band, not a
	 * speck (the zero is a small dot, so the floor is low). */
	for (int i = 0; i < n; i++) {
		double cy = (c[i].y0 + c[i].y1) / 2.0;
		if (cy < top || cy > bot || c[i].area < s->height * s->height * 0.008 ||
		    c[i].y1 - c[i].y0 + 1 < s->height * 0.1)
			continue;
		add_pieces(s, i + 1, &c[i]);
	}
	qsort(s->piece, (size_t)s->npieces, sizeof s->piece[0], by_middle);
out:
	free(stack);
	free(c);
	return rc;
}

int kyc__edigits_run_ink(const struct kyc__edigits_seg *s, int i, int j, int x, int y)
{
	int l = s->label[(size_t)y * (size_t)s->w + (size_t)x];
	for (int k = i; k < j; k++) {
		const struct kyc__edigits_piece *p = &s->piece[k];
		if (p->label == l && x >= p->x0 && x <= p->x1)
			return 1;
	}
	return 0;
}

int kyc__edigits_features(const struct kyc__edigits_seg *s, int i, int j, float *f)
{
	int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
	for (int k = i; k < j; k++) {
		const struct kyc__edigits_piece *p = &s->piece[k];
		x0 = p->x0 < x0 ? p->x0 : x0, x1 = p->x1 > x1 ? p->x1 : x1;
		y0 = p->y0 < y0 ? p->y0 : y0, y1 = p->y1 > y1 ? p->y1 : y1;
	}
	int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
	if (x1 < 0 || bw > 1.3 * s->height)
		return -1;
	enum { NW = KYC__EDIGITS_NW, NH = KYC__EDIGITS_NH };
	double sc = fmax((double)bw / NW, (double)bh / NH);
	double ox = x0 + bw / 2.0 - sc * NW / 2, oy = y0 + bh / 2.0 - sc * NH / 2;
	for (int y = 0; y < NH; y++)
		for (int x = 0; x < NW; x++) {
			/* The cell's ink coverage, sampled 3 x 3. */
			int v = 0;
			for (int b = 0; b < 3; b++)
				for (int a = 0; a < 3; a++) {
					int px = (int)floor(ox + (x + (a + 0.5) / 3) * sc);
					int py = (int)floor(oy + (y + (b + 0.5) / 3) * sc);
					if (px >= x0 && px <= x1 && py >= y0 && py <= y1)
						v += kyc__edigits_run_ink(s, i, j, px, py);
				}
			f[y * NW + x] = (float)v / 9;
		}
	f[NW * NH] = (float)(bh / s->height);
	f[NW * NH + 1] = (float)(((y0 + y1) / 2.0 - s->top) / s->height);
	f[NW * NH + 2] = (float)(bw / s->height);
	return 0;
}

void kyc__edigits_classify(const struct kyc__edigits_model *m, const float *f, float *p)
{
	float hid[KYC__EDIGITS_MAX_HIDDEN], z[KYC__EDIGITS_NOUT];
	for (int k = 0; k < m->hidden; k++)
		hid[k] = m->b1[k];
	for (int i = 0; i < m->nin; i++) {
		if (f[i] == 0)
			continue;
		const float *w = m->w1 + (size_t)i * (size_t)m->hidden;
		for (int k = 0; k < m->hidden; k++)
			hid[k] += f[i] * w[k];
	}
	float top = -1e30f;
	for (int o = 0; o < m->nout; o++) {
		double a = m->b2[o];
		for (int k = 0; k < m->hidden; k++)
			a += (hid[k] > 0 ? hid[k] : 0) * m->w2[(size_t)k * (size_t)m->nout + (size_t)o];
		z[o] = (float)a;
		top = z[o] > top ? z[o] : top;
	}
	double sum = 0;
	for (int o = 0; o < m->nout; o++)
		sum += (p[o] = expf(z[o] - top));
	for (int o = 0; o < m->nout; o++)
		p[o] = (float)(p[o] / sum);
}

/* Whether class c may stand where the pattern has ch. */
static int allowed(char ch, int c)
{
	return ch == '/' ? c == 10 : c < 10;
}

/* A piece the reading leaves out (a speck in the band) costs this much on
 * top of its own "not a character" probability. */
#define SKIP_COST 2.0

int kyc_edigits_read(const unsigned char *gray, int w, int h, int stride, const char *pattern,
		     struct kyc_edigits_reading *out)
{
	enum { P = KYC__EDIGITS_MAX_PIECES, R = KYC__EDIGITS_MAX_RUN, K = KYC_EDIGITS_MAX };
	memset(out, 0, sizeof *out);
	int npat = pattern ? (int)strlen(pattern) : 0;
	if (npat < 1 || npat > K || strspn(pattern, "D/") != (size_t)npat)
		return KYC_ERR_INVALID;
	struct kyc__edigits_seg s;
	int rc = kyc__edigits_segment(gray, w, h, stride, &s);
	float (*prob)[R][KYC__EDIGITS_NOUT] = NULL;
	double (*best)[K + 1] = NULL;
	int (*from)[K + 1] = NULL;
	if (rc)
		goto out;
	int n = s.npieces;
	prob = calloc((size_t)P, sizeof *prob);
	best = malloc((size_t)(P + 1) * sizeof *best);
	from = malloc((size_t)(P + 1) * sizeof *from);
	if (!prob || !best || !from) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* Every run of 1..R pieces, classified once; -1 marks a run too wide. */
	float f[KYC__EDIGITS_NIN];
	for (int i = 0; i < n; i++)
		for (int r = 1; r <= R; r++) {
			prob[i][r - 1][0] = -1;
			if (i + r <= n && kyc__edigits_features(&s, i, i + r, f) == 0)
				kyc__edigits_classify(&kyc__edigits_model, f, prob[i][r - 1]);
		}
	/* best[j][k]: the most likely reading of pieces [0, j) as the first k
	 * characters; from[j][k] how it ended (r > 0: a run of r pieces was
	 * character k-1; 0: piece j-1 was left out). */
	for (int j = 0; j <= n; j++)
		for (int k = 0; k <= npat; k++)
			best[j][k] = -INFINITY, from[j][k] = -1;
	best[0][0] = 0;
	for (int j = 1; j <= n; j++)
		for (int k = 0; k <= npat; k++) {
			double junk = prob[j - 1][0][0] >= 0 ? prob[j - 1][0][KYC_EDIGITS_NCLASS] : 0;
			double v = best[j - 1][k] + log(junk + 1e-6) - SKIP_COST;
			if (v > best[j][k])
				best[j][k] = v, from[j][k] = 0;
			for (int r = 1; k > 0 && r <= R && r <= j; r++) {
				const float *p = prob[j - r][r - 1];
				if (p[0] < 0 || best[j - r][k - 1] == -INFINITY)
					continue;
				double top = 0;
				for (int c = 0; c < KYC_EDIGITS_NCLASS; c++)
					if (allowed(pattern[k - 1], c) && p[c] > top)
						top = p[c];
				v = best[j - r][k - 1] + log(top + 1e-9);
				if (v > best[j][k])
					best[j][k] = v, from[j][k] = r;
			}
		}
	if (best[n][npat] == -INFINITY)
		goto out; /* too few pieces: out->n stays 0 */
	int minconf = 100;
	for (int j = n, k = npat; k > 0;) {
		int r = from[j][k];
		if (r == 0) {
			j--;
			continue;
		}
		const float *p = prob[j - r][r - 1];
		double sum = 0;
		int c1 = -1;
		for (int c = 0; c < KYC_EDIGITS_NCLASS; c++)
			if (allowed(pattern[k - 1], c)) {
				sum += p[c];
				c1 = c1 < 0 || p[c] > p[c1] ? c : c1;
			}
		/* A piece nothing like any allowed class: each equally likely. */
		int nallowed = pattern[k - 1] == '/' ? 1 : 10;
		for (int c = 0; c < KYC_EDIGITS_NCLASS; c++)
			out->prob[k - 1][c] = !allowed(pattern[k - 1], c) ? 0
					      : sum > 1e-20      ? (float)(p[c] / sum)
								 : 1.0f / (float)nallowed;
		int cf = (int)lround(100 * p[c1]);
		minconf = cf < minconf ? cf : minconf;
		out->text[k - 1] = c1 == 10 ? '/' : (char)('0' + c1);
		j -= r, k--;
	}
	out->n = npat;
	out->text[npat] = 0;
	out->conf = minconf;
out:
	free(prob);
	free(best);
	free(from);
	kyc__edigits_seg_release(&s);
	return rc;
}
