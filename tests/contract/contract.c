/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract suite's harness: the store each case opens (see
 * contract.h) and the runner of every area. Arguments: area names to run
 * (default: all).
 */
#include "contract.h"

#include <sys/stat.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_job.h"
#include "store/store_thing.h"

static char c_url[1024];
static char c_tmp[64];		/* the temporary folder of the default */
static char c_old[4][64];	/* earlier folders of this case */
static int c_nold;
static unsigned c_seq;
static int c_setup_errors;	/* cmocka does not count them as failures */
/*
 * The transactions c_begin() opened that nothing has ended yet. A failed
 * assertion leaves its case at once, maybe inside a transaction, and
 * store_close() would wait for that one for ever: the suite would hang
 * instead of naming the case. Teardown rolls them back first. The suite
 * is linked with --wrap=store_end, so that however a case ends one
 * (c_commit, c_rollback or store_end itself) it is forgotten here.
 */
static pthread_mutex_t c_open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_tx *c_open[16];
static int c_nopen;

int __real_store_end(struct store_tx *tx, bool commit, struct err *err);
int __wrap_store_end(struct store_tx *tx, bool commit, struct err *err);

int
__wrap_store_end(struct store_tx *tx, bool commit, struct err *err)
{
	int i;

	pthread_mutex_lock(&c_open_lock);
	for (i = 0; i < c_nopen; i++)
		if (c_open[i] == tx) {
			c_open[i] = c_open[--c_nopen];
			break;
		}
	pthread_mutex_unlock(&c_open_lock);
	return __real_store_end(tx, commit, err);
}

/* Rolls back what the case left open. */
static void
c_open_end(void)
{
	struct store_tx *tx;
	struct err err;

	for (;;) {
		pthread_mutex_lock(&c_open_lock);
		tx = c_nopen > 0 ? c_open[--c_nopen] : NULL;
		pthread_mutex_unlock(&c_open_lock);
		if (tx == NULL)
			return;
		__real_store_end(tx, false, &err);
	}
}

/* Removes one entry of a temporary folder (nftw callback). */
static int
c_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Chooses this case's store URL. */
static int
c_url_new(void)
{
	const char *env = getenv("IOTJOBS_TEST_STORE");
	char name[64];
	const char *p;

	if (env == NULL || *env == '\0') {
		strcpy(c_tmp, "/tmp/iotjobs-contract-XXXXXX");
		if (mkdtemp(c_tmp) == NULL)
			return -1;
		snprintf(c_url, sizeof(c_url), "sqlite:%s/iotjobs.db", c_tmp);
		return 0;
	}
	c_tmp[0] = '\0';
	p = strstr(env, "%s");
	if (p == NULL) {
		snprintf(c_url, sizeof(c_url), "%s", env);
		return 0;
	}
	snprintf(name, sizeof(name), "c%ld_%u", (long)getpid(), ++c_seq);
	snprintf(c_url, sizeof(c_url), "%.*s%s%s", (int)(p - env), env, name,
	    p + 2);
	if (strncmp(c_url, "sqlite:", 7) == 0) {
		/* A folder of its own: the suite removes it at the end. */
		/* PATH is the file: its folder is the case's own. */
		char *slash;

		snprintf(c_tmp, sizeof(c_tmp), "%.63s", c_url + 7);
		slash = strrchr(c_tmp, '/');
		if (slash != NULL && slash != c_tmp)
			*slash = '\0';
		if (mkdir(c_tmp, 0700) == -1)
			return -1;
	}
	return 0;
}

const char *
contract_url(void)
{
	return c_url;
}

int
contract_open(struct store **out, struct err *err)
{
	return store_open(c_url, out, err);
}

int
contract_fresh(void)
{
	if (c_tmp[0] != '\0' && c_nold < 4)
		memcpy(c_old[c_nold++], c_tmp, sizeof(c_tmp));
	return c_url_new();
}

int
contract_setup(void **state)
{
	struct store *st;
	struct err err = { 0 };

	if (c_url_new() == -1 || contract_open(&st, &err) == -1) {
		fprintf(stderr, "contract: %s: %s\n", c_url, err.msg);
		c_setup_errors++;
		return -1;
	}
	*state = st;
	return 0;
}

int
contract_teardown(void **state)
{
	c_open_end();
	store_close(*state);
	if (c_tmp[0] != '\0' && nftw(c_tmp, c_rm, 8,
	    FTW_DEPTH | FTW_PHYS) == -1)
		return -1;
	c_tmp[0] = '\0';
	while (c_nold > 0)
		if (nftw(c_old[--c_nold], c_rm, 8, FTW_DEPTH | FTW_PHYS) == -1)
			return -1;
	return 0;
}

struct store_tx *
c_begin(struct store *st, bool write)
{
	struct store_tx *tx = NULL;
	struct err err;

	assert_int_equal(store_begin(st, write, &tx, &err), 0);
	pthread_mutex_lock(&c_open_lock);
	if (c_nopen < (int)(sizeof(c_open) / sizeof(c_open[0])))
		c_open[c_nopen++] = tx;
	pthread_mutex_unlock(&c_open_lock);
	return tx;
}

void
c_commit(struct store_tx *tx)
{
	struct err err;

	assert_int_equal(store_end(tx, true, &err), 0);
}

void
c_rollback(struct store_tx *tx)
{
	struct err err;

	assert_int_equal(store_end(tx, false, &err), 0);
}

size_t
c_len(const json_t *a)
{
	assert_true(json_is_array(a));
	return json_array_size(a);
}

const char *
c_str(const json_t *a, size_t i)
{
	const char *s = json_string_value(json_array_get(a, i));

	assert_non_null(s);
	return s;
}

const char *
c_member(const json_t *a, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(
	    json_array_get(a, i), key));

	assert_non_null(s);
	return s;
}

void
c_thing(struct store *st, const char *name)
{
	struct store_thing t = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	snprintf(t.name, sizeof(t.name), "%s", name);
	t.attributes = json_object();
	assert_int_equal(store_thing_insert(tx, &t, &err), 0);
	store_thing_release(&t);
	c_commit(tx);
}

void
c_group_put(struct store_tx *tx, const char *name, const char *parent,
    char *id)
{
	struct store_group g = { 0 };
	struct err err;

	snprintf(g.name, sizeof(g.name), "%s", name);
	snprintf(g.parent_name, sizeof(g.parent_name), "%s", parent);
	g.attributes = json_object();
	assert_int_equal(store_group_insert(tx, &g, &err), 0);
	assert_int_equal(strlen(g.group_id), STORE_ID_LEN);
	if (id != NULL)
		memcpy(id, g.group_id, sizeof(g.group_id));
	store_group_release(&g);
}

void
c_job_insert(struct store *st, const char *id, const char *selection,
    const char *targets, int64_t at, bool queue)
{
	struct store_job j = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	snprintf(j.job_id, sizeof(j.job_id), "%s", id);
	j.status = JOB_IN_PROGRESS;
	snprintf(j.target_selection, sizeof(j.target_selection), "%s",
	    selection);
	j.document = "{\"op\":\"run\"}";
	j.config = json_object();
	j.created_at = at;
	j.last_updated_at = at;
	j.targets = json_loads(targets, 0, NULL);
	assert_non_null(j.targets);
	assert_int_equal(store_job_insert(tx, &j, &err), 0);
	if (queue)
		assert_int_equal(store_job_queue_targets(tx, id, C_ARN, at,
		    &err), 0);
	json_decref(j.config);
	json_decref(j.targets);
	c_commit(tx);
}

void
c_job(struct store *st, const char *id, const char *selection,
    const char *targets, int64_t at)
{
	c_job_insert(st, id, selection, targets, at, true);
}

static const struct c_area *const c_areas[] = {
	&c_area_tags, &c_area_thing_type, &c_area_principal,
	&c_area_policy, &c_area_cert, &c_area_dyngroup,
	&c_area_core, &c_area_commit, &c_area_thing, &c_area_exec,
	&c_area_job, &c_area_group, &c_area_outbox,
	&c_area_jobx, &c_area_command, &c_area_template, &c_area_opkey,
	&c_area_audit, &c_area_notify, &c_area_hooks, &c_area_cmd_exec,
};

int
main(int argc, char **argv)
{
	size_t i;
	int j, failed = 0;

	for (i = 0; i < sizeof(c_areas) / sizeof(c_areas[0]); i++) {
		const struct c_area *a = c_areas[i];
		bool run = argc < 2;

		for (j = 1; j < argc; j++)
			run = run || strcmp(argv[j], a->name) == 0;
		if (run)
			failed += _cmocka_run_group_tests(a->name, a->cases,
			    a->n, NULL, NULL);
	}
	return failed + c_setup_errors == 0 ? 0 : 1;
}
