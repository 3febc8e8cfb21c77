/*
 * fsinfo.h - which file system holds a target folder (statfs and /proc/self/mountinfo):
 * wimlib's FUSE mount, NTFS-3G, the kernel's ntfs3, or a plain POSIX one, and what each can keep.
 */
#ifndef WIMGRAFT_FSINFO_H
#define WIMGRAFT_FSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "error.h"

enum fs_kind {
	FS_POSIX,    /* ext4, xfs, tmpfs, ...: modes and owners, no Windows metadata */
	FS_WIMFS,    /* wimlib-imagex mount/mountrw: modes and owners only with --unix-data */
	FS_NTFS3G,   /* NTFS-3G (fuseblk or fuse.ntfs-3g): system.ntfs_acl/_attrib/_times */
	FS_NTFS3,    /* the kernel's ntfs3 driver */
};

struct fs_info {
	enum fs_kind kind;
	char *type;          /* the mount's type as mountinfo gives it ("fuse.wimfs", "ext4") */
	char *source;        /* what is mounted ("/dev/loop0", "install.wim") */
	char *mount_point;
};

/* One line of /proc/self/mountinfo, its fields unescaped (\040 and the like). */
struct mount_entry {
	unsigned major, minor;
	char *mount_point;
	char *type;
	char *source;
};

/*
 * Parse one mountinfo line (without its newline). false, with nothing allocated, when
 * it is malformed. Pure: fuzzed.
 */
bool mountinfo_parse_line(const char *line, size_t len, struct mount_entry *e);
void mount_entry_release(struct mount_entry *e);

/* The kind a mount's type, source and statfs magic say (magic 0 when unknown). */
enum fs_kind fs_kind_of(const char *type, const char *source, unsigned long magic);

/*
 * The file system holding the open folder fd: statfs, then the mountinfo line with the
 * same device (the last one: the mount on top). Never fails: what cannot be read is
 * reported as a plain POSIX file system of unknown type.
 */
void fsinfo_of_fd(int fd, struct fs_info *out);
void fsinfo_release(struct fs_info *fi);

/* "posix", "wimfs", "ntfs-3g", "ntfs3" */
const char *fs_kind_name(enum fs_kind kind);
/* One line for -v: "'/mnt/win10' is on fuse.wimfs (wimlib's mount of 'install.wim')". */
char *fsinfo_describe(const struct fs_info *fi, const char *display);
/* {"kind","type","source","mount_point"} for --json. */
json_object *fsinfo_json(const struct fs_info *fi);

/* Does the file system keep Windows security descriptors, attributes and times as xattrs? */
bool fs_keeps_ntfs_meta(const struct fs_info *fi);

#endif
