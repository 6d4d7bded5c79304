/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of thing groups and group membership
 * (store_thing.h); a dynamic group is a row with a query_string. The
 * hierarchy is the parent_name column, fixed when a group is created;
 * descendants are walked with recursive queries over the
 * thing_groups_parent index, memberships through the group_members
 * primary key (by group) and group_members_thing (by thing).
 */
#include "store_thing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "pg_int.h"
#include "xmalloc.h"

/* Deeper than any hierarchy AWS allows (7): a guard, not a limit. */
#define GROUP_WALK_MAX	"32"

static const char sql_group_get[] =
    "SELECT group_id, parent_name, description, attributes, version,"
    " created_at, query_string, query_version, index_name"
    " FROM thing_groups WHERE name = $1";

/* A taken name or id inserts nothing: the caller hears of it. */
static const char sql_group_insert[] =
    "INSERT INTO thing_groups (name, group_id, parent_name, description,"
    " attributes, version, created_at, query_string, query_version,"
    " index_name) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9)"
    " ON CONFLICT DO NOTHING";

static const char sql_group_update[] =
    "UPDATE thing_groups SET description = $2, attributes = $3,"
    " version = $4, query_string = $5, query_version = $6,"
    " index_name = $7 WHERE name = $1";

/* Index thing_groups_dynamic. */
static const char sql_dyngroup_all[] =
    "SELECT name, query_string FROM thing_groups"
    " WHERE query_string IS NOT NULL ORDER BY name";

static const char sql_dyngroup_count[] =
    "SELECT count(*) FROM thing_groups WHERE query_string IS NOT NULL";

/* Index group_members_thing, then the thing_groups primary key. */
static const char sql_member_groups_dynamic[] =
    "SELECT m.group_name FROM group_members m"
    " JOIN thing_groups g ON g.name = m.group_name"
    " WHERE m.thing_name = $1 AND g.query_string IS NOT NULL"
    " ORDER BY m.group_name";

static const char sql_member_groups_static[] =
    "SELECT m.group_name FROM group_members m"
    " JOIN thing_groups g ON g.name = m.group_name"
    " WHERE m.thing_name = $1 AND g.query_string IS NULL"
    " ORDER BY m.group_name";

static const char sql_group_delete[] =
    "DELETE FROM thing_groups WHERE name = $1";

static const char sql_group_empty[] =
    "DELETE FROM group_members WHERE group_name = $1";

static const char sql_group_children[] =
    "SELECT count(*) FROM thing_groups WHERE parent_name = $1";

/*
 * Listings: $1 the name to resume after, $2 the limit, $3 and $4 the name
 * range of the prefix filter ('' and '~' without one: names are ASCII
 * below '~'), $5 the parent.
 */
static const char sql_list_all[] =
    "SELECT name FROM thing_groups WHERE name > $1 AND name >= $3"
    " AND name < $4 ORDER BY name LIMIT $2";

static const char sql_list_roots[] =
    "SELECT name FROM thing_groups WHERE parent_name IS NULL"
    " AND name > $1 AND name >= $3 AND name < $4 ORDER BY name LIMIT $2";

static const char sql_list_children[] =
    "SELECT name FROM thing_groups WHERE parent_name = $5"
    " AND name > $1 AND name >= $3 AND name < $4 ORDER BY name LIMIT $2";

static const char sql_list_descendants[] =
    "WITH RECURSIVE d(name, depth) AS ("
    " SELECT name, 1 FROM thing_groups WHERE parent_name = $5"
    " UNION ALL"
    " SELECT g.name, d.depth + 1 FROM thing_groups g"
    " JOIN d ON g.parent_name = d.name WHERE d.depth < " GROUP_WALK_MAX ")"
    " SELECT name FROM d WHERE name > $1 AND name >= $3 AND name < $4"
    " ORDER BY name LIMIT $2";

static const char sql_member_add[] =
    "INSERT INTO group_members (group_name, thing_name) VALUES ($1, $2)"
    " ON CONFLICT DO NOTHING";

static const char sql_member_remove[] =
    "DELETE FROM group_members WHERE group_name = $1 AND thing_name = $2";

static const char sql_member_count[] =
    "SELECT count(*) FROM group_members WHERE thing_name = $1";

static const char sql_member_groups[] =
    "SELECT group_name FROM group_members WHERE thing_name = $3"
    " AND group_name > $1 ORDER BY group_name LIMIT $2";

static const char sql_member_things[] =
    "SELECT thing_name FROM group_members WHERE group_name = $3"
    " AND thing_name > $1 ORDER BY thing_name LIMIT $2";

/* The walk's first row takes the columns' collation, as UNION ALL needs. */
static const char sql_member_things_deep[] =
    "WITH RECURSIVE d(name, depth) AS ("
    " SELECT $3::text COLLATE \"C\", 0"
    " UNION ALL"
    " SELECT g.name, d.depth + 1 FROM thing_groups g"
    " JOIN d ON g.parent_name = d.name WHERE d.depth < " GROUP_WALK_MAX ")"
    " SELECT DISTINCT m.thing_name FROM d"
    " JOIN group_members m ON m.group_name = d.name"
    " WHERE m.thing_name > $1 ORDER BY m.thing_name LIMIT $2";

/* Column COL of R's first row as a new string, NULL for NULL. */
static char *
col_strdup(const PGresult *r, int col)
{
	return pg_col_null(r, 0, col) ? NULL : xstrdup(pg_col(r, 0, col));
}

int
pg_group_get(struct store_tx *tx, const char *name,
    struct store_group *out, struct err *err)
{
	struct pg_args a = { 0 };
	json_t *attrs;
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	pg_arg_text(&a, name);
	if ((rc = pg_row(tx, sql_group_get, &a, &r, err)) != 1)
		return rc;
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->group_id, sizeof(out->group_id), "%s", pg_col(r, 0, 0));
	snprintf(out->parent_name, sizeof(out->parent_name), "%s",
	    pg_col(r, 0, 1));
	out->description = col_strdup(r, 2);
	attrs = json_loads(pg_col(r, 0, 3), 0, NULL);
	if (attrs == NULL || !json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	out->attributes = attrs;
	out->version = pg_col_int(r, 0, 4);
	out->created_at = pg_col_int(r, 0, 5);
	out->query = col_strdup(r, 6);
	out->query_version = col_strdup(r, 7);
	out->index_name = col_strdup(r, 8);
	PQclear(r);
	return 1;
}

int
pg_group_insert(struct store_tx *tx, struct store_group *g,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *attrs = json_dumps(g->attributes, JSON_COMPACT | JSON_SORT_KEYS);
	int64_t n;
	int rc;

	store_uuid_new(g->group_id);
	g->version = 1;
	pg_arg_text(&a, g->name);
	pg_arg_text(&a, g->group_id);
	pg_arg_text(&a, g->parent_name[0] != '\0' ? g->parent_name : NULL);
	pg_arg_text(&a, g->description);
	pg_arg_text(&a, attrs != NULL ? attrs : "{}");
	pg_arg_int(&a, g->created_at);
	pg_arg_text(&a, g->query);
	pg_arg_text(&a, g->query_version);
	pg_arg_text(&a, g->index_name);
	rc = pg_exec_n(tx, sql_group_insert, &a, &n, err);
	free(attrs);
	if (rc == -1)
		return -1;
	/* The caller looked first: a taken name is the store's failure. */
	if (n == 0) {
		metrics_store_error();
		log_warnx("store: a thing group insert found its name taken");
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "internal store error: thing group %s exists", g->name);
	}
	return 0;
}

int
pg_group_update(struct store_tx *tx, const struct store_group *g,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *attrs = json_dumps(g->attributes, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	pg_arg_text(&a, g->name);
	pg_arg_text(&a, g->description);
	pg_arg_text(&a, attrs != NULL ? attrs : "{}");
	pg_arg_int(&a, g->version);
	pg_arg_text(&a, g->query);
	pg_arg_text(&a, g->query_version);
	pg_arg_text(&a, g->index_name);
	rc = pg_exec(tx, sql_group_update, &a, err);
	free(attrs);
	return rc;
}

int
pg_group_delete(struct store_tx *tx, const char *name, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	if (pg_exec(tx, sql_group_delete, &a, err) == -1)
		return -1;
	return pg_exec(tx, sql_group_empty, &a, err);
}

/* Runs the one-row count query SQL with TEXT as $1. */
static int
count_one(struct store_tx *tx, const char *sql, const char *text,
    int64_t *n, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, text);
	return pg_count(tx, sql, &a, n, err);
}

int
pg_group_children(struct store_tx *tx, const char *name, int64_t *n,
    struct err *err)
{
	return count_one(tx, sql_group_children, name, n, err);
}

/* $1 and $2 of a listing: the name to resume after, one row past LIMIT. */
static void
page_args(struct pg_args *a, const struct store_page *pg)
{
	pg_arg_text(a, pg->after != NULL ? pg->after : "");
	pg_arg_int(a, (int64_t)pg->limit + 1);
}

int
pg_group_list(struct store_tx *tx, const struct store_page *pg,
    const char *parent, bool recursive, const char *prefix, json_t *out,
    bool *more, struct err *err)
{
	char upper[STORE_NAME_MAX + 2];
	struct pg_args a = { 0 };
	const char *sql;

	if (parent == NULL)
		sql = recursive ? sql_list_all : sql_list_roots;
	else
		sql = recursive ? sql_list_descendants : sql_list_children;
	if (prefix == NULL)
		prefix = "";
	snprintf(upper, sizeof(upper), "%s~", prefix);
	page_args(&a, pg);
	pg_arg_text(&a, prefix);
	pg_arg_text(&a, upper);
	if (parent != NULL)
		pg_arg_text(&a, parent);
	return pg_page(tx, sql, &a, pg->limit, NULL, NULL, out, more, err);
}

int
pg_member_add(struct store_tx *tx, const char *group, const char *thing,
    bool *added, struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pg_arg_text(&a, group);
	pg_arg_text(&a, thing);
	if (pg_exec_n(tx, sql_member_add, &a, &n, err) == -1)
		return -1;
	*added = n > 0;
	return 0;
}

int
pg_member_remove(struct store_tx *tx, const char *group,
    const char *thing, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, group);
	pg_arg_text(&a, thing);
	return pg_exec(tx, sql_member_remove, &a, err);
}

int
pg_member_count(struct store_tx *tx, const char *thing, int64_t *n,
    struct err *err)
{
	return count_one(tx, sql_member_count, thing, n, err);
}

int
pg_member_groups(struct store_tx *tx, const char *thing,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	page_args(&a, pg);
	pg_arg_text(&a, thing);
	return pg_page(tx, sql_member_groups, &a, pg->limit, NULL, NULL, out,
	    more, err);
}

int
pg_member_things(struct store_tx *tx, const char *group, bool recursive,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	page_args(&a, pg);
	pg_arg_text(&a, group);
	return pg_page(tx, recursive ? sql_member_things_deep :
	    sql_member_things, &a, pg->limit, NULL, NULL, out, more, err);
}

int
pg_dyngroup_all(struct store_tx *tx, json_t *out, struct err *err)
{
	PGresult *r = pg_query(tx, sql_dyngroup_all, NULL, err);
	int i, n;

	if (r == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s, s:s}", "name",
		    pg_col(r, i, 0), "query", pg_col(r, i, 1)));
	PQclear(r);
	return 0;
}

int
pg_dyngroup_count(struct store_tx *tx, int64_t *n, struct err *err)
{
	return pg_count(tx, sql_dyngroup_count, NULL, n, err);
}

int
pg_member_groups_kind(struct store_tx *tx, const char *thing,
    bool dynamic, json_t *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, thing);
	return pg_texts(tx, dynamic ? sql_member_groups_dynamic :
	    sql_member_groups_static, &a, out, err);
}
