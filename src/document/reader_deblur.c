/* A shaken MRZ band deblurred (reader_deblur.h). Camera shake smears every
 * glyph along one straight line: the band is the sharp print convolved with
 * a box of length L in direction phi. Both are measured on the band itself,
 * and the blur undone, along lines of that direction: the band is sampled
 * along sheared lines (one sample per column, or per row when the blur is
 * nearer the vertical), each line deconvolved in one dimension, and the
 * lines sampled back. One dimension is what makes it cheap: a box is a
 * running sum, so a Richardson-Lucy step costs a few operations a sample
 * whatever L, and no FFT is needed. */
#include "document/reader_deblur.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/reader_int.h"

#define NDIR 24 /* directions measured over half a turn */
/* The band is measured and deconvolved at half its resolution: a small
 * MRZ's band is resampled two or three times finer than its photo, and a
 * shake of several pixels has taken a larger one's finest detail, while
 * the work is quartered (13.7 -> 3.6 ms on a 1000 × 200 band). */
#define HALF 2
#define MIN_LEN 3.5 /* band pixels: a glyph is 20 tall, a stroke 2-3 wide */
/* The shake under a reading whose check digits hold that is read again:
 * long enough to have made its unsure characters. Sharp real pictures
 * measure 5-7.6 from their print's own texture and would pay 8-10 ms for
 * nothing; the shakes that settled a character measured 7-25 (development
 * seeds 9100-9107, bench/README.md "Issue 11: motion and mixed at level 2
 * (branch rd20d)"). */
#define MIN_LEN_UNSURE 8.0
/* Band pixels around the cells resampled: the shake, the flattening's
 * window and the classifier's context. */
#define RAW_MARGIN 32
#define NEAR_DIRS 2 /* directions either side of the smoothest one */
#define MIN_LAG 3   /* lags below this are a stroke's own width */
#define MAX_LAG 16

/* The band's pixels in [x0, x1) × [y0, y1) as floats, transposed when tr
 * (then a->w is y1 - y0). */
struct plane {
	float *a;
	int w, h;
};

static int plane_make(const struct kyc_reader__band *b, int x0, int y0, int x1, int y1, int tr,
                      int f, struct plane *p)
{
	int w = (x1 - x0) / f, h = (y1 - y0) / f;
	p->w = tr ? h : w;
	p->h = tr ? w : h;
	p->a = malloc(sizeof *p->a * (size_t)w * (size_t)h);
	if (!p->a)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			/* ink as the signal: Richardson-Lucy restores a sparse
			 * positive signal on a dark ground far faster than dark
			 * strokes on bright paper */
			int sum = 0;
			for (int dy = 0; dy < f; dy++)
				for (int dx = 0; dx < f; dx++)
					sum +=
					    256 - b->px[(size_t)(y * f + dy + y0) * (size_t)b->w +
					                (size_t)(x * f + dx + x0)];
			p->a[tr ? (size_t)x * (size_t)h + (size_t)y
			        : (size_t)y * (size_t)w + (size_t)x] = (float)sum / (float)(f * f);
		}
	return 0;
}

/* The rows of the lines with a margin m, and the cells with one more cell
 * and m, clipped to the band. 0 when too small. */
static int region(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay, int m,
                  int r[4])
{
	if (lay->nlines < 1 || lay->len < 1)
		return 0;
	const struct kyc_reader__line *f = &lay->ln[0], *l = &lay->ln[lay->nlines - 1];
	double x0 = 1e9, x1 = -1e9;
	for (int i = 0; i < lay->nlines; i++) {
		const struct kyc_reader__line *L = &lay->ln[i];
		x0 = fmin(x0, kyc_reader__cell_x(L, -1.5));
		x1 = fmax(x1, kyc_reader__cell_x(L, lay->len + 0.5));
	}
	r[0] = (int)fmax(0, floor(x0) - m);
	r[1] = (f->top < l->top ? f->top : l->top) - m;
	r[2] = (int)fmin(b->w, ceil(x1) + m);
	r[3] = (f->bot > l->bot ? f->bot : l->bot) + 1 + m;
	r[1] = r[1] < 0 ? 0 : r[1];
	r[3] = r[3] > b->h ? b->h : r[3];
	return r[2] - r[0] >= 8 && r[3] - r[1] >= 8;
}

/* The samples of sheared line r of p (y = r + (x - xc) * t, linear between
 * rows) where it is inside the plane: into s, from column *xa; returns how
 * many. |t| <= 1. */
static int line_samples(const struct plane *p, double t, int r, float *s, int *xa)
{
	double xc = p->w / 2.0;
	int n = 0;
	*xa = -1;
	for (int x = 0; x < p->w; x++) {
		double y = r + (x - xc) * t;
		if (y < 0 || y > p->h - 1)
			continue;
		int y0 = (int)y;
		double f = y - y0;
		const float *c = p->a + (size_t)y0 * (size_t)p->w + (size_t)x;
		float v = y0 + 1 < p->h ? (float)((1 - f) * c[0] + f * c[p->w]) : c[0];
		if (*xa < 0)
			*xa = x;
		s[n++] = v;
	}
	return n;
}

/* The range of sheared lines that meet the plane. */
static void line_range(const struct plane *p, double t, int *r0, int *r1)
{
	double e = fabs(t) * (p->w / 2.0 + 1);
	*r0 = (int)floor(-e) - 1;
	*r1 = (int)ceil(p->h - 1 + e) + 1;
}

/* The plane whose sheared rows run along direction phi (p[1], the
 * transposed one, when phi is nearer the vertical), the rows' angle *a in
 * it and *t = tan(*a), |*t| <= 1. */
static const struct plane *along(const struct plane p[2], double phi, double *a, double *t)
{
	int tr = fabs(cos(phi)) < fabs(sin(phi));
	*a = tr ? M_PI / 2 - phi : phi;
	*t = tan(*a);
	return &p[tr];
}

int kyc_reader__blur_measure(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__blur *bl)
{
	int r[4], rc = 0;
	struct plane p[2] = {{0}};
	float *s = NULL, *d = NULL;
	memset(bl, 0, sizeof *bl);
	if (!b->px || !region(b, lay, 2, r))
		return 0;
	int f = HALF;
	for (int tr = 0; tr < 2; tr++)
		if ((rc = plane_make(b, r[0], r[1], r[2], r[3], tr, f, &p[tr])))
			goto out;
	int n = p[0].w > p[0].h ? p[0].w : p[0].h;
	s = malloc(sizeof *s * (size_t)n);
	d = malloc(sizeof *d * (size_t)n);
	if (!s || !d) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	/* per direction, the gradient's energy a pixel: the band is smoothest
	 * along the shake (every fourth line: neighbours say the same) */
	double en[NDIR];
	int jb = -1;
	for (int j = 0; j < NDIR; j++) {
		double phi = j * M_PI / NDIR, a, t, sum = 0;
		const struct plane *q = along(p, phi, &a, &t);
		long cnt = 0;
		int r0, r1;
		line_range(q, t, &r0, &r1);
		for (int y = r0; y <= r1; y += 4) {
			int xa, m = line_samples(q, t, y, s, &xa);
			for (int x = 0; x + 1 < m; x++)
				sum += (double)(s[x + 1] - s[x]) * (s[x + 1] - s[x]);
			cnt += m > 1 ? m - 1 : 0;
		}
		/* a sample step is 1 / |cos a| pixels along the direction */
		en[j] = cnt ? sum / (double)cnt * cos(a) * cos(a) : 0;
		if (en[j] > 0 && (jb < 0 || en[j] < en[jb]))
			jb = j;
	}
	if (jb < 0)
		goto out;
	/* near it, the direction and lag of the gradient's deepest dip (a
	 * shake of length L pairs every edge with an opposite one L along it;
	 * the smoothest direction alone leans towards the print's own strokes) */
	double emax = 0;
	for (int j = 0; j < NDIR; j++)
		emax = fmax(emax, en[j]);
	bl->aniso = emax / en[jb];
	for (int dj = -NEAR_DIRS; dj <= NEAR_DIRS; dj++) {
		double phi = ((jb + dj + NDIR) % NDIR) * M_PI / NDIR, a, t, c[MAX_LAG + 2] = {0};
		const struct plane *q = along(p, phi, &a, &t);
		int r0, r1;
		line_range(q, t, &r0, &r1);
		for (int y = r0; y <= r1; y += 2) {
			int xa, m = line_samples(q, t, y, s, &xa);
			for (int x = 0; x + 1 < m; x++)
				d[x] = s[x + 1] - s[x];
			for (int k = 0; k <= MAX_LAG + 1; k++) {
				double v = 0;
				for (int x = 0; x + k < m - 1; x++)
					v += d[x] * d[x + k];
				c[k] += v;
			}
		}
		if (c[0] <= 0)
			continue;
		int kb = MIN_LAG;
		for (int k = MIN_LAG; k <= MAX_LAG; k++)
			if (c[k] < c[kb])
				kb = k;
		if (-c[kb] / c[0] <= bl->dip)
			continue;
		/* the dip's lag between samples, from a parabola through three */
		double den = c[kb - 1] - 2 * c[kb] + c[kb + 1];
		double off = den > 0 ? 0.5 * (c[kb - 1] - c[kb + 1]) / den : 0;
		off = fmax(-0.5, fmin(0.5, off));
		bl->angle = phi;
		bl->len = (kb + off) * f / fabs(cos(a));
		bl->dip = -c[kb] / c[0];
	}
out:
	free(p[0].a);
	free(p[1].a);
	free(s);
	free(d);
	return rc;
}

/* y = x convolved with a box of length L (a sample's overlap with it), the
 * ends repeated. e is scratch of n + 2 * (L + 2) + 1. */
static void box(const float *x, int n, double L, float *y, double *e)
{
	int m = (int)floor(L / 2 - 0.5);
	m = m < 0 ? 0 : m;
	double w = L / 2 - (m + 0.5); /* the two end taps' weight */
	int pad = m + 1;
	/* prefix sums of x padded by its end values */
	int i = 0;
	e[0] = 0;
	for (; i < pad; i++)
		e[i + 1] = e[i] + x[0];
	for (int j = 0; j < n; j++, i++)
		e[i + 1] = e[i] + x[j];
	for (int k = 0; k < pad; k++, i++)
		e[i + 1] = e[i] + x[n - 1];
	double inv = 1 / L;
	for (i = 0; i < n; i++) {
		const double *c = e + i + pad; /* x[i] at c[0] to c[1] */
		double in = c[m + 1] - c[-m];
		double ends = (c[m + 2] - c[m + 1]) + (c[-m] - c[-m - 1]);
		y[i] = (float)((in + w * ends) * inv);
	}
}

/* Richardson-Lucy on one line: est from obs under a box of length L. */
static void rl_line(const float *obs, int n, double L, int iters, float *est, float *c, double *e)
{
	memcpy(est, obs, sizeof *est * (size_t)n);
	for (int it = 0; it < iters; it++) {
		box(est, n, L, c, e);
		for (int i = 0; i < n; i++)
			c[i] = obs[i] / (c[i] > 1e-3f ? c[i] : 1e-3f);
		box(c, n, L, c, e);
		for (int i = 0; i < n; i++)
			est[i] *= c[i];
	}
}

/* Whether deconvolved line l holds column x. */
static int on_line(const int *span, int l, int x)
{
	return x >= span[2 * l] && x < span[2 * l] + span[2 * l + 1];
}

int kyc_reader__deblur(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                       const struct kyc_reader__blur *bl, int iters, struct kyc_reader__band *out)
{
	*out = *b;
	out->px = NULL;
	if (!b->px || bl->len < 1.5 || iters < 1 || iters > 64 || !(bl->len < 64))
		return KYC_ERR_INVALID;
	int m = (int)ceil(bl->len) + 2, r[4], o[4];
	if (!region(b, lay, 0, o) || !region(b, lay, m, r))
		return KYC_ERR_INVALID;
	double phi = fmod(bl->angle, M_PI);
	phi = phi < 0 ? phi + M_PI : phi;
	int tr = fabs(cos(phi)) < fabs(sin(phi)), rc = 0;
	int f = HALF;
	double a = tr ? M_PI / 2 - phi : phi, t = tan(a), L = bl->len * fabs(cos(a)) / f;
	struct plane p = {0};
	float *s = NULL, *est = NULL, *c = NULL, *dl = NULL, *q = NULL;
	double *e = NULL;
	int r0, r1, *span = NULL; /* each line's first column and samples */
	out->px = malloc((size_t)b->w * (size_t)b->h);
	if (!out->px || (rc = plane_make(b, r[0], r[1], r[2], r[3], tr, f, &p)))
		goto fail;
	if (p.w < 2 || p.h < 2) {
		rc = KYC_ERR_INVALID;
		goto fail;
	}
	line_range(&p, t, &r0, &r1);
	int n = p.w, nl = r1 - r0 + 1;
	s = malloc(sizeof *s * (size_t)n);
	est = malloc(sizeof *est * (size_t)n);
	c = malloc(sizeof *c * (size_t)n);
	e = malloc(sizeof *e * ((size_t)n + 2 * ((size_t)L + 2) + 1));
	dl = malloc(sizeof *dl * (size_t)n * (size_t)nl); /* the lines deconvolved */
	span = malloc(sizeof *span * 2 * (size_t)nl);
	q = malloc(sizeof *q * (size_t)p.w * (size_t)p.h);
	if (!s || !est || !c || !e || !dl || !span || !q) {
		rc = KYC_ERR_NOMEM;
		goto fail;
	}
	for (int y = r0; y <= r1; y++) {
		int xa, k = line_samples(&p, t, y, s, &xa);
		float *row = dl + (size_t)(y - r0) * (size_t)n;
		span[2 * (y - r0)] = xa;
		span[2 * (y - r0) + 1] = k;
		if (k < 2) {
			if (k == 1)
				row[xa] = s[0];
			continue;
		}
		rl_line(s, k, L, iters, est, c, e);
		memcpy(row + xa, est, sizeof *est * (size_t)k);
	}
	/* back onto the plane's grid, between the two lines either side */
	double xc = p.w / 2.0;
	for (int py = 0; py < p.h; py++)
		for (int px = 0; px < p.w; px++) {
			size_t i = (size_t)py * (size_t)p.w + (size_t)px;
			double g = (px - xc) * t, fr;
			int G = (int)floor(g), lb = py - G - r0, la = lb - 1;
			fr = g - G;
			q[i] = p.a[i];
			if (lb < 0 || lb >= nl || !on_line(span, lb, px) ||
			    (fr > 0 && (la < 0 || !on_line(span, la, px))))
				continue;
			double v = (1 - fr) * dl[(size_t)lb * (size_t)n + (size_t)px];
			if (fr > 0)
				v += fr * dl[(size_t)la * (size_t)n + (size_t)px];
			q[i] = (float)v;
		}
	/* and onto the band's, bilinear */
	memcpy(out->px, b->px, (size_t)b->w * (size_t)b->h);
	for (int y = o[1]; y < o[3]; y++)
		for (int x = o[0]; x < o[2]; x++) {
			double u = (x - r[0] + 0.5) / f - 0.5, w = (y - r[1] + 0.5) / f - 0.5;
			double qx = tr ? w : u, qy = tr ? u : w;
			qx = fmax(0, fmin(p.w - 1.001, qx));
			qy = fmax(0, fmin(p.h - 1.001, qy));
			int ix = (int)qx, iy = (int)qy;
			double fx = qx - ix, fy = qy - iy;
			const float *c0 = q + (size_t)iy * (size_t)p.w + (size_t)ix;
			double v = (1 - fy) * ((1 - fx) * c0[0] + fx * c0[1]) +
			           fy * ((1 - fx) * c0[p.w] + fx * c0[p.w + 1]);
			v = 256 - v;
			out->px[(size_t)y * (size_t)b->w + (size_t)x] =
			    (unsigned char)(v < 0     ? 0
			                    : v > 255 ? 255
			                              : v + 0.5);
		}
	goto done;
fail:
	free(out->px);
	out->px = NULL;
done:
	free(p.a);
	free(s);
	free(est);
	free(c);
	free(e);
	free(dl);
	free(span);
	free(q);
	return rc;
}

/* The photo's pixels under the rows and cells of lay on b with a margin
 * m (the band's own geometry, bilinear, the border repeated), as photographed:
 * the band the reader read is flattened, which does not commute with the
 * blur. Into sb (owned) and slay, lay moved onto it. 0, KYC_ERR_INVALID or
 * KYC_ERR_NOMEM. */
static int raw_sub(const struct kyc_image *img, const struct kyc_reader__band *b,
                   const struct kyc_reader__layout *lay, int m, struct kyc_reader__band *sb,
                   struct kyc_reader__layout *slay)
{
	int r[4];
	if (!region(b, lay, m, r))
		return KYC_ERR_INVALID;
	*sb = *b;
	sb->w = r[2] - r[0];
	sb->h = r[3] - r[1];
	sb->ox = b->ox + b->s * (r[0] * b->ux + r[1] * b->vx);
	sb->oy = b->oy + b->s * (r[0] * b->uy + r[1] * b->vy);
	sb->px = malloc((size_t)sb->w * (size_t)sb->h);
	if (!sb->px)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < sb->h; y++)
		for (int x = 0; x < sb->w; x++) {
			double ix = sb->ox + sb->s * (x * sb->ux + y * sb->vx);
			double iy = sb->oy + sb->s * (x * sb->uy + y * sb->vy);
			ix = fmax(0, fmin(img->w - 1.001, ix));
			iy = fmax(0, fmin(img->h - 1.001, iy));
			int x0 = (int)ix, y0 = (int)iy;
			double fx = ix - x0, fy = iy - y0;
			const unsigned char *g =
			    img->gray + (size_t)y0 * (size_t)img->w + (size_t)x0;
			double v = (1 - fy) * ((1 - fx) * g[0] + fx * g[1]) +
			           fy * ((1 - fx) * g[img->w] + fx * g[img->w + 1]);
			sb->px[(size_t)y * (size_t)sb->w + (size_t)x] = (unsigned char)(v + 0.5);
		}
	*slay = *lay;
	for (int i = 0; i < lay->nlines; i++) {
		struct kyc_reader__line *L = &slay->ln[i];
		L->top -= r[1];
		L->bot -= r[1];
		L->left -= r[0];
		L->right -= r[0];
		L->a -= r[0];
	}
	return 0;
}

/* kyc_reader__band_deblurred for shakes at least min_len long. */
static int band_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                          const struct kyc_reader__layout *lay, double min_len,
                          struct kyc_reader__band *d, struct kyc_reader__layout *dlay)
{
	struct kyc_reader__blur bl;
	struct kyc_reader__band sb = {0};
	memset(d, 0, sizeof *d);
	int rc = raw_sub(img, b, lay, RAW_MARGIN, &sb, dlay);
	if (rc == 0)
		rc = kyc_reader__blur_measure(&sb, dlay, &bl);
	/* a shake shorter than a stroke's width is no smear the classifier
	 * has not seen */
	if (rc == 0 && !(bl.dip > 0 && bl.len >= min_len))
		rc = KYC_ERR_NOTFOUND;
	if (rc == 0)
		rc = kyc_reader__deblur(&sb, dlay, &bl, KYC_READER__DEBLUR_ITERS, d);
	if (rc == 0)
		rc = kyc_reader__flatten(d);
	free(sb.px);
	if (rc) {
		free(d->px);
		d->px = NULL;
	}
	return rc;
}

int kyc_reader__band_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                               const struct kyc_reader__layout *lay, struct kyc_reader__band *d,
                               struct kyc_reader__layout *dlay)
{
	return band_deblurred(img, b, lay, MIN_LEN, d, dlay);
}

/* kyc_reader__read_deblurred for shakes at least min_len long. */
static int read_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                          const struct kyc_reader__layout *lay, double min_len,
                          struct kyc_reader__reading *r)
{
	struct kyc_reader__band d;
	struct kyc_reader__layout dlay;
	int rc = band_deblurred(img, b, lay, min_len, &d, &dlay);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : 0;
	kyc_reader__read_cells(&d, &dlay, r);
	free(d.px);
	return kyc_reader__all_checks(r) &&
	       kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf);
}

int kyc_reader__read_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                               const struct kyc_reader__layout *lay, struct kyc_reader__reading *r)
{
	return read_deblurred(img, b, lay, MIN_LEN, r);
}

int kyc_reader__read_deblurred_unsure(const struct kyc_image *img, const struct kyc_reader__band *b,
                                      const struct kyc_reader__layout *lay,
                                      const struct kyc_reader__reading *first,
                                      struct kyc_reader__reading *r)
{
	int unsure = 0;
	for (int i = 0; i < first->nlines; i++)
		for (int k = 0; k < first->len; k++)
			unsure += first->conf[i][k] < KYC_READER__SURE;
	if (!unsure || !kyc_reader__all_checks(first))
		return 0;
	int rc = read_deblurred(img, b, lay, MIN_LEN_UNSURE, r);
	if (rc != 1 || r->nlines != first->nlines || r->len != first->len)
		return rc < 0 ? rc : 0;
	/* the deblurred band may only settle what the first reading left
	 * unsure: a sure character it reads otherwise is a disagreement no
	 * check digit arbitrates (names have none) */
	for (int i = 0; i < first->nlines; i++)
		for (int k = 0; k < first->len; k++)
			if (r->lines[i][k] != first->lines[i][k] &&
			    (first->conf[i][k] >= KYC_READER__SURE ||
			     r->conf[i][k] < KYC_READER__SURE))
				return 0;
	/* two readings of one character that agree: the surer one's word */
	for (int i = 0; i < first->nlines; i++)
		for (int k = 0; k < first->len; k++)
			if (r->lines[i][k] == first->lines[i][k] &&
			    first->conf[i][k] > r->conf[i][k])
				r->conf[i][k] = first->conf[i][k];
	return 1;
}
