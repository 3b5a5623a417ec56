/* bench/uploads: document uploads per second (POST
 * /v1/verifications/{id}/documents, multipart, the default workflow: decode,
 * MRZ read, checks, blob and rows written) on one kycd node with SQLite and
 * on one, two and three `kycd serve` nodes sharing one PostgreSQL database
 * and one data directory (issue #16, "speed per node"), behind a round-robin
 * client of CLIENTS threads. Configurations are interleaved in rounds in the
 * same run, each started fresh; the median of the rounds is printed with
 * the ratios to the SQLite node and to one PostgreSQL node.
 *
 * The PostgreSQL server is KYCD_TEST_PG (bench/uploads/run starts one with
 * tests/tools/pgtmp); the nodes are $KYCD_BIN.
 * Usage: bench ROUNDS UPLOADS CLIENTS */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "document/synth.h"
#include "e2e.h"
#include "form.h"
#include "specimen.h"

enum { MAXNODES = 3, NCONF = 4, NPHOTOS = 32 };

static const struct conf {
	const char *name;
	int pg, nodes;
} confs[NCONF] = {
	{"sqlite, 1 node", 0, 1},
	{"postgres, 1 node", 1, 1},
	{"postgres, 2 nodes", 1, 2},
	{"postgres, 3 nodes", 1, 3},
};

/* Different valid people, so that no upload is a duplicate of another. */
static struct photo {
	unsigned char *jpg;
	size_t len;
} photos[NPHOTOS];

static struct run {
	struct e2e_server node[MAXNODES];
	int nodes;
	char key[128];
	char (*ver)[64];
	int uploads;
	pthread_mutex_t mu;
	int next;   /* the next upload to send */
	int failed; /* uploads not answered 201 */
} R;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *client(void *arg)
{
	(void)arg;
	char auth[200], path[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", R.key);
	const char *h[] = {auth, FORM_CONTENT_TYPE, NULL};
	for (;;) {
		pthread_mutex_lock(&R.mu);
		int i = R.next < R.uploads ? R.next++ : -1;
		pthread_mutex_unlock(&R.mu);
		if (i < 0)
			return NULL;
		const struct photo *p = &photos[i % NPHOTOS];
		size_t bl;
		char *mp = form_document("passport", "front", p->jpg, p->len, &bl);
		snprintf(path, sizeof path, "/v1/verifications/%s/documents", R.ver[i]);
		struct e2e_resp r = {0};
		int rc = mp ? e2e_req(&R.node[i % R.nodes], "POST", path, h, mp, bl, &r) : -1;
		if (rc != 0 || r.status != 201) {
			fprintf(stderr, "bench/uploads: upload %d: %ld %s\n", i, r.status,
				r.body ? r.body : "");
			pthread_mutex_lock(&R.mu);
			R.failed++;
			pthread_mutex_unlock(&R.mu);
		}
		e2e_resp_free(&r);
		free(mp);
	}
}

/* Starts the nodes of cf, makes a tenant, an applicant and one verification
 * per upload (untimed), then times the uploads from clients threads. The
 * uploads per second, or -1. */
static double run_conf(const struct conf *cf, const char *pg, int uploads, int clients)
{
	double rate = -1;
	memset(&R.node, 0, sizeof R.node);
	R.nodes = cf->nodes;
	R.uploads = uploads;
	R.next = 0;
	R.failed = 0;
	/* e2e makes the database on KYCD_TEST_PG when it is set */
	if (cf->pg)
		setenv("KYCD_TEST_PG", pg, 1);
	else
		unsetenv("KYCD_TEST_PG");
	struct e2e_server *first = &R.node[0];
	if (e2e_data_dir(first) != 0)
		return -1;
	for (int n = 1; n < cf->nodes; n++) {
		memcpy(R.node[n].data_dir, first->data_dir, sizeof first->data_dir);
		memcpy(R.node[n].db, first->db, sizeof first->db);
		snprintf(R.node[n].log_path, sizeof R.node[n].log_path, "%s.node%d.log",
			 first->data_dir, n);
	}
	/* the first alone makes the master key and migrates */
	int started = 0;
	for (; started < cf->nodes; started++)
		if (e2e_start(&R.node[started], NULL) != 0)
			goto out;
	if (e2e_tenant(first, "bench", R.key, NULL) != 0)
		goto out;
	struct e2e_resp r;
	char app[64] = "", body[200];
	if (e2e_json(first, "POST", "/v1/applicants", R.key, "{\"external_ref\":\"bench\"}", &r) ==
		    0 &&
	    r.status == 201)
		snprintf(app, sizeof app, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (!app[0])
		goto out;
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", app);
	for (int i = 0; i < uploads; i++) {
		R.ver[i][0] = 0;
		if (e2e_json(first, "POST", "/v1/verifications", R.key, body, &r) == 0 &&
		    r.status == 201)
			snprintf(R.ver[i], sizeof R.ver[i], "%s", e2e_str(&r, "id"));
		e2e_resp_free(&r);
		if (!R.ver[i][0])
			goto out;
	}
	pthread_t th[64];
	int nt = 0;
	double t0 = now_s();
	for (; nt < clients; nt++)
		if (pthread_create(&th[nt], NULL, client, NULL) != 0)
			break;
	for (int t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
	double secs = now_s() - t0;
	if (nt == clients && !R.failed)
		rate = uploads / secs;
out:
	for (int n = 0; n < started; n++)
		e2e_stop(&R.node[n]);
	for (int n = 1; n < cf->nodes; n++)
		unlink(R.node[n].log_path);
	if (rate < 0)
		fprintf(stderr, "bench/uploads: %s failed; logs in %s.log\n", cf->name,
			first->data_dir);
	else
		unlink(first->log_path);
	e2e_cleanup(first);
	return rate;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double s[64];
	memcpy(s, v, (size_t)n * sizeof *v);
	qsort(s, (size_t)n, sizeof *s, cmp);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	const char *pg = getenv("KYCD_TEST_PG");
	if (argc != 4 || !pg || !*pg) {
		fprintf(stderr, "usage: KYCD_TEST_PG=CONNINFO bench ROUNDS UPLOADS CLIENTS\n");
		return 2;
	}
	char *pgc = strdup(pg);
	int rounds = atoi(argv[1]), uploads = atoi(argv[2]), clients = atoi(argv[3]);
	if (!pgc || rounds < 1 || rounds > 64 || uploads < 1 || clients < 1 || clients > 64)
		return 2;
	R.ver = calloc((size_t)uploads, sizeof *R.ver);
	if (!R.ver)
		return 1;
	pthread_mutex_init(&R.mu, NULL);
	uint64_t seed = 0xB0B5000000000016ull;
	for (int i = 0, from = 0; i < NPHOTOS; i++) {
		int idx = specimen_valid_index(seed, KYC_SYNTH_TD3, from, 1);
		struct kyc_synth_doc truth;
		if (kyc_synth_make(seed, idx, 0, KYC_SYNTH_TD3, &truth, &photos[i].jpg,
				   &photos[i].len))
			return 1;
		from = idx + 1;
	}
	double rate[NCONF][64];
	for (int round = 0; round < rounds; round++)
		for (int k = 0; k < NCONF; k++) {
			rate[k][round] = run_conf(&confs[k], pgc, uploads, clients);
			if (rate[k][round] < 0)
				return 1;
			fprintf(stderr, "  round %d, %s: %.1f uploads/s\n", round + 1,
				confs[k].name, rate[k][round]);
		}
	double sq = median(rate[0], rounds), pg1 = median(rate[1], rounds);
	printf("%-20s %12s %10s %10s\n", "configuration", "uploads/s", "x sqlite", "x pg 1");
	for (int k = 0; k < NCONF; k++) {
		double m = median(rate[k], rounds);
		printf("%-20s %12.1f %10.2f %10.2f\n", confs[k].name, m, m / sq, m / pg1);
	}
	for (int i = 0; i < NPHOTOS; i++)
		free(photos[i].jpg);
	free(R.ver);
	free(pgc);
	return 0;
}
