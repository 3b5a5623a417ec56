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

#include "core/err.h"
#include "core/log.h"

#define S3_TIMEOUT_MS 30000L

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

/* The URL of key (NULL: the bucket itself). Keys are ours ("files/..":
 * lowercase hex, '-' and '/'), so they need no escaping. */
static void object_url(const struct kyc_blob_s3 *s, const char *key, char *out, size_t outsz)
{
	if (s->path_style) {
		snprintf(out, outsz, "%s/%s%s%s", s->endpoint, s->bucket, key ? "/" : "",
			 key ? key : "");
	} else {
		const char *host = strstr(s->endpoint, "://") + 3;
		snprintf(out, outsz, "https://%s.%s/%s", s->bucket, host, key ? key : "");
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

/* One signed request. body/len: the PUT payload (NULL otherwise); out: where
 * a GET's body goes (may be NULL). *status: the HTTP status (0 when no
 * answer came). 0, or KYC_ERR_IO when the transfer itself failed. */
static int request(const struct kyc_blob_s3 *s, const char *method, const char *key,
		   const void *body, size_t len, kyc_buf *out, long *status)
{
	*status = 0;
	CURL *h = thread_handle();
	if (!h)
		return KYC_ERR_NOMEM;
	char url[1200], hash_hdr[96];
	object_url(s, key, url, sizeof url);
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
	int rc = request(s, "PUT", key, p, n, NULL, &st);
	return rc ? rc : status_rc("PUT", st);
}

int kyc_blob_s3_get(const struct kyc_blob_s3 *s, const char *key, kyc_buf *out)
{
	long st;
	int rc = request(s, "GET", key, NULL, 0, out, &st);
	if (!rc && (st < 200 || st > 299))
		kyc_buf_release(out); /* an error document, not the blob */
	return rc ? rc : status_rc("GET", st);
}

int kyc_blob_s3_delete(const struct kyc_blob_s3 *s, const char *key)
{
	long st;
	int rc = request(s, "DELETE", key, NULL, 0, NULL, &st);
	rc = rc ? rc : status_rc("DELETE", st);
	return rc == KYC_ERR_NOTFOUND ? 0 : rc;
}

int kyc_blob_s3_ready(const struct kyc_blob_s3 *s)
{
	long st;
	int rc = request(s, "HEAD", NULL, NULL, 0, NULL, &st);
	return rc ? rc : status_rc("HEAD", st);
}
