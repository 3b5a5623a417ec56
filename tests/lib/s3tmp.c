#include "s3tmp.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S3TMP_DIR "tests/s3"

/* npm ci from the committed lock when s3rver is not installed yet. */
static int install(void)
{
	struct stat st;
	if (stat(S3TMP_DIR "/node_modules/s3rver/package.json", &st) == 0)
		return 0;
	int rc = system("cd " S3TMP_DIR " && npm ci --ignore-scripts --no-audit --no-fund "
			"--loglevel=error >/dev/null");
	if (rc != 0)
		fprintf(stderr, "s3tmp: npm ci in " S3TMP_DIR " failed\n");
	return rc == 0 ? 0 : -1;
}

int s3tmp_start(struct s3tmp *s, const char *bucket)
{
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/kycd-s3-XXXXXX");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = 0;
		return -1;
	}
	if (install())
		return -1;
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("node", "node", S3TMP_DIR "/serve.mjs", s->dir, bucket, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	s->pid = pid;
	/* one line, {"port":N}, once it listens; a minute for a loaded machine */
	char line[128];
	size_t n = 0;
	while (n < sizeof line - 1) {
		struct pollfd p = {fds[0], POLLIN, 0};
		int r = poll(&p, 1, 60000);
		if (r <= 0)
			break;
		ssize_t k = read(fds[0], line + n, 1);
		if (k <= 0)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = 0;
	close(fds[0]);
	if (sscanf(line, "{\"port\":%d}", &s->port) != 1 || s->port <= 0) {
		fprintf(stderr, "s3tmp: s3rver did not start (%s)\n", line);
		return -1;
	}
	snprintf(s->locator, sizeof s->locator,
		 "s3://%s?endpoint=http://127.0.0.1:%d&region=us-east-1", bucket, s->port);
	snprintf(s->env_locator, sizeof s->env_locator, "KYCD_BLOBS=%s", s->locator);
	return 0;
}

int s3tmp_has_object(const struct s3tmp *s, const char *bucket, const char *key)
{
	/* s3rver's file store: DIR/BUCKET/KEY._S3rver_object */
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s/%s._S3rver_object", s->dir, bucket, key);
	return stat(path, &st) == 0;
}

void s3tmp_stop(struct s3tmp *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "s3tmp: cleanup failed\n");
		s->dir[0] = 0;
	}
}
