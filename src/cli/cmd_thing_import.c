/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs thing import FILE: makes the things of FILE (import_file.c) exist
 * as it says, through the ordinary AWS operations (so authorization, the
 * audit log and CONTINUOUS jobs see every change): the registry and the
 * members of FILE's groups are read first (ListThings,
 * ListThingsInThingGroup, CreateThingGroup for a missing group), then
 * only what differs is written, --parallel requests at a time: CreateThing,
 * UpdateThing (attributes replaced) and AddThingToThingGroup.
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

#define TRIES_MAX	4	/* of a request the service did not answer */
#define FAILURES_SHOWN	20
#define PAGE		"250"

/* --- a string map (name -> canonical attributes, or membership) -------- */

struct smap {
	char **keys, **vals;
	size_t cap, n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void smap_put(struct smap *m, const char *key, const char *val);

static void
smap_grow(struct smap *m)
{
	struct smap old = *m;
	size_t i;

	m->cap = old.cap == 0 ? 1024 : old.cap * 2;
	m->n = 0;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->vals = calloc(m->cap, sizeof(*m->vals));
	if (m->keys == NULL || m->vals == NULL)
		abort();
	for (i = 0; i < old.cap; i++)
		if (old.keys[i] != NULL) {
			smap_put(m, old.keys[i], old.vals[i]);
			free(old.keys[i]);
			free(old.vals[i]);
		}
	free(old.keys);
	free(old.vals);
}

static void
smap_put(struct smap *m, const char *key, const char *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		smap_grow(m);
	for (i = hash_str(key) % m->cap; m->keys[i] != NULL;
	    i = (i + 1) % m->cap)
		if (strcmp(m->keys[i], key) == 0) {
			free(m->vals[i]);
			m->vals[i] = strdup(val);
			return;
		}
	m->keys[i] = strdup(key);
	m->vals[i] = strdup(val);
	m->n++;
}

static const char *
smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = hash_str(key) % m->cap; m->keys[i] != NULL;
	    i = (i + 1) % m->cap)
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}

static void
smap_release(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->keys[i]);
		free(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static char *
attrs_key(const json_t *attrs)
{
	char *s = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);

	return s != NULL ? s : strdup("{}");
}

static void
member_key(const char *group, const char *thing, char *buf, size_t size)
{
	snprintf(buf, size, "%s\n%s", group, thing);
}

/* --- the run ------------------------------------------------------------ */

struct imp {
	struct cli_conf *c;
	struct cli_multi *m;
	struct import_list items;
	struct smap things;	/* existing name -> attrs_key */
	struct smap members;	/* "group\nthing" -> "" */
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

/* One request of one item, kept for its retries. */
struct imp_req {
	struct imp *imp;
	size_t idx;
	char method[8];
	char path[CLI_URL_MAX];
	json_t *body;
	enum { REQ_WRITE, REQ_GROUP } kind;
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

static void req_send(struct imp_req *r);

static void
item_done(struct imp *imp, struct import_item *it)
{
	if (it->inflight > 0)
		return;
	if (it->aborted)
		return;		/* left for the next run */
	if (it->error != NULL)
		it->outcome = IMPORT_FAILED;
	else if (it->create)
		it->outcome = IMPORT_CREATED;
	else
		it->outcome = it->changed ? IMPORT_UPDATED : IMPORT_UNCHANGED;
	imp->count[it->outcome]++;
}

static void
item_error(struct import_item *it, const struct cli_err *e)
{
	char buf[1200];

	if (it->error != NULL)
		return;
	snprintf(buf, sizeof(buf), "%s: %s", e->type, e->msg);
	it->error = strdup(buf);
}

static bool
is_transient(long status, const struct cli_err *e)
{
	return status == 0 || status >= 500 ||
	    strcmp(e->type, "ThrottlingException") == 0 ||
	    strcmp(e->type, "TooManyRequestsException") == 0;
}

static void
groups_add(struct imp *imp, size_t idx)
{
	struct import_item *it = &imp->items.v[idx];
	char key[600];
	json_t *g;
	size_t i;

	json_array_foreach(it->groups, i, g) {
		struct imp_req *r;

		member_key(json_string_value(g), it->name, key, sizeof(key));
		if (smap_get(&imp->members, key) != NULL)
			continue;
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			abort();
		r->imp = imp;
		r->idx = idx;
		r->kind = REQ_GROUP;
		snprintf(r->method, sizeof(r->method), "PUT");
		snprintf(r->path, sizeof(r->path),
		    "/thing-groups/addThingToThingGroup");
		r->body = json_pack("{s:O, s:s}", "thingGroupName", g,
		    "thingName", it->name);
		it->inflight++;
		req_send(r);
	}
}

static void
on_answer(void *arg, long status, json_t *body, const struct cli_err *e)
{
	struct imp_req *r = arg;
	struct imp *imp = r->imp;
	struct import_item *it = &imp->items.v[r->idx];

	(void)body;
	if (e != NULL && is_transient(status, e) && imp->stopped[0] == '\0') {
		if (++r->tries < TRIES_MAX) {
			usleep(50000U << r->tries);
			req_send(r);
			return;
		}
		snprintf(imp->stopped, sizeof(imp->stopped), "%s: %s",
		    e->type, e->msg);
	}
	it->inflight--;
	if (e != NULL && is_transient(status, e)) {
		it->aborted = true;
	} else if (e != NULL) {
		item_error(it, e);
	} else {
		it->changed = true;
		if (r->kind == REQ_WRITE)
			groups_add(imp, r->idx);
	}
	json_decref(r->body);
	free(r);
	item_done(imp, it);
}

static void
req_send(struct imp_req *r)
{
	cli_multi_add(r->imp->m, r->method, r->path, NULL, r->body,
	    on_answer, r);
}

/* Starts item IDX: a write when it is missing or differs, then groups. */
static void
item_start(struct imp *imp, size_t idx)
{
	struct import_item *it = &imp->items.v[idx];
	const char *have;
	char enc[CLI_URL_MAX / 2], *want;
	struct imp_req *r;

	if (it->error != NULL) {
		item_done(imp, it);
		return;
	}
	have = smap_get(&imp->things, it->name);
	want = attrs_key(it->attrs);
	if (have != NULL && strcmp(have, want) == 0) {
		free(want);
		it->inflight++;
		groups_add(imp, idx);
		it->inflight--;
		item_done(imp, it);
		return;
	}
	free(want);
	if (cli_urlenc(it->name, enc, sizeof(enc)) == -1) {
		it->error = strdup("thing name too long");
		item_done(imp, it);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		abort();
	r->imp = imp;
	r->idx = idx;
	r->kind = REQ_WRITE;
	snprintf(r->path, sizeof(r->path), "/things/%s", enc);
	if (have == NULL) {
		snprintf(r->method, sizeof(r->method), "POST");
		r->body = json_pack("{s:{s:O}}", "attributePayload",
		    "attributes", it->attrs);
		it->create = true;
	} else {
		snprintf(r->method, sizeof(r->method), "PATCH");
		r->body = json_pack("{s:{s:O, s:b}}", "attributePayload",
		    "attributes", it->attrs, "merge", 0);
	}
	it->inflight++;
	req_send(r);
}

/* --- before: what exists ---------------------------------------------- */

/* Every page of GET PATH (+ query) into FN, following nextToken. */
static int
pages(struct imp *imp, const char *path, const char *list,
    void (*fn)(struct imp *, const json_t *, const char *), const char *arg,
    struct cli_err *e)
{
	char q[2048], tok[1024];
	const char *next = NULL;
	json_t *r = NULL, *v;
	size_t i;

	do {
		if (next != NULL && cli_urlenc(next, tok, sizeof(tok)) == -1)
			return cli_err_set(e, "InputError", "nextToken too"
			    " long");
		snprintf(q, sizeof(q), "maxResults=" PAGE "%s%s",
		    next != NULL ? "&nextToken=" : "", next != NULL ? tok : "");
		json_decref(r);
		if (cli_call(imp->c, "GET", path, q, NULL, &r, e) == -1)
			return -1;
		json_array_foreach(json_object_get(r, list), i, v)
			fn(imp, v, arg);
		next = json_string_value(json_object_get(r, "nextToken"));
	} while (next != NULL);
	json_decref(r);
	return 0;
}

static void
thing_seen(struct imp *imp, const json_t *t, const char *arg)
{
	const json_t *a = json_object_get(t, "attributes");
	char *k = attrs_key(a != NULL ? a : json_object());

	(void)arg;
	smap_put(&imp->things, cli_str(t, "thingName", ""), k);
	free(k);
}

static void
member_seen(struct imp *imp, const json_t *t, const char *group)
{
	char key[600];

	member_key(group, json_string_value(t), key, sizeof(key));
	smap_put(&imp->members, key, "");
}

/* The registry, and FILE's groups (created when missing) with members. */
static int
prefetch(struct imp *imp, struct cli_err *e)
{
	struct smap groups = { NULL, NULL, 0, 0 };
	char path[CLI_URL_MAX], enc[CLI_URL_MAX / 2];
	struct cli_err ge;
	json_t *g, *body = json_object();
	size_t i, k;
	int rc = -1;

	if (pages(imp, "/things", "things", thing_seen, NULL, e) == -1)
		goto out;
	for (i = 0; i < imp->items.n; i++)
		json_array_foreach(imp->items.v[i].groups, k, g)
			smap_put(&groups, json_string_value(g), "");
	for (i = 0; i < groups.cap; i++) {
		const char *name = groups.keys[i];

		if (name == NULL)
			continue;
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
		snprintf(path, sizeof(path), "/thing-groups/%s/things", enc);
		if (pages(imp, path, "things", member_seen, name, e) == -1)
			goto out;
	}
	rc = 0;
out:
	json_decref(body);
	smap_release(&groups);
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
	    imp->items.v[imp->prefix].inflight == 0 &&
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
	char *end;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc) {
			*parallel = (int)strtol(argv[++i], &end, 10);
			if (*end != '\0' || *parallel < 1 || *parallel > 256)
				return cli_usage_error("thing import",
				    "--parallel is 1 to 256");
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
	int parallel = 16, csv = -1, rc;
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
	if (prefetch(&imp, &e) == -1) {
		rc = cli_fail("thing import", &e);
		goto out;
	}
	imp.m = cli_multi_new(c, parallel);
	for (i = imp.resumed; i < imp.items.n && imp.stopped[0] == '\0';
	    i++) {
		item_start(&imp, i);
		cli_multi_run(imp.m, parallel);
		prefix_advance(&imp);
		if (i % 1000 == 999)
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
	smap_release(&imp.things);
	smap_release(&imp.members);
	return rc;
}
