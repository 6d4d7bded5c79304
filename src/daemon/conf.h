/* SPDX-License-Identifier: Apache-2.0 */
/* iotjobsd's settings, from flags and environment variables. */
#ifndef IOTJOBS_CONF_H
#define IOTJOBS_CONF_H

#include <limits.h>
#include <stddef.h>

struct conf {
	char listen_host[256];
	int listen_port;
	char data_dir[PATH_MAX];
	char region[64];
	char account_id[16];
	size_t body_limit;	/* bytes of request body accepted */
	unsigned request_timeout;	/* seconds of idle connection */
	unsigned threads;	/* HTTP worker threads */
	int verbosity;
};

/* Fills CONF from the environment and ARGV; exits on --help or bad flags. */
void conf_load(struct conf *conf, int argc, char **argv);

#endif
