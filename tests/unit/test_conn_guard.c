/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection guard (http/conn_guard.c) on a clock of our own: the
 * head deadline that bytes do not move, the idle deadline of kept-alive
 * connections, the body's minimum rate, the per-address limit and its
 * loopback exemption, the oldest idle connection going first at the
 * connection limit, and a body whose client hung up closed at once. The
 * close function records what the guard closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "http/conn_guard.h"

#define MAXFD	64

static enum conn_guard_why closed_why[MAXFD];
static int closed[MAXFD];	/* times each fd was closed */

static void
record(int fd, bool tls, enum conn_guard_why why, void *arg)
{
	(void)tls;
	(void)arg;
	closed[fd]++;
	closed_why[fd] = why;
}

static struct sockaddr_in
v4(const char *ip)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	return sa;
}

static struct conn_guard *
guard(unsigned max, unsigned per_address, bool exempt)
{
	struct conn_guard_limits lim = {
		.max_conns = max, .slack = 8, .per_address = per_address,
		.exempt_loopback = exempt, .head_ms = 1000, .idle_ms = 5000,
		.body_min_rate = 100,
	};
	struct conn_guard *g;
	struct err err;

	memset(closed, 0, sizeof(closed));
	assert_int_equal(conn_guard_new(&lim, record, NULL, &g, &err), 0);
	return g;
}

static struct conn_guard_conn *
open_from(struct conn_guard *g, int fd, const char *ip, int64_t now)
{
	struct sockaddr_in sa = v4(ip);

	return conn_guard_open(g, fd, (struct sockaddr *)&sa, false, now);
}

static void
head_deadline_is_not_moved_by_bytes(void **state)
{
	struct conn_guard *g = guard(100, 0, false);
	struct conn_guard_conn *slow, *quick;

	(void)state;
	slow = open_from(g, 1, "10.0.0.1", 0);
	quick = open_from(g, 2, "10.0.0.2", 500);
	conn_guard_tick(g, 999);
	assert_int_equal(closed[1], 0);
	conn_guard_tick(g, 1000);
	assert_int_equal(closed[1], 1);
	assert_int_equal(closed_why[1], CONN_GUARD_HEAD_TIMEOUT);
	assert_int_equal(closed[2], 0);
	/* A head complete in time is safe; a closed one is not revived. */
	assert_true(conn_guard_head(g, quick, 1400));
	assert_false(conn_guard_head(g, slow, 1400));
	conn_guard_tick(g, 1600);
	assert_int_equal(closed[2], 0);
	conn_guard_gone(g, slow);
	conn_guard_gone(g, quick);
	conn_guard_free(g);
}

static void
idle_and_busy_connections(void **state)
{
	struct conn_guard *g = guard(100, 0, false);
	struct conn_guard_conn *c = open_from(g, 3, "10.0.0.3", 0);

	(void)state;
	assert_true(conn_guard_head(g, c, 100));
	conn_guard_busy(g, c);
	/* Running (or held for its commit): never timed out here. */
	conn_guard_tick(g, 100000);
	assert_int_equal(closed[3], 0);
	conn_guard_idle(g, c, 100000);
	conn_guard_tick(g, 104999);
	assert_int_equal(closed[3], 0);
	conn_guard_tick(g, 105000);
	assert_int_equal(closed[3], 1);
	assert_int_equal(closed_why[3], CONN_GUARD_IDLE_TIMEOUT);
	conn_guard_gone(g, c);
	conn_guard_free(g);
}

static void
body_must_keep_the_minimum_rate(void **state)
{
	struct conn_guard *g = guard(100, 0, false);
	struct conn_guard_conn *c = open_from(g, 4, "10.0.0.4", 0);

	(void)state;
	assert_true(conn_guard_head(g, c, 0));
	/* 1 s of grace, then 100 B/s: 300 bytes buy 3 s more ... */
	conn_guard_body(g, c, 100, 900);
	conn_guard_body(g, c, 100, 1800);
	conn_guard_body(g, c, 100, 2700);
	conn_guard_body(g, c, 0, 3600);
	conn_guard_tick(g, 4000);
	assert_int_equal(closed[4], 0);
	conn_guard_tick(g, 4001);
	assert_int_equal(closed[4], 1);
	assert_int_equal(closed_why[4], CONN_GUARD_SLOW_BODY);
	conn_guard_gone(g, c);
	/* ... and no pause may last the grace (1 s), however fast before. */
	c = open_from(g, 5, "10.0.0.5", 0);
	assert_true(conn_guard_head(g, c, 0));
	conn_guard_body(g, c, 100000, 100);
	conn_guard_tick(g, 1099);
	assert_int_equal(closed[5], 0);
	conn_guard_tick(g, 1100);
	assert_int_equal(closed[5], 1);
	conn_guard_gone(g, c);
	conn_guard_free(g);
}

static void
per_address_limit_and_loopback_exemption(void **state)
{
	struct conn_guard *g = guard(100, 2, true);
	struct conn_guard_conn *c[6];
	struct conn_guard_stats st;
	int i;

	(void)state;
	c[0] = open_from(g, 10, "192.0.2.7", 0);
	c[1] = open_from(g, 11, "192.0.2.7", 0);
	c[2] = open_from(g, 12, "192.0.2.7", 0);
	assert_int_equal(closed[10] + closed[11], 0);
	assert_int_equal(closed[12], 1);
	assert_int_equal(closed_why[12], CONN_GUARD_PER_ADDRESS);
	/* Loopback is exempt when configured: 127/8 entirely. */
	c[3] = open_from(g, 13, "127.0.0.2", 0);
	c[4] = open_from(g, 14, "127.0.0.2", 0);
	c[5] = open_from(g, 15, "127.0.0.2", 0);
	assert_int_equal(closed[13] + closed[14] + closed[15], 0);
	/* A slot freed is a slot again. */
	conn_guard_gone(g, c[0]);
	conn_guard_gone(g, c[2]);
	c[0] = open_from(g, 16, "192.0.2.7", 0);
	assert_int_equal(closed[16], 0);
	conn_guard_stats(g, &st);
	assert_int_equal(st.open, 5);
	assert_int_equal(st.closed[CONN_GUARD_PER_ADDRESS], 1);
	conn_guard_gone(g, c[0]);
	for (i = 1; i < 6; i++)
		if (i != 2)
			conn_guard_gone(g, c[i]);
	conn_guard_free(g);

	g = guard(100, 2, false);
	c[0] = open_from(g, 20, "127.0.0.1", 0);
	c[1] = open_from(g, 21, "127.0.0.1", 0);
	c[2] = open_from(g, 22, "127.0.0.1", 0);
	assert_int_equal(closed[22], 1);
	for (i = 0; i < 3; i++)
		conn_guard_gone(g, c[i]);
	conn_guard_free(g);
}

static void
oldest_idle_goes_first_at_the_limit(void **state)
{
	struct conn_guard *g = guard(3, 0, false);
	struct conn_guard_conn *busy, *fresh, *kept, *n1, *n2;

	(void)state;
	busy = open_from(g, 30, "10.0.1.1", 0);
	assert_true(conn_guard_head(g, busy, 0));
	conn_guard_busy(g, busy);
	fresh = open_from(g, 31, "10.0.1.2", 10);
	kept = open_from(g, 32, "10.0.1.3", 5);
	assert_true(conn_guard_head(g, kept, 6));
	conn_guard_busy(g, kept);
	conn_guard_idle(g, kept, 20);	/* idle since 20, fresh since 10 */
	n1 = open_from(g, 33, "10.0.1.4", 30);
	assert_int_equal(closed[31], 1);
	assert_int_equal(closed_why[31], CONN_GUARD_EVICTED);
	assert_int_equal(closed[32] + closed[33] + closed[30], 0);
	n2 = open_from(g, 34, "10.0.1.5", 40);
	assert_int_equal(closed[32], 1);
	assert_int_equal(closed[33] + closed[30], 0);
	conn_guard_gone(g, fresh);
	conn_guard_gone(g, kept);
	/* n1, n2 (idle) are evictable; with them busy, a new one is refused. */
	assert_true(conn_guard_head(g, n1, 41));
	conn_guard_busy(g, n1);
	assert_true(conn_guard_head(g, n2, 41));
	conn_guard_busy(g, n2);
	fresh = open_from(g, 35, "10.0.1.6", 50);
	assert_int_equal(closed[35], 1);
	assert_int_equal(closed_why[35], CONN_GUARD_FULL);
	conn_guard_gone(g, fresh);
	conn_guard_gone(g, busy);
	conn_guard_gone(g, n1);
	conn_guard_gone(g, n2);
	conn_guard_free(g);
}

static void
loopback_addresses(void **state)
{
	struct sockaddr_in a = v4("127.1.2.3"), b = v4("10.127.0.1");
	struct sockaddr_in6 six;

	(void)state;
	assert_true(conn_guard_is_loopback((struct sockaddr *)&a));
	assert_false(conn_guard_is_loopback((struct sockaddr *)&b));
	memset(&six, 0, sizeof(six));
	six.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::1", &six.sin6_addr), 1);
	assert_true(conn_guard_is_loopback((struct sockaddr *)&six));
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.9",
	    &six.sin6_addr), 1);
	assert_true(conn_guard_is_loopback((struct sockaddr *)&six));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &six.sin6_addr),
	    1);
	assert_false(conn_guard_is_loopback((struct sockaddr *)&six));
	assert_false(conn_guard_is_loopback(NULL));
}

static void
quiesce_closes_the_idle_and_shortens_pauses(void **state)
{
	struct conn_guard *g = guard(100, 0, false);
	struct conn_guard_conn *idle, *body;

	(void)state;
	idle = open_from(g, 40, "10.0.2.1", conn_guard_now_ms());
	body = open_from(g, 41, "10.0.2.2", conn_guard_now_ms());
	assert_true(conn_guard_head(g, body, conn_guard_now_ms()));
	conn_guard_quiesce(g);
	assert_int_equal(closed[40], 1);
	assert_int_equal(closed[41], 0);
	conn_guard_tick(g, conn_guard_now_ms() + 1000);
	assert_int_equal(closed[41], 1);
	conn_guard_gone(g, idle);
	conn_guard_gone(g, body);
	conn_guard_free(g);
}

/*
 * A client that hung up in the middle of its body with nothing left
 * unread is closed once quiet 100 ms, not at the pause deadline; one
 * whose last bytes still wait unread, and one still there, are not.
 */
static void
hung_up_body_is_closed_at_once(void **state)
{
	struct conn_guard *g = guard(100, 0, false);
	struct conn_guard_conn *c[3];
	int sv[3][2], i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]),
		    0);
		assert_true(sv[i][0] < MAXFD);
		c[i] = open_from(g, sv[i][0], "10.0.3.1", 0);
		assert_true(conn_guard_head(g, c[i], 0));
		conn_guard_body(g, c[i], 100, 10);
	}
	assert_int_equal(write(sv[1][1], "tail", 4), 4);
	close(sv[0][1]);
	close(sv[1][1]);
	conn_guard_tick(g, 100);
	assert_int_equal(closed[sv[0][0]], 0);
	conn_guard_tick(g, 200);
	assert_int_equal(closed[sv[0][0]], 1);
	assert_int_equal(closed_why[sv[0][0]], CONN_GUARD_HUNG_UP);
	assert_int_equal(closed[sv[1][0]], 0);
	assert_int_equal(closed[sv[2][0]], 0);
	for (i = 0; i < 3; i++) {
		conn_guard_gone(g, c[i]);
		close(sv[i][0]);
	}
	close(sv[2][1]);
	conn_guard_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(head_deadline_is_not_moved_by_bytes),
		cmocka_unit_test(idle_and_busy_connections),
		cmocka_unit_test(body_must_keep_the_minimum_rate),
		cmocka_unit_test(per_address_limit_and_loopback_exemption),
		cmocka_unit_test(oldest_idle_goes_first_at_the_limit),
		cmocka_unit_test(loopback_addresses),
		cmocka_unit_test(quiesce_closes_the_idle_and_shortens_pauses),
		cmocka_unit_test(hung_up_body_is_closed_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
