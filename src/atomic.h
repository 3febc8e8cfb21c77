/*
 * atomic.h - replace or create one file atomically inside a folder given by a
 * descriptor: write a temporary file beside it, fsync, rename (git's lockfile pattern).
 */
#ifndef WIMGRAFT_ATOMIC_H
#define WIMGRAFT_ATOMIC_H

#include <sys/types.h>
#include "error.h"

struct atomic_file {
	int dirfd;                 /* borrowed: the folder holding the file */
	char *name;                /* the file's name in that folder (one component) */
	char *tmpname;             /* the temporary file's name in that folder */
	char *tmppath;             /* "/proc/self/fd/<dirfd>/<tmpname>", for libraries that want a path */
	char *display;             /* the file's name for messages */
	int fd;                    /* open for writing on the temporary file */
};

/*
 * Create the temporary file (O_EXCL, O_NOFOLLOW). display is the path to name
 * in messages. The new file gets the existing file's mode, else mode.
 */
enum wg_err atomic_begin(int dirfd, const char *name, const char *display, mode_t mode,
			 struct atomic_file *af);
/* Write all of buf to the temporary file (ENOSPC reported as WG_ERR_NO_SPACE). */
enum wg_err atomic_write(struct atomic_file *af, const void *buf, size_t len);
/* Copy everything from fd (read from its current position) into the temporary file. */
enum wg_err atomic_copy_fd(struct atomic_file *af, int fd);
/*
 * fsync the temporary file; when the file being replaced exists, give the new one
 * its mode, owner, and its system.ntfs_acl / system.ntfs_attrib / other extended
 * attributes where the file system keeps them; rename over it; fsync the folder.
 */
enum wg_err atomic_commit(struct atomic_file *af);
/* Remove the temporary file and free everything (safe after commit too). */
void atomic_abort(struct atomic_file *af);

#endif
