/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of the audit log (store_audit.h): appending a record to
 * the hash chain inside a write transaction (sq_end() appends this
 * thread's pending record through it), and the listings.
 */
#include "store_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "xmalloc.h"

static const char sql_head[] =
    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

int
sq_audit_head(struct store_tx *tx, int64_t *seq,
    char hash[AUDIT_HASH_LEN + 1], struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_head);
	int rc = sqlite3_step(s);

	*seq = 0;
	snprintf(hash, AUDIT_HASH_LEN + 1, "%s", AUDIT_GENESIS);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		snprintf(hash, AUDIT_HASH_LEN + 1, "%s", sq_col_text(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_insert[] =
    "INSERT INTO audit_log (seq, at, principal, operation, target, thing,"
    " job, peer, request_id, result, detail, prev_hash, hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

/*
 * A refused request's record. The head is the last row of the rowid
 * b-tree: SCAN backwards, stopped after one row.
 */
const struct sq_plan_stmt sq_plan_audit[] = {
	SQ_PLAN(sql_head, "audit_log"),
	SQ_PLAN(sql_insert, ""),
	{ NULL, NULL, NULL },
};

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

int
sq_audit_append_tx(struct store_tx *tx, const struct store_audit_ctx *a,
    const char *result, struct err *err)
{
	struct audit_fields f;
	char prev[AUDIT_HASH_LEN + 1], hash[AUDIT_HASH_LEN + 1];
	sqlite3_stmt *s;
	int64_t seq;

	if (sq_audit_head(tx, &seq, prev, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	f.seq = seq + 1;
	f.at = a->at;
	f.principal = nz(a->principal);
	f.operation = nz(a->operation);
	f.target = nz(a->target);
	f.thing = nz(a->thing);
	f.job = nz(a->job);
	f.peer = nz(a->peer);
	f.request_id = nz(a->request_id);
	f.result = nz(result);
	f.detail = nz(a->detail);
	f.prev_hash = prev;
	if (audit_hash(&f, hash) == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "audit: SHA-256"
		    " failed");
	s = sq_stmt(tx, sql_insert);
	sqlite3_bind_int64(s, 1, f.seq);
	sqlite3_bind_int64(s, 2, f.at);
	sq_bind_text(s, 3, f.principal);
	sq_bind_text(s, 4, f.operation);
	sq_bind_text(s, 5, f.target);
	sq_bind_text(s, 6, f.thing);
	sq_bind_text(s, 7, f.job);
	sq_bind_text(s, 8, f.peer);
	sq_bind_text(s, 9, f.request_id);
	sq_bind_text(s, 10, f.result);
	sq_bind_text(s, 11, f.detail);
	sq_bind_text(s, 12, prev);
	sq_bind_text(s, 13, hash);
	return sq_exec_stmt(tx, s, err);
}

/* --- reading ---------------------------------------------------------- */

#define REC_COLS "seq, at, principal, operation, target, thing, job, peer," \
    " request_id, result, detail, prev_hash, hash"

static void
rec_read(sqlite3_stmt *s, struct store_audit_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(s, 0);
	r->at = sqlite3_column_int64(s, 1);
	r->principal = xstrdup(sq_col_text(s, 2));
	r->operation = xstrdup(sq_col_text(s, 3));
	r->target = xstrdup(sq_col_text(s, 4));
	r->thing = xstrdup(sq_col_text(s, 5));
	r->job = xstrdup(sq_col_text(s, 6));
	r->peer = xstrdup(sq_col_text(s, 7));
	r->request_id = xstrdup(sq_col_text(s, 8));
	r->result = xstrdup(sq_col_text(s, 9));
	r->detail = xstrdup(sq_col_text(s, 10));
	snprintf(r->prev_hash, sizeof(r->prev_hash), "%s", sq_col_text(s, 11));
	snprintf(r->hash, sizeof(r->hash), "%s", sq_col_text(s, 12));
}

static const char sql_list[] =
    "SELECT " REC_COLS " FROM audit_log"
    " WHERE seq > ?1 AND (?2 IS NULL OR at >= ?2)"
    " AND (?3 IS NULL OR thing = ?3) AND (?4 IS NULL OR job = ?4)"
    " ORDER BY seq LIMIT ?5";

int
sq_audit_list(struct store_tx *tx, const struct store_audit_filter *f,
    int limit, int (*fn)(void *, const struct store_audit_rec *), void *arg,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_list);
	struct store_audit_rec r;
	int rc;

	sqlite3_bind_int64(s, 1, f->after);
	if (f->since != 0)
		sqlite3_bind_int64(s, 2, f->since);
	sq_bind_text(s, 3, f->thing);
	sq_bind_text(s, 4, f->job);
	sqlite3_bind_int(s, 5, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rec_read(s, &r);
		rc = fn(arg, &r);
		store_audit_rec_release(&r);
		if (rc == -1)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != -1)
		return sq_fail(tx, rc, err);
	return 0;
}

static const char sql_last[] =
    "SELECT " REC_COLS " FROM audit_log WHERE job = ?2 AND operation = ?1"
    " AND result = 'OK' AND (?3 IS NULL OR thing = ?3)"
    " ORDER BY seq DESC LIMIT 1";

static const char sql_last_thing[] =
    "SELECT " REC_COLS " FROM audit_log WHERE thing = ?3 AND operation = ?1"
    " AND result = 'OK' ORDER BY seq DESC LIMIT 1";

int
sq_audit_last(struct store_tx *tx, const char *op, const char *job,
    const char *thing, struct store_audit_rec *out, struct err *err)
{
	/* DeleteThing names no job: look it up by thing. */
	bool by_thing = strcmp(op, "DeleteThing") == 0;
	sqlite3_stmt *s = sq_stmt(tx, by_thing ? sql_last_thing : sql_last);
	int rc;

	sq_bind_text(s, 1, op);
	if (!by_thing)
		sq_bind_text(s, 2, job);
	sq_bind_text(s, 3, thing);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rec_read(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_fail(tx, rc, err);
}
