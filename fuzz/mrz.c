/* libFuzzer target: the MRZ parser and its JSON writer on arbitrary bytes.
 * Checks the invariants the callers rely on: a parse either fails with
 * KYC_ERR_INVALID or yields NUL-terminated fields and lines of the format's
 * shape, and "valid" implies every carried check passed. */
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
	if (size > 0 && data[0] == '#') {
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
