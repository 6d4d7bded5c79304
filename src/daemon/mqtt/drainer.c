/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Outbox drainers (mqtt_int.h): a thread that runs its drain function
 * whenever the store commits or someone wakes it, and again after a pause
 * when a run failed. The notifier (notify.c) and the command delivery
 * (command.c) are drainers.
 */
#include <pthread.h>

#include "clock.h"
#include "log.h"
#include "mqtt/mqtt_int.h"
#include "store/store.h"

#define DRAIN_RETRY_MS	1000	/* pause before running a failed drain again */

static void *
drainer_main(void *arg)
{
	struct drainer *dr = arg;
	struct timespec ts;
	struct err err;
	int rc = 0;

	pthread_mutex_lock(&dr->lock);
	while (!dr->stop) {
		if (!dr->wake) {
			if (rc == -1) {
				/* Broker away or store busy: try again. */
				ts = clock_deadline_ms(DRAIN_RETRY_MS);
				pthread_cond_timedwait(&dr->cond, &dr->lock,
				    &ts);
				dr->wake = true;
			} else
				pthread_cond_wait(&dr->cond, &dr->lock);
			continue;
		}
		dr->wake = false;
		pthread_mutex_unlock(&dr->lock);
		err_clear(&err);
		rc = dr->drain(dr->arg, &err);
		if (rc == -1 && err.type != NULL)
			log_warnx("mqtt: %s: %s", dr->name, err.msg);
		pthread_mutex_lock(&dr->lock);
	}
	pthread_mutex_unlock(&dr->lock);
	return NULL;
}

static void
drainer_on_commit(void *arg)
{
	drainer_wake(arg);
}

void
drainer_start(struct drainer *dr, struct store *st)
{
	pthread_mutex_lock(&dr->lock);
	dr->stop = false;
	dr->wake = true;	/* rows left by the previous run */
	pthread_mutex_unlock(&dr->lock);
	if (!dr->hooked) {
		store_on_commit(st, drainer_on_commit, dr);
		dr->hooked = true;
	}
	if (pthread_create(&dr->thread, NULL, drainer_main, dr) != 0)
		fatal("mqtt: pthread_create");
}

void
drainer_wake(struct drainer *dr)
{
	pthread_mutex_lock(&dr->lock);
	dr->wake = true;
	pthread_cond_signal(&dr->cond);
	pthread_mutex_unlock(&dr->lock);
}

void
drainer_stop(struct drainer *dr)
{
	pthread_mutex_lock(&dr->lock);
	dr->stop = true;
	pthread_cond_signal(&dr->cond);
	pthread_mutex_unlock(&dr->lock);
	pthread_join(dr->thread, NULL);
}
