/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotjobsd: the AWS IoT Jobs data plane and jobs control plane, one daemon.
 * Start-up order: settings, credentials, store (migrations), tables, the
 * scheduler (engine/sched.c, which first runs what fell due while the
 * daemon was down), HTTP listener, MQTT; SIGTERM/SIGINT stop accepting,
 * let requests in flight finish, stop the scheduler, close the store,
 * exit 0.
 *
 * Several daemons may share one data folder: each serves HTTP, and one of
 * them leads (store_lead_try): it runs the scheduler and the MQTT work that
 * must happen once. The others stand by and take the lead, in turn, the
 * moment the leader exits; a leader that lost the lead (PostgreSQL: the
 * database ended its lock's connection and another node took the lock
 * first) stops that work and stands by too.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "api/validate.h"
#include "app.h"
#include "auth/auth.h"
#include "auth/authz.h"
#include "auth/ca.h"
#include "backup_cmd.h"
#include "clock.h"
#include "conf.h"
#include "credentials_cmd.h"
#include "engine/sched.h"
#include "http/broker_listener.h"
#include "http/metrics_listener.h"
#include "http/health.h"
#include "http/router.h"
#include "http/server.h"
#include "log.h"
#include "migrate_cmd.h"
#include "mqtt/mqtt.h"
#include "perms.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "version.h"
#include "xmalloc.h"

/*
 * The admin credential this start created: its secret is printed once,
 * and only to a terminal; a service manager's journal or a redirected
 * log gets the path of the 0600 file that holds it instead.
 */
static void
print_first_start(const struct app *app, int port)
{
	const char *akid, *secret;

	if (!isatty(STDOUT_FILENO)) {
		log_info("created an admin credential in %s/credentials.json"
		    " (mode 0600); its secret is not printed: stdout is not a"
		    " terminal", app->conf->data_dir);
		return;
	}
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

#define LEAD_POLL_MS	100	/* how often a standby node tries to lead */
#define PEM_MAX		(1024 * 1024)

/* The whole of file PATH as a new string; NULL with ERR. */
static char *
read_pem(const char *path, struct err *err)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL) {
		err_set(err, ERR_INTERNAL_FAILURE, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	buf = xmalloc(PEM_MAX + 1);
	n = fread(buf, 1, PEM_MAX, f);
	fclose(f);
	if (n == 0 || n == PEM_MAX) {
		free(buf);
		err_set(err, ERR_INTERNAL_FAILURE, "%s is empty or larger than"
		    " %d bytes", path, PEM_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The certificate of the HTTPS listener, when --tls-cert is not given:
 * DATA_DIR/tls/https.crt and https.key, issued by iotjobsd's CA for the
 * --public-endpoint host and the --tls-listen host (this machine's name
 * when that is a wildcard address), and reissued when those change.
 */
static int
tls_issue(const struct app *app, char *cert, char *key, size_t size,
    struct err *err)
{
	const struct conf *conf = app->conf;
	const char *hosts[2];
	char name[256];
	size_t n = 0;

	if (conf->public_endpoint[0] != '\0')
		hosts[n++] = conf->public_endpoint;
	if (strcmp(conf->tls_listen_host, "0.0.0.0") != 0 &&
	    strcmp(conf->tls_listen_host, "::") != 0) {
		hosts[n++] = conf->tls_listen_host;
	} else if (n == 0) {
		if (gethostname(name, sizeof(name)) == -1)
			return err_set(err, ERR_INTERNAL_FAILURE,
			    "gethostname: %s", strerror(errno));
		name[sizeof(name) - 1] = '\0';
		hosts[n++] = name;
	}
	snprintf(cert, size, "%s/tls/https.crt", conf->data_dir);
	snprintf(key, size, "%s/tls/https.key", conf->data_dir);
	return ca_server_cert(app->ca, hosts, n, cert, key, err) == -1 ? -1 :
	    0;
}

/*
 * The HTTPS listener's PEM texts into TLS (freed by tls_release): the
 * given --tls-cert and --tls-key, or the ones iotjobsd's CA issued. The
 * trust list, the CA's certificate, only makes the listener ask clients
 * for a certificate; which ones may be used is the store's to say.
 */
static int
tls_load(const struct app *app, struct http_tls *tls, struct err *err)
{
	const struct conf *conf = app->conf;
	char cert_path[PATH_MAX + 32], key_path[PATH_MAX + 32];
	char *cert, *key, *trust;

	if ((conf->tls_cert[0] == '\0') != (conf->tls_key[0] == '\0'))
		return err_set(err, ERR_INTERNAL_FAILURE, "--tls-cert and"
		    " --tls-key go together");
	if (conf->tls_cert[0] != '\0') {
		snprintf(cert_path, sizeof(cert_path), "%s", conf->tls_cert);
		snprintf(key_path, sizeof(key_path), "%s", conf->tls_key);
	} else if (tls_issue(app, cert_path, key_path, sizeof(cert_path),
	    err) == -1) {
		return -1;
	}
	if ((cert = read_pem(cert_path, err)) == NULL)
		return -1;
	if ((key = read_pem(key_path, err)) == NULL) {
		free(cert);
		return -1;
	}
	trust = xstrdup(ca_cert(app->ca)->pem);
	tls->cert_pem = cert;
	tls->key_pem = key;
	tls->trust_pem = trust;
	return 0;
}

static void
tls_release(struct http_tls *tls)
{
	if (tls->key_pem != NULL)
		explicit_bzero((char *)tls->key_pem, strlen(tls->key_pem));
	free((char *)tls->cert_pem);
	free((char *)tls->key_pem);
	free((char *)tls->trust_pem);
	memset(tls, 0, sizeof(*tls));
}

/*
 * Resources before anything is opened: files created 0600 and folders
 * 0700 (perms.h); as many descriptors as the hard limit allows, since
 * every HTTP connection is one (http/server.c derives its limit from
 * it); request bodies in memory of their own, which free() gives back
 * to the system at once, not heap that a flood would leave behind.
 */
static void
process_setup(void)
{
	struct rlimit rl;

	umask(077);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_cur == RLIM_INFINITY)
			rl.rlim_cur = 1U << 20;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("cannot raise the open-file limit from %llu",
			    (unsigned long long)was);
	}
	/* Fixed, so that glibc does not raise it after each free. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

/* The store hook: the store gave up on its files; stop, exit non-zero. */
static void
on_store_failure(void *arg)
{
	(void)arg;
	kill(getpid(), SIGTERM);
}

static void
on_foreign_commit(void *arg)
{
	(void)arg;
	sched_poke();
}

/*
 * The leader's work: deadlines missed (while no node led) run first, then
 * the scheduler thread; other nodes' writes wake it and the notifier.
 */
static int
lead(struct app *app, struct mqtt *mqtt, struct err *err)
{
	if (sched_run_now(err) == -1 || sched_start(err) == -1 ||
	    store_watch_start(app->st, on_foreign_commit, NULL, err) == -1)
		return -1;
	mqtt_lead(mqtt);
	return 0;
}

/* This node no longer leads: its leader's work stops; it stands by. */
static void
follow(struct mqtt *mqtt)
{
	health_set_leader(false);
	mqtt_follow(mqtt);
	sched_stop();
}

/*
 * The lead's keeper, for the life of the process: a standby node tries to
 * lead every LEAD_POLL_MS; a leading one checks that it still does.
 */
struct keeper {
	struct app *app;
	struct mqtt *mqtt;
	bool leads;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

static void
keeper_step(struct keeper *kp)
{
	struct err err;
	int rc;

	err_clear(&err);
	if (kp->leads) {
		if (store_leads(kp->app->st))
			return;
		log_warnx("standing by: another iotjobsd leads now");
		follow(kp->mqtt);
		kp->leads = false;
		return;
	}
	rc = store_lead_try(kp->app->st, &err);
	if (rc == 1) {
		log_info("leading: the previous leader is gone");
		health_set_leader(true);
		if (lead(kp->app, kp->mqtt, &err) == -1)
			fatalx("%s", err.msg);
		kp->leads = true;
	} else if (rc == -1)
		log_warnx("%s", err.msg);
}

static void *
keeper_main(void *arg)
{
	struct keeper *kp = arg;
	struct timespec ts;

	pthread_mutex_lock(&kp->lock);
	while (!kp->stop) {
		pthread_mutex_unlock(&kp->lock);
		keeper_step(kp);
		ts = clock_deadline_ms(LEAD_POLL_MS);
		pthread_mutex_lock(&kp->lock);
		if (!kp->stop)
			pthread_cond_timedwait(&kp->cond, &kp->lock, &ts);
	}
	pthread_mutex_unlock(&kp->lock);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct conf conf;
	struct app app;
	struct http_server *srv;
	struct broker_listener *broker;
	struct metrics_listener *metrics;
	struct mqtt *mqtt;
	struct keeper kp = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct http_tls tls = { NULL, NULL, NULL };
	struct err err;
	sigset_t set;
	char prefix[160];
	bool generated = false, failed;
	int sig, leads;

	if (credentials_cmd_is(argc, argv))
		return credentials_cmd_main(argc, argv);
	if (backup_cmd_is(argc, argv))
		return backup_cmd_main(argc, argv);
	if (migrate_cmd_is(argc, argv))
		return migrate_cmd_main(argc, argv);
	conf_load(&conf, argc, argv);
	log_init("iotjobsd", conf.verbosity);
	log_configure(conf.log_format, conf.log_level);
	err_clear(&err);
	memset(&app, 0, sizeof(app));
	app.conf = &conf;
	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	process_setup();

	if (perms_check(conf.data_dir, conf_store_url(&conf),
	    conf.strict_permissions, &err) == -1)
		fatalx("%s", err.msg);
	if (store_open(conf_store_url(&conf), &app.st, &err) == -1 ||
	    store_outbox_switch(app.st, conf.mqtt_url[0] != '\0',
	    conf.mqtt_url[0] != '\0' && conf.mqtt_events, &err) == -1)
		fatalx("%s", err.msg);
	store_on_failure(app.st, on_store_failure, NULL);
	if (auth_open(conf.data_dir, app.st, &app.auth, &generated,
	    &err) == -1)
		fatalx("%s", err.msg);
	if (ca_open(conf.data_dir, conf.ca_cert[0] != '\0' ? conf.ca_cert :
	    NULL, conf.ca_key[0] != '\0' ? conf.ca_key : NULL, &app.ca,
	    &err) == -1 || ca_register(app.ca, app.st, clock_now(), &err) == -1)
		fatalx("%s", err.msg);
	if (authz_open(app.st, &conf, &app.authz, &err) == -1 ||
	    validate_init(&err) == -1)
		fatalx("%s", err.msg);
	if (conf.tls_listen_port >= 0 && tls_load(&app, &tls, &err) == -1)
		fatalx("%s", err.msg);
	router_init();
	snprintf(prefix, sizeof(prefix), "arn:aws:iot:%s:%s:", conf.region,
	    conf.account_id);
	if ((leads = store_lead_try(app.st, &err)) == -1 ||
	    sched_init(app.st, prefix, conf.test_clock, &err) == -1)
		fatalx("%s", err.msg);
	health_set_leader(leads);
	/* Before the listener: deadlines missed while down run first. */
	if (leads && (sched_run_now(&err) == -1 || sched_start(&err) == -1))
		fatalx("%s", err.msg);
	/* The API's listener last: once it accepts, every listener does. */
	if (broker_listener_start(&app, &broker, &err) == -1 ||
	    metrics_listener_start(&app, &metrics, &err) == -1 ||
	    http_server_start(&app, conf.tls_listen_port >= 0 ? &tls : NULL,
	    &srv, &err) == -1)
		fatalx("%s", err.msg);
	if (mqtt_start(&app, leads, &mqtt, &err) == -1)
		fatalx("%s", err.msg);
	app.mqtt = mqtt;
	health_set_mqtt(mqtt);
	if (leads) {
		if (store_watch_start(app.st, on_foreign_commit, NULL,
		    &err) == -1)
			fatalx("%s", err.msg);
	} else
		log_info("standing by: another iotjobsd leads on %s",
		    conf.data_dir);
	kp.app = &app;
	kp.mqtt = mqtt;
	kp.leads = leads;
	if (pthread_create(&kp.thread, NULL, keeper_main, &kp) != 0)
		fatal("pthread_create");
	log_info("listening on %s:%d version=%s config=%s data-dir=%s"
	    " region=%s account=%s", conf.listen_host, http_server_port(srv),
	    version_string(), conf.config[0] != '\0' ? conf.config : "-",
	    conf.data_dir, conf.region, conf.account_id);
	/* DescribeEndpoint answers the ports bound (--listen HOST:0). */
	conf.listen_port = http_server_port(srv);
	conf.tls_listen_port = http_server_tls_port(srv);
	conf.metrics_listen_port = metrics_listener_port(metrics);
	if (metrics != NULL)
		log_info("serving /metrics on %s:%d", conf.metrics_listen_host,
		    conf.metrics_listen_port);
	if (http_server_tls_port(srv) >= 0)
		log_info("listening for HTTPS on %s:%d",
		    conf.tls_listen_host, http_server_tls_port(srv));
	if (generated)
		print_first_start(&app, http_server_port(srv));
	/* Type=notify: systemd counts the service started from here. */
	sd_notify(0, "READY=1");

	if (sigwait(&set, &sig) != 0)
		fatal("sigwait");
	sd_notify(0, "STOPPING=1");
	log_info("signal %d: stopping", sig);
	pthread_mutex_lock(&kp.lock);
	kp.stop = true;
	pthread_cond_signal(&kp.cond);
	pthread_mutex_unlock(&kp.lock);
	pthread_join(kp.thread, NULL);
	http_server_stop(srv);
	broker_listener_stop(broker);
	metrics_listener_stop(metrics);
	health_set_mqtt(NULL);
	mqtt_stop(mqtt);
	sched_stop();
	authz_close(app.authz);
	failed = store_failed(app.st);
	store_close(app.st);
	auth_close(app.auth);
	tls_release(&tls);
	ca_close(app.ca);
	log_info("stopped%s", failed ? ": the store's files vanished" : "");
	return failed ? EXIT_FAILURE : 0;
}
