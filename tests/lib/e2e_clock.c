#include "e2e_clock.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

/* The server re-reads the file when its mtime changes, and two writes in
 * the same tick of the file system's clock would get the same mtime: each
 * new file gets one a second past the old one's when it would not differ
 * (never a wait, and seconds survive any file system). */
static int write_clock(struct e2e_clock *c)
{
	char tmp[240];
	struct stat old;
	int had = stat(c->path, &old) == 0;
	snprintf(tmp, sizeof tmp, "%s.tmp", c->path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", c->secs);
	if (fflush(f) != 0) {
		fclose(f);
		return -1;
	}
	struct stat now;
	if (had && fstat(fileno(f), &now) == 0 &&
	    (now.st_mtim.tv_sec < old.st_mtim.tv_sec ||
	     (now.st_mtim.tv_sec == old.st_mtim.tv_sec && now.st_mtim.tv_nsec <= old.st_mtim.tv_nsec))) {
		struct timespec t[2] = {old.st_atim, old.st_mtim};
		t[1].tv_sec++;
		if (futimens(fileno(f), t) != 0) {
			fclose(f);
			return -1;
		}
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, c->path);
}

int e2e_clock_init(struct e2e_clock *c, const char *data_dir)
{
	snprintf(c->path, sizeof c->path, "%s.clock", data_dir);
	snprintf(c->env, sizeof c->env, "KYCD_CLOCK_FILE=%s", c->path);
	c->secs = 0;
	return write_clock(c);
}

void e2e_clock_add(struct e2e_clock *c, long secs)
{
	c->secs += secs;
	if (write_clock(c))
		fprintf(stderr, "e2e: cannot write %s\n", c->path);
}

void e2e_clock_set(struct e2e_clock *c, long secs)
{
	e2e_clock_add(c, secs - c->secs);
}

void e2e_clock_remove(struct e2e_clock *c)
{
	remove(c->path);
}

void e2e_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}
