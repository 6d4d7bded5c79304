/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cron expressions of maintenance windows (schedulingConfig.
 * maintenanceWindows[].startTime), in the six-field form AWS schedules
 * use: "cron(minutes hours day-of-month month day-of-week year)", UTC.
 * Fields take *, single values, ranges a-b, lists a,b and steps (every n: a star, a slash, n) or
 * "a-b/n"; months JAN-DEC, days of week SUN-SAT (1 = SUN); one of
 * day-of-month and day-of-week must be ?. L, W and # are refused.
 */
#ifndef IOTJOBS_CRON_H
#define IOTJOBS_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRON_YEAR_MIN	1970
#define CRON_YEAR_MAX	2199

struct cron {
	uint64_t minutes;	/* bit m: minute m */
	uint32_t hours;		/* bit h */
	uint32_t mdays;		/* bit d: day of month d (1-31) */
	uint16_t months;	/* bit m: month m (1-12) */
	uint8_t wdays;		/* bit w: weekday w (0 = Sunday) */
	bool any_mday;		/* day-of-month was ? */
	bool any_wday;		/* day-of-week was ? */
	uint64_t years[(CRON_YEAR_MAX - CRON_YEAR_MIN) / 64 + 1];
};

/*
 * Parses TEXT into *OUT: 0, or -1 with a reason (for an
 * InvalidRequestException) in WHY.
 */
int cron_parse(const char *text, struct cron *out, char *why,
    size_t why_size);

/*
 * The first minute at or after AFTER (epoch seconds, rounded up to a
 * minute) that C matches, or -1 when none comes within five years.
 */
int64_t cron_next(const struct cron *c, int64_t after);

/* "YYYY-MM-DDTHH:MM" plus a NUL: a StringDateTime iotjobs writes. */
#define CRON_TIME_LEN	17

/*
 * A schedulingConfig time TEXT, "YYYY-MM-DDTHH:MM" in UTC (":SS" and a
 * final "Z" tolerated), into *OUT, epoch seconds; -1 when TEXT is not one.
 */
int cron_time_parse(const char *text, int64_t *out);

/* Epoch seconds T as "YYYY-MM-DDTHH:MM" (UTC) into BUF. */
void cron_time_format(int64_t t, char buf[CRON_TIME_LEN]);

#endif
