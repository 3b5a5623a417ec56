/* libFuzzer target: a driving licence's back read from its picture
 * (document/card_dl_aamva.h, kyc_dl_read with the back only) on arbitrary
 * pixels: the barcodes looked for, the card found and rectified, and the
 * PDF417's module measured from its start and stop bars when none decodes.
 * Input as the presence target's (gray_plane.h). Whatever the pixels, the
 * answer is an object whose reason is null exactly when an AAMVA barcode
 * decoded, and otherwise one of the documented codes; barcode_module_px is
 * null, or a finite module of the standard's sizes (0.15-0.6 mm on the
 * rectified card) times a card scale in the picture, and present only with
 * barcode_too_small or barcode_unreadable, the first under
 * KYC_DL_MIN_MODULE_PX. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/barcode.h"
#include "document/card_dl_aamva.h"
#include "gray_plane.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* In this process, unlike the server (docs/security.md): the fuzzer
	 * must see kycd's own code's coverage and faults, which a child
	 * process would hide. */
	kyc_barcode_set_isolated(KYC_BARCODE_IN_PROCESS);
	struct kyc_image img;
	if (fuzz_gray_plane(data, size, &img))
		return 0;
	int err = 0;
	json_t *x = kyc_dl_read(NULL, &img, &err);
	if (!x) {
		if (err != KYC_ERR_NOMEM)
			__builtin_trap();
		free(img.gray);
		return 0;
	}
	const char *why = json_string_value(json_object_get(x, "reason"));
	int found = json_is_true(json_object_get(x, "barcode_found"));
	if (found != !why)
		__builtin_trap();
	const json_t *m = json_object_get(x, "barcode_module_px");
	int small = why && !strcmp(why, "barcode_too_small");
	int unreadable = why && !strcmp(why, "barcode_unreadable");
	if (why && !small && !unreadable && strcmp(why, "no_barcode_found") && strncmp(why, "aamva_", 6))
		__builtin_trap();
	if (!json_is_null(m)) {
		double v = json_number_value(m);
		if (!(small || unreadable) || !isfinite(v) || v <= 0 ||
		    (small && v >= KYC_DL_MIN_MODULE_PX) || (unreadable && v < KYC_DL_MIN_MODULE_PX))
			__builtin_trap();
	} else if (small || unreadable) {
		__builtin_trap();
	}
	json_decref(x);
	free(img.gray);
	return 0;
}
