/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outboxes of the MQTT front end (migration 0007): the engine
 * (engine/outbox.c) records, in the transaction of each change, the things
 * whose pending list may have changed and the job and execution events;
 * the MQTT notifier reads them after commits and deletes what it has
 * published. notify_sent keeps what was last published per thing.
 * Implemented by sqlite_outbox.c.
 */
#ifndef IOTJOBS_STORE_OUTBOX_H
#define IOTJOBS_STORE_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "status.h"
#include "store.h"

/* Visits one outbox row; returning -1 (ERR set) stops the walk. */
typedef int store_outbox_fn(int64_t id, const char *thing, void *arg,
    struct err *err);

/* The oldest LIMIT rows of notify_outbox, in order. */
int store_outbox_notify(struct store_tx *tx, int limit, store_outbox_fn *fn,
    void *arg, struct err *err);

/* Deletes the notify_outbox rows with id <= LAST. */
int store_outbox_notify_done(struct store_tx *tx, int64_t last,
    struct err *err);

/*
 * What was last published for THING: *LIST and *HEAD (malloc'ed, freed by
 * the caller) when 1 is returned; 0 when nothing is recorded (an empty
 * list was last published, or nothing ever); -1 with ERR set.
 */
int store_notify_sent_get(struct store_tx *tx, const char *thing,
    char **list, char **head, struct err *err);

/* Records LIST and HEAD for THING; an empty LIST deletes the record. */
int store_notify_sent_put(struct store_tx *tx, const char *thing,
    const char *list, const char *head, struct err *err);

/* One row of event_outbox. */
struct store_event {
	int64_t id;
	const char *kind;	/* "job" or "jobExecution" */
	const char *operation;	/* last topic level: "succeeded", ... */
	const char *job_id;
	const char *thing_name;	/* NULL for job events */
	const char *status;
	const char *status_details;	/* JSON text or NULL */
	int64_t version;	/* 0 for job events */
	int64_t at;
};

typedef int store_event_fn(const struct store_event *ev, void *arg,
    struct err *err);

/* The oldest LIMIT rows of event_outbox, in order. */
int store_outbox_events(struct store_tx *tx, int limit, store_event_fn *fn,
    void *arg, struct err *err);

/* Deletes the event_outbox rows with id <= LAST. */
int store_outbox_events_done(struct store_tx *tx, int64_t last,
    struct err *err);

/*
 * Whether the outboxes fill (migration 0010): NOTIFY while the MQTT
 * notifier runs, EVENTS while events are published. Call at start-up; an
 * outbox switched off is emptied, so a daemon without MQTT keeps none.
 */
int store_outbox_switch(struct store *st, bool notify, bool events,
    struct err *err);

/* Whether the outboxes fill, as store_outbox_switch set it. */
int store_outbox_switch_get(struct store_tx *tx, bool *notify, bool *events,
    struct err *err);

/* A notify_outbox row for THING. */
int store_outbox_notify_add(struct store_tx *tx, const char *thing,
    struct err *err);

/* An event_outbox row (EV's id is not read). */
int store_outbox_event_add(struct store_tx *tx, const struct store_event *ev,
    struct err *err);

/*
 * The executions of one job a set-based change is about: those of JOB_ID
 * whose status is STATUS (any status when ANY), with an id above AFTER.
 */
struct store_exec_sel {
	const char *job_id;
	bool any;
	enum exec_status status;
	int64_t after;
};

/* A notify_outbox row for the thing of each execution of SEL, in id order. */
int store_outbox_notify_of(struct store_tx *tx,
    const struct store_exec_sel *sel, struct err *err);

/*
 * An execution event for each execution of SEL, in id order: OPERATION,
 * status TO (its current status when KEEP), version + VERSION_ADD, at AT.
 */
int store_outbox_events_of(struct store_tx *tx,
    const struct store_exec_sel *sel, const char *operation, bool keep,
    enum exec_status to, int version_add, int64_t at, struct err *err);

#endif
