/* libFuzzer target: an open field of a card read in Arabic until two of
 * its readings agree (document/card_arabic.h) on arbitrary pixels. Input as
 * the presence target's, the plane's first 32..160 columns of its first
 * 32..80 rows a crop of a short field on the rectified card (a first name's
 * is about 114 x 79 px at 10 px/mm), its em 0.55 of its height as a
 * field's is: Tesseract under ASan reads a noise crop 543 px wide twelve
 * times in more than libFuzzer's 10 s. Whatever the pixels, the answer is UTF-8 of the
 * Arabic letters and the space only, its confidence lies in 0..100, and
 * nothing empty is agreed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gray_plane.h"
#include "core/utf8.h"
#include "document/card_arabic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kyc_image img;
	if (fuzz_gray_plane(data, size, &img))
		return 0;
	struct kyc_tess_line line;
	int agreed;
	int w = img.w < 160 ? img.w : 160, h = img.h < 80 ? img.h : 80;
	int rc = kyc_card_read_arabic_agreed(img.gray, w, h, img.w, h * 0.55, &line, &agreed);
	if (rc == 0) {
		if (line.conf < 0 || line.conf > 100 || (agreed && !line.text[0]))
			abort();
		const unsigned char *p = (const unsigned char *)line.text;
		size_t left = strlen(line.text);
		while (left > 0) {
			unsigned cp;
			size_t k = kyc_utf8_next(p, left, &cp);
			/* the space, or the Arabic block the whitelist allows */
			if (k == 0 || (cp != ' ' && (cp < 0x0621 || cp > 0x064A)))
				abort();
			p += k, left -= k;
		}
	}
	free(img.gray);
	return 0;
}
