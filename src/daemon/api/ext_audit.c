/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /_iotjobs/audit (`iotjobs audit`, `iotjobs audit verify`): the
 * audit log in chain order, filtered by since (epoch seconds), thingName
 * and jobId, from after (a seq) on, at most limit (1 to 1000) records;
 * each with the fields that are hashed, verbatim, so that the command
 * can recompute the chain itself (src/common/audit_hash.h) rather than
 * trust the daemon's word. nextAfter resumes; head is the newest record.
 */
#include "api/ext.h"

#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "store/store_audit.h"

#define AUDIT_PAGE_MAX	1000

static int
num_param(const json_t *in, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out, struct err *err)
{
	const char *v = api_in_str(in, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (num_parse_i64(v, min, max, out) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "%s must be a whole"
		    " number from %lld to %lld", name, (long long)min,
		    (long long)max);
	return 0;
}

struct page {
	json_t *records;
	int64_t last;
};

static int
rec_add(void *arg, const struct store_audit_rec *r)
{
	struct page *p = arg;

	json_array_append_new(p->records, json_pack("{s:I, s:I, s:s, s:s,"
	    " s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "seq", (json_int_t)r->seq, "at", (json_int_t)r->at,
	    "principal", r->principal, "operation", r->operation,
	    "target", r->target, "thing", r->thing, "job", r->job,
	    "peer", r->peer, "requestId", r->request_id,
	    "result", r->result, "detail", r->detail,
	    "prevHash", r->prev_hash, "hash", r->hash));
	p->last = r->seq;
	return 0;
}

int
ext_audit(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	struct store_audit_filter f;
	struct page p = { NULL, 0 };
	char head_hash[AUDIT_HASH_LEN + 1];
	struct store_tx *tx = ctx->tx;
	int64_t limit, head = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	if (num_param(in, "since", 0, INT64_MAX, 0, &f.since, err) == -1 ||
	    num_param(in, "after", 0, INT64_MAX, 0, &f.after, err) == -1 ||
	    num_param(in, "limit", 1, AUDIT_PAGE_MAX, AUDIT_PAGE_MAX, &limit,
	    err) == -1)
		return -1;
	f.thing = api_in_str(in, "thingName");
	f.job = api_in_str(in, "jobId");
	p.records = json_array();
	rc = store_audit_list(tx, &f, (int)limit, rec_add, &p, err);
	if (rc == 0)
		rc = store_audit_head(tx, &head, head_hash, err);
	if (rc == -1) {
		json_decref(p.records);
		return -1;
	}
	*out = json_pack("{s:o, s:o, s:{s:I, s:s}}", "records", p.records,
	    "nextAfter", (int64_t)json_array_size(p.records) == limit ?
	    json_integer(p.last) : json_null(), "head", "seq",
	    (json_int_t)head, "hash", head_hash);
	return 0;
}
