/* ocr-train mine: cells cut by the photo reader from kycd synth photos of
 * development seeds (docs/ocr.md, "The reader's own cells").
 *
 * The renderer of gen.c draws a cell and its neighbours; the reader cuts its
 * cells from a whole photo, after locating, rectifying and laying out the
 * band, with whatever the photo did to them on the way (perspective, glare,
 * a watermark, the band's resampling). So the same functions the reader
 * calls run here: the locator's passes, kyc_reader__refine and
 * kyc_reader__band_layout, and each cell is cut as reader.c's classify_cell
 * cuts it. Its label comes from the photo's ground truth by geometry: the
 * cell's centre, mapped back into the photo, lands inside one of the true
 * line quads (a homography per line, so a tilted card is exact) within 0.3
 * pitch of a true cell's centre, or the cell is not used. What the classifier
 * reads there plays no part, so the hard cells it gets wrong are kept. */
#include "mine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/ocr.h"
#include "document/reader.h"
#include "document/synth.h"
#include "gen.h"

#define MAGIC "KYCMINE1\n"
/* The greatest distance, in pitches, of a cut from the true cell's centre. */
#define MAX_OFF 0.3
/* Fillers are easy and two fifths of an MRZ: one in three is kept. */
#define FILLER_KEEP 3

/* The reader's locator passes (reader.c, `passes`). */
static const struct {
	int side, flags;
} passes[] = {
    {KYC_READER__WORK_SIDE, 0},
    {2 * KYC_READER__WORK_SIDE, 0},
    {KYC_READER__WORK_SIDE / 2, 0},
    {KYC_READER__WORK_SIDE, KYC_READER__SENSITIVE},
    {KYC_READER__WORK_SIDE, KYC_READER__TURN45},
};

/* A homography from the unit square onto a quad (corners TL, TR, BR, BL). */
struct homog {
	double a, b, c, d, e, f, g, h;
};

static void homog_of(const double q[4][2], double sc, struct homog *H)
{
	double x0 = q[0][0] * sc, y0 = q[0][1] * sc, x1 = q[1][0] * sc, y1 = q[1][1] * sc;
	double x2 = q[2][0] * sc, y2 = q[2][1] * sc, x3 = q[3][0] * sc, y3 = q[3][1] * sc;
	double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
	double dx1 = x1 - x2, dx2 = x3 - x2, dy1 = y1 - y2, dy2 = y3 - y2;
	double den = dx1 * dy2 - dx2 * dy1;
	H->g = den != 0 ? (sx * dy2 - dx2 * sy) / den : 0;
	H->h = den != 0 ? (dx1 * sy - sx * dy1) / den : 0;
	H->a = x1 - x0 + H->g * x1, H->b = x3 - x0 + H->h * x3, H->c = x0;
	H->d = y1 - y0 + H->g * y1, H->e = y3 - y0 + H->h * y3, H->f = y0;
}

/* Image point (x, y) -> (u, v) in the unit square. */
static void homog_inv(const struct homog *H, double x, double y, double *u, double *v)
{
	double m00 = H->a - H->g * x, m01 = H->b - H->h * x, r0 = x - H->c;
	double m10 = H->d - H->g * y, m11 = H->e - H->h * y, r1 = y - H->f;
	double det = m00 * m11 - m01 * m10;
	if (det == 0) {
		*u = *v = -9;
		return;
	}
	*u = (r0 * m11 - m01 * r1) / det;
	*v = (m00 * r1 - r0 * m10) / det;
}

static void band_point(const struct kyc_reader__band *b, double x, double y, double *px, double *py)
{
	*px = b->ox + x * b->s * b->ux + y * b->s * b->vx;
	*py = b->oy + x * b->s * b->uy + y * b->s * b->vy;
}

/* The rows classify_cell gives the classifier for line L (reader.c). */
static void cell_rows(const struct kyc_reader__band *b, const struct kyc_reader__line *L, int *y0,
                      int *y1)
{
	int lh = L->bot - L->top + 1, my = lh / 4 + 1;
	*y0 = L->top - my < 0 ? 0 : L->top - my;
	*y1 = L->bot + my >= b->h ? b->h - 1 : L->bot + my;
}

/* The true line and cell under band point (x, y), or -1. */
static int true_cell(const struct kyc_synth_doc *d, const struct homog *H,
                     const struct kyc_reader__band *b, double x, double y, int *line, double *off)
{
	double px, py;
	band_point(b, x, y, &px, &py);
	int n = (int)strlen(d->id.lines[0]), best = -1;
	double bu = 0, bv = 9;
	for (int l = 0; l < d->id.nlines; l++) {
		double u, v;
		homog_inv(&H[l], px, py, &u, &v);
		if (fabs(v - 0.5) < fabs(bv - 0.5))
			best = l, bu = u, bv = v;
	}
	if (best < 0 || fabs(bv - 0.5) > 0.5)
		return -1;
	double kt = bu * n - 0.5;
	long kr = lround(kt);
	if (kr < 0 || kr >= n || fabs(kt - (double)kr) > MAX_OFF)
		return -1;
	*line = best;
	*off = kt - (double)kr;
	return (int)kr;
}

struct photo {
	uint64_t seed;
	int index, level, cls;
	struct mine_cell *c;
	int n, laid, right; /* cells; a true layout found; cells the model reads right */
	double off_sum, off_abs;
	float maxdiff; /* the crop's features against the band's */
};

/* Cuts and labels the cells of one band whose layout has the true format,
 * turned the way the truth reads. 0, or -1 when it does not lie on the MRZ. */
static int take_band(struct photo *ph, const struct kyc_synth_doc *d, const struct homog *H,
                     const struct kyc_reader__band *b, const struct kyc_reader__layout *lay)
{
	int n = lay->len, cap = lay->nlines * n, used = 0;
	ph->c = calloc((size_t)cap, sizeof *ph->c);
	if (!ph->c)
		return -1;
	for (int i = 0; i < lay->nlines; i++) {
		const struct kyc_reader__line *L = &lay->ln[i];
		int y0, y1;
		cell_rows(b, L, &y0, &y1);
		for (int k = 0; k < n; k++) {
			double cx = kyc_reader__cell_x(L, k), p = kyc_reader__cell_pitch(L, k), off;
			int tl, tk = true_cell(d, H, b, cx, 0.5 * (L->top + L->bot), &tl, &off);
			if (tk < 0)
				continue;
			used++;
			char ch = d->id.lines[tl][tk];
			uint64_t s =
			    ph->seed * 1000003 + (uint64_t)(ph->level * 64 + ph->cls) * 4099 +
			    (uint64_t)(i * 64 + k) + (uint64_t)ph->index * 0x9e3779b97f4a7c15ULL;
			if (ch == '<' && gen_mix(&s) % FILLER_KEEP)
				continue;
			int x0 = (int)floor(cx - KYC_OCR_WIN_HALF * p) - 1;
			int x1 = (int)ceil(cx + KYC_OCR_WIN_HALF * p) + 1;
			x0 = x0 < 0 ? 0 : x0;
			x1 = x1 > b->w - 1 ? b->w - 1 : x1;
			if (x1 - x0 + 1 < KYC_OCR_MIN_SIDE)
				continue;
			struct mine_cell *c = &ph->c[ph->n];
			c->w = (unsigned short)(x1 - x0 + 1);
			c->h = (unsigned short)(y1 - y0 + 1);
			c->cx = cx - x0;
			c->pitch = p;
			c->label = (unsigned char)(strchr(KYC_OCR_CLASSES, ch) - KYC_OCR_CLASSES);
			c->level = (unsigned char)ph->level;
			c->px = malloc((size_t)c->w * c->h);
			if (!c->px)
				return -1;
			for (int y = 0; y < c->h; y++)
				memcpy(c->px + (size_t)y * c->w,
				       b->px + (size_t)(y0 + y) * b->w + x0, c->w);
			/* the crop must give the features the band gives */
			float fb[KYC_OCR_NIN_CTX], fc[KYC_OCR_NIN_CTX];
			if (kyc_ocr_features_at(b->px, b->w, b->h, b->w, cx, p, y0, y1, fb) ||
			    kyc_ocr_features_at(c->px, c->w, c->h, c->w, c->cx, p, 0, c->h - 1,
			                        fc)) {
				free(c->px);
				continue;
			}
			for (int q = 0; q < KYC_OCR_NIN_CTX; q++)
				if (fabsf(fb[q] - fc[q]) > ph->maxdiff)
					ph->maxdiff = fabsf(fb[q] - fc[q]);
			struct kyc_ocr_guess g[1];
			if (kyc_ocr_classify_at(c->px, c->w, c->h, c->w, c->cx, c->pitch, 0,
			                        c->h - 1, g, 1) == 1 &&
			    g[0].ch == ch)
				ph->right++;
			ph->off_sum += off;
			ph->off_abs += fabs(off);
			ph->n++;
		}
	}
	/* a band laid out on another line of the right length, or a grid far
	 * off: nothing of it is the MRZ as the truth places it */
	if (used < cap / 2) {
		for (int i = 0; i < ph->n; i++)
			free(ph->c[i].px);
		free(ph->c);
		ph->c = NULL;
		ph->n = ph->right = 0;
		ph->off_sum = ph->off_abs = 0;
		return -1;
	}
	return 0;
}

/* The candidates of the reader's passes in its order; the first band laid
 * out in the true format on the MRZ gives the photo's cells. */
static int mine_photo(struct photo *ph)
{
	struct kyc_synth_doc d;
	unsigned char *jpg = NULL;
	size_t len;
	struct kyc_image img = {0};
	struct kyc_reader__work wk = {0};
	int rc = -1;
	if (kyc_synth_make_class(ph->seed, ph->index, ph->level, (enum kyc_synth_class)ph->cls,
	                         KYC_SYNTH_MIXED, &d, &jpg, &len))
		goto out;
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
	if (kyc_image_decode(jpg, len, &o, &img, NULL))
		goto out;
	struct homog H[KYC_READER_MAX_LINES];
	double sc = (double)img.w / d.width;
	for (int l = 0; l < d.id.nlines; l++)
		homog_of(d.line_quads[l], sc, &H[l]);
	int n = (int)strlen(d.id.lines[0]);
	for (size_t p = 0; p < sizeof passes / sizeof passes[0] && !ph->laid; p++) {
		struct kyc_reader__cand cand[4];
		double luma;
		int nc = kyc_reader__locate_at(img.gray, img.w, img.h, img.w, cand, 4, &luma,
		                               passes[p].side, passes[p].flags, &wk);
		for (int i = 0; i < nc && !ph->laid; i++) {
			if (!kyc_reader__worth_reading(&img, &cand[i], (int)p, i) ||
			    kyc_reader__refine(&img, &cand[i]))
				continue;
			struct kyc_reader__band b[2] = {{0}};
			struct kyc_reader__layout lay[2];
			if (kyc_reader__band_layout(&img, &cand[i], 0, &b[0], &lay[0]) == 0 &&
			    lay[0].nlines == d.id.nlines && lay[0].len == n &&
			    kyc_reader__band_turn(&b[0], &b[1]) == 0) {
				kyc_reader__layout_turn(&lay[0], b[0].w, b[0].h, &lay[1]);
				/* the way up the truth reads: u grows along the line */
				const struct kyc_reader__line *L = &lay[0].ln[0];
				double ym = 0.5 * (L->top + L->bot), xa, ya, xb, yb, ua, ub, v;
				band_point(&b[0], kyc_reader__cell_x(L, 0), ym, &xa, &ya);
				band_point(&b[0], kyc_reader__cell_x(L, n - 1), ym, &xb, &yb);
				homog_inv(&H[0], xa, ya, &ua, &v);
				homog_inv(&H[0], xb, yb, &ub, &v);
				int flip = ub < ua;
				if (take_band(ph, &d, H, &b[flip], &lay[flip]) == 0)
					ph->laid = 1;
			}
			free(b[0].px);
			free(b[1].px);
		}
	}
	rc = 0;
out:
	kyc_reader__work_free(&wk);
	kyc_image_free(&img);
	free(jpg);
	return rc;
}

struct worker {
	struct photo *ph;
	int n, tid, nthreads, failed;
};

static void *mine_worker(void *arg)
{
	struct worker *w = arg;
	for (int i = w->tid; i < w->n; i += w->nthreads)
		w->failed |= mine_photo(&w->ph[i]) != 0;
	return NULL;
}

/* The level-2 classes whose misses are the recogniser's (bench/README.md,
 * "Issue 11: the finer model alone on unsure cells"): --extra draws more
 * photos of these. */
static const int extra_classes[] = {KYC_SYNTH_CLASS_PERSPECTIVE, KYC_SYNTH_CLASS_WATERMARK,
                                    KYC_SYNTH_CLASS_MOTION, KYC_SYNTH_CLASS_PRINT,
                                    KYC_SYNTH_CLASS_MIXED};
#define NEXTRA_CLASSES ((int)(sizeof extra_classes / sizeof extra_classes[0]))

int mine_run(uint64_t first, uint64_t last, int extra, int nthreads, const char *path)
{
	if (last < first || last - first > 100000 || nthreads < 1 || nthreads > 16 || extra < 0 ||
	    extra > 64)
		return -1;
	for (uint64_t s = first; s <= last; s++)
		if (kyc_synth_seed_is_eval(s)) {
			fprintf(stderr, "mine: %llu is an evaluation seed (docs/synth.md)\n",
			        (unsigned long long)s);
			return -1;
		}
	/* per seed: the plain photo and every class at levels 2 and 1, the
	 * plain photo and one class (in turn) at level 0 */
	int per = 2 * (KYC_SYNTH_CLASS_MIXED + 1) + 2 + extra * NEXTRA_CLASSES;
	int np = (int)(last - first + 1) * per;
	struct photo *ph = calloc((size_t)np, sizeof *ph);
	if (!ph)
		return -1;
	int k = 0;
	for (uint64_t s = first; s <= last; s++) {
		for (int level = 2; level >= 1; level--)
			for (int c = KYC_SYNTH_CLASS_NONE; c <= KYC_SYNTH_CLASS_MIXED; c++)
				ph[k++] = (struct photo){.seed = s, .level = level, .cls = c};
		ph[k++] = (struct photo){.seed = s, .level = 0, .cls = KYC_SYNTH_CLASS_NONE};
		ph[k++] = (struct photo){
		    .seed = s, .level = 0, .cls = 1 + (int)(s % KYC_SYNTH_CLASS_MIXED)};
		/* then photos 1..extra of the classes the recogniser misses */
		for (int x = 1; x <= extra; x++)
			for (int c = 0; c < NEXTRA_CLASSES; c++)
				ph[k++] = (struct photo){
				    .seed = s, .index = x, .level = 2, .cls = extra_classes[c]};
	}
	struct worker w[16];
	pthread_t th[16];
	for (int t = 0; t < nthreads; t++) {
		w[t] = (struct worker){.ph = ph, .n = np, .tid = t, .nthreads = nthreads};
		pthread_create(&th[t], NULL, mine_worker, &w[t]);
	}
	int failed = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		failed |= w[t].failed;
	}
	FILE *f = failed ? NULL : fopen(path, "wb");
	long cells[3] = {0}, right[3] = {0}, laid[3] = {0}, photos[3] = {0};
	double off = 0, offa = 0;
	float maxdiff = 0;
	if (f)
		fputs(MAGIC, f);
	for (int i = 0; i < np; i++) {
		int L = ph[i].level;
		photos[L]++;
		laid[L] += ph[i].laid;
		cells[L] += ph[i].n;
		right[L] += ph[i].right;
		off += ph[i].off_sum;
		offa += ph[i].off_abs;
		maxdiff = ph[i].maxdiff > maxdiff ? ph[i].maxdiff : maxdiff;
		for (int j = 0; j < ph[i].n; j++) {
			struct mine_cell *c = &ph[i].c[j];
			if (f) {
				fwrite(&c->label, 1, 1, f);
				fwrite(&c->level, 1, 1, f);
				fwrite(&c->w, sizeof c->w, 1, f);
				fwrite(&c->h, sizeof c->h, 1, f);
				fwrite(&c->cx, sizeof c->cx, 1, f);
				fwrite(&c->pitch, sizeof c->pitch, 1, f);
				fwrite(c->px, 1, (size_t)c->w * c->h, f);
			}
			free(c->px);
		}
		free(ph[i].c);
	}
	free(ph);
	if (!f || fclose(f)) {
		fprintf(stderr, "mine: %s\n",
		        failed ? "a photo could not be made" : "cannot write");
		return -1;
	}
	long tot = cells[0] + cells[1] + cells[2];
	fprintf(stderr,
	        "mine: seeds %llu-%llu, centring error mean %+.3f, mean |.| %.3f pitch; "
	        "crop against band features: max difference %.2g\n",
	        (unsigned long long)first, (unsigned long long)last, tot ? off / tot : 0,
	        tot ? offa / tot : 0, (double)maxdiff);
	for (int L = 0; L < 3; L++)
		fprintf(stderr,
		        "mine: level %d: %ld photos, %ld laid out in the true format, %ld cells, "
		        "%.2f%% read right by the built-in model\n",
		        L, photos[L], laid[L], cells[L],
		        cells[L] ? 100.0 * right[L] / cells[L] : 0);
	return 0;
}

int mine_load(const char *path, struct mine_set *s)
{
	memset(s, 0, sizeof *s);
	FILE *f = fopen(path, "rb");
	char magic[sizeof MAGIC];
	if (!f || fread(magic, 1, sizeof MAGIC - 1, f) != sizeof MAGIC - 1 ||
	    memcmp(magic, MAGIC, sizeof MAGIC - 1)) {
		fprintf(stderr, "mine: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	struct mine_cell c;
	while (fread(&c.label, 1, 1, f) == 1) {
		if (fread(&c.level, 1, 1, f) != 1 || fread(&c.w, sizeof c.w, 1, f) != 1 ||
		    fread(&c.h, sizeof c.h, 1, f) != 1 || fread(&c.cx, sizeof c.cx, 1, f) != 1 ||
		    fread(&c.pitch, sizeof c.pitch, 1, f) != 1 || c.label >= KYC_OCR_NCLASSES ||
		    !c.w || !c.h || c.h > KYC_OCR_MAX_SIDE)
			goto bad;
		if (s->n == s->cap) {
			long cap = s->cap ? 2 * s->cap : 4096;
			struct mine_cell *nc = realloc(s->c, sizeof *nc * (size_t)cap);
			if (!nc)
				goto bad;
			s->c = nc, s->cap = cap;
		}
		c.px = malloc((size_t)c.w * c.h);
		if (!c.px || fread(c.px, 1, (size_t)c.w * c.h, f) != (size_t)c.w * c.h) {
			free(c.px);
			goto bad;
		}
		s->c[s->n++] = c;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "mine: %s is truncated or corrupt\n", path);
	fclose(f);
	mine_free(s);
	return -1;
}

int mine_find_hard(struct mine_set *s)
{
	free(s->hard);
	s->nhard = 0;
	s->hard = malloc(sizeof *s->hard * (size_t)(s->n ? s->n : 1));
	if (!s->hard)
		return -1;
	for (long i = 0; i < s->n; i++) {
		const struct mine_cell *c = &s->c[i];
		struct kyc_ocr_guess g[1];
		if (kyc_ocr_classify_at(c->px, c->w, c->h, c->w, c->cx, c->pitch, 0, c->h - 1, g,
		                        1) != 1 ||
		    g[0].ch != KYC_OCR_CLASSES[c->label] || g[0].score < 0.9f)
			s->hard[s->nhard++] = i;
	}
	return 0;
}

void mine_free(struct mine_set *s)
{
	free(s->hard);
	for (long i = 0; i < s->n; i++)
		free(s->c[i].px);
	free(s->c);
	memset(s, 0, sizeof *s);
}

int mine_features(const struct mine_set *s, long i, int fine, float *x)
{
	const struct mine_cell *c = &s->c[i];
	return (fine ? kyc_ocr_features_fine_at : kyc_ocr_features_at)(c->px, c->w, c->h, c->w,
								      c->cx, c->pitch, 0,
								      c->h - 1, x);
}
