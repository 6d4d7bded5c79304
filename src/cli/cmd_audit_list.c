/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs audit [--since TIME] [--thing NAME] [--job ID] [--limit N]:
 * the audit log of control-plane writes and authorization refusals, in
 * chain order (GET /_iotjobs/audit, page after page): when, who, what,
 * the target, the result, from where.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "num.h"

#define PAGE	1000

static void
print_row(const json_t *r)
{
	char when[64];
	const char *detail = cli_str(r, "detail", "");

	printf("%6lld  %s  %-20.40s  %-24s  %-28.60s  %-6s  %s%s%s\n",
	    (long long)cli_int(r, "seq"), cli_time(cli_int(r, "at"), when,
	    sizeof(when)), cli_str(r, "principal", "-"),
	    cli_str(r, "operation", "-"), cli_str(r, "target", "")[0] != '\0' ?
	    cli_str(r, "target", "") : "-", cli_str(r, "result", "?"),
	    cli_str(r, "peer", "")[0] != '\0' ? cli_str(r, "peer", "") : "-",
	    detail[0] != '\0' ? "  " : "", detail);
}

int
cmd_audit_list(struct cli_conf *c, int argc, char **argv)
{
	const char *thing = NULL, *job = NULL;
	char q[1024], enc[512];
	struct cli_err e;
	json_t *all = json_array(), *r, *v;
	int64_t since = 0, after = 0, limit = 1000;
	size_t i, n;
	int k;

	memset(&e, 0, sizeof(e));
	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--since") == 0 && k + 1 < argc) {
			if (cli_time_parse(argv[++k], (int64_t)time(NULL),
			    &since) == -1) {
				json_decref(all);
				return cli_usage_error("audit", "--since takes"
				    " 2024-05-01T12:00, -2h or epoch seconds");
			}
		} else if (strcmp(argv[k], "--thing") == 0 && k + 1 < argc) {
			thing = argv[++k];
		} else if (strcmp(argv[k], "--job") == 0 && k + 1 < argc) {
			job = argv[++k];
		} else if (strcmp(argv[k], "--limit") == 0 && k + 1 < argc) {
			if (num_parse_i64(argv[++k], 1, INT64_MAX,
			    &limit) == -1) {
				json_decref(all);
				return cli_usage_error("audit", "--limit is a"
				    " positive number");
			}
		} else {
			json_decref(all);
			return cli_usage_error("audit", "unexpected argument"
			    " '%s'", argv[k]);
		}
	}
	do {
		n = (size_t)snprintf(q, sizeof(q), "after=%lld&limit=%lld",
		    (long long)after, (long long)(limit -
		    (int64_t)json_array_size(all) < PAGE ? limit -
		    (int64_t)json_array_size(all) : PAGE));
		if (since > 0)
			n += (size_t)snprintf(q + n, sizeof(q) - n,
			    "&since=%lld", (long long)since);
		if (thing != NULL && cli_urlenc(thing, enc, sizeof(enc)) == 0)
			n += (size_t)snprintf(q + n, sizeof(q) - n,
			    "&thingName=%s", enc);
		if (job != NULL && cli_urlenc(job, enc, sizeof(enc)) == 0)
			snprintf(q + n, sizeof(q) - n, "&jobId=%s", enc);
		if (cli_call(c, "GET", "/_iotjobs/audit", q, NULL, &r,
		    &e) == -1) {
			json_decref(all);
			return cli_fail("audit", &e);
		}
		json_array_extend(all, json_object_get(r, "records"));
		v = json_object_get(r, "nextAfter");
		after = json_is_integer(v) ? json_integer_value(v) : 0;
		json_decref(r);
	} while (after > 0 && (int64_t)json_array_size(all) < limit);
	if (c->json) {
		r = json_pack("{s:o}", "records", all);
		cli_print_json(r);
		json_decref(r);
		return CLI_OK;
	}
	printf("%6s  %-20s  %-20s  %-24s  %-28s  %-6s  %s\n", "seq",
	    "time (UTC)", "who", "operation", "target", "result", "from");
	json_array_foreach(all, i, v)
		print_row(v);
	json_decref(all);
	return CLI_OK;
}
