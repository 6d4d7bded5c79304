/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the PostgreSQL backend: the transaction's connection and the
 * helpers every pg_*.c file of the backend uses. Only store/ includes this.
 *
 * Statements are string literals with $1, $2, ... placeholders, prepared
 * once per connection (the cache is keyed by the literal's address) with
 * parameter types left to the server: a parameter whose type the server
 * cannot infer ("$1 IS NULL") needs a cast ("$1::text IS NULL").
 * Parameters travel as text (pg_arg_*), except bytea, sent as binary.
 * Every result column is read as text.
 *
 * A statement that fails aborts the whole PostgreSQL transaction, which
 * then refuses every further statement: an operation never provokes an
 * error to test for something (a duplicate key, say); it asks first or
 * writes with ON CONFLICT.
 */
#ifndef IOTJOBS_PG_INT_H
#define IOTJOBS_PG_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store_ops.h"

struct pg_conn;

/* Embedded migrations (build/gen/schema_pg.c, from schema/pg/). */
struct pg_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct pg_migration pg_migrations[];
extern const int pg_nmigrations;

/* A transaction of the PostgreSQL backend. */
struct pg_tx {
	struct store_tx base;
	struct pg_conn *conn;
};

static inline struct pg_tx *
pg_txp(struct store_tx *tx)
{
	return (struct pg_tx *)tx;
}

/*
 * URL without its password into OUT, for logs, messages and store_path():
 * the one of the authority ("user:secret@host") and a password= setting.
 */
void pg_url_redact(const char *url, char *out, size_t size);

/* The libpq connection of TX. */
PGconn *pg_db(struct store_tx *tx);

/*
 * The outbox switch as the open batch read it, for the writes that follow
 * in it (the batch holds the write lock, so no node changes it meanwhile):
 * true with the values when known; put stores what a write transaction
 * read; forget after a change of it.
 */
bool pg_batch_switch_get(struct store_tx *tx, bool *notify, bool *events);
void pg_batch_switch_put(struct store_tx *tx, bool notify, bool events);
void pg_batch_switch_forget(struct store_tx *tx);

/* This backend's implementation of every operation of store_ops.h. */
#define X STORE_OP_ANY
#define STORE_OP_ENTRY(ret, name, params) ret pg_##name params;
STORE_OPS
#undef STORE_OP_ENTRY
#undef X

/* The PostgreSQL backend's operations, and its store_backend entries. */
extern const struct store_ops pg_ops;

/*
 * The parameters of one statement, $1 first: each pg_arg_* appends one.
 * Text and bytea are borrowed (they must outlive the statement); numbers
 * are formatted into the struct itself.
 */
#define PG_ARGS_MAX	24
struct pg_args {
	int n;
	const char *v[PG_ARGS_MAX];
	int len[PG_ARGS_MAX];
	int fmt[PG_ARGS_MAX];
	char num[PG_ARGS_MAX][24];
};

/* S as text; NULL is SQL NULL. */
void pg_arg_text(struct pg_args *a, const char *s);
void pg_arg_int(struct pg_args *a, int64_t v);
/* V as a boolean ("true"/"false"). */
void pg_arg_bool(struct pg_args *a, bool v);
void pg_arg_real(struct pg_args *a, double v);
void pg_arg_null(struct pg_args *a);
/* LEN bytes of DATA as bytea (NULL: SQL NULL). */
void pg_arg_bytea(struct pg_args *a, const void *data, size_t len);

/*
 * Runs SQL (a string literal) with A (NULL: no parameters) in TX: the
 * result, to PQclear(), or NULL with ERR set through pg_fail().
 */
PGresult *pg_query(struct store_tx *tx, const char *sql,
    const struct pg_args *a, struct err *err);

/* Runs a statement whose rows, if any, are not wanted: 0 or -1 with ERR. */
int pg_exec(struct store_tx *tx, const char *sql, const struct pg_args *a,
    struct err *err);

/*
 * pg_exec for a statement of a write whose outcome nothing reads before
 * the write ends: sent with the write's next query (or at its end), in one
 * pipeline; its failure fails that query, or the write. A (not NULL) is
 * copied.
 */
int pg_exec_later(struct store_tx *tx, const char *sql,
    const struct pg_args *a, struct err *err);

/* pg_exec, and the number of rows it inserted, updated or deleted. */
int pg_exec_n(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int64_t *changed, struct err *err);

/*
 * A query of one integer row (a count(*), a counter): column 0 into *N
 * (0 when NULL). No row is an internal failure.
 */
int pg_count(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int64_t *n, struct err *err);

/*
 * A lookup of at most one row: 1 with *OUT the result (to PQclear), 0
 * when no row (*OUT NULL), -1 with ERR.
 */
int pg_row(struct store_tx *tx, const char *sql, const struct pg_args *a,
    PGresult **out, struct err *err);

/* Appends column 0 of every row to the array OUT as strings. */
int pg_texts(struct store_tx *tx, const char *sql, const struct pg_args *a,
    json_t *out, struct err *err);

/* The list item (a new reference) of row ROW of R; ARG as given. */
typedef json_t *pg_row_fn(PGresult *r, int row, const void *arg);

/*
 * One page of a listing: SQL selects up to LIMIT + 1 rows; appends ROW's
 * item of each of the first LIMIT to OUT (ROW NULL: column 0 as a string)
 * and sets *MORE when a further row exists.
 */
int pg_page(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int limit, pg_row_fn *row, const void *arg, json_t *out, bool *more,
    struct err *err);

/* Column COL of row ROW as text, "" for NULL (borrowed from R). */
const char *pg_col(const PGresult *r, int row, int col);
/* The same, NULL for NULL. */
const char *pg_col_or_null(const PGresult *r, int row, int col);
bool pg_col_null(const PGresult *r, int row, int col);
/* Column COL as an integer, 0 for NULL; a boolean column is 1 or 0. */
int64_t pg_col_int(const PGresult *r, int row, int col);
double pg_col_real(const PGresult *r, int row, int col);
/*
 * A bytea column, decoded: a malloc'ed copy (free()) of *LEN bytes, NULL
 * for NULL (or when out of memory: fatal).
 */
unsigned char *pg_col_bytea(const PGresult *r, int row, int col,
    size_t *len);

/*
 * Turns the failed result R (NULL: the connection's error) of TX into
 * ERR: ServiceUnavailable when the server is gone, restarting, out of
 * room or the transaction lost a conflict, InternalFailure otherwise.
 * Logs the cause, never a parameter. Returns -1.
 */
int pg_fail(struct store_tx *tx, const PGresult *r, struct err *err);

#endif
