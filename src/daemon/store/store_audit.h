/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log's store (migration 0021): a hash-chained record of every
 * control-plane write, kept in the same transaction as the write. The
 * HTTP pipeline (http/dispatch.c) sets this thread's audit context before
 * it runs a write handler; the first write transaction the handler
 * commits then appends the record before its RELEASE (sqlite.c's
 * store_end), so the change and its record commit together or not at
 * all, without any handler knowing. What left no committed write (a
 * failed write, a refusal, a no-op) is appended by store_audit_append in
 * a transaction of its own. The predecessor's hash is read inside the
 * write transaction, which SQLite serializes across every process
 * sharing the file, so the chain stays one chain.
 */
#ifndef IOTJOBS_STORE_AUDIT_H
#define IOTJOBS_STORE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit_hash.h"
#include "err.h"
#include "store.h"

/* A record to write; the strings are borrowed. */
struct store_audit_ctx {
	int64_t at;
	const char *principal;
	const char *operation;
	const char *target;
	const char *thing;
	const char *job;
	const char *peer;
	const char *request_id;
	const char *detail;
	bool written;		/* out: a committed transaction holds it */
};

/*
 * Until store_audit_clear(), the first write transaction this thread
 * commits appends A with result "OK" (A must outlive that).
 */
void store_audit_set(struct store_audit_ctx *a);
void store_audit_clear(void);

/* Appends A with RESULT in a write transaction of its own. */
int store_audit_append(struct store *st, const struct store_audit_ctx *a,
    const char *result, struct err *err);

/* Appends A with RESULT inside the write transaction TX. */
int store_audit_append_tx(struct store_tx *tx,
    const struct store_audit_ctx *a, const char *result, struct err *err);

/* One stored record (strings owned; store_audit_rec_release). */
struct store_audit_rec {
	int64_t seq, at;
	char *principal, *operation, *target, *thing, *job, *peer;
	char *request_id, *result, *detail;
	char prev_hash[AUDIT_HASH_LEN + 1];
	char hash[AUDIT_HASH_LEN + 1];
};

void store_audit_rec_release(struct store_audit_rec *r);

/* Filters of store_audit_list; NULL or 0 members do not filter. */
struct store_audit_filter {
	int64_t since;		/* at >= since */
	const char *thing;
	const char *job;
	int64_t after;		/* seq > after */
};

/*
 * Calls FN(ARG, R) for the records matching F in seq order, at most
 * LIMIT; FN returning -1 stops.
 */
int store_audit_list(struct store_tx *tx, const struct store_audit_filter *f,
    int limit, int (*fn)(void *, const struct store_audit_rec *), void *arg,
    struct err *err);

/* The newest record's seq and hash (0 and the genesis hash: none). */
int store_audit_head(struct store_tx *tx, int64_t *seq,
    char hash[AUDIT_HASH_LEN + 1], struct err *err);

/*
 * The newest record of operation OP with result OK about JOB (and THING
 * when not NULL) into *OUT: 1 (release it), 0 none, -1.
 */
int store_audit_last(struct store_tx *tx, const char *op, const char *job,
    const char *thing, struct store_audit_rec *out, struct err *err);

#endif
