/* A PDF417 located by its texture and its two wide bars (pdf417_find.h). */
#include "document/pdf417_find.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Tile side, px: a codeword (17 modules) is 17-70 px at the 1-4 px modules
 * the reader meets, so a tile holds a few bars at the least. */
#define TILE 12
/* A tile is texture when its gradient energy is at least this share of the
 * picture's strongest (its 99th percentile) and its gradients point one
 * way at least this much (coherence 0..1): a PDF417's bars give about 0.5
 * (its row boundaries are the rest), print and grain less or weaker. */
#define MIN_ENERGY 0.15
#define MIN_COHERENCE 0.3
/* Neighbouring texture tiles join when their directions differ by less. */
#define JOIN_DEG 20.0
/* The fewest tiles of a group looked at: a symbol of 86 modules of 1 px
 * by three rows of 3 modules is smaller, but such a symbol does not decode
 * at that size anyway; a licence's at 1 px is about 270 x 40 px. */
#define MIN_TILES 12
/* Groups looked at for their bars, the largest first. */
#define MAX_GROUPS 8
/* Modules added around the bars' span for the symbol's quadrilateral: the
 * stop pattern's thin elements (11 modules) lie beyond its wide bar, on
 * either side since which way up is not known; and the quiet zone. */
#define PAD_ACROSS 12.0
/* The most the columns between the bars (averaged over the symbol's middle
 * half) may vary, as a share of the bars' contrast: 0.06-0.17 on 28 level-2
 * backs of development seeds 8675309 and 271828, 0.32-0.46 on the lines of
 * print of 120 licence fronts of seed 8675309 that passed every other test. */
#define MAX_FLAT 0.24
#define PAD_DOWN 2.0

struct tile {
	double xx, yy, xy; /* the structure tensor: sums of gx², gy², gx gy */
	double e;          /* mean energy per pixel */
	double coh, deg;   /* coherence 0..1, gradient direction in (-90, 90] */
	int group;         /* -1: no texture, else its group */
};

struct group {
	int n; /* tiles */
	double xx, yy, xy, e;
	int id;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return x->e < y->e ? 1 : x->e > y->e ? -1 : x->id - y->id;
}

static double angle_diff(double a, double b)
{
	double d = fabs(a - b);
	return d > 90 ? 180 - d : d;
}

/* img's gray plane at (x, y), bilinear; paper (255) outside. */
static double pixel(const struct kyc_image *img, double x, double y)
{
	int x0 = (int)floor(x), y0 = (int)floor(y);
	if (x0 < 0 || y0 < 0 || x0 + 1 >= img->w || y0 + 1 >= img->h)
		return 255;
	double fx = x - x0, fy = y - y0;
	const unsigned char *p = img->gray + (size_t)y0 * (size_t)img->w + (size_t)x0;
	return (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
	       (p[img->w] * (1 - fx) + p[img->w + 1] * fx) * fy;
}

/* The tiles' structure tensors from central differences. */
static void tensors(const struct kyc_image *img, struct tile *t, int tw, int th)
{
	const unsigned char *g = img->gray;
	int w = img->w;
	for (int ty = 0; ty < th; ty++)
		for (int tx = 0; tx < tw; tx++) {
			struct tile *T = &t[ty * tw + tx];
			double xx = 0, yy = 0, xy = 0;
			int n = 0;
			for (int y = ty * TILE; y < ty * TILE + TILE; y++) {
				if (y < 1 || y + 1 >= img->h)
					continue;
				for (int x = tx * TILE; x < tx * TILE + TILE; x++) {
					if (x < 1 || x + 1 >= w)
						continue;
					const unsigned char *p =
					    g + (size_t)y * (size_t)w + (size_t)x;
					double gx = p[1] - p[-1], gy = p[w] - p[-w];
					xx += gx * gx, yy += gy * gy, xy += gx * gy, n++;
				}
			}
			T->xx = xx, T->yy = yy, T->xy = xy, T->group = -1;
			T->e = n ? (xx + yy) / n : 0;
			T->coh =
			    xx + yy > 0 ? sqrt((xx - yy) * (xx - yy) + 4 * xy * xy) / (xx + yy) : 0;
			T->deg = 0.5 * atan2(2 * xy, xx - yy) * 180 / M_PI;
		}
}

/* A dark run of a profile, [l, r) in samples. */
struct run {
	int l, r;
};

static int dark_runs(const double *p, int n, double thr, struct run *out, int max)
{
	int k = 0;
	for (int x = 0; x < n && k < max;) {
		if (p[x] >= thr) {
			x++;
			continue;
		}
		int e = x;
		while (e < n && p[e] < thr)
			e++;
		out[k].l = x, out[k].r = e, k++;
		x = e;
	}
	return k;
}

/* Where a bar of the frame's columns [c0, c1) ends upward and downward from
 * row mid: the dark run of the columns' mean along the rows, under half way
 * from the bar's ink to the lightest. R is the frame (nu x nv). */
static void bar_ends(const double *R, int nu, int nv, int c0, int c1, int mid, int *top,
                     int *bottom)
{
	double ink = 0, hi = 0;
	double *p = malloc((size_t)nv * sizeof *p);
	*top = 0, *bottom = nv;
	if (!p || c1 <= c0)
		goto out;
	for (int v = 0; v < nv; v++) {
		double s = 0;
		for (int u = c0; u < c1; u++)
			s += R[(size_t)v * (size_t)nu + (size_t)u];
		p[v] = s / (c1 - c0);
		hi = fmax(hi, p[v]);
	}
	ink = p[mid];
	double thr = (ink + hi) / 2;
	int t = mid, b = mid;
	while (t > 0 && p[t - 1] < thr)
		t--;
	while (b + 1 < nv && p[b + 1] < thr)
		b++;
	*top = t, *bottom = b + 1;
out:
	free(p);
}

double kyc_pdf417_bars_module(double a, double b)
{
	double lo = fmin(a, b), hi = fmax(a, b);
	if (lo <= 0)
		return 0;
	return hi <= 2.2 * lo ? (a + b) / 15 : 0;
}

int kyc_pdf417_flatten(double *p, int n, double r)
{
	int k = (int)lround(r);
	double *mx = malloc((size_t)(n > 0 ? n : 1) * sizeof *mx);
	if (!mx)
		return KYC_ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		mx[i] = 0;
		for (int j = i - k < 0 ? 0 : i - k; j <= i + k && j < n; j++)
			mx[i] = fmax(mx[i], p[j]);
	}
	/* the paper's level: the running maximum, smoothed over the same
	 * width so that one light column does not set it alone */
	for (int i = 0; i < n; i++) {
		double s = 0;
		int m = 0;
		for (int j = i - k < 0 ? 0 : i - k; j <= i + k && j < n; j++, m++)
			s += mx[j];
		double paper = s / m;
		p[i] = paper > 1 ? fmin(255, 255 * p[i] / paper) : 255;
	}
	free(mx);
	return 0;
}

/* The group's two wide bars in the frame R (nu x nv, u across the bars),
 * the group's tiles spanning [gu0, gu1] x [gv0, gv1] there: the symbol's
 * corners in frame coordinates and its module, or -1 when the group holds
 * no PDF417's bars. When flat, the columns are taken as shares of the
 * paper's level around them first (kyc_pdf417_flatten). */
static int bars(const double *R, int nu, int nv, double gu0, double gu1, double gv0, double gv1,
                int flat, double q[4][2], double *mod)
{
	int v0 = (int)(gv0 + (gv1 - gv0) / 4), v1 = (int)(gv1 - (gv1 - gv0) / 4), rc = -1;
	if (v1 <= v0)
		v1 = v0 + 1;
	double *col = malloc((size_t)nu * sizeof *col), lo = 255, hi = 0;
	struct run *runs = malloc((size_t)nu * sizeof *runs);
	if (!col || !runs)
		goto out;
	for (int u = 0; u < nu; u++) {
		double s = 0;
		for (int v = v0; v < v1; v++)
			s += R[(size_t)v * (size_t)nu + (size_t)u];
		col[u] = s / (v1 - v0);
	}
	if (flat && kyc_pdf417_flatten(col, nu, fmax(2 * TILE, (gu1 - gu0) / 10)))
		goto out;
	for (int u = 0; u < nu; u++)
		lo = fmin(lo, col[u]), hi = fmax(hi, col[u]);
	if (hi - lo < 40)
		goto out;
	int n = dark_runs(col, nu, lo + 0.4 * (hi - lo), runs, nu);
	/* the consistent pair nearest the group's ends, one bar in each outer
	 * sixth of it (the tiles reach a little past the bars or stop short;
	 * a dark desk beyond the card's edge lies farther out) */
	double span = gu1 - gu0, best = 1e18;
	for (int i = 0; i < n; i++) {
		double ci = (runs[i].l + runs[i].r) / 2.0;
		if (ci < gu0 - span / 6 || ci > gu0 + span / 6)
			continue;
		for (int j = i + 1; j < n; j++) {
			double cj = (runs[j].l + runs[j].r) / 2.0;
			if (cj < gu1 - span / 6 || cj > gu1 + span / 6)
				continue;
			double wi = runs[i].r - runs[i].l, wj = runs[j].r - runs[j].l,
			       m = kyc_pdf417_bars_module(wi, wj);
			if (m < 0.8 || runs[j].r - runs[i].l < 86 * m)
				continue;
			/* between them the codewords' grey: about half ink */
			double inner = 0;
			for (int u = runs[i].r; u < runs[j].l; u++)
				inner += col[u];
			inner = (inner / (runs[j].l - runs[i].r) - lo) / (hi - lo);
			double off = fabs(ci - gu0) + fabs(cj - gu1);
			/* and flat: a PDF417's codewords change from row to row, so
			 * its columns average alike, where a line of print keeps
			 * its letters (past the start pattern and the row
			 * indicators, 20 modules in from each bar) */
			double sd = 0;
			int nsd = 0;
			for (int u = runs[i].r + (int)(20 * m); u < runs[j].l - (int)(20 * m);
			     u++, nsd++)
				sd += ((col[u] - lo) / (hi - lo) - inner) *
				      ((col[u] - lo) / (hi - lo) - inner);
			if (!nsd || sqrt(sd / nsd) > MAX_FLAT)
				continue;
			if (inner < 0.25 || inner > 0.75 || off >= best)
				continue;
			best = off;
			int mid = (v0 + v1) / 2, t[2], b[2];
			bar_ends(R, nu, nv, runs[i].l + (int)(wi / 4), runs[i].r - (int)(wi / 4),
			         mid, &t[0], &b[0]);
			bar_ends(R, nu, nv, runs[j].l + (int)(wj / 4), runs[j].r - (int)(wj / 4),
			         mid, &t[1], &b[1]);
			double ul = runs[i].l - PAD_ACROSS * m, ur = runs[j].r + PAD_ACROSS * m;
			q[0][0] = ul, q[0][1] = t[0] - PAD_DOWN * m;
			q[1][0] = ur, q[1][1] = t[1] - PAD_DOWN * m;
			q[2][0] = ur, q[2][1] = b[1] + PAD_DOWN * m;
			q[3][0] = ul, q[3][1] = b[0] + PAD_DOWN * m;
			*mod = m;
			/* rows of at least three modules, three rows at least */
			rc = fmin(b[0] - t[0], b[1] - t[1]) >= 9 * m ? 0 : -1;
		}
	}
out:
	free(col);
	free(runs);
	return rc;
}

/* The symbol of one group: its frame sampled from the picture, its bars
 * found on the columns as they are (out[0]) and as shares of the paper
 * around them (out[1], kyc_pdf417_flatten), its corners back in the
 * picture; found[k] says which were found. 0 or KYC_ERR_NOMEM. */
static int locate(const struct kyc_image *img, const struct tile *t, int tw, int th,
                  const struct group *G, struct kyc_pdf417_found out[2], int found[2])
{
	/* across the bars: the gradient's mean direction (doubled angles) */
	double a = 0.5 * atan2(2 * G->xy, G->xx - G->yy);
	double ux = cos(a), uy = sin(a), vx = -uy, vy = ux;
	double u0 = 1e18, u1 = -1e18, v0 = 1e18, v1 = -1e18;
	for (int i = 0; i < tw * th; i++) {
		if (t[i].group != G->id)
			continue;
		double cx = (i % tw + 0.5) * TILE, cy = (i / tw + 0.5) * TILE;
		double u = cx * ux + cy * uy, v = cx * vx + cy * vy;
		u0 = fmin(u0, u), u1 = fmax(u1, u), v0 = fmin(v0, v), v1 = fmax(v1, v);
	}
	/* the frame: the group's extent grown, for the bars beyond its tiles */
	double gu = fmax(3 * TILE, 0.15 * (u1 - u0)), gv = 3 * TILE;
	double fu = u0 - gu, fv = v0 - gv;
	int nu = (int)(u1 - u0 + 2 * gu), nv = (int)(v1 - v0 + 2 * gv);
	double *R = malloc((size_t)nu * (size_t)nv * sizeof *R);
	if (!R)
		return KYC_ERR_NOMEM;
	for (int v = 0; v < nv; v++)
		for (int u = 0; u < nu; u++) {
			double U = fu + u, V = fv + v;
			R[(size_t)v * (size_t)nu + (size_t)u] =
			    pixel(img, U * ux + V * vx, U * uy + V * vy);
		}
	for (int flat = 0; flat < 2; flat++) {
		double q[4][2], mod = 0;
		found[flat] = !bars(R, nu, nv, u0 - fu, u1 - fu, v0 - fv, v1 - fv, flat, q, &mod);
		for (int k = 0; k < 4 && found[flat]; k++) {
			double U = fu + q[k][0], V = fv + q[k][1];
			out[flat].quad[k][0] = U * ux + V * vx;
			out[flat].quad[k][1] = U * uy + V * vy;
		}
		out[flat].module_px = mod;
		out[flat].score = G->e;
	}
	free(R);
	return 0;
}

/* Whether f is one of the n symbols of found: each corner within three of
 * its modules of theirs. */
static int known(const struct kyc_pdf417_found *found, int n, const struct kyc_pdf417_found *f)
{
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (k < 4 && hypot(found[i].quad[k][0] - f->quad[k][0],
		                      found[i].quad[k][1] - f->quad[k][1]) < 3 * f->module_px)
			k++;
		if (k == 4)
			return 1;
	}
	return 0;
}

int kyc_pdf417_find(const struct kyc_image *img, struct kyc_pdf417_found *out, int max)
{
	int tw = img->w / TILE, th = img->h / TILE, found = 0, ng = 0, rc = 0;
	max = max > KYC_PDF417_FIND_MAX ? KYC_PDF417_FIND_MAX : max;
	if (tw < 4 || th < 4 || max <= 0)
		return 0;
	size_t nt = (size_t)tw * (size_t)th;
	struct tile *t = malloc(nt * sizeof *t);
	double *e = malloc(nt * sizeof *e);
	int *stack = malloc(nt * sizeof *stack);
	struct group *G = malloc(nt * sizeof *G);
	if (!t || !e || !stack || !G) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	tensors(img, t, tw, th);
	for (size_t i = 0; i < nt; i++)
		e[i] = t[i].e;
	qsort(e, nt, sizeof *e, cmp_double);
	double strong = e[(size_t)(0.99 * (double)(nt - 1))];
	if (strong <= 0)
		goto out;
	/* groups of neighbouring texture tiles of like direction */
	for (size_t i = 0; i < nt; i++) {
		if (t[i].group >= 0 || t[i].e < MIN_ENERGY * strong || t[i].coh < MIN_COHERENCE)
			continue;
		struct group *g = &G[ng];
		memset(g, 0, sizeof *g);
		g->id = ng++;
		int sp = 0;
		stack[sp++] = (int)i;
		t[i].group = g->id;
		while (sp) {
			int k = stack[--sp], kx = k % tw, ky = k / tw;
			g->n++, g->xx += t[k].xx, g->yy += t[k].yy, g->xy += t[k].xy,
			    g->e += t[k].e;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int x = kx + dx, y = ky + dy;
					if (x < 0 || y < 0 || x >= tw || y >= th)
						continue;
					struct tile *o = &t[y * tw + x];
					if (o->group >= 0 || o->e < MIN_ENERGY * strong ||
					    o->coh < MIN_COHERENCE ||
					    angle_diff(o->deg, t[k].deg) >= JOIN_DEG)
						continue;
					o->group = g->id;
					stack[sp++] = y * tw + x;
				}
		}
	}
	/* the groups by their summed energy, each looked at for its bars */
	struct group *sorted = malloc((size_t)(ng ? ng : 1) * sizeof *sorted);
	if (!sorted) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	memcpy(sorted, G, (size_t)ng * sizeof *G);
	qsort(sorted, (size_t)ng, sizeof *sorted, cmp_group);
	/* each group's bars on its columns as they are, then, after all of
	 * those, on the columns taken as shares of the paper around them: a
	 * shadow across the symbol darkens its codewords' columns there under
	 * the ink threshold, and their run is taken for a wide bar (9207 #55,
	 * docs/dl.md); a symbol found so is kept when it is not one found
	 * already */
	struct kyc_pdf417_found flat[MAX_GROUPS], two[2];
	int nflat = 0;
	for (int i = 0; i < ng && i < MAX_GROUPS && found < max; i++) {
		if (sorted[i].n < MIN_TILES)
			continue;
		int got[2];
		rc = locate(img, t, tw, th, &sorted[i], two, got);
		if (rc)
			break;
		if (got[0])
			out[found++] = two[0];
		if (got[1])
			flat[nflat++] = two[1];
	}
	for (int i = 0; i < nflat && found < max && !rc; i++)
		if (!known(out, found, &flat[i]))
			out[found++] = flat[i];
	free(sorted);
out:
	free(t);
	free(e);
	free(stack);
	free(G);
	return rc ? rc : found;
}

/* A histogram of Sobel gradient directions, modulo 90, over the strong
 * edges only (weak ones are the desk's grain and the print). */
double kyc_pdf417_find_angle(const struct kyc_image *img)
{
	const unsigned char *g = img->gray;
	int w = img->w, h = img->h;
	double hist[90] = {0};
	for (int y = 1; y + 1 < h; y += 2)
		for (int x = 1; x + 1 < w; x += 2) {
			const unsigned char *p = g + (size_t)y * (size_t)w + (size_t)x;
			int gx =
			    (p[1 - w] + 2 * p[1] + p[1 + w]) - (p[-1 - w] + 2 * p[-1] + p[-1 + w]);
			int gy =
			    (p[w - 1] + 2 * p[w] + p[w + 1]) - (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
			double m = (double)gx * gx + (double)gy * gy;
			if (m < 300.0 * 300.0)
				continue;
			double a = fmod(atan2(gy, gx) * 180 / M_PI + 360, 90);
			hist[(int)a % 90] += m;
		}
	int best = 0;
	for (int i = 1; i < 90; i++)
		if (hist[i] > hist[best])
			best = i;
	/* the peak's centre from its neighbours (parabola) */
	double l = hist[(best + 89) % 90], c = hist[best], r = hist[(best + 1) % 90];
	double off = l - 2 * c + r < 0 ? 0.5 * (l - r) / (l - 2 * c + r) : 0;
	double a = best + 0.5 + off;
	return a >= 45 ? a - 90 : a;
}

unsigned char *kyc_pdf417_turned(const struct kyc_image *img, double deg)
{
	int w = img->w, h = img->h;
	unsigned char *out = malloc((size_t)w * (size_t)h);
	if (!out)
		return NULL;
	double c = cos(deg * M_PI / 180), s = sin(deg * M_PI / 180), cx = w / 2.0, cy = h / 2.0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			/* where the output pixel comes from: the inverse turn */
			double sx = c * (x - cx) + s * (y - cy) + cx,
			       sy = -s * (x - cx) + c * (y - cy) + cy;
			out[(size_t)y * (size_t)w + (size_t)x] =
			    (unsigned char)lround(pixel(img, sx, sy));
		}
	return out;
}
