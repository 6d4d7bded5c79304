/* SPDX-License-Identifier: Apache-2.0 */
#include "status.h"

#include <string.h>

static const char *const exec_names[EXEC_STATUS_COUNT] = {
	[EXEC_QUEUED] = "QUEUED",
	[EXEC_IN_PROGRESS] = "IN_PROGRESS",
	[EXEC_SUCCEEDED] = "SUCCEEDED",
	[EXEC_FAILED] = "FAILED",
	[EXEC_TIMED_OUT] = "TIMED_OUT",
	[EXEC_REJECTED] = "REJECTED",
	[EXEC_REMOVED] = "REMOVED",
	[EXEC_CANCELED] = "CANCELED",
};

static const char *const job_names[JOB_STATUS_COUNT] = {
	[JOB_IN_PROGRESS] = "IN_PROGRESS",
	[JOB_CANCELED] = "CANCELED",
	[JOB_COMPLETED] = "COMPLETED",
	[JOB_DELETION_IN_PROGRESS] = "DELETION_IN_PROGRESS",
	[JOB_SCHEDULED] = "SCHEDULED",
};

static const char *const cmd_names[CMD_STATUS_COUNT] = {
	[CMD_CREATED] = "CREATED",
	[CMD_IN_PROGRESS] = "IN_PROGRESS",
	[CMD_SUCCEEDED] = "SUCCEEDED",
	[CMD_FAILED] = "FAILED",
	[CMD_REJECTED] = "REJECTED",
	[CMD_TIMED_OUT] = "TIMED_OUT",
};

const enum exec_status exec_pending[EXEC_PENDING_COUNT] = {
	EXEC_IN_PROGRESS, EXEC_QUEUED,
};

const enum cmd_status cmd_open[CMD_OPEN_COUNT] = {
	CMD_CREATED, CMD_IN_PROGRESS,
};

static const char *
name_of(const char *const *names, int n, int s)
{
	return s >= 0 && s < n ? names[s] : "?";
}

static int
parse_in(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
exec_status_name(enum exec_status s)
{
	return name_of(exec_names, EXEC_STATUS_COUNT, (int)s);
}

const char *
job_status_name(enum job_status s)
{
	return name_of(job_names, JOB_STATUS_COUNT, (int)s);
}

const char *
cmd_status_name(enum cmd_status s)
{
	return name_of(cmd_names, CMD_STATUS_COUNT, (int)s);
}

int
exec_status_parse(const char *name, enum exec_status *out)
{
	int i = parse_in(exec_names, EXEC_STATUS_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum exec_status)i;
	return 0;
}

int
job_status_parse(const char *name, enum job_status *out)
{
	int i = parse_in(job_names, JOB_STATUS_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum job_status)i;
	return 0;
}

int
cmd_status_parse(const char *name, enum cmd_status *out)
{
	int i = parse_in(cmd_names, CMD_STATUS_COUNT, name);

	if (i < 0)
		return -1;
	*out = (enum cmd_status)i;
	return 0;
}

bool
exec_is_terminal(enum exec_status s)
{
	return s != EXEC_QUEUED && s != EXEC_IN_PROGRESS &&
	    (unsigned)s < EXEC_STATUS_COUNT;
}

bool
exec_is_pending(enum exec_status s)
{
	return s == EXEC_QUEUED || s == EXEC_IN_PROGRESS;
}

bool
cmd_is_terminal(enum cmd_status s)
{
	return s == CMD_SUCCEEDED || s == CMD_FAILED || s == CMD_REJECTED ||
	    s == CMD_TIMED_OUT;
}
