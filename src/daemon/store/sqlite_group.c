/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of thing groups and group membership (store_thing.h);
 * a dynamic group is a row with a query_string (0018). The hierarchy is
 * the parent_name column, fixed when a group is created; descendants are
 * walked with recursive queries over the thing_groups_parent index,
 * memberships through the group_members primary key (by group) and
 * group_members_thing (by thing).
 */
#include "store_thing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "xmalloc.h"

/* Deeper than any hierarchy AWS allows (7): a guard, not a limit. */
#define GROUP_WALK_MAX	"32"

static const char sql_group_get[] =
    "SELECT group_id, parent_name, description, attributes, version,"
    " created_at, query_string, query_version, index_name"
    " FROM thing_groups WHERE name = ?1";

static const char sql_group_insert[] =
    "INSERT INTO thing_groups (name, group_id, parent_name, description,"
    " attributes, version, created_at, query_string, query_version,"
    " index_name) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9)";

static const char sql_group_update[] =
    "UPDATE thing_groups SET description = ?2, attributes = ?3,"
    " version = ?4, query_string = ?5, query_version = ?6,"
    " index_name = ?7 WHERE name = ?1";

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
    " WHERE m.thing_name = ?1 AND g.query_string IS NOT NULL"
    " ORDER BY m.group_name";

static const char sql_member_groups_static[] =
    "SELECT m.group_name FROM group_members m"
    " JOIN thing_groups g ON g.name = m.group_name"
    " WHERE m.thing_name = ?1 AND g.query_string IS NULL"
    " ORDER BY m.group_name";

static const char sql_group_delete[] =
    "DELETE FROM thing_groups WHERE name = ?1";

static const char sql_group_empty[] =
    "DELETE FROM group_members WHERE group_name = ?1";

static const char sql_group_children[] =
    "SELECT count(*) FROM thing_groups WHERE parent_name = ?1";

/*
 * Listings: ?1 the name to resume after, ?2 the limit, ?3 and ?4 the name
 * range of the prefix filter ('' and '~' without one: names are ASCII
 * below '~'), ?5 the parent.
 */
static const char sql_list_all[] =
    "SELECT name FROM thing_groups WHERE name > ?1 AND name >= ?3"
    " AND name < ?4 ORDER BY name LIMIT ?2";

static const char sql_list_roots[] =
    "SELECT name FROM thing_groups WHERE parent_name IS NULL"
    " AND name > ?1 AND name >= ?3 AND name < ?4 ORDER BY name LIMIT ?2";

static const char sql_list_children[] =
    "SELECT name FROM thing_groups WHERE parent_name = ?5"
    " AND name > ?1 AND name >= ?3 AND name < ?4 ORDER BY name LIMIT ?2";

static const char sql_list_descendants[] =
    "WITH RECURSIVE d(name, depth) AS ("
    " SELECT name, 1 FROM thing_groups WHERE parent_name = ?5"
    " UNION ALL"
    " SELECT g.name, d.depth + 1 FROM thing_groups g"
    " JOIN d ON g.parent_name = d.name WHERE d.depth < " GROUP_WALK_MAX ")"
    " SELECT name FROM d WHERE name > ?1 AND name >= ?3 AND name < ?4"
    " ORDER BY name LIMIT ?2";

static const char sql_member_add[] =
    "INSERT OR IGNORE INTO group_members (group_name, thing_name)"
    " VALUES (?1, ?2)";

static const char sql_member_remove[] =
    "DELETE FROM group_members WHERE group_name = ?1 AND thing_name = ?2";

static const char sql_member_count[] =
    "SELECT count(*) FROM group_members WHERE thing_name = ?1";

static const char sql_member_groups[] =
    "SELECT group_name FROM group_members WHERE thing_name = ?3"
    " AND group_name > ?1 ORDER BY group_name LIMIT ?2";

static const char sql_member_things[] =
    "SELECT thing_name FROM group_members WHERE group_name = ?3"
    " AND thing_name > ?1 ORDER BY thing_name LIMIT ?2";

static const char sql_member_things_deep[] =
    "WITH RECURSIVE d(name, depth) AS ("
    " SELECT ?3, 0"
    " UNION ALL"
    " SELECT g.name, d.depth + 1 FROM thing_groups g"
    " JOIN d ON g.parent_name = d.name WHERE d.depth < " GROUP_WALK_MAX ")"
    " SELECT DISTINCT m.thing_name FROM d"
    " JOIN group_members m ON m.group_name = d.name"
    " WHERE m.thing_name > ?1 ORDER BY m.thing_name LIMIT ?2";

/* A device's groups and their ancestors, for its policies. */
const struct sq_plan_stmt sq_plan_group[] = {
	SQ_PLAN(sql_group_get, ""),
	SQ_PLAN(sql_member_groups, ""),
	{ NULL, NULL, NULL },
};

/* Column I as a new string, NULL for NULL. */
static char *
col_strdup(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(sq_col_text(s, i));
}

int
sq_group_get(struct store_tx *tx, const char *name,
    struct store_group *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_group_get);
	json_t *attrs;
	int rc;

	memset(out, 0, sizeof(*out));
	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->group_id, sizeof(out->group_id), "%s",
	    sq_col_text(s, 0));
	snprintf(out->parent_name, sizeof(out->parent_name), "%s",
	    sq_col_text(s, 1));
	if (sqlite3_column_type(s, 2) != SQLITE_NULL)
		out->description = xstrdup(sq_col_text(s, 2));
	attrs = json_loads(sq_col_text(s, 3), 0, NULL);
	if (attrs == NULL || !json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	out->attributes = attrs;
	out->version = sqlite3_column_int64(s, 4);
	out->created_at = sqlite3_column_int64(s, 5);
	out->query = col_strdup(s, 6);
	out->query_version = col_strdup(s, 7);
	out->index_name = col_strdup(s, 8);
	sqlite3_reset(s);
	return 1;
}

int
sq_group_insert(struct store_tx *tx, struct store_group *g,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_group_insert);
	char *attrs = json_dumps(g->attributes, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	store_uuid_new(g->group_id);
	g->version = 1;
	sq_bind_text(s, 1, g->name);
	sq_bind_text(s, 2, g->group_id);
	sq_bind_text(s, 3, g->parent_name[0] != '\0' ? g->parent_name : NULL);
	sq_bind_text(s, 4, g->description);
	sq_bind_text(s, 5, attrs != NULL ? attrs : "{}");
	sqlite3_bind_int64(s, 6, g->created_at);
	sq_bind_text(s, 7, g->query);
	sq_bind_text(s, 8, g->query_version);
	sq_bind_text(s, 9, g->index_name);
	rc = sq_exec_stmt(tx, s, err);
	free(attrs);
	return rc;
}

int
sq_group_update(struct store_tx *tx, const struct store_group *g,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_group_update);
	char *attrs = json_dumps(g->attributes, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	sq_bind_text(s, 1, g->name);
	sq_bind_text(s, 2, g->description);
	sq_bind_text(s, 3, attrs != NULL ? attrs : "{}");
	sqlite3_bind_int64(s, 4, g->version);
	sq_bind_text(s, 5, g->query);
	sq_bind_text(s, 6, g->query_version);
	sq_bind_text(s, 7, g->index_name);
	rc = sq_exec_stmt(tx, s, err);
	free(attrs);
	return rc;
}

int
sq_group_delete(struct store_tx *tx, const char *name, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_group_delete);

	sq_bind_text(s, 1, name);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_group_empty);
	sq_bind_text(s, 1, name);
	return sq_exec_stmt(tx, s, err);
}

/* Runs a one-row count query S with TEXT bound to ?1. */
static int
count_one(struct store_tx *tx, sqlite3_stmt *s, const char *text,
    int64_t *n, struct err *err)
{
	sq_bind_text(s, 1, text);
	return sq_int64(tx, s, n, err);
}

int
sq_group_children(struct store_tx *tx, const char *name, int64_t *n,
    struct err *err)
{
	return count_one(tx, sq_stmt(tx, sql_group_children), name, n, err);
}

static void
bind_page(sqlite3_stmt *s, const struct store_page *pg)
{
	sq_bind_text(s, 1, pg->after != NULL ? pg->after : "");
	sqlite3_bind_int(s, 2, pg->limit + 1);
}

int
sq_group_list(struct store_tx *tx, const struct store_page *pg,
    const char *parent, bool recursive, const char *prefix, json_t *out,
    bool *more, struct err *err)
{
	char upper[STORE_NAME_MAX + 2];
	sqlite3_stmt *s;

	if (parent == NULL)
		s = sq_stmt(tx, recursive ? sql_list_all : sql_list_roots);
	else
		s = sq_stmt(tx, recursive ? sql_list_descendants :
		    sql_list_children);
	if (prefix == NULL)
		prefix = "";
	snprintf(upper, sizeof(upper), "%s~", prefix);
	bind_page(s, pg);
	sq_bind_text(s, 3, prefix);
	sq_bind_text(s, 4, upper);
	if (parent != NULL)
		sq_bind_text(s, 5, parent);
	return sq_page(tx, s, pg->limit, NULL, NULL, out, more, err);
}

int
sq_member_add(struct store_tx *tx, const char *group, const char *thing,
    bool *added, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_member_add);

	sq_bind_text(s, 1, group);
	sq_bind_text(s, 2, thing);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*added = sqlite3_changes(sq_db(tx)) > 0;
	return 0;
}

int
sq_member_remove(struct store_tx *tx, const char *group,
    const char *thing, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_member_remove);

	sq_bind_text(s, 1, group);
	sq_bind_text(s, 2, thing);
	return sq_exec_stmt(tx, s, err);
}

int
sq_member_count(struct store_tx *tx, const char *thing, int64_t *n,
    struct err *err)
{
	return count_one(tx, sq_stmt(tx, sql_member_count), thing, n, err);
}

int
sq_member_groups(struct store_tx *tx, const char *thing,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_member_groups);

	bind_page(s, pg);
	sq_bind_text(s, 3, thing);
	return sq_page(tx, s, pg->limit, NULL, NULL, out, more, err);
}

int
sq_member_things(struct store_tx *tx, const char *group, bool recursive,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, recursive ? sql_member_things_deep :
	    sql_member_things);

	bind_page(s, pg);
	sq_bind_text(s, 3, group);
	return sq_page(tx, s, pg->limit, NULL, NULL, out, more, err);
}

int
sq_dyngroup_all(struct store_tx *tx, json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_dyngroup_all);
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:s, s:s}", "name",
		    sq_col_text(s, 0), "query", sq_col_text(s, 1)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_dyngroup_count(struct store_tx *tx, int64_t *n, struct err *err)
{
	return sq_int64(tx, sq_stmt(tx, sql_dyngroup_count), n, err);
}

int
sq_member_groups_kind(struct store_tx *tx, const char *thing,
    bool dynamic, json_t *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, dynamic ? sql_member_groups_dynamic :
	    sql_member_groups_static);

	sq_bind_text(s, 1, thing);
	return sq_texts(tx, s, out, err);
}
