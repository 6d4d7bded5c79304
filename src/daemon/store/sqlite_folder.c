/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data folder watched (Linux inotify(7)): the database or its WAL
 * deleted, moved or replaced, or the folder itself gone, and the store
 * hears of it at once rather than at its next COMMIT or its check once a
 * second, so that the rescue (sqlite.c, sq_files_rescue) runs while the
 * unlinked WAL is still open, and not after a kill -9 has lost it.
 */
#include "sqlite_int.h"

#include <sys/eventfd.h>
#include <sys/inotify.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

/*
 * A name leaving the folder (unlink, rename away), a name renamed onto (a
 * file replaced), the folder itself deleted or renamed. The kernel adds
 * IN_IGNORED (the watch is gone) and IN_Q_OVERFLOW (events were lost).
 */
#define SQ_FOLDER_EVENTS	(IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
				 IN_DELETE_SELF | IN_MOVE_SELF)
#define SQ_FOLDER_ANY_NAME	(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | \
				 IN_Q_OVERFLOW | IN_UNMOUNT)

struct sq_folder {
	int ino_fd;			/* inotify, non-blocking */
	int stop_fd;			/* eventfd: sq_folder_unwatch */
	char db[NAME_MAX + 1];		/* the database's name in the folder */
	char wal[NAME_MAX + 1];		/* its WAL's */
	void (*fn)(void *);
	void *arg;
	pthread_t thread;
};

/* Whether EV may concern the database or its WAL. */
static bool
sq_folder_concerns(const struct sq_folder *f, const struct inotify_event *ev)
{
	if (ev->mask & SQ_FOLDER_ANY_NAME)
		return true;
	return ev->len > 0 && (strcmp(ev->name, f->db) == 0 ||
	    strcmp(ev->name, f->wal) == 0);
}

/* Reads every queued event: whether one concerns the store's files. */
static bool
sq_folder_drain(const struct sq_folder *f)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool hit = false;
	ssize_t n;
	char *p;

	while ((n = read(f->ino_fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			hit = hit || sq_folder_concerns(f, ev);
		}
	}
	return hit;
}

/* The watch's thread: FN for each wake-up that concerns the files. */
static void *
sq_folder_main(void *arg)
{
	struct sq_folder *f = arg;
	struct pollfd pfd[2] = {
		{ .fd = f->ino_fd, .events = POLLIN },
		{ .fd = f->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("store: the watch of the data folder stopped");
			return NULL;
		}
		if (pfd[1].revents != 0)
			return NULL;
		if (sq_folder_drain(f))
			f->fn(f->arg);
	}
}

/* The folder of DB_PATH into DIR, its name in it into NAME. */
static int
sq_folder_split(const char *db_path, char *dir, size_t dsize, char *name,
    size_t nsize)
{
	const char *slash = strrchr(db_path, '/');
	int dlen = slash == NULL ? 0 : slash == db_path ? 1 :
	    (int)(slash - db_path);

	if (slash == NULL)
		snprintf(dir, dsize, ".");
	else if ((size_t)snprintf(dir, dsize, "%.*s", dlen, db_path) >= dsize)
		return -1;
	if ((size_t)snprintf(name, nsize, "%s",
	    slash == NULL ? db_path : slash + 1) >= nsize)
		return -1;
	return 0;
}

/* Starts F's inotify watch of DIR and its thread; -1 with errno. */
static int
sq_folder_start(struct sq_folder *f, const char *dir)
{
	int rc;

	f->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ino_fd == -1)
		return -1;
	f->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (f->stop_fd == -1 || inotify_add_watch(f->ino_fd, dir,
	    SQ_FOLDER_EVENTS | IN_ONLYDIR) == -1)
		return -1;
	if ((rc = pthread_create(&f->thread, NULL, sq_folder_main, f)) != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

struct sq_folder *
sq_folder_watch(const char *db_path, void (*fn)(void *), void *arg)
{
	struct sq_folder *f = xcalloc(1, sizeof(*f));
	char dir[PATH_MAX];

	f->fn = fn;
	f->arg = arg;
	f->ino_fd = f->stop_fd = -1;
	if (sq_folder_split(db_path, dir, sizeof(dir), f->db,
	    sizeof(f->db)) == -1 || (size_t)snprintf(f->wal, sizeof(f->wal),
	    "%s-wal", f->db) >= sizeof(f->wal)) {
		log_warnx("store: cannot watch the folder of %s: path too"
		    " long", db_path);
		free(f);
		return NULL;
	}
	if (sq_folder_start(f, dir) == -1) {
		log_warn("store: cannot watch %s (its files are checked once"
		    " a second only)", dir);
		if (f->ino_fd != -1)
			close(f->ino_fd);
		if (f->stop_fd != -1)
			close(f->stop_fd);
		free(f);
		return NULL;
	}
	return f;
}

void
sq_folder_unwatch(struct sq_folder *f)
{
	uint64_t one = 1;

	if (f == NULL)
		return;
	if (write(f->stop_fd, &one, sizeof(one)) != sizeof(one))
		fatal("store: cannot stop the watch of the data folder");
	pthread_join(f->thread, NULL);
	close(f->ino_fd);
	close(f->stop_fd);
	free(f);
}
