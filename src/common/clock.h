/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The jobs' clock. Timestamps in responses, timers and schedules read
 * clock_now(); SigV4's clock-skew check reads the real clock (clock_real),
 * so a test clock ahead of real time never locks clients out.
 */
#ifndef IOTJOBS_CLOCK_H
#define IOTJOBS_CLOCK_H

#include <stdint.h>

/* Epoch seconds on the jobs' clock (real time plus any test offset). */
int64_t clock_now(void);

/* Epoch seconds on the system clock. */
int64_t clock_real(void);

/* Moves the jobs' clock forward by SECONDS (test clock only). */
void clock_advance(int64_t seconds);

/* The test clock's offset from the system clock, in seconds. */
int64_t clock_offset(void);

/* Sets that offset (restoring a stored test clock; moving it forward). */
void clock_set_offset(int64_t seconds);

#endif
