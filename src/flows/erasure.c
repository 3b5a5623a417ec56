#include "flows/erasure.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "flows/erasure_log.h"
#include "flows/render.h"
#include "flows/vstate.h"
#include "store/blob.h"

static kyc_erasure_key_forget_fn key_forget;
static _Atomic uint64_t erasures;
static char log_path[4096]; /* "" when erasures are not logged */

void kyc_erasure_set_key_forget(kyc_erasure_key_forget_fn fn)
{
	key_forget = fn;
}

int kyc_erasure_set_log(const char *path)
{
	if (!path) {
		log_path[0] = '\0';
		return 0;
	}
	if ((size_t)snprintf(log_path, sizeof log_path, "%s", path) >= sizeof log_path) {
		log_path[0] = '\0';
		return KYC_ERR_INVALID;
	}
	return 0;
}

uint64_t kyc_erasure_count(void)
{
	return atomic_load(&erasures);
}

int kyc_erasure_is_erased(const json_t *applicant)
{
	const json_t *at = json_object_get(applicant, "erased_at");
	return at && !json_is_null(at);
}

/* ---- what is kept of a snapshot ---- */

/* Fields of the rendered records that say nothing about the person. */
static const char *const kept_fields[] = {
    "id",
    "object",
    "status",
    "applicant_id",
    "verification_id",
    "document_id",
    "file_id",
    "level",
    "tier",
    "type",
    "side",
    "kind",
    "content_type",
    "size",
    "width",
    "height",
    "document_types",
    "pending_steps",
    "attempts",
    "failed_attempts",
    "expires_at",
    "submitted_at",
    "decided_at",
    "erased_at",
    "images_removed_at",
    "identity_removed_at",
    "deleted_at",
    "retry",
    "deleted",
    "version",
    "created_at",
    "updated_at",
    NULL,
};

static int in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

/* The listed keys of o (those present), a new object. */
static json_t *only(const json_t *o, const char *const *keys)
{
	json_t *out = json_object();
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(o, *k);
		if (v)
			json_object_set(out, *k, v);
	}
	return out;
}

/* Checks keep their names and outcomes; their details (values read from the
 * document, the mismatching names) go. */
static json_t *checks_skeleton(const json_t *checks)
{
	static const char *const keys[] = {"name", "result", "reason", NULL};
	if (!json_is_array(checks))
		return json_null();
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c)
	{
		json_array_append_new(out, only(c, keys));
	}
	return out;
}

/* A decision keeps its outcome, reason code, actor and time; the
 * reviewer's note (free text) goes. */
static json_t *decision_skeleton(const json_t *d)
{
	static const char *const keys[] = {"outcome", "reason", "actor", "at", "automatic", NULL};
	return json_is_object(d) ? only(d, keys) : json_null();
}

/* A snapshot (an event's payload, as the native API rendered the record)
 * with nothing of the person left: kept fields as they were, checks and
 * decision reduced, metadata and attestations empty, every other field
 * null (the shape stays what receivers parse). A new reference. */
static json_t *snapshot_skeleton(const json_t *snap)
{
	if (!json_is_object(snap))
		return json_null();
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)snap, k, v)
	{
		if (in_list(k, kept_fields))
			json_object_set(out, k, v);
		else if (!strcmp(k, "checks"))
			json_object_set_new(out, k, checks_skeleton(v));
		else if (!strcmp(k, "decision"))
			json_object_set_new(out, k, decision_skeleton(v));
		else if (!strcmp(k, "metadata") || !strcmp(k, "attestations"))
			json_object_set_new(out, k, json_object());
		else
			json_object_set_new(out, k, json_null());
	}
	return out;
}

/* ---- one erasure ---- */

/* What a transaction gathered: files to unlink before it commits; for an
 * erasure, the writes and audit rows to make once the applicant's data key
 * is forgotten. */
struct erase {
	struct kyc_flow *f;
	int64_t now;
	json_t *paths; /* relative paths of the blobs */
	/* NULL, or [type, id, patch] to write after the key is forgotten: what
	 * is kept of sealed columns (check names and results, a decision's
	 * outcome, event skeletons) is then sealed under the tenant's key (the
	 * applicant's is never made again); written before, it would read as
	 * null with the rest. */
	json_t *later;
	/* [id, from, to] per verification: its audit rows and status event,
	 * also after the key (their reason codes are sealed too) */
	json_t *closed;
};

/* The columns each record keeps; every other column is blanked, so that a
 * column added later (a face embedding, a sealed field) is erased unless it
 * is listed here on purpose. */
static const char *const bookkeeping[] = {"id", "version", "created_at", "updated_at", NULL};
static const char *const applicant_kept[] = {"level", "tier", "erased_at", NULL};
static const char *const verification_kept[] = {
    "applicant_id",
    "status",
    "document_types",
    "options",
    "attempts",
    "retry_code",
    "retry_message",
    "expires_at",
    "level",
    "checks",
    "decision",
    "decided_at",
    "pending_steps",
    "failed_attempts",
    "document_key",
    "identity_key",
    "submitted_at",
    "compat_seed",
    "compat_ref",
    "images_removed_at",
    "identity_removed_at",
    NULL,
};
static const char *const document_kept[] = {
    "verification_id", "applicant_id", "type", "issuing_country", "side", "file_id", "status", NULL,
};
static const char *const file_kept[] = {
    "kind", "content_type", "size", "width", "height", "path", "deleted_at", NULL,
};

/* Sets to null, in patch, every column of rec that is not kept, not
 * bookkeeping, not null already and not set in patch by the caller. */
static void blank_except(const json_t *rec, const char *const *kept, json_t *patch)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)rec, k, v)
	{
		if (!json_is_null(v) && !in_list(k, kept) && !in_list(k, bookkeeping) &&
		    !json_object_get(patch, k))
			json_object_set_new(patch, k, json_null());
	}
}

/* Writes patch over record id of type t. */
static int write_patch(struct erase *x, enum kyc_rtype t, const char *id, const json_t *patch)
{
	if (json_object_size(patch) == 0)
		return 0;
	if (x->later)
		return json_array_append_new(x->later, json_pack("{s:i, s:s, s:O}", "t", (int)t, "id",
		                                                 id, "patch", patch))
		           ? KYC_ERR_NOMEM
		           : 0;
	return kyc_store_update(x->f->store, t, x->f->tenant_id, id, patch, 0);
}

/* Every record of type t whose column is value, oldest first, a page at a
 * time, to fn. */
static int each(struct erase *x, enum kyc_rtype t, const char *column, const char *value,
                int (*fn)(struct erase *x, const json_t *rec, void *arg), void *arg)
{
	json_t *filter = json_pack("{s:s}", column, value);
	char cursor[128] = "";
	int rc = 0;
	do {
		struct kyc_store_page pg;
		rc = kyc_store_list_asc(x->f->store, t, x->f->tenant_id, filter, cursor, 100, &pg);
		if (rc)
			break;
		size_t i;
		json_t *r;
		json_array_foreach(pg.items, i, r)
		{
			if ((rc = fn(x, r, arg)))
				break;
		}
		json_decref(pg.items);
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
	} while (!rc && *cursor);
	json_decref(filter);
	return rc;
}

/* An event gets the skeleton of its snapshot, and loses the route set's
 * data it carried for that set's webhook format. */
static int scrub_event(struct erase *x, const json_t *ev, void *arg)
{
	(void)arg;
	json_t *attrs = json_deep_copy(json_object_get(ev, "attributes"));
	json_t *compat = json_object_get(attrs, "compat");
	if (json_is_object(compat))
		json_object_set_new(compat, "data", json_null());
	json_t *patch =
	    json_pack("{s:o, s:o}", "payload", snapshot_skeleton(json_object_get(ev, "payload")),
	              "attributes", attrs ? attrs : json_null());
	int rc = write_patch(x, KYC_R_EVENT, json_string_value(json_object_get(ev, "id")), patch);
	json_decref(patch);
	return rc;
}

/* Every event about resource_id. */
static int scrub_events(struct erase *x, const char *resource_id)
{
	return each(x, KYC_R_EVENT, "resource_id", resource_id, scrub_event, NULL);
}

/* A file's bytes are to go: its row keeps size and type, marked deleted,
 * without the hash (a fingerprint of the image) or where it came from. */
static int drop_file(struct erase *x, const char *file_id)
{
	json_t *file = NULL;
	int rc = kyc_store_get(x->f->store, KYC_R_FILE, x->f->tenant_id, file_id, &file);
	if (rc == KYC_ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (json_is_string(json_object_get(file, "deleted_at"))) {
		json_decref(file);
		return 0;
	}
	json_array_append(x->paths, json_object_get(file, "path"));
	json_t *patch = json_pack("{s:I}", "deleted_at", (json_int_t)x->now);
	blank_except(file, file_kept, patch);
	rc = write_patch(x, KYC_R_FILE, file_id, patch);
	json_decref(patch);
	json_decref(file);
	return rc;
}

/* Every file a record refers to, wherever it keeps the id: a document's
 * file_id, a route set's files in attributes (seed 004's
 * attributes.compat004.files), an image another engine keeps beside the
 * record (a portrait crop). Any string shaped like an id is looked up among
 * the tenant's files; ids of other records are simply not found. */
static int files_in(struct erase *x, const json_t *j)
{
	int rc = 0;
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		size_t n = json_string_length(j);
		return kyc_uuid_valid(s, n) ? drop_file(x, s) : 0;
	}
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
		{
			if ((rc = files_in(x, v)))
				break;
		}
	} else if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
		{
			/* its own id, and the records it belongs to, are not files */
			if (!strcmp(k, "id") || !strcmp(k, "applicant_id") ||
			    !strcmp(k, "verification_id"))
				continue;
			if ((rc = files_in(x, v)))
				break;
		}
	}
	return rc;
}

static int record_images(struct erase *x, const json_t *rec, void *arg)
{
	(void)arg;
	return files_in(x, rec);
}

static int document_identity(struct erase *x, const json_t *doc, void *arg)
{
	(void)arg;
	const char *id = json_string_value(json_object_get(doc, "id"));
	json_t *patch = json_object();
	blank_except(doc, document_kept, patch);
	int rc = write_patch(x, KYC_R_DOCUMENT, id, patch);
	json_decref(patch);
	return rc ? rc : scrub_events(x, id);
}

/* A verification's identity data: its own fields, its documents', its
 * audit details, its events, its hosted links and replayable answers. The
 * patch is added to (the caller writes it). */
static int verification_identity(struct erase *x, const json_t *v, json_t *patch)
{
	const char *id = json_string_value(json_object_get(v, "id"));
	/* document_key and identity_key stay as they are: the store holds them
	 * as keyed hashes (one-way, under the tenant's key, which is not
	 * erased), so the duplicate checks still find a document approved for
	 * a person erased since (Art. 17(3)(b) and (e), docs/security.md) */
	json_object_set_new(patch, "checks", checks_skeleton(json_object_get(v, "checks")));
	json_object_set_new(patch, "decision", decision_skeleton(json_object_get(v, "decision")));
	json_object_set_new(patch, "identity_removed_at", json_integer(x->now));
	blank_except(v, verification_kept, patch);
	int rc = each(x, KYC_R_DOCUMENT, "verification_id", id, document_identity, NULL);
	rc = rc ? rc : kyc_store_history_scrub(x->f->store, x->f->tenant_id, id, NULL);
	rc = rc ? rc : kyc_store_hosted_tokens_delete(x->f->store, x->f->tenant_id, id);
	rc = rc ? rc : kyc_store_idem_forget(x->f->store, x->f->tenant_id, id);
	return rc;
}

/* Removes what kind names from verification v (images are part of the
 * identity data: a photo of a passport shows all of it), into patch. */
static int verification_remove(struct erase *x, const json_t *v, enum kyc_retention_kind kind,
                               json_t *patch)
{
	const char *id = json_string_value(json_object_get(v, "id"));
	int rc = 0;
	if (!json_is_string(json_object_get(v, "images_removed_at"))) {
		rc = files_in(x, v);
		rc = rc ? rc : each(x, KYC_R_DOCUMENT, "verification_id", id, record_images, NULL);
		json_object_set_new(patch, "images_removed_at", json_integer(x->now));
	}
	if (!rc && kind == KYC_RETAIN_IDENTITY)
		rc = verification_identity(x, v, patch);
	return rc;
}

/* Writes patch over verification v and scrubs the events about it (after
 * the write: the skeleton of the new snapshot is what the next event shows). */
static int verification_write(struct erase *x, const json_t *v, json_t *patch, int identity)
{
	const char *id = json_string_value(json_object_get(v, "id"));
	int rc = write_patch(x, KYC_R_VERIFICATION, id, patch);
	return rc || !identity ? rc : scrub_events(x, id);
}

/* The snapshot of a record as its events show it after erasure. */
static json_t *stored_skeleton(struct erase *x, enum kyc_rtype t, const char *id,
                               json_t *(*render)(const json_t *), int64_t *version)
{
	json_t *rec = NULL;
	if (kyc_store_get(x->f->store, t, x->f->tenant_id, id, &rec))
		return NULL;
	*version = json_integer_value(json_object_get(rec, "version"));
	json_t *r = render(rec), *s = snapshot_skeleton(r);
	json_decref(r);
	json_decref(rec);
	return s;
}

/* The applicant's own fields blanked (level and tier stay), and the
 * events about it reduced. */
static int applicant_blank(struct erase *x, const char *id, int erase)
{
	json_t *app = NULL, *patch = json_object();
	int rc = kyc_store_get(x->f->store, KYC_R_APPLICANT, x->f->tenant_id, id, &app);
	if (erase)
		json_object_set_new(patch, "erased_at", json_integer(x->now));
	if (!rc) {
		blank_except(app, applicant_kept, patch);
		rc = write_patch(x, KYC_R_APPLICANT, id, patch);
	}
	json_decref(app);
	json_decref(patch);
	rc = rc ? rc : scrub_events(x, id);
	rc = rc ? rc : kyc_store_idem_forget(x->f->store, x->f->tenant_id, id);
	return rc;
}

/* Retention: the bytes go before the commit that marks their rows (they
 * are not under a forgotten key): a crash or a failed commit in between
 * leaves rows unmarked whose bytes are gone (read as file_unreadable until
 * the sweep is made again, which then finds nothing to remove), never a
 * marked row with its bytes still on disk that nothing would come back for.
 * This holds the sweeper's write transaction across a blob store's round
 * trips (S3), off the request threads. */
static int unlink_all(struct erase *x)
{
	size_t i;
	json_t *p;
	json_array_foreach(x->paths, i, p)
	{
		int rc = kyc_blob_remove(x->f->data_dir, json_string_value(p));
		if (rc) {
			kyc_logf(KYC_LOG_WARN, "erasure: a file could not be removed (%s)",
			         json_string_value(p));
			return rc;
		}
	}
	return 0;
}

/* Commits what x gathered. A retention step removes its files first; an
 * erasure after the commit, so that its write transaction never waits on
 * a blob store: the bytes are sealed under the applicant's forgotten key,
 * and one left behind (logged) can no longer be opened. */
static int commit(struct erase *x)
{
	int after = x->later != NULL;
	int rc = after ? 0 : unlink_all(x);
	rc = rc ? rc : kyc_store_commit(x->f->store);
	if (!rc)
		atomic_fetch_add(&erasures, 1);
	if (!rc && after)
		(void)unlink_all(x); /* what fails is logged there */
	return rc;
}

static int erase_one_verification(struct erase *x, const json_t *v, void *arg)
{
	(void)arg;
	const char *id = json_string_value(json_object_get(v, "id"));
	const char *status = json_string_value(json_object_get(v, "status"));
	enum kyc_vstate from, to = KYC_VS__COUNT;
	json_t *patch = json_object();
	int rc = kyc_vstate_parse(status, &from);
	/* an open verification is closed first: nothing more can arrive for it */
	if (!rc && !kyc_vstate_final(from) && kyc_vstate_next(from, KYC_VE_CANCEL, &to) == 0)
		json_object_set_new(patch, "status", json_string(kyc_vstate_name(to)));
	rc = rc ? rc : verification_remove(x, v, KYC_RETAIN_IDENTITY, patch);
	rc = rc ? rc : verification_write(x, v, patch, 1);
	if (!rc && json_array_append_new(x->closed,
	                                 json_pack("[s, s, s*]", id, status,
	                                           to != KYC_VS__COUNT ? kyc_vstate_name(to) : NULL)))
		rc = KYC_ERR_NOMEM;
	json_decref(patch);
	return rc;
}

/* After the key is forgotten: the kept parts written, then per verification
 * its audit rows (a cancel for one that was open, an erase) and the event of
 * a status it changed, sealed under the tenant's key. */
static int erase_after_key(struct erase *x)
{
	size_t i;
	json_t *w;
	int rc = 0;
	json_array_foreach(x->later, i, w)
	{
		rc = kyc_store_update(x->f->store,
		                      (enum kyc_rtype)json_integer_value(json_object_get(w, "t")),
		                      x->f->tenant_id, json_string_value(json_object_get(w, "id")),
		                      json_object_get(w, "patch"), 0);
		if (rc)
			return rc;
	}
	json_array_foreach(x->closed, i, w)
	{
		const char *id = json_string_value(json_array_get(w, 0));
		const char *status = json_string_value(json_array_get(w, 1));
		const char *to = json_string_value(json_array_get(w, 2));
		if (to)
			rc = kyc_history_append(x->f->store, x->f->tenant_id, id, x->f->actor,
			                        kyc_vevent_name(KYC_VE_CANCEL), status, to,
			                        "applicant_erased", NULL);
		rc = rc ? rc
		        : kyc_history_append(x->f->store, x->f->tenant_id, id, x->f->actor, "erase",
		                             status, to ? to : status, "applicant_erased", NULL);
		if (!rc && to) {
			int64_t version = 0;
			json_t *snap =
			    stored_skeleton(x, KYC_R_VERIFICATION, id, kyc_render_verification, &version);
			rc = snap ? kyc_event_emit_status_change(x->f->store, x->f->tenant_id, id,
			                                         version, snap, status)
			          : KYC_ERR_NOTFOUND;
			json_decref(snap);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int kyc_erasure_forget_data_key(kyc_store *s, const char *tenant_id, const char *applicant_id)
{
	int rc = kyc_store_forget_applicant_key(s, tenant_id, applicant_id);
	return rc == KYC_ERR_NOTFOUND ? 0 : rc; /* nothing was ever sealed for it */
}

/* Written and synced before the commit: an erasure that then fails is
 * completed at the next start rather than missing from the log. */
static int log_erasure(struct erase *x, const char *applicant_id)
{
	struct kyc_erasure_entry ent = {.at_ms = x->now};
	char err[512];
	snprintf(ent.tenant_id, sizeof ent.tenant_id, "%s", x->f->tenant_id);
	snprintf(ent.applicant_id, sizeof ent.applicant_id, "%s", applicant_id);
	int rc = kyc_erasure_log_append(log_path, &ent, err, sizeof err);
	if (rc)
		kyc_logf(KYC_LOG_ERROR, "erasure not logged, so not made: %s", err);
	return rc;
}

int kyc__erasure_applicant(struct kyc_flow *f, const char *applicant_id, bool logged,
                           json_t **out, struct kyc_jerr *e)
{
	struct erase x = {.f = f,
	                  .now = kyc_now_ms(),
	                  .paths = json_array(),
	                  .later = json_array(),
	                  .closed = json_array()};
	json_t *app = NULL;
	*out = NULL;
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store);
	int rc = x.paths && x.later && x.closed ? 0 : KYC_ERR_NOMEM;
	rc = rc ? rc : kyc_store_begin(f->store);
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, applicant_id, &app);
	if (rc)
		goto fail;
	if (kyc_erasure_is_erased(app)) {
		kyc_store_rollback(f->store);
		kyc_jerr_set(e, 410, "applicant_erased", "", "this applicant was erased on %s",
		             json_string_value(json_object_get(app, "erased_at")));
		goto out;
	}
	/* Everything is read and blanked (in x->later) while the key still
	 * opens it; the key goes; then what is kept is written under the tenant's,
	 * and applicant.deleted (id only) is emitted last: an event written
	 * before the key went would read, and be delivered, as null. */
	rc = each(&x, KYC_R_VERIFICATION, "applicant_id", applicant_id, erase_one_verification,
	          NULL);
	rc = rc ? rc : files_in(&x, app);
	rc = rc ? rc : applicant_blank(&x, applicant_id, 1);
	rc = rc || !key_forget ? rc : key_forget(f->store, f->tenant_id, applicant_id);
	rc = rc ? rc : erase_after_key(&x);
	json_decref(app);
	app = NULL;
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, applicant_id, &app);
	if (!rc) {
		json_t *snap =
		    json_pack("{s:s, s:s, s:b, s:O}", "id", applicant_id, "object", "applicant",
		              "deleted", 1, "erased_at", json_object_get(app, "erased_at"));
		rc = kyc_event_emit(f->store, f->tenant_id, "applicant.deleted", "applicant",
		                    applicant_id,
		                    json_integer_value(json_object_get(app, "version")), snap);
		json_decref(snap);
	}
	rc = rc || !logged || !log_path[0] ? rc : log_erasure(&x, applicant_id);
	rc = rc ? rc : commit(&x);
	if (rc)
		goto fail;
	*out = app;
	app = NULL;
	goto out;
fail:
	kyc_store_rollback(f->store);
	if (rc == KYC_ERR_NOTFOUND)
		kyc_jerr_set(e, 404, "not_found", "", "no such applicant");
	else
		kyc_jerr_set(e, 500, "store_error", "", "the applicant could not be erased");
out:
	json_decref(app);
	json_decref(x.paths);
	json_decref(x.later);
	json_decref(x.closed);
	return *out ? 0 : -1;
}

int kyc_erasure_applicant(struct kyc_flow *f, const char *applicant_id, json_t **out,
                          struct kyc_jerr *e)
{
	return kyc__erasure_applicant(f, applicant_id, true, out, e);
}

/* ---- retention ---- */

struct holders {
	int count;
};

static int count_holders(struct erase *x, const json_t *v, void *arg)
{
	(void)x;
	if (!json_is_string(json_object_get(v, "identity_removed_at")))
		((struct holders *)arg)->count++;
	return 0;
}

int kyc_erasure_verification(struct kyc_flow *f, const char *verification_id,
                             enum kyc_retention_kind kind)
{
	struct erase x = {.f = f, .now = kyc_now_ms(), .paths = json_array()};
	json_t *v = NULL, *patch = json_object();
	int identity = kind == KYC_RETAIN_IDENTITY;
	int rc = kyc_store_begin(f->store);
	rc = rc ? rc
	        : kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, verification_id, &v);
	rc = rc ? rc : verification_remove(&x, v, kind, patch);
	rc = rc ? rc : verification_write(&x, v, patch, identity);
	const char *action = identity ? "retention.identity_removed" : "retention.images_removed";
	const char *status = json_string_value(json_object_get(v, "status"));
	rc = rc ? rc
	        : kyc_history_append(f->store, f->tenant_id, verification_id, f->actor, action,
	                             status, status, "retention_period", NULL);
	if (!rc) {
		int64_t version = 0;
		json_t *snap = stored_skeleton(&x, KYC_R_VERIFICATION, verification_id,
		                               kyc_render_verification, &version);
		rc = snap ? kyc_event_emit(f->store, f->tenant_id,
		                           identity ? "verification.identity_removed"
		                                    : "verification.images_removed",
		                           "verification", verification_id, version, snap)
		          : KYC_ERR_NOTFOUND;
		json_decref(snap);
	}
	/* the applicant's own fields go with its last verification's identity */
	const char *app = json_string_value(json_object_get(v, "applicant_id"));
	struct holders h = {0};
	if (!rc && identity && app) {
		rc = each(&x, KYC_R_VERIFICATION, "applicant_id", app, count_holders, &h);
		rc = rc || h.count ? rc : applicant_blank(&x, app, 0);
	}
	if (!rc && identity && app && !h.count) {
		int64_t version = 0;
		json_t *snap =
		    stored_skeleton(&x, KYC_R_APPLICANT, app, kyc_render_applicant, &version);
		rc = snap ? kyc_event_emit(f->store, f->tenant_id, "applicant.updated", "applicant",
		                           app, version, snap)
		          : KYC_ERR_NOTFOUND;
		json_decref(snap);
	}
	rc = rc ? rc : commit(&x);
	if (rc)
		kyc_store_rollback(f->store);
	json_decref(v);
	json_decref(patch);
	json_decref(x.paths);
	return rc;
}
