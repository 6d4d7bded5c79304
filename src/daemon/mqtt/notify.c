/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify and notify-next (WIRE.md 8.9, 10.4). Every cause of a change to a
 * thing's pending list (CreateJob, device updates, cancel, delete, group
 * membership, timeouts, retries, rollouts) ends in a write to the
 * executions table, whose triggers (migration 0007) record the thing in
 * notify_outbox within the same transaction. After each commit this
 * thread reads the outbox, computes each recorded thing's pending list
 * with the data plane's store functions, and publishes:
 *
 * - notify, when the list (its executions, in order, at most 10) differs
 *   from the one last published for the thing;
 * - notify-next, when its first execution (job and execution number)
 *   differs from the one last published.
 *
 * What was published is kept in notify_sent, and the outbox rows are
 * deleted, in one transaction after publishing: a crash in between
 * publishes again (at least once), and nothing is lost while the broker is
 * away (the rows wait for the next connect).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/jobs_data.h"
#include "clock.h"
#include "log.h"
#include "mqtt/mqtt_int.h"
#include "mqtt/reply.h"
#include "mqtt/topic.h"
#include "store/store.h"
#include "store/store_exec.h"
#include "store/store_outbox.h"
#include "xmalloc.h"

#define NOTIFY_BATCH	512	/* outbox rows per round */

struct notifier {
	struct app *app;
	struct mqtt *m;
	bool events;
	struct drainer dr;
};

/* The things of one round, each once, and the last outbox id. */
struct round {
	char **things;
	size_t n, cap;
	int64_t last;
};

static int
round_row(int64_t id, const char *thing, void *arg, struct err *err)
{
	struct round *r = arg;
	size_t i;

	(void)err;
	r->last = id;
	for (i = 0; i < r->n; i++)
		if (strcmp(r->things[i], thing) == 0)
			return 0;
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 64 : r->cap * 2;
		r->things = xrealloc(r->things, r->cap *
		    sizeof(*r->things));
	}
	r->things[r->n++] = xstrdup(thing);
	return 0;
}

static void
round_release(struct round *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->things[i]);
	free(r->things);
	memset(r, 0, sizeof(*r));
}

/* --- one thing ----------------------------------------------------------- */

/*
 * Notify's payload is written as text: it has the same shape every time,
 * and building it as jansson objects to dump them cost more than reading
 * the list. The bytes are those of json_dumps(JSON_COMPACT) of the same
 * members in the same order.
 */
struct text {
	char *s;
	size_t len, cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/*
 * V in decimal. The notifier writes some fifty numbers a change; through
 * snprintf they were a fifth of its time.
 */
static void
text_i64(struct text *t, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	text_add(t, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * The pending list of a thing: its summaries (at most
 * STORE_EXEC_PENDING_MAX), and their signature. Notify's payload is built
 * from the summaries only when the signature changed.
 */
struct pending {
	struct store_exec rows[STORE_EXEC_PENDING_MAX];
	size_t n;
	struct text sig;	/* "JOB#N,JOB#N..." */
};

static void
sig_add(struct pending *p, const struct store_exec *e)
{
	if (p->sig.len > 0)
		text_add(&p->sig, ",", 1);
	text_add(&p->sig, e->job_id, strlen(e->job_id));
	text_add(&p->sig, "#", 1);
	text_i64(&p->sig, e->execution_number);
}

static int
pending_row(const struct store_exec *e, void *arg, struct err *err)
{
	struct pending *p = arg;

	(void)err;
	if (p->n == STORE_EXEC_PENDING_MAX)
		return 0;
	/* Summary rows own nothing (no details, no document). */
	p->rows[p->n] = *e;
	p->rows[p->n].status_details = NULL;
	p->rows[p->n].document = NULL;
	p->n++;
	sig_add(p, e);
	return 0;
}

static void
text_int(struct text *t, const char *key, int64_t v)
{
	text_add(t, ",\"", 2);
	text_add(t, key, strlen(key));
	text_add(t, "\":", 2);
	text_i64(t, v);
}

/* S as a JSON string, escaped as jansson escapes it by default. */
static void
text_str(struct text *t, const char *s)
{
	char esc[8];
	const char *run = s;

	text_add(t, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		text_add(t, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':	text_add(t, "\\\"", 2); break;
		case '\\':	text_add(t, "\\\\", 2); break;
		case '\b':	text_add(t, "\\b", 2); break;
		case '\f':	text_add(t, "\\f", 2); break;
		case '\n':	text_add(t, "\\n", 2); break;
		case '\r':	text_add(t, "\\r", 2); break;
		case '\t':	text_add(t, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			text_add(t, esc, 6);
		}
	}
	text_add(t, run, (size_t)(s - run));
	text_add(t, "\"", 1);
}

/*
 * The JobExecutionSummary list of STATUS in P, under the status's name
 * (WIRE.md 10.4).
 */
static void
text_summaries(struct text *t, const struct pending *p,
    enum exec_status status)
{
	const struct store_exec *e;
	bool first = true;
	size_t i;

	for (i = 0; i < p->n; i++) {
		e = &p->rows[i];
		if ((e->status == EXEC_IN_PROGRESS) !=
		    (status == EXEC_IN_PROGRESS))
			continue;
		if (first) {
			if (t->s[t->len - 1] != '{')
				text_add(t, ",", 1);
			text_str(t, exec_status_name(status));
			text_add(t, ":[", 2);
		} else
			text_add(t, ",", 1);
		first = false;
		text_add(t, "{\"jobId\":", 9);
		text_str(t, e->job_id);
		text_int(t, "queuedAt", e->queued_at);
		if (e->started_at != 0)
			text_int(t, "startedAt", e->started_at);
		text_int(t, "lastUpdatedAt", e->last_updated_at);
		text_int(t, "executionNumber", e->execution_number);
		text_int(t, "versionNumber", e->version);
		text_add(t, "}", 1);
	}
	if (!first)
		text_add(t, "]", 1);
}

/* Notify's payload for the pending list P, as text (owned by the caller). */
static char *
render_notify(const struct pending *p, int64_t now)
{
	struct text t;
	char head[48];
	int n;

	memset(&t, 0, sizeof(t));
	n = snprintf(head, sizeof(head), "{\"timestamp\":%lld,\"jobs\":{",
	    (long long)now);
	text_add(&t, head, (size_t)n);
	text_summaries(&t, p, EXEC_IN_PROGRESS);
	text_summaries(&t, p, EXEC_QUEUED);
	text_add(&t, "}}", 2);
	return t.s;
}

/* JobExecution of notify-next, with its document as an object. */
static json_t *
render_next(const struct store_exec *e, int64_t now)
{
	json_t *o = json_object();
	int64_t left = exec_seconds_left(e, now);

	json_object_set_new(o, "jobId", json_string(e->job_id));
	json_object_set_new(o, "thingName", json_string(e->thing_name));
	json_object_set_new(o, "status",
	    json_string(exec_status_name(e->status)));
	if (e->status_details != NULL)
		json_object_set_new(o, "statusDetails",
		    json_deep_copy(e->status_details));
	json_object_set_new(o, "queuedAt", json_integer(e->queued_at));
	if (e->started_at != 0)
		json_object_set_new(o, "startedAt",
		    json_integer(e->started_at));
	json_object_set_new(o, "lastUpdatedAt",
	    json_integer(e->last_updated_at));
	if (left >= 0)
		json_object_set_new(o, "approximateSecondsBeforeTimedOut",
		    json_integer(left));
	json_object_set_new(o, "versionNumber", json_integer(e->version));
	json_object_set_new(o, "executionNumber",
	    json_integer(e->execution_number));
	if (e->document != NULL)
		json_object_set_new(o, "jobDocument",
		    reply_document(e->document));
	return o;
}

/* What to publish for one thing, decided in one read transaction. */
struct thing_state {
	char *list;		/* signature now */
	char head[STORE_EXEC_JOB_ID_MAX + 32];
	char *notify;		/* payload text, NULL: unchanged */
	json_t *next;		/* payload, NULL: unchanged */
};

/*
 * The head of the pending list is its first row (store_exec_next_pending
 * walks the same index in the same order); the execution with its
 * document is read only when the head changed. TX is the round's read
 * transaction.
 */
static int
thing_compute(struct store_tx *tx, const char *thing, int64_t now,
    struct thing_state *ts, struct err *err)
{
	struct pending p;
	struct store_exec e;
	char *old_list = NULL, *old_head = NULL;
	int found, rc = -1;

	memset(&p, 0, sizeof(p));
	memset(&e, 0, sizeof(e));
	memset(ts, 0, sizeof(*ts));
	if (store_exec_pending(tx, thing, STORE_EXEC_PENDING_MAX, pending_row,
	    &p, err) == -1)
		goto out;
	if (p.n > 0)
		snprintf(ts->head, sizeof(ts->head), "%s#%lld",
		    p.rows[0].job_id, (long long)p.rows[0].execution_number);
	if (store_notify_sent_get(tx, thing, &old_list, &old_head,
	    err) == -1)
		goto out;
	ts->list = xstrdup(p.sig.s != NULL ? p.sig.s : "");
	if (strcmp(ts->list, old_list != NULL ? old_list : "") != 0)
		ts->notify = render_notify(&p, now);
	if (strcmp(ts->head, old_head != NULL ? old_head : "") != 0) {
		found = 0;
		if (p.n > 0 && (found = store_exec_next_pending(tx, thing,
		    true, &e, err)) == -1)
			goto out;
		ts->next = json_object();
		json_object_set_new(ts->next, "timestamp", json_integer(now));
		if (found == 1)
			json_object_set_new(ts->next, "execution",
			    render_next(&e, now));
	}
	rc = 0;
out:
	free(old_list);
	free(old_head);
	free(p.sig.s);
	store_exec_release(&e);
	return rc;
}

static void
thing_state_release(struct thing_state *ts)
{
	free(ts->list);
	free(ts->notify);
	json_decref(ts->next);
	memset(ts, 0, sizeof(*ts));
}

/* Publishes what changed for THING; -1 when a publish failed. */
static int
thing_publish(struct notifier *nt, const char *thing,
    const struct thing_state *ts)
{
	char topic[TOPIC_MAX];

	if (ts->notify != NULL && (topic_thing(thing, "notify", topic,
	    sizeof(topic)) == -1 || mqtt_publish_bytes(nt->m, topic,
	    ts->notify, strlen(ts->notify), 1, NULL, 0) == -1))
		return -1;
	if (ts->next != NULL && (topic_thing(thing, "notify-next", topic,
	    sizeof(topic)) == -1 || mqtt_publish(nt->m, topic, ts->next,
	    1) == -1))
		return -1;
	return 0;
}

/* --- rounds ------------------------------------------------------------ */

/*
 * One round over at most NOTIFY_BATCH outbox rows. The rows and every
 * recorded thing's list are read in one read transaction (a begin and an
 * end for each of a round's things cost more than reading its list).
 * Returns the number of rows handled (0: the outbox is empty), or -1
 * (retry later).
 */
static int
notify_round(struct notifier *nt, struct err *err)
{
	struct round r;
	struct thing_state *ts = NULL;
	struct store_tx *tx;
	int64_t now = clock_now();
	size_t i, done = 0;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (store_begin(nt->app->st, false, &tx, err) == -1)
		return -1;
	if (store_outbox_notify(tx, NOTIFY_BATCH, round_row, &r, err) == -1) {
		store_end(tx, false, NULL);
		goto out;
	}
	if (r.n == 0) {
		store_end(tx, false, NULL);
		rc = 0;
		goto out;
	}
	ts = xcalloc(r.n, sizeof(*ts));
	for (i = 0; i < r.n; i++) {
		if (thing_compute(tx, r.things[i], now, &ts[i], err) == -1 ||
		    thing_publish(nt, r.things[i], &ts[i]) == -1)
			break;
		done++;
	}
	store_end(tx, false, NULL);
	/* Record what went out, even after a failure midway. */
	if (store_begin(nt->app->st, true, &tx, err) == -1)
		goto out;
	for (i = 0; i < done; i++)
		if ((ts[i].notify != NULL || ts[i].next != NULL) &&
		    store_notify_sent_put(tx, r.things[i], ts[i].list,
		    ts[i].head, err) == -1)
			break;
	if (i == done && done == r.n &&
	    store_outbox_notify_done(tx, r.last, err) == -1)
		i = 0;
	if (i != done) {
		store_end(tx, false, NULL);
		goto out;
	}
	if (store_end(tx, true, err) == -1)
		goto out;
	rc = done == r.n ? (int)r.n : -1;
out:
	for (i = 0; ts != NULL && i < r.n; i++)
		thing_state_release(&ts[i]);
	free(ts);
	round_release(&r);
	return rc;
}

/* The notifier's drain (struct drainer): every outbox row, then events. */
static int
notify_drain(void *arg, struct err *err)
{
	struct notifier *nt = arg;
	int n;

	/* A connect and mqtt_lead() wake the notifier. */
	if (!mqtt_connected(nt->m) || !mqtt_leads(nt->m))
		return 0;
	do
		n = notify_round(nt, err);
	while (n > 0);
	if (n == 0) {
		do
			n = events_drain(nt->app, nt->m, nt->events,
			    NOTIFY_BATCH, err);
		while (n > 0);
	}
	return n == -1 ? -1 : 0;
}

void
notify_wake(struct notifier *nt)
{
	drainer_wake(&nt->dr);
}

/* The one notifier of the process (a drainer is static). */
static struct notifier notify_one = {
	.dr = DRAINER_INITIALIZER("notifications", notify_drain, &notify_one),
};

struct notifier *
notify_start(struct app *app, struct mqtt *m, bool events)
{
	struct notifier *nt = &notify_one;

	nt->app = app;
	nt->m = m;
	nt->events = events;
	drainer_start(&nt->dr, app->st);
	return nt;
}

void
notify_stop(struct notifier *nt)
{
	if (nt != NULL)
		drainer_stop(&nt->dr);
}
