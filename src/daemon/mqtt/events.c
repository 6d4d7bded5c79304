/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Job and execution events (WIRE.md 10.8), off unless --mqtt-events: the
 * rows triggers put in event_outbox (migration 0007) become messages on
 * $aws/events/job/{jobId}/{operation} and
 * $aws/events/jobExecution/{jobId}/{operation}. When events are off the
 * rows are dropped, so the outbox does not grow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "log.h"
#include "mqtt/mqtt_int.h"
#include "mqtt/topic.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "uuid.h"

struct drain {
	struct app *app;
	struct mqtt *m;
	bool publish;
	int64_t last;
	int n;
};

static int
event_row(const struct store_event *ev, void *arg, struct err *err)
{
	struct drain *d = arg;
	bool job = strcmp(ev->kind, "job") == 0;
	char topic[TOPIC_MAX], id[40], arn[512];
	json_t *o;
	int rc;

	if (!d->publish) {
		d->last = ev->id;
		d->n++;
		return 0;
	}
	if (uuid_new(id, err) == -1)
		return -1;
	o = json_object();
	json_object_set_new(o, "eventType",
	    json_string(job ? "JOB" : "JOB_EXECUTION"));
	json_object_set_new(o, "eventId", json_string(id));
	json_object_set_new(o, "timestamp", json_integer(ev->at));
	json_object_set_new(o, "operation", json_string(ev->operation));
	json_object_set_new(o, "jobId", json_string(ev->job_id));
	json_object_set_new(o, "status", json_string(ev->status));
	if (!job) {
		struct api_ctx ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.conf = d->app->conf;
		api_arn(&ctx, "thing", ev->thing_name != NULL ?
		    ev->thing_name : "", arn, sizeof(arn));
		json_object_set_new(o, "thingArn", json_string(arn));
		if (ev->status_details != NULL) {
			json_t *sd = json_loads(ev->status_details, 0, NULL);

			if (json_is_object(sd))
				json_object_set_new(o, "statusDetails", sd);
			else
				json_decref(sd);
		}
		if (ev->version > 0)
			json_object_set_new(o, "versionNumber",
			    json_integer(ev->version));
	}
	snprintf(topic, sizeof(topic), "$aws/events/%s/%s/%s",
	    job ? "job" : "jobExecution", ev->job_id, ev->operation);
	rc = mqtt_publish(d->m, topic, o, 1);
	json_decref(o);
	if (rc == -1)
		return err_set(err, ERR_UNAVAILABLE, "mqtt: publishing %s"
		    " failed", topic);
	d->last = ev->id;
	d->n++;
	return 0;
}

int
events_drain(struct app *app, struct mqtt *m, bool events, int limit,
    struct err *err)
{
	struct drain d;
	struct store_tx *tx;
	int rc;

	memset(&d, 0, sizeof(d));
	d.app = app;
	d.m = m;
	d.publish = events;
	if (store_begin(app->st, false, &tx, err) == -1)
		return -1;
	rc = store_outbox_events(tx, limit, event_row, &d, err);
	store_end(tx, false, NULL);
	if (d.n == 0)
		return rc;
	/* Delete what went out, even when a later publish failed. */
	if (store_begin(app->st, true, &tx, err) == -1)
		return -1;
	if (store_outbox_events_done(tx, d.last, err) == -1) {
		store_end(tx, false, NULL);
		return -1;
	}
	if (store_end(tx, true, err) == -1)
		return -1;
	return rc == -1 ? -1 : d.n;
}
