/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The held answers of the process (see held.h). Static, because the
 * store's commit hook cannot be taken back: the list outlives the front
 * ends that fill it.
 */
#include "api/held.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *held_store;	/* whose commit hook runs held_on_commit */
static struct api_held *held_list;

/*
 * Store commit hook: answers the entries whose batch has an outcome, under
 * the lock, so that api_held_cancel() waits for these calls.
 */
static void
held_on_commit(void *arg)
{
	struct api_held **pp, *h;
	int outcome;

	pthread_mutex_lock(&held_lock);
	pp = &held_list;
	while (arg == held_store && (h = *pp) != NULL) {
		outcome = store_batch_status(held_store, h->batch);
		if (outcome == 0) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		h->fn(h->arg, outcome);
	}
	pthread_mutex_unlock(&held_lock);
}

void
api_held_start(struct store *st)
{
	bool hook;

	pthread_mutex_lock(&held_lock);
	hook = held_store != st;
	held_store = st;
	pthread_mutex_unlock(&held_lock);
	if (hook)
		store_on_commit(st, held_on_commit, st);
}

void
api_held_add(struct api_held *h)
{
	int outcome;

	pthread_mutex_lock(&held_lock);
	outcome = store_batch_status(held_store, h->batch);
	if (outcome == 0) {
		h->next = held_list;
		held_list = h;
	}
	pthread_mutex_unlock(&held_lock);
	/* Committed before it was listed: answer at once. */
	if (outcome != 0)
		h->fn(h->arg, outcome);
}

void
api_held_cancel(const void *front)
{
	struct api_held **pp, *h;

	pthread_mutex_lock(&held_lock);
	pp = &held_list;
	while ((h = *pp) != NULL) {
		if (h->front != front) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		h->fn(h->arg, 0);
	}
	pthread_mutex_unlock(&held_lock);
}
