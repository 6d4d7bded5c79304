/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs job resume JOB: releases the waiting executions of a paused job again
 * (POST /_iotjobs/jobs/JOB/resume, the action iotjobs:ResumeJob).
 */
#include "cli.h"

#include <string.h>

int
cmd_job_resume(struct cli_conf *c, int argc, char **argv)
{
	char path[CLI_URL_MAX + 64], enc[CLI_URL_MAX];
	struct cli_err e;
	json_t *r;

	memset(&e, 0, sizeof(e));
	if (argc != 1 || argv[0][0] == '-')
		return cli_usage_error("job resume", "expected one JOB");
	if (cli_urlenc(argv[0], enc, sizeof(enc)) == -1)
		return cli_usage_error("job resume", "job id too long");
	snprintf(path, sizeof(path), "/_iotjobs/jobs/%s/resume", enc);
	if (cli_call(c, "POST", path, NULL, NULL, &r, &e) == -1)
		return cli_fail("job resume", &e);
	if (c->json)
		cli_print_json(r);
	else
		cli_job_pause_print(r);
	json_decref(r);
	return CLI_OK;
}
