/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler's deadline logic: cron expressions of maintenance windows
 * (parse, next occurrence), schedulingConfig times, and the stored
 * deadlines the scheduler sleeps on (engine_next_deadline, engine_run_due)
 * on a real store in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/cron.h"
#include "engine/engine.h"
#include "store/store.h"
#include "store/store_job.h"

#define T0	1767225600	/* 2026-01-01T00:00Z, a Thursday */

static void
cron_parse_accepts_and_refuses(void **state)
{
	static const struct { const char *text; int ok; } cases[] = {
		{ "cron(0 10 * * ? *)", 1 },
		{ "0 10 * * ? *", 1 },
		{ "cron(0/15 8-17 ? * MON-FRI *)", 1 },
		{ "cron(30 2 1,15 JAN,JUL ? 2026-2030)", 1 },
		{ "cron(0 10 * * * *)", 0 },	/* neither day field ? */
		{ "cron(0 10 ? * ? *)", 0 },	/* both ? */
		{ "cron(60 10 * * ? *)", 0 },
		{ "cron(0 24 * * ? *)", 0 },
		{ "cron(0 10 L * ? *)", 0 },
		{ "cron(0 10 ? * 2#1 *)", 0 },
		{ "cron(0 10 * * ?)", 0 },
		{ "cron(0 10 * * ? * *)", 0 },
		{ "cron(0 10 5-1 * ? *)", 0 },
		{ "cron(0 10 1, * ? *)", 0 },
		{ "", 0 },
	};
	struct cron c;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cron_parse(cases[i].text, &c, why, sizeof(why));

		if ((rc == 0) != cases[i].ok)
			fail_msg("cron_parse(\"%s\") = %d, want %s (%s)",
			    cases[i].text, rc, cases[i].ok ? "ok" : "error",
			    why);
	}
}

static void
cron_next_finds_occurrences(void **state)
{
	static const struct {
		const char *text;
		int64_t after, want;
	} cases[] = {
		/* daily 10:00: same day, then the next day */
		{ "cron(0 10 * * ? *)", T0, T0 + 10 * 3600 },
		{ "cron(0 10 * * ? *)", T0 + 10 * 3600, T0 + 10 * 3600 },
		{ "cron(0 10 * * ? *)", T0 + 10 * 3600 + 1, T0 + 34 * 3600 },
		/* Monday (2) 00:00 after Thursday 2026-01-01: 2026-01-05 */
		{ "cron(0 0 ? * MON *)", T0, T0 + 4 * 86400 },
		{ "cron(0 0 ? * 2 *)", T0, T0 + 4 * 86400 },
		/* every 15 minutes from 00:07 */
		{ "cron(0/15 * * * ? *)", T0 + 7 * 60, T0 + 15 * 60 },
		/* the 1st of March only */
		{ "cron(0 0 1 3 ? *)", T0, 1772323200 },
		/* a past year never comes */
		{ "cron(0 0 * * ? 2020)", T0, -1 },
	};
	struct cron c;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got;

		assert_int_equal(cron_parse(cases[i].text, &c, why,
		    sizeof(why)), 0);
		got = cron_next(&c, cases[i].after);
		if (got != cases[i].want)
			fail_msg("cron_next(\"%s\", %lld) = %lld, want %lld",
			    cases[i].text, (long long)cases[i].after,
			    (long long)got, (long long)cases[i].want);
	}
}

static void
time_parse_and_format(void **state)
{
	char buf[CRON_TIME_LEN];
	int64_t t;

	(void)state;
	assert_int_equal(cron_time_parse("2026-01-01T00:00", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(cron_time_parse("2026-01-01T00:00:30Z", &t), 0);
	assert_int_equal(t, T0 + 30);
	assert_int_equal(cron_time_parse("2026-02-30T00:00", &t), -1);
	assert_int_equal(cron_time_parse("2026-01-01 00:00", &t), -1);
	cron_time_format(T0 + 90 * 60, buf);
	assert_string_equal(buf, "2026-01-01T01:30");
}

/* --- stored deadlines ------------------------------------------------ */

static char dir[] = "/tmp/iotjobs-test-sched-XXXXXX";
static const char prefix[] = "arn:aws:iot:us-east-1:123456789012:";

static void
job_add(struct store *st, const char *id, const char *config)
{
	struct store_job job;
	struct store_tx *tx;
	struct err err;

	err_clear(&err);
	memset(&job, 0, sizeof(job));
	snprintf(job.job_id, sizeof(job.job_id), "%s", id);
	job.status = JOB_SCHEDULED;
	snprintf(job.target_selection, sizeof(job.target_selection),
	    "SNAPSHOT");
	job.config = json_loads(config, 0, NULL);
	job.targets = json_array();
	job.created_at = T0;
	job.last_updated_at = T0;
	assert_int_equal(store_begin(st, true, &tx, &err), 0);
	assert_int_equal(store_job_insert(tx, &job, &err), 0);
	assert_int_equal(engine_job_created(tx, id, prefix, T0, &err), 0);
	assert_int_equal(store_end(tx, true, &err), 0);
	store_job_release(&job);
}

static const char *
job_status(struct store *st, const char *id, char buf[32])
{
	struct store_job job;
	struct store_tx *tx;
	struct err err;

	err_clear(&err);
	assert_int_equal(store_begin(st, false, &tx, &err), 0);
	assert_int_equal(store_job_get(tx, id, &job, &err), 1);
	snprintf(buf, 32, "%s", job_status_name(job.status));
	store_job_release(&job);
	store_end(tx, false, NULL);
	return buf;
}

static void
deadlines_run_in_order_once(void **state)
{
	struct store *st;
	struct err err;
	char buf[32];
	int64_t next;
	int done;

	(void)state;
	err_clear(&err);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, &st, &err), 0);
	assert_int_equal(engine_next_deadline(st, &next, &err), 0);
	assert_int_equal(next, 0);
	job_add(st, "late", "{\"schedulingConfig\":"
	    "{\"startTime\":\"2026-01-01T02:00\"}}");
	job_add(st, "early", "{\"schedulingConfig\":"
	    "{\"startTime\":\"2026-01-01T01:00\"}}");
	assert_int_equal(engine_next_deadline(st, &next, &err), 0);
	assert_int_equal(next, T0 + 3600);
	/* Not due yet: nothing runs. */
	assert_int_equal(engine_run_due(st, prefix, T0 + 3599, &done, &err),
	    0);
	assert_int_equal(done, 0);
	assert_int_equal(engine_run_due(st, prefix, T0 + 3600, &done, &err),
	    0);
	assert_int_equal(done, 1);
	/* No target: the started SNAPSHOT job completes at once. */
	assert_string_equal(job_status(st, "early", buf), "COMPLETED");
	assert_string_equal(job_status(st, "late", buf), "SCHEDULED");
	assert_int_equal(engine_next_deadline(st, &next, &err), 0);
	assert_int_equal(next, T0 + 7200);
	/* The same deadline does not run twice. */
	assert_int_equal(engine_run_due(st, prefix, T0 + 7200, &done, &err),
	    0);
	assert_int_equal(done, 1);
	assert_int_equal(engine_run_due(st, prefix, T0 + 7200, &done, &err),
	    0);
	assert_int_equal(done, 0);
	assert_int_equal(engine_next_deadline(st, &next, &err), 0);
	assert_int_equal(next, 0);
	store_close(st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cron_parse_accepts_and_refuses),
		cmocka_unit_test(cron_next_finds_occurrences),
		cmocka_unit_test(time_parse_and_format),
		cmocka_unit_test(deadlines_run_in_order_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
