/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler: one thread that sleeps on a condition variable until the
 * earliest stored deadline (engine_next_deadline: two index lookups), runs
 * what fell due (engine_run_due, in write transactions), and sleeps again.
 * Nothing polls: a request that may arm an earlier deadline pokes it after
 * its commit. With the test clock, sched_advance moves the jobs' clock and
 * runs everything due on the way, in deadline order, before it returns.
 */
#ifndef IOTJOBS_SCHED_H
#define IOTJOBS_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "store/store.h"

/*
 * engine_state keys of the test clock: its offset (seconds), and the real
 * time it was frozen at by the first node to start on the store, so that
 * every node of one store reads the same clock.
 */
#define SCHED_OFFSET_KEY	"clock_offset"
#define SCHED_BASE_KEY		"clock_base"

/*
 * Sets the scheduler up on ST for the deployment ARN_PREFIX ("arn:aws:iot:
 * REGION:ACCOUNT:"). With TEST_CLOCK the test clock is frozen at the
 * store's base time (set by the first node) and its stored offset
 * restored. Every node does this; only the leader then runs
 * sched_start() (store_lead_try).
 */
int sched_init(struct store *st, const char *arn_prefix, bool test_clock,
    struct err *err);

/* Starts the scheduler thread. */
int sched_start(struct err *err);

/* Stops and joins the thread (no-op when not started). */
void sched_stop(void);

/* A deadline may have moved earlier: re-read the next one. */
void sched_poke(void);

/*
 * Test clock: moves the jobs' clock SECONDS (>= 0) forward, running every
 * deadline reached on the way at its own time, stores the new offset, and
 * sets *NOW to the new time. -1 with ERR when the store fails.
 */
int sched_advance(int64_t seconds, int64_t *now, struct err *err);

/*
 * Test clock: catches this node's clock up with the store's, which another
 * node may have moved (a no-op without the test clock). The front ends
 * call it before they read the clock for a request.
 */
void sched_clock_sync(void);

/* Runs everything due at the current time (used at start and by tests). */
int sched_run_now(struct err *err);

#endif
