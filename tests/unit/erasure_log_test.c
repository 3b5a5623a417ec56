/* The erasure log (src/flows/erasure_log.h): its lines written and read
 * back, what a crash or damage leaves (a cut last line, a line longer than
 * any entry, across the reader's 64 KiB chunks), the file's mode, and the
 * replay over a real store: an erased applicant restored from an earlier
 * copy of the database is erased again, once. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/rand.h"
#include "flows/erasure.h"
#include "flows/erasure_log.h"
#include "test.h"

static char dir[64];
static char erased_tenant[37], erased_app[37]; /* left erased in DIR/live */

struct seen {
	int n;
	struct kyc_erasure_entry last;
};

static int count(const struct kyc_erasure_entry *e, void *arg)
{
	struct seen *s = arg;
	s->n++;
	s->last = *e;
	return 0;
}

/* The entries of a small log file into *s; the lines that do not read. */
static long read_log(const char *path, struct seen *s)
{
	char buf[512];
	long bad = 0;
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	if (fd >= 0)
		close(fd);
	*s = (struct seen){0};
	if (n < 0 || kyc_erasure_log_parse(buf, (size_t)n, count, s, &bad) != 0)
		return -1;
	return bad;
}

static struct kyc_erasure_entry entry(int64_t at)
{
	struct kyc_erasure_entry e = {.at_ms = at};
	kyc_uuid_new(e.tenant_id);
	kyc_uuid_new(e.applicant_id);
	return e;
}

TEST(lines_are_written_and_read_back)
{
	struct kyc_erasure_entry e = entry(1764633600123LL);
	char line[KYC_ERASURE_LOG_LINE_MAX];
	int n = kyc_erasure_log_format(&e, line);
	REQUIRE(n > 0);
	CHECK(line[n - 1] == '\n');
	struct seen s = {0};
	long bad = 0;
	CHECK_INT(kyc_erasure_log_parse(line, (size_t)n, count, &s, &bad), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(bad, 0);
	CHECK_STR(s.last.tenant_id, e.tenant_id);
	CHECK_STR(s.last.applicant_id, e.applicant_id);
	CHECK_INT(s.last.at_ms, e.at_ms);

	/* the same line without its newline was cut by a crash */
	s.n = 0;
	CHECK_INT(kyc_erasure_log_parse(line, (size_t)n - 1, count, &s, &bad), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(bad, 1);

	/* refused: not a UUID, a negative time; read: damaged lines */
	struct kyc_erasure_entry wrong = e;
	snprintf(wrong.applicant_id, sizeof wrong.applicant_id, "../../etc/passwd");
	CHECK(kyc_erasure_log_format(&wrong, line) < 0);
	wrong = e;
	wrong.at_ms = -1;
	CHECK(kyc_erasure_log_format(&wrong, line) < 0);
	wrong.at_ms = 1000000000000000000LL; /* 19 digits: the reader takes 18 */
	CHECK(kyc_erasure_log_format(&wrong, line) < 0);
	/* the longest line the reader takes is written back (found by fuzz/erasure_log) */
	wrong.at_ms = 999999999999999999LL;
	n = kyc_erasure_log_format(&wrong, line);
	CHECK_INT(n, 3 + 36 + 1 + 36 + 1 + 18 + 1);
	bad = 0;
	s.n = 0;
	CHECK_INT(kyc_erasure_log_parse(line, (size_t)n, count, &s, &bad), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(s.last.at_ms, wrong.at_ms);
	const char *damaged[] = {"\n", "e2 x\n", "e1 \n", "garbage\n", NULL};
	bad = 0;
	s.n = 0;
	for (int i = 0; damaged[i]; i++)
		CHECK_INT(kyc_erasure_log_parse(damaged[i], strlen(damaged[i]), count, &s, &bad),
		          0);
	CHECK_INT(s.n, 0);
	CHECK_INT(bad, 4);
	/* a valid line with its time changed to 19 digits or a letter */
	n = kyc_erasure_log_format(&e, line);
	char longer[KYC_ERASURE_LOG_LINE_MAX + 8];
	snprintf(longer, sizeof longer, "%.*s1234567890123456789\n", n - 14, line);
	bad = 0;
	CHECK_INT(kyc_erasure_log_parse(longer, strlen(longer), count, &s, &bad), 0);
	line[n - 2] = 'x';
	CHECK_INT(kyc_erasure_log_parse(line, (size_t)n, count, &s, &bad), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(bad, 2);
}

TEST(the_file_is_private_and_appended_to)
{
	char path[128], err[256];
	snprintf(path, sizeof path, "%s/sub-log", dir);
	struct kyc_erasure_entry a = entry(1), b = entry(2);
	CHECK_INT(kyc_erasure_log_append(path, &a, err, sizeof err), 0);
	CHECK_INT(kyc_erasure_log_append(path, &b, err, sizeof err), 0);
	struct stat st;
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	struct seen s;
	CHECK_INT(read_log(path, &s), 0);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.last.applicant_id, b.applicant_id);
	snprintf(path, sizeof path, "%s/no-such-dir/log", dir);
	CHECK(kyc_erasure_log_append(path, &a, err, sizeof err) == KYC_ERR_IO);
	CHECK(strstr(err, "no-such-dir") != NULL);
	unlink(path);
}

/* The replay reads the file in chunks: entries on both sides of a 64 KiB
 * boundary, a line longer than a chunk, and a cut last line. None of these
 * applicants exists in the store, so each is read and left alone. */
TEST(the_replay_reads_every_line)
{
	char path[128], err[256];
	snprintf(path, sizeof path, "%s/big-log", dir);
	FILE *fp = fopen(path, "w");
	REQUIRE(fp != NULL);
	int written = 0;
	for (int i = 0; i < 1000; i++, written++) {
		char line[KYC_ERASURE_LOG_LINE_MAX];
		struct kyc_erasure_entry e = entry(i);
		fwrite(line, 1, (size_t)kyc_erasure_log_format(&e, line), fp);
		if (i == 500) /* 100 KiB without a newline */
			for (int j = 0; j < 100 * 1024; j++)
				fputc('x', fp);
		if (i == 500)
			fputc('\n', fp);
	}
	fputs("e1 cut-by-a-crash", fp);
	fclose(fp);
	kyc_store *s = NULL;
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	struct kyc_erasure_replay r;
	CHECK_INT(kyc_erasure_log_replay(s, dir, path, &r, err, sizeof err), 0);
	CHECK_INT(r.entries, written);
	CHECK_INT(r.bad, 2);
	CHECK_INT(r.reapplied, 0);
	snprintf(path, sizeof path, "%s/missing-log", dir);
	CHECK_INT(kyc_erasure_log_replay(s, dir, path, &r, err, sizeof err), 0);
	CHECK_INT(r.entries, 0);
	kyc_store_close(s);
}

/* An applicant erased after a copy of the database was taken: the copy,
 * replayed, has it erased again (its fields null), and a second replay
 * changes nothing. The log gets no new line. An erasure whose line cannot
 * be written is not made. */
TEST(a_restored_copy_is_erased_again)
{
	char err[256], tenant[37], live[128], copy[128], log[128], cmd[512];
	snprintf(live, sizeof live, "%s/live", dir);
	snprintf(copy, sizeof copy, "%s/copy", dir);
	snprintf(log, sizeof log, "%s/replay-log", dir);
	REQUIRE(mkdir(live, 0700) == 0);
	kyc_store *s = NULL;
	REQUIRE(kyc_store_open(live, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "t", tenant) == 0);
	char app[37];
	kyc_uuid_new(app);
	json_t *a = json_pack("{s:s, s:s, s:s}", "id", app, "first_name", "Erika", "last_name",
	                      "Mustermann");
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, a) == 0);
	json_decref(a);
	kyc_store_close(s);
	/* the copy: the database as it was (the store is closed, so whole) */
	snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", live, copy);
	REQUIRE(system(cmd) == 0);

	kyc_erasure_set_key_forget(kyc_erasure_forget_data_key);
	REQUIRE(kyc_store_open(live, &s, err, sizeof err) == 0);
	struct kyc_flow f = {.store = s, .tenant_id = tenant, .actor = "key:k", .data_dir = live};
	struct kyc_jerr je = {0};
	json_t *out = NULL, *got = NULL;
	/* a log that cannot be written: no erasure (a restore could undo it) */
	char unwritable[160];
	snprintf(unwritable, sizeof unwritable, "%s/no-such-dir/log", dir);
	REQUIRE(kyc_erasure_set_log(unwritable) == 0);
	CHECK(kyc_erasure_applicant(&f, app, &out, &je) != 0);
	CHECK_INT(je.status, 500);
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app, &got) == 0);
	CHECK(!kyc_erasure_is_erased(got));
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Mustermann");
	json_decref(got);
	REQUIRE(kyc_erasure_set_log(log) == 0);
	CHECK_INT(kyc_erasure_applicant(&f, app, &out, &je), 0);
	json_decref(out);
	kyc_store_close(s);

	struct stat before;
	REQUIRE(stat(log, &before) == 0);
	REQUIRE(kyc_store_open(copy, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app, &got) == 0);
	CHECK_STR(json_string_value(json_object_get(got, "last_name")), "Mustermann");
	json_decref(got);
	struct kyc_erasure_replay r;
	CHECK_INT(kyc_erasure_log_replay(s, copy, log, &r, err, sizeof err), 0);
	CHECK_INT(r.entries, 1);
	CHECK_INT(r.reapplied, 1);
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app, &got) == 0);
	CHECK(kyc_erasure_is_erased(got));
	CHECK(json_is_null(json_object_get(got, "last_name")));
	json_decref(got);
	CHECK_INT(kyc_erasure_log_replay(s, copy, log, &r, err, sizeof err), 0);
	CHECK_INT(r.reapplied, 0);
	kyc_store_close(s);
	struct stat after;
	REQUIRE(stat(log, &after) == 0);
	CHECK_INT(after.st_size, before.st_size);
	kyc_erasure_set_log(NULL);
	kyc_erasure_set_key_forget(NULL);
	memcpy(erased_tenant, tenant, sizeof erased_tenant);
	memcpy(erased_app, app, sizeof erased_app);
}

/* No log yet (an upgrade, or the log lost): one is started with every
 * applicant the database holds erased, once. */
TEST(a_missing_log_is_started_from_the_database)
{
	REQUIRE(erased_app[0]);
	char err[256], live[128], log[128];
	snprintf(live, sizeof live, "%s/live", dir);
	snprintf(log, sizeof log, "%s/seeded-log", dir);
	kyc_store *s = NULL;
	REQUIRE(kyc_store_open(live, &s, err, sizeof err) == 0);
	char other[37];
	kyc_uuid_new(other);
	json_t *a = json_pack("{s:s, s:s}", "id", other, "last_name", "Kept");
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, erased_tenant, a), 0);
	json_decref(a);
	int created = 0;
	long entries = 0;
	CHECK_INT(kyc_erasure_log_seed(s, log, &created, &entries, err, sizeof err), 0);
	CHECK_INT(created, 1);
	CHECK_INT(entries, 1);
	struct seen seen;
	CHECK_INT(read_log(log, &seen), 0);
	CHECK_INT(seen.n, 1);
	CHECK_STR(seen.last.tenant_id, erased_tenant);
	CHECK_STR(seen.last.applicant_id, erased_app);
	/* there now: left as it is */
	CHECK_INT(kyc_erasure_log_seed(s, log, &created, &entries, err, sizeof err), 0);
	CHECK_INT(created, 0);
	kyc_store_close(s);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-erasure-log-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	/* each store its own key beside it, and no log unless a test sets one */
	unsetenv("KYCD_MASTER_KEY_FILE");
	unsetenv("KYCD_ERASURE_LOG");
	RUN(lines_are_written_and_read_back);
	RUN(the_file_is_private_and_appended_to);
	RUN(the_replay_reads_every_line);
	RUN(a_restored_copy_is_erased_again);
	RUN(a_missing_log_is_started_from_the_database);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("erasure_log");
}
