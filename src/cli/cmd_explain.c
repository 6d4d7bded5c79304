/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs explain --thing T --job J: why T has, or has not, an execution
 * of J (GET /_iotjobs/explain): one reason code from the list in
 * iotjobs(1), its sentence, and the facts behind it. Facts named *At are
 * times, shown in UTC; --output json gives {"reason": CODE, ...}.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void
print_fact(const char *key, const json_t *v)
{
	char when[64], *text;
	size_t n = strlen(key);

	if (json_is_null(v))
		return;
	if (n > 2 && strcmp(key + n - 2, "At") == 0 && json_is_integer(v)) {
		printf("  %-20s %s\n", key, cli_time(json_integer_value(v),
		    when, sizeof(when)));
		return;
	}
	if (json_is_string(v)) {
		printf("  %-20s %s\n", key, json_string_value(v));
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	printf("  %-20s %s\n", key, text != NULL ? text : "?");
	free(text);
}

int
cmd_explain(struct cli_conf *c, int argc, char **argv)
{
	const char *thing = NULL, *job = NULL;
	char q[CLI_URL_MAX * 2 + 32], et[CLI_URL_MAX], ej[CLI_URL_MAX];
	struct cli_err e;
	const char *key;
	json_t *r, *v;
	int i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--thing") == 0 && i + 1 < argc)
			thing = argv[++i];
		else if (strcmp(argv[i], "--job") == 0 && i + 1 < argc)
			job = argv[++i];
		else
			return cli_usage_error("explain", "unexpected argument"
			    " '%s'", argv[i]);
	}
	if (thing == NULL || job == NULL)
		return cli_usage_error("explain", "--thing and --job are"
		    " required");
	if (cli_urlenc(thing, et, sizeof(et)) == -1 ||
	    cli_urlenc(job, ej, sizeof(ej)) == -1)
		return cli_usage_error("explain", "name too long");
	snprintf(q, sizeof(q), "jobId=%s&thingName=%s", ej, et);
	if (cli_call(c, "GET", "/_iotjobs/explain", q, NULL, &r, &e) == -1)
		return cli_fail("explain", &e);
	if (c->json) {
		cli_print_json(r);
	} else {
		printf("%s: %s\n", cli_str(r, "reason", "?"),
		    cli_str(r, "message", ""));
		json_object_foreach(r, key, v) {
			if (strcmp(key, "reason") == 0 ||
			    strcmp(key, "message") == 0)
				continue;
			print_fact(key, v);
		}
	}
	json_decref(r);
	return CLI_OK;
}
