/* bench/reader/locate: the MRZ locator of this tree against a baseline's
 * (src/document/locate.c of another commit, built beside it with its symbols
 * renamed base_*), on the same decoded photos, pass by pass (docs/reader.md
 * step 14: working size, finer, coarser, sensitive, turned by 45°). Prints
 * the CPU time of each pass for both and their ratio, and fails when any
 * candidate differs: a speed change must find the same lines.
 *
 *   bench/reader/locate-run [N [SEED [REF]]]   N photos (half without an MRZ) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"

int base_locate_at(const unsigned char *g, int w, int h, int stride, struct kyc_reader__cand *out,
                   int max, double *mean_luma, int work_side, int flags,
                   struct kyc_reader__work *wk);
void base_work_free(struct kyc_reader__work *wk);

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int differ(const struct kyc_reader__cand *a, const struct kyc_reader__cand *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].cx != b[i].cx || a[i].cy != b[i].cy || a[i].ux != b[i].ux ||
		    a[i].uy != b[i].uy || a[i].len != b[i].len || a[i].thick != b[i].thick ||
		    a[i].score != b[i].score || a[i].neighbours != b[i].neighbours)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 60;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 4711;
	static const char *const name[] = {"working size", "finer", "coarser", "sensitive",
	                                   "turned 45"};
	static const int side[] = {KYC_READER__WORK_SIDE, 2 * KYC_READER__WORK_SIDE,
	                           KYC_READER__WORK_SIDE / 2, KYC_READER__WORK_SIDE,
	                           KYC_READER__WORK_SIDE};
	static const int flags[] = {0, 0, 0, KYC_READER__SENSITIVE, KYC_READER__TURN45};
	double tb[5] = {0}, tn[5] = {0};
	int diffs = 0;
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc d;
		unsigned char *jpg;
		size_t len;
		/* every other photo without an MRZ; the others through the classes */
		enum kyc_synth_class cls = i % 2 ? KYC_SYNTH_CLASS_NOMRZ
		                                 : (enum kyc_synth_class)((i / 2) % KYC_SYNTH_CLASS_COUNT);
		if (kyc_synth_make_class(seed, i, i % 3, cls, KYC_SYNTH_MIXED, &d, &jpg, &len))
			return 2;
		struct kyc_image img;
		struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
		int rc = kyc_image_decode(jpg, len, &o, &img, NULL);
		free(jpg);
		if (rc)
			return 2;
		struct kyc_reader__work wb = {0}, wn = {0};
		for (int p = 0; p < 5; p++) {
			struct kyc_reader__cand a[16], b[16];
			double la = 0, lb = 0, t0 = cpu_ms();
			int na = base_locate_at(img.gray, img.w, img.h, img.w, a, 16, &la, side[p],
			                        flags[p], &wb);
			double t1 = cpu_ms();
			int nb = kyc_reader__locate_at(img.gray, img.w, img.h, img.w, b, 16, &lb,
			                               side[p], flags[p], &wn);
			tb[p] += t1 - t0;
			tn[p] += cpu_ms() - t1;
			if (na != nb || la != lb || (na > 0 && differ(a, b, na))) {
				diffs++;
				printf("photo %d, pass %s: candidates differ\n", i, name[p]);
			}
		}
		base_work_free(&wb);
		kyc_reader__work_free(&wn);
		kyc_image_free(&img);
	}
	printf("| pass | base ms/photo | this ms/photo | ratio |\n| --- | ---: | ---: | ---: |\n");
	double sb = 0, sn = 0;
	for (int p = 0; p < 5; p++) {
		printf("| %s | %.2f | %.2f | %.2f |\n", name[p], tb[p] / n, tn[p] / n, tn[p] / tb[p]);
		sb += tb[p];
		sn += tn[p];
	}
	printf("| all five | %.2f | %.2f | %.2f |\n", sb / n, sn / n, sn / sb);
	printf("%d photos of seed %llu, %d passes with other candidates\n", n,
	       (unsigned long long)seed, diffs);
	return diffs != 0;
}
