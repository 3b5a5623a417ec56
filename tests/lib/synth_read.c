/* Generated photos read by the whole reader (synth_read.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "document/doc_read.h"
#include "document/image.h"
#include "document/reader.h"
#include "synth_read.h"

int tsynth_photo(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		 struct kyc_synth_doc *d, struct kyc_image *img)
{
	unsigned char *jpg = NULL;
	size_t len;
	if (kyc_synth_make_class(seed, i, level, cls, KYC_SYNTH_MIXED, d, &jpg, &len) != 0)
		return -1;
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE, .keep_bytes = 1};
	int rc = kyc_image_decode(jpg, len, &o, img, NULL);
	free(jpg);
	return rc ? -1 : 0;
}

int tsynth_scan(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		struct kyc_reader_result *r, int *exact)
{
	struct kyc_synth_doc d;
	struct kyc_image img;
	*exact = 0;
	if (tsynth_photo(seed, i, level, cls, &d, &img))
		return -1;
	int rc = kyc_reader_scan(&img, r);
	kyc_image_free(&img);
	*exact = rc == 0 && d.id.nlines > 0 && r->nlines == d.id.nlines;
	for (int l = 0; *exact && l < r->nlines; l++)
		*exact = !strcmp(r->lines[l], d.id.lines[l]);
	printf("  seed %llu, %s level %d, %d: %s\n", (unsigned long long)seed,
	       kyc_synth_class_name(cls), level, i,
	       *exact ? "exact"
	       : rc   ? kyc_reader_reason_name(r->reason)
		      : "misread");
	return rc;
}

int tsynth_reads_exactly(uint64_t seed, int i, int level, enum kyc_synth_class cls)
{
	struct kyc_reader_result r;
	int exact;
	tsynth_scan(seed, i, level, cls, &r, &exact);
	return exact;
}

int tsynth_doc_read(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		    int64_t today_days, int *exact, int *valid)
{
	struct kyc_synth_doc d;
	struct kyc_image img;
	*exact = *valid = 0;
	if (tsynth_photo(seed, i, level, cls, &d, &img))
		return -1;
	struct kyc_doc_read rd;
	int rc = kyc_doc_read(&img, today_days, &rd);
	kyc_image_free(&img);
	if (rc)
		return -1;
	rc = 1;
	if (rd.mrz) {
		json_t *lines = json_object_get(rd.mrz, "lines");
		*exact = (int)json_array_size(lines) == d.id.nlines;
		for (int l = 0; *exact && l < d.id.nlines; l++)
			*exact = !strcmp(json_string_value(json_array_get(lines, (size_t)l)),
			                 d.id.lines[l]);
		*valid = json_is_true(json_object_get(rd.mrz, "valid"));
		rc = 0;
	}
	kyc_doc_read_release(&rd);
	return rc;
}
