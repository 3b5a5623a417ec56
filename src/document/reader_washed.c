/* A washed loose layout read again (reader_washed.h). A glare stripe or a
 * shadow's edge across an MRZ leaves the glyphs under it a fraction of the
 * contrast of the others: the flattened band makes the paper white on both
 * sides of the edge, but not the ink as dark. The loose layout still lays
 * the grid over them (its pitch comes from the gray band), yet the
 * classifier reads the pale strokes as broken glyphs and a check digit
 * fails. Glare lowers the ink-paper step of a stretch of the line by one
 * factor, as a watermark's letter does, so the same local stretch gives it
 * back (reader_overlay.c). Only after every loose reading failed as it was,
 * so a layout read before reads the same. */
#include "document/reader_washed.h"

#include <stdlib.h>

#include "core/err.h"
#include "document/reader_int.h"
#include "document/reader_overlay.h"

int kyc_reader__read_washed(const struct kyc_reader__band *b, struct kyc_reader__layout *lay,
                            struct kyc_reader__reading *r)
{
	struct kyc_reader__band d = {0};
	int rc = kyc_reader__band_overlay(b, lay, &d);
	if (rc)
		return rc == KYC_ERR_NOMEM ? rc : 0;
	kyc_reader__read_cells(&d, lay, r);
	kyc_reader__try_shifts(&d, lay, r);
	kyc_reader__align_lines(&d, lay, r);
	/* the quiet zone on the band as it was: the stretch darkens specks */
	rc = kyc_reader__all_checks(r) &&
	     kyc_reader__sure_checked(r->nlines, r->len, r->lines, r->conf) &&
	     kyc_reader__quiet_ends(b, lay);
	free(d.px);
	return rc;
}
