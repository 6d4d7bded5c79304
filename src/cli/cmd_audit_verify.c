/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs audit verify: proves the audit chain here, with the same hash
 * as the daemon (src/common/audit_hash.h), rather than asking the daemon
 * whether it is intact. Every record must be numbered one after its
 * predecessor (else one was removed), carry its predecessor's hash (else
 * one was inserted, removed or rewritten before it), and hash to its own
 * hash (else it was edited). Exit 1 naming the first broken record. The
 * newest record's hash is printed: keep it elsewhere to detect the
 * removal of records at the end, which no chain can show by itself.
 */
#include "cli.h"

#include <string.h>

#include "audit_hash.h"

#define PAGE	"1000"

struct chain {
	int64_t seq;		/* of the last record checked */
	char hash[AUDIT_HASH_LEN + 1];
	int64_t broken;		/* the first broken record, 0: none */
	char why[512];
};

static void
check(struct chain *ch, const json_t *r)
{
	struct audit_fields f;
	char h[AUDIT_HASH_LEN + 1];
	int64_t seq = cli_int(r, "seq");

	memset(&f, 0, sizeof(f));
	f.seq = seq;
	f.at = cli_int(r, "at");
	f.principal = cli_str(r, "principal", "");
	f.operation = cli_str(r, "operation", "");
	f.target = cli_str(r, "target", "");
	f.thing = cli_str(r, "thing", "");
	f.job = cli_str(r, "job", "");
	f.peer = cli_str(r, "peer", "");
	f.request_id = cli_str(r, "requestId", "");
	f.result = cli_str(r, "result", "");
	f.detail = cli_str(r, "detail", "");
	f.prev_hash = cli_str(r, "prevHash", "");
	if (seq != ch->seq + 1) {
		ch->broken = ch->seq + 1;
		snprintf(ch->why, sizeof(ch->why), "record %lld is missing"
		    " (removed): record %lld follows record %lld",
		    (long long)(ch->seq + 1), (long long)seq,
		    (long long)ch->seq);
	} else if (strcmp(f.prev_hash, ch->hash) != 0) {
		ch->broken = seq;
		snprintf(ch->why, sizeof(ch->why), "record %lld does not"
		    " follow record %lld: its prevHash is not that record's"
		    " hash (a record was inserted, removed or rewritten"
		    " before it)", (long long)seq, (long long)ch->seq);
	} else if (audit_hash(&f, h) == -1 ||
	    strcmp(h, cli_str(r, "hash", "")) != 0) {
		ch->broken = seq;
		snprintf(ch->why, sizeof(ch->why), "record %lld was edited:"
		    " its contents do not hash to its hash", (long long)seq);
	}
	ch->seq = seq;
	snprintf(ch->hash, sizeof(ch->hash), "%s", cli_str(r, "hash", ""));
}

int
cmd_audit_verify(struct cli_conf *c, int argc, char **argv)
{
	struct chain ch;
	struct cli_err e;
	char q[128];
	json_t *r, *v, *out;
	size_t i;
	int64_t after = 0;

	memset(&ch, 0, sizeof(ch));
	memset(&e, 0, sizeof(e));
	snprintf(ch.hash, sizeof(ch.hash), "%s", AUDIT_GENESIS);
	if (argc > 0)
		return cli_usage_error("audit verify", "unexpected argument"
		    " '%s'", argv[0]);
	do {
		snprintf(q, sizeof(q), "after=%lld&limit=" PAGE,
		    (long long)after);
		if (cli_call(c, "GET", "/_iotjobs/audit", q, NULL, &r,
		    &e) == -1)
			return cli_fail("audit verify", &e);
		json_array_foreach(json_object_get(r, "records"), i, v)
			if (ch.broken == 0)
				check(&ch, v);
		v = json_object_get(r, "nextAfter");
		after = ch.broken == 0 && json_is_integer(v) ?
		    json_integer_value(v) : 0;
		json_decref(r);
	} while (after > 0);
	if (c->json) {
		out = json_pack("{s:b, s:I}", "verified", ch.broken == 0,
		    "records", (json_int_t)ch.seq);
		if (ch.broken != 0) {
			json_object_set_new(out, "brokenAt",
			    json_integer(ch.broken));
			json_object_set_new(out, "reason", json_string(ch.why));
		} else {
			json_object_set_new(out, "headHash",
			    json_string(ch.hash));
		}
		cli_print_json(out);
		json_decref(out);
	} else if (ch.broken == 0) {
		printf("audit log verified: %lld records, head #%lld %s\n",
		    (long long)ch.seq, (long long)ch.seq, ch.hash);
	}
	if (ch.broken != 0) {
		fprintf(stderr, "iotjobs: audit verify: %s\n", ch.why);
		return CLI_FAIL;
	}
	return CLI_OK;
}
