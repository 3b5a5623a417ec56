#include "specimen.h"

#include <string.h>
#include <time.h>

/* The first index from `from` that has (expired 0) or has not (1) expired. */
static int first_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named, int valid)
{
	char today[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	for (int i = from; i < from + 200; i++) {
		struct kyc_synth_identity id;
		if (kyc_synth_identity(seed, i, fmt, &id) ||
		    (strcmp(id.f.expiry_date, today) > 0) != valid)
			continue;
		if (named && (!id.f.given_names[0] || id.f.sex[0] == 'X'))
			continue;
		return i;
	}
	return from;
}

int specimen_valid_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named)
{
	return first_index(seed, fmt, from, named, 1);
}

int specimen_expired_index(uint64_t seed, enum kyc_synth_format fmt, int from)
{
	return first_index(seed, fmt, from, 1, 0);
}
