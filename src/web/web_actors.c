/* Who acted on a verification, as the console shows it: the audit trail
 * names actors by id ("operator:<id>", "key:<id>"), which mean nothing to a
 * person. Each is resolved within the operator's tenant to what a reviewer
 * recognises: an operator's username, an API key's role and creation date.
 * Another tenant's key, or one since deleted, stays unresolved. */
#include <string.h>

#include "core/clock.h"
#include "web/web_int.h"

static json_t *operator_name(kyc_store *s, const char *tenant_id, const char *id)
{
	struct kyc_operator_row op;
	if (kyc_store_operator_get(s, tenant_id, id, &op))
		return NULL;
	memset(op.password_hash, 0, sizeof op.password_hash);
	return json_pack("{s:s, s:s, s:s}", "kind", "operator", "username", op.username, "role",
	                 op.role);
}

static json_t *key_name(kyc_store *s, const char *tenant_id, const char *id)
{
	struct kyc_key_row k;
	char at[32];
	if (!strncmp(id, "kyc_", 4)) /* the actor is the key's public prefix */
		id += 4;
	if (kyc_store_key_get(s, id, &k) || strcmp(k.tenant_id, tenant_id))
		return NULL;
	kyc_time_iso(k.created_at, at);
	return json_pack("{s:s, s:s, s:s}", "kind", "key", "role", k.role, "created_at", at);
}

/* Adds actor to out when it can be named and is not there yet. */
static void add_actor(kyc_store *s, const char *tenant_id, const char *actor, json_t *out)
{
	if (!actor || json_object_get(out, actor))
		return;
	json_t *name = NULL;
	if (!strncmp(actor, "operator:", 9))
		name = operator_name(s, tenant_id, actor + 9);
	else if (!strncmp(actor, "key:", 4))
		name = key_name(s, tenant_id, actor + 4);
	if (name)
		json_object_set_new(out, actor, name);
}

json_t *web__actor_names(kyc_store *s, const char *tenant_id, const json_t *history,
                         const json_t *verification)
{
	json_t *out = json_object();
	size_t i;
	json_t *h;
	json_array_foreach(history, i, h)
	{
		add_actor(s, tenant_id, json_string_value(json_object_get(h, "actor")), out);
	}
	static const char *const parts[] = {"decision", "corrections", NULL};
	for (const char *const *p = parts; *p; p++)
		add_actor(
		    s, tenant_id,
		    json_string_value(json_object_get(json_object_get(verification, *p), "actor")),
		    out);
	return out;
}
