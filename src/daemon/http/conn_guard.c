/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection guard (conn_guard.h): one list per state, each in the
 * order its connections entered the state, so that the deadlines of FRESH
 * and IDLE (one timeout each) fall due at the heads of their lists and the
 * oldest idle connection is the older of the two heads. BODY deadlines
 * differ per connection and are scanned. A hash of client addresses
 * counts connections per address. One mutex guards it all; libmicrohttpd
 * calls in from its worker threads, the tick from the guard's thread.
 */
#include "http/conn_guard.h"

#include <netinet/in.h>
#include <sys/ioctl.h>

#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#define CG_TICK_MS	250
#define CG_TRIM_AFTER	256	/* connections: a burst worth a trim */
#define CG_TRIM_BELOW	8	/* connections: the burst has ended */
#define CG_QUIET_MS	100	/* BODY without bytes this long: hung up? */
#define CG_LOG_MS	10000	/* at most one summary line this often */
#define CG_BUCKETS	4096	/* address hash; chains grow past it */

enum cg_state { CG_FRESH, CG_IDLE, CG_BODY, CG_BUSY, CG_CLOSING, CG_NSTATE };

/* Connections of one client address. */
struct cg_addr {
	unsigned char key[16];	/* IPv6, or IPv4 mapped */
	unsigned n;
	struct cg_addr *next;	/* hash chain */
};

struct conn_guard_conn {
	struct conn_guard_conn *prev, *next;	/* in lists[state] */
	enum cg_state state;
	int fd;
	bool tls;
	int64_t since_ms;	/* entered the state */
	int64_t last_ms;	/* BODY: the last bytes came */
	uint64_t body_bytes;	/* BODY: received so far */
	struct cg_addr *addr;	/* NULL: not counted (exempt) */
};

struct cg_list {
	struct conn_guard_conn *head, *tail;
	size_t n;
};

struct conn_guard {
	pthread_mutex_t lock;
	struct conn_guard_limits lim;
	conn_guard_close_fn *close;
	void *arg;
	struct cg_list lists[CG_NSTATE];
	size_t open;				/* every listed one */
	size_t peak;				/* most open since the last trim */
	bool trim_due;				/* the burst ended a tick ago */
	struct cg_addr *buckets[CG_BUCKETS];
	uint64_t closed[CONN_GUARD_NWHY];	/* since the start */
	uint64_t logged[CONN_GUARD_NWHY];	/* as of the last line */
	int64_t last_log_ms[CONN_GUARD_NWHY];
	unsigned stall_ms;	/* a body may pause this long */
	/* The ticking thread. */
	pthread_t thread;
	pthread_cond_t cond;
	bool running, stop;
};

static const char *const cg_why_text[CONN_GUARD_NWHY] = {
	[CONN_GUARD_HEAD_TIMEOUT] = "head-timeout",
	[CONN_GUARD_IDLE_TIMEOUT] = "idle-timeout",
	[CONN_GUARD_SLOW_BODY] = "slow-body",
	[CONN_GUARD_EVICTED] = "evicted-idle",
	[CONN_GUARD_PER_ADDRESS] = "per-address-limit",
	[CONN_GUARD_FULL] = "all-busy",
	[CONN_GUARD_HUNG_UP] = "hung-up",
};

int64_t
conn_guard_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cg_push(struct conn_guard *g, struct conn_guard_conn *c, enum cg_state s)
{
	struct cg_list *l = &g->lists[s];

	c->state = s;
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->n++;
}

static void
cg_unlink(struct conn_guard *g, struct conn_guard_conn *c)
{
	struct cg_list *l = &g->lists[c->state];

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	l->n--;
	c->prev = c->next = NULL;
}

static void
cg_move(struct conn_guard *g, struct conn_guard_conn *c, enum cg_state s,
    int64_t now_ms)
{
	cg_unlink(g, c);
	c->since_ms = now_ms;
	cg_push(g, c, s);
}

/* The 16-byte key of SA (IPv4 as ::ffff:a.b.c.d); false for others. */
static bool
cg_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		memcpy(key, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

bool
conn_guard_is_loopback(const struct sockaddr *sa)
{
	static const unsigned char v6_loop[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned char k[16];

	if (!cg_key(sa, k))
		return false;
	if (memcmp(k, v6_loop, 16) == 0)
		return true;
	return memcmp(k, mapped, 12) == 0 && k[12] == 127;
}

static size_t
cg_hash(const unsigned char key[16])
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % CG_BUCKETS;
}

/* The counter of SA's address, created at 0 when absent. */
static struct cg_addr *
cg_addr_get(struct conn_guard *g, const struct sockaddr *sa)
{
	unsigned char key[16];
	struct cg_addr *a;
	size_t h;

	if (!cg_key(sa, key))
		return NULL;
	h = cg_hash(key);
	for (a = g->buckets[h]; a != NULL; a = a->next)
		if (memcmp(a->key, key, 16) == 0)
			return a;
	a = xcalloc(1, sizeof(*a));
	memcpy(a->key, key, 16);
	a->next = g->buckets[h];
	g->buckets[h] = a;
	return a;
}

static void
cg_addr_put(struct conn_guard *g, struct cg_addr *a)
{
	struct cg_addr **pp;

	if (a == NULL || --a->n > 0)
		return;
	for (pp = &g->buckets[cg_hash(a->key)]; *pp != a; pp = &(*pp)->next)
		;
	*pp = a->next;
	free(a);
}

/* Closes C for WHY (lock held): CLOSING until libmicrohttpd lets go. */
static void
cg_close(struct conn_guard *g, struct conn_guard_conn *c,
    enum conn_guard_why why, int64_t now_ms)
{
	if (c->state == CG_CLOSING)
		return;
	cg_move(g, c, CG_CLOSING, now_ms);
	g->closed[why]++;
	g->close(c->fd, c->tls, why, g->arg);
}

/* The idle connection (FRESH or IDLE) that has waited longest, or NULL. */
static struct conn_guard_conn *
cg_oldest_idle(struct conn_guard *g)
{
	struct conn_guard_conn *f = g->lists[CG_FRESH].head;
	struct conn_guard_conn *i = g->lists[CG_IDLE].head;

	if (f == NULL)
		return i;
	if (i == NULL)
		return f;
	return i->since_ms <= f->since_ms ? i : f;
}

int
conn_guard_new(const struct conn_guard_limits *lim,
    conn_guard_close_fn *close, void *arg, struct conn_guard **out,
    struct err *err)
{
	struct conn_guard *g;
	int i;

	if (lim->max_conns == 0 || lim->head_ms == 0 || lim->idle_ms == 0 ||
	    lim->body_min_rate == 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "conn_guard: a"
		    " limit is zero");
	g = xcalloc(1, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->lim = *lim;
	g->stall_ms = lim->head_ms;
	g->close = close;
	g->arg = arg;
	/* The first closing is logged at once, later ones every 10 s. */
	for (i = 0; i < CONN_GUARD_NWHY; i++)
		g->last_log_ms[i] = conn_guard_now_ms() - CG_LOG_MS;
	*out = g;
	return 0;
}

struct conn_guard_conn *
conn_guard_open(struct conn_guard *g, int fd, const struct sockaddr *sa,
    bool tls, int64_t now_ms)
{
	struct conn_guard_conn *c = xcalloc(1, sizeof(*c)), *old;
	const struct conn_guard_limits *lim = &g->lim;
	size_t active;

	c->fd = fd;
	c->tls = tls;
	c->since_ms = now_ms;
	pthread_mutex_lock(&g->lock);
	g->open++;
	if (g->open > g->peak)
		g->peak = g->open;
	cg_push(g, c, CG_FRESH);
	if (lim->per_address > 0 &&
	    !(lim->exempt_loopback && conn_guard_is_loopback(sa)) &&
	    (c->addr = cg_addr_get(g, sa)) != NULL) {
		c->addr->n++;
		if (c->addr->n > lim->per_address) {
			cg_close(g, c, CONN_GUARD_PER_ADDRESS, now_ms);
			goto out;
		}
	}
	/*
	 * Room for C: the idle ones that waited longest go first, as long as
	 * the descriptors of those still closing stay within the slack.
	 */
	active = g->open - g->lists[CG_CLOSING].n;
	while (active > lim->max_conns &&
	    g->lists[CG_CLOSING].n < lim->slack &&
	    (old = cg_oldest_idle(g)) != NULL && old != c) {
		cg_close(g, old, CONN_GUARD_EVICTED, now_ms);
		active--;
	}
	if (active > lim->max_conns)
		cg_close(g, c, CONN_GUARD_FULL, now_ms);
out:
	pthread_mutex_unlock(&g->lock);
	return c;
}

bool
conn_guard_head(struct conn_guard *g, struct conn_guard_conn *c,
    int64_t now_ms)
{
	bool ok;

	pthread_mutex_lock(&g->lock);
	ok = c->state != CG_CLOSING;
	if (ok) {
		c->body_bytes = 0;
		c->last_ms = now_ms;
		cg_move(g, c, CG_BODY, now_ms);
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

void
conn_guard_body(struct conn_guard *g, struct conn_guard_conn *c, size_t n,
    int64_t now_ms)
{
	pthread_mutex_lock(&g->lock);
	c->body_bytes += n;
	c->last_ms = now_ms;
	pthread_mutex_unlock(&g->lock);
}

void
conn_guard_busy(struct conn_guard *g, struct conn_guard_conn *c)
{
	pthread_mutex_lock(&g->lock);
	if (c->state == CG_BODY)
		cg_move(g, c, CG_BUSY, c->since_ms);
	pthread_mutex_unlock(&g->lock);
}

void
conn_guard_idle(struct conn_guard *g, struct conn_guard_conn *c,
    int64_t now_ms)
{
	pthread_mutex_lock(&g->lock);
	if (c->state != CG_CLOSING)
		cg_move(g, c, CG_IDLE, now_ms);
	pthread_mutex_unlock(&g->lock);
}

void
conn_guard_gone(struct conn_guard *g, struct conn_guard_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	cg_unlink(g, c);
	cg_addr_put(g, c->addr);
	g->open--;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

/*
 * A line per reason for what the guard closed since that reason's last
 * line, at most one per reason every CG_LOG_MS (lock held).
 */
static void
cg_log(struct conn_guard *g, int64_t now_ms)
{
	int i;

	for (i = 0; i < CONN_GUARD_NWHY; i++) {
		uint64_t n = g->closed[i] - g->logged[i];

		if (n == 0 || now_ms - g->last_log_ms[i] < CG_LOG_MS)
			continue;
		log_warnx("http: connections closed or refused: %s=%llu in"
		    " %llds (open=%zu limit=%u per-address=%u)", cg_why_text[i],
		    (unsigned long long)n, (long long)((now_ms -
		    g->last_log_ms[i]) / 1000), g->open, g->lim.max_conns,
		    g->lim.per_address);
		g->logged[i] = g->closed[i];
		g->last_log_ms[i] = now_ms;
	}
}

/*
 * BODY's deadlines: head_ms of grace, then one second per rate bytes;
 * and no pause longer than head_ms (once stopping, a second). The pause
 * also catches what libmicrohttpd 0.9.75 leaves behind: after a short
 * read it takes the socket as drained, so a client's hang-up that came
 * with its last bytes is never read, and the connection waits in
 * CLOSE-WAIT for its inactivity timeout.
 */
static bool
cg_body_late(const struct conn_guard *g, const struct conn_guard_conn *c,
    int64_t now_ms)
{
	uint64_t allowed = (uint64_t)g->lim.head_ms +
	    c->body_bytes * 1000 / g->lim.body_min_rate;

	return now_ms - c->since_ms > (int64_t)allowed ||
	    now_ms - c->last_ms >= (int64_t)g->stall_ms;
}

/*
 * Whether the client of C, a plain connection receiving a body and quiet
 * for CG_QUIET_MS, has hung up with nothing left unread: its body can
 * never end. libmicrohttpd misses that hang-up when it came with the last
 * bytes (see cg_body_late), and the connection would keep its memory
 * until the pause deadline, seconds after a flood of bodies is over. Not
 * for TLS: the library may hold records the socket no longer shows.
 */
static bool
cg_hung_up(const struct conn_guard_conn *c, int64_t now_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLRDHUP };
	int unread;

	if (c->tls || now_ms - c->last_ms < CG_QUIET_MS)
		return false;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLNVAL) == 0 &&
	    (p.revents & (POLLRDHUP | POLLHUP)) != 0 &&
	    ioctl(c->fd, FIONREAD, &unread) == 0 && unread == 0;
}

void
conn_guard_tick(struct conn_guard *g, int64_t now_ms)
{
	struct conn_guard_conn *c, *next;
	bool trim = false;

	pthread_mutex_lock(&g->lock);
	/*
	 * After a burst of connections (CG_TRIM_AFTER open at once) the
	 * allocator keeps the memory they freed: a tick after the burst ended
	 * (libmicrohttpd frees a connection after telling it closed), it is
	 * given back, so that memory returns after a flood.
	 */
	if (g->open <= CG_TRIM_BELOW && g->peak >= CG_TRIM_AFTER) {
		trim = g->trim_due;
		g->trim_due = !trim;
		if (trim)
			g->peak = g->open;
	}
	while ((c = g->lists[CG_FRESH].head) != NULL &&
	    now_ms - c->since_ms >= g->lim.head_ms)
		cg_close(g, c, CONN_GUARD_HEAD_TIMEOUT, now_ms);
	while ((c = g->lists[CG_IDLE].head) != NULL &&
	    now_ms - c->since_ms >= g->lim.idle_ms)
		cg_close(g, c, CONN_GUARD_IDLE_TIMEOUT, now_ms);
	for (c = g->lists[CG_BODY].head; c != NULL; c = next) {
		next = c->next;
		if (cg_body_late(g, c, now_ms))
			cg_close(g, c, CONN_GUARD_SLOW_BODY, now_ms);
		else if (cg_hung_up(c, now_ms))
			cg_close(g, c, CONN_GUARD_HUNG_UP, now_ms);
	}
	cg_log(g, now_ms);
	pthread_mutex_unlock(&g->lock);
	if (trim)
		malloc_trim(0);
}

void
conn_guard_quiesce(struct conn_guard *g)
{
	struct conn_guard_conn *c;
	int64_t now = conn_guard_now_ms();

	pthread_mutex_lock(&g->lock);
	g->stall_ms = 1000;
	while ((c = g->lists[CG_FRESH].head) != NULL)
		cg_close(g, c, CONN_GUARD_IDLE_TIMEOUT, now);
	while ((c = g->lists[CG_IDLE].head) != NULL)
		cg_close(g, c, CONN_GUARD_IDLE_TIMEOUT, now);
	pthread_mutex_unlock(&g->lock);
}

void
conn_guard_stats(struct conn_guard *g, struct conn_guard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	out->open = g->open;
	out->idle = g->lists[CG_FRESH].n + g->lists[CG_IDLE].n;
	out->closing = g->lists[CG_CLOSING].n;
	memcpy(out->closed, g->closed, sizeof(out->closed));
	pthread_mutex_unlock(&g->lock);
}

static void *
cg_main(void *arg)
{
	struct conn_guard *g = arg;
	struct timespec ts;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		pthread_mutex_unlock(&g->lock);
		conn_guard_tick(g, conn_guard_now_ms());
		ts = clock_deadline_ms(CG_TICK_MS);
		pthread_mutex_lock(&g->lock);
		if (!g->stop)
			pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int
conn_guard_start(struct conn_guard *g, struct err *err)
{
	if (pthread_create(&g->thread, NULL, cg_main, g) != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "conn_guard: cannot"
		    " start its thread");
	g->running = true;
	return 0;
}

void
conn_guard_free(struct conn_guard *g)
{
	struct conn_guard_conn *c;
	struct cg_addr *a;
	size_t i;
	int s;

	if (g == NULL)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	for (s = 0; s < CG_NSTATE; s++)
		while ((c = g->lists[s].head) != NULL) {
			cg_unlink(g, c);
			free(c);
		}
	for (i = 0; i < CG_BUCKETS; i++)
		while ((a = g->buckets[i]) != NULL) {
			g->buckets[i] = a->next;
			free(a);
		}
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
