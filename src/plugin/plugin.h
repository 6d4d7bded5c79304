/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Mosquitto plugin of iotjobs (mosquitto_iotjobs.so): what its files
 * share. The plugin authenticates every MQTT client by its X.509
 * certificate and authorizes its connect, subscribe, publish and
 * delivery with the AWS IoT policies of the store, read from iotjobsd
 * over its broker socket (src/daemon/http/broker.h). Only the broker's
 * thread calls Mosquitto; the watcher thread (plugin_watch.c) talks to
 * iotjobsd and leaves its findings in the client table.
 */
#ifndef IOTJOBS_PLUGIN_H
#define IOTJOBS_PLUGIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

struct policy;

#define PLUGIN_CLIENT_ID_MAX	128	/* AWS IoT's limit; longer: refused */
#define PLUGIN_RESERVED_PREFIX	"iotjobsd-"	/* iotjobsd's own ids */
#define PLUGIN_BUCKETS		4096
#define PLUGIN_OFFLINE_KEEP_S	3600	/* AWS's persistent session expiry */
#define PLUGIN_REFUSAL_MAX	160

/* One identity answer of iotjobsd, parsed. */
struct plugin_identity {
	int64_t generation;
	bool usable;
	char refusal[PLUGIN_REFUSAL_MAX];	/* why not, when !usable */
	char cert_id[65];
	char common_name[256];
	bool thing_attached;	/* the client id names a thing attached */
	struct policy **pols;
	size_t npols;
};

void plugin_identity_release(struct plugin_identity *id);

/* HTTP to iotjobsd over its Unix socket (plugin_http.c); one per thread. */
struct plugin_http {
	CURL *curl;
	char socket[108];
	char error[256];	/* the last failure, for the log */
};

int plugin_http_init(struct plugin_http *h, const char *socket);
void plugin_http_release(struct plugin_http *h);

/* The generation into *GEN; -1 when iotjobsd did not answer well. */
int plugin_http_generation(struct plugin_http *h, int64_t *gen);

/*
 * The identity of certificate CERT_ID for client CLIENT_ID into OUT
 * (release it whatever the result); -1 when iotjobsd did not answer
 * well (H->error says why).
 */
int plugin_http_identity(struct plugin_http *h, const char *cert_id,
    const char *client_id, struct plugin_identity *out);

/* A connected (or recently connected) certificate client. */
struct plugin_client {
	char client_id[PLUGIN_CLIENT_ID_MAX + 1];
	const void *owner;	/* its struct mosquitto; NULL: offline */
	char source_ip[64];
	struct plugin_identity id;
	uint64_t serial;	/* tells a replaced entry from its successor */
	time_t offline_since;
	bool kick;		/* no longer allowed: disconnect it */
	char kick_reason[PLUGIN_REFUSAL_MAX];
	struct plugin_client *next;	/* hash chain */
};

struct plugin {
	char arn_prefix[192];	/* arn:aws:iot:REGION:ACCOUNT: */
	char service_user[256];
	struct plugin_http http;	/* the broker thread's */
	/* Everything below under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct plugin_client *buckets[PLUGIN_BUCKETS];
	size_t nclients;
	uint64_t serial;
	bool stop;
	bool unreachable;	/* the watcher's last call failed */
	bool unreachable_logged;
	char note[512];		/* a line for the broker's log, or "" */
	/* The watcher thread. */
	pthread_t watcher;
	bool watching;
	char socket[108];
};

/* --- plugin_client.c: the table (callers hold P->lock) ------------------ */

struct plugin_client *plugin_client_find(struct plugin *p,
    const char *client_id);

/* Inserts C (a new entry, filled) replacing any of its client id. */
void plugin_client_put(struct plugin *p, struct plugin_client *c);

/* Removes C from the table and frees it. */
void plugin_client_remove(struct plugin *p, struct plugin_client *c);

/* Frees every entry. */
void plugin_client_clear(struct plugin *p);

/*
 * Whether identity ID, for client CLIENT_ID from SOURCE_IP, may do ACTION
 * on resource TYPE/NAME (an ARN under P's prefix): an Allow and no
 * explicit Deny of its policies.
 */
bool plugin_allows(const struct plugin *p, const struct plugin_identity *id,
    const char *client_id, const char *source_ip, const char *action,
    const char *type, const char *name);

/*
 * Whether ID may connect as CLIENT_ID: usable, not a reserved client id,
 * allowed iot:Connect on client/CLIENT_ID. Else writes why into WHY.
 */
bool plugin_may_connect(const struct plugin *p,
    const struct plugin_identity *id, const char *client_id,
    const char *source_ip, char *why, size_t whylen);

/* --- plugin_watch.c: the watcher thread ---------------------------------- */

/* Starts the thread that follows the generation and reloads identities. */
int plugin_watch_start(struct plugin *p);
void plugin_watch_stop(struct plugin *p);

#endif
