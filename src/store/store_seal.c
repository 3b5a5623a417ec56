/* Encryption at rest, the backend-independent half (store_seal.h): data keys
 * and their cache, sealed column values, search hashes, sealed bytes. */
#include "store/store_seal.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/log.h"

#define TEXT_MAGIC "kye1:"
#define BYTES_MAGIC "KYE1"
#define TENANT_OWNER "t" /* the owner written for the tenant's own key */
#define VALUE_MAX (64u << 20)

/* ---- the cache of unwrapped keys ----
 * Process-wide, so a key forgotten on one thread is gone for all. Open
 * addressing over a fixed table in locked, guarded memory; a full probe
 * window evicts its least recently used entry. */

#define CACHE_SLOTS 2048
#define CACHE_PROBE 8

/* tag: the nonce of the row the key was unwrapped from. A key made inside a
 * transaction that then rolled back stays cached; a writer checks the tag
 * against the stored row before sealing with a cached key (data_key). */
#define TAG_BYTES 24

struct cached_key {
	char tenant[37];
	char owner[37];
	unsigned long used;
	unsigned char key[KYC_SEAL_KEY_BYTES];
	unsigned char tag[TAG_BYTES];
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached_key *cache;
static unsigned long cache_clock;

static size_t cache_slot(const char *tenant, const char *owner)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = tenant; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ ':') * 1099511628211ULL;
	for (const char *p = owner; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)(h % CACHE_SLOTS);
}

static int cache_get(const char *tenant, const char *owner, unsigned char key[KYC_SEAL_KEY_BYTES],
		     unsigned char tag[TAG_BYTES])
{
	int found = 0;
	pthread_mutex_lock(&cache_mu);
	size_t at = cache_slot(tenant, owner);
	for (int i = 0; cache && i < CACHE_PROBE && !found; i++) {
		struct cached_key *c = &cache[(at + (size_t)i) % CACHE_SLOTS];
		if (c->used && !strcmp(c->tenant, tenant) && !strcmp(c->owner, owner)) {
			memcpy(key, c->key, KYC_SEAL_KEY_BYTES);
			memcpy(tag, c->tag, TAG_BYTES);
			c->used = ++cache_clock;
			found = 1;
		}
	}
	pthread_mutex_unlock(&cache_mu);
	return found;
}

static void cache_put(const char *tenant, const char *owner,
		      const unsigned char key[KYC_SEAL_KEY_BYTES], const unsigned char tag[TAG_BYTES])
{
	if (strlen(tenant) > 36 || strlen(owner) > 36)
		return;
	pthread_mutex_lock(&cache_mu);
	if (!cache && (cache = sodium_allocarray(CACHE_SLOTS, sizeof *cache)) != NULL)
		sodium_memzero(cache, CACHE_SLOTS * sizeof *cache);
	size_t at = cache_slot(tenant, owner);
	struct cached_key *victim = NULL;
	for (int i = 0; cache && i < CACHE_PROBE; i++) {
		struct cached_key *c = &cache[(at + (size_t)i) % CACHE_SLOTS];
		if (c->used && !strcmp(c->tenant, tenant) && !strcmp(c->owner, owner)) {
			victim = c;
			break;
		}
		if (!victim || c->used < victim->used)
			victim = c;
	}
	if (victim) {
		snprintf(victim->tenant, sizeof victim->tenant, "%s", tenant);
		snprintf(victim->owner, sizeof victim->owner, "%s", owner);
		memcpy(victim->key, key, KYC_SEAL_KEY_BYTES);
		memcpy(victim->tag, tag, TAG_BYTES);
		victim->used = ++cache_clock;
	}
	pthread_mutex_unlock(&cache_mu);
}

void kyc__seal_forget(const char *tenant_id, const char *owner_id)
{
	pthread_mutex_lock(&cache_mu);
	size_t at = cache_slot(tenant_id, owner_id);
	for (int i = 0; cache && i < CACHE_PROBE; i++) {
		struct cached_key *c = &cache[(at + (size_t)i) % CACHE_SLOTS];
		if (c->used && !strcmp(c->tenant, tenant_id) && !strcmp(c->owner, owner_id))
			sodium_memzero(c, sizeof *c);
	}
	pthread_mutex_unlock(&cache_mu);
}

/* ---- the master keys ---- */

int kyc__seal_keyring(const char *data_dir, int may_create, kyc_keyring **out, char *err,
		      size_t errsz)
{
	const char *named = getenv("KYCD_MASTER_KEY_FILE");
	char path[4096];
	if (named && *named) {
		snprintf(path, sizeof path, "%s", named);
	} else if (data_dir) {
		snprintf(path, sizeof path, "%s/master.key", data_dir);
	} else {
		snprintf(err, errsz, "KYCD_MASTER_KEY_FILE is not set (kycd keys init makes one)");
		return KYC_ERR_INVALID;
	}
	int rc = kyc_keyring_open(path, out, err, errsz);
	if (rc != KYC_ERR_NOTFOUND)
		return rc;
	if ((named && *named) || !may_create) {
		snprintf(err, errsz,
			 "master key file %s is missing%s: without it nothing stored can be read "
			 "(a new database: kycd keys init --out FILE)",
			 path, named && *named ? "" : " but the database holds data keys");
		return KYC_ERR_NOTFOUND;
	}
	rc = kyc_keyring_create(path, err, errsz);
	if (rc && rc != KYC_ERR_CONFLICT) /* another thread of this start made it */
		return rc;
	if (!rc)
		kyc_logf(KYC_LOG_WARN,
			 "created the master key %s INSIDE the data directory: encryption at rest "
			 "protects nothing against a copy of the directory until the key lives "
			 "elsewhere (set KYCD_MASTER_KEY_FILE; docs/security.md)",
			 path);
	return kyc_keyring_open(path, out, err, errsz);
}

/* ---- data keys ---- */

/* "kycd:dk:v1:<tenant>:<owner>": a wrapped key opens only in its own row. */
static void wrap_ad(char *ad, size_t adsz, const char *tenant, const char *owner)
{
	snprintf(ad, adsz, "kycd:dk:v1:%s:%s", tenant, owner);
}

static int unwrap(const unsigned char wrapping[KYC_SEAL_KEY_BYTES], const char *tenant,
		  const char *owner, const struct kyc__dk_row *row,
		  unsigned char key[KYC_SEAL_KEY_BYTES])
{
	char ad[128];
	wrap_ad(ad, sizeof ad, tenant, owner);
	kyc_buf b;
	kyc_buf_init(&b, KYC_SEAL_KEY_BYTES + 1);
	int rc = kyc_unseal(wrapping, ad, strlen(ad), row->wrapped, sizeof row->wrapped, &b);
	if (!rc && b.len != KYC_SEAL_KEY_BYTES)
		rc = KYC_ERR_DENIED;
	if (!rc)
		memcpy(key, b.data, KYC_SEAL_KEY_BYTES);
	if (b.data)
		sodium_memzero(b.data, b.len);
	kyc_buf_release(&b);
	return rc;
}

static int wrap(const unsigned char wrapping[KYC_SEAL_KEY_BYTES], const char *tenant,
		const char *owner, const unsigned char key[KYC_SEAL_KEY_BYTES],
		struct kyc__dk_row *row)
{
	char ad[128];
	wrap_ad(ad, sizeof ad, tenant, owner);
	kyc_buf b;
	kyc_buf_init(&b, sizeof row->wrapped);
	int rc = kyc_seal(wrapping, ad, strlen(ad), key, KYC_SEAL_KEY_BYTES, &b);
	if (!rc)
		memcpy(row->wrapped, b.data, sizeof row->wrapped);
	kyc_buf_release(&b);
	return rc;
}

/* Re-wraps the stored key of tenant under master (named master_id). */
static int rewrap_tenant(kyc_store *s, const char *tenant, const unsigned char *master,
			 const char *master_id)
{
	struct kyc__dk_row row;
	unsigned char old[KYC_SEAL_KEY_BYTES], key[KYC_SEAL_KEY_BYTES];
	int rc = kyc__store_dk_get(s, tenant, "", &row);
	rc = rc ? rc : kyc_keyring_find(kyc__store_keyring(s), row.master_id, old);
	rc = rc ? rc : unwrap(old, tenant, "", &row, key);
	rc = rc ? rc : wrap(master, tenant, "", key, &row);
	if (!rc) {
		snprintf(row.master_id, sizeof row.master_id, "%s", master_id);
		rc = kyc__store_dk_put(s, tenant, "", &row, 1);
	}
	sodium_memzero(old, sizeof old);
	sodium_memzero(key, sizeof key);
	return rc;
}

/* Wraps a new tenant key under the current master and stores it. Under the
 * write lock the file is looked at again after the row is written: a
 * rotation that renamed a new file in meanwhile gets the row re-wrapped
 * here, since its own pass may already have run (docs/security.md). */
static int tenant_key_create(kyc_store *s, const char *tenant)
{
	unsigned char key[KYC_SEAL_KEY_BYTES], master[KYC_SEAL_KEY_BYTES];
	char id[KYC_KEYRING_ID_LEN + 1], id2[KYC_KEYRING_ID_LEN + 1];
	struct kyc__dk_row row;
	int own_txn = !kyc_store_in_transaction(s);
	int rc = own_txn ? kyc_store_begin(s) : 0;
	if (rc)
		return rc;
	kyc_seal_keygen(key);
	rc = kyc_keyring_current(kyc__store_keyring(s), master, id);
	rc = rc ? rc : wrap(master, tenant, "", key, &row);
	if (!rc) {
		memcpy(row.master_id, id, sizeof row.master_id);
		rc = kyc__store_dk_put(s, tenant, "", &row, 0);
	}
	if (!rc && !kyc_keyring_current(kyc__store_keyring(s), master, id2) && strcmp(id, id2))
		rc = rewrap_tenant(s, tenant, master, id2);
	if (own_txn)
		rc = rc ? (kyc_store_rollback(s), rc) : kyc_store_commit(s);
	sodium_memzero(key, sizeof key);
	sodium_memzero(master, sizeof master);
	return rc;
}

/* The root key of (tenant, owner) — owner "" the tenant's — from the cache,
 * else unwrapped from its row, else (when create) made. KYC_ERR_NOTFOUND
 * when it does not exist (never made, or forgotten). A writer (create)
 * checks a cached key against its row: sealing under a key whose row was
 * rolled back would lose the data; a reader cannot meet data sealed so. */
static int data_key(kyc_store *s, const char *tenant, const char *owner, int create,
		    unsigned char key[KYC_SEAL_KEY_BYTES])
{
	struct kyc__dk_row row;
	unsigned char wrapping[KYC_SEAL_KEY_BYTES], tag[TAG_BYTES];
	int hit = cache_get(tenant, owner, key, tag);
	if (hit && !create)
		return 0;
	int rc = kyc__store_dk_get(s, tenant, owner, &row);
	if (hit && !rc && !memcmp(row.wrapped, tag, TAG_BYTES))
		return 0;
	if (rc == KYC_ERR_NOTFOUND && create) {
		if (!*owner) {
			rc = tenant_key_create(s, tenant);
		} else {
			unsigned char fresh[KYC_SEAL_KEY_BYTES];
			kyc_seal_keygen(fresh);
			rc = data_key(s, tenant, "", 1, key);
			if (!rc)
				kyc_seal_subkey(key, KYC_SEAL_WRAP, wrapping);
			rc = rc ? rc : wrap(wrapping, tenant, owner, fresh, &row);
			if (!rc) {
				row.master_id[0] = '\0';
				rc = kyc__store_dk_put(s, tenant, owner, &row, 0);
			}
			sodium_memzero(fresh, sizeof fresh);
		}
		/* read back: a concurrent writer's row may have won */
		rc = rc ? rc : kyc__store_dk_get(s, tenant, owner, &row);
	}
	if (rc)
		return rc;
	if (!*owner) {
		rc = kyc_keyring_find(kyc__store_keyring(s), row.master_id, wrapping);
		if (rc == KYC_ERR_NOTFOUND)
			rc = KYC_ERR_DENIED; /* the database's key is not in our file */
	} else {
		rc = data_key(s, tenant, "", 0, key);
		if (rc == KYC_ERR_NOTFOUND)
			rc = KYC_ERR_DENIED;
		if (!rc)
			kyc_seal_subkey(key, KYC_SEAL_WRAP, wrapping);
	}
	rc = rc ? rc : unwrap(wrapping, tenant, owner, &row, key);
	sodium_memzero(wrapping, sizeof wrapping);
	if (!rc)
		cache_put(tenant, owner, key, row.wrapped);
	return rc;
}

/* The subkey for purpose of (tenant, owner)'s key. */
static int purpose_key(kyc_store *s, const char *tenant, const char *owner, int create,
		       enum kyc_seal_purpose purpose, unsigned char out[KYC_SEAL_KEY_BYTES])
{
	unsigned char root[KYC_SEAL_KEY_BYTES];
	int rc = data_key(s, tenant, owner, create, root);
	if (!rc)
		kyc_seal_subkey(root, purpose, out);
	sodium_memzero(root, sizeof root);
	return rc;
}

int kyc__seal_check(kyc_store *s, char *err, size_t errsz)
{
	json_t *tenants = NULL, *masters = NULL;
	int rc = kyc__store_dk_tenants(s, "", 0, &tenants, &masters);
	size_t i;
	json_t *m;
	json_array_foreach(masters, i, m)
	{
		unsigned char key[KYC_SEAL_KEY_BYTES];
		if (!rc && kyc_keyring_find(kyc__store_keyring(s), json_string_value(m), key)) {
			snprintf(err, errsz,
				 "the master key file %s does not hold the master key %s that "
				 "wrapped this database's data keys: nothing could be read",
				 kyc_keyring_path(kyc__store_keyring(s)), json_string_value(m));
			rc = KYC_ERR_DENIED;
		}
		sodium_memzero(key, sizeof key);
	}
	json_decref(tenants);
	json_decref(masters);
	return rc;
}

/* ---- sealed text ---- */

static void value_ad(char *ad, size_t adsz, const char *table, const char *column,
		     const char *tenant, const char *id)
{
	snprintf(ad, adsz, "kycd:col:v1:%s:%s:%s:%s", table, column, tenant, id);
}

/* "kye1:<owner>:<base64>" of the n bytes at p into *out (a new string). */
static int seal_text(const unsigned char key[KYC_SEAL_KEY_BYTES], const char *owner,
		     const char *ad, const char *p, size_t n, json_t **out)
{
	kyc_buf ct, txt;
	kyc_buf_init(&ct, VALUE_MAX);
	kyc_buf_init(&txt, VALUE_MAX * 2);
	int rc = kyc_seal(key, ad, strlen(ad), p, n, &ct);
	size_t b64 = sodium_base64_encoded_len(ct.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = rc ? rc : kyc_buf_printf(&txt, TEXT_MAGIC "%s:", *owner ? owner : TENANT_OWNER);
	size_t at = txt.len;
	for (size_t i = 0; !rc && i < b64; i += 64) /* room for the encoding, then fill it */
		rc = kyc_buf_append(&txt, "................................................................",
				    b64 - i < 64 ? b64 - i : 64);
	if (!rc) {
		sodium_bin2base64(txt.data + at, b64, (const unsigned char *)ct.data, ct.len,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		txt.len = at + b64 - 1;
		*out = json_stringn(txt.data, txt.len);
		rc = *out ? 0 : KYC_ERR_NOMEM;
	}
	kyc_buf_release(&ct);
	kyc_buf_release(&txt);
	return rc;
}

/* The owner named in a sealed text, and where its base64 starts. */
static int text_owner(const char *v, size_t len, char owner[37], const char **b64)
{
	size_t m = sizeof TEXT_MAGIC - 1;
	if (len < m || memcmp(v, TEXT_MAGIC, m))
		return KYC_ERR_INVALID;
	const char *colon = memchr(v + m, ':', len - m);
	if (!colon || colon - (v + m) > 36 || colon == v + m)
		return KYC_ERR_INVALID;
	snprintf(owner, 37, "%.*s", (int)(colon - (v + m)), v + m);
	if (!strcmp(owner, TENANT_OWNER))
		owner[0] = '\0';
	*b64 = colon + 1;
	return 0;
}

/* Opens a sealed text into pt. */
static int unseal_text(kyc_store *s, const char *tenant, const char *ad, const char *v,
		       size_t len, kyc_buf *pt)
{
	char owner[37];
	const char *b64;
	int rc = text_owner(v, len, owner, &b64);
	if (rc)
		return rc;
	size_t blen = len - (size_t)(b64 - v);
	unsigned char *bin = malloc(blen + 1);
	size_t binlen = 0;
	unsigned char key[KYC_SEAL_KEY_BYTES];
	if (!bin)
		return KYC_ERR_NOMEM;
	rc = sodium_base642bin(bin, blen + 1, b64, blen, NULL, &binlen, NULL,
			       sodium_base64_VARIANT_URLSAFE_NO_PADDING)
		 ? KYC_ERR_DENIED
		 : 0;
	rc = rc ? rc : purpose_key(s, tenant, owner, 0, KYC_SEAL_ENCRYPT, key);
	rc = rc ? rc : kyc_unseal(key, ad, strlen(ad), bin, binlen, pt);
	sodium_memzero(key, sizeof key);
	free(bin);
	return rc;
}

/* ---- records ---- */

/* Whose data key seals a record of type t: its applicant's, found from the
 * record (or the stored row, for a patch), else the tenant's (""). */
static int record_owner(kyc_store *s, enum kyc_rtype t, const char *tenant, const char *id,
			const json_t *rec, char owner[37])
{
	owner[0] = '\0';
	const char *a = NULL;
	enum kyc_rtype via = KYC_R__COUNT;
	const char *via_id = NULL;
	switch (t) {
	case KYC_R_APPLICANT:
		a = id;
		break;
	case KYC_R_VERIFICATION:
	case KYC_R_DOCUMENT:
		a = json_string_value(json_object_get(rec, "applicant_id"));
		if (!a) {
			via = t;
			via_id = id;
		}
		break;
	case KYC_R_HISTORY:
		via = KYC_R_VERIFICATION;
		via_id = json_string_value(json_object_get(rec, "verification_id"));
		break;
	case KYC_R_EVENT: {
		const char *rt = json_string_value(json_object_get(rec, "resource_type"));
		const char *rid = json_string_value(json_object_get(rec, "resource_id"));
		if (rt && !strcmp(rt, "applicant"))
			a = rid;
		else if (rt && !strcmp(rt, "verification"))
			via = KYC_R_VERIFICATION, via_id = rid;
		else if (rt && !strcmp(rt, "document"))
			via = KYC_R_DOCUMENT, via_id = rid;
		break;
	}
	default:
		break;
	}
	if (a) {
		snprintf(owner, 37, "%s", a);
		return 0;
	}
	if (via != KYC_R__COUNT && via_id) {
		int rc = kyc__store_applicant_of(s, via, tenant, via_id, owner);
		return rc == KYC_ERR_NOTFOUND ? (owner[0] = '\0', 0) : rc;
	}
	return 0;
}

static const struct kyc_col *table_col(const struct kyc_table *tb, const char *name)
{
	for (int i = 0; i < tb->ncols; i++)
		if (!strcmp(tb->cols[i].name, name))
			return &tb->cols[i];
	return NULL;
}

/* The search form of a value: trimmed, ASCII upper case, prefixed with what
 * it is, so equal names hash equal whatever their case and a name never
 * hashes like a number. */
static void search_hash(const unsigned char key[KYC_SEAL_KEY_BYTES], const char *what,
			const char *v, size_t len, char out[65])
{
	kyc_buf b;
	kyc_buf_init(&b, VALUE_MAX);
	while (len && isspace((unsigned char)*v))
		v++, len--;
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	int rc = kyc_buf_printf(&b, "%s:", what);
	for (size_t i = 0; i < len && !rc; i++) {
		char c = (char)toupper((unsigned char)v[i]);
		rc = kyc_buf_append(&b, &c, 1);
	}
	if (rc)
		snprintf(out, 65, "-");
	else
		kyc_seal_hash(key, b.data, b.len, out);
	kyc_buf_release(&b);
}

int kyc__seal_record(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		     const json_t *rec, int patch, json_t **out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	json_t *o = json_copy((json_t *)rec);
	*out = NULL;
	if (!o)
		return KYC_ERR_NOMEM;
	int rc = 0, have_keys = 0;
	char owner[37] = "";
	unsigned char enc[KYC_SEAL_KEY_BYTES], find[KYC_SEAL_KEY_BYTES];
	for (int i = 0; i < tb->ncols && !rc; i++) {
		const struct kyc_col *c = &tb->cols[i];
		json_t *v = json_object_get(o, c->name);
		if (c->seal == KYC_SEAL_PLAIN || c->seal == KYC_SEAL_HASHCOL)
			continue;
		if (c->seal == KYC_SEAL_FIND && patch && !v)
			continue; /* untouched: so is its hash */
		if (!v || json_is_null(v)) {
			if (c->seal == KYC_SEAL_FIND)
				json_object_set_new(o, tb->cols[i + 1].name, json_null());
			continue;
		}
		if (!have_keys) {
			rc = record_owner(s, t, tenant_id, id, rec, owner);
			rc = rc ? rc : purpose_key(s, tenant_id, owner, 1, KYC_SEAL_ENCRYPT, enc);
			rc = rc ? rc : purpose_key(s, tenant_id, "", 1, KYC_SEAL_SEARCH, find);
			if (rc)
				break;
			have_keys = 1;
		}
		if (c->seal == KYC_SEAL_HASHED) {
			char h[65];
			if (!json_is_string(v)) {
				rc = KYC_ERR_INVALID;
				break;
			}
			kyc_seal_hash(find, json_string_value(v), json_string_length(v), h);
			json_object_set_new(o, c->name, json_string(h));
			continue;
		}
		char *dump = NULL;
		const char *p;
		size_t n;
		if (c->kind == KYC_COL_JSON) {
			dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!dump) {
				rc = KYC_ERR_NOMEM;
				break;
			}
			p = dump;
			n = strlen(dump);
		} else if (json_is_string(v)) {
			p = json_string_value(v);
			n = json_string_length(v);
		} else {
			rc = KYC_ERR_INVALID; /* only text and JSON columns are sealed */
			break;
		}
		if (c->seal == KYC_SEAL_FIND) {
			char h[65], what[96];
			snprintf(what, sizeof what, "%s.%s", tb->name, c->name);
			search_hash(find, what, p, n, h);
			json_object_set_new(o, tb->cols[i + 1].name, json_string(h));
		}
		char ad[256];
		json_t *sealed = NULL;
		value_ad(ad, sizeof ad, tb->name, c->name, tenant_id, id);
		rc = seal_text(enc, owner, ad, p, n, &sealed);
		free(dump);
		if (!rc)
			json_object_set_new(o, c->name, sealed);
	}
	sodium_memzero(enc, sizeof enc);
	sodium_memzero(find, sizeof find);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

int kyc__unseal_record(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec)
{
	const struct kyc_table *tb = &kyc__tables[t];
	const char *id = json_string_value(json_object_get(rec, "id"));
	int rc = 0;
	kyc_buf pt;
	kyc_buf_init(&pt, VALUE_MAX);
	for (int i = 0; i < tb->ncols && !rc; i++) {
		const struct kyc_col *c = &tb->cols[i];
		if (c->seal == KYC_SEAL_HASHCOL) {
			json_object_del(rec, c->name);
			continue;
		}
		if (c->seal != KYC_SEAL_DATA && c->seal != KYC_SEAL_FIND)
			continue;
		json_t *v = json_object_get(rec, c->name);
		/* a value written before encryption (migration 8 seals them) is
		 * not a sealed text and reads as it is */
		if (!json_is_string(v) ||
		    strncmp(json_string_value(v), TEXT_MAGIC, sizeof TEXT_MAGIC - 1))
			continue;
		char ad[256];
		value_ad(ad, sizeof ad, tb->name, c->name, tenant_id, id ? id : "");
		kyc_buf_reset(&pt);
		rc = unseal_text(s, tenant_id, ad, json_string_value(v), json_string_length(v), &pt);
		json_t *open = NULL;
		if (rc == KYC_ERR_NOTFOUND) { /* its key was forgotten: erased */
			open = json_null();
			rc = 0;
		} else if (!rc) {
			open = c->kind == KYC_COL_JSON
				   ? json_loadb(pt.data, pt.len, JSON_DECODE_ANY, NULL)
				   : json_stringn(pt.data, pt.len);
			rc = open ? 0 : KYC_ERR_DENIED;
		}
		if (!rc)
			json_object_set_new(rec, c->name, open);
	}
	if (pt.data)
		sodium_memzero(pt.data, pt.len);
	kyc_buf_release(&pt);
	return rc;
}

int kyc__seal_filter(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		     json_t **out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	*out = json_object();
	if (!*out)
		return KYC_ERR_NOMEM;
	const char *k;
	json_t *v;
	int rc = 0;
	unsigned char find[KYC_SEAL_KEY_BYTES];
	int have_key = -1; /* unknown yet; 0: the tenant has no key, so no hash matches */
	json_object_foreach((json_t *)filter, k, v)
	{
		const struct kyc_col *c = table_col(tb, k);
		if (!c || c->seal == KYC_SEAL_PLAIN || json_is_null(v)) {
			json_object_set(*out, k, v);
			continue;
		}
		if (c->seal != KYC_SEAL_FIND && c->seal != KYC_SEAL_HASHED) {
			rc = KYC_ERR_INVALID;
			break;
		}
		if (!json_is_string(v)) {
			rc = KYC_ERR_INVALID;
			break;
		}
		if (have_key < 0) {
			int krc = purpose_key(s, tenant_id, "", 0, KYC_SEAL_SEARCH, find);
			if (krc && krc != KYC_ERR_NOTFOUND) {
				rc = krc;
				break;
			}
			have_key = !krc;
		}
		char h[65] = "-", what[96];
		if (have_key && c->seal == KYC_SEAL_HASHED) {
			kyc_seal_hash(find, json_string_value(v), json_string_length(v), h);
		} else if (have_key) {
			snprintf(what, sizeof what, "%s.%s", tb->name, c->name);
			search_hash(find, what, json_string_value(v), json_string_length(v), h);
		}
		json_object_set_new(*out, c->seal == KYC_SEAL_FIND ? c[1].name : k, json_string(h));
	}
	sodium_memzero(find, sizeof find);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int kyc__seal_key_hash(kyc_store *s, const char *tenant_id, const char *value, char out[65])
{
	unsigned char find[KYC_SEAL_KEY_BYTES];
	int rc = purpose_key(s, tenant_id, "", 0, KYC_SEAL_SEARCH, find);
	snprintf(out, 65, "-"); /* no key yet: nothing was stored, nothing matches */
	if (rc == KYC_ERR_NOTFOUND)
		return 0;
	if (!rc)
		kyc_seal_hash(find, value, strlen(value), out);
	sodium_memzero(find, sizeof find);
	return rc;
}

/* ---- bytes ---- */

int kyc__seal_bytes(kyc_store *s, const char *tenant_id, const char *owner_id, const char *ad,
		    const void *p, size_t n, kyc_buf *out)
{
	const char *owner = owner_id ? owner_id : "";
	unsigned char key[KYC_SEAL_KEY_BYTES];
	unsigned char olen = (unsigned char)strlen(owner);
	if (strlen(owner) > 36)
		return KYC_ERR_INVALID;
	int rc = purpose_key(s, tenant_id, owner, 1, KYC_SEAL_ENCRYPT, key);
	rc = rc ? rc : kyc_buf_append(out, BYTES_MAGIC, 4);
	rc = rc ? rc : kyc_buf_append(out, &olen, 1);
	rc = rc ? rc : kyc_buf_append(out, owner, olen);
	rc = rc ? rc : kyc_seal(key, ad, strlen(ad), p, n, out);
	sodium_memzero(key, sizeof key);
	return rc;
}

int kyc__unseal_bytes(kyc_store *s, const char *tenant_id, const char *ad, const void *p,
		      size_t n, kyc_buf *out)
{
	const unsigned char *b = p;
	if (n < 5 || memcmp(b, BYTES_MAGIC, 4) || n < 5u + b[4] || b[4] > 36)
		return KYC_ERR_INVALID;
	char owner[37];
	snprintf(owner, sizeof owner, "%.*s", (int)b[4], (const char *)b + 5);
	unsigned char key[KYC_SEAL_KEY_BYTES];
	int rc = purpose_key(s, tenant_id, owner, 0, KYC_SEAL_ENCRYPT, key);
	rc = rc ? rc : kyc_unseal(key, ad, strlen(ad), b + 5 + b[4], n - 5 - b[4], out);
	sodium_memzero(key, sizeof key);
	return rc;
}

/* ---- store.h calls that are the same for every backend ---- */

int kyc_store_forget_applicant_key(kyc_store *s, const char *tenant_id, const char *applicant_id)
{
	if (!applicant_id || !*applicant_id)
		return KYC_ERR_INVALID; /* "" is the tenant's own key */
	int rc = kyc__store_dk_delete(s, tenant_id, applicant_id);
	kyc__seal_forget(tenant_id, applicant_id);
	return rc;
}

int kyc_store_keys_rewrap(kyc_store *s, long *rewrapped, char *err, size_t errsz)
{
	unsigned char master[KYC_SEAL_KEY_BYTES];
	char id[KYC_KEYRING_ID_LEN + 1];
	*rewrapped = 0;
	int rc = kyc_keyring_current(kyc__store_keyring(s), master, id);
	/* batches of 100 tenants per transaction: the server's writes wait
	 * for one batch at most */
	for (int more = 1; !rc && more;) {
		json_t *tenants = NULL;
		rc = kyc_store_begin(s);
		rc = rc ? rc : kyc__store_dk_tenants(s, id, 100, &tenants, NULL);
		more = !rc && json_array_size(tenants) > 0;
		size_t i;
		json_t *t;
		json_array_foreach(tenants, i, t)
		{
			rc = rc ? rc : rewrap_tenant(s, json_string_value(t), master, id);
			if (!rc)
				(*rewrapped)++;
		}
		json_decref(tenants);
		if (rc)
			kyc_store_rollback(s);
		else
			rc = kyc_store_commit(s);
	}
	if (rc)
		snprintf(err, errsz, "re-wrapping the tenant keys failed: %s (%s)", kyc_err_name(rc),
			 kyc_store_errmsg(s));
	sodium_memzero(master, sizeof master);
	return rc;
}

int kyc_store_master_ids(kyc_store *s, json_t **ids)
{
	json_t *tenants = NULL;
	int rc = kyc__store_dk_tenants(s, "", 0, &tenants, ids);
	json_decref(tenants);
	return rc;
}
