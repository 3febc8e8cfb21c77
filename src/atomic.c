/*
 * atomic.c - create or replace one file atomically in a folder given by a descriptor:
 * temporary file beside it, fsync, keep the old file's mode/owner/xattrs, rename, fsync the folder.
 */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ntfs_meta.h"
#include "util.h"

#define TMP_SUFFIX ".wimgraft-"
#define TMP_RANDOM 6

/*
 * Extended attributes that NTFS-3G keeps but does not list: the Windows security
 * descriptor and the DOS attributes. The ACL goes last but one (it replaces the
 * owner and mode set before it), the attributes last.
 */
static const char *const ntfs_xattrs[] = { "system.ntfs_acl", "system.ntfs_attrib" };

static bool valid_component(const char *name)
{
	return name && *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/') &&
	       strlen(name) <= NAME_MAX;
}

static void random_suffix(char out[TMP_RANDOM + 1])
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[TMP_RANDOM];
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		static unsigned long counter;
		unsigned long v = (unsigned long)getpid() * 2654435761UL + ++counter * 40503UL +
				  (unsigned long)(uintptr_t)&counter;
		for (int i = 0; i < TMP_RANDOM; i++, v >>= 5)
			rnd[i] = (unsigned char)v;
	}
	for (int i = 0; i < TMP_RANDOM; i++)
		out[i] = set[rnd[i] % (sizeof(set) - 1)];
	out[TMP_RANDOM] = '\0';
}

/* ".<name>.wimgraft-XXXXXX", the name shortened when the result would exceed NAME_MAX. */
static char *make_tmpname(const char *name)
{
	char rnd[TMP_RANDOM + 1];
	size_t room = NAME_MAX - 1 - strlen(TMP_SUFFIX) - TMP_RANDOM;
	size_t len = strlen(name);
	random_suffix(rnd);
	return xasprintf(".%.*s%s%s", (int)(len < room ? len : room), name, TMP_SUFFIX, rnd);
}

static void reset(struct atomic_file *af)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = -1;
	af->fd = -1;
}

enum wg_err atomic_begin(int dirfd, const char *name, const char *display, mode_t mode,
			 struct atomic_file *af)
{
	reset(af);
	if (!display)
		display = name ? name : "";
	if (!valid_component(name)) {
		wg_error("'%s' is not a valid file name", display);
		return WG_ERR_UNSAFE_PATH;
	}
	af->dirfd = dirfd;
	af->name = xstrdup(name);
	af->display = xstrdup(display);
	af->mode = mode & 07777;

	for (int tries = 0; tries < 100; tries++) {
		char *tmp = make_tmpname(name);
		/* 0600 until commit: a library reopening tmppath for writing must be able to. */
		int fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			af->fd = fd;
			af->tmpname = tmp;
			af->tmppath = xasprintf("/proc/self/fd/%d/%s", dirfd, tmp);
			return WG_OK;
		}
		int e = errno;
		free(tmp);
		if (e == EEXIST)
			continue;
		wg_error("cannot create a temporary file beside '%s': %s", display, strerror(e));
		atomic_abort(af);
		return wg_err_from_errno(e);
	}
	wg_error("cannot create a temporary file beside '%s': too many name collisions", display);
	atomic_abort(af);
	return WG_ERR_IO;
}

static enum wg_err write_error(struct atomic_file *af, int e)
{
	wg_error("cannot write '%s': %s", af->display, strerror(e));
	return wg_err_from_errno(e);
}

enum wg_err atomic_write(struct atomic_file *af, const void *buf, size_t len)
{
	const char *p = buf;
	if (af->fd < 0) {
		wg_error("cannot write '%s': the file is not open", af->display ? af->display : "");
		return WG_ERR_INTERNAL;
	}
	while (len) {
		size_t chunk = len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len;
		ssize_t n = write(af->fd, p, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return write_error(af, errno);
		}
		if (n == 0)
			return write_error(af, ENOSPC);
		p += n;
		len -= (size_t)n;
	}
	return WG_OK;
}

enum wg_err atomic_copy_fd(struct atomic_file *af, int fd)
{
	enum { BUFSZ = 1 << 16 };
	char *buf = xmalloc(BUFSZ);
	enum wg_err ret = WG_OK;
	for (;;) {
		ssize_t n = read(fd, buf, BUFSZ);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wg_error("cannot read the data for '%s': %s", af->display, strerror(errno));
			ret = WG_ERR_IO;
			break;
		}
		if (n == 0)
			break;
		ret = atomic_write(af, buf, (size_t)n);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

/*
 * A file system that keeps no modes or owners (wimlib's mount without --unix-data) refuses
 * chmod and chown on the temporary file, which is ours: nothing is lost by going on.
 */
static bool mode_unsupported(int e)
{
	return e == ENOTSUP || e == EOPNOTSUPP || e == ENOSYS || e == EPERM;
}

static bool xattr_unsupported(int e)
{
	return e == ENOTSUP || e == EOPNOTSUPP || e == ENODATA || e == ENOSYS;
}

/*
 * Copy one extended attribute from the old file to the new. Attributes the file
 * system does not keep are skipped quietly; failing to set user.* (NTFS-3G's named
 * streams) or system.ntfs_* is an error, failing to set any other a warning (quiet
 * for a non-root user refused the trusted.* and security.* ones).
 */
static enum wg_err copy_xattr(struct atomic_file *af, int oldfd, const char *name)
{
	char *val = NULL;
	ssize_t n;
	enum wg_err ret = WG_OK;

	for (;;) {
		n = fgetxattr(oldfd, name, NULL, 0);
		if (n < 0)
			break;
		val = xrealloc(val, (size_t)n ? (size_t)n : 1);
		n = fgetxattr(oldfd, name, val, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	if (n < 0) {
		if (!xattr_unsupported(errno)) {
			wg_error("cannot read the attribute '%s' of '%s': %s", name, af->display,
				 strerror(errno));
			ret = wg_err_from_errno(errno);
		}
		goto out;
	}
	if (fsetxattr(af->fd, name, val, (size_t)n, 0) < 0) {
		int e = errno;
		if (xattr_unsupported(e))
			goto out;
		if (!strncmp(name, "user.", 5) || !strncmp(name, "system.ntfs_", 12)) {
			wg_error("cannot keep the attribute '%s' of '%s': %s", name, af->display,
				 strerror(e));
			ret = wg_err_from_errno(e);
		} else if (!((e == EPERM || e == EACCES) && geteuid() != 0)) {
			/* security.*, trusted.*, POSIX ACLs: worth a word, not worth failing for */
			wg_warning("cannot keep the attribute '%s' of '%s': %s", name, af->display,
				   strerror(e));
		}
	}
out:
	free(val);
	return ret;
}

static enum wg_err copy_xattrs(struct atomic_file *af, int oldfd)
{
	char *list = NULL;
	ssize_t n;
	enum wg_err ret = WG_OK;

	for (;;) {
		n = flistxattr(oldfd, NULL, 0);
		if (n <= 0)
			break;
		list = xrealloc(list, (size_t)n);
		n = flistxattr(oldfd, list, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	if (n < 0 && !xattr_unsupported(errno)) {
		wg_error("cannot list the attributes of '%s': %s", af->display, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1) {
		const char *name = list + i;
		bool special = false;
		for (size_t k = 0; k < ARRAY_SIZE(ntfs_xattrs); k++)
			special |= !strcmp(name, ntfs_xattrs[k]);
		if (special)
			continue;
		ret = copy_xattr(af, oldfd, name);
		if (ret)
			goto out;
	}
	for (size_t k = 0; k < ARRAY_SIZE(ntfs_xattrs); k++) {
		ret = copy_xattr(af, oldfd, ntfs_xattrs[k]);
		if (ret)
			goto out;
	}
out:
	free(list);
	return ret;
}

/* Give the new file the old one's owner, mode and extended attributes. */
static enum wg_err copy_metadata(struct atomic_file *af, const struct stat *old)
{
	enum wg_err ret = WG_OK;
	struct stat st;
	int oldfd = openat(af->dirfd, af->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (oldfd < 0) {
		wg_error("cannot open '%s': %s", af->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	if (fstat(oldfd, &st) < 0 || st.st_dev != old->st_dev || st.st_ino != old->st_ino) {
		wg_error("'%s' changed while it was being replaced", af->display);
		ret = WG_ERR_IO;
		goto out;
	}
	if (fstat(af->fd, &st) < 0) {
		ret = write_error(af, errno);
		goto out;
	}
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(af->fd, old->st_uid, old->st_gid) < 0) {
		int e = errno;
		if (!mode_unsupported(e)) {
			wg_error("cannot keep the owner of '%s': %s", af->display, strerror(e));
			ret = wg_err_from_errno(e);
			goto out;
		}
	}
	if (fchmod(af->fd, old->st_mode & 07777) < 0 && !mode_unsupported(errno)) {
		wg_error("cannot keep the mode of '%s': %s", af->display, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	ret = copy_xattrs(af, oldfd);
out:
	close(oldfd);
	return ret;
}

static enum wg_err sync_dir(struct atomic_file *af)
{
	int fd = openat(af->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open the folder of '%s': %s", af->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = WG_OK;
	if (fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP) {
		wg_error("cannot sync the folder of '%s': %s", af->display, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	close(fd);
	return ret;
}

enum wg_err atomic_commit(struct atomic_file *af)
{
	struct stat tmp_st, fd_st, old;
	enum wg_err ret;

	if (!af->tmpname || af->fd < 0 || af->committed) {
		wg_error("cannot commit '%s': no temporary file is open",
			 af->display ? af->display : "");
		return WG_ERR_INTERNAL;
	}
	/* The temporary name must still be the file we created (a library may have reopened it). */
	if (fstat(af->fd, &fd_st) < 0 ||
	    fstatat(af->dirfd, af->tmpname, &tmp_st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    tmp_st.st_dev != fd_st.st_dev || tmp_st.st_ino != fd_st.st_ino) {
		wg_error("the temporary file for '%s' was replaced or removed", af->display);
		return WG_ERR_IO;
	}
	if (fsync(af->fd) < 0)
		return write_error(af, errno);

	if (fstatat(af->dirfd, af->name, &old, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(old.st_mode)) {
			wg_error("'%s' is a symbolic link; refusing to replace it", af->display);
			return WG_ERR_UNSAFE_PATH;
		}
		if (!S_ISREG(old.st_mode)) {
			wg_error("'%s' is not a regular file; refusing to replace it", af->display);
			return WG_ERR_UNSAFE_PATH;
		}
		ret = copy_metadata(af, &old);
		if (ret)
			return ret;
	} else if (errno == ENOENT) {
		if (fchmod(af->fd, af->mode) < 0 && !mode_unsupported(errno)) {
			wg_error("cannot set the mode of '%s': %s", af->display, strerror(errno));
			return wg_err_from_errno(errno);
		}
	} else {
		wg_error("cannot stat '%s': %s", af->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	if (af->meta) {
		ret = ntfs_meta_apply_fd(af->fd, af->display, af->meta);
		if (ret)
			return ret;
	}
	/* Metadata changes are inode changes: sync them with the data before the rename. */
	if (fsync(af->fd) < 0)
		return write_error(af, errno);

	/* NTFS-3G marks a renamed file ARCHIVE: its attributes (and times) are given once more. */
	struct ntfs_meta again = { 0 };
	if (af->meta)
		again = *af->meta;
	else
		ntfs_meta_read_fd(af->fd, &again);
	if (renameat(af->dirfd, af->tmpname, af->dirfd, af->name) < 0) {
		wg_error("cannot rename the temporary file to '%s': %s", af->display, strerror(errno));
		if (!af->meta)
			ntfs_meta_release(&again);
		return wg_err_from_errno(errno);
	}
	af->committed = 1;
	if (!af->meta) {
		free(again.sd);              /* kept as it is; its times are those of the write */
		again.has_times = false;
	}
	again.sd = NULL;
	if (again.has_attrib || again.has_times) {
		ret = ntfs_meta_apply_fd(af->fd, af->display, &again);
		if (ret)
			return ret;
	}
	close(af->fd);
	af->fd = -1;
	return sync_dir(af);
}

void atomic_abort(struct atomic_file *af)
{
	if (af->tmpname) {
		if (af->fd >= 0)
			close(af->fd);
		if (!af->committed)
			unlinkat(af->dirfd, af->tmpname, 0);
	}
	free(af->name);
	free(af->tmpname);
	free(af->tmppath);
	free(af->display);
	af->name = af->tmpname = af->tmppath = af->display = NULL;
	af->fd = -1;
}
