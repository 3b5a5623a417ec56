/* Random bands and layouts (band_random.h). */
#include <stdlib.h>
#include <string.h>

#include "band_random.h"

unsigned tband_rnd(uint64_t *state, unsigned n)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return (unsigned)(x % n);
}

int tband_random(struct kyc_reader__band *b, struct kyc_reader__layout *lay, uint64_t *state,
                 int min_lines, int min_len)
{
	memset(b, 0, sizeof *b);
	memset(lay, 0, sizeof *lay);
	b->w = 1 + (int)tband_rnd(state, 400);
	b->h = 1 + (int)tband_rnd(state, 120);
	b->s = 1;
	b->px = malloc((size_t)b->w * (size_t)b->h);
	if (!b->px)
		return -1;
	for (size_t k = 0; k < (size_t)b->w * (size_t)b->h; k++)
		b->px[k] = (unsigned char)tband_rnd(state, 256);
	lay->nlines = min_lines + (int)tband_rnd(state, (unsigned)(4 - min_lines));
	lay->len = min_len + (int)tband_rnd(state, (unsigned)(45 - min_len));
	for (int l = 0; l < lay->nlines; l++) {
		struct kyc_reader__line *L = &lay->ln[l];
		L->top = (int)tband_rnd(state, (unsigned)b->h + 40) - 20;
		L->bot = L->top + (int)tband_rnd(state, 30);
		L->a = (double)tband_rnd(state, (unsigned)b->w + 40) - 20;
		L->p = 1 + tband_rnd(state, 30);
		L->q = ((int)tband_rnd(state, 100) - 50) / 1000.0;
		if (tband_rnd(state, 8) == 0) /* and now and then absurd */
			L->q *= 1e8;
	}
	return 0;
}

int tband_same_above(const struct kyc_reader__band *a, const struct kyc_reader__band *b,
                     const struct kyc_reader__layout *lay, int margin)
{
	int top = a->h;
	for (int l = 0; l < lay->nlines; l++)
		top = lay->ln[l].top < top ? lay->ln[l].top : top;
	int rows = top - margin;
	return rows <= 0 || !memcmp(a->px, b->px, (size_t)a->w * (size_t)rows);
}

int tband_paper(struct kyc_reader__band *b, struct kyc_reader__layout *lay, int w, int h,
                int paper)
{
	memset(b, 0, sizeof *b);
	memset(lay, 0, sizeof *lay);
	b->w = w;
	b->h = h;
	b->s = 1;
	b->ux = 1;
	b->vy = 1;
	b->px = malloc((size_t)w * (size_t)h);
	if (!b->px)
		return -1;
	memset(b->px, paper, (size_t)w * (size_t)h);
	return 0;
}
