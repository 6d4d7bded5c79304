/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of thing types (store_thing_type.h): rows of
 * thing_types; searchable attributes and the MQTT 5 configuration as JSON
 * text, exactly as accepted.
 */
#include "store_thing_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "pg_int.h"
#include "xmalloc.h"

#define TYPE_COLS \
    "name, type_id, description, searchable, mqtt5, deprecated_at," \
    " created_at"

static const char sql_type_get[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name = $1";

/* A taken name or id inserts nothing: the caller hears of it. */
static const char sql_type_insert[] =
    "INSERT INTO thing_types (" TYPE_COLS ")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

static const char sql_type_update[] =
    "UPDATE thing_types SET description = $2, searchable = $3, mqtt5 = $4,"
    " deprecated_at = $5 WHERE name = $1";

static const char sql_type_delete[] =
    "DELETE FROM thing_types WHERE name = $1";

/* Index things_type. */
static const char sql_type_in_use[] =
    "SELECT 1 FROM things WHERE type_name = $1 LIMIT 1";

static const char sql_type_list[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name > $1"
    " ORDER BY name LIMIT $2";

static const char sql_type_list_one[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name > $1 AND name = $3"
    " LIMIT $2";

static json_t *
col_json(const PGresult *r, int row, int col)
{
	if (pg_col_null(r, row, col))
		return NULL;
	return json_loads(pg_col(r, row, col), 0, NULL);
}

/* Row ROW of R into *OUT. */
static void
type_read(const PGresult *r, int row, struct store_thing_type *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", pg_col(r, row, 0));
	snprintf(out->type_id, sizeof(out->type_id), "%s", pg_col(r, row, 1));
	if (!pg_col_null(r, row, 2))
		out->description = xstrdup(pg_col(r, row, 2));
	out->searchable = col_json(r, row, 3);
	if (!json_is_array(out->searchable)) {
		json_decref(out->searchable);
		out->searchable = json_array();
	}
	out->mqtt5 = col_json(r, row, 4);
	out->deprecated_at = pg_col_int(r, row, 5);
	out->created_at = pg_col_int(r, row, 6);
}

int
pg_thing_type_get(struct store_tx *tx, const char *name,
    struct store_thing_type *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, name);
	if ((rc = pg_row(tx, sql_type_get, &a, &r, err)) != 1)
		return rc;
	if (out != NULL)
		type_read(r, 0, out);
	PQclear(r);
	return 1;
}

/*
 * Appends description, searchable, mqtt5 and deprecated_at to A; *S and
 * *M receive the JSON texts (the caller frees them after the statement).
 */
static void
type_args(struct pg_args *a, const struct store_thing_type *t, char **s,
    char **m)
{
	*s = t->searchable != NULL ? json_dumps(t->searchable, JSON_COMPACT) :
	    NULL;
	*m = t->mqtt5 != NULL ? json_dumps(t->mqtt5, JSON_COMPACT) : NULL;
	pg_arg_text(a, t->description);
	pg_arg_text(a, *s != NULL ? *s : "[]");
	pg_arg_text(a, *m);
	if (t->deprecated_at != 0)
		pg_arg_int(a, t->deprecated_at);
	else
		pg_arg_null(a);
}

int
pg_thing_type_insert(struct store_tx *tx, struct store_thing_type *t,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *s, *m;
	int64_t n;
	int rc;

	store_uuid_new(t->type_id);
	pg_arg_text(&a, t->name);
	pg_arg_text(&a, t->type_id);
	type_args(&a, t, &s, &m);
	pg_arg_int(&a, t->created_at);
	rc = pg_exec_n(tx, sql_type_insert, &a, &n, err);
	free(s);
	free(m);
	if (rc == -1)
		return -1;
	/* The caller looked first: a taken name is the store's failure. */
	if (n == 0) {
		metrics_store_error();
		log_warnx("store: a thing type insert found its name taken");
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "internal store error: thing type %s exists", t->name);
	}
	return 0;
}

int
pg_thing_type_update(struct store_tx *tx,
    const struct store_thing_type *t, struct err *err)
{
	struct pg_args a = { 0 };
	char *s, *m;
	int rc;

	pg_arg_text(&a, t->name);
	type_args(&a, t, &s, &m);
	rc = pg_exec(tx, sql_type_update, &a, err);
	free(s);
	free(m);
	return rc;
}

int
pg_thing_type_delete(struct store_tx *tx, const char *name,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	return pg_exec(tx, sql_type_delete, &a, err);
}

int
pg_thing_type_in_use(struct store_tx *tx, const char *name, bool *any,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, name);
	if ((rc = pg_row(tx, sql_type_in_use, &a, &r, err)) == -1)
		return -1;
	PQclear(r);
	*any = rc == 1;
	return 0;
}

int
pg_thing_type_list(struct store_tx *tx, const struct store_page *pg,
    const char *name, store_thing_type_fn *fn, void *arg, bool *more,
    struct err *err)
{
	struct store_thing_type t;
	struct pg_args a = { 0 };
	PGresult *r;
	int i, n, cb = 0;

	pg_arg_text(&a, pg->after != NULL ? pg->after : "");
	pg_arg_int(&a, (int64_t)pg->limit + 1);
	if (name != NULL)
		pg_arg_text(&a, name);
	*more = false;
	r = pg_query(tx, name != NULL ? sql_type_list_one : sql_type_list, &a,
	    err);
	if (r == NULL)
		return -1;
	n = PQntuples(r);
	if (n > pg->limit) {
		*more = true;
		n = pg->limit;
	}
	for (i = 0; i < n && cb != -1; i++) {
		type_read(r, i, &t);
		cb = fn(&t, arg, err);
		store_thing_type_release(&t);
	}
	PQclear(r);
	return cb == -1 ? -1 : 0;
}
