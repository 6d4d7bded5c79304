/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of resource tags (store_tags.h): the tags table,
 * whose primary key (resource, key) serves every operation as an index
 * range.
 */
#include "store_tags.h"

#include "pg_int.h"

static const char sql_tag_put[] =
    "INSERT INTO tags (resource, key, value) VALUES ($1, $2, $3)"
    " ON CONFLICT (resource, key) DO UPDATE SET value = excluded.value";

static const char sql_tag_remove[] =
    "DELETE FROM tags WHERE resource = $1 AND key = $2";

static const char sql_tags_drop[] =
    "DELETE FROM tags WHERE resource = $1";

static const char sql_tags_count[] =
    "SELECT count(*) FROM tags WHERE resource = $1";

static const char sql_tags_list[] =
    "SELECT key, value FROM tags WHERE resource = $1 AND key > $2"
    " ORDER BY key LIMIT $3";

int
pg_tags_put(struct store_tx *tx, const char *resource, const json_t *tags,
    struct err *err)
{
	const char *value;
	json_t *t;
	size_t i;

	json_array_foreach(tags, i, t) {
		struct pg_args a = { 0 };

		value = json_string_value(json_object_get(t, "Value"));
		pg_arg_text(&a, resource);
		pg_arg_text(&a, json_string_value(json_object_get(t, "Key")));
		pg_arg_text(&a, value != NULL ? value : "");
		if (pg_exec(tx, sql_tag_put, &a, err) == -1)
			return -1;
	}
	return 0;
}

int
pg_tags_remove(struct store_tx *tx, const char *resource,
    const json_t *keys, struct err *err)
{
	json_t *k;
	size_t i;

	json_array_foreach(keys, i, k) {
		struct pg_args a = { 0 };

		pg_arg_text(&a, resource);
		pg_arg_text(&a, json_string_value(k));
		if (pg_exec(tx, sql_tag_remove, &a, err) == -1)
			return -1;
	}
	return 0;
}

int
pg_tags_drop(struct store_tx *tx, const char *resource, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, resource);
	return pg_exec(tx, sql_tags_drop, &a, err);
}

int
pg_tags_count(struct store_tx *tx, const char *resource, int64_t *n,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, resource);
	return pg_count(tx, sql_tags_count, &a, n, err);
}

/* The {"Key", "Value"} item of row ROW of R. */
static json_t *
tag_row(PGresult *r, int row, const void *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s}", "Key", pg_col(r, row, 0), "Value",
	    pg_col(r, row, 1));
}

int
pg_tags_list(struct store_tx *tx, const char *resource, const char *after,
    int limit, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, resource);
	pg_arg_text(&a, after != NULL ? after : "");
	pg_arg_int(&a, (int64_t)limit + 1);
	return pg_page(tx, sql_tags_list, &a, limit, tag_row, NULL, out, more,
	    err);
}
