/*
 * lock.h - keep two wimgraft runs from changing one target at once: flock on a
 * lock file (in an image folder, or beside a WIM), exclusive for writers, shared for readers.
 */
#ifndef WIMGRAFT_LOCK_H
#define WIMGRAFT_LOCK_H

#include <stdbool.h>

#include "error.h"

struct wg_lock {
	int fd;            /* the locked file, -1 when nothing is held */
	int dirfd;         /* the folder holding it (owned) */
	char *name;        /* its name in that folder */
	bool exclusive;
};
#define WG_LOCK_INIT { -1, -1, NULL, false }

/*
 * Lock the file name in the folder dirfd (dup'd; the caller keeps its own),
 * creating it (O_NOFOLLOW, mode 0644) unless it is a shared lock on a folder that
 * cannot be written. Another holder: wait up to wait seconds, then WG_ERR_LOCKED with
 * one line naming what (display) and the holder's process id. An exclusive holder
 * writes its process id into the file. A lock file replaced or removed while we
 * waited is opened again, so that removing it at release is safe. WG_ERR_NOT_FOUND
 * (quiet): the folder was removed meanwhile, or is read-only and holds no lock file.
 */
enum wg_err lock_take(int dirfd, const char *name, const char *display, bool exclusive,
		      unsigned wait, struct wg_lock *l);
/* Unlock; the lock file is removed when no other run holds or waits on it. Safe when not
 * held, and on a zeroed struct. */
void lock_release(struct wg_lock *l);

#endif
