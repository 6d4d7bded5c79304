/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection guard: what keeps clients without a credential from
 * starving the HTTP listeners. libmicrohttpd resets its inactivity timer
 * on every byte and has no deadline for a request head, so the guard
 * tracks every connection of both listeners itself and closes the ones
 * that are too slow (a head not complete in time, a body below a minimum
 * rate), refuses a connection past the per-address limit, and closes the
 * idle connection that waited longest when the connection limit is
 * reached. Closing is shutdown(2) on the socket, which libmicrohttpd then
 * sees as the client's hang-up; a connection is only ever closed while
 * the guard lists it, and libmicrohttpd tells the guard before it closes
 * the descriptor, so the guard never touches a descriptor reused since.
 *
 * A connection's life, as the guard sees it:
 *
 *   open --> FRESH --head complete--> BODY --body complete--> BUSY
 *                                      ^                       |
 *             IDLE --head complete-----+        answer sent    |
 *              ^---------------------------------------------- +
 *
 * FRESH: a new connection: its first head (with the TLS handshake) must
 *        be complete within head_ms of its arrival.
 * IDLE:  kept alive after an answer: its next head must be complete
 *        within idle_ms of that answer.
 * BODY:  its body must arrive at body_min_rate bytes/s on average after
 *        head_ms of grace, and never pause for head_ms.
 * BUSY:  running, held for its COMMIT, or being answered: never closed
 *        by the guard (libmicrohttpd's own timeout still applies).
 * Any state can be closed; FRESH and IDLE connections are the "idle"
 * ones, the first to go when connections run out.
 */
#ifndef IOTJOBS_HTTP_CONN_GUARD_H
#define IOTJOBS_HTTP_CONN_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

struct conn_guard;
struct conn_guard_conn;

struct conn_guard_limits {
	unsigned max_conns;	/* open connections, both listeners */
	unsigned slack;		/* closing ones tolerated beyond it */
	unsigned per_address;	/* per client address; 0: no limit */
	bool exempt_loopback;	/* no per-address limit on loopback */
	unsigned head_ms;	/* connection to its first complete head */
	unsigned idle_ms;	/* answer to the next complete head */
	size_t body_min_rate;	/* bytes/s, after head_ms of grace */
};

/* Why the guard closes a connection. */
enum conn_guard_why {
	CONN_GUARD_HEAD_TIMEOUT,	/* FRESH past head_ms */
	CONN_GUARD_IDLE_TIMEOUT,	/* IDLE past idle_ms */
	CONN_GUARD_SLOW_BODY,		/* BODY below the minimum rate */
	CONN_GUARD_EVICTED,		/* oldest idle, at the limit */
	CONN_GUARD_PER_ADDRESS,		/* refused: its address is full */
	CONN_GUARD_FULL,		/* refused: all connections busy */
	CONN_GUARD_HUNG_UP,		/* BODY: its client hung up (plain) */
	CONN_GUARD_NWHY
};

/*
 * Closes FD (a connection the guard lists, with the guard's lock held):
 * in production, writes an answer when one is due and shutdown(2)s it.
 * Must not call back into the guard.
 */
typedef void conn_guard_close_fn(int fd, bool tls, enum conn_guard_why why,
    void *arg);

/*
 * A guard enforcing LIM that closes connections with CLOSE(ARG). Returns 0,
 * or -1 with ERR set.
 */
int conn_guard_new(const struct conn_guard_limits *lim,
    conn_guard_close_fn *close, void *arg, struct conn_guard **out,
    struct err *err);

/* Starts the thread that runs conn_guard_tick() every 250 ms. */
int conn_guard_start(struct conn_guard *g, struct err *err);

/* Stops the thread and frees G with every connection it still lists. */
void conn_guard_free(struct conn_guard *g);

/*
 * A connection arrived on FD from SA at NOW_MS (a monotonic clock).
 * Returns its entry, owned by the guard until conn_guard_gone(). When
 * it is refused (per-address limit, or every connection busy) or when
 * it makes room by evicting the oldest idle one, the close function has
 * been called before this returns; the entry is listed all the same.
 */
struct conn_guard_conn *conn_guard_open(struct conn_guard *g, int fd,
    const struct sockaddr *sa, bool tls, int64_t now_ms);

/*
 * C's request head is complete (FRESH or IDLE to BODY). False when the
 * guard closes C already: the caller answers nothing more.
 */
bool conn_guard_head(struct conn_guard *g, struct conn_guard_conn *c,
    int64_t now_ms);

/* N more bytes of C's body arrived at NOW_MS. */
void conn_guard_body(struct conn_guard *g, struct conn_guard_conn *c,
    size_t n, int64_t now_ms);

/* C's body is complete: it runs (BUSY). */
void conn_guard_busy(struct conn_guard *g, struct conn_guard_conn *c);

/* C's answer is done and it is kept alive (IDLE from NOW_MS). */
void conn_guard_idle(struct conn_guard *g, struct conn_guard_conn *c,
    int64_t now_ms);

/* libmicrohttpd is closing C's descriptor: C is freed. */
void conn_guard_gone(struct conn_guard *g, struct conn_guard_conn *c);

/*
 * Closes what is past its deadline at NOW_MS, and logs (at most every
 * 10 s) how many connections the guard closed or refused since its last
 * line, and why.
 */
void conn_guard_tick(struct conn_guard *g, int64_t now_ms);

/*
 * The server stops: FRESH and IDLE connections are closed now, and a body
 * may pause for a second only (a request in flight still finishes).
 */
void conn_guard_quiesce(struct conn_guard *g);

struct conn_guard_stats {
	size_t open;		/* listed, closing ones included */
	size_t idle;		/* FRESH + IDLE */
	size_t closing;
	uint64_t closed[CONN_GUARD_NWHY];	/* since the guard began */
};

void conn_guard_stats(struct conn_guard *g, struct conn_guard_stats *out);

/* True when SA is a loopback address (127.0.0.0/8, ::1, mapped). */
bool conn_guard_is_loopback(const struct sockaddr *sa);

/* Milliseconds of CLOCK_MONOTONIC, the clock of the guard's deadlines. */
int64_t conn_guard_now_ms(void);

#endif
