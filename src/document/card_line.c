/* The lines of digits located on a rectified card (card_int.h): a card
 * found a millimetre or two off (a white sheet against an edge) puts every
 * field that far from its box, and the number's line, 1.1 mm above its
 * box's lower edge, is cut first. The digits' foot is found where the ink
 * is, at both ends of each line of digits, and each field's box is moved by
 * the plane through those offsets. Moving the card's corners instead was
 * tried: the corners far from any line of digits moved wrong, and the
 * digit reader read the number worse on that warp. */
#include "document/card_int.h"

#include <math.h>
#include <string.h>

/* How far around the fields' boxes a line is looked for, mm. */
#define SEARCH_MM 2.5
/* A row this far from the number's tells the card's height too, mm. */
#define FAR_ROW_MM 15
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

/* A measured offset: where (x, y mm on the template) the digits' foot
 * lies d mm below the template's baseline. */
struct foot {
	double x, y, d;
};

/* Solves the 3x3 system m v = r (Cramer); 0, or -1 when singular. */
static int solve3(const double m[3][3], const double r[3], double v[3])
{
	double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
		     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
		     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	if (fabs(det) < 1e-9)
		return -1;
	for (int k = 0; k < 3; k++) {
		double a[3][3];
		memcpy(a, m, sizeof a);
		for (int i = 0; i < 3; i++)
			a[i][k] = r[i];
		v[k] = (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
			a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
			a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])) /
		       det;
	}
	return 0;
}

int kyc_card__row_offsets(const unsigned char *card, int w, int h, double u,
			  const struct kyc_card_template *T, enum kyc_card_side side,
			  double dy[KYC_CARD_MAX_FIELDS])
{
	memset(dy, 0, KYC_CARD_MAX_FIELDS * sizeof dy[0]);
	const struct kyc_card_field *num = NULL;
	for (int i = 0; i < T->nfields && !num; i++)
		if (T->fields[i].side == side && T->fields[i].script == KYC_CARD_EDIGITS)
			num = &T->fields[i];
	if (!num)
		return 0;
	/* The foot of each digit field's line at each end of its box. */
	struct foot ft[2 * KYC_CARD_MAX_FIELDS];
	int n = 0, on_row = 0;
	double far = 0, most = 0;
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side != side || (f->script != KYC_CARD_EDIGITS && f->script != KYC_CARD_EDATE))
			continue;
		double box[4];
		kyc_card_field_box(f, box);
		int y0 = (int)fmax(0, (box[1] - SEARCH_MM) * u),
		    y1 = (int)fmin(h, (box[3] + SEARCH_MM) * u);
		double span = box[2] - box[0];
		for (int k = 0; k < 2; k++) {
			double a = k ? box[2] - 0.4 * span : box[0], b = a + 0.4 * span;
			double foot = band_foot(card, w, (int)fmax(0, a * u), (int)fmin(w, b * u), y0,
						y1, f->em * u);
			if (foot < 0)
				continue;
			ft[n].x = (a + b) / 2, ft[n].y = f->baseline, ft[n].d = foot / u - f->baseline;
			on_row += f == num;
			far = fmax(far, fabs(f->baseline - num->baseline));
			most = fmax(most, fabs(ft[n].d));
			n++;
		}
	}
	/* both ends of the number's own line, and something off enough */
	if (on_row < 2 || most < MIN_OFF_MM)
		return 0;
	/* d = c0 + c1 x + c2 (y - the number's baseline), least squares; the
	 * last term only with a row far enough from the number's. */
	double m[3][3] = {{0}}, r[3] = {0}, c[3] = {0};
	for (int i = 0; i < n; i++) {
		double v[3] = {1, ft[i].x, ft[i].y - num->baseline};
		for (int a = 0; a < 3; a++) {
			r[a] += v[a] * ft[i].d;
			for (int b = 0; b < 3; b++)
				m[a][b] += v[a] * v[b];
		}
	}
	if (far < FAR_ROW_MM) {
		m[2][0] = m[2][1] = m[0][2] = m[1][2] = 0, m[2][2] = 1, r[2] = 0;
	}
	if (solve3(m, r, c))
		return 0;
	/* Each field's box moves by the offsets' plane at its middle. */
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side == side)
			dy[i] = c[0] + c[1] * (f->left + f->right) / 2 +
				c[2] * (f->baseline - num->baseline);
	}
	return 1;
}
