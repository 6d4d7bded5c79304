/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr, one line per event, key=value fields. Never log
 * credentials, signatures or job documents.
 *
 * Two formats. text (the default): "PROG: [LEVEL: ]MESSAGE", as the
 * journal and a terminal want it. json: one JSON object per line,
 *   {"time": "2024-05-01T12:00:00.123Z", "level": "info",
 *    "prog": "iotjobsd", "msg": "request", "id": "...", "op": "...", ...}
 * where the message's trailing key=value words become string members of
 * their own (the words before them stay in "msg"), and the strerror()
 * text of log_warn and fatal is "cause". Lines below the level set are
 * dropped; fatal lines never are.
 */
#ifndef IOTJOBS_LOG_H
#define IOTJOBS_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING,
    LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* PROGNAME prefixes every line; VERBOSITY > 0 is the debug level. */
void log_init(const char *progname, int verbosity);

/* Sets the format and the level (before any thread logs). */
void log_configure(enum log_format format, enum log_level level);

/* "debug", "info", "warning", "error" -> *OUT; -1 for anything else. */
int log_level_parse(const char *name, enum log_level *out);

/* "text", "json" -> *OUT; -1 for anything else. */
int log_format_parse(const char *name, enum log_format *out);

/* True when a line of LEVEL would be written. */
bool log_is_enabled(enum log_level level);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
