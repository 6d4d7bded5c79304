/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the MQTT request topic a device publishes on
 * (mqtt/topic.c, WIRE.md 10.1), then the reply topic built from it.
 * A parsed operation must name a thing and, for {jobId}/..., a job id
 * that fit their model lengths.
 */
#include "fuzz.h"

#include <string.h>

#include "mqtt/topic.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char reply[TOPIC_MAX + 16];
	struct topic t;

	topic_parse(text, &t);
	if (t.kind != TOPIC_NOT_JOBS && t.kind != TOPIC_SERVICE &&
	    t.kind != TOPIC_INVALID) {
		if (topic_op_name(t.kind) == NULL || t.thing[0] == '\0' ||
		    strlen(t.thing) > TOPIC_THING_MAX ||
		    strlen(t.job_id) > TOPIC_JOB_MAX)
			abort();
		if ((t.kind == TOPIC_DESCRIBE || t.kind == TOPIC_UPDATE) &&
		    t.job_id[0] == '\0')
			abort();
		(void)topic_reply(text, 1, reply, sizeof(reply));
		(void)topic_reply(text, 0, reply, sizeof(reply));
	}
	free(text);
	return 0;
}
