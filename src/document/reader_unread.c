/* Whether a reading is one the scan refuses as unreadable (docs/reader.md,
 * step 14, "A reading of other print does not end the passes"): check digits
 * failing and a mean confidence under KYC_READER__UNREADABLE. A page's or a
 * receipt's lines laid out as an MRZ read that way (glyphs that are not
 * OCR-B, most cells an `I` at 0.4-0.5); such a reading used to end the
 * locator's passes, so an MRZ that only a later pass finds was never read. */
#include "document/reader_int.h"

int kyc_reader__unreadable(const struct kyc_reader__reading *r)
{
	return !kyc_reader__all_checks(r) && r->mean_conf < KYC_READER__UNREADABLE;
}
