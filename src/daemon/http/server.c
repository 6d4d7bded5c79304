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
 * the disk: the store's commit hook resumes every connection whose batch
 * is durable, and the answer goes out on that resumed callback.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <openssl/sha.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/dispatch.h"
#include "log.h"
#include "store/store.h"
#include "xmalloc.h"

#define HTTP_MAX_PAIRS		64
#define HTTP_HEAD_MEMORY	(64 * 1024)

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
};

struct http_conn_req {
	char *body;
	size_t len, cap;
	int too_large;
	struct MHD_Connection *conn;
	struct http_reply rep;		/* held answer while suspended */
	int held;			/* rep is waiting for its batch */
	struct http_conn_req *next;	/* in held_list */
};

/*
 * Answers held for their COMMIT. One server per process, so the list is
 * static: the store's commit hook can outlive the server object.
 */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_conn_req *held_list;
static struct store *held_store;

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

/* Store commit hook: resumes the connections whose batch has an outcome. */
static void
on_commit(void *arg)
{
	struct http_conn_req **pp, *cr;

	(void)arg;
	pthread_mutex_lock(&held_lock);
	pp = &held_list;
	while ((cr = *pp) != NULL) {
		int st = store_batch_status(held_store, cr->rep.batch);

		if (st == 0) {
			pp = &cr->next;
			continue;
		}
		if (st == -1)
			http_reply_unavailable(&cr->rep);
		cr->rep.batch = 0;
		*pp = cr->next;
		MHD_resume_connection(cr->conn);
	}
	pthread_mutex_unlock(&held_lock);
}

/* Holds REP of CR until its batch is durable; false: send it now. */
static bool
hold_reply(struct MHD_Connection *c, struct http_conn_req *cr,
    struct http_reply *rep)
{
	int st;

	if (rep->batch == 0)
		return false;
	cr->conn = c;
	cr->rep = *rep;
	cr->held = 1;
	MHD_suspend_connection(c);
	pthread_mutex_lock(&held_lock);
	st = store_batch_status(held_store, cr->rep.batch);
	if (st != 0) {
		/* Committed before we listed it: resume at once. */
		if (st == -1)
			http_reply_unavailable(&cr->rep);
		cr->rep.batch = 0;
		MHD_resume_connection(c);
	} else {
		cr->next = held_list;
		held_list = cr;
	}
	pthread_mutex_unlock(&held_lock);
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
	struct http_reply rep;
	enum MHD_Result ret;

	(void)version;
	if (cr == NULL) {
		cr = xcalloc(1, sizeof(*cr));
		*con_cls = cr;
		atomic_fetch_add(&srv->in_flight, 1);
		return MHD_YES;
	}
	if (cr->held) {
		/* Resumed: the batch of the held answer has an outcome. */
		cr->held = 0;
		ret = send_reply(c, &cr->rep);
		http_reply_release(&cr->rep);
		return ret;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		if (!cr->too_large && cr->len + n > srv->app->conf->body_limit)
			cr->too_large = 1;
		if (!cr->too_large) {
			if (cr->len + n + 1 > cr->cap) {
				cr->cap = (cr->len + n + 1) * 2;
				if (cr->cap > srv->app->conf->body_limit + 1)
					cr->cap = srv->app->conf->body_limit +
					    1;
				cr->body = xrealloc(cr->body, cr->cap);
			}
			memcpy(cr->body + cr->len, upload, n);
			cr->len += n;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect_pair, &hc);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_pair,
	    &qc);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_path = url;
	req.headers = headers;
	req.nheaders = hc.n;
	req.query = query;
	req.nquery = qc.n;
	req.body = cr->body != NULL ? cr->body : "";
	req.body_len = cr->len;
	req.body_too_large = cr->too_large;
	req.too_many_fields = hc.overflow || qc.overflow;
	req.peer = peer_address(c, peer, sizeof(peer));
	if (l->tls)
		req.client_cert_id = client_cert_id(c, cert_id);
	http_dispatch(srv->app, &req, &rep);
	if (hold_reply(c, cr, &rep))
		return MHD_YES;
	ret = send_reply(c, &rep);
	http_reply_release(&rep);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = ((struct http_listener *)cls)->srv;
	struct http_conn_req *cr = *con_cls;

	(void)c;
	(void)toe;
	if (cr == NULL)
		return;
	free(cr->body);
	free(cr);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
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

/* Starts L on HOST:PORT, over TLS when TLS is not NULL. */
static int
listener_start(struct http_listener *l, const char *host, int port,
    const struct http_tls *tls, struct err *err)
{
	const struct conf *conf = l->srv->app->conf;
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
		    MHD_OPTION_CONNECTION_TIMEOUT, conf->request_timeout,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)HTTP_HEAD_MEMORY,
		    MHD_OPTION_CONNECTION_LIMIT, 4096U,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		    MHD_OPTION_END);
	else
		l->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
		    on_request, l,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		    MHD_OPTION_THREAD_POOL_SIZE, conf->threads,
		    MHD_OPTION_CONNECTION_TIMEOUT, conf->request_timeout,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		    (size_t)HTTP_HEAD_MEMORY,
		    MHD_OPTION_CONNECTION_LIMIT, 4096U,
		    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		    MHD_OPTION_END);
	if (l->mhd == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot listen on"
		    " %s:%d%s", host, port, l->tls ? " (HTTPS: check the"
		    " certificate and key)" : "");
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info != NULL ? info->port : port;
	return 0;
}

int
http_server_start(struct app *app, const struct http_tls *tls,
    struct http_server **out, struct err *err)
{
	const struct conf *conf = app->conf;
	struct http_server *srv;

	srv = xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->plain.srv = srv;
	srv->tls.srv = srv;
	srv->tls.port = -1;
	if (held_store == NULL) {
		held_store = app->st;
		store_on_commit(app->st, on_commit, NULL);
	}
	if (listener_start(&srv->plain, conf->listen_host, conf->listen_port,
	    NULL, err) == -1) {
		free(srv);
		return -1;
	}
	if (tls != NULL && listener_start(&srv->tls, conf->tls_listen_host,
	    conf->tls_listen_port, tls, err) == -1) {
		MHD_stop_daemon(srv->plain.mhd);
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
	/* Requests in flight finish; idle keep-alive ones are closed. */
	for (i = 0; i < 1000 && atomic_load(&srv->in_flight) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(srv->plain.mhd);
	if (srv->tls.mhd != NULL)
		MHD_stop_daemon(srv->tls.mhd);
	free(srv);
}
