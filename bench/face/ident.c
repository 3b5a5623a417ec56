/* bench/face ident (ident.h): genuine and impostor pairs of a set labelled
 * by identity. Measurement only: nothing here feeds back into the engine,
 * its limits or the workflow's default. */
#include "ident.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "face/face.h"
#include "flows/face_checks.h"
#include "age.h"
#include "chip.h"
#include "rates.h"
#include "../lib/timing.h"

struct face_rec {
	char person[96];
	char file[128];
	float width; /* of the face box, px */
	char gender; /* found: 'M' or 'F' */
	float emb[KYC_FACE_EMBEDDING_DIM];
	float dlib[128]; /* face-api's network on the same face (chip.h), for fusion */
};

struct faces {
	struct face_rec *v;
	size_t n, cap;
	int *id, *rank;      /* identity index, and the face's rank within it */
	unsigned char *half; /* IDENT_SPLIT: 0 calibration, 1 held out */
};

static const char cache_magic[8] = "kycid02";

/* Which distance the pairs get (IDENT_NET): FaceRes's cosine (the
 * engine's), dlib's Euclidean, or their fusion: each distance less its
 * impostors' mean over their standard deviation, summed, with the four
 * figures IDENT_FUSE gives (printed by a run without it; fixed before the
 * pairs they score, never fitted on them). */
enum net { NET_FACERES, NET_DLIB, NET_FUSED };
static enum net net;
static double fuse[4]; /* FaceRes mean, sd; dlib mean, sd */

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	return v && *v ? (int)strtol(v, NULL, 10) : dflt;
}

static int is_dir_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int push(struct faces *f, const struct face_rec *r)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		struct face_rec *v = realloc(f->v, cap * sizeof *v);
		if (!v)
			return -1;
		f->v = v, f->cap = cap;
	}
	f->v[f->n++] = *r;
	return 0;
}

const struct kyc_face *bench_face_central(const struct kyc_face_list *l, int w, int h)
{
	const struct kyc_face *best = NULL;
	double bd = 1e300, cx = w / 2.0, cy = h / 2.0;
	for (size_t k = 0; k < l->count; k++) {
		const double *b = l->faces[k].box;
		double dx = cx - (b[0] + b[2] / 2), dy = cy - (b[1] + b[3] / 2);
		if (cx >= b[0] && cx < b[0] + b[2] && cy >= b[1] && cy < b[1] + b[3] &&
		    dx * dx + dy * dy < bd)
			bd = dx * dx + dy * dy, best = &l->faces[k];
	}
	return best;
}

int bench_face_each_photo(const char *dir, int min_photos, bench_face_photo_fn fn, void *ctx)
{
	struct dirent **people = NULL;
	int np = scandir(dir, &people, is_dir_entry, alphasort);
	if (np <= 0) {
		free(people);
		return -1;
	}
	int persons = 0, stop = 0;
	for (int p = 0; p < np; p++) {
		char pdir[4096];
		snprintf(pdir, sizeof pdir, "%s/%s", dir, people[p]->d_name);
		struct dirent **files = NULL;
		int nf = scandir(pdir, &files, is_dir_entry, alphasort);
		if (nf >= min_photos)
			persons++;
		for (int i = 0; !stop && nf >= min_photos && i < nf; i++)
			stop = fn(ctx, pdir, people[p]->d_name, files[i]->d_name);
		for (int i = 0; i < nf; i++)
			free(files[i]);
		free(files);
	}
	for (int p = 0; p < np; p++)
		free(people[p]);
	free(people);
	return persons;
}

struct reading {
	const struct kyc_face_engine *e;
	struct faces *out;
	double min_width;
	size_t images, unreadable, noface, offcentre, small, ambiguous;
	double *ms;
	size_t nms, cms;
};

/* One photo of the set: its central face kept (IDENT_PICK=1: the face the
 * workflow picks, for a set of one face a person). Nonzero stops the walk. */
static int read_photo(void *ctx, const char *pdir, const char *person, const char *file)
{
	struct reading *r = ctx;
	struct kyc_face_list l = {0};
	struct kyc_image im;
	double t;
	r->images++;
	int rc = bench_face_load(r->e, pdir, file, &l, &t, &im);
	if (rc < 0) {
		r->unreadable++;
		return 0;
	}
	const char *why = NULL;
	const struct kyc_face *f = rc                         ? NULL
	                           : env_int("IDENT_PICK", 0) ? kyc_face_pick(&l, &why)
	                                                      : bench_face_central(&l, im.w, im.h);
	int stop = 0;
	if (r->nms == r->cms) {
		size_t cap = r->cms ? r->cms * 2 : 1024;
		double *m2 = realloc(r->ms, cap * sizeof *r->ms);
		if (!m2) {
			stop = 1;
			goto out;
		}
		r->ms = m2, r->cms = cap;
	}
	r->ms[r->nms++] = t;
	if (!rc && l.count > 0 && !kyc_face_pick(&l, &why))
		r->ambiguous++; /* the workflow would ask for a selfie again */
	if (!f && (rc || l.count == 0))
		r->noface++;
	else if (!f)
		r->offcentre++;
	else if (f->box[2] < r->min_width) {
		r->small++; /* selfie_face_too_small: never compared */
	} else {
		struct face_rec fr = {.width = (float)f->box[2],
		                      .gender = strcmp(f->gender, "female") ? 'M' : 'F'};
		snprintf(fr.person, sizeof fr.person, "%.95s", person);
		snprintf(fr.file, sizeof fr.file, "%.127s", file);
		memcpy(fr.emb, f->embedding, sizeof fr.emb);
		stop = bench_face_dlib_embed(&im, f, fr.dlib) || push(r->out, &fr);
	}
out:
	if (!rc)
		kyc_image_free(&im);
	kyc_face_list_free(&l);
	if (r->images % 500 == 0)
		fprintf(stderr, "bench-face ident: %zu images read, %zu faces kept\n", r->images,
		        r->out->n);
	return stop;
}

/* Reads the set: every image of the folders with at least min_photos. */
static int read_set(const struct kyc_face_engine *e, const char *dir, struct faces *out)
{
	int min_photos = env_int("IDENT_MIN_PHOTOS", 2);
	struct reading r = {
	    .e = e,
	    .out = out,
	    .min_width = getenv("FACE_MIN_WIDTH") ? strtod(getenv("FACE_MIN_WIDTH"), NULL) : 64,
	};
	int persons = bench_face_each_photo(dir, min_photos, read_photo, &r);
	if (persons < 0)
		return -1;
	printf("ident: %d people with %d+ images, %zu images read: %zu faces kept; %zu unreadable, "
	       "%zu no face found, %zu no face at the centre, %zu under %.0f px; %zu images the "
	       "workflow would refuse as several_faces\n",
	       persons, min_photos, r.images, out->n, r.unreadable, r.noface, r.offcentre, r.small,
	       r.min_width, r.ambiguous);
	if (r.nms)
		printf("  CPU per image (kyc_face_analyze): median %.1f ms\n",
		       bench_percentile(r.ms, (int)r.nms, 0.5));
	free(r.ms);
	return 0;
}

static int cache_load(const char *path, struct faces *f)
{
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp)
		return -1;
	char magic[8];
	uint64_t n = 0;
	int ok = fread(magic, 1, 8, fp) == 8 && !memcmp(magic, cache_magic, 8) &&
	         fread(&n, sizeof n, 1, fp) == 1 && n < 10000000;
	if (ok) {
		f->v = malloc((size_t)n * sizeof *f->v);
		ok = f->v && fread(f->v, sizeof *f->v, (size_t)n, fp) == n;
		f->n = f->cap = ok ? (size_t)n : 0;
	}
	fclose(fp);
	return ok ? 0 : -1;
}

static void cache_save(const char *path, const struct faces *f)
{
	FILE *fp = path ? fopen(path, "wb") : NULL;
	if (!fp)
		return;
	uint64_t n = f->n;
	if (fwrite(cache_magic, 1, 8, fp) != 8 || fwrite(&n, sizeof n, 1, fp) != 1 ||
	    fwrite(f->v, sizeof *f->v, f->n, fp) != f->n)
		fprintf(stderr, "bench-face ident: could not write %s\n", path);
	fclose(fp);
}

static double faceres_distance(const struct face_rec *a, const struct face_rec *b)
{
	struct kyc_face_match m;
	kyc_face_compare(a->emb, b->emb, KYC_FACE_DEFAULT_THRESHOLD, &m);
	return m.distance;
}

static double dlib_distance(const struct face_rec *a, const struct face_rec *b)
{
	double s = 0;
	for (int k = 0; k < 128; k++)
		s += ((double)a->dlib[k] - b->dlib[k]) * ((double)a->dlib[k] - b->dlib[k]);
	return sqrt(s);
}

static double distance(const struct face_rec *a, const struct face_rec *b)
{
	switch (net) {
	case NET_DLIB:
		return dlib_distance(a, b);
	case NET_FUSED:
		return (faceres_distance(a, b) - fuse[0]) / fuse[1] +
		       (dlib_distance(a, b) - fuse[2]) / fuse[3];
	default:
		return faceres_distance(a, b);
	}
}

/* splitmix64: a fixed-seed stream for the impostor sample. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

struct named {
	double d;
	size_t a, b;
};

/* Keeps in v (*n of at most k, in order) the k pairs of smallest distance,
 * or of largest when far. */
static void keep_top(struct named *v, size_t *n, size_t k, struct named x, int far)
{
	if (*n == k && (far ? x.d <= v[k - 1].d : x.d >= v[k - 1].d))
		return;
	size_t i = *n < k ? (*n)++ : k - 1;
	for (; i > 0 && (far ? v[i - 1].d < x.d : v[i - 1].d > x.d); i--)
		v[i] = v[i - 1];
	v[i] = x;
}

/* The pairs of the faces ranked under cap in their identity (0: all), of
 * the identities of one half (IDENT_SPLIT; -1: all), and their rates; with
 * names, the nearest impostors and farthest genuine pairs. */
static int pairs(const struct faces *f, int cap, long long sample, int names, int half)
{
	size_t n = 0, ids = 0, multi = 0;
	size_t *keep = malloc((f->n + 1) * sizeof *keep);
	if (!keep)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		if ((!cap || f->rank[i] < cap) && (half < 0 || f->half[i] == half))
			keep[n++] = i;
	if (n < 2) {
		free(keep);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (f->rank[keep[i]] == 0) {
			ids++;
			multi += i + 1 < n && f->id[keep[i + 1]] == f->id[keep[i]];
		}
	size_t ng = 0;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && f->id[keep[j]] == f->id[keep[i]]; j++)
			;
		ng += (j - i) * (j - i - 1) / 2;
	}
	size_t all_imp = n * (n - 1) / 2 - ng;
	size_t ni = sample > 0 && (size_t)sample < all_imp ? (size_t)sample : all_imp;
	double *gen = malloc((ng + 1) * sizeof *gen), *imp = malloc((ni + 1) * sizeof *imp);
	struct named near[16], far[10];
	size_t g = 0, k = 0, nnear = 0, nfar = 0;
	int rc = -1;
	if (!gen || !imp)
		goto out;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && f->id[keep[j]] == f->id[keep[i]]; j++)
			;
		for (size_t a = i; a < j; a++)
			for (size_t b = a + 1; b < j; b++) {
				double d = distance(&f->v[keep[a]], &f->v[keep[b]]);
				if (names)
					keep_top(far, &nfar, 10, (struct named){d, keep[a], keep[b]}, 1);
				gen[g++] = d;
			}
	}
	if (ni == all_imp) {
		for (size_t a = 0; a < n; a++)
			for (size_t b = a + 1; b < n; b++)
				if (f->id[keep[a]] != f->id[keep[b]])
					imp[k++] = distance(&f->v[keep[a]], &f->v[keep[b]]);
	} else {
		uint64_t seed = 20261203;
		while (k < ni) {
			size_t a = (size_t)(next_rand(&seed) % n), b = (size_t)(next_rand(&seed) % n);
			if (f->id[keep[a]] != f->id[keep[b]])
				imp[k++] = distance(&f->v[keep[a]], &f->v[keep[b]]);
		}
	}
	printf("pairs%s%s: %zu faces, %zu identities (%zu with 2+ faces), %zu genuine pairs, %zu "
	       "impostor pairs (%s)\n",
	       cap ? "" : " (every face)",
	       half < 0 ? "" : half ? ", held-out half" : ", calibration half", n, ids, multi, ng, ni,
	       ni == all_imp ? "all" : "a fixed-seed sample");
	if (cap)
		printf("  at most %d faces a person (the first by file name)\n", cap);
	if (names) {
		/* the nearest impostors, found again by name (imp is unnamed) */
		for (size_t a = 0; a < n; a++)
			for (size_t b = a + 1; b < n; b++) {
				if (f->id[keep[a]] == f->id[keep[b]])
					continue;
				double d = distance(&f->v[keep[a]], &f->v[keep[b]]);
				keep_top(near, &nnear, 16, (struct named){d, keep[a], keep[b]}, 0);
			}
	}
	bench_face_rates(gen, ng, imp, ni);
	for (size_t i = 0; i < nnear; i++)
		printf("  nearest impostor %.3f  %s/%s  %s/%s\n", near[i].d, f->v[near[i].a].person,
		       f->v[near[i].a].file, f->v[near[i].b].person, f->v[near[i].b].file);
	for (size_t i = 0; i < nfar; i++) {
		const struct named *x = &far[i];
		printf("  farthest genuine %.3f  %s/%s  %s\n", x->d, f->v[x->a].person,
		       f->v[x->a].file, f->v[x->b].file);
	}
	rc = 0;
out:
	free(keep);
	free(gen);
	free(imp);
	return rc;
}

/* Gender accuracy against IDENT_GENDER's "PERSON M|F" lines. */
static void gender(const struct faces *f, const char *path)
{
	FILE *fp = path ? fopen(path, "r") : NULL;
	if (!fp)
		return;
	char line[256], name[128], sex[4];
	size_t right = 0, total = 0, rf = 0, tf = 0;
	while (fgets(line, sizeof line, fp))
		if (sscanf(line, "%127s %3s", name, sex) == 2 && (sex[0] == 'M' || sex[0] == 'F'))
			for (size_t i = 0; i < f->n; i++)
				if (!strcmp(f->v[i].person, name)) {
					total++, right += f->v[i].gender == sex[0];
					tf += sex[0] == 'F', rf += sex[0] == 'F' && f->v[i].gender == 'F';
				}
	fclose(fp);
	printf("gender: %zu of %zu labelled faces right (%.2f%%); women %zu of %zu (%.2f%%), men %zu "
	       "of %zu (%.2f%%)\n",
	       right, total, total ? 100.0 * right / total : 0, rf, tf, tf ? 100.0 * rf / tf : 0,
	       right - rf, total - tf, total > tf ? 100.0 * (right - rf) / (total - tf) : 0);
}

/* FNV-1a of a name: with the seed, which half an identity falls in. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The impostor distances' mean and standard deviation of each network over
 * a fixed-seed sample of the calibration half's pairs (all faces without
 * IDENT_SPLIT): the four figures IDENT_FUSE takes. */
static void fusion_stats(const struct faces *f, int split)
{
	double s[2] = {0}, q[2] = {0};
	size_t k = 0, tries = 0;
	uint64_t seed = 20261203;
	for (; k < 1000000 && tries < 100000000; tries++) {
		size_t a = (size_t)(next_rand(&seed) % f->n), b = (size_t)(next_rand(&seed) % f->n);
		if (f->id[a] == f->id[b] || (split && (f->half[a] || f->half[b])))
			continue;
		double d[2] = {faceres_distance(&f->v[a], &f->v[b]), dlib_distance(&f->v[a], &f->v[b])};
		for (int j = 0; j < 2; j++)
			s[j] += d[j], q[j] += d[j] * d[j];
		k++;
	}
	if (!k)
		return;
	printf("fusion: IDENT_FUSE=%.4f,%.4f,%.4f,%.4f (FaceRes mean, sd; dlib mean, sd of %zu "
	       "impostor pairs%s)\n",
	       s[0] / k, sqrt(q[0] / k - s[0] * s[0] / k / k), s[1] / k,
	       sqrt(q[1] / k - s[1] * s[1] / k / k), k, split ? " of the calibration half" : "");
}

/* IDENT_NET and IDENT_FUSE; -1 when they do not make sense. */
static int choose_net(void)
{
	const char *v = getenv("IDENT_NET");
	net = !v || !*v || !strcmp(v, "faceres") ? NET_FACERES
	      : !strcmp(v, "dlib")               ? NET_DLIB
	      : !strcmp(v, "fused")              ? NET_FUSED
	                                         : (enum net)-1;
	if ((int)net < 0) {
		fprintf(stderr, "bench-face ident: IDENT_NET is faceres, dlib or fused\n");
		return -1;
	}
	const char *fz = getenv("IDENT_FUSE");
	if (net == NET_FUSED && (!fz || sscanf(fz, "%lf,%lf,%lf,%lf", &fuse[0], &fuse[1], &fuse[2],
	                                       &fuse[3]) != 4 || fuse[1] <= 0 || fuse[3] <= 0)) {
		fprintf(stderr, "bench-face ident: IDENT_NET=fused needs IDENT_FUSE=MF,SF,MD,SD\n");
		return -1;
	}
	printf("ident: distance %s\n", net == NET_DLIB    ? "dlib (Euclidean)"
	                               : net == NET_FUSED ? "FaceRes + dlib, each standardised"
	                                                  : "FaceRes (cosine)");
	return 0;
}

int bench_face_ident(const struct kyc_face_engine *e, const char *dir)
{
	struct faces f = {0};
	const char *cache = getenv("IDENT_CACHE");
	int rc = 1;
	if (choose_net())
		return 2;
	if (!cache_load(cache, &f)) {
		printf("ident: %zu faces from the cache %s\n", f.n, cache);
	} else {
		if (read_set(e, dir, &f))
			goto out;
		cache_save(cache, &f);
	}
	f.id = malloc((f.n + 1) * sizeof *f.id);
	f.rank = malloc((f.n + 1) * sizeof *f.rank);
	f.half = malloc(f.n + 1);
	if (!f.n || !f.id || !f.rank || !f.half)
		goto out;
	/* IDENT_SPLIT=SEED: each identity falls in one half by its name and the
	 * seed, so that a threshold read on one half is checked on the other */
	const char *split = getenv("IDENT_SPLIT");
	uint64_t seed = split && *split ? strtoull(split, NULL, 0) : 0;
	for (size_t i = 0; i < f.n; i++) {
		int same = i > 0 && !strcmp(f.v[i].person, f.v[i - 1].person);
		f.id[i] = i == 0 ? 0 : f.id[i - 1] + !same;
		f.rank[i] = same ? f.rank[i - 1] + 1 : 0;
		uint64_t h = seed ^ name_hash(f.v[i].person);
		f.half[i] = (unsigned char)(next_rand(&h) & 1);
	}
	long long sample = getenv("IDENT_IMPOSTORS") ? strtoll(getenv("IDENT_IMPOSTORS"), NULL, 10)
	                                             : 0;
	int cap = env_int("IDENT_CAP", 10);
	if (pairs(&f, 0, sample, 1, -1) || pairs(&f, cap, sample, 0, -1))
		goto out;
	if (seed) {
		printf("split: IDENT_SPLIT=%s, identities halved by name\n", split);
		for (int h = 0; h < 2; h++)
			if (pairs(&f, 0, sample, 0, h) || pairs(&f, cap, sample, 0, h))
				goto out;
	}
	if (net == NET_FACERES)
		fusion_stats(&f, seed != 0);
	gender(&f, getenv("IDENT_GENDER"));
	rc = 0;
out:
	free(f.v);
	free(f.id);
	free(f.rank);
	free(f.half);
	return rc;
}
