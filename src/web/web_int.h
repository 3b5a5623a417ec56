/* Internals shared by the files of src/web. Not for use outside it. */
#ifndef KYC_WEB_INT_H
#define KYC_WEB_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http/api.h"
#include "http/server.h"
#include "store/store.h"

/* The security headers every web response carries: a strict CSP (no
 * inline script or style, nothing from other origins, no framing),
 * nosniff, no referrer. */
void web__headers(kyc_req *r);
/* Sends body (reference stolen) as JSON with the security headers. */
void web__json(kyc_req *r, int status, json_t *body);
/* Sends a problem+json (docs/api.md's shape) with the security headers. */
void web__problem(kyc_req *r, int status, const char *code, const char *field, const char *fmt,
		  ...) __attribute__((format(printf, 5, 6)));
/* Maps a store error to a problem: NOTFOUND -> 404, CONFLICT -> 409, else 500/503 (logged). */
void web__store_error(kyc_req *r, kyc_store *s, int rc, const char *what);
/* The request body as a JSON object, or a problem sent and NULL. A body
 * over max bytes is a 413 before any parsing (the web's JSON bodies are
 * small, and the login's is read before anyone is authenticated). */
json_t *web__body_object(kyc_req *r, size_t max);
#define WEB_LOGIN_BODY_MAX 4096
#define WEB_JSON_BODY_MAX 16384
/* The thread's store and the process settings of a request. */
kyc_store *web__store(kyc_req *r);
struct kyc_app *web__app(kyc_req *r);
/* 1 when links and cookies are for https (KYCD_PUBLIC_URL starts with https://). */
int web__https(const struct kyc_app *app);
/* RFC 3339 UTC text as kycd writes it ("2026-06-25T10:14:33.521Z") -> ms. 0 or -1. */
int web__iso_ms(const char *s, int64_t *ms);

/* The actors of a verification's history, decision and corrections that a
 * person can recognise, as a new object keyed by actor: "operator:<id>" ->
 * {"kind":"operator","username","role"}, "key:<id>" -> {"kind":"key","role",
 * "created_at"}; only the tenant's own (web_actors.c). */
json_t *web__actor_names(kyc_store *s, const char *tenant_id, const json_t *history,
			 const json_t *verification);

/* ---- assets (assets.c) ---- */

struct web_asset {
	const char *name; /* "hosted.js" */
	const char *type; /* Content-Type */
	const char *data, *end;
};
/* An embedded file by name ({ptr, len}); NULL when there is none. */
const struct web_asset *web__asset(const char *name, size_t len);
/* The i-th embedded file, NULL past the last (tests, size budget). */
const struct web_asset *web__asset_at(size_t i);
/* "ar" or "en" from an Accept-Language header (may be NULL). */
const char *web__pick_lang(const char *header, size_t len);
/* Sends an HTML page; when localized, its {{lang}} and {{dir}} are filled
 * in from Accept-Language (else English). */
void web__send_page(kyc_req *r, const char *asset_name, int localized);

/* Route registrations of each file. */
void web__asset_routes(kyc_server *s);
void web__link_routes(kyc_server *s);
void web__hosted_routes(kyc_server *s);
void web__console_routes(kyc_server *s);

#endif
