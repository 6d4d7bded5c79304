/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: maintenance window schedules (engine/cron.c), as a
 * CreateJob or UpdateJob body carries them: the cron expression, the next
 * start it yields, and the startTime/endTime text. A next start is never
 * before the time asked about, and a time that parses formats back to a
 * time that parses to the same minute.
 */
#include "fuzz.h"

#include "engine/cron.h"

/* 2026-01-01T00:00Z, and 2199-07-01T00:00Z in the last year allowed. */
#define CRON_FUZZ_T0	INT64_C(1767225600)
#define CRON_FUZZ_T1	INT64_C(7242220800)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char why[256], buf[CRON_TIME_LEN];
	struct cron c;
	int64_t t, back, next;

	if (cron_parse(text, &c, why, sizeof(why)) == 0) {
		next = cron_next(&c, CRON_FUZZ_T0);
		if (next != -1 && (next < CRON_FUZZ_T0 || next % 60 != 0))
			abort();
		if (next != -1 && cron_next(&c, next) != next)
			abort();
		next = cron_next(&c, CRON_FUZZ_T1);
		if (next != -1 && next < CRON_FUZZ_T1)
			abort();
	}
	if (cron_time_parse(text, &t) == 0) {
		cron_time_format(t, buf);
		/* The text is to the minute: seconds dropped, rounded down. */
		if (cron_time_parse(buf, &back) == -1 ||
		    back != t - (t % 60 + 60) % 60)
			abort();
	}
	free(text);
	return 0;
}
