/* The national number's line located on a rectified card (card_int.h): a
 * card found a millimetre or two off (a white sheet flush against an edge)
 * puts every field that far from its box, and the number's line, 1.1 mm
 * above its box's lower edge, is cut first. The digits' foot is found where
 * the ink is, at both ends of the line, and each field's box is moved by
 * the line through those two offsets. Tried and dropped: moving the card's
 * corners instead (the corners far from the number moved wrong, and the
 * digit reader read the number worse on that warp), and the dates' feet as
 * well (their typeface sets them 0.3-0.9 mm below the baseline). */
#include "document/card_int.h"

#include <math.h>
#include <string.h>

/* How far around the fields' boxes a line is looked for, mm. */
#define SEARCH_MM 2.5
/* Offsets smaller than this are left alone, mm: the digits' foot of a card
 * found right lies within 0.3 mm of the baseline (a date's slash a little
 * below it). */
#define MIN_OFF_MM 0.5
/* Pixels this much darker than the window's median are ink (card.c's
 * INK_STEP). */
#define INK 60

/* The foot of the ink band of the window [x0, x1) x [y0, y1) of card (rows
 * of at least an eighth of the densest row's ink, run from the densest),
 * in px; -1 when the band is not a line of digits about em px high. */
static double band_foot(const unsigned char *card, int w, int x0, int x1, int y0, int y1,
			double em)
{
	int hist[256] = {0}, n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++, n++)
			hist[card[(size_t)y * (size_t)w + (size_t)x]]++;
	if (n == 0)
		return -1;
	int med = 0, below = 0;
	while (med < 255 && (below + hist[med]) * 2 < n)
		below += hist[med++];
	int cnt[1024], top = 0, most = 0;
	if (y1 - y0 > 1024)
		return -1;
	for (int y = y0; y < y1; y++) {
		int c = 0;
		for (int x = x0; x < x1; x++)
			c += card[(size_t)y * (size_t)w + (size_t)x] < med - INK;
		cnt[y - y0] = c;
		if (c > most)
			most = c, top = y - y0;
	}
	if (most < 3)
		return -1;
	int a = top, b = top;
	while (a > 0 && cnt[a - 1] * 8 >= most)
		a--;
	while (b < y1 - y0 - 1 && cnt[b + 1] * 8 >= most)
		b++;
	/* the digits rise about 0.6 em: a band much lower is a cut line, much
	 * taller two lines run together */
	double tall = b + 1 - a;
	if (tall < 0.35 * em || tall > 0.9 * em)
		return -1;
	return y0 + b + 1;
}

/* The columns of the window's rows [y0, y1) between *x0 and *x1 that hold
 * ink (pixels INK darker than the window's median): *x0 and *x1 narrowed to
 * them. 0, or -1 when there is none. */
static int ink_extent(const unsigned char *card, int w, int y0, int y1, int *x0, int *x1)
{
	int hist[256] = {0}, n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = *x0; x < *x1; x++, n++)
			hist[card[(size_t)y * (size_t)w + (size_t)x]]++;
	int med = 0, below = 0;
	while (med < 255 && (below + hist[med]) * 2 < n)
		below += hist[med++];
	int first = -1, last = -1;
	for (int x = *x0; x < *x1; x++) {
		int c = 0;
		for (int y = y0; y < y1; y++)
			c += card[(size_t)y * (size_t)w + (size_t)x] < med - INK;
		if (c >= 2) {
			if (first < 0)
				first = x;
			last = x;
		}
	}
	if (first < 0 || last - first < 8)
		return -1;
	*x0 = first, *x1 = last + 1;
	return 0;
}

const struct kyc_card_field *kyc_card__number_field(const struct kyc_card_template *T,
						    enum kyc_card_side side)
{
	for (int i = 0; i < T->nfields; i++)
		if (T->fields[i].side == side && T->fields[i].script == KYC_CARD_EDIGITS)
			return &T->fields[i];
	return NULL;
}

int kyc_card__row_offsets(const unsigned char *card, int w, int h, double u,
			  const struct kyc_card_template *T, enum kyc_card_side side,
			  double dy[KYC_CARD_MAX_FIELDS])
{
	memset(dy, 0, KYC_CARD_MAX_FIELDS * sizeof dy[0]);
	const struct kyc_card_field *num = kyc_card__number_field(T, side);
	if (!num)
		return 0;
	/* The foot of the number's digits at each end of its line (the ink's
	 * extent in its box). */
	double box[4];
	kyc_card_field_box(num, box);
	int y0 = (int)fmax(0, (box[1] - SEARCH_MM) * u), y1 = (int)fmin(h, (box[3] + SEARCH_MM) * u);
	int x0 = (int)fmax(0, box[0] * u), x1 = (int)fmin(w, box[2] * u);
	if (ink_extent(card, w, y0, y1, &x0, &x1))
		return 0;
	double span = (x1 - x0) / u, xs[2], d[2];
	for (int k = 0; k < 2; k++) {
		double a = x0 / u + (k ? 0.6 * span : 0), b = a + 0.4 * span;
		double foot = band_foot(card, w, (int)(a * u), (int)(b * u), y0, y1, num->em * u);
		if (foot < 0)
			return 0;
		xs[k] = (a + b) / 2, d[k] = foot / u - num->baseline;
	}
	if (fmax(fabs(d[0]), fabs(d[1])) < MIN_OFF_MM)
		return 0;
	double c[2] = {d[0], (d[1] - d[0]) / (xs[1] - xs[0])};
	/* Each field's box moves by the line through the two offsets, at its
	 * middle. */
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side == side)
			dy[i] = c[0] + c[1] * ((f->left + f->right) / 2 - xs[0]);
	}
	return 1;
}
