#include "http/multipart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

#define BOUNDARY_MAX 70

struct parser {
	const char *b;
	size_t len;
	char delim[BOUNDARY_MAX + 5]; /* "\r\n--" + boundary */
	size_t dlen;
	struct kyc_multipart_limits lim;
	struct kyc_multipart *out;
	size_t partcap;
	char *err;
	size_t errsz;
};

/* One parsed header parameter; the value is decoded (quotes and escapes
 * removed) into a capped buffer. */
struct param {
	const char *name;
	size_t nlen;
	kyc_buf val;
};

static int fail(struct parser *p, const char *code, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, const char *code, int rc, const char *fmt, ...)
{
	p->out->code = code;
	if (p->err && p->errsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ieq(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != lit[i])
			return 0;
	return 1;
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 tchar: what a header name or a parameter name may be made of. */
static int is_tchar(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_ows(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ows((*s)[*n - 1]))
		(*n)--;
}

/* Reads the next ";name=value" from s[*i..n). Returns 1 with prm filled, 0 at
 * the end, KYC_ERR_INVALID when malformed, KYC_ERR_TOOBIG when the value passes the cap of
 * prm->val, KYC_ERR_NOMEM. Empty parameters (";;") are skipped. */
static int next_param(const char *s, size_t n, size_t *i, struct param *prm)
{
	size_t k = *i;
	kyc_buf_reset(&prm->val);
	for (;;) {
		while (k < n && is_ows(s[k]))
			k++;
		if (k == n) {
			*i = k;
			return 0;
		}
		if (s[k] != ';')
			return KYC_ERR_INVALID;
		k++;
		while (k < n && is_ows(s[k]))
			k++;
		if (k < n && s[k] != ';')
			break;
	}
	if (k == n) {
		*i = k;
		return 0;
	}
	size_t ns = k;
	while (k < n && is_tchar((unsigned char)s[k]))
		k++;
	if (k == ns)
		return KYC_ERR_INVALID;
	prm->name = s + ns;
	prm->nlen = k - ns;
	while (k < n && is_ows(s[k]))
		k++;
	if (k == n || s[k] != '=')
		return KYC_ERR_INVALID;
	k++;
	while (k < n && is_ows(s[k]))
		k++;
	int rc = 0;
	if (k < n && s[k] == '"') {
		k++;
		for (;;) {
			if (k == n)
				return KYC_ERR_INVALID; /* unterminated quoted string */
			char c = s[k++];
			if (c == '"')
				break;
			if (c == '\\') {
				if (k == n)
					return KYC_ERR_INVALID;
				c = s[k++];
			}
			rc = kyc_buf_append(&prm->val, &c, 1);
			if (rc)
				return rc;
		}
	} else {
		size_t vs = k;
		while (k < n && s[k] != ';' && !is_ows(s[k]) && s[k] != '"')
			k++;
		if (k == vs)
			return KYC_ERR_INVALID;
		rc = kyc_buf_append(&prm->val, s + vs, k - vs);
		if (rc)
			return rc;
	}
	if (prm->val.len == 0)
		rc = kyc_buf_append(&prm->val, "", 0); /* so val.data is never NULL */
	if (rc)
		return rc;
	*i = k;
	return 1;
}

/* RFC 2046 bchars: the characters a boundary may use. */
static int is_bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return 1;
	return c && strchr("'()+_,-./:=? ", c) != NULL;
}

static int read_boundary(struct parser *p, const char *ct)
{
	if (!ct)
		return fail(p, "multipart_content_type", KYC_ERR_INVALID, "no Content-Type");
	size_t n = strlen(ct);
	const char *semi = memchr(ct, ';', n);
	const char *type = ct;
	size_t tlen = semi ? (size_t)(semi - ct) : n;
	trim(&type, &tlen);
	if (!ieq(type, tlen, "multipart/form-data"))
		return fail(p, "multipart_content_type", KYC_ERR_INVALID,
		            "Content-Type is not multipart/form-data");
	struct param prm;
	kyc_buf_init(&prm.val, 256);
	size_t i = semi ? (size_t)(semi - ct) : n;
	int found = 0, rc = 0;
	while ((rc = next_param(ct, n, &i, &prm)) == 1) {
		if (!ieq(prm.name, prm.nlen, "boundary"))
			continue;
		if (found) {
			rc = fail(p, "multipart_boundary_invalid", KYC_ERR_INVALID,
			          "more than one boundary parameter");
			goto out;
		}
		found = 1;
		size_t bl = prm.val.len;
		if (bl == 0 || bl > BOUNDARY_MAX || prm.val.data[bl - 1] == ' ') {
			rc = fail(p, "multipart_boundary_invalid", KYC_ERR_INVALID,
			          "the boundary must be 1 to 70 characters and not end in a space");
			goto out;
		}
		for (size_t k = 0; k < bl; k++) {
			if (!is_bchar((unsigned char)prm.val.data[k])) {
				rc = fail(p, "multipart_boundary_invalid", KYC_ERR_INVALID,
				          "the boundary has a character RFC 2046 does not allow");
				goto out;
			}
		}
		memcpy(p->delim, "\r\n--", 4);
		memcpy(p->delim + 4, prm.val.data, bl);
		p->dlen = bl + 4;
	}
	if (rc < 0) {
		rc = fail(p, "multipart_boundary_missing", KYC_ERR_INVALID,
		          "the Content-Type parameters are malformed");
		goto out;
	}
	rc = found ? 0
	           : fail(p, "multipart_boundary_missing", KYC_ERR_INVALID,
	                  "Content-Type has no boundary parameter");
out:
	kyc_buf_release(&prm.val);
	return rc;
}

enum delim_kind { D_NONE, D_PART, D_CLOSE, D_CUT, D_BARELF };

/* Is there a delimiter whose "--boundary" starts at b[at]? On D_PART *next
 * is where the part's headers begin. D_CUT: the body ends inside what could
 * still become a delimiter. */
static enum delim_kind delim_at(const struct parser *p, size_t at, size_t *next)
{
	size_t blen = p->dlen - 2; /* "--boundary" */
	if (p->len - at < blen)
		return memcmp(p->b + at, p->delim + 2, p->len - at) ? D_NONE : D_CUT;
	if (memcmp(p->b + at, p->delim + 2, blen) != 0)
		return D_NONE;
	size_t k = at + blen;
	if (k == p->len)
		return D_CUT;
	if (p->b[k] == '-') {
		if (k + 1 == p->len)
			return D_CUT;
		if (p->b[k + 1] == '-')
			return D_CLOSE;
		return D_NONE;
	}
	while (k < p->len && is_ows(p->b[k]))
		k++;
	if (k == p->len || (p->b[k] == '\r' && k + 1 == p->len))
		return D_CUT;
	if (p->b[k] == '\r' && p->b[k + 1] == '\n') {
		*next = k + 2;
		return D_PART;
	}
	return p->b[k] == '\n' ? D_BARELF : D_NONE;
}

/* Finds the next "\r\n--boundary" delimiter at or after from. *start is where
 * its CRLF is (the end of the previous part's data). */
static enum delim_kind find_delim(const struct parser *p, size_t from, size_t *start, size_t *next)
{
	while (from < p->len) {
		const char *h = memmem(p->b + from, p->len - from, p->delim, p->dlen);
		if (!h)
			return D_CUT; /* at most a partial delimiter at the end */
		size_t at = (size_t)(h - p->b);
		enum delim_kind k = delim_at(p, at + 2, next);
		if (k != D_NONE && k != D_BARELF) {
			*start = at;
			return k;
		}
		from = at + 1;
	}
	return D_CUT;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 8187 ext-value: charset "'" [language] "'" pct-encoded. Decodes into
 * out as UTF-8 (ISO-8859-1 bytes are widened). -1 when malformed. */
static int ext_value(const char *s, size_t n, kyc_buf *out)
{
	const char *q1 = memchr(s, '\'', n);
	if (!q1)
		return -1;
	const char *q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s));
	if (!q2)
		return -1;
	int latin1;
	if (ieq(s, (size_t)(q1 - s), "utf-8"))
		latin1 = 0;
	else if (ieq(s, (size_t)(q1 - s), "iso-8859-1"))
		latin1 = 1;
	else
		return -1;
	kyc_buf_reset(out);
	for (const char *c = q2 + 1; c < s + n; c++) {
		unsigned char v = (unsigned char)*c;
		if (v == '%') {
			if (s + n - c < 3)
				return -1;
			int hi = hexval((unsigned char)c[1]), lo = hexval((unsigned char)c[2]);
			if (hi < 0 || lo < 0)
				return -1;
			v = (unsigned char)(hi << 4 | lo);
			c += 2;
		} else if (!is_tchar(v)) {
			return -1;
		}
		int rc;
		if (latin1 && v >= 0x80) {
			char u[2] = {(char)(0xc0 | v >> 6), (char)(0x80 | (v & 0x3f))};
			rc = kyc_buf_append(out, u, 2);
		} else {
			rc = kyc_buf_append(out, &v, 1);
		}
		if (rc)
			return rc;
	}
	return kyc_buf_append(out, "", 0);
}

/* Content-Disposition: form-data; name="..."; filename="..."; filename*=... */
static int disposition(struct parser *p, const char *v, size_t n, struct kyc_multipart_part *part)
{
	size_t i = 0;
	while (i < n && v[i] != ';')
		i++;
	const char *type = v;
	size_t tlen = i;
	trim(&type, &tlen);
	if (!ieq(type, tlen, "form-data"))
		return fail(p, "multipart_malformed", KYC_ERR_INVALID,
		            "part %zu: Content-Disposition is not form-data", p->out->nparts + 1);
	struct param prm;
	/* A value may be up to 3x its decoded size (percent-encoding); the
	 * header cap bounds it anyway. */
	kyc_buf_init(&prm.val, p->lim.max_header_bytes);
	kyc_buf ext;
	kyc_buf_init(&ext, p->lim.max_name_len * 2);
	int rc = 0, have_ext = 0;
	while ((rc = next_param(v, n, &i, &prm)) == 1) {
		char **dst = NULL;
		if (ieq(prm.name, prm.nlen, "name")) {
			dst = &part->name;
		} else if (ieq(prm.name, prm.nlen, "filename")) {
			dst = &part->filename;
		} else if (ieq(prm.name, prm.nlen, "filename*")) {
			if (have_ext) {
				rc = fail(p, "multipart_malformed", KYC_ERR_INVALID,
				          "part %zu: filename* given twice", p->out->nparts + 1);
				goto out;
			}
			rc = ext_value(prm.val.data, prm.val.len, &ext);
			if (rc == KYC_ERR_TOOBIG)
				goto toolong;
			if (rc) {
				rc = fail(p, "multipart_malformed", KYC_ERR_INVALID,
				          "part %zu: filename* is not a valid RFC 8187 value",
				          p->out->nparts + 1);
				goto out;
			}
			have_ext = 1;
			continue;
		} else {
			continue; /* unknown parameters are allowed and ignored */
		}
		if (*dst) {
			rc = fail(p, "multipart_malformed", KYC_ERR_INVALID,
			          "part %zu: Content-Disposition repeats a parameter",
			          p->out->nparts + 1);
			goto out;
		}
		if (prm.val.len > p->lim.max_name_len)
			goto toolong;
		if (has_ctl(prm.val.data, prm.val.len))
			goto ctl;
		*dst = dupn(prm.val.data, prm.val.len);
		if (!*dst) {
			rc = fail(p, "multipart_nomem", KYC_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (rc == KYC_ERR_TOOBIG)
		goto toolong;
	if (rc == KYC_ERR_NOMEM) {
		rc = fail(p, "multipart_nomem", KYC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (rc) {
		rc = fail(p, "multipart_malformed", KYC_ERR_INVALID,
		          "part %zu: malformed Content-Disposition parameters", p->out->nparts + 1);
		goto out;
	}
	if (have_ext) {
		if (ext.len > p->lim.max_name_len)
			goto toolong;
		if (has_ctl(ext.data, ext.len))
			goto ctl; /* %00 and friends */
		free(part->filename);
		part->filename = dupn(ext.data, ext.len);
		if (!part->filename) {
			rc = fail(p, "multipart_nomem", KYC_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (!part->name) {
		rc = fail(p, "multipart_disposition_missing", KYC_ERR_INVALID,
		          "part %zu: Content-Disposition has no name", p->out->nparts + 1);
		goto out;
	}
	rc = 0;
	goto out;
ctl:
	rc = fail(p, "multipart_malformed", KYC_ERR_INVALID,
	          "part %zu: control characters in a name or filename", p->out->nparts + 1);
	goto out;
toolong:
	rc = fail(p, "multipart_name_too_long", KYC_ERR_TOOBIG,
	          "part %zu: a name or filename is longer than %zu bytes", p->out->nparts + 1,
	          p->lim.max_name_len);
out:
	kyc_buf_release(&prm.val);
	kyc_buf_release(&ext);
	return rc;
}

/* The header lines of one part, from b[*pos] up to and including the empty
 * line; *pos ends at the first data byte. */
static int headers(struct parser *p, size_t *pos, struct kyc_multipart_part *part)
{
	size_t start = *pos, k = *pos;
	const char *cd = NULL;
	size_t cdlen = 0;
	for (;;) {
		size_t room = p->len - k;
		const char *eol = memmem(p->b + k, room, "\r\n", 2);
		size_t used = (eol ? (size_t)(eol - p->b) + 2 : p->len) - start;
		if (used > p->lim.max_header_bytes)
			return fail(p, "multipart_header_too_large", KYC_ERR_TOOBIG,
			            "part %zu: headers longer than %zu bytes", p->out->nparts + 1,
			            p->lim.max_header_bytes);
		if (!eol)
			return fail(p, "multipart_truncated", KYC_ERR_INVALID,
			            "the body ends inside the headers of part %zu",
			            p->out->nparts + 1);
		const char *line = p->b + k;
		size_t n = (size_t)(eol - line);
		k += n + 2;
		if (n == 0)
			break;
		if (is_ows(line[0]))
			return fail(p, "multipart_malformed", KYC_ERR_INVALID,
			            "part %zu: folded header line", p->out->nparts + 1);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return fail(p, "multipart_malformed", KYC_ERR_INVALID,
				            "part %zu: a control character or bare LF in a header",
				            p->out->nparts + 1);
		}
		const char *colon = memchr(line, ':', n);
		size_t nl = colon ? (size_t)(colon - line) : 0;
		for (size_t i = 0; i < nl; i++)
			if (!is_tchar((unsigned char)line[i]))
				nl = 0;
		if (nl == 0)
			return fail(p, "multipart_malformed", KYC_ERR_INVALID,
			            "part %zu: a header line is not 'Name: value'",
			            p->out->nparts + 1);
		const char *v = colon + 1;
		size_t vl = n - nl - 1;
		trim(&v, &vl);
		if (ieq(line, nl, "content-disposition")) {
			if (cd)
				return fail(p, "multipart_malformed", KYC_ERR_INVALID,
				            "part %zu: two Content-Disposition headers",
				            p->out->nparts + 1);
			cd = v; /* read once every line is known to be well-formed */
			cdlen = vl;
		} else if (ieq(line, nl, "content-type")) {
			if (part->content_type)
				return fail(p, "multipart_malformed", KYC_ERR_INVALID,
				            "part %zu: two Content-Type headers",
				            p->out->nparts + 1);
			part->content_type = dupn(v, vl);
			if (!part->content_type)
				return fail(p, "multipart_nomem", KYC_ERR_NOMEM, "out of memory");
		}
	}
	if (!cd)
		return fail(p, "multipart_disposition_missing", KYC_ERR_INVALID,
		            "part %zu has no Content-Disposition header", p->out->nparts + 1);
	*pos = k;
	return disposition(p, cd, cdlen, part);
}

static int add_part(struct parser *p, struct kyc_multipart_part **part)
{
	struct kyc_multipart *m = p->out;
	if (m->nparts >= p->lim.max_parts)
		return fail(p, "multipart_too_many_parts", KYC_ERR_TOOBIG, "more than %zu parts",
		            p->lim.max_parts);
	if (m->nparts == p->partcap) {
		size_t cap = p->partcap ? p->partcap * 2 : 4;
		if (cap > p->lim.max_parts)
			cap = p->lim.max_parts;
		struct kyc_multipart_part *np = realloc(m->parts, cap * sizeof *np);
		if (!np)
			return fail(p, "multipart_nomem", KYC_ERR_NOMEM, "out of memory");
		m->parts = np;
		p->partcap = cap;
	}
	*part = &m->parts[m->nparts];
	memset(*part, 0, sizeof **part);
	return 0;
}

static void part_free(struct kyc_multipart_part *part)
{
	free(part->name);
	free(part->filename);
	free(part->content_type);
	memset(part, 0, sizeof *part);
}

int kyc_multipart_parse(const char *content_type_header, const char *body, size_t len,
                        const struct kyc_multipart_limits *lim, struct kyc_multipart *out,
                        char *err, size_t errsz)
{
	struct parser p = {.b = body, .len = len, .out = out, .err = err, .errsz = errsz};
	memset(out, 0, sizeof *out);
	if (err && errsz)
		err[0] = '\0';
	if (lim)
		p.lim = *lim;
	if (!p.lim.max_parts)
		p.lim.max_parts = 32;
	if (!p.lim.max_header_bytes)
		p.lim.max_header_bytes = 8192;
	if (!p.lim.max_name_len)
		p.lim.max_name_len = 256;

	int rc = read_boundary(&p, content_type_header);
	if (rc)
		return rc;
	if (len == 0)
		return fail(&p, "multipart_truncated", KYC_ERR_INVALID, "the body is empty");

	/* The first delimiter may open the body without a CRLF before it. */
	size_t pos = 0, start = 0;
	enum delim_kind k = delim_at(&p, 0, &pos);
	if (k == D_BARELF)
		return fail(&p, "multipart_malformed", KYC_ERR_INVALID,
		            "the boundary line ends in a bare LF: line ends must be CRLF");
	if (k == D_NONE)
		k = find_delim(&p, 0, &start, &pos);
	while (k == D_PART) {
		struct kyc_multipart_part *part = NULL;
		rc = add_part(&p, &part);
		if (rc)
			goto fail;
		rc = headers(&p, &pos, part);
		if (rc) {
			part_free(part);
			goto fail;
		}
		size_t data = pos;
		/* The CRLF before the delimiter belongs to it, so search from
		 * two bytes before data: an empty part is "...\r\n\r\n--b". */
		k = find_delim(&p, data - 2, &start, &pos);
		if (k == D_CUT) {
			part_free(part);
			break;
		}
		part->data = body + data;
		part->len = start >= data ? start - data : 0;
		out->nparts++;
	}
	if (k == D_CLOSE)
		return 0;
	rc = fail(&p, "multipart_truncated", KYC_ERR_INVALID,
	          out->nparts ? "the body ends before the closing boundary"
	                      : "no boundary line in the body");
fail:
	kyc_multipart_release(out);
	return rc;
}

const struct kyc_multipart_part *kyc_multipart_find(const struct kyc_multipart *m, const char *name)
{
	for (size_t i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].name, name) == 0)
			return &m->parts[i];
	return NULL;
}

void kyc_multipart_release(struct kyc_multipart *m)
{
	for (size_t i = 0; i < m->nparts; i++)
		part_free(&m->parts[i]);
	free(m->parts);
	m->parts = NULL;
	m->nparts = 0;
}
