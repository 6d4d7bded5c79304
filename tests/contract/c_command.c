/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands and command executions (store_command.h): round trips, the
 * answers for a missing row, ListCommands and ListCommandExecutions pages
 * both ways (every row once, in order) and their filters, the deadlines
 * (timeouts of live executions, pending deletions) and the command outbox
 * (oldest first, drained up to an id).
 */
#include "contract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_command.h"

#define CM_TARGET	C_THING_ARN "cm-dev"

/* Inserts command ID of namespace NS at AT; PARAM names a mandatory
 * parameter (NULL: none). */
static void
cm_command(struct store_tx *tx, const char *id, const char *ns,
    const char *param, int64_t at)
{
	struct store_command c = { 0 };
	struct err err;

	snprintf(c.command_id, sizeof(c.command_id), "%s", id);
	c.namespace = (char *)ns;
	c.display_name = "shown";
	c.def = param == NULL ? json_pack("{s:s}", "payload", "x") :
	    json_pack("{s:[{s:s}]}", "mandatoryParameters", "name", param);
	c.created_at = at;
	c.last_updated_at = at;
	assert_int_equal(store_command_insert(tx, &c, &err), 0);
	json_decref(c.def);
}

/* Insert, get, update, delete; a missing command answers 0. */
static void
command_round_trip(void **state)
{
	struct store *st = *state;
	struct store_command c = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	cm_command(tx, "rt", "AWS-IoT", "p1", 100);
	c_commit(tx);
	tx = c_begin(st, true);
	assert_int_equal(store_command_get(tx, "rt", &c, &err), 1);
	assert_string_equal(c.command_id, "rt");
	assert_string_equal(c.namespace, "AWS-IoT");
	assert_string_equal(c.display_name, "shown");
	assert_null(c.description);
	assert_true(json_is_array(json_object_get(c.def,
	    "mandatoryParameters")));
	assert_false(c.deprecated);
	assert_int_equal(c.delete_at, 0);
	assert_int_equal(c.created_at, 100);
	assert_int_equal(store_command_get(tx, "rt", NULL, &err), 1);
	assert_int_equal(store_command_get(tx, "nope", NULL, &err), 0);
	assert_int_equal(store_command_insert(tx, &c, &err), -1);

	free(c.display_name);
	c.display_name = NULL;
	c.description = strdup("said");
	c.deprecated = true;
	c.deprecated_at = 150;
	c.delete_at = 900;
	c.last_updated_at = 150;
	assert_int_equal(store_command_update(tx, &c, &err), 0);
	store_command_release(&c);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_command_get(tx, "rt", &c, &err), 1);
	assert_null(c.display_name);
	assert_string_equal(c.description, "said");
	assert_true(c.deprecated);
	assert_int_equal(c.deprecated_at, 150);
	assert_int_equal(c.delete_at, 900);
	assert_int_equal(c.last_updated_at, 150);
	assert_int_equal(c.created_at, 100);
	/* Updating a missing command writes nothing. */
	snprintf(c.command_id, sizeof(c.command_id), "ghost");
	assert_int_equal(store_command_update(tx, &c, &err), 0);
	store_command_release(&c);
	assert_int_equal(store_command_get(tx, "ghost", NULL, &err), 0);
	assert_int_equal(store_command_delete(tx, "rt", &err), 1);
	assert_int_equal(store_command_delete(tx, "rt", &err), 0);
	assert_int_equal(store_command_get(tx, "rt", NULL, &err), 0);
	c_commit(tx);
}

/* Every page of Q (its limit 2) into SEEN, as command ids. */
static void
cm_pages(struct store *st, struct store_command_query *q, json_t *seen)
{
	struct store_command out[2];
	struct err err;
	int64_t next;
	int i, n, pages = 0;

	q->after = 0;
	q->limit = 2;
	do {
		struct store_tx *tx = c_begin(st, false);

		assert_int_equal(store_command_list(tx, q, out, &n, &next,
		    &err), 0);
		c_rollback(tx);
		assert_true(n <= 2);
		for (i = 0; i < n; i++) {
			json_array_append_new(seen,
			    json_string(out[i].command_id));
			store_command_release(&out[i]);
		}
		assert_true(next == 0 || n == 2);
		q->after = next;
		assert_true(++pages < 10);
	} while (next != 0);
}

/* Pages in both orders, each row once; namespace and parameter filters. */
static void
command_list_pages(void **state)
{
	struct store *st = *state;
	struct store_command_query q = { 0 };
	struct store_tx *tx = c_begin(st, true);
	json_t *seen;

	cm_command(tx, "c1", "AWS-IoT", "volume", 1);
	cm_command(tx, "c2", "AWS-IoT-FleetWise", NULL, 2);
	cm_command(tx, "c3", "AWS-IoT", NULL, 3);
	cm_command(tx, "c4", "AWS-IoT", "volume", 4);
	cm_command(tx, "c5", "AWS-IoT", NULL, 5);
	c_commit(tx);

	q.ascending = true;
	seen = json_array();
	cm_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 5);
	assert_string_equal(c_str(seen, 0), "c1");
	assert_string_equal(c_str(seen, 4), "c5");
	json_decref(seen);

	q.ascending = false;
	seen = json_array();
	cm_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 5);
	assert_string_equal(c_str(seen, 0), "c5");
	assert_string_equal(c_str(seen, 1), "c4");
	assert_string_equal(c_str(seen, 4), "c1");
	json_decref(seen);

	q.namespace = "AWS-IoT";
	seen = json_array();
	cm_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 4);
	assert_string_equal(c_str(seen, 3), "c1");
	json_decref(seen);

	q.namespace = NULL;
	q.parameter = "volume";
	q.ascending = true;
	seen = json_array();
	cm_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 2);
	assert_string_equal(c_str(seen, 0), "c1");
	assert_string_equal(c_str(seen, 1), "c4");
	json_decref(seen);
}

/* Inserts execution ID of COMMAND on TARGET, STATUS, timing out at TO. */
static void
cm_exec(struct store_tx *tx, const char *id, const char *command,
    const char *target, const char *status, int64_t started, int64_t to,
    const char *token)
{
	struct store_cmd_exec e = { 0 };
	struct err err;

	snprintf(e.execution_id, sizeof(e.execution_id), "%s", id);
	snprintf(e.command_id, sizeof(e.command_id), "%s", command);
	snprintf(e.namespace, sizeof(e.namespace), "AWS-IoT");
	snprintf(e.target_arn, sizeof(e.target_arn), "%s", target);
	assert_int_equal(cmd_status_parse(status, &e.status), 0);
	e.parameters = json_pack("{s:i}", "volume", 3);
	e.timeout_sec = 10;
	e.client_token = (char *)token;
	e.request = "{\"req\":1}";
	e.created_at = started;
	e.last_updated_at = started;
	e.started_at = started;
	e.timeout_at = to;
	assert_int_equal(store_cmd_exec_insert(tx, &e, &err), 0);
	json_decref(e.parameters);
}

/* Insert, by id and by token, update, delete; missing answers 0. */
static void
cmd_exec_round_trip(void **state)
{
	struct store *st = *state;
	struct store_cmd_exec e = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;

	cm_exec(tx, "x1", "cmd", CM_TARGET, "CREATED", 100, 110, "tok-1");
	cm_exec(tx, "x2", "cmd", CM_TARGET, "CREATED", 101, 111, NULL);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_cmd_exec_get(tx, "x1", &e, &err), 1);
	assert_string_equal(e.command_id, "cmd");
	assert_string_equal(e.target_arn, CM_TARGET);
	assert_string_equal(cmd_status_name(e.status), "CREATED");
	assert_int_equal(json_integer_value(json_object_get(e.parameters,
	    "volume")), 3);
	assert_null(e.result);
	assert_int_equal(e.timeout_sec, 10);
	assert_string_equal(e.client_token, "tok-1");
	assert_string_equal(e.request, "{\"req\":1}");
	assert_int_equal(e.timeout_at, 110);
	assert_int_equal(e.completed_at, 0);
	store_cmd_exec_release(&e);
	assert_int_equal(store_cmd_exec_by_token(tx, "tok-1", &e, &err), 1);
	assert_string_equal(e.execution_id, "x1");
	store_cmd_exec_release(&e);
	assert_int_equal(store_cmd_exec_by_token(tx, "tok-2", NULL, &err), 0);
	assert_int_equal(store_cmd_exec_get(tx, "x9", NULL, &err), 0);

	assert_int_equal(store_cmd_exec_get(tx, "x2", &e, &err), 1);
	assert_null(e.client_token);
	e.status = CMD_SUCCEEDED;
	e.status_reason = json_pack("{s:s}", "reasonCode", "OK");
	e.result = json_pack("{s:{s:s}}", "out", "S", "done");
	e.last_updated_at = 105;
	e.completed_at = 105;
	assert_int_equal(store_cmd_exec_update(tx, &e, &err), 0);
	store_cmd_exec_release(&e);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_cmd_exec_get(tx, "x2", &e, &err), 1);
	assert_string_equal(cmd_status_name(e.status), "SUCCEEDED");
	assert_string_equal(json_string_value(json_object_get(e.status_reason,
	    "reasonCode")), "OK");
	assert_non_null(json_object_get(e.result, "out"));
	assert_int_equal(e.completed_at, 105);
	assert_int_equal(e.last_updated_at, 105);
	assert_int_equal(e.started_at, 101);
	/* An update of a missing execution writes nothing. */
	snprintf(e.execution_id, sizeof(e.execution_id), "ghost");
	assert_int_equal(store_cmd_exec_update(tx, &e, &err), 0);
	store_cmd_exec_release(&e);
	assert_int_equal(store_cmd_exec_get(tx, "ghost", NULL, &err), 0);
	assert_int_equal(store_cmd_exec_delete(tx, "x1", &err), 1);
	assert_int_equal(store_cmd_exec_delete(tx, "x1", &err), 0);
	assert_int_equal(store_cmd_exec_by_token(tx, "tok-1", NULL, &err), 0);
	c_commit(tx);
}

/* Every page of Q (limit 2) into SEEN, as execution ids. */
static void
cx_pages(struct store *st, struct store_cmd_exec_query *q, json_t *seen)
{
	struct store_cmd_exec out[2];
	struct err err;
	int64_t next;
	int i, n, pages = 0;

	q->after = 0;
	q->limit = 2;
	do {
		struct store_tx *tx = c_begin(st, false);

		assert_int_equal(store_cmd_exec_list(tx, q, out, &n, &next,
		    &err), 0);
		c_rollback(tx);
		for (i = 0; i < n; i++) {
			json_array_append_new(seen,
			    json_string(out[i].execution_id));
			store_cmd_exec_release(&out[i]);
		}
		q->after = next;
		assert_true(++pages < 10);
	} while (next != 0);
}

/* Pages both ways; filters by target, status, command and start time. */
static void
cmd_exec_list_pages(void **state)
{
	struct store *st = *state;
	const enum cmd_status created = CMD_CREATED;
	struct store_cmd_exec_query q = { 0 };
	struct store_tx *tx = c_begin(st, true);
	json_t *seen;

	cm_exec(tx, "e1", "ca", CM_TARGET, "CREATED", 10, 100, NULL);
	cm_exec(tx, "e2", "cb", CM_TARGET, "SUCCEEDED", 20, 100, NULL);
	cm_exec(tx, "e3", "ca", C_THING_ARN "other", "CREATED", 30, 100,
	    NULL);
	cm_exec(tx, "e4", "ca", CM_TARGET, "CREATED", 40, 100, NULL);
	cm_exec(tx, "e5", "cb", CM_TARGET, "CREATED", 50, 100, NULL);
	c_commit(tx);

	q.ascending = true;
	seen = json_array();
	cx_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 5);
	assert_string_equal(c_str(seen, 0), "e1");
	assert_string_equal(c_str(seen, 4), "e5");
	json_decref(seen);

	q.ascending = false;
	seen = json_array();
	cx_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 5);
	assert_string_equal(c_str(seen, 0), "e5");
	assert_string_equal(c_str(seen, 4), "e1");
	json_decref(seen);

	q.ascending = true;
	q.target_arn = CM_TARGET;
	q.status = &created;
	seen = json_array();
	cx_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 3);
	assert_string_equal(c_str(seen, 0), "e1");
	assert_string_equal(c_str(seen, 1), "e4");
	assert_string_equal(c_str(seen, 2), "e5");
	json_decref(seen);

	q.status = NULL;
	q.target_arn = NULL;
	q.command_id = "ca";
	q.from = 20;
	q.to = 40;
	seen = json_array();
	cx_pages(st, &q, seen);
	assert_int_equal(c_len(seen), 2);
	assert_string_equal(c_str(seen, 0), "e3");
	assert_string_equal(c_str(seen, 1), "e4");
	json_decref(seen);
}

/* Deadlines: live timeouts and pending deletions, the earliest first. */
static void
command_deadlines(void **state)
{
	struct store *st = *state;
	struct store_cmd_exec due[4];
	struct store_command c = { 0 };
	struct store_tx *tx;
	struct err err;
	int64_t at = -1;
	int i, n = -1;

	tx = c_begin(st, true);
	assert_int_equal(store_command_next_deadline(tx, &at, &err), 0);
	assert_int_equal(at, 0);
	assert_int_equal(store_cmd_exec_due(tx, 1000000, 4, due, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_command_delete_due(tx, 1000000, &n, &err), 0);
	assert_int_equal(n, 0);

	cm_command(tx, "keep", "AWS-IoT", NULL, 1);
	cm_command(tx, "gone", "AWS-IoT", NULL, 1);
	cm_command(tx, "late", "AWS-IoT", NULL, 1);
	cm_exec(tx, "t300", "keep", CM_TARGET, "IN_PROGRESS", 1, 300, NULL);
	cm_exec(tx, "t200", "keep", CM_TARGET, "CREATED", 1, 200, NULL);
	cm_exec(tx, "t100", "keep", CM_TARGET, "SUCCEEDED", 1, 100, NULL);
	cm_exec(tx, "t250", "keep", CM_TARGET, "CREATED", 1, 250, NULL);
	assert_int_equal(store_command_next_deadline(tx, &at, &err), 0);
	assert_int_equal(at, 200);	/* t100 is terminal */

	assert_int_equal(store_command_get(tx, "gone", &c, &err), 1);
	c.delete_at = 150;
	assert_int_equal(store_command_update(tx, &c, &err), 0);
	snprintf(c.command_id, sizeof(c.command_id), "late");
	c.delete_at = 500;
	assert_int_equal(store_command_update(tx, &c, &err), 0);
	store_command_release(&c);
	assert_int_equal(store_command_next_deadline(tx, &at, &err), 0);
	assert_int_equal(at, 150);
	c_commit(tx);

	tx = c_begin(st, true);
	assert_int_equal(store_cmd_exec_due(tx, 260, 4, due, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(due[0].execution_id, "t200");
	assert_string_equal(due[1].execution_id, "t250");
	for (i = 0; i < n; i++)
		store_cmd_exec_release(&due[i]);
	assert_int_equal(store_cmd_exec_due(tx, 1000, 1, due, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(due[0].execution_id, "t200");
	store_cmd_exec_release(&due[0]);

	assert_int_equal(store_command_delete_due(tx, 149, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_command_delete_due(tx, 150, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_command_get(tx, "gone", NULL, &err), 0);
	assert_int_equal(store_command_get(tx, "late", NULL, &err), 1);
	assert_int_equal(store_command_get(tx, "keep", NULL, &err), 1);
	assert_int_equal(store_command_next_deadline(tx, &at, &err), 0);
	assert_int_equal(at, 200);
	c_commit(tx);
}

/* Collects each outbox row as an object into the array ARG. */
static int
cm_collect(const struct store_cmd_msg *m, void *arg, struct err *err)
{
	json_t *seen = arg;
	json_t *row = json_pack("{s:I,s:s,s:s,s:s%,s:I}", "id",
	    (json_int_t)m->id, "kind", m->kind, "topic", m->topic, "payload",
	    (const char *)m->payload, m->len, "exp",
	    (json_int_t)m->expire_at);

	(void)err;
	assert_non_null(row);
	if (m->content_type != NULL)
		json_object_set_new(row, "ct", json_string(m->content_type));
	json_array_append_new(seen, row);
	return 0;
}

static int
cm_stop(const struct store_cmd_msg *m, void *arg, struct err *err)
{
	int *calls = arg;

	(void)m;
	(*calls)++;
	return err_set(err, ERR_INTERNAL_FAILURE, "stop");
}

static json_t *
cm_walk(struct store *st, int limit)
{
	struct store_tx *tx = c_begin(st, false);
	json_t *seen = json_array();
	struct err err;

	assert_int_equal(store_cmd_outbox_walk(tx, limit, cm_collect, seen,
	    &err), 0);
	c_rollback(tx);
	return seen;
}

/* The outbox: oldest first, limited, stopped by FN, drained up to LAST. */
static void
cmd_outbox_order(void **state)
{
	struct store *st = *state;
	struct store_cmd_msg m = { 0 };
	struct store_tx *tx = c_begin(st, true);
	struct err err;
	json_t *seen;
	int64_t second;
	int calls = 0;
	char topic[32];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		m.kind = i == 2 ? "event" : "request";
		m.topic = topic;
		m.payload = "p\0q";	/* binary: the length counts */
		m.len = 3;
		m.content_type = i == 0 ? "application/json" : NULL;
		m.expire_at = i == 1 ? 999 : 0;
		assert_int_equal(store_cmd_outbox_add(tx, &m, &err), 0);
	}
	c_commit(tx);

	seen = cm_walk(st, 10);
	assert_int_equal(c_len(seen), 4);
	for (i = 0; i < 4; i++) {
		snprintf(topic, sizeof(topic), "t/%d", i);
		assert_string_equal(c_member(seen, (size_t)i, "topic"), topic);
		assert_int_equal(json_string_length(json_object_get(
		    json_array_get(seen, (size_t)i), "payload")), 3);
		if (i > 0)
			assert_true(json_integer_value(json_object_get(
			    json_array_get(seen, (size_t)i), "id")) >
			    json_integer_value(json_object_get(
			    json_array_get(seen, (size_t)i - 1), "id")));
	}
	assert_string_equal(c_member(seen, 2, "kind"), "event");
	assert_string_equal(c_member(seen, 0, "ct"), "application/json");
	assert_null(json_object_get(json_array_get(seen, 1), "ct"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    seen, 1), "exp")), 999);
	second = json_integer_value(json_object_get(json_array_get(seen, 1),
	    "id"));
	json_decref(seen);

	seen = cm_walk(st, 2);
	assert_int_equal(c_len(seen), 2);
	assert_string_equal(c_member(seen, 1, "topic"), "t/1");
	json_decref(seen);

	tx = c_begin(st, true);
	assert_int_equal(store_cmd_outbox_walk(tx, 10, cm_stop, &calls, &err),
	    -1);
	assert_int_equal(calls, 1);
	assert_int_equal(store_cmd_outbox_done(tx, second, &err), 0);
	c_commit(tx);
	seen = cm_walk(st, 10);
	assert_int_equal(c_len(seen), 2);
	assert_string_equal(c_member(seen, 0, "topic"), "t/2");
	json_decref(seen);
}

static const struct CMUnitTest tests[] = {
	C_CASE(command_round_trip),
	C_CASE(command_list_pages),
	C_CASE(cmd_exec_round_trip),
	C_CASE(cmd_exec_list_pages),
	C_CASE(command_deadlines),
	C_CASE(cmd_outbox_order),
};

C_AREA(c_area_command, "command", tests);
