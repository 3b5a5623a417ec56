/* MRZ (machine readable zone, ICAO 9303) parsing and validation.
 * Pure computation: no I/O, no allocation beyond what is documented. */
#ifndef KYC_MRZ_H
#define KYC_MRZ_H

#include <stddef.h>

/* The ICAO 9303 check digit (weights 7,3,1; '<' = 0, A-Z = 10-35) of n chars.
 * Returns 0..9, or -1 when s holds a character outside 0-9, A-Z and '<'. */
int kyc_mrz_check_digit(const char *s, size_t n);

#endif
