/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of store_principal.h: thing_principals, read by
 * thing through its primary key and by principal through
 * thing_principals_principal.
 */
#include "store_principal.h"

#include <stdio.h>
#include <string.h>

#include "pg_int.h"

static const char sql_get[] =
    "SELECT type FROM thing_principals WHERE thing_name = $1"
    " AND principal = $2";

/* An exclusive attachment first; then the first thing by name. */
static const char sql_other[] =
    "SELECT thing_name, type FROM thing_principals WHERE principal = $1"
    " AND thing_name <> $2"
    " ORDER BY type = 'EXCLUSIVE_THING' DESC, thing_name LIMIT 1";

static const char sql_put[] =
    "INSERT INTO thing_principals (thing_name, principal, type, created_at)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (thing_name, principal)"
    " DO UPDATE SET type = excluded.type";

static const char sql_delete[] =
    "DELETE FROM thing_principals WHERE thing_name = $1 AND principal = $2";

static const char sql_count[] =
    "SELECT count(*) FROM thing_principals WHERE thing_name = $1";

/* $1 the key to resume after, $2 the limit, $3 the key, $4 the type. */
static const char sql_principals[] =
    "SELECT principal, type FROM thing_principals WHERE thing_name = $3"
    " AND principal > $1 AND ($4::text IS NULL OR type = $4)"
    " ORDER BY principal LIMIT $2";

static const char sql_things[] =
    "SELECT thing_name, type FROM thing_principals WHERE principal = $3"
    " AND thing_name > $1 AND ($4::text IS NULL OR type = $4)"
    " ORDER BY thing_name LIMIT $2";

/* Thing THING and principal PRINCIPAL as $1 $2 of A. */
static void
pair_args(struct pg_args *a, const char *thing, const char *principal)
{
	pg_arg_text(a, thing);
	pg_arg_text(a, principal);
}

int
pg_thing_principal_get(struct store_tx *tx, const char *thing,
    const char *principal, char type[STORE_PRINCIPAL_TYPE_MAX + 1],
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pair_args(&a, thing, principal);
	rc = pg_row(tx, sql_get, &a, &r, err);
	if (rc == 1)
		snprintf(type, STORE_PRINCIPAL_TYPE_MAX + 1, "%s",
		    pg_col(r, 0, 0));
	PQclear(r);
	return rc;
}

int
pg_principal_other_thing(struct store_tx *tx, const char *principal,
    const char *thing, char other[STORE_NAME_MAX + 1],
    char type[STORE_PRINCIPAL_TYPE_MAX + 1], struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, principal);
	pg_arg_text(&a, thing);
	rc = pg_row(tx, sql_other, &a, &r, err);
	if (rc == 1) {
		snprintf(other, STORE_NAME_MAX + 1, "%s", pg_col(r, 0, 0));
		snprintf(type, STORE_PRINCIPAL_TYPE_MAX + 1, "%s",
		    pg_col(r, 0, 1));
	}
	PQclear(r);
	return rc;
}

int
pg_thing_principal_put(struct store_tx *tx, const char *thing,
    const char *principal, const char *type, int64_t now, struct err *err)
{
	struct pg_args a = { 0 };

	pair_args(&a, thing, principal);
	pg_arg_text(&a, type);
	pg_arg_int(&a, now);
	return pg_exec(tx, sql_put, &a, err);
}

int
pg_thing_principal_delete(struct store_tx *tx, const char *thing,
    const char *principal, bool *removed, struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pair_args(&a, thing, principal);
	if (pg_exec_n(tx, sql_delete, &a, &n, err) == -1)
		return -1;
	*removed = n > 0;
	return 0;
}

int
pg_thing_principal_count(struct store_tx *tx, const char *thing,
    int64_t *n, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, thing);
	return pg_count(tx, sql_count, &a, n, err);
}

/* The {NAME (ARG): column 0, "thingPrincipalType": column 1} item. */
static json_t *
principal_row(PGresult *r, int row, const void *arg)
{
	return json_pack("{s:s, s:s}", (const char *)arg, pg_col(r, row, 0),
	    "thingPrincipalType", pg_col(r, row, 1));
}

/* Runs SQL for KEY, TYPE and the page PG, appending principal_row()s. */
static int
collect(struct store_tx *tx, const char *sql, const char *key,
    const char *type, const struct store_page *pg, const char *name,
    json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, pg->after != NULL ? pg->after : "");
	pg_arg_int(&a, pg->limit + 1);
	pg_arg_text(&a, key);
	pg_arg_text(&a, type);
	return pg_page(tx, sql, &a, pg->limit, principal_row, name, out, more,
	    err);
}

int
pg_thing_principals(struct store_tx *tx, const char *thing,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err)
{
	return collect(tx, sql_principals, thing, type, pg, "principal", out,
	    more, err);
}

int
pg_principal_thing_list(struct store_tx *tx, const char *principal,
    const char *type, const struct store_page *pg, json_t *out, bool *more,
    struct err *err)
{
	return collect(tx, sql_things, principal, type, pg, "thingName", out,
	    more, err);
}
