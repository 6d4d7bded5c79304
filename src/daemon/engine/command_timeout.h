/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The deadlines of commands, run by the scheduler (sched.c) beside the
 * job engine's: a command execution not terminal at its timeout becomes
 * TIMED_OUT ($NO_RESPONSE_FROM_DEVICE), and a DeleteCommand that answered
 * 202 completes.
 */
#ifndef IOTJOBS_COMMAND_TIMEOUT_H
#define IOTJOBS_COMMAND_TIMEOUT_H

#include <stdint.h>

#include "err.h"
#include "store/store.h"

/* The earliest command deadline into *AT (0: none). */
int command_timeout_next(struct store *st, int64_t *at, struct err *err);

/*
 * Runs the command deadlines due at NOW (one write transaction, at most a
 * batch); *DONE tells how many were handled. ARN_PREFIX is
 * "arn:aws:iot:REGION:ACCOUNT:".
 */
int command_timeout_run(struct store *st, const char *arn_prefix,
    int64_t now, int *done, struct err *err);

#endif
