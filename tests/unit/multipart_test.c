#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/err.h"
#include "http/multipart.h"
#include "test.h"

#define CT(b) "multipart/form-data; boundary=" b

/* Parses a NUL-free literal body. */
static int parse(const char *ct, const char *body, struct kyc_multipart *m)
{
	char err[160];
	return kyc_multipart_parse(ct, body, strlen(body), NULL, m, err, sizeof err);
}

static int part_is(const struct kyc_multipart_part *p, const char *name, const char *data)
{
	return p && !strcmp(p->name, name) && p->len == strlen(data) &&
	       !memcmp(p->data, data, p->len);
}

TEST(simple_form)
{
	const char *body = "--XyZ\r\n"
	                   "Content-Disposition: form-data; name=\"type\"\r\n"
	                   "\r\n"
	                   "passport\r\n"
	                   "--XyZ\r\n"
	                   "content-disposition: FORM-DATA; name=side\r\n"
	                   "\r\n"
	                   "front\r\n"
	                   "--XyZ\r\n"
	                   "Content-Disposition: form-data; name=\"image\"; filename=\"p.jpg\"\r\n"
	                   "Content-Type: image/jpeg \r\n"
	                   "X-Other: ignored\r\n"
	                   "\r\n"
	                   "\xff\xd8\xff\r\n"
	                   "--XyZ--\r\n";
	struct kyc_multipart m;
	REQUIRE(parse(CT("XyZ"), body, &m) == 0);
	REQUIRE(m.nparts == 3);
	CHECK(part_is(&m.parts[0], "type", "passport"));
	CHECK(m.parts[0].filename == NULL);
	CHECK(m.parts[0].content_type == NULL);
	CHECK(part_is(&m.parts[1], "side", "front"));
	const struct kyc_multipart_part *img = kyc_multipart_find(&m, "image");
	CHECK(part_is(img, "image", "\xff\xd8\xff"));
	REQUIRE(img);
	CHECK_STR(img->filename, "p.jpg");
	CHECK_STR(img->content_type, "image/jpeg");
	/* data is a view into the body, not a copy */
	CHECK(img->data > body && img->data < body + strlen(body));
	CHECK(kyc_multipart_find(&m, "missing") == NULL);
	kyc_multipart_release(&m);
	CHECK(m.nparts == 0 && m.parts == NULL);
	kyc_multipart_release(&m); /* twice is fine */
}

TEST(quoted_boundary_preamble_epilogue_padding)
{
	const char *ct = "Multipart/Form-Data ; charset=utf-8; boundary=\"a'()+_,-./:=? b\"";
	const char *body = "This is the preamble.\r\n"
	                   "--a'()+_,-./:=? b \t\r\n"
	                   "Content-Disposition: form-data; name=\"f\"\r\n"
	                   "\r\n"
	                   "v1\r\n"
	                   "--a'()+_,-./:=? b--  trailing\r\n"
	                   "epilogue with --a'()+_,-./:=? b inside\r\n";
	struct kyc_multipart m;
	REQUIRE(parse(ct, body, &m) == 0);
	REQUIRE(m.nparts == 1);
	CHECK(part_is(&m.parts[0], "f", "v1"));
	kyc_multipart_release(&m);
}

TEST(binary_data_with_boundary_lookalikes)
{
	/* data holding CR, LF, NUL, the boundary's prefix, the boundary with
	 * other characters after it, and a bare-LF "delimiter" */
	static const char data[] = "\r\n\r\n--\r\n--bo\r\n--bound\0ary\r\n--boundaryX\r\n"
	                           "\n--boundary\r\n--boundary-x\r\n--boundary \tz\r";
	const size_t dlen = sizeof data - 1;
	const char *head = "--boundary\r\nContent-Disposition: form-data; name=\"bin\"; "
	                   "filename=\"x.bin\"\r\n\r\n";
	const char *tail = "\r\n--boundary\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n"
	                   "\r\n--boundary--";
	size_t n = strlen(head) + dlen + strlen(tail);
	char *body = malloc(n);
	REQUIRE(body);
	memcpy(body, head, strlen(head));
	memcpy(body + strlen(head), data, dlen);
	memcpy(body + strlen(head) + dlen, tail, strlen(tail));
	struct kyc_multipart m;
	int rc = kyc_multipart_parse(CT("boundary"), body, n, NULL, &m, NULL, 0);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		REQUIRE(m.nparts == 2);
		CHECK_INT(m.parts[0].len, dlen);
		CHECK(memcmp(m.parts[0].data, data, dlen) == 0);
		CHECK_STR(m.parts[1].name, "e");
		CHECK_INT(m.parts[1].len, 0);
	}
	kyc_multipart_release(&m);
	free(body);
}

TEST(empty_parts_and_empty_form)
{
	struct kyc_multipart m;
	/* RFC 2046 form (no blank-line CRLF before the delimiter) and curl's form */
	const char *body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--b\r\n"
	                   "Content-Disposition: form-data; name=\"c\"\r\n\r\n\r\n--b--";
	REQUIRE(parse(CT("b"), body, &m) == 0);
	REQUIRE(m.nparts == 2);
	CHECK(part_is(&m.parts[0], "a", ""));
	CHECK(part_is(&m.parts[1], "c", ""));
	kyc_multipart_release(&m);
	REQUIRE(parse(CT("b"), "--b--\r\n", &m) == 0);
	CHECK_INT(m.nparts, 0);
	kyc_multipart_release(&m);
}

TEST(disposition_parameters)
{
	struct kyc_multipart m;
	const char *body =
	    "--b\r\nContent-Disposition: form-data; name=\"we\\\"ird\\\\\"; "
	    "filename=\"C:\\\\x\\\"y.jpg\"; size=12\r\n\r\nX\r\n"
	    "--b\r\nContent-Disposition: form-data;name=u;filename=\"fallback\";"
	    " filename*=UTF-8''%e2%82%ac%20rates.png\r\n\r\nY\r\n"
	    "--b\r\nContent-Disposition: form-data; filename*=iso-8859-1'en'%A3.png; "
	    "name=\"l\"\r\n\r\nZ\r\n"
	    "--b--\r\n";
	REQUIRE(parse(CT("b"), body, &m) == 0);
	REQUIRE(m.nparts == 3);
	CHECK_STR(m.parts[0].name, "we\"ird\\");
	CHECK_STR(m.parts[0].filename, "C:\\x\"y.jpg");
	CHECK_STR(m.parts[1].name, "u");
	CHECK_STR(m.parts[1].filename, "\xe2\x82\xac rates.png");
	CHECK_STR(m.parts[2].filename, "\xc2\xa3.png");
	kyc_multipart_release(&m);
}

TEST(duplicate_names_kept_first_found)
{
	struct kyc_multipart m;
	const char *body = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\none\r\n"
	                   "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ntwo\r\n--b--";
	REQUIRE(parse(CT("b"), body, &m) == 0);
	REQUIRE(m.nparts == 2);
	CHECK(part_is(kyc_multipart_find(&m, "x"), "x", "one"));
	CHECK(part_is(&m.parts[1], "x", "two"));
	kyc_multipart_release(&m);
}

/* Each bad input gives its own stable code and leaves nothing allocated. */
TEST(errors_have_stable_codes)
{
	static const struct {
		const char *ct, *body, *code;
	} cases[] = {
	    {"application/json", "{}", "multipart_content_type"},
	    {NULL, "--b--", "multipart_content_type"},
	    {"multipart/form-data", "--b--", "multipart_boundary_missing"},
	    {"multipart/form-data; charset=utf-8", "--b--", "multipart_boundary_missing"},
	    {"multipart/form-data; boundary=\"unterminated", "--b--", "multipart_boundary_missing"},
	    {"multipart/form-data; boundary=\"\"", "----", "multipart_boundary_invalid"},
	    {"multipart/form-data; boundary=\"ends in space \"", "x", "multipart_boundary_invalid"},
	    {"multipart/form-data; boundary=a; boundary=b", "--a--", "multipart_boundary_invalid"},
	    {"multipart/form-data; boundary=\"a<b\"", "--a<b--", "multipart_boundary_invalid"},
	    {CT("01234567890123456789012345678901234567890123456789012345678901234567890"), "x",
	     "multipart_boundary_invalid"},
	    {CT("b"), "", "multipart_truncated"},
	    {CT("b"), "no delimiter here", "multipart_truncated"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=a\r\n\r\ndata",
	     "multipart_truncated"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--b\r\n",
	     "multipart_truncated"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=a\r\n", "multipart_truncated"},
	    {CT("b"), "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
	     "multipart_disposition_missing"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--b--",
	     "multipart_disposition_missing"},
	    {CT("b"), "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\nContent-Disposition: form-data; name=a\n\nx\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nno colon here\r\n\r\nx\r\n--b--", "multipart_malformed"},
	    {CT("b"),
	     "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: "
	     "form-data; name=c\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"),
	     "--b\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%zz\r\n"
	     "\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"),
	     "--b\r\nContent-Disposition: form-data; name=a; filename*=koi8-r''x\r\n"
	     "\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"),
	     "--b\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''a%00b\r\n"
	     "\r\nx\r\n--b--",
	     "multipart_malformed"},
	    {CT("b"), "--b\r\nContent-Disposition: form-data; name=\"a\tb\"\r\n\r\nx\r\n--b--",
	     "multipart_malformed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kyc_multipart m;
		char err[160];
		int rc = kyc_multipart_parse(cases[i].ct, cases[i].body, strlen(cases[i].body),
		                             NULL, &m, err, sizeof err);
		if (rc == 0 || !m.code || strcmp(m.code, cases[i].code) != 0) {
			char what[64];
			snprintf(what, sizeof what, "case %zu", i);
			test_fail_str(__FILE__, __LINE__, what, m.code ? m.code : "(success)",
			              cases[i].code);
		}
		CHECK(err[0] != '\0');
		CHECK(m.parts == NULL && m.nparts == 0);
	}
}

TEST(limits)
{
	struct kyc_multipart m;
	char err[160];
	const char *three =
	    "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
	    "--b\r\nContent-Disposition: form-data; name=bb\r\n\r\n2\r\n"
	    "--b\r\nContent-Disposition: form-data; name=c; filename=abcd\r\n\r\n3\r\n"
	    "--b--";
	struct kyc_multipart_limits lim = {.max_parts = 3};
	CHECK_INT(kyc_multipart_parse(CT("b"), three, strlen(three), &lim, &m, err, sizeof err), 0);
	CHECK_INT(m.nparts, 3);
	kyc_multipart_release(&m);
	lim.max_parts = 2;
	CHECK_INT(kyc_multipart_parse(CT("b"), three, strlen(three), &lim, &m, err, sizeof err),
	          KYC_ERR_TOOBIG);
	CHECK_STR(m.code, "multipart_too_many_parts");

	lim = (struct kyc_multipart_limits){.max_name_len = 4};
	CHECK_INT(kyc_multipart_parse(CT("b"), three, strlen(three), &lim, &m, err, sizeof err), 0);
	kyc_multipart_release(&m);
	lim.max_name_len = 3;
	CHECK_INT(kyc_multipart_parse(CT("b"), three, strlen(three), &lim, &m, err, sizeof err),
	          KYC_ERR_TOOBIG);
	CHECK_STR(m.code, "multipart_name_too_long");

	/* header bytes: "Content-Disposition: form-data; name=bb\r\n\r\n" is 43 */
	lim = (struct kyc_multipart_limits){.max_header_bytes = 43};
	const char *two = "--b\r\nContent-Disposition: form-data; name=bb\r\n\r\n2\r\n--b--";
	CHECK_INT(kyc_multipart_parse(CT("b"), two, strlen(two), &lim, &m, err, sizeof err), 0);
	kyc_multipart_release(&m);
	lim.max_header_bytes = 42;
	CHECK_INT(kyc_multipart_parse(CT("b"), two, strlen(two), &lim, &m, err, sizeof err),
	          KYC_ERR_TOOBIG);
	CHECK_STR(m.code, "multipart_header_too_large");
	/* a header without any line end is cut off by the cap too, not read to the end */
	lim.max_header_bytes = 16;
	const char *endless = "--b\r\nContent-Disposition: form-data; name=bb";
	CHECK_INT(kyc_multipart_parse(CT("b"), endless, strlen(endless), &lim, &m, err, sizeof err),
	          KYC_ERR_TOOBIG);
	CHECK_STR(m.code, "multipart_header_too_large");
}

/* The body as curl builds it: a real libcurl client posts a curl_mime form
 * to a socket we read. */
struct capture {
	int lfd;
	char *buf;
	size_t len;
};

static void *capture_one(void *arg)
{
	struct capture *c = arg;
	int fd = accept(c->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 20;
	c->buf = malloc(cap);
	for (;;) {
		if (!c->buf || c->len == cap)
			break;
		ssize_t n = read(fd, c->buf + c->len, cap - c->len);
		if (n <= 0)
			break;
		c->len += (size_t)n;
		/* done once the headers and Content-Length bytes are in */
		char *eoh = memmem(c->buf, c->len, "\r\n\r\n", 4);
		char *cl = memmem(c->buf, c->len, "Content-Length: ", 16);
		if (eoh && cl) {
			long want = strtol(cl + 16, NULL, 10);
			if ((long)(c->len - (size_t)(eoh + 4 - c->buf)) >= want)
				break;
		}
	}
	static const char ok[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	if (write(fd, ok, sizeof ok - 1) < 0) {
		/* the client reports it */
	}
	close(fd);
	return NULL;
}

TEST(body_as_curl_builds_it)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(lfd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	REQUIRE(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	REQUIRE(listen(lfd, 1) == 0);
	REQUIRE(getsockname(lfd, (struct sockaddr *)&sa, &sl) == 0);
	struct capture cap = {.lfd = lfd};
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, capture_one, &cap) == 0);

	/* file bytes with CRLFs and the start of curl's own boundary style */
	unsigned char img[3000];
	for (size_t i = 0; i < sizeof img; i++)
		img[i] = (unsigned char)(i * 7 + 3);
	memcpy(img + 100, "\r\n------------------------", 26);
	memcpy(img + 200, "\r\n\r\n--\r\n", 8);

	CURL *h = curl_easy_init();
	curl_mime *mime = curl_mime_init(h);
	curl_mimepart *p = curl_mime_addpart(mime);
	curl_mime_name(p, "type");
	curl_mime_data(p, "passport", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(mime);
	curl_mime_name(p, "image");
	curl_mime_data(p, (const char *)img, sizeof img);
	curl_mime_filename(p, "scan 1.jpg");
	curl_mime_type(p, "image/jpeg");
	p = curl_mime_addpart(mime);
	curl_mime_name(p, "empty");
	curl_mime_data(p, "", 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/up", ntohs(sa.sin_port));
	struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	CURLcode cc = curl_easy_perform(h);
	pthread_join(th, NULL);
	close(lfd);
	curl_slist_free_all(hdrs);
	curl_mime_free(mime);
	curl_easy_cleanup(h);
	CHECK_INT(cc, CURLE_OK);
	REQUIRE(cap.buf && cap.len > 0);

	char *eoh = memmem(cap.buf, cap.len, "\r\n\r\n", 4);
	char *ct = memmem(cap.buf, cap.len, "Content-Type: ", 14);
	REQUIRE(eoh && ct && ct < eoh);
	char ctv[200];
	char *cte = memmem(ct, (size_t)(eoh + 2 - ct), "\r\n", 2);
	REQUIRE(cte && (size_t)(cte - ct - 14) < sizeof ctv);
	memcpy(ctv, ct + 14, (size_t)(cte - ct - 14));
	ctv[cte - ct - 14] = '\0';
	const char *body = eoh + 4;
	size_t blen = cap.len - (size_t)(body - cap.buf);

	struct kyc_multipart m;
	char err[160];
	int rc = kyc_multipart_parse(ctv, body, blen, NULL, &m, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_INT(m.nparts, 3);
		CHECK(part_is(kyc_multipart_find(&m, "type"), "type", "passport"));
		const struct kyc_multipart_part *f = kyc_multipart_find(&m, "image");
		REQUIRE(f);
		CHECK_INT(f->len, sizeof img);
		CHECK(f->len == sizeof img && memcmp(f->data, img, sizeof img) == 0);
		CHECK_STR(f->filename, "scan 1.jpg");
		CHECK_STR(f->content_type, "image/jpeg");
		CHECK(part_is(kyc_multipart_find(&m, "empty"), "empty", ""));
	}
	kyc_multipart_release(&m);

	/* Cut the body at every byte: never a crash, and either an error or
	 * (once only the epilogue is missing) the very same parts. Each prefix
	 * is its own allocation so ASan sees any read past its end. */
	size_t ok_prefixes = 0;
	for (size_t cut = 0; cut < blen; cut++) {
		char *pre = malloc(cut ? cut : 1);
		REQUIRE(pre);
		memcpy(pre, body, cut);
		struct kyc_multipart t;
		rc = kyc_multipart_parse(ctv, pre, cut, NULL, &t, err, sizeof err);
		if (rc == 0) {
			ok_prefixes++;
			CHECK_INT(t.nparts, 3);
			const struct kyc_multipart_part *f = kyc_multipart_find(&t, "image");
			CHECK(f && f->len == sizeof img && !memcmp(f->data, img, sizeof img));
		} else {
			CHECK(t.code != NULL && t.nparts == 0 && t.parts == NULL);
		}
		kyc_multipart_release(&t);
		free(pre);
	}
	CHECK_INT(ok_prefixes, 2); /* only the final CRLF may go missing */
	free(cap.buf);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(simple_form);
	RUN(quoted_boundary_preamble_epilogue_padding);
	RUN(binary_data_with_boundary_lookalikes);
	RUN(empty_parts_and_empty_form);
	RUN(disposition_parameters);
	RUN(duplicate_names_kept_first_found);
	RUN(errors_have_stable_codes);
	RUN(limits);
	RUN(body_as_curl_builds_it);
	curl_global_cleanup();
	return test_done("multipart");
}
