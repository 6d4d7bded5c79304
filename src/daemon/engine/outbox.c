/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox rows of each change (outbox.h), decided here rather than by
 * the store (migration 0022 dropped the triggers that did it):
 *
 *  1. notify_outbox gets the thing of an execution that enters its pending
 *     list (QUEUED or IN_PROGRESS), leaves it, or changes status inside
 *     it, and of a pending execution deleted. Not when a device starts the
 *     thing's first execution while no other is IN_PROGRESS: the list
 *     keeps its order, so neither notify nor notify-next changes
 *     (WIRE.md 10.4).
 *  2. event_outbox gets a jobExecution event when an execution enters a
 *     terminal status (operation: the status in lower case) and when one
 *     is deleted ("deleted"); a job event when a job becomes COMPLETED or
 *     CANCELED and when it is deleted.
 *  3. Nothing is written to an outbox that outbox_switch has off (no MQTT
 *     notifier, no events): store_outbox_switch empties it once at
 *     start-up and no row is added afterwards.
 */
#include "engine/outbox.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store_outbox.h"

/* The topic's last level for STATUS: "succeeded". */
static void
operation_of(const char *status, char *buf, size_t size)
{
	size_t i;

	for (i = 0; status[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)status[i]);
	buf[i] = '\0';
}

/* Whether the start of E (from QUEUED) leaves the pending list's order. */
struct first_walk {
	int64_t id;
	int n;
	bool same;
};

static int
first_row(const struct store_exec *o, void *arg, struct err *err)
{
	struct first_walk *w = arg;

	(void)err;
	if (w->n == 0)
		w->same = o->id == w->id;
	else if (o->status != EXEC_QUEUED || o->id < w->id)
		w->same = false;
	w->n++;
	return 0;
}

static int
start_keeps_order(struct store_tx *tx, const struct store_exec *e,
    bool *same, struct err *err)
{
	struct first_walk w = { e->id, 0, false };

	if (store_exec_pending(tx, e->thing_name, 2, first_row, &w,
	    err) == -1)
		return -1;
	*same = w.same;
	return 0;
}

int
outbox_exec_changed(struct store_tx *tx, const struct store_exec *e,
    enum exec_status from, int64_t now, struct err *err)
{
	bool notify, events, same = false;
	struct store_event ev = { 0 };
	char op[32], *details = NULL;
	int rc = 0;

	(void)now;
	if (from == e->status)
		return 0;
	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	if (notify && (exec_is_pending(from) || exec_is_pending(e->status))) {
		if (from == EXEC_QUEUED && e->status == EXEC_IN_PROGRESS &&
		    start_keeps_order(tx, e, &same, err) == -1)
			return -1;
		if (!same && store_outbox_notify_add(tx, e->thing_name,
		    err) == -1)
			return -1;
	}
	if (!events || !exec_is_terminal(e->status))
		return 0;
	operation_of(exec_status_name(e->status), op, sizeof(op));
	if (e->status_details != NULL)
		details = json_dumps(e->status_details, JSON_COMPACT);
	ev.kind = "jobExecution";
	ev.operation = op;
	ev.job_id = e->job_id;
	ev.thing_name = e->thing_name;
	ev.status = exec_status_name(e->status);
	ev.status_details = details;
	ev.version = e->version;
	ev.at = e->last_updated_at;
	rc = store_outbox_event_add(tx, &ev, err);
	free(details);
	return rc;
}

int
outbox_exec_created(struct store_tx *tx, const char *thing, struct err *err)
{
	bool notify, events;

	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	return notify ? store_outbox_notify_add(tx, thing, err) : 0;
}

int
outbox_exec_deleting(struct store_tx *tx, const struct store_exec *e,
    int64_t now, struct err *err)
{
	struct store_event ev = { 0 };
	bool notify, events;
	char *details = NULL;
	int rc;

	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	if (notify && exec_is_pending(e->status) &&
	    store_outbox_notify_add(tx, e->thing_name, err) == -1)
		return -1;
	if (!events)
		return 0;
	if (e->status_details != NULL)
		details = json_dumps(e->status_details, JSON_COMPACT);
	ev.kind = "jobExecution";
	ev.operation = "deleted";
	ev.job_id = e->job_id;
	ev.thing_name = e->thing_name;
	ev.status = exec_status_name(e->status);
	ev.status_details = details;
	ev.version = e->version;
	ev.at = now;
	rc = store_outbox_event_add(tx, &ev, err);
	free(details);
	return rc;
}

int
outbox_execs_moving(struct store_tx *tx, const char *job_id,
    enum exec_status from, enum exec_status to, int64_t now,
    struct err *err)
{
	struct store_exec_sel sel = { job_id, false, from, 0 };
	bool notify, events;
	char op[32];

	if (from == to)
		return 0;
	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	if (notify && (exec_is_pending(from) || exec_is_pending(to)) &&
	    store_outbox_notify_of(tx, &sel, err) == -1)
		return -1;
	if (!events || !exec_is_terminal(to))
		return 0;
	operation_of(exec_status_name(to), op, sizeof(op));
	return store_outbox_events_of(tx, &sel, op, false, to, 1, now, err);
}

int
outbox_execs_created(struct store_tx *tx, const char *job_id, int64_t after,
    struct err *err)
{
	struct store_exec_sel sel = { job_id, false, EXEC_QUEUED, after };
	bool notify, events;

	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	return notify ? store_outbox_notify_of(tx, &sel, err) : 0;
}

int
outbox_job_deleting(struct store_tx *tx, const char *job_id,
    enum job_status status, int64_t now, struct err *err)
{
	struct store_exec_sel sel = { job_id, false, EXEC_QUEUED, 0 };
	struct store_event ev = { 0 };
	bool notify, events;

	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	if (notify) {
		if (store_outbox_notify_of(tx, &sel, err) == -1)
			return -1;
		sel.status = EXEC_IN_PROGRESS;
		if (store_outbox_notify_of(tx, &sel, err) == -1)
			return -1;
	}
	if (!events)
		return 0;
	sel.any = true;
	if (store_outbox_events_of(tx, &sel, "deleted", true, EXEC_QUEUED, 0,
	    now, err) == -1)
		return -1;
	ev.kind = "job";
	ev.operation = "deleted";
	ev.job_id = job_id;
	ev.status = job_status_name(status);
	ev.at = now;
	return store_outbox_event_add(tx, &ev, err);
}

int
outbox_job_status(struct store_tx *tx, const char *job_id,
    enum job_status to, int64_t now, struct err *err)
{
	struct store_event ev = { 0 };
	bool notify, events;
	char op[32];

	if (store_outbox_switch_get(tx, &notify, &events, err) == -1)
		return -1;
	if (!events)
		return 0;
	operation_of(job_status_name(to), op, sizeof(op));
	ev.kind = "job";
	ev.operation = op;
	ev.job_id = job_id;
	ev.status = job_status_name(to);
	ev.at = now;
	return store_outbox_event_add(tx, &ev, err);
}
