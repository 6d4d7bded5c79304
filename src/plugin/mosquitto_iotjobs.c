/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mosquitto_iotjobs.so: a Mosquitto 2.0 plugin (plugin API version 5)
 * that gives the broker AWS IoT's device identity. Options:
 *
 *   plugin_opt_socket        iotjobsd's broker socket (DATA_DIR/broker.sock)
 *   plugin_opt_region        the region of the ARNs (us-east-1)
 *   plugin_opt_account       the account of the ARNs (123456789012)
 *   plugin_opt_service_user  iotjobsd's own username (iotjobsd)
 *
 * MOSQ_EVT_BASIC_AUTH: Mosquitto calls it once the client id is known and
 * before it takes over a session of the same client id, so a refusal
 * leaves that session running. A client with a certificate (the TLS
 * listener verified its chain against DATA_DIR/tls/broker-ca/) is
 * authenticated by the SHA-256 of its DER, the certificate id: it must
 * be registered and usable, its client id not iotjobsd's (iotjobsd-...),
 * and its policies must allow iot:Connect on client/CLIENTID. A client
 * without one is deferred to Mosquitto's password file only when its
 * username is the service user; any other is refused.
 * MOSQ_EVT_ACL_CHECK: subscribe, publish and delivery of a certificate
 * client are iot:Subscribe on topicfilter/FILTER, iot:Publish (and
 * iot:RetainPublish for a retained message) and iot:Receive on
 * topic/TOPIC; the service user's are deferred to the ACL file.
 * MOSQ_EVT_TICK: kicks the clients the watcher (plugin_watch.c) found no
 * longer allowed, and writes its notes to the log.
 */
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define TICK_PERIOD_S	1
#define PLUGIN_EXPORT	__attribute__((visibility("default")))

static mosquitto_plugin_id_t *plugin_pid;
static time_t last_tick;

static int on_basic_auth(int event, void *data, void *arg);
static int on_acl_check(int event, void *data, void *arg);
static int on_tick(int event, void *data, void *arg);
static int on_disconnect(int event, void *data, void *arg);

/* The hex SHA-256 of the DER of the client's certificate into ID (65
 * bytes); false without a certificate. */
static bool
client_cert_id(const struct mosquitto *client, char *id)
{
	X509 *x = mosquitto_client_certificate(client);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;
	bool ok;

	if (x == NULL)
		return false;
	ok = X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32;
	X509_free(x);	/* mosquitto_client_certificate adds a reference */
	for (i = 0; ok && i < n; i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	return ok;
}

static bool
client_is_service(const struct plugin *p, const struct mosquitto *client)
{
	const char *user = mosquitto_client_username(client);
	X509 *x;

	if (p->service_user[0] == '\0' || user == NULL ||
	    strcmp(user, p->service_user) != 0)
		return false;
	x = mosquitto_client_certificate(client);
	X509_free(x);
	return x == NULL;
}

/* A certificate client CLIENT with certificate CERT_ID: may it connect? */
static int
auth_certificate(struct plugin *p, struct mosquitto *client,
    const char *cert_id)
{
	const char *cid = mosquitto_client_id(client);
	const char *ip = mosquitto_client_address(client);
	struct plugin_client *c;
	char why[PLUGIN_REFUSAL_MAX];

	if (cid == NULL || strlen(cid) > PLUGIN_CLIENT_ID_MAX) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "iotjobs: refused "
		    "certificate %s: client id longer than %d", cert_id,
		    PLUGIN_CLIENT_ID_MAX);
		return MOSQ_ERR_AUTH;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return MOSQ_ERR_NOMEM;
	memcpy(c->client_id, cid, strlen(cid) + 1);
	snprintf(c->source_ip, sizeof(c->source_ip), "%s",
	    ip != NULL ? ip : "");
	c->owner = client;
	if (plugin_http_identity(&p->http, cert_id, cid, &c->id) == -1) {
		pthread_mutex_lock(&p->lock);
		if (!p->unreachable_logged)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "iotjobs: "
			    "iotjobsd unreachable (%s): refusing new "
			    "connections", p->http.error);
		p->unreachable_logged = true;
		pthread_mutex_unlock(&p->lock);
		plugin_identity_release(&c->id);
		free(c);
		return MOSQ_ERR_AUTH;
	}
	p->unreachable_logged = false;
	if (!plugin_may_connect(p, &c->id, cid, c->source_ip, why,
	    sizeof(why))) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "iotjobs: refused client "
		    "%s (certificate %s): %s", cid, cert_id, why);
		plugin_identity_release(&c->id);
		free(c);
		return MOSQ_ERR_AUTH;
	}
	pthread_mutex_lock(&p->lock);
	plugin_client_put(p, c);
	pthread_mutex_unlock(&p->lock);
	return MOSQ_ERR_SUCCESS;
}

static int
on_basic_auth(int event, void *data, void *arg)
{
	struct mosquitto_evt_basic_auth *ed = data;
	struct plugin *p = arg;
	struct plugin_client *c;
	char cert_id[65];

	(void)event;
	if (client_cert_id(ed->client, cert_id))
		return auth_certificate(p, ed->client, cert_id);
	if (!client_is_service(p, ed->client))
		return MOSQ_ERR_AUTH;
	/* The password file decides; its session is no device's. */
	pthread_mutex_lock(&p->lock);
	c = plugin_client_find(p, mosquitto_client_id(ed->client));
	if (c != NULL)
		plugin_client_remove(p, c);
	pthread_mutex_unlock(&p->lock);
	return MOSQ_ERR_PLUGIN_DEFER;
}

/* The action and resource type of ACCESS, or false: not ours to judge. */
static bool
acl_action(int access, const char **action, const char **type)
{
	switch (access) {
	case MOSQ_ACL_SUBSCRIBE:
		*action = "iot:Subscribe";
		*type = "topicfilter";
		return true;
	case MOSQ_ACL_WRITE:
		*action = "iot:Publish";
		*type = "topic";
		return true;
	case MOSQ_ACL_READ:
		*action = "iot:Receive";
		*type = "topic";
		return true;
	default:
		return false;
	}
}

static int
on_acl_check(int event, void *data, void *arg)
{
	struct mosquitto_evt_acl_check *ed = data;
	struct plugin *p = arg;
	struct plugin_client *c;
	const char *action, *type;
	bool ok;

	(void)event;
	pthread_mutex_lock(&p->lock);
	c = plugin_client_find(p, mosquitto_client_id(ed->client));
	if (c == NULL) {
		pthread_mutex_unlock(&p->lock);
		return client_is_service(p, ed->client) ?
		    MOSQ_ERR_PLUGIN_DEFER : MOSQ_ERR_ACL_DENIED;
	}
	if (ed->access == MOSQ_ACL_UNSUBSCRIBE) {
		pthread_mutex_unlock(&p->lock);
		return MOSQ_ERR_SUCCESS;
	}
	ok = acl_action(ed->access, &action, &type) && !c->kick &&
	    plugin_allows(p, &c->id, c->client_id, c->source_ip, action, type,
	    ed->topic);
	if (ok && ed->access == MOSQ_ACL_WRITE && ed->retain)
		ok = plugin_allows(p, &c->id, c->client_id, c->source_ip,
		    "iot:RetainPublish", "topic", ed->topic);
	pthread_mutex_unlock(&p->lock);
	return ok ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
}

static int
on_disconnect(int event, void *data, void *arg)
{
	struct mosquitto_evt_disconnect *ed = data;
	struct plugin *p = arg;
	struct plugin_client *c;

	(void)event;
	pthread_mutex_lock(&p->lock);
	c = plugin_client_find(p, mosquitto_client_id(ed->client));
	if (c != NULL && c->owner == ed->client) {
		/*
		 * Kept a while with its identity: the will (checked right
		 * after this event) and the messages queued for a
		 * persistent session are judged by it.
		 */
		if (c->kick) {
			plugin_client_remove(p, c);
		} else {
			c->owner = NULL;
			c->offline_since = time(NULL);
		}
	}
	pthread_mutex_unlock(&p->lock);
	return MOSQ_ERR_SUCCESS;
}

/* The client ids to kick now, marked done, into IDS (a new array). */
static size_t
tick_collect(struct plugin *p, time_t now, char (**ids)[PLUGIN_CLIENT_ID_MAX
    + 1], char (**why)[PLUGIN_REFUSAL_MAX])
{
	struct plugin_client *c, *next;
	size_t i, n = 0;

	*ids = calloc(p->nclients + 1, sizeof(**ids));
	*why = calloc(p->nclients + 1, sizeof(**why));
	if (*ids == NULL || *why == NULL)
		return 0;
	for (i = 0; i < PLUGIN_BUCKETS; i++)
		for (c = p->buckets[i]; c != NULL; c = next) {
			next = c->next;
			if (c->owner == NULL && now - c->offline_since >
			    PLUGIN_OFFLINE_KEEP_S) {
				plugin_client_remove(p, c);
				continue;
			}
			if (!c->kick || c->owner == NULL ||
			    c->kick_reason[0] == '\0')
				continue;
			memcpy((*ids)[n], c->client_id, sizeof((*ids)[n]));
			memcpy((*why)[n], c->kick_reason, sizeof((*why)[n]));
			c->kick_reason[0] = '\0';	/* kicked once */
			n++;
		}
	return n;
}

static int
on_tick(int event, void *data, void *arg)
{
	struct plugin *p = arg;
	char (*ids)[PLUGIN_CLIENT_ID_MAX + 1] = NULL;
	char (*why)[PLUGIN_REFUSAL_MAX] = NULL;
	char note[sizeof(p->note)];
	time_t now = time(NULL);
	size_t i, n;

	(void)event;
	(void)data;
	if (now - last_tick < TICK_PERIOD_S)
		return MOSQ_ERR_SUCCESS;
	last_tick = now;
	pthread_mutex_lock(&p->lock);
	memcpy(note, p->note, sizeof(note));
	p->note[0] = '\0';
	n = tick_collect(p, now, &ids, &why);
	pthread_mutex_unlock(&p->lock);
	if (note[0] != '\0')
		mosquitto_log_printf(MOSQ_LOG_WARNING, "iotjobs: %s", note);
	for (i = 0; i < n; i++) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "iotjobs: disconnecting "
		    "client %s: %s", ids[i], why[i]);
		mosquitto_kick_client_by_clientid(ids[i], false);
	}
	free(ids);
	free(why);
	return MOSQ_ERR_SUCCESS;
}

PLUGIN_EXPORT int
mosquitto_plugin_version(int supported_version_count,
    const int *supported_versions)
{
	int i;

	for (i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

/* Option KEY of OPTS, or DEF. */
static const char *
plugin_option(struct mosquitto_opt *opts, int n, const char *key,
    const char *def)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(opts[i].key, key) == 0)
			return opts[i].value;
	return def;
}

static int
plugin_configure(struct plugin *p, struct mosquitto_opt *opts, int n)
{
	const char *sock = plugin_option(opts, n, "socket", NULL);
	const char *region = plugin_option(opts, n, "region", "us-east-1");
	const char *account = plugin_option(opts, n, "account",
	    "123456789012");
	const char *user = plugin_option(opts, n, "service_user", "iotjobsd");

	if (sock == NULL || strlen(sock) >= sizeof(p->socket)) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "iotjobs: plugin_opt_socket "
		    "must name iotjobsd's broker socket (at most %zu bytes)",
		    sizeof(p->socket) - 1);
		return -1;
	}
	memcpy(p->socket, sock, strlen(sock) + 1);
	if ((size_t)snprintf(p->arn_prefix, sizeof(p->arn_prefix),
	    "arn:aws:iot:%s:%s:", region, account) >= sizeof(p->arn_prefix) ||
	    (size_t)snprintf(p->service_user, sizeof(p->service_user), "%s",
	    user) >= sizeof(p->service_user)) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "iotjobs: plugin_opt_region,"
		    " _account or _service_user too long");
		return -1;
	}
	return 0;
}

static void
plugin_free(struct plugin *p)
{
	if (p == NULL)
		return;
	plugin_watch_stop(p);
	plugin_client_clear(p);
	plugin_http_release(&p->http);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

PLUGIN_EXPORT int
mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
    struct mosquitto_opt *options, int option_count)
{
	struct plugin *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return MOSQ_ERR_NOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (plugin_configure(p, options, option_count) == -1) {
		plugin_free(p);
		return MOSQ_ERR_INVAL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (plugin_http_init(&p->http, p->socket) == -1 ||
	    plugin_watch_start(p) == -1) {
		plugin_free(p);
		return MOSQ_ERR_UNKNOWN;
	}
	plugin_pid = identifier;
	if (mosquitto_callback_register(identifier, MOSQ_EVT_BASIC_AUTH,
	    on_basic_auth, NULL, p) != MOSQ_ERR_SUCCESS ||
	    mosquitto_callback_register(identifier, MOSQ_EVT_ACL_CHECK,
	    on_acl_check, NULL, p) != MOSQ_ERR_SUCCESS ||
	    mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_tick,
	    NULL, p) != MOSQ_ERR_SUCCESS ||
	    mosquitto_callback_register(identifier, MOSQ_EVT_DISCONNECT,
	    on_disconnect, NULL, p) != MOSQ_ERR_SUCCESS) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "iotjobs: cannot register "
		    "the plugin's callbacks (is per_listener_settings true?)");
		plugin_free(p);
		return MOSQ_ERR_UNKNOWN;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "iotjobs: identities from %s, "
	    "ARNs %s..., service user \"%s\"", p->socket, p->arn_prefix,
	    p->service_user);
	*userdata = p;
	return MOSQ_ERR_SUCCESS;
}

PLUGIN_EXPORT int
mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options,
    int option_count)
{
	struct plugin *p = userdata;

	(void)options;
	(void)option_count;
	if (plugin_pid != NULL) {
		mosquitto_callback_unregister(plugin_pid, MOSQ_EVT_BASIC_AUTH,
		    on_basic_auth, NULL);
		mosquitto_callback_unregister(plugin_pid, MOSQ_EVT_ACL_CHECK,
		    on_acl_check, NULL);
		mosquitto_callback_unregister(plugin_pid, MOSQ_EVT_TICK,
		    on_tick, NULL);
		mosquitto_callback_unregister(plugin_pid, MOSQ_EVT_DISCONNECT,
		    on_disconnect, NULL);
	}
	plugin_free(p);
	curl_global_cleanup();
	return MOSQ_ERR_SUCCESS;
}
