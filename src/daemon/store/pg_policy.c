/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of store_policy.h: policies, their versions (primary
 * key by policy), their attachments (primary key by policy,
 * policy_targets_target by target) and the creation-order listing
 * (policies_created).
 */
#include "store_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

/* Deeper than any hierarchy AWS allows (7): a guard, not a limit. */
#define GROUP_WALK_MAX	"32"

static const char sql_get[] =
    "SELECT default_version, next_version, generation_id, created_at,"
    " modified_at FROM policies WHERE name = $1";

static const char sql_insert[] =
    "INSERT INTO policies (name, default_version, next_version,"
    " generation_id, created_at, modified_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

static const char sql_update[] =
    "UPDATE policies SET default_version = $2, next_version = $3,"
    " generation_id = $4, modified_at = $5 WHERE name = $1";

static const char sql_delete[] =
    "DELETE FROM policies WHERE name = $1";

static const char sql_delete_versions[] =
    "DELETE FROM policy_versions WHERE policy_name = $1";

/* $1 $2 the position to resume after, $3 the limit. */
static const char sql_list_asc[] =
    "SELECT name, created_at FROM policies"
    " WHERE (created_at, name) > ($1, $2)"
    " ORDER BY created_at, name LIMIT $3";

static const char sql_list_desc[] =
    "SELECT name, created_at FROM policies"
    " WHERE (created_at, name) < ($1, $2)"
    " ORDER BY created_at DESC, name DESC LIMIT $3";

static const char sql_version_get[] =
    "SELECT document, created_at FROM policy_versions"
    " WHERE policy_name = $1 AND version_id = $2";

static const char sql_version_insert[] =
    "INSERT INTO policy_versions (policy_name, version_id, document,"
    " created_at) VALUES ($1, $2, $3, $4)";

static const char sql_version_delete[] =
    "DELETE FROM policy_versions WHERE policy_name = $1"
    " AND version_id = $2";

static const char sql_version_count[] =
    "SELECT count(*) FROM policy_versions WHERE policy_name = $1";

static const char sql_versions[] =
    "SELECT version_id, created_at FROM policy_versions"
    " WHERE policy_name = $1 ORDER BY version_id DESC";

static const char sql_attach[] =
    "INSERT INTO policy_targets (policy_name, target, created_at)"
    " VALUES ($1, $2, $3) ON CONFLICT (policy_name, target) DO NOTHING";

static const char sql_detach[] =
    "DELETE FROM policy_targets WHERE policy_name = $1 AND target = $2";

static const char sql_target_drop[] =
    "DELETE FROM policy_targets WHERE target = $1";

static const char sql_target_count[] =
    "SELECT count(*) FROM policy_targets WHERE target = $1";

static const char sql_attached_count[] =
    "SELECT count(*) FROM policy_targets WHERE policy_name = $1";

/* Name-order listings: $1 the key to resume after, $2 the limit. */
static const char sql_attached[] =
    "SELECT policy_name FROM policy_targets WHERE target = $3"
    " AND policy_name > $1 ORDER BY policy_name LIMIT $2";

/*
 * $3 the group, $4 the ARN prefix of thing groups. The walk's names are
 * of thing_groups' collation from its first row on, as a recursive
 * query's columns must be.
 */
static const char sql_attached_deep[] =
    "WITH RECURSIVE up(name, depth) AS ("
    " SELECT $3::text COLLATE \"C\", 0"
    " UNION ALL"
    " SELECT g.parent_name, up.depth + 1 FROM thing_groups g"
    " JOIN up ON g.name = up.name"
    " WHERE g.parent_name IS NOT NULL AND up.depth < " GROUP_WALK_MAX ")"
    " SELECT DISTINCT t.policy_name FROM up"
    " JOIN policy_targets t ON t.target = $4::text || up.name"
    " WHERE t.policy_name > $1 ORDER BY t.policy_name LIMIT $2";

static const char sql_targets[] =
    "SELECT target FROM policy_targets WHERE policy_name = $3"
    " AND target > $1 ORDER BY target LIMIT $2";

/* Creation-order listings: $1 $2 the position, $3 the limit, $4 key. */
static const char sql_attached_time_asc[] =
    "SELECT policy_name, created_at FROM policy_targets WHERE target = $4"
    " AND (created_at, policy_name) > ($1, $2)"
    " ORDER BY created_at, policy_name LIMIT $3";

static const char sql_attached_time_desc[] =
    "SELECT policy_name, created_at FROM policy_targets WHERE target = $4"
    " AND (created_at, policy_name) < ($1, $2)"
    " ORDER BY created_at DESC, policy_name DESC LIMIT $3";

static const char sql_targets_time_asc[] =
    "SELECT target, created_at FROM policy_targets WHERE policy_name = $4"
    " AND (created_at, target) > ($1, $2)"
    " ORDER BY created_at, target LIMIT $3";

static const char sql_targets_time_desc[] =
    "SELECT target, created_at FROM policy_targets WHERE policy_name = $4"
    " AND (created_at, target) < ($1, $2)"
    " ORDER BY created_at DESC, target DESC LIMIT $3";

int
pg_policy_get(struct store_tx *tx, const char *name,
    struct store_policy *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	pg_arg_text(&a, name);
	rc = pg_row(tx, sql_get, &a, &r, err);
	if (rc == 1 && out != NULL) {
		memset(out, 0, sizeof(*out));
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->default_version = pg_col_int(r, 0, 0);
		out->next_version = pg_col_int(r, 0, 1);
		snprintf(out->generation_id, sizeof(out->generation_id), "%s",
		    pg_col(r, 0, 2));
		out->created_at = pg_col_int(r, 0, 3);
		out->modified_at = pg_col_int(r, 0, 4);
	}
	PQclear(r);
	return rc;
}

int
pg_policy_insert(struct store_tx *tx, const struct store_policy *p,
    const char *document, struct err *err)
{
	struct pg_args a = { 0 };
	struct store_policy_version v;

	pg_arg_text(&a, p->name);
	pg_arg_int(&a, p->default_version);
	pg_arg_int(&a, p->next_version);
	pg_arg_text(&a, p->generation_id);
	pg_arg_int(&a, p->created_at);
	pg_arg_int(&a, p->modified_at);
	if (pg_exec(tx, sql_insert, &a, err) == -1)
		return -1;
	v.version_id = p->default_version;
	v.document = (char *)document;
	v.created_at = p->created_at;
	return pg_policy_version_insert(tx, p->name, &v, err);
}

int
pg_policy_update(struct store_tx *tx, const struct store_policy *p,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, p->name);
	pg_arg_int(&a, p->default_version);
	pg_arg_int(&a, p->next_version);
	pg_arg_text(&a, p->generation_id);
	pg_arg_int(&a, p->modified_at);
	return pg_exec(tx, sql_update, &a, err);
}

int
pg_policy_delete(struct store_tx *tx, const char *name, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	if (pg_exec(tx, sql_delete_versions, &a, err) == -1)
		return -1;
	return pg_exec(tx, sql_delete, &a, err);
}

/* The {KEY (ARG): column 0, "createdAt": column 1} item of row ROW. */
static json_t *
timed_row(PGresult *r, int row, const void *arg)
{
	return json_pack("{s:s, s:I}", (const char *)arg, pg_col(r, row, 0),
	    "createdAt", (json_int_t)pg_col_int(r, row, 1));
}

/* The position and limit of PG as $1 $2 $3 of A. */
static void
cpage_args(struct pg_args *a, const struct store_cpage *pg)
{
	if (pg->after != NULL) {
		pg_arg_int(a, pg->after_time);
		pg_arg_text(a, pg->after);
	} else {
		/* Before (after) every row: no timestamp reaches the bound. */
		pg_arg_int(a, pg->descending ? INT64_MAX : INT64_MIN);
		pg_arg_text(a, "");
	}
	pg_arg_int(a, pg->limit + 1);
}

int
pg_policy_list(struct store_tx *tx, const struct store_cpage *pg,
    json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	cpage_args(&a, pg);
	return pg_page(tx, pg->descending ? sql_list_desc : sql_list_asc, &a,
	    pg->limit, timed_row, "policyName", out, more, err);
}

int
pg_policy_version_get(struct store_tx *tx, const char *name, int64_t id,
    struct store_policy_version *out, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	pg_arg_text(&a, name);
	pg_arg_int(&a, id);
	rc = pg_row(tx, sql_version_get, &a, &r, err);
	if (rc == 1) {
		out->version_id = id;
		out->document = xstrdup(pg_col(r, 0, 0));
		out->created_at = pg_col_int(r, 0, 1);
	}
	PQclear(r);
	return rc;
}

int
pg_policy_version_insert(struct store_tx *tx, const char *name,
    const struct store_policy_version *v, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	pg_arg_int(&a, v->version_id);
	pg_arg_text(&a, v->document);
	pg_arg_int(&a, v->created_at);
	return pg_exec(tx, sql_version_insert, &a, err);
}

int
pg_policy_version_delete(struct store_tx *tx, const char *name,
    int64_t id, struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pg_arg_text(&a, name);
	pg_arg_int(&a, id);
	if (pg_exec_n(tx, sql_version_delete, &a, &n, err) == -1)
		return -1;
	return n > 0 ? 1 : 0;
}

/* Runs the count(*) query SQL with KEY as $1 into *N. */
static int
count_of(struct store_tx *tx, const char *sql, const char *key, int64_t *n,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, key);
	return pg_count(tx, sql, &a, n, err);
}

/* Runs the statement SQL with A; *CHANGED: whether it changed a row. */
static int
exec_changed(struct store_tx *tx, const char *sql, const struct pg_args *a,
    bool *changed, struct err *err)
{
	int64_t n;

	if (pg_exec_n(tx, sql, a, &n, err) == -1)
		return -1;
	*changed = n > 0;
	return 0;
}

int
pg_policy_version_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_version_count, name, n, err);
}

int
pg_policy_versions(struct store_tx *tx, const char *name, json_t *out,
    struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int i, n;

	pg_arg_text(&a, name);
	if ((r = pg_query(tx, sql_versions, &a, err)) == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:I, s:I}",
		    "versionId", (json_int_t)pg_col_int(r, i, 0),
		    "createdAt", (json_int_t)pg_col_int(r, i, 1)));
	PQclear(r);
	return 0;
}

int
pg_policy_attach(struct store_tx *tx, const char *name,
    const char *target, int64_t now, bool *added, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	pg_arg_text(&a, target);
	pg_arg_int(&a, now);
	return exec_changed(tx, sql_attach, &a, added, err);
}

int
pg_policy_detach(struct store_tx *tx, const char *name,
    const char *target, bool *removed, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, name);
	pg_arg_text(&a, target);
	return exec_changed(tx, sql_detach, &a, removed, err);
}

int
pg_policy_target_drop(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, target);
	return pg_exec_n(tx, sql_target_drop, &a, n, err);
}

int
pg_policy_target_count(struct store_tx *tx, const char *target,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_target_count, target, n, err);
}

int
pg_policy_attached_count(struct store_tx *tx, const char *name,
    int64_t *n, struct err *err)
{
	return count_of(tx, sql_attached_count, name, n, err);
}

/* The key to resume after ($1) and limit + 1 ($2) of PG, into A. */
static void
page_args(struct pg_args *a, const struct store_page *pg)
{
	pg_arg_text(a, pg->after != NULL ? pg->after : "");
	pg_arg_int(a, pg->limit + 1);
}

int
pg_policy_attached(struct store_tx *tx, const char *target,
    const char *group_prefix, const char *group, const struct store_page *pg,
    json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	page_args(&a, pg);
	if (group_prefix == NULL) {
		pg_arg_text(&a, target);
		return pg_page(tx, sql_attached, &a, pg->limit, NULL, NULL,
		    out, more, err);
	}
	pg_arg_text(&a, group);
	pg_arg_text(&a, group_prefix);
	return pg_page(tx, sql_attached_deep, &a, pg->limit, NULL, NULL, out,
	    more, err);
}

int
pg_policy_targets(struct store_tx *tx, const char *name,
    const struct store_page *pg, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	page_args(&a, pg);
	pg_arg_text(&a, name);
	return pg_page(tx, sql_targets, &a, pg->limit, NULL, NULL, out, more,
	    err);
}

int
pg_policy_attached_by_time(struct store_tx *tx, const char *target,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	cpage_args(&a, pg);
	pg_arg_text(&a, target);
	return pg_page(tx, pg->descending ? sql_attached_time_desc :
	    sql_attached_time_asc, &a, pg->limit, timed_row, "name", out, more,
	    err);
}

int
pg_policy_targets_by_time(struct store_tx *tx, const char *name,
    const struct store_cpage *pg, json_t *out, bool *more, struct err *err)
{
	struct pg_args a = { 0 };

	cpage_args(&a, pg);
	pg_arg_text(&a, name);
	return pg_page(tx, pg->descending ? sql_targets_time_desc :
	    sql_targets_time_asc, &a, pg->limit, timed_row, "name", out, more,
	    err);
}
