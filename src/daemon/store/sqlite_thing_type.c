/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of thing types (store_thing_type.h): rows of schema
 * 0018's thing_types; searchable attributes and the MQTT 5 configuration
 * as JSON text, exactly as accepted.
 */
#include "store_thing_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "xmalloc.h"

#define TYPE_COLS \
    "name, type_id, description, searchable, mqtt5, deprecated_at," \
    " created_at"

static const char sql_type_get[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name = ?1";

static const char sql_type_insert[] =
    "INSERT INTO thing_types (" TYPE_COLS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static const char sql_type_update[] =
    "UPDATE thing_types SET description = ?2, searchable = ?3, mqtt5 = ?4,"
    " deprecated_at = ?5 WHERE name = ?1";

static const char sql_type_delete[] =
    "DELETE FROM thing_types WHERE name = ?1";

/* Index things_type. */
static const char sql_type_in_use[] =
    "SELECT 1 FROM things WHERE type_name = ?1 LIMIT 1";

static const char sql_type_list[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name > ?1"
    " ORDER BY name LIMIT ?2";

static const char sql_type_list_one[] =
    "SELECT " TYPE_COLS " FROM thing_types WHERE name > ?1 AND name = ?3"
    " LIMIT ?2";

static json_t *
col_json(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return json_loads(sq_col_text(s, i), 0, NULL);
}

/* The row S stands on into *OUT. */
static void
type_read(sqlite3_stmt *s, struct store_thing_type *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", sq_col_text(s, 0));
	snprintf(out->type_id, sizeof(out->type_id), "%s",
	    sq_col_text(s, 1));
	if (sqlite3_column_type(s, 2) != SQLITE_NULL)
		out->description = xstrdup(sq_col_text(s, 2));
	out->searchable = col_json(s, 3);
	if (!json_is_array(out->searchable)) {
		json_decref(out->searchable);
		out->searchable = json_array();
	}
	out->mqtt5 = col_json(s, 4);
	out->deprecated_at = sqlite3_column_int64(s, 5);
	out->created_at = sqlite3_column_int64(s, 6);
}

int
sq_thing_type_get(struct store_tx *tx, const char *name,
    struct store_thing_type *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_type_get);
	int rc;

	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	if (out != NULL)
		type_read(s, out);
	sqlite3_reset(s);
	return 1;
}

/*
 * Binds description, searchable, mqtt5 and deprecated_at from parameter
 * FIRST on; *A and *B receive the JSON texts bound (the caller frees).
 */
static void
type_bind(sqlite3_stmt *s, int first, const struct store_thing_type *t,
    char **a, char **b)
{
	*a = t->searchable != NULL ? json_dumps(t->searchable, JSON_COMPACT) :
	    NULL;
	*b = t->mqtt5 != NULL ? json_dumps(t->mqtt5, JSON_COMPACT) : NULL;
	sq_bind_text(s, first, t->description);
	sq_bind_text(s, first + 1, *a != NULL ? *a : "[]");
	sq_bind_text(s, first + 2, *b);
	if (t->deprecated_at != 0)
		sqlite3_bind_int64(s, first + 3, t->deprecated_at);
	else
		sqlite3_bind_null(s, first + 3);
}

int
sq_thing_type_insert(struct store_tx *tx, struct store_thing_type *t,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_type_insert);
	char *a, *b;
	int rc;

	store_uuid_new(t->type_id);
	sq_bind_text(s, 1, t->name);
	sq_bind_text(s, 2, t->type_id);
	type_bind(s, 3, t, &a, &b);
	sqlite3_bind_int64(s, 7, t->created_at);
	rc = sq_exec_stmt(tx, s, err);
	free(a);
	free(b);
	return rc;
}

int
sq_thing_type_update(struct store_tx *tx,
    const struct store_thing_type *t, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_type_update);
	char *a, *b;
	int rc;

	sq_bind_text(s, 1, t->name);
	type_bind(s, 2, t, &a, &b);
	rc = sq_exec_stmt(tx, s, err);
	free(a);
	free(b);
	return rc;
}

int
sq_thing_type_delete(struct store_tx *tx, const char *name,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_type_delete);

	sq_bind_text(s, 1, name);
	return sq_exec_stmt(tx, s, err);
}

int
sq_thing_type_in_use(struct store_tx *tx, const char *name, bool *any,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_type_in_use);
	int rc;

	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	*any = rc == SQLITE_ROW;
	return 0;
}

int
sq_thing_type_list(struct store_tx *tx, const struct store_page *pg,
    const char *name, store_thing_type_fn *fn, void *arg, bool *more,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, name != NULL ? sql_type_list_one :
	    sql_type_list);
	struct store_thing_type t;
	int rc, n = 0, cb = 0;

	sq_bind_text(s, 1, pg->after != NULL ? pg->after : "");
	sqlite3_bind_int(s, 2, pg->limit + 1);
	if (name != NULL)
		sq_bind_text(s, 3, name);
	*more = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == pg->limit) {
			*more = true;
			break;
		}
		type_read(s, &t);
		cb = fn(&t, arg, err);
		store_thing_type_release(&t);
		if (cb == -1)
			break;
	}
	sqlite3_reset(s);
	if (cb == -1)
		return -1;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}
