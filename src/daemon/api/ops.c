/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operation table: the tables of every resource file, searched by plane
 * and operation name. An operation of the models that no table lists gets
 * NotImplementedException (see http/dispatch.c), never a router 404.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

static const struct api_op *const api_tables[] = {
	api_thing_ops,
	api_group_ops,
	api_group_member_ops,
	api_job_ops,
	api_exec_ops,
	api_jobs_data_ops,
	api_template_ops,
	api_command_ops,
	api_endpoint_ops,
	api_policy_ops,
	api_policy_attach_ops,
	api_principal_ops,
	api_cert_ops,
	api_ca_ops,
	api_dyngroup_ops,
	api_thing_type_ops,
	api_tag_ops,
};

const struct api_op *
api_op_find(enum plane plane, const char *name)
{
	size_t t;
	const struct api_op *op;

	for (t = 0; t < sizeof(api_tables) / sizeof(api_tables[0]); t++)
		for (op = api_tables[t]; op->name != NULL; op++)
			if (op->plane == plane && strcmp(op->name, name) == 0)
				return op;
	return NULL;
}

void
api_arn(const struct api_ctx *ctx, const char *type, const char *name,
    char *buf, size_t size)
{
	snprintf(buf, size, "arn:aws:iot:%s:%s:%s/%s", ctx->conf->region,
	    ctx->conf->account_id, type, name);
}

const char *
api_in_str(const json_t *in, const char *member)
{
	return json_string_value(json_object_get(in, member));
}
