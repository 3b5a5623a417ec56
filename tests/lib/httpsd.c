#include "httpsd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	int port = -1;
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int accepts(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((unsigned short)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

int httpsd_start(struct httpsd *h)
{
	memset(h, 0, sizeof *h);
	snprintf(h->dir, sizeof h->dir, "/tmp/kycd-httpsd-XXXXXX");
	if (!mkdtemp(h->dir))
		return -1;
	char cmd[512];
	snprintf(
	    cmd, sizeof cmd,
	    "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 1 "
	    "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1",
	    h->dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(h->ca_env, sizeof h->ca_env, "KYCD_FETCH_CA_FILE=%s/c.pem", h->dir);
	for (int attempt = 0; attempt < 5; attempt++) {
		h->port = free_port();
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			if (chdir(h->dir) != 0)
				_exit(127);
			if (!freopen("/dev/null", "w", stdout) ||
			    !freopen("/dev/null", "w", stderr))
				_exit(127);
			char port[16];
			snprintf(port, sizeof port, "%d", h->port);
			execlp("openssl", "openssl", "s_server", "-quiet", "-WWW", "-accept", port,
			       "-cert", "c.pem", "-key", "k.pem", (char *)NULL);
			_exit(127);
		}
		h->pid = pid;
		/* wait for the listener, not for a fixed time */
		for (int i = 0; i < 500; i++) {
			if (accepts(h->port))
				return 0;
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break; /* died (the port was taken): another one */
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		h->pid = 0;
	}
	return -1;
}

int httpsd_put(struct httpsd *h, const char *name, const void *p, size_t n)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", h->dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

void httpsd_url(const struct httpsd *h, const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "https://localhost:%d/%s", h->port, name);
}

void httpsd_stop(struct httpsd *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
	if (h->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "httpsd: cleanup failed\n");
		h->dir[0] = '\0';
	}
}
