/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /_iotjobs/status (`iotjobs status`): what an operator checks first.
 * The version, the jobs' clock, the store (file, schema, size), the MQTT
 * broker and whether it is connected, whether this node leads the nodes
 * sharing the store, and every listener with the port it bound.
 */
#include "api/ext.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "clock.h"
#include "mqtt/mqtt.h"
#include "store/store.h"
#include "version.h"

static void
listener_add(json_t *list, const char *kind, const char *host, int port)
{
	char addr[300];

	if (port < 0)
		return;
	snprintf(addr, sizeof(addr), "%s%s%s:%d", strchr(host, ':') != NULL ?
	    "[" : "", host, strchr(host, ':') != NULL ? "]" : "", port);
	json_array_append_new(list, json_pack("{s:s, s:s}", "kind", kind,
	    "address", addr));
}

int
ext_status(struct api_ctx *ctx, json_t *in, json_t **out, struct err *err)
{
	const struct conf *conf = ctx->conf;
	const char *path = store_path(ctx->st);
	json_t *listeners = json_array();
	struct err serr;
	int64_t size = 0;

	(void)in;
	(void)err;
	if (store_size_bytes(ctx->st, &size, &serr) == -1)
		size = 0;
	listener_add(listeners, "http", conf->listen_host, conf->listen_port);
	listener_add(listeners, "https", conf->tls_listen_host,
	    conf->tls_listen_port);
	if (conf->metrics_listen_port >= 0)
		listener_add(listeners, "metrics", conf->metrics_listen_host,
		    conf->metrics_listen_port);
	if (conf->broker_socket[0] != '\0')
		json_array_append_new(listeners, json_pack("{s:s, s:s}",
		    "kind", "broker-socket", "address", conf->broker_socket));
	*out = json_pack("{s:s, s:I, s:b, s:s, s:s, s:{s:s, s:s, s:i, s:I},"
	    " s:{s:b, s:s, s:b}, s:b, s:o}",
	    "version", version_string(),
	    "now", (json_int_t)clock_now(),
	    "testClock", conf->test_clock,
	    "region", conf->region,
	    "accountId", conf->account_id,
	    "store", "backend", store_backend_name(ctx->st), "path", path,
	    "schemaVersion", store_schema_version(ctx->st),
	    "sizeBytes", (json_int_t)size,
	    "broker", "configured", conf->mqtt_url[0] != '\0',
	    "url", conf->mqtt_url,
	    "connected", ctx->app->mqtt != NULL &&
	    mqtt_is_connected(ctx->app->mqtt),
	    "leader", store_leads(ctx->st),
	    "listeners", listeners);
	return 0;
}
