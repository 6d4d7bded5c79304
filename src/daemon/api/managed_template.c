/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AWS-managed job templates (ListManagedJobTemplates,
 * DescribeManagedJobTemplate; WIRE.md 11.4) and the filling of their
 * ${aws:iot:parameter:NAME} placeholders from CreateJob's
 * documentParameters. Names, versions, descriptions, environments and
 * parameters follow what the AWS IoT developer guide documents of them
 * (job-templates-managed.html, job-template-manage-cli-create.html); the
 * job documents and regexes are ours, for the AWS IoT Device Client's
 * runHandler and runCommand steps. See docs/compatibility.md.
 */
#include "api/template.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/marker.h"
#include "xmalloc.h"

#define PLACEHOLDER	"${aws:iot:parameter:"
#define DOCUMENT_MAX	32768	/* bytes, model JobDocument */
#define LIST_DEFAULT	50
#define KEYS_MSG_MAX	512

/* A placeholder inside a JSON string of a document. */
#define PARAM(key)	"\"" PLACEHOLDER key "}\""

/* A one-step document running HANDLER of the Device Client with ARGS. */
#define RUN_HANDLER(step, handler, args)				\
	"{\"version\":\"1.0\",\"steps\":[{\"action\":{\"name\":\"" step	\
	"\",\"type\":\"runHandler\",\"input\":{\"handler\":\"" handler	\
	"\",\"args\":[" args "],\"path\":\"default\"},"			\
	"\"runAsUser\":\"root\"}}]}"

/* Names of packages or services, separated by single spaces. */
#define NAMES_REGEX	"[A-Za-z0-9@._+:-]+( [A-Za-z0-9@._+:-]+)*"

static const char *const linux_env[] = { "LINUX", NULL };

static const struct managed_param no_params[] = {
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param download_params[] = {
	{ "downloadUrl", "URL of the file to download.",
	    "[a-z][a-z0-9+.-]*://[^[:space:]]+",
	    "https://example.com/firmware/update.bin", false },
	{ "filePath", "Path on the device where the downloaded file is"
	    " written.", "[^[:cntrl:]]+", "/tmp/update.bin", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param packages_install[] = {
	{ "packages", "Space-separated list of the packages to install.",
	    NAMES_REGEX, "lsof htop", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param packages_remove[] = {
	{ "packages", "Space-separated list of the packages to uninstall.",
	    NAMES_REGEX, "lsof htop", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param services_restart[] = {
	{ "services", "Space-separated list of the services to restart.",
	    NAMES_REGEX, "ssh cron", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param services_start[] = {
	{ "services", "Space-separated list of the services to start.",
	    NAMES_REGEX, "ssh cron", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param services_stop[] = {
	{ "services", "Space-separated list of the services to stop.",
	    NAMES_REGEX, "ssh cron", false },
	{ NULL, NULL, NULL, NULL, false },
};

static const struct managed_param command_params[] = {
	{ "command", "Comma-separated list of a command and its arguments.",
	    "[^[:cntrl:]]+", "ls,-l,/tmp", false },
	{ NULL, NULL, NULL, NULL, false },
};

const struct managed_template managed_templates[] = {
	{ "AWS-Download-File", "1.0",
	    "A managed job template for downloading a file.", linux_env,
	    download_params, RUN_HANDLER("Download-File", "download-file.sh",
	    PARAM("downloadUrl") "," PARAM("filePath")) },
	{ "AWS-Install-Application", "1.0",
	    "A managed job template for installing one or more"
	    " applications.", linux_env, packages_install,
	    RUN_HANDLER("Install-Application", "install-packages.sh",
	    PARAM("packages")) },
	{ "AWS-Reboot", "1.0",
	    "A managed job template for rebooting the device.", linux_env,
	    no_params, RUN_HANDLER("Reboot", "reboot.sh", "") },
	{ "AWS-Remove-Application", "1.0",
	    "A managed job template for uninstalling one or more"
	    " applications.", linux_env, packages_remove,
	    RUN_HANDLER("Remove-Application", "remove-packages.sh",
	    PARAM("packages")) },
	{ "AWS-Restart-Application", "1.0",
	    "A managed job template for restarting one or more system"
	    " services.", linux_env, services_restart,
	    RUN_HANDLER("Restart-Application", "restart-services.sh",
	    PARAM("services")) },
	{ "AWS-Run-Command", "1.0",
	    "A managed job template for running a command.", linux_env,
	    command_params,
	    "{\"version\":\"1.0\",\"steps\":[{\"action\":{\"name\":"
	    "\"Run-Command\",\"type\":\"runCommand\",\"input\":{\"command\":"
	    PARAM("command") "},\"runAsUser\":\"root\"}}]}" },
	{ "AWS-Start-Application", "1.0",
	    "A managed job template for starting one or more system"
	    " services.", linux_env, services_start,
	    RUN_HANDLER("Start-Application", "start-services.sh",
	    PARAM("services")) },
	{ "AWS-Stop-Application", "1.0",
	    "A managed job template for stopping one or more system"
	    " services.", linux_env, services_stop,
	    RUN_HANDLER("Stop-Application", "stop-services.sh",
	    PARAM("services")) },
};

const size_t managed_templates_count =
    sizeof(managed_templates) / sizeof(managed_templates[0]);

/* "1.10" after "1.9": compares dotted versions numerically. */
static int
version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a == '\0') != (*b == '\0'))
			return *a == '\0' ? -1 : 1;
	}
	return 0;
}

const struct managed_template *
managed_template_find(const char *name, const char *version)
{
	const struct managed_template *best = NULL;
	size_t i;

	for (i = 0; i < managed_templates_count; i++) {
		const struct managed_template *mt = &managed_templates[i];

		if (strcmp(mt->name, name) != 0)
			continue;
		if (version != NULL && strcmp(mt->version, version) == 0)
			return mt;
		if (version == NULL && (best == NULL ||
		    version_cmp(mt->version, best->version) > 0))
			best = mt;
	}
	return best;
}

void
managed_template_arn(const struct api_ctx *ctx,
    const struct managed_template *mt, char *buf, size_t size)
{
	snprintf(buf, size, "arn:aws:iot:%s::jobtemplate/%s:%s",
	    ctx->conf->region, mt->name, mt->version);
}

static const struct managed_param *
param_find(const struct managed_template *mt, const char *key)
{
	const struct managed_param *p;

	for (p = mt->params; p->key != NULL; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

/* Whether all of VALUE matches the extended regex RE. */
static bool
value_matches(const char *re, const char *value)
{
	char anchored[256];
	regex_t rx;
	bool ok;

	snprintf(anchored, sizeof(anchored), "^(%s)$", re);
	if (regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&rx, value, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* Appends ", KEY" (or "KEY" first) to the list LIST of SIZE bytes. */
static void
keys_add(char *list, size_t size, const char *key)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n > 0 ? ", " : "", key);
}

/* Every given parameter is known and well formed; none required lacks. */
static int
params_check(const struct managed_template *mt, json_t *params,
    struct err *err)
{
	char missing[KEYS_MSG_MAX] = "", unknown[KEYS_MSG_MAX] = "";
	const struct managed_param *p;
	const char *key;
	json_t *v;

	json_object_foreach(params, key, v) {
		if (param_find(mt, key) == NULL)
			keys_add(unknown, sizeof(unknown), key);
	}
	if (unknown[0] != '\0')
		return err_set(err, ERR_INVALID_REQUEST, "documentParameters"
		    " has parameters that the managed template %s does not"
		    " take: %s", mt->name, unknown);
	for (p = mt->params; p->key != NULL; p++)
		if (!p->optional && json_object_get(params, p->key) == NULL)
			keys_add(missing, sizeof(missing), p->key);
	if (missing[0] != '\0')
		return err_set(err, ERR_INVALID_REQUEST, "documentParameters"
		    " lacks required parameters of the managed template %s:"
		    " %s", mt->name, missing);
	for (p = mt->params; p->key != NULL; p++) {
		const char *val = json_string_value(json_object_get(params,
		    p->key));

		if (val != NULL && !value_matches(p->regex, val))
			return err_set(err, ERR_INVALID_REQUEST,
			    "documentParameters.%s does not match the"
			    " pattern %s of the managed template %s", p->key,
			    p->regex, mt->name);
	}
	return 0;
}

/* TEXT with every placeholder replaced; a new string. */
static char *
fill_text(const struct managed_template *mt, json_t *params,
    const char *text)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = xmalloc(cap);
	const char *p = text;

	while (*p != '\0') {
		const char *end, *val = NULL, *from = p;
		size_t n = 1;

		if (strncmp(p, PLACEHOLDER, strlen(PLACEHOLDER)) == 0 &&
		    (end = strchr(p, '}')) != NULL) {
			const char *key = p + strlen(PLACEHOLDER);
			char name[129];

			snprintf(name, sizeof(name), "%.*s",
			    (int)(end - key), key);
			if (param_find(mt, name) != NULL) {
				val = json_string_value(json_object_get(
				    params, name));
				from = val != NULL ? val : "";
				n = strlen(from);
				p = end;
			}
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, from, n);
		len += n;
		p++;
	}
	out[len] = '\0';
	return out;
}

/* Fills the placeholders of every string inside the JSON value J. */
static void
fill_json(const struct managed_template *mt, json_t *params, json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		char *s = fill_text(mt, params, json_string_value(j));

		json_string_set(j, s);
		free(s);
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			fill_json(mt, params, v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			fill_json(mt, params, v);
	}
}

int
managed_template_fill(const struct managed_template *mt, json_t *params,
    char **out, struct err *err)
{
	json_t *doc;
	char *text;

	if (params_check(mt, params, err) == -1)
		return -1;
	doc = json_loads(mt->document, 0, NULL);
	if (doc == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "managed template"
		    " %s has a malformed document", mt->name);
	fill_json(mt, params, doc);
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (strlen(text) > DOCUMENT_MAX) {
		free(text);
		return err_set(err, ERR_INVALID_REQUEST, "documentParameters"
		    " make the job document of %s longer than %d bytes",
		    mt->name, DOCUMENT_MAX);
	}
	*out = text;
	return 0;
}

/* ManagedJobTemplateSummary. */
static json_t *
summary_render(const struct api_ctx *ctx, const struct managed_template *mt)
{
	char arn[512];
	json_t *env = json_array();
	size_t i;

	managed_template_arn(ctx, mt, arn, sizeof(arn));
	for (i = 0; mt->environments[i] != NULL; i++)
		json_array_append_new(env, json_string(mt->environments[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:s}", "templateArn", arn,
	    "templateName", mt->name, "description", mt->description,
	    "environments", env, "templateVersion", mt->version);
}

static const struct marker_listing managed_listing = {
	"ListManagedJobTemplates", "nextToken", "nextToken",
	ERR_INVALID_REQUEST, MARKER_ROW
};

/* The position in the table a ListManagedJobTemplates nextToken names. */
static int
token_decode(const json_t *in, size_t *pos, struct err *err)
{
	int64_t v;

	*pos = 0;
	if (marker_read_row(&managed_listing, NULL, in, &v, err) == -1)
		return -1;
	if ((uint64_t)v >= managed_templates_count)
		return marker_refuse(&managed_listing, err);
	*pos = (size_t)v;
	return 0;
}

int
managed_template_list_op(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "templateName");
	json_t *max = json_object_get(in, "maxResults");
	size_t limit = max != NULL ? (size_t)json_integer_value(max) :
	    LIST_DEFAULT;
	size_t pos, n = 0;
	json_t *list;

	if (name != NULL && managed_template_find(name, NULL) == NULL)
		return err_set(err, ERR_NOT_FOUND, "Managed job template %s"
		    " does not exist", name);
	if (token_decode(in, &pos, err) == -1)
		return -1;
	list = json_array();
	*out = json_pack("{s:o}", "managedJobTemplates", list);
	for (; pos < managed_templates_count; pos++) {
		const struct managed_template *mt = &managed_templates[pos];

		if (name != NULL && strcmp(mt->name, name) != 0)
			continue;
		if (n == limit) {
			marker_write_row(&managed_listing, NULL,
			    (int64_t)pos, *out);
			break;
		}
		json_array_append_new(list, summary_render(ctx, mt));
		n++;
	}
	return 0;
}

int
managed_template_describe_op(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const char *name = api_in_str(in, "templateName");
	const char *version = api_in_str(in, "templateVersion");
	const struct managed_template *mt;
	const struct managed_param *p;
	json_t *params;

	mt = managed_template_find(name, version);
	if (mt == NULL)
		return err_set(err, ERR_NOT_FOUND, "Managed job template"
		    " %s%s%s does not exist", name, version != NULL ?
		    " version " : "", version != NULL ? version : "");
	*out = summary_render(ctx, mt);
	params = json_array();
	for (p = mt->params; p->key != NULL; p++)
		json_array_append_new(params, json_pack("{s:s, s:s, s:s,"
		    " s:s, s:b}", "key", p->key, "description",
		    p->description, "regex", p->regex, "example", p->example,
		    "optional", p->optional));
	json_object_set_new(*out, "documentParameters", params);
	json_object_set_new(*out, "document", json_string(mt->document));
	return 0;
}
