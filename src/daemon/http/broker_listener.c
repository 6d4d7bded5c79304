/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The broker socket (broker_listener.h) on libmicrohttpd: a listening
 * AF_UNIX socket of ours handed to a daemon of its own, a small thread
 * pool, GET requests without bodies answered by broker_serve().
 */
#include "http/broker_listener.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "auth/ca.h"
#include "http/broker.h"
#include "log.h"

#define BROKER_THREADS		2
#define BROKER_TIMEOUT_S	30

struct broker_listener {
	struct app *app;
	struct MHD_Daemon *mhd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static const char *
broker_query(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
broker_reply(struct MHD_Connection *c, int status, json_t *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
broker_on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct broker_listener *bl = cls;
	struct err err;
	json_t *out;
	int status;

	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = bl;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;	/* no route takes a body */
		return MHD_YES;
	}
	err_clear(&err);
	if (broker_serve(bl->app, method, url, broker_query, c, &out, &status,
	    &err) == -1) {
		if (status >= 500)
			log_warnx("broker: %s %s: %s", method, url, err.msg);
		out = json_pack("{s:s, s:s}", "__type", err.type,
		    "message", err.msg);
	}
	return broker_reply(c, status, out);
}

/*
 * The broker's TLS server certificate, DATA_DIR/tls/broker.crt and
 * broker.key, issued by iotjobsd's CA for the --broker-endpoint host (when
 * set), localhost and 127.0.0.1; reissued as ca_server_cert() says.
 */
static int
broker_server_cert(struct app *app, struct err *err)
{
	const struct conf *conf = app->conf;
	char cert[PATH_MAX + 32], key[PATH_MAX + 32], host[256];
	const char *hosts[3];
	const char *colon = strrchr(conf->broker_endpoint, ':');
	size_t n = 0, len;

	len = colon != NULL ? (size_t)(colon - conf->broker_endpoint) :
	    strlen(conf->broker_endpoint);
	if (len > 0 && len < sizeof(host)) {
		memcpy(host, conf->broker_endpoint, len);
		host[len] = '\0';
		if (strcmp(host, "localhost") != 0 &&
		    strcmp(host, "127.0.0.1") != 0)
			hosts[n++] = host;
	}
	hosts[n++] = "localhost";
	hosts[n++] = "127.0.0.1";
	snprintf(cert, sizeof(cert), "%s/tls/broker.crt", conf->data_dir);
	snprintf(key, sizeof(key), "%s/tls/broker.key", conf->data_dir);
	return ca_server_cert(app->ca, hosts, n, cert, key, err) == -1 ? -1 :
	    0;
}

/* A listening socket at PATH, mode 0660; -1 with ERR; -2 when another
 * process serves PATH. */
static int
broker_bind(const char *path, struct err *err)
{
	struct sockaddr_un sa;
	struct stat sb;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(err, ERR_INTERNAL_FAILURE, "broker socket path "
		    "\"%s\" is longer than %zu bytes", path,
		    sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "socket: %s",
		    strerror(errno));
	/*
	 * A socket left by a previous run is replaced; one that answers
	 * belongs to another iotjobsd of the same data folder, which serves
	 * the same store: leave it. Never remove anything else.
	 */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			close(fd);
			return err_set(err, ERR_INTERNAL_FAILURE, "%s exists "
			    "and is not a socket", path);
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return -2;
		}
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot listen on %s: %s",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
broker_listener_start(struct app *app, struct broker_listener **out,
    struct err *err)
{
	const char *path = app->conf->broker_socket;
	struct broker_listener *bl;
	int fd;

	*out = NULL;
	if (path[0] == '\0')
		return 0;
	if (broker_ca_sync(app, true, err) == -1 ||
	    (app->ca != NULL && broker_server_cert(app, err) == -1))
		return -1;
	if ((fd = broker_bind(path, err)) == -1)
		return -1;
	if (fd == -2) {
		log_info("broker socket %s: served by another iotjobsd", path);
		return 0;
	}
	bl = calloc(1, sizeof(*bl));
	if (bl == NULL)
		fatal("calloc");
	bl->app = app;
	/* broker_bind() refused a path longer than sun_path. */
	memcpy(bl->path, path, strnlen(path, sizeof(bl->path) - 1));
	bl->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL, 0, NULL, NULL, broker_on_request, bl,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)BROKER_THREADS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)BROKER_TIMEOUT_S,
	    MHD_OPTION_END);
	if (bl->mhd == NULL) {
		close(fd);
		unlink(path);
		free(bl);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot serve the "
		    "broker socket %s", path);
	}
	log_info("broker socket %s", path);
	*out = bl;
	return 0;
}

void
broker_listener_stop(struct broker_listener *bl)
{
	if (bl == NULL)
		return;
	MHD_stop_daemon(bl->mhd);
	unlink(bl->path);
	free(bl);
}
