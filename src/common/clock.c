/* SPDX-License-Identifier: Apache-2.0 */
/* The jobs' clock: see clock.h. */
#include "clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t clock_offset_s;

int64_t
clock_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t
clock_now(void)
{
	return clock_real() + atomic_load(&clock_offset_s);
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
