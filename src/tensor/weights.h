/* TF.js layers-model weights: the manifest (JSON) that names each weight, its
 * shape, dtype and quantisation, and the binary shards that hold the values
 * back to back. Decoded into float32 arrays by name, the way tf.io.decodeWeights
 * does it: uint8/uint16 quantisation as q*scale+min (computed in double, stored
 * as float), float16 widened, int32 converted, plain float32 copied.
 *
 * The manifest is outside data (a file on disk that came from a registry), so
 * the parser checks everything: shapes positive and bounded, sizes that add up,
 * shard names that are plain file names (no directories), caps on counts. */
#ifndef KYC_WEIGHTS_H
#define KYC_WEIGHTS_H

#include <stddef.h>

#define KYC_WEIGHTS_MAX_ENTRIES 4096
#define KYC_WEIGHTS_MAX_ELEMS (64L * 1024 * 1024)  /* per weight */
#define KYC_WEIGHTS_MAX_BYTES (256L * 1024 * 1024) /* all shards */
#define KYC_WEIGHTS_MAX_NAME 256
#define KYC_WEIGHTS_MAX_RANK 4

enum kyc_wdtype { KYC_WD_FLOAT32, KYC_WD_INT32 };
enum kyc_wquant { KYC_WQ_NONE, KYC_WQ_UINT8, KYC_WQ_UINT16, KYC_WQ_FLOAT16 };

/* One weight as the manifest describes it. */
struct kyc_manifest_entry {
	char *name;
	int rank;
	int shape[KYC_WEIGHTS_MAX_RANK];
	size_t count; /* product of the shape */
	enum kyc_wdtype dtype;
	enum kyc_wquant quant;
	double scale, min;    /* uint8/uint16 only */
	size_t offset, bytes; /* where its values are in the concatenated shards */
};

/* A parsed manifest: entries in shard order, the shard file names in order. */
struct kyc_manifest {
	struct kyc_manifest_entry *entries;
	size_t count;
	char **paths;
	size_t npaths;
	size_t total_bytes; /* what the shards must hold together */
};

/* One decoded weight: count floats in row-major order of shape. */
struct kyc_weight {
	char *name;
	int rank;
	int shape[KYC_WEIGHTS_MAX_RANK];
	size_t count;
	float *data;
};

/* A model's decoded weights. Owned: release with kyc_weights_release(). */
struct kyc_weights {
	struct kyc_weight *w;
	size_t count;
	/* when set, every w[i].data lies in this one block of block_len bytes
	 * (kyc_weights_decode_in's private block) */
	float *block;
	size_t block_len;
};

/* Parses manifest JSON (len bytes, not retained) into *out (cleared first).
 * 0, KYC_ERR_INVALID (err says what and where), KYC_ERR_TOOBIG (over a cap)
 * or KYC_ERR_NOMEM. On error *out holds nothing to release. */
int kyc_manifest_parse(const char *json, size_t len, struct kyc_manifest *out, char *err,
                       size_t errlen);
void kyc_manifest_release(struct kyc_manifest *m);

/* Decodes the concatenated shard bytes (len must equal m->total_bytes) into
 * *out (cleared first). 0, KYC_ERR_INVALID or KYC_ERR_NOMEM. */
int kyc_weights_decode(const struct kyc_manifest *m, const unsigned char *data, size_t len,
                       struct kyc_weights *out, char *err, size_t errlen);
/* The same; with private set, every weight's values go into one block
 * (out->block) that the children of kyc_isolate_run do not get
 * (core/isolate.h): a model's weights are most of a server's memory, and a
 * fork copies the page tables of all it maps (the licence reader forks a
 * child a side, docs/security.md). The file loaders use it; the parsers
 * fuzzed keep one allocation a weight, whose bounds AddressSanitizer
 * checks. */
int kyc_weights_decode_in(const struct kyc_manifest *m, const unsigned char *data, size_t len,
                          int private, struct kyc_weights *out, char *err, size_t errlen);

/* Reads dir/manifest_file and its shards (named in the manifest, in dir) and
 * decodes them (kyc_weights_decode_in, private). KYC_ERR_IO when a file
 * cannot be read; else as above. */
int kyc_weights_load(const char *dir, const char *manifest_file, struct kyc_weights *out, char *err,
                     size_t errlen);

/* The weight called name with the given count of values (and rank, unless
 * rank is negative), or NULL when there is none of that shape: the networks
 * check every weight they use this way. */
const struct kyc_weight *kyc_weights_get(const struct kyc_weights *w, const char *name, int rank,
                                         size_t count);

/* The weight called name whatever its shape, or NULL. */
const struct kyc_weight *kyc_weights_find(const struct kyc_weights *w, const char *name);

void kyc_weights_release(struct kyc_weights *w);

/* Writes the message to err (when err and errlen) and returns rc: the
 * loaders' way of saying what failed. */
int kyc_weights_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads a whole file of at most max bytes into *buf (malloc'd) and *len.
 * 0, KYC_ERR_IO, KYC_ERR_TOOBIG or KYC_ERR_NOMEM. */
int kyc_weights_read_file(const char *path, size_t max, unsigned char **buf, size_t *len);

/* Reads the shards m names from dir, concatenated, into *out (malloc'd) and
 * *len (checked not to pass m->total_bytes; kyc_weights_decode() checks it
 * is exactly that). 0, or an error as kyc_weights_load(). */
int kyc_weights_read_shards(const char *dir, const struct kyc_manifest *m, unsigned char **out,
                            size_t *len, char *err, size_t errlen);

/* IEEE 754 half to float (exposed for the tests). */
float kyc_half_to_float(unsigned short h);

#endif
