/* Operator management (src/web/operator.c) on a real SQLite store: disable,
 * enable and reset-password, the sessions they end and the audit rows they
 * write. The same through `kycd operator ...` against a running server is
 * in tests/e2e/security_test.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "test.h"
#include "web/operator.h"
#include "web/session.h"

static char dir[64];
static kyc_store *st;
static char tenant[37];
static const char *pw = "a long enough password";

/* The tenant's audit rows of one action, oldest first (a new reference). */
static json_t *audit(const char *action)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "action", action);
	int rc = kyc_store_list_asc(st, KYC_R_HISTORY, tenant, filter, "", 100, &pg);
	json_decref(filter);
	return rc ? NULL : pg.items;
}

TEST(disable_enable_reset)
{
	char id[37], cookie[65], csrf[65];
	struct kyc_operator_row op, got;
	int64_t wait, now = kyc_now_ms();
	int ended = -1;
	REQUIRE(kyc_operator_create(st, tenant, "olga", "reviewer", pw, strlen(pw), id) == 0);
	REQUIRE(kyc_operator_login(st, "olga", pw, strlen(pw), now, &op, &wait) == 0);
	REQUIRE(kyc_session_create(st, &op, now, cookie, csrf) == 0);
	REQUIRE(kyc_session_create(st, &op, now, cookie, csrf) == 0);
	struct kyc_session_row sess;
	CHECK_INT(kyc_session_check(st, cookie, 64, now, &sess), 0);

	/* disable: the sessions end, logins fail, one audit row */
	CHECK_INT(kyc_operator_set_disabled(st, "OLGA", 1, "cli", now, &got, &ended), 0);
	CHECK_INT(ended, 2);
	CHECK_STR(got.id, id);
	CHECK(got.disabled_at != 0);
	CHECK(got.password_hash[0] == '\0');
	CHECK_INT(kyc_session_check(st, cookie, 64, now, &sess), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "olga", pw, strlen(pw), now, &op, &wait), KYC_ERR_DENIED);
	json_t *rows = audit("operator.disabled");
	REQUIRE(rows != NULL);
	REQUIRE(json_array_size(rows) == 1);
	json_t *row = json_array_get(rows, 0);
	CHECK_STR(json_string_value(json_object_get(row, "actor")), "cli");
	CHECK(json_is_null(json_object_get(row, "verification_id")) ||
	      !json_object_get(row, "verification_id"));
	json_t *d = json_object_get(row, "details");
	CHECK_STR(json_string_value(json_object_get(d, "operator_id")), id);
	CHECK_STR(json_string_value(json_object_get(d, "username")), "olga");
	CHECK_INT(json_integer_value(json_object_get(d, "sessions_ended")), 2);
	json_decref(rows);

	/* enable: logins work again */
	CHECK_INT(kyc_operator_set_disabled(st, "olga", 0, "cli", now, &got, &ended), 0);
	CHECK_INT(ended, 0);
	CHECK_INT(kyc_operator_login(st, "olga", pw, strlen(pw), now, &op, &wait), 0);
	REQUIRE(kyc_session_create(st, &op, now, cookie, csrf) == 0);
	rows = audit("operator.enabled");
	CHECK(rows && json_array_size(rows) == 1);
	json_decref(rows);

	/* reset-password: the old one stops working, the session ends */
	const char *pw2 = "another long password";
	CHECK_INT(kyc_operator_reset_password(st, "olga", "short", 5, "cli", &got, &ended),
		  KYC_ERR_INVALID);
	CHECK_INT(kyc_operator_reset_password(st, "olga", pw2, strlen(pw2), "cli", &got, &ended), 0);
	CHECK_INT(ended, 1);
	CHECK_INT(kyc_session_check(st, cookie, 64, now, &sess), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "olga", pw, strlen(pw), now, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "olga", pw2, strlen(pw2), now, &op, &wait), 0);
	rows = audit("operator.password_reset");
	CHECK(rows && json_array_size(rows) == 1);
	json_decref(rows);

	/* a reset keeps a disabled operator disabled */
	CHECK_INT(kyc_operator_set_disabled(st, "olga", 1, "cli", now, &got, &ended), 0);
	CHECK_INT(kyc_operator_reset_password(st, "olga", pw, strlen(pw), "cli", &got, &ended), 0);
	CHECK(got.disabled_at != 0);
	CHECK_INT(kyc_operator_login(st, "olga", pw, strlen(pw), now, &op, &wait), KYC_ERR_DENIED);

	/* nobody of that name: nothing written */
	CHECK_INT(kyc_operator_set_disabled(st, "nobody", 1, "cli", now, &got, &ended),
		  KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_operator_reset_password(st, "nobody", pw, strlen(pw), "cli", &got, &ended),
		  KYC_ERR_NOTFOUND);
	rows = audit("operator.disabled");
	CHECK(rows && json_array_size(rows) == 2);
	json_decref(rows);
}

TEST(a_reset_clears_the_lock)
{
	char id[37];
	struct kyc_operator_row op, got;
	int64_t wait, now = kyc_now_ms();
	REQUIRE(kyc_operator_create(st, tenant, "pavel", "viewer", pw, strlen(pw), id) == 0);
	for (int i = 0; i < KYC_LOGIN_FREE_FAILURES; i++)
		CHECK_INT(kyc_operator_login(st, "pavel", "wrong", 5, now, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "pavel", pw, strlen(pw), now, &op, &wait), KYC_ERR_TOOBIG);
	const char *pw2 = "the new long password";
	CHECK_INT(kyc_operator_reset_password(st, "pavel", pw2, strlen(pw2), "cli", &got, NULL), 0);
	CHECK_INT(kyc_operator_login(st, "pavel", pw2, strlen(pw2), now, &op, &wait), 0);
}

int main(void)
{
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/kycd-operator-XXXXXX");
	if (!mkdtemp(dir) || kyc_store_open(dir, &st, err, sizeof err) ||
	    kyc_store_tenant_create(st, "ops", tenant)) {
		printf("[operator] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(disable_enable_reset);
	RUN(a_reset_clears_the_lock);
	kyc_store_close(st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("operator");
}
