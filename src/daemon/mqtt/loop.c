/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker connection's event loop. mosquitto_loop() costs a select()
 * per call and, with other threads publishing, one call per publish: each
 * publish writes a byte to libmosquitto's socketpair, and each call reads
 * one back. Here one wake-up (an eventfd, written only when the loop is
 * not already woken) writes every packet queued since, and keepalive runs
 * once a second instead of on every call.
 */
#include "mqtt/loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define LOOP_MISC_MS	1000	/* keepalive resolution: whole seconds */

struct mqtt_loop {
	struct mosquitto *mosq;
	int wake_fd;		/* eventfd */
	atomic_bool woken;	/* wake_fd written and not yet read */
	int64_t misc_at;	/* next mosquitto_loop_misc(), monotonic ms */
};

/* The loop whose turns this thread runs, if any. */
static _Thread_local const struct mqtt_loop *loop_self;

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct mqtt_loop *
mqtt_loop_new(struct mosquitto *mosq)
{
	struct mqtt_loop *l = xcalloc(1, sizeof(*l));

	l->mosq = mosq;
	l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->wake_fd == -1)
		fatal("mqtt: eventfd");
	atomic_init(&l->woken, false);
	return l;
}

void
mqtt_loop_free(struct mqtt_loop *l)
{
	if (l == NULL)
		return;
	close(l->wake_fd);
	free(l);
}

void
mqtt_loop_wake(struct mqtt_loop *l)
{
	if (l == NULL || loop_self == l || atomic_exchange(&l->woken, true))
		return;
	if (eventfd_write(l->wake_fd, 1) == -1)
		log_warn("mqtt: eventfd write");
}

/*
 * Clears the wake-up before the turn writes: a packet queued after the
 * clear wakes the loop again, one queued before it is written by this turn.
 */
static void
loop_unwake(struct mqtt_loop *l)
{
	eventfd_t n;

	(void)eventfd_read(l->wake_fd, &n);
	atomic_store(&l->woken, false);
}

/*
 * libmosquitto writes each packet with a write() of its own, and with
 * TCP_NODELAY (small replies must not wait for Nagle) each write is sent
 * at once as a segment of its own: a turn that writes twenty packets sends
 * twenty segments and wakes the broker for each. Corked for the turn's
 * writes, they leave in as few segments as fit, when the cork is pulled.
 */
static void
loop_cork(struct mqtt_loop *l, int on)
{
	int fd = mosquitto_socket(l->mosq);

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

/*
 * Reads when the socket is ready either way: libmosquitto carries a TLS
 * handshake on only in mosquitto_loop_read(), also when the handshake
 * waits to write. Then writes whatever is queued (the PUBACKs of what was
 * read, the publishes of other threads); a socket that takes less keeps
 * the rest, and the next poll waits for POLLOUT.
 */
static int
loop_io(struct mqtt_loop *l, short revents)
{
	int rc;

	if (revents != 0) {
		rc = mosquitto_loop_read(l->mosq, 1);
		if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(l->mosq) < 0)
			return rc;
	}
	if (!mosquitto_want_write(l->mosq))
		return MOSQ_ERR_SUCCESS;
	loop_cork(l, 1);
	rc = mosquitto_loop_write(l->mosq, 1);
	loop_cork(l, 0);
	return rc;
}

int
mqtt_loop_turn(struct mqtt_loop *l)
{
	struct pollfd pfd[2];
	int64_t now = mono_ms();
	int rc;

	loop_self = l;
	pfd[0].fd = mosquitto_socket(l->mosq);
	if (pfd[0].fd < 0)
		return MOSQ_ERR_NO_CONN;
	pfd[0].events = POLLIN;
	if (mosquitto_want_write(l->mosq))
		pfd[0].events |= POLLOUT;
	pfd[1].fd = l->wake_fd;
	pfd[1].events = POLLIN;
	if (poll(pfd, 2, l->misc_at > now ? (int)(l->misc_at - now) : 0) ==
	    -1)
		return errno == EINTR ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ERRNO;
	if (pfd[1].revents & POLLIN)
		loop_unwake(l);
	rc = loop_io(l, pfd[0].revents);
	if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(l->mosq) < 0)
		return rc;
	now = mono_ms();
	if (now < l->misc_at)
		return MOSQ_ERR_SUCCESS;
	l->misc_at = now + LOOP_MISC_MS;
	return mosquitto_loop_misc(l->mosq);
}

void
mqtt_loop_disconnect(struct mqtt_loop *l)
{
	if (mosquitto_disconnect(l->mosq) == MOSQ_ERR_SUCCESS)
		(void)mosquitto_loop_write(l->mosq, 1);
}
