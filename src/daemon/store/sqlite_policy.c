/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of store_policy.h (schema 0012, index 0014): policies,
 * their versions (primary key by policy), their attachments (primary key
 * by policy, policy_targets_target by target) and the creation-order
 * listing (policies_created).
 */
#include "store_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "xmalloc.h"

/* Deeper than any hierarchy AWS allows (7): a guard, not a limit. */
#define GROUP_WALK_MAX	"32"

static const char sql_get[] =
    "SELECT default_version, next_version, generation_id, created_at,"
    " modified_at FROM policies WHERE name = ?1";

static const char sql_insert[] =
    "INSERT INTO policies (name, default_version, next_version,"
    " generation_id, created_at, modified_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char sql_update[] =
    "UPDATE policies SET default_version = ?2, next_version = ?3,"
    " generation_id = ?4, modified_at = ?5 WHERE name = ?1";

static const char sql_delete[] =
    "DELETE FROM policies WHERE name = ?1";

static const char sql_delete_versions[] =
    "DELETE FROM policy_versions WHERE policy_name = ?1";

/* ?1 ?2 the position to resume after, ?3 the limit. */
static const char sql_list_asc[] =
    "SELECT name, created_at FROM policies"
    " WHERE (created_at, name) > (?1, ?2)"
    " ORDER BY created_at, name LIMIT ?3";

static const char sql_list_desc[] =
    "SELECT name, created_at FROM policies"
    " WHERE (created_at, name) < (?1, ?2)"
    " ORDER BY created_at DESC, name DESC LIMIT ?3";

static const char sql_version_get[] =
    "SELECT document, created_at FROM policy_versions"
    " WHERE policy_name = ?1 AND version_id = ?2";

static const char sql_version_insert[] =
    "INSERT INTO policy_versions (policy_name, version_id, document,"
    " created_at) VALUES (?1, ?2, ?3, ?4)";

static const char sql_version_delete[] =
    "DELETE FROM policy_versions WHERE policy_name = ?1"
    " AND version_id = ?2";

static const char sql_version_count[] =
    "SELECT count(*) FROM policy_versions WHERE policy_name = ?1";

static const char sql_versions[] =
    "SELECT version_id, created_at FROM policy_versions"
    " WHERE policy_name = ?1 ORDER BY version_id DESC";

static const char sql_attach[] =
    "INSERT OR IGNORE INTO policy_targets (policy_name, target, created_at)"
    " VALUES (?1, ?2, ?3)";

static const char sql_detach[] =
    "DELETE FROM policy_targets WHERE policy_name = ?1 AND target = ?2";

static const char sql_target_drop[] =
    "DELETE FROM policy_targets WHERE target = ?1";

static const char sql_target_count[] =
    "SELECT count(*) FROM policy_targets WHERE target = ?1";

static const char sql_attached_count[] =
    "SELECT count(*) FROM policy_targets WHERE policy_name = ?1";

/* Name-order listings: ?1 the key to resume after, ?2 the limit. */
static const char sql_attached[] =
    "SELECT policy_name FROM policy_targets WHERE target = ?3"
    " AND policy_name > ?1 ORDER BY policy_name LIMIT ?2";

/* ?3 the group, ?4 the ARN prefix of thing groups. */
static const char sql_attached_deep[] =
    "WITH RECURSIVE up(name, depth) AS ("
    " SELECT ?3, 0"
    " UNION ALL"
    " SELECT g.parent_name, up.depth + 1 FROM thing_groups g"
    " JOIN up ON g.name = up.name"
    " WHERE g.parent_name IS NOT NULL AND up.depth < " GROUP_WALK_MAX ")"
    " SELECT DISTINCT t.policy_name FROM up"
    " JOIN policy_targets t ON t.target = ?4 || up.name"
    " WHERE t.policy_name > ?1 ORDER BY t.policy_name LIMIT ?2";

static const char sql_targets[] =
    "SELECT target FROM policy_targets WHERE policy_name = ?3"
    " AND target > ?1 ORDER BY target LIMIT ?2";

/* Creation-order listings: ?1 ?2 the position, ?3 the limit, ?4 key. */
static const char sql_attached_time_asc[] =
    "SELECT policy_name, created_at FROM policy_targets WHERE target = ?4"
    " AND (created_at, policy_name) > (?1, ?2)"
    " ORDER BY created_at, policy_name LIMIT ?3";

static const char sql_attached_time_desc[] =
    "SELECT policy_name, created_at FROM policy_targets WHERE target = ?4"
    " AND (created_at, policy_name) < (?1, ?2)"
    " ORDER BY created_at DESC, policy_name DESC LIMIT ?3";

static const char sql_targets_time_asc[] =
    "SELECT target, created_at FROM policy_targets WHERE policy_name = ?4"
    " AND (created_at, target) > (?1, ?2)"
    " ORDER BY created_at, target LIMIT ?3";

static const char sql_targets_time_desc[] =
    "SELECT target, created_at FROM policy_targets WHERE policy_name = ?4"
    " AND (created_at, target) < (?1, ?2)"
    " ORDER BY created_at DESC, target DESC LIMIT ?3";

int
sq_policy_get(struct store_tx *tx, const char *name,
    struct store_policy *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_get);
	int rc;

	sq_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && out != NULL) {
		memset(out, 0, sizeof(*out));
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->default_version = sqlite3_column_int64(s, 0);
		out->next_version = sqlite3_column_int64(s, 1);
		snprintf(out->generation_id, sizeof(out->generation_id), "%s",
		    sq_col_text(s, 2));
		out->created_at = sqlite3_column_int64(s, 3);
		out->modified_at = sqlite3_column_int64(s, 4);
	}
	return sq_found(tx, s, rc, err);
}

int
sq_policy_insert(struct store_tx *tx, const struct store_policy *p,
    const char *document, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_insert);
	struct store_policy_version v;

	sq_bind_text(s, 1, p->name);
	sqlite3_bind_int64(s, 2, p->default_version);
	sqlite3_bind_int64(s, 3, p->next_version);
	sq_bind_text(s, 4, p->generation_id);
	sqlite3_bind_int64(s, 5, p->created_at);
	sqlite3_bind_int64(s, 6, p->modified_at);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	v.version_id = p->default_version;
	v.document = (char *)document;
	v.created_at = p->created_at;
	return sq_policy_version_insert(tx, p->name, &v, err);
}

int
sq_policy_update(struct store_tx *tx, const struct store_policy *p,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_update);

	sq_bind_text(s, 1, p->name);
	sqlite3_bind_int64(s, 2, p->default_version);
	sqlite3_bind_int64(s, 3, p->next_version);
	sq_bind_text(s, 4, p->generation_id);
	sqlite3_bind_int64(s, 5, p->modified_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_policy_delete(struct store_tx *tx, const char *name, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_delete_versions);

	sq_bind_text(s, 1, name);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_delete);
	sq_bind_text(s, 1, name);
	return sq_exec_stmt(tx, s, err);
}

/* The {KEY (ARG): column 0, "createdAt": column 1} item. */
static json_t *
timed_row(sqlite3_stmt *s, const void *arg)
{
	return json_pack("{s:s, s:I}", (const char *)arg, sq_col_text(s, 0),
	    "createdAt", (json_int_t)sqlite3_column_int64(s, 1));
}

/* Binds the position and limit of PG to ?1 ?2 ?3. */
static void
bind_cpage(sqlite3_stmt *s, const struct store_cpage *pg)
{
	if (pg->after != NULL) {
		sqlite3_bind_int64(s, 1, pg->after_time);
		sq_bind_text(s, 2, pg->after);
	} else {
		/* Before (after) every row: no timestamp reaches the bound. */
		sqlite3_bind_int64(s, 1, pg->descending ? INT64_MAX :
		    INT64_MIN);
		sq_bind_text(s, 2, "");
	}
	sqlite3_bind_int(s, 3, pg->limit + 1);
}

int
sq_policy_list(struct store_tx *tx, const struct store_cpage *pg,
    json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, pg->descending ? sql_list_desc :
	    sql_list_asc);

	bind_cpage(s, pg);
	return sq_page(tx, s, pg->limit, timed_row, "policyName", out, more,
	    err);
}

int
sq_policy_version_get(struct store_tx *tx, const char *name, int64_t id,
    struct store_policy_version *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_version_get);
	int rc;

	memset(out, 0, sizeof(*out));
	sq_bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->version_id = id;
		out->document = xstrdup(sq_col_text(s, 0));
		out->created_at = sqlite3_column_int64(s, 1);
	}
	return sq_found(tx, s, rc, err);
}

int
sq_policy_version_insert(struct store_tx *tx, const char *name,
    const struct store_policy_version *v, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_version_insert);

	sq_bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, v->version_id);
	sq_bind_text(s, 3, v->document);
	sqlite3_bind_int64(s, 4, v->created_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_policy_version_delete(struct store_tx *tx, const char *name,
    int64_t id, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_version_delete);

	sq_bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, id);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return sqlite3_changes(sq_db(tx)) > 0 ? 1 : 0;
}

/* Runs the count(*) query SQL with KEY as ?1 into *N. */
static int
count_of(struct store_tx *tx, const char *sql, const char *key, int64_t *n,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql);

	sq_bind_text(s, 1, key);
	return sq_int64(tx, s, n, err);
}

int
sq_policy_version_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_version_count, name, n, err);
}

int
sq_policy_versions(struct store_tx *tx, const char *name, json_t *out,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_versions);
	int rc;

	sq_bind_text(s, 1, name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:I, s:I}",
		    "versionId", (json_int_t)sqlite3_column_int64(s, 0),
		    "createdAt", (json_int_t)sqlite3_column_int64(s, 1)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_policy_attach(struct store_tx *tx, const char *name,
    const char *target, int64_t now, bool *added, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_attach);

	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, target);
	sqlite3_bind_int64(s, 3, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*added = sqlite3_changes(sq_db(tx)) > 0;
	return 0;
}

int
sq_policy_detach(struct store_tx *tx, const char *name,
    const char *target, bool *removed, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_detach);

	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, target);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*removed = sqlite3_changes(sq_db(tx)) > 0;
	return 0;
}

int
sq_policy_target_drop(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_target_drop);

	sq_bind_text(s, 1, target);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*n = sqlite3_changes(sq_db(tx));
	return 0;
}

int
sq_policy_target_count(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_target_count, target, n, err);
}

int
sq_policy_attached_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_attached_count, name, n, err);
}

/* Binds ?1 the key to resume after and ?2 = limit + 1, steps S's page. */
static int
collect_keys(struct store_tx *tx, sqlite3_stmt *s,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	sq_bind_text(s, 1, pg->after != NULL ? pg->after : "");
	sqlite3_bind_int(s, 2, pg->limit + 1);
	return sq_page(tx, s, pg->limit, NULL, NULL, out, more, err);
}

int
sq_policy_attached(struct store_tx *tx, const char *target,
    const char *group_prefix, const char *group, const struct store_page *pg,
    json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s;

	if (group_prefix == NULL) {
		s = sq_stmt(tx, sql_attached);
		sq_bind_text(s, 3, target);
	} else {
		s = sq_stmt(tx, sql_attached_deep);
		sq_bind_text(s, 3, group);
		sq_bind_text(s, 4, group_prefix);
	}
	return collect_keys(tx, s, pg, out, more, err);
}

int
sq_policy_targets(struct store_tx *tx, const char *name,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_targets);

	sq_bind_text(s, 3, name);
	return collect_keys(tx, s, pg, out, more, err);
}

int
sq_policy_attached_by_time(struct store_tx *tx, const char *target,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, pg->descending ?
	    sql_attached_time_desc : sql_attached_time_asc);

	bind_cpage(s, pg);
	sq_bind_text(s, 4, target);
	return sq_page(tx, s, pg->limit, timed_row, "name", out, more, err);
}

int
sq_policy_targets_by_time(struct store_tx *tx, const char *name,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, pg->descending ?
	    sql_targets_time_desc : sql_targets_time_asc);

	bind_cpage(s, pg);
	sq_bind_text(s, 4, name);
	return sq_page(tx, s, pg->limit, timed_row, "name", out, more, err);
}
