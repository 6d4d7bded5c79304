/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DescribeEndpoint (GET /endpoint?endpointType=): where devices and tools
 * reach this deployment, as AWS answers it for an account
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeEndpoint.html):
 *   iot:Jobs, iot:CredentialProvider  the HTTPS listener (--tls-listen),
 *                                     or the HTTP one without it
 *   iot:Data-ATS, iot:Data (default)  the broker devices use
 *                                     (--broker-endpoint, else --mqtt's)
 * The host is --public-endpoint when set, else the listen host. AWS
 * answers a bare host name on the protocol's standard port; a deployment
 * on another port answers HOST:PORT, which clients that build
 * https://ADDRESS or split host and port both take.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "num.h"

#define HTTPS_PORT	443
#define MQTTS_PORT	8883

static void
address(char *buf, size_t size, const char *host, int port, int standard)
{
	bool v6 = strchr(host, ':') != NULL;

	if (port == standard)
		snprintf(buf, size, "%s", host);
	else
		snprintf(buf, size, "%s%s%s:%d", v6 ? "[" : "", host,
		    v6 ? "]" : "", port);
}

/* The host part of --mqtt's URL (mqtt://HOST:PORT), and its port. */
static int
broker_from_url(const char *url, char *host, size_t size, int *port)
{
	const char *p = strstr(url, "://"), *colon;
	size_t n, plen;
	int64_t v;

	if (p == NULL)
		return -1;
	p += 3;
	colon = strrchr(p, ':');
	if (colon == NULL || colon == p)
		return -1;
	n = (size_t)(colon - p);
	if (n >= size)
		return -1;
	memcpy(host, p, n);
	host[n] = '\0';
	plen = strlen(colon + 1);
	if (plen > 0 && colon[plen] == '/')
		plen--;
	if (num_parse_i64_len(colon + 1, plen, 1, 65535, &v) == -1)
		return -1;
	*port = (int)v;
	return 0;
}

static int
data_address(const struct conf *conf, char *buf, size_t size,
    struct err *err)
{
	char host[256];
	int port;

	if (conf->broker_endpoint[0] != '\0') {
		snprintf(buf, size, "%s", conf->broker_endpoint);
		return 0;
	}
	if (broker_from_url(conf->mqtt_url, host, sizeof(host), &port) == -1)
		return err_set(err, ERR_INVALID_REQUEST, "endpointType: this"
		    " deployment has no MQTT broker (iotjobsd runs without"
		    " --mqtt and --broker-endpoint)");
	address(buf, size, conf->public_endpoint[0] != '\0' ?
	    conf->public_endpoint : host, port, MQTTS_PORT);
	return 0;
}

static int
endpoint_describe(struct api_ctx *ctx, json_t *in, json_t **out,
    struct err *err)
{
	const struct conf *conf = ctx->conf;
	const char *type = api_in_str(in, "endpointType");
	char buf[512];
	bool tls = conf->tls_listen_port >= 0;

	if (type == NULL || strcmp(type, "iot:Data") == 0 ||
	    strcmp(type, "iot:Data-ATS") == 0) {
		if (data_address(conf, buf, sizeof(buf), err) == -1)
			return -1;
	} else if (strcmp(type, "iot:Jobs") == 0 ||
	    strcmp(type, "iot:CredentialProvider") == 0) {
		address(buf, sizeof(buf), conf->public_endpoint[0] != '\0' ?
		    conf->public_endpoint : tls ? conf->tls_listen_host :
		    conf->listen_host, tls ? conf->tls_listen_port :
		    conf->listen_port, tls ? HTTPS_PORT : -1);
	} else {
		return err_set(err, ERR_INVALID_REQUEST, "endpointType '%s'"
		    " is not one of iot:Data, iot:Data-ATS, iot:Jobs,"
		    " iot:CredentialProvider", type);
	}
	*out = json_pack("{s:s}", "endpointAddress", buf);
	return 0;
}

const struct api_op api_endpoint_ops[] = {
	{ "DescribeEndpoint", PLANE_CONTROL, endpoint_describe, 0 },
	{ NULL, 0, NULL, 0 },
};
