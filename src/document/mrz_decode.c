/* Check-digit constrained decoding of OCR candidates (mrz_decode.h).
 *
 * A check digit is a sum mod 10, so the readings of a group that satisfy it
 * are found by dynamic programming over the residue: the state after each
 * character is (the group's running sum mod 10, the composite's running sum
 * mod 10), 100 states, a few candidates per character. The composite digit
 * covers the other groups, so they are decoded jointly along the composite's
 * positions, each group's own digit closing its residue; a format without a
 * composite (visas) decodes each group alone. The same recursion with sums
 * instead of maxima gives the probability of all the readings that satisfy
 * the checks, and the best one's share of it is how sure the decoding is. */
#include "document/mrz_decode.h"

#include <string.h>

#include "core/err.h"
#include "document/mrz_int.h"

#define K KYC_MRZ_DECODE_K
#define MAXC (K + 2)     /* candidates and look-alikes per position */
#define MAXCHAIN 80      /* the longest composite (French card) is 72 + 1 */
#define MIN_RATIO 0.02   /* how far below the best reading a valid one may lie */
#define MIN_SHARE 0.5    /* its share of all the readings that satisfy the checks */
#define LOOKALIKE 0.5    /* a look-alike weighs half the character it stands for */

/* The characters a position may hold, with their probabilities. */
struct pos_cands {
	int n;
	char ch[MAXC];
	double p[MAXC];
	double other; /* the classifier's mass on none of them */
};

/* One position of a chain: where it is, its weight in the composite (0 when
 * none) and in its group (0 when none), or its role as a check digit. */
struct link {
	uint8_t l, i;
	uint8_t wc, ws;
	uint8_t cd;       /* 1: its group's check digit, 2: the composite's */
	uint8_t empty_ok; /* a check digit that may be '<' (all-filler data) */
};

static const uint8_t weight[3] = {7, 3, 1};

static int mrz_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<';
}

static int allowed(char type, char c)
{
	switch (type) {
	case MRZ_T_ALPHA:
		return (c >= 'A' && c <= 'Z') || c == '<';
	case MRZ_T_DIGIT:
		return (c >= '0' && c <= '9') || c == '<';
	case MRZ_T_SEX:
		return c == 'F' || c == 'M' || c == 'X' || c == '<';
	default:
		return mrz_char(c);
	}
}

static void add_cand(struct pos_cands *pc, char c, double p)
{
	for (int q = 0; q < pc->n; q++)
		if (pc->ch[q] == c) {
			if (p > pc->p[q])
				pc->p[q] = p;
			return;
		}
	if (pc->n < MAXC) {
		pc->ch[pc->n] = c;
		pc->p[pc->n++] = p;
	}
}

/* The candidates of position (l, i) that its type allows, a character of the
 * wrong class standing in by its look-alike; probabilities are shares of the
 * classifier's total, so a cell it was unsure of stays unsure. */
static void gather(const struct kyc_mrz_cands *in, int l, int i, char type, struct pos_cands *pc)
{
	double total = 0;
	pc->n = 0;
	for (int q = 0; q < K; q++) {
		char c = in->ch[l][i][q];
		if (!c)
			break;
		float p = in->p[l][i][q];
		if (mrz_char(c) && p > 0)
			total += p;
	}
	/* scores are shares of one softmax: what the candidates leave is the
	 * chance that the cell holds something else (never quite nothing) */
	pc->other = total < 0.99 ? 1 - total : 0.01;
	if (total < 1)
		total = 1;
	for (int q = 0; q < K; q++) {
		char c = in->ch[l][i][q];
		if (!c)
			break;
		double p = in->p[l][i][q] > 0 ? in->p[l][i][q] / total : 0;
		if (!mrz_char(c))
			continue;
		if (allowed(type, c)) {
			add_cand(pc, c, p);
			continue;
		}
		char alt = 0;
		if (type == MRZ_T_DIGIT)
			alt = kyc_mrz__letter_to_digit(c);
		else if (type == MRZ_T_ALPHA || type == MRZ_T_SEX)
			alt = kyc_mrz__digit_to_letters(c)[0];
		if (alt && allowed(type, alt))
			add_cand(pc, alt, p * LOOKALIKE);
	}
	if (pc->n == 0) /* nothing fits: keep the best guess, with no weight */
		add_cand(pc, mrz_char(in->ch[l][i][0]) ? in->ch[l][i][0] : '<', 0);
}

static int best_of(const struct pos_cands *pc)
{
	int b = 0;
	for (int q = 1; q < pc->n; q++)
		if (pc->p[q] > pc->p[b])
			b = q;
	return b;
}

/* Decodes one chain: the most probable choice of candidates whose group
 * digits and composite digit all hold. Writes the characters into w->l and
 * their confidences into conf when that reading is at least MIN_RATIO of the
 * unconstrained best and at least MIN_SHARE of all the readings that satisfy
 * the checks; returns 1 then, else 0 and changes nothing. */
static int decode_chain(struct mrz_work *w, struct pos_cands (*pcs)[MRZ_MAXW],
			const struct link *ch, int n, float (*conf)[44])
{
	static const int NS = 100;
	double best[100], sum[100], nbest[100], nsum[100];
	uint8_t bq[MAXCHAIN][100], bs[MAXCHAIN][100];
	double unconstrained = 1;
	for (int s = 0; s < NS; s++)
		best[s] = sum[s] = 0;
	best[0] = sum[0] = 1;
	for (int t = 0; t < n; t++) {
		const struct link *k = &ch[t];
		const struct pos_cands *pc = &pcs[k->l][k->i];
		unconstrained *= pc->p[best_of(pc)];
		for (int s = 0; s < NS; s++) {
			nbest[s] = -1; /* unreached */
			nsum[s] = 0;
		}
		for (int s = 0; s < NS; s++) {
			if (sum[s] <= 0 && best[s] <= 0)
				continue;
			int rs = s / 10, rc = s % 10;
			for (int q = 0; q < pc->n; q++) {
				char c = pc->ch[q];
				int v = kyc_mrz_char_weight(c), rs2 = rs, rc2 = rc;
				if (k->cd && (c < '0' || c > '9') && !(c == '<' && k->empty_ok))
					continue;
				if (k->cd == 1) {
					if (v != rs)
						continue;
					rs2 = 0;
				} else if (k->cd == 2) {
					if (v != rc)
						continue;
					rc2 = 0;
				} else {
					rs2 = (rs + k->ws * v) % 10;
				}
				if (k->cd != 2)
					rc2 = (rc + k->wc * v) % 10;
				int ns = rs2 * 10 + rc2;
				double b = best[s] * pc->p[q];
				nsum[ns] += sum[s] * pc->p[q];
				if (b > nbest[ns]) {
					nbest[ns] = b;
					bq[t][ns] = (uint8_t)q;
					bs[t][ns] = (uint8_t)s;
				}
			}
			/* some character none of the candidates: any value alike. It
			 * is never chosen, but the readings through it count against
			 * the chosen one's share */
			for (int v = 0; v < 10; v++) {
				int rs2 = k->cd == 1 ? (v == rs ? 0 : -1) : (rs + k->ws * v) % 10;
				int rc2 = k->cd == 2 ? (v == rc ? 0 : -1) : (rc + k->wc * v) % 10;
				if (rs2 < 0 || rc2 < 0)
					continue;
				nsum[rs2 * 10 + rc2] += sum[s] * pc->other / 10;
			}
		}
		for (int s = 0; s < NS; s++) {
			best[s] = nbest[s] < 0 ? 0 : nbest[s];
			sum[s] = nsum[s];
		}
	}
	/* every group closed and the composite satisfied: residue (0, 0) */
	if (best[0] <= 0 || sum[0] <= 0 || best[0] < MIN_RATIO * unconstrained)
		return 0;
	/* noise satisfies a check digit one time in ten: when many readings
	 * do, none of them is the answer */
	double sure = best[0] / sum[0];
	if (sure < MIN_SHARE)
		return 0;
	int s = 0;
	for (int t = n - 1; t >= 0; t--) {
		const struct link *k = &ch[t];
		const struct pos_cands *pc = &pcs[k->l][k->i];
		int q = bq[t][s];
		w->l[k->l][k->i] = pc->ch[q];
		conf[k->l][k->i] = (float)(pc->p[q] > sure ? pc->p[q] : sure);
		s = bs[t][s];
	}
	return 1;
}

/* Appends group g (its data, then its own check digit) to a chain. */
static int chain_group(const struct mrz_group *g, struct link *ch, int n)
{
	for (int i = 0; i < g->n && n < MAXCHAIN - 1; i++)
		ch[n++] = (struct link){.l = g->pos[i][0], .i = g->pos[i][1], .ws = weight[i % 3]};
	ch[n++] = (struct link){.l = g->cd[0], .i = g->cd[1], .cd = 1, .empty_ok = (uint8_t)g->empty_ok};
	return n;
}

/* The composite chain: its positions in order, each group it covers laid
 * in whole (data then digit) where it starts. 0 when a group is not covered
 * contiguously in order, which no ICAO format does. */
static int chain_composite(const struct mrz_work *w, const struct mrz_group *comp,
			   struct link *ch)
{
	int n = 0;
	for (int j = 0; j < comp->n && n < MAXCHAIN - 1;) {
		int l = comp->pos[j][0], i = comp->pos[j][1];
		const struct mrz_group *g = NULL;
		for (int k = 0; k < w->ngroups && !g; k++)
			if (&w->groups[k] != comp && w->groups[k].n > 0 &&
			    w->groups[k].pos[0][0] == l && w->groups[k].pos[0][1] == i)
				g = &w->groups[k];
		if (!g) {
			ch[n++] = (struct link){.l = (uint8_t)l, .i = (uint8_t)i,
						.wc = weight[j % 3]};
			j++;
			continue;
		}
		if (j + g->n + 1 > comp->n)
			return 0;
		for (int k = 0; k <= g->n; k++) {
			int gl = k < g->n ? g->pos[k][0] : g->cd[0];
			int gi = k < g->n ? g->pos[k][1] : g->cd[1];
			if (comp->pos[j + k][0] != gl || comp->pos[j + k][1] != gi)
				return 0;
		}
		int m = chain_group(g, ch, n);
		for (int k = n; k < m; k++)
			ch[k].wc = weight[(j + k - n) % 3];
		j += m - n;
		n = m;
	}
	ch[n++] = (struct link){.l = comp->cd[0], .i = comp->cd[1], .cd = 2};
	return n;
}

int kyc_mrz_decode(const struct kyc_mrz_cands *in, struct kyc_mrz_decoded *out)
{
	static struct mrz_work zero;
	struct mrz_work w = zero;
	struct pos_cands pcs[3][MRZ_MAXW];
	struct link ch[MAXCHAIN];
	char err[8];
	memset(out, 0, sizeof *out);
	if (!in || in->nlines < 2 || in->nlines > 3 || in->len < 1 || in->len > MRZ_MAXW)
		return KYC_ERR_INVALID;
	w.nlines = in->nlines;
	for (int l = 0; l < in->nlines; l++) {
		for (int i = 0; i < in->len; i++) {
			char c = in->ch[l][i][0];
			w.l[l][i] = mrz_char(c) ? c : '<';
		}
		w.l[l][in->len] = '\0';
	}
	if (kyc_mrz__setup(&w, err, sizeof err))
		return KYC_ERR_INVALID;
	/* every position's best allowed candidate first */
	for (int l = 0; l < w.nlines; l++)
		for (int i = 0; i < w.width; i++) {
			struct pos_cands *pc = &pcs[l][i];
			gather(in, l, i, w.type[l][i], pc);
			int b = best_of(pc);
			w.l[l][i] = pc->ch[b];
			out->conf[l][i] = (float)pc->p[b];
		}
	kyc_mrz__build_groups(&w);
	int long_number = 0, comp = -1;
	for (int g = 0; g < w.ngroups; g++) {
		long_number |= w.groups[g].n2 > 0;
		if (w.groups[g].check == KYC_MRZ_CHECK_COMPOSITE)
			comp = g;
	}
	/* a long document number is split over two fields by a filler: the
	 * corrector's rules handle it; here its candidates stay as they are */
	if (!long_number) {
		int n = comp >= 0 ? chain_composite(&w, &w.groups[comp], ch) : 0;
		if (!(n > 0 && decode_chain(&w, pcs, ch, n, out->conf)))
			for (int g = 0; g < w.ngroups; g++)
				if (g != comp) {
					n = chain_group(&w.groups[g], ch, 0);
					decode_chain(&w, pcs, ch, n, out->conf);
				}
		kyc_mrz__build_groups(&w);
	}
	for (int l = 0; l < w.nlines; l++) {
		memcpy(out->lines[l], w.l[l], (size_t)w.width);
		out->lines[l][w.width] = '\0';
		for (int i = 0; i < w.width; i++)
			out->changed += w.l[l][i] != in->ch[l][i][0];
	}
	out->checks_total = w.ngroups;
	for (int g = 0; g < w.ngroups; g++)
		out->checks_ok += kyc_mrz__group_ok(&w, &w.groups[g]);
	return 0;
}

/* 1 when (l, i) is a position of a group other than skip whose digit holds. */
static int held(const struct mrz_work *w, int skip, int l, int i)
{
	for (int g = 0; g < w->ngroups; g++) {
		const struct mrz_group *gr = &w->groups[g];
		if (g == skip || !kyc_mrz__group_ok(w, gr))
			continue;
		if (gr->cd[0] == l && gr->cd[1] == i)
			return 1;
		for (int k = 0; k < gr->n + gr->n2; k++) {
			const uint8_t *p = k < gr->n ? gr->pos[k] : gr->pos2[k - gr->n];
			if (p[0] == l && p[1] == i)
				return 1;
		}
	}
	return 0;
}

int kyc_mrz_failing_cells(int nlines, int len, const char lines[][45], unsigned char cells[3][44])
{
	static struct mrz_work zero;
	struct mrz_work w = zero;
	char err[8];
	memset(cells, 0, 3 * 44);
	if (nlines < 2 || nlines > 3 || len < 1 || len > MRZ_MAXW)
		return KYC_ERR_INVALID;
	w.nlines = nlines;
	for (int l = 0; l < nlines; l++) {
		for (int i = 0; i < len; i++)
			w.l[l][i] = mrz_char(lines[l][i]) ? lines[l][i] : '<';
		w.l[l][len] = '\0';
	}
	if (kyc_mrz__setup(&w, err, sizeof err))
		return KYC_ERR_INVALID;
	kyc_mrz__build_groups(&w);
	int n = 0;
	for (int g = 0; g < w.ngroups; g++) {
		const struct mrz_group *gr = &w.groups[g];
		if (kyc_mrz__group_ok(&w, gr))
			continue;
		int comp = gr->check == KYC_MRZ_CHECK_COMPOSITE;
		for (int k = 0; k <= gr->n + gr->n2; k++) {
			const uint8_t *p = k == gr->n + gr->n2 ? gr->cd
					   : k < gr->n		    ? gr->pos[k]
								    : gr->pos2[k - gr->n];
			if (cells[p[0]][p[1]] || (comp && held(&w, g, p[0], p[1])))
				continue;
			cells[p[0]][p[1]] = 1;
			n++;
		}
	}
	return n;
}
