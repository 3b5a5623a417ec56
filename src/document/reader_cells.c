/* A layout's cells read (docs/reader.md, steps 10-12): each cell classified
 * with its neighbours in view, an unsure one again by the finer model, the
 * grid moved a cell where the quiet zone says it is off, the lines' grids
 * lined up, and the reading decoded under its check digits and scored.
 * Split from reader.c, which keeps the scan. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "document/mrz.h"
#include "document/ocr.h"
#include "document/reader_int.h"

/* Classifies cell k of line i. Returns the number of guesses (0 when the cell
 * falls outside the band). The first model's softmax goes into p, when given,
 * for the finer model (classify_cell_fine). */
static int classify_cell(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			 int k, struct kyc_ocr_guess *g, float *p)
{
	int cy0, cy1;
	float own[KYC_OCR_NOUT], *sm = p ? p : own;
	kyc_reader__cell_rows(b->h, L, &cy0, &cy1);
	double cx = kyc_reader__cell_x(L, k), pitch = kyc_reader__cell_pitch(L, k);
	/* the classifier cuts the cell (cx +- 0.55 p) and sees its neighbours */
	if (kyc_ocr_probs_at(b->px, b->w, b->h, b->w, cx, pitch, cy0, cy1, sm))
		return 0;
	int ng = kyc_ocr_top_k(sm, g, 4);
	return ng < 0 ? 0 : ng;
}

/* The finer model averaged in (docs/ocr.md, "A finer recogniser on unsure
 * cells") for cell k, whose first reading g (softmax p) scored under 0.9,
 * what the MRZ parser accepts. Returns the new count of guesses, or ng when
 * the finer model gives none. */
#define FINE_BELOW 0.9f
static int classify_cell_fine(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			      int k, const float *p, struct kyc_ocr_guess *g, int ng)
{
	int cy0, cy1;
	kyc_reader__cell_rows(b->h, L, &cy0, &cy1);
	struct kyc_ocr_guess f[4];
	/* the first model's softmax passed in: only the finer model runs */
	int nf = kyc_ocr_classify_fine_given(b->px, b->w, b->h, b->w, kyc_reader__cell_x(L, k),
					     kyc_reader__cell_pitch(L, k), cy0, cy1, p, f, 4);
	if (nf < 1)
		return ng;
	memcpy(g, f, sizeof(struct kyc_ocr_guess) * (size_t)nf);
	return nf;
}

double kyc_reader__sample_conf(const struct kyc_reader__band *b,
			       const struct kyc_reader__layout *lay)
{
	double sum = 0;
	int n = 0;
	for (int i = 0; i < lay->nlines; i++)
		for (int k = 3 + i * 2; k < lay->len; k += 9) {
			struct kyc_ocr_guess g[4];
			if (classify_cell(b, &lay->ln[i], k, g, NULL) > 0)
				sum += g[0].score;
			n++;
		}
	return n ? sum / n : 0;
}

/* Classifies the cells of line i of a reading; returns the sum of the best
 * guesses' scores. */
static double read_line(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			int i, struct kyc_reader__reading *r)
{
	int nl = r->nlines, n = r->len;
	double sum = 0;
	struct kyc_ocr_guess gs[KYC_READER_MAX_CHARS][4];
	float ps[KYC_READER_MAX_CHARS][KYC_OCR_NOUT];
	int ngs[KYC_READER_MAX_CHARS], sure = 0;
	for (int k = 0; k < n; k++) {
		ngs[k] = classify_cell(b, L, k, gs[k], ps[k]);
		sure += ngs[k] > 0 && gs[k][0].score >= FINE_BELOW;
	}
	/* The finer model only on a line that reads mostly surely: a line of
	 * clutter or a wrong grid, all unsure, would pay for it on every cell
	 * and is dropped anyway (the p95's photos; bench/README.md). */
	int fine = 2 * sure >= n;
	for (int k = 0; k < n; k++) {
		struct kyc_ocr_guess *g = gs[k];
		int ng = ngs[k];
		if (fine && ng > 0 && g[0].score < FINE_BELOW)
			ng = classify_cell_fine(b, L, k, ps[k], g, ng);
		r->alt[i][k] = 0;
		r->alt_conf[i][k] = 0;
		for (int q = 0; q < KYC_MRZ_DECODE_K; q++) {
			r->cands.ch[i][k][q] = q < ng ? g[q].ch : 0;
			r->cands.p[i][k][q] = q < ng ? g[q].score : 0;
		}
		if (ng < 1) {
			r->lines[i][k] = '<';
			r->conf[i][k] = 0;
			continue;
		}
		/* a digit where the format wants one, a letter where it wants a
		 * letter, when the classifier offers it at all */
		int pick = 0;
		char kind = kyc_reader__field_kind(nl, n, i, k);
		for (int q = 0; q < ng && kind; q++) {
			int dig = g[q].ch >= '0' && g[q].ch <= '9';
			if ((kind == 'd') == dig) {
				if (g[q].score > g[0].score * 0.05)
					pick = q;
				break;
			}
		}
		r->lines[i][k] = g[pick].ch;
		r->conf[i][k] = g[pick].score;
		int other = pick == 0 ? 1 : 0;
		if (ng > other) {
			r->alt[i][k] = g[other].ch;
			r->alt_conf[i][k] = g[other].score;
		}
		sum += g[0].score;
	}
	r->lines[i][n] = 0;
	return sum;
}

/* Decodes the reading's candidates under its check digits (mrz_decode.h);
 * when that satisfies more of them than the cell-by-cell choice, its lines
 * and per-character confidences replace the reading's. Then the mean and
 * minimum confidence, the check digits and the score. */
static void score_reading(struct kyc_reader__reading *r)
{
	struct kyc_mrz_decoded d;
	int total = 0;
	int raw_ok = kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])r->lines,
				       r->nlines, r->len, &total);
	r->cands.nlines = r->nlines;
	r->cands.len = r->len;
	if (kyc_mrz_decode(&r->cands, &d) == 0 && d.checks_ok > raw_ok) {
		for (int i = 0; i < r->nlines; i++) {
			memcpy(r->lines[i], d.lines[i], (size_t)r->len + 1);
			for (int k = 0; k < r->len; k++) {
				r->conf[i][k] = d.conf[i][k];
				/* the runner-up: the best candidate other than the choice */
				r->alt[i][k] = 0;
				r->alt_conf[i][k] = 0;
				for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
					if (r->cands.ch[i][k][q] && r->cands.ch[i][k][q] != d.lines[i][k]) {
						r->alt[i][k] = r->cands.ch[i][k][q];
						r->alt_conf[i][k] = r->cands.p[i][k][q];
						break;
					}
			}
		}
	}
	/* the codes' values are few: a blurred `NGA` read `NQA` is put right */
	if (kyc_reader__fit_codes(&r->cands, r->lines, r->conf))
		for (int i = 0; i < r->nlines; i++)
			for (int k = 0; k < r->len; k++)
				if (r->alt[i][k] == r->lines[i][k]) /* the runner-up was chosen */
					for (int q = 0; q < KYC_MRZ_DECODE_K; q++)
						if (r->cands.ch[i][k][q] &&
						    r->cands.ch[i][k][q] != r->lines[i][k]) {
							r->alt[i][k] = r->cands.ch[i][k][q];
							r->alt_conf[i][k] = r->cands.p[i][k][q];
							break;
						}
	double sum = 0, minc = 1;
	for (int i = 0; i < r->nlines; i++)
		for (int k = 0; k < r->len; k++) {
			sum += r->conf[i][k];
			if (r->conf[i][k] < minc)
				minc = r->conf[i][k];
		}
	r->mean_conf = sum / (r->nlines * r->len);
	r->min_conf = minc;
	r->checks_ok = kyc_reader_checks((const char(*)[KYC_READER_MAX_CHARS + 1])r->lines,
					 r->nlines, r->len, &r->checks_total);
	r->score = r->checks_ok + r->mean_conf;
}

void kyc_reader__read_cells(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
		       struct kyc_reader__reading *r)
{
	memset(r, 0, sizeof *r);
	r->nlines = lay->nlines;
	r->len = lay->len;
	for (int i = 0; i < lay->nlines; i++)
		read_line(b, &lay->ln[i], i, r);
	score_reading(r);
}

/* A grid that landed one cell off (a speck or a card edge counted as a glyph
 * at one end, a faint filler lost at the other) reads a blank cell at one end
 * and leaves a glyph unread beyond the other. The cells just outside each end
 * are probed; when the one beyond an end scores better than the cell at the
 * other end, the line is read again one cell over and the better scoring
 * grid kept (never one with fewer check digits right). Updates r and lay. */
void kyc_reader__try_shifts(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
		       struct kyc_reader__reading *r)
{
	struct kyc_reader__reading t;
	int n = r->len;
	for (int i = 0; i < lay->nlines; i++) {
		for (int step = 0; step < 2; step++) {
			struct kyc_ocr_guess g[4];
			double out_l = classify_cell(b, &lay->ln[i], -1, g, NULL) > 0 ? g[0].score : 0;
			double out_r = classify_cell(b, &lay->ln[i], n, g, NULL) > 0 ? g[0].score : 0;
			/* the MRZ has a quiet zone: a glyph beyond an end is suspect;
			 * the likelier end first, then the other (a card edge read
			 * as a glyph beyond one end does not hide a real one beyond
			 * the other) */
			int first = out_l > out_r ? -1 : 1, moved = 0;
			double base = 0;
			for (int k = 0; k < n; k++)
				base += r->cands.p[i][k][0];
			for (int q = 0; q < 2 && !moved; q++) {
				int s = q ? -first : first;
				if ((s < 0 ? out_l : out_r) <= 0.5)
					continue;
				struct kyc_reader__line m = kyc_reader__line_shift(&lay->ln[i], s);
				t = *r;
				if (read_line(b, &m, i, &t) <= base + 0.3)
					continue;
				score_reading(&t);
				if (t.checks_ok < r->checks_ok)
					continue;
				*r = t;
				lay->ln[i] = m;
				moved = 1;
			}
			if (!moved)
				break;
		}
	}
}

/* MRZ lines start at the same margin and hold the same number of cells, so
 * their grids line up; a grid that starts a pitch or two away from the
 * others' counted something beside the line (a card's corner, a speck) as a
 * glyph and lost one at the other end, and its quiet-zone probe can miss
 * that when the phantom reads as well as the lost glyph. The line that
 * disagrees with the others (either of two that disagree) is read again
 * moved onto them, and kept when no check digit is lost and the reading
 * scores at least as well. Updates r and lay. */
void kyc_reader__align_lines(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
			struct kyc_reader__reading *r)
{
	int nl = lay->nlines;
	double x0[KYC_READER_MAX_LINES];
	for (int i = 0; i < nl; i++)
		x0[i] = kyc_reader__cell_x(&lay->ln[i], 0);
	for (int i = 0; i < nl; i++) {
		double p = kyc_reader__cell_pitch(&lay->ln[i], 0), ref = 0;
		int others = 0, agree = 0;
		for (int j = 0; j < nl; j++)
			if (j != i) {
				ref += x0[j];
				others++;
			}
		ref /= others;
		for (int j = 0; j < nl; j++)
			agree += j != i && fabs(x0[j] - ref) < 0.5 * p;
		/* the others must agree among themselves for i to be the odd one */
		if (agree < others || fabs(x0[i] - ref) < 0.5 * p)
			continue;
		int s = (int)lround((ref - x0[i]) / p);
		if (s == 0 || abs(s) > 2)
			continue;
		/* and the cell it would take in must hold a glyph */
		struct kyc_ocr_guess g[4];
		if (classify_cell(b, &lay->ln[i], s > 0 ? r->len - 1 + s : s, g, NULL) < 1 ||
		    g[0].score <= 0.5)
			continue;
		struct kyc_reader__line m = kyc_reader__line_shift(&lay->ln[i], s);
		struct kyc_reader__reading t = *r;
		double before = 0;
		for (int k = 0; k < r->len; k++)
			before += r->cands.p[i][k][0];
		if (read_line(b, &m, i, &t) < before)
			continue;
		score_reading(&t);
		if (t.checks_ok < r->checks_ok)
			continue;
		*r = t;
		lay->ln[i] = m;
		x0[i] = m.a;
	}
}

int kyc_reader__all_checks(const struct kyc_reader__reading *r)
{
	return r->checks_total > 0 && r->checks_ok == r->checks_total;
}


/* Whether the cells just beyond both ends of every line hold no confident
 * glyph (the MRZ's quiet zone). A loose grid too short for its line (a
 * 44-cell line read as 36: the first 28 cells of both formats' second line
 * hold the same check digits) has ink there. */
int kyc_reader__quiet_ends(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	struct kyc_ocr_guess g[4];
	for (int i = 0; i < lay->nlines; i++)
		for (int e = 0; e < 2; e++)
			if (classify_cell(b, &lay->ln[i], e ? lay->len : -1, g, NULL) > 0 &&
			    g[0].score > 0.5)
				return 0;
	return 1;
}

