/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job templates (WIRE.md 11.4): what CreateJob needs of them
 * (template_apply), and the AWS-managed templates, a table in the code
 * (managed_template.c) that stands in for the ones AWS publishes.
 */
#ifndef IOTJOBS_API_TEMPLATE_H
#define IOTJOBS_API_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "err.h"

/*
 * CreateJob with jobTemplateArn: merges into the CreateJob input IN the
 * template's document and configuration members that IN does not give
 * (explicit members win; a custom template is read in TX). For an
 * AWS-managed template it checks documentParameters against the
 * template's parameters and puts the substituted document into IN.
 * Without jobTemplateArn it only rejects documentParameters. Returns 0, or -1 with InvalidRequestException or
 * ResourceNotFoundException (unknown template) in ERR.
 */
int template_apply(struct api_ctx *ctx, struct store_tx *tx, json_t *in,
    struct err *err);

/* One documentParameters entry of a managed template (DocumentParameter). */
struct managed_param {
	const char *key;
	const char *description;
	const char *regex;	/* POSIX extended; the whole value must match */
	const char *example;
	bool optional;
};

/* One AWS-managed job template, one version of it. */
struct managed_template {
	const char *name;		/* "AWS-Reboot" */
	const char *version;		/* "1.0" */
	const char *description;
	const char *const *environments;	/* NULL-terminated */
	const struct managed_param *params;	/* ended by a NULL key */
	const char *document;	/* JSON text with ${aws:iot:parameter:KEY} */
};

/* The managed templates, in name and version order; COUNT of them. */
extern const struct managed_template managed_templates[];
extern const size_t managed_templates_count;

/*
 * The managed template NAME at VERSION (NULL: its newest version), or
 * NULL.
 */
const struct managed_template *managed_template_find(const char *name,
    const char *version);

/* "arn:aws:iot:REGION::jobtemplate/NAME:VERSION" into BUF. */
void managed_template_arn(const struct api_ctx *ctx,
    const struct managed_template *mt, char *buf, size_t size);

/*
 * The document of MT with its placeholders filled from PARAMS (a JSON
 * object of strings, may be NULL): every required parameter given, no
 * unknown key, each value matching its regex. Returns a new string (caller
 * frees) in *OUT, or -1 with an InvalidRequestException naming the
 * parameters at fault.
 */
int managed_template_fill(const struct managed_template *mt, json_t *params,
    char **out, struct err *err);

/* ListManagedJobTemplates and DescribeManagedJobTemplate handlers. */
int managed_template_list_op(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err);
int managed_template_describe_op(struct api_ctx *ctx, json_t *in,
    json_t **out, struct err *err);

#endif
