/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs-load: a closed-loop HTTP/1.1 load generator for `make bench`.
 * N keep-alive connections on one epoll thread, each with one request in
 * flight, every request signed with SigV4 like an SDK would. Modes:
 *   bare       GET / (a server that ignores it: the HTTP ceiling)
 *   get        signed GetPendingJobExecutions for thing PREFIX0
 *   roundtrip  per connection i, thing PREFIXi: StartNextPendingJobExecution
 *              then UpdateJobExecution SUCCEEDED, until nothing is pending
 * Prints requests/s, p50/p99 latency and, for roundtrip, round trips/s.
 * Loopback only: the address must be 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sigv4/sigv4.h"

#define MAX_CONNS	1024
#define REQ_MAX		8192
#define RESP_MAX	(256 * 1024)
#define HIST_US		1000000	/* latency histogram: 1 us buckets to 1 s */

enum mode { MODE_BARE, MODE_GET, MODE_ROUNDTRIP };

struct conn {
	int fd;
	int thing;
	int step;		/* roundtrip: 0 start-next, 1 update */
	int done;
	char job_id[128];
	char req[REQ_MAX];
	size_t req_len, req_off;
	char resp[RESP_MAX];
	size_t resp_len;
	struct timespec sent;
};

static enum mode mode;
static const char *prefix = "bench-thing-";
static const char *akid, *secret;
static char host[64];
static unsigned *hist;
static unsigned long long nreq, nerr, nround;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds a signed request into C->req. */
static int
build(struct conn *c, const char *method, const char *path,
    const char *body, const char *service)
{
	char date[SIGV4_DATE_LEN + 1], hash[SIGV4_HEX_LEN + 1];
	char authz[SIGV4_AUTHZ_MAX];
	struct sigv4_pair h[3];
	struct sigv4_request r;
	struct sigv4_scope scope;
	struct err err;
	size_t blen = body != NULL ? strlen(body) : 0;
	int n;

	if (mode == MODE_BARE) {
		n = snprintf(c->req, sizeof(c->req), "GET / HTTP/1.1\r\n"
		    "Host: %s\r\n\r\n", host);
		c->req_len = (size_t)n;
		c->req_off = 0;
		return 0;
	}
	sigv4_format_date(time(NULL), date);
	memset(&scope, 0, sizeof(scope));
	memcpy(scope.day, date, SIGV4_DAY_LEN);
	snprintf(scope.region, sizeof(scope.region), "us-east-1");
	snprintf(scope.service, sizeof(scope.service), "%s", service);
	sigv4_sha256_hex(body != NULL ? body : "", blen, hash);
	h[0] = (struct sigv4_pair){ "host", host };
	h[1] = (struct sigv4_pair){ "x-amz-date", date };
	h[2] = (struct sigv4_pair){ "content-type", "application/json" };
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	r.headers = h;
	r.nheaders = body != NULL ? 3 : 2;
	r.payload_hash = hash;
	if (sigv4_sign(&r, akid, secret, &scope, date, authz, sizeof(authz),
	    &err) == -1) {
		fprintf(stderr, "sign: %s\n", err.msg);
		return -1;
	}
	n = snprintf(c->req, sizeof(c->req), "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "X-Amz-Date: %s\r\nAuthorization: %s\r\n%s"
	    "Content-Length: %zu\r\n\r\n%s", method, path, host, date, authz,
	    body != NULL ? "Content-Type: application/json\r\n" : "", blen,
	    body != NULL ? body : "");
	if (n < 0 || (size_t)n >= sizeof(c->req))
		return -1;
	c->req_len = (size_t)n;
	c->req_off = 0;
	return 0;
}

static int
next_request(struct conn *c)
{
	char path[512];

	switch (mode) {
	case MODE_BARE:
		return build(c, "GET", "/", NULL, NULL);
	case MODE_GET:
		/* One signed request per connection, replayed: a signature
		 * stays valid for minutes, and signing is client CPU that
		 * would be taken from the server on a shared machine. */
		if (c->req_len > 0) {
			c->req_off = 0;
			return 0;
		}
		snprintf(path, sizeof(path), "/things/%s0/jobs", prefix);
		return build(c, "GET", path, NULL, "iot-jobs-data");
	case MODE_ROUNDTRIP:
		if (c->step == 0) {
			snprintf(path, sizeof(path), "/things/%s%d/jobs/$next",
			    prefix, c->thing);
			return build(c, "PUT", path, "{}", "iot-jobs-data");
		}
		snprintf(path, sizeof(path), "/things/%s%d/jobs/%s", prefix,
		    c->thing, c->job_id);
		return build(c, "POST", path, "{\"status\":\"SUCCEEDED\"}",
		    "iot-jobs-data");
	}
	return -1;
}

/* A complete response in C->resp? Returns its total length or 0. */
static size_t
response_complete(struct conn *c, int *status, const char **body)
{
	char *end, *cl;
	size_t head, len;

	c->resp[c->resp_len] = '\0';
	end = strstr(c->resp, "\r\n\r\n");
	if (end == NULL)
		return 0;
	head = (size_t)(end - c->resp) + 4;
	cl = strcasestr(c->resp, "\r\nContent-Length:");
	if (cl == NULL || cl > end)
		return 0;
	len = strtoul(cl + 17, NULL, 10);
	if (c->resp_len < head + len)
		return 0;
	*status = (int)strtol(c->resp + 9, NULL, 10);
	*body = c->resp + head;
	return head + len;
}

static void
on_response(struct conn *c, int status, const char *body)
{
	struct timespec t;
	long us;

	clock_gettime(CLOCK_MONOTONIC, &t);
	us = (t.tv_sec - c->sent.tv_sec) * 1000000 +
	    (t.tv_nsec - c->sent.tv_nsec) / 1000;
	hist[us < HIST_US ? us : HIST_US - 1]++;
	nreq++;
	if (status != 200) {
		nerr++;
		if (nerr <= 3)
			fprintf(stderr, "status %d: %.200s\n", status, body);
		if (mode == MODE_ROUNDTRIP)
			c->done = 1;
		return;
	}
	if (mode != MODE_ROUNDTRIP)
		return;
	if (c->step == 1) {
		nround++;
		c->step = 0;
		return;
	}
	{
		const char *j = strstr(body, "\"jobId\":\"");
		size_t n;

		if (j == NULL) {
			c->done = 1;	/* nothing pending any more */
			return;
		}
		j += 9;
		n = strcspn(j, "\"");
		if (n >= sizeof(c->job_id)) {
			c->done = 1;
			return;
		}
		memcpy(c->job_id, j, n);
		c->job_id[n] = '\0';
		c->step = 1;
	}
}

static int
send_some(struct conn *c)
{
	while (c->req_off < c->req_len) {
		ssize_t n = write(c->fd, c->req + c->req_off,
		    c->req_len - c->req_off);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->req_off += (size_t)n;
	}
	return 0;
}

static int
conn_open(struct conn *c, int ep, int port)
{
	struct sockaddr_in sa;
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static int
conn_kick(struct conn *c)
{
	if (next_request(c) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &c->sent);
	c->resp_len = 0;
	return send_some(c);
}

static long
percentile(double p)
{
	unsigned long long target = (unsigned long long)((double)nreq * p);
	unsigned long long seen = 0;
	long i;

	for (i = 0; i < HIST_US; i++) {
		seen += hist[i];
		if (seen > target)
			return i;
	}
	return HIST_US;
}

int
main(int argc, char **argv)
{
	static struct conn conns[MAX_CONNS];
	struct epoll_event evs[MAX_CONNS];
	int port, nconn, seconds, ep, i, active;
	double t0, t1;

	if (argc < 5) {
		fprintf(stderr, "usage: iotjobs-load bare|get|roundtrip PORT"
		    " CONNS SECONDS [THING_PREFIX]\n(credentials from"
		    " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)\n");
		return 2;
	}
	mode = strcmp(argv[1], "bare") == 0 ? MODE_BARE :
	    strcmp(argv[1], "get") == 0 ? MODE_GET : MODE_ROUNDTRIP;
	port = (int)strtol(argv[2], NULL, 10);
	nconn = (int)strtol(argv[3], NULL, 10);
	seconds = (int)strtol(argv[4], NULL, 10);
	if (argc > 5)
		prefix = argv[5];
	if (nconn < 1 || nconn > MAX_CONNS || seconds < 1 || seconds > 600)
		return 2;
	akid = getenv("AWS_ACCESS_KEY_ID");
	secret = getenv("AWS_SECRET_ACCESS_KEY");
	if (mode != MODE_BARE && (akid == NULL || secret == NULL)) {
		fprintf(stderr, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
		    " unset\n");
		return 2;
	}
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	hist = calloc(HIST_US, sizeof(*hist));
	ep = epoll_create1(0);
	for (i = 0; i < nconn; i++) {
		conns[i].thing = i;
		if (conn_open(&conns[i], ep, port) == -1 ||
		    conn_kick(&conns[i]) == -1) {
			perror("connect");
			return 1;
		}
	}
	active = nconn;
	t0 = now_s();
	while (active > 0 && now_s() - t0 < seconds) {
		int n = epoll_wait(ep, evs, MAX_CONNS, 100);

		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r;
			size_t total;
			int status;
			const char *body;

			r = read(c->fd, c->resp + c->resp_len,
			    RESP_MAX - 1 - c->resp_len);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				fprintf(stderr, "connection closed\n");
				close(c->fd);
				active--;
				continue;
			}
			c->resp_len += (size_t)r;
			total = response_complete(c, &status, &body);
			if (total == 0)
				continue;
			on_response(c, status, body);
			if (c->done) {
				close(c->fd);
				active--;
				continue;
			}
			if (conn_kick(c) == -1) {
				close(c->fd);
				active--;
			}
		}
	}
	t1 = now_s();
	printf("mode=%s conns=%d seconds=%.2f requests=%llu errors=%llu"
	    " req_per_s=%.0f p50_us=%ld p99_us=%ld", argv[1], nconn, t1 - t0,
	    nreq, nerr, (double)nreq / (t1 - t0), percentile(0.50),
	    percentile(0.99));
	if (mode == MODE_ROUNDTRIP)
		printf(" round_trips=%llu round_trips_per_s=%.0f", nround,
		    (double)nround / (t1 - t0));
	printf("\n");
	return nerr > 0 && mode != MODE_ROUNDTRIP ? 1 : 0;
}
