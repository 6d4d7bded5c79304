/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The statements of the device path, by name: the data plane of IoT Jobs
 * (HTTP and MQTT), the authorization reads behind it and the writes its
 * commits make (counters, outbox rows, rollout releases, timeouts). Each
 * sqlite_*.c file lists its own beside them; sqlite_plan.c joins the
 * lists. tests/unit/test_sqlite_plan.c plans every one on a migrated store
 * and fails when one scans a table it does not declare.
 */
#ifndef IOTJOBS_SQLITE_PLAN_H
#define IOTJOBS_SQLITE_PLAN_H

/*
 * One statement: its name, its text, and SCANS, the tables (or CTEs) its
 * plan may SCAN, space-separated ("" none); the list's comment says why
 * each such scan is bounded.
 */
struct sq_plan_stmt {
	const char *name;
	const char *sql;
	const char *scans;
};

/* A row of a list: the statement SQL (a variable) and its SCANS. */
#define SQ_PLAN(sql, scans)	{ #sql, sql, scans }

/* Each list ends with a row whose name is NULL. */
extern const struct sq_plan_stmt sq_plan_audit[];
extern const struct sq_plan_stmt sq_plan_broker[];
extern const struct sq_plan_stmt sq_plan_command[];
extern const struct sq_plan_stmt sq_plan_exec[];
extern const struct sq_plan_stmt sq_plan_group[];
extern const struct sq_plan_stmt sq_plan_identity[];
extern const struct sq_plan_stmt sq_plan_job[];
extern const struct sq_plan_stmt sq_plan_opkey[];
extern const struct sq_plan_stmt sq_plan_outbox[];

/* Every list above with the file it comes from; ends with a NULL file. */
struct sq_plan_list {
	const char *file;
	const struct sq_plan_stmt *stmts;
};
extern const struct sq_plan_list sq_plan_lists[];

#endif
