/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd: the AWS IoT Jobs data plane and jobs control plane, one daemon.
 * Start-up order: settings, credentials, store (migrations), tables, the
 * scheduler (engine/sched.c, which first runs what fell due while the
 * daemon was down), HTTP listener; SIGTERM/SIGINT stop accepting, let
 * requests in flight finish, stop the scheduler, close the store, exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "app.h"
#include "auth/auth.h"
#include "conf.h"
#include "engine/sched.h"
#include "http/router.h"
#include "http/server.h"
#include "log.h"
#include "mqtt/mqtt.h"
#include "store/store.h"
#include "store/store_outbox.h"

static void
print_first_start(const struct app *app, int port)
{
	const char *akid, *secret;

	auth_admin_key(app->auth, &akid, &secret);
	/* Printed once, on the start that created the credential. */
	printf("iotjobsd: created an admin credential in %s/credentials.json"
	    " (mode 0600).\nUse it with the AWS CLI, boto3 or the AWS SDKs:"
	    "\n\n"
	    "export AWS_ACCESS_KEY_ID=%s\n"
	    "export AWS_SECRET_ACCESS_KEY=%s\n"
	    "export AWS_DEFAULT_REGION=%s\n"
	    "export AWS_REGION=%s\n\n"
	    "aws --endpoint-url http://%s:%d iot list-things\n\n",
	    app->conf->data_dir, akid, secret, app->conf->region,
	    app->conf->region, app->conf->listen_host, port);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct conf conf;
	struct app app;
	struct http_server *srv;
	struct mqtt *mqtt;
	struct err err;
	sigset_t set;
	char prefix[160];
	bool generated = false;
	int sig;

	conf_load(&conf, argc, argv);
	log_init("iotjobsd", conf.verbosity);
	err_clear(&err);
	memset(&app, 0, sizeof(app));
	app.conf = &conf;
	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (store_open(conf.data_dir, &app.st, &err) == -1 ||
	    store_outbox_switch(app.st, conf.mqtt_url[0] != '\0',
	    conf.mqtt_url[0] != '\0' && conf.mqtt_events, &err) == -1)
		fatalx("%s", err.msg);
	if (auth_open(conf.data_dir, &app.auth, &generated, &err) == -1)
		fatalx("%s", err.msg);
	if (validate_init(&err) == -1)
		fatalx("%s", err.msg);
	router_init();
	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:", conf.region,
	    conf.account_id);
	/* Before the listener: deadlines missed while down run first. */
	if (sched_start(app.st, prefix, conf.test_clock, &err) == -1 ||
	    sched_run_now(&err) == -1)
		fatalx("%s", err.msg);
	if (http_server_start(&app, &srv, &err) == -1)
		fatalx("%s", err.msg);
	if (mqtt_start(&app, &mqtt, &err) == -1)
		fatalx("%s", err.msg);
	log_info("listening on %s:%d data-dir=%s region=%s account=%s",
	    conf.listen_host, http_server_port(srv), conf.data_dir,
	    conf.region, conf.account_id);
	if (generated)
		print_first_start(&app, http_server_port(srv));

	if (sigwait(&set, &sig) != 0)
		fatal("sigwait");
	log_info("signal %d: stopping", sig);
	http_server_stop(srv);
	mqtt_stop(mqtt);
	sched_stop();
	store_close(app.st);
	auth_close(app.auth);
	log_info("stopped");
	return 0;
}
