/* Encryption at rest (issue 14, docs/security.md): a stolen data directory
 * without the master key reveals no document and no name. The real kycd
 * serves with its master key outside the data directory; generated passports
 * with known names, numbers and birth dates are submitted over HTTP; then
 * every byte of every file under the data directory (the database, its WAL,
 * every blob) and of a backup is searched for those values and for runs of
 * the photo's bytes. The same values must come back through the API, so the
 * search is of data that was stored. On PostgreSQL the database is not in
 * the data directory: every row of every table, as the server hands it out
 * (what pg_dump would copy), is searched instead of the backup. Then: the key
 * file is required and must be the right one, and `kycd keys rotate` runs
 * under the serving kycd. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "document/synth.h"
#include "e2e.h"
#include "test.h"

static struct e2e_server srv;
static char key[128], tenant[64], key_file[200], key_env[260];
static uint64_t seed;

struct person {
	struct kyc_synth_doc truth;
	unsigned char *jpg;
	size_t len;
	char applicant[64], verification[64], file[64];
};
static struct person people[2];

/* Values that must not be found at rest, with what they are. */
struct needle {
	const char *what;
	unsigned char bytes[256];
	size_t len;
};
static struct needle needles[64];
static int nneedles;

static void add_needle(const char *what, const void *p, size_t len)
{
	if (nneedles == 64 || len == 0 || len > sizeof needles[0].bytes)
		return;
	needles[nneedles].what = what;
	memcpy(needles[nneedles].bytes, p, len);
	needles[nneedles].len = len;
	nneedles++;
}

static void add_text(const char *what, const char *s)
{
	add_needle(what, s, strlen(s));
}

static int adult_and_valid(const struct kyc_synth_fields *f)
{
	int64_t exp, birth, today = kyc_now_ms() / 86400000;
	if (kyc_date_parse(f->expiry_date, 10, &exp) || kyc_date_parse(f->birth_date, 10, &birth))
		return 0;
	return exp > today + 30 && today - birth > 20 * 366 && strlen(f->surname) >= 4 &&
	       strlen(f->given_names) >= 4 && !strcmp(f->issuing_country, f->nationality);
}

static int make_person(int from, struct person *p)
{
	for (int i = from; i < from + 200; i++) {
		struct kyc_synth_identity id;
		if (kyc_synth_identity(seed, i, KYC_SYNTH_TD3, &id) || !adult_and_valid(&id.f))
			continue;
		return kyc_synth_make(seed, i, 0, KYC_SYNTH_TD3, &p->truth, &p->jpg, &p->len) ? -1
															: i;
	}
	return -1;
}

static int upload(const char *ver, const unsigned char *img, size_t len, struct e2e_resp *r)
{
	static const char bnd[] = "atrestboundary";
	size_t cap = len + 1024, n = 0;
	char *b = malloc(cap);
	if (!b)
		return -1;
	n += (size_t)snprintf(b + n, cap - n,
			      "--%s\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\npassport\r\n"
			      "--%s\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n"
			      "--%s\r\nContent-Disposition: form-data; name=\"image\"; "
			      "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
			      bnd, bnd, bnd);
	memcpy(b + n, img, len);
	n += len;
	n += (size_t)snprintf(b + n, cap - n, "\r\n--%s--\r\n", bnd);
	char auth[200], ct[100], path[200], idem[120];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	/* the stored first answer (idempotency) shows the document too */
	snprintf(idem, sizeof idem, "Idempotency-Key: at-rest-%s", ver);
	snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s", bnd);
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	const char *h[] = {auth, ct, idem, NULL};
	int rc = e2e_req(&srv, "POST", path, h, b, n, r);
	free(b);
	return rc;
}

/* Title case of an upper-case MRZ name ("ERIKSSON" -> "Eriksson"). */
static void title(const char *in, char *out, size_t n)
{
	snprintf(out, n, "%s", in);
	for (size_t i = 1; out[i]; i++)
		if (out[i - 1] != ' ' && out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

/* Submits person p: an applicant with its names, birth date and address, a
 * verification, the passport photo. */
static int submit(struct person *p)
{
	const struct kyc_synth_fields *f = &p->truth.id.f;
	char given[64], surname[64], body[1024], mail[64];
	title(f->given_names, given, sizeof given);
	title(f->surname, surname, sizeof surname);
	size_t m = 0;
	for (const char *c = surname; *c && m < sizeof mail - 1; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
			mail[m++] = *c;
	mail[m] = '\0';
	snprintf(body, sizeof body,
		 "{\"external_ref\":\"at-rest\",\"first_name\":\"%s\",\"last_name\":\"%s\","
		 "\"birth_date\":\"%s\",\"email\":\"%s@example.org\",\"phone\":\"+46701234567\","
		 "\"personal_code\":\"%s\",\"metadata\":{\"address\":\"17 %s Street, %s\"}}",
		 given, surname, f->birth_date, mail, f->document_number, surname,
		 p->truth.id.birth_place);
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", "/v1/applicants", key, body, &r) || r.status != 201) {
		fprintf(stderr, "  applicant: %s\n", r.body);
		e2e_resp_free(&r);
		return -1;
	}
	snprintf(p->applicant, sizeof p->applicant, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", p->applicant);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201) {
		e2e_resp_free(&r);
		return -1;
	}
	snprintf(p->verification, sizeof p->verification, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (upload(p->verification, p->jpg, p->len, &r) || r.status != 201) {
		fprintf(stderr, "  upload: %ld %s\n", r.status, r.body);
		e2e_resp_free(&r);
		return -1;
	}
	const char *fid = json_string_value(json_object_get(r.json, "file_id"));
	snprintf(p->file, sizeof p->file, "%s", fid ? fid : "");
	e2e_resp_free(&r);
	/* what must be hidden: as typed, as the MRZ has it, the MRZ lines */
	add_text("surname", surname);
	add_text("SURNAME", f->surname);
	add_text("given names", given);
	add_text("GIVEN NAMES", f->given_names);
	add_text("document number", f->document_number);
	add_text("birth date", f->birth_date);
	add_text("MRZ line 1", p->truth.id.lines[0]);
	add_text("MRZ line 2", p->truth.id.lines[1]);
	add_text("birth place", p->truth.id.birth_place);
	/* runs of the photo's bytes from across the file */
	for (int k = 1; k <= 8; k++)
		add_needle("photo bytes", p->jpg + p->len * (size_t)k / 10, 48);
	return 0;
}

/* Searches every file under dir for every needle; counts files and bytes
 * searched, reports each find. The number of finds. */
static int search_dir(const char *dir, int *files, size_t *bytes)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			found += search_dir(path, files, bytes);
			continue;
		}
		size_t len = 0;
		unsigned char *b = test_read_file(path, &len);
		if (!b)
			continue;
		(*files)++;
		*bytes += len;
		for (int i = 0; i < nneedles; i++)
			if (memmem(b, len, needles[i].bytes, needles[i].len)) {
				fprintf(stderr, "  %s found in %s\n", needles[i].what, path);
				found++;
			}
		free(b);
	}
	closedir(d);
	return found;
}

/* The values were stored: they come back through the API. */
static void readable_through_the_api(void)
{
	for (int i = 0; i < 2; i++) {
		struct person *p = &people[i];
		char path[160];
		struct e2e_resp r;
		snprintf(path, sizeof path, "/v1/applicants/%s", p->applicant);
		REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(!strcasecmp(e2e_str(&r, "last_name"), p->truth.id.f.surname));
		CHECK_STR(e2e_str(&r, "birth_date"), p->truth.id.f.birth_date);
		CHECK_STR(e2e_str(&r, "personal_code"), p->truth.id.f.document_number);
		e2e_resp_free(&r);
		snprintf(path, sizeof path, "/v1/files/%s", p->file);
		REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(r.body_len == p->len && !memcmp(r.body, p->jpg, p->len));
		e2e_resp_free(&r);
	}
}

/* The search itself finds what it looks for: a folder holding a photo and
 * the API's answer (plain text) is searched the same way. */
static void search_finds_plaintext(void)
{
	char ctl[220], path[260];
	snprintf(ctl, sizeof ctl, "%.150s.control", srv.data_dir);
	REQUIRE(mkdir(ctl, 0700) == 0);
	snprintf(path, sizeof path, "%s/photo.jpg", ctl);
	FILE *fp = fopen(path, "wb");
	REQUIRE(fp != NULL);
	fwrite(people[0].jpg, 1, people[0].len, fp);
	fclose(fp);
	struct e2e_resp r;
	char get[160];
	snprintf(get, sizeof get, "/v1/applicants/%s", people[1].applicant);
	REQUIRE(e2e_json(&srv, "GET", get, key, NULL, &r) == 0);
	snprintf(path, sizeof path, "%s/sub", ctl);
	REQUIRE(mkdir(path, 0700) == 0);
	snprintf(path, sizeof path, "%s/sub/answer.json", ctl);
	fp = fopen(path, "wb");
	REQUIRE(fp != NULL);
	fwrite(r.body, 1, r.body_len, fp);
	fclose(fp);
	e2e_resp_free(&r);
	int files = 0;
	size_t bytes = 0;
	/* 8 photo runs; surname, given names, birth date, birth place (in the address) */
	CHECK(search_dir(ctl, &files, &bytes) >= 12);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", ctl);
	CHECK_INT(system(cmd), 0);
}

TEST(stolen_data_directory_reveals_nothing)
{
	int from = 0;
	for (int i = 0; i < 2; i++) {
		from = make_person(from, &people[i]) + 1;
		REQUIRE(from > 0);
		REQUIRE(submit(&people[i]) == 0);
	}
	readable_through_the_api();
	search_finds_plaintext();
	/* while serving: the WAL holds the newest pages */
	int files = 0;
	size_t bytes = 0;
	CHECK_INT(search_dir(srv.data_dir, &files, &bytes), 0);
	/* the search sees the data: the blobs at least are there (on PostgreSQL,
	 * only they) */
	int pg = !strcmp(e2e_backend(), "postgres");
	CHECK(files >= (pg ? 2 : 3));
	CHECK(bytes > people[0].len + people[1].len);
	/* a backup, then stopped: everything on disk (on PostgreSQL, its rows) */
	char backup[200], *out = NULL;
	snprintf(backup, sizeof backup, "%.150s.backup", srv.data_dir);
	if (pg) {
		char dump[260];
		REQUIRE(mkdir(backup, 0700) == 0);
		snprintf(dump, sizeof dump, "%s/rows", backup);
		CHECK_INT(e2e_db_dump(&srv, dump), 0);
	} else {
		const char *args[] = {"backup", backup, NULL};
		CHECK_INT(e2e_cli(&srv, &out, args), 0);
		free(out);
	}
	e2e_stop(&srv);
	files = 0;
	bytes = 0;
	CHECK_INT(search_dir(srv.data_dir, &files, &bytes), 0);
	fprintf(stderr, "  %d needles, %d files (%zu bytes) searched\n", nneedles, files, bytes);
	files = 0;
	bytes = 0;
	CHECK_INT(search_dir(backup, &files, &bytes), 0);
	CHECK(files >= (pg ? 1 : 3));
	CHECK(bytes > 1000); /* the rows are there */
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", backup);
	CHECK_INT(system(cmd), 0);
}

/* Without its master key the data directory opens for nobody: a missing
 * file, and another key, are refused before anything is served. */
TEST(the_key_is_required)
{
	char other[220], env[300], *out = NULL;
	snprintf(other, sizeof other, "%.150s.other.key", srv.data_dir);
	const char *init[] = {"keys", "init", "--out", other, NULL};
	REQUIRE(e2e_cli(&srv, &out, init) == 0);
	free(out);
	/* keys init never overwrites */
	CHECK(e2e_cli(&srv, &out, init) != 0);
	free(out);
	struct stat st;
	REQUIRE(stat(other, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	const char *args[] = {"tenant", "create", "thief", NULL};
	setenv("KYCD_MASTER_KEY_FILE", other, 1);
	CHECK(e2e_cli(&srv, &out, args) != 0);
	free(out);
	snprintf(env, sizeof env, "%.150s.missing.key", srv.data_dir);
	setenv("KYCD_MASTER_KEY_FILE", env, 1);
	CHECK(e2e_cli(&srv, &out, args) != 0);
	free(out);
	/* a key file others may read is refused too */
	chmod(other, 0644);
	setenv("KYCD_MASTER_KEY_FILE", other, 1);
	CHECK(e2e_cli(&srv, &out, args) != 0);
	free(out);
	unlink(other);
	setenv("KYCD_MASTER_KEY_FILE", key_file, 1);
}

/* kycd keys rotate while kycd serves: a new key file, every record still
 * readable by the running server and after a restart. */
TEST(rotation_while_serving)
{
	const char *env[] = {key_env, NULL};
	REQUIRE(e2e_start(&srv, env) == 0);
	size_t before_len = 0, after_len = 0;
	unsigned char *before = test_read_file(key_file, &before_len);
	char *out = NULL;
	const char *args[] = {"keys", "rotate", NULL};
	CHECK_INT(e2e_cli(&srv, &out, args), 0);
	json_t *j = out ? json_loads(out, 0, NULL) : NULL;
	CHECK(json_integer_value(json_object_get(j, "tenant_keys_rewrapped")) >= 1);
	CHECK_INT(json_integer_value(json_object_get(j, "old_keys_dropped")), 1);
	json_decref(j);
	free(out);
	unsigned char *after = test_read_file(key_file, &after_len);
	CHECK(before && after && after_len == 65 && memcmp(before, after, 64) != 0);
	free(before);
	free(after);
	readable_through_the_api();
	/* a new tenant's first writes after the rotation */
	char key2[128], t2[64];
	REQUIRE(e2e_tenant(&srv, "after-rotation", key2, t2) == 0);
	struct e2e_resp r;
	CHECK_INT(e2e_json(&srv, "POST", "/v1/applicants", key2, "{\"last_name\":\"Rotated\"}", &r),
		  0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	e2e_stop(&srv);
	REQUIRE(e2e_start(&srv, env) == 0);
	readable_through_the_api();
	e2e_stop(&srv);
}

int main(void)
{
	seed = (uint64_t)time(NULL);
	fprintf(stderr, "  synth seed %llu\n", (unsigned long long)seed);
	if (e2e_data_dir(&srv))
		return 1;
	/* the key beside, not inside, the data directory */
	snprintf(key_file, sizeof key_file, "%.150s.master.key", srv.data_dir);
	snprintf(key_env, sizeof key_env, "KYCD_MASTER_KEY_FILE=%s", key_file);
	setenv("KYCD_MASTER_KEY_FILE", key_file, 1);
	char *out = NULL;
	const char *init[] = {"keys", "init", NULL};
	const char *env[] = {key_env, NULL};
	if (e2e_cli(&srv, &out, init) || e2e_tenant(&srv, "at-rest", key, tenant) ||
	    e2e_start(&srv, env)) {
		free(out);
		e2e_cleanup(&srv);
		unlink(key_file);
		printf("[at_rest] 0 passed, 1 failed\n");
		return 1;
	}
	free(out);
	RUN(stolen_data_directory_reveals_nothing);
	RUN(the_key_is_required);
	RUN(rotation_while_serving);
	for (int i = 0; i < 2; i++)
		free(people[i].jpg);
	e2e_cleanup(&srv);
	unlink(key_file);
	return test_done("at_rest");
}
