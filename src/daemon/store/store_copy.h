/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside store_migrate (store_copy.c, store_copy_rows.c): the tables to
 * copy from an SQLite store into a PostgreSQL one, as the target's catalog
 * lists them, and the steps that copy their rows. Only store/ includes
 * this; it is the one header that sees both backends' handles.
 */
#ifndef IOTJOBS_STORE_COPY_H
#define IOTJOBS_STORE_COPY_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define CP_TABLES_MAX	64
#define CP_COLS_MAX	48
#define CP_NAME_MAX	64

/* How a value travels to the target column (its information_schema type). */
enum cp_kind { CP_TEXT, CP_INT, CP_REAL, CP_BOOL, CP_BYTEA };

struct cp_col {
	char name[CP_NAME_MAX];
	enum cp_kind kind;
	bool rowid;		/* read from SQLite's rowid (see cp_cols) */
};

struct cp_table {
	char name[CP_NAME_MAX];
	struct cp_col col[CP_COLS_MAX];	/* the target's, in ordinal order */
	int ncols;
	int64_t rows;			/* copied */
};

/* One migration: both transactions' handles, borrowed, and the tables. */
struct cp_run {
	sqlite3 *sq;		/* inside the source's read transaction */
	PGconn *pg;		/* inside the target's write transaction */
	struct cp_table t[CP_TABLES_MAX];
	int ntables;
};

/*
 * Turns the failed result R (NULL: the connection failed) of WHAT on
 * TABLE into ERR, clears R; returns -1. The message is the server's
 * primary one and its context (the COPY line and column).
 */
int cp_pg_fail(PGresult *r, const char *what, const char *table,
    struct err *err);

/*
 * Copies every row of T from the source's snapshot into the target with
 * COPY FROM STDIN (text format), setting T->rows: 0 or -1 with ERR.
 */
int cp_table_copy(struct cp_run *run, struct cp_table *t, struct err *err);

/*
 * Sets every identity sequence of the target past the highest id its
 * table holds, or ever handed out on the source (sqlite_sequence), so
 * that no id is given twice.
 */
int cp_sequences(struct cp_run *run, struct err *err);

/*
 * Counts each table's rows on both sides; a difference is -1 with ERR
 * naming the table and both counts.
 */
int cp_verify(struct cp_run *run, struct err *err);

#endif
