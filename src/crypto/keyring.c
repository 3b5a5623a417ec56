/* The master key file (src/crypto/keyring.h). */
#include "crypto/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

#define FILE_MAX 4096
#define REGISTRY_MAX 16

struct master {
	char id[KYC_KEYRING_ID_LEN + 1];
	unsigned char key[KYC_SEAL_KEY_BYTES];
};

struct kyc_keyring {
	pthread_mutex_t mu;
	char path[4096];
	/* what the file was when last read: a rename (rotation) changes the
	 * inode, an edit in place the time or size */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	int n;
	struct master *keys; /* sodium_malloc: locked in memory, guarded */
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static kyc_keyring *registry[REGISTRY_MAX];

static void key_id(const unsigned char key[KYC_SEAL_KEY_BYTES], char id[KYC_KEYRING_ID_LEN + 1])
{
	unsigned char h[KYC_KEYRING_ID_LEN / 2];
	crypto_generichash(h, sizeof h, key, KYC_SEAL_KEY_BYTES, NULL, 0);
	sodium_bin2hex(id, KYC_KEYRING_ID_LEN + 1, h, sizeof h);
}

/* Reads and checks the file: its keys into keys (KYC_KEYRING_MAX slots),
 * their count into *n, its identity into st. */
static int read_file(const char *path, struct master *keys, int *n, struct stat *st, char *err,
		     size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errsz, "master key file %s: %s", path, strerror(errno));
		return errno == ENOENT ? KYC_ERR_NOTFOUND : KYC_ERR_IO;
	}
	int rc = KYC_ERR_INVALID;
	char *text = sodium_malloc(FILE_MAX + 1);
	if (!text) {
		close(fd);
		return KYC_ERR_NOMEM;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		snprintf(err, errsz, "master key file %s is not a regular file", path);
		goto out;
	}
	if (st->st_mode & 077) {
		snprintf(err, errsz,
			 "master key file %s may be read by others (mode %03o): chmod 600 it",
			 path, (unsigned)(st->st_mode & 0777));
		rc = KYC_ERR_DENIED;
		goto out;
	}
	ssize_t len = read(fd, text, FILE_MAX + 1);
	if (len < 0 || len > FILE_MAX) {
		snprintf(err, errsz, "master key file %s cannot be read or is too long", path);
		goto out;
	}
	text[len] = '\0';
	*n = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		size_t bin_len = 0;
		if (*n == KYC_KEYRING_MAX || strlen(line) != 2 * KYC_SEAL_KEY_BYTES ||
		    sodium_hex2bin(keys[*n].key, KYC_SEAL_KEY_BYTES, line, strlen(line), NULL,
				   &bin_len, NULL) != 0 ||
		    bin_len != KYC_SEAL_KEY_BYTES) {
			snprintf(err, errsz,
				 "master key file %s: each line must be one key of 64 hex digits "
				 "(at most %d keys)",
				 path, KYC_KEYRING_MAX);
			goto out;
		}
		key_id(keys[*n].key, keys[*n].id);
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errsz, "master key file %s holds no key", path);
		goto out;
	}
	rc = 0;
out:
	sodium_free(text); /* wipes it */
	close(fd);
	return rc;
}

/* Re-reads the file when it is not what was read last; called locked. */
static int refresh(kyc_keyring *k, int force)
{
	struct stat st;
	if (!force && stat(k->path, &st) == 0 && st.st_dev == k->dev && st.st_ino == k->ino &&
	    st.st_size == k->size && st.st_mtim.tv_sec == k->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == k->mtime.tv_nsec)
		return 0;
	struct master *keys = sodium_malloc(KYC_KEYRING_MAX * sizeof *keys);
	if (!keys)
		return KYC_ERR_NOMEM;
	char err[512];
	int n = 0;
	int rc = read_file(k->path, keys, &n, &st, err, sizeof err);
	if (rc) {
		sodium_free(keys);
		return KYC_ERR_IO;
	}
	/* The keys read before stay known: a server that unwrapped a tenant key
	 * with the old master before a rotation pruned it can still do so. */
	for (int i = 0; i < k->n && n < KYC_KEYRING_MAX; i++) {
		int known = 0;
		for (int j = 0; j < n; j++)
			known |= !strcmp(keys[j].id, k->keys[i].id);
		if (!known)
			keys[n++] = k->keys[i];
	}
	sodium_free(k->keys);
	k->keys = keys;
	k->n = n;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->size = st.st_size;
	k->mtime = st.st_mtim;
	return 0;
}

int kyc_keyring_open(const char *path, kyc_keyring **out, char *err, size_t errsz)
{
	*out = NULL;
	if (kyc_seal_setup())
		return KYC_ERR_INTERNAL;
	pthread_mutex_lock(&registry_mu);
	int rc = 0, free_slot = -1;
	for (int i = 0; i < REGISTRY_MAX; i++) {
		if (registry[i] && !strcmp(registry[i]->path, path)) {
			*out = registry[i];
			goto out;
		}
		if (!registry[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0 || strlen(path) >= sizeof registry[0]->path) {
		snprintf(err, errsz, "too many master key files, or a path too long");
		rc = KYC_ERR_TOOBIG;
		goto out;
	}
	kyc_keyring *k = calloc(1, sizeof *k);
	struct master *keys = sodium_malloc(KYC_KEYRING_MAX * sizeof *keys);
	struct stat st;
	if (!k || !keys) {
		free(k);
		sodium_free(keys);
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	rc = read_file(path, keys, &k->n, &st, err, errsz);
	if (rc) {
		free(k);
		sodium_free(keys);
		goto out;
	}
	pthread_mutex_init(&k->mu, NULL);
	snprintf(k->path, sizeof k->path, "%s", path);
	k->keys = keys;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->size = st.st_size;
	k->mtime = st.st_mtim;
	registry[free_slot] = k;
	*out = k;
out:
	pthread_mutex_unlock(&registry_mu);
	return rc;
}

const char *kyc_keyring_path(const kyc_keyring *k)
{
	return k->path;
}

int kyc_keyring_current(kyc_keyring *k, unsigned char key[KYC_SEAL_KEY_BYTES],
			char id[KYC_KEYRING_ID_LEN + 1])
{
	pthread_mutex_lock(&k->mu);
	int rc = refresh(k, 0);
	/* the file's first line is the current key; refresh keeps that order */
	memcpy(key, k->keys[0].key, KYC_SEAL_KEY_BYTES);
	memcpy(id, k->keys[0].id, KYC_KEYRING_ID_LEN + 1);
	pthread_mutex_unlock(&k->mu);
	return rc;
}

static int find_locked(kyc_keyring *k, const char *id, unsigned char key[KYC_SEAL_KEY_BYTES])
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->keys[i].id, id)) {
			memcpy(key, k->keys[i].key, KYC_SEAL_KEY_BYTES);
			return 0;
		}
	return KYC_ERR_NOTFOUND;
}

int kyc_keyring_find(kyc_keyring *k, const char *id, unsigned char key[KYC_SEAL_KEY_BYTES])
{
	pthread_mutex_lock(&k->mu);
	int rc = find_locked(k, id, key);
	if (rc == KYC_ERR_NOTFOUND && refresh(k, 1) == 0)
		rc = find_locked(k, id, key);
	pthread_mutex_unlock(&k->mu);
	return rc;
}

/* Writes n keys to path through a temporary file (0600, synced, renamed,
 * directory synced). */
static int write_file(const char *path, const struct master *keys, int n, int exclusive,
		      char *err, size_t errsz)
{
	char tmp[4200], line[2 * KYC_SEAL_KEY_BYTES + 2];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		snprintf(err, errsz, "path too long");
		return KYC_ERR_INVALID;
	}
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
		return KYC_ERR_IO;
	}
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		sodium_bin2hex(line, sizeof line - 1, keys[i].key, KYC_SEAL_KEY_BYTES);
		size_t len = strlen(line);
		line[len++] = '\n';
		rc = write(fd, line, len) == (ssize_t)len ? 0 : KYC_ERR_IO;
	}
	sodium_memzero(line, sizeof line);
	if (!rc && fsync(fd) != 0)
		rc = KYC_ERR_IO;
	close(fd);
	/* link() refuses an existing name: `keys init` never overwrites */
	if (!rc && (exclusive ? link(tmp, path) : rename(tmp, path)) != 0)
		rc = errno == EEXIST ? KYC_ERR_CONFLICT : KYC_ERR_IO;
	if (rc)
		snprintf(err, errsz, rc == KYC_ERR_CONFLICT ? "%s already exists: not overwritten"
							   : "cannot write %s",
			 path);
	if (exclusive || rc)
		unlink(tmp);
	if (!rc) {
		char dir[4200];
		snprintf(dir, sizeof dir, "%s", path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return rc;
}

int kyc_keyring_create(const char *path, char *err, size_t errsz)
{
	if (kyc_seal_setup())
		return KYC_ERR_INTERNAL;
	struct master *key = sodium_malloc(sizeof *key);
	if (!key)
		return KYC_ERR_NOMEM;
	kyc_seal_keygen(key->key);
	int rc = write_file(path, key, 1, 1, err, errsz);
	sodium_free(key);
	return rc;
}

int kyc_keyring_add(const char *path, char new_id[KYC_KEYRING_ID_LEN + 1], char *err,
		    size_t errsz)
{
	if (kyc_seal_setup())
		return KYC_ERR_INTERNAL;
	struct master *keys = sodium_malloc((KYC_KEYRING_MAX + 1) * sizeof *keys);
	if (!keys)
		return KYC_ERR_NOMEM;
	struct stat st;
	int n = 0;
	int rc = read_file(path, keys + 1, &n, &st, err, errsz);
	if (!rc && n == KYC_KEYRING_MAX) {
		snprintf(err, errsz, "%s holds %d keys already: finish the last rotation first",
			 path, n);
		rc = KYC_ERR_TOOBIG;
	}
	if (!rc) {
		kyc_seal_keygen(keys[0].key);
		key_id(keys[0].key, keys[0].id);
		memcpy(new_id, keys[0].id, KYC_KEYRING_ID_LEN + 1);
		rc = write_file(path, keys, n + 1, 0, err, errsz);
	}
	sodium_free(keys);
	return rc;
}

int kyc_keyring_prune(const char *path, const char *const *keep, int nkeep, int *dropped,
		      char *err, size_t errsz)
{
	*dropped = 0;
	struct master *keys = sodium_malloc(KYC_KEYRING_MAX * sizeof *keys);
	if (!keys)
		return KYC_ERR_NOMEM;
	struct stat st;
	int n = 0, kept = 0;
	int rc = read_file(path, keys, &n, &st, err, errsz);
	for (int i = 0; i < n && !rc; i++) {
		int wanted = i == 0;
		for (int j = 0; j < nkeep && !wanted; j++)
			wanted = !strcmp(keep[j], keys[i].id);
		if (wanted)
			keys[kept++] = keys[i];
	}
	if (!rc && kept < n) {
		*dropped = n - kept;
		rc = write_file(path, keys, kept, 0, err, errsz);
	}
	sodium_free(keys);
	return rc;
}
