/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite backend of commands, command executions and the command outbox
 * (store_command.h, schema 0009). Lists use one statement per sort order
 * whose filters are NULL when unused, so that the statement cache holds
 * them.
 */
#include "store_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "xmalloc.h"

#define CMD_COLS "command_id, namespace, display_name, description, def," \
    " deprecated, deprecated_at, delete_at, created_at, last_updated_at, id"

static const char sql_cmd_get[] =
    "SELECT " CMD_COLS " FROM commands WHERE command_id = ?1";
static const char sql_cmd_insert[] =
    "INSERT INTO commands (command_id, namespace, display_name, description,"
    " def, deprecated, deprecated_at, delete_at, created_at,"
    " last_updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_cmd_update[] =
    "UPDATE commands SET display_name = ?2, description = ?3,"
    " deprecated = ?4, deprecated_at = ?5, delete_at = ?6,"
    " last_updated_at = ?7 WHERE command_id = ?1";
static const char sql_cmd_delete[] =
    "DELETE FROM commands WHERE command_id = ?1";

#define CMD_LIST_WHERE " FROM commands WHERE (?1 IS NULL OR namespace = ?1)" \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM" \
    " json_each(json_extract(def, '$.mandatoryParameters'))" \
    " WHERE json_extract(value, '$.name') = ?2))"
static const char sql_cmd_list_asc[] = "SELECT " CMD_COLS CMD_LIST_WHERE
    " AND id > ?3 ORDER BY id LIMIT ?4";
static const char sql_cmd_list_desc[] = "SELECT " CMD_COLS CMD_LIST_WHERE
    " AND (?3 = 0 OR id < ?3) ORDER BY id DESC LIMIT ?4";

#define EXEC_COLS "execution_id, command_id, namespace, target_arn, status," \
    " status_reason, result, parameters, timeout_sec, client_token," \
    " request, created_at, last_updated_at, started_at, completed_at," \
    " timeout_at, id"

static const char sql_exec_get[] =
    "SELECT " EXEC_COLS " FROM command_executions WHERE execution_id = ?1";
static const char sql_exec_by_token[] =
    "SELECT " EXEC_COLS " FROM command_executions WHERE client_token = ?1";
static const char sql_exec_insert[] =
    "INSERT INTO command_executions (execution_id, command_id, namespace,"
    " target_arn, status, status_reason, result, parameters, timeout_sec,"
    " client_token, request, created_at, last_updated_at, started_at,"
    " completed_at, timeout_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char sql_exec_update[] =
    "UPDATE command_executions SET status = ?2, status_reason = ?3,"
    " result = ?4, last_updated_at = ?5, started_at = ?6,"
    " completed_at = ?7 WHERE execution_id = ?1";
static const char sql_exec_delete[] =
    "DELETE FROM command_executions WHERE execution_id = ?1";

#define EXEC_LIST_WHERE " FROM command_executions WHERE" \
    " (?1 IS NULL OR namespace = ?1) AND (?2 IS NULL OR status = ?2)" \
    " AND (?3 IS NULL OR target_arn = ?3)" \
    " AND (?4 IS NULL OR command_id = ?4)" \
    " AND (?5 = 0 OR (CASE ?6 WHEN 1 THEN completed_at ELSE started_at END)" \
    " >= ?5) AND (?7 = 0 OR (CASE ?6 WHEN 1 THEN completed_at" \
    " ELSE started_at END) <= ?7)"
static const char sql_exec_list_asc[] = "SELECT " EXEC_COLS EXEC_LIST_WHERE
    " AND id > ?8 ORDER BY id LIMIT ?9";
static const char sql_exec_list_desc[] = "SELECT " EXEC_COLS EXEC_LIST_WHERE
    " AND (?8 = 0 OR id < ?8) ORDER BY id DESC LIMIT ?9";

/*
 * ?1, ?2: the open statuses (cmd_open, bound by bind_open). The index
 * command_executions_timeout is (status, timeout_at) (0023): one min
 * lookup per status, one range per status for the due rows.
 */
_Static_assert(CMD_OPEN_COUNT == 2, "the timer statements bind two");
static const char sql_next_timeout[] =
    "SELECT min(t) FROM (SELECT (SELECT min(timeout_at)"
    " FROM command_executions WHERE status = ?1) AS t"
    " UNION ALL SELECT (SELECT min(timeout_at) FROM command_executions"
    " WHERE status = ?2))";
static const char sql_next_delete[] =
    "SELECT min(delete_at) FROM commands WHERE delete_at IS NOT NULL";
static const char sql_exec_due[] =
    "SELECT " EXEC_COLS " FROM command_executions"
    " WHERE status IN (?3, ?4) AND timeout_at <= ?1"
    " ORDER BY timeout_at LIMIT ?2";
static const char sql_cmd_delete_due[] =
    "DELETE FROM commands WHERE delete_at IS NOT NULL AND delete_at <= ?1";
/* A deleted command's tags go with it (the tags table, 0018). */
static const char sql_cmd_tags_due[] =
    "DELETE FROM tags WHERE resource IN (SELECT 'command/' || command_id"
    " FROM commands WHERE delete_at IS NOT NULL AND delete_at <= ?1)";

static const char sql_outbox_add[] =
    "INSERT INTO command_outbox (kind, topic, payload, content_type,"
    " expire_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_outbox_walk[] =
    "SELECT id, kind, topic, payload, content_type, expire_at"
    " FROM command_outbox ORDER BY id LIMIT ?1";
static const char sql_outbox_done[] =
    "DELETE FROM command_outbox WHERE id <= ?1";

/* --- helpers ----------------------------------------------------------- */

static char *
col_dup(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(sq_col_text(s, i));
}

static json_t *
col_json(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return json_loads(sq_col_text(s, i), JSON_DECODE_ANY, NULL);
}

/* Binds JSON V as compact text, or NULL. */
static void
bind_json(sqlite3_stmt *s, int i, const json_t *v)
{
	char *text;

	if (v == NULL) {
		sqlite3_bind_null(s, i);
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	sqlite3_bind_text(s, i, text != NULL ? text : "null", -1,
	    SQLITE_TRANSIENT);
	free(text);
}

static void
bind_opt64(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

/* Runs S to its end expecting at most one row; FN(S, ARG) on the row. */
static int
one_row(struct store_tx *tx, sqlite3_stmt *s,
    void (*fn)(sqlite3_stmt *, void *), void *arg, struct err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW && arg != NULL)
		fn(s, arg);
	return sq_found(tx, s, rc, err);
}

/* --- commands ---------------------------------------------------------- */

static void
command_row(sqlite3_stmt *s, void *arg)
{
	struct store_command *c = arg;

	memset(c, 0, sizeof(*c));
	snprintf(c->command_id, sizeof(c->command_id), "%s",
	    sq_col_text(s, 0));
	c->namespace = xstrdup(sq_col_text(s, 1));
	c->display_name = col_dup(s, 2);
	c->description = col_dup(s, 3);
	c->def = col_json(s, 4);
	if (!json_is_object(c->def)) {
		json_decref(c->def);
		c->def = json_object();
	}
	c->deprecated = sqlite3_column_int(s, 5) != 0;
	c->deprecated_at = sqlite3_column_int64(s, 6);
	c->delete_at = sqlite3_column_int64(s, 7);
	c->created_at = sqlite3_column_int64(s, 8);
	c->last_updated_at = sqlite3_column_int64(s, 9);
}

int
sq_command_get(struct store_tx *tx, const char *id,
    struct store_command *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cmd_get);

	sq_bind_text(s, 1, id);
	return one_row(tx, s, command_row, out, err);
}

int
sq_command_insert(struct store_tx *tx, const struct store_command *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cmd_insert);

	sq_bind_text(s, 1, c->command_id);
	sq_bind_text(s, 2, c->namespace);
	sq_bind_text(s, 3, c->display_name);
	sq_bind_text(s, 4, c->description);
	bind_json(s, 5, c->def);
	sqlite3_bind_int(s, 6, c->deprecated);
	bind_opt64(s, 7, c->deprecated_at);
	bind_opt64(s, 8, c->delete_at);
	sqlite3_bind_int64(s, 9, c->created_at);
	sqlite3_bind_int64(s, 10, c->last_updated_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_command_update(struct store_tx *tx, const struct store_command *c,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cmd_update);

	sq_bind_text(s, 1, c->command_id);
	sq_bind_text(s, 2, c->display_name);
	sq_bind_text(s, 3, c->description);
	sqlite3_bind_int(s, 4, c->deprecated);
	bind_opt64(s, 5, c->deprecated_at);
	bind_opt64(s, 6, c->delete_at);
	sqlite3_bind_int64(s, 7, c->last_updated_at);
	return sq_exec_stmt(tx, s, err);
}

static int
delete_by(struct store_tx *tx, const char *sql, const char *id,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql);

	sq_bind_text(s, 1, id);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	return sqlite3_changes(sq_db(tx)) > 0 ? 1 : 0;
}

int
sq_command_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return delete_by(tx, sql_cmd_delete, id, err);
}

/*
 * Steps S (LIMIT + 1 rows asked) filling rows of SIZE bytes in OUT with
 * FN; the row id is column IDCOL. RELEASE frees a row on failure.
 */
static int
page(struct store_tx *tx, sqlite3_stmt *s, int limit, int idcol,
    void (*fn)(sqlite3_stmt *, void *), void *out, size_t size,
    void (*release)(void *), int *n, int64_t *next, struct err *err)
{
	int64_t last = 0;
	int rc;

	*n = 0;
	*next = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == limit) {
			*next = last;
			break;
		}
		fn(s, (char *)out + (size_t)*n * size);
		last = sqlite3_column_int64(s, idcol);
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		while (*n > 0)
			release((char *)out + (size_t)--(*n) * size);
		return sq_fail(tx, rc, err);
	}
	return 0;
}

static void
command_release_v(void *p)
{
	store_command_release(p);
}

int
sq_command_list(struct store_tx *tx, const struct store_command_query *q,
    struct store_command *out, int *n, int64_t *next, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, q->ascending ? sql_cmd_list_asc :
	    sql_cmd_list_desc);

	sq_bind_text(s, 1, q->namespace);
	sq_bind_text(s, 2, q->parameter);
	sqlite3_bind_int64(s, 3, q->after);
	sqlite3_bind_int(s, 4, q->limit + 1);
	return page(tx, s, q->limit, 10, command_row, out, sizeof(*out),
	    command_release_v, n, next, err);
}

/* --- executions -------------------------------------------------------- */

static void
exec_row(sqlite3_stmt *s, void *arg)
{
	struct store_cmd_exec *e = arg;

	memset(e, 0, sizeof(*e));
	snprintf(e->execution_id, sizeof(e->execution_id), "%s",
	    sq_col_text(s, 0));
	snprintf(e->command_id, sizeof(e->command_id), "%s",
	    sq_col_text(s, 1));
	snprintf(e->namespace, sizeof(e->namespace), "%s", sq_col_text(s, 2));
	snprintf(e->target_arn, sizeof(e->target_arn), "%s",
	    sq_col_text(s, 3));
	/* FAILED (terminal, inert) for a name iotjobs never writes. */
	if (cmd_status_parse(sq_col_text(s, 4), &e->status) == -1)
		e->status = CMD_FAILED;
	e->status_reason = col_json(s, 5);
	e->result = col_json(s, 6);
	e->parameters = col_json(s, 7);
	e->timeout_sec = sqlite3_column_int64(s, 8);
	e->client_token = col_dup(s, 9);
	e->request = xstrdup(sq_col_text(s, 10));
	e->created_at = sqlite3_column_int64(s, 11);
	e->last_updated_at = sqlite3_column_int64(s, 12);
	e->started_at = sqlite3_column_int64(s, 13);
	e->completed_at = sqlite3_column_int64(s, 14);
	e->timeout_at = sqlite3_column_int64(s, 15);
}

static void
exec_release_v(void *p)
{
	store_cmd_exec_release(p);
}

int
sq_cmd_exec_get(struct store_tx *tx, const char *id,
    struct store_cmd_exec *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_exec_get);

	sq_bind_text(s, 1, id);
	return one_row(tx, s, exec_row, out, err);
}

int
sq_cmd_exec_by_token(struct store_tx *tx, const char *token,
    struct store_cmd_exec *out, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_exec_by_token);

	sq_bind_text(s, 1, token);
	return one_row(tx, s, exec_row, out, err);
}

int
sq_cmd_exec_insert(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_exec_insert);

	sq_bind_text(s, 1, e->execution_id);
	sq_bind_text(s, 2, e->command_id);
	sq_bind_text(s, 3, e->namespace);
	sq_bind_text(s, 4, e->target_arn);
	sq_bind_text(s, 5, cmd_status_name(e->status));
	bind_json(s, 6, e->status_reason);
	bind_json(s, 7, e->result);
	bind_json(s, 8, e->parameters);
	sqlite3_bind_int64(s, 9, e->timeout_sec);
	sq_bind_text(s, 10, e->client_token);
	sq_bind_text(s, 11, e->request);
	sqlite3_bind_int64(s, 12, e->created_at);
	sqlite3_bind_int64(s, 13, e->last_updated_at);
	bind_opt64(s, 14, e->started_at);
	bind_opt64(s, 15, e->completed_at);
	sqlite3_bind_int64(s, 16, e->timeout_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cmd_exec_update(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_exec_update);

	sq_bind_text(s, 1, e->execution_id);
	sq_bind_text(s, 2, cmd_status_name(e->status));
	bind_json(s, 3, e->status_reason);
	bind_json(s, 4, e->result);
	sqlite3_bind_int64(s, 5, e->last_updated_at);
	bind_opt64(s, 6, e->started_at);
	bind_opt64(s, 7, e->completed_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cmd_exec_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return delete_by(tx, sql_exec_delete, id, err);
}

int
sq_cmd_exec_list(struct store_tx *tx, const struct store_cmd_exec_query *q,
    struct store_cmd_exec *out, int *n, int64_t *next, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, q->ascending ? sql_exec_list_asc :
	    sql_exec_list_desc);

	sq_bind_text(s, 1, q->namespace);
	sq_bind_text(s, 2, q->status != NULL ? cmd_status_name(*q->status) :
	    NULL);
	sq_bind_text(s, 3, q->target_arn);
	sq_bind_text(s, 4, q->command_id);
	sqlite3_bind_int64(s, 5, q->from);
	sqlite3_bind_int(s, 6, q->on_completed);
	sqlite3_bind_int64(s, 7, q->to);
	sqlite3_bind_int64(s, 8, q->after);
	sqlite3_bind_int(s, 9, q->limit + 1);
	return page(tx, s, q->limit, 16, exec_row, out, sizeof(*out),
	    exec_release_v, n, next, err);
}

/* --- deadlines --------------------------------------------------------- */

/* Binds the names of cmd_open to parameters FIRST, FIRST + 1. */
static void
bind_open(sqlite3_stmt *s, int first)
{
	int i;

	for (i = 0; i < CMD_OPEN_COUNT; i++)
		sq_bind_text(s, first + i, cmd_status_name(cmd_open[i]));
}

/* Lowers *AT to the one value S (bound) returns, unless it is NULL or 0. */
static int
min_of(struct store_tx *tx, sqlite3_stmt *s, int64_t *at, struct err *err)
{
	int rc = sqlite3_step(s);
	int64_t v;

	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return sq_fail(tx, rc, err);
	}
	v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (v != 0 && (*at == 0 || v < *at))
		*at = v;
	return 0;
}

int
sq_command_next_deadline(struct store_tx *tx, int64_t *at,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_next_timeout);

	*at = 0;
	bind_open(s, 1);
	if (min_of(tx, s, at, err) == -1)
		return -1;
	return min_of(tx, sq_stmt(tx, sql_next_delete), at, err);
}

int
sq_cmd_exec_due(struct store_tx *tx, int64_t now, int limit,
    struct store_cmd_exec *out, int *n, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_exec_due);
	int64_t next;

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit + 1);
	bind_open(s, 3);
	return page(tx, s, limit, 16, exec_row, out, sizeof(*out),
	    exec_release_v, n, &next, err);
}

int
sq_command_delete_due(struct store_tx *tx, int64_t now, int *n,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_cmd_tags_due);

	sqlite3_bind_int64(s, 1, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_cmd_delete_due);
	sqlite3_bind_int64(s, 1, now);
	if (sq_exec_stmt(tx, s, err) == -1)
		return -1;
	*n = sqlite3_changes(sq_db(tx));
	return 0;
}

/* --- outbox ------------------------------------------------------------ */

int
sq_cmd_outbox_add(struct store_tx *tx, const struct store_cmd_msg *m,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_outbox_add);

	sq_bind_text(s, 1, m->kind);
	sq_bind_text(s, 2, m->topic);
	sqlite3_bind_blob(s, 3, m->len > 0 ? m->payload : "", (int)m->len,
	    SQLITE_TRANSIENT);
	sq_bind_text(s, 4, m->content_type);
	bind_opt64(s, 5, m->expire_at);
	return sq_exec_stmt(tx, s, err);
}

int
sq_cmd_outbox_walk(struct store_tx *tx, int limit, store_cmd_msg_fn *fn,
    void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_outbox_walk);
	struct store_cmd_msg m;
	int rc;

	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&m, 0, sizeof(m));
		m.id = sqlite3_column_int64(s, 0);
		m.kind = sq_col_text(s, 1);
		m.topic = sq_col_text(s, 2);
		m.payload = sqlite3_column_blob(s, 3);
		m.len = (size_t)sqlite3_column_bytes(s, 3);
		m.content_type = sqlite3_column_type(s, 4) == SQLITE_NULL ?
		    NULL : sq_col_text(s, 4);
		m.expire_at = sqlite3_column_int64(s, 5);
		if (fn(&m, arg, err) == -1) {
			sqlite3_reset(s);
			return -1;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_cmd_outbox_done(struct store_tx *tx, int64_t last, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_outbox_done);

	sqlite3_bind_int64(s, 1, last);
	return sq_exec_stmt(tx, s, err);
}

/*
 * The device path's statements (sqlite_plan.h): a command execution's
 * lookups and writes, the timer's deadline and due rows, the outbox. The
 * outbox is read from its start (SCAN in rowid order, stopped at the
 * limit; delivered rows are deleted).
 */
const struct sq_plan_stmt sq_plan_command[] = {
	SQ_PLAN(sql_exec_get, ""),
	SQ_PLAN(sql_exec_by_token, ""),
	SQ_PLAN(sql_exec_insert, ""),
	SQ_PLAN(sql_exec_update, ""),
	SQ_PLAN(sql_next_timeout, ""),
	SQ_PLAN(sql_next_delete, ""),
	SQ_PLAN(sql_exec_due, ""),
	SQ_PLAN(sql_cmd_delete_due, ""),
	SQ_PLAN(sql_outbox_add, ""),
	SQ_PLAN(sql_outbox_walk, "command_outbox"),
	SQ_PLAN(sql_outbox_done, ""),
	{ NULL, NULL, NULL },
};
