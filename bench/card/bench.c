/* bench/card: the Egyptian national ID reader on generated cards (front and
 * back photos at levels 0 and 1, `kycd synth --kind eg-nid`'s generator):
 * per-field exact share and character error rate against the ground truth,
 * cards whose contradictions were flagged, and the CPU time of reading
 * front plus back on one core (median, p95). Usage: bench N SEED */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "document/card_eg_nid.h"
#include "document/image.h"
#include "document/synth_card.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Code points of s into cp (at most cap); returns how many. */
static int codepoints(const char *s, unsigned *cp, int cap)
{
	int n = 0;
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	while (len > 0 && n < cap) {
		size_t k = kyc_utf8_next(p, len, &cp[n++]);
		p += k, len -= k;
	}
	return n;
}

/* Levenshtein distance in code points. */
static int edits(const char *a, const char *b)
{
	unsigned A[300], B[300];
	int na = codepoints(a, A, 300), nb = codepoints(b, B, 300);
	int prev[301], cur[301];
	for (int j = 0; j <= nb; j++)
		prev[j] = j;
	for (int i = 1; i <= na; i++) {
		cur[0] = i;
		for (int j = 1; j <= nb; j++) {
			int s = prev[j - 1] + (A[i - 1] != B[j - 1]);
			int d = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = s < d ? (s < ins ? s : ins) : (d < ins ? d : ins);
		}
		memcpy(prev, cur, sizeof cur);
	}
	return prev[nb];
}

/* The fields compared: the extraction's name and the truth's. */
static const struct {
	const char *out, *truth;
} fields[] = {
	{"first_name", "first_name"},	{"rest_name", "rest_name"},
	{"first_name_en", "first_name_en"}, {"family_name_en", "rest_name_en"},
	{"address1", "address1"},	{"address2", "address2"},
	{"national_number", "national_number"}, {"national_number_back", "national_number_back"},
	{"document_number", "serial"},	{"birth_date", "birth_date"},
	{"issue_date", "issue_date"},	{"expiry_date", "expiry_date"},
	{"profession", "profession"},	{"gender", "gender"},
	{"religion", "religion"},	{"marital_status", "marital_status"},
	{"husband_name", "husband_name"},
};
#define NF (sizeof fields / sizeof fields[0])

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int load_side(uint64_t seed, int i, int level, enum kyc_card_side side,
		     const struct kyc_egnid_card *c, struct kyc_image *img)
{
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	int rc = kyc_synth_egnid_render(seed, i, level, side, c, &shot, &im);
	if (!rc)
		rc = kyc_synth_jpeg(&im, shot.quality, &jpeg, &len);
	kyc_synth_image_release(&im);
	if (!rc)
		rc = kyc_image_decode(jpeg, len, NULL, img, NULL);
	free(jpeg);
	return rc;
}

static void run_level(int n, uint64_t seed, int level, int contradict)
{
	int exact[NF] = {0}, total[NF] = {0}, accepted_wrong[NF] = {0};
	long err_chars[NF] = {0}, truth_chars[NF] = {0};
	double *ms = calloc((size_t)n, sizeof *ms);
	int flagged = 0, all_exact = 0, number_exact = 0, number_wrong = 0;
	for (int i = 1; i <= n; i++) {
		struct kyc_egnid_card c;
		kyc_synth_egnid_card(seed, i, &c);
		if (contradict) { /* the printed gender disagrees with the number */
			snprintf(c.gender, sizeof c.gender, "%s", strcmp(c.gender, "ذكر") ? "ذكر" : "أنثى");
		}
		struct kyc_image f, b;
		if (load_side(seed, i, level, KYC_CARD_FRONT, &c, &f) ||
		    load_side(seed, i, level, KYC_CARD_BACK, &c, &b)) {
			fprintf(stderr, "bench/card: cannot generate card %d\n", i);
			exit(1);
		}
		int err;
		double t0 = cpu_ms();
		json_t *x = kyc_egnid_read(&f, &b, &err);
		ms[i - 1] = cpu_ms() - t0;
		kyc_image_free(&f);
		kyc_image_free(&b);
		if (!x) {
			fprintf(stderr, "bench/card: read failed (%d)\n", err);
			exit(1);
		}
		json_t *truth = json_object();
		char en1[256], en2[512];
		kyc_egnid_transliterate(c.first_name, en1, sizeof en1);
		kyc_egnid_transliterate(c.rest_name, en2, sizeof en2);
		int card_exact = 1;
		for (size_t k = 0; k < NF; k++) {
			const char *want = !strcmp(fields[k].truth, "first_name_en")  ? en1
					   : !strcmp(fields[k].truth, "rest_name_en") ? en2
					   : NULL;
#define T(name)                                                                                    \
	if (!want && !strcmp(fields[k].truth, #name))                                              \
		want = c.name;
			T(first_name) T(rest_name) T(address1) T(address2) T(national_number)
			T(national_number_back) T(serial) T(birth_date) T(issue_date) T(expiry_date)
			T(profession) T(gender) T(religion) T(marital_status) T(husband_name)
#undef T
			if (!want || !*want)
				continue;
			json_t *fv = json_object_get(json_object_get(x, "fields"), fields[k].out);
			const char *got = json_string_value(json_object_get(fv, "value"));
			int ok = got && !strcmp(got, want);
			if (!ok && getenv("BENCH_VERBOSE"))
				fprintf(stderr, "L%d #%d %s: got [%s] want [%s]\n", level, i, fields[k].out,
					got ? got : "(null)", want);
			total[k]++;
			exact[k] += ok;
			card_exact &= ok;
			accepted_wrong[k] += !ok && json_is_true(json_object_get(fv, "accepted"));
			int tl = codepoints(want, (unsigned[300]){0}, 300);
			truth_chars[k] += tl;
			err_chars[k] += got ? edits(got, want) : tl;
		}
		all_exact += card_exact;
		/* The card's number: what the reader accepted on either side (the
		 * front's first), as seed 000 and the workflow use it. */
		const char *num = NULL;
		for (int side = 0; side < 2 && !num; side++) {
			json_t *fv = json_object_get(json_object_get(x, "fields"),
						     side ? "national_number_back" : "national_number");
			if (json_is_true(json_object_get(fv, "accepted")))
				num = json_string_value(json_object_get(fv, "value"));
		}
		number_exact += num && !strcmp(num, c.national_number);
		number_wrong += num && strcmp(num, c.national_number);
		flagged += json_array_size(json_object_get(x, "contradictions")) > 0;
		json_decref(truth);
		json_decref(x);
	}
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	printf("level %d%s: %d cards, all fields exact on %.1f%%, contradictions flagged on %.1f%%, "
	       "front+back median %.0f ms, p95 %.0f ms (CPU, one core)\n",
	       level, contradict ? " (gender contradicts the number)" : "", n, 100.0 * all_exact / n,
	       100.0 * flagged / n, ms[n / 2], ms[(int)(n * 0.95)]);
	if (!contradict)
		printf("  the card's number (accepted on either side): exact %.1f%%, wrong but accepted %d\n",
		       100.0 * number_exact / n, number_wrong);
	if (!contradict)
		for (size_t k = 0; k < NF; k++)
			if (total[k])
				printf("  %-22s exact %5.1f%%  CER %5.2f%%  accepted-but-wrong %d\n",
				       fields[k].out, 100.0 * exact[k] / total[k],
				       100.0 * err_chars[k] / (truth_chars[k] ? truth_chars[k] : 1),
				       accepted_wrong[k]);
	free(ms);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 100;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261202;
	if (n < 1)
		n = 1;
	/* Warm up: Tesseract's models and the digit templates load once. */
	{
		struct kyc_egnid_card c;
		struct kyc_image f;
		kyc_synth_egnid_card(seed + 1, 1, &c);
		if (load_side(seed + 1, 1, 0, KYC_CARD_FRONT, &c, &f) == 0) {
			int err;
			json_decref(kyc_egnid_read(&f, &f, &err));
			kyc_image_free(&f);
		}
	}
	run_level(n, seed, 0, 0);
	run_level(n, seed, 1, 0);
	run_level(n < 50 ? n : 50, seed, 1, 1);
	return 0;
}
