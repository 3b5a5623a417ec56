/* Finding a card in a photo (kyc_card_find): the card is the light,
 * even-toned region around the middle of the picture. On a small copy of
 * the photo, the pixels near the middle's tone that connect to the middle
 * through small steps of tone make a region; its holes (text, portrait, barcode) are filled; each of its
 * four sides is fitted with a straight line by RANSAC, which ignores where
 * the region spills onto a light object beside the card or where a corner is
 * rounded; the lines' intersections are the corners. When no region gives
 * three or four sides, two meeting at a corner do for the callers that ask
 * (kyc_card_find_candidates_or_corner, corner_candidates: a card
 * pushed into the corner of a white sheet). */
#include "document/card.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define WORK_SIDE 360
/* Ink on the small copy: this much darker than the card's ground. */
#define INK_DARK 50
/* The region grows across small steps of tone only: the card's edge against
 * a white sheet beside it is a step, the light's slow change across the
 * card is not. */
#define STEP 8

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

/* Width over height of a quadrilateral (TL, TR, BR, BL), sides averaged. */
static double quad_ratio(const double q[4][2])
{
	double wd = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]) + hypot(q[2][0] - q[3][0], q[2][1] - q[3][1]);
	double ht = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + hypot(q[2][0] - q[1][0], q[2][1] - q[1][1]);
	return ht > 0 ? wd / ht : 0;
}

static void meet(const struct line *hz, const struct line *vt, double *x, double *y);
static int tone_at(const unsigned char *g, int w, int h, double x, double y);
static int cmp_int(const void *a, const void *b);

/* Moves from point p along the unit direction (dx, dy) by d. */
static void step_along(const double p[2], double dx, double dy, double d, double out[2])
{
	double n = hypot(dx, dy);
	out[0] = p[0] + dx / n * d, out[1] = p[1] + dy / n * d;
}

/* The corners from three sides and the card's aspect (width / height);
 * side 0 left, 1 top, 2 right, 3 bottom is the one left out. -1 when the
 * three do not make a card. */
static int rebuild(int side, const struct line *L, const struct line *T, const struct line *R,
		   const struct line *B, double aspect, double q[4][2])
{
	switch (side) {
	case 0: case 2: { /* top and bottom with one vertical side */
		const struct line *V = side == 0 ? R : L;
		double a[2], b[2];
		meet(T, V, &a[0], &a[1]);
		meet(B, V, &b[0], &b[1]);
		double hgt = hypot(b[0] - a[0], b[1] - a[1]), d = side == 0 ? -1 : 1;
		double na[2], nb[2];
		step_along(a, d, d * T->a, hgt * aspect, na);
		step_along(b, d, d * B->a, hgt * aspect, nb);
		int l = side == 0;
		memcpy(q[l ? 1 : 0], a, sizeof a), memcpy(q[l ? 2 : 3], b, sizeof b);
		memcpy(q[l ? 0 : 1], na, sizeof na), memcpy(q[l ? 3 : 2], nb, sizeof nb);
		return hgt > 8 ? 0 : -1;
	}
	default: { /* left and right with one horizontal side */
		const struct line *H = side == 1 ? B : T;
		double a[2], b[2];
		meet(H, L, &a[0], &a[1]);
		meet(H, R, &b[0], &b[1]);
		double wid = hypot(b[0] - a[0], b[1] - a[1]), d = side == 1 ? -1 : 1;
		double na[2], nb[2];
		step_along(a, d * L->a, d, wid / aspect, na);
		step_along(b, d * R->a, d, wid / aspect, nb);
		int t = side == 1;
		memcpy(q[t ? 3 : 0], a, sizeof a), memcpy(q[t ? 2 : 1], b, sizeof b);
		memcpy(q[t ? 0 : 3], na, sizeof na), memcpy(q[t ? 1 : 2], nb, sizeof nb);
		return wid > 8 ? 0 : -1;
	}
	}
}

/* Where y = a1*x + b1 (top/bottom) meets x = a2*y + b2 (left/right). */
static void meet(const struct line *hz, const struct line *vt, double *x, double *y)
{
	*y = (hz->a * vt->b + hz->b) / (1 - hz->a * vt->a);
	*x = vt->a * *y + vt->b;
}

/* A window of the small copy where the region starts: the middle fifth of
 * the picture, or that moved by a sixth of its size (a card off-centre). */
struct window {
	int x0, y0, x1, y1;
};

static int median_tone(const unsigned char *g, int w, const struct window *win)
{
	int hist[256] = {0}, n = 0;
	for (int y = win->y0; y < win->y1; y++)
		for (int x = win->x0; x < win->x1; x++, n++)
			hist[g[(size_t)y * (size_t)w + (size_t)x]]++;
	/* The upper half of the tones: the card's ground, not its ink. */
	int c = 0;
	for (int v = 255; v >= 0; v--)
		if ((c += hist[v]) >= n / 3)
			return v;
	return 128;
}

/* Candidate quadrilaterals, in the small copy's pixels. */
#define MAX_CANDIDATES 80
/* The regions' sides, for the corner candidates (corner_candidates). */
#define MAX_REGIONS 16
struct region_sides {
	struct line side[4]; /* left, top, right, bottom */
	int have[4];
	int ground; /* the tone the region grew from */
};
struct candidates {
	double q[MAX_CANDIDATES][4][2];
	int n;
	struct region_sides reg[MAX_REGIONS];
	int nreg;
};

static int card_shaped(const double q[4][2], double aspect, int w, int h)
{
	double r = quad_ratio(q);
	double top = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);
	double left = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
	return (fabs(r / aspect - 1) < 0.06 || fabs(r * aspect - 1) < 0.06) && top >= w / 5.0 &&
	       left >= h / 5.0;
}

static void add_candidate(struct candidates *c, const double q[4][2], double aspect, int w, int h)
{
	if (c->n < MAX_CANDIDATES && card_shaped(q, aspect, w, h))
		memcpy(c->q[c->n++], q, sizeof c->q[0]);
}

/* How much the segment a-b looks like a card's edge where the card lies on
 * paper as light as itself: a step of tone across it, or the thin line of
 * shadow along it (darker than either side); the median over its middle
 * four fifths, from the side of the point (mx, my) outwards. */
static double faint_edge(const unsigned char *g, int w, int h, const double a[2],
			 const double b[2], double mx, double my)
{
	double dx = b[0] - a[0], dy = b[1] - a[1], len = hypot(dx, dy);
	if (len < 1)
		return 0;
	double nx = -dy / len, ny = dx / len;
	if ((a[0] - mx) * nx + (a[1] - my) * ny < 0)
		nx = -nx, ny = -ny;
	int ev[32], n = 0;
	for (int i = 0; i < 32; i++) {
		double t = 0.1 + 0.8 * (i + 0.5) / 32, px = a[0] + t * dx, py = a[1] + t * dy;
		int in = tone_at(g, w, h, px - 2 * nx, py - 2 * ny),
		    out = tone_at(g, w, h, px + 2 * nx, py + 2 * ny);
		if (in < 0 || out < 0)
			continue;
		int on = 255;
		for (int d = -1; d <= 1; d++) {
			int v = tone_at(g, w, h, px + d * nx, py + d * ny);
			if (v >= 0 && v < on)
				on = v;
		}
		int lo = in < out ? in : out, e = abs(in - out);
		ev[n++] = lo - on > e ? lo - on : e;
	}
	if (n < 8)
		return 0;
	qsort(ev, (size_t)n, sizeof ev[0], cmp_int);
	return ev[n / 2];
}

/* Two sides met at a corner and the other two not seen (the card pushed
 * into the corner of a white sheet: beyond the two seen sides the desk,
 * beyond the others the paper, which the region spills onto). The card
 * holds all the ink of the paper's corner (the sheet is blank): its far
 * sides lie past the farthest ink along each seen side, and, among the
 * sizes of the card's aspect that allow it, the one whose far sides are the
 * likeliest edges (faint_edge) is taken, within a fifth past the ink. Both
 * ways round (the long side along either seen side); hz is the top
 * (top_seen) or bottom side, vt the left (left_seen) or right; ground is
 * the card's tone. */
static void corner_candidates(const unsigned char *g, int w, int h, const struct line *hz,
			      int top_seen, const struct line *vt, int left_seen, double aspect,
			      int ground, struct candidates *c)
{
	double p[2];
	meet(hz, vt, &p[0], &p[1]);
	/* unit directions from the corner into the card along each seen side */
	double sa = left_seen ? 1 : -1, sb = top_seen ? 1 : -1;
	double da[2] = {sa, sa * hz->a}, db[2] = {sb * vt->a, sb};
	double la = hypot(da[0], da[1]), lb = hypot(db[0], db[1]);
	da[0] /= la, da[1] /= la, db[0] /= lb, db[1] /= lb;
	/* a pixel's place in that frame: x - p = u*da + v*db */
	double det = da[0] * db[1] - da[1] * db[0];
	if (fabs(det) < 0.5)
		return;
	double ink_a = 0, ink_b = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			if (g[(size_t)y * (size_t)w + (size_t)x] > ground - INK_DARK)
				continue;
			double dx = x + 0.5 - p[0], dy = y + 0.5 - p[1];
			double u = (dx * db[1] - dy * db[0]) / det, v = (da[0] * dy - da[1] * dx) / det;
			/* a margin off the seen sides: their edge and shadow */
			if (u > 2 && v > 2)
				ink_a = fmax(ink_a, u), ink_b = fmax(ink_b, v);
		}
	if (ink_a < 8 || ink_b < 8)
		return;
	for (int turn = 0; turn < 2; turn++) {
		double ra = turn ? 1 / aspect : 1, rb = turn ? 1 : 1 / aspect;
		/* the smallest card of this way round that holds the ink */
		double s0 = fmax(ink_a / ra, ink_b / rb) + 1;
		double best = -1, bq[4][2];
		for (double s = s0; s < s0 * 1.2; s += 0.5) {
			double ka = s * ra, kb = s * rb;
			double q[4][2] = {{p[0], p[1]},
					  {p[0] + ka * da[0], p[1] + ka * da[1]},
					  {p[0] + ka * da[0] + kb * db[0], p[1] + ka * da[1] + kb * db[1]},
					  {p[0] + kb * db[0], p[1] + kb * db[1]}};
			double mx = (q[0][0] + q[2][0]) / 2, my = (q[0][1] + q[2][1]) / 2;
			/* the far side along hz, then the far side along vt */
			double e1 = faint_edge(g, w, h, q[3], q[2], mx, my),
			       e2 = faint_edge(g, w, h, q[1], q[2], mx, my);
			double sc = fmin(e1, e2) + 0.25 * (e1 + e2);
			if (sc > best)
				best = sc, memcpy(bq, q, sizeof bq);
		}
		if (best < 0)
			continue;
		/* named clockwise from the top-left, as the other candidates: bq
		 * runs from the corner along hz, then vt, clockwise when the
		 * corner is the top-left or the bottom-right */
		double out[4][2];
		int tl = top_seen ? (left_seen ? 0 : 1) : (left_seen ? 3 : 2), cw = tl == 0 || tl == 2;
		for (int i = 0; i < 4; i++)
			memcpy(out[(tl + i) % 4], bq[cw ? i : (4 - i) % 4], sizeof out[0]);
		add_candidate(c, out, aspect, w, h);
	}
}

/* The region of tone within tol of the middle's, connected to the middle,
 * its holes filled, its outline fitted side by side: the quadrilateral of
 * the four sides, and each one rebuilt from the other three and the card's
 * aspect (a white sheet flush against a side lets the region spill there). */
static void region_candidates(const unsigned char *g, int w, int h, const struct window *win,
			      int tone, int tol, double aspect, unsigned char *reg, int *stack,
			      float *pt, struct candidates *c)
{
	/* The fills below are most of the finder's time, and a division per
	 * pixel most of theirs: the row is i times a reciprocal of w, exact
	 * while i * w < 2^32 (the working copy is under 720 px a side). */
	uint64_t inv = ((uint64_t)1 << 32) / (uint64_t)w + 1;
#define ROW(i) ((int)(((uint64_t)(i) * inv) >> 32))
	memset(reg, 0, (size_t)w * (size_t)h);
	/* 1: the region of the window's tone connected to the window. */
	int sp = 0;
	for (int y = win->y0; y < win->y1; y++)
		for (int x = win->x0; x < win->x1; x++) {
			size_t i = (size_t)y * (size_t)w + (size_t)x;
			if (abs(g[i] - tone) <= tol && !reg[i])
				reg[i] = 1, stack[sp++] = (int)i;
		}
	while (sp > 0) {
		int i = stack[--sp], y = ROW(i), x = i - y * w;
		int nb[4] = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1,
			     y + 1 < h ? i + w : -1};
		for (int j = 0; j < 4; j++)
			if (nb[j] >= 0 && !reg[nb[j]] && abs(g[nb[j]] - tone) <= tol &&
			    abs(g[nb[j]] - g[i]) <= STEP)
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
		int i = stack[--sp], y = ROW(i), x = i - y * w;
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
	/* Walk out from the region's centre and stop at the first pixel
	 * outside: a light object beside the card that the region still
	 * reached lies beyond that. */
	double sx = 0, sy = 0, cnt = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if (reg[(size_t)y * (size_t)w + (size_t)x] == 1)
				sx += x, sy += y, cnt++;
	if (cnt < 64)
		return;
	int cx = (int)(sx / cnt), cy = (int)(sy / cnt);
#define OUTSIDE(x, y) (reg[(size_t)(y) * (size_t)w + (size_t)(x)] == 2)
	for (int y = 0; y < h; y++) {
		if (OUTSIDE(cx, y))
			continue;
		int x = cx;
		while (x > 0 && !OUTSIDE(x - 1, y))
			x--;
		if (x > 0)
			lt[nl] = (float)y, lv[nl++] = (float)x;
		x = cx;
		while (x < w - 1 && !OUTSIDE(x + 1, y))
			x++;
		if (x < w - 1)
			rt[nr] = (float)y, rv[nr++] = (float)x + 1;
	}
	for (int x = 0; x < w; x++) {
		if (OUTSIDE(x, cy))
			continue;
		int y = cy;
		while (y > 0 && !OUTSIDE(x, y - 1))
			y--;
		if (y > 0)
			tt[ntop] = (float)x, tv[ntop++] = (float)y;
		y = cy;
		while (y < h - 1 && !OUTSIDE(x, y + 1))
			y++;
		if (y < h - 1)
			bt[nbot] = (float)x, bv[nbot++] = (float)y + 1;
	}
#undef OUTSIDE
#undef ROW
	struct line L, R, Tp, B;
	int il = fit_line(lt, lv, nl, &L), ir = fit_line(rt, rv, nr, &R),
	    it = fit_line(tt, tv, ntop, &Tp), ib = fit_line(bt, bv, nbot, &B);
	double q[4][2];
	if (il && ir && it && ib) {
		meet(&Tp, &L, &q[0][0], &q[0][1]);
		meet(&Tp, &R, &q[1][0], &q[1][1]);
		meet(&B, &R, &q[2][0], &q[2][1]);
		meet(&B, &L, &q[3][0], &q[3][1]);
		add_candidate(c, q, aspect, w, h);
	}
	int have[4] = {il, it, ir, ib}, before = c->n;
	L = il ? L : (struct line){0, 0}, R = ir ? R : (struct line){0, 0};
	Tp = it ? Tp : (struct line){0, 0}, B = ib ? B : (struct line){0, 0};
	for (int side = 0; side < 4; side++) {
		int others = 1;
		for (int j = 0; j < 4; j++)
			others &= j == side || have[j];
		if (others && rebuild(side, &L, &Tp, &R, &B, aspect, q) == 0)
			add_candidate(c, q, aspect, w, h);
	}
	/* No card of three or four sides: keep the sides for a card made of
	 * two sides meeting at a corner, should no region give a card. */
	if (c->n == before && c->nreg < MAX_REGIONS) {
		struct region_sides *rs = &c->reg[c->nreg++];
		rs->side[0] = L, rs->side[1] = Tp, rs->side[2] = R, rs->side[3] = B;
		memcpy(rs->have, have, sizeof have);
		rs->ground = tone;
	}
}

static int tone_at(const unsigned char *g, int w, int h, double x, double y)
{
	int ix = (int)lround(x), iy = (int)lround(y);
	return ix < 0 || iy < 0 || ix >= w || iy >= h ? -1 : g[(size_t)iy * (size_t)w + (size_t)ix];
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* How much a side of q looks like the card's edge: the median step of tone
 * across it (two pixels in, two out) along its middle four fifths. */
static double side_edge(const unsigned char *g, int w, int h, const double q[4][2], int side)
{
	const double *a = q[side], *b = q[(side + 1) % 4];
	double mx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, my = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
	double dx = b[0] - a[0], dy = b[1] - a[1], len = hypot(dx, dy);
	if (len < 1)
		return 0;
	double nx = -dy / len, ny = dx / len;
	if ((a[0] - mx) * nx + (a[1] - my) * ny < 0)
		nx = -nx, ny = -ny; /* outwards */
	int step[64], n = 0;
	for (int i = 0; i < 64; i++) {
		double t = 0.1 + 0.8 * (i + 0.5) / 64, px = a[0] + t * dx, py = a[1] + t * dy;
		int in = tone_at(g, w, h, px - 2 * nx, py - 2 * ny), out = tone_at(g, w, h, px + 2 * nx, py + 2 * ny);
		if (in >= 0 && out >= 0)
			step[n++] = abs(in - out);
	}
	if (n < 16)
		return 0;
	qsort(step, (size_t)n, sizeof step[0], cmp_int);
	return step[n / 2];
}

/* A candidate's score: its weakest side's edge counts most, the others
 * break ties. */
static double edge_score(const unsigned char *g, int w, int h, const double q[4][2])
{
	double e[4], lo = 1e9, sum = 0;
	for (int s = 0; s < 4; s++) {
		e[s] = side_edge(g, w, h, q, s);
		lo = fmin(lo, e[s]);
		sum += e[s];
	}
	return lo + 0.25 * sum;
}

/* Whether two quadrilaterals name nearly the same corners (within tol px). */
static int same_quad(const double a[4][2], const double b[4][2], double tol)
{
	for (int i = 0; i < 4; i++)
		if (hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]) > tol)
			return 0;
	return 1;
}

static int find_candidates(const struct kyc_image *img, double aspect, double quads[][4][2],
			   double *scores, int max, int corners)
{
	int rc = KYC_ERR_NOTFOUND;
	int k = (img->w > img->h ? img->w : img->h) / WORK_SIDE;
	if (k < 1)
		k = 1;
	int w = img->w / k, h = img->h / k;
	if (w < 32 || h < 32)
		return KYC_ERR_NOTFOUND;
	size_t n = (size_t)w * (size_t)h;
	unsigned char *g = malloc(n), *reg = malloc(n);
	int *stack = malloc(n * sizeof *stack);
	float *pt = malloc(4 * (size_t)(w + h) * 2 * sizeof *pt);
	struct candidates *c = calloc(1, sizeof *c);
	if (!g || !reg || !stack || !pt || !c) {
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
	/* A light card on white paper: a wide tolerance spills onto the paper,
	 * a narrow one stops at the card's shading; a card off-centre may leave
	 * the middle to the paper. Regions of a few tolerances, started in a few
	 * windows, give candidates; the one whose sides are the strongest edges
	 * wins. */
	static const double tol_scale[] = {1, 0.6, 0.35};
	static const int shift[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
	for (int s = 0; s < 5; s++) {
		int dx = shift[s][0] * w / 6, dy = shift[s][1] * h / 6;
		struct window win = {w * 2 / 5 + dx, h * 2 / 5 + dy, w * 3 / 5 + dx, h * 3 / 5 + dy};
		int tone = median_tone(g, w, &win), tol = tone / 7 + 6;
		for (size_t t = 0; t < sizeof tol_scale / sizeof tol_scale[0]; t++)
			region_candidates(g, w, h, &win, tone, (int)lround(tol * tol_scale[t]), aspect,
					  reg, stack, pt, c);
	}
	/* No card of three or four sides in any region: two sides meeting at
	 * a corner (a card pushed into the corner of a white sheet). */
	if (c->n == 0 && corners)
		for (int r = 0; r < c->nreg; r++) {
			const struct region_sides *rs = &c->reg[r];
			for (int corner = 0; corner < 4; corner++) {
				int top = corner < 2, left = corner % 2 == 0;
				if (rs->have[top ? 1 : 3] && rs->have[left ? 0 : 2])
					corner_candidates(g, w, h, &rs->side[top ? 1 : 3], top,
							  &rs->side[left ? 0 : 2], left, aspect,
							  rs->ground, c);
			}
		}
	if (c->n == 0)
		goto out;
	double score[MAX_CANDIDATES];
	for (int i = 0; i < c->n; i++)
		score[i] = edge_score(g, w, h, c->q[i]);
	/* Best first, each distinct one once (within 2 % of the picture). */
	int found = 0;
	while (found < max) {
		int best = -1;
		for (int i = 0; i < c->n; i++)
			if (score[i] >= 0 && (best < 0 || score[i] > score[best]))
				best = i;
		if (best < 0)
			break;
		double (*q)[2] = c->q[best], sc = score[best];
		for (int i = 0; i < c->n; i++)
			if (same_quad(c->q[i], q, 0.02 * (w > h ? w : h)))
				score[i] = -1;
		double top = hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]);
		double left = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
		/* A card standing on its short side: name the corners from its long side. */
		int turn = left > top;
		for (int i = 0; i < 4; i++) {
			int j = turn ? (i + 3) % 4 : i;
			quads[found][i][0] = q[j][0] * k, quads[found][i][1] = q[j][1] * k;
		}
		if (scores)
			scores[found] = sc;
		found++;
	}
	rc = found;
out:
	free(g);
	free(reg);
	free(stack);
	free(pt);
	free(c);
	return rc;
}

int kyc_card_find_candidates(const struct kyc_image *img, double aspect, double quads[][4][2],
			     double *scores, int max)
{
	return find_candidates(img, aspect, quads, scores, max, 0);
}

int kyc_card_find_candidates_or_corner(const struct kyc_image *img, double aspect,
				       double quads[][4][2], double *scores, int max)
{
	return find_candidates(img, aspect, quads, scores, max, 1);
}

int kyc_card_find(const struct kyc_image *img, double aspect, double quad[4][2])
{
	double q[1][4][2];
	int n = kyc_card_find_candidates(img, aspect, q, NULL, 1);
	if (n < 0)
		return n;
	memcpy(quad, q[0], sizeof q[0]);
	return 0;
}
