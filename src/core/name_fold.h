/* The comparison form of a personal name, for matching names read from
 * different places (what an applicant registered, an MRZ, a document's
 * visual zone): src/flows/names.c and src/document/viz.c. */
#ifndef KYC_NAME_FOLD_H
#define KYC_NAME_FOLD_H

#include <stddef.h>

/* Writes the comparison form of a name into out: Latin letters upper-cased
 * with diacritics removed (É -> E, ß -> SS, Ø -> O), the two-letter MRZ
 * transliterations folded (AE, OE, UE, AA -> A, O, U, A), hyphens,
 * apostrophes, dots and '<' as spaces, spaces collapsed, and the words
 * sorted so order does not matter. Returns the length; non-Latin letters are
 * dropped (a native-script name compares only through its Latin form). */
size_t kyc_name_fold(const char *in, char *out, size_t outsz);

#endif
