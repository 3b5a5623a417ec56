/* The schema: migrations (append only; never edit a released one) and the
 * column tables that map records to rows. A column added by a migration is
 * added to its table here in the same commit. */
#include "store/store_int.h"

/* Personal data (docs/security.md, "What is encrypted"): every column that
 * can hold a name, a number, a date of birth, an address, a face or
 * anything an integrator or a document put in free-form fields is sealed
 * (KYC_SEAL_DATA, or KYC_SEAL_FIND where the console searches it); the
 * duplicate checks' keys are keyed hashes (KYC_SEAL_HASHED). What stays
 * plain: ids, statuses, levels, times, counters, document types and issuing
 * states, the integrator's own external_ref, and webhook settings. */
#define COLS(a) a, (int)(sizeof(a) / sizeof(a[0]))

static const struct kyc_col applicant_cols[] = {
	{"external_ref", KYC_COL_TEXT},
	{"email", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"phone", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"first_name", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"middle_name", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"last_name", KYC_COL_TEXT, KYC_SEAL_FIND},
	{"last_name_hash", KYC_COL_TEXT, KYC_SEAL_HASHCOL}, /* migration 8 */
	{"first_name_native", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"middle_name_native", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"last_name_native", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"birth_date", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"country", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"nationality", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"personal_code", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"level", KYC_COL_TEXT},
	{"tier", KYC_COL_INT},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
	/* migration 9: when the applicant was erased (src/flows/erasure.h) */
	{"erased_at", KYC_COL_TIME, KYC_SEAL_PLAIN},
};

static const struct kyc_col verification_cols[] = {
	{"applicant_id", KYC_COL_TEXT},
	{"status", KYC_COL_TEXT},
	{"document_types", KYC_COL_JSON},
	{"options", KYC_COL_JSON, KYC_SEAL_DATA},
	{"attempts", KYC_COL_INT},
	{"retry_code", KYC_COL_TEXT},
	{"retry_message", KYC_COL_TEXT},
	{"expires_at", KYC_COL_TIME},
	{"callback_url", KYC_COL_TEXT},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
	/* migration 2 */
	{"level", KYC_COL_TEXT},
	{"checks", KYC_COL_JSON, KYC_SEAL_DATA},
	{"decision", KYC_COL_JSON, KYC_SEAL_DATA},
	{"decided_at", KYC_COL_TIME},
	{"pending_steps", KYC_COL_JSON},
	{"failed_attempts", KYC_COL_INT},
	{"corrections", KYC_COL_JSON, KYC_SEAL_DATA},
	{"document_key", KYC_COL_TEXT, KYC_SEAL_HASHED},
	{"identity_key", KYC_COL_TEXT, KYC_SEAL_HASHED},
	{"submitted_at", KYC_COL_TIME},
	/* migration 4 */
	{"compat_seed", KYC_COL_TEXT},
	{"compat_ref", KYC_COL_TEXT},
	/* migration 9: when retention or erasure removed its images, its identity data */
	{"images_removed_at", KYC_COL_TIME, KYC_SEAL_PLAIN},
	{"identity_removed_at", KYC_COL_TIME, KYC_SEAL_PLAIN},
};

static const struct kyc_col document_cols[] = {
	{"verification_id", KYC_COL_TEXT},
	{"applicant_id", KYC_COL_TEXT},
	{"type", KYC_COL_TEXT},
	{"issuing_country", KYC_COL_TEXT},
	{"side", KYC_COL_TEXT},
	{"file_id", KYC_COL_TEXT},
	{"status", KYC_COL_TEXT},
	{"document_number", KYC_COL_TEXT, KYC_SEAL_FIND},
	{"document_number_hash", KYC_COL_TEXT, KYC_SEAL_HASHCOL}, /* migration 8 */
	{"extraction", KYC_COL_JSON, KYC_SEAL_DATA},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
};

static const struct kyc_col file_cols[] = {
	{"kind", KYC_COL_TEXT},
	{"content_type", KYC_COL_TEXT},
	{"size", KYC_COL_INT},
	{"sha256", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"width", KYC_COL_INT},
	{"height", KYC_COL_INT},
	{"path", KYC_COL_TEXT},
	{"source_url", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
	/* migration 9: the bytes were removed (retention or erasure); the row stays */
	{"deleted_at", KYC_COL_TIME, KYC_SEAL_PLAIN},
};

static const struct kyc_col event_cols[] = {
	{"type", KYC_COL_TEXT},
	{"resource_type", KYC_COL_TEXT},
	{"resource_id", KYC_COL_TEXT},
	{"resource_version", KYC_COL_INT},
	{"payload", KYC_COL_JSON, KYC_SEAL_DATA},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
	/* migration 5: set when the webhook worker has made the event's deliveries */
	{"dispatched_at", KYC_COL_TIME},
	/* migration 11: what the fan-out routes the event by, in plain
	 * (kyc_store_insert takes it from the payload and attributes; none of
	 * it is personal data), so that it need not open every payload */
	{"route", KYC_COL_JSON},
};

/* The audit trail of verifications: append-only (an UPDATE trigger refuses
 * changes but one: erasure may set details and attributes to NULL,
 * migration 9; rows go only with their verification). */
static const struct kyc_col history_cols[] = {
	{"verification_id", KYC_COL_TEXT},
	{"actor", KYC_COL_TEXT},
	{"action", KYC_COL_TEXT},
	{"from_status", KYC_COL_TEXT},
	{"to_status", KYC_COL_TEXT},
	{"reason", KYC_COL_TEXT, KYC_SEAL_DATA},
	{"details", KYC_COL_JSON, KYC_SEAL_DATA},
	{"attributes", KYC_COL_JSON, KYC_SEAL_DATA},
};

/* Webhooks (docs/webhooks.md). The secrets sign deliveries, so they are kept
 * as they are (not hashed); renders never show them. */
static const struct kyc_col webhook_endpoint_cols[] = {
	{"url", KYC_COL_TEXT},
	{"description", KYC_COL_TEXT},
	{"event_types", KYC_COL_JSON},
	{"enabled", KYC_COL_BOOL},
	{"format", KYC_COL_TEXT},
	{"disabled_reason", KYC_COL_TEXT},
	{"disabled_at", KYC_COL_TIME},
	{"failing_since", KYC_COL_TIME},
	{"secret", KYC_COL_TEXT},
	{"previous_secret", KYC_COL_TEXT},
	{"previous_secret_expires_at", KYC_COL_TIME},
	{"attributes", KYC_COL_JSON},
};

static const struct kyc_col webhook_delivery_cols[] = {
	{"event_id", KYC_COL_TEXT},
	{"event_type", KYC_COL_TEXT},
	{"endpoint_id", KYC_COL_TEXT},
	{"url", KYC_COL_TEXT},
	{"format", KYC_COL_TEXT},
	{"status", KYC_COL_TEXT},
	{"attempt_count", KYC_COL_INT},
	{"next_attempt_at", KYC_COL_TIME},
	{"last_attempt_at", KYC_COL_TIME},
	{"last_status", KYC_COL_INT},
	{"last_error", KYC_COL_TEXT},
	{"completed_at", KYC_COL_TIME},
	{"attempts", KYC_COL_JSON},
	{"attributes", KYC_COL_JSON},
};

const struct kyc_table kyc__tables[KYC_R__COUNT] = {
	[KYC_R_APPLICANT] = {"applicants", COLS(applicant_cols)},
	[KYC_R_VERIFICATION] = {"verifications", COLS(verification_cols)},
	[KYC_R_DOCUMENT] = {"documents", COLS(document_cols)},
	[KYC_R_FILE] = {"files", COLS(file_cols)},
	[KYC_R_EVENT] = {"events", COLS(event_cols)},
	[KYC_R_HISTORY] = {"verification_history", COLS(history_cols)},
	[KYC_R_WEBHOOK_ENDPOINT] = {"webhook_endpoints", COLS(webhook_endpoint_cols)},
	[KYC_R_WEBHOOK_DELIVERY] = {"webhook_deliveries", COLS(webhook_delivery_cols)},
};

/* Every resource table has the same five bookkeeping columns first. */
#define RESOURCE_HEAD                                                                              \
	"id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), "                    \
	"version INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, "                        \
	"updated_at INTEGER NOT NULL, "

const struct kyc_migration kyc__migrations[] = {
	{1, "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, "
	    "settings TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL);"
	    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES "
	    "tenants(id), role TEXT NOT NULL, secret_hash BLOB NOT NULL, created_at INTEGER NOT "
	    "NULL, revoked_at INTEGER);"
	    "CREATE TABLE applicants (" RESOURCE_HEAD
	    "external_ref TEXT, email TEXT, phone TEXT, first_name TEXT, middle_name TEXT, "
	    "last_name TEXT, first_name_native TEXT, middle_name_native TEXT, last_name_native "
	    "TEXT, birth_date TEXT, country TEXT, nationality TEXT, personal_code TEXT, level TEXT, "
	    "tier INTEGER, attributes TEXT);"
	    "CREATE INDEX applicants_list ON applicants(tenant_id, created_at, id);"
	    "CREATE INDEX applicants_ref ON applicants(tenant_id, external_ref);"
	    "CREATE TABLE files (" RESOURCE_HEAD
	    "kind TEXT, content_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT, width "
	    "INTEGER, height INTEGER, path TEXT NOT NULL, source_url TEXT, attributes TEXT);"
	    "CREATE INDEX files_list ON files(tenant_id, created_at, id);"
	    "CREATE TABLE verifications (" RESOURCE_HEAD
	    "applicant_id TEXT REFERENCES applicants(id) ON DELETE CASCADE, status TEXT NOT NULL, "
	    "document_types TEXT, options TEXT, attempts INTEGER NOT NULL DEFAULT 0, retry_code "
	    "TEXT, retry_message TEXT, expires_at INTEGER, callback_url TEXT, attributes TEXT);"
	    "CREATE INDEX verifications_list ON verifications(tenant_id, created_at, id);"
	    "CREATE INDEX verifications_applicant ON verifications(applicant_id);"
	    "CREATE TABLE documents (" RESOURCE_HEAD
	    "verification_id TEXT REFERENCES verifications(id) ON DELETE CASCADE, applicant_id "
	    "TEXT, type TEXT, issuing_country TEXT, side TEXT, file_id TEXT REFERENCES files(id), "
	    "status TEXT, document_number TEXT, extraction TEXT, attributes TEXT);"
	    "CREATE INDEX documents_list ON documents(tenant_id, created_at, id);"
	    "CREATE INDEX documents_verification ON documents(verification_id);"
	    "CREATE INDEX documents_number ON documents(tenant_id, issuing_country, "
	    "document_number);"
	    "CREATE TABLE events (" RESOURCE_HEAD
	    "type TEXT NOT NULL, resource_type TEXT, resource_id TEXT, resource_version INTEGER, "
	    "payload TEXT, attributes TEXT);"
	    "CREATE INDEX events_list ON events(tenant_id, created_at, id);"
	    "CREATE TABLE idempotency_keys (tenant_id TEXT NOT NULL REFERENCES tenants(id), "
	    "key TEXT NOT NULL, request_hash BLOB NOT NULL, status INTEGER NOT NULL, content_type "
	    "TEXT NOT NULL, body BLOB NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY "
	    "(tenant_id, key));"},
	/* The workflow (docs/flows.md): level, checks, decision and the keys the
	 * duplicate checks look up; the audit trail. */
	{2, "ALTER TABLE verifications ADD COLUMN level TEXT;"
	    "ALTER TABLE verifications ADD COLUMN checks TEXT;"
	    "ALTER TABLE verifications ADD COLUMN decision TEXT;"
	    "ALTER TABLE verifications ADD COLUMN decided_at INTEGER;"
	    "ALTER TABLE verifications ADD COLUMN pending_steps TEXT;"
	    "ALTER TABLE verifications ADD COLUMN failed_attempts INTEGER;"
	    "ALTER TABLE verifications ADD COLUMN corrections TEXT;"
	    "ALTER TABLE verifications ADD COLUMN document_key TEXT;"
	    "ALTER TABLE verifications ADD COLUMN identity_key TEXT;"
	    "ALTER TABLE verifications ADD COLUMN submitted_at INTEGER;"
	    "CREATE INDEX verifications_status ON verifications(tenant_id, status, created_at);"
	    "CREATE INDEX verifications_document_key ON verifications(tenant_id, document_key);"
	    "CREATE INDEX verifications_identity_key ON verifications(tenant_id, identity_key);"
	    "CREATE TABLE verification_history (" RESOURCE_HEAD
	    "verification_id TEXT REFERENCES verifications(id) ON DELETE CASCADE, actor TEXT NOT "
	    "NULL, action TEXT NOT NULL, from_status TEXT, to_status TEXT, reason TEXT, details "
	    "TEXT, attributes TEXT);"
	    "CREATE INDEX verification_history_list ON verification_history(tenant_id, "
	    "verification_id, created_at);"
	    "CREATE TRIGGER verification_history_append_only BEFORE UPDATE ON "
	    "verification_history BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); "
	    "END;"
	    "CREATE INDEX events_resource ON events(tenant_id, resource_id, created_at);"},
	/* The web surfaces (docs/web.md): hosted-page tokens and console
	 * sessions keep only hashes; operators keep an Argon2id string. */
	{3, "CREATE TABLE hosted_tokens (token_hash BLOB PRIMARY KEY, tenant_id TEXT NOT NULL "
	    "REFERENCES tenants(id), verification_id TEXT NOT NULL REFERENCES verifications(id) "
	    "ON DELETE CASCADE, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL);"
	    "CREATE INDEX hosted_tokens_verification ON hosted_tokens(verification_id);"
	    "CREATE TABLE operators (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES "
	    "tenants(id), username TEXT NOT NULL UNIQUE, role TEXT NOT NULL, password_hash TEXT "
	    "NOT NULL, created_at INTEGER NOT NULL, disabled_at INTEGER);"
	    "CREATE TABLE login_failures (username TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
	    "last_failure_at INTEGER NOT NULL);"
	    "CREATE TABLE console_sessions (id_hash BLOB PRIMARY KEY, operator_id TEXT NOT NULL "
	    "REFERENCES operators(id) ON DELETE CASCADE, tenant_id TEXT NOT NULL, csrf_token TEXT "
	    "NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
	    "CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);"},
	/* The compatibility route sets (src/compat): which set made a
	 * verification and the seed's own handle for it (seed 003's
	 * DOC-SUB-00001 numbers, seed 000's key binding, seed 002's IDV id hash), looked up by value. */
	{4, "ALTER TABLE verifications ADD COLUMN compat_seed TEXT;"
	    "ALTER TABLE verifications ADD COLUMN compat_ref TEXT;"
	    "CREATE INDEX verifications_compat ON verifications(tenant_id, compat_seed, compat_ref, "
	    "created_at);"},
	/* Webhooks (docs/webhooks.md): endpoints, one delivery row per event and
	 * target with its attempt log, the events not yet fanned out (a partial
	 * index: its entries are the NULL key in rowid order, so the worker reads
	 * them oldest first), and each tenant's secret for callback_url pushes. */
	{5, "CREATE TABLE webhook_endpoints (" RESOURCE_HEAD
	    "url TEXT NOT NULL, description TEXT, event_types TEXT, enabled INTEGER NOT NULL "
	    "DEFAULT 1, format TEXT, disabled_reason TEXT, disabled_at INTEGER, failing_since "
	    "INTEGER, secret TEXT NOT NULL, previous_secret TEXT, previous_secret_expires_at "
	    "INTEGER, attributes TEXT);"
	    "CREATE INDEX webhook_endpoints_list ON webhook_endpoints(tenant_id, created_at, id);"
	    "CREATE TABLE webhook_deliveries (" RESOURCE_HEAD
	    "event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE, event_type TEXT, "
	    "endpoint_id TEXT REFERENCES webhook_endpoints(id) ON DELETE CASCADE, url TEXT, "
	    "format TEXT, status TEXT NOT NULL, attempt_count INTEGER NOT NULL DEFAULT 0, "
	    "next_attempt_at INTEGER, last_attempt_at INTEGER, last_status INTEGER, last_error "
	    "TEXT, completed_at INTEGER, attempts TEXT, attributes TEXT);"
	    "CREATE INDEX webhook_deliveries_list ON webhook_deliveries(tenant_id, created_at, id);"
	    "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(tenant_id, "
	    "endpoint_id, created_at, id);"
	    "CREATE INDEX webhook_deliveries_event ON webhook_deliveries(event_id);"
	    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE "
	    "status='pending';"
	    "CREATE INDEX webhook_deliveries_paused ON webhook_deliveries(endpoint_id) WHERE "
	    "status='paused';"
	    "ALTER TABLE events ADD COLUMN dispatched_at INTEGER;"
	    /* events from before webhooks existed had no delivery to make: a
	     * first start must not push them all to callback URLs at once */
	    "UPDATE events SET dispatched_at = created_at;"
	    "CREATE INDEX events_undispatched ON events(dispatched_at) WHERE dispatched_at IS "
	    "NULL;"
	    "CREATE TABLE webhook_callback_secrets (tenant_id TEXT PRIMARY KEY REFERENCES "
	    "tenants(id), secret TEXT NOT NULL, previous_secret TEXT, previous_secret_expires_at "
	    "INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"},
	/* Webhook claims per endpoint (src/store/store_sqlite_outbox.c): an
	 * endpoint's due deliveries, oldest first, without walking past the
	 * deliveries of endpoints that have their share. */
	{6, "CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries(endpoint_id, "
	    "next_attempt_at) WHERE status='pending';"},
	/* Encryption at rest (docs/security.md, src/store/store_seal.h): the
	 * wrapped data keys (a tenant's under a master key, owner_id ''; an
	 * applicant's under its tenant's), and the search hashes of the two
	 * personal columns the console looks up, whose own index is then of no
	 * use on ciphertext. Rows written before are sealed on the first open
	 * with a key (store_seal_existing in the backend). */
	{8, "CREATE TABLE data_keys (tenant_id TEXT NOT NULL REFERENCES tenants(id), owner_id TEXT "
	    "NOT NULL, master_id TEXT NOT NULL DEFAULT '', wrapped BLOB NOT NULL, created_at "
	    "INTEGER NOT NULL, PRIMARY KEY (tenant_id, owner_id));"
	    "ALTER TABLE applicants ADD COLUMN last_name_hash TEXT;"
	    "CREATE INDEX applicants_last_name_hash ON applicants(tenant_id, last_name_hash);"
	    "ALTER TABLE documents ADD COLUMN document_number_hash TEXT;"
	    "CREATE INDEX documents_number_hash ON documents(tenant_id, document_number_hash);"
	    "DROP INDEX documents_number;"},
	/* Retention and erasure (docs/security.md): when an applicant was
	 * erased, when a verification's images and identity data were removed
	 * (the sweeper finds the closed verifications still holding them through
	 * partial indexes, so a sweep costs what is due, not what is kept), files
	 * whose bytes are gone; and the audit trail's trigger lets exactly one
	 * change through: details and attributes set to NULL, every other column
	 * as it was (IS DISTINCT FROM: SQLite 3.39 and PostgreSQL alike). */
	{9, "ALTER TABLE applicants ADD COLUMN erased_at INTEGER;"
	    "ALTER TABLE verifications ADD COLUMN images_removed_at INTEGER;"
	    "ALTER TABLE verifications ADD COLUMN identity_removed_at INTEGER;"
	    "ALTER TABLE files ADD COLUMN deleted_at INTEGER;"
	    "CREATE INDEX verifications_images_due ON verifications(tenant_id, (coalesce(decided_at, "
	    "updated_at))) WHERE images_removed_at IS NULL AND status IN ('approved', 'rejected', "
	    "'expired', 'cancelled');"
	    "CREATE INDEX verifications_identity_due ON verifications(tenant_id, "
	    "(coalesce(decided_at, updated_at))) WHERE identity_removed_at IS NULL AND status IN "
	    "('approved', 'rejected', 'expired', 'cancelled');"
	    "DROP TRIGGER verification_history_append_only;"
	    "CREATE TRIGGER verification_history_append_only BEFORE UPDATE ON verification_history "
	    "WHEN NEW.details IS NOT NULL OR NEW.attributes IS NOT NULL OR NEW.id IS DISTINCT FROM "
	    "OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.version IS DISTINCT FROM "
	    "OLD.version OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.updated_at IS "
	    "DISTINCT FROM OLD.updated_at OR NEW.verification_id IS DISTINCT FROM "
	    "OLD.verification_id OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.action IS DISTINCT "
	    "FROM OLD.action OR NEW.from_status IS DISTINCT FROM OLD.from_status OR NEW.to_status "
	    "IS DISTINCT FROM OLD.to_status OR NEW.reason IS DISTINCT FROM OLD.reason BEGIN SELECT "
	    "RAISE(ABORT, 'the audit trail is append-only'); END;"},
	/* The API's token buckets, shared by the nodes of one PostgreSQL database
	 * (src/http/api_limits.c); SQLite's one node keeps them in memory. */
	{10, "CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, "
	     "updated_at INTEGER NOT NULL, refused INTEGER NOT NULL DEFAULT 0);"
	     "CREATE INDEX rate_buckets_updated ON rate_buckets(updated_at);"},
	/* The webhook fan-out (src/webhooks/fanout.c): an event's routing
	 * fields beside its sealed payload (events from before have none and
	 * are opened as before); and the events not yet fanned out in time
	 * order, which PostgreSQL reads oldest first (store_pg_outbox.c) and,
	 * with only migration 5's index, sorted in full for each batch of 100.
	 * SQLite keeps reading migration 5's in rowid order. */
	{11, "ALTER TABLE events ADD COLUMN route TEXT;"
	     "CREATE INDEX events_undispatched_created ON events(created_at) WHERE dispatched_at "
	     "IS NULL;"},
};

/* The WHERE repeats each partial index's own (migration 9) so the planner
 * uses it; $N parameters are read by SQLite too, in the order they appear. */
const char *const kyc__retention_due_sql[2] = {
	[KYC_RETAIN_IMAGES] =
	    "SELECT id FROM verifications WHERE tenant_id=$1 AND images_removed_at IS NULL AND "
	    "status IN ('approved', 'rejected', 'expired', 'cancelled') AND "
	    "(coalesce(decided_at, updated_at)) < $2 ORDER BY (coalesce(decided_at, "
	    "updated_at)) LIMIT $3",
	[KYC_RETAIN_IDENTITY] =
	    "SELECT id FROM verifications WHERE tenant_id=$1 AND identity_removed_at IS NULL "
	    "AND status IN ('approved', 'rejected', 'expired', 'cancelled') AND "
	    "(coalesce(decided_at, updated_at)) < $2 ORDER BY (coalesce(decided_at, "
	    "updated_at)) LIMIT $3",
};

const int kyc__migration_count = (int)(sizeof(kyc__migrations) / sizeof(kyc__migrations[0]));
