/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the store's commands (iotjobsd backup, restore, migrate) share:
 * their options, their usage errors and the check that keeps root from
 * making files that another user's service must own.
 */
#ifndef IOTJOBS_STORE_CMD_H
#define IOTJOBS_STORE_CMD_H

#include <stdio.h>

struct store_cmd_opts {
	const char *to, *from, *data_dir, *config;
};

/* A command's usage text, written to a stream. */
typedef void store_cmd_usage_fn(FILE *f);

/* "iotjobsd VERB: MESSAGE" and USAGE on stderr; returns 2 (exit code). */
int store_cmd_usage_error(const char *verb, store_cmd_usage_fn *usage,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parses --to, --from, --data-dir, --config and --help of ARGV (the
 * arguments after the verb; --help prints USAGE and exits 0); --config
 * becomes IOTJOBS_CONFIG. 0, or 2 with the error told.
 */
int store_cmd_opts_parse(const char *verb, store_cmd_usage_fn *usage,
    int argc, char **argv, struct store_cmd_opts *o);

/*
 * As root, refuses (-1, told) to make files at PATH, which another user
 * owns: they must stay that user's (run the command as that user). 0 when
 * PATH is root's, missing, or the caller is not root.
 */
int store_cmd_owner_check(const char *verb, const char *path);

#endif
