/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every backend shares: releasing the records the store_*()
 * operations fill in, and merging thing attributes.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_ops.h"

void
store_audit_rec_release(struct store_audit_rec *r)
{
	free(r->principal);
	free(r->operation);
	free(r->target);
	free(r->thing);
	free(r->job);
	free(r->peer);
	free(r->request_id);
	free(r->result);
	free(r->detail);
	memset(r, 0, sizeof(*r));
}

void
store_cert_release(struct store_cert *c)
{
	free(c->pem);
	c->pem = NULL;
}

void
store_ca_release(struct store_ca *c)
{
	free(c->pem);
	free(c->subject);
	json_decref(c->registration_config);
	json_decref(c->tags);
	c->pem = NULL;
	c->subject = NULL;
	c->registration_config = NULL;
	c->tags = NULL;
}

void
store_command_release(struct store_command *c)
{
	free(c->namespace);
	free(c->display_name);
	free(c->description);
	json_decref(c->def);
	c->namespace = c->display_name = c->description = NULL;
	c->def = NULL;
}

void
store_cmd_exec_release(struct store_cmd_exec *e)
{
	json_decref(e->status_reason);
	json_decref(e->result);
	json_decref(e->parameters);
	free(e->client_token);
	free(e->request);
	e->status_reason = e->result = e->parameters = NULL;
	e->client_token = e->request = NULL;
}

void
store_exec_release(struct store_exec *e)
{
	json_decref(e->status_details);
	e->status_details = NULL;
	free(e->document);
	e->document = NULL;
}

void
store_group_release(struct store_group *g)
{
	free(g->description);
	g->description = NULL;
	free(g->query);
	g->query = NULL;
	free(g->query_version);
	g->query_version = NULL;
	free(g->index_name);
	g->index_name = NULL;
	json_decref(g->attributes);
	g->attributes = NULL;
}

void
store_job_release(struct store_job *job)
{
	if (job == NULL)
		return;
	free(job->document);
	free(job->description);
	free(job->reason_code);
	free(job->comment);
	json_decref(job->config);
	json_decref(job->targets);
	memset(job, 0, sizeof(*job));
}

void
store_job_engine_release(struct store_job_engine *j)
{
	json_decref(j->config);
	j->config = NULL;
}

void
store_opkey_release(struct store_opkey *k)
{
	free(k->policy);
	k->policy = NULL;
	OPENSSL_cleanse(k->sealed, sizeof(k->sealed));
	k->sealed_len = 0;
}

void
store_policy_version_release(struct store_policy_version *v)
{
	free(v->document);
	v->document = NULL;
}

void
store_template_release(struct store_template *t)
{
	free(t->description);
	free(t->document);
	json_decref(t->config);
	t->description = NULL;
	t->document = NULL;
	t->config = NULL;
}

void
store_thing_release(struct store_thing *t)
{
	json_decref(t->attributes);
	t->attributes = NULL;
}

json_t *
store_attrs_apply(const json_t *current, const json_t *update, bool merge)
{
	json_t *res, *v;
	const char *key;

	res = merge && current != NULL ? json_deep_copy(current) :
	    json_object();
	if (update == NULL)
		return res;
	json_object_foreach((json_t *)update, key, v) {
		if (!json_is_string(v))
			continue;
		if (json_string_length(v) == 0)
			json_object_del(res, key);
		else
			json_object_set(res, key, v);
	}
	return res;
}

void
store_thing_type_release(struct store_thing_type *t)
{
	free(t->description);
	t->description = NULL;
	json_decref(t->searchable);
	t->searchable = NULL;
	json_decref(t->mqtt5);
	t->mqtt5 = NULL;
}
