/* Generated photos read by the whole reader, for tests that hold the reader
 * to photos of a development seed whose truth is known. */
#ifndef KYC_TEST_SYNTH_READ_H
#define KYC_TEST_SYNTH_READ_H

#include <stdint.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"

/* Generates photo i of class cls at level for seed (its truth in *d) and
 * decodes it as the upload path does into *img (the caller frees it with
 * kyc_image_free). 0, or -1 when the photo cannot be made or decoded. */
int tsynth_photo(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		 struct kyc_synth_doc *d, struct kyc_image *img);
/* Generates photo i of class cls at level for seed, decodes it as the
 * upload path does and scans it; prints one line saying what came of it.
 * 1 when the reading's lines are the truth's, 0 otherwise (a photo that
 * cannot be made or decoded counts as not read). */
int tsynth_reads_exactly(uint64_t seed, int i, int level, enum kyc_synth_class cls);
/* The same, with the scan's result in *r and whether it is the truth in
 * *exact; returns kyc_reader_scan's code, or -1 when the photo cannot be
 * made or decoded. */
int tsynth_scan(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		struct kyc_reader_result *r, int *exact);

/* Generates photo i of class cls at level for seed, decodes it and reads it
 * as an upload is read (kyc_doc_read, the parser's JSON): whether its MRZ
 * lines are the truth's in *exact and whether it was called valid in *valid.
 * 0 when an MRZ was read, 1 when none was, -1 when the photo cannot be made,
 * decoded or read. */
int tsynth_doc_read(uint64_t seed, int i, int level, enum kyc_synth_class cls,
		    int64_t today_days, int *exact, int *valid);

#endif
