/* bench/face tight (tight.h). */
#include "tight.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "document/image.h"
#include "face/face.h"
#include "../lib/timing.h"

#define SIDE 200
static const double SCALES[] = {1.0, 1.1, 1.25};
#define NKINDS 4 /* as they are, then each scale */

struct tally {
	int crops[NKINDS], found[NKINDS], misses;
	double *ms;
	int nms, cap;
};

/* Reads one crop; a miss is written as a PNG. */
static void one(const struct kyc_face_engine *e, const struct kyc_image *crop, int kind,
                const char *outdir, struct tally *t)
{
	struct kyc_face_list l = {0};
	double t0 = bench_cpu_ms();
	int rc = kyc_face_analyze(e, crop, &l);
	double ms = bench_cpu_ms() - t0;
	if (t->nms == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->ms = realloc(t->ms, (size_t)t->cap * sizeof *t->ms);
	}
	t->ms[t->nms++] = ms;
	t->crops[kind]++;
	if (!rc && l.count > 0) {
		t->found[kind]++;
	} else {
		kyc_buf png;
		char path[1024];
		kyc_buf_init(&png, 16u << 20);
		snprintf(path, sizeof path, "%s/miss-%d.png", outdir, t->misses++);
		FILE *f = kyc_image_write_png_rgb(crop->rgb, crop->w, crop->h, &png) ? NULL
		                                                                     : fopen(path, "wb");
		if (f) {
			fwrite(png.data, 1, png.len, f);
			fclose(f);
		}
		kyc_buf_release(&png);
	}
	kyc_face_list_free(&l);
}

int bench_face_tight(const struct kyc_face_engine *e, const char *outdir, int n, char **files)
{
	struct tally t = {{0}, {0}, 0, NULL, 0, 0};
	for (int i = 0; i < n; i++) {
		struct kyc_image im;
		struct kyc_image_opts o = {.want_rgb = 1};
		if (kyc_image_load(files[i], &o, &im, NULL))
			continue;
		if (im.w <= 256 && im.h <= 256) {
			one(e, &im, 0, outdir, &t);
			kyc_image_free(&im);
			continue;
		}
		struct kyc_face_list l = {0};
		if (!kyc_face_analyze(e, &im, &l)) {
			for (size_t f = 0; f < l.count; f++) {
				const double *b = l.faces[f].box;
				if (b[2] < 64)
					continue;
				for (int s = 0; s < (int)(sizeof SCALES / sizeof SCALES[0]); s++) {
					double side = SCALES[s] * fmax(b[2], b[3]);
					struct kyc_image c = {.w = SIDE, .h = SIDE};
					c.rgb = bench_face_cut(&im, b[0] + b[2] / 2 - side / 2,
					                       b[1] + b[3] / 2 - side / 2, side, side,
					                       SIDE, SIDE);
					one(e, &c, 1 + s, outdir, &t);
					free(c.rgb);
				}
			}
		}
		kyc_face_list_free(&l);
		kyc_image_free(&im);
	}
	if (t.nms == 0)
		return 1;
	qsort(t.ms, (size_t)t.nms, sizeof *t.ms, bench_cmp_double);
	printf("tight crops: %d, median %.1f ms CPU a crop (kyc_face_analyze, the padded passes "
	       "included), %d missed (written to %s/miss-N.png)\n",
	       t.nms, t.ms[t.nms / 2], t.misses, outdir);
	static const char *const names[NKINDS] = {"as they are (<= 256 px)", "cut at 1.0 x box",
	                                          "cut at 1.1 x box", "cut at 1.25 x box"};
	for (int k = 0; k < NKINDS; k++)
		if (t.crops[k])
			printf("  %-26s %4d crops, face found in %4d (%.1f %%)\n", names[k],
			       t.crops[k], t.found[k], 100.0 * t.found[k] / t.crops[k]);
	free(t.ms);
	return 0;
}
