/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging to stderr, one line per event, key=value fields. Never log
 * credentials, signatures or job documents.
 */
#ifndef IOTJOBS_LOG_H
#define IOTJOBS_LOG_H

void log_init(const char *progname, int verbosity);
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
