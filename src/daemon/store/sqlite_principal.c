/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of store_principal.h (schema 0012): thing_principals,
 * read by thing through its primary key and by principal through
 * thing_principals_principal.
 */
#include "store_principal.h"

#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

static const char sql_get[] =
    "SELECT type FROM thing_principals WHERE thing_name = ?1"
    " AND principal = ?2";

static const char sql_other[] =
    "SELECT thing_name, type FROM thing_principals WHERE principal = ?1"
    " AND thing_name <> ?2 ORDER BY type = 'EXCLUSIVE_THING' DESC LIMIT 1";

static const char sql_put[] =
    "INSERT INTO thing_principals (thing_name, principal, type, created_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (thing_name, principal)"
    " DO UPDATE SET type = excluded.type";

static const char sql_delete[] =
    "DELETE FROM thing_principals WHERE thing_name = ?1 AND principal = ?2";

static const char sql_count[] =
    "SELECT count(*) FROM thing_principals WHERE thing_name = ?1";

/* ?1 the key to resume after, ?2 the limit, ?3 the key, ?4 the type. */
static const char sql_principals[] =
    "SELECT principal, type FROM thing_principals WHERE thing_name = ?3"
    " AND principal > ?1 AND (?4 IS NULL OR type = ?4)"
    " ORDER BY principal LIMIT ?2";

static const char sql_things[] =
    "SELECT thing_name, type FROM thing_principals WHERE principal = ?3"
    " AND thing_name > ?1 AND (?4 IS NULL OR type = ?4)"
    " ORDER BY thing_name LIMIT ?2";

int
sq_thing_principal_get(struct store_tx *tx, const char *thing,
    const char *principal, char type[STORE_PRINCIPAL_TYPE_MAX + 1],
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_get);
	int rc;

	sq_bind_text(s, 1, thing);
	sq_bind_text(s, 2, principal);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(type, STORE_PRINCIPAL_TYPE_MAX + 1, "%s",
		    sq_col_text(s, 0));
	return sq_found(tx, s, rc, err);
}

int
sq_principal_other_thing(struct store_tx *tx, const char *principal,
    const char *thing, char other[STORE_NAME_MAX + 1],
    char type[STORE_PRINCIPAL_TYPE_MAX + 1], struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_other);
	int rc;

	sq_bind_text(s, 1, principal);
	sq_bind_text(s, 2, thing);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(other, STORE_NAME_MAX + 1, "%s", sq_col_text(s, 0));
		snprintf(type, STORE_PRINCIPAL_TYPE_MAX + 1, "%s",
		    sq_col_text(s, 1));
	}
	return sq_found(tx, s, rc, err);
}

int
sq_thing_principal_put(struct store_tx *tx, const char *thing,
    const char *principal, const char *type, int64_t now, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_put);

	sq_bind_text(s, 1, thing);
	sq_bind_text(s, 2, principal);
	sq_bind_text(s, 3, type);
	sqlite3_bind_int64(s, 4, now);
	return sq_exec_stmt(tx, s, err);
}

int
sq_thing_principal_delete(struct store_tx *tx, const char *thing,
    const char *principal, bool *removed, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_delete);

	sq_bind_text(s, 1, thing);
	sq_bind_text(s, 2, principal);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*removed = sqlite3_changes(sq_db(tx)) > 0;
	return 0;
}

int
sq_thing_principal_count(struct store_tx *tx, const char *thing,
    int64_t *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_count);

	sq_bind_text(s, 1, thing);
	return sq_int64(tx, s, n, err);
}

/* The {NAME (ARG): column 0, "thingPrincipalType": column 1} item. */
static json_t *
principal_row(sqlite3_stmt *s, const void *arg)
{
	return json_pack("{s:s, s:s}", (const char *)arg, sq_col_text(s, 0),
	    "thingPrincipalType", sq_col_text(s, 1));
}

/* Runs S for KEY, TYPE and the page PG, appending principal_row()s. */
static int
collect(struct store_tx *tx, sqlite3_stmt *s, const char *key,
    const char *type, const struct store_page *pg, const char *name,
    json_t *out, bool *more, struct err *err)
{
	sq_bind_text(s, 1, pg->after != NULL ? pg->after : "");
	sqlite3_bind_int(s, 2, pg->limit + 1);
	sq_bind_text(s, 3, key);
	sq_bind_text(s, 4, type);
	return sq_page(tx, s, pg->limit, principal_row, name, out, more,
	    err);
}

int
sq_thing_principals(struct store_tx *tx, const char *thing,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err)
{
	return collect(tx, sq_stmt(tx, sql_principals), thing, type, pg,
	    "principal", out, more, err);
}

int
sq_principal_thing_list(struct store_tx *tx, const char *principal,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err)
{
	return collect(tx, sq_stmt(tx, sql_things), principal, type, pg,
	    "thingName", out, more, err);
}
