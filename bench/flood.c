/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs-flood: hostile load for `make bench` (bench/README.md,
 * Hardening). Loopback only; the flood comes from 127.0.0.2, the probe
 * from 127.0.0.1. Modes:
 *   flood PORT SLOW IDLE SECONDS
 *       holds SLOW connections that send one header byte a second and
 *       IDLE ones that send nothing (each reopened when the daemon closes
 *       it, opened at most 5,000 a second), while a probe sends a signed
 *       ListThings on a new connection every 20 ms; prints the probes'
 *       p50/p99/max latency, how many took over a second or failed, and
 *       how many flood connections were held on average.
 *   bodies PORT N PID
 *       N connections each send a request with an unknown access key and
 *       a body of just under 1 MB, all at once; prints the daemon's (PID)
 *       resident memory before, its peak, and 2 s after they closed.
 * Credentials for the probe from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sigv4/sigv4.h"

#define FLOOD_ADDR	"127.0.0.2"
#define PROBE_MS	20
#define OPEN_PER_TICK	500	/* per 100 ms */
#define BODY_LEN	1048000
#define MAX_FLOOD	20000

static const char slow_head[] = "GET /things HTTP/1.1\r\nHost: x\r\nX-Slow: ";

struct fconn {
	int fd;			/* -1: to reopen */
	int slow;
	size_t sent;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
nofile_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A non-blocking connection from FROM to 127.0.0.1:PORT; -1 on error. */
static int
open_from(const char *from, int port, int blocking)
{
	struct sockaddr_in src, dst;
	int fd = socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK),
	    0);

	if (fd == -1)
		return -1;
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	inet_pton(AF_INET, from, &src.sin_addr);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == -1 &&
	    errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A signed ListThings request into BUF. */
static int
probe_request(int port, char *buf, size_t size)
{
	char date[SIGV4_DATE_LEN + 1], authz[SIGV4_AUTHZ_MAX], host[64];
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	struct sigv4_pair h[2];
	struct sigv4_request r;
	struct sigv4_scope scope;
	struct err err;
	int n;

	if (akid == NULL || secret == NULL)
		return -1;
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	sigv4_format_date(time(NULL), date);
	memset(&scope, 0, sizeof(scope));
	memcpy(scope.day, date, SIGV4_DAY_LEN);
	snprintf(scope.region, sizeof(scope.region), "us-east-1");
	snprintf(scope.service, sizeof(scope.service), "iot");
	h[0] = (struct sigv4_pair){ "host", host };
	h[1] = (struct sigv4_pair){ "x-amz-date", date };
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = "/things";
	r.headers = h;
	r.nheaders = 2;
	r.payload_hash = SIGV4_EMPTY_SHA256;
	if (sigv4_sign(&r, akid, secret, &scope, date, authz, sizeof(authz),
	    &err) == -1)
		return -1;
	n = snprintf(buf, size, "GET /things HTTP/1.1\r\nHost: %s\r\n"
	    "X-Amz-Date: %s\r\nAuthorization: %s\r\nConnection: close\r\n"
	    "\r\n", host, date, authz);
	return n > 0 && (size_t)n < size ? n : -1;
}

/* One probe on a new connection: its latency in s, or -1 on failure. */
static double
probe(int port)
{
	char req[SIGV4_AUTHZ_MAX + 512], resp[4096];
	struct timeval tv = { 5, 0 };
	double t0 = now_s();
	int n = probe_request(port, req, sizeof(req)), fd;
	ssize_t r;

	if (n < 0 || (fd = open_from("127.0.0.1", port, 1)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		close(fd);
		return -1;
	}
	r = recv(fd, resp, sizeof(resp) - 1, 0);
	close(fd);
	if (r < 12 || strncmp(resp, "HTTP/1.1 200", 12) != 0)
		return -1;
	return now_s() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
flood_tick(struct fconn *fc, int n, int port, int ep, int *opened)
{
	struct epoll_event ev;
	int i;

	for (i = 0; i < n; i++) {
		if (fc[i].fd == -1 && *opened < OPEN_PER_TICK) {
			fc[i].fd = open_from(FLOOD_ADDR, port, 0);
			fc[i].sent = 0;
			if (fc[i].fd == -1)
				continue;
			(*opened)++;
			ev.events = EPOLLIN | EPOLLRDHUP;
			ev.data.u32 = (uint32_t)i;
			epoll_ctl(ep, EPOLL_CTL_ADD, fc[i].fd, &ev);
		}
	}
}

static void
flood_trickle(struct fconn *fc, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char c;

		if (fc[i].fd == -1 || !fc[i].slow)
			continue;
		c = fc[i].sent < sizeof(slow_head) - 1 ?
		    slow_head[fc[i].sent] : 'a';
		if (send(fc[i].fd, &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
			fc[i].sent++;
	}
}

static int
mode_flood(int port, int slow, int idle, int seconds)
{
	static struct fconn fc[MAX_FLOOD];
	static double lat[100000];
	struct epoll_event evs[256];
	double t0, next_probe, next_trickle, next_tick, held = 0;
	int n = slow + idle, ep, i, nlat = 0, fails = 0, over = 0, samples = 0;
	int opened, open_now, reopened = 0;

	if (n > MAX_FLOOD)
		return 2;
	for (i = 0; i < n; i++) {
		fc[i].fd = -1;
		fc[i].slow = i >= idle;
	}
	ep = epoll_create1(0);
	t0 = now_s();
	next_probe = next_trickle = next_tick = t0;
	/* The flood is up (about 2 s) before the probe starts counting. */
	while (now_s() - t0 < seconds + 2.0) {
		double t = now_s();
		int k = epoll_wait(ep, evs, 256, 5);

		for (i = 0; i < k; i++) {
			struct fconn *c = &fc[evs[i].data.u32];
			char buf[512];

			if (c->fd != -1 && recv(c->fd, buf, sizeof(buf),
			    MSG_DONTWAIT) <= 0 && errno != EAGAIN) {
				close(c->fd);
				c->fd = -1;
				reopened++;
			}
		}
		if (t >= next_tick) {
			opened = 0;
			flood_tick(fc, n, port, ep, &opened);
			next_tick = t + 0.1;
		}
		if (t >= next_trickle) {
			flood_trickle(fc, n);
			next_trickle = t + 1.0;
		}
		if (t - t0 >= 2.0 && t >= next_probe) {
			double l = probe(port);

			for (open_now = 0, i = 0; i < n; i++)
				open_now += fc[i].fd != -1;
			held += open_now;
			samples++;
			if (l < 0)
				fails++;
			else if (nlat < (int)(sizeof(lat) / sizeof(lat[0])))
				lat[nlat++] = l;
			if (l > 1.0)
				over++;
			next_probe = t + PROBE_MS / 1000.0;
		}
	}
	qsort(lat, (size_t)nlat, sizeof(lat[0]), cmp_double);
	printf("slow=%d idle=%d held_avg=%.0f reopened=%d probes=%d"
	    " failed=%d over_1s=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
	    slow, idle, samples > 0 ? held / samples : 0, reopened,
	    nlat + fails, fails, over,
	    nlat > 0 ? lat[nlat / 2] * 1e3 : 0,
	    nlat > 0 ? lat[(nlat * 99) / 100] * 1e3 : 0,
	    nlat > 0 ? lat[nlat - 1] * 1e3 : 0);
	for (i = 0; i < n; i++)
		if (fc[i].fd != -1)
			close(fc[i].fd);
	close(ep);
	return 0;
}

/* VmRSS and VmHWM of PID, in kB. */
static void
mem_kb(int pid, long *rss, long *hwm)
{
	char path[64], line[256];
	FILE *f;

	*rss = *hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

static int
mode_bodies(int port, int n, int pid)
{
	static char chunk[65536];
	char head[1024], date[SIGV4_DATE_LEN + 1];
	int *fds = calloc((size_t)n, sizeof(int));
	size_t *left = calloc((size_t)n, sizeof(size_t));
	long rss0, hwm0, rss, hwm, peak = 0;
	int i, hl, busy, answered = 0;
	double t0;

	if (fds == NULL || left == NULL)
		return 1;
	memset(chunk, 'x', sizeof(chunk));
	sigv4_format_date(time(NULL), date);
	hl = snprintf(head, sizeof(head), "POST /things/flood HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nX-Amz-Date: %s\r\nAuthorization:"
	    " AWS4-HMAC-SHA256 Credential=AKIAUNKNOWNKEY000000/%.8s/us-east-1"
	    "/iot/aws4_request, SignedHeaders=host;x-amz-date, Signature=%064d"
	    "\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
	    date, date, 0, BODY_LEN);
	mem_kb(pid, &rss0, &hwm0);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		fds[i] = open_from(FLOOD_ADDR, port, 1);
		if (fds[i] == -1 || send(fds[i], head, (size_t)hl,
		    MSG_NOSIGNAL) != hl) {
			perror("connect");
			return 1;
		}
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		left[i] = BODY_LEN;
	}
	do {
		busy = 0;
		for (i = 0; i < n; i++) {
			ssize_t w;

			if (left[i] == 0)
				continue;
			w = send(fds[i], chunk, left[i] < sizeof(chunk) ?
			    left[i] : sizeof(chunk), MSG_NOSIGNAL);
			if (w > 0)
				left[i] -= (size_t)w;
			else if (w == -1 && errno != EAGAIN)
				left[i] = 0;
			busy += left[i] > 0;
		}
		mem_kb(pid, &rss, &hwm);
		if (rss > peak)
			peak = rss;
	} while (busy > 0);
	for (i = 0; i < n; i++) {
		char buf[512];
		struct timeval tv = { 5, 0 };

		fcntl(fds[i], F_SETFL, 0);
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fds[i], buf, sizeof(buf), 0) > 12 &&
		    strncmp(buf, "HTTP/1.1 403", 12) == 0)
			answered++;
		close(fds[i]);
	}
	mem_kb(pid, &rss, &hwm);
	printf("bodies=%d body_bytes=%d answered_403=%d seconds=%.1f"
	    " rss_before_mb=%.1f rss_peak_mb=%.1f (VmHWM %.1f)", n, BODY_LEN,
	    answered, now_s() - t0, rss0 / 1024.0,
	    (peak > rss ? peak : rss) / 1024.0, hwm / 1024.0);
	sleep(2);
	mem_kb(pid, &rss, &hwm);
	printf(" rss_after_mb=%.1f\n", rss / 1024.0);
	free(fds);
	free(left);
	return 0;
}

static int
num(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

int
main(int argc, char **argv)
{
	nofile_max();
	if (argc == 6 && strcmp(argv[1], "flood") == 0)
		return mode_flood(num(argv[2]), num(argv[3]), num(argv[4]),
		    num(argv[5]));
	if (argc == 5 && strcmp(argv[1], "bodies") == 0)
		return mode_bodies(num(argv[2]), num(argv[3]), num(argv[4]));
	fprintf(stderr, "usage: iotjobs-flood flood PORT SLOW IDLE SECONDS\n"
	    "       iotjobs-flood bodies PORT N PID\n");
	return 2;
}
