/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Jobs topics (WIRE.md 10.1). A request topic is
 * $aws/things/{thing}/jobs/ followed by get, start-next, {jobId}/get or
 * {jobId}/update; $next is an ordinary job id here (the handler knows it).
 * Topics ending in accepted or rejected, and notify, notify-next, are the
 * service's own and never answered.
 */
#include "mqtt/topic.h"

#include <stdio.h>
#include <string.h>

/* Copies the N bytes of S into BUF of SIZE; -1 when they do not fit. */
static int
copy_seg(char *buf, size_t size, const char *s, size_t n)
{
	if (n == 0 || n >= size)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static int
is_seg(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

void
topic_parse(const char *topic, struct topic *out)
{
	const char *p, *slash, *segs[3];
	size_t lens[3], plen = strlen(TOPIC_PREFIX);
	int n = 0;

	memset(out, 0, sizeof(*out));
	out->kind = TOPIC_NOT_JOBS;
	if (strncmp(topic, TOPIC_PREFIX, plen) != 0)
		return;
	p = topic + plen;
	slash = strchr(p, '/');
	if (slash == NULL || strncmp(slash, TOPIC_JOBS,
	    strlen(TOPIC_JOBS)) != 0)
		return;
	out->kind = TOPIC_INVALID;
	if (copy_seg(out->thing, sizeof(out->thing), p,
	    (size_t)(slash - p)) == -1)
		out->thing[0] = '\0';
	p = slash + strlen(TOPIC_JOBS);
	/* Split the rest into at most 3 segments (a 4th means invalid). */
	for (;;) {
		slash = strchr(p, '/');
		if (n == 3)
			return;
		segs[n] = p;
		lens[n] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		n++;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (is_seg(segs[n - 1], lens[n - 1], "accepted") ||
	    is_seg(segs[n - 1], lens[n - 1], "rejected") ||
	    (n == 1 && (is_seg(segs[0], lens[0], "notify") ||
	    is_seg(segs[0], lens[0], "notify-next")))) {
		out->kind = TOPIC_SERVICE;
		return;
	}
	if (out->thing[0] == '\0')
		return;
	if (n == 1 && is_seg(segs[0], lens[0], "get"))
		out->kind = TOPIC_GET_PENDING;
	else if (n == 1 && is_seg(segs[0], lens[0], "start-next"))
		out->kind = TOPIC_START_NEXT;
	else if (n == 2 && (is_seg(segs[1], lens[1], "get") ||
	    is_seg(segs[1], lens[1], "update"))) {
		if (copy_seg(out->job_id, sizeof(out->job_id), segs[0],
		    lens[0]) == -1)
			return;
		out->kind = is_seg(segs[1], lens[1], "get") ?
		    TOPIC_DESCRIBE : TOPIC_UPDATE;
	}
}

const char *
topic_op_name(enum topic_kind kind)
{
	switch (kind) {
	case TOPIC_GET_PENDING:
		return "GetPendingJobExecutions";
	case TOPIC_START_NEXT:
		return "StartNextPendingJobExecution";
	case TOPIC_DESCRIBE:
		return "DescribeJobExecution";
	case TOPIC_UPDATE:
		return "UpdateJobExecution";
	default:
		return NULL;
	}
}

int
topic_reply(const char *request, int accepted, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", request,
	    accepted ? "accepted" : "rejected");

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
topic_thing(const char *thing, const char *suffix, char *buf, size_t size)
{
	int n = snprintf(buf, size, TOPIC_PREFIX "%s" TOPIC_JOBS "%s", thing,
	    suffix);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}
