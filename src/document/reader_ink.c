/* The black ink's plane as a fallback to gray (reader_ink.h). */
#include "document/reader_ink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"

/* The colour decode the gate measures on: small, as the candidates' boxes
 * are tens of pixels across and only their share of colour counts. */
#define GATE_SIDE 128
/* the likeliest lines measured: those the first pass reads first */
#define GATE_LINES 6
/* a pixel the ink plane lightens by this much is coloured ink */
#define GATE_LIFT 20

static inline int ink_value(const unsigned char *p, int *gray)
{
	int mx = p[0], mn = p[0];
	for (int c = 1; c < 3; c++) {
		mx = p[c] > mx ? p[c] : mx;
		mn = p[c] < mn ? p[c] : mn;
	}
	/* the weights of the gray every decode gives (image.c) */
	int g = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8, chroma = mx - mn;
	*gray = g;
	if (chroma <= KYC_READER__INK_CHROMA_LO)
		return g;
	if (chroma >= KYC_READER__INK_CHROMA_HI)
		return mx;
	return g + (mx - g) * (chroma - KYC_READER__INK_CHROMA_LO) /
		       (KYC_READER__INK_CHROMA_HI - KYC_READER__INK_CHROMA_LO);
}

void kyc_reader__ink_plane(const unsigned char *rgb, size_t n, unsigned char *out)
{
	int g;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)ink_value(rgb + 3 * i, &g);
}

/* The share of coloured ink in one line's box: along the line, and across it
 * a line's height either side (the lines above and below, a stamp's frame). */
static double box_share(const struct kyc_image *sm, double sx, double sy,
			const struct kyc_reader__cand *c)
{
	double half = c->len / 2, across = 1.5 * c->thick + 2 / sx;
	double ex = (fabs(c->ux) * half + fabs(c->uy) * across) * sx;
	double ey = (fabs(c->uy) * half + fabs(c->ux) * across) * sy;
	double cx = c->cx * sx, cy = c->cy * sy;
	int x0 = (int)fmax(0, cx - ex), x1 = (int)fmin(sm->w - 1, cx + ex);
	int y0 = (int)fmax(0, cy - ey), y1 = (int)fmin(sm->h - 1, cy + ey);
	long n = 0, lifted = 0;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++) {
			double dx = (x + 0.5) / sx - c->cx, dy = (y + 0.5) / sy - c->cy;
			if (fabs(dx * c->ux + dy * c->uy) > half ||
			    fabs(-dx * c->uy + dy * c->ux) > across)
				continue;
			int g, v = ink_value(sm->rgb + 3 * ((size_t)y * sm->w + x), &g);
			n++;
			lifted += v - g >= GATE_LIFT;
		}
	return n ? (double)lifted / n : 0;
}

double kyc_reader__ink_share(const struct kyc_image *img, const struct kyc_image *colour,
			     const struct kyc_reader__cand *c, int n)
{
	double sx = (double)colour->w / img->w, sy = (double)colour->h / img->h, share = 0;
	/* only the gate's side of the bar matters: stop once over it */
	for (int i = 0; i < n && i < GATE_LINES && share < KYC_READER__INK_GATE; i++) {
		double s = box_share(colour, sx, sy, &c[i]);
		share = s > share ? s : share;
	}
	return share;
}

static int all_hold(int rc, const struct kyc_reader_result *r)
{
	return rc == 0 && r->checks_total > 0 && r->checks_ok == r->checks_total;
}

int kyc_reader__ink_fallback(const struct kyc_image *img, struct kyc_reader_result *out, int rc,
			     const struct kyc_reader__cand *first, int nfirst,
			     kyc_reader__scan_fn scan)
{
	if (all_hold(rc, out) || !img || !img->bytes || (rc && rc != KYC_ERR_NOTFOUND) ||
	    out->reason == KYC_READER_IMAGE_TOO_SMALL || nfirst <= 0)
		return rc; /* no line: a share of 0, under the gate, without a decode */
	double t0 = kyc_mono_ms();
	struct kyc_image sm = {0}, ink = {0};
	struct kyc_reader_result *r = NULL;
	/* a PNG has no smaller decode: decoded once, for both */
	int png = img->format == KYC_IMAGE_PNG;
	if (kyc_image_decode_again_rgb(img, png ? 0 : GATE_SIDE, &sm) || !sm.rgb ||
	    kyc_reader__ink_share(img, &sm, first, nfirst) < KYC_READER__INK_GATE)
		goto out;
	/* decoded once, in colour, at the gray's scale: its lines map alike */
	if (png) {
		ink = sm;
		memset(&sm, 0, sizeof sm);
	} else if (kyc_image_decode_again_rgb(img, 0, &ink)) {
		goto out;
	}
	if (ink.w != img->w || ink.h != img->h || !ink.rgb)
		goto out;
	kyc_reader__ink_plane(ink.rgb, (size_t)ink.w * ink.h, ink.gray);
	r = malloc(sizeof *r);
	if (!r)
		goto out;
	/* every reading the plane gave on development photos came from the
	 * first pass's lines: the rest would cost photos without an MRZ */
	int rc2 = scan(&ink, r, NULL, NULL, 1);
	if (all_hold(rc2, r)) {
		r->ms_total = out->ms_total; /* the time of both, below */
		*out = *r;
		rc = 0;
	}
out:
	free(r);
	kyc_image_free(&sm);
	kyc_image_free(&ink);
	out->ms_total += kyc_mono_ms() - t0;
	return rc;
}
