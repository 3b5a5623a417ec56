/* src/web on its own: Accept-Language and Cookie parsing, the embedded
 * assets, operators (Argon2id, login throttling) and console sessions on a
 * real SQLite store. The browser side is tests/web. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"
#include "test.h"
#include "web/operator.h"
#include "web/session.h"
#include "web/web_int.h"

static char dir[64];
static kyc_store *st;
static char tenant[37];

#define LANG(h) web__pick_lang(h, strlen(h))

TEST(accept_language)
{
	CHECK_STR(LANG(""), "en");
	CHECK_STR(web__pick_lang(NULL, 0), "en");
	CHECK_STR(LANG("ar"), "ar");
	CHECK_STR(LANG("ar-EG,ar;q=0.9,en;q=0.5"), "ar");
	CHECK_STR(LANG("en-GB,en;q=0.9,ar;q=0.8"), "en");
	CHECK_STR(LANG("fr-FR, ar;q=0.5"), "ar");           /* the only one we have */
	CHECK_STR(LANG("ar;q=0, en;q=0"), "en");            /* q=0 means "not this" */
	CHECK_STR(LANG("en;q=0.4, AR;q=0.6"), "ar");        /* tags are case-insensitive */
	CHECK_STR(LANG("arabic, en"), "en");                /* "arabic" is not "ar" */
	CHECK_STR(LANG("ar;q=2"), "en");                    /* out of range: ignored */
	CHECK_STR(LANG("*;q=0.1, ar ; q=0.3"), "ar");
	CHECK_STR(LANG(";;;,,,"), "en");
}

TEST(cookie_header)
{
	const char *h = "a=1; kycd_console=abc; kycd_console2=zzz";
	struct kyc_cookie_value v = kyc_cookie_find(h, strlen(h), "kycd_console");
	REQUIRE(v.ptr != NULL);
	CHECK_INT(v.len, 3);
	CHECK(!memcmp(v.ptr, "abc", 3));
	h = "xkycd_console=1;kycd_console=2";
	v = kyc_cookie_find(h, strlen(h), "kycd_console");
	REQUIRE(v.ptr != NULL);
	CHECK(v.len == 1 && v.ptr[0] == '2');
	h = "kycd_consolex=1";
	CHECK(kyc_cookie_find(h, strlen(h), "kycd_console").ptr == NULL);
	CHECK(kyc_cookie_find(NULL, 0, "kycd_console").ptr == NULL);
	/* The header's length is respected (not NUL-terminated). */
	h = "kycd_console=secret";
	v = kyc_cookie_find(h, 15, "kycd_console");
	CHECK(v.ptr && v.len == 2);
}

TEST(assets_embedded)
{
	size_t js_css = 0, n = 0;
	for (const struct web_asset *a; (a = web__asset_at(n)); n++) {
		size_t len = (size_t)(a->end - a->data);
		CHECK(len > 100);
		CHECK(a->end[0] == '\0'); /* the .incbin adds a NUL after each file */
		if (strstr(a->name, ".js") || strstr(a->name, ".css"))
			js_css += len;
	}
	CHECK(n >= 7);
	CHECK(js_css < 100 * 1024);
	const struct web_asset *h = web__asset("hosted.html", 11);
	REQUIRE(h != NULL);
	CHECK(memmem(h->data, (size_t)(h->end - h->data), "{{lang}}", 8) != NULL);
	CHECK(web__asset("nope.js", 7) == NULL);
	CHECK(web__asset("hosted.html/", 12) == NULL);
}

TEST(iso_times)
{
	int64_t ms;
	CHECK_INT(web__iso_ms("1970-01-01T00:00:00.000Z", &ms), 0);
	CHECK_INT(ms, 0);
	char buf[32];
	kyc_time_iso(1795460089123LL, buf);
	CHECK_INT(web__iso_ms(buf, &ms), 0);
	CHECK_INT(ms, 1795460089123LL);
	CHECK(web__iso_ms("2026-02-30T00:00:00.000Z", &ms) != 0);
	CHECK(web__iso_ms("2026-01-01 00:00:00.000Z", &ms) != 0);
	CHECK(web__iso_ms(NULL, &ms) != 0);
}

TEST(operators_and_passwords)
{
	char id[37];
	const char *pw = "a long enough password";
	CHECK_INT(kyc_operator_create(st, tenant, "Alice.Example", "reviewer", pw, strlen(pw), id), 0);
	CHECK_INT(kyc_operator_create(st, tenant, "alice.example", "viewer", pw, strlen(pw), id),
		  KYC_ERR_CONFLICT); /* names are lower-cased, so this is the same one */
	CHECK_INT(kyc_operator_create(st, tenant, "bob", "boss", pw, strlen(pw), id), KYC_ERR_INVALID);
	CHECK_INT(kyc_operator_create(st, tenant, "b b", "viewer", pw, strlen(pw), id), KYC_ERR_INVALID);
	CHECK_INT(kyc_operator_create(st, tenant, "bob", "viewer", "short", 5, id), KYC_ERR_INVALID);
	CHECK_INT(kyc_operator_create(st, "no-such-tenant", "bob", "viewer", pw, strlen(pw), id),
		  KYC_ERR_NOTFOUND);
	struct kyc_operator_row op;
	CHECK_INT(kyc_store_operator_find(st, "alice.example", &op), 0);
	/* Argon2id with its own salt and parameters; never the password. */
	CHECK(!strncmp(op.password_hash, "$argon2id$", 10));
	CHECK(strstr(op.password_hash, pw) == NULL);
	int64_t wait, now = kyc_now_ms();
	CHECK_INT(kyc_operator_login(st, "ALICE.example", pw, strlen(pw), now, &op, &wait), 0);
	CHECK_STR(op.role, "reviewer");
	CHECK_STR(op.tenant_id, tenant);
	CHECK(op.password_hash[0] == '\0'); /* not handed out */
	CHECK_INT(kyc_operator_login(st, "alice.example", "a long enough passworD", 22, now, &op, &wait),
		  KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "nobody", pw, strlen(pw), now, &op, &wait), KYC_ERR_DENIED);
}

TEST(login_throttle)
{
	char id[37];
	const char *pw = "throttled password 1";
	REQUIRE(kyc_operator_create(st, tenant, "carol", "viewer", pw, strlen(pw), id) == 0);
	struct kyc_operator_row op;
	int64_t wait = 0, now = kyc_now_ms();
	for (int i = 0; i < KYC_LOGIN_FREE_FAILURES; i++)
		CHECK_INT(kyc_operator_login(st, "carol", "wrong", 5, now + i, &op, &wait), KYC_ERR_DENIED);
	/* Locked: even the right password waits, and says for how long. */
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), now + 10, &op, &wait), KYC_ERR_TOOBIG);
	CHECK(wait > 0 && wait <= 30000);
	/* After the wait one try is allowed; a wrong one doubles the next wait. */
	int64_t later = now + 10 + wait;
	CHECK_INT(kyc_operator_login(st, "carol", "wrong", 5, later, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), later + 1, &op, &wait), KYC_ERR_TOOBIG);
	CHECK(wait > 30000 && wait <= 60000);
	/* The right password after the wait clears the count. */
	later += 1 + wait;
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), later, &op, &wait), 0);
	CHECK_INT(kyc_operator_login(st, "carol", "wrong", 5, later + 1, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), later + 2, &op, &wait), 0);
	/* A streak older than a day is forgotten. */
	for (int i = 0; i < KYC_LOGIN_FREE_FAILURES; i++)
		CHECK_INT(kyc_operator_login(st, "carol", "wrong", 5, later + 3, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), later + 4, &op, &wait), KYC_ERR_TOOBIG);
	CHECK_INT(kyc_operator_login(st, "carol", pw, strlen(pw), later + 3 + 25 * 3600 * 1000LL, &op,
				     &wait),
		  0);
	/* Unknown names are throttled too (no free guessing of who exists). */
	for (int i = 0; i < KYC_LOGIN_FREE_FAILURES; i++)
		CHECK_INT(kyc_operator_login(st, "ghost", "x", 1, now, &op, &wait), KYC_ERR_DENIED);
	CHECK_INT(kyc_operator_login(st, "ghost", "x", 1, now, &op, &wait), KYC_ERR_TOOBIG);
}

TEST(sessions_and_csrf)
{
	struct kyc_operator_row op = {0};
	char id[37];
	const char *pw = "session password 1";
	REQUIRE(kyc_operator_create(st, tenant, "dave", "admin", pw, strlen(pw), id) == 0);
	REQUIRE(kyc_store_operator_find(st, "dave", &op) == 0);
	char cookie[65], csrf[65];
	int64_t now = kyc_now_ms();
	REQUIRE(kyc_session_create(st, &op, now, cookie, csrf) == 0);
	CHECK_INT(strlen(cookie), 64);
	struct kyc_session_row s;
	CHECK_INT(kyc_session_check(st, cookie, 64, now + 1, &s), 0);
	CHECK_STR(s.operator_id, op.id);
	CHECK_STR(s.tenant_id, tenant);
	CHECK(kyc_session_csrf_ok(&s, csrf, 64));
	char bad[65];
	memcpy(bad, csrf, 65);
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	CHECK(!kyc_session_csrf_ok(&s, bad, 64));
	CHECK(!kyc_session_csrf_ok(&s, csrf, 63));
	CHECK(!kyc_session_csrf_ok(&s, NULL, 0));
	/* Expiry, a changed secret, malformed values. */
	CHECK_INT(kyc_session_check(st, cookie, 64, now + KYC_SESSION_TTL_MS, &s), KYC_ERR_DENIED);
	memcpy(bad, cookie, 65);
	bad[63] = bad[63] == '0' ? '1' : '0';
	CHECK_INT(kyc_session_check(st, bad, 64, now, &s), KYC_ERR_DENIED);
	CHECK_INT(kyc_session_check(st, cookie, 63, now, &s), KYC_ERR_DENIED);
	CHECK_INT(kyc_session_check(st, NULL, 0, now, &s), KYC_ERR_DENIED);
	/* Logout ends it. */
	CHECK_INT(kyc_session_end(st, cookie, 64, now), 0);
	CHECK_INT(kyc_session_check(st, cookie, 64, now + 1, &s), KYC_ERR_DENIED);
}

int main(void)
{
	char err[256];
	snprintf(dir, sizeof dir, "/tmp/kycd-web-XXXXXX");
	if (!mkdtemp(dir) || kyc_store_open(dir, &st, err, sizeof err) ||
	    kyc_store_tenant_create(st, "web", tenant)) {
		printf("[web_unit] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(accept_language);
	RUN(cookie_header);
	RUN(assets_embedded);
	RUN(iso_times);
	RUN(operators_and_passwords);
	RUN(login_throttle);
	RUN(sessions_and_csrf);
	kyc_store_close(st);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("web_unit");
}
