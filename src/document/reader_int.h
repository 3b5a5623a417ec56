/* Internals of the MRZ reader shared by reader.c (the scan: candidates,
 * bands, the passes and the last resorts) and reader_cells.c (a layout's
 * cells classified, its grid moved a cell, the reading scored). Not for use
 * outside src/document/reader*.c. */
#ifndef KYC_READER_INT_H
#define KYC_READER_INT_H

#include "document/mrz_decode.h"
#include "document/reader.h"

/* One reading of a band's layout: the lines (decoded under the check
 * digits, mrz_decode.h), each character's confidence and runner-up, and
 * what the scan compares readings by. */
struct kyc_reader__reading {
	int nlines, len;
	char lines[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS + 1];
	float conf[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	char alt[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	float alt_conf[KYC_READER_MAX_LINES][KYC_READER_MAX_CHARS];
	double mean_conf, min_conf, score;
	int checks_ok, checks_total;
	struct kyc_mrz_cands cands; /* the classifier's top candidates per cell */
};

/* A cheap vote on whether lay is upright on b, before paying for every
 * cell: the mean best score of a few cells spread over its lines. */
double kyc_reader__sample_conf(const struct kyc_reader__band *b,
			       const struct kyc_reader__layout *lay);
/* Classifies every cell of lay on b into r (overwritten), decodes it under
 * its check digits and scores it (checks right plus mean confidence). */
void kyc_reader__read_cells(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
			    struct kyc_reader__reading *r);
/* A line whose grid landed one cell off, read again a cell over (up to
 * twice), kept when its scores are better and no check digit is lost
 * (docs/reader.md, step 11). Updates r and lay. */
void kyc_reader__try_shifts(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
			    struct kyc_reader__reading *r);
/* A line whose first cell sits a pitch or two off the others', read again
 * moved onto them, kept when no check digit is lost and it scores at least
 * as well (step 11). Updates r and lay. */
void kyc_reader__align_lines(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
			     struct kyc_reader__reading *r);
/* 1 when r has check digits and every one holds. */
int kyc_reader__all_checks(const struct kyc_reader__reading *r);
/* 1 when the cells just beyond both ends of every line of lay hold no
 * confident glyph (the MRZ's quiet zone). */
int kyc_reader__quiet_ends(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay);
/* Below this mean confidence a reading whose check digits fail is refused
 * as unreadable (reader.c). */
#define KYC_READER__UNREADABLE 0.5
/* 1 when r is such a reading (reader_unread.c): a later locator pass runs
 * past it, keeping only a reading whose every check digit holds on surely
 * read characters. */
int kyc_reader__unreadable(const struct kyc_reader__reading *r);

#endif
