/* The MRZ reader: finds the machine readable zone in a photo (any of the four
 * orientations, skew up to about ±20°, cluttered background), rectifies it,
 * splits it into 2 or 3 lines of exactly 30, 36 or 44 character cells and
 * classifies every cell with the OCR-B classifier (ocr.h). The raw lines go to
 * the MRZ parser (mrz.h) for validation and correction; see docs/reader.md.
 * Pure computation on a decoded image: no I/O, no global state, thread-safe. */
#ifndef KYC_READER_H
#define KYC_READER_H

#include <stddef.h>
#include <stdint.h>

#include "document/image.h"

/* Why nothing usable came out; the workflow turns these into retry hints. */
enum kyc_reader_reason {
	KYC_READER_OK = 0,
	KYC_READER_NO_MRZ_FOUND,   /* no band of MRZ-like text anywhere */
	KYC_READER_MRZ_UNREADABLE, /* a band was found but its check digits do not hold */
	KYC_READER_IMAGE_TOO_SMALL,
	KYC_READER_TOO_BLURRY,
	KYC_READER_TOO_DARK,
	KYC_READER_MRZ_CUT_OFF, /* the band runs off the edge of the image */
};

/* "ok", "no_mrz_found", "mrz_unreadable", "image_too_small", "too_blurry",
 * "too_dark", "mrz_cut_off"; never NULL. */
const char *kyc_reader_reason_name(enum kyc_reader_reason r);

#define KYC_READER_MAX_LINES 3
#define KYC_READER_MAX_CHARS 44
/* locator passes: working size, twice it, half of it, sensitive, turned 45° */
#define KYC_READER_PASSES 5

/* What one scan found. Filled by kyc_reader_scan whatever it returns. */
struct kyc_reader_result {
	enum kyc_reader_reason reason;
	int nlines;   /* 2 or 3 when lines were read, else 0 */
	int line_len; /* 30, 36 or 44 */
	char lines[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS + 1]; /* NUL-terminated */
	/* per cell the character read (decoded under the check digits, see
	 * mrz_decode.h) with its confidence, and the classifier's best other
	 * candidate (or 0) with its score; a letter contested only by its
	 * digit twin where the format holds letters has the twin's score
	 * added (kyc_reader__twin_conf) */
	float conf[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	char alt[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	float alt_conf[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	float min_conf, mean_conf;
	int checks_total, checks_ok; /* ICAO check digits of the lines */
	/* The MRZ band in image pixels, corners of the upright text: top-left,
	 * top-right, bottom-right, bottom-left. */
	double quad[4][2];
	double angle_deg;  /* how far the text is turned clockwise, [0, 360) */
	int orientation;   /* angle_deg rounded to 0, 90, 180 or 270 */
	double pitch_px;   /* character pitch in image pixels */
	int candidates;    /* bands tried */
	double ms_locate, ms_read, ms_total;
	/* wall time of each locator pass (locating and reading its lines), in
	 * the order docs/reader.md step 14 lists them; 0 for a pass not run */
	double ms_pass[KYC_READER_PASSES];
};

/* The target_side callers should decode photos with (kyc_image_opts): large
 * JPEGs are decoded at 1/2 or 1/4 scale, which keeps MRZ glyphs well above the
 * classifier's minimum and makes decoding several times faster. */
#define KYC_READER_DECODE_SIDE 1000

/* Finds and reads the MRZ of img (grayscale plane). Returns 0 when 2-3 lines
 * were read (out->reason KYC_READER_OK; the lines may still hold OCR errors the
 * parser corrects, see checks_ok), KYC_ERR_NOTFOUND with out->reason saying why
 * when nothing usable was read, KYC_ERR_INVALID on bad arguments, KYC_ERR_NOMEM. */
int kyc_reader_scan(const struct kyc_image *img, struct kyc_reader_result *out);

/* Counts the ICAO check digits of raw MRZ lines (format from nlines and
 * line_len) into *total and returns how many hold. */
int kyc_reader_checks(const char lines[][KYC_READER_MAX_CHARS + 1], int nlines, int line_len,
		      int *total);

/* ---- internal to src/document/reader*.c and locate.c ---- */

/* A candidate MRZ text line in full-image pixels: its centre, unit direction
 * along the text (either sense), length and thickness (ink height). */
struct kyc_reader__cand {
	double cx, cy, ux, uy, len, thick;
	double score;
	int neighbours; /* parallel lines of the same length next to it */
};

/* Longer side of the locator's working image, in pixels. */
#define KYC_READER__WORK_SIDE 560

/* Finds up to max candidate lines in a grayscale raster, best first. Returns
 * how many, or KYC_ERR_NOMEM. *mean_luma receives the image's mean gray. */
int kyc_reader__locate(const unsigned char *g, int w, int h, int stride,
		       struct kyc_reader__cand *out, int max, double *mean_luma);
/* The same with the working image's longer side at work_side pixels and
 * flags: KYC_READER__SENSITIVE, a lower ink margin (faint print, glare,
 * shadow); KYC_READER__TURN45, lines looked for in the working image turned
 * by 45° (text at 21-69° from the axes, which the row runs miss). */
#define KYC_READER__SENSITIVE 1
#define KYC_READER__TURN45 2
/* What passes at the same working size share (kyc_reader__locate_at): the
 * area-averaged working image and its closing, computed by the first pass
 * that needs them. Zero it before the first pass; free it with
 * kyc_reader__work_free. */
struct kyc_reader__work {
	int side, sw, sh;
	double mean_luma;
	unsigned char *s, *closing; /* sw×sh; closing NULL until a pass made it */
};
void kyc_reader__work_free(struct kyc_reader__work *wk);
/* wk may be NULL (nothing kept). */
int kyc_reader__locate_at(const unsigned char *g, int w, int h, int stride,
			  struct kyc_reader__cand *out, int max, double *mean_luma,
			  int work_side, int flags, struct kyc_reader__work *wk);

/* Marks ink in s (w×h, stride w) into m: a pixel darker than the mean of its
 * (2r+1)² window (clipped at the borders) by mean/div + add. ii is 2w+1
 * scratch (the window's column sums and their prefix sums along a row).
 * Linear in the pixel count whatever r. */
void kyc_reader__ink_local(const unsigned char *s, int w, int h, uint32_t *ii, int r, int div,
			   int add, unsigned char *m);

/* Marks ink in s (w×h, stride w) into m: a pixel darker than the closing of
 * s (morph.h, radius r) by closing/div + add. Unlike a local mean, a dark
 * area wider than the window (the desk beside a card's edge, a shadow) is
 * not ink, so an MRZ line close to the card's edge stays a line of its own.
 * 0 or KYC_ERR_NOMEM. */
int kyc_reader__ink_closing(const unsigned char *s, int w, int h, int r, int div, int add,
			    unsigned char *m);

/* A band of the image resampled upright around a candidate line: band pixel
 * (x, y) is image point o + s*(x*u + y*v). px (w×h) is owned; free() it. */
struct kyc_reader__band {
	unsigned char *px;
	int w, h;
	double s, ox, oy, ux, uy, vx, vy;
};

/* One text line of a band: its rows, its ink extent, and the fitted grid:
 * cell i is centred at x = a + p*i + q*i*i (q absorbs the pitch change of a
 * document photographed at an angle). */
struct kyc_reader__line {
	int top, bot, left, right;
	double a, p, q;
};

/* Centre and local pitch of cell k of a line. */
static inline double kyc_reader__cell_x(const struct kyc_reader__line *L, double k)
{
	return L->a + L->p * k + L->q * k * k;
}
static inline double kyc_reader__cell_pitch(const struct kyc_reader__line *L, double k)
{
	return L->p + 2 * L->q * k;
}
/* The rows a cell of line L is read over, in a band h rows tall: the line
 * plus a quarter each side. */
static inline void kyc_reader__cell_rows(int h, const struct kyc_reader__line *L, int *y0, int *y1)
{
	int my = (L->bot - L->top + 1) / 4 + 1;
	*y0 = L->top - my < 0 ? 0 : L->top - my;
	*y1 = L->bot + my >= h ? h - 1 : L->bot + my;
}

/* The MRZ layout found in a band. */
struct kyc_reader__layout {
	int nlines, len;
	struct kyc_reader__line ln[KYC_READER_MAX_LINES];
	double fit;   /* mean grid misfit in pitches, lower is better */
	double sharp; /* edge steepness across the seed line, relative to contrast */
	/* when no layout was found: the seed line's glyphs run on to the end
	 * of the span searched, -1 to its left, 1 to its right, else 0 */
	int open_end;
	/* when no layout was found: some line fitted its count
	 * (kyc_reader__band_layout_margins may lay the others on its grid) */
	int one_fits;
	/* when no layout was found: every line of some chain walked past its
	 * count (kyc_reader__band_layout_trimmed may cut them to it) */
	int over;
	/* a loose layout's (kyc_reader__band_layout_loose): how many cells of
	 * each line, from cell 0, its glyph runs span (len when all); else 0 */
	int cells[KYC_READER_MAX_LINES];
};

/* Layouts a loose layout gives at most: one per format. */
#define KYC_READER__LOOSE_LAYOUTS 3

/* Rectified glyph height in band pixels. */
#define KYC_READER__GLYPH_H 20

/* Otsu's threshold of a 256-bin histogram of total samples. */
int kyc_reader__otsu(const unsigned *hist, unsigned total);

/* Resamples a band around c where the line's ink is gh pixels tall and the
 * band reaches half lines of thickness above and below the line (turned
 * 180° when flip); reader_band.c. 0, KYC_ERR_INVALID (degenerate size) or
 * KYC_ERR_NOMEM. */
int kyc_reader__rectify_at(const struct kyc_image *img, const struct kyc_reader__cand *c, int flip,
			   double gh, double half, struct kyc_reader__band *b);
/* How many of p[0..n) are set, each byte 0 or 1 (0 when n <= 0). */
int kyc_reader__count_set(const unsigned char *p, int n);
/* ink[i] = px[i] <= t for i < n. */
void kyc_reader__threshold(const unsigned char *px, size_t n, int t, unsigned char *ink);
/* kyc_reader__rectify_at for the reader's band: glyphs GLYPH_H tall, 6.5
 * line heights either side. 0, KYC_ERR_INVALID (degenerate size) or
 * KYC_ERR_NOMEM. */
int kyc_reader__rectify(const struct kyc_image *img, const struct kyc_reader__cand *c, int flip,
			struct kyc_reader__band *b);
/* Divides the band by its closing (radius half a glyph): the paper becomes
 * white everywhere, so a shadow, a glare band's slope or the desk beyond the
 * card's edge no longer look like ink. 0 or KYC_ERR_NOMEM. */
int kyc_reader__flatten(struct kyc_reader__band *b);
/* The band turned by 180° (a reversed copy: resampling again is slower).
 * 0 or KYC_ERR_NOMEM; dst->px is owned by the caller. */
int kyc_reader__band_turn(const struct kyc_reader__band *src, struct kyc_reader__band *dst);
/* Measures the residual skew of candidate c (±5°) from the row profile of a
 * low-resolution band and corrects its direction, centre and thickness.
 * 0 or KYC_ERR_NOMEM / KYC_ERR_INVALID; c is unchanged when too little ink. */
int kyc_reader__refine(const struct kyc_image *img, struct kyc_reader__cand *c);
/* The band around candidate c (refined) as the reader reads it: resampled
 * upright (turned 180° when flip), and the 2-3 MRZ lines around its centre
 * line with their grids, found on the band as photographed or, failing that,
 * on it flattened; b->px is flattened either way. 0; KYC_ERR_NOTFOUND when
 * no layout fits (b->px set all the same); KYC_ERR_INVALID (degenerate band)
 * or KYC_ERR_NOMEM with b->px NULL. b->px is the caller's to free().
 * lay->sharp is set whenever b->px is. */
int kyc_reader__band_layout(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    int flip, struct kyc_reader__band *b, struct kyc_reader__layout *lay);
/* kyc_reader__band_layout on a band twice c's length, reaching c->len past
 * its end on side open (lay->open_end of c's band with the same flip, -1 or
 * 1): for a located line that stopped short of the MRZ's end, glare or a
 * shadow over its fillers. Returns as kyc_reader__band_layout. */
int kyc_reader__band_layout_longer(const struct kyc_image *img, const struct kyc_reader__cand *c,
				   int open, int flip, struct kyc_reader__band *b,
				   struct kyc_reader__layout *lay);

/* The layout of band b as it is (already rectified and flattened, perhaps
 * smoothed), by Otsu's threshold and then a local one, its seed line
 * seed_len long: for a band whose pixels changed after
 * kyc_reader__band_layout laid it out (reader_dots.c). Returns as
 * kyc_reader__band_layout; b is not changed. */
int kyc_reader__band_layout_again(const struct kyc_reader__band *b, double seed_len,
				  struct kyc_reader__layout *lay);

/* The last resort for a line whose band gave no layout (reader.c, when no
 * pass read anything): a band long enough for a whole MRZ line holding c
 * anywhere along it, flattened, binarised by Otsu's threshold, and lines
 * laid out loosely: the glyph runs
 * over the whole band, gaps of up to 12 pitches bridged (glare washing
 * glyphs out), runs of any width split at the pitch (blur merging glyphs),
 * and a line whose runs span fewer cells than its format laid from its left
 * end, lay->cells saying how many they span. Into lay, the best fit of each
 * format that fits (30, 36, 44 cells), best first; the rest have nlines 0.
 * A wrong grid is meant to fail the check digits, so the caller keeps only
 * readings they all hold for. Returns as kyc_reader__band_layout. */
int kyc_reader__band_layout_loose(const struct kyc_image *img, const struct kyc_reader__cand *c,
				  struct kyc_reader__band *b,
				  struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS]);
/* kyc_reader__band_layout with lines cut short laid on the grid of a line
 * that fits its count (kyc_reader__short_to_margin), on the flattened band
 * by Otsu's threshold and then by a local mean: a last resort for a line
 * whose band gave no layout, whose reading the caller keeps only when
 * every check digit holds. Returns as kyc_reader__band_layout. */
int kyc_reader__band_layout_margins(const struct kyc_image *img, const struct kyc_reader__cand *c,
				    int flip, struct kyc_reader__band *b,
				    struct kyc_reader__layout *lay);
/* kyc_reader__band_layout_loose on a band of c's own length: for a line
 * whose extent is known (kyc_reader__join_pieces), where a longer band
 * would let the chain of glyph runs bridge onto print beyond its ends. */
int kyc_reader__band_layout_loose_at(const struct kyc_image *img, const struct kyc_reader__cand *c,
				     struct kyc_reader__band *b,
				     struct kyc_reader__layout lay[KYC_READER__LOOSE_LAYOUTS]);
/* Line L's grid moved by s cells (the same quadratic, re-indexed). */
struct kyc_reader__line kyc_reader__line_shift(const struct kyc_reader__line *L, double s);
/* The k-th (from 0) full grid of loose layout lay: 0, its lines as laid
 * (from their left ends); 1, those short of the count moved to end on its
 * last cell (glare may have washed out either end). 0 with *out (cells all
 * 0), or KYC_ERR_NOTFOUND when there is no such grid. */
int kyc_reader__layout_loose_variant(const struct kyc_reader__layout *lay, int k,
				     struct kyc_reader__layout *out);

/* Lays n cells on a line's glyph runs (centres xs, widths ws, nx of them,
 * typical step): the walk of docs/reader.md step 9 and a least-squares grid
 * into L's a, p, q. Returns the mean misfit in pitches (lower is better), or
 * 9 and more when the count does not fit; *cells is how many cells the runs
 * span. Loose: runs of any width split, a walk ending short on at least half
 * the cells laid from its left end (reader_walk.c). */
double kyc_reader__walk_fit(const double *xs, const double *ws, int nx, double step, int n,
                            int loose, struct kyc_reader__line *L, int *cells);
/* MRZ lines start and end at the same margins: each of the `lines` lines
 * whose misfit e[i] is 9 or more (its runs at xs + stride * i, ws + stride
 * * i) is walked again on its runs inside the grid of the line that fits
 * best (misfit under 0.4), half a pitch or so beyond either end; where that
 * fits, tl[i], tc[i] and e[i] are replaced. For an MRZ at a card's edge,
 * whose chain of glyph runs took in the card's rounded corner or the print
 * beyond it. */
void kyc_reader__refit_to_margin(const double *xs, const double *ws, int stride, const int *nx,
                                 const double *step, int lines, int n, double *e,
                                 struct kyc_reader__line *tl, int *tc);
/* The same margins for a line cut short: each line whose misfit e[i] is 9
 * or more and whose runs all lie inside the best fitting line's grid (half
 * a pitch or so beyond its end cells), on that grid's cells (a mean misfit
 * of at most 0.15 pitch; a run in a cell already taken, a glyph broken in
 * two, left out), covering at least half the count, takes that grid (tl[i],
 * its own rows kept; tc[i] = n, e[i] its misfit plus 0.1). For a line whose
 * fillers blur or glare took out of its chain of glyph runs; a borrowed
 * grid is a guess only the check digits confirm
 * (kyc_reader__band_layout_margins). */
void kyc_reader__short_to_margin(const double *xs, const double *ws, int stride, const int *nx,
                                 int lines, int n, double *e, struct kyc_reader__line *tl,
                                 int *tc);

/* Joins located lines that are pieces of one line (a glare band or a
 * shadow's edge washed a stretch of it out of the ink mask): parallel
 * within about 4 degrees (KYC_READER__JOIN_COS), as thick within 30 %, on one
 * centre line (half a thickness), apart by at most KYC_READER__JOIN_GAP
 * thicknesses and together no longer than KYC_READER__JOIN_LEN thicknesses
 * (a 44-cell line, its pitch up to 1.15 of its height, and a margin).
 * Looks at the first KYC_READER__JOIN_MAX of c[0..n); writes up to max joins
 * of two pieces or more into out, each spanning its pieces (the direction
 * and thickness of the longest), and
 * returns how many (reader_join.c). */
#define KYC_READER__JOIN_COS 0.9976
#define KYC_READER__JOIN_GAP 12
#define KYC_READER__JOIN_LEN 52
#define KYC_READER__JOIN_MAX 16
int kyc_reader__join_pieces(const struct kyc_reader__cand *c, int n, struct kyc_reader__cand *out,
			    int max);
/* Lines welded into one blob (reader_weld.c; docs/reader.md, step 14, "Lines
 * welded into one"): kyc_reader__welded is 1 when located line c is too
 * thick for its length to be one MRZ line (length under
 * KYC_READER__WELD_RATIO thicknesses: one line of 30-44 glyphs is 25-50),
 * else 0. kyc_reader__unweld reads the rows across c's band and writes into
 * out one candidate per line of text inside it (c moved onto the line, as
 * thick as it), up to max; returns how many when 2 or more, 0 when c is no
 * welded lines, or KYC_ERR_NOMEM. */
#define KYC_READER__WELD_RATIO 20
int kyc_reader__welded(const struct kyc_reader__cand *c);
int kyc_reader__unweld(const struct kyc_image *img, const struct kyc_reader__cand *c,
		       struct kyc_reader__cand *out, int max);
/* Reads the lines of the first blobs of weld[0..n) whose ink comes and goes
 * at a pitch (kyc_reader__mrz_like at KYC_READER__MRZ_LIKE_PHOTO on the
 * blob's own line), each line at that bar too, refined, through read (1 when
 * it read, 0 when not, or a negative error), until one reads. 0 or
 * KYC_ERR_NOMEM. */
typedef int (*kyc_reader__read_line_fn)(const struct kyc_image *img,
					const struct kyc_reader__cand *c, void *ctx);
int kyc_reader__read_welded(const struct kyc_image *img, const struct kyc_reader__cand *weld, int n,
			    kyc_reader__read_line_fn read, void *ctx);
/* 1 when c is one of seen[0..n): the same line found again (at another
 * working size: centres within c's thickness, parallel, lengths within
 * 15 %), else 0 (reader_join.c). */
int kyc_reader__seen(const struct kyc_reader__cand *seen, int n, const struct kyc_reader__cand *c);

/* How much candidate c looks like MRZ print, in [0, 1]: the normalised
 * autocorrelation, at the best lag of a plausible pitch (0.6-1.6 line
 * heights), of the ink along its centre line, and the same of the most
 * regular line 1.4-2.4 heights above or below it; the lower of the two. 0
 * when the line is too short or mostly outside the image. Exact only as far
 * as telling it from enough needs: below enough, the first line's score
 * alone; at or above, the search for the second line stops at the first
 * one reaching enough. A few thousand samples, against
 * the milliseconds of a band's layout (reader_pretest.c). */
double kyc_reader__mrz_like(const struct kyc_image *img, const struct kyc_reader__cand *c,
			    double enough);
/* The scan's later passes (docs/reader.md, step 14) cost photos without an
 * MRZ most of their time. A line below KYC_READER__MRZ_LIKE_LINE is not read,
 * but for the first pass's likeliest (kyc_reader__worth_reading). The pass turned by 45° runs only when one of the first pass's
 * lines (as located) is at least KYC_READER__MRZ_LIKE_PHOTO MRZ-like
 * (kyc_reader__mrz_evidence) or the photo's strokes run off the axes
 * (kyc_reader__axis_strokes below KYC_READER__AXIS_STROKES: text at 21° gives
 * at most 0.10). The MRZ-like bars were set on development seeds 4711 and
 * 4712 (bench/README.md): every MRZ that only a later pass read there is
 * above them. */
#define KYC_READER__MRZ_LIKE_PHOTO 0.5
#define KYC_READER__MRZ_LIKE_LINE 0.25
#define KYC_READER__AXIS_STROKES 0.15
/* 1 when candidate c's ends leave img's frame (by half its thickness). */
int kyc_reader__cut_off(const struct kyc_image *img, const struct kyc_reader__cand *c);
/* Whether the scan reads line c, the rank-th likeliest (from 0) of locator
 * pass `pass` (from 0): the first pass's likeliest line always, being where
 * an MRZ is found nearly always and whatever it scores (an MRZ's own line as
 * low as 0.17); any other only when at least KYC_READER__MRZ_LIKE_LINE
 * MRZ-like. On development seed 4711 every MRZ read from a first-pass line
 * past the likeliest scored 0.37 or more, while half the lines of photos
 * without an MRZ score below 0.25 (bench/README.md, branch rd9b). */
int kyc_reader__worth_reading(const struct kyc_image *img, const struct kyc_reader__cand *c,
			      int pass, int rank);
/* 1 when one of the n lines c is at least KYC_READER__MRZ_LIKE_PHOTO
 * MRZ-like, else 0. */
int kyc_reader__mrz_evidence(const struct kyc_image *img, const struct kyc_reader__cand *c, int n);

/* The lines of c[from..n) (the passes' lines as located, past those each
 * read) at least KYC_READER__MRZ_LIKE_PHOTO MRZ-like, likeliest first by
 * that score (kyc_reader__mrz_like with enough at the bar): their indices
 * into idx, at most max (at most KYC_READER__MORE_MAX lines are looked at:
 * 12 past the 4 read of each of the 5 passes).
 * Returns how many. A small MRZ among papers and receipts ranks below their
 * longer, regular lines in the locator, but scores as well or better here
 * (docs/reader.md, step 14, "Lines past the first four"). */
#define KYC_READER__MORE_MAX 64
int kyc_reader__more_lines(const struct kyc_image *img, const struct kyc_reader__cand *c, int n,
                           int from, int *idx, int max);
/* The pre-test's score from which a line under KYC_READER__MRZ_LIKE_PHOTO
 * whose band ran on to its end is read again on the longer band, once all
 * else failed (docs/reader.md, step 14, "A second look at a line just under
 * the bar"): an MRZ that only a later pass finds (turned 50-70°, at the
 * frame's edge) gave lines stopping short of its ends that scored 0.47-0.49
 * on development seeds 9100-9107. */
#define KYC_READER__MRZ_LIKE_NEAR 0.4

/* Which way the strokes of img run, in [-1, 1]: the strength-weighted mean
 * of cos 4φ over the gradients' angles φ. Text whose lines run along an axis
 * gives up to 1, text at 45° down to -1, text at 21° at most cos 84° = 0.10
 * of its share of the strokes. About 200 000 samples (reader_pretest.c). */
double kyc_reader__axis_strokes(const struct kyc_image *img);

/* The layout of a w×h band turned by 180° (kyc_reader__band_turn): the
 * lines in reverse order, rows and grids mirrored. */
void kyc_reader__layout_turn(const struct kyc_reader__layout *src, int w, int h,
			     struct kyc_reader__layout *dst);

/* Fields no check digit covers but whose values are few, put right from the
 * classifier's candidates c (mrz_decode.h, the same shape as lines): the
 * document code's first letter one of P I A C V, the issuing state and the
 * nationality a country code ICAO knows (kyc_mrz_country_known), the sex
 * M, F, X or '<'. A field already allowed is left alone; otherwise the
 * likeliest allowed combination of candidates replaces it when it has at
 * least 1/50 of the probability of the field as read, and each character
 * changed gets its candidate's own (lower) score in conf, so the field is
 * corrected but not accepted (docs/mrz.md). Returns how many characters
 * changed. */
struct kyc_mrz_cands;
int kyc_reader__fit_codes(const struct kyc_mrz_cands *c, char lines[][KYC_READER_MAX_CHARS + 1],
			  float conf[][KYC_READER_MAX_CHARS]);

/* What kind of character a position of the format holds: 'd' digit, 'a'
 * letter or filler, 0 anything (reader_codes.c). */
char kyc_reader__field_kind(int nlines, int len, int line, int pos);

/* The result's confidence of a letter that only its digit twin (O and 0, I
 * and 1, Z 2, A 4, S 5, G 6, B 8) contested where the format holds letters
 * ('a' above): the twin, out's runner-up, cannot stand there, so its score
 * joins the letter's. Real OCR-B at 5-12 px a cell splits a round O between
 * the letter and 0 (the printed O is as narrow as the 0 the model learnt).
 * A letter another letter contests keeps its score, so a misread hidden by
 * an unsure neighbour stays hidden. The French card (IDFRA, digits where
 * TD2 has letters) is left as it is. Only out->conf changes
 * (bench/README.md, "Issue 11: a larger real set"). */
void kyc_reader__twin_conf(struct kyc_reader_result *out);
/* 1 when digit is letter's twin in OCR-B (O 0, I 1, Z 2, A 4, S 5, G 6, B 8),
 * as kyc_reader__twin_conf counts them. */
int kyc_reader__twin(char letter, char digit);

/* Whether the reading lines (nlines of len, per-character confidence conf)
 * of a loose layout is sure enough to keep: every character of the lines
 * the check digits cover read with confidence KYC_READER__SURE or more, but
 * at most one digit of a date, a number or a check digit, which the other
 * characters of its check-digit group pin down (reader_sure.c). 1 or 0. */
#define KYC_READER__SURE 0.5f
int kyc_reader__sure_checked(int nlines, int len, const char lines[][KYC_READER_MAX_CHARS + 1],
                             const float conf[][KYC_READER_MAX_CHARS]);

/* Edge steepness of img over its 5-95 % gray range; under 0.18 a failed
 * reading is reported as too_blurry (reader_pretest.c). */
double kyc_reader__sharpness(const struct kyc_image *img);

#endif
