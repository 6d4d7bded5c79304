/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Jobs topics of WIRE.md 10.1: parsing a request topic a device
 * published into its operation, thing and job, and building the topics
 * the service answers on. Pure functions, no broker.
 */
#ifndef IOTJOBS_MQTT_TOPIC_H
#define IOTJOBS_MQTT_TOPIC_H

#include <stddef.h>

#define TOPIC_PREFIX	"$aws/things/"
#define TOPIC_JOBS	"/jobs/"
#define TOPIC_THING_MAX	128	/* ThingName (model) */
#define TOPIC_JOB_MAX	64	/* JobId (model) */
#define TOPIC_MAX	512	/* longest topic built here */
/* AWS IoT's limits per message: topic bytes, payload bytes. */
#define TOPIC_AWS_MAX	256
#define MQTT_PAYLOAD_MAX	(128 * 1024)

enum topic_kind {
	TOPIC_NOT_JOBS,		/* outside $aws/things/+/jobs/: ignored */
	TOPIC_SERVICE,		/* one the service publishes: ignored */
	TOPIC_INVALID,		/* in the namespace, no operation */
	TOPIC_GET_PENDING,	/* get: GetPendingJobExecutions */
	TOPIC_START_NEXT,	/* start-next */
	TOPIC_DESCRIBE,		/* {jobId}/get: DescribeJobExecution */
	TOPIC_UPDATE		/* {jobId}/update: UpdateJobExecution */
};

struct topic {
	enum topic_kind kind;
	char thing[TOPIC_THING_MAX + 1];
	char job_id[TOPIC_JOB_MAX + 1];	/* DESCRIBE, UPDATE */
};

/*
 * Parses TOPIC. A thing name or job id longer than the model allows makes
 * the topic TOPIC_INVALID (thing kept empty when it does not fit).
 */
void topic_parse(const char *topic, struct topic *out);

/* The data-plane operation name of KIND, or NULL. */
const char *topic_op_name(enum topic_kind kind);

/*
 * The reply topic of request topic REQUEST: REQUEST + "/accepted" or
 * "/rejected". -1 when it does not fit SIZE.
 */
int topic_reply(const char *request, int accepted, char *buf, size_t size);

/* $aws/things/THING/jobs/SUFFIX; -1 when it does not fit SIZE. */
int topic_thing(const char *thing, const char *suffix, char *buf,
    size_t size);

#endif
