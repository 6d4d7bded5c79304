/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs job resume JOB: releases the waiting executions of a paused job again
 * (POST /_iotjobs/jobs/JOB/resume, the action iotjobs:ResumeJob).
 */
#include "cli.h"

int
cmd_job_resume(struct cli_conf *c, int argc, char **argv)
{
	return cli_job_switch(c, argc, argv, "resume");
}
