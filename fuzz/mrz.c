/* libFuzzer target: the MRZ parser and its JSON writer on arbitrary bytes.
 * Checks the invariants the callers rely on: a parse either fails with
 * KYC_ERR_INVALID or yields NUL-terminated fields and lines of the format's
 * shape, "valid" implies every carried check passed, and every field's
 * confidence is in [0,1] whatever the OCR's confidences were. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "document/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kyc_mrz m;
	char err[128];
	/* 2026-06-15, fixed so that runs reproduce. */
	const int64_t today = 20619;
	int rc;
	/* Inputs starting with '#' exercise the OCR hints: the rest is split
	 * into text and its parallel second choices. */
	if (size > 0 && data[0] == '%') {
		/* text, second choices and one confidence byte per char (/200, so
		 * values above 1 occur too) */
		size_t n = (size - 1) / 3;
		float conf[4096];
		if (n > sizeof conf / sizeof conf[0])
			n = sizeof conf / sizeof conf[0];
		for (size_t i = 0; i < n; i++)
			conf[i] = data[1 + 2 * n + i] / 200.0f;
		rc = kyc_mrz_parse_ocr((const char *)data + 1, (const char *)data + 1 + n, conf, n,
		                       today, &m, err, sizeof err);
	} else if (size > 0 && data[0] == '#') {
		size_t n = (size - 1) / 2;
		rc = kyc_mrz_parse_ex((const char *)data + 1, (const char *)data + 1 + n, n, today,
		                      &m, err, sizeof err);
	} else {
		rc = kyc_mrz_parse((const char *)data, size, today, &m, err, sizeof err);
	}
	if (rc != 0) {
		if (rc != KYC_ERR_INVALID || memchr(err, '\0', sizeof err) == NULL)
			abort();
		json_t *e = kyc_mrz_error_json(err);
		json_decref(e);
		return 0;
	}
	if (m.nlines < 2 || m.nlines > 3 || (m.valid && m.checks_ok != m.checks))
		abort();
	for (int i = 0; i < KYC_MRZ_NFIELDS; i++)
		if (!(m.field_conf[i] >= 0 && m.field_conf[i] <= 1))
			abort();
	size_t w = strlen(m.lines[0]);
	for (int i = 1; i < m.nlines; i++)
		if (strlen(m.lines[i]) != w)
			abort();
	json_t *j = kyc_mrz_to_json(&m);
	if (j) {
		char *s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	return 0;
}
