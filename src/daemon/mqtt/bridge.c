/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker connection (libmosquitto) and the request workers of the MQTT
 * front end. iotjobsd is one MQTT 5 client: it subscribes (with
 * --mqtt-share-group, through a shared subscription, so that several nodes
 * on one broker answer each request once) to every topic under
 * $aws/things/+/jobs/ one or two levels deep
 * (topic.c tells requests from the service's own topics), hands each
 * request to a worker, and the worker runs the operation through the
 * pipeline of both front ends (api/pipeline.h: row, validation, handler)
 * and publishes the accepted or rejected reply (reply.c). The replies of
 * the rows marked API_DEFER (start-next and update, the device's hot path)
 * are held until the COMMIT of their writes instead of holding the worker,
 * so that a few workers fill each group commit.
 * One thread of ours runs the connection (conn_main): it connects, turns
 * the event loop (loop.c) and after any failure, whatever its kind
 * (refused, lost, TLS, name lookup), waits and connects again with
 * backoff; on every connect the subscriptions are made again and the
 * notifier is woken. Other threads publish and then wake the loop.
 */
#include "mqtt/mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/held.h"
#include "api/jobs_data.h"
#include "api/pipeline.h"
#include "clock.h"
#include "engine/sched.h"
#include "log.h"
#include "metrics.h"
#include "mqtt/command.h"
#include "mqtt/loop.h"
#include "mqtt/mqtt_int.h"
#include "mqtt/reply.h"
#include "mqtt/topic.h"
#include "num.h"
#include "xmalloc.h"

#define MQTT_KEEPALIVE		30	/* seconds */
#define MQTT_BACKOFF_MIN	1	/* reconnect delay, seconds */
#define MQTT_BACKOFF_MAX	30

/* The request filters: one and two levels below jobs/ (see topic.c). */
static const char *const mqtt_filters[] = {
	"$aws/things/+/jobs/+",
	"$aws/things/+/jobs/+/+",
	COMMAND_FILTER_THINGS,		/* command reports: command.c */
	COMMAND_FILTER_CLIENTS,
};
#define MQTT_NFILTERS	(sizeof(mqtt_filters) / sizeof(mqtt_filters[0]))

/* A request for the workers: one allocation, its strings in buf. */
struct mqtt_req {
	char *topic;
	char *payload;		/* LEN bytes and a NUL */
	size_t len;
	int qos;
	struct mqtt_req *next;
	char buf[];
};

/* A reply waiting for the COMMIT of its request's writes (api/held.h). */
struct mqtt_held {
	struct api_held wait;
	struct mqtt *m;
	char *request;		/* the request topic */
	char *payload;		/* the accepted reply, JSON text */
	json_t *token;		/* clientToken, for a failed commit */
	int qos;
	struct mqtt_held *next;
};

struct mqtt {
	struct app *app;
	struct mosquitto *mosq;
	struct mqtt_loop *loop;		/* loop.c */
	char host[256];
	int port;
	bool tls;
	/* mqtt_filters, as $share/GROUP/... with --mqtt-share-group. */
	char filter_buf[MQTT_NFILTERS][TOPIC_MAX];
	char *filters[MQTT_NFILTERS];
	pthread_mutex_t lock;
	bool connected;
	bool leads;		/* this node leads (store_lead_try) */
	/* Requests for the workers, under lock. */
	pthread_cond_t qcond;
	struct mqtt_req *qhead, *qtail;
	size_t qlen;
	bool stopping;
	pthread_t *workers;
	unsigned nworkers;
	/* The connection thread (conn_main); conn_stop under lock. */
	pthread_t conn;
	bool conn_started, conn_stop;
	pthread_cond_t conn_cond;
	struct notifier *nt;
	struct command_delivery *cmd;	/* command.c */
};

bool
mqtt_leads(struct mqtt *m)
{
	bool yes;

	pthread_mutex_lock(&m->lock);
	yes = m->leads;
	pthread_mutex_unlock(&m->lock);
	return yes;
}

bool
mqtt_connected(struct mqtt *m)
{
	bool up;

	pthread_mutex_lock(&m->lock);
	up = m->connected;
	pthread_mutex_unlock(&m->lock);
	return up;
}

bool
mqtt_is_connected(struct mqtt *m)
{
	return mqtt_connected(m);
}

size_t
mqtt_queue_depth(struct mqtt *m)
{
	size_t n;

	if (m == NULL)
		return 0;
	pthread_mutex_lock(&m->lock);
	n = m->qlen;
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* Queues a publish with libmosquitto and wakes the loop to write it. */
static int
publish_raw(struct mqtt *m, const char *topic, const void *payload,
    size_t len, int qos, const mosquitto_property *props)
{
	int rc = mosquitto_publish_v5(m->mosq, NULL, topic, (int)len, payload,
	    qos, false, props);

	if (rc == MOSQ_ERR_SUCCESS)
		mqtt_loop_wake(m->loop);
	return rc;
}

int
mqtt_publish(struct mqtt *m, const char *topic, const json_t *payload,
    int qos)
{
	char *text = json_dumps(payload, JSON_COMPACT);
	size_t len;
	int rc;

	if (text == NULL)
		return -1;
	len = strlen(text);
	rc = publish_raw(m, topic, text, len, qos, NULL);
	free(text);
	if (rc == MOSQ_ERR_OVERSIZE_PACKET) {
		/* libmosquitto keeps to the broker's CONNACK limit. */
		log_warnx("mqtt: not published on %s: %zu bytes are more than"
		    " the broker takes in a packet", topic, len);
		return -2;
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("mqtt: publish %s: %s", topic, mosquitto_strerror(rc));
		return -1;
	}
	metrics_mqtt_sent();
	return 0;
}

int
mqtt_publish_bytes(struct mqtt *m, const char *topic, const void *payload,
    size_t len, int qos, const char *content_type, int64_t expiry)
{
	mosquitto_property *props = NULL;
	int rc;

	if (content_type != NULL)
		mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE,
		    content_type);
	if (expiry > 0)
		mosquitto_property_add_int32(&props,
		    MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, expiry > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)expiry);
	rc = publish_raw(m, topic, payload, len, qos, props);
	mosquitto_property_free_all(&props);
	if (rc == MOSQ_ERR_OVERSIZE_PACKET) {
		log_warnx("mqtt: not published on %s: %zu bytes are more than"
		    " the broker takes in a packet", topic, len);
		return -2;
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("mqtt: publish %s: %s", topic, mosquitto_strerror(rc));
		return -1;
	}
	metrics_mqtt_sent();
	return 0;
}

/* --- replies held until their commit --------------------------------- */

static void
held_free(struct mqtt_held *h)
{
	free(h->request);
	free(h->payload);
	json_decref(h->token);
	free(h);
}

/*
 * The batch of H's reply has an outcome (api/held.h): publishes the
 * accepted reply when it is durable, InternalError when the COMMIT failed,
 * nothing when mqtt_stop() dropped it. Frees H.
 */
static void
held_publish(void *arg, int outcome)
{
	struct mqtt_held *h = arg;
	char topic[TOPIC_MAX + 16];
	struct err err;
	json_t *payload;
	int rc;

	if (outcome == 1 &&
	    topic_reply(h->request, 1, topic, sizeof(topic)) == 0) {
		rc = publish_raw(h->m, topic, h->payload,
		    strlen(h->payload), h->qos, NULL);
		if (rc != MOSQ_ERR_SUCCESS)
			log_debug("mqtt: publish %s: %s", topic,
			    mosquitto_strerror(rc));
	} else if (outcome == -1) {
		err_clear(&err);
		err_set(&err, MQTT_INTERNAL, "The change could not be stored");
		payload = reply_rejected(&err, clock_now(), h->token, NULL);
		if (topic_reply(h->request, 0, topic, sizeof(topic)) == 0)
			mqtt_publish(h->m, topic, payload, h->qos);
		json_decref(payload);
		log_warnx("mqtt request topic=%s rejected code=%s (commit"
		    " failed)", h->request, MQTT_INTERNAL);
	}
	held_free(h);
}

/*
 * Publishes the accepted PAYLOAD of REQUEST once BATCH is durable: now when
 * it already is, else from the commit hook. Takes PAYLOAD.
 */
static void
held_reply(struct mqtt *m, uint64_t batch, const char *request,
    char *payload, const json_t *token, int qos)
{
	struct mqtt_held *h = xcalloc(1, sizeof(*h));

	h->wait.batch = batch;
	h->wait.fn = held_publish;
	h->wait.arg = h;
	h->wait.front = m;
	h->m = m;
	h->request = xstrdup(request);
	h->payload = payload;
	h->token = json_incref((json_t *)token);
	h->qos = qos;
	api_held_add(&h->wait);
}

/* --- requests --------------------------------------------------------- */

/*
 * Runs the operation of topic T with input IN through the pipeline (with
 * the replies of API_DEFER rows held: *BATCH); *OUT or -1 with ERR.
 */
static int
run_op(struct mqtt *m, const struct topic *t, json_t *in, int64_t now,
    json_t **out, uint64_t *batch, struct err *err)
{
	const char *name = topic_op_name(t->kind);
	const struct model_op *op = model_op_find(PLANE_DATA, name);
	struct api_result res;
	struct principal who;
	struct api_ctx ctx;
	int rc;

	if (op == NULL)
		return err_set(err, MQTT_INTERNAL, "%s is not available",
		    name);
	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_THING;
	snprintf(who.thing_name, sizeof(who.thing_name), "%s", t->thing);
	api_ctx_init(&ctx, m->app, &who, PLANE_DATA, now, "mqtt");
	rc = api_pipeline_run(&ctx, op, in, API_RUN_HOLD, NULL, &res, err);
	*out = res.out;
	*batch = res.batch;
	return rc;
}

/* The clientToken of a payload we could not otherwise use, or NULL. */
static json_t *
token_of(const char *payload, size_t len)
{
	json_t *o = json_loadb(payload, len, 0, NULL);
	json_t *tok = json_incref(json_object_get(o, "clientToken"));

	json_decref(o);
	return tok;
}

static void
handle(struct mqtt *m, struct mqtt_req *r)
{
	char reply_topic[TOPIC_MAX + 16];
	struct topic t;
	struct err err;
	json_t *in = NULL, *out = NULL, *token = NULL, *payload, *st = NULL;
	int64_t now;
	uint64_t batch = 0;
	char *text;
	int rc;

	sched_clock_sync();
	now = clock_now();
	if (command_topic_is(r->topic)) {
		command_response(m->app, m, r->topic, r->payload, r->len,
		    r->qos);
		return;
	}
	topic_parse(r->topic, &t);
	if (t.kind == TOPIC_NOT_JOBS || t.kind == TOPIC_SERVICE)
		return;
	err_clear(&err);
	if (t.kind == TOPIC_INVALID) {
		token = token_of(r->payload, r->len);
		rc = err_set(&err, MQTT_INVALID_TOPIC, "The topic %s is not"
		    " a Jobs request topic", r->topic);
	} else {
		rc = reply_input(&t, r->payload, r->len, &in, &token, &err);
		if (rc == 0)
			rc = run_op(m, &t, in, now, &out, &batch, &err);
	}
	if (rc == 0 && batch != 0) {
		payload = reply_accepted_take(out, now, token);
		out = NULL;
		text = json_dumps(payload, JSON_COMPACT);
		if (text != NULL)
			held_reply(m, batch, r->topic, text, token, r->qos);
		log_info("mqtt request topic=%s accepted", r->topic);
		goto out;
	}
	if (rc == 0) {
		payload = reply_accepted_take(out, now, token);
		out = NULL;
	} else {
		if (reply_code_has_state(reply_code(&err)))
			st = jobs_data_state(m->app->st, in);
		payload = reply_rejected(&err, now, token, st);
	}
	if (topic_reply(r->topic, rc == 0, reply_topic,
	    sizeof(reply_topic)) == 0 &&
	    mqtt_publish(m, reply_topic, payload, r->qos) == -2 && rc == 0) {
		/* An answer past the broker's packet limit: say so. */
		rc = err_set(&err, MQTT_INTERNAL, "The reply is larger than"
		    " the broker's packet limit");
		json_decref(payload);
		payload = reply_rejected(&err, now, token, NULL);
		if (topic_reply(r->topic, 0, reply_topic,
		    sizeof(reply_topic)) == 0)
			mqtt_publish(m, reply_topic, payload, r->qos);
	}
	log_info("mqtt request topic=%s %s%s", r->topic,
	    rc == 0 ? "accepted" : "rejected code=",
	    rc == 0 ? "" : reply_code(&err));
out:
	json_decref(payload);
	json_decref(st);
	json_decref(in);
	json_decref(out);
	json_decref(token);
}


static void *
worker(void *arg)
{
	struct mqtt *m = arg;
	struct mqtt_req *r;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		while (m->qhead == NULL && !m->stopping)
			pthread_cond_wait(&m->qcond, &m->lock);
		if (m->qhead == NULL) {
			pthread_mutex_unlock(&m->lock);
			return NULL;
		}
		r = m->qhead;
		m->qhead = r->next;
		if (m->qhead == NULL)
			m->qtail = NULL;
		m->qlen--;
		pthread_mutex_unlock(&m->lock);
		handle(m, r);
		free(r);
	}
}

/* --- libmosquitto callbacks (its thread) ------------------------------ */

/* Answers RequestThrottled at once, without a worker. */
static void
throttle(struct mqtt *m, const struct mosquitto_message *msg)
{
	char reply_topic[TOPIC_MAX + 16];
	struct err err;
	json_t *payload, *token;

	token = token_of(msg->payload, (size_t)msg->payloadlen);
	err_clear(&err);
	err_set(&err, MQTT_THROTTLED, "Too many requests are waiting");
	payload = reply_rejected(&err, clock_now(), token, NULL);
	if (topic_reply(msg->topic, 0, reply_topic, sizeof(reply_topic)) == 0)
		mqtt_publish(m, reply_topic, payload, msg->qos);
	json_decref(payload);
	json_decref(token);
}

/*
 * A request past AWS IoT's limits (a 256-byte topic, a 128 KB payload) is
 * refused as it comes, without a copy and without parsing its payload:
 * InvalidRequest on its rejected topic when that topic can be built (the
 * payload is not read, so the reply carries no clientToken), else a
 * logged line. True when MSG was such a request.
 */
static bool
refuse_oversized(struct mqtt *m, const struct mosquitto_message *msg)
{
	char reply_topic[TOPIC_MAX + 16];
	size_t tlen = strlen(msg->topic);
	struct err err;
	json_t *payload;

	if (tlen <= TOPIC_AWS_MAX && msg->payloadlen <= MQTT_PAYLOAD_MAX)
		return false;
	err_clear(&err);
	if (tlen > TOPIC_AWS_MAX)
		err_set(&err, MQTT_INVALID_REQUEST, "The topic of %zu bytes"
		    " exceeds the limit of %d bytes", tlen, TOPIC_AWS_MAX);
	else
		err_set(&err, MQTT_INVALID_REQUEST, "The payload of %d bytes"
		    " exceeds the limit of %d bytes", msg->payloadlen,
		    MQTT_PAYLOAD_MAX);
	if (command_topic_is(msg->topic) || topic_reply(msg->topic, 0,
	    reply_topic, sizeof(reply_topic)) == -1) {
		log_warnx("mqtt: dropped a request on %.80s%s: %s",
		    msg->topic, tlen > 80 ? "..." : "", err.msg);
		return true;
	}
	payload = reply_rejected(&err, clock_now(), NULL, NULL);
	mqtt_publish(m, reply_topic, payload, msg->qos > 1 ? 1 : msg->qos);
	json_decref(payload);
	log_info("mqtt request topic=%.80s%s rejected code=%s: %s",
	    msg->topic, tlen > 80 ? "..." : "", MQTT_INVALID_REQUEST, err.msg);
	return true;
}

/* A copy of MSG for the workers (libmosquitto frees MSG on return). */
static struct mqtt_req *
req_new(const struct mosquitto_message *msg)
{
	size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	size_t tlen = strlen(msg->topic);
	struct mqtt_req *r = xmalloc(sizeof(*r) + len + 1 + tlen + 1);

	r->payload = r->buf;
	r->len = len;
	if (len > 0)
		memcpy(r->payload, msg->payload, len);
	r->payload[len] = '\0';
	r->topic = r->payload + len + 1;
	memcpy(r->topic, msg->topic, tlen + 1);
	r->qos = msg->qos > 1 ? 1 : msg->qos;
	r->next = NULL;
	return r;
}

static void
on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg, const mosquitto_property *props)
{
	struct mqtt *m = arg;
	struct mqtt_req *r;
	struct topic t;
	bool full;

	(void)mosq;
	(void)props;
	metrics_mqtt_received();
	topic_parse(msg->topic, &t);
	if ((t.kind == TOPIC_NOT_JOBS && !command_topic_is(msg->topic)) ||
	    t.kind == TOPIC_SERVICE)
		return;
	if (refuse_oversized(m, msg))
		return;
	r = req_new(msg);
	pthread_mutex_lock(&m->lock);
	full = m->qlen >= m->app->conf->mqtt_queue;
	if (!full) {
		if (m->qtail != NULL)
			m->qtail->next = r;
		else
			m->qhead = r;
		m->qtail = r;
		m->qlen++;
		pthread_cond_signal(&m->qcond);
	}
	pthread_mutex_unlock(&m->lock);
	if (full) {
		free(r);
		metrics_mqtt_throttled();
		throttle(m, msg);
	}
}

/*
 * Subscribes to the request topics: the leader always, every node with a
 * shared subscription (the broker then gives each request to one of them).
 */
static void
subscribe_requests(struct mqtt *m)
{
	int rc;

	rc = mosquitto_subscribe_multiple(m->mosq, NULL, (int)MQTT_NFILTERS,
	    m->filters, 1, m->app->conf->mqtt_share_group[0] != '\0' ? 0 :
	    MQTT_SUB_OPT_NO_LOCAL, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		log_warnx("mqtt: subscribe: %s", mosquitto_strerror(rc));
	else
		mqtt_loop_wake(m->loop);
}

static bool
answers_requests(struct mqtt *m)
{
	return m->leads || m->app->conf->mqtt_share_group[0] != '\0';
}

/*
 * libmosquitto's own errors and warnings: why a connection attempt failed
 * (the TLS handshake, e.g. "certificate verify failed", or a CA,
 * certificate or key file it cannot load) is told only there. It is set
 * only while the connection is not up (from the start until a CONNACK
 * accepts it, and again from a loss): with a log callback, libmosquitto
 * formats a debug line into a fresh allocation under a mutex for every
 * packet it sends or reads, whether the line is kept or not. A connection
 * that fails once up is told by on_disconnect, with its reason.
 */
static void
on_log(struct mosquitto *mosq, void *arg, int level, const char *msg)
{
	struct mqtt *m = arg;

	(void)mosq;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		log_warnx("mqtt: %s:%d: %s", m->host, m->port, msg);
}

static void
on_connect(struct mosquitto *mosq, void *arg, int rc, int flags,
    const mosquitto_property *props)
{
	struct mqtt *m = arg;
	bool answer;

	(void)mosq;
	(void)flags;
	(void)props;
	if (rc != 0) {
		log_warnx("mqtt: %s:%d refused the connection: %s", m->host,
		    m->port, mosquitto_reason_string(rc));
		return;
	}
	pthread_mutex_lock(&m->lock);
	m->connected = true;
	answer = answers_requests(m);
	pthread_mutex_unlock(&m->lock);
	/* Set again by on_disconnect (see on_log). */
	mosquitto_log_callback_set(mosq, NULL);
	if (answer)
		subscribe_requests(m);
	log_info("mqtt: connected to %s:%d", m->host, m->port);
	if (m->nt != NULL)
		notify_wake(m->nt);
	command_delivery_wake(m->cmd);
}

void
mqtt_lead(struct mqtt *m)
{
	bool now;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	/* Connected without answering: subscribe now, else on_connect does. */
	now = m->connected && !answers_requests(m);
	m->leads = true;
	pthread_mutex_unlock(&m->lock);
	if (now)
		subscribe_requests(m);
	notify_wake(m->nt);
	command_delivery_wake(m->cmd);
}

void
mqtt_follow(struct mqtt *m)
{
	bool now;
	int rc;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->leads = false;
	/* Connected and no longer answering: unsubscribe now. */
	now = m->connected && !answers_requests(m);
	pthread_mutex_unlock(&m->lock);
	if (!now)
		return;
	rc = mosquitto_unsubscribe_multiple(m->mosq, NULL, (int)MQTT_NFILTERS,
	    m->filters, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		log_warnx("mqtt: unsubscribe: %s", mosquitto_strerror(rc));
	else
		mqtt_loop_wake(m->loop);
}

static void
on_subscribe(struct mosquitto *mosq, void *arg, int mid, int n,
    const int *granted, const mosquitto_property *props)
{
	struct mqtt *m = arg;
	int i;

	(void)mosq;
	(void)mid;
	(void)props;
	for (i = 0; i < n; i++)
		if (granted[i] >= 0x80)
			log_warnx("mqtt: %s:%d refused subscription %d"
			    " (reason %d)", m->host, m->port, i, granted[i]);
}

static void
on_disconnect(struct mosquitto *mosq, void *arg, int rc,
    const mosquitto_property *props)
{
	struct mqtt *m = arg;

	(void)props;
	pthread_mutex_lock(&m->lock);
	m->connected = false;
	pthread_mutex_unlock(&m->lock);
	mosquitto_log_callback_set(mosq, on_log);
	if (rc != 0)
		log_warnx("mqtt: lost %s:%d (%s); reconnecting", m->host,
		    m->port, mosquitto_strerror(rc));
}

/* --- start and stop --------------------------------------------------- */

/* mqtt://HOST[:PORT] or mqtts://HOST[:PORT] into M. */
static int
parse_url(struct mqtt *m, const char *url, struct err *err)
{
	const char *p, *colon;
	size_t hlen;
	int64_t port;

	if (strncmp(url, "mqtt://", 7) == 0) {
		p = url + 7;
		m->port = 1883;
	} else if (strncmp(url, "mqtts://", 8) == 0) {
		p = url + 8;
		m->port = 8883;
		m->tls = true;
	} else
		return err_set(err, ERR_VALIDATION, "--mqtt: expected"
		    " mqtt://HOST:PORT or mqtts://HOST:PORT, got \"%s\"", url);
	colon = strrchr(p, ':');
	hlen = colon != NULL ? (size_t)(colon - p) : strlen(p);
	if (hlen > 0 && p[hlen - 1] == '/')
		hlen--;
	if (colon != NULL) {
		size_t plen = strlen(colon + 1);

		if (plen > 0 && colon[plen] == '/')
			plen--;
		if (num_parse_i64_len(colon + 1, plen, 1, 65535, &port) == -1)
			return err_set(err, ERR_VALIDATION, "--mqtt: bad port"
			    " in \"%s\"", url);
		m->port = (int)port;
	}
	if (hlen == 0 || hlen >= sizeof(m->host))
		return err_set(err, ERR_VALIDATION, "--mqtt: bad host in"
		    " \"%s\"", url);
	memcpy(m->host, p, hlen);
	m->host[hlen] = '\0';
	return 0;
}

static int
configure(struct mqtt *m, struct err *err)
{
	const struct conf *c = m->app->conf;
	char id[256];
	size_t i;
	int rc;

	for (i = 0; i < MQTT_NFILTERS; i++) {
		if (c->mqtt_share_group[0] != '\0')
			snprintf(m->filter_buf[i], sizeof(m->filter_buf[i]),
			    "$share/%s/%s", c->mqtt_share_group,
			    mqtt_filters[i]);
		else
			snprintf(m->filter_buf[i], sizeof(m->filter_buf[i]),
			    "%s", mqtt_filters[i]);
		m->filters[i] = m->filter_buf[i];
	}

	if (c->mqtt_client_id[0] != '\0')
		snprintf(id, sizeof(id), "%s", c->mqtt_client_id);
	else {
		char host[64];

		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "host");
		host[sizeof(host) - 1] = '\0';
		snprintf(id, sizeof(id), "iotjobsd-%s-%ld", host,
		    (long)getpid());
	}
	m->mosq = mosquitto_new(id, true, m);
	if (m->mosq == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "mqtt: cannot"
		    " create the client");
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	    MQTT_PROTOCOL_V5);
	/* Small replies one after another: Nagle would hold each. */
	mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	/*
	 * Other threads publish while conn_main runs the loop: libmosquitto
	 * then only queues their packets, and the loop's thread writes them
	 * (one thread on the socket, as a TLS session needs).
	 */
	mosquitto_threaded_set(m->mosq, true);
	m->loop = mqtt_loop_new(m->mosq);
	if (c->mqtt_username[0] != '\0' && mosquitto_username_pw_set(m->mosq,
	    c->mqtt_username, c->mqtt_password[0] != '\0' ?
	    c->mqtt_password : NULL) != MOSQ_ERR_SUCCESS)
		return err_set(err, ERR_VALIDATION, "mqtt: bad username");
	if (m->tls) {
		rc = mosquitto_tls_set(m->mosq, c->mqtt_ca[0] != '\0' ?
		    c->mqtt_ca : NULL, c->mqtt_ca[0] != '\0' ? NULL :
		    "/etc/ssl/certs", c->mqtt_cert[0] != '\0' ?
		    c->mqtt_cert : NULL, c->mqtt_key[0] != '\0' ?
		    c->mqtt_key : NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS)
			return err_set(err, ERR_VALIDATION, "mqtt: TLS"
			    " settings: %s", mosquitto_strerror(rc));
	}
	mosquitto_log_callback_set(m->mosq, on_log);
	mosquitto_connect_v5_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(m->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(m->mosq, on_message);
	mosquitto_subscribe_v5_callback_set(m->mosq, on_subscribe);
	return 0;
}

/*
 * The connection thread. libmosquitto's own thread (mosquitto_loop_start)
 * gives up for good after some failures (a TLS error, a failed name
 * lookup, among others); this one treats every failure alike: wait, then
 * connect again, from MQTT_BACKOFF_MIN doubling to MQTT_BACKOFF_MAX
 * seconds, back to the minimum once a connection was accepted.
 */
static void *
conn_main(void *arg)
{
	struct mqtt *m = arg;
	struct timespec ts;
	bool first = true, up;
	int delay = MQTT_BACKOFF_MIN, rc;

	pthread_mutex_lock(&m->lock);
	while (!m->conn_stop) {
		pthread_mutex_unlock(&m->lock);
		rc = first ? mosquitto_connect_async(m->mosq, m->host, m->port,
		    MQTT_KEEPALIVE) : mosquitto_reconnect_async(m->mosq);
		first = false;
		for (;;) {
			pthread_mutex_lock(&m->lock);
			up = m->connected;
			if (m->conn_stop || rc != MOSQ_ERR_SUCCESS)
				break;
			pthread_mutex_unlock(&m->lock);
			if (up)
				delay = MQTT_BACKOFF_MIN;
			rc = mqtt_loop_turn(m->loop);
		}
		/* Under lock here. */
		if (m->conn_stop)
			break;
		pthread_mutex_unlock(&m->lock);
		log_warnx("mqtt: %s:%d: %s; connecting again in %d s",
		    m->host, m->port, rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc), delay);
		ts = clock_deadline_ms(delay * 1000L);
		delay = delay * 2 > MQTT_BACKOFF_MAX ? MQTT_BACKOFF_MAX :
		    delay * 2;
		pthread_mutex_lock(&m->lock);
		if (!m->conn_stop)
			pthread_cond_timedwait(&m->conn_cond, &m->lock, &ts);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int
mqtt_start(struct app *app, bool lead, struct mqtt **out, struct err *err)
{
	struct mqtt *m;
	unsigned i;

	*out = NULL;
	if (app->conf->mqtt_url[0] == '\0')
		return 0;
	mosquitto_lib_init();
	m = xcalloc(1, sizeof(*m));
	m->app = app;
	m->leads = lead;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->qcond, NULL);
	pthread_cond_init(&m->conn_cond, NULL);
	if (parse_url(m, app->conf->mqtt_url, err) == -1 ||
	    configure(m, err) == -1) {
		mqtt_stop(m);
		return -1;
	}
	api_held_start(app->st);
	m->nworkers = app->conf->threads;
	m->workers = xcalloc(m->nworkers, sizeof(*m->workers));
	for (i = 0; i < m->nworkers; i++)
		if (pthread_create(&m->workers[i], NULL, worker, m) != 0)
			fatal("mqtt: pthread_create");
	m->nt = notify_start(app, m, app->conf->mqtt_events != 0);
	m->cmd = command_delivery_start(app, m, app->conf->mqtt_events != 0);
	/* A broker that is away now is retried by conn_main. */
	if (pthread_create(&m->conn, NULL, conn_main, m) != 0)
		fatal("mqtt: pthread_create");
	m->conn_started = true;
	log_info("mqtt: broker %s://%s:%d, %u workers, %s %s%s",
	    m->tls ? "mqtts" : "mqtt", m->host, m->port, m->nworkers,
	    answers_requests(m) ? "subscribing" : "once leading, subscribing",
	    m->filters[0], app->conf->mqtt_events ? ", events on" : "");
	*out = m;
	return 0;
}

void
mqtt_stop(struct mqtt *m)
{
	struct mqtt_req *r;
	unsigned i;

	if (m == NULL)
		return;
	notify_stop(m->nt);
	m->nt = NULL;
	command_delivery_stop(m->cmd);
	m->cmd = NULL;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->qcond);
	pthread_mutex_unlock(&m->lock);
	for (i = 0; i < m->nworkers; i++)
		pthread_join(m->workers[i], NULL);
	/* Replies still held are lost, as unanswered requests are. */
	api_held_cancel(m);
	if (m->conn_started) {
		pthread_mutex_lock(&m->lock);
		m->conn_stop = true;
		pthread_cond_signal(&m->conn_cond);
		pthread_mutex_unlock(&m->lock);
		mqtt_loop_wake(m->loop);
		pthread_join(m->conn, NULL);
		/* The socket is ours alone now. */
		mqtt_loop_disconnect(m->loop);
	}
	if (m->mosq != NULL)
		mosquitto_destroy(m->mosq);
	mqtt_loop_free(m->loop);
	while ((r = m->qhead) != NULL) {
		m->qhead = r->next;
		free(r);
	}
	free(m->workers);
	pthread_cond_destroy(&m->conn_cond);
	pthread_cond_destroy(&m->qcond);
	pthread_mutex_destroy(&m->lock);
	free(m);
	mosquitto_lib_cleanup();
}
