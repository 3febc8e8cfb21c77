/*
 * fsinfo.c - which file system holds a target folder: statfs for the kind of driver,
 * /proc/self/mountinfo for the mount's type and source, an xattr probe for NTFS-3G on fuseblk.
 */
#include "fsinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "util.h"

#define FUSE_MAGIC  0x65735546UL
#define NTFS3_MAGIC 0x5346544eUL   /* "NTFS": the kernel's ntfs3 and the old ntfs driver */

static const char *const kind_names[] = { "posix", "wimfs", "ntfs-3g", "ntfs3" };

const char *fs_kind_name(enum fs_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "posix";
}

/* The next space-separated field of [*p, end), or NULL when there is none. */
static const char *next_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return NULL;
	const char *e = s;
	while (e < end && *e != ' ')
		e++;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

/* A mountinfo field with its octal escapes (\040 space, \011 tab, \012, \134) decoded. */
static char *unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static bool parse_devno(const char *s, size_t len, unsigned *major, unsigned *minor)
{
	unsigned v[2] = { 0, 0 };
	int part = 0;
	bool digit = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ':' && part == 0 && digit) {
			part = 1;
			digit = false;
		} else if (s[i] >= '0' && s[i] <= '9' && v[part] < 100000000u) {
			v[part] = v[part] * 10 + (unsigned)(s[i] - '0');
			digit = true;
		} else {
			return false;
		}
	}
	if (part != 1 || !digit)
		return false;
	*major = v[0];
	*minor = v[1];
	return true;
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * id, parent, major:minor, root, mount point, options, optional fields up to "-",
 * then type, source, super options.
 */
bool mountinfo_parse_line(const char *line, size_t len, struct mount_entry *e)
{
	const char *p = line, *end = line + len, *f, *mp = NULL, *type = NULL, *src = NULL;
	size_t n, mplen = 0, typelen = 0, srclen = 0;
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 6; i++) {
		f = next_field(&p, end, &n);
		if (!f)
			return false;
		if (i == 2 && !parse_devno(f, n, &e->major, &e->minor))
			return false;
		if (i == 4) {
			mp = f;
			mplen = n;
		}
	}
	for (;;) {
		f = next_field(&p, end, &n);
		if (!f)
			return false;
		if (n == 1 && *f == '-')
			break;
	}
	type = next_field(&p, end, &typelen);
	if (type)
		src = next_field(&p, end, &srclen);
	if (!type || !src)
		return false;
	e->mount_point = unescape(mp, mplen);
	e->type = unescape(type, typelen);
	e->source = unescape(src, srclen);
	return true;
}

void mount_entry_release(struct mount_entry *e)
{
	free(e->mount_point);
	free(e->type);
	free(e->source);
	memset(e, 0, sizeof(*e));
}

enum fs_kind fs_kind_of(const char *type, const char *source, unsigned long magic)
{
	if (type && !strcmp(type, "fuse.wimfs"))
		return FS_WIMFS;
	if (type && (!strcmp(type, "fuse.ntfs-3g") || !strcmp(type, "fuseblk.ntfs-3g") ||
		     !strcmp(type, "fuse.ntfs") || !strcmp(type, "fuseblk.ntfs")))
		return FS_NTFS3G;
	if (type && (!strcmp(type, "ntfs3") || !strcmp(type, "ntfs")))
		return FS_NTFS3;
	if (!type && magic == NTFS3_MAGIC)
		return FS_NTFS3;
	(void)source;
	return FS_POSIX;
}

/* The mount holding device dev: the last matching line, the mount on top. */
static bool find_mount(dev_t dev, struct mount_entry *out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool found = false;
	if (!f)
		return false;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct mount_entry e;
		if (line[n - 1] == '\n')
			n--;
		if (!mountinfo_parse_line(line, (size_t)n, &e))
			continue;
		if (e.major == major(dev) && e.minor == minor(dev)) {
			if (found)
				mount_entry_release(out);
			*out = e;
			found = true;
		} else {
			mount_entry_release(&e);
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* NTFS-3G answers system.ntfs_attrib on every file; other FUSE file systems do not. */
static bool probe_ntfs_attrib(int fd)
{
	unsigned char v[4];
	return fgetxattr(fd, "system.ntfs_attrib", v, sizeof(v)) == (ssize_t)sizeof(v);
}

void fsinfo_of_fd(int fd, struct fs_info *out)
{
	struct statfs sfs;
	struct stat st;
	struct mount_entry e = { 0 };
	unsigned long magic = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (fstatfs(fd, &sfs) == 0)
		magic = (unsigned long)sfs.f_type;
	if (fstat(fd, &st) == 0)
		found = find_mount(st.st_dev, &e);
	out->kind = fs_kind_of(found ? e.type : NULL, found ? e.source : NULL, magic);
	/* fuseblk (and a FUSE mount named otherwise) says nothing of its daemon: ask the file system */
	if (out->kind == FS_POSIX && magic == FUSE_MAGIC && probe_ntfs_attrib(fd))
		out->kind = FS_NTFS3G;
	if (found) {
		out->type = e.type;
		out->source = e.source;
		out->mount_point = e.mount_point;
	} else {
		out->type = xstrdup(magic == FUSE_MAGIC ? "fuse" : "unknown");
	}
}

void fsinfo_release(struct fs_info *fi)
{
	free(fi->type);
	free(fi->source);
	free(fi->mount_point);
	memset(fi, 0, sizeof(*fi));
}

char *fsinfo_describe(const struct fs_info *fi, const char *display)
{
	static const char *const what[] = {
		"a POSIX file system: no Windows security descriptors or attributes",
		"wimlib's mount of a WIM image",
		"NTFS-3G: security descriptors, attributes and times are kept",
		"the kernel's ntfs3 driver",
	};
	/* wimlib's mount names no WIM ("wimfs"): a source is worth naming when it is a path */
	if (fi->source && fi->source[0] == '/')
		return xasprintf("%s is on %s from '%s' (%s)", display, fi->type, fi->source,
				 what[fi->kind]);
	return xasprintf("%s is on %s (%s)", display, fi->type ? fi->type : "an unknown file system",
			 what[fi->kind]);
}

json_object *fsinfo_json(const struct fs_info *fi)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(fs_kind_name(fi->kind)));
	json_object_object_add(o, "type", json_object_new_string(fi->type ? fi->type : "unknown"));
	if (fi->source)
		json_object_object_add(o, "source", json_object_new_string(fi->source));
	if (fi->mount_point)
		json_object_object_add(o, "mount_point", json_object_new_string(fi->mount_point));
	return o;
}

bool fs_keeps_ntfs_meta(const struct fs_info *fi)
{
	return fi->kind == FS_NTFS3G;
}
