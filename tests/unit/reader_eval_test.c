/* The reader on a small fixed evaluation set (docs/synth.md, "Evaluation
 * seeds": kyc_synth_eval_seed(2), never used for training): every difficulty
 * class of real photos at every level, and photos holding no MRZ at all.
 *
 * It must never call anything valid on a photo without MRZ, nor a misread
 * valid. The floor on exact reads is what the reader reached on this set
 * when the test was written (the set is fixed, so the count is
 * deterministic on one build): raise it as the reader improves, so that a
 * change that loses ground fails here. bench/reader measures the same
 * classes on larger sets. Photos are made and read on two threads. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "document/doc_read.h"
#include "document/image.h"
#include "document/synth.h"
#include "test.h"

/* What the reader did on one photo. */
struct outcome {
	int cls, level, index, rc;
	int read, valid, exact;
};

struct work {
	struct outcome *o;
	int n, next;
	pthread_mutex_t mu;
};

static void read_one(struct outcome *o)
{
	struct kyc_synth_doc d;
	unsigned char *jpg = NULL;
	size_t len;
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE};
	struct kyc_image img;
	o->rc = kyc_synth_make_class(kyc_synth_eval_seed(2), o->index, o->level,
	                             (enum kyc_synth_class)o->cls, KYC_SYNTH_MIXED, &d, &jpg, &len);
	if (o->rc)
		return;
	o->rc = kyc_image_decode(jpg, len, &opts, &img, NULL);
	free(jpg);
	if (o->rc)
		return;
	/* The path of API uploads and kycd scan. */
	struct kyc_doc_read rd;
	o->rc = kyc_doc_read(&img, kyc_now_ms() / 86400000, &rd);
	kyc_image_free(&img);
	if (o->rc || !rd.mrz)
		return;
	o->read = 1;
	o->valid = json_is_true(json_object_get(rd.mrz, "valid"));
	json_t *lines = json_object_get(rd.mrz, "lines");
	int exact = d.id.nlines > 0 && (int)json_array_size(lines) == d.id.nlines;
	for (int i = 0; exact && i < d.id.nlines; i++)
		exact = !strcmp(json_string_value(json_array_get(lines, (size_t)i)), d.id.lines[i]);
	o->exact = exact;
	kyc_doc_read_release(&rd);
}

static void *worker(void *arg)
{
	struct work *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		int i = w->next++;
		pthread_mutex_unlock(&w->mu);
		if (i >= w->n)
			return NULL;
		read_one(&w->o[i]);
	}
}

static void run_all(struct outcome *o, int n)
{
	struct work w = {o, n, 0, PTHREAD_MUTEX_INITIALIZER};
	pthread_t t;
	int threaded = pthread_create(&t, NULL, worker, &w) == 0;
	worker(&w);
	if (threaded)
		pthread_join(t, NULL);
}

#define PER_CELL 1 /* photos per class and level */
#define NOMRZ 30

/* The floor: the reader read 26 of the 33 class photos exactly before issue
 * 11's engine work, 29 after its first merge (main 4bc640d), 30 with the OCR
 * model retrained on many renderings (docs/ocr.md) and 32 with the locator's
 * work on edges, flattening and line choice (branch readloc), measured again
 * with both merged; one of slack for another machine's libm and libjpeg. */
#define EXACT_FLOOR 31

TEST(classes_and_no_mrz)
{
	enum { NCLS = KYC_SYNTH_CLASS_MIXED - KYC_SYNTH_CLASS_PERSPECTIVE + 1 };
	int n = NCLS * 3 * PER_CELL + NOMRZ, k = 0;
	struct outcome *o = calloc((size_t)n, sizeof *o);
	REQUIRE(o != NULL);
	for (int c = 0; c < NCLS; c++)
		for (int level = 0; level <= 2; level++)
			for (int i = 0; i < PER_CELL; i++, k++)
				o[k] = (struct outcome){.cls = KYC_SYNTH_CLASS_PERSPECTIVE + c,
				                        .level = level,
				                        .index = c * 100 + level * 10 + i};
	for (int i = 0; i < NOMRZ; i++, k++)
		o[k] = (struct outcome){.cls = KYC_SYNTH_CLASS_NOMRZ, .level = i % 3, .index = i};
	run_all(o, n);

	int exact = 0, wrong_valid = 0, false_valid = 0, nomrz_read = 0;
	for (int c = 0; c < NCLS; c++) {
		int ex = 0, tot = 0;
		for (int j = 0; j < 3 * PER_CELL; j++) {
			const struct outcome *x = &o[c * 3 * PER_CELL + j];
			CHECK_INT(x->rc, 0);
			ex += x->exact, tot++;
			if (x->valid && !x->exact) {
				wrong_valid++;
				printf("  misread called valid: class %s level %d index %d\n",
				       kyc_synth_class_name(x->cls), x->level, x->index);
			}
		}
		printf("  %-12s %d/%d exact\n",
		       kyc_synth_class_name(KYC_SYNTH_CLASS_PERSPECTIVE + c), ex, tot);
		exact += ex;
	}
	for (int i = n - NOMRZ; i < n; i++) {
		CHECK_INT(o[i].rc, 0);
		nomrz_read += o[i].read;
		if (o[i].valid) {
			false_valid++;
			printf("  valid read on a photo without MRZ: level %d index %d\n",
			       o[i].level, o[i].index);
		}
	}
	printf("  classes: %d/%d exact (floor %d), %d misread valid; no MRZ: %d photos, %d "
	       "read, %d valid\n",
	       exact, NCLS * 3 * PER_CELL, EXACT_FLOOR, wrong_valid, NOMRZ, nomrz_read,
	       false_valid);
	CHECK_INT(false_valid, 0);
	CHECK_INT(wrong_valid, 0);
	CHECK(exact >= EXACT_FLOOR);
	free(o);
}

int main(void)
{
	RUN(classes_and_no_mrz);
	return test_done("reader_eval");
}
