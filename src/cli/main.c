/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs: the operator's command for iotjobsd. `iotjobs NOUN [VERB]
 * [ARGS]`; the global options (--endpoint-url, --region, --profile,
 * --output, timeouts, --debug) may stand anywhere, as the AWS CLI's do.
 * Every command is one row of the table below and one file
 * cmd_<noun>_<verb>.c; docs/man/iotjobs.1 is the manual.
 */
#include "cli.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"

static const struct cli_cmd cli_cmds[] = {
	{ "status", NULL, cmd_status, "",
	  "the daemon: version, store, broker, leader, listeners", "" },
	{ "job", "watch", cmd_job_watch, "JOB [--fail-on LIST] [--interval S]",
	  "follow a job's rollout live until it ends",
	  "  --fail-on LIST   statuses that make the exit status 1 (default"
	  " FAILED,TIMED_OUT,REJECTED; none: never)\n"
	  "  --interval S     seconds between looks (default 1)\n"
	  "  --once           print the view once and exit\n" },
	{ "job", "plan", cmd_job_plan,
	  "--cli-input-json JSON|file://PATH | --job-id ID --targets ARN..."
	  " [flags]",
	  "when each batch of a job would be released (creates nothing)",
	  "  --cli-input-json JSON   CreateJob's input, as the AWS CLI's"
	  " (file://PATH reads a file)\n"
	  "  --job-id ID             jobId\n"
	  "  --targets ARN...        target thing and thing group ARNs\n"
	  "  --document JSON         the job document (default {})\n"
	  "  --target-selection S    SNAPSHOT or CONTINUOUS\n"
	  "  --job-executions-rollout-config JSON\n"
	  "  --scheduling-config JSON\n"
	  "  --things                list every thing of each batch\n" },
	{ "job", "pause", cmd_job_pause, "JOB",
	  "stop releasing new executions of JOB until resumed", "" },
	{ "job", "resume", cmd_job_resume, "JOB",
	  "release the executions of a paused JOB again", "" },
	{ "explain", NULL, cmd_explain, "--thing THING --job JOB",
	  "why THING has, or has not, an execution of JOB",
	  "  --thing NAME   the thing\n  --job ID       the job\n" },
	{ "thing", "import", cmd_thing_import, "FILE [--parallel N]"
	  " [--restart]",
	  "create things from CSV or JSON lines (name, attributes, groups)",
	  "  --parallel N   requests of 250 things in flight (default 4)\n"
	  "  --state PATH   progress file (default FILE.import-state)\n"
	  "  --restart      ignore the progress file and start again\n"
	  "  --format F     csv or jsonl (default: from the file name)\n" },
	{ "audit", NULL, cmd_audit_list,
	  "[--since TIME] [--thing NAME] [--job ID] [--limit N]",
	  "the audit log of control-plane writes and refusals",
	  "  --since TIME   records at or after TIME (2024-05-01T12:00,"
	  " -2h, epoch)\n"
	  "  --thing NAME   records about the thing\n"
	  "  --job ID       records about the job\n"
	  "  --limit N      at most N records (default 1000)\n" },
	{ "audit", "verify", cmd_audit_verify, "",
	  "prove the audit chain; exit 1 naming the first broken record", "" },
};
#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static const char global_help[] =
    "global options (anywhere on the line):\n"
    "  --endpoint-url URL     iotjobsd's URL (else IOTJOBS_ENDPOINT,\n"
    "                         AWS_ENDPOINT_URL_IOT, AWS_ENDPOINT_URL, the\n"
    "                         profile's endpoint_url, " CLI_DEFAULT_ENDPOINT
    ")\n"
    "  --region REGION        (else AWS_REGION, AWS_DEFAULT_REGION, the"
    " profile)\n"
    "  --profile NAME         profile of ~/.aws/credentials and config\n"
    "  --output json|text     json for scripts (default text)\n"
    "  --cli-connect-timeout S, --cli-read-timeout S (default 5, 60)\n"
    "  --debug                print each request on stderr\n"
    "  --version, -h/--help\n";

const struct cli_cmd *
cli_cmd_find(const char *noun, const char *verb)
{
	size_t i;

	for (i = 0; i < CLI_NCMDS; i++) {
		const struct cli_cmd *k = &cli_cmds[i];

		if (strcmp(k->noun, noun) != 0)
			continue;
		if ((verb == NULL && k->verb == NULL) ||
		    (verb != NULL && k->verb != NULL &&
		    strcmp(k->verb, verb) == 0))
			return k;
	}
	return NULL;
}

bool
cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

void
cli_cmd_help(const struct cli_cmd *k, FILE *f)
{
	fprintf(f, "usage: iotjobs %s%s%s %s\n\n%s.\n", k->noun,
	    k->verb != NULL ? " " : "", k->verb != NULL ? k->verb : "",
	    k->args, k->summary);
	if (k->help[0] != '\0')
		fprintf(f, "\noptions:\n%s", k->help);
	fprintf(f, "\n%s", global_help);
}

static void
usage(FILE *f, const char *noun)
{
	size_t i;

	fprintf(f, "usage: iotjobs [global options] COMMAND [args]\n\n"
	    "The operator's command for iotjobsd.\n\ncommands:\n");
	for (i = 0; i < CLI_NCMDS; i++) {
		const struct cli_cmd *k = &cli_cmds[i];
		char name[64];

		if (noun != NULL && strcmp(k->noun, noun) != 0)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", k->noun,
		    k->verb != NULL ? " " : "",
		    k->verb != NULL ? k->verb : "");
		fprintf(f, "  %-14s %s\n", name, k->summary);
	}
	fprintf(f, "\n%s\n'iotjobs COMMAND -h' tells more; man iotjobs.\n",
	    global_help);
}

static int
parse_seconds(const char *v, long *out)
{
	int64_t n;

	if (num_parse_i64(v, 1, 3600, &n) == -1)
		return -1;
	*out = (long)n;
	return 0;
}

/*
 * Takes the global option ARGV[*I] (and its value) into C: 1 taken, 0 not
 * a global option, -1 bad (message printed).
 */
static int
global_opt(struct cli_conf *c, int argc, char **argv, int *i)
{
	static const char *const valued[] = {
		"--endpoint-url", "--region", "--profile", "--output",
		"--cli-connect-timeout", "--cli-read-timeout",
	};
	const char *a = argv[*i], *v = NULL;
	size_t k;

	if (strcmp(a, "--debug") == 0) {
		c->debug++;
		return 1;
	}
	for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
		if (strcmp(a, valued[k]) == 0)
			break;
	if (k == sizeof(valued) / sizeof(valued[0]))
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "iotjobs: %s needs a value\n", a);
		return -1;
	}
	v = argv[++*i];
	if (k == 0)
		snprintf(c->endpoint, sizeof(c->endpoint), "%s", v);
	else if (k == 1)
		snprintf(c->region, sizeof(c->region), "%s", v);
	else if (k == 2) {
		snprintf(c->profile, sizeof(c->profile), "%s", v);
		c->profile_explicit = true;
	} else if (k == 3) {
		if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0 &&
		    strcmp(v, "table") != 0) {
			fprintf(stderr, "iotjobs: --output is json, text or"
			    " table, not '%s'\n", v);
			return -1;
		}
		c->json = strcmp(v, "json") == 0;
	} else if (parse_seconds(v, k == 4 ? &c->connect_timeout :
	    &c->read_timeout) == -1) {
		fprintf(stderr, "iotjobs: %s takes 1 to 3600 seconds\n", a);
		return -1;
	}
	if (k == 0)
		c->endpoint_from = "--endpoint-url";
	if (k == 1)
		c->region_from = "--region";
	return 1;
}

/* Moves the global options of ARGV into C; the rest stay, in order. */
static int
globals(struct cli_conf *c, int *argc, char **argv)
{
	int i, n = 0, rc;
	bool rest = false;

	for (i = 0; i < *argc; i++) {
		if (!rest && strcmp(argv[i], "--") == 0)
			rest = true;
		rc = rest ? 0 : global_opt(c, *argc, argv, &i);
		if (rc == -1)
			return -1;
		if (rc == 0)
			argv[n++] = argv[i];
	}
	*argc = n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli_conf c;
	const struct cli_cmd *k;
	struct cli_err e;
	int rc, skip;

	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	c.connect_timeout = 5;
	c.read_timeout = 60;
	c.tty = isatty(STDOUT_FILENO) == 1;
	argc--;
	argv++;
	if (globals(&c, &argc, argv) == -1)
		return CLI_USAGE;
	if (argc > 0 && strcmp(argv[0], "--version") == 0) {
		printf("iotjobs %s\n", CLI_VERSION);
		return CLI_OK;
	}
	if (argc == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "help") == 0) {
		usage(argc == 0 ? stderr : stdout, NULL);
		return argc == 0 ? CLI_USAGE : CLI_OK;
	}
	k = argc > 1 ? cli_cmd_find(argv[0], argv[1]) : NULL;
	skip = 2;
	if (k == NULL) {
		k = cli_cmd_find(argv[0], NULL);
		skip = 1;
	}
	if (k == NULL) {
		bool noun = false;
		size_t i;

		for (i = 0; i < CLI_NCMDS; i++)
			noun = noun || strcmp(cli_cmds[i].noun, argv[0]) == 0;
		if (noun && (argc == 1 || cli_wants_help(argc - 1, argv + 1))) {
			usage(stdout, argv[0]);
			return argc == 1 ? CLI_USAGE : CLI_OK;
		}
		fprintf(stderr, "iotjobs: unknown command '%s%s%s' (iotjobs -h"
		    " lists them)\n", argv[0], noun && argc > 1 ? " " : "",
		    noun && argc > 1 ? argv[1] : "");
		return CLI_USAGE;
	}
	argc -= skip;
	argv += skip;
	if (cli_wants_help(argc, argv)) {
		cli_cmd_help(k, stdout);
		return CLI_OK;
	}
	if (cli_conf_load(&c, &e) == -1)
		return cli_fail("credentials", &e);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = k->fn(&c, argc, argv);
	curl_global_cleanup();
	explicit_bzero(c.secret_access_key, sizeof(c.secret_access_key));
	return rc;
}
