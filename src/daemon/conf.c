/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's settings: defaults, then environment variables (IOTJOBS_*),
 * then flags. One table lists every option with its default and help line.
 */
#include "conf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credentials_cmd.h"
#include "log.h"

enum conf_kind { CONF_ADDR, CONF_PATH, CONF_STR, CONF_UINT, CONF_FLAG,
    CONF_TEXT };

struct conf_opt {
	const char *flag;	/* long option name */
	const char *env;	/* environment variable, or NULL */
	enum conf_kind kind;
	const char *def;	/* default, as text */
	unsigned long min, max;	/* CONF_UINT bounds */
	const char *help;
};

static const struct conf_opt conf_opts[] = {
	{ "listen", "IOTJOBS_LISTEN", CONF_ADDR, "127.0.0.1:8080", 0, 0,
	  "HOST:PORT to serve HTTP on (both APIs)" },
	{ "tls-listen", "IOTJOBS_TLS_LISTEN", CONF_ADDR, "", 0, 0,
	  "HOST:PORT to serve HTTPS on, with client certificates (empty: off)"
	  },
	{ "tls-cert", "IOTJOBS_TLS_CERT", CONF_TEXT, "", 0, 0,
	  "HTTPS server certificate file (empty: one issued by iotjobsd's CA"
	  " in DATA_DIR/tls/)" },
	{ "tls-key", "IOTJOBS_TLS_KEY", CONF_TEXT, "", 0, 0,
	  "private key file of --tls-cert" },
	{ "public-endpoint", "IOTJOBS_PUBLIC_ENDPOINT", CONF_TEXT, "", 0, 0,
	  "host name DescribeEndpoint answers (empty: the listen hosts)" },
	{ "broker-endpoint", "IOTJOBS_BROKER_ENDPOINT", CONF_TEXT, "", 0, 0,
	  "HOST:PORT devices use for MQTT, answered for iot:Data-ATS (empty:"
	  " the --mqtt broker's)" },
	{ "data-dir", "IOTJOBS_DATA_DIR", CONF_PATH, "./data", 0, 0,
	  "folder of the SQLite store and the credentials file" },
	{ "region", "IOTJOBS_REGION", CONF_STR, "us-east-1", 0, 0,
	  "AWS region used in ARNs" },
	{ "account-id", "IOTJOBS_ACCOUNT_ID", CONF_STR, "123456789012", 0, 0,
	  "12-digit AWS account id used in every ARN" },
	{ "body-limit", "IOTJOBS_BODY_LIMIT", CONF_UINT, "1048576", 1024,
	  64UL << 20, "largest request body accepted, in bytes" },
	{ "request-timeout", "IOTJOBS_REQUEST_TIMEOUT", CONF_UINT, "30", 1,
	  3600, "seconds an idle connection is kept" },
	{ "threads", "IOTJOBS_THREADS", CONF_UINT, "4", 1, 256,
	  "HTTP worker threads" },
	{ "verbose", NULL, CONF_FLAG, "0", 0, 1, "log more detail" },
	{ "test-clock", "IOTJOBS_TEST_CLOCK", CONF_FLAG, "0", 0, 1,
	  "tests only: serve GET/POST /_iotjobs/clock, which reads and"
	  " advances the jobs' clock (kept in the store)" },
	{ "mqtt", "IOTJOBS_MQTT", CONF_TEXT, "", 0, 0,
	  "broker URL mqtt://HOST:PORT or mqtts://HOST:PORT (empty: no MQTT)" },
	{ "mqtt-ca", "IOTJOBS_MQTT_CA", CONF_TEXT, "", 0, 0,
	  "mqtts: CA certificate file of the broker" },
	{ "mqtt-cert", "IOTJOBS_MQTT_CERT", CONF_TEXT, "", 0, 0,
	  "mqtts: client certificate file" },
	{ "mqtt-key", "IOTJOBS_MQTT_KEY", CONF_TEXT, "", 0, 0,
	  "mqtts: private key file of the client certificate" },
	{ "mqtt-username", "IOTJOBS_MQTT_USERNAME", CONF_TEXT, "", 0, 0,
	  "MQTT username of iotjobsd" },
	{ "mqtt-password", "IOTJOBS_MQTT_PASSWORD", CONF_TEXT, "", 0, 0,
	  "MQTT password (prefer the environment variable)" },
	{ "mqtt-client-id", "IOTJOBS_MQTT_CLIENT_ID", CONF_TEXT, "", 0, 0,
	  "MQTT client id (empty: iotjobsd-HOST-PID)" },
	{ "mqtt-share-group", "IOTJOBS_MQTT_SHARE_GROUP", CONF_TEXT, "", 0, 0,
	  "subscribe as $share/NAME/... so that nodes share the requests" },
	{ "mqtt-queue", "IOTJOBS_MQTT_QUEUE", CONF_UINT, "20000", 1, 1000000,
	  "MQTT requests waiting for a worker; more are RequestThrottled" },
	{ "mqtt-events", NULL, CONF_FLAG, "0", 0, 1,
	  "publish job and execution events on $aws/events/..." },
	{ "broker-socket", "IOTJOBS_BROKER_SOCKET", CONF_TEXT, "DEFAULT", 0, 0,
	  "Unix socket of the broker plugin (DEFAULT: DATA_DIR/broker.sock;"
	  " \"off\": none)" },
	{ "ca-cert", "IOTJOBS_CA_CERT", CONF_TEXT, "", 0, 0,
	  "CA certificate that signs device certificates (empty: "
	  "DATA_DIR/tls/ca.crt, created on first start)" },
	{ "ca-key", "IOTJOBS_CA_KEY", CONF_TEXT, "", 0, 0,
	  "unencrypted private key of --ca-cert (with it only)" },
	{ "metrics-listen", "IOTJOBS_METRICS_LISTEN", CONF_ADDR, "", 0, 0,
	  "HOST:PORT serving GET /metrics to anyone (empty: off; /metrics on"
	  " --listen answers loopback peers and --metrics-token holders)" },
	{ "metrics-token", "IOTJOBS_METRICS_TOKEN", CONF_TEXT, "", 0, 0,
	  "bearer token that opens /metrics on --listen to other hosts"
	  " (prefer the environment variable)" },
	{ "metrics-jobs", "IOTJOBS_METRICS_JOBS", CONF_UINT, "20", 0, 1000,
	  "the most recent jobs /metrics shows per-job series for" },
};
#define CONF_NOPTS (sizeof(conf_opts) / sizeof(conf_opts[0]))

static void
conf_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: iotjobsd [options]\n\n"
	    "Serves the AWS IoT Jobs data plane and the jobs control plane.\n"
	    "\noptions (environment variable, default):\n");
	for (i = 0; i < CONF_NOPTS; i++) {
		const struct conf_opt *o = &conf_opts[i];

		fprintf(f, "  --%-18s %s\n  %20s (%s%s%s)\n", o->flag,
		    o->help, "", o->env != NULL ? o->env : "",
		    o->env != NULL ? ", " : "", o->def);
	}
	fprintf(f, "  --%-18s %s\n", "help", "print this help and exit");
	fprintf(f, "\nThe admin credential comes from IOTJOBS_ACCESS_KEY_ID and"
	    " IOTJOBS_SECRET_ACCESS_KEY;\nwhen unset, one is generated on first"
	    " start and kept in DATA_DIR/credentials.json.\n"
	    "\ncommands (run beside the daemon, or without it):\n");
	credentials_cmd_usage(f);
}

static int
conf_uint(const char *text, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
conf_addr(struct conf *conf, const char *flag, const char *text)
{
	const char *colon = strrchr(text, ':');
	char *host = conf->listen_host;
	int *portp = &conf->listen_port;
	unsigned long port;
	size_t hlen;

	if (strcmp(flag, "tls-listen") == 0 ||
	    strcmp(flag, "metrics-listen") == 0) {
		host = flag[0] == 't' ? conf->tls_listen_host :
		    conf->metrics_listen_host;
		portp = flag[0] == 't' ? &conf->tls_listen_port :
		    &conf->metrics_listen_port;
		if (text[0] == '\0') {
			host[0] = '\0';
			*portp = -1;
			return 0;
		}
	}
	if (colon == NULL || conf_uint(colon + 1, 0, 65535, &port) == -1)
		return -1;
	hlen = (size_t)(colon - text);
	if (text[0] == '[' && hlen >= 2 && text[hlen - 1] == ']') {
		text++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(conf->listen_host))
		return -1;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	*portp = (int)port;
	return 0;
}

/* The text setting of flag FLAG, its size in *SIZE. */
static char *
conf_text(struct conf *conf, const char *flag, size_t *size)
{
	struct { const char *flag; char *buf; size_t size; } t[] = {
		{ "mqtt", conf->mqtt_url, sizeof(conf->mqtt_url) },
		{ "tls-cert", conf->tls_cert, sizeof(conf->tls_cert) },
		{ "tls-key", conf->tls_key, sizeof(conf->tls_key) },
		{ "public-endpoint", conf->public_endpoint,
		  sizeof(conf->public_endpoint) },
		{ "broker-endpoint", conf->broker_endpoint,
		  sizeof(conf->broker_endpoint) },
		{ "mqtt-ca", conf->mqtt_ca, sizeof(conf->mqtt_ca) },
		{ "mqtt-cert", conf->mqtt_cert, sizeof(conf->mqtt_cert) },
		{ "mqtt-key", conf->mqtt_key, sizeof(conf->mqtt_key) },
		{ "mqtt-username", conf->mqtt_username,
		  sizeof(conf->mqtt_username) },
		{ "mqtt-password", conf->mqtt_password,
		  sizeof(conf->mqtt_password) },
		{ "mqtt-client-id", conf->mqtt_client_id,
		  sizeof(conf->mqtt_client_id) },
		{ "mqtt-share-group", conf->mqtt_share_group,
		  sizeof(conf->mqtt_share_group) },
		{ "broker-socket", conf->broker_socket,
		  sizeof(conf->broker_socket) },
		{ "ca-cert", conf->ca_cert, sizeof(conf->ca_cert) },
		{ "ca-key", conf->ca_key, sizeof(conf->ca_key) },
		{ "metrics-token", conf->metrics_token,
		  sizeof(conf->metrics_token) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].flag, flag) == 0) {
			*size = t[i].size;
			return t[i].buf;
		}
	return NULL;
}

static int
conf_set(struct conf *conf, const struct conf_opt *o, const char *v)
{
	unsigned long n;
	size_t size;
	char *buf;

	switch (o->kind) {
	case CONF_ADDR:
		return conf_addr(conf, o->flag, v);
	case CONF_PATH:
		if (v[0] == '\0' || strlen(v) >= sizeof(conf->data_dir))
			return -1;
		snprintf(conf->data_dir, sizeof(conf->data_dir), "%s", v);
		return 0;
	case CONF_STR:
		if (strcmp(o->flag, "region") == 0) {
			if (v[0] == '\0' || strlen(v) >= sizeof(conf->region))
				return -1;
			snprintf(conf->region, sizeof(conf->region), "%s", v);
			return 0;
		}
		if (strlen(v) != 12 || strspn(v, "0123456789") != 12)
			return -1;
		snprintf(conf->account_id, sizeof(conf->account_id), "%s", v);
		return 0;
	case CONF_UINT:
		if (conf_uint(v, o->min, o->max, &n) == -1)
			return -1;
		if (strcmp(o->flag, "body-limit") == 0)
			conf->body_limit = n;
		else if (strcmp(o->flag, "request-timeout") == 0)
			conf->request_timeout = (unsigned)n;
		else if (strcmp(o->flag, "mqtt-queue") == 0)
			conf->mqtt_queue = n;
		else if (strcmp(o->flag, "metrics-jobs") == 0)
			conf->metrics_jobs = (unsigned)n;
		else
			conf->threads = (unsigned)n;
		return 0;
	case CONF_FLAG:
		if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0 &&
		    strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return -1;
		if (strcmp(o->flag, "mqtt-events") == 0)
			conf->mqtt_events = v[0] == '1' || v[0] == 't';
		else if (strcmp(o->flag, "test-clock") == 0)
			conf->test_clock = v[0] == '1' || v[0] == 't';
		else
			conf->verbosity = v[0] == '1' || v[0] == 't';
		return 0;
	case CONF_TEXT:
		buf = conf_text(conf, o->flag, &size);
		if (buf == NULL || strlen(v) >= size)
			return -1;
		snprintf(buf, size, "%s", v);
		return 0;
	}
	return -1;
}

/* --broker-socket: DEFAULT is DATA_DIR/broker.sock, off is none. */
static void
conf_broker_socket(struct conf *conf)
{
	char *p = conf->broker_socket;

	if (strcmp(p, "off") == 0) {
		p[0] = '\0';
	} else if (strcmp(p, "DEFAULT") == 0) {
		if ((size_t)snprintf(p, sizeof(conf->broker_socket),
		    "%s/broker.sock", conf->data_dir) >=
		    sizeof(conf->broker_socket))
			fatalx("--data-dir too long for the broker socket");
	}
}

void
conf_load(struct conf *conf, int argc, char **argv)
{
	struct option longopts[CONF_NOPTS + 2];
	size_t i;
	int c, idx;

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < CONF_NOPTS; i++) {
		const struct conf_opt *o = &conf_opts[i];
		const char *env = o->env != NULL ? getenv(o->env) : NULL;

		if (conf_set(conf, o, o->def) == -1)
			fatalx("bad default for --%s", o->flag);
		if (env != NULL && env[0] != '\0' &&
		    conf_set(conf, o, env) == -1)
			fatalx("invalid %s: \"%s\"", o->env, env);
		longopts[i].name = o->flag;
		longopts[i].has_arg = o->kind == CONF_FLAG ? no_argument :
		    required_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 0;
	}
	longopts[CONF_NOPTS] = (struct option){ "help", no_argument, NULL,
	    'h' };
	longopts[CONF_NOPTS + 1] = (struct option){ NULL, 0, NULL, 0 };
	while ((c = getopt_long(argc, argv, "hv", longopts, &idx)) != -1) {
		const struct conf_opt *o;

		if (c == 'h') {
			conf_usage(stdout);
			exit(0);
		}
		if (c == 'v') {
			conf->verbosity++;
			continue;
		}
		if (c != 0) {
			conf_usage(stderr);
			exit(2);
		}
		o = &conf_opts[idx];
		if (conf_set(conf, o, o->kind == CONF_FLAG ? "1" : optarg) ==
		    -1) {
			fprintf(stderr, "iotjobsd: invalid --%s \"%s\"\n",
			    o->flag, optarg != NULL ? optarg : "");
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "iotjobsd: unexpected argument \"%s\"\n",
		    argv[optind]);
		exit(2);
	}
	conf_broker_socket(conf);
}
