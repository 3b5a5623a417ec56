/* bench/face export (export.h): our pipeline's crops for the candidate
 * recognition networks, measurement only. */
#include "export.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "face/face.h"
#include "face/sample.h"
#include "chip.h"
#include "ident.h"

#define ARC_SIDE 112
#define SQ_SIDE 224

/* The ArcFace/InsightFace 112×112 five-point template (left eye, right eye,
 * nose tip, left and right mouth corner, in output pixel indices), the
 * alignment MS1M-style training crops are cut with. */
static const double ARC_TEMPLATE[5][2] = {
    {38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366},
    {41.5493, 92.3655}, {70.7299, 92.2041},
};

/* The loose crop: the detector's box made square on its longer side, grown
 * by BOX_MARGIN a side, not turned (HSE_FaceRec_tf cuts its detector's box
 * with a 10-pixel margin, unrotated, and resizes it to 224). */
#define BOX_MARGIN 0.1

struct sink {
	FILE *tsv, *sq, *arc, *box;
	size_t kept;
};

/* t (0..255 floats) as bytes into out, freeing t. */
static void to_bytes(struct kyc_tensor *t, unsigned char *out)
{
	for (size_t i = 0; i < (size_t)t->h * t->w * t->c; i++)
		out[i] = (unsigned char)lrintf(t->d[i] < 0 ? 0 : t->d[i] > 255 ? 255 : t->d[i]);
	kyc_tensor_free(t);
}

static int box_crop(const struct kyc_image *img, const struct kyc_face *f, unsigned char *out)
{
	const double *b = f->box;
	double side = fmax(b[2], b[3]) * (1 + 2 * BOX_MARGIN);
	struct face__rgb src = {img->rgb, img->w, img->h};
	struct kyc_tensor t = {0};
	int rc = face__crop(&src, b[0] + b[2] / 2 - side / 2, b[1] + b[3] / 2 - side / 2, side, 0,
	                    NULL, SQ_SIDE, &t);
	if (!rc)
		to_bytes(&t, out);
	return rc;
}

static void mean_of(const struct kyc_face *f, int from, int to, double p[2])
{
	p[0] = p[1] = 0;
	for (int i = from; i < to; i++)
		p[0] += f->landmarks[i][0], p[1] += f->landmarks[i][1];
	p[0] /= to - from, p[1] /= to - from;
}

/* The five points from the 68: eye centres (36-41, 42-47), nose tip (30),
 * mouth corners (48, 54). */
static int arc_crop(const struct kyc_image *img, const struct kyc_face *f, unsigned char *out)
{
	double pts[5][2];
	mean_of(f, 36, 42, pts[0]);
	mean_of(f, 42, 48, pts[1]);
	mean_of(f, 30, 31, pts[2]);
	mean_of(f, 48, 49, pts[3]);
	mean_of(f, 54, 55, pts[4]);
	double x0, y0, side, angle;
	/* Output pixel i is sampled at (i + 0.5) / n of the square, so the
	 * template's pixel indices span -0.5 .. n - 0.5. */
	bench_face_fit_square(ARC_TEMPLATE, (const double(*)[2])pts, 5, (ARC_SIDE - 1) / 2.0,
	                      (ARC_SIDE - 1) / 2.0, ARC_SIDE, &x0, &y0, &side, &angle);
	struct face__rgb src = {img->rgb, img->w, img->h};
	struct kyc_tensor t = {0};
	int rc = face__crop(&src, x0, y0, side, angle, NULL, ARC_SIDE, &t);
	if (!rc)
		to_bytes(&t, out);
	return rc;
}

static int emit(struct sink *s, const char *set, const char *person, const char *file,
                const struct kyc_image *img, const struct kyc_face *f)
{
	static unsigned char arc[ARC_SIDE * ARC_SIDE * 3], box[SQ_SIDE * SQ_SIDE * 3];
	unsigned char *sq = NULL;
	int rc = kyc_face_aligned_crop(img, f, SQ_SIDE, &sq);
	if (!rc)
		rc = arc_crop(img, f, arc);
	if (!rc)
		rc = box_crop(img, f, box);
	if (!rc && (fwrite(sq, 1, sizeof box, s->sq) != sizeof box ||
	            fwrite(arc, 1, sizeof arc, s->arc) != sizeof arc ||
	            fwrite(box, 1, sizeof box, s->box) != sizeof box))
		rc = -1;
	free(sq);
	if (rc)
		return rc;
	fprintf(s->tsv, "%s\t%s\t%s\t%s", set, person, file, f->gender);
	for (int k = 0; k < KYC_FACE_EMBEDDING_DIM; k++)
		fprintf(s->tsv, "\t%.7g", f->embedding[k]);
	fputc('\n', s->tsv);
	s->kept++;
	return 0;
}

static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* One photo: decoded as the engine reads uploads, its face chosen by the
 * set's rule, emitted. Counts what was lost in *lost. */
static void one(const struct kyc_face_engine *e, struct sink *s, const char *set, const char *dir,
                const char *person, const char *file, int central, size_t *lost)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	if (kyc_image_load(path, &o, &im, NULL)) {
		(*lost)++;
		return;
	}
	struct kyc_face_list l = {0};
	const struct kyc_face *f = NULL;
	const char *why = NULL;
	if (!kyc_face_analyze(e, &im, &l))
		f = central ? bench_face_central(&l, im.w, im.h) : kyc_face_pick(&l, &why);
	if (!f || f->box[2] < 64 || emit(s, set, person, file, &im, f))
		(*lost)++;
	kyc_face_list_free(&l);
	kyc_image_free(&im);
}

static void free_names(struct dirent **n, int k)
{
	for (int i = 0; i < k; i++)
		free(n[i]);
	free(n);
}

struct walk {
	const struct kyc_face_engine *e;
	struct sink *s;
	size_t read, lost;
};

static int lfw_photo(void *ctx, const char *pdir, const char *person, const char *file)
{
	struct walk *w = ctx;
	w->read++;
	one(w->e, w->s, "lfw", pdir, person, file, 1, &w->lost);
	return 0;
}

static int lfw_set(const struct kyc_face_engine *e, struct sink *s, const char *dir)
{
	struct walk w = {e, s, 0, 0};
	int people = bench_face_each_photo(dir, 2, lfw_photo, &w);
	fprintf(stderr,
	        "bench-face export: %s: %d people, %zu photos read, %zu without a kept face\n", dir,
	        people, w.read, w.lost);
	return people > 0 ? 0 : 1;
}

static int flat_set(const struct kyc_face_engine *e, struct sink *s, const char *dir, int step)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, visible, alphasort);
	size_t read = 0, lost = 0;
	for (int i = 0; i < n; i += step, read++)
		one(e, s, "flat", dir, names[i]->d_name, names[i]->d_name, 0, &lost);
	if (n > 0)
		free_names(names, n);
	fprintf(stderr, "bench-face export: %s: %zu photos read, %zu without a kept face\n", dir,
	        read, lost);
	return n > 0 ? 0 : 1;
}

int bench_face_export(const struct kyc_face_engine *e, const char *out, int nsets, char **sets)
{
	char path[4096];
	struct sink s = {0};
	int rc = 1;
	snprintf(path, sizeof path, "%s.tsv", out);
	s.tsv = fopen(path, "w");
	snprintf(path, sizeof path, "%s.sq224", out);
	s.sq = fopen(path, "wb");
	snprintf(path, sizeof path, "%s.arc112", out);
	s.arc = fopen(path, "wb");
	snprintf(path, sizeof path, "%s.box224", out);
	s.box = fopen(path, "wb");
	if (!s.tsv || !s.sq || !s.arc || !s.box)
		goto out;
	rc = 0;
	for (int i = 0; i < nsets; i++) {
		char spec[4096];
		snprintf(spec, sizeof spec, "%s", sets[i]);
		char *colon = strrchr(spec, ':');
		if (!strncmp(spec, "lfw:", 4))
			rc |= lfw_set(e, &s, spec + 4);
		else if (!strncmp(spec, "flat:", 5) && colon > spec + 5) {
			*colon = 0;
			int step = atoi(colon + 1);
			rc |= flat_set(e, &s, spec + 5, step > 0 ? step : 1);
		} else {
			fprintf(stderr, "bench-face export: %s: not lfw:DIR nor flat:DIR:STEP\n",
			        spec);
			rc = 1;
		}
	}
	printf("export: %zu faces written to %s.{tsv,sq224,arc112,box224}\n", s.kept, out);
out:
	if (s.tsv)
		fclose(s.tsv);
	if (s.sq)
		fclose(s.sq);
	if (s.arc)
		fclose(s.arc);
	if (s.box)
		fclose(s.box);
	return rc;
}
