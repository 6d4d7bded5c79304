/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's settings, from the configuration file, environment variables
 * and flags (each overriding the one before).
 */
#ifndef IOTJOBS_CONF_H
#define IOTJOBS_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "log.h"

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
	char store[1024];	/* store URL; "": sqlite in data_dir */
	char region[64];
	char account_id[16];
	size_t body_limit;	/* bytes of request body accepted */
	unsigned request_timeout;	/* seconds of idle connection */
	unsigned threads;	/* HTTP worker threads */
	/* Hostile load (http/conn_guard.h, docs/compatibility.md). */
	unsigned head_timeout;	/* seconds to a connection's first head */
	size_t body_min_rate;	/* bytes/s of a body after the grace */
	unsigned max_connections;	/* 0: from the open-file limit */
	unsigned per_address_limit;	/* 0: none */
	bool per_address_exempt_loopback;
	size_t body_budget;	/* bytes of bodies buffered at once */
	bool strict_permissions;	/* refuse a data folder others read */
	char broker_group[64];	/* group of what the broker reads; "": ours */
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
	/* Logging (common/log.h); -v makes the level LOG_LEVEL_DEBUG. */
	enum log_format log_format;
	enum log_level log_level;
	char config[PATH_MAX];	/* the configuration file read, or "" */
};

/*
 * Fills CONF from the defaults, the configuration file (--config FILE,
 * else IOTJOBS_CONFIG, else SYSCONFDIR/iotjobs/iotjobsd.conf when it
 * exists), the environment and ARGV, in that order. Exits: 0 after
 * --help, --version, --print-config-template and a clean --check-config;
 * 1 after --check-config found problems; 2 when a setting is wrong (each
 * problem printed on stderr, with its file and line).
 */
void conf_load(struct conf *conf, int argc, char **argv);

/* The store URL of CONF: --store, else its data folder. */
const char *conf_store_url(const struct conf *conf);

/*
 * For a subcommand working on data folder DIR: the store URL, from
 * IOTJOBS_STORE, else the configuration file's store, else DIR.
 */
int conf_store_of(const char *dir, char *out, size_t size, struct err *err);

/*
 * The data folder a subcommand (credentials, backup, restore) works on:
 * FLAG (its --data-dir, NULL when not given), else IOTJOBS_DATA_DIR, else
 * data-dir of the configuration file the daemon would read, else ./data.
 * -1 with ERR when the file has problems.
 */
int conf_data_dir(const char *flag, char *out, size_t size, struct err *err);

#endif
