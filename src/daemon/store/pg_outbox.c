/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MQTT outboxes in PostgreSQL (store_outbox.h). The rows are written
 * as engine/outbox.c decides (set-based where the change is), read in id
 * order and deleted by the MQTT notifier once published.
 */
#include "store_outbox.h"

#include <stdlib.h>

#include "pg_int.h"
#include "xmalloc.h"

static const char sql_notify[] =
    "SELECT id, thing_name FROM notify_outbox ORDER BY id LIMIT $1";

static const char sql_notify_done[] =
    "DELETE FROM notify_outbox WHERE id <= $1";

static const char sql_sent_get[] =
    "SELECT list, head FROM notify_sent WHERE thing_name = $1";

static const char sql_sent_delete[] =
    "DELETE FROM notify_sent WHERE thing_name = $1";

static const char sql_sent_put[] =
    "INSERT INTO notify_sent (thing_name, list, head)"
    " VALUES ($1, $2, $3) ON CONFLICT (thing_name) DO UPDATE SET"
    " list = excluded.list, head = excluded.head";

static const char sql_events[] =
    "SELECT id, kind, operation, job_id, thing_name, status,"
    " status_details, coalesce(version, 0), at"
    " FROM event_outbox ORDER BY id LIMIT $1";

static const char sql_events_done[] =
    "DELETE FROM event_outbox WHERE id <= $1";

static const char sql_switch_get[] =
    "SELECT notify, events FROM outbox_switch WHERE id = 1";

static const char sql_switch_set[] =
    "UPDATE outbox_switch SET notify = $1, events = $2 WHERE id = 1";

static const char sql_clear_notify[] = "DELETE FROM notify_outbox";
static const char sql_clear_sent[] = "DELETE FROM notify_sent";
static const char sql_clear_events[] = "DELETE FROM event_outbox";

static const char sql_notify_add[] =
    "INSERT INTO notify_outbox (thing_name) VALUES ($1)";

static const char sql_event_add[] =
    "INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,"
    " status_details, version, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/*
 * $1 job, $2 status (NULL: any), $3 id above: index executions_job. The
 * rows are inserted in the SELECT's order, so the new ids follow the
 * executions' order.
 */
#define SEL_WHERE " FROM executions WHERE job_id = $1" \
    " AND ($2::text IS NULL OR status = $2::text) AND id > $3 ORDER BY id"

static const char sql_notify_of[] =
    "INSERT INTO notify_outbox (thing_name) SELECT thing_name" SEL_WHERE;

static const char sql_events_of[] =
    "INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,"
    " status_details, version, at) SELECT 'jobExecution', $4, job_id,"
    " thing_name, coalesce($5::text, status), status_details,"
    " version + $6::bigint, $7" SEL_WHERE;

int
pg_outbox_notify(struct store_tx *tx, int limit, store_outbox_fn *fn,
    void *arg, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int i, n, rc = 0;

	pg_arg_int(&a, limit);
	if ((r = pg_query(tx, sql_notify, &a, err)) == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(pg_col_int(r, i, 0), pg_col(r, i, 1), arg, err);
	PQclear(r);
	return rc;
}

int
pg_outbox_notify_done(struct store_tx *tx, int64_t last, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_int(&a, last);
	return pg_exec(tx, sql_notify_done, &a, err);
}

int
pg_notify_sent_get(struct store_tx *tx, const char *thing, char **list,
    char **head, struct err *err)
{
	struct pg_args a = { 0 };
	PGresult *r;
	int rc;

	*list = NULL;
	*head = NULL;
	pg_arg_text(&a, thing);
	rc = pg_row(tx, sql_sent_get, &a, &r, err);
	if (rc == 1) {
		*list = xstrdup(pg_col(r, 0, 0));
		*head = xstrdup(pg_col(r, 0, 1));
	}
	PQclear(r);
	return rc;
}

int
pg_notify_sent_put(struct store_tx *tx, const char *thing,
    const char *list, const char *head, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, thing);
	if (list[0] == '\0')
		return pg_exec(tx, sql_sent_delete, &a, err);
	pg_arg_text(&a, list);
	pg_arg_text(&a, head);
	return pg_exec(tx, sql_sent_put, &a, err);
}

int
pg_outbox_events(struct store_tx *tx, int limit, store_event_fn *fn,
    void *arg, struct err *err)
{
	struct pg_args a = { 0 };
	struct store_event ev;
	PGresult *r;
	int i, n, rc = 0;

	pg_arg_int(&a, limit);
	if ((r = pg_query(tx, sql_events, &a, err)) == NULL)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n && rc == 0; i++) {
		ev.id = pg_col_int(r, i, 0);
		ev.kind = pg_col(r, i, 1);
		ev.operation = pg_col(r, i, 2);
		ev.job_id = pg_col(r, i, 3);
		ev.thing_name = pg_col_or_null(r, i, 4);
		ev.status = pg_col(r, i, 5);
		ev.status_details = pg_col_or_null(r, i, 6);
		ev.version = pg_col_int(r, i, 7);
		ev.at = pg_col_int(r, i, 8);
		rc = fn(&ev, arg, err);
	}
	PQclear(r);
	return rc;
}

int
pg_outbox_events_done(struct store_tx *tx, int64_t last, struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_int(&a, last);
	return pg_exec(tx, sql_events_done, &a, err);
}

int
pg_outbox_switch(struct store *st, bool notify, bool events,
    struct err *err)
{
	struct pg_args a = { 0 };
	struct store_tx *tx;
	int rc;

	if (pg_begin(st, true, &tx, err) == -1)
		return -1;
	pg_batch_switch_forget(tx);
	pg_arg_int(&a, notify ? 1 : 0);
	pg_arg_int(&a, events ? 1 : 0);
	rc = pg_exec(tx, sql_switch_set, &a, err);
	if (rc == 0 && !notify)
		rc = pg_exec(tx, sql_clear_notify, NULL, err);
	if (rc == 0 && !notify)
		rc = pg_exec(tx, sql_clear_sent, NULL, err);
	if (rc == 0 && !events)
		rc = pg_exec(tx, sql_clear_events, NULL, err);
	if (pg_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

int
pg_outbox_switch_get(struct store_tx *tx, bool *notify, bool *events,
    struct err *err)
{
	PGresult *r;
	int rc;

	*notify = *events = false;
	if (pg_batch_switch_get(tx, notify, events))
		return 0;
	rc = pg_row(tx, sql_switch_get, NULL, &r, err);
	if (rc == 1) {
		*notify = pg_col_int(r, 0, 0) != 0;
		*events = pg_col_int(r, 0, 1) != 0;
		pg_batch_switch_put(tx, *notify, *events);
	}
	PQclear(r);
	return rc == -1 ? -1 : 0;
}

int
pg_outbox_notify_add(struct store_tx *tx, const char *thing,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, thing);
	return pg_exec_later(tx, sql_notify_add, &a, err);
}

int
pg_outbox_event_add(struct store_tx *tx, const struct store_event *ev,
    struct err *err)
{
	struct pg_args a = { 0 };

	pg_arg_text(&a, ev->kind);
	pg_arg_text(&a, ev->operation);
	pg_arg_text(&a, ev->job_id);
	pg_arg_text(&a, ev->thing_name);
	pg_arg_text(&a, ev->status);
	pg_arg_text(&a, ev->status_details);
	if (ev->thing_name != NULL)
		pg_arg_int(&a, ev->version);
	else
		pg_arg_null(&a);
	pg_arg_int(&a, ev->at);
	return pg_exec(tx, sql_event_add, &a, err);
}

static void
arg_sel(struct pg_args *a, const struct store_exec_sel *sel)
{
	pg_arg_text(a, sel->job_id);
	pg_arg_text(a, sel->any ? NULL : exec_status_name(sel->status));
	pg_arg_int(a, sel->after);
}

int
pg_outbox_notify_of(struct store_tx *tx, const struct store_exec_sel *sel,
    struct err *err)
{
	struct pg_args a = { 0 };

	arg_sel(&a, sel);
	return pg_exec(tx, sql_notify_of, &a, err);
}

int
pg_outbox_events_of(struct store_tx *tx, const struct store_exec_sel *sel,
    const char *operation, bool keep, enum exec_status to, int version_add,
    int64_t at, struct err *err)
{
	struct pg_args a = { 0 };

	arg_sel(&a, sel);
	pg_arg_text(&a, operation);
	pg_arg_text(&a, keep ? NULL : exec_status_name(to));
	pg_arg_int(&a, version_add);
	pg_arg_int(&a, at);
	return pg_exec(tx, sql_events_of, &a, err);
}
