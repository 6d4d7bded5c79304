/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MQTT outboxes in SQLite (store_outbox.h, migration 0007). The rows
 * are written as engine/outbox.c decides (set-based where the change is),
 * read and deleted by the MQTT notifier.
 */
#include "store_outbox.h"

#include <stdlib.h>

#include "sqlite_int.h"
#include "sqlite_plan.h"
#include "xmalloc.h"

static const char sql_notify[] =
    "SELECT id, thing_name FROM notify_outbox ORDER BY id LIMIT ?1";

static const char sql_notify_done[] =
    "DELETE FROM notify_outbox WHERE id <= ?1";

static const char sql_sent_get[] =
    "SELECT list, head FROM notify_sent WHERE thing_name = ?1";

static const char sql_sent_delete[] =
    "DELETE FROM notify_sent WHERE thing_name = ?1";

static const char sql_sent_put[] =
    "INSERT INTO notify_sent (thing_name, list, head)"
    " VALUES (?1, ?2, ?3) ON CONFLICT (thing_name) DO UPDATE SET"
    " list = excluded.list, head = excluded.head";

static const char sql_events[] =
    "SELECT id, kind, operation, job_id, thing_name, status,"
    " status_details, coalesce(version, 0), at"
    " FROM event_outbox ORDER BY id LIMIT ?1";

static const char sql_events_done[] =
    "DELETE FROM event_outbox WHERE id <= ?1";

static const char sql_switch_get[] =
    "SELECT notify, events FROM outbox_switch WHERE id = 1";

static const char sql_notify_add[] =
    "INSERT INTO notify_outbox (thing_name) VALUES (?1)";

static const char sql_event_add[] =
    "INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,"
    " status_details, version, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* ?1 job, ?2 status (NULL: any), ?3 id above: index executions_job. */
#define SEL_WHERE " FROM executions WHERE job_id = ?1" \
    " AND (?2 IS NULL OR status = ?2) AND id > ?3 ORDER BY id"

static const char sql_notify_of[] =
    "INSERT INTO notify_outbox (thing_name) SELECT thing_name" SEL_WHERE;

static const char sql_events_of[] =
    "INSERT INTO event_outbox (kind, operation, job_id, thing_name, status,"
    " status_details, version, at) SELECT 'jobExecution', ?4, job_id,"
    " thing_name, coalesce(?5, status), status_details, version + ?6, ?7"
    SEL_WHERE;

/*
 * The notifier reads each outbox from its start: SCAN in rowid order,
 * stopped at the limit; the rows are deleted once delivered, so the queue
 * holds only what is not yet sent.
 */
const struct sq_plan_stmt sq_plan_outbox[] = {
	SQ_PLAN(sql_notify, "notify_outbox"),
	SQ_PLAN(sql_notify_done, ""),
	SQ_PLAN(sql_sent_get, ""),
	SQ_PLAN(sql_sent_delete, ""),
	SQ_PLAN(sql_sent_put, ""),
	SQ_PLAN(sql_events, "event_outbox"),
	SQ_PLAN(sql_events_done, ""),
	SQ_PLAN(sql_switch_get, ""),
	SQ_PLAN(sql_notify_add, ""),
	SQ_PLAN(sql_event_add, ""),
	SQ_PLAN(sql_notify_of, ""),
	SQ_PLAN(sql_events_of, ""),
	{ NULL, NULL, NULL },
};

int
sq_outbox_notify(struct store_tx *tx, int limit, store_outbox_fn *fn,
    void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_notify);
	int rc;

	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(sqlite3_column_int64(s, 0), sq_col_text(s, 1), arg,
		    err) == -1) {
			sqlite3_reset(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	sqlite3_reset(s);
	return 0;
}

int
sq_outbox_notify_done(struct store_tx *tx, int64_t last, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_notify_done);

	sqlite3_bind_int64(s, 1, last);
	return sq_exec_stmt(tx, s, err);
}

int
sq_notify_sent_get(struct store_tx *tx, const char *thing, char **list,
    char **head, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_sent_get);
	int rc;

	*list = NULL;
	*head = NULL;
	sq_bind_text(s, 1, thing);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(tx, rc, err);
	*list = xstrdup(sq_col_text(s, 0));
	*head = xstrdup(sq_col_text(s, 1));
	sqlite3_reset(s);
	return 1;
}

int
sq_notify_sent_put(struct store_tx *tx, const char *thing,
    const char *list, const char *head, struct err *err)
{
	sqlite3_stmt *s;

	if (list[0] == '\0') {
		s = sq_stmt(tx, sql_sent_delete);
		sq_bind_text(s, 1, thing);
		return sq_exec_stmt(tx, s, err);
	}
	s = sq_stmt(tx, sql_sent_put);
	sq_bind_text(s, 1, thing);
	sq_bind_text(s, 2, list);
	sq_bind_text(s, 3, head);
	return sq_exec_stmt(tx, s, err);
}

/* Column I as text, or NULL for SQL NULL. */
static const char *
col_or_null(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	return sq_col_text(s, i);
}

int
sq_outbox_events(struct store_tx *tx, int limit, store_event_fn *fn,
    void *arg, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_events);
	struct store_event ev;
	int rc;

	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ev.id = sqlite3_column_int64(s, 0);
		ev.kind = sq_col_text(s, 1);
		ev.operation = sq_col_text(s, 2);
		ev.job_id = sq_col_text(s, 3);
		ev.thing_name = col_or_null(s, 4);
		ev.status = sq_col_text(s, 5);
		ev.status_details = col_or_null(s, 6);
		ev.version = sqlite3_column_int64(s, 7);
		ev.at = sqlite3_column_int64(s, 8);
		if (fn(&ev, arg, err) == -1) {
			sqlite3_reset(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	sqlite3_reset(s);
	return 0;
}

int
sq_outbox_events_done(struct store_tx *tx, int64_t last, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_events_done);

	sqlite3_bind_int64(s, 1, last);
	return sq_exec_stmt(tx, s, err);
}

int
sq_outbox_switch(struct store *st, bool notify, bool events,
    struct err *err)
{
	static const char sql_set[] = "UPDATE outbox_switch SET notify = ?1,"
	    " events = ?2 WHERE id = 1";
	static const char sql_clear_notify[] = "DELETE FROM notify_outbox";
	static const char sql_clear_sent[] = "DELETE FROM notify_sent";
	static const char sql_clear_events[] = "DELETE FROM event_outbox";
	struct store_tx *tx;
	sqlite3_stmt *s;
	int rc;

	if (sq_begin(st, true, &tx, err) == -1)
		return -1;
	s = sq_stmt(tx, sql_set);
	sqlite3_bind_int(s, 1, notify);
	sqlite3_bind_int(s, 2, events);
	rc = sq_exec_stmt(tx, s, err);
	if (rc == 0 && !notify)
		rc = sq_exec_stmt(tx, sq_stmt(tx, sql_clear_notify), err);
	if (rc == 0 && !notify)
		rc = sq_exec_stmt(tx, sq_stmt(tx, sql_clear_sent), err);
	if (rc == 0 && !events)
		rc = sq_exec_stmt(tx, sq_stmt(tx, sql_clear_events), err);
	if (sq_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

int
sq_outbox_switch_get(struct store_tx *tx, bool *notify, bool *events,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_switch_get);
	int rc = sqlite3_step(s);

	*notify = *events = false;
	if (rc == SQLITE_ROW) {
		*notify = sqlite3_column_int(s, 0) != 0;
		*events = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(tx, rc, err);
	return 0;
}

int
sq_outbox_notify_add(struct store_tx *tx, const char *thing,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_notify_add);

	sq_bind_text(s, 1, thing);
	return sq_exec_stmt(tx, s, err);
}

int
sq_outbox_event_add(struct store_tx *tx, const struct store_event *ev,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_event_add);

	sq_bind_text(s, 1, ev->kind);
	sq_bind_text(s, 2, ev->operation);
	sq_bind_text(s, 3, ev->job_id);
	sq_bind_text(s, 4, ev->thing_name);
	sq_bind_text(s, 5, ev->status);
	sq_bind_text(s, 6, ev->status_details);
	if (ev->thing_name != NULL)
		sqlite3_bind_int64(s, 7, ev->version);
	sqlite3_bind_int64(s, 8, ev->at);
	return sq_exec_stmt(tx, s, err);
}

static void
bind_sel(sqlite3_stmt *s, const struct store_exec_sel *sel)
{
	sq_bind_text(s, 1, sel->job_id);
	sq_bind_text(s, 2, sel->any ? NULL : exec_status_name(sel->status));
	sqlite3_bind_int64(s, 3, sel->after);
}

int
sq_outbox_notify_of(struct store_tx *tx, const struct store_exec_sel *sel,
    struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_notify_of);

	bind_sel(s, sel);
	return sq_exec_stmt(tx, s, err);
}

int
sq_outbox_events_of(struct store_tx *tx, const struct store_exec_sel *sel,
    const char *operation, bool keep, enum exec_status to, int version_add,
    int64_t at, struct err *err)
{
	sqlite3_stmt *s = sq_stmt(tx, sql_events_of);

	bind_sel(s, sel);
	sq_bind_text(s, 4, operation);
	sq_bind_text(s, 5, keep ? NULL : exec_status_name(to));
	sqlite3_bind_int(s, 6, version_add);
	sqlite3_bind_int64(s, 7, at);
	return sq_exec_stmt(tx, s, err);
}
