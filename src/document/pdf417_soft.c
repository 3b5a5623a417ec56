/* A PDF417's codewords corrected from soft choices (pdf417_soft.h). */
#include "document/pdf417_soft.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/pdf417_rs.h"

int kyc_pdf417_soft_indicator(int r, int side, int R, int c, int ecl)
{
	/* ISO/IEC 15438: rows, columns and level spread over the three
	 * clusters, on the left and the right in a different order */
	int base = 30 * (r / 3), v[3] = {(R - 1) / 3, ecl * 3 + (R - 1) % 3, c - 1};
	return base + v[(r % 3 + 2 * side) % 3];
}

/* The levels the row indicators name, the most named first; returns how
 * many (none when no indicator reads as one). */
static int levels(const struct kyc_pdf417_soft *s, int *out)
{
	int votes[9] = {0}, n = 0;
	for (int r = 0; r < s->R; r++) {
		/* the level sits on the left in cluster 1, the right in 2 */
		int side = r % 3 == 1 ? 0 : r % 3 == 2 ? 1 : -1;
		if (side < 0)
			continue;
		int v = s->best[r * (s->c + 2) + side * (s->c + 1)];
		int x = v - 30 * (r / 3) - (s->R - 1) % 3;
		if (x >= 0 && x % 3 == 0 && x / 3 <= 8)
			votes[x / 3]++;
	}
	for (;;) {
		int b = -1;
		for (int l = 0; l < 9; l++)
			if (votes[l] > 0 && (b < 0 || votes[l] > votes[b]))
				b = l;
		if (b < 0)
			return n;
		out[n++] = b, votes[b] = 0;
	}
}

/* How many of the 2R row indicators read as those of a symbol of R rows,
 * c columns at level ecl. */
static int indicators_agree(const struct kyc_pdf417_soft *s, int ecl)
{
	int n = 0;
	for (int r = 0; r < s->R; r++)
		for (int side = 0; side < 2; side++)
			n += s->best[r * (s->c + 2) + side * (s->c + 1)] ==
			     kyc_pdf417_soft_indicator(r, side, s->R, s->c, ecl);
	return n;
}

int kyc_pdf417_soft_indicators(const struct kyc_pdf417_soft *s)
{
	int best = 0;
	for (int ecl = 0; ecl <= 8; ecl++) {
		int n = indicators_agree(s, ecl);
		best = n > best ? n : best;
	}
	return best;
}

struct ctx {
	const struct kyc_pdf417_soft *s;
	int n, k, *order, *w, *out, tries;
};

/* The data codeword at position i (row by row, data columns only). */
static int idx(const struct kyc_pdf417_soft *s, int i)
{
	return i / s->c * (s->c + 2) + 1 + i % s->c;
}

/* One decode: the best choices, the positions order[f..f + T) flipped to
 * their runner-up where mask says, order[0..f) erased. */
static int attempt(struct ctx *X, int f, unsigned mask, int T)
{
	const struct kyc_pdf417_soft *s = X->s;
	for (int i = 0; i < X->n; i++)
		X->w[i] = s->best[idx(s, i)];
	for (int j = 0; j < T; j++)
		if (mask >> j & 1) {
			int sec = s->second[idx(s, X->order[f + j])];
			if (sec < 0)
				return KYC_ERR_NOTFOUND;
			X->w[X->order[f + j]] = sec;
		}
	X->tries++;
	int rc = kyc_pdf417_rs_decode(X->w, X->n, X->k, X->order, f, KYC_PDF417_SOFT_SLACK);
	if (rc < 0)
		return rc;
	memcpy(X->out, X->w, (size_t)X->n * sizeof *X->w);
	return 0;
}

int kyc_pdf417_soft_correct(const struct kyc_pdf417_soft *s, int *out, int *ecl, int *tries)
{
	*tries = 0;
	if (!s || !s->best || !s->second || !s->margin || s->R < 3 || s->R > 90 || s->c < 1 ||
	    s->c > 30 || s->R * s->c > KYC_PDF417_RS_MAX_N)
		return KYC_ERR_INVALID;
	for (int i = 0; i < s->R * (s->c + 2); i++)
		if (s->best[i] < 0 || s->best[i] > 928 || s->second[i] < -1 || s->second[i] > 928)
			return KYC_ERR_INVALID;
	struct ctx X = {.s = s, .n = s->R * s->c, .out = out};
	X.order = malloc((size_t)X.n * sizeof *X.order);
	X.w = malloc((size_t)X.n * sizeof *X.w);
	int lv[9], nl = levels(s, lv), rc = X.order && X.w ? KYC_ERR_NOTFOUND : KYC_ERR_NOMEM;
	if (rc == KYC_ERR_NOMEM)
		goto out;
	for (int i = 0; i < X.n; i++)
		X.order[i] = i;
	/* least sure first; by insertion, as qsort in C17 takes no context
	 * and n <= 928 */
	for (int i = 1; i < X.n; i++) {
		int v = X.order[i], j = i;
		double m = s->margin[idx(s, v)];
		for (; j > 0 && s->margin[idx(s, X.order[j - 1])] > m; j--)
			X.order[j] = X.order[j - 1];
		X.order[j] = v;
	}
	for (int li = 0; li < nl && rc == KYC_ERR_NOTFOUND; li++) {
		X.k = 2 << lv[li];
		int budget = X.k - KYC_PDF417_SOFT_SLACK;
		/* the rows, columns and level the grid took must be the ones
		 * the row indicators say, on half of them at least: a symbol
		 * seen with a wrong column count is not decoded into another */
		if (X.k >= X.n || budget < 0 || indicators_agree(s, lv[li]) < s->R)
			continue;
		/* erasures alone: the f least sure, up to 33 counts of them */
		int step = budget / 32 > 1 ? budget / 32 : 1;
		for (int f = 0; f <= budget && rc == KYC_ERR_NOTFOUND; f += step)
			rc = attempt(&X, f, 0, 0);
		/* then flips of the next least sure to their runner-up, after
		 * KYC_PDF417_SOFT_FSTEPS counts of erasures; on levels 0-5 only,
		 * where a decode is cheap */
		int T = KYC_PDF417_SOFT_FLIPS;
		for (int j = 0; j < KYC_PDF417_SOFT_FSTEPS && X.k <= 64 && rc == KYC_ERR_NOTFOUND;
		     j++) {
			int f = budget * j / (KYC_PDF417_SOFT_FSTEPS - 1);
			int t = f + T <= X.n ? T : X.n - f;
			for (unsigned mask = 1; mask < 1u << t && rc == KYC_ERR_NOTFOUND; mask++)
				rc = attempt(&X, f, mask, t);
		}
		if (!rc)
			*ecl = lv[li];
	}
out:
	*tries = X.tries;
	free(X.order);
	free(X.w);
	return rc;
}
