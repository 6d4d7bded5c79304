/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of resource tags (store_tags.h): the tags table of
 * schema 0018, whose primary key (resource, key) serves every operation
 * as an index range.
 */
#include "store_tags.h"

#include "sqlite_int.h"

static const char sql_tag_put[] =
    "INSERT INTO tags (resource, key, value) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (resource, key) DO UPDATE SET value = excluded.value";

static const char sql_tag_remove[] =
    "DELETE FROM tags WHERE resource = ?1 AND key = ?2";

static const char sql_tags_drop[] =
    "DELETE FROM tags WHERE resource = ?1";

static const char sql_tags_count[] =
    "SELECT count(*) FROM tags WHERE resource = ?1";

static const char sql_tags_list[] =
    "SELECT key, value FROM tags WHERE resource = ?1 AND key > ?2"
    " ORDER BY key LIMIT ?3";

int
sq_tags_put(struct store_tx *tx, const char *resource,
    const json_t *tags, struct err *err)
{
	const char *value;
	json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		sqlite3_stmt *s = sq_stmt(tx, sql_tag_put);

		value = json_string_value(json_object_get(t, "Value"));
		sq_bind_text(s, 1, resource);
		sq_bind_text(s, 2, json_string_value(json_object_get(t,
		    "Key")));
		sq_bind_text(s, 3, value != NULL ? value : "");
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
	}
	return 0;
}

int
sq_tags_remove(struct store_tx *tx, const char *resource,
    const json_t *keys, struct err *err)
{
	json_t *k;
	size_t i;

	json_array_foreach(keys, i, k) {
		sqlite3_stmt *s = sq_stmt(tx, sql_tag_remove);

		sq_bind_text(s, 1, resource);
		sq_bind_text(s, 2, json_string_value(k));
		if (sq_exec_stmt(tx, s, err) == -1)
			return -1;
	}
	return 0;
}

int
sq_tags_drop(struct store_tx *tx, const char *resource, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_tags_drop);

	sq_bind_text(s, 1, resource);
	return sq_exec_stmt(tx, s, err);
}

int
sq_tags_count(struct store_tx *tx, const char *resource, int64_t *n,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_tags_count);

	sq_bind_text(s, 1, resource);
	return sq_int64(tx, s, n, err);
}

/* The {"Key", "Value"} item of a row of S. */
static json_t *
tag_row(sqlite3_stmt *s, const void *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s}", "Key", sq_col_text(s, 0), "Value",
	    sq_col_text(s, 1));
}

int
sq_tags_list(struct store_tx *tx, const char *resource, const char *after,
    int limit, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_tags_list);

	sq_bind_text(s, 1, resource);
	sq_bind_text(s, 2, after != NULL ? after : "");
	sqlite3_bind_int(s, 3, limit + 1);
	return sq_page(tx, s, limit, tag_row, NULL, out, more, err);
}
