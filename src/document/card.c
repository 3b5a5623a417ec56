/* Rectification and field-by-field reading of a card face (card.h). */
#include "document/card.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "document/card_int.h"
#include "document/edigits.h"
#include "document/eg_nid.h"
#include "document/tess.h"

/* The projective map of the unit square onto quad (TL, TR, BR, BL), in the
 * closed form of Heckbert's square-to-quadrilateral mapping: for (s, t) in
 * [0,1]^2, x = (a s + b t + c) / (g s + h t + 1), y = (d s + e t + f) / (...). */
struct square_map {
	double a, b, c, d, e, f, g, h;
};

static void square_to_quad(const double q[4][2], struct square_map *m)
{
	double x0 = q[0][0], y0 = q[0][1], x1 = q[1][0], y1 = q[1][1];
	double x2 = q[2][0], y2 = q[2][1], x3 = q[3][0], y3 = q[3][1];
	double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
	double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
	double den = dx1 * dy2 - dx2 * dy1;
	if (fabs(den) < 1e-9) {
		m->g = m->h = 0;
	} else {
		m->g = (sx * dy2 - dx2 * sy) / den;
		m->h = (dx1 * sy - sx * dy1) / den;
	}
	m->a = x1 - x0 + m->g * x1, m->b = x3 - x0 + m->h * x3, m->c = x0;
	m->d = y1 - y0 + m->g * y1, m->e = y3 - y0 + m->h * y3, m->f = y0;
}

void kyc_card_quad_sub(const double quad[4][2], double s0, double t0, double s1, double t1,
		       double out[4][2])
{
	struct square_map m;
	square_to_quad(quad, &m);
	const double corner[4][2] = {{s0, t0}, {s1, t0}, {s1, t1}, {s0, t1}};
	for (int i = 0; i < 4; i++) {
		double s = corner[i][0], t = corner[i][1], z = m.g * s + m.h * t + 1;
		out[i][0] = (m.a * s + m.b * t + m.c) / z;
		out[i][1] = (m.d * s + m.e * t + m.f) / z;
	}
}

void kyc_card_warp(const struct kyc_image *img, const double quad[4][2], int w, int h,
		   unsigned char *out)
{
	kyc_card_warp_box(img, quad, w, h, 0, 0, w, h, out);
}

void kyc_card_warp_box(const struct kyc_image *img, const double quad[4][2], int w, int h,
		       int x0, int y0, int x1, int y1, unsigned char *out)
{
	struct square_map m;
	square_to_quad(quad, &m);
	x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > w ? w : x1, y1 = y1 > h ? h : y1;
	/* Every read warps the card at least once (a tenth of its time): one
	 * reciprocal a pixel, the row's terms once a row, and truncation for
	 * floor (negative coordinates are off the photo anyway). */
	double inv_w = 1.0 / w;
	for (int Y = y0; Y < y1; Y++) {
		double t = (Y + 0.5) / h;
		double zt = m.h * t + 1, xt = m.b * t + m.c, yt = m.e * t + m.f;
		for (int X = x0; X < x1; X++) {
			double s = (X + 0.5) * inv_w;
			double rz = 1 / (m.g * s + zt);
			double x = (m.a * s + xt) * rz - 0.5;
			double y = (m.d * s + yt) * rz - 0.5;
			/* off the photo: paper white. Tested before the cast: a
			 * degenerate quad maps far outside int (or to NaN) */
			if (!(x >= 0 && y >= 0 && x < img->w - 1 && y < img->h - 1)) {
				out[(size_t)Y * (size_t)w + (size_t)X] = 255;
				continue;
			}
			int ix = (int)x, iy = (int)y;
			double fx = x - ix, fy = y - iy;
			const unsigned char *p = img->gray + (size_t)iy * (size_t)img->w + (size_t)ix;
			double v = (p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
				   (p[img->w] * (1 - fx) + p[img->w + 1] * fx) * fy;
			out[(size_t)Y * (size_t)w + (size_t)X] = (unsigned char)(v + 0.5);
		}
	}
}

/* Character sets (digits and dates have their own reader; Arabic letters:
 * card_arabic.c). */
static const char LATIN_SERIAL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Confidence below which a read value is not trusted on its own: Tesseract's
 * mean confidence for words, the digit reader's margin to the runner-up
 * (lower by nature; the family's rules check the numbers' structure too). */
#define MIN_CONF 60
#define MIN_DIGIT_CONF 40
#define MIN_LEXICON_CONF 30

/* Levenshtein distance between two UTF-8 strings, in code points (each
 * counted up to 64). */
static int edit_distance(const char *a, const char *b)
{
	unsigned A[64] = {0}, B[64] = {0}; /* zeroed for cppcheck: filled below */
	int na = 0, nb = 0;
	for (size_t la = strlen(a); la > 0 && na < 64;) {
		size_t k = kyc_utf8_next((const unsigned char *)a, la, &A[na++]);
		a += k, la -= k;
	}
	for (size_t lb = strlen(b); lb > 0 && nb < 64;) {
		size_t k = kyc_utf8_next((const unsigned char *)b, lb, &B[nb++]);
		b += k, lb -= k;
	}
	int row[65];
	for (int j = 0; j <= nb; j++)
		row[j] = j;
	for (int i = 1; i <= na; i++) {
		int diag = row[0];
		row[0] = i;
		for (int j = 1; j <= nb; j++) {
			int up = row[j], best = diag + (A[i - 1] != B[j - 1]);
			best = up + 1 < best ? up + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			diag = up, row[j] = best;
		}
	}
	return row[nb];
}

/* The lexicon's entry nearest to text when it is near enough (at most a
 * third of its letters wrong, and nearer than any other), else NULL. */
static const char *snap(const char *const *lex, const char *text)
{
	const char *best = NULL;
	int bd = 1 << 20, second = 1 << 20;
	for (; *lex; lex++) {
		int d = edit_distance(text, *lex);
		if (d < bd)
			second = bd, bd = d, best = *lex;
		else if (d < second)
			second = d;
	}
	int letters = 0;
	for (const char *p = best; p && *p; p++)
		letters += ((unsigned char)*p & 0xC0) != 0x80;
	return best && bd * 3 <= letters && bd < second ? best : NULL;
}

/* The most likely date the digit reader's distributions allow (YYYY/MM/DD:
 * positions 0-3, 5-6, 8-9), written as YYYY-MM-DD into iso with the
 * lowest probability of its digits; 0 when the line was not cut into a
 * date. */
static int likeliest_date(const struct kyc_edigits_reading *r, char iso[11], double *pmin)
{
	static const int at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
	if (r->n != 10)
		return 0;
	double best = -1;
	int by = 0, bm = 0, bd = 0;
	for (int y = 1900; y <= 2099; y++) {
		double py = (double)r->prob[at[0]][y / 1000] * r->prob[at[1]][y / 100 % 10] *
			    r->prob[at[2]][y / 10 % 10] * r->prob[at[3]][y % 10];
		if (py <= best)
			continue;
		for (int m = 1; m <= 12; m++) {
			double pm = py * r->prob[at[4]][m / 10] * r->prob[at[5]][m % 10];
			if (pm <= best)
				continue;
			for (int d = 1; d <= kyc_egnid_days_in_month(y, m); d++) {
				double p = pm * r->prob[at[6]][d / 10] * r->prob[at[7]][d % 10];
				if (p > best)
					best = p, by = y, bm = m, bd = d;
			}
		}
	}
	if (best <= 0)
		return 0;
	int digit[8] = {by / 1000, by / 100 % 10, by / 10 % 10, by % 10, bm / 10, bm % 10, bd / 10, bd % 10};
	*pmin = 1;
	for (int k = 0; k < 8; k++)
		*pmin = fmin(*pmin, r->prob[at[k]][digit[k]]);
	snprintf(iso, 11, "%04u-%02u-%02u", (unsigned)by % 10000u, (unsigned)bm % 100u,
		 (unsigned)bd % 100u);
	return 1;
}

/* Turns the digit reader's reading into the field's value: numbers as read
 * (the family's rules decode them: card_eg_nid.c), dates as the likeliest
 * date that exists. */
static void normalise_digits(const struct kyc_card_field *f, const struct kyc_edigits_reading *r,
			     struct kyc_card_value *v)
{
	v->digits = *r;
	v->conf = r->conf;
	snprintf(v->text, sizeof v->text, "%s", r->n ? r->text : "");
	v->accepted = r->n > 0;
	double pmin;
	if (f->script == KYC_CARD_EDATE) {
		v->accepted = likeliest_date(r, v->text, &pmin);
		if (v->accepted)
			v->conf = (int)lround(100 * pmin);
	}
	v->read = v->text[0] != 0;
	v->accepted = v->read && v->accepted && v->conf >= MIN_DIGIT_CONF;
}

/* Turns Tesseract's line into the field's value and decides whether it is
 * accepted. */
static void normalise(const struct kyc_card_field *f, const struct kyc_tess_line *line,
		      struct kyc_card_value *v)
{
	v->conf = line->conf;
	v->text[0] = 0;
	if (f->script == KYC_CARD_LATIN || f->script == KYC_CARD_DIGITS ||
	    f->script == KYC_CARD_HANGUL) {
		/* no spaces: serials, numbers and Korean names have none */
		size_t k = 0;
		for (const char *p = line->text; *p && k + 1 < sizeof v->text; p++)
			if (*p != ' ')
				v->text[k++] = *p;
		v->text[k] = 0;
		v->read = v->accepted = k > 0;
	} else {
		snprintf(v->text, sizeof v->text, "%s", line->text);
		v->read = v->text[0] != 0;
		v->accepted = 1;
		if (f->lexicon && v->read) {
			/* A reading near one word of a closed list and far from the
			 * others is validated by the list, as a check digit would. */
			const char *s = snap(f->lexicon, line->text);
			if (s)
				snprintf(v->text, sizeof v->text, "%s", s);
			v->accepted = s != NULL && v->conf >= MIN_LEXICON_CONF;
			return;
		}
	}
	v->accepted = v->read && v->accepted && v->conf >= MIN_CONF;
}

/* Narrows a crop (x0..x1 of rows y0..y1 of the card, stride w) to the
 * columns that hold ink, with a margin of half its height: a short word
 * alone in a wide crop is often not read at all in single-line mode. */
static void trim_to_ink(const unsigned char *card, int w, int y0, int y1, int *x0, int *x1)
{
	int lo = 255, hi = 0;
	for (int y = y0; y < y1; y++)
		for (int x = *x0; x < *x1; x++) {
			int v = card[(size_t)y * (size_t)w + (size_t)x];
			lo = v < lo ? v : lo, hi = v > hi ? v : hi;
		}
	if (hi - lo < 40)
		return;
	int t = lo + (hi - lo) * 2 / 5, first = -1, last = -1;
	for (int x = *x0; x < *x1; x++) {
		int n = 0;
		for (int y = y0; y < y1; y++)
			n += card[(size_t)y * (size_t)w + (size_t)x] < t;
		if (n >= 2) {
			if (first < 0)
				first = x;
			last = x;
		}
	}
	if (first < 0)
		return;
	int m = (y1 - y0) / 2;
	*x0 = first - m > *x0 ? first - m : *x0;
	*x1 = last + 1 + m < *x1 ? last + 1 + m : *x1;
}

/* text with its alef forms (أ إ آ) as the bare alef, into out (cap bytes). */
static void fold_alef(const char *text, char *out, size_t cap)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p && n + 2 < cap; p++) {
		if (p[0] == 0xD8 && (p[1] == 0xA3 || p[1] == 0xA5 || p[1] == 0xA2)) {
			out[n++] = (char)0xD8, out[n++] = (char)0xA7, p++;
			continue;
		}
		out[n++] = (char)*p;
	}
	out[n] = 0;
}

/* The one value of the list that text (two letters or more) begins or ends,
 * alef forms aside; NULL when none or more than one does. What is left of a
 * word whose other end Tesseract dropped ("ان" of "أنثى", "لقة" of
 * "مطلقة"). */
static const char *affix(const char *const *lex, const char *text)
{
	char t[128], v[128];
	fold_alef(text, t, sizeof t);
	size_t nt = strlen(t);
	if (nt < 4 || strchr(t, ' ')) /* two Arabic letters are four bytes */
		return NULL;
	const char *found = NULL;
	for (; *lex; lex++) {
		fold_alef(*lex, v, sizeof v);
		size_t nv = strlen(v);
		if (nv > nt && (!memcmp(v, t, nt) || !memcmp(v + nv - nt, t, nt))) {
			if (found)
				return NULL;
			found = *lex;
		}
	}
	return found;
}

/* A closed-list field (gender, religion, marital status): a short word that
 * Tesseract often reads sure but cut ("لقة" for "مطلقة", "ا" for "أنثى").
 * A sure reading is not enough to stop here: the attempts go on until one
 * is sure and near one value of the list, and the value most attempts near
 * it name wins (then their best confidence); the reading given is that
 * value's surest. No reading near the list: the value one of them is the
 * end of (affix), else the surest reading, as for an open field. */
static int read_closed(const char *const *lex, const unsigned char *crop, int w, int h,
		       int stride, double em_px, struct kyc_tess_line *best)
{
	struct kyc_tess_line free_best = {.conf = -1}, snapped[KYC_CARD_ARABIC_ATTEMPTS];
	struct kyc_tess_line part = {.conf = -1};
	const char *named[KYC_CARD_ARABIC_ATTEMPTS], *part_of = NULL;
	int n = 0;
	for (int i = 0; i < KYC_CARD_ARABIC_ATTEMPTS; i++) {
		struct kyc_tess_line line = {.conf = -1};
		int rc = kyc_card_read_arabic_from(crop, w, h, stride, em_px, i, i + 1, &line);
		if (rc)
			return rc;
		if (line.conf < 0)
			continue;
		if (line.conf > free_best.conf)
			free_best = line;
		const char *s = snap(lex, line.text), *a = s ? NULL : affix(lex, line.text);
		if (a && line.conf > part.conf)
			part = line, part_of = a;
		if (!s)
			continue;
		named[n] = s, snapped[n++] = line;
		if (line.conf >= KYC_CARD_ARABIC_SURE)
			break;
	}
	int win = -1, win_votes = 0;
	for (int a = 0; a < n; a++) {
		int votes = 0;
		for (int b = 0; b < n; b++)
			votes += named[b] == named[a];
		if (votes > win_votes || (votes == win_votes && snapped[a].conf > snapped[win].conf))
			win = a, win_votes = votes;
	}
	*best = win >= 0 ? snapped[win] : free_best;
	/* No reading near a value: the surest that is one value's end stands
	 * for that value. */
	if (win < 0 && part_of) {
		*best = part;
		snprintf(best->text, sizeof best->text, "%s", part_of);
	}
	if (best->conf < 0)
		best->text[0] = 0, best->conf = 0;
	return 0;
}

/* Strips the spaces of s in place; returns its length. */
static size_t unspace(char *s)
{
	size_t k = 0;
	for (char *p = s; *p; p++)
		if (*p != ' ')
			s[k++] = *p;
	s[k] = 0;
	return k;
}

/* A Latin serial of form pattern (capitals 'A', then digits 'D'). Read with
 * every capital and digit allowed, Tesseract takes O for 0 and I for 1 (and
 * back) and now and then doubles a round one; so the line is read twice,
 * capitals only and digits only, and the serial is the first capitals of the
 * one and the last digits of the other, at the lower of their confidences.
 * A reading short of either part: nothing read. */
static int read_serial(const char *pattern, const unsigned char *crop, int w, int h,
		       int stride, struct kyc_tess_line *best)
{
	size_t na = strspn(pattern, "A"), nd = strlen(pattern) - na;
	struct kyc_tess_line letters, digits;
	best->text[0] = 0;
	best->conf = 0;
	if (strspn(pattern + na, "D") != nd || na + nd >= sizeof best->text)
		return KYC_ERR_INVALID;
	int rc = kyc_tess_read_line(KYC_TESS_LATIN, crop, w, h, stride, "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
				    &letters);
	if (!rc)
		rc = kyc_tess_read_line(KYC_TESS_LATIN, crop, w, h, stride, "0123456789", &digits);
	if (rc)
		return rc;
	size_t ka = unspace(letters.text), kd = unspace(digits.text);
	if (ka >= na && kd >= nd) {
		memcpy(best->text, letters.text, na);
		memcpy(best->text + na, digits.text + kd - nd, nd);
		best->text[na + nd] = 0;
		best->conf = letters.conf < digits.conf ? letters.conf : digits.conf;
		return 0;
	}
	/* A whitelist of one kind may make Tesseract drop the other kind's
	 * glyphs and a neighbour with them: then the line read with both, when it
	 * has the serial's length, each look-alike taken as its part wants. */
	struct kyc_tess_line any;
	rc = kyc_tess_read_line(KYC_TESS_LATIN, crop, w, h, stride, LATIN_SERIAL, &any);
	if (rc || unspace(any.text) != na + nd)
		return rc;
	static const char digit_like[] = "OQDIL" "ZSBG", as_digit[] = "00011" "2586";
	static const char letter_like[] = "012586", as_letter[] = "OIZSBG";
	int taken = 0;
	for (size_t k = 0; k < na + nd; k++) {
		char ch = any.text[k];
		const char *p = k < na ? strchr(letter_like, ch) : strchr(digit_like, ch);
		if (p)
			ch = k < na ? as_letter[p - letter_like] : as_digit[p - digit_like], taken = 1;
		best->text[k] = ch;
	}
	best->text[na + nd] = 0;
	/* a glyph taken for its look-alike is a guess: read, never accepted
	 * (II for a printed IJ read 11 was, surely) */
	best->conf = taken && any.conf >= MIN_CONF ? MIN_CONF - 1 : any.conf;
	return 0;
}

/* Reads the text field f on its crop into *best; *guess is set when the
 * reading is not to be accepted whatever its confidence. */
static int read_text(const struct kyc_card_field *f, const unsigned char *crop, int w, int h,
		     int stride, double u, struct kyc_tess_line *best, int *guess)
{
	best->text[0] = 0;
	best->conf = -1;
	*guess = 0;
	if (f->script == KYC_CARD_HANGUL)
		return kyc_tess_read_line(KYC_TESS_KOR, crop, w, h, stride, NULL, best);
	if (f->script == KYC_CARD_LATIN && f->pattern)
		return read_serial(f->pattern, crop, w, h, stride, best);
	if (f->script == KYC_CARD_LATIN || f->script == KYC_CARD_DIGITS)
		return kyc_tess_read_line(KYC_TESS_LATIN, crop, w, h, stride,
					  f->script == KYC_CARD_DIGITS ? "0123456789-" : LATIN_SERIAL,
					  best);
	if (f->lexicon)
		return read_closed(f->lexicon, crop, w, h, stride, f->em * u, best);
	/* An open field has no list or check digit to catch a wrong reading:
	 * one reading alone, however sure, is a guess. */
	int agreed;
	int rc = kyc_card_read_arabic_agreed(crop, w, h, stride, f->em * u, best, &agreed);
	*guess = !agreed;
	return rc;
}


/* A field's crop on the rectified card (w x h, u px/mm), its box moved dy
 * mm down, trimmed to its ink. */
static void field_crop(const unsigned char *card, int w, int h, double u,
		       const struct kyc_card_field *f, double dy, int *x0, int *y0, int *x1,
		       int *y1)
{
	double box[4];
	kyc_card_field_box(f, box);
	*x0 = (int)fmax(0, box[0] * u), *y0 = (int)fmax(0, (box[1] + dy) * u);
	*x1 = (int)fmin(w, box[2] * u), *y1 = (int)fmin(h, (box[3] + dy) * u);
	trim_to_ink(card, w, *y0, *y1, x0, x1);
}

/* kyc_card_read_digits on the field's box moved dy mm down. */
static int read_digits_at(const unsigned char *card, int w, int h, double u,
			  const struct kyc_card_field *f, double dy, struct kyc_edigits_reading *r)
{
	int x0, y0, x1, y1;
	field_crop(card, w, h, u, f, dy, &x0, &y0, &x1, &y1);
	return kyc_edigits_read(card + (size_t)y0 * (size_t)w + (size_t)x0, x1 - x0, y1 - y0, w,
				f->pattern, r);
}

int kyc_card_read_digits(const unsigned char *card, int w, int h, double u,
			 const struct kyc_card_field *f, struct kyc_edigits_reading *r)
{
	return read_digits_at(card, w, h, u, f, 0, r);
}

/* Pixels at least this much darker than a box's median are ink; a box with
 * fewer than INK_MIN of them holds no text. On development seeds 9300 and
 * 9301 (levels 0-2) an empty husband's-name box had at most 19 such pixels
 * (0 on most), a printed name 1,251 or more, the shortest closed-list word
 * (ذكر) 95 or more. */
#define INK_STEP 60
#define INK_MIN 64

/* Whether the field's box (before trimming) on the rectified card holds
 * ink: an optional field left blank (an unmarried holder's husband) would
 * otherwise cost every opinion of an open field, a tenth of a card's
 * reading, to answer nothing. The box is moved dy mm down. */
static int box_has_ink(const unsigned char *card, int w, int h, double u,
		       const struct kyc_card_field *f, double dy)
{
	double box[4];
	kyc_card_field_box(f, box);
	int x0 = (int)fmax(0, box[0] * u), y0 = (int)fmax(0, (box[1] + dy) * u);
	int x1 = (int)fmin(w, box[2] * u), y1 = (int)fmin(h, (box[3] + dy) * u);
	long hist[256] = {0}, n = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++, n++)
			hist[card[(size_t)y * (size_t)w + (size_t)x]]++;
	long below = 0, ink = 0;
	int med = 0;
	while (med < 255 && (below + hist[med]) * 2 < n)
		below += hist[med++];
	for (int v = 0; v < med - INK_STEP; v++)
		ink += hist[v];
	return ink >= INK_MIN;
}

/* Reads every field of side on the rectified card (w x h, px per mm u),
 * field i's box moved dy[i] mm down. */
static int read_fields(const unsigned char *card, int w, int h, double u,
		       const struct kyc_card_template *T, enum kyc_card_side side,
		       const double *dy, struct kyc_card_result *out)
{
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side != side)
			continue;
		int rc = 0;
		if (f->script == KYC_CARD_EDIGITS || f->script == KYC_CARD_EDATE) {
			struct kyc_edigits_reading r;
			rc = read_digits_at(card, w, h, u, f, dy[i], &r);
			if (rc == KYC_ERR_NOMEM)
				return rc;
			if (rc)
				memset(&r, 0, sizeof r);
			normalise_digits(f, &r, &out->values[i]);
			continue;
		}
		int x0, y0, x1, y1;
		field_crop(card, w, h, u, f, dy[i], &x0, &y0, &x1, &y1);
		const unsigned char *crop = card + (size_t)y0 * (size_t)w + (size_t)x0;
		struct kyc_tess_line line = {.text = "", .conf = 0};
		int guess = 0;
		if (!f->optional || box_has_ink(card, w, h, u, f, dy[i]))
			rc = read_text(f, crop, x1 - x0, y1 - y0, w, u, &line, &guess);
		if (rc == KYC_ERR_NOMEM || rc == KYC_ERR_UNSUPPORTED)
			return rc;
		normalise(f, &line, &out->values[i]);
		out->values[i].accepted &= !guess;
	}
	return 0;
}

/* Whether side's national number, its box moved by dy (by field index),
 * reads at least as surely (the digit reader's confidence) as in its own
 * box. */
static int number_reads_as_surely(const unsigned char *card, int w, int h, double u,
				  const struct kyc_card_template *T, enum kyc_card_side side,
				  const double *dy)
{
	for (int i = 0; i < T->nfields && i < KYC_CARD_MAX_FIELDS; i++) {
		const struct kyc_card_field *f = &T->fields[i];
		if (f->side != side || f->script != KYC_CARD_EDIGITS)
			continue;
		struct kyc_edigits_reading at, moved;
		if (read_digits_at(card, w, h, u, f, 0, &at) || at.n == 0)
			return 1;
		return !read_digits_at(card, w, h, u, f, dy[i], &moved) && moved.n > 0 &&
		       moved.conf >= at.conf;
	}
	return 0;
}

/* Dark ink in a template box (mm) of the rectified card: mean darkness 0..255. */
static double box_ink(const unsigned char *card, int w, int h, double u, const double b[4])
{
	int x0 = (int)fmax(0, b[0] * u), y0 = (int)fmax(0, b[1] * u);
	int x1 = (int)fmin(w, b[2] * u), y1 = (int)fmin(h, b[3] * u);
	double sum = 0;
	long n = 0;
	for (int y = y0; y < y1; y += 2)
		for (int x = x0; x < x1; x += 2, n++)
			sum += 255 - card[(size_t)y * (size_t)w + (size_t)x];
	return n ? sum / n : 0;
}

int kyc_card_upside_down(const unsigned char *card, int w, int h, double u,
			 const struct kyc_card_template *T, enum kyc_card_side side)
{
	const double *b = side == KYC_CARD_FRONT ? T->portrait : T->barcode;
	double r[4] = {T->w_mm - b[2], T->h_mm - b[3], T->w_mm - b[0], T->h_mm - b[1]};
	return box_ink(card, w, h, u, r) > box_ink(card, w, h, u, b) * 1.15;
}

/* The same corners, named from the other end (a half turn). */
static void half_turn(const double quad[4][2], double q[4][2])
{
	for (int i = 0; i < 4; i++)
		q[i][0] = quad[(i + 2) % 4][0], q[i][1] = quad[(i + 2) % 4][1];
}

/* Reads side on quad; turn: 1 half-turned, 0 as named, -1 as the side's
 * landmark says. warped, when not NULL, is the card already warped on quad
 * turned as turn (0 or 1) says: it is read as it is, and freed. */
static int read_quad(const struct kyc_image *img, const struct kyc_card_template *T,
		     enum kyc_card_side side, const double quad[4][2], int turn,
		     unsigned char *warped, struct kyc_card_result *out)
{
	double t0 = kyc_mono_ms(), u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	memset(out, 0, sizeof *out);
	out->tpl = T, out->side = side, out->found = 1;
	memcpy(out->quad, quad, sizeof out->quad);
	unsigned char *card = warped ? warped : malloc((size_t)w * (size_t)h);
	if (!card)
		return KYC_ERR_NOMEM;
	if (!warped)
		kyc_card_warp(img, out->quad, w, h, card);
	if (turn == 1 || (turn < 0 && kyc_card_upside_down(card, w, h, u, T, side))) {
		half_turn(quad, out->quad);
		out->upside_down = 1;
		if (!warped)
			kyc_card_warp(img, out->quad, w, h, card);
	}
	/* A card found a little off: each field cropped where the number's
	 * line says the card's print lies, unless the number itself reads
	 * less surely there (a card found far off: the line found is another). */
	double dy[KYC_CARD_MAX_FIELDS];
	if (kyc_card__row_offsets(card, w, h, u, T, side, dy) &&
	    !number_reads_as_surely(card, w, h, u, T, side, dy))
		memset(dy, 0, sizeof dy);
	int rc = read_fields(card, w, h, u, T, side, dy, out);
	free(card);
	out->ms_read = kyc_mono_ms() - t0;
	return rc;
}

int kyc_card_read_quad(const struct kyc_image *img, const struct kyc_card_template *T,
		       enum kyc_card_side side, const double quad[4][2],
		       struct kyc_card_result *out)
{
	return read_quad(img, T, side, quad, -1, NULL, out);
}

int kyc_card_read_upright(const struct kyc_image *img, const struct kyc_card_template *T,
			  enum kyc_card_side side, const double quad[4][2],
			  struct kyc_card_result *out)
{
	return read_quad(img, T, side, quad, 0, NULL, out);
}
/* How well quad rectifies side: the digit reader's confidence (0..1) in the
 * side's first number field (the national number), read half-turned or not
 * as *turn says (-1: as the landmark says, and *turn gets which); -1 when
 * the side has none. A misplaced quadrilateral cuts, skews or misses that
 * line, a wrong way up reads it as nothing; the right one reads it
 * sharply. *warped gets the card as warped (the caller frees it), or NULL
 * when the side has no number. */
static int anchor_score(const struct kyc_image *img, const struct kyc_card_template *T,
			enum kyc_card_side side, const double quad[4][2], int *turn, double *score,
			unsigned char **warped)
{
	*warped = NULL;
	double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	const struct kyc_card_field *f = kyc_card__number_field(T, side);
	*score = -1;
	if (!f)
		return 0;
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card)
		return KYC_ERR_NOMEM;
	kyc_card_warp(img, quad, w, h, card);
	if (*turn < 0)
		*turn = kyc_card_upside_down(card, w, h, u, T, side);
	if (*turn) {
		double q[4][2];
		half_turn(quad, q);
		kyc_card_warp(img, q, w, h, card);
	}
	struct kyc_edigits_reading r;
	int rc = kyc_card_read_digits(card, w, h, u, f, &r);
	if (rc == KYC_ERR_NOMEM) {
		free(card);
		return rc;
	}
	*warped = card;
	*score = !rc && r.n ? r.conf / 100.0 : 0;
	return 0;
}

/* Candidates of the card finder tried, best first, until one reads its
 * number this surely. */
#define MAX_QUADS 4
#define SURE_ANCHOR 0.6
#define TURN_MARGIN 0.3

int kyc_card_read(const struct kyc_image *img, const struct kyc_card_template *T,
		  enum kyc_card_side side, struct kyc_card_result *out)
{
	memset(out, 0, sizeof *out);
	out->tpl = T, out->side = side;
	double t0 = kyc_mono_ms(), quads[MAX_QUADS][4][2];
	int n = kyc_card_find_candidates_or_corner(img, T->w_mm / T->h_mm, quads, NULL,
						    MAX_QUADS);
	if (n == KYC_ERR_NOMEM)
		return n;
	if (n < 1) {
		out->ms_find = kyc_mono_ms() - t0;
		out->reason = "no_card_found";
		return 0;
	}
	/* The finder ranks by edges; the side's own number says which
	 * candidate really is the card (a white sheet beside a light card has
	 * stronger edges than the card), and which way up it lies when the
	 * landmark was wrong. */
	int best = 0, best_turn = -1, landmark_turn = 0;
	double landmark_score = 0;
	double best_score = -1;
	/* the best candidate's card as its number was read on it: read again
	 * as it is, not warped a second time */
	unsigned char *best_card = NULL;
	for (int i = 0; i < n && best_score < SURE_ANCHOR; i++)
		for (int pass = 0; pass < 2 && best_score < SURE_ANCHOR; pass++) {
			int turn = pass ? !landmark_turn : -1;
			double sc;
			unsigned char *card;
			int rc = anchor_score(img, T, side, quads[i], &turn, &sc, &card);
			if (rc) {
				free(best_card);
				return rc;
			}
			if (sc < 0)
				break; /* no number on this side: the finder's order */
			if (!pass)
				landmark_turn = turn, landmark_score = sc;
			/* Against its landmark, a half turn must read much better:
			 * upside down, a barcode's bars pass for the digit one. */
			if ((!pass || sc >= landmark_score + TURN_MARGIN) && sc > best_score) {
				best_score = sc, best = i, best_turn = turn;
				free(best_card);
				best_card = card;
			} else {
				free(card);
			}
		}
	double ms_find = kyc_mono_ms() - t0;
	int rc = read_quad(img, T, side, quads[best], best_turn, best_card, out);
	out->ms_find = ms_find;
	return rc;
}
