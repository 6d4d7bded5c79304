/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs, the operator's command: what every command file shares. The
 * settings (endpoint, region, credentials found as the AWS CLI finds
 * them), signed HTTP calls to iotjobsd through libcurl, and the two
 * output modes (a table or text for people, --output json for scripts).
 * Nothing here includes a daemon header: the command speaks HTTP only.
 */
#ifndef IOTJOBS_CLI_H
#define IOTJOBS_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "version.h"

#define CLI_VERSION	version_string()
#define CLI_DEFAULT_ENDPOINT	"http://127.0.0.1:8080"
#define CLI_DEFAULT_REGION	"us-east-1"
#define CLI_URL_MAX	1024
#define CLI_KEY_MAX	256
#define CLI_TOKEN_MAX	4096
#define CLI_NAME_MAX	128

/* Exit statuses: every command returns one of these from main. */
#define CLI_OK		0	/* done */
#define CLI_FAIL	1	/* the service refused, or what was asked
				 * for is false (a broken chain, failures) */
#define CLI_USAGE	2	/* bad flags or arguments */

/* Where settings come from; used by `iotjobs status` and --debug. */
struct cli_conf {
	char endpoint[CLI_URL_MAX];	/* no trailing slash */
	const char *endpoint_from;	/* "--endpoint-url", ... */
	char region[64];
	const char *region_from;
	char profile[CLI_NAME_MAX];
	bool profile_explicit;		/* --profile given */
	char access_key_id[CLI_KEY_MAX];
	char secret_access_key[CLI_KEY_MAX];
	char session_token[CLI_TOKEN_MAX];
	const char *creds_from;		/* "environment", "shared file" ... */
	bool json;			/* --output json */
	bool tty;			/* stdout is a terminal */
	long connect_timeout;		/* seconds */
	long read_timeout;		/* seconds */
	int debug;
};

/* A failure: the service's error (type, message, status) or ours. */
struct cli_err {
	long status;		/* HTTP status; 0: no answer */
	char type[128];		/* x-amzn-ErrorType, or our own kind */
	char msg[1024];
};

/* Sets E to TYPE and a message; returns -1. */
int cli_err_set(struct cli_err *e, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Finds endpoint, region and credentials into C: flags first (already in
 * C: endpoint, region, profile when given), then the environment (AWS_*,
 * IOTJOBS_ENDPOINT), then the profile of ~/.aws/credentials and
 * ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). -1 with
 * E when no credentials were found or a file is unreadable.
 */
int cli_conf_load(struct cli_conf *c, struct cli_err *e);

/*
 * One signed request to iotjobsd: METHOD PATH (percent-encoded) with the
 * encoded QUERY (NULL: none) and the JSON BODY (NULL: none), signed for
 * the control plane ("iot"). On a 2xx answer returns 0 with *OUT the
 * parsed body (a new reference; {} when empty; OUT may be NULL). Any
 * other answer, or none, returns -1 with E: the service's error type and
 * message, or "EndpointConnectionError" naming the endpoint.
 */
int cli_call(const struct cli_conf *c, const char *method, const char *path,
    const char *query, const json_t *body, json_t **out, struct cli_err *e);

/* --- many requests at once (thing import) ------------------------------ */

struct cli_multi;

/* Called when a request ends: its status (0: none), body, and E. */
typedef void cli_done_fn(void *arg, long status, json_t *body,
    const struct cli_err *e);

/* A pool of at most PARALLEL requests in flight, keep-alive. */
struct cli_multi *cli_multi_new(const struct cli_conf *c, int parallel);
void cli_multi_free(struct cli_multi *m);

/* Adds a request; DONE(ARG, ...) runs from cli_multi_run. BODY copied. */
void cli_multi_add(struct cli_multi *m, const char *method, const char *path,
    const char *query, const json_t *body, cli_done_fn *done, void *arg);

/* Requests added and not finished. */
int cli_multi_pending(const struct cli_multi *m);

/* Runs requests until at most LOW are pending (0: until all are done). */
void cli_multi_run(struct cli_multi *m, int low);

/* --- encoding and output ------------------------------------------------ */

/* Appends the RFC 3986 encoding of S to BUF (size SIZE); -1: too long. */
int cli_urlenc(const char *s, char *buf, size_t size);

/* Epoch seconds as "2024-05-01 12:00:00Z" (UTC) into BUF. */
const char *cli_time(int64_t t, char *buf, size_t size);

/* Parses "2024-05-01T12:00", "2024-05-01 12:00:00", "-2h", or epoch. */
int cli_time_parse(const char *text, int64_t now, int64_t *out);

/* Prints V (indented JSON) and a newline on stdout. */
void cli_print_json(const json_t *v);

/* The integer member NAME of O, or 0. */
int64_t cli_int(const json_t *o, const char *name);

/* The string member NAME of O, or DEF. */
const char *cli_str(const json_t *o, const char *name, const char *def);

/* Prints "iotjobs: WHAT: TYPE: MESSAGE" on stderr; returns CLI_FAIL. */
int cli_fail(const char *what, const struct cli_err *e);

/* Prints "iotjobs: WHAT: MESSAGE" and a usage hint; returns CLI_USAGE. */
int cli_usage_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- commands --------------------------------------------------------- */

/*
 * A command: `iotjobs NOUN VERB [args]` (VERB NULL: `iotjobs NOUN`).
 * FN gets its own arguments (after the verb) and returns an exit status.
 */
struct cli_cmd {
	const char *noun;
	const char *verb;
	int (*fn)(struct cli_conf *c, int argc, char **argv);
	const char *args;	/* one-line synopsis of the arguments */
	const char *summary;
	const char *help;	/* the rest of -h: options, one a line */
};

/* True when ARGV holds -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);

/* Prints the -h text of the command CMD. */
void cli_cmd_help(const struct cli_cmd *cmd, FILE *f);

/* The command named NOUN VERB, for its own -h. */
const struct cli_cmd *cli_cmd_find(const char *noun, const char *verb);

/*
 * iotjobs job pause|resume JOB: POST /_iotjobs/jobs/JOB/VERB, the answer
 * printed as text or JSON. Returns the command's exit status.
 */
int cli_job_switch(struct cli_conf *c, int argc, char **argv,
    const char *verb);

int cmd_status(struct cli_conf *c, int argc, char **argv);
int cmd_job_pause(struct cli_conf *c, int argc, char **argv);
int cmd_job_resume(struct cli_conf *c, int argc, char **argv);
int cmd_job_watch(struct cli_conf *c, int argc, char **argv);
int cmd_job_plan(struct cli_conf *c, int argc, char **argv);
int cmd_explain(struct cli_conf *c, int argc, char **argv);
int cmd_thing_import(struct cli_conf *c, int argc, char **argv);
int cmd_audit_list(struct cli_conf *c, int argc, char **argv);
int cmd_audit_verify(struct cli_conf *c, int argc, char **argv);

#endif
