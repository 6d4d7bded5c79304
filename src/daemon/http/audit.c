/* SPDX-License-Identifier: Apache-2.0 */
/* The audit records of HTTP requests (audit.h). */
#include "http/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ext.h"
#include "log.h"
#include "sigv4/sigv4.h"

bool
http_audit_is_write(const struct model_op *op)
{
	static const char *const reads[] = {
		"List", "Describe", "Get", "Search", "Test", "Validate",
	};
	size_t i;

	if (op->plane != PLANE_CONTROL || strcmp(op->method, "GET") == 0)
		return false;
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		if (strncmp(op->name, reads[i], strlen(reads[i])) == 0)
			return false;
	return true;
}

/* The resource the input names first, as "kind/name". */
static void
target_of(const json_t *in, char *buf, size_t size)
{
	static const struct { const char *member, *kind; } kinds[] = {
		{ "jobId", "job" }, { "thingName", "thing" },
		{ "thingGroupName", "thinggroup" }, { "policyName", "policy" },
		{ "certificateId", "cert" }, { "caCertificateId", "cacert" },
		{ "jobTemplateId", "jobtemplate" }, { "commandId", "command" },
		{ "executionId", "commandexecution" },
	};
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *v = json_string_value(json_object_get(in,
		    kinds[i].member));

		if (v != NULL) {
			snprintf(buf, size, "%s/%s", kinds[i].kind, v);
			return;
		}
	}
}

/* {"documentSha256", "principal", "policyTarget"}: no secret, no doc. */
static void
detail_of(const json_t *in, char *buf, size_t size)
{
	const char *doc = json_string_value(json_object_get(in, "document"));
	const char *principal = json_string_value(json_object_get(in,
	    "principal"));
	const char *target = json_string_value(json_object_get(in, "target"));
	char hash[SIGV4_HEX_LEN + 1];
	json_t *d = json_object();
	char *text;

	if (doc != NULL && sigv4_sha256_hex(doc, strlen(doc), hash) == 0)
		json_object_set_new(d, "documentSha256", json_string(hash));
	if (principal != NULL)
		json_object_set_new(d, "principal", json_string(principal));
	if (target != NULL)
		json_object_set_new(d, "policyTarget", json_string(target));
	buf[0] = '\0';
	if (json_object_size(d) > 0) {
		text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		if (text != NULL && strlen(text) < size)
			snprintf(buf, size, "%s", text);
		free(text);
	}
	json_decref(d);
}

void
http_audit_init(struct http_audit *a, const char *op,
    const struct principal *who, const json_t *in, const char *peer,
    const char *rid, int64_t now)
{
	memset(a, 0, sizeof(*a));
	ext_principal_name(who, a->principal, sizeof(a->principal));
	target_of(in, a->target, sizeof(a->target));
	detail_of(in, a->detail, sizeof(a->detail));
	a->rec.at = now;
	a->rec.principal = a->principal;
	a->rec.operation = op;
	a->rec.target = a->target;
	a->rec.thing = json_string_value(json_object_get(in, "thingName"));
	a->rec.job = json_string_value(json_object_get(in, "jobId"));
	a->rec.peer = peer;
	a->rec.request_id = rid;
	a->rec.detail = a->detail;
}

void
http_audit_arm(struct http_audit *a)
{
	store_audit_set(&a->rec);
}

void
http_audit_done(struct app *app, struct http_audit *a, int rc,
    const struct err *err)
{
	struct err e2;

	store_audit_clear();
	if (a->rec.written)
		return;
	err_clear(&e2);
	if (store_audit_append(app->st, &a->rec, rc == 0 ? "OK" :
	    err->type, &e2) == -1)
		log_warnx("audit: cannot record %s of %s: %s",
		    a->rec.operation, a->principal, e2.msg);
}

bool
http_audit_is_refusal(const struct err *err)
{
	return err->type != NULL &&
	    (strcmp(err->type, ERR_ACCESS_DENIED) == 0 ||
	    strcmp(err->type, ERR_UNRECOGNIZED_CLIENT) == 0);
}
