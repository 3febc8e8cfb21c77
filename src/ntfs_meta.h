/*
 * ntfs_meta.h - a file's NTFS metadata (security descriptor, attributes, times) read from a
 * WIM image through wimlib or from a file on NTFS-3G, and set through NTFS-3G's system.ntfs_* xattrs.
 */
#ifndef WIMGRAFT_NTFS_META_H
#define WIMGRAFT_NTFS_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct WIMStruct;

#define NTFS_XATTR_ACL    "system.ntfs_acl"
#define NTFS_XATTR_ATTRIB "system.ntfs_attrib"
#define NTFS_XATTR_TIMES  "system.ntfs_times"

struct ntfs_meta {
	unsigned char *sd;     /* self-relative security descriptor, or NULL when there is none */
	size_t sd_len;
	bool has_attrib;
	uint32_t attrib;       /* FILE_ATTRIBUTE_* */
	bool has_times;
	uint64_t times[3];     /* creation, last write, last access, as FILETIMEs */
};

/*
 * The metadata of path (any case, '/'-separated, from the image's root) in image index of
 * wim. When sha1 is given, the entry must be a file with that content, else a folder.
 * WG_ERR_NOT_FOUND, with no message, when there is no such entry.
 */
enum wg_err ntfs_meta_from_wim(struct WIMStruct *wim, int index, const char *path,
			       const uint8_t *sha1, struct ntfs_meta *m);
/* Read what an open file on NTFS-3G carries (what it does not carry is left unset). */
void ntfs_meta_read_fd(int fd, struct ntfs_meta *m);
/*
 * Give an open file (or folder) on NTFS-3G m's descriptor, attributes and times, in that
 * order (the times last: setting the others changes none of them but the change time).
 * Errors name display.
 */
enum wg_err ntfs_meta_apply_fd(int fd, const char *display, const struct ntfs_meta *m);
/*
 * The descriptor NTFS gives a new file (or folder) created in the folder dirfd: the parent's
 * inheritable ACEs, made inherited by libntfs-3g's ntfs_inherit_acl; owner and group
 * Administrators, as NTFS-3G's own "inherit" option gives. false (m untouched) when the
 * parent has no descriptor or nothing to inherit.
 */
bool ntfs_meta_inherit(int dirfd, bool is_dir, struct ntfs_meta *m);
void ntfs_meta_copy(struct ntfs_meta *to, const struct ntfs_meta *from);
void ntfs_meta_release(struct ntfs_meta *m);

#endif
