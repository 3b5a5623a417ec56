/* The web assets (web/), linked into the binary with .incbin so that kycd
 * needs no files at run time, served at /static/{name}; and the two HTML
 * pages, whose <html> element gets the language and direction chosen from
 * Accept-Language. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "web/web_int.h"

/* One .incbin per file: the symbol, its end, and a NUL after it. */
#define INCBIN(sym, file)                                                                          \
	__asm__(".section .rodata\n"                                                               \
		".global " #sym "\n"                                                               \
		".global " #sym "_end\n"                                                           \
		".balign 16\n" #sym ":\n"                                                          \
		".incbin \"" file "\"\n" #sym "_end:\n"                                            \
		".byte 0\n"                                                                        \
		".previous\n");                                                                    \
	extern const char sym[];                                                                   \
	extern const char sym##_end[]

INCBIN(kyc_web_hosted_html, "web/hosted.html");
INCBIN(kyc_web_console_html, "web/console.html");
INCBIN(kyc_web_style_css, "web/style.css");
INCBIN(kyc_web_i18n_js, "web/i18n.js");
INCBIN(kyc_web_lang_js, "web/lang.js");
INCBIN(kyc_web_console_i18n_js, "web/console-i18n.js");
INCBIN(kyc_web_capture_js, "web/capture.js");
INCBIN(kyc_web_hosted_js, "web/hosted.js");
INCBIN(kyc_web_console_js, "web/console.js");

#define ASSET(name, type, sym) {name, type, sym, sym##_end}

static const struct web_asset assets[] = {
	ASSET("style.css", "text/css; charset=utf-8", kyc_web_style_css),
	ASSET("i18n.js", "text/javascript; charset=utf-8", kyc_web_i18n_js),
	ASSET("lang.js", "text/javascript; charset=utf-8", kyc_web_lang_js),
	ASSET("console-i18n.js", "text/javascript; charset=utf-8", kyc_web_console_i18n_js),
	ASSET("capture.js", "text/javascript; charset=utf-8", kyc_web_capture_js),
	ASSET("hosted.js", "text/javascript; charset=utf-8", kyc_web_hosted_js),
	ASSET("console.js", "text/javascript; charset=utf-8", kyc_web_console_js),
	ASSET("hosted.html", "text/html; charset=utf-8", kyc_web_hosted_html),
	ASSET("console.html", "text/html; charset=utf-8", kyc_web_console_html),
};

const struct web_asset *web__asset(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
		if (strlen(assets[i].name) == len && !memcmp(assets[i].name, name, len))
			return &assets[i];
	return NULL;
}

const struct web_asset *web__asset_at(size_t i)
{
	return i < sizeof assets / sizeof assets[0] ? &assets[i] : NULL;
}

/* Skips optional whitespace. */
static size_t ows(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* Accept-Language (RFC 9110 12.5.4): comma-separated language ranges with
 * optional ";q=" weights. Returns "ar" when Arabic weighs more than English
 * (and more than 0), else "en"; anything malformed counts as absent. */
const char *web__pick_lang(const char *h, size_t n)
{
	int best_en = -1, best_ar = -1; /* weights in thousandths */
	size_t i = 0;
	while (h && i < n) {
		i = ows(h, i, n);
		size_t tag = i;
		while (i < n && h[i] != ',' && h[i] != ';' && h[i] != ' ' && h[i] != '\t')
			i++;
		size_t tlen = i - tag;
		int q = 1000;
		i = ows(h, i, n);
		while (i < n && h[i] == ';') {
			i = ows(h, i + 1, n);
			if (i + 1 < n && (h[i] == 'q' || h[i] == 'Q') && h[i + 1] == '=') {
				i += 2;
				int v = 0, digits = 0, ok = i < n && (h[i] == '0' || h[i] == '1');
				if (ok) {
					v = (h[i] - '0') * 1000;
					i++;
					if (i < n && h[i] == '.') {
						int scale = 100;
						for (i++; i < n && h[i] >= '0' && h[i] <= '9' && digits < 3;
						     i++, digits++, scale /= 10)
							v += (h[i] - '0') * scale;
					}
				}
				q = ok && v <= 1000 ? v : 0;
			}
			while (i < n && h[i] != ';' && h[i] != ',')
				i++;
		}
		while (i < n && h[i] != ',')
			i++;
		if (i < n)
			i++;
		/* "ar", "ar-EG" ... and "en", "en-GB" ...; "*" says nothing. */
		int is_ar = tlen >= 2 && (h[tag] | 32) == 'a' && (h[tag + 1] | 32) == 'r' &&
			    (tlen == 2 || h[tag + 2] == '-');
		int is_en = tlen >= 2 && (h[tag] | 32) == 'e' && (h[tag + 1] | 32) == 'n' &&
			    (tlen == 2 || h[tag + 2] == '-');
		if (is_ar && q > best_ar)
			best_ar = q;
		if (is_en && q > best_en)
			best_en = q;
	}
	return best_ar > 0 && best_ar > best_en ? "ar" : "en";
}

void web__send_page(kyc_req *r, const char *asset_name, int localized)
{
	const struct web_asset *a = web__asset(asset_name, strlen(asset_name));
	kyc_str al = kyc_req_header(r, "accept-language");
	const char *lang = localized ? web__pick_lang(al.ptr, al.len) : "en";
	const char *dir = strcmp(lang, "ar") ? "ltr" : "rtl";
	kyc_buf b;
	size_t len = (size_t)(a->end - a->data);
	kyc_buf_init(&b, len + 64);
	/* The template holds {{lang}} and {{dir}} once each, in <html>. */
	const char *p = a->data, *end = a->end;
	while (p < end) {
		const char *mark = memmem(p, (size_t)(end - p), "{{", 2);
		if (!mark) {
			kyc_buf_append(&b, p, (size_t)(end - p));
			break;
		}
		kyc_buf_append(&b, p, (size_t)(mark - p));
		if ((size_t)(end - mark) >= 8 && !memcmp(mark, "{{lang}}", 8)) {
			kyc_buf_puts(&b, lang);
			p = mark + 8;
		} else if ((size_t)(end - mark) >= 7 && !memcmp(mark, "{{dir}}", 7)) {
			kyc_buf_puts(&b, dir);
			p = mark + 7;
		} else {
			kyc_buf_append(&b, mark, 2);
			p = mark + 2;
		}
	}
	size_t out_len;
	char *out = kyc_buf_detach(&b, &out_len);
	web__headers(r);
	kyc_req_add_header(r, "Content-Language", lang);
	if (localized)
		kyc_req_add_header(r, "Vary", "Accept-Language");
	if (!out) {
		web__problem(r, 500, "internal_error", NULL, "the page could not be built");
		return;
	}
	kyc_req_respond_owned(r, 200, a->type, out, out_len);
}

static void static_get(kyc_req *r)
{
	kyc_str name = kyc_req_param(r, 0);
	const struct web_asset *a = name.ptr ? web__asset(name.ptr, name.len) : NULL;
	/* The pages are served at their own paths, with the language filled in. */
	if (!a || strstr(a->name, ".html")) {
		web__problem(r, 404, "not_found", NULL, "no such file");
		return;
	}
	web__headers(r);
	kyc_req_respond(r, 200, a->type, a->data, (size_t)(a->end - a->data));
}

void web__asset_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/static/{name}", static_get);
}
