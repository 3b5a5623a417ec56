/* The SQLite backend of outbox.h: the webhook worker's reads across tenants,
 * claims and attempt records. Statements go through the connection's cache:
 * the worker runs the same few thousands of times a second under load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/outbox.h"
#include "store/store_sqlite_int.h"

/* Copies column i as text into out (size outsz); "" for NULL. */
static void col_copy(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outsz, "%s", t && sqlite3_column_type(st, i) == SQLITE_TEXT ? (const char *)t : "");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* ---- fan-out ---- */

static int sqlite_undispatched(kyc_store *s, int max, struct kyc_outbox_event **out, int *n)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (max < 1)
		return 0;
	/* ORDER BY the index's own order (the NULL key, then rowid): no sort.
	 * The route (migration 11) says what the fan-out needs; an event from
	 * before has none, and its payload and attributes, sealed (personal
	 * data), are read whole and opened by kyc__outbox_event_open. */
	int rc = kyc__store_prepare(
	    s,
	    "SELECT id, tenant_id, type, resource_type, resource_id, CASE WHEN route IS NULL THEN "
	    "payload END, CASE WHEN route IS NULL THEN attributes END, route FROM events WHERE "
	    "dispatched_at IS NULL ORDER BY dispatched_at, "
	    "rowid LIMIT ?",
	    &st);
	if (rc)
		return rc;
	struct kyc_outbox_event *ev = NULL;
	sqlite3_bind_int(st, 1, max);
	int k = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < max) {
		/* Allocated on the first row: the worker asks often, mostly for nothing. */
		if (!ev && !(ev = calloc((size_t)max, sizeof *ev))) {
			rc = SQLITE_NOMEM;
			break;
		}
		struct kyc_outbox_event *e = &ev[k++];
		col_copy(st, 0, e->id, sizeof e->id);
		col_copy(st, 1, e->tenant_id, sizeof e->tenant_id);
		col_copy(st, 2, e->type, sizeof e->type);
		int urc = kyc__outbox_event_open(
		    s, e, (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4),
		    sqlite3_column_type(st, 5) == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, 5)
							       : NULL,
		    sqlite3_column_type(st, 6) == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, 6)
							       : NULL,
		    sqlite3_column_type(st, 7) == SQLITE_TEXT ? (const char *)sqlite3_column_text(st, 7)
							       : NULL);
		if (urc) {
			rc = urc == KYC_ERR_NOMEM ? SQLITE_NOMEM : SQLITE_CORRUPT;
			break;
		}
	}
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	if (rc) {
		kyc_outbox_events_free(ev, k);
		return rc;
	}
	*out = ev;
	*n = k;
	return 0;
}

static int sqlite_dispatched(kyc_store *s, const char *event_id, int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(
	    s, "UPDATE events SET dispatched_at=? WHERE id=? AND dispatched_at IS NULL", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_text(st, 2, event_id, -1, SQLITE_TRANSIENT);
	rc = kyc__sqlite_run(s, st);
	if (!rc && sqlite3_changes(kyc__store_db(s)) == 0)
		rc = KYC_ERR_CONFLICT;
	return rc;
}

static int sqlite_endpoints(kyc_store *s, const char *tenant_id, json_t **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	int rc =
	    kyc__sqlite_prepare_text(s,
	                             "SELECT id, event_types, format FROM webhook_endpoints WHERE "
	                             "tenant_id=? AND enabled=1 ORDER BY created_at, id",
	                             tenant_id, &st);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *types = NULL;
		if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
			types = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		const unsigned char *fmt = sqlite3_column_text(st, 2);
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:s}", "id", (const char *)sqlite3_column_text(st, 0),
				   "event_types", types && json_is_array(types) ? types : json_null(),
				   "format", fmt ? (const char *)fmt : "native"));
		if (types && !json_is_array(types))
			json_decref(types);
	}
	rc = !arr ? KYC_ERR_NOMEM : rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int sqlite_delivery_add(kyc_store *s, const char *tenant_id, const char *event_id,
			    const char *event_type, const char *endpoint_id, const char *url,
			    const char *format, int64_t due_ms, char *id_out)
{
	char id[37];
	int rc = kyc_uuid_new(id);
	sqlite3_stmt *st;
	if (rc || (rc = kyc__store_prepare(
		       s,
		       "INSERT INTO webhook_deliveries(id, tenant_id, version, created_at, "
		       "updated_at, event_id, event_type, endpoint_id, url, format, status, "
		       "attempt_count, next_attempt_at) VALUES (?,?,1,?,?,?,?,?,?,?,'pending',0,?)",
		       &st)))
		return rc;
	int64_t now = kyc_now_ms();
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, event_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, event_type, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 7, endpoint_id);
	bind_text_or_null(st, 8, endpoint_id ? NULL : url);
	sqlite3_bind_text(st, 9, format && *format ? format : "native", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, due_ms);
	rc = kyc__sqlite_run(s, st);
	if (!rc && id_out)
		memcpy(id_out, id, sizeof id);
	return rc;
}

/* ---- the callback secret ---- */

static int sqlite_callback_secret_ensure(kyc_store *s, const char *tenant_id, const char *secret,
				      int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(
	    s,
	    "INSERT INTO webhook_callback_secrets(tenant_id, secret, "
	    "created_at, updated_at) VALUES (?,?,?,?) ON CONFLICT(tenant_id) "
	    "DO NOTHING",
	    tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, secret, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_int64(st, 4, now_ms);
	return kyc__sqlite_run(s, st);
}

static int sqlite_callback_secret_set(kyc_store *s, const char *tenant_id, const char *secret,
				   int64_t overlap_ms, int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(
	    s,
	    "INSERT INTO webhook_callback_secrets(tenant_id, secret, created_at, updated_at) "
	    "VALUES (?1,?2,?3,?3) ON CONFLICT(tenant_id) DO UPDATE SET previous_secret=CASE WHEN "
	    "?4>0 THEN webhook_callback_secrets.secret END, previous_secret_expires_at=CASE WHEN "
	    "?4>0 THEN ?3+?4 END, secret=excluded.secret, updated_at=excluded.updated_at",
	    tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, secret, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_int64(st, 4, overlap_ms);
	return kyc__sqlite_run(s, st);
}

static json_t *time_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	char iso[32];
	kyc_time_iso(sqlite3_column_int64(st, i), iso);
	return json_string(iso);
}

static int sqlite_callback_secret_info(kyc_store *s, const char *tenant_id, json_t **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	int rc = kyc__sqlite_prepare_text(
	    s,
	    "SELECT created_at, updated_at, previous_secret_expires_at FROM "
	    "webhook_callback_secrets WHERE tenant_id=?",
	    tenant_id, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = json_pack("{s:o, s:o, s:o}", "created_at", time_or_null(st, 0), "updated_at",
				 time_or_null(st, 1), "previous_secret_expires_at",
				 time_or_null(st, 2));
		rc = *out ? 0 : KYC_ERR_NOMEM;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	}
	kyc__store_release(s, st);
	return rc;
}

/* ---- claims and attempts ---- */

/* Claims up to max - *k of one target's due deliveries, oldest first, into
 * jobs[*k..]: endpoint_id's, or with endpoint_id NULL the callbacks'. */
static int claim_target(kyc_store *s, int64_t now_ms, const char *endpoint_id, int max,
			struct kyc_outbox_job *jobs, int *k)
{
	sqlite3_stmt *st;
	/* Both forms walk webhook_deliveries_endpoint_due (endpoint_id IS NULL
	 * is an equality for the index). */
	int rc = kyc__store_prepare(
	    s,
	    endpoint_id
		? "SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, e.url, coalesce(d.format, "
		  "'native'), e.secret, CASE WHEN e.previous_secret_expires_at > ?1 THEN "
		  "e.previous_secret END, d.attempt_count, d.created_at FROM webhook_deliveries d "
		  "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.endpoint_id = ?3 AND "
		  "d.status='pending' AND d.next_attempt_at <= ?1 AND e.enabled = 1 ORDER BY "
		  "d.next_attempt_at LIMIT ?2"
		: "SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, d.url, coalesce(d.format, "
		  "'native'), c.secret, CASE WHEN c.previous_secret_expires_at > ?1 THEN "
		  "c.previous_secret END, d.attempt_count, d.created_at FROM webhook_deliveries d "
		  "LEFT JOIN webhook_callback_secrets c ON c.tenant_id = d.tenant_id WHERE "
		  "d.endpoint_id IS NULL AND d.status='pending' AND d.next_attempt_at <= ?1 ORDER BY "
		  "d.next_attempt_at LIMIT ?2",
	    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int(st, 2, max - *k);
	if (endpoint_id)
		sqlite3_bind_text(st, 3, endpoint_id, -1, SQLITE_TRANSIENT);
	while (*k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kyc_outbox_job *j = &jobs[*k];
		memset(j, 0, sizeof *j);
		col_copy(st, 0, j->delivery_id, sizeof j->delivery_id);
		col_copy(st, 1, j->tenant_id, sizeof j->tenant_id);
		col_copy(st, 2, j->event_id, sizeof j->event_id);
		col_copy(st, 3, j->endpoint_id, sizeof j->endpoint_id);
		col_copy(st, 5, j->format, sizeof j->format);
		col_copy(st, 6, j->secret, sizeof j->secret);
		col_copy(st, 7, j->previous_secret, sizeof j->previous_secret);
		j->attempt_count = sqlite3_column_int(st, 8);
		j->created_ms = sqlite3_column_int64(st, 9);
		const unsigned char *u = sqlite3_column_text(st, 4);
		j->url = strdup(u ? (const char *)u : "");
		if (!j->url) {
			rc = SQLITE_NOMEM;
			break;
		}
		(*k)++;
	}
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_claim(kyc_store *s, int64_t now_ms, int64_t lease_ms, int max,
		     kyc_outbox_room_fn room, void *ctx, struct kyc_outbox_job *jobs, int *n)
{
	sqlite3_stmt *st, *up = NULL;
	*n = 0;
	if (max < 1)
		return 0;
	/* The targets with something due, oldest due first: each enabled
	 * endpoint's oldest pending delivery is one probe of the index, and the
	 * callbacks' (id NULL) another. */
	int rc = kyc__store_prepare(
	    s,
	    "SELECT id, due FROM (SELECT e.id AS id, (SELECT min(d.next_attempt_at) FROM "
	    "webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status='pending') AS due FROM "
	    "webhook_endpoints e WHERE e.enabled = 1 UNION ALL SELECT NULL, (SELECT "
	    "min(d.next_attempt_at) FROM webhook_deliveries d WHERE d.endpoint_id IS NULL AND "
	    "d.status='pending')) WHERE due <= ?1 ORDER BY due",
	    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms);
	json_t *targets = json_array(); /* ids (null: callbacks), read before claiming */
	while (targets && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(st, 0);
		if (json_array_append_new(targets, id ? json_string((const char *)id) : json_null()))
			rc = SQLITE_NOMEM;
	}
	rc = !targets ? KYC_ERR_NOMEM : rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	int k = 0;
	size_t i;
	json_t *t;
	json_array_foreach(targets, i, t)
	{
		if (rc || k >= max)
			break;
		const char *ep = json_string_value(t);
		int lim = max;
		if (ep && room) {
			int r = room(ctx, ep, (int)json_array_size(targets));
			if (r <= 0)
				continue;
			lim = k + r < max ? k + r : max;
		}
		rc = claim_target(s, now_ms, ep, lim, jobs, &k);
	}
	json_decref(targets);
	if (!rc && k)
		rc = kyc__store_prepare(s, "UPDATE webhook_deliveries SET next_attempt_at=? WHERE id=?",
					&up);
	for (int j = 0; j < k && !rc; j++) {
		sqlite3_bind_int64(up, 1, now_ms + lease_ms);
		sqlite3_bind_text(up, 2, jobs[j].delivery_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(up);
		rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
		sqlite3_reset(up);
	}
	kyc__store_release(s, up);
	if (rc) {
		for (int j = 0; j < k; j++)
			kyc_outbox_job_release(&jobs[j]);
		return rc;
	}
	*n = k;
	return 0;
}

static int sqlite_next_due(kyc_store *s, int64_t *next_ms)
{
	sqlite3_stmt *st;
	*next_ms = 0;
	int rc = kyc__store_prepare(
	    s, "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status='pending'", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*next_ms = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_unclaim(kyc_store *s, const char *delivery_id, int64_t due_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "UPDATE webhook_deliveries SET next_attempt_at=? WHERE id=? AND "
				    "status='pending'",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, due_ms);
	sqlite3_bind_text(st, 2, delivery_id, -1, SQLITE_TRANSIENT);
	return kyc__sqlite_run(s, st);
}

static int sqlite_record(kyc_store *s, const struct kyc_outbox_attempt *a)
{
	sqlite3_stmt *st;
	/* The log keeps the last 100 attempts (a delivery makes about 20 in its
	 * three days; the cap only bounds a row against surprises). */
	int rc = kyc__store_prepare(
	    s,
	    "UPDATE webhook_deliveries SET version=version+1, updated_at=?1, status=CASE WHEN "
	    "status='paused' AND ?2='pending' THEN 'paused' ELSE ?2 END, "
	    "attempt_count=attempt_count+1, next_attempt_at=?3, last_attempt_at=?4, "
	    "last_status=?5, last_error=?6, completed_at=?7, attempts=json_insert(CASE WHEN "
	    "json_array_length(coalesce(attempts, '[]')) >= 100 THEN json_remove(attempts, "
	    "'$[0]') ELSE coalesce(attempts, '[]') END, '$[#]', json_object('at', ?8, "
	    "'status', ?5, 'latency_ms', ?9, 'error', ?6, 'response', ?10)) WHERE id=?11",
	    &st);
	if (rc)
		return rc;
	char iso[32];
	kyc_time_iso(a->at_ms, iso);
	int pending = !strcmp(a->status, "pending");
	int64_t now = kyc_now_ms();
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, a->status, -1, SQLITE_STATIC);
	if (pending)
		sqlite3_bind_int64(st, 3, a->next_ms);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, a->at_ms);
	if (a->http_status > 0)
		sqlite3_bind_int(st, 5, a->http_status);
	else
		sqlite3_bind_null(st, 5);
	bind_text_or_null(st, 6, a->error);
	if (pending)
		sqlite3_bind_null(st, 7);
	else
		sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_text(st, 8, iso, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, a->latency_ms);
	char *response = a->response && a->response_len
			     ? kyc__store_utf8_text(a->response, a->response_len)
			     : NULL;
	if (response)
		sqlite3_bind_text(st, 10, response, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 10);
	free(response);
	sqlite3_bind_text(st, 11, a->delivery_id, -1, SQLITE_TRANSIENT);
	return kyc__sqlite_run(s, st);
}

static int sqlite_endpoint_health(kyc_store *s, const char *endpoint_id, int ok, int64_t at_ms,
			       int64_t *failing_since)
{
	sqlite3_stmt *st;
	if (failing_since)
		*failing_since = 0;
	if (ok) {
		int rc = kyc__sqlite_prepare_text(
		    s,
		    "UPDATE webhook_endpoints SET failing_since=NULL WHERE "
		    "id=? AND failing_since IS NOT NULL",
		    endpoint_id, &st);
		if (rc)
			return rc;
		return kyc__sqlite_run(s, st);
	}
	int rc = kyc__store_prepare(s,
				    "UPDATE webhook_endpoints SET failing_since=coalesce(failing_since, "
				    "?) WHERE id=? RETURNING failing_since",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, at_ms);
	sqlite3_bind_text(st, 2, endpoint_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (failing_since)
			*failing_since = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_pause(kyc_store *s, const char *tenant_id, const char *endpoint_id, int pause,
		     int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(
	    s,
	    pause ? "UPDATE webhook_deliveries SET status='paused', version=version+1, "
		    "updated_at=?1 WHERE tenant_id=?2 AND endpoint_id=?3 AND status='pending'"
		  : "UPDATE webhook_deliveries SET status='pending', next_attempt_at=?1, "
		    "version=version+1, updated_at=?1 WHERE tenant_id=?2 AND endpoint_id=?3 AND "
		    "status='paused'",
	    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, endpoint_id, -1, SQLITE_TRANSIENT);
	return kyc__sqlite_run(s, st);
}

const struct kyc_outbox_ops kyc__sqlite_outbox_ops = {
	.undispatched = sqlite_undispatched,
	.dispatched = sqlite_dispatched,
	.endpoints = sqlite_endpoints,
	.delivery_add = sqlite_delivery_add,
	.callback_secret_ensure = sqlite_callback_secret_ensure,
	.callback_secret_set = sqlite_callback_secret_set,
	.callback_secret_info = sqlite_callback_secret_info,
	.claim = sqlite_claim,
	.next_due = sqlite_next_due,
	.unclaim = sqlite_unclaim,
	.record = sqlite_record,
	.endpoint_health = sqlite_endpoint_health,
	.pause = sqlite_pause,
};
