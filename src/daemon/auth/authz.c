/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization (authz.h): an operation becomes an IAM action and the ARNs
 * of the resources its input names; the principal's policies decide
 * through policy_eval(). Every resource the request names must be allowed
 * (AddThingToThingGroup needs its thing and its group). A data-plane
 * resource may be written either way AWS's pages show it: the thing
 * (thing/NAME) or the MQTT topic of the same request
 * (topic/$aws/things/NAME/jobs/...); either form allows, and a Deny on
 * either refuses.
 */
#include "auth/authz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/identity.h"
#include "log.h"
#include "policy.h"
#include "store/store.h"
#include "store/store_identity.h"
#include "xmalloc.h"

#define AUTHZ_RES_MAX		6	/* resources one request names */
#define AUTHZ_ALT_MAX		2	/* forms of one resource */
#define AUTHZ_ARN_MAX		1024
#define AUTHZ_BUCKETS		1024
#define AUTHZ_ENTRIES_MAX	8192
#define AUTHZ_GEN_CHECK_MS	1000	/* how stale the generation may be */
#define AUTHZ_ENTRY_TTL_MS	60000	/* validity (expiry) is rechecked */

/* One resource of a request, in up to two forms. */
struct authz_res {
	char arn[AUTHZ_ALT_MAX][AUTHZ_ARN_MAX];
	size_t nalt;
};

struct authz_resources {
	struct authz_res r[AUTHZ_RES_MAX];
	size_t n;
};

/* A certificate's identity and parsed policies, for one thing name. */
struct authz_entry {
	char *key;		/* cert id, '\n', thing name */
	struct identity id;
	struct policy **pols;
	size_t npols;
	int64_t loaded_ms;
	int refs;		/* the cache's own reference included */
	bool cached;
	struct authz_entry *next;
};

struct authz {
	struct store *st;
	const struct conf *conf;
	pthread_mutex_t lock;
	struct authz_entry *buckets[AUTHZ_BUCKETS];
	size_t n;
	int64_t generation;
	int64_t checked_ms;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
key_hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h % AUTHZ_BUCKETS;
}

static void
entry_free(struct authz_entry *e)
{
	size_t i;

	for (i = 0; i < e->npols; i++)
		policy_free(e->pols[i]);
	free(e->pols);
	identity_release(&e->id);
	free(e->key);
	free(e);
}

/* Drops a reference to E; the caller holds z->lock. */
static void
entry_unref(struct authz_entry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

/* Empties the cache (entries in use live on until released). */
static void
cache_flush(struct authz *z)
{
	struct authz_entry *e, *next;
	size_t b;

	for (b = 0; b < AUTHZ_BUCKETS; b++) {
		for (e = z->buckets[b]; e != NULL; e = next) {
			next = e->next;
			e->cached = false;
			entry_unref(e);
		}
		z->buckets[b] = NULL;
	}
	z->n = 0;
}

int
authz_open(struct store *st, const struct conf *conf, struct authz **out,
    struct err *err)
{
	struct authz *z = xcalloc(1, sizeof(*z));

	(void)err;
	z->st = st;
	z->conf = conf;
	z->generation = -1;
	pthread_mutex_init(&z->lock, NULL);
	*out = z;
	return 0;
}

void
authz_close(struct authz *z)
{
	if (z == NULL)
		return;
	pthread_mutex_lock(&z->lock);
	cache_flush(z);
	pthread_mutex_unlock(&z->lock);
	pthread_mutex_destroy(&z->lock);
	free(z);
}

/* Flushes the cache when the store's generation moved; z->lock held. */
static int
generation_check(struct authz *z, struct err *err)
{
	struct store_tx *tx;
	int64_t now = mono_ms(), gen;
	int rc;

	if (z->generation >= 0 && now - z->checked_ms < AUTHZ_GEN_CHECK_MS)
		return 0;
	if (store_begin(z->st, false, &tx, err) == -1)
		return -1;
	rc = store_authz_generation(tx, &gen, err);
	store_end(tx, false, NULL);
	if (rc == -1)
		return -1;
	if (gen != z->generation)
		cache_flush(z);
	z->generation = gen;
	z->checked_ms = now;
	return 0;
}

static struct authz_entry *
entry_load(struct authz *z, const char *key, const char *cert_id,
    const char *thing, struct err *err)
{
	struct authz_entry *e = xcalloc(1, sizeof(*e));
	struct err perr;
	size_t i, n;

	if (identity_load(z->st, z->conf, cert_id, thing, &e->id, err) == -1) {
		free(e);
		return NULL;
	}
	e->key = xstrdup(key);
	n = json_array_size(e->id.policy_docs);
	e->pols = xcalloc(n > 0 ? n : 1, sizeof(*e->pols));
	for (i = 0; i < n; i++) {
		const char *doc = json_string_value(
		    json_array_get(e->id.policy_docs, i));

		err_clear(&perr);
		if (policy_parse(doc, strlen(doc), &e->pols[e->npols],
		    &perr) == -1) {
			/* Documents were parsed when stored: never here. */
			log_warnx("authz: a stored policy of certificate %s"
			    " does not parse: %s", cert_id, perr.msg);
			continue;
		}
		e->npols++;
	}
	e->loaded_ms = mono_ms();
	e->refs = 1;
	return e;
}

/*
 * The entry of CERT_ID for THING (NULL: none), a reference the caller
 * releases with entry_release(); NULL with ERR on a store failure.
 */
static struct authz_entry *
entry_get(struct authz *z, const char *cert_id, const char *thing,
    struct err *err)
{
	char key[256];
	struct authz_entry *e, *fresh;
	size_t b;

	snprintf(key, sizeof(key), "%s\n%s", cert_id,
	    thing != NULL ? thing : "");
	b = key_hash(key);
	pthread_mutex_lock(&z->lock);
	if (generation_check(z, err) == -1) {
		pthread_mutex_unlock(&z->lock);
		return NULL;
	}
	for (e = z->buckets[b]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0 &&
		    mono_ms() - e->loaded_ms < AUTHZ_ENTRY_TTL_MS) {
			e->refs++;
			pthread_mutex_unlock(&z->lock);
			return e;
		}
	pthread_mutex_unlock(&z->lock);
	fresh = entry_load(z, key, cert_id, thing, err);
	if (fresh == NULL)
		return NULL;
	pthread_mutex_lock(&z->lock);
	if (z->n >= AUTHZ_ENTRIES_MAX)
		cache_flush(z);
	fresh->cached = true;
	fresh->refs++;
	fresh->next = z->buckets[b];
	z->buckets[b] = fresh;
	z->n++;
	pthread_mutex_unlock(&z->lock);
	return fresh;
}

static void
entry_release(struct authz *z, struct authz_entry *e)
{
	pthread_mutex_lock(&z->lock);
	entry_unref(e);
	pthread_mutex_unlock(&z->lock);
}

/* --- actions and resources -------------------------------------------- */

static void
res_add(struct authz_resources *rs, const struct conf *conf,
    const char *type, const char *name, const char *topic)
{
	struct authz_res *r;

	if (rs->n == AUTHZ_RES_MAX)
		return;
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	if (type == NULL)
		snprintf(r->arn[0], sizeof(r->arn[0]), "%s", name);
	else
		snprintf(r->arn[0], sizeof(r->arn[0]),
		    "arn:aws:iot:%s:%s:%s/%s", conf->region,
		    conf->account_id, type, name);
	r->nalt = 1;
	if (topic != NULL) {
		snprintf(r->arn[1], sizeof(r->arn[1]),
		    "arn:aws:iot:%s:%s:topic/%s", conf->region,
		    conf->account_id, topic);
		r->nalt = 2;
	}
}

/* The MQTT request topic of a data-plane operation, or NULL. */
static const char *
data_topic(const char *op, const char *thing, const char *job, char *buf,
    size_t size)
{
	if (strcmp(op, "GetPendingJobExecutions") == 0)
		snprintf(buf, size, "$aws/things/%s/jobs/get", thing);
	else if (strcmp(op, "StartNextPendingJobExecution") == 0)
		snprintf(buf, size, "$aws/things/%s/jobs/start-next", thing);
	else if (strcmp(op, "DescribeJobExecution") == 0 && job != NULL)
		snprintf(buf, size, "$aws/things/%s/jobs/%s/get", thing, job);
	else if (strcmp(op, "UpdateJobExecution") == 0 && job != NULL)
		snprintf(buf, size, "$aws/things/%s/jobs/%s/update", thing,
		    job);
	else
		return NULL;
	return buf;
}

/* Input members that name a resource, and the ARN type of each. */
static const struct {
	const char *member;
	const char *type;
} res_members[] = {
	{ "jobId", "job" },
	{ "jobTemplateId", "jobtemplate" },
	{ "commandId", "command" },
	{ "policyName", "policy" },
	{ "certificateId", "cert" },
	{ "caCertificateId", "cacert" },
	{ "thingGroupName", "thinggroup" },
	{ "thingName", "thing" },
	{ "thingTypeName", "thingtype" },
	/* Already ARNs: AttachPolicy's target, AttachThingPrincipal's
	 * principal, the tag operations' resourceArn. */
	{ "target", NULL },
	{ "principal", NULL },
	{ "resourceArn", NULL },
};

static void
op_resources(const struct conf *conf, const struct authz_request *r,
    struct authz_resources *rs)
{
	const char *thing = json_string_value(json_object_get(r->in,
	    "thingName"));
	const char *job = json_string_value(json_object_get(r->in, "jobId"));
	const char *v;
	char topic[AUTHZ_ARN_MAX];
	size_t i;

	rs->n = 0;
	if (r->plane == PLANE_DATA && thing != NULL) {
		res_add(rs, conf, "thing", thing,
		    data_topic(r->op, thing, job, topic, sizeof(topic)));
		return;
	}
	if (r->plane == PLANE_DATA) {
		/* StartCommandExecution: its target and its command. */
		if ((v = json_string_value(json_object_get(r->in,
		    "targetArn"))) != NULL)
			res_add(rs, conf, NULL, v, NULL);
		if ((v = json_string_value(json_object_get(r->in,
		    "commandArn"))) != NULL)
			res_add(rs, conf, NULL, v, NULL);
	}
	for (i = 0; r->plane == PLANE_CONTROL &&
	    i < sizeof(res_members) / sizeof(res_members[0]); i++) {
		v = json_string_value(json_object_get(r->in,
		    res_members[i].member));
		/* A thing's type is a property here, not a second target. */
		if (v == NULL || (strcmp(res_members[i].member,
		    "thingTypeName") == 0 && thing != NULL) ||
		    (res_members[i].type == NULL && strncmp(v, "arn:", 4) != 0))
			continue;
		res_add(rs, conf, res_members[i].type, v, NULL);
	}
	if (rs->n == 0)
		res_add(rs, conf, NULL, "*", NULL);
}

/* --- decisions ---------------------------------------------------------- */

static void
principal_arn(const struct conf *conf, const struct principal *who,
    char *buf, size_t size)
{
	switch (who->kind) {
	case PRINCIPAL_CERT:
		snprintf(buf, size, "arn:aws:iot:%s:%s:cert/%s", conf->region,
		    conf->account_id, who->cert_id);
		break;
	case PRINCIPAL_THING:
		snprintf(buf, size, "arn:aws:iot:%s:%s:thing/%s",
		    conf->region, conf->account_id, who->thing_name);
		break;
	case PRINCIPAL_OPERATOR:
		snprintf(buf, size, "arn:aws:iam::%s:user/%s",
		    conf->account_id, who->name);
		break;
	default:
		snprintf(buf, size, "arn:aws:iam::%s:root", conf->account_id);
		break;
	}
}

static int
denied(const struct authz *z, const struct principal *who,
    const char *action, const char *resource, struct err *err)
{
	char arn[512];

	principal_arn(z->conf, who, arn, sizeof(arn));
	return err_set_status(err, 403, ERR_ACCESS_DENIED, "User: %s is not"
	    " authorized to perform: %s on resource: %s", arn, action,
	    resource);
}

/* Every resource of RS allowed by the N policies P for ACTION. */
static int
decide(const struct authz *z, const struct principal *who,
    const struct policy *const *p, size_t n, const char *action,
    const struct authz_resources *rs, const struct policy_facts *facts,
    struct err *err)
{
	const char *alts[AUTHZ_ALT_MAX];
	size_t i, j;

	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < rs->r[i].nalt; j++)
			alts[j] = rs->r[i].arn[j];
		if (policy_eval(p, n, action, alts, rs->r[i].nalt, facts) !=
		    POLICY_ALLOW)
			return denied(z, who, action, rs->r[i].arn[0], err);
	}
	return 0;
}

/* Decides for a certificate principal: its entry, its facts. */
static int
decide_cert(struct authz *z, const struct principal *who,
    const char *action, const char *thing,
    const struct authz_resources *rs, const char *source_ip,
    struct err *err)
{
	struct policy_facts facts;
	struct authz_entry *e;
	int rc;

	e = entry_get(z, who->cert_id, thing, err);
	if (e == NULL)
		return -1;
	if (!e->id.usable) {
		rc = err_set_status(err, 403, ERR_UNRECOGNIZED_CLIENT,
		    "The client certificate may not be used: %s",
		    e->id.refusal);
		entry_release(z, e);
		return rc;
	}
	memset(&facts, 0, sizeof(facts));
	facts.cert_id = who->cert_id;
	facts.cert_cn = e->id.common_name[0] != '\0' ? e->id.common_name :
	    NULL;
	facts.source_ip = source_ip;
	if (thing != NULL && identity_has_thing(&e->id, thing)) {
		facts.thing_name = thing;
		facts.thing_attached = true;
	}
	rc = decide(z, who, (const struct policy *const *)e->pols, e->npols,
	    action, rs, &facts, err);
	entry_release(z, e);
	return rc;
}

static int
decide_for(struct authz *z, const struct principal *who,
    const char *action, const char *thing,
    const struct authz_resources *rs, const char *source_ip,
    struct err *err)
{
	const struct policy *all = policy_allow_all();
	struct policy_facts facts;

	memset(&facts, 0, sizeof(facts));
	facts.source_ip = source_ip;
	switch (who->kind) {
	case PRINCIPAL_CERT:
		return decide_cert(z, who, action, thing, rs, source_ip, err);
	case PRINCIPAL_ADMIN:
		return decide(z, who, &all, 1, action, rs, &facts, err);
	case PRINCIPAL_OPERATOR:
		return decide(z, who, &who->policy, who->policy != NULL ? 1 : 0,
		    action, rs, &facts, err);
	default:
		/* A relayed MQTT request comes through mqtt/, never here. */
		return denied(z, who, action, rs->r[0].arn[0], err);
	}
}

int
authz_check(struct authz *z, const struct authz_request *r,
    struct err *err)
{
	struct authz_resources rs;
	char action[160];

	snprintf(action, sizeof(action), "%s:%s",
	    r->plane == PLANE_DATA ? "iotjobsdata" : "iot", r->op);
	op_resources(z->conf, r, &rs);
	return decide_for(z, r->who, action, json_string_value(
	    json_object_get(r->in, "thingName")), &rs, r->source_ip, err);
}

int
authz_check_action(struct authz *z, const struct principal *who,
    const char *action, const char *resource, const char *source_ip,
    struct err *err)
{
	struct authz_resources rs;

	rs.n = 0;
	res_add(&rs, z->conf, NULL, resource, NULL);
	return decide_for(z, who, action, NULL, &rs, source_ip, err);
}
