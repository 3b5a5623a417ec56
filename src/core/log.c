#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"

static enum kyc_log_level min_level = KYC_LOG_INFO;
static int level_from_env_done;

void kyc_log_set_level(enum kyc_log_level level)
{
	min_level = level;
	level_from_env_done = 1;
}

static void level_from_env(void)
{
	if (level_from_env_done)
		return;
	level_from_env_done = 1;
	const char *v = getenv("KYCD_LOG_LEVEL");
	if (!v)
		return;
	if (!strcasecmp(v, "debug"))
		min_level = KYC_LOG_DEBUG;
	else if (!strcasecmp(v, "warn"))
		min_level = KYC_LOG_WARN;
	else if (!strcasecmp(v, "error"))
		min_level = KYC_LOG_ERROR;
}

void kyc_log_json(const char *json, size_t len)
{
	char stackbuf[2048];
	char *p = len + 1 <= sizeof stackbuf ? stackbuf : malloc(len + 1);
	if (!p)
		return;
	memcpy(p, json, len);
	p[len] = '\n';
	ssize_t w = write(STDERR_FILENO, p, len + 1);
	(void)w;
	if (p != stackbuf)
		free(p);
}

static void json_escape(kyc_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			kyc_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			kyc_buf_printf(b, "\\u%04x", c);
		else
			kyc_buf_append(b, s, 1);
	}
}

void kyc_logf(enum kyc_log_level level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	level_from_env();
	if (level < min_level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char ts[32];
	kyc_time_iso(kyc_now_ms(), ts);
	kyc_buf b;
	kyc_buf_init(&b, 4096);
	kyc_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, names[level]);
	json_escape(&b, msg);
	kyc_buf_puts(&b, "\"}");
	if (b.data)
		kyc_log_json(b.data, b.len);
	kyc_buf_release(&b);
}

void kyc_log_mask(char *out, size_t outsz, const char *s, size_t len)
{
	if (outsz == 0)
		return;
	size_t n = len < outsz - 1 ? len : outsz - 1;
	size_t keep = len > 3 ? 3 : 0;
	for (size_t i = 0; i < n; i++)
		out[i] = i + keep >= len ? s[i] : '*';
	out[n] = '\0';
}
