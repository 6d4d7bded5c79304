/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `iotjobsd backup|restore` (backup_cmd.h). backup copies the store while
 * the daemon runs (store_backup: SQLite's online backup, one COMMIT's
 * snapshot) with the data folder's other files kept inside the copy:
 * credentials.json, tls/ (the CA, whose key signs device certificates,
 * and keys.key, which seals operator secrets), the broker's files. restore
 * makes an empty data folder of such a file. Both refuse to run as root on
 * a folder another user owns: the files they create must stay the
 * service's (run them as that user: sudo -u iotjobs iotjobsd backup ...).
 */
#include "backup_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "store/store.h"
#include "store_cmd.h"
#include "xmalloc.h"

#define FILES_MAX	256		/* files kept beside the store */
#define FILE_MAX	(16 * 1024 * 1024)
#define DEPTH_MAX	4

struct bk_files {
	struct store_file f[FILES_MAX];
	size_t n;
};

void
backup_cmd_usage(FILE *f)
{
	fprintf(f, "  iotjobsd backup --to FILE [--data-dir DIR]\n"
	    "      Copies the data folder into FILE, a new file, while the "
	    "daemon runs: the\n      store as of one commit (every write "
	    "acknowledged before is in it) and\n      the keys beside it "
	    "(credentials, CA, operator key seal).\n"
	    "  iotjobsd restore --from FILE [--data-dir DIR]\n"
	    "      Makes DIR, which must be new or empty, the data folder of "
	    "FILE; start\n      iotjobsd on it afterwards (it applies newer "
	    "migrations then).\n"
	    "      Both take --data-dir DIR (else IOTJOBS_DATA_DIR, else the "
	    "configuration\n      file's data-dir, else ./data); run them as "
	    "the owner of DIR.\n");
}

bool
backup_cmd_is(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "backup") == 0 ||
	    strcmp(argv[1], "restore") == 0);
}

/* Files of the folder that are the store itself, or live only with it. */
static bool
is_store_file(const char *rel)
{
	static const char *const skip[] = { "iotjobs.db", "iotjobs.db-wal",
	    "iotjobs.db-shm", "iotjobs.db-journal", "iotjobs.db.partial",
	    "lead" };
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(rel, skip[i]) == 0)
			return true;
	return false;
}

static int
read_whole(const char *path, size_t size, unsigned char **out,
    struct err *err)
{
	unsigned char *buf = xmalloc(size > 0 ? size : 1);
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1) {
		free(buf);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot read %s: %s",
		    path, strerror(errno));
	}
	while (n < size) {
		r = read(fd, buf + n, size - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n != size) {
		free(buf);
		return err_set(err, ERR_INTERNAL_FAILURE, "%s changed while "
		    "being read", path);
	}
	*out = buf;
	return 0;
}

/* Every regular file under DIR/REL (REL "" at the top) into FILES. */
static int
collect(const char *dir, const char *rel, int depth, struct bk_files *files,
    struct err *err)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", dir, rel[0] != '\0' ? "/" : "",
	    rel);
	if ((d = opendir(path)) == NULL)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot read %s: %s",
		    path, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		unsigned char *data = NULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel,
		    rel[0] != '\0' ? "/" : "", de->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
		    sizeof(path)) {
			rc = err_set(err, ERR_INTERNAL_FAILURE, "a path under "
			    "%s is too long", dir);
			break;
		}
		if (is_store_file(sub) || lstat(path, &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode) && depth < DEPTH_MAX) {
			rc = collect(dir, sub, depth + 1, files, err);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;	/* sockets, links: not state */
		if (files->n == FILES_MAX || sb.st_size > FILE_MAX) {
			rc = err_set(err, ERR_INTERNAL_FAILURE, "%s: more than"
			    " %d files, or one larger than %d bytes", dir,
			    FILES_MAX, FILE_MAX);
			break;
		}
		if (read_whole(path, (size_t)sb.st_size, &data, err) == -1) {
			rc = -1;
			break;
		}
		files->f[files->n].path = xstrdup(sub);
		files->f[files->n].mode = sb.st_mode & 07777;
		files->f[files->n].data = data;
		files->f[files->n].len = (size_t)sb.st_size;
		files->n++;
	}
	closedir(d);
	return rc;
}

static void
files_release(struct bk_files *files)
{
	size_t i;

	for (i = 0; i < files->n; i++) {
		explicit_bzero((void *)files->f[i].data, files->f[i].len);
		free((void *)files->f[i].data);
		free((void *)files->f[i].path);
	}
	files->n = 0;
}

/* The backup goes outside DIR: else the next one would hold this one. */
static int
outside(const char *dir, const char *to, struct err *err)
{
	char rdir[PATH_MAX], rto[PATH_MAX], parent[PATH_MAX];
	char *slash;
	size_t n;

	snprintf(parent, sizeof(parent), "%s", to);
	slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (realpath(dir, rdir) == NULL || realpath(parent, rto) == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "no folder %s or %s: "
		    "%s", dir, parent, strerror(errno));
	n = strlen(rdir);
	if (strncmp(rto, rdir, n) == 0 && (rto[n] == '\0' || rto[n] == '/'))
		return err_set(err, ERR_INVALID_REQUEST, "%s is inside the "
		    "data folder %s: put backups elsewhere", to, dir);
	return 0;
}

static int
cmd_backup(const struct store_cmd_opts *o, const char *dir)
{
	struct bk_files *files = xcalloc(1, sizeof(*files));
	char url[1024];
	struct err err;
	int version = 0, rc;

	err_clear(&err);
	if (o->to == NULL || o->from != NULL) {
		free(files);
		return store_cmd_usage_error("backup", backup_cmd_usage,
		    "backup takes --to FILE");
	}
	if (store_cmd_owner_check("backup", dir) == -1) {
		free(files);
		return 1;
	}
	rc = outside(dir, o->to, &err);
	if (rc == 0)
		rc = collect(dir, "", 0, files, &err);
	if (rc == 0)
		rc = conf_store_of(dir, url, sizeof(url), &err);
	if (rc == 0)
		rc = store_backup(url, o->to, files->f, files->n, &version,
		    &err);
	if (rc == 0)
		printf("iotjobsd backup: wrote %s: the store of %s (schema "
		    "version %d) and %zu file%s beside it\n", o->to, dir,
		    version, files->n, files->n == 1 ? "" : "s");
	else
		fprintf(stderr, "iotjobsd backup: %s\n", err.msg);
	files_release(files);
	free(files);
	return rc == 0 ? 0 : 1;
}

/* A kept file's name must stay inside the folder: no "..", no "/" first. */
static bool
rel_is_safe(const char *rel)
{
	const char *p = rel;

	if (rel[0] == '\0' || rel[0] == '/')
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static int
write_file(void *arg, const struct store_file *f, struct err *err)
{
	const char *dir = arg;
	char path[PATH_MAX];
	char *slash;
	size_t off = 0;
	ssize_t w;
	int fd;

	if (!rel_is_safe(f->path) || is_store_file(f->path))
		return err_set(err, ERR_INVALID_REQUEST, "the backup keeps a "
		    "file named \"%.64s\": refused", f->path);
	snprintf(path, sizeof(path), "%s/%s", dir, f->path);
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')) !=
	    NULL; slash++) {
		*slash = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return err_set(err, ERR_INTERNAL_FAILURE, "cannot "
			    "create %s: %s", path, strerror(errno));
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    f->mode & 0777);
	if (fd == -1)
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot create %s: "
		    "%s", path, strerror(errno));
	while (off < f->len) {
		w = write(fd, f->data + off, f->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != f->len || fsync(fd) == -1) {
		close(fd);
		return err_set(err, ERR_INTERNAL_FAILURE, "cannot write %s: "
		    "%s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* DIR must be new (its parent exists) or an empty folder. */
static int
target_ready(const char *dir, struct err *err)
{
	struct dirent *de;
	DIR *d;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(err, ERR_INVALID_REQUEST, "cannot create %s: %s",
		    dir, strerror(errno));
	if ((d = opendir(dir)) == NULL)
		return err_set(err, ERR_INVALID_REQUEST, "cannot read %s: %s",
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			closedir(d);
			return err_set(err, ERR_INVALID_REQUEST, "%s is not "
			    "empty: restore only into a new or empty folder",
			    dir);
		}
	closedir(d);
	return 0;
}

static int
cmd_restore(const struct store_cmd_opts *o, const char *dir)
{
	char parent[PATH_MAX], url[1024];
	char *slash;
	struct err err;
	int version = 0;

	err_clear(&err);
	if (o->from == NULL || o->to != NULL)
		return store_cmd_usage_error("restore", backup_cmd_usage,
		    "restore takes --from FILE");
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (store_cmd_owner_check("restore", access(dir, F_OK) == 0 ? dir :
	    parent) == -1)
		return 1;
	if (target_ready(dir, &err) == -1 ||
	    conf_store_of(dir, url, sizeof(url), &err) == -1 ||
	    store_restore(o->from, url, write_file, (void *)dir, &version,
	    &err) == -1) {
		fprintf(stderr, "iotjobsd restore: %s\n", err.msg);
		return 1;
	}
	printf("iotjobsd restore: %s is the data folder of %s (schema version"
	    " %d); start iotjobsd with --data-dir %s\n", dir, o->from, version,
	    dir);
	return 0;
}

int
backup_cmd_main(int argc, char **argv)
{
	const char *verb = argv[1];
	char dir[PATH_MAX];
	struct store_cmd_opts o;
	struct err err;
	int rc;

	log_init(strcmp(verb, "backup") == 0 ? "iotjobsd backup" :
	    "iotjobsd restore", 0);
	rc = store_cmd_opts_parse(verb, backup_cmd_usage, argc - 1,
	    argv + 1, &o);
	if (rc != 0)
		return rc;
	err_clear(&err);
	if (conf_data_dir(o.data_dir, dir, sizeof(dir), &err) == -1) {
		fprintf(stderr, "iotjobsd %s: %s\n", verb, err.msg);
		return 1;
	}
	return strcmp(verb, "backup") == 0 ? cmd_backup(&o, dir) :
	    cmd_restore(&o, dir);
}
