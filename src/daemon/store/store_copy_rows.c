/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rows of store_migrate (store_copy.h): each table's rows of the
 * SQLite snapshot as COPY FROM STDIN text (tab-separated, \\N for NULL,
 * bytea as \\x and hex), the identity sequences set past the ids copied,
 * and the row counts compared on both sides before the COMMIT.
 */
#include "store_copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define CP_CHUNK	(64 * 1024)	/* COPY data sent per PQputCopyData */

/* A growable byte buffer: a chunk of COPY text, or a statement. */
struct cp_out {
	char *p;
	size_t len, cap;
};

static void
cp_put(struct cp_out *o, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

/*
 * N bytes of P as a value of COPY's text format: backslash, tab, newline
 * and carriage return escaped. A NUL, which text cannot hold, is refused.
 */
static int
cp_put_text(struct cp_out *o, const unsigned char *p, size_t n)
{
	static const char esc[] = { '\\', '\\', '\t', 't', '\n', 'n',
	    '\r', 'r' };
	size_t i, j, from = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\0')
			return -1;
		for (j = 0; j < sizeof(esc); j += 2)
			if (p[i] == (unsigned char)esc[j])
				break;
		if (j == sizeof(esc))
			continue;
		cp_put(o, p + from, i - from);
		cp_put(o, "\\", 1);
		cp_put(o, &esc[j + 1], 1);
		from = i + 1;
	}
	cp_put(o, p + from, n - from);
	return 0;
}

/* N bytes of P as bytea in COPY's text format: \\x and hex digits. */
static void
cp_put_hex(struct cp_out *o, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	cp_put(o, "\\\\x", 3);
	for (i = 0; i < n; i++) {
		char d[2] = { hex[p[i] >> 4], hex[p[i] & 15] };

		cp_put(o, d, 2);
	}
}

/* Column I of the row S as one value of COPY's text format, kind C. */
static int
cp_put_value(struct cp_out *o, sqlite3_stmt *s, int i, const struct cp_col *c)
{
	int type = sqlite3_column_type(s, i);
	char num[40];

	if (type == SQLITE_NULL) {
		cp_put(o, "\\N", 2);
		return 0;
	}
	if (c->kind == CP_BYTEA) {
		const void *b = sqlite3_column_blob(s, i);

		cp_put_hex(o, b, (size_t)sqlite3_column_bytes(s, i));
		return 0;
	}
	if (type == SQLITE_INTEGER) {
		int64_t v = sqlite3_column_int64(s, i);

		if (c->kind == CP_BOOL)
			snprintf(num, sizeof(num), "%s", v != 0 ? "t" : "f");
		else
			snprintf(num, sizeof(num), "%" PRId64, v);
		cp_put(o, num, strlen(num));
		return 0;
	}
	if (type == SQLITE_FLOAT) {
		snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(s, i));
		cp_put(o, num, strlen(num));
		return 0;
	}
	/* Text (or a blob in a text column): the target parses it. */
	return cp_put_text(o, sqlite3_column_text(s, i),
	    (size_t)sqlite3_column_bytes(s, i));
}

/* SELECT of T's target columns, in the target's order, from SQLite. */
static int
cp_select(struct cp_run *run, const struct cp_table *t, sqlite3_stmt **s,
    struct err *err)
{
	struct cp_out q = { NULL, 0, 0 };
	int i, rc;

	cp_put(&q, "SELECT ", 7);
	for (i = 0; i < t->ncols; i++) {
		char *id = t->col[i].rowid ?
		    sqlite3_mprintf("%srowid", i > 0 ? ", " : "") :
		    sqlite3_mprintf("%s\"%w\"", i > 0 ? ", " : "",
		    t->col[i].name);

		cp_put(&q, id, strlen(id));
		sqlite3_free(id);
	}
	{
		char *from = sqlite3_mprintf(" FROM \"%w\"", t->name);

		cp_put(&q, from, strlen(from) + 1);
		sqlite3_free(from);
	}
	rc = sqlite3_prepare_v2(run->sq, q.p, -1, s, NULL);
	free(q.p);
	if (rc != SQLITE_OK)
		return err_set(err, ERR_INTERNAL_FAILURE, "SQLite: reading %s: %s",
		    t->name, sqlite3_errmsg(run->sq));
	return 0;
}

/* COPY t (columns) FROM STDIN, on the target. */
static int
cp_copy_begin(struct cp_run *run, const struct cp_table *t, struct err *err)
{
	struct cp_out q = { NULL, 0, 0 };
	PGresult *r;
	char *id;
	int i;

	id = PQescapeIdentifier(run->pg, t->name, strlen(t->name));
	cp_put(&q, "COPY ", 5);
	cp_put(&q, id, strlen(id));
	PQfreemem(id);
	for (i = 0; i < t->ncols; i++) {
		cp_put(&q, i == 0 ? " (" : ", ", 2);
		id = PQescapeIdentifier(run->pg, t->col[i].name,
		    strlen(t->col[i].name));
		cp_put(&q, id, strlen(id));
		PQfreemem(id);
	}
	cp_put(&q, ") FROM STDIN", 13);
	r = PQexec(run->pg, q.p);
	free(q.p);
	if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN)
		return cp_pg_fail(r, "COPY into", t->name, err);
	PQclear(r);
	return 0;
}

/* Ends the COPY in progress (MSG: abort it with that reason). */
static int
cp_copy_end(struct cp_run *run, const struct cp_table *t, const char *msg,
    struct err *err)
{
	PGresult *r;
	int rc = 0;

	if (PQputCopyEnd(run->pg, msg) != 1)
		rc = -1;
	while ((r = PQgetResult(run->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = -1;
			if (msg == NULL) {
				cp_pg_fail(r, "COPY into", t->name, err);
				continue;
			}
		}
		PQclear(r);
	}
	if (rc == -1 && msg == NULL && err->msg[0] == '\0')
		err_set(err, ERR_INTERNAL_FAILURE, "PostgreSQL: COPY into %s"
		    " failed: %s", t->name, PQerrorMessage(run->pg));
	return msg != NULL ? -1 : rc;
}

int
cp_table_copy(struct cp_run *run, struct cp_table *t, struct err *err)
{
	struct cp_out o = { NULL, 0, 0 };
	char bad[160];
	sqlite3_stmt *s;
	int i, rc;

	if (cp_select(run, t, &s, err) == -1)
		return -1;
	if (cp_copy_begin(run, t, err) == -1) {
		sqlite3_finalize(s);
		return -1;
	}
	t->rows = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < t->ncols; i++) {
			if (i > 0)
				cp_put(&o, "\t", 1);
			if (cp_put_value(&o, s, i, &t->col[i]) == -1) {
				snprintf(bad, sizeof(bad),
				    "%s.%s holds a NUL byte, which PostgreSQL "
				    "text cannot", t->name, t->col[i].name);
				rc = SQLITE_MISMATCH;
				goto out;
			}
		}
		cp_put(&o, "\n", 1);
		t->rows++;
		if (o.len >= CP_CHUNK) {
			if (PQputCopyData(run->pg, o.p, (int)o.len) != 1)
				break;
			o.len = 0;
		}
	}
out:
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE && (o.len == 0 ||
	    PQputCopyData(run->pg, o.p, (int)o.len) == 1)) {
		free(o.p);
		return cp_copy_end(run, t, NULL, err);
	}
	free(o.p);
	if (rc == SQLITE_MISMATCH)
		err_set(err, ERR_INTERNAL_FAILURE, "%s: nothing was migrated",
		    bad);
	else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err_set(err, ERR_INTERNAL_FAILURE, "SQLite: reading %s: %s",
		    t->name, sqlite3_errmsg(run->sq));
	else
		err_set(err, ERR_INTERNAL_FAILURE, "PostgreSQL: COPY into %s"
		    " failed: %s", t->name, PQerrorMessage(run->pg));
	return cp_copy_end(run, t, "iotjobsd migrate failed", err);
}

/* The one integer SQL (no parameters) selects on the target, 0 for NULL. */
static int
cp_pg_int(struct cp_run *run, const char *sql, const char *table,
    int64_t *n, struct err *err)
{
	PGresult *r = PQexec(run->pg, sql);

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK ||
	    PQntuples(r) != 1)
		return cp_pg_fail(r, "reading", table, err);
	*n = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL,
	    10);
	PQclear(r);
	return 0;
}

/* The one integer of SQL on the source (?1: TEXT, if any), 0 for none. */
static int
cp_sq_int(struct cp_run *run, const char *sql, const char *text, int64_t *n,
    struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(run->sq, sql, -1, &s, NULL) != SQLITE_OK)
		return err_set(err, ERR_INTERNAL_FAILURE, "SQLite: %s",
		    sqlite3_errmsg(run->sq));
	if (text != NULL)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, ERR_INTERNAL_FAILURE, "SQLite: %s",
		    sqlite3_errmsg(run->sq));
	return 0;
}

/* "SELECT FN(COL) FROM TABLE" (COL NULL: "*") on the target, quoted. */
static char *
cp_pg_sql(struct cp_run *run, const char *fn, const char *col,
    const char *table)
{
	char *c = col != NULL ? PQescapeIdentifier(run->pg, col, strlen(col)) :
	    NULL;
	char *t = PQescapeIdentifier(run->pg, table, strlen(table));
	size_t n = strlen(fn) + (c != NULL ? strlen(c) : 1) + strlen(t) + 32;
	char *sql = xmalloc(n);

	if (t == NULL || (col != NULL && c == NULL))
		fatalx("store: out of memory");
	snprintf(sql, n, "SELECT %s(%s) FROM %s", fn, c != NULL ? c : "*", t);
	PQfreemem(c);
	PQfreemem(t);
	return sql;
}

/*
 * The id a table's sequence must have handed out last: the highest copied,
 * or the highest SQLite's AUTOINCREMENT ever gave (sqlite_sequence), which
 * is more when the newest rows were deleted. An outbox's drained ids must
 * not come back.
 */
static int
cp_high(struct cp_run *run, const char *table, const char *col, int64_t *high,
    struct err *err)
{
	char *sql = cp_pg_sql(run, "max", col, table);
	int64_t seq = 0, has = 0;
	int rc;

	rc = cp_pg_int(run, sql, table, high, err);
	free(sql);
	if (rc == 0)
		rc = cp_sq_int(run, "SELECT count(*) FROM sqlite_master"
		    " WHERE type = 'table' AND name = 'sqlite_sequence'", NULL,
		    &has, err);
	if (rc == 0 && has > 0)
		rc = cp_sq_int(run, "SELECT seq FROM sqlite_sequence"
		    " WHERE name = ?1", table, &seq, err);
	if (rc == 0 && seq > *high)
		*high = seq;
	return rc;
}

int
cp_sequences(struct cp_run *run, struct err *err)
{
	static const char setval[] = "SELECT setval(pg_get_serial_sequence("
	    "quote_ident(current_schema()) || '.' || quote_ident($1), $2),"
	    " greatest($3::bigint, 1), $3::bigint > 0)";
	PGresult *r, *s;
	int i, n, rc = 0;

	r = PQexec(run->pg, "SELECT table_name, column_name"
	    " FROM information_schema.columns"
	    " WHERE table_schema = current_schema()"
	    " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
	    " ORDER BY table_name, column_name");
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
		return cp_pg_fail(r, "reading", "the catalog", err);
	n = PQntuples(r);
	for (i = 0; i < n && rc == 0; i++) {
		const char *v[3] = { PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    NULL };
		char num[24];
		int64_t high = 0;

		if (cp_high(run, v[0], v[1], &high, err) == -1) {
			rc = -1;
			break;
		}
		snprintf(num, sizeof(num), "%" PRId64, high);
		v[2] = num;
		s = PQexecParams(run->pg, setval, 3, NULL, v, NULL, NULL, 0);
		if (s == NULL || PQresultStatus(s) != PGRES_TUPLES_OK)
			rc = cp_pg_fail(s, "setting the sequence of", v[0],
			    err);
		else
			PQclear(s);
	}
	PQclear(r);
	return rc;
}

int
cp_verify(struct cp_run *run, struct err *err)
{
	int64_t have, got;
	char *sql;
	int i, rc;

	for (i = 0; i < run->ntables; i++) {
		const struct cp_table *t = &run->t[i];

		sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", t->name);
		rc = cp_sq_int(run, sql, NULL, &have, err);
		sqlite3_free(sql);
		if (rc == -1)
			return -1;
		sql = cp_pg_sql(run, "count", NULL, t->name);
		rc = cp_pg_int(run, sql, t->name, &got, err);
		free(sql);
		if (rc == -1)
			return -1;
		if (have != got || got != t->rows)
			return err_set(err, ERR_INTERNAL_FAILURE, "table %s: "
			    "%" PRId64 " rows in the SQLite store, %" PRId64
			    " in PostgreSQL after the copy: nothing was "
			    "migrated", t->name, have, got);
	}
	return 0;
}
