/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs thing import FILE: makes the things of FILE (import_file.c) exist
 * as it says, in batches of 250 through POST /_iotjobs/things/import
 * (api/ext_import.c: CreateThing's, UpdateThing's and
 * AddThingToThingGroup's checks, authorization, CONTINUOUS-job hook and
 * audit, one transaction a batch), --parallel batches in flight; the
 * file's thing groups are created first (CreateThingGroup) when missing.
 *
 * Idempotent: a second run finds everything unchanged. Resumable: the
 * number of lines fully done is kept in a progress file; a run stopped by
 * a failure of the service (no answer, 5xx, throttling after retries)
 * saves it, and the same command resumes after it. One summary at the
 * end: created, updated, unchanged, failed with the line and the reason.
 */
#include "import.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "num.h"

#define TRIES_MAX	4	/* of a request the service did not answer */
#define FAILURES_SHOWN	20
#define BATCH		250	/* things a request */

/* --- the run ------------------------------------------------------------ */

struct imp {
	struct cli_conf *c;
	struct cli_multi *m;
	struct import_list items;
	size_t prefix;		/* items[0..prefix) are done */
	size_t resumed;		/* items done by an earlier run */
	size_t count[5];	/* by outcome */
	char stopped[1200];	/* why the run stopped, "" */
	const char *state_path;
	const char *file;
	struct stat file_st;
	bool progress;
	struct timespec t0, drawn;
};

/* One request: up to BATCH items, kept for its retries. */
struct imp_batch {
	struct imp *imp;
	size_t idx[BATCH];	/* the items sent, in order */
	size_t n;
	json_t *body;
	int tries;
};

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool
is_transient(long status, const struct cli_err *e)
{
	return status == 0 || status >= 500 ||
	    strcmp(e->type, "ThrottlingException") == 0 ||
	    strcmp(e->type, "TooManyRequestsException") == 0;
}

static void
item_set(struct imp *imp, struct import_item *it, enum import_outcome o)
{
	it->outcome = o;
	imp->count[o]++;
}

static void batch_send(struct imp_batch *b);

static void
item_result(struct imp *imp, struct import_item *it, const json_t *r)
{
	const char *o = cli_str(r, "outcome", "failed");
	char buf[1200];

	if (strcmp(o, "created") == 0) {
		item_set(imp, it, IMPORT_CREATED);
	} else if (strcmp(o, "updated") == 0) {
		item_set(imp, it, IMPORT_UPDATED);
	} else if (strcmp(o, "unchanged") == 0) {
		item_set(imp, it, IMPORT_UNCHANGED);
	} else {
		snprintf(buf, sizeof(buf), "%s: %s", cli_str(r, "errorType",
		    "Error"), cli_str(r, "message", "(no message)"));
		it->error = strdup(buf);
		item_set(imp, it, IMPORT_FAILED);
	}
}

static void
on_answer(void *arg, long status, json_t *body, const struct cli_err *e)
{
	struct imp_batch *b = arg;
	struct imp *imp = b->imp;
	const json_t *res = json_object_get(body, "results");
	char buf[1200];
	size_t i;

	if (e != NULL && is_transient(status, e) && imp->stopped[0] == '\0' &&
	    ++b->tries < TRIES_MAX) {
		usleep(50000U << b->tries);
		batch_send(b);
		return;
	}
	if (e != NULL && is_transient(status, e)) {
		/* Left pending: the next run does them. */
		if (imp->stopped[0] == '\0')
			snprintf(imp->stopped, sizeof(imp->stopped), "%s: %s",
			    e->type, e->msg);
	} else {
		for (i = 0; i < b->n; i++) {
			struct import_item *it = &imp->items.v[b->idx[i]];

			if (e == NULL && json_array_size(res) == b->n) {
				item_result(imp, it, json_array_get(res, i));
				continue;
			}
			snprintf(buf, sizeof(buf), "%s: %s", e != NULL ?
			    e->type : "BadAnswer", e != NULL ? e->msg :
			    "the answer does not list every thing");
			it->error = strdup(buf);
			item_set(imp, it, IMPORT_FAILED);
		}
	}
	json_decref(b->body);
	free(b);
}

static void
batch_send(struct imp_batch *b)
{
	cli_multi_add(b->imp->m, "POST", "/_iotjobs/things/import", NULL,
	    b->body, on_answer, b);
}

/* Sends the next batch of items from FROM on; returns where it stopped. */
static size_t
batch_start(struct imp *imp, size_t from)
{
	struct imp_batch *b = calloc(1, sizeof(*b));
	json_t *things = json_array();
	size_t i;

	if (b == NULL)
		abort();
	b->imp = imp;
	for (i = from; i < imp->items.n && b->n < BATCH; i++) {
		struct import_item *it = &imp->items.v[i];

		if (it->error != NULL) {
			item_set(imp, it, IMPORT_FAILED);
			continue;
		}
		json_array_append_new(things, json_pack("{s:s, s:O, s:O}",
		    "thingName", it->name, "attributes", it->attrs, "groups",
		    it->groups));
		b->idx[b->n++] = i;
	}
	if (b->n == 0) {
		json_decref(things);
		free(b);
		return i;
	}
	b->body = json_pack("{s:o}", "things", things);
	batch_send(b);
	return i;
}

/* The file's thing groups, created when missing (CreateThingGroup). */
static int
groups_create(struct imp *imp, struct cli_err *e)
{
	json_t *seen = json_object(), *g, *body = json_object();
	char path[CLI_URL_MAX], enc[CLI_URL_MAX / 2];
	const char *name;
	struct cli_err ge;
	size_t i, k;
	int rc = -1;

	for (i = 0; i < imp->items.n; i++)
		json_array_foreach(imp->items.v[i].groups, k, g)
			if (json_is_string(g))
				json_object_set(seen, json_string_value(g), g);
	json_object_foreach(seen, name, g) {
		if (cli_urlenc(name, enc, sizeof(enc)) == -1) {
			cli_err_set(e, "InputError", "group name too long");
			goto out;
		}
		snprintf(path, sizeof(path), "/thing-groups/%s", enc);
		memset(&ge, 0, sizeof(ge));
		if (cli_call(imp->c, "POST", path, NULL, body, NULL,
		    &ge) == -1 && strcmp(ge.type,
		    "ResourceAlreadyExistsException") != 0) {
			cli_err_set(e, ge.type, "thing group %s: %s", name,
			    ge.msg);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(seen);
	json_decref(body);
	return rc;
}

/* --- progress and its file ------------------------------------------------ */

static void
state_load(struct imp *imp)
{
	json_t *s = json_load_file(imp->state_path, 0, NULL);
	size_t done = (size_t)cli_int(s, "done");

	if (s != NULL && cli_int(s, "size") == (int64_t)imp->file_st.st_size &&
	    cli_int(s, "mtime") == (int64_t)imp->file_st.st_mtime &&
	    done <= imp->items.n)
		imp->resumed = done;
	json_decref(s);
}

static void
state_save(struct imp *imp)
{
	char tmp[4200];
	json_t *s;

	snprintf(tmp, sizeof(tmp), "%s.tmp", imp->state_path);
	s = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", imp->file,
	    "size", (json_int_t)imp->file_st.st_size, "mtime",
	    (json_int_t)imp->file_st.st_mtime, "done",
	    (json_int_t)imp->prefix, "line", (json_int_t)(imp->prefix > 0 ?
	    imp->items.v[imp->prefix - 1].line : 0));
	if (json_dump_file(s, tmp, JSON_COMPACT) == 0)
		rename(tmp, imp->state_path);
	json_decref(s);
}

static void
prefix_advance(struct imp *imp)
{
	while (imp->prefix < imp->items.n &&
	    imp->items.v[imp->prefix].outcome != IMPORT_PENDING)
		imp->prefix++;
}

static void
progress(struct imp *imp, bool last)
{
	size_t done = imp->count[1] + imp->count[2] + imp->count[3] +
	    imp->count[4] + imp->resumed, n = imp->items.n;
	int fill = n > 0 ? (int)(done * 30 / n) : 30, i;

	if (!imp->progress || (!last && since(&imp->drawn) < 0.2))
		return;
	clock_gettime(CLOCK_MONOTONIC, &imp->drawn);
	fputc('\r', stderr);
	fputc('[', stderr);
	for (i = 0; i < 30; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %zu/%zu  created %zu updated %zu unchanged %zu"
	    " failed %zu%s", done, n, imp->count[1], imp->count[2],
	    imp->count[3], imp->count[4], last ? "\n" : "");
	fflush(stderr);
}

/* --- the end -------------------------------------------------------------- */

static int
summary(struct imp *imp, bool json)
{
	json_t *fails = json_array(), *out;
	size_t i, shown = 0;
	double secs = since(&imp->t0);

	for (i = 0; i < imp->items.n; i++) {
		const struct import_item *it = &imp->items.v[i];

		if (it->outcome != IMPORT_FAILED)
			continue;
		json_array_append_new(fails, json_pack("{s:I, s:s?, s:s}",
		    "line", (json_int_t)it->line, "thingName", it->name,
		    "reason", it->error));
	}
	if (json) {
		out = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f,"
		    " s:o, s:s?}", "file", imp->file, "things",
		    (json_int_t)imp->items.n, "created",
		    (json_int_t)imp->count[1], "updated",
		    (json_int_t)imp->count[2], "unchanged",
		    (json_int_t)imp->count[3], "failed",
		    (json_int_t)imp->count[4], "skipped",
		    (json_int_t)imp->resumed, "seconds", secs, "failures", fails,
		    "stopped", imp->stopped[0] != '\0' ? imp->stopped : NULL);
		cli_print_json(out);
		json_decref(out);
	} else {
		printf("imported %s: %zu things: created %zu, updated %zu,"
		    " unchanged %zu, failed %zu", imp->file, imp->items.n,
		    imp->count[1], imp->count[2], imp->count[3],
		    imp->count[4]);
		if (imp->resumed > 0)
			printf(", done before %zu", imp->resumed);
		printf(" (%.1f s)\n", secs);
		for (i = 0; i < json_array_size(fails) && shown <
		    FAILURES_SHOWN; i++, shown++) {
			const json_t *f = json_array_get(fails, i);

			printf("  line %lld %s: %s\n", (long long)cli_int(f,
			    "line"), cli_str(f, "thingName", "-"),
			    cli_str(f, "reason", "?"));
		}
		if (json_array_size(fails) > shown)
			printf("  ... and %zu more (--output json lists them"
			    " all)\n", json_array_size(fails) - shown);
		json_decref(fails);
	}
	if (imp->stopped[0] != '\0') {
		fprintf(stderr, "iotjobs: thing import: stopped after line"
		    " %lld: %s; run the same command again to resume\n",
		    (long long)(imp->prefix > 0 ?
		    imp->items.v[imp->prefix - 1].line : 0), imp->stopped);
		return CLI_FAIL;
	}
	return imp->count[4] > 0 ? CLI_FAIL : CLI_OK;
}

static int
import_args(int argc, char **argv, const char **file, int *parallel,
    const char **state, bool *restart, int *csv)
{
	int64_t parallel_n;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc) {
			if (num_parse_i64(argv[++i], 1, 256, &parallel_n) == -1)
				return cli_usage_error("thing import",
				    "--parallel is 1 to 256");
			*parallel = (int)parallel_n;
		} else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc) {
			*state = argv[++i];
		} else if (strcmp(argv[i], "--restart") == 0) {
			*restart = true;
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "csv") != 0 &&
			    strcmp(argv[i], "jsonl") != 0)
				return cli_usage_error("thing import",
				    "--format is csv or jsonl");
			*csv = strcmp(argv[i], "csv") == 0;
		} else if (argv[i][0] != '-' && *file == NULL) {
			*file = argv[i];
		} else {
			return cli_usage_error("thing import", "unexpected"
			    " argument '%s'", argv[i]);
		}
	}
	if (*file == NULL)
		return cli_usage_error("thing import", "expected one FILE");
	if (*csv == -1) {
		size_t n = strlen(*file);

		*csv = n >= 4 && strcmp(*file + n - 4, ".csv") == 0;
	}
	return CLI_OK;
}

int
cmd_thing_import(struct cli_conf *c, int argc, char **argv)
{
	struct imp imp;
	struct cli_err e;
	const char *state = NULL;
	char state_buf[4200];
	int parallel = 4, csv = -1, rc;
	bool restart = false;
	size_t i;

	memset(&imp, 0, sizeof(imp));
	memset(&e, 0, sizeof(e));
	rc = import_args(argc, argv, &imp.file, &parallel, &state, &restart,
	    &csv);
	if (rc != CLI_OK)
		return rc;
	if (state == NULL) {
		snprintf(state_buf, sizeof(state_buf), "%s.import-state",
		    imp.file);
		state = state_buf;
	}
	imp.state_path = state;
	imp.c = c;
	imp.progress = isatty(STDERR_FILENO) == 1 && !c->json;
	clock_gettime(CLOCK_MONOTONIC, &imp.t0);
	if (stat(imp.file, &imp.file_st) == -1)
		return cli_usage_error("thing import", "cannot read %s: %s",
		    imp.file, strerror(errno));
	if (import_read(imp.file, csv == 1, &imp.items, &e) == -1)
		return cli_fail("thing import", &e);
	if (!restart)
		state_load(&imp);
	imp.prefix = imp.resumed;
	for (i = 0; i < imp.resumed; i++)
		imp.items.v[i].outcome = IMPORT_UNCHANGED;
	if (groups_create(&imp, &e) == -1) {
		rc = cli_fail("thing import", &e);
		goto out;
	}
	imp.m = cli_multi_new(c, parallel);
	for (i = imp.resumed; i < imp.items.n && imp.stopped[0] == '\0';) {
		i = batch_start(&imp, i);
		cli_multi_run(imp.m, parallel - 1);
		prefix_advance(&imp);
		state_save(&imp);
		progress(&imp, false);
	}
	cli_multi_run(imp.m, 0);
	prefix_advance(&imp);
	progress(&imp, true);
	if (imp.stopped[0] != '\0')
		state_save(&imp);
	else
		unlink(imp.state_path);
	rc = summary(&imp, c->json);
out:
	cli_multi_free(imp.m);
	import_list_release(&imp.items);
	return rc;
}
