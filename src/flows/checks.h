/* The named checks of a verification (docs/flows.md#checks). Each yields
 * {"name","result":"pass"|"fail"|"not_applicable","reason","details"}; the
 * workflow stores the array on the verification and decides from it. */
#ifndef KYC_CHECKS_H
#define KYC_CHECKS_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

struct kyc_check_input {
	kyc_store *store;
	const char *tenant_id;
	const json_t *settings;     /* effective settings (per-request options applied) */
	const json_t *verification; /* the stored verification */
	const json_t *applicant;    /* the stored applicant */
	const char *declared_type;  /* the document type the caller declared */
	const json_t *extraction;   /* the document read (kyc_extraction_from_mrz), may be NULL */
	const json_t *front;        /* the extraction of the attempt's front read apart from
	                               the document decided on: a card's without an MRZ (with
	                               "viz_front"), a licence's (with "licence"."front");
	                               may be NULL */
	const json_t *corrections;  /* the applicant's confirmed names, may be NULL */
	int64_t now_ms;
};

/* Runs every check; returns a new array. A driving licence read from its
 * barcode (extraction "barcode_found") is checked on the barcode's fields,
 * with one more check: data_consistency (source "barcode_front"), the
 * front's printed fields against the barcode (docs/dl.md). *hard: the name of the first failed
 * check that rejects on its own (expired document, under age, blocked
 * country, duplicates), or NULL. */
json_t *kyc_checks_run(const struct kyc_check_input *in, const char **hard);

/* The keys the duplicate checks look up: "UTO:L898902C3" and a hash of the
 * folded names and birth date. "" when the extraction lacks the fields. */
void kyc_checks_document_key(const json_t *extraction, char out[64]);
void kyc_checks_identity_key(const json_t *extraction, const json_t *corrections, char out[65]);

/* The value of a field of an extraction when it was read and accepted, else NULL. */
const char *kyc_checks_field(const json_t *extraction, const char *name);

/* 1 when an MRZ document code fits the declared type (P -> passport, V ->
 * visa, I/A/C -> id_card or residence_permit). */
int kyc_checks_code_fits_type(const char *code, const char *type);

#endif
