/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs job plan: CreateJob as a dry run (POST /_iotjobs/plan). The
 * input is CreateJob's, as the AWS CLI takes it: --cli-input-json (JSON
 * text, or file://PATH) and the flags below, which override it; a flag's
 * value is JSON or the flat shorthand "k=v,k2=v2". The daemon resolves
 * the targets as they are now and runs the engine's own rollout step
 * forward; this prints when each batch would be released, runs of equal
 * batches one minute apart folded into one line (--things lists every
 * batch with its things). Nothing is created.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

#define INPUT_MAX	(1 << 20)

/* Flags that take a JSON (or shorthand) value, and their members. */
static const struct {
	const char *flag, *member;
} json_flags[] = {
	{ "--job-executions-rollout-config", "jobExecutionsRolloutConfig" },
	{ "--scheduling-config", "schedulingConfig" },
	{ "--abort-config", "abortConfig" },
	{ "--timeout-config", "timeoutConfig" },
	{ "--job-executions-retry-config", "jobExecutionsRetryConfig" },
	{ "--presigned-url-config", "presignedUrlConfig" },
	{ "--document-parameters", "documentParameters" },
};

static const struct {
	const char *flag, *member;
} str_flags[] = {
	{ "--job-id", "jobId" }, { "--document", "document" },
	{ "--target-selection", "targetSelection" },
	{ "--description", "description" },
	{ "--job-template-arn", "jobTemplateArn" },
	{ "--namespace-id", "namespaceId" },
};

/* TEXT, or the contents of file://PATH, as a new string. */
static char *
text_or_file(const char *text, struct cli_err *e)
{
	FILE *f;
	char *buf;
	size_t n;

	if (strncmp(text, "file://", 7) != 0)
		return strdup(text);
	f = fopen(text + 7, "r");
	if (f == NULL) {
		cli_err_set(e, "InputError", "cannot read %s: %s", text + 7,
		    strerror(errno));
		return NULL;
	}
	buf = malloc(INPUT_MAX + 1);
	if (buf == NULL)
		abort();
	n = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* "k=v,k2=v2" (numbers as numbers) or JSON, as a new value. */
static json_t *
value_parse(const char *text)
{
	json_t *o, *v;
	char *copy, *p, *comma, *eq;
	int64_t n;

	if (text[0] == '{' || text[0] == '[')
		return json_loads(text, 0, NULL);
	o = json_object();
	copy = strdup(text);
	for (p = copy; p != NULL && *p != '\0'; p = comma) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma++ = '\0';
		eq = strchr(p, '=');
		if (eq == NULL) {
			json_decref(o);
			free(copy);
			return NULL;
		}
		*eq++ = '\0';
		v = num_parse_i64(eq, INT64_MIN, INT64_MAX, &n) == 0 ?
		    json_integer(n) : json_string(eq);
		json_object_set_new(o, p, v);
	}
	free(copy);
	return o;
}

/* Builds CreateJob's input from ARGV into *IN; CLI_OK or CLI_USAGE. */
static int
plan_input(int argc, char **argv, json_t **in, bool *list)
{
	struct cli_err e;
	json_t *o = json_object(), *v;
	char *text;
	size_t k;
	int i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--things") == 0) {
			*list = true;
			continue;
		}
		if (i + 1 >= argc)
			goto bad;
		if (strcmp(a, "--cli-input-json") == 0) {
			json_t *base;

			if ((text = text_or_file(argv[++i], &e)) == NULL) {
				json_decref(o);
				return cli_usage_error("job plan", "%s", e.msg);
			}
			base = json_loads(text, 0, NULL);
			free(text);
			if (!json_is_object(base)) {
				json_decref(base);
				json_decref(o);
				return cli_usage_error("job plan",
				    "--cli-input-json is not a JSON object");
			}
			json_object_update_missing(o, base);
			json_decref(base);
			continue;
		}
		if (strcmp(a, "--targets") == 0) {
			v = json_array();
			while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
				json_array_append_new(v,
				    json_string(argv[++i]));
			json_object_set_new(o, "targets", v);
			continue;
		}
		for (k = 0; k < sizeof(str_flags) / sizeof(str_flags[0]); k++)
			if (strcmp(a, str_flags[k].flag) == 0)
				break;
		if (k < sizeof(str_flags) / sizeof(str_flags[0])) {
			if ((text = text_or_file(argv[++i], &e)) == NULL)
				goto bad;
			json_object_set_new(o, str_flags[k].member,
			    json_string(text));
			free(text);
			continue;
		}
		for (k = 0; k < sizeof(json_flags) / sizeof(json_flags[0]); k++)
			if (strcmp(a, json_flags[k].flag) == 0)
				break;
		if (k == sizeof(json_flags) / sizeof(json_flags[0]))
			goto bad;
		v = value_parse(argv[++i]);
		if (v == NULL) {
			json_decref(o);
			return cli_usage_error("job plan", "%s is neither JSON"
			    " nor k=v,k2=v2", a);
		}
		json_object_set_new(o, json_flags[k].member, v);
	}
	if (json_object_get(o, "document") == NULL &&
	    json_object_get(o, "jobTemplateArn") == NULL)
		json_object_set_new(o, "document", json_string("{}"));
	*in = o;
	return CLI_OK;
bad:
	json_decref(o);
	return cli_usage_error("job plan", "unexpected argument '%s'",
	    argv[i]);
}

static void
print_rule(const json_t *r)
{
	const char *type = cli_str(json_object_get(r, "rollout"), "type",
	    "none");
	const json_t *ro = json_object_get(r, "rollout");

	if (strcmp(type, "constant") == 0)
		printf("rollout: %lld a minute\n",
		    (long long)cli_int(ro, "maximumPerMinute"));
	else if (strcmp(type, "exponential") == 0)
		printf("rollout: exponential from %lld a minute, x%g; %s\n",
		    (long long)cli_int(ro, "baseRatePerMinute"),
		    json_number_value(json_object_get(ro, "incrementFactor")),
		    cli_str(ro, "stepUpRule", ""));
	else
		printf("rollout: no rate: every thing at once\n");
}

/* Batches I..J-1 are equal and a minute apart: one line. */
static void
print_run(const json_t *b, size_t i, size_t j)
{
	const json_t *x = json_array_get(b, i), *y = json_array_get(b, j - 1);
	char t1[64], t2[64];

	if (j - i == 1) {
		printf("  %6zu  %s  %7lld\n", i + 1, cli_time(cli_int(x,
		    "at"), t1, sizeof(t1)), (long long)cli_int(x, "count"));
		return;
	}
	printf("  %6zu-%zu  %s .. %s  %lld each, every minute\n", i + 1, j,
	    cli_time(cli_int(x, "at"), t1, sizeof(t1)), cli_time(cli_int(y,
	    "at"), t2, sizeof(t2)), (long long)cli_int(x, "count"));
}

static void
print_plan(const json_t *r, bool list)
{
	const json_t *b = json_object_get(r, "batches"), *x, *t;
	char when[64];
	size_t i, j, k;

	printf("plan of job %s (%s, %s): %lld things, first release %s\n",
	    cli_str(r, "jobId", "?"), cli_str(r, "targetSelection", "?"),
	    cli_str(r, "status", "?"), (long long)cli_int(r, "things"),
	    cli_time(cli_int(r, "startAt"), when, sizeof(when)));
	print_rule(r);
	if (json_array_size(json_object_get(r, "maintenanceWindows")) > 0)
		printf("maintenance windows: releases only inside them\n");
	printf("  %6s  %-20s  %7s\n", "batch", "released at (UTC)", "things");
	for (i = 0; i < json_array_size(b); i = j) {
		x = json_array_get(b, i);
		for (j = i + 1; !list && j < json_array_size(b); j++) {
			const json_t *y = json_array_get(b, j);

			if (cli_int(y, "count") != cli_int(x, "count") ||
			    cli_int(y, "at") != cli_int(x, "at") +
			    60 * (int64_t)(j - i))
				break;
		}
		if (list)
			j = i + 1;
		print_run(b, i, j);
		if (list)
			json_array_foreach(json_object_get(x, "things"), k, t)
				printf("          %s\n", json_string_value(t));
	}
	printf("released: %lld of %lld%s%s%s\n", (long long)cli_int(r,
	    "released"), (long long)cli_int(r, "things"),
	    cli_int(r, "notReleased") > 0 ? " (the rest: " : "",
	    cli_int(r, "notReleased") > 0 ? cli_str(r, "notReleasedReason",
	    "?") : "", cli_int(r, "notReleased") > 0 ? ")" : "");
}

int
cmd_job_plan(struct cli_conf *c, int argc, char **argv)
{
	struct cli_err e;
	json_t *in = NULL, *r;
	bool list = false;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((rc = plan_input(argc, argv, &in, &list)) != CLI_OK)
		return rc;
	if (json_object_get(in, "jobId") == NULL) {
		json_decref(in);
		return cli_usage_error("job plan", "--job-id (or jobId in"
		    " --cli-input-json) is required");
	}
	rc = cli_call(c, "POST", "/_iotjobs/plan", NULL, in, &r, &e);
	json_decref(in);
	if (rc == -1)
		return cli_fail("job plan", &e);
	if (c->json)
		cli_print_json(r);
	else
		print_plan(r, list);
	json_decref(r);
	return CLI_OK;
}
