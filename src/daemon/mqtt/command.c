/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands over MQTT (command.h, WIRE.md 10.7), the transport: a device
 * report's topic and payload go to api_command_report (api/command_report.c,
 * which checks and applies it in one write transaction) before the reply
 * is published. The delivery thread
 * drains the command outbox after commits, publishing each payload with
 * its MQTT 5 content type and a message expiry of the execution's
 * remaining time (expired payloads are dropped), and deletes what went
 * out; a broker that is away keeps the rows for the next round.
 */
#include "mqtt/command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/command_report.h"
#include "clock.h"
#include "log.h"
#include "mqtt/mqtt_int.h"
#include "mqtt/reply.h"
#include "mqtt/topic.h"
#include "store/store.h"
#include "store/store_command.h"

#define CMD_PREFIX		"$aws/commands/"
#define DELIVERY_BATCH		256

int
command_topic_split(const struct conf *conf, const char *topic,
    struct command_topic *t)
{
	const char *p, *kind, *id, *ex, *end;
	size_t klen;

	if (strncmp(topic, CMD_PREFIX, strlen(CMD_PREFIX)) != 0)
		return -1;
	kind = topic + strlen(CMD_PREFIX);
	if (strncmp(kind, "things/", 7) == 0)
		klen = 6;
	else if (strncmp(kind, "clients/", 8) == 0)
		klen = 7;
	else
		return -1;
	id = kind + klen + 1;
	p = strchr(id, '/');
	if (p == NULL || p == id || strncmp(p, "/executions/", 12) != 0)
		return -1;
	ex = p + 12;
	end = strchr(ex, '/');
	if (end == NULL || end == ex || strcmp(end, "/response/json") != 0 ||
	    (size_t)(end - ex) > STORE_CMD_EXEC_ID_MAX)
		return -1;
	snprintf(t->target, sizeof(t->target), "arn:aws:iot:%s:%s:%s/%.*s",
	    conf->region, conf->account_id, klen == 6 ? "thing" : "client",
	    (int)(p - id), id);
	snprintf(t->exec_id, sizeof(t->exec_id), "%.*s", (int)(end - ex), ex);
	return 0;
}

bool
command_topic_is(const char *topic)
{
	return strncmp(topic, CMD_PREFIX, strlen(CMD_PREFIX)) == 0;
}

void
command_response(struct app *app, struct mqtt *m, const char *topic,
    const char *payload, size_t len, int qos)
{
	char reply[TOPIC_MAX + 32];
	struct command_topic t;
	struct err err;
	json_t *in = NULL, *out;
	size_t base;
	int rc;

	err_clear(&err);
	if (command_topic_split(app->conf, topic, &t) == -1)
		return;
	in = json_loadb(payload, len, 0, NULL);
	if (!json_is_object(in))
		rc = err_set(&err, MQTT_INVALID_JSON, "The payload is not a"
		    " JSON object");
	else
		rc = api_command_report(app, t.exec_id, t.target, in, &err);
	json_decref(in);
	if (rc == 0)
		out = json_pack("{s:s}", "executionId", t.exec_id);
	else
		out = json_pack("{s:s, s:s, s:s}", "error", err.type,
		    "errorMessage", err.msg, "executionId", t.exec_id);
	base = strlen(topic) - strlen("/json");
	snprintf(reply, sizeof(reply), "%.*s/%s/json", (int)base, topic,
	    rc == 0 ? "accepted" : "rejected");
	mqtt_publish(m, reply, out, qos);
	log_info("mqtt command report topic=%s %s%s", topic,
	    rc == 0 ? "accepted" : "rejected code=", rc == 0 ? "" : err.type);
	json_decref(out);
}

/* --- delivery ---------------------------------------------------------- */

struct command_delivery {
	struct app *app;
	struct mqtt *m;
	bool events;
	struct drainer dr;
};

struct round {
	struct command_delivery *d;
	int64_t now, last;
	int n;
};

static int
deliver_row(const struct store_cmd_msg *msg, void *arg, struct err *err)
{
	struct round *r = arg;
	int64_t left = msg->expire_at - r->now;

	if (strcmp(msg->kind, "event") == 0 ? r->d->events :
	    msg->expire_at == 0 || left > 0) {
		if (mqtt_publish_bytes(r->d->m, msg->topic, msg->payload,
		    msg->len, 1, msg->content_type, msg->expire_at == 0 ? 0 :
		    left) == -1)
			return err_set(err, ERR_UNAVAILABLE, "mqtt: publishing"
			    " %s failed", msg->topic);
	}
	r->last = msg->id;
	r->n++;
	return 0;
}

/* One round: the rows handled, or -1 (the rest waits for a retry). */
static int
deliver_round(struct command_delivery *d, struct err *err)
{
	struct store_tx *tx;
	struct round r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.now = clock_now();
	/* A connect and mqtt_lead() wake the delivery. */
	if (!mqtt_connected(d->m) || !mqtt_leads(d->m))
		return 0;
	if (store_begin(d->app->st, false, &tx, err) == -1)
		return -1;
	rc = store_cmd_outbox_walk(tx, DELIVERY_BATCH, deliver_row, &r, err);
	store_end(tx, false, NULL);
	if (r.n == 0)
		return rc;
	if (store_begin(d->app->st, true, &tx, err) == -1)
		return -1;
	if (store_cmd_outbox_done(tx, r.last, err) == -1) {
		store_end(tx, false, NULL);
		return -1;
	}
	if (store_end(tx, true, err) == -1)
		return -1;
	return rc == -1 ? -1 : r.n;
}

/* The delivery's drain (struct drainer): every outbox row. */
static int
delivery_drain(void *arg, struct err *err)
{
	struct command_delivery *d = arg;
	int n;

	do
		n = deliver_round(d, err);
	while (n == DELIVERY_BATCH);
	return n == -1 ? -1 : 0;
}

void
command_delivery_wake(struct command_delivery *d)
{
	if (d != NULL)
		drainer_wake(&d->dr);
}

/* One delivery thread per process (a drainer is static). */
static struct command_delivery delivery_one = {
	.dr = DRAINER_INITIALIZER("command deliveries", delivery_drain,
	    &delivery_one),
};

struct command_delivery *
command_delivery_start(struct app *app, struct mqtt *m, bool events)
{
	struct command_delivery *d = &delivery_one;

	d->app = app;
	d->m = m;
	d->events = events;
	drainer_start(&d->dr, app->st);
	return d;
}

void
command_delivery_stop(struct command_delivery *d)
{
	if (d != NULL)
		drainer_stop(&d->dr);
}
