/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy evaluator (common/policy.c): documents AWS refuses, case by
 * case, with the member each message must name; then decisions on the
 * policies of AWS IoT's documented examples (connect with the thing's
 * name as client id, the jobs topics, topic vs topicfilter, IsAttached,
 * explicit deny over allow) and on the rules around them (NotAction,
 * NotResource, wildcards, literal variable values, absent facts, case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"

#define ARN	"arn:aws:iot:us-east-1:123456789012:"

/* ---------------------------------------------------------------- */
/* Documents AWS refuses                                             */

static const struct {
	const char *doc;
	const char *msg;	/* a part the message must contain */
} bad[] = {
	{ "", "not valid JSON" },
	{ "{", "not valid JSON" },
	{ "[]", "must be a JSON object" },
	{ "{\"Version\":\"2012-10-17\"}", "Statement is missing" },
	{ "{\"Statement\":[]}", "Statement must not be an empty array" },
	{ "{\"Statement\":\"x\"}", "Statement must be an object or an array" },
	{ "{\"Statement\":[1]}", "Statement[0] must be an object" },
	{ "{\"Version\":\"2020-01-01\",\"Statement\":{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}}", "Version must be" },
	{ "{\"Version\":20121017,\"Statement\":{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}}", "Version must be" },
	{ "{\"Foo\":1,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\"}}", "unknown member \"Foo\"" },
	{ "{\"Id\":1,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\"}}", "Id must be a string" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Statement\":1}}",
	    "Statement[0] has an unknown member \"Statement\"" },
	{ "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\"},{\"Action\":\"*\",\"Resource\":\"*\"}]}",
	    "Statement[1].Effect is missing" },
	{ "{\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\"}}", "Statement[0].Effect must be" },
	{ "{\"Statement\":{\"Effect\":true,\"Action\":\"*\","
	    "\"Resource\":\"*\"}}", "Statement[0].Effect must be" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}",
	    "Statement[0].Action is missing" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\"}}",
	    "Statement[0].Resource is missing" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"NotAction\":\"iot:Publish\",\"Resource\":\"*\"}}",
	    "both Action and NotAction" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"NotResource\":\"*\"}}",
	    "both Resource and NotResource" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],"
	    "\"Resource\":\"*\"}}",
	    "Statement[0].Action must not be an empty" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":7,"
	    "\"Resource\":\"*\"}}", "Statement[0].Action must be a string" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"iot:Connect\","
	    "3],\"Resource\":\"*\"}}", "Statement[0].Action[1] must be a" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"Publish\","
	    "\"Resource\":\"*\"}}", "Statement[0].NotAction \"Publish\"" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"io*:Publish\","
	    "\"Resource\":\"*\"}}", "vendor prefix" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"iot:\","
	    "\"Resource\":\"*\"}}", "vendor prefix" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"topic/a\"}}",
	    "Statement[0].Resource \"topic/a\" must be \"*\" or an ARN" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"NotResource\":[]}}", "Statement[0].NotResource must not be" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Principal\":\"*\"}}",
	    "Statement[0].Principal is not allowed" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"NotPrincipal\":{\"AWS\":\"*\"}}}",
	    "Statement[0].NotPrincipal is not allowed" },
	{ "{\"Statement\":{\"Sid\":1,\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\"}}", "Statement[0].Sid must be a string" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Effect\":\"Deny\","
	    "\"Action\":\"*\",\"Resource\":\"*\"}}", "duplicate" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":[]}}",
	    "Statement[0].Condition must be an object" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{}}}}",
	    "Statement[0].Condition.StringEquals must be a non-empty object" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringSort\":"
	    "{\"iot:ClientId\":\"a\"}}}}",
	    "unknown condition operator \"StringSort\"" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":"
	    "{\"iot:ClientId\":1}}}}", "\"NumericLessThan\" is not supported" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":"
	    "{\"iot:ClientId\":\"true\"}}}}", "Null takes no IfExists" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"ClientId\":\"a\"}}}}",
	    "Statement[0].Condition.StringEquals.ClientId: condition key" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"iot:ClientId\":[]}}}}",
	    "StringEquals.iot:ClientId must be a string or a non-empty" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"iot:ClientId\":{\"a\":1}}}}}",
	    "StringEquals.iot:ClientId must be a string" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"iot:ClientId\":[\"a\",null]}}}}",
	    "StringEquals.iot:ClientId[1] must be a string" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"Bool\":"
	    "{\"iot:Connection.Thing.IsAttached\":\"yes\"}}}}",
	    "Bool.iot:Connection.Thing.IsAttached: \"yes\" must be" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"Null\":"
	    "{\"iot:ClientId\":\"maybe\"}}}}", "must be \"true\" or" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
	    "{\"aws:SourceIp\":\"10.0.0.0/33\"}}}}",
	    "IpAddress.aws:SourceIp: \"10.0.0.0/33\" is not an IP" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":"
	    "{\"aws:SourceIp\":\"example.com\"}}}}", "is not an IP address" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
	    "{\"aws:SourceIp\":\"2001:db8::/129\"}}}}",
	    "is not an IP address" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"ArnLike\":"
	    "{\"iot:ClientId\":\"arn:aws:iot\"}}}}",
	    "ArnLike.iot:ClientId: \"arn:aws:iot\" is not an ARN" },
	{ "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringLike\":"
	    "{\"iot:ClientId\":1.5}}}}", "must be a string" },
};

static void
parse_refuses_what_aws_refuses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy *p = (struct policy *)1;
		struct err err;
		int rc;

		err_clear(&err);
		rc = policy_parse(bad[i].doc, strlen(bad[i].doc), &p, &err);
		if (rc != -1 || p != NULL || err.type == NULL ||
		    strcmp(err.type, ERR_MALFORMED_POLICY) != 0 ||
		    strstr(err.msg, bad[i].msg) == NULL) {
			print_error("case %zu %s\n  want -1 %s \"...%s...\"\n"
			    "  got %d %s \"%s\"\n", i, bad[i].doc,
			    ERR_MALFORMED_POLICY, bad[i].msg, rc,
			    err.type ? err.type : "-", err.msg);
			fail();
		}
	}
}

/* ---------------------------------------------------------------- */
/* Decisions                                                         */

/* The documents the decisions below are taken on. */
enum doc_id {
	D_CONNECT,	/* AWS "Connect policy examples": deny two ids */
	D_JOBS,		/* AWS jobs example: thing-name topics */
	D_ATTACHED,	/* AWS "Thing policy examples": IsAttached */
	D_PUBSUB,	/* topic vs topicfilter, MQTT chars are literal */
	D_NOT,		/* NotAction, NotResource */
	D_LITERAL,	/* no Version: ${...} is text */
	D_ESCAPES,	/* ${*} ${?} ${$} */
	D_CLIENTVAR,	/* ${iot:ClientId}, a value with * and ? */
	D_COND,		/* String*, Null, IfExists, Not..., IP, Arn */
	D_CASE,		/* case of actions, resources and names */
	D_DEFAULT,	/* ${key, 'default'} */
	D_MORE,		/* IfExists, ForAnyValue, IPv4-mapped, unknown */
	D_COUNT
};

static const char *const docs[D_COUNT] = {
	[D_CONNECT] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Deny\",\"Action\":[\"iot:Connect\"],"
	    "\"Resource\":[\"" ARN "client/client1\",\"" ARN
	    "client/client2\"]},"
	    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Connect\"],"
	    "\"Resource\":[\"" ARN
	    "client/${iot:Connection.Thing.ThingName}\"],"
	    "\"Condition\":{\"Bool\":{\"iot:Connection.Thing.IsAttached\":"
	    "\"true\"}}}]}",
	[D_JOBS] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Connect\"],"
	    "\"Resource\":[\"" ARN
	    "client/${iot:Connection.Thing.ThingName}\"]},"
	    "{\"Effect\":\"Allow\","
	    "\"Action\":[\"iot:Publish\",\"iot:Receive\"],"
	    "\"Resource\":[\"" ARN "topic/$aws/things/"
	    "${iot:Connection.Thing.ThingName}/jobs/*\"]},"
	    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Subscribe\"],"
	    "\"Resource\":[\"" ARN "topicfilter/$aws/things/"
	    "${iot:Connection.Thing.ThingName}/jobs/*\"]}]}",
	[D_ATTACHED] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Connect\"],"
	    "\"Resource\":[\"*\"],\"Condition\":{\"Bool\":"
	    "{\"iot:Connection.Thing.IsAttached\":[\"true\"]}}}]}",
	[D_PUBSUB] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/sensors/?/temp\"},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Subscribe\","
	    "\"Resource\":\"" ARN "topicfilter/sensors/+/temp\"},"
	    "{\"Effect\":\"Allow\",\"Action\":[\"iot:Subscribe\","
	    "\"iot:Receive\"],\"Resource\":[\"" ARN "topicfilter/logs/*\","
	    "\"" ARN "topic/logs/*\"]},"
	    "{\"Effect\":\"Deny\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/logs/secret/*\"},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/logs/*\"}]}",
	[D_NOT] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"NotAction\":[\"iot:Publish\","
	    "\"iot:Delete*\"],\"Resource\":\"*\"},"
	    "{\"Effect\":\"Deny\",\"Action\":\"iot:Subscribe\","
	    "\"NotResource\":\"" ARN "topicfilter/open/*\"}]}",
	[D_LITERAL] = "{\"Statement\":{\"Effect\":\"Allow\","
	    "\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/${iot:ClientId}\"}}",
	[D_ESCAPES] = "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/${*}/${?}/${$}{x}/${iot:ClientId\"}}",
	[D_CLIENTVAR] = "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":[\"iot:Publish\",\"iot:Connect\"],"
	    "\"Resource\":[\"" ARN "topic/d/${iot:ClientId}/up\","
	    "\"" ARN "client/${iot:ClientId}\"]}}",
	[D_COND] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\","
	    "\"Resource\":\"*\",\"Condition\":{"
	    "\"StringLike\":{\"iot:ClientId\":[\"dev-*\",\"tool-?\"]},"
	    "\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\","
	    "\"2001:db8::/32\"]}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"*\",\"Condition\":{"
	    "\"StringEquals\":{\"iot:ClientId\":"
	    "\"${iot:Connection.Thing.ThingName}\"},"
	    "\"StringNotEquals\":{\"iot:Certificate.Subject.CommonName\":"
	    "[\"banned\",\"revoked\"]}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Subscribe\","
	    "\"Resource\":\"*\",\"Condition\":{"
	    "\"Null\":{\"iot:Connection.Thing.ThingName\":\"true\"},"
	    "\"StringEqualsIgnoreCase\":{\"iot:ClientId\":\"GUEST\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:Receive\","
	    "\"Resource\":\"*\",\"Condition\":{"
	    "\"StringEqualsIfExists\":{\"iot:Connection.Thing.ThingName\":"
	    "\"${iot:ClientId}\"},"
	    "\"ArnLike\":{\"iot:ClientId\":\"arn:*:iot:*:*:client/*\"}}},"
	    "{\"Effect\":\"Deny\",\"Action\":\"iot:*\",\"Resource\":\"*\","
	    "\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":"
	    "[\"192.0.2.0/24\",\"2001:db8::/32\",\"10.0.0.0/8\"]}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"iot:RetainPublish\","
	    "\"Resource\":\"*\",\"Condition\":{"
	    "\"StringNotLike\":{\"iot:CertificateId\":\"bad*\"},"
	    "\"ForAllValues:StringEquals\":{\"iot:Other.Key\":\"x\"}}}]}",
	[D_CASE] = "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":\"IOT:publish\","
	    "\"Resource\":\"" ARN "topic/Case/${IOT:clientid}\","
	    "\"Condition\":{\"stringequals\":{\"IOT:CLIENTID\":\"Dev\"}}}}",
	[D_DEFAULT] = "{\"Version\":\"2012-10-17\",\"Statement\":{"
	    "\"Effect\":\"Allow\",\"Action\":\"iot:Publish\","
	    "\"Resource\":\"" ARN "topic/${iot:ClientId, 'anon'}/x\"}}",
	[D_MORE] = "{\"Version\":\"2012-10-17\",\"Statement\":["
	    "{\"Effect\":\"Allow\",\"Action\":\"t:IfExistsNeg\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringNotEqualsIfExists\":"
	    "{\"iot:CertificateId\":\"x\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:AnyValue\","
	    "\"Resource\":\"*\",\"Condition\":{\"ForAnyValue:StringLike\":"
	    "{\"iot:CertificateId\":\"*\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:BoolFalse\","
	    "\"Resource\":\"*\",\"Condition\":{\"Bool\":"
	    "{\"iot:Connection.Thing.IsAttached\":false}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:Mapped\","
	    "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"
	    "{\"aws:sourceip\":[\"192.0.2.0/24\",\"203.0.113.9\","
	    "\"::ffff:198.51.100.0/120\"]}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:Number\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
	    "{\"iot:ClientId\":42}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:ArnVar\","
	    "\"Resource\":\"*\",\"Condition\":{\"ArnEquals\":"
	    "{\"iot:ClientId\":\"arn:aws:iot:*:*:client/"
	    "${iot:Connection.Thing.ThingName}\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:Unknown\","
	    "\"Resource\":\"arn:x:${iot:Connection.Thing.Attributes[a]}\"},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:UnknownKey\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringLike\":"
	    "{\"iot:Connection.Thing.ThingTypeName\":\"*\"}}},"
	    "{\"Effect\":\"Allow\",\"Action\":\"t:UnknownNeg\","
	    "\"Resource\":\"*\",\"Condition\":{\"StringNotLike\":"
	    "{\"iot:Connection.Thing.ThingTypeName\":\"*\"}}}]}",
};

enum facts_id { F_THING, F_DETACHED, F_NONE, F_STARRY, F_GUEST, F_ARN,
	F_V6, F_CASE, F_FAR, F_M1, F_M2, F_M3, F_COUNT };

static const struct policy_facts facts[F_COUNT] = {
	[F_THING] = { "thing-1", "thing-1", true, "thing-1", "c0ffee",
	    "192.0.2.10" },
	[F_DETACHED] = { "thing-1", "thing-1", false, "thing-1", "c0ffee",
	    "192.0.2.10" },
	[F_NONE] = { NULL, NULL, false, NULL, NULL, NULL },
	[F_STARRY] = { "a*?", "a*?", true, NULL, "bad-1", "192.0.2.77" },
	[F_GUEST] = { "Guest", NULL, false, "guest", NULL, "10.1.2.3" },
	[F_ARN] = { ARN "client/x", NULL, false, NULL, NULL, "10.0.0.1" },
	[F_V6] = { "tool-7", NULL, false, NULL, NULL, "2001:db8:1::9" },
	[F_CASE] = { "Dev", "Dev", true, NULL, NULL, NULL },
	[F_FAR] = { "dev-1", "dev-1", true, "x", NULL, "198.51.100.1" },
	[F_M1] = { "42", "t1", false, NULL, NULL, "::ffff:198.51.100.7" },
	[F_M2] = { "arn:aws:iot:us-east-1:1:client/t1", "t1", true, NULL, "x",
	    "203.0.113.9" },
	[F_M3] = { "t1", "t1", true, NULL, "y", "203.0.113.10" },
};

#define A	POLICY_ALLOW
#define D	POLICY_DENY_DEFAULT
#define X	POLICY_DENY_EXPLICIT

static const struct {
	enum doc_id doc;
	const char *action, *res;
	enum facts_id f;
	enum policy_decision want;
	const char *why;
} cases[] = {
	/* AWS connect example: the thing's name as client id, attached. */
	{ D_CONNECT, "iot:Connect", ARN "client/thing-1", F_THING, A,
	    "client id = thing name" },
	{ D_CONNECT, "iot:Connect", ARN "client/thing-2", F_THING, D,
	    "another client id" },
	{ D_CONNECT, "iot:Connect", ARN "client/thing-1", F_DETACHED, D,
	    "IsAttached false" },
	{ D_CONNECT, "iot:Connect", ARN "client/thing-1", F_NONE, D,
	    "no thing: the variable resolves to nothing" },
	{ D_CONNECT, "iot:Connect", ARN "client/${iot:Connection.Thing."
	    "ThingName}", F_NONE, D, "the variable is not its own text" },
	{ D_CONNECT, "iot:Connect", ARN "client/client1",
	    F_THING, X, "explicit deny" },
	{ D_CONNECT, "iot:Publish", ARN "client/thing-1", F_THING, D,
	    "other action" },
	/* AWS jobs example. */
	{ D_JOBS, "iot:Publish", ARN "topic/$aws/things/thing-1/jobs/get",
	    F_THING, A, "own jobs topic" },
	{ D_JOBS, "iot:Publish", ARN "topic/$aws/things/thing-1/jobs/j1/"
	    "update", F_THING, A, "* crosses /" },
	{ D_JOBS, "iot:Receive", ARN "topic/$aws/things/thing-1/jobs/notify",
	    F_THING, A, "receive" },
	{ D_JOBS, "iot:Publish", ARN "topic/$aws/things/thing-2/jobs/get",
	    F_THING, D, "another thing's topic" },
	{ D_JOBS, "iot:Subscribe", ARN "topicfilter/$aws/things/thing-1/"
	    "jobs/notify-next", F_THING, A, "subscribe on a topicfilter" },
	{ D_JOBS, "iot:Subscribe", ARN "topic/$aws/things/thing-1/jobs/"
	    "notify-next", F_THING, D, "subscribe is on topicfilter" },
	{ D_JOBS, "iot:Publish", ARN "topicfilter/$aws/things/thing-1/jobs/"
	    "get", F_THING, D, "publish is on topic" },
	{ D_JOBS, "iot:Publish", ARN "topic/$aws/things/thing-1/jobs",
	    F_THING, D, "the trailing / is literal" },
	{ D_JOBS, "iot:Publish", ARN "topic/$aws/things/thing-1/jobs/get",
	    F_NONE, D, "absent thing name" },
	/* AWS thing policy example. */
	{ D_ATTACHED, "iot:Connect", ARN "client/anything", F_THING, A,
	    "attached" },
	{ D_ATTACHED, "iot:Connect", ARN "client/anything", F_DETACHED, D,
	    "not attached" },
	{ D_ATTACHED, "iot:Connect", ARN "client/anything", F_NONE, D,
	    "no thing: IsAttached false" },
	/* Topic vs topicfilter, ? and the MQTT characters. */
	{ D_PUBSUB, "iot:Publish", ARN "topic/sensors/7/temp", F_THING, A,
	    "? is one character" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/sensors/77/temp", F_THING, D,
	    "? is exactly one" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/sensors//temp", F_THING, D,
	    "? is not zero" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/sensors/\xc3\xa9/temp",
	    F_THING, A, "? is one UTF-8 character" },
	{ D_PUBSUB, "iot:Subscribe", ARN "topicfilter/sensors/+/temp",
	    F_THING, A, "+ is literal in a policy" },
	{ D_PUBSUB, "iot:Subscribe", ARN "topicfilter/sensors/7/temp",
	    F_THING, D, "+ is not an MQTT wildcard here" },
	{ D_PUBSUB, "iot:Subscribe", ARN "topicfilter/logs/#", F_THING, A,
	    "# under a * filter" },
	{ D_PUBSUB, "iot:Receive", ARN "topic/logs/a/b", F_THING, A,
	    "receive on topic" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/logs/app", F_THING, A,
	    "allowed" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/logs/secret/x", F_THING, X,
	    "deny beats allow, whatever the order" },
	{ D_PUBSUB, "iot:Publish", ARN "topic/logs/secret", F_THING, A,
	    "the deny needs the /" },
	/* NotAction / NotResource. */
	{ D_NOT, "iot:Connect", ARN "client/x", F_THING, A,
	    "not a NotAction" },
	{ D_NOT, "iot:Publish", ARN "topic/x", F_THING, D, "a NotAction" },
	{ D_NOT, "iot:DeleteThing", ARN "thing/x", F_THING, D,
	    "NotAction with *" },
	{ D_NOT, "iot:Subscribe", ARN "topicfilter/open/a", F_THING, A,
	    "inside the NotResource" },
	{ D_NOT, "iot:Subscribe", ARN "topicfilter/closed/a", F_THING, X,
	    "outside the NotResource: denied" },
	/* No Version: variables are text (IAM's 2008-10-17). */
	{ D_LITERAL, "iot:Publish", ARN "topic/${iot:ClientId}", F_THING, A,
	    "literal" },
	{ D_LITERAL, "iot:Publish", ARN "topic/thing-1", F_THING, D,
	    "not substituted" },
	/* ${*} ${?} ${$} and an unterminated ${. */
	{ D_ESCAPES, "iot:Publish", ARN "topic/*/?/${x}/${iot:ClientId",
	    F_THING, A, "escapes are their characters" },
	{ D_ESCAPES, "iot:Publish", ARN "topic/a/?/${x}/${iot:ClientId",
	    F_THING, D, "${*} is no wildcard" },
	{ D_ESCAPES, "iot:Publish", ARN "topic/*/b/${x}/${iot:ClientId",
	    F_THING, D, "${?} is no wildcard" },
	/* A substituted value is literal. */
	{ D_CLIENTVAR, "iot:Publish", ARN "topic/d/a*?/up", F_STARRY, A,
	    "the value itself" },
	{ D_CLIENTVAR, "iot:Publish", ARN "topic/d/abcd/up", F_STARRY, D,
	    "its * is no wildcard" },
	{ D_CLIENTVAR, "iot:Publish", ARN "topic/d/a*x/up", F_STARRY, D,
	    "its ? is no wildcard" },
	{ D_CLIENTVAR, "iot:Connect", ARN "client/a*?", F_STARRY, A,
	    "exact" },
	{ D_CLIENTVAR, "iot:Connect", ARN "client/a*", F_STARRY, D,
	    "prefix only" },
	{ D_CLIENTVAR, "iot:Connect", ARN "client/", F_NONE, D,
	    "absent client id" },
	/* Conditions. */
	{ D_COND, "iot:Connect", "x", F_FAR, X, "NotIpAddress deny" },
	{ D_COND, "iot:Connect", "x", F_V6, A, "StringLike ?, IPv6 range" },
	{ D_COND, "iot:Connect", "x", F_STARRY, D, "StringLike: a*? is not"
	    " dev-*" },
	{ D_COND, "iot:Connect", "x", F_GUEST, D, "10/8 passes the deny, not"
	    " the allow" },
	{ D_COND, "iot:Publish", "x", F_THING, A, "StringEquals with a"
	    " variable, NOR of StringNotEquals" },
	{ D_COND, "iot:Publish", "x", F_STARRY, A, "NotEquals: absent key"
	    " is true" },
	{ D_COND, "iot:Publish", "x", F_GUEST, D, "absent thing name:"
	    " StringEquals's value matches nothing" },
	{ D_COND, "iot:Subscribe", "x", F_GUEST, A, "Null true, IgnoreCase" },
	{ D_COND, "iot:Subscribe", "x", F_THING, D, "Null: the key is there" },
	{ D_COND, "iot:Receive", "x", F_ARN, A, "IfExists absent, ArnLike" },
	{ D_COND, "iot:Receive", "x", F_THING, D, "ArnLike on a non-ARN" },
	{ D_COND, "iot:Receive", "x", F_NONE, X, "NotIpAddress on an absent"
	    " key is true: the deny applies" },
	{ D_COND, "iot:RetainPublish", "x", F_THING, A, "StringNotLike,"
	    " ForAllValues on an absent key" },
	{ D_COND, "iot:RetainPublish", "x", F_STARRY, D, "StringNotLike"
	    " bad*" },
	/* Case: actions and names no, resources and values yes. */
	{ D_CASE, "iot:Publish", ARN "topic/Case/Dev", F_CASE, A,
	    "action, key, variable and operator case-insensitive" },
	{ D_CASE, "iot:Publish", ARN "topic/case/Dev", F_CASE, D,
	    "resource case-sensitive" },
	{ D_CASE, "iot:Publish", ARN "topic/Case/dev", F_CASE, D,
	    "substituted value case-sensitive" },
	/* ${key, 'default'}. */
	{ D_DEFAULT, "iot:Publish", ARN "topic/thing-1/x", F_THING, A,
	    "the value" },
	{ D_DEFAULT, "iot:Publish", ARN "topic/anon/x", F_NONE, A,
	    "the default" },
	{ D_DEFAULT, "iot:Publish", ARN "topic/anon/x", F_THING, D,
	    "no default when present" },
	/* IfExists on a negated operator, set prefixes, IPs, unknowns. */
	{ D_MORE, "t:IfExistsNeg", "x", F_M1, A, "absent: IfExists true" },
	{ D_MORE, "t:IfExistsNeg", "x", F_M2, D, "present and equal" },
	{ D_MORE, "t:IfExistsNeg", "x", F_M3, A, "present, not equal" },
	{ D_MORE, "t:AnyValue", "x", F_M1, D, "ForAnyValue: absent false" },
	{ D_MORE, "t:AnyValue", "x", F_M2, A, "ForAnyValue: present" },
	{ D_MORE, "t:BoolFalse", "x", F_M1, A, "JSON false, not attached" },
	{ D_MORE, "t:BoolFalse", "x", F_M2, D, "attached" },
	{ D_MORE, "t:Mapped", "x", F_M1, A, "IPv4-mapped address and range" },
	{ D_MORE, "t:Mapped", "x", F_M2, A, "one address, no prefix" },
	{ D_MORE, "t:Mapped", "x", F_M3, D, "the next address" },
	{ D_MORE, "t:Number", "x", F_M1, A, "a JSON number is its text" },
	{ D_MORE, "t:Number", "x", F_M2, D, "not 42" },
	{ D_MORE, "t:ArnVar", "x", F_M2, A, "ARN parts, variable in one" },
	{ D_MORE, "t:ArnVar", "x", F_M1, D, "not an ARN" },
	{ D_MORE, "t:ArnVar", "x", F_NONE, D, "absent" },
	{ D_MORE, "t:Unknown", "arn:x:", F_M2, D, "unknown variable: no"
	    " match, even empty" },
	{ D_MORE, "t:Unknown", "arn:x:${iot:Connection.Thing.Attributes[a]}",
	    F_M2, D, "nor its text" },
	{ D_MORE, "t:UnknownKey", "x", F_M2, D, "unknown key is absent" },
	{ D_MORE, "t:UnknownNeg", "x", F_M2, A, "negated on an absent key" },
};

static const char *
decision_name(enum policy_decision d)
{
	return d == POLICY_ALLOW ? "ALLOW" : d == POLICY_DENY_EXPLICIT ?
	    "DENY_EXPLICIT" : "DENY_DEFAULT";
}

static struct policy *
must_parse(const char *doc)
{
	struct policy *p = NULL;
	struct err err;

	err_clear(&err);
	if (policy_parse(doc, strlen(doc), &p, &err) != 0) {
		print_error("parse %s: %s\n", doc, err.msg);
		fail();
	}
	return p;
}

/* Documents AWS accepts that a stricter reading might refuse. */
static const char *const good[] = {
	"{\"Version\":\"2008-10-17\",\"Id\":\"p1\",\"Statement\":{\"Sid\":"
	    "\"any text\",\"Effect\":\"Deny\",\"Action\":\"*\","
	    "\"Resource\":\"*\"}}",
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:*\","
	    "\"Resource\":\"arn:**??\",\"Condition\":{}}]}",
	"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"arn:${iot:Nope}${x}${$}${\","
	    "\"Condition\":{\"stringlikeifexists\":{\"aws:Any\":[\"a\",1,"
	    "true]},\"ForAllValues:StringNotEqualsIgnoreCaseIfExists\":"
	    "{\"iot:ClientId\":\"a\"},\"Null\":{\"iot:ClientId\":[\"false\","
	    "true]},\"ArnNotLike\":{\"iot:ClientId\":\"arn:a:b:c:d:e:f\"},"
	    "\"NotIpAddress\":{\"aws:SourceIp\":[\"::/0\",\"0.0.0.0/0\","
	    "\"::ffff:1.2.3.4\"]}}}}",
};

static void
parse_accepts_what_aws_accepts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		policy_free(must_parse(good[i]));
}

static void
decisions_of_documented_examples(void **state)
{
	struct policy *p[D_COUNT];
	size_t i;
	int bad_n = 0;

	(void)state;
	for (i = 0; i < D_COUNT; i++)
		p[i] = must_parse(docs[i]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct policy *one[1] = { p[cases[i].doc] };
		const char *res[1] = { cases[i].res };
		enum policy_decision got;

		got = policy_eval(one, 1, cases[i].action, res, 1,
		    &facts[cases[i].f]);
		if (got != cases[i].want) {
			print_error("case %zu (%s): %s on %s: want %s, got"
			    " %s\n", i, cases[i].why, cases[i].action,
			    cases[i].res, decision_name(cases[i].want),
			    decision_name(got));
			bad_n++;
		}
	}
	for (i = 0; i < D_COUNT; i++)
		policy_free(p[i]);
	assert_int_equal(bad_n, 0);
}

/* Deny in one policy beats Allow in another; any resource counts. */
static void
deny_across_policies_and_resources(void **state)
{
	struct policy *allow = must_parse("{\"Statement\":{\"Effect\":"
	    "\"Allow\",\"Action\":\"iot:*\",\"Resource\":\"*\"}}");
	struct policy *deny = must_parse("{\"Statement\":{\"Effect\":"
	    "\"Deny\",\"Action\":\"iot:Publish\",\"Resource\":\"" ARN
	    "topic/b\"}}");
	const struct policy *both[3] = { allow, NULL, deny };
	const char *ab[2] = { ARN "topic/a", ARN "topic/b" };
	const char *a[1] = { ARN "topic/a" };

	(void)state;
	assert_int_equal(policy_eval(both, 3, "iot:Publish", a, 1, NULL),
	    POLICY_ALLOW);
	assert_int_equal(policy_eval(both, 3, "iot:Publish", ab, 2, NULL),
	    POLICY_DENY_EXPLICIT);
	assert_int_equal(policy_eval(both, 3, "iot:Publish", ab, 0, NULL),
	    POLICY_DENY_DEFAULT);
	assert_int_equal(policy_eval(both, 0, "iot:Publish", a, 1, NULL),
	    POLICY_DENY_DEFAULT);
	policy_free(allow);
	policy_free(deny);
}

/* NotResource: the statement applies when any resource is outside it. */
static void
not_resource_with_several_resources(void **state)
{
	struct policy *p = must_parse(docs[D_NOT]);
	const struct policy *one[1] = { p };
	const char *in[2] = { ARN "topicfilter/open/a", ARN
	    "topicfilter/open/b" };
	const char *mixed[2] = { ARN "topicfilter/open/a", ARN
	    "topicfilter/closed/b" };

	(void)state;
	assert_int_equal(policy_eval(one, 1, "iot:Subscribe", in, 2,
	    &facts[F_THING]), POLICY_ALLOW);
	assert_int_equal(policy_eval(one, 1, "iot:Subscribe", mixed, 2,
	    &facts[F_THING]), POLICY_DENY_EXPLICIT);
	policy_free(p);
}

static void
allow_all_allows_everything(void **state)
{
	const struct policy *p[1] = { policy_allow_all() };
	const char *r[1] = { "arn:aws:iot:eu-west-1:1:thing/x" };
	const char *star[1] = { "*" };

	(void)state;
	assert_int_equal(policy_eval(p, 1, "iot:CreateJob", r, 1, NULL),
	    POLICY_ALLOW);
	assert_int_equal(policy_eval(p, 1, "iotjobsdata:Anything", star, 1,
	    &facts[F_NONE]), POLICY_ALLOW);
	policy_free((struct policy *)p[0]);	/* a no-op */
}

/*
 * A pattern of many stars against a long subject that never matches:
 * the greedy matcher keeps it at O(n * m), far from exponential.
 */
static void
pathological_pattern_stays_fast(void **state)
{
	static const char doc[] = "{\"Statement\":{\"Effect\":\"Allow\","
	    "\"Action\":\"*\",\"Resource\":\"arn:*a*a*a*a*a*a*a*a*a*a*b\"}}";
	struct policy *p = must_parse(doc);
	const struct policy *one[1] = { p };
	const char *res[1];
	size_t n = 100000;
	char *s = malloc(n + 5);
	clock_t t0;
	double secs;

	(void)state;
	assert_non_null(s);
	memcpy(s, "arn:", 4);
	memset(s + 4, 'a', n);
	s[n + 4] = '\0';
	res[0] = s;
	t0 = clock();
	assert_int_equal(policy_eval(one, 1, "iot:Publish", res, 1, NULL),
	    POLICY_DENY_DEFAULT);
	s[n + 3] = 'b';
	assert_int_equal(policy_eval(one, 1, "iot:Publish", res, 1, NULL),
	    POLICY_ALLOW);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 2.0);
	free(s);
	policy_free(p);
}

/* ---------------------------------------------------------------- */
/* The matcher against a reference                                   */

static size_t
ref_clen(const char *s)
{
	size_t n = 1;

	while (((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

static int
ref_eq(char a, char b, bool icase)
{
	if (icase && a >= 'A' && a <= 'Z')
		a = (char)(a - 'A' + 'a');
	if (icase && b >= 'A' && b <= 'Z')
		b = (char)(b - 'A' + 'a');
	return a == b;
}

/*
 * The obvious exponential matcher: '*' any run of characters, '?' one
 * UTF-8 character, '\\' makes the next byte literal (a substituted
 * variable's text).
 */
static bool
ref_glob(const char *p, const char *s, bool icase)
{
	if (*p == '\0')
		return *s == '\0';
	if (*p == '*') {
		for (;;) {
			if (ref_glob(p + 1, s, icase))
				return true;
			if (*s == '\0')
				return false;
			s += ref_clen(s);
		}
	}
	if (*s == '\0')
		return false;
	if (*p == '?')
		return ref_glob(p + 1, s + ref_clen(s), icase);
	if (*p == '\\')
		p++;
	return ref_eq(*p, *s, icase) && ref_glob(p + 1, s + 1, icase);
}

static unsigned
lcg(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* Appends a random piece from ALPHA (pieces separated by spaces). */
static void
pick(char *out, size_t cap, const char *alpha, unsigned *seed)
{
	const char *pieces[16], *q = alpha;
	size_t np = 0, len;

	while (*q != '\0' && np < 16) {
		pieces[np++] = q;
		q += strcspn(q, " ");
		q += *q == ' ';
	}
	q = pieces[lcg(seed) % np];
	len = strcspn(q, " ");
	if (strlen(out) + len < cap)
		strncat(out, q, len);
}

/*
 * Random patterns and subjects over a small alphabet, decided by
 * policy_eval (as a Resource, case-sensitive, with a variable whose value
 * holds * and ?; and as an Action, case-insensitive) and by ref_glob.
 */
static void
matcher_agrees_with_reference(void **state)
{
	unsigned seed = 42;
	int i, j, n, bad_n = 0;

	(void)state;
	for (i = 0; i < 4000; i++) {
		char pat[160] = "", ref[160] = "", subj[40] = "", doc[400];
		char res[60], act[60], cid[8] = "";
		const struct policy *one[1];
		struct policy_facts f = { cid, NULL, false, NULL, NULL, NULL };
		const char *r[1] = { res };
		struct policy *p;
		bool want, got, icase = i % 2;

		n = (int)(lcg(&seed) % 3);
		for (j = 0; j < n; j++)
			pick(cid, sizeof(cid), "a * ?", &seed);
		n = (int)(lcg(&seed) % 8);
		for (j = 0; j < n; j++) {
			size_t before = strlen(pat);

			pick(pat, sizeof(pat), icase ? "a B * ? *" :
			    "a b * ? \xc3\xa9 V", &seed);
			if (pat[before] != 'V') {
				strncat(ref, pat + before, sizeof(ref) -
				    strlen(ref) - 1);
				continue;
			}
			pat[before] = '\0';
			strncat(pat, "${iot:ClientId}", sizeof(pat) -
			    strlen(pat) - 1);
			for (size_t c = 0; cid[c] != '\0'; c++) {
				char lit[3] = { '\\', cid[c], '\0' };

				strncat(ref, lit, sizeof(ref) - strlen(ref) -
				    1);
			}
		}
		n = (int)(lcg(&seed) % 8);
		for (j = 0; j < n; j++)
			pick(subj, sizeof(subj), icase ? "a A b B" :
			    "a b \xc3\xa9 * ?", &seed);
		snprintf(doc, sizeof(doc), "{\"Version\":\"2012-10-17\","
		    "\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
		    "\"%s%s\",\"Resource\":\"%s%s\"}}", icase ? "iot:x" : "*",
		    icase ? pat : "", icase ? "*" : "arn:",
		    icase ? "" : pat);
		p = must_parse(doc);
		one[0] = p;
		snprintf(res, sizeof(res), "arn:%s", subj);
		snprintf(act, sizeof(act), "IoT:X%s", subj);
		got = policy_eval(one, 1, icase ? act : "iot:Publish", r, 1,
		    &f) == POLICY_ALLOW;
		want = ref_glob(ref, subj, icase);
		if (got != want) {
			print_error("pattern \"%s\" (client id \"%s\") on"
			    " \"%s\"%s: want %d, got %d\n", pat, cid, subj,
			    icase ? " (action)" : "", want, got);
			bad_n++;
		}
		policy_free(p);
	}
	assert_int_equal(bad_n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_refuses_what_aws_refuses),
		cmocka_unit_test(parse_accepts_what_aws_accepts),
		cmocka_unit_test(decisions_of_documented_examples),
		cmocka_unit_test(deny_across_policies_and_resources),
		cmocka_unit_test(not_resource_with_several_resources),
		cmocka_unit_test(allow_all_allows_everything),
		cmocka_unit_test(pathological_pattern_stays_fast),
		cmocka_unit_test(matcher_agrees_with_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
