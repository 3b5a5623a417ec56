/* Tolerant comparison of personal names between what an applicant
 * registered and what a document says (the data_consistency check), and the
 * identity key of a person (the duplicate_applicant check). */
#ifndef KYC_NAMES_H
#define KYC_NAMES_H

#include <stddef.h>

#include "core/name_fold.h"

/* kyc_name_fold: the comparison form of a name (core/name_fold.h). */

/* 1 when the registered names (first, middle may be NULL, last) and the
 * document's (given names, surname) name the same person: after folding,
 * every registered word is on the document and the surname words agree;
 * words may move between given names and surname (order-tolerant). */
int kyc_names_match(const char *first, const char *middle, const char *last,
		    const char *doc_given, const char *doc_surname);

#endif
