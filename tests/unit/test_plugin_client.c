/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker plugin's decisions (src/plugin/plugin_client.c) with a
 * client's cached identity: iot:Connect with iotjobsd's reserved client
 * ids, an unusable certificate, the thing variable resolving only when the
 * client id names an attached thing; subscribe, publish and receive ARNs
 * (topicfilter vs topic); explicit Deny; and the client table's takeover
 * rule (an entry replaced under the same client id).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin_client.c"

#define ARN	"arn:aws:iot:us-east-1:123456789012:"

/* plugin_http.c's, without libcurl. */
void
plugin_identity_release(struct plugin_identity *id)
{
	size_t i;

	for (i = 0; i < id->npols; i++)
		policy_free(id->pols[i]);
	free(id->pols);
	id->pols = NULL;
	id->npols = 0;
}

static const char thing_policy[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":"
    "\"" ARN "client/${iot:Connection.Thing.ThingName}\"},"
    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Publish\",\"iot:Receive\"],"
    "\"Resource\":\"" ARN "topic/$aws/things/"
    "${iot:Connection.Thing.ThingName}/jobs/*\"},"
    "{\"Effect\":\"Allow\",\"Action\":\"iot:Subscribe\",\"Resource\":"
    "\"" ARN "topicfilter/$aws/things/"
    "${iot:Connection.Thing.ThingName}/jobs/*\"},"
    "{\"Effect\":\"Deny\",\"Action\":\"iot:Publish\",\"Resource\":"
    "\"" ARN "topic/$aws/things/*/jobs/blocked\"}]}";

static const char any_policy[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
    "\"Action\":\"iot:*\",\"Resource\":\"*\"}}";

static void
plugin_setup(struct plugin *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->arn_prefix, sizeof(p->arn_prefix), "%s", ARN);
}

/* An identity holding DOC, usable, THING attached or not. */
static void
identity_with(struct plugin_identity *id, const char *doc, bool attached)
{
	struct err err;

	memset(id, 0, sizeof(*id));
	id->usable = true;
	id->thing_attached = attached;
	snprintf(id->cert_id, sizeof(id->cert_id), "%064d", 7);
	id->pols = calloc(1, sizeof(*id->pols));
	assert_non_null(id->pols);
	err_clear(&err);
	assert_int_equal(policy_parse(doc, strlen(doc), &id->pols[0], &err),
	    0);
	id->npols = 1;
}

static void
connect_decisions(void **state)
{
	struct plugin p;
	struct plugin_identity id;
	char why[PLUGIN_REFUSAL_MAX];

	(void)state;
	plugin_setup(&p);
	identity_with(&id, thing_policy, true);
	assert_true(plugin_may_connect(&p, &id, "dev-1", "127.0.0.1", why,
	    sizeof(why)));
	/* Not attached: the thing variable resolves to nothing. */
	id.thing_attached = false;
	assert_false(plugin_may_connect(&p, &id, "dev-1", "127.0.0.1", why,
	    sizeof(why)));
	assert_non_null(strstr(why, "iot:Connect on client/dev-1"));
	id.thing_attached = true;
	id.usable = false;
	snprintf(id.refusal, sizeof(id.refusal), "not ACTIVE");
	assert_false(plugin_may_connect(&p, &id, "dev-1", "", why,
	    sizeof(why)));
	assert_string_equal(why, "not ACTIVE");
	plugin_identity_release(&id);

	/* iotjobsd's prefix, whatever the policy allows. */
	identity_with(&id, any_policy, false);
	assert_true(plugin_may_connect(&p, &id, "anything", "", why,
	    sizeof(why)));
	assert_false(plugin_may_connect(&p, &id, "iotjobsd-host-1", "", why,
	    sizeof(why)));
	assert_non_null(strstr(why, "iotjobsd-"));
	plugin_identity_release(&id);
}

static void
topic_decisions(void **state)
{
	static const struct {
		const char *action, *type, *name;
		bool ok;
	} cases[] = {
		{ "iot:Subscribe", "topicfilter", "$aws/things/dev-1/jobs/#",
		  true },
		{ "iot:Subscribe", "topicfilter", "$aws/things/+/jobs/#",
		  false },
		{ "iot:Subscribe", "topicfilter", "$aws/things/dev-2/jobs/#",
		  false },
		{ "iot:Subscribe", "topic", "$aws/things/dev-1/jobs/#",
		  false },
		{ "iot:Publish", "topic", "$aws/things/dev-1/jobs/get", true },
		{ "iot:Publish", "topic", "$aws/things/dev-1/jobs/blocked",
		  false },
		{ "iot:Publish", "topic", "$aws/things/dev-2/jobs/get", false },
		{ "iot:Receive", "topic", "$aws/things/dev-1/jobs/notify",
		  true },
		{ "iot:Receive", "topic", "$aws/events/job/j1/created",
		  false },
		{ "iot:RetainPublish", "topic", "$aws/things/dev-1/jobs/get",
		  false },
	};
	struct plugin p;
	struct plugin_identity id;
	size_t i;

	(void)state;
	plugin_setup(&p);
	identity_with(&id, thing_policy, true);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = plugin_allows(&p, &id, "dev-1", "127.0.0.1",
		    cases[i].action, cases[i].type, cases[i].name);

		if (ok != cases[i].ok)
			fail_msg("%s on %s/%s: got %d, want %d",
			    cases[i].action, cases[i].type, cases[i].name, ok,
			    cases[i].ok);
	}
	/* Unusable: nothing at all. */
	id.usable = false;
	assert_false(plugin_allows(&p, &id, "dev-1", "", "iot:Publish",
	    "topic", "$aws/things/dev-1/jobs/get"));
	plugin_identity_release(&id);
}

static struct plugin_client *
client_new(const char *cid, const void *owner)
{
	struct plugin_client *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	snprintf(c->client_id, sizeof(c->client_id), "%s", cid);
	c->owner = owner;
	return c;
}

static void
table_replaces_by_client_id(void **state)
{
	static int a, b;
	struct plugin *p = calloc(1, sizeof(*p));
	struct plugin_client *c;

	(void)state;
	assert_non_null(p);
	plugin_client_put(p, client_new("dev-1", &a));
	plugin_client_put(p, client_new("dev-2", &a));
	assert_int_equal(p->nclients, 2);
	/* A takeover: the same client id, a new connection. */
	plugin_client_put(p, client_new("dev-1", &b));
	assert_int_equal(p->nclients, 2);
	c = plugin_client_find(p, "dev-1");
	assert_non_null(c);
	assert_ptr_equal(c->owner, &b);
	assert_true(c->serial > plugin_client_find(p, "dev-2")->serial);
	plugin_client_remove(p, c);
	assert_null(plugin_client_find(p, "dev-1"));
	assert_null(plugin_client_find(p, NULL));
	plugin_client_clear(p);
	assert_int_equal(p->nclients, 0);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(connect_decisions),
		cmocka_unit_test(topic_decisions),
		cmocka_unit_test(table_replaces_by_client_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
