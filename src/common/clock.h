/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The jobs' clock. Timestamps in responses, timers and schedules read
 * clock_now(); SigV4's clock-skew check reads the real clock (clock_real),
 * so a test clock ahead of real time never locks clients out.
 */
#ifndef IOTJOBS_CLOCK_H
#define IOTJOBS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * Epoch seconds on the jobs' clock: real time plus the test offset, or,
 * once frozen, the real time of clock_freeze() plus the offset.
 */
int64_t clock_now(void);

/* Epoch seconds on the system clock. */
int64_t clock_real(void);

/* The CLOCK_REALTIME instant MS milliseconds from now, for timed waits. */
struct timespec clock_deadline_ms(long ms);

/* Moves the jobs' clock forward by SECONDS (test clock only). */
void clock_advance(int64_t seconds);

/*
 * Stops the jobs' clock where it is (the test clock): from then on it
 * moves only by clock_advance()/clock_set_offset(), so a test sees the same
 * time however long its requests take.
 */
void clock_freeze(void);
bool clock_is_frozen(void);
/* clock_freeze() at the real time REAL (epoch seconds), not now. */
void clock_freeze_at(int64_t real);

/* The test clock's offset from the system clock, in seconds. */
int64_t clock_offset(void);

/* Sets that offset (restoring a stored test clock; moving it forward). */

/* Moves the offset up to SECONDS, never down (another node moved it). */
void clock_raise_offset(int64_t seconds);
void clock_set_offset(int64_t seconds);

#endif
