/* SPDX-License-Identifier: Apache-2.0 */
/* Line-oriented logging to stderr: see log.h. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_progname = "iotjobs";
static int log_verbosity;

void
log_init(const char *progname, int verbosity)
{
	log_progname = progname;
	log_verbosity = verbosity;
}

static void __attribute__((format(printf, 3, 0)))
log_vline(const char *level, int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", log_progname, level);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One fprintf per line: stdio locks the stream, lines never mix. */
	if (errnum != 0)
		fprintf(stderr, "%s: %s\n", line, strerror(errnum));
	else
		fprintf(stderr, "%s\n", line);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("", 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vline("debug: ", 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_vline("warning: ", e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("warning: ", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_vline("fatal: ", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
