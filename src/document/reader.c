/* Reading a located MRZ: rectify the band around a candidate line, split it
 * into text lines by row projection, lay a monospaced grid of exactly 30/36/44
 * cells on each line (pitch fitted to the glyph centres, so fillers and touching
 * glyphs do not matter), classify every cell (reader_cells.c), and keep the
 * reading whose check digits hold best. Tried upright first, then turned 180°;
 * the locator's passes and the last resorts when none reads are here too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "document/reader.h"
#include "document/reader_dots.h"
#include "document/reader_deblur.h"
#include "document/reader_field.h"
#include "document/reader_int.h"
#include "document/reader_ink.h"
#include "document/reader_names.h"
#include "document/reader_overlay.h"
#include "document/reader_skew.h"
#include "document/reader_trim.h"
#include "document/reader_washed.h"

#define MAX_CANDS 4  /* candidate lines tried per image */
#define MAX_OPEN 1   /* lines kept for a longer band (read_band) */
#define MAX_LOOSE 1  /* lines kept for a loose layout (read_loose) */
#define MAX_JOINS 4  /* lines joined from pieces read at most (read_joined) */
#define MAX_MORE 4   /* lines past a pass's MAX_CANDS read at most (read_more) */
#define MAX_FITS 2   /* lines kept for a band laid on its margins (read_sure) */
#define MARGINS_BAND 2 /* read_band's `open` for kyc_reader__band_layout_margins */
#define MAX_OVER 2   /* lines kept for a band cut to its count (reader_trim.h) */
#define TRIM_BAND 3  /* read_band's `open` for kyc_reader__band_layout_trimmed, */
#define TRIM_RIGHT 4 /* cutting at the left end, or at the right */
#define MAX_NEAR 1   /* lines just under the pre-test's bar kept for a longer band */
#define MAX_WELD 8   /* blobs of welded lines kept (kyc_reader__read_welded) */
/* The pre-test's score (reader.h) a line needs for a loose layout. The
 * lines of 37 of 100 photos without an MRZ of development seed 4711 reached
 * the photo bar (0.51-0.85, 19 of them 0.65 or more) and paid for a long
 * band each; the MRZ lines it read on development seeds 4711 and 4712
 * scored 0.69-0.91 (and 0.76, 0.98 on seed 31337, kept apart). */
#define LOOSE_BAR 0.65
/* The pre-test (reader_pretest.c): the first pass's EVIDENCE_CANDS likeliest
 * lines are looked at; its bars are in reader.h. */
#define EVIDENCE_CANDS 16

/* Below this sharpness a failed reading is reported as too_blurry. Sharp
 * photos, JPEG-degraded and noisy ones included, measure 0.27 and up; a box
 * blur of a third of the MRZ pitch brings them under 0.13. */
#define BLURRY 0.18

/* Band pixel -> image pixel. */
static void band_to_image(const struct kyc_reader__band *b, double x, double y, double out[2])
{
	out[0] = b->ox + x * b->s * b->ux + y * b->s * b->vx;
	out[1] = b->oy + x * b->s * b->uy + y * b->s * b->vy;
}

static void fill_result(struct kyc_reader_result *out, const struct kyc_reader__reading *best,
			const struct kyc_reader__band *bb, const struct kyc_reader__layout *lay)
{
	out->nlines = best->nlines;
	out->line_len = best->len;
	memcpy(out->lines, best->lines, sizeof out->lines);
	memcpy(out->conf, best->conf, sizeof out->conf);
	memcpy(out->alt, best->alt, sizeof out->alt);
	memcpy(out->alt_conf, best->alt_conf, sizeof out->alt_conf);
	kyc_reader__twin_conf(out);
	out->mean_conf = (float)best->mean_conf;
	out->min_conf = (float)best->min_conf;
	out->checks_ok = best->checks_ok;
	out->checks_total = best->checks_total;
	kyc_reader__names_sure(out, best, bb, lay);
	const struct kyc_reader__line *f = &lay->ln[0], *l = &lay->ln[lay->nlines - 1];
	out->pitch_px = f->p * bb->s;
	band_to_image(bb, kyc_reader__cell_x(f, -0.5), f->top, out->quad[0]);
	band_to_image(bb, kyc_reader__cell_x(f, best->len - 0.5), f->top, out->quad[1]);
	band_to_image(bb, kyc_reader__cell_x(l, best->len - 0.5), l->bot, out->quad[2]);
	band_to_image(bb, kyc_reader__cell_x(l, -0.5), l->bot, out->quad[3]);
	double ang = atan2(bb->uy, bb->ux) * 180 / M_PI;
	if (ang < 0)
		ang += 360;
	out->angle_deg = ang;
	out->orientation = ((int)lround(ang / 90) % 4) * 90;
}

/* What the scan has found so far: the best reading and its band and layout. */
struct scan_state {
	struct kyc_reader__reading rd[2], *best;
	struct kyc_reader__band band;
	struct kyc_reader__layout lay;
	int cut, found_layout;
	/* the candidate being tried as located, before refining: what the
	 * pre-test scores */
	struct kyc_reader__cand located;
	struct kyc_reader__cand tried[8 * MAX_CANDS];
	int ntried;
	int pass; /* the locator pass being read */
	/* candidates (refined) whose band gave no layout while the glyphs of
	 * its line ran on to the band's end, and on which side (-1, 1) */
	struct kyc_reader__cand open[MAX_OPEN];
	int open_side[MAX_OPEN], nopen;
	/* candidates (refined) whose band gave no layout, for a loose one */
	struct kyc_reader__cand loose[MAX_LOOSE];
	int nloose;
	/* candidates (refined) whose band gave no layout while a line fitted
	 * its count, for kyc_reader__band_layout_margins */
	struct kyc_reader__cand fits[MAX_FITS];
	int nfits;
	/* the same, while every line walked past its count */
	struct kyc_reader__cand over[MAX_OVER];
	int nover;
	/* every pass's lines past the MAX_CANDS it read, as located */
	struct kyc_reader__cand more[KYC_READER__MORE_MAX];
	int nmore;
	/* as open, for lines just under the pre-test's photo bar (read_near) */
	struct kyc_reader__cand near[MAX_NEAR];
	int near_side[MAX_NEAR], nnear;
	/* lines as located too thick to be one line (kyc_reader__welded) */
	struct kyc_reader__cand weld[MAX_WELD];
	int nweld;
	struct kyc_reader__cand best_c; /* the candidate best was read from */
	/* a pass run past an unreadable reading: keeps only a sure one */
	int sure_only;
	/* lines whose loose layout was read and failed (read_loose's at), and
	 * whether read_loose now reads them washed (reader_washed.c) */
	struct kyc_reader__cand washed[KYC_READER__WASHED_MAX];
	int washed_at[KYC_READER__WASHED_MAX], nwashed, washing;
};

static int read_band(const struct kyc_image *img, const struct kyc_reader__cand *c,
		     struct scan_state *st, int open);

/* Refines candidate c and reads its band (read_band). 0 or KYC_ERR_NOMEM. */
static int try_candidate(const struct kyc_image *img, struct kyc_reader__cand *c,
			 struct scan_state *st)
{
	int rc = kyc_reader__refine(img, c);
	if (rc == KYC_ERR_NOMEM)
		return rc;
	/* only the first pass's lines speak for the photo: the later passes try
	 * whatever else is line-shaped, which near a border is most things; and
	 * only an MRZ-like one (the pre-test's line bar): text on a receipt, a
	 * page or a paper on the desk runs off the edge too */
	st->cut |= st->pass == 0 && kyc_reader__cut_off(img, c) &&
		   kyc_reader__mrz_like(img, &st->located, KYC_READER__MRZ_LIKE_LINE) >=
		       KYC_READER__MRZ_LIKE_LINE;
	return read_band(img, c, st, 0);
}

/* Reads the band of candidate c (refined) both ways up (the likelier first)
 * and keeps the reading if it beats the best so far; on a band twice as
 * long past side open when that is not 0 (kyc_reader__band_layout_longer).
 * 0 or KYC_ERR_NOMEM. */
static int read_band(const struct kyc_image *img, const struct kyc_reader__cand *c,
		     struct scan_state *st, int open)
{
	struct kyc_reader__band b[2] = {{0}};
	struct kyc_reader__layout lay[2];
	double vote[2] = {-1, -1};
	/* the turned band is the same pixels reversed, so its layout is the
	 * first one's mirrored: found once, voted on both ways up */
	int rc = open == MARGINS_BAND ? kyc_reader__band_layout_margins(img, c, 0, &b[0], &lay[0])
		 : open >= TRIM_BAND ? kyc_reader__band_layout_trimmed(img, c, 0, open == TRIM_RIGHT,
								       &b[0], &lay[0])
		 : open ? kyc_reader__band_layout_longer(img, c, open, 0, &b[0], &lay[0])
			: kyc_reader__band_layout(img, c, 0, &b[0], &lay[0]);
	/* a line that ran on to its band's end: kept for a longer band, should
	 * no candidate of any pass be read; only one as MRZ-like as the
	 * pre-test's photo bar (a receipt's lines run on too, and photos
	 * without an MRZ would pay for their longer bands) */
	int near = lay[0].open_end && st->nnear < MAX_NEAR && st->pass < KYC_READER_PASSES;
	double s = rc == KYC_ERR_NOTFOUND && !open &&
			   ((lay[0].open_end && st->nopen < MAX_OPEN) || st->nloose < MAX_LOOSE ||
			    near)
		       ? kyc_reader__mrz_like(img, &st->located, KYC_READER__MRZ_LIKE_PHOTO)
		       : 0;
	int like = s >= KYC_READER__MRZ_LIKE_PHOTO;
	if (like && lay[0].open_end && st->nopen < MAX_OPEN) {
		st->open[st->nopen] = *c;
		st->open_side[st->nopen++] = lay[0].open_end;
	}
	/* and one just under that bar, for a second look once all else failed */
	if (near && !like && s >= KYC_READER__MRZ_LIKE_NEAR) {
		st->near[st->nnear] = *c;
		st->near_side[st->nnear++] = lay[0].open_end;
	}
	/* and for a loose layout, a higher bar: it costs a band of a whole
	 * line's length, flattened and binarised twice */
	if (like && st->nloose < MAX_LOOSE &&
	    kyc_reader__mrz_like(img, &st->located, LOOSE_BAR) >= LOOSE_BAR)
		st->loose[st->nloose++] = *c;
	if (rc == KYC_ERR_NOTFOUND && !open && lay[0].one_fits && st->nfits < MAX_FITS &&
	    kyc_reader__mrz_like(img, &st->located, KYC_READER__MRZ_LIKE_PHOTO) >=
		    KYC_READER__MRZ_LIKE_PHOTO)
		st->fits[st->nfits++] = *c;
	if (rc == KYC_ERR_NOTFOUND && !open && lay[0].over && st->nover < MAX_OVER &&
	    kyc_reader__mrz_like(img, &st->located, KYC_READER__MRZ_LIKE_PHOTO) >=
		    KYC_READER__MRZ_LIKE_PHOTO)
		st->over[st->nover++] = *c;
	/* dot-matrix print read as strokes (reader_dots.c) */
	int dotted = rc == 0 && kyc_reader__dotted(&b[0], &lay[0]);
	if (dotted)
		rc = kyc_reader__dot_strokes(&b[0], c->len, &lay[0]);
	if (rc == 0)
		rc = kyc_reader__band_turn(&b[0], &b[1]);
	if (rc == KYC_ERR_NOMEM)
		goto out;
	if (rc == 0) {
		kyc_reader__layout_turn(&lay[0], b[0].w, b[0].h, &lay[1]);
		st->found_layout = 1;
		for (int flip = 0; flip < 2; flip++)
			vote[flip] = kyc_reader__sample_conf(&b[flip], &lay[flip]);
	}
	/* the likelier way up first; the other only if that one fails */
	for (int q = 0; q < 2; q++) {
		int flip = (vote[1] > vote[0]) ? 1 - q : q;
		if (vote[flip] < 0)
			continue;
		struct kyc_reader__reading *r = st->best == st->rd ? st->rd + 1 : st->rd;
		kyc_reader__read_cells(&b[flip], &lay[flip], r);
		kyc_reader__try_shifts(&b[flip], &lay[flip], r);
		kyc_reader__align_lines(&b[flip], &lay[flip], r);
		/* a smoothed band of print that is no MRZ reads as unsure glyphs,
		 * which the decoder can choose among until every check digit
		 * holds: such a reading is kept only on surely read checked
		 * characters, as a loose layout's is */
		if ((dotted || st->sure_only) && kyc_reader__all_checks(r) &&
		    !kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf))
			continue;
		if (st->sure_only && !kyc_reader__all_checks(r))
			continue;
		if (!st->best || r->score > st->best->score) {
			free(st->band.px);
			st->band = b[flip];
			b[flip].px = NULL;
			st->lay = lay[flip];
			st->best = r;
			st->best_c = *c;
		}
		if (kyc_reader__all_checks(st->best) ||
		    (q == 0 && vote[1 - flip] < 0.5 * vote[flip]))
			break;
	}
	rc = 0;
out:
	free(b[0].px);
	free(b[1].px);
	return rc;
}

/* Reads candidate c's band laid out loosely (kyc_reader__band_layout_loose):
 * each format that fits, best first, with its lines as laid and, when some
 * line is short of the count, moved to end on the last cell (glare may have
 * washed out either end), both ways up, the likelier first. A reading is kept
 * only when every check digit holds: a grid laid past the ink is a guess
 * that only the check digits can confirm, and a photo that fails keeps the
 * reason it had. 0 or KYC_ERR_NOMEM. */
static int read_loose(const struct kyc_image *img, const struct kyc_reader__cand *c, int at,
		      struct scan_state *st)
{
	struct kyc_reader__band b[2] = {{0}};
	struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS], v[2];
	int failed = 0, rc = at ? kyc_reader__band_layout_loose_at(img, c, &b[0], lay)
		    : kyc_reader__band_layout_loose(img, c, &b[0], lay);
	if (rc == 0)
		rc = kyc_reader__band_turn(&b[0], &b[1]);
	if (rc)
		goto out;
	for (int f = 0; f < KYC_READER__LOOSE_LAYOUTS && lay[f].nlines; f++)
		for (int k = 0; kyc_reader__layout_loose_variant(&lay[f], k, &v[0]) == 0; k++) {
			kyc_reader__layout_turn(&v[0], b[0].w, b[0].h, &v[1]);
			double vote[2];
			for (int flip = 0; flip < 2; flip++)
				vote[flip] = kyc_reader__sample_conf(&b[flip], &v[flip]);
			for (int q = 0; q < 2; q++) {
				int flip = vote[1] > vote[0] ? 1 - q : q;
				/* cheap refusals first: a photo without an MRZ
				 * whose text line was MRZ-like enough to come here
				 * should not pay for every variant's reading */
				if (vote[flip] < 0.5 || !kyc_reader__quiet_ends(&b[flip], &v[flip]))
					continue;
				struct kyc_reader__reading *r = st->rd;
				if (st->washing) {
					rc = kyc_reader__read_washed(&b[flip], &v[flip], r);
					if (rc < 0)
						goto out;
					if (rc == 0)
						continue;
					rc = 0;
				} else {
					kyc_reader__read_cells(&b[flip], &v[flip], r);
					kyc_reader__try_shifts(&b[flip], &v[flip], r);
					kyc_reader__align_lines(&b[flip], &v[flip], r);
					failed = !kyc_reader__all_checks(r) ||
						 !kyc_reader__sure_checked(r->nlines, r->len,
									   r->lines, r->conf) ||
						 !kyc_reader__quiet_ends(&b[flip], &v[flip]);
					if (failed)
						continue;
				}
				free(st->band.px);
				st->band = b[flip];
				b[flip].px = NULL;
				st->lay = v[flip];
				st->best = r;
				goto out;
			}
		}
	/* read and failed: kept for a second look, its ink stretched */
	if (failed && !st->washing && st->nwashed < KYC_READER__WASHED_MAX) {
		st->washed[st->nwashed] = *c;
		st->washed_at[st->nwashed++] = at;
	}
out:
	free(b[0].px);
	free(b[1].px);
	return rc == KYC_ERR_NOTFOUND ? 0 : rc;
}

/* Reads the first pass's lines (c[0..n), as located) joined from pieces
 * (kyc_reader__join_pieces), a join only at the pre-test's photo bar (a
 * receipt's words join too): on its band, then loosely on a band of its own
 * length (a glare's gap bridged, not print past its ends). 0 or NOMEM. */
static int read_joined(const struct kyc_image *img, const struct kyc_reader__cand *c, int n,
		       struct scan_state *st)
{
	struct kyc_reader__cand j[MAX_JOINS];
	int nj = kyc_reader__join_pieces(c, n, j, MAX_JOINS), rc = 0;
	for (int k = 0; k < nj && !st->best && rc == 0; k++) {
		if (kyc_reader__mrz_like(img, &j[k], KYC_READER__MRZ_LIKE_PHOTO) <
		    KYC_READER__MRZ_LIKE_PHOTO)
			continue;
		if (kyc_reader__refine(img, &j[k]) == KYC_ERR_NOMEM)
			return KYC_ERR_NOMEM;
		rc = read_band(img, &j[k], st, 0);
		if (rc == 0 && !st->best) {
			j[k].len += 3 * j[k].thick; /* the quiet zone's cells */
			rc = read_loose(img, &j[k], 1, st);
		}
	}
	return rc;
}

/* read_joined, keeping the reading only as a borrowed grid's (read_sure):
 * the faint pass's lines are mostly a desk's grain and a page's print, and
 * a photo without an MRZ keeps its reason. 0 or KYC_ERR_NOMEM. */
static int read_joined_sure(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    int n, struct scan_state *st)
{
	int found = st->found_layout, rc = read_joined(img, c, n, st);
	const struct kyc_reader__reading *r = st->best;
	if (r && (!kyc_reader__all_checks(r) ||
		  !kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf)))
		st->best = NULL;
	st->found_layout = found;
	return rc;
}

/* read_band, keeping the reading only when every check digit holds (a
 * paper's or a receipt's line laid out gives a reading too, and photos
 * without an MRZ keep their reason), and when sure (a borrowed grid, a line
 * just under the pre-test's bar) only with the characters they cover read
 * surely (kyc_reader__sure_checked). 0 or KYC_ERR_NOMEM. */
static int read_sure(const struct kyc_image *img, const struct kyc_reader__cand *c,
		     struct scan_state *st, int open, int sure)
{
	int found = st->found_layout, rc = read_band(img, c, st, open);
	const struct kyc_reader__reading *r = st->best;
	if (r && (!kyc_reader__all_checks(r) ||
		  (sure && !kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf))))
		st->best = NULL;
	st->found_layout = found;
	return rc;
}

/* Reads the lines every pass found past the MAX_CANDS it read (st->more),
 * the most MRZ-like first (kyc_reader__more_lines), until one reads with
 * every check digit holding: a small MRZ among papers and receipts ranks
 * below their longer lines in every pass. 0 or KYC_ERR_NOMEM. */
static int read_more(const struct kyc_image *img, struct scan_state *st)
{
	int idx[MAX_MORE], rc = 0;
	int k = kyc_reader__more_lines(img, st->more, st->nmore, 0, idx, MAX_MORE);
	for (int i = 0; i < k && rc == 0 && !st->best; i++) {
		struct kyc_reader__cand l = st->more[idx[i]];
		if (kyc_reader__seen(st->tried, st->ntried, &l))
			continue;
		if (kyc_reader__refine(img, &l) == KYC_ERR_NOMEM)
			return KYC_ERR_NOMEM;
		rc = read_sure(img, &l, st, 0, 0);
	}
	return rc;
}

/* A second look, last of all, at the line just under the pre-test's photo
 * bar whose band's glyphs ran on to its end (a later pass's line stopping
 * short of the MRZ's ends), on the longer band. Kept as a borrowed grid is
 * (read_sure): a receipt's lines score there too. 0 or KYC_ERR_NOMEM. */
static int read_near(const struct kyc_image *img, struct scan_state *st)
{
	int rc = 0;
	for (int k = 0; k < st->nnear && !st->best && rc == 0; k++)
		rc = read_sure(img, &st->near[k], st, st->near_side[k], 1);
	return rc;
}

/* A line of welded ones (kyc_reader__read_welded), kept as a borrowed
 * grid is (read_sure): a page's lines weld too; failing a layout, laid out
 * loosely (print welded to the MRZ runs on from its ends too). 1 when it
 * read, 0 when not, or KYC_ERR_NOMEM. */
static int read_welded_line(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    void *ctx)
{
	struct scan_state *st = ctx;
	int rc = read_sure(img, c, st, 0, 1);
	if (rc == 0 && !st->best)
		rc = read_loose(img, c, 0, st);
	return rc ? rc : st->best != NULL;
}

/* A line of the finer turned look (reader_skew.h), not read before, kept
 * as a borrowed grid's reading is (read_sure). 1 when it read, 0 when not,
 * or KYC_ERR_NOMEM. */
static int read_skewed_line(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    void *ctx)
{
	struct scan_state *st = ctx;
	int rc = kyc_reader__seen(st->tried, st->ntried, c) ? 0 : read_sure(img, c, st, 0, 1);
	return rc ? rc : st->best != NULL;
}

/* A reading whose check digits fail, laid out shorter than 44 cells: glare
 * or a shadow over one end of a 44-cell line can leave 36 or 30 cells for
 * its layout. Its candidate is read again on the longer band past either
 * end, and that reading replaces it only as a borrowed grid's would
 * (read_sure); otherwise it stays. 0 or KYC_ERR_NOMEM. */
static int read_cut_format(const struct kyc_image *img, struct scan_state *st)
{
	if (!st->best || kyc_reader__all_checks(st->best) ||
	    st->best->len >= KYC_READER_MAX_CHARS ||
	    kyc_reader__mrz_like(img, &st->best_c, KYC_READER__MRZ_LIKE_PHOTO) <
		    KYC_READER__MRZ_LIKE_PHOTO)
		return 0;
	struct kyc_reader__reading *keep = malloc(sizeof *keep);
	if (!keep)
		return KYC_ERR_NOMEM;
	*keep = *st->best;
	struct kyc_reader__band band = st->band;
	struct kyc_reader__layout lay = st->lay;
	struct kyc_reader__cand c = st->best_c;
	int rc = 0;
	st->band.px = NULL;
	st->best = NULL;
	for (int side = -1; side <= 1 && !st->best && rc == 0; side += 2)
		rc = read_sure(img, &c, st, side, 1);
	if (st->best) {
		free(band.px);
	} else { /* the first reading stays */
		free(st->band.px);
		st->band = band;
		st->lay = lay;
		st->rd[0] = *keep;
		st->best = st->rd;
		st->best_c = c;
	}
	free(keep);
	return rc;
}

/* The locator's passes, cheapest and likeliest first; the later ones run only
 * while no candidate has given an MRZ layout: a finer working image for
 * small MRZs in large photos, a coarser one for MRZs so large that their
 * glyph gaps do not close, a lower ink margin for faint or shaded print, and
 * the image turned by 45° for a document photographed at about that angle. */
static const struct {
	int side, flags;
	/* runs only when the first pass saw MRZ-like print or the photo's
	 * strokes run off the axes (kyc_reader__mrz_evidence, reader.h): the others
	 * find MRZs too small, large or faint to give the first pass a line */
	int gated;
} passes[KYC_READER_PASSES] = {
    {KYC_READER__WORK_SIDE, 0, 0},
    {2 * KYC_READER__WORK_SIDE, 0, 0},
    {KYC_READER__WORK_SIDE / 2, 0, 0},
    {KYC_READER__WORK_SIDE, KYC_READER__SENSITIVE, 0},
    {KYC_READER__WORK_SIDE, KYC_READER__TURN45, 1},
};

/* One plane's scan (kyc_reader_scan reads gray, then maybe the ink's plane);
 * the first pass's lines into first_out when not NULL. first_only: the first
 * pass alone, no last resorts (the ink's plane, reader_ink.h). */
static int scan_plane(const struct kyc_image *img, struct kyc_reader_result *out,
		      struct kyc_reader__cand *first_out, int *nfirst_out, int first_only)
{
	if (nfirst_out)
		*nfirst_out = 0;
	if (!out)
		return KYC_ERR_INVALID;
	memset(out, 0, sizeof *out);
	if (!img || !img->gray || img->w <= 0 || img->h <= 0)
		return KYC_ERR_INVALID;
	double t0 = kyc_mono_ms();
	/* too small only when even a TD1 card (85.6 x 54 mm, 2.54 mm a cell) filling
	 * the frame would give its MRZ under 5 px a cell; tight crops of cards read */
	int longer = img->w > img->h ? img->w : img->h, shorter = img->w + img->h - longer;
	if (longer < 85.6 / 2.54 * 5 || shorter < 54 / 2.54 * 5) {
		out->reason = KYC_READER_IMAGE_TOO_SMALL;
		out->ms_total = kyc_mono_ms() - t0;
		return KYC_ERR_NOTFOUND;
	}
	struct scan_state *st = calloc(1, sizeof *st);
	double luma = 0, t1 = t0;
	int rc = KYC_ERR_NOMEM;
	struct kyc_reader__cand first[EVIDENCE_CANDS], faint[EVIDENCE_CANDS];
	int nfirst = 0, nfaint = 0;
	struct kyc_reader__work wk = {0}; /* shared by the passes at the working size */
	if (!st)
		goto out;
	for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
		/* the later passes look for lines the first one missed; once some
		 * candidate gave an MRZ layout, what fails is reading it, which they
		 * do not change (on the development seeds none of them ever read a
		 * photo whose first pass had laid an MRZ out) */
		if ((st->best && (kyc_reader__all_checks(st->best) ||
				  (p > 0 && !kyc_reader__unreadable(st->best)))) ||
		    (first_only && p > 0))
			break;
		st->sure_only = st->best != NULL;
		/* a finer pass only helps when the photo has the pixels for it */
		if (passes[p].side > KYC_READER__WORK_SIDE && longer < 1.4 * KYC_READER__WORK_SIDE)
			continue;
		if (passes[p].gated && !kyc_reader__mrz_evidence(img, first, nfirst) &&
		    kyc_reader__axis_strokes(img) >= KYC_READER__AXIS_STROKES)
			continue;
		struct kyc_reader__cand cands[EVIDENCE_CANDS];
		double l;
		st->pass = (int)p;
		double ta = kyc_mono_ms();
		int nc = kyc_reader__locate_at(img->gray, img->w, img->h, img->w, cands,
					       EVIDENCE_CANDS, &l, passes[p].side,
					       passes[p].flags, &wk);
		out->ms_locate += kyc_mono_ms() - ta;
		if (p == 0) {
			luma = l;
			t1 = kyc_mono_ms();
		}
		if (nc < 0) {
			rc = nc;
			goto out;
		}
		if (p == 0) { /* as located: trying them refines them in place */
			nfirst = nc;
			memcpy(first, cands, sizeof cands[0] * (size_t)nc);
		}
		if (passes[p].flags & KYC_READER__SENSITIVE) { /* for the last resorts */
			nfaint = nc;
			memcpy(faint, cands, sizeof cands[0] * (size_t)nc);
		}
		for (int i = 0;
		     i < nc && i < MAX_CANDS && !(st->best && kyc_reader__all_checks(st->best));
		     i++) {
			if (kyc_reader__seen(st->tried, st->ntried, &cands[i]))
				continue;
			if (st->nweld < MAX_WELD && kyc_reader__welded(&cands[i]))
				st->weld[st->nweld++] = cands[i];
			/* a line not worth reading is not MRZ-like enough to speak
			 * for a cut-off MRZ either */
			if (!kyc_reader__worth_reading(img, &cands[i], (int)p, i) ||
			    (st->sure_only && kyc_reader__mrz_like(img, &cands[i],
								   KYC_READER__MRZ_LIKE_PHOTO) <
						  KYC_READER__MRZ_LIKE_PHOTO))
				continue;
			if (st->ntried < (int)(sizeof st->tried / sizeof st->tried[0]))
				st->tried[st->ntried++] = cands[i];
			out->candidates++;
			st->located = cands[i];
			rc = try_candidate(img, &cands[i], st);
			if (rc)
				goto out;
		}
		/* the lines past those read, untouched, for read_more */
		for (int i = MAX_CANDS; i < nc && st->nmore < KYC_READER__MORE_MAX; i++)
			st->more[st->nmore++] = cands[i];
		out->ms_pass[p] = kyc_mono_ms() - ta;
	}
	st->pass = KYC_READER_PASSES; /* the last resorts below are no pass */
	st->sure_only = 0;
	rc = 0; /* (no line may have been tried) */
	if (first_only)
		goto tail;
	/* no pass read anything: the lines that ran on to their band's end,
	 * on bands twice as long (a located line that stopped short of the
	 * MRZ's end; last, so no photo another way reads pays for it) */
	for (int k = 0; k < st->nopen && !st->best; k++) {
		rc = read_band(img, &st->open[k], st, st->open_side[k]);
		if (rc)
			goto out;
	}
	/* nor that: a loose layout of the first line that gave none (a glare
	 * band washing glyphs out of every binarisation, blur merging them) */
	for (int k = 0; k < st->nloose && !st->best; k++) {
		rc = read_loose(img, &st->loose[k], 0, st);
		if (rc)
			goto out;
	}
	/* nor that: the first pass's lines cut in pieces (glare), joined */
	rc = st->best ? 0 : read_joined(img, first, nfirst, st);
	/* nor that: the faint pass's lines in pieces (thin grey print whose
	 * glyphs the lower ink margin finds only in stretches) */
	rc = rc || st->best ? rc : read_joined_sure(img, faint, nfaint, st);
	if (rc)
		goto out;
	/* nor that: every pass's lines past those it read */
	rc = st->best ? 0 : read_more(img, st);
	/* nor that: lines cut short laid on the margins of one that fits its
	 * count (blur or glare took fillers out of their chain of runs) */
	for (int k = 0; k < st->nfits && !st->best && rc == 0; k++)
		rc = read_sure(img, &st->fits[k], st, MARGINS_BAND, 1);
	/* nor that: lines walked past their count at one end, cut to it */
	for (int k = 0; k < 2 * st->nover && !st->best && rc == 0; k++)
		rc = read_sure(img, &st->over[k / 2], st, TRIM_BAND + k % 2, 1);
	/* nor that: a second look at lines just under the pre-test's bar */
	rc = rc || st->best ? rc : read_near(img, st);
	/* nor that: lines welded into one blob */
	rc = rc || st->best ? rc
			    : kyc_reader__read_welded(img, st->weld, st->nweld, read_welded_line, st);
	/* nor that: a small MRZ turned off the axes, looked for finer */
	rc = rc || st->best ? rc : kyc_reader__read_skewed(img, read_skewed_line, st);
	/* nor that: the loose layouts read and failed, read again with their
	 * washed-out ink stretched (glare, a shadow's edge; reader_washed.c) */
	st->washing = 1;
	for (int k = 0; k < st->nwashed && !st->best && rc == 0; k++)
		rc = read_loose(img, &st->washed[k], st->washed_at[k], st);
tail:
	/* a reading whose check digits fail, laid out shorter than 44 cells */
	rc = rc ? rc : read_cut_format(img, st);
	/* a reading whose check digits fail, read again on its band deblurred */
	if (!rc && st->best && !kyc_reader__all_checks(st->best)) {
		struct kyc_reader__reading *r = st->best == st->rd ? st->rd + 1 : st->rd;
		rc = kyc_reader__read_deblurred(img, &st->band, &st->lay, r);
		st->best = rc == 1 ? r : st->best;
		rc = rc == 1 ? 0 : rc;
	} else if (!rc && st->best) { /* or holding them with characters unsure */
		struct kyc_reader__reading *r = st->best == st->rd ? st->rd + 1 : st->rd;
		rc = kyc_reader__read_deblurred_unsure(img, &st->band, &st->lay, st->best, r);
		st->best = rc == 1 ? r : st->best;
		rc = rc == 1 ? 0 : rc;
	}
	/* read again with its contrast restored (a watermark over it) */
	if (!rc && st->best)
		rc = kyc_reader__read_overlay(&st->band, &st->lay, &st->best,
		                              st->best == st->rd ? st->rd + 1 : st->rd);
	/* and, its check digits failing still, its failing fields from more views */
	if (!rc && st->best)
		rc = kyc_reader__read_fields(&st->band, &st->lay, &st->best,
		                             st->best == st->rd ? st->rd + 1 : st->rd);
	if (rc)
		goto out;
	rc = 0;
	out->ms_read = kyc_mono_ms() - t1 - (out->ms_locate - (t1 - t0));
	const struct kyc_reader__reading *best = st->best;
	if (!best) {
		rc = KYC_ERR_NOTFOUND;
		if (luma < 45)
			out->reason = KYC_READER_TOO_DARK;
		else if (kyc_reader__sharpness(img) < BLURRY)
			out->reason = KYC_READER_TOO_BLURRY;
		else if (st->cut)
			out->reason = KYC_READER_MRZ_CUT_OFF;
		else if (st->found_layout)
			out->reason = KYC_READER_MRZ_UNREADABLE;
		else
			out->reason = KYC_READER_NO_MRZ_FOUND;
		goto out;
	}
	fill_result(out, best, &st->band, &st->lay);
	if (kyc_reader__unreadable(best)) {
		out->reason = kyc_reader__sharpness(img) < BLURRY ? KYC_READER_TOO_BLURRY
						      : KYC_READER_MRZ_UNREADABLE;
		rc = KYC_ERR_NOTFOUND;
	}
out:
	kyc_reader__work_free(&wk);
	if (st)
		free(st->band.px);
	free(st);
	out->ms_total = kyc_mono_ms() - t0;
	if (nfirst_out) {
		*nfirst_out = nfirst;
		memcpy(first_out, first, sizeof first[0] * (size_t)nfirst);
	}
	return rc;
}

int kyc_reader_scan(const struct kyc_image *img, struct kyc_reader_result *out)
{
	_Static_assert(EVIDENCE_CANDS == KYC_READER__INK_CANDS, "the first pass's lines");
	struct kyc_reader__cand first[EVIDENCE_CANDS];
	int nfirst, rc = scan_plane(img, out, first, &nfirst, 0);
	return kyc_reader__ink_fallback(img, out, rc, first, nfirst, scan_plane);
}
