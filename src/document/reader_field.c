/* A failing field read again (reader_field.h). The reading's decoder chose
 * among each cell's four likeliest characters and no choice made the check
 * digits hold: the true character was not among them, or two of them were
 * each too far down for the decoder's bar. A watermark letter's edge, a
 * blur or a grid a little off a glyph's centre moves a cell's score to a
 * look-alike; other views of the same cell (the grid moved a fifth of a
 * pitch, the finer model, the band with a watermark's cover taken off)
 * rank it differently, and their mean puts the truth back among the
 * candidates. Among the readings changing one or two of the failing
 * fields' cells whose check digits all hold, the likeliest is kept only
 * when it is clearly likelier than the next (MIN_LEAD): with a dozen cells
 * and six candidates each, some readings hold by chance. */
#include "document/reader_field.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/mrz.h"
#include "document/mrz_decode.h"
#include "document/ocr.h"
#include "document/reader_int.h"
#include "document/reader_overlay.h"

/* The grid's moves, in pitches: a cell cut a fifth of a pitch off its glyph
 * still holds all of it (the classifier sees 1.1 pitches). */
static const double shifts[] = {0, -0.2, 0.2};
#define NSHIFTS (int)(sizeof shifts / sizeof shifts[0])
/* Fields larger than this are not read again (a whole wrong line's). */
#define MAX_CELLS 24

/* Adds the views of cell k of line L on b to m[KYC_OCR_NOUT]: the grid's
 * moves, each by both models. Returns how many were added. */
static int cell_views(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int k,
                      float *m)
{
	int y0, y1, nv = 0;
	kyc_reader__cell_rows(b->h, L, &y0, &y1);
	double pitch = kyc_reader__cell_pitch(L, k);
	for (int s = 0; s < NSHIFTS; s++) {
		float p[KYC_OCR_NOUT];
		struct kyc_ocr_guess f[4];
		double cx = kyc_reader__cell_x(L, k) + shifts[s] * pitch;
		if (kyc_ocr_probs_at(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p))
			continue;
		int nf = kyc_ocr_classify_fine_given(b->px, b->w, b->h, b->w, cx, pitch, y0, y1, p,
		                                     f, 4);
		for (int c = 0; c < KYC_OCR_NOUT; c++)
			m[c] += nf < 1 ? 2 * p[c] : p[c]; /* no finer model: the first twice */
		for (int q = 0; q < nf; q++) {
			const char *at = strchr(KYC_OCR_CLASSES, f[q].ch);
			if (at && f[q].ch)
				m[at - KYC_OCR_CLASSES] += f[q].score;
		}
		nv += 2;
	}
	return nv;
}

/* A failing field's cell: its likeliest characters over the views that
 * its kind allows, each with its gain over the character read. */
#define MAX_ALTS 6
/* Candidates under this share of the views' mean are not tried. */
#define MIN_P 0.01f
/* A glyph where fillers stand either side: a field's data is written from
 * its left end and filled out with '<', so a character among the fillers is
 * likelier a watermark's or a smear's trace than data (a personal number
 * `BFU3OFDC<<<<<<` read with a `4` and a `K` among its fillers, development
 * seed 0x9110, watermark level 2 #6). */
#define AMONG_FILLERS 0.1
struct cell {
	int i, k, n;
	char ch[MAX_ALTS];
	double gain[MAX_ALTS]; /* p(candidate) / p(as read) */
	double beyond;         /* the best gain of a character not among them */
};

/* The candidates of cell (i, k) of line `line` (of len) from the views'
 * mean m. */
static void gather(struct cell *c, int nl, int len, int i, int k, const char *line, const float *m)
{
	char kind = kyc_reader__field_kind(nl, len, i, k), read = line[k];
	const char *at = strchr(KYC_OCR_CLASSES, read);
	double cur = at && read ? m[at - KYC_OCR_CLASSES] : 0;
	cur = cur < 1e-3 ? 1e-3 : cur;
	int island =
	    read == '<' && (k == 0 || line[k - 1] == '<') && (k == len - 1 || line[k + 1] == '<');
	double prior = island ? AMONG_FILLERS : 1;
	*c = (struct cell){.i = i, .k = k};
	float p[KYC_OCR_NOUT];
	memcpy(p, m, sizeof p);
	for (;;) {
		int b = -1;
		for (int q = 0; q < KYC_OCR_NCLASSES; q++) {
			char ch = KYC_OCR_CLASSES[q];
			int dig = ch >= '0' && ch <= '9';
			if (ch != read && (!kind || (kind == 'd') == dig || ch == '<') &&
			    (b < 0 || p[q] > p[b]))
				b = q;
		}
		if (b < 0)
			break;
		if (p[b] < MIN_P || c->n == MAX_ALTS) {
			c->beyond = p[b] * prior / cur;
			break;
		}
		c->ch[c->n] = KYC_OCR_CLASSES[b];
		c->gain[c->n++] = p[b] * prior / cur;
		p[b] = 0;
	}
}

/* One or two cells changed: cell a to its candidate qa, cell b (-1: none)
 * to qb, and the gain over the reading as read. */
struct change {
	int a, qa, b, qb;
	double gain;
};

/* Every reading of t changing one cell of cs or two to candidates whose
 * check digits all hold: the likeliest into top[0], the next into top[1]
 * (gain 0 when none). t's lines are restored. */
static void search(struct kyc_reader__reading *t, const struct cell *cs, int n,
                   struct change top[2])
{
	top[0] = top[1] = (struct change){-1, 0, -1, 0, 0};
	for (int a = 0; a < n; a++)
		for (int b = a; b < n; b++)
			for (int qa = 0; qa < cs[a].n; qa++)
				for (int qb = b == a ? -1 : 0; qb < cs[b].n; qb++) {
					if (b == a && qb >= 0)
						break;
					double g = cs[a].gain[qa] * (qb >= 0 ? cs[b].gain[qb] : 1);
					if (g <= top[1].gain)
						continue;
					char *ca = &t->lines[cs[a].i][cs[a].k];
					char *cb = &t->lines[cs[b].i][cs[b].k];
					char sa = *ca, sb = *cb;
					*ca = cs[a].ch[qa];
					if (qb >= 0)
						*cb = cs[b].ch[qb];
					int total,
					    ok = kyc_reader_checks(
					        (const char(*)[KYC_READER_MAX_CHARS + 1]) t->lines,
					        t->nlines, t->len, &total);
					*cb = sb;
					*ca = sa;
					if (ok < total)
						continue;
					struct change c = {a, qa, qb >= 0 ? b : -1, qb, g};
					if (g > top[0].gain) {
						top[1] = top[0];
						top[0] = c;
					} else {
						top[1] = c;
					}
				}
}

/* The likeliest reading that holds against a rival: the next likeliest that
 * holds, or one through a character the views did not offer (bounded by
 * the likeliest of those, with the likeliest change elsewhere). */
static double rival(const struct cell *cs, int n, const struct change top[2])
{
	double beyond = 0, most = 1;
	for (int c = 0; c < n; c++) {
		beyond = cs[c].beyond > beyond ? cs[c].beyond : beyond;
		for (int q = 0; q < cs[c].n; q++)
			most = cs[c].gain[q] > most ? cs[c].gain[q] : most;
	}
	return top[1].gain > beyond * most ? top[1].gain : beyond * most;
}

/* How much likelier than its rival (rival()) the chosen reading must be: a
 * check digit holds one time in ten whatever stands in a cell, so among the
 * many readings one or two changes make some hold by chance. */
#define MIN_LEAD 4
/* and its gain over the reading as read: a change the views give a
 * twentieth of what they give the character read is no reading of them */
#define MIN_GAIN 0.05

int kyc_reader__read_fields(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            struct kyc_reader__reading **best, struct kyc_reader__reading *spare)
{
	const struct kyc_reader__reading *r = *best;
	unsigned char mask[3][44];
	struct cell cs[MAX_CELLS];
	if (kyc_reader__all_checks(r) || !b->px || lay->nlines != r->nlines || lay->len != r->len)
		return 0;
	int n = kyc_mrz_failing_cells(r->nlines, r->len, r->lines, mask);
	if (n < 1 || n > MAX_CELLS)
		return 0;
	/* the band with a watermark's cover taken off too, when it has one */
	struct kyc_reader__band o = {0};
	int rc = kyc_reader__band_overlay(b, lay, &o);
	if (rc == KYC_ERR_NOMEM)
		return rc;
	int nc = 0;
	for (int i = 0; i < r->nlines; i++)
		for (int k = 0; k < r->len; k++) {
			float m[KYC_OCR_NOUT] = {0};
			if (!mask[i][k])
				continue;
			int nv = cell_views(b, &lay->ln[i], k, m);
			if (o.px)
				nv += cell_views(&o, &lay->ln[i], k, m);
			if (!nv)
				continue;
			for (int c = 0; c < KYC_OCR_NOUT; c++)
				m[c] /= (float)nv;
			gather(&cs[nc++], r->nlines, r->len, i, k, r->lines[i], m);
		}
	*spare = *r;
	struct kyc_reader__reading *t = spare;
	struct change top[2];
	search(t, cs, nc, top);
	double second = rival(cs, nc, top);
	free(o.px);
	if (top[0].a < 0 || top[0].gain < MIN_GAIN || top[0].gain < MIN_LEAD * second)
		return 0;
	for (int e = 0; e < 2; e++) {
		int c = e ? top[0].b : top[0].a, q = e ? top[0].qb : top[0].qa;
		if (c < 0)
			continue;
		int i = cs[c].i, k = cs[c].k;
		/* the character read is the new one's runner-up */
		t->alt[i][k] = t->lines[i][k];
		t->alt_conf[i][k] = (float)(second / (top[0].gain + second));
		t->lines[i][k] = cs[c].ch[q];
		/* as sure as its lead over its rival makes it */
		t->conf[i][k] = (float)(top[0].gain / (top[0].gain + second));
	}
	double total = 0, minc = 1;
	for (int i = 0; i < t->nlines; i++)
		for (int k = 0; k < t->len; k++) {
			total += t->conf[i][k];
			minc = t->conf[i][k] < minc ? t->conf[i][k] : minc;
		}
	t->checks_ok = kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1]) t->lines,
	                                 t->nlines, t->len, &t->checks_total);
	t->mean_conf = total / (t->nlines * t->len);
	t->min_conf = minc;
	t->score = t->checks_ok + t->mean_conf;
	*best = t;
	return 0;
}
