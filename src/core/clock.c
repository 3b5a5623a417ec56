#include "core/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "core/err.h"

static int64_t process_offset_ms;
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec file_mtime;
static int64_t file_offset_ms;

void kyc_clock_set_offset_ms(int64_t offset)
{
	process_offset_ms = offset;
}

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static const char *clock_file;

static void read_env(void)
{
	const char *p = getenv("KYCD_CLOCK_FILE");
	clock_file = p && *p ? p : NULL;
}

static int64_t clock_file_offset(void)
{
	/* The variable is read once: getenv on every clock read showed in profiles. */
	pthread_once(&env_once, read_env);
	const char *path = clock_file;
	if (!path)
		return 0;
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	pthread_mutex_lock(&file_lock);
	if (st.st_mtim.tv_sec != file_mtime.tv_sec || st.st_mtim.tv_nsec != file_mtime.tv_nsec) {
		FILE *f = fopen(path, "r");
		long long secs = 0;
		if (f) {
			if (fscanf(f, "%lld", &secs) != 1)
				secs = 0;
			fclose(f);
		}
		file_offset_ms = (int64_t)secs * 1000;
		file_mtime = st.st_mtim;
	}
	int64_t off = file_offset_ms;
	pthread_mutex_unlock(&file_lock);
	return off;
}

int64_t kyc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + process_offset_ms +
	       clock_file_offset();
}

double kyc_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar. */
int64_t kyc_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const int64_t doe = z - era * 146097;
	const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int kyc_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

static char *put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* Formatted by hand: it runs several times per API response. */
void kyc_time_iso(int64_t ms, char out[32])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int milli = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int sod = (int)(secs - days * 86400);
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, sod / 3600,
			 sod / 60 % 60, sod % 60, milli);
		return;
	}
	char *p = put_digits(out, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, milli, 3);
	*p++ = 'Z';
	*p = '\0';
}

void kyc_date_format(int64_t days, char out[16])
{
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int kyc_date_parse(const char *s, size_t len, int64_t *days)
{
	int y, m, d;
	if (len != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
	    digits(s + 8, 2, &d) || !kyc_date_valid(y, m, d))
		return KYC_ERR_INVALID;
	*days = kyc_days_from_civil(y, m, d);
	return 0;
}

void kyc_timespec_after(clockid_t clk, int64_t ms, struct timespec *out)
{
	clock_gettime(clk, out);
	out->tv_sec += (time_t)(ms / 1000);
	out->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (out->tv_nsec >= 1000000000L) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000L;
	}
}
