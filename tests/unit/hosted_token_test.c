/* src/web/hosted_token.c on a real SQLite store: tokens resolve to their
 * own verification only, expire, and are kept only as a hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store.h"
#include "test.h"
#include "web/hosted_token.h"

static char dir[64];
static kyc_store *st;
static char tenant_a[37], tenant_b[37];

/* An applicant with one verification in tenant t; the verification id goes to vid. */
static int make_verification(const char *t, char vid[37])
{
	char aid[37];
	kyc_uuid_new(aid);
	kyc_uuid_new(vid);
	json_t *a = json_pack("{s:s}", "id", aid);
	json_t *v = json_pack("{s:s, s:s, s:s, s:i}", "id", vid, "applicant_id", aid, "status",
			      "awaiting_input", "attempts", 0);
	int rc = kyc_store_insert(st, KYC_R_APPLICANT, t, a);
	rc = rc ? rc : kyc_store_insert(st, KYC_R_VERIFICATION, t, v);
	if (rc)
		fprintf(stderr, "insert: %s %s\n", kyc_err_name(rc), kyc_store_errmsg(st));
	json_decref(a);
	json_decref(v);
	return rc;
}

static int uuid_shaped(const char *s)
{
	return strlen(s) == 36 && kyc_uuid_valid(s, 36);
}

TEST(create_and_resolve)
{
	char v1[37], v2[37], tok1[37], tok2[37], t[37], v[37];
	REQUIRE(make_verification(tenant_a, v1) == 0);
	REQUIRE(make_verification(tenant_b, v2) == 0);
	int64_t now = kyc_now_ms();
	REQUIRE(kyc_hosted_token_create(st, tenant_a, v1, now + 60000, tok1) == 0);
	REQUIRE(kyc_hosted_token_create(st, tenant_b, v2, now + 60000, tok2) == 0);
	CHECK(uuid_shaped(tok1));
	CHECK(strcmp(tok1, tok2) != 0);
	CHECK(strcmp(tok1, v1) != 0); /* the token is not the verification's id */
	CHECK_INT(kyc_hosted_token_resolve(st, tok1, now, t, v), 0);
	CHECK_STR(t, tenant_a);
	CHECK_STR(v, v1);
	CHECK_INT(kyc_hosted_token_resolve(st, tok2, now, t, v), 0);
	CHECK_STR(t, tenant_b);
	CHECK_STR(v, v2);
	/* A link whose letters were upper-cased on the way still works. */
	char up[37];
	for (int i = 0; i < 37; i++)
		up[i] = (char)(tok1[i] >= 'a' && tok1[i] <= 'f' ? tok1[i] - 32 : tok1[i]);
	CHECK_INT(kyc_hosted_token_resolve(st, up, now, t, v), 0);
	CHECK_STR(v, v1);
}

TEST(refused_tokens)
{
	char v1[37], tok[37], t[37], v[37];
	REQUIRE(make_verification(tenant_a, v1) == 0);
	int64_t now = kyc_now_ms();
	REQUIRE(kyc_hosted_token_create(st, tenant_a, v1, now + 1000, tok) == 0);
	/* Expired: at and after expires_at. */
	CHECK_INT(kyc_hosted_token_resolve(st, tok, now + 1000, t, v), KYC_ERR_DENIED);
	CHECK_INT(kyc_hosted_token_resolve(st, tok, now + 999, t, v), 0);
	/* One hex digit changed. */
	char other[37];
	memcpy(other, tok, 37);
	other[35] = other[35] == '0' ? '1' : '0';
	CHECK_INT(kyc_hosted_token_resolve(st, other, now, t, v), KYC_ERR_DENIED);
	/* The verification's own id, malformed shapes, nothing. */
	CHECK_INT(kyc_hosted_token_resolve(st, v1, now, t, v), KYC_ERR_DENIED);
	CHECK_INT(kyc_hosted_token_resolve(st, "", now, t, v), KYC_ERR_DENIED);
	CHECK_INT(kyc_hosted_token_resolve(st, NULL, now, t, v), KYC_ERR_DENIED);
	CHECK_INT(kyc_hosted_token_resolve(st, "not-a-token", now, t, v), KYC_ERR_DENIED);
	char longer[40];
	snprintf(longer, sizeof longer, "%sa", tok);
	CHECK_INT(kyc_hosted_token_resolve(st, longer, now, t, v), KYC_ERR_DENIED);
	CHECK_INT(kyc_hosted_token_resolve_n(st, tok, 35, now, t, v), KYC_ERR_DENIED);
	char nodash[37];
	memcpy(nodash, tok, 37);
	nodash[8] = 'a';
	CHECK_INT(kyc_hosted_token_resolve(st, nodash, now, t, v), KYC_ERR_DENIED);
}

TEST(unknown_verification_is_refused_at_creation)
{
	char vid[37], tok[37];
	kyc_uuid_new(vid);
	CHECK(kyc_hosted_token_create(st, tenant_a, vid, kyc_now_ms() + 60000, tok) != 0);
}

/* Only the hash is stored: the database file never holds the token text. */
TEST(database_holds_no_token)
{
	char v1[37], tok[37], path[128];
	REQUIRE(make_verification(tenant_a, v1) == 0);
	REQUIRE(kyc_hosted_token_create(st, tenant_a, v1, kyc_now_ms() + 60000, tok) == 0);
	/* Closing checkpoints the WAL into the main file, so one file has everything. */
	kyc_store_close(st);
	char err[256];
	st = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	FILE *f = fopen(path, "rb");
	REQUIRE(f != NULL);
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kyc_buf_append(&b, chunk, n);
	fclose(f);
	CHECK(b.len > 0);
	CHECK(memmem(b.data, b.len, tok, 36) == NULL);
	CHECK(memmem(b.data, b.len, v1, 36) != NULL); /* the search itself works */
	kyc_buf_release(&b);
	REQUIRE(kyc_store_open(dir, &st, err, sizeof err) == 0);
	char t[37], v[37];
	CHECK_INT(kyc_hosted_token_resolve(st, tok, kyc_now_ms(), t, v), 0);
	CHECK_STR(v, v1);
}

int main(void)
{
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/kycd-token-XXXXXX");
	if (!mkdtemp(dir) || kyc_store_open(dir, &st, err, sizeof err) ||
	    kyc_store_tenant_create(st, "a", tenant_a) || kyc_store_tenant_create(st, "b", tenant_b)) {
		printf("[hosted_token] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(create_and_resolve);
	RUN(refused_tokens);
	RUN(unknown_verification_is_refused_at_creation);
	RUN(database_holds_no_token);
	kyc_store_close(st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("hosted_token");
}
