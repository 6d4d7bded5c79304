/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs job pause JOB: stops releasing new executions of a job
 * (POST /_iotjobs/jobs/JOB/pause, the action iotjobs:PauseJob).
 */
#include "cli.h"

#include <string.h>

static void
job_pause_print(const json_t *r)
{
	char when[64];
	bool paused = json_is_true(json_object_get(r, "paused"));
	bool changed = json_is_true(json_object_get(r, "changed"));

	if (paused)
		printf("job %s %s: paused since %s by %s; %lld things waiting\n",
		    cli_str(r, "jobId", "?"), changed ? "paused" :
		    "was already paused", cli_time(cli_int(r, "pausedAt"), when,
		    sizeof(when)), cli_str(r, "pausedBy", "?"),
		    (long long)cli_int(r, "waiting"));
	else
		printf("job %s %s (%s); %lld things waiting\n",
		    cli_str(r, "jobId", "?"), changed ? "resumed" :
		    "was not paused", cli_str(r, "status", "?"),
		    (long long)cli_int(r, "waiting"));
}

int
cli_job_switch(struct cli_conf *c, int argc, char **argv, const char *verb)
{
	char path[CLI_URL_MAX + 64], enc[CLI_URL_MAX], cmd[32];
	struct cli_err e;
	json_t *r;

	memset(&e, 0, sizeof(e));
	snprintf(cmd, sizeof(cmd), "job %s", verb);
	if (argc != 1 || argv[0][0] == '-')
		return cli_usage_error(cmd, "expected one JOB");
	if (cli_urlenc(argv[0], enc, sizeof(enc)) == -1)
		return cli_usage_error(cmd, "job id too long");
	snprintf(path, sizeof(path), "/_iotjobs/jobs/%s/%s", enc, verb);
	if (cli_call(c, "POST", path, NULL, NULL, &r, &e) == -1)
		return cli_fail(cmd, &e);
	if (c->json)
		cli_print_json(r);
	else
		job_pause_print(r);
	json_decref(r);
	return CLI_OK;
}

int
cmd_job_pause(struct cli_conf *c, int argc, char **argv)
{
	return cli_job_switch(c, argc, argv, "pause");
}
