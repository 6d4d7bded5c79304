/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL backend of commands, command executions and the command
 * outbox (store_command.h). Lists use one statement per sort order whose
 * filters are NULL when unused, so that each is prepared once; JSON
 * members are text columns, the outbox payload is bytea.
 */
#include "store_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"
#include "xmalloc.h"

#define CMD_COLS "command_id, namespace, display_name, description, def," \
    " deprecated, deprecated_at, delete_at, created_at, last_updated_at, id"
#define CMD_ID_COL	10

static const char sql_cmd_get[] =
    "SELECT " CMD_COLS " FROM commands WHERE command_id = $1";
/* A taken id inserts nothing: the caller hears of it, the tx lives on. */
static const char sql_cmd_insert[] =
    "INSERT INTO commands (command_id, namespace, display_name, description,"
    " def, deprecated, deprecated_at, delete_at, created_at,"
    " last_updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT DO NOTHING";
static const char sql_cmd_update[] =
    "UPDATE commands SET display_name = $2, description = $3,"
    " deprecated = $4, deprecated_at = $5, delete_at = $6,"
    " last_updated_at = $7 WHERE command_id = $1";
static const char sql_cmd_delete[] =
    "DELETE FROM commands WHERE command_id = $1";

/*
 * $2: a name among def's mandatoryParameters. The lax path answers false,
 * never an error, for a def of another shape.
 */
#define CMD_LIST_WHERE " FROM commands" \
    " WHERE ($1::text IS NULL OR namespace = $1)" \
    " AND ($2::text IS NULL OR jsonb_path_exists(def::jsonb," \
    " 'lax $.mandatoryParameters[*] ? (@.name == $p)'," \
    " jsonb_build_object('p', $2::text)))"
static const char sql_cmd_list_asc[] = "SELECT " CMD_COLS CMD_LIST_WHERE
    " AND id > $3::bigint ORDER BY id LIMIT $4";
static const char sql_cmd_list_desc[] = "SELECT " CMD_COLS CMD_LIST_WHERE
    " AND ($3::bigint = 0 OR id < $3::bigint) ORDER BY id DESC LIMIT $4";

#define EXEC_COLS "execution_id, command_id, namespace, target_arn, status," \
    " status_reason, result, parameters, timeout_sec, client_token," \
    " request, created_at, last_updated_at, started_at, completed_at," \
    " timeout_at, id"
#define EXEC_ID_COL	16

static const char sql_exec_get[] =
    "SELECT " EXEC_COLS " FROM command_executions WHERE execution_id = $1";
static const char sql_exec_by_token[] =
    "SELECT " EXEC_COLS " FROM command_executions WHERE client_token = $1";
/* A taken id or client token inserts nothing, as sql_cmd_insert. */
static const char sql_exec_insert[] =
    "INSERT INTO command_executions (execution_id, command_id, namespace,"
    " target_arn, status, status_reason, result, parameters, timeout_sec,"
    " client_token, request, created_at, last_updated_at, started_at,"
    " completed_at, timeout_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
    " $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING";
static const char sql_exec_update[] =
    "UPDATE command_executions SET status = $2, status_reason = $3,"
    " result = $4, last_updated_at = $5, started_at = $6,"
    " completed_at = $7 WHERE execution_id = $1";
static const char sql_exec_delete[] =
    "DELETE FROM command_executions WHERE execution_id = $1";

/* $6: the time filters $5 and $7 are on completed_at, else started_at. */
#define EXEC_TIME "(CASE WHEN $6::boolean THEN completed_at" \
    " ELSE started_at END)"
#define EXEC_LIST_WHERE " FROM command_executions" \
    " WHERE ($1::text IS NULL OR namespace = $1)" \
    " AND ($2::text IS NULL OR status = $2)" \
    " AND ($3::text IS NULL OR target_arn = $3)" \
    " AND ($4::text IS NULL OR command_id = $4)" \
    " AND ($5::bigint = 0 OR " EXEC_TIME " >= $5::bigint)" \
    " AND ($7::bigint = 0 OR " EXEC_TIME " <= $7::bigint)"
static const char sql_exec_list_asc[] = "SELECT " EXEC_COLS EXEC_LIST_WHERE
    " AND id > $8::bigint ORDER BY id LIMIT $9";
static const char sql_exec_list_desc[] = "SELECT " EXEC_COLS EXEC_LIST_WHERE
    " AND ($8::bigint = 0 OR id < $8::bigint) ORDER BY id DESC LIMIT $9";

/*
 * $1, $2: the open statuses (cmd_open, bound by arg_open). The index
 * command_executions_timeout is (status, timeout_at): one min lookup per
 * status, one range per status for the due rows. least() skips NULLs.
 */
_Static_assert(CMD_OPEN_COUNT == 2, "the timer statements bind two");
static const char sql_next_timeout[] =
    "SELECT least((SELECT min(timeout_at) FROM command_executions"
    " WHERE status = $1), (SELECT min(timeout_at) FROM command_executions"
    " WHERE status = $2))";
static const char sql_next_delete[] =
    "SELECT min(delete_at) FROM commands WHERE delete_at IS NOT NULL";
static const char sql_exec_due[] =
    "SELECT " EXEC_COLS " FROM command_executions"
    " WHERE status IN ($3, $4) AND timeout_at <= $1"
    " ORDER BY timeout_at, id LIMIT $2";
static const char sql_cmd_delete_due[] =
    "DELETE FROM commands WHERE delete_at IS NOT NULL AND delete_at <= $1";
/* A deleted command's tags go with it (the tags table). */
static const char sql_cmd_tags_due[] =
    "DELETE FROM tags WHERE resource IN (SELECT 'command/' || command_id"
    " FROM commands WHERE delete_at IS NOT NULL AND delete_at <= $1)";

static const char sql_outbox_add[] =
    "INSERT INTO command_outbox (kind, topic, payload, content_type,"
    " expire_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_outbox_walk[] =
    "SELECT id, kind, topic, payload, content_type, expire_at"
    " FROM command_outbox ORDER BY id LIMIT $1";
static const char sql_outbox_done[] =
    "DELETE FROM command_outbox WHERE id <= $1";

/* --- helpers ----------------------------------------------------------- */

static char *
col_dup(const PGresult *r, int row, int col)
{
	const char *v = pg_col_or_null(r, row, col);

	return v != NULL ? xstrdup(v) : NULL;
}

static json_t *
col_json(const PGresult *r, int row, int col)
{
	const char *v = pg_col_or_null(r, row, col);

	return v != NULL ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
}

/*
 * Appends JSON V as compact text, or NULL. The text is kept in *HOLD
 * (free() it once the statement ran).
 */
static void
arg_json(struct pg_args *a, const json_t *v, char **hold)
{
	*hold = NULL;
	if (v == NULL) {
		pg_arg_null(a);
		return;
	}
	*hold = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	pg_arg_text(a, *hold != NULL ? *hold : "null");
}

/* V, or NULL when 0 (a time not set). */
static void
arg_opt(struct pg_args *a, int64_t v)
{
	if (v == 0)
		pg_arg_null(a);
	else
		pg_arg_int(a, v);
}

/* Fills one struct from row ROW of R. */
typedef void row_fn(const PGresult *r, int row, void *out);

/*
 * Runs SQL with A, at most one row expected, into OUT through FN (OUT
 * NULL: only whether it is there): 1 found, 0 missing, -1 with ERR.
 */
static int
one_row(struct store_tx *tx, const char *sql, const struct pg_args *a,
    row_fn *fn, void *out, struct err *err)
{
	PGresult *r;
	int rc = pg_row(tx, sql, a, &r, err);

	if (rc == 1 && out != NULL)
		fn(r, 0, out);
	PQclear(r);
	return rc;
}

/* Runs the INSERT ... ON CONFLICT DO NOTHING SQL; -1 when it was taken. */
static int
insert_new(struct store_tx *tx, const char *sql, const struct pg_args *a,
    const char *what, const char *id, struct err *err)
{
	int64_t n;

	if (pg_exec_n(tx, sql, a, &n, err) == -1)
		return -1;
	if (n == 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "internal store"
		    " error: %s \"%s\" exists already", what, id);
	return 0;
}

static int
delete_by(struct store_tx *tx, const char *sql, const char *id,
    struct err *err)
{
	struct pg_args a = { 0 };
	int64_t n;

	pg_arg_text(&a, id);
	if (pg_exec_n(tx, sql, &a, &n, err) == -1)
		return -1;
	return n > 0 ? 1 : 0;
}

/*
 * Runs SQL (LIMIT + 1 rows asked) filling rows of SIZE bytes in OUT with
 * FN; the row's id is column IDCOL. *NEXT is the id of the last row
 * filled when a further row exists, else 0.
 */
static int
page(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int limit, int idcol, row_fn *fn, void *out, size_t size, int *n,
    int64_t *next, struct err *err)
{
	PGresult *r;
	int i, rows;

	*n = 0;
	*next = 0;
	if ((r = pg_query(tx, sql, a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		if (i == limit) {
			*next = pg_col_int(r, i - 1, idcol);
			break;
		}
		fn(r, i, (char *)out + (size_t)i * size);
		(*n)++;
	}
	PQclear(r);
	return 0;
}

/* --- commands ---------------------------------------------------------- */

static void
command_row(const PGresult *r, int row, void *out)
{
	struct store_command *c = out;

	memset(c, 0, sizeof(*c));
	snprintf(c->command_id, sizeof(c->command_id), "%s",
	    pg_col(r, row, 0));
	c->namespace = xstrdup(pg_col(r, row, 1));
	c->display_name = col_dup(r, row, 2);
	c->description = col_dup(r, row, 3);
	c->def = col_json(r, row, 4);
	if (!json_is_object(c->def)) {
		json_decref(c->def);
		c->def = json_object();
	}
	c->deprecated = pg_col_int(r, row, 5) != 0;
	c->deprecated_at = pg_col_int(r, row, 6);
	c->delete_at = pg_col_int(r, row, 7);
	c->created_at = pg_col_int(r, row, 8);
	c->last_updated_at = pg_col_int(r, row, 9);
}

int
pg_command_get(struct store_tx *tx, const char *id,
    struct store_command *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, id);
	return one_row(tx, sql_cmd_get, &a, command_row, out, err);
}

int
pg_command_insert(struct store_tx *tx, const struct store_command *c,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *def;
	int rc;

	pg_arg_text(&a, c->command_id);
	pg_arg_text(&a, c->namespace);
	pg_arg_text(&a, c->display_name);
	pg_arg_text(&a, c->description);
	arg_json(&a, c->def, &def);
	pg_arg_int(&a, c->deprecated);
	arg_opt(&a, c->deprecated_at);
	arg_opt(&a, c->delete_at);
	pg_arg_int(&a, c->created_at);
	pg_arg_int(&a, c->last_updated_at);
	rc = insert_new(tx, sql_cmd_insert, &a, "command", c->command_id,
	    err);
	free(def);
	return rc;
}

int
pg_command_update(struct store_tx *tx, const struct store_command *c,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, c->command_id);
	pg_arg_text(&a, c->display_name);
	pg_arg_text(&a, c->description);
	pg_arg_int(&a, c->deprecated);
	arg_opt(&a, c->deprecated_at);
	arg_opt(&a, c->delete_at);
	pg_arg_int(&a, c->last_updated_at);
	return pg_exec(tx, sql_cmd_update, &a, err);
}

int
pg_command_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return delete_by(tx, sql_cmd_delete, id, err);
}

int
pg_command_list(struct store_tx *tx, const struct store_command_query *q,
    struct store_command *out, int *n, int64_t *next, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, q->namespace);
	pg_arg_text(&a, q->parameter);
	pg_arg_int(&a, q->after);
	pg_arg_int(&a, (int64_t)q->limit + 1);
	return page(tx, q->ascending ? sql_cmd_list_asc : sql_cmd_list_desc,
	    &a, q->limit, CMD_ID_COL, command_row, out, sizeof(*out), n, next,
	    err);
}

/* --- executions -------------------------------------------------------- */

static void
exec_row(const PGresult *r, int row, void *out)
{
	struct store_cmd_exec *e = out;

	memset(e, 0, sizeof(*e));
	snprintf(e->execution_id, sizeof(e->execution_id), "%s",
	    pg_col(r, row, 0));
	snprintf(e->command_id, sizeof(e->command_id), "%s",
	    pg_col(r, row, 1));
	snprintf(e->namespace, sizeof(e->namespace), "%s", pg_col(r, row, 2));
	snprintf(e->target_arn, sizeof(e->target_arn), "%s",
	    pg_col(r, row, 3));
	/* FAILED (terminal, inert) for a name iotjobs never writes. */
	if (cmd_status_parse(pg_col(r, row, 4), &e->status) == -1)
		e->status = CMD_FAILED;
	e->status_reason = col_json(r, row, 5);
	e->result = col_json(r, row, 6);
	e->parameters = col_json(r, row, 7);
	e->timeout_sec = pg_col_int(r, row, 8);
	e->client_token = col_dup(r, row, 9);
	e->request = xstrdup(pg_col(r, row, 10));
	e->created_at = pg_col_int(r, row, 11);
	e->last_updated_at = pg_col_int(r, row, 12);
	e->started_at = pg_col_int(r, row, 13);
	e->completed_at = pg_col_int(r, row, 14);
	e->timeout_at = pg_col_int(r, row, 15);
}

int
pg_cmd_exec_get(struct store_tx *tx, const char *id,
    struct store_cmd_exec *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, id);
	return one_row(tx, sql_exec_get, &a, exec_row, out, err);
}

int
pg_cmd_exec_by_token(struct store_tx *tx, const char *token,
    struct store_cmd_exec *out, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, token);
	return one_row(tx, sql_exec_by_token, &a, exec_row, out, err);
}

int
pg_cmd_exec_insert(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *reason, *result, *params;
	int rc;

	pg_arg_text(&a, e->execution_id);
	pg_arg_text(&a, e->command_id);
	pg_arg_text(&a, e->namespace);
	pg_arg_text(&a, e->target_arn);
	pg_arg_text(&a, cmd_status_name(e->status));
	arg_json(&a, e->status_reason, &reason);
	arg_json(&a, e->result, &result);
	arg_json(&a, e->parameters, &params);
	pg_arg_int(&a, e->timeout_sec);
	pg_arg_text(&a, e->client_token);
	pg_arg_text(&a, e->request);
	pg_arg_int(&a, e->created_at);
	pg_arg_int(&a, e->last_updated_at);
	arg_opt(&a, e->started_at);
	arg_opt(&a, e->completed_at);
	pg_arg_int(&a, e->timeout_at);
	rc = insert_new(tx, sql_exec_insert, &a, "command execution",
	    e->execution_id, err);
	free(reason);
	free(result);
	free(params);
	return rc;
}

int
pg_cmd_exec_update(struct store_tx *tx, const struct store_cmd_exec *e,
    struct err *err)
{
	struct pg_args a = { 0 };
	char *reason, *result;
	int rc;

	pg_arg_text(&a, e->execution_id);
	pg_arg_text(&a, cmd_status_name(e->status));
	arg_json(&a, e->status_reason, &reason);
	arg_json(&a, e->result, &result);
	pg_arg_int(&a, e->last_updated_at);
	arg_opt(&a, e->started_at);
	arg_opt(&a, e->completed_at);
	rc = pg_exec(tx, sql_exec_update, &a, err);
	free(reason);
	free(result);
	return rc;
}

int
pg_cmd_exec_delete(struct store_tx *tx, const char *id, struct err *err)
{
	return delete_by(tx, sql_exec_delete, id, err);
}

int
pg_cmd_exec_list(struct store_tx *tx, const struct store_cmd_exec_query *q,
    struct store_cmd_exec *out, int *n, int64_t *next, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, q->namespace);
	pg_arg_text(&a, q->status != NULL ? cmd_status_name(*q->status) :
	    NULL);
	pg_arg_text(&a, q->target_arn);
	pg_arg_text(&a, q->command_id);
	pg_arg_int(&a, q->from);
	pg_arg_bool(&a, q->on_completed);
	pg_arg_int(&a, q->to);
	pg_arg_int(&a, q->after);
	pg_arg_int(&a, (int64_t)q->limit + 1);
	return page(tx, q->ascending ? sql_exec_list_asc : sql_exec_list_desc,
	    &a, q->limit, EXEC_ID_COL, exec_row, out, sizeof(*out), n, next,
	    err);
}

/* --- deadlines --------------------------------------------------------- */

/* Appends the names of cmd_open, CMD_OPEN_COUNT parameters. */
static void
arg_open(struct pg_args *a)
{
	int i;

	for (i = 0; i < CMD_OPEN_COUNT; i++)
		pg_arg_text(a, cmd_status_name(cmd_open[i]));
}

/* Lowers *AT to the one value SQL returns, unless it is NULL or 0. */
static int
min_of(struct store_tx *tx, const char *sql, const struct pg_args *a,
    int64_t *at, struct err *err)
{
	int64_t v;

	if (pg_count(tx, sql, a, &v, err) == -1)
		return -1;
	if (v != 0 && (*at == 0 || v < *at))
		*at = v;
	return 0;
}

int
pg_command_next_deadline(struct store_tx *tx, int64_t *at,
    struct err *err)
{
	struct pg_args a = { 0 };

	*at = 0;
	arg_open(&a);
	if (min_of(tx, sql_next_timeout, &a, at, err) == -1)
		return -1;
	return min_of(tx, sql_next_delete, NULL, at, err);
}

int
pg_cmd_exec_due(struct store_tx *tx, int64_t now, int limit,
    struct store_cmd_exec *out, int *n, struct err *err)
{
	struct pg_args a = { 0 };
	int64_t next;

	pg_arg_int(&a, now);
	pg_arg_int(&a, (int64_t)limit + 1);
	arg_open(&a);
	return page(tx, sql_exec_due, &a, limit, EXEC_ID_COL, exec_row, out,
	    sizeof(*out), n, &next, err);
}

int
pg_command_delete_due(struct store_tx *tx, int64_t now, int *n,
    struct err *err)
{
	struct pg_args a = { 0 };
	int64_t deleted;

	*n = 0;
	pg_arg_int(&a, now);
	if (pg_exec(tx, sql_cmd_tags_due, &a, err) == -1 ||
	    pg_exec_n(tx, sql_cmd_delete_due, &a, &deleted, err) == -1)
		return -1;
	*n = (int)deleted;
	return 0;
}

/* --- outbox ------------------------------------------------------------ */

int
pg_cmd_outbox_add(struct store_tx *tx, const struct store_cmd_msg *m,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, m->kind);
	pg_arg_text(&a, m->topic);
	/* payload is NOT NULL: an empty one is zero bytes, not NULL. */
	pg_arg_bytea(&a, m->len > 0 ? m->payload : "", m->len);
	pg_arg_text(&a, m->content_type);
	arg_opt(&a, m->expire_at);
	return pg_exec(tx, sql_outbox_add, &a, err);
}

int
pg_cmd_outbox_walk(struct store_tx *tx, int limit, store_cmd_msg_fn *fn,
    void *arg, struct err *err)
{
	struct pg_args a = { 0 };
	struct store_cmd_msg m;
	unsigned char *payload;
	PGresult *r;
	int i, rows, rc = 0;

	pg_arg_int(&a, limit);
	if ((r = pg_query(tx, sql_outbox_walk, &a, err)) == NULL)
		return -1;
	rows = PQntuples(r);
	for (i = 0; i < rows && rc != -1; i++) {
		memset(&m, 0, sizeof(m));
		m.id = pg_col_int(r, i, 0);
		m.kind = pg_col(r, i, 1);
		m.topic = pg_col(r, i, 2);
		payload = pg_col_bytea(r, i, 3, &m.len);
		m.payload = payload != NULL ? (const void *)payload : "";
		m.content_type = pg_col_or_null(r, i, 4);
		m.expire_at = pg_col_int(r, i, 5);
		rc = fn(&m, arg, err);
		free(payload);
	}
	PQclear(r);
	return rc == -1 ? -1 : 0;
}

int
pg_cmd_outbox_done(struct store_tx *tx, int64_t last, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_int(&a, last);
	return pg_exec(tx, sql_outbox_done, &a, err);
}
