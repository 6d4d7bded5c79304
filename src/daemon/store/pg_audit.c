/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of the audit log (store_audit.h): appending a record
 * to the hash chain inside a write transaction (store_end() appends this
 * thread's pending record through it), and the listings. Every node's
 * write transactions hold the same advisory lock (pg.c), so the head read
 * here stays the head until the record commits: the chain stays one chain
 * across nodes, hashed by audit_hash() exactly as on SQLite.
 */
#include "store_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

/* The newest record: the last of the primary key's index, one row. */
static const char sql_head[] =
    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

static const char sql_insert[] =
    "INSERT INTO audit_log (seq, at, principal, operation, target, thing,"
    " job, peer, request_id, result, detail, prev_hash, hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

int
pg_audit_head(struct store_tx *tx, int64_t *seq,
    char hash[AUDIT_HASH_LEN + 1], struct err *err)
{
	PGresult *r;
	int rc;

	*seq = 0;
	snprintf(hash, AUDIT_HASH_LEN + 1, "%s", AUDIT_GENESIS);
	if ((rc = pg_row(tx, sql_head, NULL, &r, err)) == -1)
		return -1;
	if (rc == 1) {
		*seq = pg_col_int(r, 0, 0);
		snprintf(hash, AUDIT_HASH_LEN + 1, "%s", pg_col(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

int
pg_audit_append_tx(struct store_tx *tx, const struct store_audit_ctx *a,
    const char *result, struct err *err)
{
	struct audit_fields f;
	char prev[AUDIT_HASH_LEN + 1], hash[AUDIT_HASH_LEN + 1];
	struct pg_args p = { 0 };
	int64_t seq;

	if (pg_audit_head(tx, &seq, prev, err) == -1)
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
	pg_arg_int(&p, f.seq);
	pg_arg_int(&p, f.at);
	pg_arg_text(&p, f.principal);
	pg_arg_text(&p, f.operation);
	pg_arg_text(&p, f.target);
	pg_arg_text(&p, f.thing);
	pg_arg_text(&p, f.job);
	pg_arg_text(&p, f.peer);
	pg_arg_text(&p, f.request_id);
	pg_arg_text(&p, f.result);
	pg_arg_text(&p, f.detail);
	pg_arg_text(&p, prev);
	pg_arg_text(&p, hash);
	return pg_exec(tx, sql_insert, &p, err);
}

/* --- reading ---------------------------------------------------------- */

#define REC_COLS "seq, at, principal, operation, target, thing, job, peer," \
    " request_id, result, detail, prev_hash, hash"

static void
rec_read(const PGresult *res, int row, struct store_audit_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = pg_col_int(res, row, 0);
	r->at = pg_col_int(res, row, 1);
	r->principal = xstrdup(pg_col(res, row, 2));
	r->operation = xstrdup(pg_col(res, row, 3));
	r->target = xstrdup(pg_col(res, row, 4));
	r->thing = xstrdup(pg_col(res, row, 5));
	r->job = xstrdup(pg_col(res, row, 6));
	r->peer = xstrdup(pg_col(res, row, 7));
	r->request_id = xstrdup(pg_col(res, row, 8));
	r->result = xstrdup(pg_col(res, row, 9));
	r->detail = xstrdup(pg_col(res, row, 10));
	snprintf(r->prev_hash, sizeof(r->prev_hash), "%s",
	    pg_col(res, row, 11));
	snprintf(r->hash, sizeof(r->hash), "%s", pg_col(res, row, 12));
}

static const char sql_list[] =
    "SELECT " REC_COLS " FROM audit_log"
    " WHERE seq > $1 AND ($2::bigint IS NULL OR at >= $2::bigint)"
    " AND ($3::text IS NULL OR thing = $3)"
    " AND ($4::text IS NULL OR job = $4)"
    " ORDER BY seq LIMIT $5";

int
pg_audit_list(struct store_tx *tx, const struct store_audit_filter *f,
    int limit, int (*fn)(void *, const struct store_audit_rec *), void *arg,
    struct err *err)
{
	struct pg_args a = { 0 };
	struct store_audit_rec r;
	PGresult *res;
	int i, rows, rc = 0;

	pg_arg_int(&a, f->after);
	if (f->since != 0)
		pg_arg_int(&a, f->since);
	else
		pg_arg_null(&a);
	pg_arg_text(&a, f->thing);
	pg_arg_text(&a, f->job);
	pg_arg_int(&a, limit);
	if ((res = pg_query(tx, sql_list, &a, err)) == NULL)
		return -1;
	rows = PQntuples(res);
	for (i = 0; i < rows && rc != -1; i++) {
		rec_read(res, i, &r);
		rc = fn(arg, &r);
		store_audit_rec_release(&r);
	}
	PQclear(res);
	return 0;
}

/* 'OK': the result of a write that committed (store.c appends it). */
static const char sql_last[] =
    "SELECT " REC_COLS " FROM audit_log WHERE job = $2 AND operation = $1"
    " AND result = 'OK' AND ($3::text IS NULL OR thing = $3)"
    " ORDER BY seq DESC LIMIT 1";

static const char sql_last_thing[] =
    "SELECT " REC_COLS " FROM audit_log WHERE thing = $2 AND operation = $1"
    " AND result = 'OK' ORDER BY seq DESC LIMIT 1";

int
pg_audit_last(struct store_tx *tx, const char *op, const char *job,
    const char *thing, struct store_audit_rec *out, struct err *err)
{
	/* DeleteThing names no job: look it up by thing. */
	bool by_thing = strcmp(op, "DeleteThing") == 0;
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, op);
	if (!by_thing)
		pg_arg_text(&a, job);
	pg_arg_text(&a, thing);
	rc = pg_row(tx, by_thing ? sql_last_thing : sql_last, &a, &r, err);
	if (rc == 1)
		rec_read(r, 0, out);
	PQclear(r);
	return rc;
}
