#include "flows/erasure_log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "flows/erasure.h"

#define UUID_LEN 36
/* "e1 " uuid " " uuid " " 1-18 digits "\n": 18 digits cannot overflow */
#define TIME_DIGITS_MAX 18
#define TIME_MAX 999999999999999999LL

int kyc_erasure_log_path(const char *data_dir, char *out, size_t outsz)
{
	const char *named = getenv("KYCD_ERASURE_LOG");
	int n = named && *named
	            ? snprintf(out, outsz, "%s", named)
	            : snprintf(out, outsz, "%s/erasures.log", data_dir ? data_dir : ".");
	return n < 0 || (size_t)n >= outsz ? KYC_ERR_INVALID : 0;
}

int kyc_erasure_log_format(const struct kyc_erasure_entry *e, char out[KYC_ERASURE_LOG_LINE_MAX])
{
	if (!kyc_uuid_valid(e->tenant_id, strnlen(e->tenant_id, sizeof e->tenant_id)) ||
	    !kyc_uuid_valid(e->applicant_id, strnlen(e->applicant_id, sizeof e->applicant_id)) ||
	    e->at_ms < 0 || e->at_ms > TIME_MAX)
		return KYC_ERR_INVALID;
	int n = snprintf(out, KYC_ERASURE_LOG_LINE_MAX, "e1 %s %s %" PRId64 "\n", e->tenant_id,
	                 e->applicant_id, e->at_ms);
	return n < 0 || n >= KYC_ERASURE_LOG_LINE_MAX ? KYC_ERR_INVALID : n;
}

/* A new file's name is durable only once its folder is synced. */
static int sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if ((size_t)snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1,
	                     slash ? (slash == path ? "/" : path) : ".") >= sizeof dir)
		return KYC_ERR_IO;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return KYC_ERR_IO;
	int rc = fsync(fd) == 0 ? 0 : KYC_ERR_IO;
	close(fd);
	return rc;
}

int kyc_erasure_log_append(const char *path, const struct kyc_erasure_entry *e, char *err,
                           size_t errsz)
{
	char line[KYC_ERASURE_LOG_LINE_MAX];
	int n = kyc_erasure_log_format(e, line);
	if (n < 0) {
		snprintf(err, errsz, "an erasure log entry needs two UUIDs and a time");
		return KYC_ERR_INVALID;
	}
	int created = 1;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		created = 0;
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errsz, "cannot open the erasure log %s: %s", path, strerror(errno));
		return KYC_ERR_IO;
	}
	int rc = 0;
	/* one write of a short line with O_APPEND: servers sharing the file
	 * never interleave inside a line */
	ssize_t w = write(fd, line, (size_t)n);
	if (w != n) {
		snprintf(err, errsz, "cannot write the erasure log %s: %s", path,
		         w < 0 ? strerror(errno) : "short write");
		rc = KYC_ERR_IO;
		goto out;
	}
	if (fsync(fd) != 0 || (created && sync_parent(path) != 0)) {
		snprintf(err, errsz, "cannot sync the erasure log %s: %s", path, strerror(errno));
		rc = KYC_ERR_IO;
	}
out:
	close(fd);
	return rc;
}

static int uuid_at(const char *p, char out[37])
{
	if (!kyc_uuid_valid(p, UUID_LEN))
		return 0;
	memcpy(out, p, UUID_LEN);
	out[UUID_LEN] = '\0';
	return 1;
}

/* One line without its newline: 1 when well formed. */
static int parse_line(const char *p, size_t n, struct kyc_erasure_entry *e)
{
	size_t fixed = 3 + UUID_LEN + 1 + UUID_LEN + 1;
	if (n <= fixed || n > fixed + TIME_DIGITS_MAX || memcmp(p, "e1 ", 3) != 0 ||
	    p[3 + UUID_LEN] != ' ' || p[fixed - 1] != ' ' || !uuid_at(p + 3, e->tenant_id) ||
	    !uuid_at(p + 4 + UUID_LEN, e->applicant_id))
		return 0;
	int64_t at = 0;
	for (size_t i = fixed; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		at = at * 10 + (p[i] - '0');
	}
	e->at_ms = at;
	return 1;
}

int kyc_erasure_log_parse(const char *p, size_t n,
                          int (*fn)(const struct kyc_erasure_entry *e, void *arg), void *arg,
                          long *bad)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
		struct kyc_erasure_entry e;
		/* a last line without its newline was cut by a crash */
		if (nl && parse_line(p + i, len, &e)) {
			int rc = fn(&e, arg);
			if (rc)
				return rc;
		} else {
			(*bad)++;
		}
		i += len + (nl ? 1 : 0);
	}
	return 0;
}

/* The erased applicants of one tenant as log lines, appended to b. */
static int seed_tenant(kyc_store *s, const char *tenant_id, kyc_buf *b, long *entries)
{
	char cursor[128] = "";
	int rc = 0;
	do {
		struct kyc_store_page pg = {0};
		rc = kyc_store_list(s, KYC_R_APPLICANT, tenant_id, NULL, cursor, 100, &pg);
		size_t i;
		json_t *a;
		json_array_foreach(pg.items, i, a)
		{
			if (rc || !kyc_erasure_is_erased(a))
				continue;
			struct kyc_erasure_entry e = {.at_ms = 0};
			char line[KYC_ERASURE_LOG_LINE_MAX];
			snprintf(e.tenant_id, sizeof e.tenant_id, "%s", tenant_id);
			snprintf(e.applicant_id, sizeof e.applicant_id, "%s",
			         json_string_value(json_object_get(a, "id")));
			int n = kyc_erasure_log_format(&e, line);
			rc = n < 0 ? n : kyc_buf_append(b, line, (size_t)n);
			*entries += rc ? 0 : 1;
		}
		snprintf(cursor, sizeof cursor, "%s", rc ? "" : pg.next_cursor);
		json_decref(pg.items);
	} while (!rc && cursor[0]);
	return rc;
}

int kyc_erasure_log_seed(kyc_store *s, const char *path, int *created, long *entries, char *err,
                         size_t errsz)
{
	struct stat st;
	*created = 0;
	*entries = 0;
	if (stat(path, &st) == 0)
		return 0;
	if (errno != ENOENT) {
		snprintf(err, errsz, "cannot look at the erasure log %s: %s", path,
		         strerror(errno));
		return KYC_ERR_IO;
	}
	kyc_buf b;
	kyc_buf_init(&b, (size_t)1 << 30);
	json_t *tenants = NULL, *t;
	char tmp[4200];
	size_t i;
	int fd = -1, rc = kyc_store_tenant_ids(s, &tenants);
	json_array_foreach(tenants, i, t)
	{
		if (!rc)
			rc = seed_tenant(s, json_string_value(t), &b, entries);
	}
	if (rc) {
		snprintf(err, errsz, "cannot list the erased applicants: %s", kyc_err_name(rc));
		goto out;
	}
	/* whole or not at all: a temporary file renamed into place */
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		snprintf(err, errsz, "the erasure log's path is too long");
		rc = KYC_ERR_INVALID;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (b.len && write(fd, b.data, b.len) != (ssize_t)b.len) || fsync(fd) != 0 ||
	    rename(tmp, path) != 0 || sync_parent(path) != 0) {
		snprintf(err, errsz, "cannot write the erasure log %s: %s", path, strerror(errno));
		rc = KYC_ERR_IO;
		unlink(tmp);
		goto out;
	}
	*created = 1;
out:
	if (fd >= 0)
		close(fd);
	json_decref(tenants);
	kyc_buf_release(&b);
	return rc;
}

struct replay {
	kyc_store *store;
	const char *data_dir;
	struct kyc_erasure_replay *out;
	char *err;
	size_t errsz;
};

static int replay_one(const struct kyc_erasure_entry *e, void *arg)
{
	struct replay *r = arg;
	r->out->entries++;
	json_t *app = NULL, *erased = NULL;
	int rc = kyc_store_get(r->store, KYC_R_APPLICANT, e->tenant_id, e->applicant_id, &app);
	if (rc == KYC_ERR_NOTFOUND)
		return 0; /* a database from before the applicant existed */
	if (rc) {
		snprintf(r->err, r->errsz, "cannot read applicant %s: %s", e->applicant_id,
		         kyc_err_name(rc));
		return rc;
	}
	if (kyc_erasure_is_erased(app))
		goto out;
	struct kyc_flow f = {.store = r->store,
	                     .tenant_id = e->tenant_id,
	                     .actor = "erasure-log",
	                     .data_dir = r->data_dir};
	struct kyc_jerr je = {0};
	if (kyc__erasure_applicant(&f, e->applicant_id, false, &erased, &je) != 0) {
		/* another server on the same data, starting too, was first */
		if (je.status == 410 || je.status == 404)
			goto out;
		snprintf(r->err, r->errsz, "cannot erase applicant %s again: %s (%s)",
		         e->applicant_id, je.code, je.detail);
		rc = KYC_ERR_IO;
		goto out;
	}
	r->out->reapplied++;
	kyc_logf(KYC_LOG_WARN,
	         "applicant %s of tenant %s, erased at %" PRId64
	         " ms but present in this database (a restored backup?), erased again",
	         e->applicant_id, e->tenant_id, e->at_ms);
out:
	json_decref(app);
	json_decref(erased);
	return rc;
}

int kyc_erasure_log_replay(kyc_store *s, const char *data_dir, const char *path,
                           struct kyc_erasure_replay *out, char *err, size_t errsz)
{
	*out = (struct kyc_erasure_replay){0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errsz, "cannot open the erasure log %s: %s", path, strerror(errno));
		return KYC_ERR_IO;
	}
	struct replay r = {s, data_dir, out, err, errsz};
	/* read in chunks, whole lines parsed, the rest carried over: the log
	 * grows with every erasure ever made */
	char buf[64 * 1024];
	size_t have = 0;
	int skipping = 0, rc = 0;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof buf - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errsz, "cannot read the erasure log %s: %s", path,
			         strerror(errno));
			rc = KYC_ERR_IO;
			break;
		}
		have += (size_t)got;
		size_t from = 0;
		if (skipping) { /* the rest of a line longer than any entry */
			const char *nl = memchr(buf, '\n', have);
			if (!nl) {
				have = 0;
				if (got == 0)
					break;
				continue;
			}
			from = (size_t)(nl - buf) + 1;
			skipping = 0;
		}
		const char *last = memrchr(buf + from, '\n', have - from);
		/* at the end everything is parsed: a cut last line counts as bad */
		size_t whole = got == 0 ? have : last ? (size_t)(last - buf) + 1 : from;
		rc = kyc_erasure_log_parse(buf + from, whole - from, replay_one, &r, &out->bad);
		if (rc || got == 0)
			break;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
		if (have == sizeof buf) { /* no newline in a whole buffer */
			out->bad++;
			have = 0;
			skipping = 1;
		}
	}
	close(fd);
	return rc;
}
