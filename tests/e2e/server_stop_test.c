/* The server's timeouts and its graceful stop, in-process on 127.0.0.1 port 0
 * (the harness in server_harness.h): slow requests and stalled readers are
 * cut after the I/O timeout; a stop lets a slow request and a body still
 * arriving finish while idle keep-alive connections do not delay it; then
 * nobody listens. Also the listen-address forms. */
#include <signal.h>

#include "e2e.h"
#include "server_harness.h"

TEST(slow_clients_time_out)
{
	/* Half a request line, then silence: closed after about IO_TIMEOUT_MS. */
	int fd = raw_connect();
	REQUIRE(fd >= 0);
	const char part[] = "GET /info/a/b HTTP/1.1\r\nHost: x\r\n";
	CHECK(write(fd, part, sizeof part - 1) == (ssize_t)(sizeof part - 1));
	double t0 = now_ms();
	char buf[4096];
	ssize_t n = read_to_eof(fd, buf, sizeof buf, IO_TIMEOUT_MS * 3);
	double dt = now_ms() - t0;
	CHECK(n >= 0);
	CHECK(dt >= IO_TIMEOUT_MS * 0.5 && dt < IO_TIMEOUT_MS * 2.5);
	close(fd);

	/* A body that stops half-way. */
	fd = raw_connect();
	REQUIRE(fd >= 0);
	const char post[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-some";
	CHECK(write(fd, post, sizeof post - 1) == (ssize_t)(sizeof post - 1));
	n = read_to_eof(fd, buf, sizeof buf, IO_TIMEOUT_MS * 3);
	CHECK(n >= 0);
	CHECK(!strstr(buf, "200 OK"));
	close(fd);
}

TEST(stalled_readers_time_out)
{
	/* Asks for 32 MiB and reads none of it: the server must give up on the
	 * connection after about the I/O timeout instead of holding it forever. */
	int fd = raw_connect();
	REQUIRE(fd >= 0);
	/* (No tiny SO_RCVBUF: on loopback, segments larger than the window are
	 * dropped and retransmitted with back-off, which would slow the drain
	 * below to a crawl.) */
	const char get[] = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK(write(fd, get, sizeof get - 1) == (ssize_t)(sizeof get - 1));
	struct timespec ts = {IO_TIMEOUT_MS * 3 / 1000, 0};
	nanosleep(&ts, NULL);
	/* Now drain: the server gave up, so the stream ends early with EOF
	 * (a timeout here means the connection is still held open). */
	static char buf[1u << 20];
	ssize_t n = read_to_eof(fd, buf, sizeof buf, 10000);
	size_t total = 0;
	while (n > 0 && (size_t)n + 1 >= sizeof buf) { /* buffer full: keep reading */
		total += (size_t)n;
		n = read_to_eof(fd, buf, sizeof buf, 10000);
	}
	CHECK(n >= 0);
	total += n > 0 ? (size_t)n : 0;
	CHECK(total < (32u << 20));
	close(fd);
}

static struct resp slow_resp;
static int slow_rc = -1;

static void *slow_client(void *arg)
{
	(void)arg;
	slow_rc = req(NULL, "GET", "/slow", NULL, NULL, 0, &slow_resp);
	return NULL;
}

TEST(graceful_stop_finishes_in_flight_requests)
{
	/* An idle keep-alive connection must not hold the stop up. */
	CURL *idle = curl_easy_init();
	struct resp r;
	REQUIRE(req(idle, "GET", "/info/a/b", NULL, NULL, 0, &r) == 0);
	resp_free(&r);

	pthread_t t;
	pthread_create(&t, NULL, slow_client, NULL);
	for (int i = 0; i < 200 && !atomic_load(&slow_started); i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	CHECK(atomic_load(&slow_started));
	/* A request whose body is still arriving when the stop comes. */
	int up = raw_connect();
	REQUIRE(up >= 0);
	const char part1[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello";
	CHECK(write(up, part1, sizeof part1 - 1) == (ssize_t)(sizeof part1 - 1));
	/* the request is under way on the server when the stop comes */
	CHECK(e2e_wait_server_read(up));
	double t0 = now_ms();
	kill(getpid(), SIGTERM); /* what kycd serve gets; server_test.c uses kyc_server_stop() */
	/* The rest of the body follows once the stop is under way: when the
	 * listener is closed and new connections are refused (waited for, not
	 * slept on). */
	int refused = 0;
	for (int i = 0; i < 1000 && !refused; i++) {
		int probe = raw_connect();
		refused = probe < 0;
		if (probe >= 0) {
			close(probe);
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	CHECK(refused);
	CHECK(write(up, "world", 5) == 5);
	char buf[4096];
	ssize_t n = read_to_eof(up, buf, sizeof buf, 5000);
	close(up);
	CHECK(n > 0 && !strncmp(buf, "HTTP/1.1 200", 12));
	CHECK(n > 0 && strstr(buf, "\r\n\r\nhelloworld") != NULL);
	CHECK(n > 0 && strcasestr(buf, "\r\nconnection: close\r\n") != NULL);
	pthread_join(t, NULL);
	pthread_join(srv_thread, NULL);
	double dt = now_ms() - t0;
	CHECK_INT(srv_rc, 0);
	CHECK_INT(slow_rc, 0);
	CHECK_INT(slow_resp.status, 200);
	CHECK_INT(slow_resp.body.len, 256 * 1024);
	/* Idle keep-alive connections are closed at once: the stop waits for the
	 * slow request only, not for the idle timeout or the 10 s grace. */
	CHECK(dt < IO_TIMEOUT_MS - 200); /* the idle one would time out at about IO_TIMEOUT_MS */
	CHECK_INT(atomic_load(&fini_calls), NTHREADS);
	resp_free(&slow_resp);

	/* Nobody listens any more. */
	REQUIRE(req(idle, "GET", "/info/a/b", NULL, NULL, 0, &r) != 0);
	resp_free(&r);
	curl_easy_cleanup(idle);
}

TEST(listen_addresses)
{
	const char *good[] = {"127.0.0.1:0", "[::1]:0", "localhost:0"};
	const char *bad[] = {"127.0.0.1", "[::1]0", "127.0.0.1:99999", "no.such.host.invalid:0", ""};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct kyc_server_config cfg = {.listen = good[i], .threads = 1};
		char err[256] = "";
		kyc_server *s = kyc_server_new(&cfg, err, sizeof err);
		REQUIRE(s != NULL);
		int rc = kyc_server_listen(s, err, sizeof err);
		if (rc != 0 && !strcmp(good[i], "[::1]:0"))
			fprintf(stderr, "  (no IPv6 loopback here: %s)\n", err);
		else
			CHECK(rc == 0 && kyc_server_port(s) > 0);
		kyc_server_free(s); /* never run: must still clean up */
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kyc_server_config cfg = {.listen = bad[i], .threads = 1};
		char err[256] = "";
		kyc_server *s = kyc_server_new(&cfg, err, sizeof err);
		REQUIRE(s != NULL);
		CHECK(kyc_server_listen(s, err, sizeof err) != 0);
		CHECK(err[0] != '\0');
		kyc_server_free(s);
	}
}

/* A server thread that cannot open what it needs (its thread_init fails)
 * stops the server before any thread serves: a request sent while that
 * thread is still starting is never answered, and run reports the failure.
 * Without the start gate, thread 0 answered at once. */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t held_cond = PTHREAD_COND_INITIALIZER;
static int held_release;

static void *t_init_held(void *app, int index)
{
	if (index == 0)
		return t_init(app, index);
	pthread_mutex_lock(&held_lock);
	while (!held_release)
		pthread_cond_wait(&held_cond, &held_lock);
	pthread_mutex_unlock(&held_lock);
	return NULL; /* e.g. its database could not be opened */
}

static kyc_server *held_srv;
static int held_rc = -100;

static void *serve_held(void *arg)
{
	(void)arg;
	held_rc = kyc_server_run(held_srv);
	return NULL;
}

TEST(a_thread_that_cannot_start_stops_the_server_before_it_serves)
{
	struct kyc_server_config cfg = {.listen = "127.0.0.1:0",
					.threads = 2,
					.io_timeout_ms = IO_TIMEOUT_MS,
					.thread_init = t_init_held,
					.thread_fini = t_fini,
					.app = &app_value};
	char err[256] = "";
	held_srv = kyc_server_new(&cfg, err, sizeof err);
	REQUIRE(held_srv != NULL);
	REQUIRE(kyc_server_route(held_srv, "GET", "/info/{a}/{b}", h_info) == 0);
	REQUIRE(kyc_server_listen(held_srv, err, sizeof err) == 0);
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, serve_held, NULL) == 0);

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)kyc_server_port(held_srv))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
	const char get[] = "GET /info/a/b HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK(write(fd, get, sizeof get - 1) == (ssize_t)(sizeof get - 1));
	/* thread 1 is still starting: nobody answers */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	CHECK(poll(&p, 1, 500) == 0);

	pthread_mutex_lock(&held_lock);
	held_release = 1;
	pthread_cond_broadcast(&held_cond);
	pthread_mutex_unlock(&held_lock);
	pthread_join(t, NULL);
	CHECK(held_rc != 0);
	char buf[512] = "";
	ssize_t n = read_to_eof(fd, buf, sizeof buf - 1, IO_TIMEOUT_MS);
	CHECK(n <= 0 || !strstr(buf, "200"));
	close(fd);
	kyc_server_free(held_srv);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (start_server() != 0) {
		fprintf(stderr, "could not start the test server\n");
		return 1;
	}
	RUN(slow_clients_time_out);
	RUN(stalled_readers_time_out);
	RUN(graceful_stop_finishes_in_flight_requests);
	RUN(listen_addresses);
	RUN(a_thread_that_cannot_start_stops_the_server_before_it_serves);
	kyc_server_free(srv);
	curl_global_cleanup();
	return test_done("server_stop");
}
