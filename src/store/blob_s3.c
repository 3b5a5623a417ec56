/* Blobs in an S3-compatible bucket (docs/deploy.md, "Blob storage"): the
 * same keys as the local layout ("files/ab/ab12..."), PUT, GET, DELETE and a
 * HEAD of the bucket for /readyz, signed with AWS Signature Version 4 by
 * libcurl itself (CURLOPT_AWS_SIGV4). Debian's libs3 is GPL-3 and signs only
 * the old way, so it is not used.
 *
 * The endpoint is the operator's configuration, not outside input: it may
 * well be an internal address (MinIO on a private network), so the outbound
 * address policy of webhooks and document URLs does not apply here. */
#include "store/blob_s3.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

#define S3_TIMEOUT_MS 30000L
#define LIST_PAGE_MAX (16u << 20) /* one page of 1,000 keys is about 300 KB */
#define TOKEN_MAX 1024

struct kyc_blob_s3 {
	char bucket[64];
	char endpoint[512]; /* scheme://host[:port], no trailing slash */
	char region[64];
	int path_style;     /* endpoint/bucket/key (any endpoint given) or bucket.host/key */
	char access_key[128];
	char secret_key[256];
	char *session_token; /* may be NULL */
	char sigv4[96];      /* "aws:amz:REGION:s3" */
};

/* One handle per thread, kept for its connection (keep-alive to the
 * bucket); freed when the thread ends. */
static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;

static void handle_free(void *h)
{
	curl_easy_cleanup(h);
}

static void handle_key_make(void)
{
	if (pthread_key_create(&handle_key, handle_free) != 0)
		abort(); /* only when the process has no keys left at all */
}

static CURL *thread_handle(void)
{
	pthread_once(&handle_once, handle_key_make);
	CURL *h = pthread_getspecific(handle_key);
	if (!h) {
		h = curl_easy_init();
		if (h && pthread_setspecific(handle_key, h) != 0) {
			curl_easy_cleanup(h);
			h = NULL;
		}
	} else {
		curl_easy_reset(h);
	}
	return h;
}

/* The value of name=... in a query string q ("a=1&b=2"), copied into out;
 * 1 when present. */
static int query_get(const char *q, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	for (const char *p = q; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			size_t vl = len - nl - 1;
			if (vl >= outsz)
				return -1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = 0;
			return 1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* Bucket names as S3 allows them: 3-63 of a-z, 0-9, '.', '-'. */
static int bucket_valid(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
		      b[i] == '-'))
			return 0;
	return 1;
}

int kyc_blob_s3_open(const char *locator, struct kyc_blob_s3 **out, char *err, size_t errsz)
{
	*out = NULL;
	if (strncmp(locator, "s3://", 5) != 0) {
		snprintf(err, errsz, "an S3 locator starts with s3://");
		return KYC_ERR_INVALID;
	}
	struct kyc_blob_s3 *s = calloc(1, sizeof *s);
	if (!s)
		return KYC_ERR_NOMEM;
	const char *b = locator + 5, *q = strchr(b, '?');
	size_t bl = q ? (size_t)(q - b) : strlen(b);
	if (bl && b[bl - 1] == '/')
		bl--;
	if (bl >= sizeof s->bucket) {
		snprintf(err, errsz, "the bucket name is too long");
		goto invalid;
	}
	memcpy(s->bucket, b, bl);
	if (!bucket_valid(s->bucket)) {
		snprintf(err, errsz, "bucket name \"%s\": 3 to 63 of a-z, 0-9, '.' and '-'",
			 s->bucket);
		goto invalid;
	}
	q = q ? q + 1 : "";
	if (query_get(q, "region", s->region, sizeof s->region) < 0 ||
	    query_get(q, "endpoint", s->endpoint, sizeof s->endpoint) < 0) {
		snprintf(err, errsz, "region or endpoint too long");
		goto invalid;
	}
	if (!s->region[0]) {
		const char *r = getenv("AWS_REGION");
		snprintf(s->region, sizeof s->region, "%s", r && *r ? r : "us-east-1");
	}
	for (const char *p = s->region; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
			snprintf(err, errsz, "region \"%s\": a-z, 0-9 and '-'", s->region);
			goto invalid;
		}
	if (s->endpoint[0]) {
		if (strncmp(s->endpoint, "https://", 8) && strncmp(s->endpoint, "http://", 7)) {
			snprintf(err, errsz, "endpoint: http:// or https://");
			goto invalid;
		}
		size_t el = strlen(s->endpoint);
		while (el && s->endpoint[el - 1] == '/')
			s->endpoint[--el] = 0;
		s->path_style = 1; /* MinIO, Ceph, s3rver and most others */
	} else {
		snprintf(s->endpoint, sizeof s->endpoint, "https://s3.%s.amazonaws.com", s->region);
	}
	const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY"),
		   *tk = getenv("AWS_SESSION_TOKEN");
	if (!ak || !*ak || !sk || !*sk) {
		snprintf(err, errsz, "S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
		goto invalid;
	}
	if (strlen(ak) >= sizeof s->access_key || strlen(sk) >= sizeof s->secret_key) {
		snprintf(err, errsz, "S3 credentials too long");
		goto invalid;
	}
	snprintf(s->access_key, sizeof s->access_key, "%s", ak);
	snprintf(s->secret_key, sizeof s->secret_key, "%s", sk);
	if (tk && *tk && !(s->session_token = strdup(tk))) {
		kyc_blob_s3_close(s);
		return KYC_ERR_NOMEM;
	}
	snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", s->region);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsz, "cannot initialise libcurl");
		kyc_blob_s3_close(s);
		return KYC_ERR_INTERNAL;
	}
	*out = s;
	return 0;
invalid:
	kyc_blob_s3_close(s);
	return KYC_ERR_INVALID;
}

void kyc_blob_s3_close(struct kyc_blob_s3 *s)
{
	if (!s)
		return;
	free(s->session_token);
	free(s);
}

const char *kyc_blob_s3_bucket(const struct kyc_blob_s3 *s)
{
	return s->bucket;
}

/* The URL of key (NULL: the bucket itself), with query when not NULL
 * (already in SigV4's canonical form: sorted, escaped). Keys are ours
 * ("files/..": lowercase hex, '-' and '/'), so they need no escaping. */
static void object_url(const struct kyc_blob_s3 *s, const char *key, const char *query, char *out,
		       size_t outsz)
{
	const char *q = query ? "?" : "", *qv = query ? query : "";
	if (s->path_style) {
		snprintf(out, outsz, "%s/%s%s%s%s%s", s->endpoint, s->bucket, key ? "/" : "",
			 key ? key : "", q, qv);
	} else {
		const char *host = strstr(s->endpoint, "://") + 3;
		snprintf(out, outsz, "https://%s.%s/%s%s%s", s->bucket, host, key ? key : "", q, qv);
	}
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	kyc_buf *b = ud;
	size_t n = size * nmemb;
	return b && kyc_buf_append(b, p, n) ? 0 : n;
}

struct upload {
	const unsigned char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* One signed request, to key with query (either may be NULL). body/len: the PUT payload (NULL otherwise); out: where
 * a GET's body goes (may be NULL). *status: the HTTP status (0 when no
 * answer came). 0, or KYC_ERR_IO when the transfer itself failed. */
static int request(const struct kyc_blob_s3 *s, const char *method, const char *key,
		   const char *query, const void *body, size_t len, kyc_buf *out, long *status)
{
	*status = 0;
	CURL *h = thread_handle();
	if (!h)
		return KYC_ERR_NOMEM;
	char url[2400], hash_hdr[96];
	object_url(s, key, query, url, sizeof url);
	/* S3 wants the payload's SHA-256 in a header as well as in the
	 * signature; curl signs the headers given here. */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	static const char hex[] = "0123456789abcdef";
	if (!EVP_Digest(body ? body : "", body ? len : 0, md, &ml, EVP_sha256(), NULL))
		return KYC_ERR_INTERNAL;
	char *w = hash_hdr + snprintf(hash_hdr, sizeof hash_hdr, "x-amz-content-sha256: ");
	for (unsigned int i = 0; i < ml; i++) {
		*w++ = hex[md[i] >> 4];
		*w++ = hex[md[i] & 15];
	}
	*w = 0;
	struct curl_slist *hdrs = curl_slist_append(NULL, hash_hdr), *n;
	char tok[2100];
	if (hdrs && s->session_token) {
		snprintf(tok, sizeof tok, "x-amz-security-token: %s", s->session_token);
		if ((n = curl_slist_append(hdrs, tok)))
			hdrs = n;
	}
	if (hdrs && body && (n = curl_slist_append(hdrs, "Content-Type: application/octet-stream")))
		hdrs = n;
	if (hdrs && (n = curl_slist_append(hdrs, "Expect:")))
		hdrs = n;
	if (!hdrs)
		return KYC_ERR_NOMEM;
	struct upload up = {body, len};
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, S3_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, s->access_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, s->secret_key);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (!strcmp(method, "PUT")) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &up);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	} else if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdrs);
	/* the handle keeps pointers to this call's header list: drop them */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && out)) {
		kyc_logf(KYC_LOG_WARN, "blobs: S3 %s failed: %s", method, curl_easy_strerror(cc));
		return KYC_ERR_IO;
	}
	if (cc == CURLE_WRITE_ERROR)
		return KYC_ERR_TOOBIG;
	return 0;
}

static int status_rc(const char *method, long status)
{
	if (status >= 200 && status <= 299)
		return 0;
	if (status == 404)
		return KYC_ERR_NOTFOUND;
	kyc_logf(KYC_LOG_WARN, "blobs: S3 %s answered HTTP %ld", method, status);
	return KYC_ERR_IO;
}

int kyc_blob_s3_put(const struct kyc_blob_s3 *s, const char *key, const void *p, size_t n)
{
	long st;
	int rc = request(s, "PUT", key, NULL, p, n, NULL, &st);
	return rc ? rc : status_rc("PUT", st);
}

int kyc_blob_s3_get(const struct kyc_blob_s3 *s, const char *key, kyc_buf *out)
{
	long st;
	int rc = request(s, "GET", key, NULL, NULL, 0, out, &st);
	if (!rc && (st < 200 || st > 299))
		kyc_buf_release(out); /* an error document, not the blob */
	return rc ? rc : status_rc("GET", st);
}

int kyc_blob_s3_delete(const struct kyc_blob_s3 *s, const char *key)
{
	long st;
	int rc = request(s, "DELETE", key, NULL, NULL, 0, NULL, &st);
	rc = rc ? rc : status_rc("DELETE", st);
	return rc == KYC_ERR_NOTFOUND ? 0 : rc;
}

int kyc_blob_s3_ready(const struct kyc_blob_s3 *s)
{
	long st;
	int rc = request(s, "HEAD", NULL, NULL, NULL, 0, NULL, &st);
	return rc ? rc : status_rc("HEAD", st);
}

/* ---- listing ---- */

/* The text of the first <tag>...</tag> in [p, end), escaped as it is, in
 * *v and *vn; 1 when found. */
static int element(const char *p, const char *end, const char *tag, const char **v, size_t *vn)
{
	char open[40], close[40];
	int ol = snprintf(open, sizeof open, "<%s>", tag), cl = snprintf(close, sizeof close, "</%s>", tag);
	const char *a = memmem(p, (size_t)(end - p), open, (size_t)ol);
	if (!a)
		return 0;
	a += ol;
	const char *b = memmem(a, (size_t)(end - a), close, (size_t)cl);
	if (!b)
		return 0;
	*v = a;
	*vn = (size_t)(b - a);
	return 1;
}

/* XML text with its five predefined entities replaced, into out (NUL
 * -terminated); -1 when it does not fit. Other references stay as they are
 * (a key holding one is not one of ours). */
static int unescape(const char *v, size_t n, char *out, size_t outsz)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		char c = v[i++];
		for (size_t e = 0; c == '&' && e < sizeof ents / sizeof ents[0]; e++) {
			size_t el = strlen(ents[e].ent);
			if (n - (i - 1) >= el && !memcmp(v + i - 1, ents[e].ent, el)) {
				c = ents[e].c;
				i += el - 1;
				break;
			}
		}
		if (k + 1 >= outsz)
			return -1;
		out[k++] = c;
	}
	out[k] = 0;
	return 0;
}

/* n digits at p as a number, or -1. */
static int digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff...]Z" as ms since the epoch; -1 otherwise. */
static int64_t parse_time(const char *p, size_t n)
{
	if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
	    p[n - 1] != 'Z')
		return -1;
	int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2), h = digits(p + 11, 2),
	    mi = digits(p + 14, 2), se = digits(p + 17, 2), ms = 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 60)
		return -1;
	if (n > 20) { /* a fraction: ".", then digits up to the "Z" */
		if (p[19] != '.' || n < 22)
			return -1;
		for (size_t i = 20; i < n - 1; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -1;
			if (i < 23)
				ms += (p[i] - '0') * (i == 20 ? 100 : i == 21 ? 10 : 1);
		}
	}
	return ((kyc_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms;
}

int kyc_blob_s3_parse_list(const char *xml, size_t n, kyc_blob_s3_each_fn fn, void *ctx,
			   char *next, size_t nextsz)
{
	const char *p = xml, *end = xml + n, *v;
	size_t vn;
	if (!nextsz)
		return KYC_ERR_INVALID;
	next[0] = 0;
	if (!xml || !memmem(xml, n, "<ListBucketResult", 17))
		return KYC_ERR_INVALID;
	for (;;) {
		const char *a = memmem(p, (size_t)(end - p), "<Contents>", 10);
		if (!a)
			break;
		const char *b = memmem(a, (size_t)(end - a), "</Contents>", 11);
		if (!b)
			break;
		char key[1024];
		int64_t t = -1;
		if (element(a, b, "LastModified", &v, &vn))
			t = parse_time(v, vn);
		if (t >= 0 && element(a, b, "Key", &v, &vn) && unescape(v, vn, key, sizeof key) == 0) {
			int rc = fn(ctx, key, t);
			if (rc)
				return rc;
		}
		p = b + 11;
	}
	/* the token follows the objects in AWS's answers, but not in every
	 * server's: looked for in the whole answer, outside any <Contents> */
	if (element(xml, end, "IsTruncated", &v, &vn) && vn == 4 && !memcmp(v, "true", 4) &&
	    element(xml, end, "NextContinuationToken", &v, &vn) &&
	    (vn == 0 || unescape(v, vn, next, nextsz) != 0))
		return KYC_ERR_INVALID; /* truncated, with no usable way on */
	return 0;
}

/* text escaped as SigV4 wants a query value: all but A-Z a-z 0-9 - _ . ~
 * as %XX. -1 when it does not fit. */
static int query_escape(const char *text, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (const unsigned char *t = (const unsigned char *)text; *t; t++) {
		int plain = (*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
			    (*t >= '0' && *t <= '9') || *t == '-' || *t == '_' || *t == '.' || *t == '~';
		if (k + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[k++] = (char)*t;
		} else {
			out[k++] = '%';
			out[k++] = hex[*t >> 4];
			out[k++] = hex[*t & 15];
		}
	}
	out[k] = 0;
	return 0;
}

/* Passes each object on to the caller's fn, noting when it said stop
 * (to tell its answer from the parser's own). */
struct list_ctx {
	kyc_blob_s3_each_fn fn;
	void *ctx;
	int rc;
};

static int list_one(void *c, const char *key, int64_t modified_ms)
{
	struct list_ctx *l = c;
	return l->rc = l->fn(l->ctx, key, modified_ms);
}

int kyc_blob_s3_list(const struct kyc_blob_s3 *s, const char *prefix, kyc_blob_s3_each_fn fn,
		     void *ctx)
{
	char token[TOKEN_MAX] = "", etoken[3 * TOKEN_MAX], eprefix[256], query[3 * TOKEN_MAX + 400];
	if (query_escape(prefix, eprefix, sizeof eprefix))
		return KYC_ERR_INVALID;
	struct list_ctx l = {fn, ctx, 0};
	int rc = 0;
	do {
		if (query_escape(token, etoken, sizeof etoken))
			return KYC_ERR_IO; /* cannot happen: the token fits in token */
		/* parameters in SigV4's canonical order: curl signs the query as given */
		snprintf(query, sizeof query, "%s%s%slist-type=2&prefix=%s",
			 token[0] ? "continuation-token=" : "", etoken, token[0] ? "&" : "", eprefix);
		kyc_buf page;
		kyc_buf_init(&page, LIST_PAGE_MAX);
		long st;
		rc = request(s, "GET", NULL, query, NULL, 0, &page, &st);
		rc = rc ? rc : status_rc("LIST", st);
		if (!rc && (rc = kyc_blob_s3_parse_list(page.data, page.len, list_one, &l, token,
							 sizeof token)) && !l.rc)
			kyc_logf(KYC_LOG_WARN, "blobs: the bucket's listing could not be read");
		kyc_buf_release(&page);
	} while (!rc && token[0]);
	return l.rc ? l.rc : rc ? KYC_ERR_IO : 0;
}
