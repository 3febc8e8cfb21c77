/*
 * safepath.c - resolve paths below a target folder component by component with
 * openat(O_NOFOLLOW), matching names case-insensitively, and write there atomically.
 */
#include "safepath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "ntfs_meta.h"

#define VERB_WRITE "write through it"
#define VERB_READ  "follow it"

/* One resolution in progress: the folder reached so far and its stored spelling. */
struct walk {
	const struct wg_root *r;
	const char *verb;          /* what is refused at a symbolic link */
	int fd;                    /* the folder reached (owned) */
	struct strbuf actual;      /* its path below the root, stored spelling */
	struct strvec made;        /* folders created by this walk, in order */
};

static void walk_release(struct walk *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	sb_release(&w->actual);
	sv_clear(&w->made);
}

static char *sub_path(const struct walk *w, const char *name)
{
	return w->actual.len ? xasprintf("%s/%s", w->actual.buf, name) : xstrdup(name);
}

static char *display_path(const struct wg_root *r, const char *rel)
{
	size_t n = strlen(r->path);
	return xasprintf("%s%s%s", r->path, n && r->path[n - 1] == '/' ? "" : "/", rel);
}

/* Split rel at '/' and '\', refusing what could leave the root or name it ambiguously. */
static enum wg_err split_path(const struct wg_root *r, const char *rel, struct strvec *out)
{
	const char *p = rel;
	if (!rel || !*rel) {
		wg_error("an empty path cannot name a file in '%s'", r->path);
		return WG_ERR_UNSAFE_PATH;
	}
	if (*rel == '/' || *rel == '\\' ||
	    (((*rel | 0x20) >= 'a' && (*rel | 0x20) <= 'z') && rel[1] == ':')) {
		wg_error("'%s' is an absolute path; expected a path inside '%s'", rel, r->path);
		return WG_ERR_UNSAFE_PATH;
	}
	for (;;) {
		size_t n = strcspn(p, "/\\");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			wg_error("'%s' has an empty or '.' component; refusing it", rel);
			goto bad;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			wg_error("'%s' contains '..'; refusing a path that could leave '%s'", rel, r->path);
			goto bad;
		}
		if (n > NAME_MAX) {
			wg_error("'%s' has a component longer than %d bytes", rel, NAME_MAX);
			goto bad;
		}
		sv_push_nodup(out, xstrndup(p, n));
		if (!p[n])
			return WG_OK;
		p += n + 1;
	}
bad:
	sv_clear(out);
	return WG_ERR_UNSAFE_PATH;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Find name in the current folder: exactly, else by a case-insensitive scan.
 * *found gets the stored spelling and *st its lstat. NOT_FOUND is quiet.
 */
static enum wg_err find_entry(struct walk *w, const char *name, char **found, struct stat *st)
{
	struct strvec m = STRVEC_INIT;
	enum wg_err ret = WG_OK;
	char *where = NULL;
	DIR *d = NULL;
	struct dirent *de;

	*found = NULL;
	if (fstatat(w->fd, name, st, AT_SYMLINK_NOFOLLOW) == 0) {
		*found = xstrdup(name);
		return WG_OK;
	}
	if (errno != ENOENT) {
		where = sub_path(w, name);
		wg_error("cannot stat '%s' in '%s': %s", where, w->r->path, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	int fd = openat(w->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		where = w->actual.len ? xstrdup(w->actual.buf) : xstrdup(".");
		wg_error("cannot read the folder '%s' in '%s': %s", where, w->r->path, strerror(e));
		ret = wg_err_from_errno(e);
		goto out;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (wg_streq_nocase(de->d_name, name))
			sv_push(&m, de->d_name);
	}
	if (errno) {
		where = w->actual.len ? xstrdup(w->actual.buf) : xstrdup(".");
		wg_error("cannot read the folder '%s' in '%s': %s", where, w->r->path, strerror(errno));
		ret = WG_ERR_IO;
		goto out;
	}
	if (m.n == 0) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (m.n > 1) {
		qsort(m.v, m.n, sizeof(*m.v), cmp_str);
		where = sub_path(w, name);
		char *a = sub_path(w, m.v[0]), *b = sub_path(w, m.v[1]);
		wg_error("'%s' in '%s' is ambiguous: '%s' and '%s' differ only in case", where,
			 w->r->path, a, b);
		free(a);
		free(b);
		ret = WG_ERR_AMBIGUOUS;
		goto out;
	}
	if (fstatat(w->fd, m.v[0], st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = WG_ERR_NOT_FOUND;        /* removed meanwhile */
		goto out;
	}
	*found = xstrdup(m.v[0]);
out:
	if (d)
		closedir(d);
	free(where);
	sv_clear(&m);
	return ret;
}

static enum wg_err refuse_link(const struct walk *w, const char *name, const char *verb)
{
	char *where = sub_path(w, name);
	wg_error("'%s' in '%s' is a symbolic link; refusing to %s", where, w->r->path, verb);
	free(where);
	return WG_ERR_UNSAFE_PATH;
}

static enum wg_err refuse_type(const struct walk *w, const char *name, const char *what)
{
	char *where = sub_path(w, name);
	wg_error("'%s' in '%s' is not a %s", where, w->r->path, what);
	free(where);
	return WG_ERR_IO;
}

static void sync_folder(int fd)
{
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		wg_warning("cannot sync a folder: %s", strerror(errno));
}

/* Enter the folder found (stored spelling, lstat st) below the current one. */
static enum wg_err descend(struct walk *w, const char *found, const struct stat *st)
{
	struct stat again;
	if (S_ISLNK(st->st_mode))
		return refuse_link(w, found, w->verb);
	if (!S_ISDIR(st->st_mode))
		return refuse_type(w, found, "folder");
	int fd = openat(w->fd, found, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if ((e == ELOOP || e == ENOTDIR) &&
		    fstatat(w->fd, found, &again, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISLNK(again.st_mode))
				return refuse_link(w, found, w->verb);
			return refuse_type(w, found, "folder");
		}
		char *where = sub_path(w, found);
		wg_error("cannot open '%s' in '%s': %s", where, w->r->path, strerror(e));
		free(where);
		return wg_err_from_errno(e);
	}
	close(w->fd);
	w->fd = fd;
	if (w->actual.len)
		sb_addch(&w->actual, '/');
	sb_addstr(&w->actual, found);
	return WG_OK;
}

static enum wg_err walk_start(const struct wg_root *r, const char *verb, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->verb = verb;
	w->fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->fd < 0) {
		wg_error("cannot open '%s': %s", r->path, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return WG_OK;
}

/* Give a folder just made in w->fd the descriptor NTFS would make it inherit. */
static enum wg_err inherit_dir(struct walk *w, const char *name)
{
	struct ntfs_meta m;
	enum wg_err ret = WG_OK;
	if (!ntfs_meta_inherit(w->fd, true, &m))
		return WG_OK;
	char *where = sub_path(w, name), *display = display_path(w->r, where);
	int fd = openat(w->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", display, strerror(errno));
		ret = wg_err_from_errno(errno);
	} else {
		ret = ntfs_meta_apply_fd(fd, display, &m);
		close(fd);
	}
	free(where);
	free(display);
	ntfs_meta_release(&m);
	return ret;
}

/*
 * Walk the first n components as folders, creating missing ones when create is set.
 * On NOT_FOUND (quiet) w->fd is the nearest existing folder and *stop the index of
 * the missing component.
 */
static enum wg_err walk_dirs(struct walk *w, char **comps, size_t n, bool create, size_t *stop)
{
	for (size_t i = 0; i < n; i++) {
		char *found = NULL;
		struct stat st;
		enum wg_err ret = find_entry(w, comps[i], &found, &st);
		if (ret == WG_ERR_NOT_FOUND && create) {
			if (mkdirat(w->fd, comps[i], 0755) == 0) {
				sv_push_nodup(&w->made, sub_path(w, comps[i]));
				sync_folder(w->fd);    /* the new entry survives a crash */
				ret = find_entry(w, comps[i], &found, &st);
				if (ret == WG_OK && w->r->ntfs_inherit)
					ret = inherit_dir(w, found);
			} else if (errno == EEXIST) {
				ret = find_entry(w, comps[i], &found, &st);
			} else {
				int e = errno;
				char *where = sub_path(w, comps[i]);
				wg_error("cannot create the folder '%s' in '%s': %s", where, w->r->path,
					 strerror(e));
				free(where);
				ret = wg_err_from_errno(e);
			}
		}
		if (ret == WG_OK)
			ret = descend(w, found, &st);
		free(found);
		if (ret) {
			if (stop)
				*stop = i;
			return ret;
		}
	}
	return WG_OK;
}

/* Remove rel when it is an empty folder (quiet: no message of its own). */
static enum wg_err rmdir_rel(const struct wg_root *r, const char *rel, const char *verb, bool quiet);

/* Undo the folders a failed walk created, newest first. */
static void walk_rollback(struct walk *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	for (size_t i = w->made.n; i-- > 0;) {
		if (rmdir_rel(w->r, w->made.v[i], VERB_WRITE, true) != WG_OK)
			wg_warning("cannot remove the folder '%s' created in '%s'", w->made.v[i],
				   w->r->path);
	}
	sv_clear(&w->made);
}

static void walk_hand_over(struct walk *w, struct strvec *created)
{
	for (size_t i = 0; i < w->made.n; i++) {
		if (created)
			sv_push_nodup(created, w->made.v[i]);
		else
			free(w->made.v[i]);
	}
	free(w->made.v);
	w->made.v = NULL;
	w->made.n = w->made.alloc = 0;
}

/*
 * Reach the folder holding rel's last component (creating folders when asked).
 * *leaf gets the entry's stored spelling, else the given one; *exists and *st say
 * whether and what it is.
 */
static enum wg_err reach_parent(const struct wg_root *r, const char *rel, bool create,
				const char *verb, struct walk *w, char **leaf, bool *exists,
				struct stat *st)
{
	struct strvec comps = STRVEC_INIT;
	enum wg_err ret;
	char *found = NULL;

	*leaf = NULL;
	*exists = false;
	ret = walk_start(r, verb, w);
	if (ret)
		return ret;
	ret = split_path(r, rel, &comps);
	if (ret)
		goto out;
	ret = walk_dirs(w, comps.v, comps.n - 1, create, NULL);
	if (ret)
		goto out;
	ret = find_entry(w, comps.v[comps.n - 1], &found, st);
	if (ret == WG_OK) {
		*exists = true;
		*leaf = found;
	} else if (ret == WG_ERR_NOT_FOUND) {
		*leaf = xstrdup(comps.v[comps.n - 1]);
		ret = WG_OK;
	}
out:
	sv_clear(&comps);
	if (ret)
		walk_rollback(w);
	return ret;
}

enum wg_err root_open(const char *dir, struct wg_root *r)
{
	struct stat st;
	r->fd = -1;
	r->path = NULL;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOTDIR) {
			wg_error("'%s' is not a folder", dir);
			return WG_ERR_IO;
		}
		wg_error("cannot open '%s': %s", dir, strerror(e));
		return e == ENOENT ? WG_ERR_NOT_FOUND : wg_err_from_errno(e);
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		wg_error("'%s' is not a folder", dir);
		close(fd);
		return WG_ERR_IO;
	}
	r->fd = fd;
	r->path = xstrdup(dir);
	return WG_OK;
}

void root_close(struct wg_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}

enum wg_err root_lookup(const struct wg_root *r, const char *rel, char **actual, struct stat *st)
{
	struct walk w;
	struct stat tmp;
	char *leaf = NULL;
	bool exists;
	enum wg_err ret = reach_parent(r, rel, false, VERB_READ, &w, &leaf, &exists, st ? st : &tmp);
	if (ret)
		goto out;
	if (!exists) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (actual)
		*actual = sub_path(&w, leaf);
out:
	free(leaf);
	walk_release(&w);
	return ret;
}

enum wg_err root_open_parent(const struct wg_root *r, const char *rel, bool create, int *dirfd,
			     char **leaf, struct strvec *created)
{
	struct walk w;
	struct stat st;
	bool exists;
	char *name = NULL;
	enum wg_err ret = reach_parent(r, rel, create, create ? VERB_WRITE : VERB_READ, &w, &name,
				       &exists, &st);
	if (ret == WG_OK) {
		*dirfd = w.fd;
		w.fd = -1;
		if (leaf)
			*leaf = name;
		else
			free(name);
		walk_hand_over(&w, created);
	} else {
		free(name);
	}
	walk_release(&w);
	return ret;
}

enum wg_err root_open_dir(const struct wg_root *r, const char *rel, int *fd)
{
	struct walk w;
	struct stat st;
	bool exists;
	char *leaf = NULL;
	enum wg_err ret = reach_parent(r, rel, false, VERB_READ, &w, &leaf, &exists, &st);
	*fd = -1;
	if (ret)
		goto out;
	if (!exists) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = refuse_link(&w, leaf, VERB_READ);
		goto out;
	}
	*fd = openat(w.fd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		char *where = sub_path(&w, leaf);
		wg_error("cannot open '%s' in '%s': %s", where, r->path, strerror(errno));
		free(where);
		ret = wg_err_from_errno(errno);
	}
out:
	free(leaf);
	walk_release(&w);
	return ret;
}

enum wg_err root_open_read(const struct wg_root *r, const char *rel, int *fd)
{
	struct walk w;
	struct stat st, fst;
	bool exists;
	char *leaf = NULL;
	enum wg_err ret = reach_parent(r, rel, false, VERB_READ, &w, &leaf, &exists, &st);
	*fd = -1;
	if (ret)
		goto out;
	if (!exists) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = refuse_link(&w, leaf, VERB_READ);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = refuse_type(&w, leaf, "regular file");
		goto out;
	}
	int f = openat(w.fd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0) {
		int e = errno;
		if (e == ELOOP) {
			ret = refuse_link(&w, leaf, VERB_READ);
		} else {
			char *where = sub_path(&w, leaf);
			wg_error("cannot open '%s' in '%s': %s", where, r->path, strerror(e));
			free(where);
			ret = e == ENOENT ? WG_ERR_NOT_FOUND : wg_err_from_errno(e);
		}
		goto out;
	}
	if (fstat(f, &fst) < 0 || !S_ISREG(fst.st_mode)) {
		close(f);
		ret = refuse_type(&w, leaf, "regular file");
		goto out;
	}
	fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
	*fd = f;
out:
	free(leaf);
	walk_release(&w);
	return ret;
}

enum wg_err root_unlink(const struct wg_root *r, const char *rel)
{
	struct walk w;
	struct stat st;
	bool exists;
	char *leaf = NULL;
	enum wg_err ret = reach_parent(r, rel, false, VERB_READ, &w, &leaf, &exists, &st);
	if (ret)
		goto out;
	if (!exists) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = refuse_link(&w, leaf, "remove it");
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		char *where = sub_path(&w, leaf);
		wg_error("'%s' in '%s' is a folder; refusing to remove it as a file", where, r->path);
		free(where);
		ret = WG_ERR_IO;
		goto out;
	}
	if (unlinkat(w.fd, leaf, 0) < 0) {
		int e = errno;
		char *where = sub_path(&w, leaf);
		wg_error("cannot remove '%s' in '%s': %s", where, r->path, strerror(e));
		free(where);
		ret = e == ENOENT ? WG_ERR_NOT_FOUND : wg_err_from_errno(e);
		goto out;
	}
	sync_folder(w.fd);
out:
	free(leaf);
	walk_release(&w);
	return ret;
}

static enum wg_err rmdir_rel(const struct wg_root *r, const char *rel, const char *verb, bool quiet)
{
	struct walk w;
	struct stat st;
	bool exists;
	char *leaf = NULL;
	enum wg_err ret = reach_parent(r, rel, false, verb, &w, &leaf, &exists, &st);
	if (ret)
		goto out;
	if (!exists) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = quiet ? WG_ERR_UNSAFE_PATH : refuse_link(&w, leaf, "remove it");
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		ret = quiet ? WG_ERR_IO : refuse_type(&w, leaf, "folder");
		goto out;
	}
	if (unlinkat(w.fd, leaf, AT_REMOVEDIR) < 0) {
		int e = errno;
		if (e == ENOTEMPTY || e == EEXIST)
			goto out;
		if (e == ENOENT) {
			ret = WG_ERR_NOT_FOUND;
			goto out;
		}
		if (!quiet) {
			char *where = sub_path(&w, leaf);
			wg_error("cannot remove the folder '%s' in '%s': %s", where, r->path,
				 strerror(e));
			free(where);
		}
		ret = wg_err_from_errno(e);
		goto out;
	}
	sync_folder(w.fd);
out:
	free(leaf);
	walk_release(&w);
	return ret;
}

enum wg_err root_rmdir_if_empty(const struct wg_root *r, const char *rel)
{
	return rmdir_rel(r, rel, VERB_READ, false);
}

/* The body of root_write_file/root_write_buf: data comes from src_fd when buf is NULL. */
static enum wg_err write_common(const struct wg_root *r, const char *rel, int src_fd,
				const void *buf, size_t len, mode_t mode, const struct ntfs_meta *meta,
				struct strvec *created)
{
	struct ntfs_meta inherited = { 0 };
	struct walk w;
	struct stat st;
	struct atomic_file af = ATOMIC_FILE_INIT;
	bool exists;
	char *leaf = NULL, *actual = NULL, *display = NULL;
	enum wg_err ret = reach_parent(r, rel, true, VERB_WRITE, &w, &leaf, &exists, &st);
	if (ret)
		goto out;
	if (exists && S_ISLNK(st.st_mode)) {
		ret = refuse_link(&w, leaf, "replace it");
		goto out;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		ret = refuse_type(&w, leaf, "regular file");
		goto out;
	}
	actual = sub_path(&w, leaf);
	display = display_path(r, actual);
	ret = atomic_begin(w.fd, leaf, display, mode, &af);
	if (!exists && !meta && r->ntfs_inherit && ntfs_meta_inherit(w.fd, false, &inherited))
		meta = &inherited;
	af.meta = meta;
	if (ret == WG_OK)
		ret = buf ? atomic_write(&af, buf, len) : atomic_copy_fd(&af, src_fd);
	if (ret == WG_OK)
		ret = atomic_commit(&af);
	atomic_abort(&af);
	ntfs_meta_release(&inherited);
out:
	if (ret)
		walk_rollback(&w);
	else
		walk_hand_over(&w, created);
	free(leaf);
	free(actual);
	free(display);
	walk_release(&w);
	return ret;
}

enum wg_err root_write_file(const struct wg_root *r, const char *rel, int src_fd, mode_t mode,
			    struct strvec *created)
{
	return write_common(r, rel, src_fd, NULL, 0, mode, NULL, created);
}

enum wg_err root_write_file_meta(const struct wg_root *r, const char *rel, int src_fd, mode_t mode,
				 const struct ntfs_meta *meta, struct strvec *created)
{
	return write_common(r, rel, src_fd, NULL, 0, mode, meta, created);
}

enum wg_err root_write_buf(const struct wg_root *r, const char *rel, const void *buf, size_t len,
			   mode_t mode, struct strvec *created)
{
	return write_common(r, rel, -1, buf ? buf : "", len, mode, NULL, created);
}

enum wg_err root_check_writable(const struct wg_root *r, const char *rel)
{
	struct strvec comps = STRVEC_INIT;
	struct walk w;
	struct stat st;
	char *found = NULL, *where = NULL;
	size_t stop = 0;
	enum wg_err ret = walk_start(r, VERB_WRITE, &w);
	if (ret)
		return ret;
	ret = split_path(r, rel, &comps);
	if (ret)
		goto out;
	ret = walk_dirs(&w, comps.v, comps.n - 1, false, &stop);
	if (ret == WG_OK) {
		ret = find_entry(&w, comps.v[comps.n - 1], &found, &st);
		if (ret == WG_OK && S_ISLNK(st.st_mode))
			ret = refuse_link(&w, found, "replace it");
		else if (ret == WG_OK && !S_ISREG(st.st_mode))
			ret = refuse_type(&w, found, "regular file");
	}
	if (ret != WG_OK && ret != WG_ERR_NOT_FOUND)
		goto out;
	/* w.fd is the nearest existing folder: a real file creation shows EROFS, EACCES, ENOSPC. */
	for (int tries = 0;; tries++) {
		char *probe = xasprintf(".wimgraft-check-%ld-%d", (long)getpid(), tries);
		int fd = openat(w.fd, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(w.fd, probe, 0);
			free(probe);
			ret = WG_OK;
			break;
		}
		free(probe);
		if (e == EEXIST && tries < 100)
			continue;
		where = w.actual.len ? display_path(r, w.actual.buf) : xstrdup(r->path);
		wg_error("cannot write in '%s': %s", where, strerror(e));
		ret = wg_err_from_errno(e);
		break;
	}
out:
	free(found);
	free(where);
	sv_clear(&comps);
	walk_release(&w);
	return ret;
}
