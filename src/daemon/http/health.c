/* SPDX-License-Identifier: Apache-2.0 */
/* The unauthenticated health and readiness probes: see health.h. */
#include "http/health.h"

#include <stdatomic.h>
#include <string.h>

#include "mqtt/mqtt.h"
#include "store/store.h"

#define HEALTH_PATH	"/_iotjobs/health"
#define READY_PATH	"/_iotjobs/ready"

static _Atomic(struct mqtt *) health_mqtt;
static atomic_bool health_leads;

void
health_set_mqtt(struct mqtt *m)
{
	atomic_store(&health_mqtt, m);
}

void
health_set_leader(bool leads)
{
	atomic_store(&health_leads, leads);
}

bool
health_is_route(const char *raw_path)
{
	return strcmp(raw_path, HEALTH_PATH) == 0 ||
	    strcmp(raw_path, READY_PATH) == 0;
}

static json_t *
ready(struct app *app, int *status)
{
	struct mqtt *m = atomic_load(&health_mqtt);
	const char *broker = "off";
	struct err err;
	bool store_ok, ok;

	err_clear(&err);
	store_ok = store_ping(app->st, &err) == 0;
	if (app->conf->mqtt_url[0] != '\0')
		broker = m != NULL && mqtt_is_connected(m) ? "connected" :
		    "disconnected";
	ok = store_ok && strcmp(broker, "disconnected") != 0;
	*status = ok ? 200 : 503;
	return json_pack("{s:s, s:s, s:s, s:s}", "status", ok ? "ready" :
	    "unavailable", "store", store_ok ? "ok" : "unavailable",
	    "broker", broker, "role", atomic_load(&health_leads) ? "leader" :
	    "standby");
}

int
health_serve(struct app *app, const struct http_request *req, json_t **out,
    int *status, struct err *err)
{
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0)
		return err_set_status(err, 405, ERR_INVALID_REQUEST, "%s %s: "
		    "use GET", req->method, req->raw_path);
	if (strcmp(req->raw_path, HEALTH_PATH) == 0) {
		*status = 200;
		*out = json_pack("{s:s}", "status", "ok");
		return 0;
	}
	*out = ready(app, status);
	return 0;
}
