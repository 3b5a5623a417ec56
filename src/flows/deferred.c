#include "flows/deferred.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "flows/workflow.h"
#include "flows/workflow_int.h"
#include "store/blob.h"

#define KEY "deferred_downloads"
#define OLD_KEY "deferred_document" /* one document URL, before seed 004's shares */
#define MAX_ENTRIES 8

int64_t kyc_deferred_gap_ms(int attempt)
{
	static const int64_t gaps[] = {30000, 60000, 120000, 300000, 600000, 1800000};
	int n = (int)(sizeof gaps / sizeof gaps[0]);
	return attempt < 1 ? gaps[0] : attempt <= n ? gaps[attempt - 1] : 3600000;
}

json_t *kyc_deferred_list(const json_t *v)
{
	const json_t *attrs = json_object_get(v, "attributes");
	json_t *l = json_deep_copy(json_object_get(attrs, KEY));
	if (!json_is_array(l)) {
		json_decref(l);
		l = json_array();
	}
	const json_t *old = json_object_get(attrs, OLD_KEY);
	if (json_is_object(old)) {
		json_t *e = json_deep_copy(old);
		json_object_set_new(e, "role", json_string("document"));
		json_array_append_new(l, e);
	}
	return l;
}

int kyc_deferred_document_waiting(const json_t *v)
{
	json_t *l = kyc_deferred_list(v);
	size_t i;
	json_t *d;
	int waiting = 0;
	json_array_foreach(l, i, d) waiting |= !json_is_true(json_object_get(d, "failed"));
	json_decref(l);
	return waiting;
}

static int is(const json_t *o, const char *k, const char *want)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && want && !strcmp(s, want);
}

/* attrs (a copy) with the list l in place of the old ones; l is taken. */
static json_t *with_list(const json_t *attrs, json_t *l)
{
	json_t *a = json_deep_copy(attrs);
	if (!json_is_object(a)) {
		json_decref(a);
		a = json_object();
	}
	json_object_del(a, OLD_KEY);
	if (json_array_size(l))
		json_object_set_new(a, KEY, l);
	else {
		json_object_del(a, KEY);
		json_decref(l);
	}
	return a;
}

json_t *kyc_deferred_attrs_without(const json_t *attrs, const char *const *urls,
                                   const char *role)
{
	json_t *v = json_pack("{s:O}", "attributes", attrs ? attrs : json_null());
	json_t *l = kyc_deferred_list(v), *kept = json_array();
	json_decref(v);
	size_t i;
	json_t *d;
	json_array_foreach(l, i, d)
	{
		int drop = 0;
		for (const char *const *u = urls; *u && !drop; u++)
			drop = is(d, "url", *u) && is(d, "role", role);
		if (!drop)
			json_array_append(kept, d);
	}
	json_decref(l);
	return with_list(attrs, kept);
}

/* Writes list l (taken) over verification v as it was read; KYC_ERR_CONFLICT
 * when v changed meanwhile: a download takes seconds, and the attributes
 * of a verification erased meanwhile must not come back. */
static int put_list(kyc_store *s, const char *tenant_id, const json_t *v, json_t *l)
{
	json_t *patch = json_pack("{s:o}", "attributes",
	                          with_list(json_object_get(v, "attributes"), l));
	int rc = patch ? kyc_store_update(s, KYC_R_VERIFICATION, tenant_id, flow__str(v, "id"),
	                                  patch, json_integer_value(json_object_get(v, "version")))
	               : KYC_ERR_NOMEM;
	json_decref(patch);
	return rc;
}

int kyc_deferred_add(struct kyc_flow *f, const char *vid, const json_t *entries)
{
	json_t *v = NULL;
	int rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, vid, &v);
	if (rc)
		return rc;
	json_t *l = kyc_deferred_list(v);
	size_t i;
	json_t *in;
	json_array_foreach(entries, i, in)
	{
		const char *why = flow__str(in, "why");
		json_t *d = json_deep_copy(in);
		json_object_del(d, "why");
		json_object_set_new(d, "attempts", json_integer(1));
		json_object_set_new(d, "next_at",
		                    json_integer(kyc_now_ms() + kyc_deferred_gap_ms(1)));
		json_object_set_new(d, "last_error", json_string(why ? why : "url_fetch_failed"));
		json_array_append_new(l, d);
	}
	if (json_array_size(l) > MAX_ENTRIES) {
		json_decref(l);
		rc = KYC_ERR_INVALID;
	} else {
		rc = put_list(f->store, f->tenant_id, v, l);
	}
	json_decref(v);
	return rc;
}

int kyc_deferred_document_add(struct kyc_flow *f, const char *vid, const char *url,
                              const char *type, const char *side, const char *why)
{
	json_t *e = json_pack("[{s:s, s:s, s:s, s:s, s:s?}]", "url", url, "role", "document",
	                      "type", type, "side", side, "why", why);
	int rc = e ? kyc_deferred_add(f, vid, e) : KYC_ERR_NOMEM;
	json_decref(e);
	return rc;
}

/* Merges patch into the entry (url, role) of verification vid as it is now.
 * An entry no longer there (submitted, or its verification erased) stays gone. */
static int edit_entry(kyc_store *s, const char *tenant_id, const char *vid, const json_t *entry,
                      json_t *patch)
{
	json_t *v = NULL;
	int rc = kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, vid, &v);
	json_t *l = rc ? NULL : kyc_deferred_list(v);
	size_t i;
	json_t *d;
	int found = 0;
	json_array_foreach(l, i, d)
	{
		if (!found && is(d, "url", flow__str(entry, "url")) &&
		    is(d, "role", flow__str(entry, "role"))) {
			json_object_update(d, patch);
			found = 1;
		}
	}
	if (found)
		rc = put_list(s, tenant_id, v, l);
	else
		json_decref(l);
	json_decref(patch);
	json_decref(v);
	return rc;
}

/* A download that failed: due again after the next gap. */
static int reschedule(kyc_store *s, const char *tenant_id, const char *vid, const json_t *d,
                      int64_t now_ms, const char *code)
{
	int attempts = (int)json_integer_value(json_object_get(d, "attempts"));
	return edit_entry(s, tenant_id, vid, d,
	                  json_pack("{s:i, s:I, s:s}", "attempts", attempts + 1, "next_at",
	                            (json_int_t)(now_ms + kyc_deferred_gap_ms(attempts + 1)),
	                            "last_error", code ? code : "url_fetch_failed"));
}

/* Content the workflow refused: the retries end, a person sees why. */
static int give_up(kyc_store *s, const char *tenant_id, const char *vid, const json_t *d,
                   const char *code)
{
	return edit_entry(s, tenant_id, vid, d,
	                  json_pack("{s:b, s:s}", "failed", 1, "last_error", code));
}

/* A "file" entry that arrived: the blob, its row, its id with the applicant
 * and the entry's removal, the three rows in one transaction. */
static int store_file(kyc_store *s, const struct kyc_deferred_opts *o, const char *tenant_id,
                      const char *vid, const json_t *d, const kyc_buf *b, const char *ctype)
{
	char fid[37], rel[128];
	json_t *v = NULL, *app = NULL, *rec = NULL;
	int rc = kyc_deferred_file_store(s, o->data_dir, tenant_id, flow__str(d, "kind"), b->data,
	                                 b->len, ctype, flow__str(d, "url"), fid, rel, &rec);
	if (rc)
		return rc;
	if ((rc = kyc_store_begin(s)))
		goto out;
	if ((rc = kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, vid, &v)) ||
	    (rc = kyc_store_get(s, KYC_R_APPLICANT, tenant_id, flow__str(v, "applicant_id"), &app)))
		goto abort;
	const char *urls[] = {flow__str(d, "url"), NULL};
	json_t *vattrs = kyc_deferred_attrs_without(json_object_get(v, "attributes"), urls, "file");
	json_t *aattrs = json_deep_copy(json_object_get(app, "attributes"));
	if (!json_is_object(aattrs)) {
		json_decref(aattrs);
		aattrs = json_object();
	}
	const char *ns = flow__str(d, "record");
	if (ns) {
		json_t *r = json_object_get(aattrs, ns);
		if (!json_is_object(r))
			json_object_set_new(aattrs, ns, r = json_object());
		json_t *files = json_object_get(r, "files");
		if (!json_is_object(files))
			json_object_set_new(r, "files", files = json_object());
		json_object_set_new(files, flow__str(d, "field") ? flow__str(d, "field") : fid,
		                    json_string(fid));
	}
	json_t *vp = json_pack("{s:o}", "attributes", vattrs);
	json_t *ap = json_pack("{s:o}", "attributes", aattrs);
	rc = kyc_store_insert(s, KYC_R_FILE, tenant_id, rec);
	rc = rc ? rc
	        : kyc_store_update(s, KYC_R_APPLICANT, tenant_id, flow__str(app, "id"), ap,
	                           json_integer_value(json_object_get(app, "version")));
	rc = rc ? rc
	        : kyc_store_update(s, KYC_R_VERIFICATION, tenant_id, vid, vp,
	                           json_integer_value(json_object_get(v, "version")));
	json_decref(vp);
	json_decref(ap);
	if (!rc && !(rc = kyc_store_commit(s)))
		goto out;
abort:
	kyc_store_rollback(s);
out:
	if (rc)
		kyc_blob_remove(o->data_dir, rel);
	json_decref(rec);
	json_decref(app);
	json_decref(v);
	return rc;
}

int kyc_deferred_file_store(kyc_store *s, const char *data_dir, const char *tenant_id,
                            const char *kind, const void *p, size_t n, const char *content_type,
                            const char *source_url, char fid[37], char relpath[128], json_t **rec)
{
	char sha[65];
	*rec = NULL;
	kyc_uuid_new(fid);
	flow__sha256_hex(p, n, sha);
	int rc = kyc_blob_write(s, data_dir, tenant_id, NULL, fid, p, n, relpath, 128);
	if (rc)
		return rc;
	/* It is served back with this type: only types that cannot run script. */
	static const char *const safe[] = {"application/pdf", "image/jpeg", "image/png", NULL};
	const char *ct = "application/octet-stream";
	size_t cl = content_type ? strcspn(content_type, "; ") : 0;
	for (const char *const *t = safe; *t; t++)
		if (cl == strlen(*t) && !strncasecmp(content_type, *t, cl))
			ct = *t;
	*rec = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s?}", "id", fid, "kind", kind,
	                 "content_type", ct, "size", (json_int_t)n, "sha256", sha, "path", relpath,
	                 "source_url", source_url);
	if (!*rec) {
		kyc_blob_remove(data_dir, relpath);
		return KYC_ERR_NOMEM;
	}
	return 0;
}

/* The due downloads of one verification, fetched in one pass. */
struct pass {
	json_t *list;
	kyc_buf b[MAX_ENTRIES];
	char ctype[MAX_ENTRIES][128];
	int got[MAX_ENTRIES];
};

/* 1 when a front side of l still waits (due at now_ms or later: -1, any time). */
static int front_waits(const json_t *l, int64_t due_by)
{
	size_t i;
	json_t *d;
	json_array_foreach(l, i, d)
	{
		if (is(d, "role", "document") && !is(d, "side", "back") &&
		    !json_is_true(json_object_get(d, "failed")) &&
		    (due_by < 0 || json_integer_value(json_object_get(d, "next_at")) <= due_by))
			return 1;
	}
	return 0;
}

/* Submits what arrived for the workflow: the selfie, then the document's
 * sides in one attempt (fronts first). Each call takes its entries off in
 * its own transaction (struct kyc_flow's deferred_urls). */
static int submit_arrived(kyc_store *s, const struct kyc_deferred_opts *o, const char *tenant_id,
                          const char *vid, struct pass *p, int *arrived)
{
	struct kyc_flow f = {.store = s,
	                     .tenant_id = tenant_id,
	                     .actor = "system",
	                     .data_dir = o->data_dir,
	                     .max_image_bytes = o->max_image_bytes,
	                     .max_image_pixels = o->max_image_pixels,
	                     .face = o->face};
	struct kyc_flow_image imgs[MAX_ENTRIES];
	const char *urls[MAX_ENTRIES + 1];
	const json_t *docs[MAX_ENTRIES];
	int n = 0, rc = 0;
	size_t i;
	json_t *d, *res = NULL;
	struct kyc_jerr e;
	for (int pass = 0; pass < 3; pass++) {
		json_array_foreach(p->list, i, d)
		{
			if (!p->got[i])
				continue;
			struct kyc_flow_image im = {.type = flow__str(d, "type"),
			                            .side = flow__str(d, "side"),
			                            .issuing_country = flow__str(d, "issuing_country"),
			                            .bytes = (const unsigned char *)p->b[i].data,
			                            .len = p->b[i].len,
			                            .source_url = flow__str(d, "url")};
			if (pass == 0 && is(d, "role", "selfie")) {
				const char *one[] = {im.source_url, NULL};
				f.deferred_urls = one;
				int failed = kyc_flow_selfie(&f, vid, &im, &res, &e);
				f.deferred_urls = NULL;
				if (failed)
					rc = give_up(s, tenant_id, vid, d, e.code);
				else
					(*arrived)++;
				json_decref(res);
				res = NULL;
			} else if (is(d, "role", "document") &&
			           (pass == 1 ? !is(d, "side", "back") : pass == 2 && is(d, "side", "back"))) {
				docs[n] = d;
				urls[n] = im.source_url;
				imgs[n++] = im;
			}
		}
	}
	if (!n)
		return rc;
	urls[n] = NULL;
	f.deferred_urls = urls;
	if (kyc_flow_submit(&f, vid, imgs, n, &res, &e)) {
		/* not what the workflow takes: the retries end, a person sees why */
		for (int k = 0; k < n && !rc; k++)
			rc = give_up(s, tenant_id, vid, docs[k], e.code);
	} else {
		*arrived += n;
	}
	json_decref(res);
	return rc;
}

/* Every due download of verification v: fetched, then submitted or stored,
 * rescheduled, or given up. */
static int try_verification(kyc_store *s, const struct kyc_deferred_opts *o,
                            const char *tenant_id, const json_t *v, int64_t now_ms, int *arrived)
{
	struct pass p = {.list = kyc_deferred_list(v)};
	const char *vid = flow__str(v, "id");
	int waiting_front = front_waits(p.list, -1), rc = 0;
	size_t i, n = json_array_size(p.list);
	json_t *d;
	for (i = 0; i < MAX_ENTRIES; i++)
		kyc_buf_init(&p.b[i], o->max_image_bytes);
	json_array_foreach(p.list, i, d)
	{
		if (i >= MAX_ENTRIES || json_is_true(json_object_get(d, "failed")) ||
		    json_integer_value(json_object_get(d, "next_at")) > now_ms)
			continue;
		/* a back goes in with or after its front, never before */
		if (is(d, "role", "document") && is(d, "side", "back") && waiting_front &&
		    !front_waits(p.list, now_ms))
			continue;
		struct kyc_fetch_info fi = {0};
		if (kyc_fetch_url(flow__str(d, "url"), &o->fetch, &p.b[i], &fi)) {
			if ((rc = reschedule(s, tenant_id, vid, d, now_ms, fi.code)))
				goto out;
			continue;
		}
		snprintf(p.ctype[i], sizeof p.ctype[i], "%s", fi.content_type);
		p.got[i] = 1;
	}
	/* a back that came while its front did not waits for the next pass */
	for (i = 0; i < n && i < MAX_ENTRIES; i++) {
		d = json_array_get(p.list, i);
		if (p.got[i] && is(d, "role", "document") && is(d, "side", "back")) {
			int front_in = !waiting_front;
			for (size_t j = 0; j < n && j < MAX_ENTRIES; j++)
				front_in |= p.got[j] && is(json_array_get(p.list, j), "role", "document") &&
				            !is(json_array_get(p.list, j), "side", "back");
			p.got[i] = front_in;
		}
	}
	for (i = 0; i < n && i < MAX_ENTRIES && !rc; i++) {
		d = json_array_get(p.list, i);
		if (p.got[i] && is(d, "role", "file")) {
			if (!(rc = store_file(s, o, tenant_id, vid, d, &p.b[i], p.ctype[i])))
				(*arrived)++;
			p.got[i] = 0;
		}
	}
	if (!rc)
		rc = submit_arrived(s, o, tenant_id, vid, &p, arrived);
out:
	for (i = 0; i < MAX_ENTRIES; i++)
		kyc_buf_release(&p.b[i]);
	json_decref(p.list);
	return rc;
}

struct sweep {
	const struct kyc_deferred_opts *o;
	int64_t now_ms;
	int arrived;
};

static void try_if_due(kyc_store *s, const char *tenant_id, const json_t *v, void *arg)
{
	struct sweep *sw = arg;
	if (!kyc_deferred_document_waiting(v))
		return;
	if (try_verification(s, sw->o, tenant_id, v, sw->now_ms, &sw->arrived))
		kyc_logf(KYC_LOG_WARN, "deferred download of %s: %s", flow__str(v, "id"),
		         kyc_store_errmsg(s));
}

int kyc_deferred_document_sweep(kyc_store *s, const struct kyc_deferred_opts *o, int64_t now_ms,
                                int *arrived)
{
	/* A verification waits for input while its document or selfie is
	 * missing, and may be under review already while a file (seed 004's
	 * AML report) still comes. */
	static const char *const statuses[] = {"awaiting_input", "incomplete", "pending_review"};
	struct sweep sw = {o, now_ms, 0};
	int rc = 0;
	for (int i = 0; i < 3 && !rc; i++)
		rc = flow__each_in_status(s, statuses[i], try_if_due, &sw);
	*arrived = sw.arrived;
	return rc;
}
