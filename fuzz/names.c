/* libFuzzer target: name folding and comparison on arbitrary bytes (names
 * come from applicants' registrations and from documents). Folding is
 * idempotent, and a name always matches itself when it folds to something. */
#include <stdint.h>
#include <string.h>

#include "flows/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[1024], a[512], b[512];
	if (size >= sizeof in)
		size = sizeof in - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	kyc_name_fold(in, a, sizeof a);
	kyc_name_fold(a, b, sizeof b);
	if (strcmp(a, b) && strlen(a) < sizeof a - 64)
		__builtin_trap();
	char *bar = strchr(in, '|');
	if (bar) {
		*bar = '\0';
		kyc_names_match(in, NULL, bar + 1, bar + 1, in);
	} else if (*a && strlen(in) < 200) {
		if (!kyc_names_match(NULL, NULL, in, NULL, in))
			__builtin_trap();
	}
	return 0;
}
