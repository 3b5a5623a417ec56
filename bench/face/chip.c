/* bench/face chip (chip.h): a dlib-style face chip from our landmarks, for
 * measurement only. */
#include "chip.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "face/face.h"
#include "face/nets.h"
#include "face/sample.h"
#include "flows/face_checks.h"
#include "age.h"

#define FIRST 17 /* the jaw (0..16) follows the head's outline, not the face: left out */
#define NPTS (KYC_FACE_LANDMARKS - FIRST)
#define PADDING 0.25

/* Landmarks 17..67 of the mean near-frontal face, x 0..1, top at y 0:
 * `bench-face chip-template` on 508 LFW photos of people outside the
 * measured subset (121 near-frontal faces) (bench/README.md, branch face10b). */
static const double TEMPLATE[NPTS][2] = {
    {0.0000, 0.0673}, {0.0721, 0.0183}, {0.1696, 0.0013}, {0.2610, 0.0078}, {0.3418, 0.0362},
    {0.6579, 0.0378}, {0.7373, 0.0115}, {0.8240, 0.0000}, {0.9269, 0.0160}, {1.0000, 0.0644},
    {0.4997, 0.2098}, {0.5000, 0.3215}, {0.4997, 0.4277}, {0.4980, 0.5249}, {0.3956, 0.5830},
    {0.4419, 0.6015}, {0.5004, 0.6118}, {0.5602, 0.5957}, {0.6074, 0.5842}, {0.1243, 0.1899},
    {0.1815, 0.1696}, {0.2604, 0.1677}, {0.3304, 0.2043}, {0.2683, 0.2298}, {0.1856, 0.2230},
    {0.6643, 0.2047}, {0.7358, 0.1654}, {0.8187, 0.1663}, {0.8731, 0.1977}, {0.8146, 0.2281},
    {0.7319, 0.2220}, {0.2693, 0.7866}, {0.3498, 0.7489}, {0.4490, 0.7230}, {0.5021, 0.7327},
    {0.5521, 0.7177}, {0.6586, 0.7503}, {0.7454, 0.7866}, {0.6560, 0.8512}, {0.5837, 0.8867},
    {0.5030, 0.8978}, {0.4318, 0.8897}, {0.3550, 0.8585}, {0.2831, 0.7881}, {0.4281, 0.7752},
    {0.5028, 0.7754}, {0.5733, 0.7772}, {0.7252, 0.7840}, {0.5760, 0.8148}, {0.5051, 0.8223},
    {0.4352, 0.8188},
};

static struct kyc_face_nets *nets;

int bench_face_chip_on(void)
{
	const char *v = getenv("KYC_FACE_ALIGN");
	return v && !strcmp(v, "chip");
}

void bench_face_fit_square(const double (*tmpl)[2], const double (*pts)[2], int n, double tcx,
                           double tcy, double tside, double *x0, double *y0, double *side,
                           double *angle)
{
	double tm[2] = {0, 0}, pm[2] = {0, 0};
	for (int i = 0; i < n; i++) {
		tm[0] += tmpl[i][0], tm[1] += tmpl[i][1];
		pm[0] += pts[i][0], pm[1] += pts[i][1];
	}
	tm[0] /= n, tm[1] /= n, pm[0] /= n, pm[1] /= n;
	double sa = 0, sb = 0, st = 0;
	for (int i = 0; i < n; i++) {
		double tx = tmpl[i][0] - tm[0], ty = tmpl[i][1] - tm[1];
		double px = pts[i][0] - pm[0], py = pts[i][1] - pm[1];
		sa += tx * px + ty * py;
		sb += tx * py - ty * px;
		st += tx * tx + ty * ty;
	}
	double a = sa / st, b = sb / st; /* s·cos, s·sin */
	double ux = tcx - tm[0], uy = tcy - tm[1];
	double cx = pm[0] + a * ux - b * uy, cy = pm[1] + b * ux + a * uy;
	*side = hypot(a, b) * tside;
	*angle = atan2(b, a);
	*x0 = cx - *side / 2;
	*y0 = cy - *side / 2;
}

/* The chip: the template's box (centre 0.5, 0.5) padded by PADDING a side. */
static void chip_square(const struct kyc_face *f, double *x0, double *y0, double *side,
                        double *angle)
{
	bench_face_fit_square(TEMPLATE, (const double (*)[2])f->landmarks[FIRST], NPTS, 0.5, 0.5,
	                      1 + 2 * PADDING, x0, y0, side, angle);
}

/* face-api's nets with the recognition network, which the engine leaves out. */
static int load_nets(void)
{
	char dir[1024], err[512] = "";
	if (!nets && (kyc_face_models_dir(dir, sizeof dir) ||
	              kyc_face_nets_load(dir, KYC_FACE_NETS_RECOGNITION, &nets, err, sizeof err))) {
		fprintf(stderr, "bench-face chip: no models: %s\n", err);
		return -1;
	}
	return 0;
}

int bench_face_dlib_embed(const struct kyc_image *img, const struct kyc_face *f, float out[128])
{
	unsigned char *px = NULL;
	struct kyc_tensor t = {0};
	int rc = load_nets();
	if (!rc)
		rc = kyc_face_aligned_crop(img, f, KYC_FACE_EMBED_SIDE, &px);
	if (!rc)
		rc = kyc_tensor_alloc(&t, KYC_FACE_EMBED_SIDE, KYC_FACE_EMBED_SIDE, 3);
	for (size_t i = 0; !rc && i < (size_t)KYC_FACE_EMBED_SIDE * KYC_FACE_EMBED_SIDE * 3; i++)
		t.d[i] = px[i];
	if (!rc)
		rc = kyc_face_net_embedding(nets, &t, out);
	kyc_tensor_free(&t);
	free(px);
	return rc;
}

int bench_face_chip_embed(const struct kyc_image *img, struct kyc_face_list *l)
{
	if (load_nets())
		return -1;
	struct face__rgb rgb = {img->rgb, img->w, img->h};
	for (size_t k = 0; k < l->count; k++) {
		struct kyc_tensor t = {0};
		double x0, y0, side, angle;
		chip_square(&l->faces[k], &x0, &y0, &side, &angle);
		int rc = face__crop(&rgb, x0, y0, side, angle, NULL, KYC_FACE_EMBED_SIDE, &t);
		/* dlib's 128 values, the rest zero: kyc_face_compare's cosine
		 * then compares the dlib vectors alone */
		memset(l->faces[k].embedding, 0, sizeof l->faces[k].embedding);
		if (!rc)
			rc = kyc_face_net_embedding(nets, &t, l->faces[k].embedding);
		kyc_tensor_free(&t);
		if (rc)
			return rc;
	}
	return 0;
}

static void centroid(const struct kyc_face *f, int from, int to, double c[2])
{
	c[0] = c[1] = 0;
	for (int i = from; i < to; i++)
		c[0] += f->landmarks[i][0], c[1] += f->landmarks[i][1];
	c[0] /= to - from, c[1] /= to - from;
}

static int is_file_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int bench_face_chip_template(const struct kyc_face_engine *e, const char *dir)
{
	struct dirent **names = NULL;
	int total = scandir(dir, &names, is_file_entry, alphasort);
	double sum[NPTS][2] = {{0}};
	int used = 0, frontal = 0;
	for (int i = 0; i < total; i++) {
		struct kyc_face_list l = {0};
		double ms;
		int w, h;
		const char *why = NULL;
		int rc = bench_face_read(e, dir, names[i]->d_name, &l, &ms, &w, &h);
		const struct kyc_face *f = rc ? NULL : kyc_face_pick(&l, &why);
		/* Near-frontal only: a turned head's landmarks are foreshortened. */
		if (f && fabs(f->quality.yaw) < 10 && fabs(f->quality.pitch) < 15) {
			double le[2], re[2], mo[2];
			centroid(f, 36, 42, le);
			centroid(f, 42, 48, re);
			centroid(f, 48, 68, mo);
			double ex = (le[0] + re[0]) / 2, ey = (le[1] + re[1]) / 2;
			double an = atan2(re[1] - le[1], re[0] - le[0]);
			double d = hypot(mo[0] - ex, mo[1] - ey);
			for (int p = 0; p < NPTS; p++) {
				double x = f->landmarks[FIRST + p][0] - ex,
				       y = f->landmarks[FIRST + p][1] - ey;
				sum[p][0] += (cos(an) * x + sin(an) * y) / d;
				sum[p][1] += (-sin(an) * x + cos(an) * y) / d;
			}
			frontal++;
		}
		used += f != NULL;
		kyc_face_list_free(&l);
	}
	for (int i = 0; i < total; i++)
		free(names[i]);
	free(names);
	if (!frontal) {
		fprintf(stderr, "bench-face chip-template: no near-frontal face in %s\n", dir);
		return 1;
	}
	double xmin = 1e9, xmax = -1e9, ymin = 1e9;
	for (int p = 0; p < NPTS; p++) {
		sum[p][0] /= frontal, sum[p][1] /= frontal;
		xmin = fmin(xmin, sum[p][0]), xmax = fmax(xmax, sum[p][0]);
		ymin = fmin(ymin, sum[p][1]);
	}
	printf("/* %d images, %d faces, %d near-frontal (|yaw| < 10, |pitch| < 15) */\n",
	       total > 0 ? total : 0, used, frontal);
	for (int p = 0; p < NPTS; p++)
		printf("{%.4f, %.4f},%s", (sum[p][0] - xmin) / (xmax - xmin),
		       (sum[p][1] - ymin) / (xmax - xmin), p % 4 == 3 ? "\n" : " ");
	printf("\n");
	return 0;
}
