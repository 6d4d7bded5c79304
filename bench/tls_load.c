/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobs-tls-load: HTTPS load with a client certificate, for `make bench`.
 * N threads, each one blocking OpenSSL connection on 127.0.0.1:PORT:
 *   handshakes  a new mTLS connection per request (no session reuse):
 *               connect, handshake, GET, read the answer, close
 *   get         keep-alive GET PATH on one connection per thread
 * The certificate and key authenticate the device (iotjobsd: no SigV4);
 * against the bare TLS server they only complete the handshake. Prints
 * requests/s and p50/p99 latency.
 *   iotjobs-tls-load MODE PORT THREADS SECONDS CA CERT KEY PATH
 * Loopback only: the address is always 127.0.0.1.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define THREADS_MAX	256
#define RESP_MAX	(64 * 1024)
#define HIST_US		1000000	/* 1 us buckets up to 1 s */

static SSL_CTX *ctx;
static int port, handshakes;
static const char *path;
static double deadline;
static atomic_ullong nreq, nerr;
static atomic_uint *hist;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static SSL *
tls_connect(void)
{
	struct sockaddr_in sa;
	SSL *ssl;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		return NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return NULL;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "127.0.0.1");
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	return ssl;
}

static void
tls_close(SSL *ssl)
{
	int fd = SSL_get_fd(ssl);

	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
}

/* Sends one GET and reads its whole answer; 0 on a 200. */
static int
one_request(SSL *ssl, char *buf)
{
	char req[1024];
	size_t have = 0, need = 0;
	int n, status = 0;
	char *end;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1"
	    "\r\n\r\n", path);
	if (SSL_write(ssl, req, n) != n)
		return -1;
	for (;;) {
		n = SSL_read(ssl, buf + have, RESP_MAX - 1 - (int)have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (need == 0 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "Content-Length:");

			if (cl == NULL || sscanf(buf, "HTTP/1.1 %d", &status)
			    != 1)
				return -1;
			need = (size_t)(end + 4 - buf) +
			    strtoul(cl + 15, NULL, 10);
		}
		if (need != 0 && have >= need)
			return status == 200 ? 0 : -1;
		if (have >= RESP_MAX - 1)
			return -1;
	}
}

static void
record(double t0, int ok)
{
	double us = (now_s() - t0) * 1e6;

	atomic_fetch_add(&nreq, 1);
	if (!ok)
		atomic_fetch_add(&nerr, 1);
	atomic_fetch_add(&hist[us >= HIST_US ? HIST_US - 1 : (unsigned)us],
	    1);
}

static void *
worker(void *arg)
{
	char *buf = malloc(RESP_MAX);
	SSL *ssl = NULL;
	double t0;

	(void)arg;
	while (now_s() < deadline) {
		t0 = now_s();
		if (ssl == NULL && (ssl = tls_connect()) == NULL) {
			record(t0, 0);
			continue;
		}
		record(t0, one_request(ssl, buf) == 0);
		if (handshakes) {
			tls_close(ssl);
			ssl = NULL;
		}
	}
	if (ssl != NULL)
		tls_close(ssl);
	free(buf);
	return NULL;
}

static double
percentile(unsigned long long total, double q)
{
	unsigned long long seen = 0, want = (unsigned long long)(total * q);
	unsigned i;

	for (i = 0; i < HIST_US; i++) {
		seen += hist[i];
		if (seen > want)
			return i / 1000.0;
	}
	return HIST_US / 1000.0;
}

int
main(int argc, char **argv)
{
	pthread_t th[THREADS_MAX];
	int nthreads, secs, i;
	double t0, el;
	unsigned long long total;

	if (argc != 9) {
		fprintf(stderr, "usage: iotjobs-tls-load handshakes|get PORT"
		    " THREADS SECONDS CA CERT KEY PATH\n");
		return 2;
	}
	handshakes = strcmp(argv[1], "handshakes") == 0;
	port = (int)strtol(argv[2], NULL, 10);
	nthreads = (int)strtol(argv[3], NULL, 10);
	secs = (int)strtol(argv[4], NULL, 10);
	path = argv[8];
	if (nthreads < 1 || nthreads > THREADS_MAX)
		nthreads = 16;
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, argv[5], NULL) != 1 ||
	    SSL_CTX_use_certificate_file(ctx, argv[6], SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[7], SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	hist = calloc(HIST_US, sizeof(*hist));
	t0 = now_s();
	deadline = t0 + secs;
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	el = now_s() - t0;
	total = atomic_load(&nreq);
	printf("%s: %.0f req/s (%llu in %.1f s, %llu errors), p50 %.2f ms,"
	    " p99 %.2f ms\n", handshakes ? "new mTLS connections" :
	    "keep-alive mTLS", (double)total / el, total, el,
	    (unsigned long long)atomic_load(&nerr), percentile(total, 0.5),
	    percentile(total, 0.99));
	SSL_CTX_free(ctx);
	free(hist);
	return 0;
}
