/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_migrate (store.h): an embedded SQLite store copied, table by table
 * and column by column, into a new PostgreSQL one. The one place that
 * holds both backends' handles at once: the rows are read from one SQLite
 * read transaction (a snapshot) and written with COPY FROM STDIN in one
 * PostgreSQL write transaction, which commits only after every table's
 * row count agrees on both sides. The PostgreSQL schema (schema/pg/) has
 * the SQLite schema's tables and columns under the same names, so the
 * target's catalog (information_schema) says what to copy.
 */
#include "store_copy.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pg_int.h"
#include "sqlite_int.h"
#include "store.h"
#include "xmalloc.h"

/*
 * Tables each backend keeps for itself, never copied: schema_migrations
 * records that backend's own migrations (their numbers differ between
 * backends; store_open wrote the target's), and sqlite_sequence is the
 * AUTOINCREMENT high-water mark, which becomes each identity sequence's
 * value instead (cp_sequences).
 */
static bool
cp_is_own(const char *table)
{
	return strcmp(table, "schema_migrations") == 0 ||
	    strncmp(table, "sqlite_", 7) == 0;
}

/*
 * The rows the target's schema creation writes itself (the single rows
 * some operations update in place, schema/pg/0001-init.sql): a target
 * holding just these is empty, and they make way for the source's.
 */
static const struct {
	const char *table, *created;
} cp_seeded[] = {
	{ "outbox_switch", "id = 1 AND notify = 0 AND events = 0" },
	{ "authz_state", "id = 1 AND generation = 0" },
};

static const char *
cp_seed_of(const char *table)
{
	size_t i;

	for (i = 0; i < sizeof(cp_seeded) / sizeof(cp_seeded[0]); i++)
		if (strcmp(cp_seeded[i].table, table) == 0)
			return cp_seeded[i].created;
	return NULL;
}

int
cp_pg_fail(PGresult *r, const char *what, const char *table, struct err *err)
{
	const char *msg = r != NULL ?
	    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *ctx = r != NULL ? PQresultErrorField(r, PG_DIAG_CONTEXT) :
	    NULL;

	err_set(err, ERR_INTERNAL_FAILURE, "PostgreSQL: %s %s failed: %s%s%s%s",
	    what, table, msg != NULL ? msg : "the connection failed",
	    ctx != NULL ? " (" : "", ctx != NULL ? ctx : "",
	    ctx != NULL ? ")" : "");
	PQclear(r);
	return -1;
}

/* Runs SQL (no parameters) on the target; its rows, to PQclear. */
static PGresult *
cp_pg(struct cp_run *run, const char *sql, const char *table,
    struct err *err)
{
	PGresult *r = PQexec(run->pg, sql);
	ExecStatusType s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		cp_pg_fail(r, "reading", table, err);
		return NULL;
	}
	return r;
}

/* BEFORE, the identifier NAME quoted by libpq, and AFTER, into OUT. */
static int
cp_sql(struct cp_run *run, char *out, size_t size, const char *before,
    const char *name, const char *after, struct err *err)
{
	char *id = PQescapeIdentifier(run->pg, name, strlen(name));
	int n;

	if (id == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot quote %s",
		    name);
	n = snprintf(out, size, "%s%s%s", before, id, after);
	PQfreemem(id);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, ERR_INTERNAL_FAILURE, "statement for %s "
		    "too long", name);
	return 0;
}

static enum cp_kind
cp_kind_of(const char *pg_type)
{
	if (strcmp(pg_type, "bigint") == 0 || strcmp(pg_type, "integer") == 0 ||
	    strcmp(pg_type, "smallint") == 0)
		return CP_INT;
	if (strcmp(pg_type, "double precision") == 0 ||
	    strcmp(pg_type, "real") == 0 || strcmp(pg_type, "numeric") == 0)
		return CP_REAL;
	if (strcmp(pg_type, "boolean") == 0)
		return CP_BOOL;
	if (strcmp(pg_type, "bytea") == 0)
		return CP_BYTEA;
	return CP_TEXT;
}

/* The target's tables, each with its columns in ordinal order. */
static int
cp_pg_tables(struct cp_run *run, struct err *err)
{
	PGresult *r;
	int i, n;

	r = cp_pg(run, "SELECT t.table_name, c.column_name, c.data_type"
	    " FROM information_schema.tables t"
	    " JOIN information_schema.columns c"
	    " ON c.table_schema = t.table_schema"
	    " AND c.table_name = t.table_name"
	    " WHERE t.table_schema = current_schema()"
	    " AND t.table_type = 'BASE TABLE'"
	    " ORDER BY t.table_name, c.ordinal_position", "the catalog", err);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		const char *tname = PQgetvalue(r, i, 0);
		struct cp_table *t = run->ntables > 0 ?
		    &run->t[run->ntables - 1] : NULL;
		struct cp_col *c;

		if (cp_is_own(tname))
			continue;
		if (t == NULL || strcmp(t->name, tname) != 0) {
			if (run->ntables == CP_TABLES_MAX)
				goto toobig;
			t = &run->t[run->ntables++];
			snprintf(t->name, sizeof(t->name), "%s", tname);
		}
		if (t->ncols == CP_COLS_MAX ||
		    strlen(PQgetvalue(r, i, 1)) >= CP_NAME_MAX)
			goto toobig;
		c = &t->col[t->ncols++];
		snprintf(c->name, sizeof(c->name), "%s", PQgetvalue(r, i, 1));
		c->kind = cp_kind_of(PQgetvalue(r, i, 2));
	}
	PQclear(r);
	if (run->ntables == 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "the PostgreSQL "
		    "store has no tables");
	return 0;
toobig:
	PQclear(r);
	return err_set(err, ERR_INTERNAL_FAILURE, "the PostgreSQL schema has "
	    "more tables or columns than iotjobsd migrate copies");
}

static int
cp_sq_fail(struct cp_run *run, const char *what, struct err *err)
{
	return err_set(err, ERR_INTERNAL_FAILURE, "SQLite: %s: %s", what,
	    sqlite3_errmsg(run->sq));
}

static struct cp_table *
cp_table_find(struct cp_run *run, const char *name)
{
	int i;

	for (i = 0; i < run->ntables; i++)
		if (strcmp(run->t[i].name, name) == 0)
			return &run->t[i];
	return NULL;
}

/*
 * Matches the columns of table T with the source's: every column of
 * either side must be in the other, but for one derived column:
 * operator_keys.id (PostgreSQL keeps insertion order in an identity
 * column where SQLite has its rowid), taken from the rowid.
 */
static int
cp_cols(struct cp_run *run, struct cp_table *t, struct err *err)
{
	bool seen[CP_COLS_MAX] = { false };
	sqlite3_stmt *s;
	int i, rc, found;

	if (sqlite3_prepare_v2(run->sq, "SELECT name FROM pragma_table_info(?)",
	    -1, &s, NULL) != SQLITE_OK)
		return cp_sq_fail(run, "reading the catalog", err);
	sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		for (found = -1, i = 0; i < t->ncols && found < 0; i++)
			if (strcmp(t->col[i].name, name) == 0)
				found = i;
		if (found < 0) {
			err_set(err, ERR_INTERNAL_FAILURE, "the SQLite store's"
			    " column %s.%s is not in the PostgreSQL schema:"
			    " nothing was migrated", t->name, name);
			sqlite3_finalize(s);
			return -1;
		}
		seen[found] = true;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return cp_sq_fail(run, "reading the catalog", err);
	for (i = 0; i < t->ncols; i++) {
		if (seen[i])
			continue;
		if (strcmp(t->name, "operator_keys") == 0 &&
		    strcmp(t->col[i].name, "id") == 0) {
			t->col[i].rowid = true;
			continue;
		}
		return err_set(err, ERR_INTERNAL_FAILURE, "the PostgreSQL "
		    "schema's column %s.%s is not in the SQLite store: nothing"
		    " was migrated", t->name, t->col[i].name);
	}
	return 0;
}

/* Whether the source has the table NAME, in *HAS. */
static int
cp_sq_has(struct cp_run *run, const char *name, bool *has, struct err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(run->sq, "SELECT 1 FROM sqlite_master"
	    " WHERE type = 'table' AND name = ?", -1, &s, NULL) != SQLITE_OK)
		return cp_sq_fail(run, "reading the catalog", err);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cp_sq_fail(run, "reading the catalog", err);
	*has = rc == SQLITE_ROW;
	return 0;
}

/* Both stores have the same tables, and each table the same columns. */
static int
cp_match(struct cp_run *run, struct err *err)
{
	sqlite3_stmt *s;
	int i, rc, n = 0;

	if (sqlite3_prepare_v2(run->sq, "SELECT name FROM sqlite_master"
	    " WHERE type = 'table' ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return cp_sq_fail(run, "reading the catalog", err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (cp_is_own(name))
			continue;
		if (cp_table_find(run, name) == NULL) {
			err_set(err, ERR_INTERNAL_FAILURE, "the SQLite store's"
			    " table %s is not in the PostgreSQL schema: nothing"
			    " was migrated", name);
			sqlite3_finalize(s);
			return -1;
		}
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return cp_sq_fail(run, "reading the catalog", err);
	for (i = 0; n != run->ntables && i < run->ntables; i++) {
		bool has = false;

		if (cp_sq_has(run, run->t[i].name, &has, err) == -1)
			return -1;
		if (!has)
			return err_set(err, ERR_INTERNAL_FAILURE, "the "
			    "PostgreSQL schema's table %s is not in the SQLite"
			    " store: nothing was migrated", run->t[i].name);
	}
	for (i = 0; i < run->ntables; i++)
		if (cp_cols(run, &run->t[i], err) == -1)
			return -1;
	return 0;
}

/* The number of rows of T on the target (EXTRA: but these, or NULL). */
static int
cp_pg_count(struct cp_run *run, const char *table, const char *extra,
    int64_t *n, struct err *err)
{
	char sql[512], after[320];
	PGresult *r;

	snprintf(after, sizeof(after), "%s%s%s", extra != NULL ?
	    " WHERE NOT (" : "", extra != NULL ? extra : "",
	    extra != NULL ? ")" : "");
	if (cp_sql(run, sql, sizeof(sql), "SELECT count(*) FROM ", table,
	    after, err) == -1 || (r = cp_pg(run, sql, table, err)) == NULL)
		return -1;
	*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

/*
 * Refuses a target that holds anything but the rows its creation wrote,
 * naming the first such table; then clears those rows for the source's.
 */
static int
cp_target_empty(struct cp_run *run, const char *shown, struct err *err)
{
	char sql[256];
	int64_t n;
	PGresult *r;
	int i;

	/* Rows of a table without seeds are the likelier news: first. */
	for (i = 0; i < 2 * run->ntables; i++) {
		const char *name = run->t[i % run->ntables].name;

		if ((cp_seed_of(name) == NULL) != (i < run->ntables))
			continue;
		if (cp_pg_count(run, name, cp_seed_of(name), &n, err) == -1)
			return -1;
		if (n > 0)
			return err_set(err, ERR_INVALID_REQUEST, "%s is not "
			    "empty: its table %s has %" PRId64 " row%s; "
			    "migrate only into a new schema (nothing was "
			    "changed)", shown, name, n, n == 1 ? "" : "s");
	}
	for (i = 0; i < run->ntables; i++) {
		if (cp_seed_of(run->t[i].name) == NULL)
			continue;
		if (cp_sql(run, sql, sizeof(sql), "DELETE FROM ",
		    run->t[i].name, "", err) == -1 ||
		    (r = cp_pg(run, sql, run->t[i].name, err)) == NULL)
			return -1;
		PQclear(r);
	}
	return 0;
}

/* The first local file of the source store: its database. */
static void
cp_first_file(void *arg, const char *path)
{
	char *out = arg;

	if (out[0] == '\0')
		snprintf(out, PATH_MAX, "%s", path);
}

/*
 * FROM must be an SQLite store that exists (store_open would make a new,
 * empty one), TO a PostgreSQL URL.
 */
static int
cp_urls_check(const char *from, const char *to, struct err *err)
{
	char path[PATH_MAX] = "";
	struct stat sb;

	if (strncmp(to, "postgresql://", 13) != 0 &&
	    strncmp(to, "postgres://", 11) != 0)
		return err_set(err, ERR_INVALID_REQUEST, "--to must be a "
		    "postgresql:// or postgres:// URL");
	if (strncmp(from, "postgres", 8) == 0)
		return err_set(err, ERR_INVALID_REQUEST, "--from must be an "
		    "SQLite store (sqlite:PATH)");
	store_local_files(from, cp_first_file, path);
	if (path[0] == '\0')
		return err_set(err, ERR_INVALID_REQUEST, "--from must be an "
		    "SQLite store (sqlite:PATH), not %.200s", from);
	errno = 0;
	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return err_set(err, ERR_INVALID_REQUEST, "no SQLite store at "
		    "%s: %s", path, errno != 0 ? strerror(errno) :
		    "not a file");
	return 0;
}

/* Steps of one migration, inside both transactions. */
static int
cp_run_all(struct cp_run *run, const char *shown, struct err *err)
{
	int i;

	if (cp_pg_tables(run, err) == -1 || cp_match(run, err) == -1 ||
	    cp_target_empty(run, shown, err) == -1)
		return -1;
	for (i = 0; i < run->ntables; i++)
		if (cp_table_copy(run, &run->t[i], err) == -1)
			return -1;
	if (cp_sequences(run, err) == -1)
		return -1;
	return cp_verify(run, err);
}

static void
cp_report(const struct cp_run *run, const char *from, const char *shown,
    int version, FILE *report)
{
	int64_t total = 0;
	int i;

	for (i = 0; i < run->ntables; i++) {
		fprintf(report, "%s %" PRId64 "\n", run->t[i].name,
		    run->t[i].rows);
		total += run->t[i].rows;
	}
	fprintf(report, "migrated %" PRId64 " row%s of %d tables from %s to "
	    "%s (PostgreSQL schema version %d)\n", total, total == 1 ? "" :
	    "s", run->ntables, from, shown, version);
}

int
store_migrate(const char *from_url, const char *to_url, FILE *report,
    struct err *err)
{
	struct store *src = NULL, *dst = NULL;
	struct store_tx *rtx = NULL, *wtx = NULL;
	struct cp_run *run = xcalloc(1, sizeof(*run));
	char shown[PATH_MAX];
	struct err scratch;
	int rc = -1;

	pg_url_redact(to_url, shown, sizeof(shown));
	if (cp_urls_check(from_url, to_url, err) == -1 ||
	    store_open(from_url, &src, err) == -1)
		goto out;
	if (strcmp(store_backend_name(src), "sqlite") != 0) {
		err_set(err, ERR_INVALID_REQUEST, "--from must be an SQLite "
		    "store");
		goto out;
	}
	if (store_open(to_url, &dst, err) == -1 ||
	    store_begin(src, false, &rtx, err) == -1 ||
	    store_begin(dst, true, &wtx, err) == -1)
		goto out;
	run->sq = sq_db(rtx);
	run->pg = pg_db(wtx);
	rc = cp_run_all(run, shown, err);
out:
	err_clear(&scratch);
	if (wtx != NULL && store_end(wtx, rc == 0, rc == 0 ? err :
	    &scratch) == -1)
		rc = -1;
	if (rtx != NULL)
		store_end(rtx, false, &scratch);
	if (rc == 0)
		cp_report(run, from_url, shown, store_schema_version(dst),
		    report);
	store_close(dst);
	store_close(src);
	free(run);
	return rc;
}
