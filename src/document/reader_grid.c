/* Grids of a layout laid again: a line's moved by whole cells, turned by
 * 180° with its band, and a loose layout's lines moved to end on their last
 * cell (reader_layout.c finds the layouts; these only move them). */
#include <string.h>

#include "core/err.h"
#include "document/reader.h"

struct kyc_reader__line kyc_reader__line_shift(const struct kyc_reader__line *L, double s)
{
	struct kyc_reader__line m = *L; /* the same quadratic, re-indexed */
	m.a = L->a + L->p * s + L->q * s * s;
	m.p = L->p + 2 * L->q * s;
	return m;
}

int kyc_reader__layout_loose_variant(const struct kyc_reader__layout *lay, int k,
				     struct kyc_reader__layout *out)
{
	int n = lay->len, moved = 0;
	*out = *lay;
	memset(out->cells, 0, sizeof out->cells);
	if (k == 0 && lay->nlines > 0)
		return 0;
	for (int i = 0; i < lay->nlines && k == 1; i++)
		if (lay->cells[i] < n) { /* ink on the last cells, not the first */
			out->ln[i] = kyc_reader__line_shift(&lay->ln[i], lay->cells[i] - n);
			moved = 1;
		}
	return moved ? 0 : KYC_ERR_NOTFOUND;
}

void kyc_reader__layout_turn(const struct kyc_reader__layout *src, int w, int h,
			     struct kyc_reader__layout *dst)
{
	*dst = *src;
	int n = src->len;
	for (int i = 0; i < src->nlines; i++) {
		const struct kyc_reader__line *L = &src->ln[src->nlines - 1 - i];
		struct kyc_reader__line *M = &dst->ln[i];
		M->top = h - 1 - L->bot;
		M->bot = h - 1 - L->top;
		M->left = w - 1 - L->right;
		M->right = w - 1 - L->left;
		/* x'(k) = w-1 - x(n-1-k), expanded in k */
		M->a = w - 1 - kyc_reader__cell_x(L, n - 1);
		M->p = L->p + 2 * L->q * (n - 1);
		M->q = -L->q;
	}
}
