/* TF.js weights manifest and shards (weights.h). */
#include "tensor/weights.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "core/isolate.h"

int kyc_weights_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

#define fail kyc_weights_fail

void kyc_manifest_release(struct kyc_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++)
		free(m->entries[i].name);
	free(m->entries);
	for (size_t i = 0; i < m->npaths; i++)
		free(m->paths[i]);
	free(m->paths);
	memset(m, 0, sizeof *m);
}

/* A shard name must stay inside the model directory. */
static int plain_file_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > KYC_WEIGHTS_MAX_NAME || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

static size_t elem_bytes(enum kyc_wdtype dt, enum kyc_wquant q)
{
	switch (q) {
	case KYC_WQ_UINT8:
		return 1;
	case KYC_WQ_UINT16:
	case KYC_WQ_FLOAT16:
		return 2;
	case KYC_WQ_NONE:
		break;
	}
	(void)dt; /* float32 and int32 are both four bytes */
	return 4;
}

static int parse_entry(json_t *jw, size_t idx, struct kyc_manifest_entry *e, char *err,
                       size_t errlen)
{
	json_t *jname = json_object_get(jw, "name"), *jshape = json_object_get(jw, "shape");
	json_t *jdtype = json_object_get(jw, "dtype"), *jq = json_object_get(jw, "quantization");
	if (!json_is_string(jname) || json_string_length(jname) == 0 ||
	    json_string_length(jname) > KYC_WEIGHTS_MAX_NAME)
		return fail(err, errlen, KYC_ERR_INVALID, "weights[%zu].name: missing or too long",
		            idx);
	if (!json_is_array(jshape) || json_array_size(jshape) > KYC_WEIGHTS_MAX_RANK)
		return fail(err, errlen, KYC_ERR_INVALID,
		            "weights[%zu].shape: not an array of at most %d", idx,
		            KYC_WEIGHTS_MAX_RANK);
	e->rank = (int)json_array_size(jshape);
	e->count = 1;
	for (int d = 0; d < e->rank; d++) {
		json_t *v = json_array_get(jshape, (size_t)d);
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > KYC_WEIGHTS_MAX_ELEMS)
			return fail(err, errlen, KYC_ERR_INVALID,
			            "weights[%zu].shape[%d]: not a positive size", idx, d);
		e->shape[d] = (int)json_integer_value(v);
		e->count *= (size_t)e->shape[d];
		if (e->count > (size_t)KYC_WEIGHTS_MAX_ELEMS)
			return fail(err, errlen, KYC_ERR_TOOBIG,
			            "weights[%zu].shape: too many elements", idx);
	}
	const char *dt = json_string_value(jdtype);
	if (dt && !strcmp(dt, "float32"))
		e->dtype = KYC_WD_FLOAT32;
	else if (dt && !strcmp(dt, "int32"))
		e->dtype = KYC_WD_INT32;
	else
		return fail(err, errlen, KYC_ERR_INVALID,
		            "weights[%zu].dtype: not float32 or int32", idx);
	e->quant = KYC_WQ_NONE;
	if (jq && !json_is_null(jq)) {
		const char *qd = json_string_value(json_object_get(jq, "dtype"));
		if (!json_is_object(jq) || !qd)
			return fail(err, errlen, KYC_ERR_INVALID,
			            "weights[%zu].quantization: no dtype", idx);
		if (!strcmp(qd, "float16")) {
			e->quant = KYC_WQ_FLOAT16;
		} else if (!strcmp(qd, "uint8") || !strcmp(qd, "uint16")) {
			e->quant = qd[4] == '8' ? KYC_WQ_UINT8 : KYC_WQ_UINT16;
			json_t *js = json_object_get(jq, "scale"), *jm = json_object_get(jq, "min");
			if (!json_is_number(js) || !json_is_number(jm) ||
			    !isfinite(json_number_value(js)) || !isfinite(json_number_value(jm)))
				return fail(
				    err, errlen, KYC_ERR_INVALID,
				    "weights[%zu].quantization: scale and min must be numbers",
				    idx);
			e->scale = json_number_value(js);
			e->min = json_number_value(jm);
		} else {
			return fail(err, errlen, KYC_ERR_INVALID,
			            "weights[%zu].quantization.dtype: not uint8, uint16 or float16",
			            idx);
		}
		if (e->dtype != KYC_WD_FLOAT32)
			return fail(err, errlen, KYC_ERR_INVALID,
			            "weights[%zu].quantization: only float32 weights are quantised",
			            idx);
	}
	e->bytes = e->count * elem_bytes(e->dtype, e->quant);
	e->name = strdup(json_string_value(jname));
	return e->name ? 0 : KYC_ERR_NOMEM;
}

int kyc_manifest_parse(const char *json, size_t len, struct kyc_manifest *out, char *err,
                       size_t errlen)
{
	memset(out, 0, sizeof *out);
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc = KYC_ERR_INVALID;
	if (!root)
		return fail(err, errlen, KYC_ERR_INVALID, "manifest: not JSON (line %d: %s)",
		            jerr.line, jerr.text);
	if (!json_is_array(root) || json_array_size(root) == 0) {
		rc =
		    fail(err, errlen, KYC_ERR_INVALID, "manifest: not a non-empty array of groups");
		goto out;
	}
	size_t nw = 0, np = 0;
	size_t gi;
	json_t *g;
	json_array_foreach(root, gi, g)
	{
		json_t *paths = json_object_get(g, "paths"),
		       *weights = json_object_get(g, "weights");
		if (!json_is_array(paths) || !json_is_array(weights)) {
			rc = fail(err, errlen, KYC_ERR_INVALID,
			          "manifest[%zu]: paths and weights must be arrays", gi);
			goto out;
		}
		nw += json_array_size(weights);
		np += json_array_size(paths);
	}
	if (nw == 0 || nw > KYC_WEIGHTS_MAX_ENTRIES || np == 0 || np > KYC_WEIGHTS_MAX_ENTRIES) {
		rc = fail(err, errlen, KYC_ERR_TOOBIG, "manifest: %zu weights in %zu shards", nw,
		          np);
		goto out;
	}
	out->entries = calloc(nw, sizeof *out->entries);
	out->paths = calloc(np, sizeof *out->paths);
	if (!out->entries || !out->paths) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(root, gi, g)
	{
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(g, "paths"), i, v)
		{
			if (!json_is_string(v) || !plain_file_name(json_string_value(v))) {
				rc = fail(err, errlen, KYC_ERR_INVALID,
				          "manifest[%zu].paths[%zu]: not a plain file name", gi, i);
				goto out;
			}
			if (!(out->paths[out->npaths] = strdup(json_string_value(v)))) {
				rc = KYC_ERR_NOMEM;
				goto out;
			}
			out->npaths++;
		}
		json_array_foreach(json_object_get(g, "weights"), i, v)
		{
			struct kyc_manifest_entry *e = &out->entries[out->count];
			if ((rc = parse_entry(v, out->count, e, err, errlen)) != 0)
				goto out;
			e->offset = out->total_bytes;
			out->total_bytes += e->bytes;
			out->count++;
			if (out->total_bytes > (size_t)KYC_WEIGHTS_MAX_BYTES) {
				rc = fail(err, errlen, KYC_ERR_TOOBIG,
				          "manifest: more than %ld bytes of weights",
				          KYC_WEIGHTS_MAX_BYTES);
				goto out;
			}
		}
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		kyc_manifest_release(out);
	return rc;
}

float kyc_half_to_float(unsigned short h)
{
	unsigned sign = (h >> 15) & 1u, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
	float v;
	if (exp == 0)
		v = ldexpf((float)mant, -24); /* zero or subnormal */
	else if (exp == 31)
		v = mant ? NAN : INFINITY;
	else
		v = ldexpf((float)(mant | 0x400u), (int)exp - 25);
	return sign ? -v : v;
}

static void decode_values(const struct kyc_manifest_entry *e, const unsigned char *p, float *dst)
{
	/* Shards are little-endian, as TF.js writes them. */
	for (size_t i = 0; i < e->count; i++) {
		switch (e->quant) {
		case KYC_WQ_UINT8:
			dst[i] = (float)(p[i] * e->scale + e->min);
			break;
		case KYC_WQ_UINT16: {
			unsigned q = p[2 * i] | (unsigned)p[2 * i + 1] << 8;
			dst[i] = (float)(q * e->scale + e->min);
			break;
		}
		case KYC_WQ_FLOAT16:
			dst[i] = kyc_half_to_float((unsigned short)(p[2 * i] | p[2 * i + 1] << 8));
			break;
		case KYC_WQ_NONE: {
			unsigned u = p[4 * i] | (unsigned)p[4 * i + 1] << 8 |
			             (unsigned)p[4 * i + 2] << 16 | (unsigned)p[4 * i + 3] << 24;
			if (e->dtype == KYC_WD_INT32) {
				dst[i] = (float)(int)u;
			} else {
				float f;
				memcpy(&f, &u, sizeof f);
				dst[i] = f;
			}
			break;
		}
		}
	}
}

void kyc_weights_release(struct kyc_weights *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->count; i++) {
		free(w->w[i].name);
		if (!w->block)
			free(w->w[i].data);
	}
	free(w->w);
	kyc_isolate_private_free(w->block, w->block_len);
	memset(w, 0, sizeof *w);
}

int kyc_weights_decode(const struct kyc_manifest *m, const unsigned char *data, size_t len,
                       struct kyc_weights *out, char *err, size_t errlen)
{
	return kyc_weights_decode_in(m, data, len, 0, out, err, errlen);
}

int kyc_weights_decode_in(const struct kyc_manifest *m, const unsigned char *data, size_t len,
                          int private, struct kyc_weights *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (len != m->total_bytes)
		return fail(err, errlen, KYC_ERR_INVALID,
		            "shards: %zu bytes, the manifest says %zu", len, m->total_bytes);
	out->w = calloc(m->count ? m->count : 1, sizeof *out->w);
	if (!out->w)
		return KYC_ERR_NOMEM;
	size_t total = 0, at = 0;
	for (size_t i = 0; private && i < m->count; i++)
		total += m->entries[i].count;
	/* decoded straight into the block: values decoded to the heap and
	 * moved would leave their freed pages resident, and forked */
	if (total && !(out->block = kyc_isolate_private_alloc(total * sizeof(float)))) {
		kyc_weights_release(out);
		return KYC_ERR_NOMEM;
	}
	out->block_len = total * sizeof(float);
	for (size_t i = 0; i < m->count; i++) {
		const struct kyc_manifest_entry *e = &m->entries[i];
		struct kyc_weight *w = &out->w[i];
		out->count++;
		w->name = strdup(e->name);
		w->data = out->block ? out->block + at : malloc(e->count * sizeof(float));
		at += e->count;
		if (!w->name || !w->data) {
			kyc_weights_release(out);
			return KYC_ERR_NOMEM;
		}
		w->rank = e->rank;
		memcpy(w->shape, e->shape, sizeof w->shape);
		w->count = e->count;
		decode_values(e, data + e->offset, w->data);
	}
	return 0;
}

int kyc_weights_read_file(const char *path, size_t max, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return KYC_ERR_IO;
	int rc = KYC_ERR_IO;
	unsigned char *b = NULL;
	if (fseek(f, 0, SEEK_END) != 0)
		goto out;
	long n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((size_t)n > max) {
		rc = KYC_ERR_TOOBIG;
		goto out;
	}
	b = malloc((size_t)n + 1);
	if (!b) {
		rc = KYC_ERR_NOMEM;
		goto out;
	}
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		goto out;
	*buf = b;
	*len = (size_t)n;
	b = NULL;
	rc = 0;
out:
	free(b);
	fclose(f);
	return rc;
}

int kyc_weights_read_shards(const char *dir, const struct kyc_manifest *m, unsigned char **out,
                            size_t *len, char *err, size_t errlen)
{
	unsigned char *shards = malloc(m->total_bytes ? m->total_bytes : 1);
	size_t used = 0;
	char path[4096];
	int rc = 0;
	if (!shards)
		return KYC_ERR_NOMEM;
	for (size_t i = 0; i < m->npaths; i++) {
		unsigned char *b = NULL;
		size_t n = 0;
		snprintf(path, sizeof path, "%s/%s", dir, m->paths[i]);
		if ((rc = kyc_weights_read_file(path, (size_t)KYC_WEIGHTS_MAX_BYTES, &b, &n)) !=
		    0) {
			fail(err, errlen, rc, "%s: cannot read (%s)", m->paths[i],
			     kyc_err_name(rc));
			goto out;
		}
		if (n > m->total_bytes - used) {
			free(b);
			rc = fail(err, errlen, KYC_ERR_INVALID,
			          "%s: more bytes than the manifest names", m->paths[i]);
			goto out;
		}
		memcpy(shards + used, b, n);
		used += n;
		free(b);
	}
	*out = shards;
	*len = used;
	shards = NULL;
out:
	free(shards);
	return rc;
}

int kyc_weights_load(const char *dir, const char *manifest_file, struct kyc_weights *out, char *err,
                     size_t errlen)
{
	struct kyc_manifest m;
	unsigned char *json = NULL, *shards = NULL;
	size_t jlen = 0, used = 0;
	char path[4096];
	int rc;
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "%s/%s", dir, manifest_file);
	if ((rc = kyc_weights_read_file(path, 16u << 20, &json, &jlen)) != 0)
		return fail(err, errlen, rc, "%s: cannot read (%s)", manifest_file,
		            kyc_err_name(rc));
	rc = kyc_manifest_parse((const char *)json, jlen, &m, err, errlen);
	free(json);
	if (rc)
		return rc;
	if ((rc = kyc_weights_read_shards(dir, &m, &shards, &used, err, errlen)) == 0)
		rc = kyc_weights_decode_in(&m, shards, used, 1, out, err, errlen);
	free(shards);
	kyc_manifest_release(&m);
	return rc;
}

const struct kyc_weight *kyc_weights_get(const struct kyc_weights *w, const char *name, int rank,
                                         size_t count)
{
	const struct kyc_weight *f = kyc_weights_find(w, name);
	return (f && (rank < 0 || f->rank == rank) && f->count == count) ? f : NULL;
}

const struct kyc_weight *kyc_weights_find(const struct kyc_weights *w, const char *name)
{
	for (size_t i = 0; i < w->count; i++)
		if (!strcmp(w->w[i].name, name))
			return &w->w[i];
	return NULL;
}
