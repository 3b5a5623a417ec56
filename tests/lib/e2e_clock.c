#include "e2e_clock.h"

#include <stdio.h>
#include <time.h>

static int write_clock(struct e2e_clock *c)
{
	char tmp[240];
	snprintf(tmp, sizeof tmp, "%s.tmp", c->path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", c->secs);
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

void e2e_clock_remove(struct e2e_clock *c)
{
	remove(c->path);
}

void e2e_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}
