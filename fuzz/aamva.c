/* libFuzzer target: the AAMVA barcode parser (src/document/aamva.c) on
 * arbitrary bytes (a PDF417's content comes from the outside). Properties:
 * a refusal names its part; a parsed card has a DL or ID subfile and
 * elements of three characters, its fields are JSON (valid UTF-8) with
 * accepted dates of the form YYYY-MM-DD, and a card of printable ASCII
 * written again parses to the same elements. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document/aamva.h"

static struct kyc_aamva a, b;

static int ascii_only(const struct kyc_aamva *c)
{
	for (int i = 0; i < c->nelements; i++)
		for (const char *v = c->elements[i].value; *v; v++)
			if (*v < 0x20 || *v > 0x7e)
				return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1); /* exact size: reads past it trap */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	const char *why = NULL;
	int rc = kyc_aamva_parse(copy, size, &a, &why);
	free(copy);
	if (rc) {
		if (!why)
			__builtin_trap();
		return 0;
	}
	if ((strcmp(a.subfile, "DL") && strcmp(a.subfile, "ID")) || a.nelements < 1 ||
	    a.nelements > KYC_AAMVA_MAX_ELEMENTS)
		__builtin_trap();
	for (int i = 0; i < a.nelements; i++)
		if (strlen(a.elements[i].id) != 3)
			__builtin_trap();
	json_t *f = kyc_aamva_fields(&a);
	if (!f)
		__builtin_trap();
	const char *k;
	json_t *v;
	json_object_foreach(f, k, v)
	{
		const json_t *val = json_object_get(v, "value");
		if (!json_is_string(val) && !json_is_null(val))
			__builtin_trap();
		if (strstr(k, "_date") && json_is_true(json_object_get(v, "accepted")) &&
		    json_string_length(val) != 10)
			__builtin_trap();
	}
	json_decref(f);
	if (ascii_only(&a)) {
		kyc_buf out;
		kyc_buf_init(&out, 64 * 1024);
		if (!kyc_aamva_write(&a, &out)) {
			if (kyc_aamva_parse((const unsigned char *)out.data, out.len, &b, &why) ||
			    b.nelements != a.nelements)
				__builtin_trap();
			for (int i = 0; i < a.nelements; i++)
				if (strcmp(a.elements[i].id, b.elements[i].id) ||
				    strcmp(a.elements[i].value, b.elements[i].value))
					__builtin_trap();
		}
		kyc_buf_release(&out);
	}
	return 0;
}
