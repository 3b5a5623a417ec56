/* libFuzzer target: the erasure log (src/flows/erasure_log.c) as it is read
 * back at start-up, from a file a crash cut or someone changed. Checks: no
 * crash; every line is either an entry or counted bad; and an entry written
 * again reads back as the same entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flows/erasure_log.h"

static int same(const struct kyc_erasure_entry *e, void *arg)
{
	const struct kyc_erasure_entry *want = arg;
	if (strcmp(e->tenant_id, want->tenant_id) || strcmp(e->applicant_id, want->applicant_id) ||
	    e->at_ms != want->at_ms)
		abort();
	return 1; /* seen */
}

static int again(const struct kyc_erasure_entry *e, void *arg)
{
	char line[KYC_ERASURE_LOG_LINE_MAX];
	int n = kyc_erasure_log_format(e, line);
	long bad = 0;
	if (n <= 0 || kyc_erasure_log_parse(line, (size_t)n, same, (void *)e, &bad) != 1 || bad)
		abort();
	(*(long *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	long entries = 0, bad = 0, lines = 0;
	for (size_t i = 0; i < size; i++)
		lines += p[i] == '\n';
	if (size && p[size - 1] != '\n')
		lines++;
	if (kyc_erasure_log_parse(p, size, again, &entries, &bad) != 0 || entries + bad != lines)
		abort();
	free(p);
	return 0;
}
