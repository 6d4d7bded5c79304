/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs status: the daemon's version, jobs clock, store, broker
 * connection, whether it leads, and its listeners (GET /_iotjobs/status),
 * plus where this command found its endpoint, region and credentials.
 */
#include "cli.h"

#include <string.h>

static void
print_text(const struct cli_conf *c, const json_t *s)
{
	const json_t *store = json_object_get(s, "store");
	const json_t *broker = json_object_get(s, "broker");
	const json_t *l;
	char when[64];
	size_t i;

	printf("endpoint     %s (%s)\n", c->endpoint, c->endpoint_from);
	printf("credentials  %.4s... (%s, profile %s), region %s (%s)\n",
	    c->access_key_id, c->creds_from, c->profile, c->region,
	    c->region_from);
	printf("version      iotjobsd %s, iotjobs %s\n",
	    cli_str(s, "version", "?"), CLI_VERSION);
	printf("clock        %s%s\n", cli_time(cli_int(s, "now"), when,
	    sizeof(when)), json_is_true(json_object_get(s, "testClock")) ?
	    " (test clock)" : "");
	printf("store        %s %s, schema %lld, %lld bytes\n",
	    cli_str(store, "backend", "?"), cli_str(store, "path", "?"),
	    (long long)cli_int(store, "schemaVersion"),
	    (long long)cli_int(store, "sizeBytes"));
	if (json_is_true(json_object_get(broker, "configured")))
		printf("broker       %s, %s\n", cli_str(broker, "url", "?"),
		    json_is_true(json_object_get(broker, "connected")) ?
		    "connected" : "NOT CONNECTED");
	else
		printf("broker       none (no --mqtt)\n");
	printf("leader       %s\n", json_is_true(json_object_get(s,
	    "leader")) ? "yes (runs the scheduler)" :
	    "no (another iotjobsd on this store leads)");
	json_array_foreach(json_object_get(s, "listeners"), i, l)
		printf("%-12s %s %s\n", i == 0 ? "listeners" : "",
		    cli_str(l, "kind", "?"), cli_str(l, "address", "?"));
}

int
cmd_status(struct cli_conf *c, int argc, char **argv)
{
	struct cli_err e;
	json_t *s;

	(void)argv;
	memset(&e, 0, sizeof(e));
	if (argc > 0)
		return cli_usage_error("status", "unexpected argument '%s'",
		    argv[0]);
	if (cli_call(c, "GET", "/_iotjobs/status", NULL, NULL, &s, &e) == -1)
		return cli_fail("status", &e);
	if (c->json) {
		json_object_set_new(s, "endpoint", json_string(c->endpoint));
		cli_print_json(s);
	} else {
		print_text(c, s);
	}
	json_decref(s);
	return CLI_OK;
}
