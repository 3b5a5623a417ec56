/* kycd mrz: MRZ text on stdin (documents separated by blank lines), one JSON
 * object per document on stdout. Exit 0 when every document parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "document/mrz.h"

#define MRZ_STDIN_MAX (1u << 20)

static int blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Prints one JSON object on its own line; returns 0 or -1. */
static int print_json(json_t *j)
{
	if (!j)
		return -1;
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return -1;
	int rc = printf("%s\n", s) < 0 ? -1 : 0;
	free(s);
	return rc;
}

/* Parses and prints one document; returns 1 when it parsed. */
static int one_document(const char *p, size_t n, int64_t today)
{
	struct kyc_mrz m;
	char err[160];
	if (kyc_mrz_parse(p, n, today, &m, err, sizeof err) != 0) {
		print_json(kyc_mrz_error_json(err));
		return 0;
	}
	return print_json(kyc_mrz_to_json(&m)) == 0;
}

int cmd_mrz(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr,
		        "usage: kycd mrz < lines\n"
		        "  reads MRZ lines on stdin, documents separated by a blank line\n");
		return 2;
	}
	kyc_buf in;
	kyc_buf_init(&in, MRZ_STDIN_MAX);
	char chunk[8192];
	size_t got;
	int rc = 1;
	while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if (kyc_buf_append(&in, chunk, got) != 0) {
			fprintf(stderr, "kycd mrz: input over %u bytes\n", MRZ_STDIN_MAX);
			goto out;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "kycd mrz: cannot read stdin\n");
		goto out;
	}
	int64_t today = kyc_now_ms() / 86400000;
	int docs = 0, ok = 0;
	size_t start = 0, i = 0;
	const char *d = in.data ? in.data : "";
	/* A document is a run of non-blank lines. */
	while (i <= in.len) {
		size_t e = i;
		while (e < in.len && d[e] != '\n')
			e++;
		int blank = blank_line(d + i, e - i);
		if (blank || e >= in.len) {
			size_t end = blank ? i : e;
			if (!blank_line(d + start, end - start)) {
				docs++;
				ok += one_document(d + start, end - start, today);
			}
			start = e + 1;
		}
		i = e + 1;
	}
	if (docs == 0)
		fprintf(stderr, "kycd mrz: no MRZ text on stdin\n");
	rc = docs > 0 && ok == docs ? 0 : 1;
out:
	kyc_buf_release(&in);
	fflush(stdout);
	return rc;
}
