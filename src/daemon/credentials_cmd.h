/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd credentials create|list|revoke`: the local command that manages
 * operator keys (auth/opkey.h) in a data folder, beside a running daemon
 * or without one.
 */
#ifndef IOTJOBS_CREDENTIALS_CMD_H
#define IOTJOBS_CREDENTIALS_CMD_H

#include <stdbool.h>
#include <stdio.h>

/* True when ARGV names the credentials command (main.c's hook). */
bool credentials_cmd_is(int argc, char **argv);

/*
 * Runs `iotjobsd credentials ...` (ARGV[1] is "credentials"). Returns the
 * process exit status: 0 done, 1 refused or failed (one line on stderr
 * says why), 2 bad usage.
 */
int credentials_cmd_main(int argc, char **argv);

/* The command's usage lines, for `iotjobsd --help` too. */
void credentials_cmd_usage(FILE *f);

#endif
