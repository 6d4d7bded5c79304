/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scheduler thread and the test clock's advance (sched.h). run_mu
 * serializes the two runners of due work (the thread, sched_advance), so
 * deadlines run in order and once; mu and cond carry the pokes.
 */
#include "engine/sched.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "engine/command_timeout.h"
#include "engine/engine.h"
#include "log.h"
#include "store/store_job.h"

#define RETRY_SECONDS	1	/* after a failed run (busy store) */
/*
 * Pokes that come closer together than this share one look at the
 * deadlines: under device traffic every start-next and update pokes, and
 * a look costs two read transactions. Deadlines are whole seconds.
 */
#define SETTLE_MS	20

static struct {
	struct store *st;
	char arn_prefix[ENGINE_ARN_PREFIX_MAX];
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	pthread_mutex_t run_mu;
	bool started, stop, poked;
	bool test_clock;
} sched = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.run_mu = PTHREAD_MUTEX_INITIALIZER,
};

/* The earliest deadline of the job engine and of commands (0: none). */
static int
due_next(int64_t *at, struct err *err)
{
	int64_t cmd;

	if (engine_next_deadline(sched.st, at, err) == -1 ||
	    command_timeout_next(sched.st, &cmd, err) == -1)
		return -1;
	if (cmd != 0 && (*at == 0 || cmd < *at))
		*at = cmd;
	return 0;
}

/* One batch of the job engine's and the commands' work due at NOW. */
static int
due_run(int64_t now, int *done, struct err *err)
{
	int cmd;

	if (engine_run_due(sched.st, sched.arn_prefix, now, done, err) == -1 ||
	    command_timeout_run(sched.st, sched.arn_prefix, now, &cmd,
	    err) == -1)
		return -1;
	*done += cmd;
	return 0;
}

/* Runs all work due at NOW; run_mu held. The number handled, or -1. */
static int
run_due(int64_t now, struct err *err)
{
	int done, total = 0;

	do {
		if (due_run(now, &done, err) == -1)
			return -1;
		total += done;
	} while (done > 0);
	return total;
}

int
sched_run_now(struct err *err)
{
	int rc;

	pthread_mutex_lock(&sched.run_mu);
	rc = run_due(clock_now(), err);
	pthread_mutex_unlock(&sched.run_mu);
	return rc == -1 ? -1 : 0;
}

/* Sleeps until the jobs' clock reads AT (0: until poked); mu held. */
static void
sleep_until(int64_t at)
{
	struct timespec ts;

	if (sched.poked || sched.stop)
		return;
	if (at == 0 || clock_is_frozen()) {
		/* A stopped clock reaches a deadline only by a poke. */
		pthread_cond_wait(&sched.cond, &sched.mu);
		return;
	}
	/* Real time of the deadline: the offset moves only with a poke. */
	ts.tv_sec = (time_t)(at - clock_offset());
	ts.tv_nsec = 0;
	pthread_cond_timedwait(&sched.cond, &sched.mu, &ts);
}

/*
 * Waits, mu released, until SETTLE_MS after LAST (CLOCK_MONOTONIC) when a
 * poke came sooner; then sets LAST to now. A stop waits as long.
 */
static void
settle(struct timespec *last)
{
	struct timespec until = *last;

	until.tv_nsec += SETTLE_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_unlock(&sched.mu);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
	    NULL) == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, last);
	pthread_mutex_lock(&sched.mu);
}

static void *
sched_main(void *arg)
{
	struct timespec last;
	struct err err;
	int64_t next;
	int ran;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &last);
	pthread_mutex_lock(&sched.mu);
	while (!sched.stop) {
		if (sched.poked)
			settle(&last);
		sched.poked = false;
		pthread_mutex_unlock(&sched.mu);
		err_clear(&err);
		sched_clock_sync();
		pthread_mutex_lock(&sched.run_mu);
		ran = 0;
		if (due_next(&next, &err) == 0 &&
		    next != 0 && next <= clock_now())
			ran = run_due(clock_now(), &err);
		pthread_mutex_unlock(&sched.run_mu);
		if (ran > 0)
			next = -1;	/* ran: read the next deadline again */
		if (err.type != NULL || ran == 0) {
			if (err.type != NULL)
				log_warnx("scheduler: %s", err.msg);
			if (next != 0 && next <= clock_now())
				next = clock_now() + RETRY_SECONDS;
		}
		pthread_mutex_lock(&sched.mu);
		if (next != -1)
			sleep_until(next);
	}
	pthread_mutex_unlock(&sched.mu);
	return NULL;
}

/* The store's test clock offset into *V. */
static int
offset_read(int64_t *v, struct err *err)
{
	struct store_tx *tx;
	int rc;

	*v = 0;
	if (store_begin(sched.st, false, &tx, err) == -1)
		return -1;
	rc = store_engine_get(tx, SCHED_OFFSET_KEY, v, err);
	store_end(tx, false, NULL);
	return rc == -1 ? -1 : 0;
}

void
sched_clock_sync(void)
{
	struct err err;
	int64_t v;

	if (!sched.test_clock)
		return;
	err_clear(&err);
	if (offset_read(&v, &err) == -1)
		log_warnx("scheduler: the test clock: %s", err.msg);
	else
		clock_raise_offset(v);
}

/*
 * The test clock's base: the real time the first node on the store froze
 * it at, stored by that node; every later one freezes at the same time.
 */
static int
base_load(struct err *err)
{
	struct store_tx *tx;
	int64_t base = 0;
	int rc;

	if (store_begin(sched.st, true, &tx, err) == -1)
		return -1;
	rc = store_engine_get(tx, SCHED_BASE_KEY, &base, err);
	if (rc == 0) {
		base = clock_real();
		rc = store_engine_put(tx, SCHED_BASE_KEY, base, err);
	}
	if (store_end(tx, rc != -1, err) == -1 || rc == -1)
		return -1;
	clock_freeze_at(base);
	return 0;
}

static int
offset_store(int64_t v, struct err *err)
{
	struct store_tx *tx;
	int rc;

	if (store_begin(sched.st, true, &tx, err) == -1)
		return -1;
	rc = store_engine_put(tx, SCHED_OFFSET_KEY, v, err);
	if (store_end(tx, rc == 0, err) == -1)
		rc = -1;
	return rc;
}

int
sched_init(struct store *st, const char *arn_prefix, bool test_clock,
    struct err *err)
{
	sched.st = st;
	snprintf(sched.arn_prefix, sizeof(sched.arn_prefix), "%s",
	    arn_prefix);
	sched.test_clock = test_clock;
	if (test_clock) {
		int64_t v;

		if (base_load(err) == -1 || offset_read(&v, err) == -1)
			return -1;
		clock_set_offset(v);
	}
	return 0;
}

int
sched_start(struct err *err)
{
	sched.stop = false;
	if (pthread_create(&sched.thread, NULL, sched_main, NULL) != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot start the"
		    " scheduler thread");
	sched.started = true;
	return 0;
}

void
sched_stop(void)
{
	if (!sched.started)
		return;
	pthread_mutex_lock(&sched.mu);
	sched.stop = true;
	pthread_cond_signal(&sched.cond);
	pthread_mutex_unlock(&sched.mu);
	pthread_join(sched.thread, NULL);
	sched.started = false;
}

void
sched_poke(void)
{
	if (!sched.started)
		return;
	pthread_mutex_lock(&sched.mu);
	sched.poked = true;
	pthread_cond_signal(&sched.cond);
	pthread_mutex_unlock(&sched.mu);
}

/* Moves the jobs' clock forward to AT (never back). */
static void
clock_to(int64_t at)
{
	int64_t now = clock_now();

	if (at > now)
		clock_advance(at - now);
}

int
sched_advance(int64_t seconds, int64_t *now, struct err *err)
{
	int64_t target, next;
	int rc = -1, done;

	sched_clock_sync();
	pthread_mutex_lock(&sched.run_mu);
	target = clock_now() + seconds;
	for (;;) {
		if (due_next(&next, err) == -1)
			goto out;
		if (next == 0 || next > target)
			break;
		clock_to(next);
		if (due_run(clock_now(), &done, err) == -1)
			goto out;
		if (done == 0)
			break;	/* a deadline nothing answers: never loop */
	}
	clock_to(target);
	if (offset_store(clock_offset(), err) == -1)
		goto out;
	*now = clock_now();
	rc = 0;
out:
	pthread_mutex_unlock(&sched.run_mu);
	sched_poke();
	return rc;
}
