/* bench/security: the API's latency while kycd is under the two attacks of
 * issue 14 — a 16-client console login flood with random usernames and an
 * HTTP/2 rapid-reset attempt — against its latency with no attack, measured
 * in the same run on a fresh `kycd serve` per scenario (release build,
 * --threads 2).
 *
 * The probe: PROBERS threads, each sending GET /v1/applicants on a
 * keep-alive connection at a fixed rate (open loop, latency counted from
 * when each request was due) for the whole scenario; p50/p99/max over all.
 * Usage: bench KYCD_BIN SECONDS */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "e2e.h"

#define PROBERS 2
#define FLOODERS 16
#define MAX_SAMPLES 400000
#define INTERVAL_S 0.002 /* per prober: 500 requests a second each */

static struct e2e_server srv;
static char key[128];
static atomic_int stop;
static double seconds;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct probe {
	double *ms;
	size_t n;
	size_t errors;
};

static size_t discard(void *p, size_t sz, size_t n, void *u)
{
	(void)p;
	(void)u;
	return sz * n;
}

static void *prober(void *arg)
{
	struct probe *p = arg;
	CURL *c = curl_easy_init();
	char url[128], auth[200];
	snprintf(url, sizeof url, "%s/v1/applicants?limit=20", srv.base);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Open loop: requests are due every INTERVAL_S and each one's latency
	 * counts from when it was due, so a stall shows in every request it
	 * held up, not just one (no coordinated omission). */
	double due = now_s();
	while (!atomic_load(&stop) && p->n < MAX_SAMPLES / PROBERS) {
		double wait = due - now_s();
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
		long status = 0;
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			p->ms[p->n++] = (now_s() - due) * 1e3;
		else
			p->errors++;
		due += INTERVAL_S;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static atomic_long attack_requests, attack_hashed;

/* Attack clients run at the lowest CPU priority: they stand in for other
 * machines, so their own CPU use should not be what slows kycd down (the
 * two cores are shared). What kycd spends answering them still counts. */
static void *attacker_main(void *arg)
{
	void *(**fn)(void *) = arg;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	return (*fn)(NULL);
}

static void *login_flooder(void *arg)
{
	(void)arg;
	unsigned seed = (unsigned)syscall(SYS_gettid) * 7919u + 17u;
	const char *hd[] = {"Content-Type: application/json", NULL};
	while (!atomic_load(&stop)) {
		char body[160];
		snprintf(body, sizeof body, "{\"username\":\"u%08x%08x\",\"password\":\"guess-%u\"}",
			 rand_r(&seed), rand_r(&seed), rand_r(&seed));
		struct e2e_resp r;
		if (e2e_req(&srv, "POST", "/console/api/login", hd, body, strlen(body), &r) == 0) {
			if (r.status == 401)
				atomic_fetch_add(&attack_hashed, 1);
			e2e_resp_free(&r);
		}
		atomic_fetch_add(&attack_requests, 1);
	}
	return NULL;
}

/* The control: the same 16 clients and connection pattern asking
 * GET /healthz, a request that hashes nothing: what the request rate alone
 * costs on this machine (the clients share its cores with kycd). */
static void *health_flooder(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct e2e_resp r;
		if (e2e_req(&srv, "GET", "/healthz", NULL, NULL, 0, &r) == 0)
			e2e_resp_free(&r);
		atomic_fetch_add(&attack_requests, 1);
	}
	return NULL;
}

/* The attack: up to 94,000 HEADERS (GET /, END_STREAM) +
 * RST_STREAM(CANCEL) pairs on one cleartext HTTP/2 connection, as fast as
 * the socket takes them; when the server closes the connection, a new one
 * 100 ms later (an attacker retrying, not a connection flood). */
static void *rapid_reset(void *arg)
{
	(void)arg;
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	static const unsigned char settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
	static const unsigned char block[] = {0x82, 0x86, 0x84, 0x41, 0x01, 'x'};
	unsigned char buf[64 * 28];
	char sink[65536];
	while (!atomic_load(&stop)) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		struct timeval tv = {.tv_sec = 1};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
		    send(fd, preface, sizeof preface - 1, MSG_NOSIGNAL) < 0 ||
		    send(fd, settings, sizeof settings, MSG_NOSIGNAL) < 0) {
			close(fd);
			continue;
		}
		uint32_t id = 1;
		int alive = 1;
		while (alive && !atomic_load(&stop) && id < 2 * 94000) {
			size_t n = 0;
			for (int i = 0; i < 64; i++, id += 2) {
				unsigned char *h = buf + n;
				h[0] = 0, h[1] = 0, h[2] = sizeof block, h[3] = 1, h[4] = 0x05;
				h[5] = (unsigned char)(id >> 24), h[6] = (unsigned char)(id >> 16);
				h[7] = (unsigned char)(id >> 8), h[8] = (unsigned char)id;
				memcpy(h + 9, block, sizeof block);
				unsigned char *r = h + 9 + sizeof block;
				r[0] = 0, r[1] = 0, r[2] = 4, r[3] = 3, r[4] = 0;
				memcpy(r + 5, h + 5, 4);
				r[9] = 0, r[10] = 0, r[11] = 0, r[12] = 8;
				n += 9 + sizeof block + 13;
			}
			if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n)
				alive = 0;
			else
				atomic_fetch_add(&attack_requests, 64);
			/* drain whatever came back without blocking */
			while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
				;
		}
		close(fd);
		usleep(100 * 1000);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct result {
	double p50, p99, max, rps;
	size_t n, errors;
	long attack, hashed;
};

static int scenario(const char *name, const char *const *env, void *(*attack)(void *),
		    int attackers, struct result *res)
{
	memset(&srv, 0, sizeof srv);
	memset(res, 0, sizeof *res);
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "bench", key, NULL) || e2e_start(&srv, env)) {
		fprintf(stderr, "%s: kycd did not start\n", name);
		return -1;
	}
	atomic_store(&stop, 0);
	atomic_store(&attack_requests, 0);
	atomic_store(&attack_hashed, 0);
	struct probe p[PROBERS];
	pthread_t pt[PROBERS], at[FLOODERS];
	for (int i = 0; i < attackers; i++)
		pthread_create(&at[i], NULL, attacker_main, &attack);
	usleep(300 * 1000); /* the attack is under way before the probe starts */
	double t0 = now_s();
	for (int i = 0; i < PROBERS; i++) {
		p[i] = (struct probe){.ms = malloc(sizeof(double) * (MAX_SAMPLES / PROBERS))};
		pthread_create(&pt[i], NULL, prober, &p[i]);
	}
	usleep((useconds_t)(seconds * 1e6));
	atomic_store(&stop, 1);
	for (int i = 0; i < PROBERS; i++)
		pthread_join(pt[i], NULL);
	double elapsed = now_s() - t0;
	for (int i = 0; i < attackers; i++)
		pthread_join(at[i], NULL);
	double *all = malloc(sizeof(double) * MAX_SAMPLES);
	for (int i = 0; i < PROBERS; i++) {
		memcpy(all + res->n, p[i].ms, p[i].n * sizeof(double));
		res->n += p[i].n;
		res->errors += p[i].errors;
		free(p[i].ms);
	}
	qsort(all, res->n, sizeof(double), cmp);
	if (res->n) {
		res->p50 = all[res->n / 2];
		res->p99 = all[(size_t)((double)res->n * 0.99)];
		res->max = all[res->n - 1];
	}
	free(all);
	res->rps = (double)res->n / elapsed;
	res->attack = atomic_load(&attack_requests);
	res->hashed = atomic_load(&attack_hashed);
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench KYCD_BIN SECONDS\n");
		return 2;
	}
	setenv("KYCD_BIN", argv[1], 1);
	seconds = atof(argv[2]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	static const char *const quiet[] = {"KYCD_LOG_LEVEL=warn", NULL};
	static const char *const no_addr_limit[] = {"KYCD_LOG_LEVEL=warn",
						    "KYCD_LOGIN_RATE_PER_MIN=0", NULL};
	static const char *const h2c_on[] = {"KYCD_LOG_LEVEL=warn", "KYCD_H2C=1", NULL};
	const struct {
		const char *name;
		const char *const *env;
		void *(*attack)(void *);
		int attackers;
	} sc[] = {
	    {"baseline (no attack)", quiet, NULL, 0},
	    {"16-client login flood", quiet, login_flooder, FLOODERS},
	    {"16-client GET /healthz flood (control: the request rate alone)", quiet, health_flooder,
	     FLOODERS},
	    {"16-client login flood, no per-address limit", no_addr_limit, login_flooder, FLOODERS},
	    {"rapid reset (h2c off, the default)", quiet, rapid_reset, 1},
	    {"rapid reset with KYCD_H2C=1 (for reference)", h2c_on, rapid_reset, 1},
	};
	struct result base = {0};
	printf("| scenario | API req/s | p50 | p99 | max | p99 / baseline | attack requests sent | "
	       "logins hashed |\n");
	printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
		struct result r;
		if (scenario(sc[i].name, sc[i].env, sc[i].attack, sc[i].attackers, &r))
			return 1;
		if (i == 0)
			base = r;
		printf("| %s | %.0f | %.2f ms | %.2f ms | %.0f ms | %.2f | %ld | %ld |\n", sc[i].name,
		       r.rps, r.p50, r.p99, r.max, base.p99 > 0 ? r.p99 / base.p99 : 0, r.attack,
		       r.hashed);
		if (r.errors)
			printf("|   (%zu probe requests failed) |||||||\n", r.errors);
		fflush(stdout);
	}
	curl_global_cleanup();
	return 0;
}
