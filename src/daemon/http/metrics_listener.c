/* SPDX-License-Identifier: Apache-2.0 */
/* The --metrics-listen listener (metrics_listener.h), libmicrohttpd. */
#include "http/metrics_listener.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/dispatch.h"
#include "metrics.h"
#include "xmalloc.h"

struct metrics_listener {
	struct app *app;
	struct MHD_Daemon *mhd;
	int port;
};

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct metrics_listener *l = cls;
	static const char missing[] = "Not Found: only GET /metrics here\n";
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned status = 200;
	char *text;
	size_t len;

	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = l;	/* answer on the second call: keep-alive */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;	/* a body is ignored */
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0) {
		metrics_render(l->app, &text, &len);
		r = MHD_create_response_from_buffer(len, text,
		    MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(r, "Content-Type",
		    METRICS_CONTENT_TYPE);
	} else {
		status = 404;
		r = MHD_create_response_from_buffer(sizeof(missing) - 1,
		    (void *)missing, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", "text/plain");
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

int
metrics_listener_start(struct app *app, struct metrics_listener **out,
    struct err *err)
{
	const struct conf *conf = app->conf;
	struct metrics_listener *l;
	struct addrinfo hints, *res;
	const union MHD_DaemonInfo *info;
	char port[16];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	int rc;

	*out = NULL;
	if (conf->metrics_listen_port < 0)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", conf->metrics_listen_port);
	rc = getaddrinfo(conf->metrics_listen_host, port, &hints, &res);
	if (rc != 0)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot resolve"
		    " --metrics-listen %s: %s", conf->metrics_listen_host,
		    gai_strerror(rc));
	l = xcalloc(1, sizeof(*l));
	l->app = app;
	if (res->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	l->mhd = MHD_start_daemon(flags, (uint16_t)conf->metrics_listen_port,
	    NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR, res->ai_addr,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30U,
	    MHD_OPTION_CONNECTION_LIMIT, 64U, MHD_OPTION_END);
	freeaddrinfo(res);
	if (l->mhd == NULL) {
		free(l);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot listen on"
		    " --metrics-listen %s:%d", conf->metrics_listen_host,
		    conf->metrics_listen_port);
	}
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info != NULL ? info->port : conf->metrics_listen_port;
	*out = l;
	return 0;
}

int
metrics_listener_port(const struct metrics_listener *l)
{
	return l != NULL ? l->port : -1;
}

void
metrics_listener_stop(struct metrics_listener *l)
{
	if (l == NULL)
		return;
	MHD_stop_daemon(l->mhd);
	free(l);
}
