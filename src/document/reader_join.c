/* Located lines that are pieces of one line (docs/reader.md, step 14, "A
 * line cut in pieces"). A glare band or a shadow's edge across an MRZ
 * washes a stretch of every line out of the locator's ink mask, so each MRZ
 * line comes out as two or three collinear candidates, none as long as the
 * line. The band built around one piece holds too few cells for any layout,
 * and the loose layout, long as it is, lays its grid from that piece's runs
 * alone. Joining the pieces gives the band the line's whole extent. */
#include <math.h>
#include <string.h>

#include "document/reader.h"

/* Whether b continues the line of a, which spans [*lo, *hi] along a's
 * direction from a's centre: parallel, about as thick, on the same centre
 * line, not overlapping it much, and the two no longer than an MRZ line
 * with a gap a glare band could wash out. Widens [*lo, *hi] to b when so. */
static int continues(const struct kyc_reader__cand *a, const struct kyc_reader__cand *b, double *lo,
                     double *hi)
{
	double dot = a->ux * b->ux + a->uy * b->uy;
	if (fabs(dot) < KYC_READER__JOIN_COS)
		return 0;
	double tr = b->thick / a->thick;
	if (tr < 0.6 || tr > 1 / 0.6)
		return 0;
	double dx = b->cx - a->cx, dy = b->cy - a->cy, th = (a->thick + b->thick) / 2;
	double t = dx * a->ux + dy * a->uy, off = fabs(-dx * a->uy + dy * a->ux);
	if (off > 0.5 * th)
		return 0;
	double b0 = t - b->len / 2, b1 = t + b->len / 2;
	double gap = b0 > *hi ? b0 - *hi : *lo - b1; /* negative: they overlap */
	double shorter = b->len < *hi - *lo ? b->len : *hi - *lo;
	double l0 = *lo < b0 ? *lo : b0, l1 = *hi > b1 ? *hi : b1;
	/* the length against the thicker piece: glare thins the strokes of
	 * the piece it washes */
	double thmax = a->thick > b->thick ? a->thick : b->thick;
	if (gap < -0.3 * shorter || gap > KYC_READER__JOIN_GAP * th ||
	    l1 - l0 > KYC_READER__JOIN_LEN * thmax)
		return 0;
	*lo = l0;
	*hi = l1;
	return 1;
}

int kyc_reader__join_pieces(const struct kyc_reader__cand *c, int n, struct kyc_reader__cand *out,
                            int max)
{
	/* each group keeps its longest piece (the best measured direction and
	 * centre) and its extent along it */
	struct kyc_reader__cand g[KYC_READER__JOIN_MAX];
	double lo[KYC_READER__JOIN_MAX], hi[KYC_READER__JOIN_MAX];
	int pieces[KYC_READER__JOIN_MAX], ng = 0, nout = 0;
	if (n > KYC_READER__JOIN_MAX)
		n = KYC_READER__JOIN_MAX;
	/* longest first, so a group's first piece is its longest */
	for (int i = 0; i < n; i++) {
		int at = ng++;
		while (at > 0 && g[at - 1].len < c[i].len) {
			g[at] = g[at - 1];
			at--;
		}
		g[at] = c[i];
	}
	for (int i = 0; i < ng; i++) {
		lo[i] = -g[i].len / 2;
		hi[i] = g[i].len / 2;
		pieces[i] = 1;
	}
	/* each piece, longest first, joins the first group it continues */
	int ngroups = 0;
	for (int i = 0; i < ng; i++) {
		int k = 0;
		while (k < ngroups && !continues(&g[k], &g[i], &lo[k], &hi[k]))
			k++;
		if (k < ngroups) {
			pieces[k]++;
			continue;
		}
		g[ngroups] = g[i];
		lo[ngroups] = lo[i];
		hi[ngroups] = hi[i];
		pieces[ngroups++] = 1;
	}
	/* a join's band spans its pieces, from the first one's far end to the
	 * last one's */
	for (int k = 0; k < ngroups && nout < max; k++)
		if (pieces[k] > 1) {
			double mid = (lo[k] + hi[k]) / 2;
			out[nout] = g[k];
			out[nout].cx += mid * g[k].ux;
			out[nout].cy += mid * g[k].uy;
			out[nout++].len = hi[k] - lo[k];
		}
	return nout;
}

int kyc_reader__seen(const struct kyc_reader__cand *seen, int n, const struct kyc_reader__cand *c)
{
	for (int i = 0; i < n; i++) {
		const struct kyc_reader__cand *t = &seen[i];
		double dx = t->cx - c->cx, dy = t->cy - c->cy;
		if (dx * dx + dy * dy < c->thick * c->thick &&
		    fabs(t->ux * c->ux + t->uy * c->uy) > 0.995 && fabs(t->len / c->len - 1) < 0.15)
			return 1;
	}
	return 0;
}
