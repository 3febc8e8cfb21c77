/*
 * lock.c - flock-based target locks: taken with a bounded wait, checked against a
 * lock file replaced meanwhile, and removed by the last holder.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

/* Is fd still the file at name (not removed or replaced by a releasing holder)? */
static bool still_there(int dirfd, const char *name, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_lock_file(int dirfd, const char *name, bool exclusive)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && !exclusive && (errno == EROFS || errno == EACCES || errno == EPERM))
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

static void refuse(const char *display, int fd, unsigned wait)
{
	long pid = holder_pid(fd);
	char who[64] = "a reader";
	if (pid)
		snprintf(who, sizeof(who), "pid %ld", pid);
	if (wait)
		wg_error("%s is still in use by another wimgraft run (%s) after %u second%s",
			 display, who, wait, wait == 1 ? "" : "s");
	else
		wg_error("%s is in use by another wimgraft run (%s); try again later or give "
			 "--wait SECONDS", display, who);
}

static void sleep_a_little(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

static enum wg_err take(struct wg_lock *l, const char *display, unsigned wait)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int fd = open_lock_file(l->dirfd, l->name, l->exclusive);
		if (fd < 0) {
			int e = errno;
			if (e == ENOENT)
				return WG_ERR_NOT_FOUND;   /* the folder went, or read-only and never locked */
			wg_error("cannot open the lock file '%s' of %s: %s", l->name, display,
				 strerror(e));
			return wg_err_from_errno(e);
		}
		if (flock(fd, (l->exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) {
			if (still_there(l->dirfd, l->name, fd)) {
				l->fd = fd;
				return WG_OK;
			}
			close(fd);   /* the holder we waited for removed it: take the new one */
			continue;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			wg_error("cannot lock %s: %s", display, strerror(errno));
			close(fd);
			return WG_ERR_IO;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)wait) {
			refuse(display, fd, wait);
			close(fd);
			return WG_ERR_LOCKED;
		}
		close(fd);
		sleep_a_little();
	}
}

enum wg_err lock_take(int dirfd, const char *name, const char *display, bool exclusive,
		      unsigned wait, struct wg_lock *l)
{
	*l = (struct wg_lock)WG_LOCK_INIT;
	l->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (l->dirfd < 0) {
		wg_error("cannot lock %s: %s", display, strerror(errno));
		*l = (struct wg_lock)WG_LOCK_INIT;
		return WG_ERR_IO;
	}
	l->name = xstrdup(name);
	l->exclusive = exclusive;
	enum wg_err ret = take(l, display, wait);
	if (ret) {
		lock_release(l);
		return ret;
	}
	if (exclusive && l->fd >= 0) {
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (ftruncate(l->fd, 0) < 0 || pwrite(l->fd, pid, (size_t)n, 0) != n)
			wg_verbose("cannot write the process id into the lock of %s", display);
	}
	return WG_OK;
}

void lock_release(struct wg_lock *l)
{
	if (!l->name)
		return;   /* never taken (a zeroed struct is fine too) */
	if (l->fd >= 0) {
		/* Only a sole holder removes the file; waiters see it gone and open a new one. */
		if (flock(l->fd, LOCK_EX | LOCK_NB) == 0 && still_there(l->dirfd, l->name, l->fd))
			unlinkat(l->dirfd, l->name, 0);
		close(l->fd);
	}
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l->name);
	*l = (struct wg_lock)WG_LOCK_INIT;
}
