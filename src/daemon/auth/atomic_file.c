/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic_file_put() (see atomic_file.h): a reader sees the old file, no
 * file, or the whole new one, never a torn write, even after a crash.
 */
#include "auth/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the new name in PATH's folder durable (best effort). */
static void
dir_sync(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

int
atomic_file_put(const char *path, const char *data, size_t len, mode_t mode,
    bool replace, struct err *err)
{
	char tmp[PATH_MAX];
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return err_set(err, ERR_INTERNAL_FAILURE, "path too long: %s",
		    path);
	fd = mkstemp(tmp);
	if (fd == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: "
		    "%s", tmp, strerror(errno));
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot write %s: %s",
		    tmp, strerror(e));
	}
	close(fd);
	if (replace ? rename(tmp, path) == -1 : link(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		if (e == EEXIST && !replace)
			return 1;
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: "
		    "%s", path, strerror(e));
	}
	if (!replace)
		unlink(tmp);
	dir_sync(path);
	return 0;
}
