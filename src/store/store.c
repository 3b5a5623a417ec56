/* store.h and outbox.h: choosing a backend, and every call answered by the
 * backend's ops (store_int.h). The backend-independent helpers live here
 * too. Nothing else in kycd knows which backend it talks to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store_int.h"
#include "store/store_seal.h"

int kyc_store_locate(const char *db, enum kyc_store_backend *backend, const char **dir, char *err,
                     size_t errsz)
{
	*backend = KYC_STORE_SQLITE;
	*dir = NULL;
	if (!db || !*db)
		return 0;
	if (!strncmp(db, "sqlite:", 7)) {
		if (!db[7]) {
			snprintf(err, errsz, "sqlite: names no folder (sqlite:DIR)");
			return KYC_ERR_INVALID;
		}
		*dir = db + 7;
		return 0;
	}
	/* libpq's URI schemes, or its key=value form (a host= or dbname= in it) */
	if (!strncmp(db, "postgres://", 11) || !strncmp(db, "postgresql://", 13) ||
	    strstr(db, "host=") || strstr(db, "dbname=")) {
		*backend = KYC_STORE_POSTGRES;
		return 0;
	}
	snprintf(err, errsz,
	         "the database must be sqlite:DIR, postgres://… or a libpq connection string");
	return KYC_ERR_INVALID;
}

int kyc_store_open_at(const char *db, const char *data_dir, kyc_store **out, char *err,
                      size_t errsz)
{
	enum kyc_store_backend backend;
	const char *dir;
	*out = NULL;
	int rc = kyc_store_locate(db, &backend, &dir, err, errsz);
	if (rc)
		return rc;
	if (backend == KYC_STORE_POSTGRES)
		return kyc__pg_store_open(db, data_dir, out, err, errsz);
	return kyc__sqlite_open(dir ? dir : data_dir, out, err, errsz);
}

int kyc_store_open(const char *data_dir, kyc_store **out, char *err, size_t errsz)
{
	return kyc_store_open_at(getenv("KYCD_DB"), data_dir, out, err, errsz);
}

void kyc_store_close(kyc_store *s)
{
	if (s)
		s->ops->close(s);
}

/* ---- one line per call: the backend's ops ---- */

int kyc_store_schema_version(kyc_store *s)
{
	return s->ops->schema_version(s);
}

int kyc_store_begin(kyc_store *s)
{
	return s->ops->begin(s);
}

int kyc_store_commit(kyc_store *s)
{
	return s->ops->commit(s);
}

void kyc_store_rollback(kyc_store *s)
{
	s->ops->rollback(s);
}

int kyc_store_begin_read(kyc_store *s)
{
	return s->ops->begin_read(s);
}

int kyc_store_in_transaction(kyc_store *s)
{
	return s->ops->in_transaction(s);
}

int kyc_store_lazy_commits(kyc_store *s)
{
	return s->ops->lazy_commits(s);
}

int kyc_store_token(kyc_store *s, struct kyc_store_token *out)
{
	memset(out, 0, sizeof *out);
	return s->ops->token ? s->ops->token(s, out) : KYC_ERR_UNSUPPORTED;
}

int kyc_store_token_same(const struct kyc_store_token *a, const struct kyc_store_token *b)
{
	return a->conn && a->conn == b->conn && a->version == b->version &&
	       a->changes == b->changes;
}

const char *kyc_store_errmsg(kyc_store *s)
{
	return s->ops->errmsg(s);
}

int kyc_store_try_lock(kyc_store *s, int64_t key, int *held)
{
	*held = 0;
	return s->ops->try_lock(s, key, held);
}

void kyc_store_unlock(kyc_store *s, int64_t key)
{
	s->ops->unlock(s, key);
}

int kyc_store_backup(kyc_store *s, const char *dest_path, char *err, size_t errsz)
{
	return s->ops->backup(s, dest_path, err, errsz);
}

int kyc_store_tenant_create(kyc_store *s, const char *name, char id_out[37])
{
	return s->ops->tenant_create(s, name, id_out);
}

int kyc_store_tenant_find(kyc_store *s, const char *name, char id_out[37])
{
	return s->ops->tenant_find(s, name, id_out);
}

int kyc_store_tenant_exists(kyc_store *s, const char *tenant_id)
{
	return s->ops->tenant_exists(s, tenant_id);
}

int kyc_store_tenant_ids(kyc_store *s, json_t **out)
{
	return s->ops->tenant_ids(s, out);
}

int kyc_store_tenant_settings(kyc_store *s, const char *tenant_id, json_t **out)
{
	return s->ops->tenant_settings(s, tenant_id, out);
}

int kyc_store_tenant_settings_set(kyc_store *s, const char *tenant_id, const json_t *settings)
{
	return s->ops->tenant_settings_set(s, tenant_id, settings);
}

int kyc_store_key_insert(kyc_store *s, const struct kyc_key_row *row)
{
	return s->ops->key_insert(s, row);
}

int kyc_store_key_get(kyc_store *s, const char *key_id, struct kyc_key_row *out)
{
	return s->ops->key_get(s, key_id, out);
}

int kyc_store_key_revoke(kyc_store *s, const char *key_id, int64_t now_ms)
{
	return s->ops->key_revoke(s, key_id, now_ms);
}

/* "kycd:idem:v1:<tenant>:<key>": a stored response opens only under its key. */
static void idem_ad(char *ad, size_t adsz, const char *tenant_id, const char *key)
{
	snprintf(ad, adsz, "kycd:idem:v1:%s:%s", tenant_id, key);
}

/* The stored response may show personal data: the backend keeps it sealed. */
int kyc_store_idem_get(kyc_store *s, const char *tenant_id, const char *key, int64_t not_before_ms,
                       struct kyc_idem_row *out)
{
	int rc = s->ops->idem_get(s, tenant_id, key, not_before_ms, out);
	if (rc)
		return rc;
	char ad[400]; /* keys are at most 255 characters (the API checks) */
	kyc_buf body;
	kyc_buf_init(&body, out->body_len + 1);
	idem_ad(ad, sizeof ad, tenant_id, key);
	rc = kyc__unseal_bytes(s, tenant_id, ad, out->body, out->body_len, &body);
	kyc_idem_row_release(out);
	if (!rc) {
		out->body = kyc_buf_detach(&body, &out->body_len);
		rc = out->body ? 0 : KYC_ERR_NOMEM;
	}
	kyc_buf_release(&body);
	return rc;
}

int kyc_store_idem_put(kyc_store *s, const char *tenant_id, const char *key,
                       const struct kyc_idem_row *row)
{
	char ad[400]; /* keys are at most 255 characters (the API checks) */
	kyc_buf body;
	kyc_buf_init(&body, row->body_len + 256);
	idem_ad(ad, sizeof ad, tenant_id, key);
	int rc = kyc__seal_bytes(s, tenant_id, NULL, ad, row->body ? row->body : "", row->body_len,
	                         &body);
	if (!rc) {
		struct kyc_idem_row sealed = *row;
		sealed.body = body.data;
		sealed.body_len = body.len;
		rc = s->ops->idem_put(s, tenant_id, key, &sealed);
	}
	kyc_buf_release(&body);
	return rc;
}

void kyc_idem_row_release(struct kyc_idem_row *row)
{
	free(row->body);
	row->body = NULL;
	row->body_len = 0;
}

/* ---- retention and erasure ---- */

int kyc_store_history_scrub(kyc_store *s, const char *tenant_id, const char *verification_id,
                            int *n)
{
	if (n)
		*n = 0;
	return s->ops->erase->history_scrub(s, tenant_id, verification_id, n);
}

int kyc_store_hosted_tokens_delete(kyc_store *s, const char *tenant_id, const char *verification_id)
{
	return s->ops->erase->hosted_tokens_delete(s, tenant_id, verification_id);
}

/* A recorded response mentions the needle when its opened body holds it;
 * one that does not open holds nothing anyone can read back. */
static int idem_mentions(kyc_store *s, const char *tenant_id, const char *key, const void *sealed,
                         size_t len, void *ctx)
{
	const char *needle = ctx;
	char ad[400]; /* keys are at most 255 characters (the API checks) */
	kyc_buf body;
	kyc_buf_init(&body, len + 1);
	idem_ad(ad, sizeof ad, tenant_id, key);
	int u = kyc__unseal_bytes(s, tenant_id, ad, sealed, len, &body);
	int hit = !u && body.len && memmem(body.data, body.len, needle, strlen(needle)) != NULL;
	kyc_buf_release(&body);
	return u == KYC_ERR_NOMEM ? u : hit;
}

int kyc_store_idem_forget(kyc_store *s, const char *tenant_id, const char *needle)
{
	/* The bodies are sealed, so each of the tenant's is opened and searched:
	 * erasures are rare, and the records expire within a day anyway. */
	if (!needle || !*needle)
		return KYC_ERR_INVALID;
	return s->ops->erase->idem_forget(s, tenant_id, idem_mentions, (void *)needle);
}

int kyc_store_retention_due(kyc_store *s, const char *tenant_id, enum kyc_retention_kind kind,
                            int64_t closed_before_ms, int limit, json_t **ids)
{
	*ids = NULL;
	if (kind != KYC_RETAIN_IMAGES && kind != KYC_RETAIN_IDENTITY)
		return KYC_ERR_INVALID;
	return s->ops->erase->retention_due(s, tenant_id, kind, closed_before_ms, limit, ids);
}

int kyc_store_log_truncate(kyc_store *s)
{
	return s->ops->erase->log_truncate(s);
}

/* ---- resources: sealed on the way in, opened on the way out ---- */

/* Checks that a caller names only columns it may: not the search hashes,
 * which are the store's own (bookkeeping keys too when bookkeeping). */
static int caller_keys(const struct kyc_table *tb, const json_t *rec, int bookkeeping)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)rec, key, val)
	{
		if (bookkeeping && kyc__store_is_bookkeeping(key))
			continue;
		const struct kyc_col *c = kyc__store_col(tb, key);
		if (!c || c->seal == KYC_SEAL_HASHCOL)
			return KYC_ERR_INVALID;
	}
	return 0;
}

/* The read path, the one place rows become records: the sealed columns of a
 * record the backend read are opened. */
static int open_record(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t **rec)
{
	int rc = kyc__unseal_record(s, t, tenant_id, *rec);
	if (rc) {
		json_decref(*rec);
		*rec = NULL;
	}
	return rc;
}

/* What the webhook fan-out routes an event by, from its payload and
 * attributes (the open record): the one endpoint of a test event, the
 * callback push's format, the route set, the status before and after, and
 * the resource's callback URL. */
static json_t *event_route(const json_t *rec)
{
	const json_t *pl = json_object_get(rec, "payload");
	const json_t *at = json_object_get(rec, "attributes");
	const json_t *v[] = {
	    json_object_get(at, "only_endpoint"),
	    json_object_get(at, "callback_format"),
	    json_object_get(json_object_get(at, "compat"), "seed"),
	    json_object_get(at, "from_status"),
	    json_object_get(pl, "status"),
	    json_object_get(pl, "callback_url"),
	};
	static const char *const keys[] = {"only_endpoint", "callback_format", "compat_seed",
					   "from_status",   "status",          "callback_url"};
	json_t *r = json_object();
	for (size_t i = 0; r && i < sizeof v / sizeof v[0]; i++)
		if (json_is_string(v[i]) && json_object_set(r, keys[i], (json_t *)v[i])) {
			json_decref(r);
			r = NULL;
		}
	return r;
}

int kyc_store_insert(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec)
{
	const json_t *id = json_object_get(rec, "id");
	if (!json_is_string(id) || caller_keys(&kyc__tables[t], rec, 1))
		return KYC_ERR_INVALID;
	json_t *row = NULL;
	int rc = kyc__seal_record(s, t, tenant_id, json_string_value(id), rec, 0, &row);
	if (!rc && t == KYC_R_EVENT) {
		json_t *route = event_route(rec);
		rc = route && !json_object_set_new(row, "route", route) ? 0 : KYC_ERR_NOMEM;
	}
	if (!rc)
		rc = s->ops->resource->insert(s, t, tenant_id, row);
	json_decref(row);
	return rc;
}

int kyc_store_get(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
                  json_t **out)
{
	int rc = s->ops->resource->get(s, t, tenant_id, id, out);
	return rc ? rc : open_record(s, t, tenant_id, out);
}

int kyc_store_get_many(kyc_store *s, enum kyc_rtype t, int n, const char *const *tenant_ids,
                       const char *const *ids, json_t **out)
{
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	if (!s->ops->resource->get_many) {
		for (int i = 0; i < n; i++)
			if (kyc_store_get(s, t, tenant_ids[i], ids[i], &out[i]))
				out[i] = NULL;
		return 0;
	}
	int rc = n > 0 ? s->ops->resource->get_many(s, t, n, tenant_ids, ids, out) : 0;
	for (int i = 0; i < n; i++) {
		if (rc) {
			json_decref(out[i]);
			out[i] = NULL;
		} else if (out[i]) {
			open_record(s, t, tenant_ids[i], &out[i]); /* NULL when it cannot be */
		}
	}
	return rc;
}

int kyc_store_update(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
                     const json_t *patch, int64_t expect_version)
{
	if (caller_keys(&kyc__tables[t], patch, 0))
		return KYC_ERR_INVALID;
	json_t *row = NULL;
	int rc = kyc__seal_record(s, t, tenant_id, id, patch, 1, &row);
	if (!rc)
		rc = s->ops->resource->update(s, t, tenant_id, id, row, expect_version);
	json_decref(row);
	return rc;
}

int kyc_store_delete(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id)
{
	return s->ops->resource->remove(s, t, tenant_id, id);
}

static int store_list(kyc_store *s, enum kyc_rtype t, const char *tenant_id,
                      const json_t *caller_filter, const char *cursor, int limit, int asc,
                      struct kyc_store_page *out)
{
	json_t *filter = NULL;
	int rc = 0;
	if (caller_filter) {
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)caller_filter, key, val)
		{
			const struct kyc_col *c = kyc__store_col(&kyc__tables[t], key);
			if ((!c || c->seal == KYC_SEAL_HASHCOL) && strcmp(key, "id") != 0) {
				memset(out, 0, sizeof *out);
				return KYC_ERR_INVALID;
			}
		}
		rc = kyc__seal_filter(s, t, tenant_id, caller_filter, &filter);
		if (rc) {
			memset(out, 0, sizeof *out);
			return rc;
		}
	}
	rc = s->ops->resource->list(s, t, tenant_id, filter, cursor, limit, asc, out);
	json_decref(filter);
	size_t i;
	json_t *item;
	json_array_foreach(rc ? NULL : out->items, i, item)
	{
		if ((rc = kyc__unseal_record(s, t, tenant_id, item)))
			break;
	}
	if (rc && out->items) {
		json_decref(out->items);
		out->items = NULL;
	}
	return rc;
}

int kyc_store_list(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
                   const char *cursor, int limit, struct kyc_store_page *out)
{
	return store_list(s, t, tenant_id, filter, cursor, limit, 0, out);
}

int kyc_store_list_asc(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
                       const char *cursor, int limit, struct kyc_store_page *out)
{
	return store_list(s, t, tenant_id, filter, cursor, limit, 1, out);
}

int kyc_store_verification_match(kyc_store *s, const char *tenant_id,
                                 const struct kyc_store_match *m, json_t **out)
{
	*out = NULL;
	if (!m->key_column ||
	    (strcmp(m->key_column, "document_key") && strcmp(m->key_column, "identity_key")))
		return KYC_ERR_INVALID;
	/* the keys are stored as their keyed hashes; the backend's answer comes
	 * through kyc_store_get, so it is opened there */
	char hashed[65];
	struct kyc_store_match hm = *m;
	int rc = kyc__seal_key_hash(s, tenant_id, m->key ? m->key : "", hashed);
	hm.key = hashed;
	return rc ? rc : s->ops->resource->verification_match(s, tenant_id, &hm, out);
}

int kyc_store_verification_stamp(kyc_store *s, const char *tenant_id, const char *id, char *out,
                                 size_t outsz)
{
	if (!outsz)
		return KYC_ERR_TOOBIG;
	out[0] = '\0';
	int rc = s->ops->resource->stamp(s, kyc__verification_stamp_sql, tenant_id, id, out, outsz);
	/* no "v" row: no such verification (ids are hex and dashes, never "v") */
	if (!rc && strncmp(out, "v:", 2) && !strstr(out, ";v:"))
		rc = KYC_ERR_NOTFOUND;
	return rc;
}

/* ---- the web surfaces ---- */

int kyc_store_hosted_token_insert(kyc_store *s, const struct kyc_hosted_token_row *row)
{
	return s->ops->web->hosted_token_insert(s, row);
}

int kyc_store_hosted_token_get(kyc_store *s, const unsigned char token_hash[32],
                               struct kyc_hosted_token_row *out)
{
	return s->ops->web->hosted_token_get(s, token_hash, out);
}

int kyc_store_operator_insert(kyc_store *s, const struct kyc_operator_row *row)
{
	return s->ops->web->operator_insert(s, row);
}

int kyc_store_operator_find(kyc_store *s, const char *username, struct kyc_operator_row *out)
{
	return s->ops->web->operator_find(s, username, out);
}

int kyc_store_operator_get(kyc_store *s, const char *tenant_id, const char *id,
                           struct kyc_operator_row *out)
{
	return s->ops->web->operator_get(s, tenant_id, id, out);
}

int kyc_store_operator_set(kyc_store *s, const char *id, int64_t disabled_at,
                           const char *password_hash)
{
	return s->ops->web->operator_set(s, id, disabled_at, password_hash);
}

int kyc_store_sessions_end_operator(kyc_store *s, const char *operator_id, int *ended)
{
	return s->ops->web->sessions_end_operator(s, operator_id, ended);
}

int kyc_store_login_failures(kyc_store *s, const char *username, int *failures,
                             int64_t *last_failure_at)
{
	return s->ops->web->login_failures(s, username, failures, last_failure_at);
}

int kyc_store_login_failure_add(kyc_store *s, const char *username, int64_t now_ms)
{
	return s->ops->web->login_failure_add(s, username, now_ms);
}

int kyc_store_login_failures_clear(kyc_store *s, const char *username)
{
	return s->ops->web->login_failures_clear(s, username);
}

int kyc_store_rate_take(kyc_store *s, const char *key, double per_ms, double burst,
			int64_t now_ms, double *tokens, int *allowed)
{
	if (!s->ops->web->rate_take)
		return KYC_ERR_UNSUPPORTED;
	return s->ops->web->rate_take(s, key, per_ms, burst, now_ms, tokens, allowed);
}

int kyc_store_rate_shared(kyc_store *s)
{
	return s->ops->web->rate_take != NULL;
}

int kyc_store_rate_forget(kyc_store *s, int64_t before_ms)
{
	return s->ops->web->rate_forget ? s->ops->web->rate_forget(s, before_ms) : 0;
}

int kyc_store_session_insert(kyc_store *s, const struct kyc_session_row *row)
{
	return s->ops->web->session_insert(s, row);
}

int kyc_store_session_get(kyc_store *s, const unsigned char id_hash[32],
                          struct kyc_session_row *out)
{
	return s->ops->web->session_get(s, id_hash, out);
}

int kyc_store_session_delete(kyc_store *s, const unsigned char id_hash[32], int64_t now_ms)
{
	return s->ops->web->session_delete(s, id_hash, now_ms);
}

/* ---- the webhook outbox ---- */

int kyc_outbox_undispatched(kyc_store *s, int max, struct kyc_outbox_event **out, int *n)
{
	*out = NULL;
	*n = 0;
	return max < 1 ? 0 : s->ops->outbox->undispatched(s, max, out, n);
}

void kyc_outbox_events_free(struct kyc_outbox_event *ev, int n)
{
	if (!ev)
		return;
	for (int i = 0; i < n; i++)
		free(ev[i].callback_url);
	free(ev);
}

int kyc_outbox_dispatched(kyc_store *s, const char *event_id, int64_t now_ms)
{
	return s->ops->outbox->dispatched(s, event_id, now_ms);
}

int kyc_outbox_endpoints(kyc_store *s, const char *tenant_id, json_t **out)
{
	return s->ops->outbox->endpoints(s, tenant_id, out);
}

int kyc_outbox_delivery_add(kyc_store *s, const char *tenant_id, const char *event_id,
                            const char *event_type, const char *endpoint_id, const char *url,
                            const char *format, int64_t due_ms, char *id_out)
{
	return s->ops->outbox->delivery_add(s, tenant_id, event_id, event_type, endpoint_id, url,
	                                    format, due_ms, id_out);
}

int kyc_outbox_callback_secret_ensure(kyc_store *s, const char *tenant_id, const char *secret,
                                      int64_t now_ms)
{
	return s->ops->outbox->callback_secret_ensure(s, tenant_id, secret, now_ms);
}

int kyc_outbox_callback_secret_set(kyc_store *s, const char *tenant_id, const char *secret,
                                   int64_t overlap_ms, int64_t now_ms)
{
	return s->ops->outbox->callback_secret_set(s, tenant_id, secret, overlap_ms, now_ms);
}

int kyc_outbox_callback_secret_info(kyc_store *s, const char *tenant_id, json_t **out)
{
	return s->ops->outbox->callback_secret_info(s, tenant_id, out);
}

int kyc_outbox_next_due(kyc_store *s, int64_t *next_ms)
{
	return s->ops->outbox->next_due(s, next_ms);
}

int kyc_outbox_claim(kyc_store *s, int64_t now_ms, int64_t lease_ms, int max,
                     kyc_outbox_room_fn room, void *ctx, struct kyc_outbox_job *jobs, int *n)
{
	*n = 0;
	return max < 1 ? 0 : s->ops->outbox->claim(s, now_ms, lease_ms, max, room, ctx, jobs, n);
}

void kyc_outbox_job_release(struct kyc_outbox_job *j)
{
	free(j->url);
	j->url = NULL;
}

int kyc_outbox_unclaim(kyc_store *s, const char *delivery_id, int64_t due_ms)
{
	return s->ops->outbox->unclaim(s, delivery_id, due_ms);
}

int kyc_outbox_record(kyc_store *s, const struct kyc_outbox_attempt *a)
{
	return s->ops->outbox->record(s, a);
}

int kyc_outbox_delivery_add_batch(kyc_store *s, const struct kyc_outbox_new *d, int n)
{
	if (n > 0 && s->ops->outbox->delivery_add_batch)
		return s->ops->outbox->delivery_add_batch(s, d, n);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++)
		rc = s->ops->outbox->delivery_add(s, d[i].tenant_id, d[i].event_id, d[i].event_type,
						  d[i].endpoint_id, d[i].url, d[i].format,
						  d[i].due_ms, NULL);
	return rc;
}

int kyc_outbox_dispatched_batch(kyc_store *s, const char *const *event_ids, int n,
				int64_t now_ms, int *owned)
{
	if (n > 0 && s->ops->outbox->dispatched_batch)
		return s->ops->outbox->dispatched_batch(s, event_ids, n, now_ms, owned);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		rc = s->ops->outbox->dispatched(s, event_ids[i], now_ms);
		owned[i] = rc == 0;
		if (rc == KYC_ERR_CONFLICT)
			rc = 0;
	}
	return rc;
}

int kyc_outbox_record_batch(kyc_store *s, const struct kyc_outbox_attempt *a, int n)
{
	if (n > 0 && s->ops->outbox->record_batch)
		return s->ops->outbox->record_batch(s, a, n);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++)
		rc = s->ops->outbox->record(s, &a[i]);
	return rc;
}

int kyc_outbox_endpoint_health(kyc_store *s, const char *endpoint_id, int ok, int64_t at_ms,
                               int64_t *failing_since)
{
	return s->ops->outbox->endpoint_health(s, endpoint_id, ok, at_ms, failing_since);
}

int kyc_outbox_pause(kyc_store *s, const char *tenant_id, const char *endpoint_id, int pause,
                     int64_t now_ms)
{
	return s->ops->outbox->pause(s, tenant_id, endpoint_id, pause, now_ms);
}

/* Fills e's routing fields from an event's route (event_route). */
static int route_fill(struct kyc_outbox_event *e, const json_t *route)
{
	const char *v;
#define PICK(key, field)                                                                           \
	v = json_string_value(json_object_get(route, key));                                        \
	snprintf(e->field, sizeof e->field, "%s", v ? v : "")
	PICK("only_endpoint", only_endpoint);
	PICK("callback_format", callback_format);
	PICK("compat_seed", compat_seed);
	PICK("from_status", from_status);
	PICK("status", status);
#undef PICK
	v = json_string_value(json_object_get(route, "callback_url"));
	return v && *v && !(e->callback_url = strdup(v)) ? KYC_ERR_NOMEM : 0;
}

int kyc__outbox_event_open(kyc_store *s, struct kyc_outbox_event *e, const char *resource_type,
                           const char *resource_id, const char *payload, const char *attributes,
                           const char *route)
{
	if (route) { /* written since migration 11: nothing to open */
		json_t *r = json_loads(route, 0, NULL);
		int rc = r ? route_fill(e, r) : KYC_ERR_DENIED;
		json_decref(r);
		return rc;
	}
	json_t *p = payload ? json_loads(payload, JSON_DECODE_ANY, NULL) : NULL;
	json_t *a = attributes ? json_loads(attributes, JSON_DECODE_ANY, NULL) : NULL;
	json_t *rec = json_pack("{s:s, s:s?, s:s?, s:o, s:o}", "id", e->id, "resource_type",
	                        resource_type, "resource_id", resource_id, "payload",
	                        p ? p : json_null(), "attributes", a ? a : json_null());
	int rc = rec ? kyc__unseal_record(s, KYC_R_EVENT, e->tenant_id, rec) : KYC_ERR_NOMEM;
	if (rc) {
		json_decref(rec);
		return rc;
	}
	json_t *r = event_route(rec);
	rc = r ? route_fill(e, r) : KYC_ERR_NOMEM;
	json_decref(r);
	json_decref(rec);
	return rc;
}

/* ---- data keys (store_int.h): the backend's key ops ---- */

int kyc__store_dk_get(kyc_store *s, const char *tenant_id, const char *owner_id,
                      struct kyc__dk_row *out)
{
	return s->ops->keys->dk_get(s, tenant_id, owner_id, out);
}

int kyc__store_dk_put(kyc_store *s, const char *tenant_id, const char *owner_id,
                      const struct kyc__dk_row *row, int replace)
{
	return s->ops->keys->dk_put(s, tenant_id, owner_id, row, replace);
}

int kyc__store_dk_delete(kyc_store *s, const char *tenant_id, const char *owner_id)
{
	return s->ops->keys->dk_delete(s, tenant_id, owner_id);
}

int kyc__store_dk_tenants(kyc_store *s, const char *master_id, int max, json_t **tenants,
                          json_t **masters)
{
	return s->ops->keys->dk_tenants(s, master_id, max, tenants, masters);
}

int kyc__store_applicant_of(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
                            char out[37])
{
	return s->ops->keys->applicant_of(s, t, tenant_id, id, out);
}

kyc_keyring *kyc__store_keyring(kyc_store *s)
{
	return s->keyring;
}
