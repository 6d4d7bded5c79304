/* SPDX-License-Identifier: Apache-2.0 */
/* The jobs' clock: see clock.h. */
#include "clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t clock_offset_s;
/* Nonzero: the test clock, stopped at this real time plus the offset. */
static _Atomic int64_t clock_frozen_at;

int64_t
clock_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

struct timespec
clock_deadline_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int64_t
clock_now(void)
{
	int64_t base = atomic_load(&clock_frozen_at);

	return (base != 0 ? base : clock_real()) + atomic_load(&clock_offset_s);
}

void
clock_freeze(void)
{
	clock_freeze_at(clock_real());
}

void
clock_freeze_at(int64_t real)
{
	atomic_store(&clock_frozen_at, real > 0 ? real : 1);
}

bool
clock_is_frozen(void)
{
	return atomic_load(&clock_frozen_at) != 0;
}

void
clock_advance(int64_t seconds)
{
	atomic_fetch_add(&clock_offset_s, seconds);
}

int64_t
clock_offset(void)
{
	return atomic_load(&clock_offset_s);
}

void
clock_set_offset(int64_t seconds)
{
	atomic_store(&clock_offset_s, seconds);
}

void
clock_raise_offset(int64_t seconds)
{
	int64_t cur = atomic_load(&clock_offset_s);

	while (seconds > cur &&
	    !atomic_compare_exchange_weak(&clock_offset_s, &cur, seconds))
		;
}
