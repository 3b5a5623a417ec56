/* What the web surfaces share: security headers, JSON and problem answers,
 * and the registration of every web route. */
#include "web/web.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "web/web_int.h"

/* img-src allows blob: and data: for the page's own previews of a capture;
 * media from the camera is a MediaStream, which CSP does not govern. */
#define WEB_CSP                                                                                    \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "   \
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "               \
	"frame-ancestors 'none'"

void web__headers(kyc_req *r)
{
	kyc_req_add_header(r, "Content-Security-Policy", WEB_CSP);
	kyc_req_add_header(r, "Referrer-Policy", "no-referrer");
	kyc_req_add_header(r, "X-Frame-Options", "DENY");
	kyc_req_add_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	kyc_req_add_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	kyc_req_add_header(r, "Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
	/* X-Content-Type-Options: nosniff and Cache-Control: no-store come with
	 * every kycd response (src/http/request.c). */
}

void web__json(kyc_req *r, int status, json_t *body)
{
	char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	web__headers(r);
	if (!txt) {
		kyc_problem(r, 500, "internal_error", NULL, "could not encode the response");
		return;
	}
	kyc_req_respond_owned(r, status, "application/json", txt, strlen(txt));
}

void web__problem(kyc_req *r, int status, const char *code, const char *field, const char *fmt,
		  ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	web__headers(r);
	kyc_problem(r, status, code, field, "%s", detail);
}

void web__store_error(kyc_req *r, kyc_store *s, int rc, const char *what)
{
	if (rc == KYC_ERR_NOTFOUND) {
		web__problem(r, 404, "not_found", NULL, "no such %s", what);
		return;
	}
	if (rc == KYC_ERR_CONFLICT) {
		web__problem(r, 409, "conflict", NULL, "the %s changed meanwhile; retry", what);
		return;
	}
	kyc_metrics_store_error();
	kyc_logf(KYC_LOG_ERROR, "store error (%s) on %s: %s", kyc_err_name(rc), what,
		 kyc_store_errmsg(s));
	web__problem(r, rc == KYC_ERR_TIMEOUT ? 503 : 500, "store_error", NULL,
		     "the %s could not be read or written; nothing was changed", what);
}

json_t *web__body_object(kyc_req *r, size_t max)
{
	kyc_str ct = kyc_req_header(r, "content-type");
	if (!ct.ptr || ct.len < 16 || strncasecmp(ct.ptr, "application/json", 16) != 0) {
		web__problem(r, 415, "unsupported_media_type", NULL,
			     "send the body as application/json");
		return NULL;
	}
	kyc_str body = kyc_req_body(r);
	if (body.len > max) {
		web__problem(r, 413, "payload_too_large", NULL,
			     "the request body is larger than %zu bytes", max);
		return NULL;
	}
	json_t *obj;
	struct kyc_jerr e;
	if (kyc_jv_parse_object(body.ptr, body.len, &obj, &e)) {
		web__problem(r, e.status ? e.status : 400, e.code, e.field, "%s", e.detail);
		return NULL;
	}
	return obj;
}

kyc_store *web__store(kyc_req *r)
{
	struct kyc_thread *th = kyc_req_thread_ctx(r);
	return th->store;
}

struct kyc_app *web__app(kyc_req *r)
{
	return kyc_req_app(r);
}

int web__https(const struct kyc_app *app)
{
	return app->public_url && !strncasecmp(app->public_url, "https://", 8);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int web__iso_ms(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, milli;
	if (!s || strlen(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[23] != 'Z' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec) || digits(s + 20, 3, &milli) ||
	    !kyc_date_valid(y, mo, d) || h > 23 || mi > 59 || sec > 60)
		return -1;
	*ms = ((kyc_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + milli;
	return 0;
}

void kyc_web_register(kyc_server *s)
{
	web__asset_routes(s);
	web__link_routes(s);
	web__hosted_routes(s);
	web__console_routes(s);
}
