#include "document/doc_read.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "document/mrz.h"

int kyc_doc_read(const struct kyc_image *img, int64_t today_days, struct kyc_doc_read *out)
{
	memset(out, 0, sizeof *out);
	int rc = kyc_reader_scan(img, &out->reader);
	if (rc == KYC_ERR_NOMEM)
		return rc;
	if (rc || out->reader.nlines == 0) {
		out->reason = kyc_reader_reason_name(out->reader.reason ? out->reader.reason
								: KYC_READER_NO_MRZ_FOUND);
		snprintf(out->message, sizeof out->message, "no readable MRZ in the image");
		return 0;
	}
	/* the lines with the reader's confidence and runner-up per character,
	 * so the parser can say per field how sure the reading is */
	char text[KYC_READER_MAX_LINES * (KYC_READER_MAX_CHARS + 1) + 1];
	char alt[sizeof text];
	float conf[sizeof text];
	size_t n = 0;
	for (int i = 0; i < out->reader.nlines; i++) {
		size_t l = strnlen(out->reader.lines[i], KYC_READER_MAX_CHARS);
		memcpy(text + n, out->reader.lines[i], l);
		for (size_t k = 0; k < l; k++) {
			alt[n + k] = out->reader.alt[i][k];
			conf[n + k] = out->reader.conf[i][k];
		}
		n += l;
		alt[n] = 0;
		conf[n] = 1;
		text[n++] = '\n';
	}
	struct kyc_mrz m;
	if (kyc_mrz_parse_ocr(text, alt, conf, n, today_days, &m, out->message,
			      sizeof out->message) != 0) {
		out->reason = kyc_reader_reason_name(KYC_READER_MRZ_UNREADABLE);
		return 0;
	}
	out->mrz = kyc_mrz_to_json(&m);
	return out->mrz ? 0 : KYC_ERR_NOMEM;
}

void kyc_doc_read_release(struct kyc_doc_read *r)
{
	json_decref(r->mrz);
	r->mrz = NULL;
}
