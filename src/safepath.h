/*
 * safepath.h - reach paths below a target folder without ever leaving it: every
 * component resolved with openat(O_NOFOLLOW), case-insensitively as Windows does.
 */
#ifndef WIMGRAFT_SAFEPATH_H
#define WIMGRAFT_SAFEPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

struct ntfs_meta;

/* A target folder, opened once; every path below it is resolved from fd. */
struct wg_root {
	int fd;       /* O_RDONLY|O_DIRECTORY on the folder */
	char *path;   /* the folder as given, for messages */
	/*
	 * The file system keeps Windows security descriptors (NTFS-3G): folders and files
	 * created without metadata of their own get what NTFS would make them inherit.
	 */
	bool ntfs_inherit;
};
#define WG_ROOT_INIT { -1, NULL, false }

/*
 * Paths given to these functions are relative, '/'- or '\'-separated. Each
 * component is matched exactly first, else ASCII-case-insensitively (two entries
 * differing only in case, neither exact: WG_ERR_AMBIGUOUS). Absolute paths, empty,
 * "." and ".." components are WG_ERR_UNSAFE_PATH; so is any symbolic link met on
 * the way. WG_ERR_NOT_FOUND is returned without a message (the caller knows whether
 * absence is an error); every other error is reported where it is detected.
 */

/* Open dir (which must be a folder). */
enum wg_err root_open(const char *dir, struct wg_root *r);
void root_close(struct wg_root *r);

/*
 * Find an existing path. *actual (optional) gets its stored spelling, '/'-separated;
 * *st (optional) its lstat: a symbolic link as the last component is reported
 * (S_ISLNK), not followed and not refused.
 */
enum wg_err root_lookup(const struct wg_root *r, const char *rel, char **actual, struct stat *st);

/*
 * Open the folder holding rel's last component. With create, missing folders are
 * made (mode 0755; existing ones reused whatever their case) and the rel path of
 * each one, in stored spelling, is appended to created (optional) in creation order;
 * on failure the folders made by this call are removed again and not listed.
 * *dirfd gets an O_RDONLY|O_DIRECTORY descriptor (the caller closes it); *leaf the
 * existing entry's spelling of the last component, else the given one.
 */
enum wg_err root_open_parent(const struct wg_root *r, const char *rel, bool create,
			     int *dirfd, char **leaf, struct strvec *created);

/* Open a regular file for reading (O_NOFOLLOW; a symlink is refused). */
enum wg_err root_open_read(const struct wg_root *r, const char *rel, int *fd);

/* Remove a file (not a folder; a symbolic link is refused) and sync its folder. */
enum wg_err root_unlink(const struct wg_root *r, const char *rel);

/* Remove a folder when it is empty; a folder that is not empty is left, with WG_OK. */
enum wg_err root_rmdir_if_empty(const struct wg_root *r, const char *rel);

/*
 * Write a file atomically at rel (atomic.h: temporary file, fsync, rename; a
 * replaced file keeps its mode, owner and extended attributes; a new one gets
 * mode), from src_fd's current position to its end, or from a buffer. Missing
 * folders are created as with root_open_parent and listed in created; on failure
 * nothing is left: no temporary file, no folder made by this call.
 */
enum wg_err root_write_file(const struct wg_root *r, const char *rel, int src_fd, mode_t mode,
			    struct strvec *created);
enum wg_err root_write_buf(const struct wg_root *r, const char *rel, const void *buf, size_t len,
			   mode_t mode, struct strvec *created);
/* root_write_file, the file given meta's NTFS metadata (ntfs_meta.h) before it is renamed into place. */
enum wg_err root_write_file_meta(const struct wg_root *r, const char *rel, int src_fd, mode_t mode,
				 const struct ntfs_meta *meta, struct strvec *created);
/* Open an existing folder (no symbolic link on the way) for its metadata. */
enum wg_err root_open_dir(const struct wg_root *r, const char *rel, int *fd);

/*
 * Check, creating nothing that stays, that rel could be written: every existing
 * component is a real folder (no symbolic link), an existing last component is a
 * regular file, and a test file can be created in the nearest existing folder
 * (so a read-only mount, a full disk or missing permissions are found before any write).
 */
enum wg_err root_check_writable(const struct wg_root *r, const char *rel);

#endif
