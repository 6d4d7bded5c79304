/* SPDX-License-Identifier: Apache-2.0 */
/* iotjobsd's settings, from flags and environment variables. */
#ifndef IOTJOBS_CONF_H
#define IOTJOBS_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct conf {
	char listen_host[256];
	int listen_port;
	/* HTTPS listener (client certificates, both planes); port -1: off. */
	char tls_listen_host[256];
	int tls_listen_port;
	char tls_cert[PATH_MAX];	/* empty: issued by iotjobsd's CA */
	char tls_key[PATH_MAX];
	char public_endpoint[256];	/* host devices reach; empty: listen */
	char broker_endpoint[256];	/* HOST:PORT of MQTT for devices */
	char data_dir[PATH_MAX];
	char region[64];
	char account_id[16];
	size_t body_limit;	/* bytes of request body accepted */
	unsigned request_timeout;	/* seconds of idle connection */
	unsigned threads;	/* HTTP worker threads */
	int verbosity;
	bool test_clock;	/* --test-clock: GET/POST /_iotjobs/clock */
	/* MQTT front end (mqtt/): off when mqtt_url is empty. */
	char mqtt_url[512];	/* mqtt://HOST:PORT or mqtts://HOST:PORT */
	char mqtt_ca[PATH_MAX];	/* mqtts: CA file */
	char mqtt_cert[PATH_MAX];	/* mqtts: client certificate */
	char mqtt_key[PATH_MAX];	/* mqtts: its private key */
	char mqtt_username[256];
	char mqtt_password[256];
	char mqtt_client_id[128];	/* empty: iotjobsd-<host>-<pid> */
	char mqtt_share_group[64];	/* empty: plain subscriptions */
	size_t mqtt_queue;	/* requests waiting, then RequestThrottled */
	int mqtt_events;	/* publish $aws/events/... */
	/* The broker plugin's socket (http/broker_listener.c); "": off. */
	char broker_socket[PATH_MAX];
	/* iotjobsd's CA (auth/ca.c): both empty for DATA_DIR/tls/ca.*. */
	char ca_cert[PATH_MAX];
	char ca_key[PATH_MAX];
	/* /metrics (http/metrics.c): its own listener (port -1: off), the
	 * bearer token that opens it on --listen, per-job series kept. */
	char metrics_listen_host[256];
	int metrics_listen_port;
	char metrics_token[256];
	unsigned metrics_jobs;
};

/* Fills CONF from the environment and ARGV; exits on --help or bad flags. */
void conf_load(struct conf *conf, int argc, char **argv);

#endif
