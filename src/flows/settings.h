/* Tenant settings (GET/PATCH /v1/settings): the policy the checks apply, the
 * levels and the tier requirements, all as data. Stored as one JSON object
 * per tenant; every key has a default (docs/settings.md), so a tenant's
 * stored object holds only what it changed.
 *
 *   auto_approve          bool    approve without a person when every check passes (true)
 *   minimum_age           int     years; 0 turns the check off (18)
 *   blocked_countries     [alpha-3]  issuing country or nationality refused ([])
 *   approve_period_days   int     a document approved for another applicant within
 *                                 this many days is a duplicate; 0 = off (365)
 *   reject_period_days    int     ... rejected within this many days; 0 = off (30)
 *   reject_duplicate_applicant bool  the same person (names + birth date) already
 *                                 approved as another applicant fails (false)
 *   max_attempts          int     failed attempts before rejection (3)
 *   document_types        [type]  accepted document types (all)
 *   default_level         string  level of a new verification ("basic")
 *   levels                {name: {"steps": [...]}}  what each level needs:
 *                                 document, selfie, liveness, proof_of_address,
 *                                 proof_of_income
 *   requirements          [rule]  tier gates: {"document_types":[...],
 *                                 "applicant_field":"attestations.nin_verified",
 *                                 "equals":true | "at_least":2, "code":"...",
 *                                 "message":"..."}; the first failing rule
 *                                 answers 422 with its code and message.
 *   compat                {seed: bool}  which compatibility route sets are on (all)
 *   share_fetch_files     bool    seed 004: download a shared record's files; false
 *                                 keeps only their URLs (true)
 *   retention             {"images_days": int, "identity_days": int}  days after a
 *                                 verification closed before the sweeper removes its
 *                                 images, its identity data (src/flows/retention.h);
 *                                 0 = kept until erased (0, 0)
 */
#ifndef KYC_SETTINGS_H
#define KYC_SETTINGS_H

#include <jansson.h>

#include "json/jv.h"
#include "store/store.h"

/* The tenant's settings with every default filled in (new reference). */
int kyc_settings_get(kyc_store *s, const char *tenant_id, json_t **out);
/* What the tenant's stored settings hold that is not applied as stored: a
 * new array (empty when nothing), each {"field","code","stored","applied",
 * "message"}. Today one: a face_match_threshold set on the former face
 * network's scale (code threshold_scale_changed: the default applies until
 * it is sent again; docs/settings.md). 0 or a store error. */
int kyc_settings_warnings(kyc_store *s, const char *tenant_id, json_t **out);
/* Logs every tenant's warnings (kycd serve at start). 0 or a store error. */
int kyc_settings_log_warnings(kyc_store *s);
/* The keys of the "rate_limits" setting (NULL-terminated), and its default
 * object (a new reference): per minute and burst for API keys, client
 * addresses and hosted-page uploads; 0 is no limit. */
extern const char *const kyc_settings_rate_keys[];
json_t *kyc_settings_rate_defaults(void);
/* The keys of the "retention" setting (NULL-terminated). */
extern const char *const kyc_settings_retention_keys[];

/* Validates a settings object or patch (unknown keys, types, ranges, level and
 * rule shapes): 0, or -1 with e filled (422 and the field). */
int kyc_settings_validate(const json_t *patch, struct kyc_jerr *e);

/* Validates patch (unknown keys, types, ranges -> 422 with the field) and
 * stores the merge; *out: the new full settings. */
int kyc_settings_patch(kyc_store *s, const char *tenant_id, const json_t *patch, json_t **out,
		       struct kyc_jerr *e);

/* Per-request options (seed 001's customOptions) over full settings:
 *   blacklistCountries / blocked_countries: false turns the country check off
 *   approvePeriod / approve_period: false turns that duplicate window off
 *   rejectPeriod / reject_period: false turns that one off
 *   ageLimit / minimum_age: false turns the age check off
 *   rejectDuplicateUser / reject_duplicate_applicant: true or false
 *   manual_review: true sends every document attempt to a person (no
 *     automatic decision, no retry or back-side request; seed 003)
 * Any other value of the first four (true included) changes nothing: an
 * option can only switch a check off. Returns the effective settings (new
 * reference); 422 in e for an unknown option or a non-boolean value. */
json_t *kyc_settings_effective(const json_t *settings, const json_t *options,
			       struct kyc_jerr *e);

/* Checks the tenant's requirement rules for submitting doc_type for
 * applicant (a stored applicant record). 0, or -1 with e filled (422 and the
 * rule's code and message). */
int kyc_requirements_check(const json_t *settings, const json_t *applicant, const char *doc_type,
			   struct kyc_jerr *e);

#endif
