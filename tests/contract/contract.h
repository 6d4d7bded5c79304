/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract suite: cases that drive the store interface
 * (store.h, store_*.h) and nothing below it, so that every backend is
 * held to the same rules. A case opens its store through contract_open()
 * and must not look at files, SQL or any backend's own behaviour.
 *
 * IOTJOBS_TEST_STORE names the store to test, as store_open takes it:
 * "sqlite:PATH" (the SQLite file). "%s" in it is replaced by a name new
 * to each case, so that every case starts on an empty store; without it
 * the store named must be empty at each case. Unset: a fresh SQLite store in a new
 * temporary folder per case.
 */
#ifndef IOTJOBS_CONTRACT_H
#define IOTJOBS_CONTRACT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

/* The ARN prefix the cases use for targets. */
#define C_ARN		"arn:aws:iot:us-east-1:123456789012:"
#define C_THING_ARN	C_ARN "thing/"
#define C_GROUP_ARN	C_ARN "thinggroup/"

/*
 * Opens (creating) this case's store; a later call in the same case opens
 * the same store again, as a second opener (another process would). -1
 * with ERR set when the URL names no backend of this build.
 */
int contract_open(struct store **out, struct err *err);

/* Moves this case to a new empty store (not opened yet). */
int contract_fresh(void);

/* The store URL of this case. */
const char *contract_url(void);

/* cmocka setup and teardown: a new store in *STATE, then closes and
 * forgets it (removing the temporary folder of the default). */
int contract_setup(void **state);
int contract_teardown(void **state);

/*
 * A transaction on ST that must begin; ends one that must commit. The
 * teardown rolls back those of c_begin that a failed assertion left open
 * (however a case ends one, store_end included, it is forgotten).
 */
struct store_tx *c_begin(struct store *st, bool write);
void c_commit(struct store_tx *tx);
void c_rollback(struct store_tx *tx);

/* Length of a JSON array, and its string item I. */
size_t c_len(const json_t *a);
const char *c_str(const json_t *a, size_t i);
/* Member KEY of object item I of A as a string. */
const char *c_member(const json_t *a, size_t i, const char *key);

/* Creates thing NAME in its own committed transaction. */
void c_thing(struct store *st, const char *name);

/*
 * Creates job ID (IN_PROGRESS, SELECTION "SNAPSHOT" or "CONTINUOUS",
 * created at AT) targeting the ARNs of the JSON array text TARGETS, and
 * queues its executions, in one committed transaction.
 */
void c_job(struct store *st, const char *id, const char *selection,
    const char *targets, int64_t at);
/*
 * Inserts static group NAME under PARENT ("" a root) in TX; its id into
 * ID (room for a group id) unless NULL.
 */
void c_group_put(struct store_tx *tx, const char *name, const char *parent,
    char *id);

/* c_job, queueing its executions only when QUEUE. */
void c_job_insert(struct store *st, const char *id, const char *selection,
    const char *targets, int64_t at, bool queue);

/* Each area's cases; contract.c runs them all. */
#define C_CASE(fn)	cmocka_unit_test_setup_teardown(fn, contract_setup, \
			    contract_teardown)
struct c_area {
	const char *name;
	const struct CMUnitTest *cases;
	size_t n;
};
#define C_AREA(var, label, tests) \
	const struct c_area var = { label, tests, \
	    sizeof(tests) / sizeof((tests)[0]) }

extern const struct c_area c_area_tags, c_area_thing_type,
    c_area_principal, c_area_policy, c_area_cert, c_area_dyngroup;
extern const struct c_area c_area_core, c_area_commit, c_area_thing,
    c_area_exec, c_area_job, c_area_group, c_area_outbox;
extern const struct c_area c_area_jobx, c_area_command, c_area_template,
    c_area_opkey, c_area_audit, c_area_notify, c_area_hooks;
extern const struct c_area c_area_cmd_exec;

#endif
