/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: a device's command report over MQTT (api/command_report.c,
 * WIRE.md 10.7) before the store: the report topic split, the payload
 * parsed and applied to an execution (status, statusReason, result), and
 * the reply built as command_response publishes it. Input: the topic, a
 * newline, the payload. Each report is applied to a fresh execution that
 * is IN_PROGRESS with a result, and to one the service TIMED_OUT.
 */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "err.h"
#include "api/command_report.h"
#include "mqtt/command.h"
#include "store/store_command.h"

#define FUZZ_NOW	INT64_C(1767225600)

static void
report(const struct command_topic *t, const json_t *in,
    enum cmd_status status)
{
	struct store_cmd_exec e;
	struct err err;
	bool changed = false;
	json_t *out;
	int rc;

	memset(&e, 0, sizeof(e));
	snprintf(e.execution_id, sizeof(e.execution_id), "%s", t->exec_id);
	e.status = status;
	e.result = json_pack("{s:{s:s}}", "old", "S", "value");
	e.started_at = FUZZ_NOW - 60;
	err_clear(&err);
	rc = command_report_apply(in, &e, FUZZ_NOW, &changed, &err);
	if (rc == 0)
		out = json_pack("{s:s}", "executionId", t->exec_id);
	else
		out = json_pack("{s:s, s:s, s:s}", "error", err.type,
		    "errorMessage", err.msg, "executionId", t->exec_id);
	/* The device always gets an answer. */
	if (out == NULL)
		abort();
	json_decref(out);
	store_cmd_exec_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t tlen = nl != NULL ? (size_t)(nl - data) : size;
	char *topic = fuzz_cstr(data, tlen);
	const char *payload = (const char *)data + tlen + (nl != NULL);
	size_t plen = size - tlen - (nl != NULL);
	struct command_topic t;
	struct conf conf;
	json_t *in;

	/* The broker refuses a topic that is not UTF-8 (MQTT 5, 1.5.4). */
	in = json_string(topic);
	if (in == NULL) {
		free(topic);
		return 0;
	}
	json_decref(in);
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.region, sizeof(conf.region), "us-east-1");
	snprintf(conf.account_id, sizeof(conf.account_id), "123456789012");
	if (!command_topic_is(topic) ||
	    command_topic_split(&conf, topic, &t) == -1) {
		free(topic);
		return 0;
	}
	in = json_loadb(payload, plen, 0, NULL);
	if (json_is_object(in)) {
		report(&t, in, CMD_IN_PROGRESS);
		report(&t, in, CMD_TIMED_OUT);
	}
	json_decref(in);
	free(topic);
	return 0;
}
