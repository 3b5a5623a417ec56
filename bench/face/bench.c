/* bench/face: the face engine's speed on 1-megapixel selfies and its
 * verification accuracy on labelled real photos (bench/face/run says where
 * they come from).
 *
 *   bench-face speed OUT_DIR REPS IMG...      cuts a 1-megapixel selfie (3:4,
 *       one face filling about 45% of the width) around the largest face of
 *       each photo, writes it to OUT_DIR/selfieN.ppm for the JavaScript side,
 *       and times kyc_face_analyze on it REPS times: median and p95 CPU ms on
 *       one core (detection, landmarks, alignment, embedding, age and gender)
 *   bench-face accuracy LIST ROOT...          LIST is bench/face/photos.txt;
 *       ROOT are "source=dir" pairs. Genuine and impostor pairs of the one
 *       face of each photo; FNMR at FMR 1% and 0.1%, ROC AUC, the rates at
 *       the default threshold, gender accuracy on the labelled photos.
 *   bench-face spoof LIST STEP ROOT...        the passive anti-spoof score
 *       (src/face/spoof.h) on every face of the same photos (a score under
 *       0.5 on a real photo is a false alarm; the realdocs specimens are
 *       printed portraits, counted apart), then on re-captures of each
 *       STEP-th photo's largest face made by tests/lib/recapture.c (halftone
 *       prints and stripe screens of several periods): how many are flagged.
 *   bench-face docpairs LIST LEVEL ROOT...     each labelled photo printed as
 *       the portrait of a generated passport page, read back as the
 *       workflow reads it, against every other photo as the selfie; LEVEL
 *       -1: the real specimen documents of ../shared/realdocs as they are,
 *       against each other and every other photo.
 *   bench-face ident DIR                      genuine and impostor pairs of a set
 *       laid out DIR/PERSON/IMAGE (ident.h): the rates at FMR 1, 0.1 and
 *       0.01%, at the workflow's default and at FACE_THRESHOLD's.
 *   bench-face tight OUT_DIR IMG...           faces that fill the frame: how
 *       often a tight crop's face is found (tight.h).
 *   bench-face age DIR [STEP]                 age error and gender accuracy on
 *       every STEP-th face of DIR labelled by its file name (age.h).
 *   bench-face chip-template DIR              the mean face shape chip.c aligns
 *       onto with KYC_FACE_ALIGN=chip (chip.h), measured on DIR's images.
 *   bench-face graph DIR REPS                 the graph-model runner on the
 *       human-models face-recognition models in DIR (graph.h).
 *   bench-face export OUT SET...              our crops and dlib embeddings of
 *       a set's faces for the candidate networks run under node (export.h).
 *   bench-face open REPS                      CPU ms to open the engine, and
 *       to load face-api's networks with and without the recognition
 *       network the engine no longer loads, REPS times each, alternating. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "face/face.h"
#include "face/nets.h"
#include "flows/extraction.h"
#include "flows/face_checks.h"
#include "tensor/tensor.h"
#include "../../tests/lib/recapture.h"
#include "age.h"
#include "chip.h"
#include "export.h"
#include "graph.h"
#include "ident.h"
#include "rates.h"
#include "tight.h"
#include "../lib/timing.h"

static struct kyc_face_engine *engine;

static double quantile(double *v, int n, double q)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	int i = (int)ceil(q * n) - 1;
	return v[i < 0 ? 0 : i];
}

unsigned char *bench_face_cut(const struct kyc_image *im, double x0, double y0, double sw,
                              double sh, int w, int h)
{
	unsigned char *o = malloc((size_t)w * h * 3);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double sx = x0 + (x + 0.5) * sw / w - 0.5,
			       sy = y0 + (y + 0.5) * sh / h - 0.5;
			int ix = (int)floor(sx), iy = (int)floor(sy);
			double fx = sx - ix, fy = sy - iy;
			for (int c = 0; c < 3; c++) {
				double v = 0;
				for (int dy = 0; dy <= 1; dy++)
					for (int dx = 0; dx <= 1; dx++) {
						int px = ix + dx, py = iy + dy;
						px = px < 0 ? 0 : px >= im->w ? im->w - 1 : px;
						py = py < 0 ? 0 : py >= im->h ? im->h - 1 : py;
						v += (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) *
						     im->rgb[((size_t)py * im->w + px) * 3 + c];
					}
				o[((size_t)y * w + x) * 3 + c] = (unsigned char)lround(v);
			}
		}
	return o;
}

/* Loads path in colour and finds its faces: 0 when there is at least one
 * (im and l then to free), else -1 with nothing to free. */
static int load_with_face(const char *path, struct kyc_image *im, struct kyc_face_list *l)
{
	struct kyc_image_opts o = {.want_rgb = 1};
	if (kyc_image_load(path, &o, im, NULL))
		return -1;
	if (kyc_face_analyze(engine, im, l) || l->count == 0) {
		kyc_face_list_free(l);
		kyc_image_free(im);
		return -1;
	}
	return 0;
}

static int speed(const char *outdir, int reps, int n, char **files)
{
	double *all = calloc((size_t)(reps * n), sizeof(double));
	int m = 0, faces1 = 0, selfies = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_image im;
		struct kyc_face_list l;
		if (load_with_face(files[i], &im, &l))
			continue;
		const double *b = l.faces[0].box;
		double sw = b[2] / 0.45, sh = sw * 4 / 3;
		double x0 = b[0] + b[2] / 2 - sw / 2, y0 = b[1] + b[3] / 2 - sh * 0.42;
		const int W = 866, H = 1155; /* 1.0 megapixel, 3:4 */
		struct kyc_image self = {.w = W, .h = H, .rgb = bench_face_cut(&im, x0, y0, sw, sh, W, H)};
		kyc_face_list_free(&l);
		kyc_image_free(&im);
		char path[1024];
		snprintf(path, sizeof path, "%s/selfie%d.ppm", outdir, selfies++);
		FILE *f = fopen(path, "wb");
		if (f) {
			fprintf(f, "P6\n%d %d\n255\n", W, H);
			fwrite(self.rgb, 1, (size_t)W * H * 3, f);
			fclose(f);
		}
		for (int r = 0; r < reps; r++) {
			double t0 = bench_cpu_ms();
			kyc_face_analyze(engine, &self, &l);
			all[m++] = bench_cpu_ms() - t0;
			faces1 += l.count == 1;
			kyc_face_list_free(&l);
		}
		free(self.rgb);
	}
	if (m == 0)
		return 1;
	double med = quantile(all, m, 0.5), p95 = quantile(all, m, 0.95);
	printf("kycd  1-MP selfies: %d, runs %d, one face found in %d: median %.1f ms, p95 %.1f ms "
	       "CPU "
	       "(detection + landmarks + embedding + age/gender)\n",
	       selfies, m, faces1, med, p95);
	free(all);
	return 0;
}

/* The face at box of im cut head and shoulders as ICAO frames a passport
 * photo (350x448); at level 1 framed wider too (the face a smaller share of
 * it, as in many real portraits), which makes it small on the page. */
static void cut_portrait(const struct kyc_image *im, const double *b, int level,
                         struct kyc_synth_image *photo)
{
	double sw = b[2] * (level ? 2.5 : 1.5), sh = sw * 1.28;
	double x0 = b[0] + b[2] / 2 - sw / 2, y0 = b[1] + b[3] / 2 - sh * 0.45;
	photo->w = 350, photo->h = 448;
	photo->px = bench_face_cut(im, x0, y0, sw, sh, photo->w, photo->h);
}

/* photo printed as the portrait of a generated ID card (TD2, td3 = 0) or
 * passport page (TD3) at the generator's level, then decoded as a
 * submission is (1000 px, colour): 0 and dim to free, or -1. */
static int render_document(const struct kyc_synth_image *photo, int level, int td3, int index,
                           struct kyc_image *dim)
{
	struct kyc_synth_doc truth;
	struct kyc_synth_image doc;
	unsigned char *jpg = NULL;
	size_t len = 0;
	if (kyc_synth_render_portrait(20261202, index, level, KYC_SYNTH_CLASS_NONE,
	                              td3 ? KYC_SYNTH_TD3 : KYC_SYNTH_TD2, photo, &truth, &doc))
		return -1;
	int rc = kyc_synth_jpeg(&doc, truth.quality, &jpg, &len);
	kyc_synth_image_release(&doc);
	struct kyc_image_opts dopt = {.want_rgb = 1, .target_side = KYC_READER_DECODE_SIDE};
	if (rc || kyc_image_decode(jpg, len, &dopt, dim, NULL)) {
		free(jpg);
		return -1;
	}
	free(jpg);
	return 0;
}

/* The portrait of a document decoded as a submission is, read as the
 * workflow reads it (kyc_face_find_portrait): 0 and its embedding in out, or
 * -1 when none is found. */
static int read_portrait(const struct kyc_image *dim, float *out)
{
	struct kyc_face_portrait p;
	int rc = kyc_face_find_portrait(engine, dim, &p) || !p.face ? -1 : 0;
	if (!rc)
		memcpy(out, p.face->embedding, sizeof(float) * KYC_FACE_EMBEDDING_DIM);
	kyc_face_portrait_release(&p);
	return rc;
}

/* The workflow's document portrait (docs/face.md#workflow-checks): each
 * photo's largest face, cut head and shoulders as a passport photo is,
 * printed as the portrait of a generated ID card (TD2) and passport page
 * (TD3) at level 0, decoded as a submission is (1000 px, colour), then
 * timed: the reader (what a document submission cost before) and the face
 * engine (what a selfie level adds). Also how often the portrait is found
 * and is the same person as the source face at the workflow's default
 * threshold, as the first pass picks it and as the workflow keeps it
 * (kyc_face_find_portrait, read_portrait). level: the
 * generator's photo level (0 a flat scan-like photo, 1 a page photographed
 * loosely: tilted, smaller, on a desk, the portrait framed wider). */
static int portrait(int reps, int n, char **files, int level)
{
	double *rd = calloc((size_t)(reps * n * 2), sizeof(double));
	double *fc = calloc((size_t)(reps * n * 2), sizeof(double));
	int m = 0, docs = 0, found = 0, found_wf = 0, same = 0, same_fine = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_image im;
		struct kyc_face_list l;
		if (load_with_face(files[i], &im, &l))
			continue;
		const struct kyc_face src = l.faces[0];
		struct kyc_synth_image photo;
		cut_portrait(&im, src.box, level, &photo);
		kyc_face_list_free(&l);
		kyc_image_free(&im);
		for (int f = 0; f < 2; f++) {
			struct kyc_image dim;
			if (render_document(&photo, level, f, i + 1, &dim))
				continue;
			docs++;
			for (int r = 0; r < reps; r++) {
				double t0 = bench_cpu_ms();
				json_t *x = kyc_document_extract_typed(&dim, 0, f ? "passport" : "id_card",
				                                       "front");
				double t1 = bench_cpu_ms();
				kyc_face_analyze(engine, &dim, &l);
				double t2 = bench_cpu_ms();
				rd[m] = t1 - t0, fc[m++] = t2 - t1;
				json_decref(x);
				const char *why;
				const struct kyc_face *p = kyc_face_pick(&l, &why);
				if (r == 0 && p) {
					struct kyc_face_match cm;
					kyc_face_compare(p->embedding, src.embedding,
					                 KYC_FACE_WORKFLOW_THRESHOLD, &cm);
					found++;
					same += cm.match;
				}
				float wf[KYC_FACE_EMBEDDING_DIM];
				if (r == 0 && !read_portrait(&dim, wf)) {
					struct kyc_face_match cm;
					kyc_face_compare(wf, src.embedding, KYC_FACE_WORKFLOW_THRESHOLD, &cm);
					found_wf++;
					same_fine += cm.match;
				}
				kyc_face_list_free(&l);
			}
			kyc_image_free(&dim);
		}
		free(photo.px);
	}
	if (m == 0)
		return 1;
	double rmed = quantile(rd, m, 0.5), fmed = quantile(fc, m, 0.5), fp95 = quantile(fc, m, 0.95);
	printf("kycd  document portraits: %d documents (TD2 and TD3, level %d), runs %d: reader "
	       "median %.1f ms; face engine median %.1f ms, p95 %.1f ms CPU\n",
	       docs, level, m, rmed, fmed, fp95);
	printf("ratio: the face engine adds %.2fx the reader's CPU time to a document submission "
	       "of a selfie level\n",
	       fmed / rmed);
	printf("portrait found on %d of %d documents by the first pick, on %d by the workflow; the "
	       "same person as the source face (distance <= %.2f) on %d as first picked, on %d as "
	       "the workflow keeps it (kyc_face_find_portrait)\n",
	       found, docs, found_wf, KYC_FACE_WORKFLOW_THRESHOLD, same, same_fine);
	free(rd);
	free(fc);
	return 0;
}

struct sample {
	char id[96];
	char file[256];
	double width; /* of the face box, px */
	char sex;
	float emb[KYC_FACE_EMBEDDING_DIM];
	const char *gender; /* found */
};

static int accuracy(const char *list, int nroots, char **roots)
{
	FILE *f = fopen(list, "r");
	if (!f)
		return 1;
	struct sample *s = calloc(1024, sizeof *s);
	int n = 0, photos = 0, missed = 0, gtotal = 0, gright = 0, small = 0, lw = 0, lh = 0;
	double min_width = getenv("FACE_MIN_WIDTH") ? atof(getenv("FACE_MIN_WIDTH")) : 64;
	struct kyc_face_list l = {0};
	char line[1024], last[1200] = "";
	while (fgets(line, sizeof line, f)) {
		char id[64], sex[4], src[32], file[256];
		if (line[0] == '#' || sscanf(line, "%63s %3s %31s %255s", id, sex, src, file) != 4)
			continue;
		const char *dir = NULL;
		for (int r = 0; r < nroots; r++)
			if (!strncmp(roots[r], src, strlen(src)) && roots[r][strlen(src)] == '=')
				dir = roots[r] + strlen(src) + 1;
		if (!dir)
			continue;
		/* FILE@X,Y names the face whose box holds that point (fractions of
		 * the width and height): one labelled face of a collage */
		double at_x = -1, at_y = -1;
		char *at = strchr(file, '@');
		if (at) {
			*at = 0;
			if (sscanf(at + 1, "%lf,%lf", &at_x, &at_y) != 2)
				continue;
		}
		char path[1200];
		snprintf(path, sizeof path, "%s/%s", dir, file);
		if (strcmp(path, last)) {
			/* one analysis for the several faces labelled in one photo */
			struct kyc_image im;
			struct kyc_image_opts o = {.want_rgb = 1, .target_side = 1600};
			kyc_face_list_free(&l);
			last[0] = 0;
			if (kyc_image_load(path, &o, &im, NULL))
				continue;
			photos++;
			int rc = kyc_face_analyze(engine, &im, &l);
			lw = im.w, lh = im.h;
			kyc_image_free(&im);
			if (rc)
				continue;
			snprintf(last, sizeof last, "%s", path);
		}
		int group = !strncmp(id, "group:", 6);
		const char *why = "no face holds the point";
		const struct kyc_face *pick = NULL;
		double best = 1e300;
		if (at)
			for (size_t k = 0; k < l.count; k++) {
				const double *b = l.faces[k].box;
				double x = at_x * lw, y = at_y * lh;
				double dx = x - (b[0] + b[2] / 2), dy = y - (b[1] + b[3] / 2);
				if (x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3] &&
				    dx * dx + dy * dy < best)
					best = dx * dx + dy * dy, pick = &l.faces[k];
			}
		else if (!group)
			pick = kyc_face_pick(&l, &why);
		if (!group && !pick) {
			missed++;
			printf("  no single face in %s%s (%s)\n", file, at ? " at the point" : "", why);
		}
		for (size_t k = 0; k < l.count && n < 1024; k++) {
			const struct kyc_face *fc = &l.faces[k];
			if (!group && fc != pick)
				continue;
			/* the selfie check's floor (face_too_small): smaller faces
			 * are never compared in the workflow */
			if (fc->box[2] < min_width) {
				small++;
				continue;
			}
			if (group)
				snprintf(s[n].id, sizeof s[n].id, "%s#%zu", id, k);
			else
				snprintf(s[n].id, sizeof s[n].id, "%s", id);
			s[n].sex = sex[0];
			memcpy(s[n].emb, fc->embedding, sizeof s[n].emb);
			s[n].gender = fc->gender;
			snprintf(s[n].file, sizeof s[n].file, "%s", file);
			s[n].width = fc->box[2];
			if (sex[0] == 'F' || sex[0] == 'M') {
				gtotal++;
				gright += (sex[0] == 'F') == !strcmp(fc->gender, "female");
			}
			n++;
		}
	}
	kyc_face_list_free(&l);
	fclose(f);
	double *gen = malloc(sizeof(double) * n * n), *imp = malloc(sizeof(double) * n * n);
	int ng = 0, ni = 0, ids = 0, multi = 0, several = 0;
	for (int a = 0; a < n; a++) {
		int first = 1, count = 0;
		for (int b = 0; b < n; b++) {
			if (b < a && !strcmp(s[a].id, s[b].id))
				first = 0;
			count += !strcmp(s[a].id, s[b].id);
		}
		ids += first;
		multi += first && count > 1;
		several += first && count > 2;
		for (int b = a + 1; b < n; b++) {
			struct kyc_face_match m;
			kyc_face_compare(s[a].emb, s[b].emb, KYC_FACE_DEFAULT_THRESHOLD, &m);
			if (!strcmp(s[a].id, s[b].id))
				gen[ng++] = m.distance;
			else {
				imp[ni++] = m.distance;
				if (getenv("FACE_SHOW") && m.distance < atof(getenv("FACE_SHOW")))
					printf("  impostor %.3f: %s (%s, %.0f px) / %s (%s, %.0f px)\n", m.distance,
					       s[a].id, s[a].file, s[a].width, s[b].id, s[b].file, s[b].width);
			}
		}
	}
	printf(
	    "accuracy: %d photos, %d faces, %d identities (%d with 2+ faces, %d with 3+), %d "
	    "photos without a single face, %d faces under %.0f px left out; %d genuine and %d "
	    "impostor pairs\n",
	    photos, n, ids, multi, several, missed, small, min_width, ng, ni);
	bench_face_rates(gen, (size_t)ng, imp, (size_t)ni);
	printf("  gender: %d of %d labelled faces right (%.1f%%)\n", gright, gtotal,
	       gtotal ? 100.0 * gright / gtotal : 0);
	free(gen);
	free(imp);
	free(s);
	return 0;
}

/* One photo of LIST: its id, source and path (dir resolved from roots). */
static int list_next(FILE *f, int nroots, char **roots, char *id, char *src, char *path,
                     size_t plen)
{
	char line[1024], sex[4], file[256];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%63s %3s %31s %255s", id, sex, src, file) != 4)
			continue;
		for (int r = 0; r < nroots; r++)
			if (!strncmp(roots[r], src, strlen(src)) && roots[r][strlen(src)] == '=') {
				snprintf(path, plen, "%s/%s", roots[r] + strlen(src) + 1, file);
				return 1;
			}
	}
	return 0;
}

/* Document portrait against selfie (issue #12): each labelled photo of LIST
 * (not the group photos nor the collage's faces) printed as the portrait of
 * a generated passport page (TD3) at the given level, and its portrait read
 * as the workflow reads it, compared with the largest face of every other
 * photo of LIST as the selfie: the same person's other photos are genuine
 * pairs, everyone else's impostor pairs. A photo is never compared with its
 * own print. level -1: the real specimen documents of LIST (source
 * "realdocs") are the documents, decoded as a submission is, and nothing is
 * printed; the other photos are only selfies. The specimens come with no
 * selfie of their holder, so a document's genuine pairs are the same
 * holder's portrait on another specimen (each pair once). */
static int docpairs(const char *list, int level, int nroots, char **roots)
{
	int real = level < 0;
	FILE *f = fopen(list, "r");
	if (!f)
		return 1;
	enum { MAX = 256 };
	static char ids[MAX][64];
	static float self[MAX][KYC_FACE_EMBEDDING_DIM], por[MAX][KYC_FACE_EMBEDDING_DIM];
	static int has_por[MAX];
	int n = 0, docs = 0, found = 0;
	char id[64], src[32], path[1200];
	while (n < MAX && list_next(f, nroots, roots, id, src, path, sizeof path)) {
		struct kyc_image im;
		struct kyc_face_list l;
		if (!strncmp(id, "group:", 6) || strchr(path, '@') || load_with_face(path, &im, &l))
			continue;
		memcpy(self[n], l.faces[0].embedding, sizeof self[n]);
		snprintf(ids[n], sizeof ids[n], "%s", id);
		struct kyc_synth_image photo = {0};
		if (!real)
			cut_portrait(&im, l.faces[0].box, level, &photo);
		kyc_face_list_free(&l);
		kyc_image_free(&im);
		struct kyc_image dim;
		struct kyc_image_opts dopt = {.want_rgb = 1, .target_side = KYC_READER_DECODE_SIDE};
		has_por[n] = 0;
		if (real ? strcmp(src, "realdocs") == 0 && !kyc_image_load(path, &dopt, &dim, NULL)
		         : !render_document(&photo, level, 1, n + 1, &dim)) {
			docs++;
			has_por[n] = !read_portrait(&dim, por[n]);
			found += has_por[n];
			kyc_image_free(&dim);
		}
		free(photo.px);
		n++;
	}
	fclose(f);
	double *gen = malloc(sizeof(double) * MAX * MAX), *imp = malloc(sizeof(double) * MAX * MAX);
	int ng = 0, ni = 0;
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n && has_por[a]; b++) {
			if (a == b || (real && has_por[b] && b < a))
				continue;
			struct kyc_face_match m;
			kyc_face_compare(por[a], real && has_por[b] ? por[b] : self[b],
			                 KYC_FACE_WORKFLOW_THRESHOLD, &m);
			if (!strcmp(ids[a], ids[b]))
				gen[ng++] = m.distance;
			else
				imp[ni++] = m.distance;
		}
	if (real)
		printf("real specimen documents: %d, portrait found on %d; %d genuine pairs (the same "
		       "holder on two specimens) and %d impostor pairs (against every other "
		       "document and selfie)\n",
		       docs, found, ng, ni);
	else
		printf("document portrait against selfie: %d photos printed on passport pages (level "
		       "%d), portrait found on %d; %d genuine and %d impostor pairs\n",
		       docs, level, found, ng, ni);
	bench_face_rates(gen, (size_t)ng, imp, (size_t)ni);
	free(gen);
	free(imp);
	return 0;
}

/* The largest face of a re-capture: its score, or -1 with no face. */
static double recaptured_score(const unsigned char *rgb, int w, int h, double *moire)
{
	struct kyc_synth_image si = {w, h, (unsigned char *)rgb};
	unsigned char *jpg = NULL;
	size_t len = 0;
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1, .target_side = 1600};
	struct kyc_face_list l = {0};
	double score = -1;
	/* the phone's JPEG, then the upload's decode */
	if (kyc_synth_jpeg(&si, 90, &jpg, &len) || kyc_image_decode(jpg, len, &o, &im, NULL)) {
		free(jpg);
		return -1;
	}
	if (!kyc_face_analyze(engine, &im, &l) && l.count > 0 && l.faces[0].spoof.measured) {
		score = l.faces[0].spoof.score;
		*moire = l.faces[0].spoof.moire;
	}
	kyc_face_list_free(&l);
	kyc_image_free(&im);
	free(jpg);
	return score;
}

static int spoof(const char *list, int step, int nroots, char **roots)
{
	static const struct trecap kinds[] = {
	    {TRECAP_PRINT, 1.6, 0, 0}, {TRECAP_PRINT, 2.2, 0, 0}, {TRECAP_PRINT, 3, 0, 0},
	    {TRECAP_PRINT, 4, 0, 0},   {TRECAP_PRINT, 6, 0, 0},   {TRECAP_SCREEN, 1.3, 0, 0},
	    {TRECAP_SCREEN, 1.8, 0, 0}, {TRECAP_SCREEN, 2.5, 0, 0}, {TRECAP_SCREEN, 3.5, 0, 0},
	};
	enum { NK = sizeof kinds / sizeof kinds[0] };
	int flagged[NK] = {0}, tried[NK] = {0}, noface[NK] = {0};
	double *real = calloc(4096, sizeof *real), *ms = calloc(4096, sizeof *ms),
	       *whole = calloc(1024, sizeof *whole);
	int nreal = 0, nalarm = 0, nprint = 0, nprint_flag = 0, unmeasured = 0, nwhole = 0;
	double mmax = -1;
	char id[64], src[32], path[1400], where[128] = "";
	FILE *f = fopen(list, "r");
	if (!f || !real || !ms || !whole)
		return 1;
	unsigned seed = 1;
	int index = 0;
	while (list_next(f, nroots, roots, id, src, path, sizeof path)) {
		struct kyc_image im;
		struct kyc_image_opts o = {.want_rgb = 1, .target_side = 1600};
		struct kyc_face_list l;
		if (kyc_image_load(path, &o, &im, NULL))
			continue;
		double t0 = bench_cpu_ms();
		if (kyc_face_analyze(engine, &im, &l)) {
			kyc_image_free(&im);
			continue;
		}
		if (nwhole < 1024)
			whole[nwhole++] = bench_cpu_ms() - t0;
		int printed = !strcmp(src, "realdocs");
		for (size_t k = 0; k < l.count; k++) {
			const struct kyc_face_spoof *sp = &l.faces[k].spoof;
			struct kyc_face_spoof again;
			double t1 = bench_cpu_ms();
			kyc_face_spoof_measure(im.rgb, im.w, im.h, l.faces[k].box, &again);
			if (nreal < 4096)
				ms[nreal] = bench_cpu_ms() - t1;
			if (!sp->measured) {
				unmeasured++;
				continue;
			}
			if (printed) {
				nprint++;
				nprint_flag += sp->score < KYC_FACE_SPOOF_SUSPICIOUS;
				printf("  printed portrait %s: score %.3f moire %.1f dB glare %.4f\n",
				       path, sp->score, sp->moire, sp->glare);
				continue;
			}
			if (nreal < 4096)
				real[nreal++] = sp->score;
			if (sp->score < KYC_FACE_SPOOF_SUSPICIOUS) {
				nalarm++;
				printf("  false alarm %s face %zu: score %.3f cue %s moire %.1f dB "
				       "glare %.4f\n",
				       path, k, sp->score, sp->cue, sp->moire, sp->glare);
			}
			if (sp->moire > mmax) {
				mmax = sp->moire;
				snprintf(where, sizeof where, "%s", strrchr(path, '/') + 1);
			}
		}
		if (!printed)
			printf("  real %s: %zu faces, %d judged so far, %d flagged so far\n",
			       strrchr(path, '/') + 1, l.count, nreal, nalarm);
		/* re-captures of the largest face, the region around it, of every
		 * step-th photo (the generator is slow: 16 samples a pixel) */
		if (!printed && l.count > 0 && index++ % step == 0) {
			const double *b = l.faces[0].box;
			double side = fmin(2.2 * fmax(b[2], b[3]), fmin(im.w, im.h));
			double x0 = fmax(0, fmin(im.w - side, b[0] + b[2] / 2 - side / 2)),
			       y0 = fmax(0, fmin(im.h - side, b[1] + b[3] / 2 - side / 2));
			/* at most 400 px a side, the face about 180 px wide */
			int out = side > 400 ? 400 : (int)side;
			unsigned char *region = bench_face_cut(&im, x0, y0, side, side, out, out);
			for (int k = 0; region && k < NK; k++) {
				struct trecap p = kinds[k];
				unsigned char *rc = NULL;
				double m = 0;
				p.seed = seed++;
				/* turned a little, as held in front of a camera */
				p.angle = (double)((p.seed * 7919u) % 11) - 5;
				if (trecap_make(region, out, out, &p, &rc))
					continue;
				double sc = recaptured_score(rc, out, out, &m);
				free(rc);
				tried[k]++;
				printf("  re-capture %s %s %.1f px: %s %.3f (moire %.1f dB)\n",
				       strrchr(path, '/') + 1,
				       p.kind == TRECAP_PRINT ? "print" : "screen", p.period,
				       sc < 0 ? "no face" : "score", sc, m);
				if (sc < 0)
					noface[k]++;
				else
					flagged[k] += sc < KYC_FACE_SPOOF_SUSPICIOUS;
			}
			free(region);
		}
		kyc_face_list_free(&l);
		kyc_image_free(&im);
	}
	fclose(f);
	int nms = nreal + nprint;
	printf("spoof: real photos: %d of %d faces flagged (false alarms %.2f%%); highest "
	       "moire %.1f dB (%s); %d faces too small to judge\n",
	       nalarm, nreal, nreal ? 100.0 * nalarm / nreal : 0, mmax, where, unmeasured);
	printf("  printed specimen portraits (realdocs): %d of %d flagged\n", nprint_flag, nprint);
	double wm = quantile(whole, nwhole, 0.5), sm = quantile(ms, nms, 0.5);
	printf("  CPU: the score %.2f ms median a face; kyc_face_analyze %.1f ms median a photo "
	       "(ratio %.3f)\n",
	       sm, wm, wm > 0 ? sm / wm : 0);
	for (int k = 0; k < NK; k++)
		printf("  re-capture %-6s period %.1f px: %d of %d flagged (%.0f%%), %d without a "
		       "face found\n",
		       kinds[k].kind == TRECAP_PRINT ? "print" : "screen", kinds[k].period,
		       flagged[k], tried[k] - noface[k],
		       tried[k] - noface[k] ? 100.0 * flagged[k] / (tried[k] - noface[k]) : 0,
		       noface[k]);
	free(real);
	free(ms);
	free(whole);
	return 0;
}

/* bench-face open: what opening the engine costs, and the share of it the
 * dlib recognition network took while the engine loaded it. */
static int open_speed(int reps)
{
	char dir[1024], err[512] = "";
	double *ms = calloc((size_t)reps * 3 + 1, sizeof *ms);
	if (!ms || kyc_face_models_dir(dir, sizeof dir))
		goto fail;
	for (int r = 0; r < reps; r++) {
		struct kyc_face_engine *e = NULL;
		struct kyc_face_nets *n = NULL;
		double t0 = bench_cpu_ms();
		if (kyc_face_engine_open(NULL, &e, err, sizeof err))
			goto fail;
		ms[r] = bench_cpu_ms() - t0;
		kyc_face_engine_free(e);
		for (int k = 0; k < 2; k++) {
			t0 = bench_cpu_ms();
			if (kyc_face_nets_load(dir, k ? KYC_FACE_NETS_RECOGNITION : 0, &n, err, sizeof err))
				goto fail;
			ms[reps * (1 + k) + r] = bench_cpu_ms() - t0;
			kyc_face_nets_free(n);
		}
	}
	double la = 0;
	getloadavg(&la, 1);
	printf("open: CPU ms, median of %d (load average %.2f)\n  kyc_face_engine_open: %.1f\n"
	       "  face-api nets as the engine loads them: %.1f; with dlib's recognition network: "
	       "%.1f\n",
	       reps, la, bench_percentile(ms, reps, 0.5),
	       bench_percentile(ms + reps, reps, 0.5), bench_percentile(ms + 2 * reps, reps, 0.5));
	free(ms);
	return 0;
fail:
	fprintf(stderr, "bench-face open: %s\n", err);
	free(ms);
	return 1;
}

int main(int argc, char **argv)
{
	char err[512];
	kyc_tensor_pick_blas_kernels(argv);
	if (argc < 3) {
		fprintf(stderr,
		        "usage: bench-face speed OUT_DIR REPS IMG... | accuracy LIST SRC=DIR... | "
		        "portrait REPS IMG... | portrait-loose REPS IMG... | spoof LIST STEP SRC=DIR... | "
		        "docpairs LIST LEVEL SRC=DIR... (LEVEL -1: the real specimens as they are) | "
		        "tight OUT_DIR IMG... | ident DIR | age DIR [STEP] | chip-template DIR | graph DIR REPS | "
		        "export OUT SET... | open REPS\n");
		return 2;
	}
	if (!strcmp(argv[1], "graph") && argc > 3)
		return bench_face_graph(argv[2], atoi(argv[3]));
	if (!strcmp(argv[1], "open"))
		return open_speed(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1);
	if (kyc_face_engine_open(NULL, &engine, err, sizeof err)) {
		fprintf(stderr, "bench-face: %s\n", err);
		return 1;
	}
	int rc = !strcmp(argv[1], "speed") && argc > 4
	             ? speed(argv[2], atoi(argv[3]), argc - 4, argv + 4)
	         : !strcmp(argv[1], "accuracy") ? accuracy(argv[2], argc - 3, argv + 3)
	         : !strcmp(argv[1], "spoof") && argc > 3
	             ? spoof(argv[2], atoi(argv[3]) > 0 ? atoi(argv[3]) : 1, argc - 4, argv + 4)
	         : !strcmp(argv[1], "docpairs") && argc > 3
	             ? docpairs(argv[2], atoi(argv[3]), argc - 4, argv + 4)
	         : !strcmp(argv[1], "tight") && argc > 3
	             ? bench_face_tight(engine, argv[2], argc - 3, argv + 3)
	         : !strcmp(argv[1], "ident") && argc > 2 ? bench_face_ident(engine, argv[2])
	         : !strcmp(argv[1], "chip-template") ? bench_face_chip_template(engine, argv[2])
	         : !strcmp(argv[1], "export") && argc > 3
	             ? bench_face_export(engine, argv[2], argc - 3, argv + 3)
	         : !strcmp(argv[1], "age")
	             ? bench_face_age(engine, argv[2], argc > 3 && atoi(argv[3]) > 0 ? atoi(argv[3]) : 1)
	         : !strcmp(argv[1], "portrait") && argc > 3
	             ? portrait(atoi(argv[2]), argc - 3, argv + 3, 0)
	         : !strcmp(argv[1], "portrait-loose") && argc > 3
	             ? portrait(atoi(argv[2]), argc - 3, argv + 3, 1)
	             : 2;
	kyc_face_engine_free(engine);
	return rc;
}
