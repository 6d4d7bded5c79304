/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin's table of certificate clients, keyed by client id (the
 * broker's own key: one session per client id), and the decisions taken
 * with a client's cached identity. Callers hold the plugin's lock.
 */
#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define RESOURCE_NAME_MAX	8192	/* longer topics: refused */

static size_t
client_bucket(const char *client_id)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	const unsigned char *s = (const unsigned char *)client_id;

	while (*s != '\0') {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return (size_t)(h % PLUGIN_BUCKETS);
}

struct plugin_client *
plugin_client_find(struct plugin *p, const char *client_id)
{
	struct plugin_client *c;

	if (client_id == NULL)
		return NULL;
	for (c = p->buckets[client_bucket(client_id)]; c != NULL; c = c->next)
		if (strcmp(c->client_id, client_id) == 0)
			return c;
	return NULL;
}

static void
client_free(struct plugin_client *c)
{
	plugin_identity_release(&c->id);
	free(c);
}

void
plugin_client_remove(struct plugin *p, struct plugin_client *c)
{
	struct plugin_client **pp = &p->buckets[client_bucket(c->client_id)];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return;
	*pp = c->next;
	p->nclients--;
	client_free(c);
}

void
plugin_client_put(struct plugin *p, struct plugin_client *c)
{
	struct plugin_client *old = plugin_client_find(p, c->client_id);
	size_t b = client_bucket(c->client_id);

	if (old != NULL)
		plugin_client_remove(p, old);
	c->serial = ++p->serial;
	c->next = p->buckets[b];
	p->buckets[b] = c;
	p->nclients++;
}

void
plugin_client_clear(struct plugin *p)
{
	struct plugin_client *c, *next;
	size_t i;

	for (i = 0; i < PLUGIN_BUCKETS; i++) {
		for (c = p->buckets[i]; c != NULL; c = next) {
			next = c->next;
			client_free(c);
		}
		p->buckets[i] = NULL;
	}
	p->nclients = 0;
}

bool
plugin_allows(const struct plugin *p, const struct plugin_identity *id,
    const char *client_id, const char *source_ip, const char *action,
    const char *type, const char *name)
{
	struct policy_facts facts;
	const char *res[1];
	char *arn;
	size_t len;
	bool ok;

	if (!id->usable || id->npols == 0 || strlen(name) > RESOURCE_NAME_MAX)
		return false;
	len = strlen(p->arn_prefix) + strlen(type) + strlen(name) + 2;
	arn = malloc(len);
	if (arn == NULL)
		return false;
	snprintf(arn, len, "%s%s/%s", p->arn_prefix, type, name);
	memset(&facts, 0, sizeof(facts));
	facts.client_id = client_id;
	facts.thing_attached = id->thing_attached;
	facts.thing_name = id->thing_attached ? client_id : NULL;
	facts.cert_cn = id->common_name[0] != '\0' ? id->common_name : NULL;
	facts.cert_id = id->cert_id;
	facts.source_ip = source_ip[0] != '\0' ? source_ip : NULL;
	res[0] = arn;
	ok = policy_eval((const struct policy *const *)id->pols, id->npols,
	    action, res, 1, &facts) == POLICY_ALLOW;
	free(arn);
	return ok;
}

bool
plugin_may_connect(const struct plugin *p,
    const struct plugin_identity *id, const char *client_id,
    const char *source_ip, char *why, size_t whylen)
{
	if (strncmp(client_id, PLUGIN_RESERVED_PREFIX,
	    strlen(PLUGIN_RESERVED_PREFIX)) == 0) {
		snprintf(why, whylen, "client ids starting with \"%s\" are "
		    "iotjobsd's", PLUGIN_RESERVED_PREFIX);
		return false;
	}
	if (!id->usable) {
		snprintf(why, whylen, "%s", id->refusal);
		return false;
	}
	if (!plugin_allows(p, id, client_id, source_ip, "iot:Connect",
	    "client", client_id)) {
		snprintf(why, whylen, "no policy allows iot:Connect on "
		    "client/%s", client_id);
		return false;
	}
	return true;
}
