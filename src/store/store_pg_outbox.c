/* The PostgreSQL side of outbox.h: the webhook worker's reads across
 * tenants, claims and attempt records. Claims lock the rows they take
 * (SELECT … FOR UPDATE SKIP LOCKED), so nodes sharing the database each
 * take different deliveries without waiting on one another; the lease
 * makes a delivery due again when its node dies mid-attempt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/outbox.h"
#include "store/store_pg_int.h"

/* ---- fan-out ---- */

static int pg_undispatched(kyc_store *s, int max, struct kyc_outbox_event **out, int *n)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	/* Oldest first; within one millisecond, in the order the rows were
	 * written (ctid), which is what SQLite's rowid order gives. */
	kyc__pgq_int(&q, max);
	int rc = kyc__pg_query(
	    s,
	    "SELECT id, tenant_id, type, resource_type, resource_id, CASE WHEN route IS NULL "
	    "THEN payload END, CASE WHEN route IS NULL THEN attributes END, route FROM events "
	    "WHERE dispatched_at IS NULL ORDER BY created_at, ctid LIMIT $1",
	    &q, &r);
	if (rc)
		return rc;
	int k = PQntuples(r);
	struct kyc_outbox_event *ev = k ? calloc((size_t)k, sizeof *ev) : NULL;
	if (k && !ev)
		rc = KYC_ERR_NOMEM;
	for (int i = 0; i < k && !rc; i++) {
		struct kyc_outbox_event *e = &ev[i];
		kyc__pg_text(r, i, 0, e->id, sizeof e->id);
		kyc__pg_text(r, i, 1, e->tenant_id, sizeof e->tenant_id);
		kyc__pg_text(r, i, 2, e->type, sizeof e->type);
		/* the route, or (an event from before migration 11) the payload and
		 * attributes, sealed (personal data): read whole */
		rc = kyc__outbox_event_open(s, e, PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
					    PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
					    PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5),
					    PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6),
					    PQgetisnull(r, i, 7) ? NULL : PQgetvalue(r, i, 7));
	}
	PQclear(r);
	if (rc) {
		kyc_outbox_events_free(ev, k);
		return rc;
	}
	*out = ev;
	*n = k;
	return 0;
}

static int pg_dispatched(kyc_store *s, const char *event_id, int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, now_ms);
	kyc__pgq_text(&q, event_id);
	return kyc__pg_change(
	    s, "UPDATE events SET dispatched_at=$1 WHERE id=$2 AND dispatched_at IS NULL", &q,
	    KYC_ERR_CONFLICT);
}

static int pg_endpoints(kyc_store *s, const char *tenant_id, json_t **out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	*out = NULL;
	kyc__pgq_text(&q, tenant_id);
	int rc = kyc__pg_query(s,
			       "SELECT id, event_types, format FROM webhook_endpoints WHERE "
			       "tenant_id=$1 AND enabled=1 ORDER BY created_at, id",
			       &q, &r);
	if (rc)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; arr && i < PQntuples(r); i++) {
		json_t *types = PQgetisnull(r, i, 1) ? NULL : json_loads(PQgetvalue(r, i, 1), 0, NULL);
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:s}", "id", PQgetvalue(r, i, 0), "event_types",
				   types && json_is_array(types) ? types : json_null(), "format",
				   PQgetisnull(r, i, 2) ? "native" : PQgetvalue(r, i, 2)));
		if (types && !json_is_array(types))
			json_decref(types);
	}
	PQclear(r);
	*out = arr;
	return arr ? 0 : KYC_ERR_NOMEM;
}

static int pg_delivery_add(kyc_store *s, const char *tenant_id, const char *event_id,
			   const char *event_type, const char *endpoint_id, const char *url,
			   const char *format, int64_t due_ms, char *id_out)
{
	char id[37];
	struct kyc_pgq q = {0};
	int rc = kyc_uuid_new(id);
	if (rc)
		return rc;
	int64_t now = kyc_now_ms();
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_int(&q, now);
	kyc__pgq_text(&q, event_id);
	kyc__pgq_text(&q, event_type);
	kyc__pgq_text(&q, endpoint_id && *endpoint_id ? endpoint_id : NULL);
	kyc__pgq_text(&q, !endpoint_id && url && *url ? url : NULL);
	kyc__pgq_text(&q, format && *format ? format : "native");
	kyc__pgq_int(&q, due_ms);
	rc = kyc__pg_run(s,
			 "INSERT INTO webhook_deliveries(id, tenant_id, version, created_at, "
			 "updated_at, event_id, event_type, endpoint_id, url, format, status, "
			 "attempt_count, next_attempt_at) VALUES ($1,$2,1,$3,$3,$4,$5,$6,$7,$8,"
			 "'pending',0,$9)",
			 &q, NULL);
	if (!rc && id_out)
		memcpy(id_out, id, sizeof id);
	return rc;
}

/* n ids as a text[] literal in b (uuids need no quoting); id(ctx, i) is
 * the i-th. */
static int id_array(kyc_buf *b, int n, const char *(*id)(const void *ctx, int i),
		    const void *ctx)
{
	kyc_buf_init(b, (size_t)n * 40 + 8);
	int rc = kyc_buf_puts(b, "{");
	for (int i = 0; i < n && !rc; i++)
		rc = kyc_buf_printf(b, "%s%s", i ? "," : "", id(ctx, i));
	return rc ? rc : kyc_buf_puts(b, "}");
}

/* Runs sql with $1 = v and $2 = the n ids as a text[]; its rows in *r
 * (may be NULL). */
static int run_on_ids(kyc_store *s, const char *sql, int64_t v, int n,
		      const char *(*id)(const void *ctx, int i), const void *ctx, PGresult **r)
{
	kyc_buf ids;
	int rc = id_array(&ids, n, id, ctx);
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, v);
	kyc__pgq_text(&q, ids.data);
	rc = rc ? rc : kyc__pg_query(s, sql, &q, r);
	kyc_buf_release(&ids);
	return rc;
}

static const char *job_id(const void *ctx, int i)
{
	return ((const struct kyc_outbox_job *)ctx)[i].delivery_id;
}

static const char *string_at(const void *ctx, int i)
{
	return ((const char *const *)ctx)[i];
}

/* Runs sql, a statement over jsonb_to_recordset($2) with $1 the time now,
 * on rows (a JSON array, taken; NULL when it could not be made): a batch
 * in one round trip. rc: the caller's error so far, returned as it is. */
static int run_rows(kyc_store *s, const char *sql, json_t *rows, int rc)
{
	char *text = rc || !rows ? NULL : json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	if (rc || !text)
		return rc ? rc : KYC_ERR_NOMEM;
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, kyc_now_ms());
	kyc__pgq_take(&q, text);
	rc = kyc__pg_run(s, sql, &q, NULL);
	kyc__pgq_release(&q);
	return rc;
}

/* The deliveries as one INSERT ... SELECT from a JSON array of rows. */
static int pg_delivery_add_batch(kyc_store *s, const struct kyc_outbox_new *d, int n)
{
	json_t *rows = json_array();
	int rc = rows ? 0 : KYC_ERR_NOMEM;
	for (int i = 0; i < n && !rc; i++) {
		char id[37];
		rc = kyc_uuid_new(id);
		const char *ep = d[i].endpoint_id && *d[i].endpoint_id ? d[i].endpoint_id : NULL;
		const char *url = !d[i].endpoint_id && d[i].url && *d[i].url ? d[i].url : NULL;
		json_t *row = rc ? NULL
				 : json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:I}", "id", id,
					     "tenant_id", d[i].tenant_id, "event_id", d[i].event_id,
					     "event_type", d[i].event_type, "endpoint_id", ep, "url",
					     url, "format",
					     d[i].format && *d[i].format ? d[i].format : "native", "due",
					     (json_int_t)d[i].due_ms);
		if (!rc && (!row || json_array_append_new(rows, row)))
			rc = KYC_ERR_NOMEM;
	}
	return run_rows(s,
			 "INSERT INTO webhook_deliveries(id, tenant_id, version, created_at, "
			 "updated_at, event_id, event_type, endpoint_id, url, format, status, "
			 "attempt_count, next_attempt_at) SELECT v.id, v.tenant_id, 1, $1::bigint, "
			 "$1::bigint, v.event_id, v.event_type, v.endpoint_id, v.url, v.format, "
			 "'pending', 0, v.due FROM jsonb_to_recordset($2::jsonb) AS v(id text, "
			 "tenant_id text, event_id text, event_type text, endpoint_id text, url text, "
			 "format text, due bigint)",
			 rows, rc);
}

/* The events marked in one UPDATE; those it returns are this call's. */
static int pg_dispatched_batch(kyc_store *s, const char *const *event_ids, int n,
			       int64_t now_ms, int *owned)
{
	PGresult *r = NULL;
	int rc = run_on_ids(s,
			    "UPDATE events SET dispatched_at=$1 WHERE id = ANY($2::text[]) AND "
			    "dispatched_at IS NULL RETURNING id",
			    now_ms, n, string_at, event_ids, &r);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		owned[i] = 0;
		for (int k = 0; k < PQntuples(r) && !owned[i]; k++)
			owned[i] = !strcmp(PQgetvalue(r, k, 0), event_ids[i]);
	}
	PQclear(r);
	return 0;
}

/* ---- the callback secret ---- */

static int pg_callback_secret_ensure(kyc_store *s, const char *tenant_id, const char *secret,
				     int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, secret);
	kyc__pgq_int(&q, now_ms);
	return kyc__pg_run(s,
			   "INSERT INTO webhook_callback_secrets(tenant_id, secret, created_at, "
			   "updated_at) VALUES ($1,$2,$3,$3) ON CONFLICT(tenant_id) DO NOTHING",
			   &q, NULL);
}

static int pg_callback_secret_set(kyc_store *s, const char *tenant_id, const char *secret,
				  int64_t overlap_ms, int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, secret);
	kyc__pgq_int(&q, now_ms);
	kyc__pgq_int(&q, overlap_ms);
	return kyc__pg_run(
	    s,
	    "INSERT INTO webhook_callback_secrets(tenant_id, secret, created_at, updated_at) "
	    "VALUES ($1,$2,$3,$3) ON CONFLICT(tenant_id) DO UPDATE SET previous_secret=CASE WHEN "
	    "$4::bigint>0 THEN webhook_callback_secrets.secret END, "
	    "previous_secret_expires_at=CASE WHEN $4::bigint>0 THEN $3::bigint+$4::bigint END, "
	    "secret=excluded.secret, updated_at=excluded.updated_at",
	    &q, NULL);
}

static json_t *time_or_null(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? json_null() : kyc__store_time_json(kyc__pg_int(r, 0, col));
}

static int pg_callback_secret_info(kyc_store *s, const char *tenant_id, json_t **out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	*out = NULL;
	kyc__pgq_text(&q, tenant_id);
	int rc = kyc__pg_row(s,
			     "SELECT created_at, updated_at, previous_secret_expires_at FROM "
			     "webhook_callback_secrets WHERE tenant_id=$1",
			     &q, &r);
	if (rc)
		return rc;
	*out = json_pack("{s:o, s:o, s:o}", "created_at", time_or_null(r, 0), "updated_at",
			 time_or_null(r, 1), "previous_secret_expires_at", time_or_null(r, 2));
	PQclear(r);
	return *out ? 0 : KYC_ERR_NOMEM;
}

/* ---- claims and attempts ---- */

/* Claims up to max - *k of one target's due deliveries, oldest first, into
 * jobs[*k..]: endpoint_id's, or with endpoint_id NULL the callbacks'. Rows
 * another node holds are skipped, not waited for. */
static int claim_target(kyc_store *s, int64_t now_ms, const char *endpoint_id, int max,
			struct kyc_outbox_job *jobs, int *k)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_int(&q, now_ms);
	kyc__pgq_int(&q, max - *k);
	if (endpoint_id)
		kyc__pgq_text(&q, endpoint_id);
	int rc = kyc__pg_query(
	    s,
	    endpoint_id
		? "SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, e.url, coalesce(d.format, "
		  "'native'), e.secret, CASE WHEN e.previous_secret_expires_at > $1 THEN "
		  "e.previous_secret END, d.attempt_count, d.created_at FROM webhook_deliveries d "
		  "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.endpoint_id = $3 AND "
		  "d.status='pending' AND d.next_attempt_at <= $1 AND e.enabled = 1 ORDER BY "
		  "d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED"
		: "SELECT d.id, d.tenant_id, d.event_id, d.endpoint_id, d.url, coalesce(d.format, "
		  "'native'), c.secret, CASE WHEN c.previous_secret_expires_at > $1 THEN "
		  "c.previous_secret END, d.attempt_count, d.created_at FROM webhook_deliveries d "
		  "LEFT JOIN webhook_callback_secrets c ON c.tenant_id = d.tenant_id WHERE "
		  "d.endpoint_id IS NULL AND d.status='pending' AND d.next_attempt_at <= $1 ORDER BY "
		  "d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
	    &q, &r);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(r) && *k < max; i++) {
		struct kyc_outbox_job *j = &jobs[*k];
		memset(j, 0, sizeof *j);
		kyc__pg_text(r, i, 0, j->delivery_id, sizeof j->delivery_id);
		kyc__pg_text(r, i, 1, j->tenant_id, sizeof j->tenant_id);
		kyc__pg_text(r, i, 2, j->event_id, sizeof j->event_id);
		kyc__pg_text(r, i, 3, j->endpoint_id, sizeof j->endpoint_id);
		kyc__pg_text(r, i, 5, j->format, sizeof j->format);
		kyc__pg_text(r, i, 6, j->secret, sizeof j->secret);
		kyc__pg_text(r, i, 7, j->previous_secret, sizeof j->previous_secret);
		j->attempt_count = (int)kyc__pg_int(r, i, 8);
		j->created_ms = kyc__pg_int(r, i, 9);
		j->url = strdup(PQgetvalue(r, i, 4));
		if (!j->url) {
			rc = KYC_ERR_NOMEM;
			break;
		}
		(*k)++;
	}
	PQclear(r);
	return rc;
}

/* The claimed deliveries' lease, in one statement: their ids as a text[]
 * literal (uuids need no quoting). */
static int lease(kyc_store *s, const struct kyc_outbox_job *jobs, int k, int64_t until_ms)
{
	return run_on_ids(s,
			  "UPDATE webhook_deliveries SET next_attempt_at=$1 WHERE id = ANY($2::text[])",
			  until_ms, k, job_id, jobs, NULL);
}

static int pg_claim(kyc_store *s, int64_t now_ms, int64_t lease_ms, int max,
		    kyc_outbox_room_fn room, void *ctx, struct kyc_outbox_job *jobs, int *n)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	/* The targets with something due, oldest due first (as SQLite). */
	kyc__pgq_int(&q, now_ms);
	int rc = kyc__pg_query(
	    s,
	    "SELECT id, due FROM (SELECT e.id AS id, (SELECT min(d.next_attempt_at) FROM "
	    "webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status='pending') AS due FROM "
	    "webhook_endpoints e WHERE e.enabled = 1 UNION ALL SELECT NULL, (SELECT "
	    "min(d.next_attempt_at) FROM webhook_deliveries d WHERE d.endpoint_id IS NULL AND "
	    "d.status='pending')) AS t WHERE due <= $1 ORDER BY due",
	    &q, &r);
	if (rc)
		return rc;
	int k = 0;
	for (int i = 0; i < PQntuples(r) && !rc && k < max; i++) {
		const char *ep = PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0);
		int lim = max;
		if (ep && room) {
			int m = room(ctx, ep, PQntuples(r));
			if (m <= 0)
				continue;
			lim = k + m < max ? k + m : max;
		}
		rc = claim_target(s, now_ms, ep, lim, jobs, &k);
	}
	PQclear(r);
	if (!rc && k)
		rc = lease(s, jobs, k, now_ms + lease_ms);
	if (rc) {
		for (int j = 0; j < k; j++)
			kyc_outbox_job_release(&jobs[j]);
		return rc;
	}
	*n = k;
	return 0;
}

static int pg_next_due(kyc_store *s, int64_t *next_ms)
{
	PGresult *r;
	*next_ms = 0;
	int rc = kyc__pg_query(
	    s, "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status='pending'", NULL, &r);
	if (rc)
		return rc;
	*next_ms = PQntuples(r) ? kyc__pg_int(r, 0, 0) : 0;
	PQclear(r);
	return 0;
}

static int pg_unclaim(kyc_store *s, const char *delivery_id, int64_t due_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, due_ms);
	kyc__pgq_text(&q, delivery_id);
	return kyc__pg_run(s,
			   "UPDATE webhook_deliveries SET next_attempt_at=$1 WHERE id=$2 AND "
			   "status='pending'",
			   &q, NULL);
}

static int pg_record(kyc_store *s, const struct kyc_outbox_attempt *a)
{
	struct kyc_pgq q = {0};
	char iso[32];
	kyc_time_iso(a->at_ms, iso);
	int pending = !strcmp(a->status, "pending");
	int64_t now = kyc_now_ms();
	kyc__pgq_int(&q, now);
	kyc__pgq_text(&q, a->status);
	if (pending)
		kyc__pgq_int(&q, a->next_ms);
	else
		kyc__pgq_text(&q, NULL);
	kyc__pgq_int(&q, a->at_ms);
	if (a->http_status > 0)
		kyc__pgq_int(&q, a->http_status);
	else
		kyc__pgq_text(&q, NULL);
	kyc__pgq_text(&q, a->error && *a->error ? a->error : NULL);
	if (pending)
		kyc__pgq_text(&q, NULL);
	else
		kyc__pgq_int(&q, now);
	kyc__pgq_text(&q, iso);
	kyc__pgq_int(&q, a->latency_ms);
	if (a->response && a->response_len)
		kyc__pgq_take(&q, kyc__store_utf8_text(a->response, a->response_len));
	else
		kyc__pgq_text(&q, NULL);
	kyc__pgq_text(&q, a->delivery_id);
	/* The log keeps the last 100 attempts, as in SQLite. */
	int rc = kyc__pg_run(
	    s,
	    "UPDATE webhook_deliveries SET version=version+1, updated_at=$1, status=CASE WHEN "
	    "status='paused' AND $2::text='pending' THEN 'paused' ELSE $2::text END, "
	    "attempt_count=attempt_count+1, next_attempt_at=$3, last_attempt_at=$4, "
	    "last_status=$5, last_error=$6, completed_at=$7, attempts=((CASE WHEN "
	    "jsonb_array_length(coalesce(attempts, '[]')::jsonb) >= 100 THEN coalesce(attempts, "
	    "'[]')::jsonb - 0 ELSE coalesce(attempts, '[]')::jsonb END) || "
	    "jsonb_build_array(jsonb_build_object('at', $8::text, 'status', $5::bigint, "
	    "'latency_ms', $9::bigint, 'error', $6::text, 'response', $10::text)))::text WHERE "
	    "id=$11",
	    &q, NULL);
	kyc__pgq_release(&q);
	return rc;
}

/* One attempt of a batch as the row jsonb_to_recordset reads. */
static json_t *attempt_row(const struct kyc_outbox_attempt *a)
{
	char iso[32];
	kyc_time_iso(a->at_ms, iso);
	int pending = !strcmp(a->status, "pending");
	char *response = a->response && a->response_len
			     ? kyc__store_utf8_text(a->response, a->response_len)
			     : NULL;
	json_t *row = json_pack("{s:s, s:s, s:o, s:I, s:o, s:o, s:s, s:I, s:o}", "id",
				a->delivery_id, "status", a->status, "next",
				pending ? json_integer(a->next_ms) : json_null(), "at_ms",
				(json_int_t)a->at_ms, "http",
				a->http_status > 0 ? json_integer(a->http_status) : json_null(),
				"error", a->error && *a->error ? json_string(a->error) : json_null(),
				"at", iso, "latency", (json_int_t)a->latency_ms, "response",
				response ? json_string(response) : json_null());
	free(response);
	return row;
}

/* The attempts in one UPDATE ... FROM jsonb_to_recordset: a batch is one
 * round trip to the server instead of one per attempt. A delivery twice in
 * the batch (which the worker does not do) is recorded one at a time, as
 * UPDATE ... FROM would apply only one of its rows. */
static int pg_record_batch(kyc_store *s, const struct kyc_outbox_attempt *a, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (!strcmp(a[i].delivery_id, a[j].delivery_id)) {
				int rc = 0;
				for (int k = 0; k < n && !rc; k++)
					rc = pg_record(s, &a[k]);
				return rc;
			}
	json_t *rows = json_array();
	int rc = rows ? 0 : KYC_ERR_NOMEM;
	for (int i = 0; i < n && !rc; i++)
		if (json_array_append_new(rows, attempt_row(&a[i])))
			rc = KYC_ERR_NOMEM;
	/* The same statement as pg_record, a row of v for each attempt. The
	 * ids again as an array: the planner guesses 100 rows for the function
	 * and, joining on it alone, read the whole table (a sequential scan of
	 * every delivery per batch); an id = ANY(array) is looked up in the
	 * primary key. */
	return run_rows(
	    s,
	    "UPDATE webhook_deliveries d SET version=d.version+1, updated_at=$1::bigint, status=CASE "
	    "WHEN "
	    "d.status='paused' AND v.status='pending' THEN 'paused' ELSE v.status END, "
	    "attempt_count=d.attempt_count+1, next_attempt_at=v.next, last_attempt_at=v.at_ms, "
	    "last_status=v.http, last_error=v.error, completed_at=CASE WHEN v.status='pending' "
	    "THEN NULL ELSE $1::bigint END, attempts=((CASE WHEN jsonb_array_length(coalesce(d.attempts, "
	    "'[]')::jsonb) >= 100 THEN coalesce(d.attempts, '[]')::jsonb - 0 ELSE "
	    "coalesce(d.attempts, '[]')::jsonb END) || jsonb_build_array(jsonb_build_object('at', "
	    "v.at, 'status', v.http, 'latency_ms', v.latency, 'error', v.error, 'response', "
	    "v.response)))::text FROM jsonb_to_recordset($2::jsonb) AS v(id text, status text, "
	    "next bigint, at_ms bigint, http bigint, error text, at text, latency bigint, response "
	    "text) WHERE d.id = v.id AND d.id = ANY(ARRAY(SELECT r->>'id' FROM "
	    "jsonb_array_elements($2::jsonb) AS r))",
	    rows, rc);
}

static int pg_endpoint_health(kyc_store *s, const char *endpoint_id, int ok, int64_t at_ms,
			      int64_t *failing_since)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	if (failing_since)
		*failing_since = 0;
	if (ok) {
		kyc__pgq_text(&q, endpoint_id);
		return kyc__pg_run(s,
				   "UPDATE webhook_endpoints SET failing_since=NULL WHERE id=$1 AND "
				   "failing_since IS NOT NULL",
				   &q, NULL);
	}
	kyc__pgq_int(&q, at_ms);
	kyc__pgq_text(&q, endpoint_id);
	int rc = kyc__pg_query(s,
			       "UPDATE webhook_endpoints SET failing_since=coalesce(failing_since, "
			       "$1) WHERE id=$2 RETURNING failing_since",
			       &q, &r);
	if (rc)
		return rc;
	if (failing_since && PQntuples(r))
		*failing_since = kyc__pg_int(r, 0, 0);
	PQclear(r);
	return 0;
}

static int pg_pause(kyc_store *s, const char *tenant_id, const char *endpoint_id, int pause,
		    int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, now_ms);
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, endpoint_id);
	return kyc__pg_run(
	    s,
	    pause ? "UPDATE webhook_deliveries SET status='paused', version=version+1, "
		    "updated_at=$1 WHERE tenant_id=$2 AND endpoint_id=$3 AND status='pending'"
		  : "UPDATE webhook_deliveries SET status='pending', next_attempt_at=$1, "
		    "version=version+1, updated_at=$1 WHERE tenant_id=$2 AND endpoint_id=$3 AND "
		    "status='paused'",
	    &q, NULL);
}

const struct kyc_outbox_ops kyc__pg_outbox_ops = {
	.undispatched = pg_undispatched,
	.dispatched = pg_dispatched,
	.endpoints = pg_endpoints,
	.delivery_add = pg_delivery_add,
	.callback_secret_ensure = pg_callback_secret_ensure,
	.callback_secret_set = pg_callback_secret_set,
	.callback_secret_info = pg_callback_secret_info,
	.claim = pg_claim,
	.next_due = pg_next_due,
	.unclaim = pg_unclaim,
	.record = pg_record,
	.record_batch = pg_record_batch,
	.delivery_add_batch = pg_delivery_add_batch,
	.dispatched_batch = pg_dispatched_batch,
	.endpoint_health = pg_endpoint_health,
	.pause = pg_pause,
};
