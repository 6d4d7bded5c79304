/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd's settings: defaults, then the configuration file, then
 * environment variables (IOTJOBS_*), then flags. One table lists every
 * option with its default and help line; --help, the example file
 * etc/iotjobsd.conf and the option lists of iotjobsd(8) and
 * iotjobsd.conf(5) are printed from it (conf_print_template), so that
 * none of them can drift from the code.
 */
#include "conf.h"
#include "conf_int.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup_cmd.h"
#include "build_info.h"
#include "credentials_cmd.h"
#include "migrate_cmd.h"
#include "num.h"
#include "version.h"
#include "xmalloc.h"

const struct conf_opt conf_opts[] = {
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
	{ "store", "IOTJOBS_STORE", CONF_TEXT, "", 0, 0,
	  "store URL: sqlite:PATH, or postgresql://... (a libpq connection"
	  " URI; empty: sqlite:DATA_DIR/iotjobs.db)" },
	{ "region", "IOTJOBS_REGION", CONF_STR, "us-east-1", 0, 0,
	  "AWS region used in ARNs; requests must be signed for it" },
	{ "account-id", "IOTJOBS_ACCOUNT_ID", CONF_STR, "123456789012", 0, 0,
	  "12-digit AWS account id used in every ARN" },
	{ "body-limit", "IOTJOBS_BODY_LIMIT", CONF_UINT, "1048576", 1024,
	  64UL << 20, "largest request body accepted, in bytes" },
	{ "request-timeout", "IOTJOBS_REQUEST_TIMEOUT", CONF_UINT, "30", 1,
	  3600, "seconds a kept-alive connection has, after an answer, to"
	  " send its next complete request head" },
	{ "threads", "IOTJOBS_THREADS", CONF_UINT, "4", 1, 256,
	  "HTTP worker threads" },
	{ "head-timeout", "IOTJOBS_HEAD_TIMEOUT", CONF_UINT, "10", 1, 3600,
	  "seconds a new connection has to complete its TLS handshake and"
	  " its first request head" },
	{ "body-min-rate", "IOTJOBS_BODY_MIN_RATE", CONF_UINT, "1024", 1,
	  1UL << 30, "bytes/s a request body must average once"
	  " --head-timeout seconds have passed since its head" },
	{ "max-connections", "IOTJOBS_MAX_CONNECTIONS", CONF_UINT, "0", 0,
	  1000000, "open HTTP(S) connections; past it the oldest idle one is"
	  " closed (0: the open-file limit, raised to its hard limit, less a"
	  " reserve)" },
	{ "per-address-limit", "IOTJOBS_PER_ADDRESS_LIMIT", CONF_UINT, "256",
	  0, 1000000, "open connections per client address (0: no limit)" },
	{ "per-address-exempt-loopback", NULL, CONF_FLAG, "0", 0, 1,
	  "no per-address limit for loopback clients" },
	{ "body-budget", "IOTJOBS_BODY_BUDGET", CONF_UINT, "67108864",
	  1UL << 20, 1UL << 40, "bytes of request bodies buffered at once,"
	  " all requests together; past it a body is refused with 503" },
	{ "strict-permissions", NULL, CONF_FLAG, "0", 0, 1,
	  "refuse to start when the data folder or a store file is readable"
	  " by others" },
	{ "broker-group", "IOTJOBS_BROKER_GROUP", CONF_TEXT, "", 0, 0,
	  "group given the broker socket and the CA folder the broker reads"
	  " (mode 0660, 0750; empty: iotjobsd's own group)" },
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
	{ "log-format", "IOTJOBS_LOG_FORMAT", CONF_CHOICE, "text", 0, 0,
	  "text or json: json writes each log line as one JSON object" },
	{ "log-level", "IOTJOBS_LOG_LEVEL", CONF_CHOICE, "info", 0, 0,
	  "debug, info, warning or error: the least severe lines written"
	  " (info logs one line per request; -v is debug)" },
};
#define CONF_NOPTS (sizeof(conf_opts) / sizeof(conf_opts[0]))
const size_t conf_nopts = CONF_NOPTS;

/* The configuration file read when neither --config nor IOTJOBS_CONFIG says. */
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
	fprintf(f, "  --%-18s %s\n  %20s (%s, %s when it exists)\n",
	    "config FILE", "the configuration file (empty: none)", "",
	    "IOTJOBS_CONFIG", CONF_FILE_DEFAULT);
	fprintf(f, "  --%-18s %s\n", "check-config", "report every problem of"
	    " the settings (file, environment,\n"
	    "                       options) and exit: 0 when there is none");
	fprintf(f, "  --%-18s %s\n", "print-config-template[=conf|man5|man8]",
	    "");
	fprintf(f, "  %20s %s\n", "", "print the example configuration file"
	    " (or the option lists\n                       of the manual pages)"
	    " made from this table and exit");
	fprintf(f, "  --%-18s %s\n", "version", "print the version and exit");
	fprintf(f, "  --%-18s %s\n", "help", "print this help and exit");
	fprintf(f, "\nThe file holds one \"key = value\" per line, the keys"
	    " being the options above;\nthe environment overrides it, and the"
	    " options override both. See iotjobsd.conf(5).\n");
	fprintf(f, "\nThe admin credential comes from IOTJOBS_ACCESS_KEY_ID and"
	    " IOTJOBS_SECRET_ACCESS_KEY;\nwhen unset, one is generated on first"
	    " start and kept in DATA_DIR/credentials.json.\n"
	    "\ncommands (run beside the daemon, or without it):\n");
	credentials_cmd_usage(f);
	backup_cmd_usage(f);
	migrate_cmd_usage(f);
}

static int
conf_addr(struct conf *conf, const char *flag, const char *text)
{
	const char *colon = strrchr(text, ':');
	char *host = conf->listen_host;
	int *portp = &conf->listen_port;
	uint64_t port;
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
	if (colon == NULL || num_parse_u64(colon + 1, 0, 65535, &port) == -1)
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
		{ "broker-group", conf->broker_group,
		  sizeof(conf->broker_group) },
		{ "ca-cert", conf->ca_cert, sizeof(conf->ca_cert) },
		{ "ca-key", conf->ca_key, sizeof(conf->ca_key) },
		{ "metrics-token", conf->metrics_token,
		  sizeof(conf->metrics_token) },
		{ "store", conf->store, sizeof(conf->store) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].flag, flag) == 0) {
			*size = t[i].size;
			return t[i].buf;
		}
	return NULL;
}

int
conf_set(struct conf *conf, const struct conf_opt *o, const char *v)
{
	uint64_t n;
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
		if (num_parse_u64(v, o->min, o->max, &n) == -1)
			return -1;
		if (strcmp(o->flag, "body-limit") == 0)
			conf->body_limit = n;
		else if (strcmp(o->flag, "request-timeout") == 0)
			conf->request_timeout = (unsigned)n;
		else if (strcmp(o->flag, "mqtt-queue") == 0)
			conf->mqtt_queue = n;
		else if (strcmp(o->flag, "head-timeout") == 0)
			conf->head_timeout = (unsigned)n;
		else if (strcmp(o->flag, "body-min-rate") == 0)
			conf->body_min_rate = n;
		else if (strcmp(o->flag, "max-connections") == 0)
			conf->max_connections = (unsigned)n;
		else if (strcmp(o->flag, "per-address-limit") == 0)
			conf->per_address_limit = (unsigned)n;
		else if (strcmp(o->flag, "body-budget") == 0)
			conf->body_budget = n;
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
		else if (strcmp(o->flag, "per-address-exempt-loopback") == 0)
			conf->per_address_exempt_loopback = v[0] == '1' ||
			    v[0] == 't';
		else if (strcmp(o->flag, "strict-permissions") == 0)
			conf->strict_permissions = v[0] == '1' || v[0] == 't';
		else
			conf->verbosity = v[0] == '1' || v[0] == 't';
		return 0;
	case CONF_TEXT:
		buf = conf_text(conf, o->flag, &size);
		if (buf == NULL || strlen(v) >= size)
			return -1;
		snprintf(buf, size, "%s", v);
		return 0;
	case CONF_CHOICE:
		if (strcmp(o->flag, "log-format") == 0)
			return log_format_parse(v, &conf->log_format);
		return log_level_parse(v, &conf->log_level);
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


/* What the command line asks besides settings, and the file it names. */
struct conf_args {
	const char *config;	/* --config, or NULL */
	const char *template;	/* --print-config-template FORMAT */
	bool check;		/* --check-config */
};

enum {
	OPT_HELP = 'h', OPT_VERBOSE = 'v', OPT_VERSION = 'V',
	OPT_CONFIG = 256, OPT_CHECK, OPT_TEMPLATE,
};

static void
conf_longopts(struct option *lo)
{
	size_t i;

	for (i = 0; i < CONF_NOPTS; i++) {
		lo[i].name = conf_opts[i].flag;
		lo[i].has_arg = conf_opts[i].kind == CONF_FLAG ? no_argument :
		    required_argument;
		lo[i].flag = NULL;
		lo[i].val = 0;
	}
	lo[i++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	lo[i++] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	lo[i++] = (struct option){ "config", required_argument, NULL,
	    OPT_CONFIG };
	lo[i++] = (struct option){ "check-config", no_argument, NULL,
	    OPT_CHECK };
	lo[i++] = (struct option){ "print-config-template", optional_argument,
	    NULL, OPT_TEMPLATE };
	lo[i] = (struct option){ NULL, 0, NULL, 0 };
}

/* First pass: the actions (--help, --version exit here) and --config. */
static void
conf_scan(int argc, char **argv, const struct option *lo,
    struct conf_args *a)
{
	int c, idx;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hvV", lo, &idx)) != -1) {
		switch (c) {
		case OPT_HELP:
			conf_usage(stdout);
			exit(0);
		case OPT_VERSION:
			version_print("iotjobsd");
			exit(0);
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_TEMPLATE:
			a->template = optarg != NULL ? optarg : "conf";
			break;
		default:
			break;	/* the second pass reports what is wrong */
		}
	}
}

/* The file to read: --config, else IOTJOBS_CONFIG, else the default. */
static const char *
conf_file_path(const char *flag)
{
	const char *env = getenv("IOTJOBS_CONFIG");

	if (flag != NULL)
		return flag[0] != '\0' ? flag : NULL;
	if (env != NULL)
		return env[0] != '\0' ? env : NULL;
	return access(CONF_FILE_DEFAULT, F_OK) == 0 ? CONF_FILE_DEFAULT : NULL;
}

static void
conf_defaults(struct conf *conf)
{
	size_t i;

	memset(conf, 0, sizeof(*conf));
	for (i = 0; i < CONF_NOPTS; i++)
		if (conf_set(conf, &conf_opts[i], conf_opts[i].def) == -1)
			fatalx("bad default for --%s", conf_opts[i].flag);
}

static void
conf_env(struct conf *conf, struct conf_report *rep)
{
	char why[64];
	size_t i;

	for (i = 0; i < CONF_NOPTS; i++) {
		const struct conf_opt *o = &conf_opts[i];
		const char *env = o->env != NULL ? getenv(o->env) : NULL;

		if (env != NULL && env[0] != '\0' &&
		    conf_set(conf, o, env) == -1)
			conf_problem(rep, "%s: invalid value \"%s\": expected "
			    "%s", o->env, strstr(o->flag, "password") != NULL ?
			    "(not shown)" : env, conf_expect(o, why,
			    sizeof(why)));
	}
}

/* Second pass: the settings given as flags, over everything else. */
static void
conf_flags(struct conf *conf, int argc, char **argv, const struct option *lo,
    struct conf_report *rep)
{
	char why[64];
	int c, idx;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hvV", lo, &idx)) != -1) {
		const struct conf_opt *o;

		if (c == OPT_VERBOSE) {
			conf->verbosity++;
			continue;
		}
		if (c == ':') {
			conf_problem(rep, "%s: needs a value",
			    argv[optind - 1]);
			continue;
		}
		if (c == '?') {
			char opt[3] = { '-', (char)optopt, '\0' };

			conf_problem(rep, "unknown option %s", optopt != 0 ?
			    opt : argv[optind - 1]);
			continue;
		}
		if (c != 0)
			continue;	/* the actions, seen by conf_scan */
		o = &conf_opts[idx];
		if (conf_set(conf, o, o->kind == CONF_FLAG ? "1" : optarg) ==
		    -1)
			conf_problem(rep, "--%s: invalid value \"%s\": expected"
			    " %s", o->flag, strstr(o->flag, "password") !=
			    NULL ? "(not shown)" : optarg, conf_expect(o, why,
			    sizeof(why)));
	}
	if (optind < argc)
		conf_problem(rep, "unexpected argument \"%s\"", argv[optind]);
}

/* Settings that are each valid but not together. */
static void
conf_check_pairs(const struct conf *conf, struct conf_report *rep)
{
	if ((conf->tls_cert[0] == '\0') != (conf->tls_key[0] == '\0'))
		conf_problem(rep, "tls-cert and tls-key go together");
	if (conf->ca_key[0] != '\0' && conf->ca_cert[0] == '\0')
		conf_problem(rep, "ca-key needs ca-cert");
}

static void
conf_report_print(const struct conf_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n && i < CONF_PROBLEMS_MAX; i++)
		fprintf(stderr, "iotjobsd: %s\n", rep->msg[i]);
	if (rep->n > CONF_PROBLEMS_MAX)
		fprintf(stderr, "iotjobsd: ... and %zu more problems\n",
		    rep->n - CONF_PROBLEMS_MAX);
}

void
conf_load(struct conf *conf, int argc, char **argv)
{
	struct option longopts[CONF_NOPTS + 6];
	struct conf_report *rep = xcalloc(1, sizeof(*rep));
	struct conf_args a;
	const char *path;

	conf_longopts(longopts);
	conf_scan(argc, argv, longopts, &a);
	if (a.template != NULL) {
		if (conf_print_template(stdout, a.template) == -1) {
			fprintf(stderr, "iotjobsd: --print-config-template is "
			    "conf, man5 or man8, not \"%s\"\n", a.template);
			exit(2);
		}
		exit(0);
	}
	conf_defaults(conf);
	path = conf_file_path(a.config);
	if (path != NULL) {
		conf_read_file(conf, path, rep);
		snprintf(conf->config, sizeof(conf->config), "%s", path);
	}
	conf_env(conf, rep);
	conf_flags(conf, argc, argv, longopts, rep);
	conf_check_pairs(conf, rep);
	if (conf->verbosity > 0)
		conf->log_level = LOG_LEVEL_DEBUG;
	if (a.check) {
		conf_report_print(rep);
		if (rep->n == 0)
			printf("iotjobsd: the settings are valid (%s)\n",
			    path != NULL ? path : "no configuration file");
		exit(rep->n == 0 ? 0 : 1);
	}
	if (rep->n != 0) {
		conf_report_print(rep);
		fprintf(stderr, "iotjobsd: not started (iotjobsd --help lists "
		    "the options)\n");
		exit(2);
	}
	free(rep);
	conf_broker_socket(conf);
}

const char *
conf_store_url(const struct conf *conf)
{
	return conf->store[0] != '\0' ? conf->store : conf->data_dir;
}

int
conf_store_of(const char *dir, char *out, size_t size, struct err *err)
{
	const char *env = getenv("IOTJOBS_STORE"), *path, *url = dir;
	struct conf_report *rep;
	struct conf *conf;
	int rc = 0;

	conf = xmalloc(sizeof(*conf));
	rep = xcalloc(1, sizeof(*rep));
	conf_defaults(conf);
	path = conf_file_path(NULL);
	if (env != NULL && env[0] != '\0')
		url = env;
	else if (path != NULL && conf_read_file(conf, path, rep) != 0)
		rc = err_set(err, ERR_INVALID_REQUEST, "%s (iotjobsd "
		    "--check-config lists every problem)", rep->msg[0]);
	else if (conf->store[0] != '\0')
		url = conf->store;
	if (rc == 0 && strlen(url) >= size)
		rc = err_set(err, ERR_INVALID_REQUEST, "store URL too long");
	else if (rc == 0)
		snprintf(out, size, "%s", url);
	free(rep);
	free(conf);
	return rc;
}

int
conf_data_dir(const char *flag, char *out, size_t size, struct err *err)
{
	const char *env = getenv("IOTJOBS_DATA_DIR"), *path, *dir;
	struct conf_report *rep;
	struct conf *conf;
	int rc = 0;

	if (flag != NULL || (env != NULL && env[0] != '\0')) {
		dir = flag != NULL ? flag : env;
		if (dir[0] == '\0' || strlen(dir) >= size)
			return err_set(err, ERR_INVALID_REQUEST, "invalid "
			    "--data-dir \"%s\"", dir);
		snprintf(out, size, "%s", dir);
		return 0;
	}
	conf = xmalloc(sizeof(*conf));
	rep = xcalloc(1, sizeof(*rep));
	conf_defaults(conf);
	path = conf_file_path(NULL);
	if (path != NULL && conf_read_file(conf, path, rep) != 0)
		rc = err_set(err, ERR_INVALID_REQUEST, "%s (iotjobsd "
		    "--check-config lists every problem)", rep->msg[0]);
	else if (strlen(conf->data_dir) >= size)
		rc = err_set(err, ERR_INVALID_REQUEST, "data-dir too long");
	else
		snprintf(out, size, "%s", conf->data_dir);
	free(rep);
	free(conf);
	return rc;
}
