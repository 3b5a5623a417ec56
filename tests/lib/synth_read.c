/* Generated photos read by the whole reader (synth_read.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/reader.h"
#include "synth_read.h"

int tsynth_scan(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		struct kyc_reader_result *r, int *exact)
{
	struct kyc_synth_doc d;
	unsigned char *jpg;
	size_t len;
	*exact = 0;
	if (kyc_synth_make_class(seed, i, level, cls, KYC_SYNTH_MIXED, &d, &jpg, &len) != 0)
		return -1;
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE};
	struct kyc_image img;
	int rc = kyc_image_decode(jpg, len, &o, &img, NULL);
	free(jpg);
	if (rc != 0)
		return -1;
	rc = kyc_reader_scan(&img, r);
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
