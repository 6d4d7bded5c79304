/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The watcher thread: asks iotjobsd for the authorization generation
 * every second and, for every cached client whose identity is older,
 * loads it again. A client no longer allowed to connect (its certificate
 * not ACTIVE, detached from its thing, a policy changed) is marked to be
 * kicked; the broker's thread kicks it on its next tick (Mosquitto is
 * called from that thread only). When iotjobsd does not answer, cached
 * identities stay as they are.
 */
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WATCH_PERIOD_MS	1000

struct watch_item {
	char client_id[PLUGIN_CLIENT_ID_MAX + 1];
	char cert_id[65];
	uint64_t serial;
};

/* Notes a line for the broker's log (the broker's thread writes it). */
static void
watch_note(struct plugin *p, const char *line)
{
	if (p->note[0] == '\0')
		snprintf(p->note, sizeof(p->note), "%s", line);
}

/* The clients whose identity predates GEN, into a new array. */
static struct watch_item *
watch_stale(struct plugin *p, int64_t gen, size_t *n)
{
	struct watch_item *items;
	struct plugin_client *c;
	size_t i;

	*n = 0;
	items = calloc(p->nclients + 1, sizeof(*items));
	if (items == NULL)
		return NULL;
	for (i = 0; i < PLUGIN_BUCKETS; i++)
		for (c = p->buckets[i]; c != NULL; c = c->next) {
			if (c->id.generation >= gen || c->kick)
				continue;
			memcpy(items[*n].client_id, c->client_id,
			    sizeof(c->client_id));
			memcpy(items[*n].cert_id, c->id.cert_id,
			    sizeof(c->id.cert_id));
			items[*n].serial = c->serial;
			(*n)++;
		}
	return items;
}

/* Installs the reloaded identity ID of IT (held lock); frees the one it
 * replaces, or ID when the client is gone. */
static void
watch_install(struct plugin *p, const struct watch_item *it,
    struct plugin_identity *id)
{
	struct plugin_client *c = plugin_client_find(p, it->client_id);
	char why[PLUGIN_REFUSAL_MAX];
	struct plugin_identity old;

	if (c == NULL || c->serial != it->serial) {
		plugin_identity_release(id);
		return;
	}
	old = c->id;
	c->id = *id;
	plugin_identity_release(&old);
	if (plugin_may_connect(p, &c->id, c->client_id, c->source_ip, why,
	    sizeof(why)))
		return;
	if (c->owner == NULL) {
		plugin_client_remove(p, c);
		return;
	}
	c->kick = true;
	snprintf(c->kick_reason, sizeof(c->kick_reason), "%s", why);
}

/* One round: the generation, then the stale identities. */
static void
watch_round(struct plugin *p, struct plugin_http *h)
{
	struct plugin_identity id;
	struct watch_item *items;
	char line[sizeof(p->note)];
	int64_t gen;
	size_t i, n;
	int rc;

	rc = plugin_http_generation(h, &gen);
	pthread_mutex_lock(&p->lock);
	if (rc == -1 && !p->unreachable) {
		snprintf(line, sizeof(line), "iotjobsd unreachable (%s): new "
		    "connections refused, %zu connected client(s) keep their "
		    "cached identity", h->error, p->nclients);
		watch_note(p, line);
	} else if (rc == 0 && p->unreachable) {
		watch_note(p, "iotjobsd reachable again");
	}
	p->unreachable = rc == -1;
	items = rc == 0 ? watch_stale(p, gen, &n) : NULL;
	pthread_mutex_unlock(&p->lock);
	if (items == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (plugin_http_identity(h, items[i].cert_id,
		    items[i].client_id, &id) == -1) {
			plugin_identity_release(&id);
			break;	/* the next round tries again */
		}
		pthread_mutex_lock(&p->lock);
		watch_install(p, &items[i], &id);
		pthread_mutex_unlock(&p->lock);
	}
	free(items);
}

static void *
watch_main(void *arg)
{
	struct plugin *p = arg;
	struct plugin_http h;
	struct timespec ts;

	if (plugin_http_init(&h, p->socket) == -1)
		return NULL;
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		pthread_mutex_unlock(&p->lock);
		watch_round(p, &h);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += WATCH_PERIOD_MS / 1000;
		pthread_mutex_lock(&p->lock);
		if (!p->stop)
			pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	plugin_http_release(&h);
	return NULL;
}

int
plugin_watch_start(struct plugin *p)
{
	if (pthread_create(&p->watcher, NULL, watch_main, p) != 0)
		return -1;
	p->watching = true;
	return 0;
}

void
plugin_watch_stop(struct plugin *p)
{
	if (!p->watching)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->watcher, NULL);
	p->watching = false;
}
