/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the SQLite backend: the transaction's connection and the helpers
 * every store_*.c file of the backend uses. Only store/ includes this.
 */
#ifndef IOTJOBS_SQLITE_INT_H
#define IOTJOBS_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>

#include "err.h"
#include "store.h"

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

struct store_tx {
	struct store *st;
	struct sq_conn *conn;
	sqlite3 *db;
	bool write;
};

/*
 * Writes this thread's pending audit record (store_audit_set) into the
 * write transaction TX before its RELEASE; 0 when none is pending.
 */
int sq_audit_pending(struct store_tx *tx, struct err *err);

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

#endif
