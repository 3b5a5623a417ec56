/* Erasure (GDPR Art. 17) and the removals retention periods make (Art.
 * 5(1)(e)): what of an applicant is blanked, what is kept, and in which
 * order (docs/security.md, "Retention and erasure").
 *
 * What is kept is the audit skeleton: ids, statuses, timestamps, levels,
 * attempt counts, check names and results, decision outcomes and reason
 * codes, the audit trail's actors and actions, the events' types and
 * resources. Everything that names or shows the person goes: the
 * applicant's fields, metadata and attestations, extractions, document
 * numbers, name corrections, check details, reviewer notes, callback URLs,
 * the compatibility route sets' data, the audit rows' details, the events'
 * snapshots (reduced to the skeleton, so a webhook delivery made afterwards,
 * a retry included, carries nothing more), hosted-page tokens, recorded
 * idempotent responses, and the image files (the file rows stay, marked
 * deleted; bytes removed after an erasure's commit, before a retention
 * step's). Records keep listed
 * columns and lose every other (erasure.c, "kept"), so a column added
 * later is erased unless it is listed there on purpose.
 *
 * The duplicate-check keys stay as they are: the store holds document_key
 * and identity_key only as keyed hashes under the tenant's key (one-way;
 * the tenant key is not erased), so a document approved for a person who
 * was then erased still cannot be used by another applicant (a legal
 * obligation of the tenant under anti-money-laundering law and the defence
 * of legal claims: Art. 17(3)(b) and (e)).
 *
 * Crypto-shredding: the applicant's data key is deleted in the erasure's
 * transaction, so whatever was sealed under it (in this database, its log
 * and every backup) can no longer be opened. What is kept of sealed
 * columns (check names and results, decision outcomes, event skeletons,
 * the erasure's own audit rows) is written after that, under the tenant's
 * key (the applicant's is never made again). The reason codes of the audit
 * rows written before the erasure are sealed and go with the old key.
 *
 * Every call here is one store transaction that writes the change, its
 * audit rows and its events together. Knows nothing of HTTP. */
#ifndef KYC_ERASURE_H
#define KYC_ERASURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "flows/workflow.h"

/* Crypto-shredding: encryption at rest keeps a data key per applicant;
 * forgetting it makes that applicant's ciphertext unreadable everywhere,
 * backups included. Whatever runs erasures registers the hook at start-up
 * (before its threads run), normally kyc_erasure_forget_data_key; erasure
 * calls it inside its transaction, after reading and blanking, before
 * writing what is kept and emitting applicant.deleted, so a failure (a
 * negative kyc_err) undoes the whole erasure. Without a hook the key stays
 * (tests that look at the hook's calls). NULL unregisters. */
typedef int (*kyc_erasure_key_forget_fn)(kyc_store *s, const char *tenant_id,
                                         const char *applicant_id);
void kyc_erasure_set_key_forget(kyc_erasure_key_forget_fn fn);
/* The hook to register: kyc_store_forget_applicant_key, with "no key"
 * (nothing was ever sealed for the applicant) as success. */
int kyc_erasure_forget_data_key(kyc_store *s, const char *tenant_id, const char *applicant_id);

/* The erasure log (src/flows/erasure_log.h): when a path is set, every
 * erasure appends its entry there, synced, before it commits, and fails
 * when it cannot. Set at start-up (before threads run); NULL stops logging.
 * 0, or KYC_ERR_INVALID when the path is too long. */
int kyc_erasure_set_log(const char *path);

/* Erases an applicant (DELETE /v1/applicants/{id}): in one transaction,
 * blanks the applicant (erased_at set), cancels its open verifications,
 * blanks its verifications, documents, files' rows, audit details and
 * event snapshots as above, deletes its hosted-page tokens and recorded
 * idempotent responses, forgets its data key (the hook above), writes an
 * audit row "erase" per verification and the event applicant.deleted (id
 * only); removes the image files after the commit, so the write
 * transaction is not held across a blob store's round trips (S3): their
 * bytes are sealed under the key just forgotten, so a file a crash or an
 * error leaves behind can no longer be opened (it is logged, and only
 * takes space). f->data_dir must be set.
 * *out: the erased applicant record (new reference). Errors: 404 not_found,
 * 410 applicant_erased (already erased), 500 store_error. */
int kyc_erasure_applicant(struct kyc_flow *f, const char *applicant_id, json_t **out,
                          struct kyc_jerr *e);

/* kyc_erasure_applicant, and whether the erasure log gets the entry (not
 * when the log itself is replayed). For src/flows/erasure_log.c. */
int kyc__erasure_applicant(struct kyc_flow *f, const char *applicant_id, bool logged,
                           json_t **out, struct kyc_jerr *e);

/* 1 when a stored applicant record has been erased. */
int kyc_erasure_is_erased(const json_t *applicant);

/* Retention (src/flows/retention.h): removes one closed verification's
 * images (file bytes, file rows marked deleted; images_removed_at set) or
 * its identity data (blanked as erasure does, images with it;
 * identity_removed_at set), with an audit row ("retention.images_removed",
 * "retention.identity_removed", actor f->actor) and the event
 * verification.images_removed or verification.identity_removed. When the
 * applicant's last verification holding identity data loses it, the
 * applicant's own fields are blanked too (it is not marked erased: the
 * tenant may send it through a new verification). 0 or a store error. */
int kyc_erasure_verification(struct kyc_flow *f, const char *verification_id,
                             enum kyc_retention_kind kind);

/* How many erasures and retention removals this process has committed, so
 * the sweeper knows when the write-ahead log holds pages worth truncating. */
uint64_t kyc_erasure_count(void);

#endif
