/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the SQLite backend: the transaction's connection and the helpers
 * every store_*.c file of the backend uses. Only store/ includes this.
 */
#ifndef IOTJOBS_SQLITE_INT_H
#define IOTJOBS_SQLITE_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store_ops.h"

struct sq_conn;

/* Embedded migrations (build/gen/schema_sqlite.c, from schema/sqlite/). */
struct sq_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct sq_migration sq_migrations[];
extern const int sq_nmigrations;

/*
 * The schema version of DB (the store file WHAT) in *VERSION; -1 with ERR
 * when DB is no store, or when its schema is newer than this binary
 * knows (the message says which migration it needs, and which iotjobs
 * release wrote it).
 */
int sq_version_check(sqlite3 *db, const char *what, int *version,
    struct err *err);

/*
 * Applies to DB (the store file PATH) the migrations it lacks, each in a
 * transaction of its own (several processes may open one store at once).
 * *VERSION: the schema version after. -1 with ERR, DB unchanged by the
 * migration that failed.
 */
int sq_migrate(sqlite3 *db, const char *path, int *version,
    struct err *err);

/*
 * The folder of the database DB_PATH watched (sqlite_folder.c): FN(ARG)
 * runs on the watch's own thread, soon after the database or its WAL is
 * deleted, moved or replaced, or the folder itself goes (and at times
 * when nothing is wrong: FN checks). NULL, logged, when the system cannot
 * watch it. sq_folder_unwatch() stops it (NULL: a no-op); FN has returned.
 */
struct sq_folder;
struct sq_folder *sq_folder_watch(const char *db_path, void (*fn)(void *),
    void *arg);
void sq_folder_unwatch(struct sq_folder *f);

/* A transaction of the SQLite backend. */
struct sq_tx {
	struct store_tx base;
	struct sq_conn *conn;
	sqlite3 *db;
};

static inline struct sq_tx *
sq_txp(struct store_tx *tx)
{
	return (struct sq_tx *)tx;
}

/* The connection of TX. */
static inline sqlite3 *
sq_db(struct store_tx *tx)
{
	return sq_txp(tx)->db;
}

/* This backend's implementation of every operation of store_ops.h. */
#define X STORE_OP_ANY
#define STORE_OP_ENTRY(ret, name, params) ret sq_##name params;
STORE_OPS
#undef STORE_OP_ENTRY
#undef X

/* The SQLite backend's operations, and its store_backend entries. */
extern const struct store_ops sq_ops;
int sq_open(const char *path, struct store **out, struct err *err);
int sq_backup(const char *path, const char *to,
    const struct store_file *files, size_t nfiles, int *version,
    struct err *err);
int sq_restore(const char *from, const char *path,
    int (*fn)(void *arg, const struct store_file *f, struct err *err),
    void *arg, int *version, struct err *err);
int sq_schema_known(void);

/*
 * A prepared statement for SQL (a string literal: the cache is keyed by its
 * address), reset and with bindings cleared, owned by the connection's
 * cache: never finalize it. Fatal when SQL does not compile (a programmer
 * error).
 */
sqlite3_stmt *sq_stmt(struct store_tx *tx, const char *sql);

/*
 * Turns an SQLite result code RC of TX into ERR (ServiceUnavailable for busy
 * or full, InternalFailure otherwise) and returns -1; logs the cause.
 */
int sq_fail(struct store_tx *tx, int rc, struct err *err);

/* Binds text or NULL when S is NULL. */
int sq_bind_text(sqlite3_stmt *s, int i, const char *text);

/* Column I as a string, "" for NULL (borrowed until the next step). */
const char *sq_col_text(sqlite3_stmt *s, int i);

/* Runs a statement that returns no rows; 0 or -1 with ERR set. */
int sq_exec_stmt(struct store_tx *tx, sqlite3_stmt *s, struct err *err);

/*
 * Reading rows (sqlite_rows.c). Each steps a bound statement S, resets it
 * and turns a failed step into ERR through sq_fail().
 */

/*
 * Ends a lookup whose step gave RC (the columns of a row already read):
 * resets S, returns 1 for a row, 0 for none, -1 with ERR.
 */
int sq_found(struct store_tx *tx, sqlite3_stmt *s, int rc, struct err *err);

/* A query of one integer row (a count(*), a counter): column 0 into *N. */
int sq_int64(struct store_tx *tx, sqlite3_stmt *s, int64_t *n,
    struct err *err);

/* Appends column 0 of every row of S to the array OUT as strings. */
int sq_texts(struct store_tx *tx, sqlite3_stmt *s, json_t *out,
    struct err *err);

/* The list item (a new reference) of the current row of S; ARG as given. */
typedef json_t *sq_row_fn(sqlite3_stmt *s, const void *arg);

/*
 * One page of a listing: S selects up to LIMIT + 1 rows; appends ROW's
 * item of each of the first LIMIT to OUT (ROW NULL: column 0 as a string)
 * and sets *MORE when a further row exists.
 */
int sq_page(struct store_tx *tx, sqlite3_stmt *s, int limit, sq_row_fn *row,
    const void *arg, json_t *out, bool *more, struct err *err);

#endif
