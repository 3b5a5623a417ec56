/* The JSON shape of a parsed MRZ: the interface `kycd mrz`, the upload
 * handler and the workflow checks share (docs/mrz.md). */
#include "document/mrz.h"

/* Sets key to a new value, failing when either allocation failed. */
static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

json_t *kyc_mrz_to_json(const struct kyc_mrz *m)
{
	json_t *o = json_object(), *lines = json_array(), *f = json_object(), *c = json_object(),
	       *corr = json_array(), *warn = json_array(), *conf = json_object();
	int bad = !o || !lines || !f || !c || !corr || !warn || !conf;
	for (int i = 0; !bad && i < m->nlines; i++)
		bad |= json_array_append_new(lines, json_string(m->lines[i])) != 0;
	const struct {
		const char *k, *v;
	} fields[] = {
	    {"document_code", m->document_code},     {"issuing_country", m->issuing_country},
	    {"document_number", m->document_number}, {"surname", m->surname},
	    {"given_names", m->given_names},         {"nationality", m->nationality},
	    {"birth_date", m->birth_date},           {"sex", m->sex},
	    {"expiry_date", m->expiry_date},         {"optional_data", m->optional_data},
	    {"optional_data_2", m->optional_data_2},
	};
	for (size_t i = 0; !bad && i < sizeof fields / sizeof fields[0]; i++)
		bad |= put(f, fields[i].k, json_string(fields[i].v)) != 0;
	for (int i = 0; !bad && i < KYC_MRZ_NCHECKS; i++)
		if (m->checks & (1u << i))
			bad |= put(c, kyc_mrz_check_name(i),
			           json_boolean(m->checks_ok & (1u << i))) != 0;
	for (int i = 0; !bad && i < m->ncorrections; i++) {
		const struct kyc_mrz_correction *k = &m->corrections[i];
		json_t *e =
		    json_pack("{s:s,s:s,s:s}", "field", k->field, "from", k->from, "to", k->to);
		bad |= !e || json_array_append_new(corr, e) != 0;
	}
	for (int i = 0; !bad && i < KYC_MRZ_NWARNINGS; i++)
		if (m->warnings & (1u << i))
			bad |=
			    json_array_append_new(warn, json_string(kyc_mrz_warning_name(i))) != 0;
	for (int i = 0; !bad && i < KYC_MRZ_NFIELDS; i++) /* three decimals are plenty */
		bad |= put(conf, kyc_mrz_field_name(i),
		           json_real((double)(long)(m->field_conf[i] * 1000 + 0.5) / 1000)) != 0;
	if (bad)
		goto fail;
	/* Ownership of the containers passes to o one by one; after a failed
	 * set_new the value is already released by jansson. */
	if (put(o, "format", json_string(kyc_mrz_format_name(m->format))) ||
	    put(o, "valid", json_boolean(m->valid)))
		goto fail;
	json_t *parts[] = {lines, f, c, corr, warn, conf};
	const char *names[] = {"lines", "fields", "checks", "corrections", "warnings", "confidence"};
	for (int i = 0; i < 6; i++) {
		json_t *p = parts[i];
		parts[i] = NULL;
		if (json_object_set_new(o, names[i], p)) {
			for (int k = i + 1; k < 6; k++)
				json_decref(parts[k]);
			json_decref(o);
			return NULL;
		}
	}
	return o;
fail:
	json_decref(o);
	json_decref(lines);
	json_decref(f);
	json_decref(c);
	json_decref(corr);
	json_decref(warn);
	json_decref(conf);
	return NULL;
}

json_t *kyc_mrz_error_json(const char *message)
{
	return json_pack("{s:{s:s,s:s}}", "error", "code", "mrz_not_recognized", "message",
	                 message ? message : "not an MRZ");
}
