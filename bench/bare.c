/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP ceiling for `make bench`: libmicrohttpd configured as iotjobsd
 * configures it (thread pool, epoll, answer on the second callback), and
 * a small fixed JSON reply without any work behind it. With a certificate,
 * key and trust file, the same over HTTPS asking for client certificates:
 *   bare PORT THREADS [CERT KEY TRUST]
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The whole of file PATH as a new string (the bench's inputs are small). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static const char reply[] = "{\"inProgressJobs\":[],\"queuedJobs\":[]}";

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(reply) - 1,
	    (void *)reply, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	sigset_t set;
	int sig, port = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 8099;
	unsigned threads = argc > 2 ? (unsigned)strtol(argv[2], NULL,
	    10) : 4;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (argc > 5) {
		char *cert = slurp(argv[3]), *key = slurp(argv[4]);
		char *trust = slurp(argv[5]);

		if (cert == NULL || key == NULL || trust == NULL)
			return 1;
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		    MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_TLS,
		    (uint16_t)port, NULL, NULL, on_request, NULL,
		    MHD_OPTION_HTTPS_MEM_CERT, cert,
		    MHD_OPTION_HTTPS_MEM_KEY, key,
		    MHD_OPTION_HTTPS_MEM_TRUST, trust,
		    MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_CONNECTION_LIMIT, 4096U, MHD_OPTION_END);
	} else {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		    MHD_USE_EPOLL | MHD_USE_TURBO, (uint16_t)port, NULL, NULL,
		    on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_CONNECTION_LIMIT, 4096U, MHD_OPTION_END);
	}
	if (d == NULL)
		return 1;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
