#include "web/operator.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/workflow.h"

#define LOCK_BASE_MS (30 * 1000LL)
#define LOCK_MAX_MS (15 * 60 * 1000LL)
#define FAILURES_FORGOTTEN_MS (24 * 3600 * 1000LL)

int kyc_operator_username_valid(const char *u)
{
	size_t n = u ? strlen(u) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '@' || c == '-'))
			return 0;
	}
	return 1;
}

int kyc_operator_role_valid(const char *role)
{
	return role && (!strcmp(role, "viewer") || !strcmp(role, "reviewer") ||
			!strcmp(role, "admin"));
}

int kyc_operator_may_decide(const char *role)
{
	return role && (!strcmp(role, "reviewer") || !strcmp(role, "admin"));
}

/* Lower-cases u into out (65 bytes); -1 when it does not fit. */
static int lower_name(const char *u, char out[65])
{
	size_t n = u ? strlen(u) : 0;
	if (n == 0 || n > 64)
		return -1;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i]);
	return 0;
}

static int sodium_ready(void)
{
	return sodium_init() < 0 ? KYC_ERR_INTERNAL : 0;
}

/* An Argon2id string of password (the "interactive" limits). */
static int hash_password(const char *password, size_t len, char out[128])
{
	int rc = sodium_ready();
	if (rc)
		return rc;
	if (crypto_pwhash_str_alg(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return KYC_ERR_NOMEM; /* libsodium fails only when it cannot get the memory */
	return 0;
}

int kyc_operator_create(kyc_store *s, const char *tenant_id, const char *username,
			const char *role, const char *password, size_t password_len,
			char id_out[37])
{
	struct kyc_operator_row row = {0};
	if (lower_name(username, row.username) || !kyc_operator_username_valid(row.username) ||
	    !kyc_operator_role_valid(role) || !password || password_len < KYC_PASSWORD_MIN ||
	    password_len > KYC_PASSWORD_MAX)
		return KYC_ERR_INVALID;
	if (!kyc_store_tenant_exists(s, tenant_id))
		return KYC_ERR_NOTFOUND;
	int rc = hash_password(password, password_len, row.password_hash);
	if (rc)
		return rc;
	kyc_uuid_new(row.id);
	snprintf(row.tenant_id, sizeof row.tenant_id, "%s", tenant_id);
	snprintf(row.role, sizeof row.role, "%s", role);
	row.created_at = kyc_now_ms();
	rc = kyc_store_operator_insert(s, &row);
	if (!rc)
		snprintf(id_out, 37, "%s", row.id);
	return rc;
}

/* A hash to verify against when the user does not exist, so that an unknown
 * name costs the same time as a wrong password and does not reveal itself. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	unsigned char pw[16];
	randombytes_buf(pw, sizeof pw);
	if (crypto_pwhash_str_alg(dummy_hash, (const char *)pw, sizeof pw,
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy_hash[0] = '\0';
}

static int64_t lock_ms(int failures)
{
	if (failures < KYC_LOGIN_FREE_FAILURES)
		return 0;
	int64_t ms = LOCK_BASE_MS;
	for (int i = KYC_LOGIN_FREE_FAILURES; i < failures && ms < LOCK_MAX_MS; i++)
		ms *= 2;
	return ms < LOCK_MAX_MS ? ms : LOCK_MAX_MS;
}

int kyc_operator_login_begin(kyc_store *s, const char *username, int64_t now_ms,
			     struct kyc_login *l, int64_t *retry_after_ms)
{
	int failures;
	int64_t last;
	memset(l, 0, sizeof *l);
	*retry_after_ms = 0;
	int rc = sodium_ready();
	if (rc)
		return rc;
	/* A name that cannot exist is throttled under a fixed key, so malformed
	 * names cannot be used to guess without limit either. */
	if (lower_name(username, l->name) || !kyc_operator_username_valid(l->name))
		snprintf(l->name, sizeof l->name, "%s", "(invalid)");
	if ((rc = kyc_store_login_failures(s, l->name, &failures, &last)))
		return rc;
	if (failures && now_ms - last > FAILURES_FORGOTTEN_MS)
		failures = 0;
	int64_t wait = last + lock_ms(failures) - now_ms;
	if (failures >= KYC_LOGIN_FREE_FAILURES && wait > 0) {
		*retry_after_ms = wait;
		return KYC_ERR_TOOBIG;
	}
	rc = kyc_store_operator_find(s, l->name, &l->op);
	if (rc && rc != KYC_ERR_NOTFOUND)
		return rc;
	l->known = rc == 0;
	l->forget_streak = failures == 0 && last;
	l->now_ms = now_ms;
	return 0;
}

int kyc_operator_login_count(kyc_store *s, struct kyc_login *l)
{
	if (l->forget_streak)
		kyc_store_login_failures_clear(s, l->name); /* an old streak */
	/* Counted now, cleared by a success: see struct kyc_login. */
	int rc = kyc_store_login_failure_add(s, l->name, l->now_ms);
	if (rc)
		sodium_memzero(&l->op, sizeof l->op);
	return rc;
}

void kyc_operator_login_verify(struct kyc_login *l, const char *password, size_t password_len)
{
	l->ok = 0;
	if (!password || password_len > KYC_PASSWORD_MAX)
		return;
	if (!l->known) {
		pthread_once(&dummy_once, dummy_init);
		/* The result is meaningless; only the time it takes matters. */
		if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, password_len) == 0)
			l->ok = 0;
		return;
	}
	l->ok = crypto_pwhash_str_verify(l->op.password_hash, password, password_len) == 0 &&
		l->op.disabled_at == 0;
}

int kyc_operator_login_finish(kyc_store *s, struct kyc_login *l, struct kyc_operator_row *out)
{
	sodium_memzero(l->op.password_hash, sizeof l->op.password_hash);
	if (!l->ok) {
		memset(out, 0, sizeof *out);
		return KYC_ERR_DENIED;
	}
	int rc = kyc_store_login_failures_clear(s, l->name);
	if (rc)
		return rc;
	*out = l->op;
	return 0;
}

int kyc_operator_login(kyc_store *s, const char *username, const char *password,
		       size_t password_len, int64_t now_ms, struct kyc_operator_row *out,
		       int64_t *retry_after_ms)
{
	struct kyc_login l;
	memset(out, 0, sizeof *out);
	int rc = kyc_operator_login_begin(s, username, now_ms, &l, retry_after_ms);
	if (!rc)
		rc = kyc_operator_login_count(s, &l);
	if (rc)
		return rc;
	kyc_operator_login_verify(&l, password, password_len);
	return kyc_operator_login_finish(s, &l, out);
}

/* The change shared by disable, enable and reset-password: see operator.h. */
static int manage(kyc_store *s, const char *username, int64_t disabled_at, const char *new_hash,
		  const char *action, const char *actor, struct kyc_operator_row *out,
		  int *sessions_ended)
{
	struct kyc_operator_row op;
	char name[65];
	int ended = 0;
	if (lower_name(username, name) || !kyc_operator_username_valid(name))
		return KYC_ERR_NOTFOUND;
	int rc = kyc_store_begin(s);
	if (rc)
		return rc;
	rc = kyc_store_operator_find(s, name, &op);
	if (!rc)
		rc = kyc_store_operator_set(s, op.id, disabled_at, new_hash);
	if (!rc && strcmp(action, "operator.enabled"))
		rc = kyc_store_sessions_end_operator(s, op.id, &ended);
	if (!rc && new_hash)
		rc = kyc_store_login_failures_clear(s, name);
	if (!rc) {
		json_t *details = json_pack("{s:s, s:s, s:i}", "operator_id", op.id, "username",
					    op.username, "sessions_ended", ended);
		rc = details ? kyc_history_append(s, op.tenant_id, NULL, actor, action, NULL, NULL,
						  NULL, details)
			     : KYC_ERR_NOMEM;
		json_decref(details);
	}
	if (!rc)
		rc = kyc_store_commit(s);
	if (rc) {
		kyc_store_rollback(s);
		sodium_memzero(&op, sizeof op);
		return rc;
	}
	sodium_memzero(op.password_hash, sizeof op.password_hash);
	op.disabled_at = disabled_at;
	if (out)
		*out = op;
	if (sessions_ended)
		*sessions_ended = ended;
	return 0;
}

int kyc_operator_set_disabled(kyc_store *s, const char *username, int disabled,
			      const char *actor, int64_t now_ms, struct kyc_operator_row *out,
			      int *sessions_ended)
{
	return manage(s, username, disabled ? now_ms : 0, NULL,
		      disabled ? "operator.disabled" : "operator.enabled", actor, out,
		      sessions_ended);
}

int kyc_operator_reset_password(kyc_store *s, const char *username, const char *password,
				size_t password_len, const char *actor,
				struct kyc_operator_row *out, int *sessions_ended)
{
	char hash[128];
	struct kyc_operator_row cur;
	char name[65];
	if (!password || password_len < KYC_PASSWORD_MIN || password_len > KYC_PASSWORD_MAX)
		return KYC_ERR_INVALID;
	if (lower_name(username, name) || !kyc_operator_username_valid(name))
		return KYC_ERR_NOTFOUND;
	/* A reset keeps the account's state: a disabled operator stays disabled. */
	int rc = kyc_store_operator_find(s, name, &cur);
	if (rc)
		return rc;
	sodium_memzero(cur.password_hash, sizeof cur.password_hash);
	rc = hash_password(password, password_len, hash);
	if (!rc)
		rc = manage(s, name, cur.disabled_at, hash, "operator.password_reset", actor, out,
			    sessions_ended);
	sodium_memzero(hash, sizeof hash);
	return rc;
}
