/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmicrohttpd glue: collects a request (head, raw path and query, body up
 * to the limit), hands it to http_dispatch(), and queues the answer on a
 * later callback than the first one, so that keep-alive is preserved
 * (libmicrohttpd 0.9.75 closes the connection when a response is queued on
 * a request's first callback).
 *
 * An answer that acknowledges writes still waiting for their group COMMIT
 * is held with the connection suspended, so that no worker thread waits on
 * the disk: the held list (api/held.h) resumes every connection whose
 * batch is durable, and the answer goes out on that resumed callback.
 *
 * Under hostile load (docs/compatibility.md, Hardening): every connection
 * of both listeners is tracked by the connection guard (conn_guard.h),
 * which closes slow heads and bodies and makes room at the connection
 * limit. A request's head is judged before its body is read
 * (http_dispatch_precheck: a bad signature claim, a body over the limit,
 * too many fields); a refused body is read and thrown away, never kept.
 * Bodies that are kept share one budget, --body-budget bytes.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <malloc.h>
#include <microhttpd.h>
#include <openssl/sha.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/held.h"
#include "http/conn_guard.h"
#include "http/dispatch.h"
#include "log.h"
#include "num.h"
#include "xmalloc.h"

#define HTTP_MAX_PAIRS		HTTP_MAX_FIELDS
/*
 * libmicrohttpd's per-connection memory: the head, its parsed fields, the
 * body's read buffer and the answer's head. Above 32 KB it is mmap()ed:
 * only what a connection writes is resident, and all of it goes back at
 * close. A connection that sends fast fills it: 4,096 of them hold about
 * 160 MB. It fits a request line of about 39 KB (5,000 short query
 * parameters, answered InvalidRequestException) and about 600 header
 * lines; past that libmicrohttpd answers 414 or 431 itself.
 */
#define HTTP_HEAD_MEMORY	(40 * 1024)
/* A refused body up to this size is read and thrown away, so that the
 * client reads its answer; past it the connection is closed after it. */
#define HTTP_DRAIN_MAX		(64UL << 20)
/* File descriptors kept from the open-file limit for everything else. */
#define HTTP_FD_RESERVE(n)	(256 + (n) / 16)
#define HTTP_BACKLOG		4096U

struct http_server;

/* One listening socket: plain HTTP, or HTTPS with client certificates. */
struct http_listener {
	struct http_server *srv;
	struct MHD_Daemon *mhd;
	int port;
	bool tls;
};

struct http_server {
	struct app *app;
	struct http_listener plain, tls;
	atomic_int in_flight;
	struct conn_guard *guard;
	atomic_size_t body_used;	/* bytes reserved by bodies */
	atomic_size_t body_peak;	/* most reserved since the last trim */
};

struct http_conn_req {
	char *body;
	size_t len, cap;
	size_t reserved;		/* of srv->body_used */
	size_t dropped;			/* body bytes thrown away */
	bool started;			/* the head was judged */
	bool too_many_query;		/* cut by on_uri */
	struct err refusal;		/* type set: answer it, drop the body */
	enum plane refusal_plane;
	struct conn_guard_conn *gc;	/* the connection's guard entry */
	struct MHD_Connection *conn;
	struct http_reply rep;		/* held answer while suspended */
	int held;			/* rep is waiting for its batch */
	struct api_held wait;		/* rep's entry in the held list */
};

/* Keep the path and query exactly as sent: SigV4 and labels need it. */
static size_t
unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

struct pair_collect {
	struct auth_pair *pairs;
	size_t n;
	int overflow;
};

static enum MHD_Result
collect_pair(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct pair_collect *pc = cls;

	(void)kind;
	if (pc->n == HTTP_MAX_PAIRS) {
		pc->overflow = 1;
		return MHD_NO;
	}
	pc->pairs[pc->n].name = key;
	pc->pairs[pc->n].value = value;
	pc->n++;
	return MHD_YES;
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct http_reply *rep)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(rep->body_len, rep->body,
	    MHD_RESPMEM_MUST_FREE);
	rep->body = NULL;
	MHD_add_response_header(r, "Content-Type", rep->content_type != NULL ?
	    rep->content_type : "application/json");
	MHD_add_response_header(r, "x-amzn-RequestId", rep->request_id);
	if (rep->error_type != NULL)
		MHD_add_response_header(r, "x-amzn-ErrorType",
		    rep->error_type);
	ret = MHD_queue_response(c, (unsigned)rep->status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * The batch of CR's held answer has an outcome (api/held.h): resumes the
 * connection, whose next callback sends the answer, or the error when the
 * COMMIT failed.
 */
static void
held_resume(void *arg, int outcome)
{
	struct http_conn_req *cr = arg;

	if (outcome == -1)
		http_reply_unavailable(&cr->rep);
	cr->rep.batch = 0;
	MHD_resume_connection(cr->conn);
}

/* Holds REP of CR until its batch is durable; false: send it now. */
static bool
hold_reply(struct http_server *srv, struct MHD_Connection *c,
    struct http_conn_req *cr, struct http_reply *rep)
{
	if (rep->batch == 0)
		return false;
	cr->conn = c;
	cr->rep = *rep;
	cr->held = 1;
	cr->wait.batch = rep->batch;
	cr->wait.fn = held_resume;
	cr->wait.arg = cr;
	cr->wait.front = srv;
	MHD_suspend_connection(c);
	api_held_add(&cr->wait);
	return true;
}

/* The peer's address as text in BUF, or NULL. */
static const char *
peer_address(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return NULL;
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, buf, (socklen_t)size);
	if (sa->sa_family == AF_INET6)
		return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, buf, (socklen_t)size);
	return NULL;
}

/*
 * The id (hex SHA-256 of the DER) of the certificate the TLS peer
 * presented, in BUF, or NULL when it presented none. GnuTLS has checked
 * during the handshake that the peer holds the certificate's private
 * key; whether the certificate may be used is the store's to say.
 */
static const char *
client_cert_id(struct MHD_Connection *c, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	const union MHD_ConnectionInfo *ci;
	const gnutls_datum_t *peers;
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned n = 0;
	size_t i;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return NULL;
	peers = gnutls_certificate_get_peers(
	    (gnutls_session_t)ci->tls_session, &n);
	if (peers == NULL || n == 0)
		return NULL;
	SHA256(peers[0].data, peers[0].size, md);
	for (i = 0; i < sizeof(md); i++) {
		buf[2 * i] = hex[md[i] >> 4];
		buf[2 * i + 1] = hex[md[i] & 0xf];
	}
	buf[2 * sizeof(md)] = '\0';
	return buf;
}

/* --- the body budget ---------------------------------------------- */

/* Reserves N more bytes of the body budget for CR; false when full. */
static bool
budget_take(struct http_server *srv, struct http_conn_req *cr, size_t n)
{
	size_t cap = srv->app->conf->body_budget;
	size_t used = atomic_load(&srv->body_used);

	do {
		if (used + n > cap || used + n < used)
			return false;
	} while (!atomic_compare_exchange_weak(&srv->body_used, &used,
	    used + n));
	if (used + n > atomic_load(&srv->body_peak))
		atomic_store(&srv->body_peak, used + n);
	cr->reserved += n;
	return true;
}

/*
 * Past a burst of bodies (BODY_TRIM_AFTER bytes at once) the allocator
 * keeps their freed memory; the last body of the burst gives it back to
 * the system, so that memory returns after a flood (conn_guard.c does the
 * same after a burst of connections). Normal traffic never holds that
 * much at once and never pays for the trim.
 */
#define BODY_TRIM_AFTER	(8u << 20)

static void
budget_settle(struct http_server *srv, size_t was)
{
	if (was > 0 && atomic_load(&srv->body_used) == 0 &&
	    atomic_load(&srv->body_peak) >= BODY_TRIM_AFTER &&
	    atomic_exchange(&srv->body_peak, 0) >= BODY_TRIM_AFTER)
		malloc_trim(0);
}

/* Frees CR's body and gives its reservation back. */
static void
body_release(struct http_server *srv, struct http_conn_req *cr)
{
	size_t was = cr->reserved;

	free(cr->body);
	cr->body = NULL;
	cr->len = cr->cap = 0;
	if (cr->reserved > 0)
		atomic_fetch_sub(&srv->body_used, cr->reserved);
	cr->reserved = 0;
	budget_settle(srv, was);
}

static void
refuse_busy(struct http_server *srv, struct http_conn_req *cr)
{
	body_release(srv, cr);
	err_set(&cr->refusal, ERR_UNAVAILABLE, "Too many request bodies are"
	    " being received at once; retry the request.");
}

/* Keeps N bytes of body at UPLOAD, unless CR is refused (then dropped). */
static void
body_add(struct http_server *srv, struct http_conn_req *cr,
    const char *upload, size_t n)
{
	size_t limit = srv->app->conf->body_limit, want;

	if (cr->refusal.type != NULL) {
		cr->dropped += n;
		return;
	}
	if (cr->len + n > limit) {
		body_release(srv, cr);
		err_set(&cr->refusal, ERR_INVALID_REQUEST, "The request body"
		    " exceeds the limit of %zu bytes", limit);
		return;
	}
	if (cr->len + n + 1 > cr->cap) {
		/* No Content-Length (chunked): grow within the budget. */
		want = (cr->len + n + 1) * 2;
		if (want > limit + 1)
			want = limit + 1;
		if (!budget_take(srv, cr, want - cr->cap)) {
			refuse_busy(srv, cr);
			return;
		}
		cr->body = xrealloc(cr->body, want);
		cr->cap = want;
	}
	memcpy(cr->body + cr->len, upload, n);
	cr->len += n;
}

/* --- requests ------------------------------------------------------- */

/* The number of '&'-separated parameters of the query Q. */
static size_t
query_count(const char *q)
{
	size_t n = 1;

	for (; *q != '\0'; q++)
		if (*q == '&')
			n++;
	return n;
}

/*
 * libmicrohttpd calls this once the request line is in, before it parses
 * the query: the request's state begins here. libmicrohttpd 0.9.75 keeps
 * every query parameter in the connection's memory and, when that runs
 * out part of the way (about a thousand of them), drops the connection
 * without an answer. A query with more parameters than a request may have
 * is therefore cut off here, in libmicrohttpd's own writable read buffer
 * (handed to us as const), so that it parses none; the request is then
 * answered InvalidRequestException.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_listener *l = cls;
	struct http_conn_req *cr = xcalloc(1, sizeof(*cr));
	char *q = strchr(uri, '?');

	(void)c;
	atomic_fetch_add(&l->srv->in_flight, 1);
	if (q != NULL && query_count(q + 1) > HTTP_MAX_PAIRS) {
		cr->too_many_query = true;
		q[1] = '\0';
	}
	return cr;
}

static struct conn_guard_conn *
guard_entry(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* The request's head, fields and peer into REQ (arrays of HTTP_MAX_PAIRS). */
static void
request_fill(struct http_listener *l, struct MHD_Connection *c,
    struct http_conn_req *cr, const char *url, const char *method,
    struct pair_collect *hc, struct pair_collect *qc, char *peer,
    char *cert_id, struct http_request *req)
{
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_pair, hc);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_pair, qc);
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->raw_path = url;
	req->headers = hc->pairs;
	req->nheaders = hc->n;
	req->query = qc->pairs;
	req->nquery = qc->n;
	req->body = cr->body != NULL ? cr->body : "";
	req->body_len = cr->len;
	req->too_many_fields = hc->overflow || qc->overflow ||
	    cr->too_many_query;
	req->peer = peer_address(c, peer, INET6_ADDRSTRLEN);
	if (l->tls)
		req->client_cert_id = client_cert_id(c, cert_id);
}

/* The declared Content-Length, or -1 when none (chunked, or no body). */
static long long
content_length(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t n;

	if (v == NULL || num_parse_i64(v, 0, INT64_MAX, &n) == -1)
		return -1;
	return n;
}

/*
 * The first call for a request, its head complete: judge it before any of
 * its body is read. Returns false to answer at once (and close), true to
 * go on reading (and keeping, or throwing away) the body.
 */
static bool
head_judge(struct http_listener *l, struct MHD_Connection *c,
    struct http_conn_req *cr, const struct http_request *req)
{
	struct http_server *srv = l->srv;
	size_t limit = srv->app->conf->body_limit;
	long long clen = content_length(c);
	struct http_request hr = *req;

	hr.body_too_large = clen > (long long)limit;
	if (http_dispatch_precheck(srv->app, &hr, &cr->refusal_plane,
	    &cr->refusal) == -1)
		/* A client waiting for 100 Continue sends no body then. */
		return clen <= (long long)HTTP_DRAIN_MAX &&
		    !MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_EXPECT);
	if (clen > 0) {
		if (!budget_take(srv, cr, (size_t)clen + 1)) {
			refuse_busy(srv, cr);
			return true;
		}
		cr->body = xmalloc((size_t)clen + 1);
		cr->cap = (size_t)clen + 1;
	}
	return true;
}

static enum MHD_Result
answer(struct http_listener *l, struct MHD_Connection *c,
    struct http_conn_req *cr, const struct http_request *req)
{
	struct http_reply rep;
	enum MHD_Result ret;

	if (cr->refusal.type != NULL)
		http_dispatch_refuse(l->srv->app, req, cr->refusal_plane,
		    &cr->refusal, &rep);
	else
		http_dispatch(l->srv->app, req, &rep);
	body_release(l->srv, cr);
	if (hold_reply(l->srv, c, cr, &rep))
		return MHD_YES;
	ret = send_reply(c, &rep);
	http_reply_release(&rep);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http_listener *l = cls;
	struct http_server *srv = l->srv;
	struct http_conn_req *cr = *con_cls;
	struct auth_pair headers[HTTP_MAX_PAIRS], query[HTTP_MAX_PAIRS];
	char peer[INET6_ADDRSTRLEN], cert_id[2 * SHA256_DIGEST_LENGTH + 1];
	struct pair_collect hc = { headers, 0, 0 }, qc = { query, 0, 0 };
	struct http_request req;
	enum MHD_Result ret;

	(void)version;
	if (cr == NULL) {
		/* on_uri makes it; this is for safety only. */
		cr = xcalloc(1, sizeof(*cr));
		*con_cls = cr;
		atomic_fetch_add(&srv->in_flight, 1);
	}
	if (cr->held) {
		/* Resumed: the batch of the held answer has an outcome. */
		cr->held = 0;
		ret = send_reply(c, &cr->rep);
		http_reply_release(&cr->rep);
		return ret;
	}
	if (!cr->started) {
		cr->started = true;
		cr->gc = guard_entry(c);
		if (cr->gc != NULL && !conn_guard_head(srv->guard, cr->gc,
		    conn_guard_now_ms()))
			return MHD_NO;
		request_fill(l, c, cr, url, method, &hc, &qc, peer, cert_id,
		    &req);
		if (head_judge(l, c, cr, &req))
			return MHD_YES;
		/* Too large to read through: answer now, then close. */
		return answer(l, c, cr, &req);
	}
	if (*upload_size > 0) {
		if (cr->gc != NULL)
			conn_guard_body(srv->guard, cr->gc, *upload_size,
			    conn_guard_now_ms());
		body_add(srv, cr, upload, *upload_size);
		*upload_size = 0;
		/* A refused body longer than worth reading: hang up. */
		return cr->dropped > HTTP_DRAIN_MAX ? MHD_NO : MHD_YES;
	}
	if (cr->gc != NULL)
		conn_guard_busy(srv->guard, cr->gc);
	request_fill(l, c, cr, url, method, &hc, &qc, peer, cert_id, &req);
	return answer(l, c, cr, &req);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = ((struct http_listener *)cls)->srv;
	struct http_conn_req *cr = *con_cls;
	struct conn_guard_conn *gc;

	(void)toe;
	if (cr == NULL)
		return;
	gc = cr->gc != NULL ? cr->gc : guard_entry(c);
	if (gc != NULL)
		conn_guard_idle(srv->guard, gc, conn_guard_now_ms());
	body_release(srv, cr);
	free(cr);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* --- connections ---------------------------------------------------- */

/*
 * The answer written on a plain connection the guard refuses or whose
 * head is late, before it is shut down: AWS-shaped, so that a client
 * sees why (a TLS connection is shut down without one: its bytes would
 * have to be encrypted). Best effort: the socket is never waited for.
 */
static void
guard_answer(int fd, enum conn_guard_why why, const struct conf *conf)
{
	char body[256], head[512], rid[40];
	const char *reason, *type;
	int status, bn, hn;

	switch (why) {
	case CONN_GUARD_HEAD_TIMEOUT:
		status = 408;
		reason = "Request Timeout";
		type = "RequestTimeoutException";
		bn = snprintf(body, sizeof(body), "{\"message\":\"The request"
		    " head was not complete within %u seconds.\"}",
		    conf->head_timeout);
		break;
	case CONN_GUARD_PER_ADDRESS:
		status = 429;
		reason = "Too Many Requests";
		type = ERR_THROTTLING;
		bn = snprintf(body, sizeof(body), "{\"message\":\"Too many"
		    " connections from this address: at most %u.\"}",
		    conf->per_address_limit);
		break;
	case CONN_GUARD_FULL:
		status = 503;
		reason = "Service Unavailable";
		type = ERR_UNAVAILABLE;
		bn = snprintf(body, sizeof(body), "{\"message\":\"Every"
		    " connection is busy; retry the request.\"}");
		break;
	default:
		return;
	}
	http_request_id(rid, sizeof(rid));
	hn = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\nx-amzn-RequestId: %s\r\n"
	    "x-amzn-ErrorType: %s\r\nConnection: close\r\n"
	    "Content-Length: %d\r\n\r\n%s", status, reason, rid, type, bn,
	    body);
	if (hn > 0 && (size_t)hn < sizeof(head))
		(void)send(fd, head, (size_t)hn, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* conn_guard_close_fn: libmicrohttpd sees the shutdown as a hang-up. */
static void
guard_close(int fd, bool tls, enum conn_guard_why why, void *arg)
{
	struct http_server *srv = arg;

	if (!tls)
		guard_answer(fd, why, srv->app->conf);
	shutdown(fd, SHUT_RDWR);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_listener *l = cls;
	const union MHD_ConnectionInfo *fd, *addr;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		conn_guard_gone(l->srv->guard, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd == NULL)
		return;
	*socket_context = conn_guard_open(l->srv->guard, fd->connect_fd,
	    addr != NULL ? addr->client_addr : NULL, l->tls,
	    conn_guard_now_ms());
}

static int
resolve(const char *host, int port, struct sockaddr_storage *ss,
    socklen_t *sslen, struct err *err)
{
	struct addrinfo hints, *res;
	char portstr[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0)
		return err_set(err, ERR_INTERNAL_FAILURE,
		    "cannot resolve listen address %s: %s", host,
		    gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * Starts L on HOST:PORT, over TLS when TLS is not NULL, with at most
 * MHD_LIMIT connections (the guard's limit and slack: the guard decides
 * before libmicrohttpd would refuse).
 */
static int
listener_start(struct http_listener *l, const char *host, int port,
    const struct http_tls *tls, unsigned mhd_limit, struct err *err)
{
	const struct conf *conf = l->srv->app->conf;
	/* Its inactivity timeout, reset by every byte, is a backstop only. */
	unsigned idle = conf->request_timeout > conf->head_timeout ?
	    conf->request_timeout : conf->head_timeout;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags;
	const union MHD_DaemonInfo *info;

	if (resolve(host, port, &ss, &sslen, err) == -1)
		return -1;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	l->tls = tls != NULL;
	if (l->tls)
		/* The trust list only makes GnuTLS ask for a certificate. */
		l->mhd = MHD_start_daemon(flags | MHD_USE_TLS, (uint16_t)port,
		    NULL, NULL, on_request, l,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_HTTPS_MEM_CERT, tls->cert_pem,
		    MHD_OPTION_HTTPS_MEM_KEY, tls->key_pem,
		    MHD_OPTION_HTTPS_MEM_TRUST, tls->trust_pem,
		    MHD_OPTION_THREAD_POOL_SIZE, conf->threads,
		    MHD_OPTION_CONNECTION_TIMEOUT, idle,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)HTTP_HEAD_MEMORY,
		    MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, HTTP_BACKLOG,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		    MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		    MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		    MHD_OPTION_END);
	else
		l->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
		    on_request, l,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_THREAD_POOL_SIZE, conf->threads,
		    MHD_OPTION_CONNECTION_TIMEOUT, idle,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)HTTP_HEAD_MEMORY,
		    MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, HTTP_BACKLOG,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		    MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		    MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		    MHD_OPTION_END);
	if (l->mhd == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot listen on"
		    " %s:%d%s", host, port, l->tls ? " (HTTPS: check the"
		    " certificate and key)" : "");
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info != NULL ? info->port : port;
	return 0;
}

/*
 * The guard's limits from CONF: the connection limit is --max-connections,
 * or the open-file limit (main() raised it to its hard limit) less a
 * reserve for the store, the threads and the broker; never more than that.
 */
static void
guard_limits(const struct conf *conf, struct conn_guard_limits *lim)
{
	struct rlimit rl;
	rlim_t nofile = 1024, fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = rl.rlim_cur;
	else if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		nofile = 1U << 20;
	if (nofile > 1U << 24)
		nofile = 1U << 24;
	fit = nofile > HTTP_FD_RESERVE(nofile) + 64 ?
	    nofile - HTTP_FD_RESERVE(nofile) : 64;
	memset(lim, 0, sizeof(*lim));
	lim->max_conns = conf->max_connections > 0 &&
	    conf->max_connections < fit ? conf->max_connections :
	    (unsigned)fit;
	if (conf->max_connections > fit)
		log_warnx("http: --max-connections %u lowered to %u: the"
		    " open-file limit is %llu", conf->max_connections,
		    lim->max_conns, (unsigned long long)nofile);
	lim->slack = (unsigned)(HTTP_FD_RESERVE(nofile) / 2);
	lim->per_address = conf->per_address_limit;
	lim->exempt_loopback = conf->per_address_exempt_loopback;
	lim->head_ms = conf->head_timeout * 1000;
	lim->idle_ms = conf->request_timeout * 1000;
	lim->body_min_rate = conf->body_min_rate;
	log_info("http: at most %u connections (open-file limit %llu), %u"
	    " per address%s, %us for a head, bodies at %zu B/s, %zu bytes of"
	    " bodies at once", lim->max_conns, (unsigned long long)nofile,
	    lim->per_address, lim->exempt_loopback ? " (loopback exempt)" :
	    "", conf->head_timeout, conf->body_min_rate, conf->body_budget);
}

int
http_server_start(struct app *app, const struct http_tls *tls,
    struct http_server **out, struct err *err)
{
	const struct conf *conf = app->conf;
	struct conn_guard_limits lim;
	struct http_server *srv;
	unsigned mhd_limit;

	srv = xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->plain.srv = srv;
	srv->tls.srv = srv;
	srv->tls.port = -1;
	guard_limits(conf, &lim);
	mhd_limit = lim.max_conns + lim.slack;
	if (conn_guard_new(&lim, guard_close, srv, &srv->guard, err) == -1 ||
	    conn_guard_start(srv->guard, err) == -1) {
		conn_guard_free(srv->guard);
		free(srv);
		return -1;
	}
	api_held_start(app->st);
	/* HTTPS first: once the plain port accepts, both do. */
	if (tls != NULL && listener_start(&srv->tls, conf->tls_listen_host,
	    conf->tls_listen_port, tls, mhd_limit, err) == -1) {
		conn_guard_free(srv->guard);
		free(srv);
		return -1;
	}
	if (listener_start(&srv->plain, conf->listen_host, conf->listen_port,
	    NULL, mhd_limit, err) == -1) {
		if (srv->tls.mhd != NULL)
			MHD_stop_daemon(srv->tls.mhd);
		conn_guard_free(srv->guard);
		free(srv);
		return -1;
	}
	*out = srv;
	return 0;
}

int
http_server_port(const struct http_server *srv)
{
	return srv->plain.port;
}

int
http_server_tls_port(const struct http_server *srv)
{
	return srv->tls.port;
}

void
http_server_stop(struct http_server *srv)
{
	int i;

	if (srv == NULL)
		return;
	MHD_quiesce_daemon(srv->plain.mhd);
	if (srv->tls.mhd != NULL)
		MHD_quiesce_daemon(srv->tls.mhd);
	conn_guard_quiesce(srv->guard);
	/* Requests in flight finish; idle keep-alive ones are closed. */
	for (i = 0; i < 1000 && atomic_load(&srv->in_flight) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (atomic_load(&srv->in_flight) > 0)
		log_warnx("http: stopping with %d requests unfinished",
		    atomic_load(&srv->in_flight));
	MHD_stop_daemon(srv->plain.mhd);
	if (srv->tls.mhd != NULL)
		MHD_stop_daemon(srv->tls.mhd);
	conn_guard_free(srv->guard);
	free(srv);
}
