/* The Debian package (scripts/build-deb, packaging/, docs/deploy.md), built
 * from the binary under test and installed for real by dpkg into a scratch
 * root (dpkg --root with chrootless maintainer scripts, so the postinst runs
 * with DPKG_ROOT set: the host is left alone). Then, systemd not being there
 * to run it, kycd is started the way the unit's ExecStart does: as the user
 * the postinst made, with the unit's EnvironmentFile, no new privileges, and
 * stopped with the unit's KillSignal. */
#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "test.h"

static char root[64], deb[256];

/* Runs a shell command made from fmt; its exit status (-1 when it died). */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of a command's output, without its newline ("" when none). */
static void capture(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	out[0] = 0;
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, (int)outsz, p))
		out[strcspn(out, "\n")] = 0;
	pclose(p);
}

/* The value of "Key=" in the [Service] lines of the installed unit. */
static void unit_value(const char *key, char *out, size_t outsz)
{
	capture(out, outsz, "sed -n 's/^%s=//p' '%s/lib/systemd/system/kycd.service' | head -n 1",
		key, root);
}

TEST(the_package_holds_what_a_service_needs)
{
	char v[512];
	capture(v, sizeof v, "dpkg-deb -f '%s' Package", deb);
	CHECK_STR(v, "kycd");
	capture(v, sizeof v, "dpkg-deb -f '%s' Depends", deb);
	CHECK(strstr(v, "libh2o-evloop") && strstr(v, "libsqlite3") && strstr(v, "passwd"));
	/* its dependencies resolve on this Debian (a simulation, no lock taken) */
	CHECK_INT(sh("apt-get -s -o Debug::NoLocking=1 install '%s' 2>/dev/null | "
		     "grep -q '^Inst kycd '",
		     deb),
		  0);
	capture(v, sizeof v, "dpkg-deb -c '%s' | awk '{print $6}' | grep -c -E "
		"'^./(usr/bin/kycd|lib/systemd/system/kycd.service|etc/kycd/kycd.conf|"
		"usr/share/man/man1/kycd.1.gz|usr/share/doc/kycd/deploy.md)$'",
		deb);
	CHECK_STR(v, "5");
	capture(v, sizeof v, "dpkg-deb -I '%s' conffiles", deb);
	CHECK_STR(v, "/etc/kycd/kycd.conf");
	/* the man page is well-formed roff and documents backup */
	CHECK_INT(sh("zcat '%s/usr/share/man/man1/kycd.1.gz' | groff -man -Tutf8 -ww -z 2>&1 | "
		     "grep -q . && exit 1; zcat '%s/usr/share/man/man1/kycd.1.gz' | "
		     "grep -q '^\\.BI \"backup '",
		     root, root),
		  0);
}

TEST(postinst_made_the_user_and_the_data_directory)
{
	char uid[32], v[128];
	capture(uid, sizeof uid, "awk -F: '$1==\"kycd\"{print $3}' '%s/etc/passwd'", root);
	REQUIRE(uid[0] != 0);
	CHECK(atoi(uid) > 0 && atoi(uid) < 1000); /* a system user */
	capture(v, sizeof v, "awk -F: '$1==\"kycd\"{print $7}' '%s/etc/passwd'", root);
	CHECK_STR(v, "/usr/sbin/nologin");
	capture(v, sizeof v, "stat -c '%%u %%a' '%s/var/lib/kycd'", root);
	char want[64];
	snprintf(want, sizeof want, "%s 700", uid);
	CHECK_STR(v, want);
	capture(v, sizeof v, "stat -c '%%u %%a' '%s/etc/kycd/kycd.conf'", root);
	CHECK_STR(v, "0 640");
	/* installing again (an upgrade) keeps the user and the conffile */
	CHECK_INT(sh("echo '# an admin change' >> '%s/etc/kycd/kycd.conf'", root), 0);
	CHECK_INT(sh("dpkg --root='%s' --force-script-chrootless --force-depends --force-not-root "
		     "--force-confold --log=/dev/null -i '%s' >/dev/null 2>&1",
		     root, deb),
		  0);
	capture(v, sizeof v, "grep -c '^kycd:' '%s/etc/passwd'", root);
	CHECK_STR(v, "1");
	CHECK_INT(sh("grep -q '^# an admin change' '%s/etc/kycd/kycd.conf'", root), 0);
}

TEST(the_unit_is_valid_and_hardened)
{
	char v[256];
	unit_value("User", v, sizeof v);
	CHECK_STR(v, "kycd");
	unit_value("ExecStart", v, sizeof v);
	CHECK_STR(v, "/usr/bin/kycd serve");
	unit_value("EnvironmentFile", v, sizeof v);
	CHECK_STR(v, "/etc/kycd/kycd.conf");
	static const char *const hardening[] = {
	    "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
	    "PrivateDevices=yes",  "CapabilityBoundingSet=", "RestrictSUIDSGID=yes", NULL,
	};
	for (const char *const *h = hardening; *h; h++)
		if (sh("grep -qx '%s' '%s/lib/systemd/system/kycd.service'", *h, root) != 0) {
			fprintf(stderr, "  missing %s\n", *h);
			CHECK(!"the unit has every hardening option");
		}
	/* systemd's own checks: the unit parses without a warning (its binary
	 * taken from the scratch root), and its exposure score is low */
	CHECK_INT(sh("sed 's|^ExecStart=/usr/bin/|ExecStart=%s/usr/bin/|' "
		     "'%s/lib/systemd/system/kycd.service' > '%s.unit/kycd.service' && "
		     "out=$(systemd-analyze verify --man=no '%s.unit/kycd.service' 2>&1) && "
		     "[ -z \"$out\" ] || { echo \"$out\" >&2; exit 1; }",
		     root, root, root, root),
		  0);
	capture(v, sizeof v,
		"systemd-analyze security --offline=yes --root='%s' kycd.service 2>/dev/null | "
		"sed -n 's/.*Overall exposure level for kycd.service: \\([0-9.]*\\).*/\\1/p'",
		root);
	fprintf(stderr, "  systemd-analyze security: exposure %s\n", v);
	CHECK(v[0] && atof(v) <= 2.0);
}

/* A free loopback port (bound then released). */
static int free_port(void)
{
	char v[16];
	capture(v, sizeof v,
		"python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); "
		"print(s.getsockname()[1])'");
	return atoi(v);
}

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* The status of GET url (0 when nothing answered). */
static long http_get(const char *url)
{
	CURL *c = curl_easy_init();
	long st = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(c);
	return st;
}

TEST(kycd_runs_as_the_unit_starts_it)
{
	char uid[32], gid[32], exec[256], envfile[256], kill_sig[32];
	capture(uid, sizeof uid, "awk -F: '$1==\"kycd\"{print $3}' '%s/etc/passwd'", root);
	capture(gid, sizeof gid, "awk -F: '$1==\"kycd\"{print $3}' '%s/etc/group'", root);
	unit_value("ExecStart", exec, sizeof exec);
	unit_value("EnvironmentFile", envfile, sizeof envfile);
	unit_value("KillSignal", kill_sig, sizeof kill_sig);
	REQUIRE(uid[0] && gid[0] && exec[0] == '/' && envfile[0] == '/');
	CHECK_STR(kill_sig, "SIGTERM");
	int port = free_port();
	REQUIRE(port > 0);

	/* The unit's environment: its EnvironmentFile as installed, with the
	 * absolute data and master key paths taken under the scratch root and
	 * the port made free; the sanitizers' settings of the test run pass
	 * through. */
	char envsh[512];
	snprintf(envsh, sizeof envsh, "%s.env", root);
	CHECK_INT(sh("grep -E '^[A-Z_]+=' '%s%s' | sed -e 's|^KYCD_DATA=/|KYCD_DATA=%s/|' "
		     "-e 's|^KYCD_MASTER_KEY_FILE=/|KYCD_MASTER_KEY_FILE=%s/|' "
		     "-e 's|^KYCD_LISTEN=.*|KYCD_LISTEN=127.0.0.1:%d|' > '%s'",
		     root, envfile, root, root, port, envsh),
		  0);

	/* The sanitizers' suppressions, where the service user can read them: a
	 * clone in a private folder (mktemp -d is 0700) is not readable by it,
	 * and LeakSanitizer then fails kycd at exit. Copied into the scratch
	 * root and named for the service's processes. */
	if (getenv("LSAN_OPTIONS"))
		CHECK_INT(sh("cp tests/lsan.supp '%s/lsan.supp' && chmod 0644 '%s/lsan.supp' && "
			     "echo 'LSAN_OPTIONS=suppressions=%s/lsan.supp:print_suppressions=0' "
			     ">> '%s'",
			     root, root, root, envsh),
			  0);

	char v[256], want_key[64];
	/* the master key the package made: the service user's, mode 0600 */
	capture(v, sizeof v, "stat -c '%%u %%a' '%s/etc/kycd/master.key'", root);
	snprintf(want_key, sizeof want_key, "%s 600", uid);
	CHECK_STR(v, want_key);
	capture(v, sizeof v, "sed -n 's/^KYCD_DATA=//p' '%s'", envsh);
	char want[128];
	snprintf(want, sizeof want, "%s/var/lib/kycd", root);
	CHECK_STR(v, want);

	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		char cmd[2048];
		/* ExecStart's binary from the scratch root; User=, Group= and
		 * NoNewPrivileges= with setpriv */
		snprintf(cmd, sizeof cmd,
			 "set -a; . '%s'; set +a; exec setpriv --reuid=%s --regid=%s --clear-groups "
			 "--no-new-privs %s%s 2>'%s.log'",
			 envsh, uid, gid, root, exec, root);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", port);
	long st = 0;
	for (int i = 0; i < 500 && st != 200; i++) { /* ready, or 10 s at most */
		st = http_get(url);
		if (st != 200 && waitpid(pid, NULL, WNOHANG) == pid)
			break;
		if (st != 200) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	CHECK_INT(st, 200);
	/* what it wrote belongs to the service user, readable by it alone */
	capture(v, sizeof v, "stat -c '%%u %%a' '%s/var/lib/kycd/kycd.db'", root);
	snprintf(want, sizeof want, "%s 600", uid);
	CHECK_STR(v, want);
	/* an operator's tenant, made as the docs say, on the running service */
	capture(v, sizeof v,
		"set -a; . '%s'; set +a; setpriv --reuid=%s --regid=%s --clear-groups "
		"%s/usr/bin/kycd tenant create deb | grep -c api_key",
		envsh, uid, gid, root);
	CHECK_STR(v, "1");

	kill(pid, SIGTERM);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		sh("tail -n 30 '%s.log' >&2", root);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const char *bin = getenv("KYCD_BIN");
	snprintf(root, sizeof root, "/tmp/kycd-deb-XXXXXX");
	if (!bin || !mkdtemp(root)) {
		fprintf(stderr, "deb_test: KYCD_BIN unset or no temp dir\n");
		return 1;
	}
	/* the service user must reach its data directory under the root */
	chmod(root, 0755);
	capture(deb, sizeof deb,
		"scripts/build-deb --bin '%s' --out '%s.out' --compress none 2>/dev/null", bin, root);
	int ok = deb[0] &&
		 sh("mkdir -p '%s.unit' '%s/var/lib/dpkg/updates' '%s/var/lib/dpkg/info' '%s/etc' && "
		    "touch '%s/var/lib/dpkg/status' '%s/var/lib/dpkg/available' && "
		    "echo 'root:x:0:0:root:/root:/bin/sh' > '%s/etc/passwd' && "
		    "echo 'root:x:0:' > '%s/etc/group' && "
		    "echo 'root:*:19000:0:99999:7:::' > '%s/etc/shadow' && "
		    "echo 'root:*::' > '%s/etc/gshadow'",
		    root, root, root, root, root, root, root, root, root, root) == 0 &&
		 sh("dpkg --root='%s' --force-script-chrootless --force-depends --force-not-root "
		    "--log=/dev/null -i '%s' >/dev/null 2>'%s.dpkg'",
		    root, deb, root) == 0;
	if (!ok) {
		fprintf(stderr, "deb_test: could not build or install the package (%s)\n", deb);
		sh("cat '%s.dpkg' >&2", root);
	} else {
		RUN(the_package_holds_what_a_service_needs);
		RUN(postinst_made_the_user_and_the_data_directory);
		RUN(the_unit_is_valid_and_hardened);
		RUN(kycd_runs_as_the_unit_starts_it);
	}
	sh("rm -rf '%s' '%s.out' '%s.unit' '%s.env' '%s.log' '%s.dpkg'", root, root, root, root, root,
	   root);
	curl_global_cleanup();
	return ok ? test_done("deb") : (test_done("deb"), 1);
}
