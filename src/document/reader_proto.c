/* Unsure characters judged against the band's own sure glyphs
 * (reader_proto.h). A band's glyphs share its blur, its print and its
 * resampling: a shaken band smears every `B` the same way, so a smeared `B`
 * the classifier takes for `D` still looks more like the band's sure `B`s
 * than like its sure `D`s. The classifier, trained on many renderings, does
 * not know this band's; its sure cells do. */
#include "document/reader_proto.h"

#include <math.h>
#include <string.h>

#include "document/mrz.h"

#define PW 12 /* a cell's patch: columns over one pitch */
#define PH 18 /* rows over the line and a quarter each side */
#define NP (PW * PH)
/* A cell the first reading holds at the parser's bar or above is one of the
 * band's own glyphs of its character (at 0.97, too few: a shaken band's
 * `I`s and `Z`s are seldom that sure). */
#define EXEMPLAR KYC_MRZ_CONF_ACCEPT
#define MAX_EXEMPLARS 12 /* per character: fillers are many, alike */
#define SHIFT 0.06       /* pitches a step, two steps each way */
/* How much better the candidate must match than the first reading's
 * character matches its own, and how well at least: cells read right
 * match their own character's at 0.8-0.99, another's at 0.5-0.95
 * (development seeds 9100-9107, bench/README.md, branch rd22e). */
#define MARGIN 0.04
#define MIN_MATCH 0.85
/* A cell that matches its own character's cells under this is damaged (a
 * print blot, a watermark letter's edge across it): a better match to
 * another character's says little there (development seeds: the two wrong
 * replacements at 0.63-0.65, the right ones at 0.81 or more). */
#define MIN_OWN 0.7

/* The patch of cell k of line L of b, moved dx pitches and dy rows, as a
 * zero-mean unit-norm vector. 0, or -1 when it is flat or off the band. */
static int patch(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int k,
                 double dx, double dy, float *v)
{
	int y0, y1;
	double cx = kyc_reader__cell_x(L, k), p = kyc_reader__cell_pitch(L, k);
	kyc_reader__cell_rows(b->h, L, &y0, &y1);
	double sum = 0, ss = 0;
	for (int j = 0; j < PH; j++) {
		double y = y0 + (y1 - y0) * (j / (double)(PH - 1)) + dy;
		for (int i = 0; i < PW; i++) {
			double x = cx + p * ((i + 0.5) / PW - 0.5 + dx);
			if (x < 0 || y < 0 || x > b->w - 2 || y > b->h - 2)
				return -1;
			int xi = (int)x, yi = (int)y;
			double fx = x - xi, fy = y - yi;
			const unsigned char *q = b->px + (size_t)yi * (size_t)b->w + (size_t)xi;
			double a = q[0] + (q[1] - q[0]) * fx,
			       c = q[b->w] + (q[b->w + 1] - q[b->w]) * fx;
			float s = (float)(a + (c - a) * fy);
			v[j * PW + i] = s;
			sum += s;
		}
	}
	double m = sum / NP;
	for (int i = 0; i < NP; i++)
		v[i] = (float)(v[i] - m), ss += (double)v[i] * v[i];
	if (ss < NP * 4.0) /* under two grey levels of spread: no glyph */
		return -1;
	float inv = (float)(1 / sqrt(ss));
	for (int i = 0; i < NP; i++)
		v[i] *= inv;
	return 0;
}

static double dot(const float *a, const float *b)
{
	double s = 0;
	for (int i = 0; i < NP; i++)
		s += (double)a[i] * b[i];
	return s;
}

double kyc_reader__proto_match(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                               const struct kyc_reader__reading *r, int l, int k, char c)
{
	/* the cell moved, against each exemplar where it was laid out: its
	 * own small misplacement is searched, the exemplars' averages out
	 * over the best of them */
	float shifted[15][NP], e[NP];
	int ns = 0, ne = 0;
	double best = -2;
	for (int sy = -1; sy <= 1; sy++)
		for (int sx = -2; sx <= 2; sx++)
			ns += !patch(b, &lay->ln[l], k, sx * SHIFT, sy, shifted[ns]);
	if (!ns)
		return best;
	for (int m = 0; m < r->nlines && ne < MAX_EXEMPLARS; m++)
		for (int j = 0; j < r->len && ne < MAX_EXEMPLARS; j++) {
			if ((m == l && j == k) || r->lines[m][j] != c || r->conf[m][j] < EXEMPLAR ||
			    patch(b, &lay->ln[m], j, 0, 0, e))
				continue;
			ne++;
			for (int s = 0; s < ns; s++) {
				double d = dot(shifted[s], e);
				best = d > best ? d : best;
			}
		}
	return best;
}

/* A character's value in a check digit's sum. */
static int value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 0;
}

static int letter_or_filler(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '<';
}

/* 1 when c may stand for c0 at line l: the names' line (TD1's third, the
 * others' first) holds letters and fillers only, and covers no check digit;
 * elsewhere a character worth the same modulo 10 leaves every check digit
 * as it was (a `Q` read `G`), fillers aside, which the parser's own rules
 * place. */
static int may_replace(const struct kyc_reader__reading *r, int l, char c0, char c)
{
	if (c == c0 || !c)
		return 0;
	if (l == (r->nlines == 3 ? 2 : 0))
		return letter_or_filler(c0) && letter_or_filler(c);
	return c != '<' && c0 != '<' && value(c) % 10 == value(c0) % 10;
}

int kyc_reader__read_protos(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            struct kyc_reader__reading *r)
{
	int n = 0;
	if (!kyc_reader__all_checks(r) || r->nlines != lay->nlines || r->len != lay->len)
		return 0;
	for (int l = 0; l < r->nlines; l++)
		for (int k = 0; k < r->len; k++) {
			char c0 = r->lines[l][k], cb = 0;
			if (r->conf[l][k] >= KYC_MRZ_CONF_ACCEPT)
				continue;
			double m0 = -2, mb = -2;
			/* the classifier's candidates and the runner-up */
			for (int q = 0; q <= KYC_MRZ_DECODE_K; q++) {
				char c = q < KYC_MRZ_DECODE_K ? r->cands.ch[l][k][q] : r->alt[l][k];
				if (!may_replace(r, l, c0, c) || c == cb)
					continue;
				double m = kyc_reader__proto_match(b, lay, r, l, k, c);
				if (m > mb)
					mb = m, cb = c;
			}
			if (!cb || mb < MIN_MATCH)
				continue;
			m0 = kyc_reader__proto_match(b, lay, r, l, k, c0);
			if (m0 < MIN_OWN || mb < m0 + MARGIN)
				continue;
			r->alt[l][k] = c0;
			r->lines[l][k] = cb;
			n++;
		}
	return n;
}
