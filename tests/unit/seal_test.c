/* Encryption at rest (src/crypto/seal.h, src/crypto/keyring.h,
 * src/store/store_seal.h): sealing and opening, wrong keys, tampering, the
 * master key file, what the database really holds, crypto-shredding,
 * rotation, and the sealing of a database written before encryption. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/rand.h"
#include "crypto/keyring.h"
#include "crypto/seal.h"
#include "store/blob.h"
#include "store/store.h"
#include "store/store_seal.h"
#include "test.h"

static char dir[64], data[96], keyfile[128];

TEST(seal_and_open)
{
	unsigned char k1[KYC_SEAL_KEY_BYTES], k2[KYC_SEAL_KEY_BYTES];
	kyc_seal_keygen(k1);
	kyc_seal_keygen(k2);
	const char msg[] = "ERIKSSON<<ANNA<MARIA";
	kyc_buf ct, pt;
	kyc_buf_init(&ct, 1024);
	kyc_buf_init(&pt, 1024);
	REQUIRE(kyc_seal(k1, "ad", 2, msg, strlen(msg), &ct) == 0);
	CHECK_INT(ct.len, strlen(msg) + KYC_SEAL_OVERHEAD);
	CHECK(memmem(ct.data, ct.len, "ERIKSSON", 8) == NULL);
	CHECK_INT(kyc_unseal(k1, "ad", 2, ct.data, ct.len, &pt), 0);
	CHECK_STR(pt.data, msg);
	/* the same message twice: different ciphertexts (random nonces) */
	kyc_buf ct2;
	kyc_buf_init(&ct2, 1024);
	REQUIRE(kyc_seal(k1, "ad", 2, msg, strlen(msg), &ct2) == 0);
	CHECK(memcmp(ct.data, ct2.data, ct.len) != 0);
	kyc_buf_release(&ct2);
	/* wrong key, wrong associated data, any byte changed: refused, nothing out */
	kyc_buf_reset(&pt);
	CHECK_INT(kyc_unseal(k2, "ad", 2, ct.data, ct.len, &pt), KYC_ERR_DENIED);
	CHECK_INT(pt.len, 0);
	CHECK_INT(kyc_unseal(k1, "ae", 2, ct.data, ct.len, &pt), KYC_ERR_DENIED);
	for (size_t i = 0; i < ct.len; i += 7) {
		ct.data[i] ^= 1;
		CHECK_INT(kyc_unseal(k1, "ad", 2, ct.data, ct.len, &pt), KYC_ERR_DENIED);
		ct.data[i] ^= 1;
	}
	CHECK_INT(kyc_unseal(k1, "ad", 2, ct.data, KYC_SEAL_OVERHEAD - 1, &pt), KYC_ERR_INVALID);
	CHECK_INT(kyc_unseal(k1, "ad", 2, ct.data, ct.len - 1, &pt), KYC_ERR_DENIED);
	/* an empty message seals and opens */
	kyc_buf_reset(&ct);
	REQUIRE(kyc_seal(k1, NULL, 0, "", 0, &ct) == 0);
	CHECK_INT(kyc_unseal(k1, NULL, 0, ct.data, ct.len, &pt), 0);
	CHECK_INT(pt.len, 0);
	/* a full buffer is TOOBIG, not a partial write */
	kyc_buf small;
	kyc_buf_init(&small, 10);
	CHECK_INT(kyc_seal(k1, NULL, 0, msg, strlen(msg), &small), KYC_ERR_TOOBIG);
	kyc_buf_release(&small);
	kyc_buf_release(&ct);
	kyc_buf_release(&pt);
	/* keyed hashes: stable under one key, unrelated under another */
	char h1[65], h2[65], h3[65];
	kyc_seal_hash(k1, "UTO:L898902C3", 13, h1);
	kyc_seal_hash(k1, "UTO:L898902C3", 13, h2);
	kyc_seal_hash(k2, "UTO:L898902C3", 13, h3);
	CHECK_STR(h1, h2);
	CHECK(strcmp(h1, h3) != 0);
	CHECK_INT(strlen(h1), 64);
}

TEST(master_key_file)
{
	char err[512], path[160], id[KYC_KEYRING_ID_LEN + 1], id2[KYC_KEYRING_ID_LEN + 1];
	unsigned char key[KYC_SEAL_KEY_BYTES], key2[KYC_SEAL_KEY_BYTES];
	snprintf(path, sizeof path, "%s/k1", dir);
	REQUIRE(kyc_keyring_create(path, err, sizeof err) == 0);
	struct stat st;
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(st.st_size, 65);
	/* never overwritten */
	CHECK_INT(kyc_keyring_create(path, err, sizeof err), KYC_ERR_CONFLICT);
	kyc_keyring *k;
	REQUIRE(kyc_keyring_open(path, &k, err, sizeof err) == 0);
	REQUIRE(kyc_keyring_current(k, key, id) == 0);
	CHECK_INT(strlen(id), KYC_KEYRING_ID_LEN);
	CHECK_INT(kyc_keyring_find(k, "0000000000000000", key2), KYC_ERR_NOTFOUND);
	/* rotation: a new first key; the old one still found, then pruned */
	REQUIRE(kyc_keyring_add(path, id2, err, sizeof err) == 0);
	CHECK(strcmp(id, id2) != 0);
	REQUIRE(kyc_keyring_current(k, key2, id2) == 0);
	CHECK(memcmp(key, key2, sizeof key) != 0);
	CHECK_INT(kyc_keyring_find(k, id, key2), 0);
	CHECK(memcmp(key, key2, sizeof key) == 0);
	int dropped = 0;
	CHECK_INT(kyc_keyring_prune(path, NULL, 0, &dropped, err, sizeof err), 0);
	CHECK_INT(dropped, 1);
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_size, 65);
	CHECK_INT(st.st_mode & 0777, 0600);
	/* refused: readable by others, not hex, empty, missing */
	kyc_keyring *bad;
	chmod(path, 0640);
	CHECK_INT(kyc_keyring_open(path, &bad, err, sizeof err), 0); /* already open: shared */
	snprintf(path, sizeof path, "%s/k2", dir);
	REQUIRE(kyc_keyring_create(path, err, sizeof err) == 0);
	chmod(path, 0644);
	CHECK_INT(kyc_keyring_open(path, &bad, err, sizeof err), KYC_ERR_DENIED);
	CHECK(strstr(err, "chmod 600") != NULL);
	FILE *fp = fopen(path, "w");
	REQUIRE(fp != NULL);
	fputs("not a key\n", fp);
	fclose(fp);
	chmod(path, 0600);
	CHECK_INT(kyc_keyring_open(path, &bad, err, sizeof err), KYC_ERR_INVALID);
	snprintf(path, sizeof path, "%s/none", dir);
	CHECK_INT(kyc_keyring_open(path, &bad, err, sizeof err), KYC_ERR_NOTFOUND);
}

/* The first text column of a query on the database file, or "". */
static void raw(const char *sql, char *out, size_t outsz)
{
	char path[128];
	snprintf(path, sizeof path, "%s/data/kycd.db", dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void raw_exec(const char *sql)
{
	char path[128];
	snprintf(path, sizeof path, "%s/data/kycd.db", dir);
	sqlite3 *db = NULL;
	char *msg = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "  raw_exec: %s\n", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
}

static kyc_store *open_data(void)
{
	char err[512];
	kyc_store *s = NULL;
	if (kyc_store_open(data, &s, err, sizeof err))
		fprintf(stderr, "  open: %s\n", err);
	return s;
}

static char tenant[37], app1[37], app2[37];

static json_t *person(const char *id, const char *surname)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "id", id, "first_name", "Anna",
			 "last_name", surname, "birth_date", "1974-08-12", "level", "L0",
			 "attributes", "address", "Storgatan 1, Uppsala");
}

TEST(what_the_database_holds)
{
	kyc_store *s = open_data();
	REQUIRE(s != NULL);
	REQUIRE(kyc_store_tenant_create(s, "seal", tenant) == 0);
	kyc_uuid_new(app1);
	kyc_uuid_new(app2);
	json_t *a = person(app1, "Eriksson"), *b = person(app2, "Lindqvist");
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, a) == 0);
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, b) == 0);
	json_decref(a);
	json_decref(b);
	char v[512], sql[256];
	snprintf(sql, sizeof sql, "SELECT last_name FROM applicants WHERE id='%s'", app1);
	raw(sql, v, sizeof v);
	CHECK(strncmp(v, "kye1:", 5) == 0);
	CHECK(strstr(v, app1) != NULL); /* sealed under the applicant's own key */
	CHECK(strstr(v, "Eriksson") == NULL);
	snprintf(sql, sizeof sql, "SELECT attributes FROM applicants WHERE id='%s'", app1);
	raw(sql, v, sizeof v);
	CHECK(strstr(v, "Storgatan") == NULL);
	/* the API sees the values */
	json_t *got = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app1, &got) == 0);
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Eriksson");
	CHECK_STR(json_string_value(json_object_get(json_object_get(got, "attributes"), "address")),
		  "Storgatan 1, Uppsala");
	CHECK(json_object_get(got, "last_name_hash") == NULL);
	json_decref(got);
	/* searchable by its hash, whatever the case, and through an index */
	struct kyc_store_page pg;
	json_t *f = json_pack("{s:s}", "last_name", "ERIKSSON");
	REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, tenant, f, "", 10, &pg) == 0);
	CHECK_INT(json_array_size(pg.items), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(pg.items, 0), "id")), app1);
	json_decref(pg.items);
	json_decref(f);
	raw("SELECT count(*) FROM pragma_index_list('applicants') WHERE name='applicants_last_name_hash'",
	    v, sizeof v);
	CHECK_STR(v, "1");
	/* a value moved to another record does not open there */
	snprintf(sql, sizeof sql,
		 "UPDATE applicants SET first_name=(SELECT first_name FROM applicants WHERE id='%s') "
		 "WHERE id='%s'",
		 app1, app2);
	raw_exec(sql);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, tenant, app2, &got), KYC_ERR_DENIED);
	/* another tenant cannot read it either */
	char other[37];
	REQUIRE(kyc_store_tenant_create(s, "other", other) == 0);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, other, app1, &got), KYC_ERR_NOTFOUND);
	kyc_store_close(s);
}

/* A key made in a transaction that rolled back is never used again, even
 * though this process cached it: what is sealed next opens from the row. */
TEST(a_rolled_back_key_is_not_used)
{
	kyc_store *s = open_data();
	REQUIRE(s != NULL);
	char id[37];
	kyc_uuid_new(id);
	json_t *p = person(id, "Nyberg"), *got = NULL;
	REQUIRE(kyc_store_begin(s) == 0);
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, p) == 0);
	kyc_store_rollback(s);
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, p) == 0);
	kyc__seal_forget(tenant, id); /* the cache only: the row stays */
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, tenant, id, &got), 0);
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Nyberg");
	json_decref(got);
	json_decref(p);
	kyc_store_close(s);
}

TEST(forgetting_a_key_shreds)
{
	kyc_store *s = open_data();
	REQUIRE(s != NULL);
	char id[37], rel[128];
	kyc_uuid_new(id);
	REQUIRE(kyc_blob_write(s, data, tenant, app1, id, "JFIF face", 9, rel, sizeof rel) == 0);
	REQUIRE(kyc_store_forget_applicant_key(s, tenant, app1) == 0);
	CHECK_INT(kyc_store_forget_applicant_key(s, tenant, app1), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_forget_applicant_key(s, tenant, ""), KYC_ERR_INVALID);
	json_t *got = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app1, &got) == 0);
	CHECK(json_is_null(json_object_get(got, "last_name")));
	CHECK(json_is_null(json_object_get(got, "birth_date")));
	CHECK_STR(json_string_value(json_object_get(got, "level")), "L0");
	json_decref(got);
	kyc_buf b;
	kyc_buf_init(&b, 100);
	CHECK_INT(kyc_blob_read(s, data, tenant, rel, &b), KYC_ERR_NOTFOUND);
	kyc_buf_release(&b);
	kyc_store_close(s);
}

TEST(rotation_rewraps)
{
	kyc_store *s = open_data();
	REQUIRE(s != NULL);
	char err[512], id[KYC_KEYRING_ID_LEN + 1], v[128], a3[37];
	kyc_uuid_new(a3);
	json_t *p = person(a3, "Berg");
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, p) == 0);
	json_decref(p);
	raw("SELECT master_id FROM data_keys WHERE owner_id='' LIMIT 1", v, sizeof v);
	REQUIRE(strlen(v) == KYC_KEYRING_ID_LEN);
	REQUIRE(kyc_keyring_add(keyfile, id, err, sizeof err) == 0);
	long n = 0;
	CHECK_INT(kyc_store_keys_rewrap(s, &n, err, sizeof err), 0);
	CHECK(n >= 1);
	json_t *ids = NULL;
	REQUIRE(kyc_store_master_ids(s, &ids) == 0);
	CHECK_INT(json_array_size(ids), 1);
	CHECK_STR(json_string_value(json_array_get(ids, 0)), id);
	json_decref(ids);
	int dropped = 0;
	const char *keep[] = {id};
	CHECK_INT(kyc_keyring_prune(keyfile, keep, 1, &dropped, err, sizeof err), 0);
	CHECK_INT(dropped, 1);
	kyc_store_close(s);
	/* reopened: only the new key in the file, every record readable */
	s = open_data();
	REQUIRE(s != NULL);
	json_t *got = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, a3, &got) == 0);
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Berg");
	json_decref(got);
	kyc_store_close(s);
}

/* A database written before encryption (schema 6 with plaintext rows and
 * blobs) is sealed on its first open with a key. */
TEST(existing_rows_are_sealed)
{
	kyc_store *s = open_data();
	REQUIRE(s != NULL);
	char a3[37], fid[37], rel[128], sql[1024], v[512];
	kyc_uuid_new(a3);
	kyc_uuid_new(fid);
	REQUIRE(kyc__blob_write_raw(data, fid, "plain image", 11, rel, sizeof rel) == 0);
	kyc_store_close(s);
	/* back to schema 6: migrations 11 (fan-out order), 10 (rate buckets), 9
	 * (erasure's columns) and 8 undone, rows written as before them */
	raw_exec("DROP INDEX events_undispatched_created; ALTER TABLE events DROP COLUMN route; "
		 "DROP TABLE rate_buckets; DROP INDEX verifications_images_due; DROP INDEX verifications_identity_due; "
		 "ALTER TABLE applicants DROP COLUMN erased_at; ALTER TABLE verifications DROP "
		 "COLUMN images_removed_at; ALTER TABLE verifications DROP COLUMN "
		 "identity_removed_at; ALTER TABLE files DROP COLUMN deleted_at;"
		 "DROP TABLE data_keys; DROP INDEX applicants_last_name_hash; ALTER TABLE applicants "
		 "DROP COLUMN last_name_hash; DROP INDEX documents_number_hash; ALTER TABLE documents "
		 "DROP COLUMN document_number_hash; CREATE INDEX documents_number ON "
		 "documents(tenant_id, issuing_country, document_number); DELETE FROM "
		 "schema_migrations WHERE version>=8; DELETE FROM applicants;");
	snprintf(sql, sizeof sql,
		 "INSERT INTO applicants(id, tenant_id, created_at, updated_at, last_name, "
		 "birth_date) VALUES ('%s', '%s', 1, 1, 'Zetterlund', '1980-01-02');"
		 "INSERT INTO files(id, tenant_id, created_at, updated_at, content_type, size, path, "
		 "sha256) VALUES ('%s', '%s', 1, 1, 'image/jpeg', 11, '%s', 'abc123');",
		 a3, tenant, fid, tenant, rel);
	raw_exec(sql);
	s = open_data();
	REQUIRE(s != NULL);
	CHECK_INT(kyc_store_schema_version(s), 11);
	/* the audit trail's trigger put back as migration 9 left it (erasure may
	 * blank details), not as it was before */
	raw("SELECT instr(sql, 'NEW.details IS NOT NULL') > 0 FROM sqlite_master WHERE "
	    "name='verification_history_append_only'",
	    v, sizeof v);
	CHECK_STR(v, "1");
	snprintf(sql, sizeof sql, "SELECT last_name FROM applicants WHERE id='%s'", a3);
	raw(sql, v, sizeof v);
	CHECK(strncmp(v, "kye1:", 5) == 0);
	json_t *got = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, a3, &got) == 0);
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Zetterlund");
	json_decref(got);
	REQUIRE(kyc_store_get(s, KYC_R_FILE, tenant, fid, &got) == 0);
	CHECK_STR(json_string_value(json_object_get(got, "sha256")), "abc123");
	json_decref(got);
	kyc_buf b;
	kyc_buf_init(&b, 100);
	CHECK_INT(kyc__blob_read_raw(data, rel, &b), 0);
	CHECK(b.len > 4 && !memcmp(b.data, "KYE1", 4));
	kyc_buf_reset(&b);
	CHECK_INT(kyc_blob_read(s, data, tenant, rel, &b), 0);
	CHECK(b.len == 11 && !memcmp(b.data, "plain image", 11));
	kyc_buf_release(&b);
	kyc_store_close(s);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-seal-XXXXXX");
	if (!mkdtemp(dir) || kyc_seal_setup())
		return 1;
	char err[512];
	snprintf(keyfile, sizeof keyfile, "%s/master.key", dir);
	snprintf(data, sizeof data, "%s/data", dir);
	setenv("KYCD_MASTER_KEY_FILE", keyfile, 1);
	if (kyc_keyring_create(keyfile, err, sizeof err))
		return 1;
	RUN(seal_and_open);
	RUN(master_key_file);
	RUN(what_the_database_holds);
	RUN(a_rolled_back_key_is_not_used);
	RUN(forgetting_a_key_shreds);
	RUN(rotation_rewraps);
	RUN(existing_rows_are_sealed);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return test_done("seal");
}
