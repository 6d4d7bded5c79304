/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd migrate --from sqlite:PATH --to postgresql://...`: the local
 * command that moves an embedded SQLite store into a new PostgreSQL one,
 * in one go, so that nodes on several hosts can share it.
 */
#ifndef IOTJOBS_MIGRATE_CMD_H
#define IOTJOBS_MIGRATE_CMD_H

#include <stdbool.h>
#include <stdio.h>

/* True when ARGV names the migrate command (main.c). */
bool migrate_cmd_is(int argc, char **argv);

/*
 * Runs `iotjobsd migrate ...`. Returns the exit status: 0 done, 1 refused
 * or failed (one line on stderr says why; the target is unchanged), 2 bad
 * usage.
 */
int migrate_cmd_main(int argc, char **argv);

/* The command's usage lines, for `iotjobsd --help` too. */
void migrate_cmd_usage(FILE *f);

#endif
