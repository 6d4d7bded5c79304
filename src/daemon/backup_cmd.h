/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd backup --to FILE` and `iotjobsd restore --from FILE`: the
 * local commands that copy a data folder (its store, online, and the keys
 * beside it) into one file and make a new data folder of such a file.
 */
#ifndef IOTJOBS_BACKUP_CMD_H
#define IOTJOBS_BACKUP_CMD_H

#include <stdbool.h>
#include <stdio.h>

/* True when ARGV names the backup or the restore command (main.c). */
bool backup_cmd_is(int argc, char **argv);

/*
 * Runs `iotjobsd backup ...` or `iotjobsd restore ...` (ARGV[1]). Returns
 * the exit status: 0 done, 1 refused or failed (one line on stderr says
 * why), 2 bad usage.
 */
int backup_cmd_main(int argc, char **argv);

/* The commands' usage lines, for `iotjobsd --help` too. */
void backup_cmd_usage(FILE *f);

#endif
