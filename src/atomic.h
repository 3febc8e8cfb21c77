/*
 * atomic.h - replace or create one file atomically inside a folder given by a
 * descriptor: write a temporary file beside it, fsync, rename (git's lockfile pattern).
 */
#ifndef WIMGRAFT_ATOMIC_H
#define WIMGRAFT_ATOMIC_H

#include <sys/types.h>
#include "error.h"

struct ntfs_meta;

struct atomic_file {
	int dirfd;                 /* borrowed: the folder holding the file */
	char *name;                /* the file's name in that folder (one component) */
	char *tmpname;             /* the temporary file's name in that folder */
	char *tmppath;             /* "/proc/self/fd/<dirfd>/<tmpname>", for libraries that want a path */
	char *display;             /* the file's name for messages */
	int fd;                    /* open for writing on the temporary file */
	mode_t mode;               /* mode of a new file (a replaced one keeps its own) */
	int committed;             /* set once the rename is done */
	/* optional, set before commit: NTFS metadata the new file gets (NTFS-3G), over the old one's */
	const struct ntfs_meta *meta;
};
/* A struct that atomic_abort may be called on before atomic_begin. */
#define ATOMIC_FILE_INIT { .dirfd = -1, .fd = -1 }

/*
 * Create the temporary file ".<name>.wimgraft-XXXXXX" (O_EXCL, O_NOFOLLOW, mode 0600
 * until the commit, so that a library may reopen tmppath for writing). name is one
 * component; display is the path to name in messages. The new file gets the existing
 * file's mode, else mode. On failure everything is already released (atomic_abort is
 * still safe to call).
 */
enum wg_err atomic_begin(int dirfd, const char *name, const char *display, mode_t mode,
			 struct atomic_file *af);
/* Write all of buf to the temporary file (ENOSPC reported as WG_ERR_NO_SPACE,
 * EROFS/EACCES as WG_ERR_READ_ONLY). */
enum wg_err atomic_write(struct atomic_file *af, const void *buf, size_t len);
/* Copy everything from fd (read from its current position) into the temporary file. */
enum wg_err atomic_copy_fd(struct atomic_file *af, int fd);
/*
 * fsync the temporary file; when the file being replaced exists, give the new one
 * its mode, owner, and its system.ntfs_acl / system.ntfs_attrib / other extended
 * attributes where the file system keeps them; then meta's descriptor, attributes and
 * times when meta is set; rename over it; fsync the folder.
 * A symbolic link (or anything but a regular file) at name is refused with
 * WG_ERR_UNSAFE_PATH. Call atomic_abort afterwards in every case.
 */
enum wg_err atomic_commit(struct atomic_file *af);
/* Remove the temporary file and free everything (safe after commit too). */
void atomic_abort(struct atomic_file *af);

#endif
