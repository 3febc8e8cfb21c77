/*
 * journal.c - record each change to an image folder before making it, keep every
 * original in journal.d until the completion mark, and roll an interrupted run back.
 */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define TMP_MARK ".wimgraft-"
#define TMP_RANDOM 6           /* atomic.c's temporary names: ".<name>.wimgraft-XXXXXX" */
#define PROBE_MARK ".wimgraft-check-"

void journal_init(struct journal *j, const struct wg_root *root, int dirfd, const char *command)
{
	memset(j, 0, sizeof(*j));
	j->root = root;
	j->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	j->fd = -1;
	j->savedfd = -1;
	j->command = xstrdup(command);
	j->display = xasprintf("'%s/Windows/Logs/wimgraft/" JOURNAL_NAME "'", root->path);
}

void journal_release(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	if (j->savedfd >= 0)
		close(j->savedfd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->command);
	free(j->display);
	jsteps_release(&j->steps);
	memset(j, 0, sizeof(*j));
	j->fd = j->savedfd = j->dirfd = -1;
}

bool journal_active(const struct journal *j)
{
	return j->fd >= 0;
}

bool journal_changed(const struct journal *j)
{
	for (size_t i = 0; i < j->steps.n; i++)
		if (j->steps.v[i].kind != JSTEP_PROBE)
			return true;
	return false;
}

static enum wg_err sync_fd(int fd, const char *what)
{
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS) {
		wg_error("cannot sync %s: %s", what, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return WG_OK;
}

static enum wg_err write_all(struct journal *j, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(j->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;
			wg_error("cannot write %s: %s", j->display, strerror(e));
			return wg_err_from_errno(e);
		}
		buf += n;
		len -= (size_t)n;
	}
	return sync_fd(j->fd, j->display);
}

static enum wg_err open_saved(struct journal *j)
{
	if (j->savedfd >= 0)
		return WG_OK;
	if (mkdirat(j->dirfd, JOURNAL_SAVED, 0700) < 0 && errno != EEXIST) {
		wg_error("cannot create the folder '%s' beside %s: %s", JOURNAL_SAVED, j->display,
			 strerror(errno));
		return wg_err_from_errno(errno);
	}
	j->savedfd = openat(j->dirfd, JOURNAL_SAVED, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (j->savedfd < 0) {
		wg_error("cannot open the folder '%s' beside %s: %s", JOURNAL_SAVED, j->display,
			 strerror(errno));
		return wg_err_from_errno(errno);
	}
	return sync_fd(j->dirfd, j->display);
}

/* Create the journal with its first line, synced with its folder. */
static enum wg_err begin(struct journal *j)
{
	j->fd = openat(j->dirfd, JOURNAL_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND |
		       O_CLOEXEC, 0644);
	if (j->fd < 0) {
		wg_error("cannot create %s: %s", j->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	char *head = xasprintf(JOURNAL_MAGIC " %ld %s\n", (long)getpid(), j->command);
	enum wg_err ret = write_all(j, head, strlen(head));
	free(head);
	if (!ret)
		ret = sync_fd(j->dirfd, j->display);
	return ret;
}

static struct jstep *new_step(struct journal *j, enum jstep_kind kind, const char *rel)
{
	j->steps.v = xrealloc(j->steps.v, (j->steps.n + 1) * sizeof(*j->steps.v));
	struct jstep *s = &j->steps.v[j->steps.n];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->n = j->steps.n++;
	s->path = xstrdup(rel);
	for (char *p = s->path; *p; p++)
		if (*p == '\\')
			*p = '/';
	return s;
}

static enum wg_err append(struct journal *j, const struct jstep *s)
{
	enum wg_err ret = j->fd < 0 ? begin(j) : WG_OK;
	if (ret)
		return ret;
	struct strbuf sb = STRBUF_INIT;
	journal_format_step(s, &sb);
	ret = write_all(j, sb.buf, sb.len);
	sb_release(&sb);
	return ret;
}

/* Does rel exist as a regular file, and with what size and SHA-1? */
static enum wg_err identity(struct journal *j, const char *rel, bool *exists, uint64_t *size,
			    uint8_t sha1[20])
{
	struct stat st;
	int fd;
	*exists = false;
	enum wg_err ret = root_lookup(j->root, rel, NULL, &st);
	if (ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	if (ret || !S_ISREG(st.st_mode))
		return ret;
	ret = root_open_read(j->root, rel, &fd);
	if (ret)
		return ret;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return WG_ERR_IO;
	}
	*size = (uint64_t)st.st_size;
	char *name = xasprintf("%s/%s", j->root->path, rel);
	ret = sha1_fd(fd, name, sha1);
	free(name);
	close(fd);
	*exists = ret == WG_OK;
	return ret;
}

/* Copy the file leaf of folder fd into journal.d/<name> (when a hard link is not possible). */
static enum wg_err copy_into_saved(struct journal *j, int fd, const char *leaf, const char *name)
{
	int in = openat(fd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return wg_err_from_errno(errno);
	int out = openat(j->savedfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		wg_error("cannot keep '%s' in '%s': %s", leaf, JOURNAL_SAVED, strerror(errno));
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = copy_fd(in, leaf, out, name);
	if (!ret)
		ret = sync_fd(out, name);
	close(in);
	close(out);
	return ret;
}

/* Keep the original of rel as journal.d/<n>: a hard link, else a copy. */
static enum wg_err keep_original(struct journal *j, const char *rel, unsigned long n)
{
	int fd;
	char *leaf = NULL, name[32];
	enum wg_err ret = open_saved(j);
	if (!ret)
		ret = root_open_parent(j->root, rel, false, &fd, &leaf, NULL);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "%lu", n);
	unlinkat(j->savedfd, name, 0);   /* a killed run's leftover of the same number */
	if (linkat(fd, leaf, j->savedfd, name, 0) < 0)
		ret = copy_into_saved(j, fd, leaf, name);
	if (!ret)
		ret = sync_fd(j->savedfd, JOURNAL_SAVED);
	close(fd);
	free(leaf);
	return ret;
}

/* Record the folders rel's write will create, outermost first. */
static enum wg_err record_missing_folders(struct journal *j, const char *rel)
{
	char *path = xstrdup(rel);
	enum wg_err ret = WG_OK;
	bool missing = false;
	for (char *p = path; *p && !ret; p++) {
		if (*p != '/' && *p != '\\')
			continue;
		char c = *p;
		*p = '\0';
		if (!missing) {
			enum wg_err r = root_lookup(j->root, path, NULL, NULL);
			missing = r == WG_ERR_NOT_FOUND;
			if (r && !missing)
				ret = r;
		}
		if (missing && !ret)
			ret = append(j, new_step(j, JSTEP_MKDIR, path));
		*p = c;
	}
	free(path);
	return ret;
}

enum wg_err journal_before_write(struct journal *j, const char *rel, const uint64_t *new_size,
				 const uint8_t new_sha1[20])
{
	bool exists;
	uint64_t size = 0;
	uint8_t sha1[20];
	enum wg_err ret = record_missing_folders(j, rel);
	if (!ret)
		ret = identity(j, rel, &exists, &size, sha1);
	if (ret)
		return ret;
	struct jstep *s = new_step(j, JSTEP_WRITE, rel);
	s->has_old = exists;
	s->old_size = size;
	memcpy(s->old_sha1, sha1, 20);
	if (new_size) {
		s->has_new = true;
		s->new_size = *new_size;
		memcpy(s->new_sha1, new_sha1, 20);
	}
	if (exists)
		ret = keep_original(j, rel, s->n);
	return ret ? ret : append(j, s);
}

enum wg_err journal_before_rmdir(struct journal *j, const char *rel)
{
	struct stat st;
	enum wg_err ret = root_lookup(j->root, rel, NULL, &st);
	if (ret || !S_ISDIR(st.st_mode))
		return WG_OK;   /* the removal itself says what is wrong */
	return append(j, new_step(j, JSTEP_RMDIR, rel));
}

enum wg_err journal_before_probe(struct journal *j, const char *rel)
{
	return append(j, new_step(j, JSTEP_PROBE, rel));
}

enum wg_err journal_remove(struct journal *j, const char *rel)
{
	struct stat st;
	bool exists;
	uint64_t size = 0;
	uint8_t sha1[20];
	enum wg_err ret = root_lookup(j->root, rel, NULL, &st);
	if (ret)
		return ret;
	if (!S_ISREG(st.st_mode))
		return root_unlink(j->root, rel);   /* refused there, with its message */
	ret = identity(j, rel, &exists, &size, sha1);
	if (!ret && !exists)
		return WG_ERR_NOT_FOUND;
	if (!ret)
		ret = open_saved(j);
	if (ret)
		return ret;
	struct jstep *s = new_step(j, JSTEP_REMOVE, rel);
	s->has_old = true;
	s->old_size = size;
	memcpy(s->old_sha1, sha1, 20);
	ret = append(j, s);
	int fd;
	char *leaf = NULL, name[32];
	if (!ret)
		ret = root_open_parent(j->root, rel, false, &fd, &leaf, NULL);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "%lu", s->n);
	if (renameat(fd, leaf, j->savedfd, name) < 0) {
		ret = errno == EXDEV ? copy_into_saved(j, fd, leaf, name) : wg_err_from_errno(errno);
		if (!ret && unlinkat(fd, leaf, 0) < 0)
			ret = wg_err_from_errno(errno);
		if (ret)
			wg_error("cannot remove '%s' in '%s': %s", rel, j->root->path, strerror(errno));
	}
	if (!ret)
		ret = sync_fd(j->savedfd, JOURNAL_SAVED);
	if (!ret)
		ret = sync_fd(fd, rel);
	close(fd);
	free(leaf);
	return ret;
}

/* ---- undoing ------------------------------------------------------------------- */

/* Remove the entries of folder fd that match: a temporary file of leaf, or any probe. */
static void sweep_folder(int fd, const char *leaf)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	if (!d) {
		if (dup >= 0)
			close(dup);
		return;
	}
	char *prefix = NULL;
	if (leaf) {
		size_t room = NAME_MAX - 1 - strlen(TMP_MARK) - TMP_RANDOM, len = strlen(leaf);
		prefix = xasprintf(".%.*s" TMP_MARK, (int)(len < room ? len : room), leaf);
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		bool ours = prefix ? strlen(e->d_name) == strlen(prefix) + TMP_RANDOM &&
					     !strncasecmp(e->d_name, prefix, strlen(prefix))
				   : !strncmp(e->d_name, PROBE_MARK, strlen(PROBE_MARK));
		if (ours && unlinkat(fd, e->d_name, 0) == 0)
			wg_verbose("removed '%s', left by an interrupted run", e->d_name);
	}
	closedir(d);
	free(prefix);
}

/* The temporary files a write of rel may have left beside it. */
static void sweep_temps(struct journal *j, const char *rel)
{
	int fd;
	char *leaf = NULL;
	if (root_open_parent(j->root, rel, false, &fd, &leaf, NULL) == WG_OK) {
		sweep_folder(fd, leaf);
		close(fd);
	}
	free(leaf);
}

/* The probe files a write test of rel may have left in the nearest existing folder. */
static void sweep_probes(struct journal *j, const char *rel)
{
	char *path = xstrdup(rel);
	for (;;) {
		char *slash = strrchr(path, '/');
		int fd;
		if (!slash) {
			sweep_folder(j->root->fd, NULL);
			break;
		}
		strcpy(slash, "/x");
		if (root_open_parent(j->root, path, false, &fd, NULL, NULL) == WG_OK) {
			sweep_folder(fd, NULL);
			close(fd);
			break;
		}
		*slash = '\0';
	}
	free(path);
}

static bool same_identity(bool exists, uint64_t size, const uint8_t sha1[20], const struct jstep *s)
{
	return exists && size == s->old_size && !memcmp(sha1, s->old_sha1, 20);
}

/* Move journal.d/<n> back to rel. */
static enum wg_err put_back(struct journal *j, const struct jstep *s)
{
	char name[32];
	struct stat st;
	int fd;
	char *leaf = NULL;
	snprintf(name, sizeof(name), "%lu", s->n);
	if (j->savedfd < 0 || fstatat(j->savedfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode)) {
		wg_error("the original of '%s' is not in '%s' any more", s->path, JOURNAL_SAVED);
		return WG_ERR_UNDO;
	}
	enum wg_err ret = root_open_parent(j->root, s->path, true, &fd, &leaf, NULL);
	if (ret)
		return ret;
	if (renameat(j->savedfd, name, fd, leaf) < 0) {
		wg_error("cannot put back '%s' in '%s': %s", s->path, j->root->path, strerror(errno));
		ret = wg_err_from_errno(errno);
	} else {
		ret = sync_fd(fd, s->path);
	}
	close(fd);
	free(leaf);
	return ret;
}

static enum wg_err undo_step(struct journal *j, const struct jstep *s)
{
	bool exists;
	uint64_t size = 0;
	uint8_t sha1[20];
	enum wg_err ret;
	switch (s->kind) {
	case JSTEP_WRITE:
	case JSTEP_REMOVE:
		if (s->kind == JSTEP_WRITE)
			sweep_temps(j, s->path);
		ret = identity(j, s->path, &exists, &size, sha1);
		if (ret)
			return ret;
		if (!s->has_old) {
			ret = exists ? root_unlink(j->root, s->path) : WG_OK;
			return ret == WG_ERR_NOT_FOUND ? WG_OK : ret;
		}
		return same_identity(exists, size, sha1, s) ? WG_OK : put_back(j, s);
	case JSTEP_MKDIR:
		ret = root_rmdir_if_empty(j->root, s->path);
		return ret == WG_ERR_NOT_FOUND ? WG_OK : ret;
	case JSTEP_RMDIR:
		if (root_lookup(j->root, s->path, NULL, NULL) == WG_ERR_NOT_FOUND) {
			int fd;
			char *leaf = NULL;
			ret = root_open_parent(j->root, s->path, true, &fd, &leaf, NULL);
			if (ret)
				return ret;
			if (mkdirat(fd, leaf, 0755) < 0 && errno != EEXIST)
				ret = wg_err_from_errno(errno);
			close(fd);
			free(leaf);
			return ret;
		}
		return WG_OK;
	case JSTEP_PROBE:
		sweep_probes(j, s->path);
		return WG_OK;
	}
	return WG_ERR_INTERNAL;
}

/* Drop the kept originals and the journal: the end of every transaction. */
static enum wg_err finish(struct journal *j)
{
	if (j->savedfd < 0)
		j->savedfd = openat(j->dirfd, JOURNAL_SAVED, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				    O_CLOEXEC);
	if (j->savedfd >= 0) {
		int dup = fcntl(j->savedfd, F_DUPFD_CLOEXEC, 3);
		DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(j->savedfd, e->d_name, 0);
		if (d)
			closedir(d);
		close(j->savedfd);
		j->savedfd = -1;
		if (unlinkat(j->dirfd, JOURNAL_SAVED, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			wg_error("cannot remove '%s' beside %s: %s", JOURNAL_SAVED, j->display,
				 strerror(errno));
			return wg_err_from_errno(errno);
		}
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	if (unlinkat(j->dirfd, JOURNAL_NAME, 0) < 0 && errno != ENOENT) {
		wg_error("cannot remove %s: %s", j->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return sync_fd(j->dirfd, j->display);
}

static enum wg_err roll_back(struct journal *j, const struct jsteps *steps)
{
	size_t failed = 0;
	if (j->savedfd < 0)
		j->savedfd = openat(j->dirfd, JOURNAL_SAVED, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				    O_CLOEXEC);
	for (size_t i = steps->n; i-- > 0;)
		if (undo_step(j, &steps->v[i]))
			failed++;
	if (failed) {
		wg_error("%zu change%s in '%s' could not be undone; %s is kept for "
			 "'wimgraft recover'", failed, failed == 1 ? "" : "s", j->root->path,
			 j->display);
		return WG_ERR_PARTIAL;
	}
	return finish(j) ? WG_ERR_PARTIAL : WG_OK;
}

enum wg_err journal_commit(struct journal *j)
{
	if (j->fd < 0)
		return WG_OK;
	enum wg_err ret = write_all(j, "commit\n", 7);
	if (ret)
		return ret;
	j->steps.committed = true;
	for (size_t i = 0; i < j->steps.n; i++)
		if (j->steps.v[i].kind == JSTEP_PROBE)
			sweep_probes(j, j->steps.v[i].path);
	if (finish(j))
		wg_warning("the changes to '%s' are complete, but %s is left; the next run removes it",
			   j->root->path, j->display);
	return WG_OK;
}

enum wg_err journal_rollback(struct journal *j)
{
	if (j->fd < 0)
		return WG_OK;
	return roll_back(j, &j->steps);
}

enum wg_err journal_recover(struct journal *j, bool write, bool *found)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct jsteps steps;
	*found = false;
	int fd = openat(j->dirfd, JOURNAL_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return WG_OK;
		wg_error("cannot open %s: %s", j->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	*found = true;
	enum wg_err ret = read_fd(fd, j->display, 64u << 20, &data, &len);
	close(fd);
	if (!ret)
		ret = journal_parse(j->display, (const char *)data, len, &steps);
	free(data);
	if (ret)
		return ret;
	if (!write) {
		wg_error("'%s' holds an unfinished %s (process %ld was interrupted); run "
			 "'wimgraft recover -d %s'", j->root->path, steps.command ? steps.command :
			 "change", steps.pid, j->root->path);
		jsteps_release(&steps);
		return WG_ERR_UNFINISHED;
	}
	const char *what = steps.command ? steps.command : "change";
	if (steps.committed) {
		for (size_t i = 0; i < steps.n; i++)
			if (steps.v[i].kind == JSTEP_PROBE)
				sweep_probes(j, steps.v[i].path);
		ret = finish(j);
		if (!ret)
			wg_info("%s: an interrupted %s had completed; its leftovers are removed",
				j->root->path, what);
	} else {
		ret = roll_back(j, &steps);
		if (!ret)
			wg_info("%s: an interrupted %s (%zu step%s) was rolled back; the image is as "
				"it was before it", j->root->path, what, steps.n,
				steps.n == 1 ? "" : "s");
	}
	jsteps_release(&steps);
	return ret;
}
