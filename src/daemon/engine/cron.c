/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cron expressions of maintenance windows: parser and next occurrence
 * (cron.h). The next occurrence walks days, not minutes: at most five
 * years of days, each tested against month, day and year, then the first
 * matching hour and minute of the day.
 */
#include "engine/cron.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FIELDS		6
#define FIELD_MAX	128
#define DAY		86400
#define SEARCH_DAYS	(5 * 366)

struct field_def {
	const char *name;
	int lo, hi;
	const char *const *names;	/* names of lo, lo + 1, ... */
};

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
	"NOV", "DEC", NULL,
};
static const char *const day_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL,
};

static const struct field_def defs[FIELDS] = {
	{ "minutes", 0, 59, NULL },
	{ "hours", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day-of-week", 1, 7, day_names },
	{ "year", CRON_YEAR_MIN, CRON_YEAR_MAX, NULL },
};

/* One value of field D at *P (number or name); advances *P. */
static int
take_value(const struct field_def *d, const char **p, int *out)
{
	int v = 0, n = 0, i;

	if (d->names != NULL)
		for (i = 0; d->names[i] != NULL; i++)
			if (strncasecmp(*p, d->names[i], 3) == 0) {
				*p += 3;
				*out = d->lo + i;
				return 0;
			}
	while (**p >= '0' && **p <= '9' && n < 5) {
		v = v * 10 + (*(*p)++ - '0');
		n++;
	}
	if (n == 0 || v < d->lo || v > d->hi)
		return -1;
	*out = v;
	return 0;
}

/* One list item of field D ("*", "a", "a-b", each with "/n"). */
static int
parse_item(const struct field_def *d, const char *p, bool *set)
{
	int a = d->lo, b = d->hi, step = 1, v;

	if (*p == '*') {
		p++;
	} else {
		if (take_value(d, &p, &a) == -1)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			if (take_value(d, &p, &b) == -1 || b < a)
				return -1;
		}
	}
	if (*p == '/') {
		const struct field_def steps = { "", 1, d->hi - d->lo + 1,
		    NULL };

		p++;
		if (take_value(&steps, &p, &step) == -1)
			return -1;
		if (b == a)
			b = d->hi;	/* "a/n": from a to the end */
	}
	if (*p != '\0')
		return -1;
	for (v = a; v <= b; v += step)
		set[v - d->lo] = true;
	return 0;
}

/* Field I's text TEXT into SET (indexed from lo). 1 when it was "?". */
static int
parse_field(int i, const char *text, bool *set)
{
	char item[FIELD_MAX];
	const char *p = text;

	if (strcmp(text, "?") == 0 && (i == 2 || i == 4))
		return 1;
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(item))
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (parse_item(&defs[i], item, set) == -1)
			return -1;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -1;
	}
	return 0;
}

static void
store_field(struct cron *c, int i, const bool *set)
{
	int v;

	for (v = defs[i].lo; v <= defs[i].hi; v++) {
		if (!set[v - defs[i].lo])
			continue;
		switch (i) {
		case 0: c->minutes |= 1ULL << v; break;
		case 1: c->hours |= 1U << v; break;
		case 2: c->mdays |= 1U << v; break;
		case 3: c->months |= (uint16_t)(1U << v); break;
		case 4: c->wdays |= (uint8_t)(1U << (v - 1)); break;
		default:
			c->years[(v - CRON_YEAR_MIN) / 64] |=
			    1ULL << ((v - CRON_YEAR_MIN) % 64);
		}
	}
}

/* Splits the inside of "cron(...)" into FIELDS words. */
static int
split(const char *text, char words[FIELDS][FIELD_MAX], char *why,
    size_t why_size)
{
	size_t len = strlen(text), n;
	const char *p;
	int i = 0;

	if (len > 6 && strncmp(text, "cron(", 5) == 0 && text[len - 1] == ')')
		text += 5, len -= 6;
	for (p = text; p < text + len && i <= FIELDS;) {
		while (p < text + len && *p == ' ')
			p++;
		if (p == text + len)
			break;
		n = strcspn(p, " ");
		if (p + n > text + len)
			n = (size_t)(text + len - p);
		if (i == FIELDS || n >= FIELD_MAX) {
			snprintf(why, why_size, "expected %d fields", FIELDS);
			return -1;
		}
		memcpy(words[i], p, n);
		words[i++][n] = '\0';
		p += n;
	}
	if (i != FIELDS) {
		snprintf(why, why_size, "expected %d fields (minutes hours"
		    " day-of-month month day-of-week year), got %d", FIELDS,
		    i);
		return -1;
	}
	return 0;
}

int
cron_parse(const char *text, struct cron *out, char *why, size_t why_size)
{
	char words[FIELDS][FIELD_MAX];
	bool set[CRON_YEAR_MAX - CRON_YEAR_MIN + 1];
	int i, rc;

	memset(out, 0, sizeof(*out));
	if (split(text, words, why, why_size) == -1)
		return -1;
	for (i = 0; i < FIELDS; i++) {
		memset(set, 0, sizeof(set));
		rc = parse_field(i, words[i], set);
		if (rc == -1) {
			snprintf(why, why_size, "invalid %s field '%s'",
			    defs[i].name, words[i]);
			return -1;
		}
		if (rc == 1) {
			if (i == 2)
				out->any_mday = true;
			else
				out->any_wday = true;
			continue;
		}
		store_field(out, i, set);
	}
	if (out->any_mday == out->any_wday) {
		snprintf(why, why_size, "exactly one of day-of-month and"
		    " day-of-week must be '?'");
		return -1;
	}
	return 0;
}

static bool
year_ok(const struct cron *c, int year)
{
	int y = year - CRON_YEAR_MIN;

	if (y < 0 || year > CRON_YEAR_MAX)
		return false;
	return (c->years[y / 64] >> (y % 64)) & 1;
}

static bool
day_ok(const struct cron *c, const struct tm *tm)
{
	if (!year_ok(c, tm->tm_year + 1900) ||
	    !((c->months >> (tm->tm_mon + 1)) & 1))
		return false;
	if (c->any_wday)
		return (c->mdays >> tm->tm_mday) & 1;
	return (c->wdays >> tm->tm_wday) & 1;
}

/* First matching minute of the day, at or after minute FROM of it. */
static int
first_minute(const struct cron *c, int from)
{
	int m;

	for (m = from; m < 24 * 60; m++)
		if (((c->hours >> (m / 60)) & 1) &&
		    ((c->minutes >> (m % 60)) & 1))
			return m;
	return -1;
}

int64_t
cron_next(const struct cron *c, int64_t after)
{
	int64_t t = (after + 59) / 60 * 60;	/* round up to a minute */
	int64_t day = t - t % DAY;
	int from = (int)(t % DAY / 60);
	int i, m;

	for (i = 0; i < SEARCH_DAYS; i++, day += DAY, from = 0) {
		time_t tt = (time_t)day;
		struct tm tm;

		if (gmtime_r(&tt, &tm) == NULL || !day_ok(c, &tm))
			continue;
		m = first_minute(c, from);
		if (m >= 0)
			return day + (int64_t)m * 60;
	}
	return -1;
}

/* --- StringDateTime ------------------------------------------------------- */

/* N decimal digits at *P into *OUT; advances *P. */
static bool
take_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return true;
}

static bool
take_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

int
cron_time_parse(const char *text, int64_t *out)
{
	const char *p = text;
	struct tm tm, back;
	int y, mo, d, h, mi, s = 0;
	time_t t;

	if (!take_digits(&p, 4, &y) || !take_char(&p, '-') ||
	    !take_digits(&p, 2, &mo) || !take_char(&p, '-') ||
	    !take_digits(&p, 2, &d) || !take_char(&p, 'T') ||
	    !take_digits(&p, 2, &h) || !take_char(&p, ':') ||
	    !take_digits(&p, 2, &mi))
		return -1;
	if (take_char(&p, ':') && !take_digits(&p, 2, &s))
		return -1;
	take_char(&p, 'Z');
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    s > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (gmtime_r(&t, &back) == NULL || back.tm_mday != d ||
	    back.tm_mon != mo - 1)
		return -1;	/* February 30 and the like */
	*out = (int64_t)t;
	return 0;
}

void
cron_time_format(int64_t t, char buf[CRON_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, CRON_TIME_LEN, "%04u-%02u-%02uT%02u:%02u",
	    (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
}
