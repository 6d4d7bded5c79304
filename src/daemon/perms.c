/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The start-up check of the data folder's modes (perms.h). The store
 * files and the credentials are never shared, not even with the broker's
 * group; the folder itself may be (the broker reaches its socket and its
 * CA folder through it), but never with others.
 */
#include "perms.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store/store.h"

/* The first private file found readable by others, for --strict. */
struct perms_walk {
	char first[PATH_MAX];
};

/* Reports PATH when its mode has any of the BAD bits; 1 when it had. */
static int
perms_one(const char *path, mode_t bad, const char *who)
{
	struct stat sb;

	if (lstat(path, &sb) == -1 || (sb.st_mode & bad) == 0)
		return 0;
	log_warnx("perms: %s is mode %04o: %s can read it; chmod %s it", path,
	    (unsigned)(sb.st_mode & 07777), who, S_ISDIR(sb.st_mode) ?
	    "o-rwx" : "600");
	return 1;
}

/* A file that holds the store or a secret: group and others get nothing. */
static void
perms_private(void *arg, const char *path)
{
	struct perms_walk *w = arg;

	if (perms_one(path, S_IRWXG | S_IRWXO, "another user") &&
	    w->first[0] == '\0')
		snprintf(w->first, sizeof(w->first), "%s", path);
}

int
perms_check(const char *data_dir, const char *store_url, bool strict,
    struct err *err)
{
	struct perms_walk w = { "" };
	char path[PATH_MAX];

	if (perms_one(data_dir, S_IRWXO, "every local user"))
		snprintf(w.first, sizeof(w.first), "%s", data_dir);
	store_local_files(store_url, perms_private, &w);
	if ((size_t)snprintf(path, sizeof(path), "%s/credentials.json",
	    data_dir) < sizeof(path))
		perms_private(&w, path);
	if (strict && w.first[0] != '\0')
		return err_set(err, ERR_INTERNAL_FAILURE, "refusing to start"
		    " (--strict-permissions): %s is readable by others",
		    w.first);
	return 0;
}

int
perms_share(const char *path, const char *group, struct err *err)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (group == NULL || group[0] == '\0')
		return 0;
	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "--broker-group:"
		    " no group \"%s\"", group);
	if (chown(path, (uid_t)-1, gr.gr_gid) == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot give %s to"
		    " group %s: %s", path, group, strerror(errno));
	return 0;
}

int
perms_share_folders(const char *data_dir, const char *group,
    struct err *err)
{
	char tls[PATH_MAX];
	const char *dirs[2] = { data_dir, tls };
	struct stat sb;
	int i;

	if (group == NULL || group[0] == '\0')
		return 0;
	snprintf(tls, sizeof(tls), "%s/tls", data_dir);
	for (i = 0; i < 2; i++) {
		if (stat(dirs[i], &sb) == -1)
			continue;
		if (perms_share(dirs[i], group, err) == -1)
			return -1;
		if (chmod(dirs[i], (sb.st_mode & 07700) | 0010) == -1)
			return err_set(err, ERR_INTERNAL_FAILURE, "cannot chmod"
			    " %s: %s", dirs[i], strerror(errno));
	}
	return 0;
}
