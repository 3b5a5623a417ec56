#include "tcpgate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64

struct conn {
	int client, target; /* target -1 unless forwarded */
	int spoke;          /* the client sent something */
};

struct tcpgate {
	int listen_fd, port, target_port;
	int wake[2];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	enum tcpgate_mode mode;
	int accepted, stopping;
	struct conn c[MAX_CONNS];
	int n;
};

static int connect_target(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static int write_all(int fd, const char *p, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static void drop(struct tcpgate *g, int i)
{
	close(g->c[i].client);
	if (g->c[i].target >= 0)
		close(g->c[i].target);
	pthread_mutex_lock(&g->lock);
	g->c[i] = g->c[--g->n];
	pthread_mutex_unlock(&g->lock);
}

static void take(struct tcpgate *g)
{
	int fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	pthread_mutex_lock(&g->lock);
	enum tcpgate_mode m = g->mode;
	g->accepted++;
	pthread_cond_broadcast(&g->changed);
	pthread_mutex_unlock(&g->lock);
	int target = m == TCPGATE_FORWARD ? connect_target(g->target_port) : -1;
	if (m == TCPGATE_REFUSE || g->n == MAX_CONNS || (m == TCPGATE_FORWARD && target < 0)) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&g->lock);
	g->c[g->n++] = (struct conn){fd, target, 0};
	pthread_mutex_unlock(&g->lock);
}

static void *loop(void *arg)
{
	struct tcpgate *g = arg;
	struct pollfd p[2 + 2 * MAX_CONNS];
	char buf[16384];
	for (;;) {
		int np = 0;
		p[np++] = (struct pollfd){.fd = g->wake[0], .events = POLLIN};
		p[np++] = (struct pollfd){.fd = g->listen_fd, .events = POLLIN};
		for (int i = 0; i < g->n; i++) {
			p[np++] = (struct pollfd){.fd = g->c[i].client, .events = POLLIN};
			p[np++] = (struct pollfd){.fd = g->c[i].target, .events = POLLIN};
		}
		if (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		/* backwards: drop() moves the last connection into slot i */
		for (int i = g->n - 1; i >= 0; i--) {
			struct pollfd *pc = &p[2 + 2 * i], *pt = &p[3 + 2 * i];
			int gone = 0;
			if (pc->revents) {
				ssize_t r = read(g->c[i].client, buf, sizeof buf);
				if (r <= 0)
					gone = 1;
				else {
					pthread_mutex_lock(&g->lock);
					g->c[i].spoke = 1;
					pthread_cond_broadcast(&g->changed);
					pthread_mutex_unlock(&g->lock);
					if (g->c[i].target >= 0)
						gone = write_all(g->c[i].target, buf, r) != 0;
				}
			}
			if (!gone && g->c[i].target >= 0 && pt->revents) {
				ssize_t r = read(g->c[i].target, buf, sizeof buf);
				gone = r <= 0 || write_all(g->c[i].client, buf, r) != 0;
			}
			if (gone)
				drop(g, i);
		}
		if (p[1].revents)
			take(g);
	}
	while (g->n)
		drop(g, g->n - 1);
	return NULL;
}

struct tcpgate *tcpgate_start(int target_port)
{
	struct tcpgate *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->target_port = target_port;
	g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (g->listen_fd < 0 || bind(g->listen_fd, (struct sockaddr *)&a, sizeof a) ||
	    listen(g->listen_fd, 16) || getsockname(g->listen_fd, (struct sockaddr *)&a, &al) ||
	    pipe(g->wake)) {
		if (g->listen_fd >= 0)
			close(g->listen_fd);
		free(g);
		return NULL;
	}
	g->port = ntohs(a.sin_port);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->changed, NULL);
	if (pthread_create(&g->thread, NULL, loop, g)) {
		close(g->listen_fd);
		close(g->wake[0]);
		close(g->wake[1]);
		free(g);
		return NULL;
	}
	return g;
}

int tcpgate_port(const struct tcpgate *g)
{
	return g->port;
}

void tcpgate_set_mode(struct tcpgate *g, enum tcpgate_mode m)
{
	pthread_mutex_lock(&g->lock);
	g->mode = m;
	pthread_mutex_unlock(&g->lock);
}

int tcpgate_accepted(struct tcpgate *g)
{
	pthread_mutex_lock(&g->lock);
	int n = g->accepted;
	pthread_mutex_unlock(&g->lock);
	return n;
}

int tcpgate_wait(struct tcpgate *g, int n, int timeout_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->lock);
	for (;;) {
		int quiet = 0;
		for (int i = 0; i < g->n; i++)
			quiet |= !g->c[i].spoke;
		if ((g->accepted >= n && !quiet) ||
		    pthread_cond_timedwait(&g->changed, &g->lock, &until) == ETIMEDOUT)
			break;
	}
	int got = g->accepted;
	pthread_mutex_unlock(&g->lock);
	return got;
}

void tcpgate_stop(struct tcpgate *g)
{
	if (!g)
		return;
	ssize_t w = write(g->wake[1], "x", 1);
	(void)w;
	pthread_join(g->thread, NULL);
	close(g->listen_fd);
	close(g->wake[0]);
	close(g->wake[1]);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->changed);
	free(g);
}
