/*
 * ntfs_meta.c - NTFS metadata carried from a WIM image (wimlib_iterate_dir_tree) or a file
 * on NTFS-3G to a file on NTFS-3G, through its system.ntfs_acl / ntfs_attrib / ntfs_times xattrs.
 */
#include "ntfs_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>

#include <wimlib.h>

/* libntfs-3g's headers need to be told these exist, else they redefine struct timespec. */
#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_STAT_H 1
#include <ntfs-3g/types.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/acls.h>

#include "source.h"
#include "util.h"

/* 100 ns intervals from 1601-01-01 to 1970-01-01 */
#define FILETIME_1970 116444736000000000ULL

/*
 * Attributes a file may be given: the others (directory, sparse, compressed, encrypted,
 * reparse point) describe how the data is stored, and NTFS-3G keeps them itself.
 */
#define SETTABLE_ATTRIBUTES                                                                   \
	(WIMLIB_FILE_ATTRIBUTE_READONLY | WIMLIB_FILE_ATTRIBUTE_HIDDEN |                        \
	 WIMLIB_FILE_ATTRIBUTE_SYSTEM | WIMLIB_FILE_ATTRIBUTE_ARCHIVE | WIMLIB_FILE_ATTRIBUTE_NORMAL | \
	 WIMLIB_FILE_ATTRIBUTE_TEMPORARY | WIMLIB_FILE_ATTRIBUTE_OFFLINE |                      \
	 WIMLIB_FILE_ATTRIBUTE_NOT_CONTENT_INDEXED)

static uint64_t filetime_of(const struct wimlib_timespec *ts)
{
	int64_t units = (int64_t)ts->tv_sec * 10000000 + ts->tv_nsec / 100;
	return (uint64_t)((int64_t)FILETIME_1970 + units);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 8; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

struct wim_lookup {
	const uint8_t *sha1;
	struct ntfs_meta *m;
	bool found;
};

static int on_entry(const struct wimlib_dir_entry *d, void *arg)
{
	struct wim_lookup *l = arg;
	bool is_dir = d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY;
	if (l->sha1 ? is_dir || memcmp(d->streams[0].resource.sha1_hash, l->sha1, 20) : !is_dir)
		return 0;
	struct ntfs_meta *m = l->m;
	if (d->security_descriptor && d->security_descriptor_size) {
		m->sd = xmalloc(d->security_descriptor_size);
		memcpy(m->sd, d->security_descriptor, d->security_descriptor_size);
		m->sd_len = d->security_descriptor_size;
	}
	m->has_attrib = true;
	m->attrib = d->attributes;
	m->has_times = true;
	m->times[0] = filetime_of(&d->creation_time);
	m->times[1] = filetime_of(&d->last_write_time);
	m->times[2] = filetime_of(&d->last_access_time);
	l->found = true;
	return 0;
}

enum wg_err ntfs_meta_from_wim(struct WIMStruct *wim, int index, const char *path,
			       const uint8_t *sha1, struct ntfs_meta *m)
{
	struct wim_lookup l = { sha1, m, false };
	memset(m, 0, sizeof(*m));
	int code = wimlib_iterate_dir_tree(wim, index, path, 0, on_entry, &l);
	if (code == WIMLIB_ERR_PATH_DOES_NOT_EXIST || (!code && !l.found))
		return WG_ERR_NOT_FOUND;
	if (code) {
		wg_error("cannot read the metadata of '%s' in the source image: %s", path,
			 source_wimlib_error(code));
		return WG_ERR_WIM;
	}
	return WG_OK;
}

static ssize_t get_xattr(int fd, const char *name, unsigned char **val)
{
	ssize_t n;
	*val = NULL;
	for (;;) {
		n = fgetxattr(fd, name, NULL, 0);
		if (n <= 0)
			return -1;
		*val = xrealloc(*val, (size_t)n);
		n = fgetxattr(fd, name, *val, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	if (n <= 0) {
		free(*val);
		*val = NULL;
		return -1;
	}
	return n;
}

void ntfs_meta_read_fd(int fd, struct ntfs_meta *m)
{
	unsigned char *v;
	ssize_t n;
	memset(m, 0, sizeof(*m));
	if ((n = get_xattr(fd, NTFS_XATTR_ACL, &v)) > 0) {
		m->sd = v;
		m->sd_len = (size_t)n;
	}
	if ((n = get_xattr(fd, NTFS_XATTR_ATTRIB, &v)) >= 4) {
		m->has_attrib = true;
		m->attrib = (uint32_t)(v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24);
	}
	free(v);
	if ((n = get_xattr(fd, NTFS_XATTR_TIMES, &v)) >= 24) {
		m->has_times = true;
		for (int i = 0; i < 3; i++)
			m->times[i] = get_le64(v + 8 * i);
	}
	free(v);
}

static enum wg_err set_xattr(int fd, const char *display, const char *name, const void *v,
			     size_t len)
{
	if (fsetxattr(fd, name, v, len, 0) == 0)
		return WG_OK;
	wg_error("cannot set '%s' of '%s': %s", name, display, strerror(errno));
	return wg_err_from_errno(errno);
}

enum wg_err ntfs_meta_apply_fd(int fd, const char *display, const struct ntfs_meta *m)
{
	enum wg_err ret = WG_OK;
	if (m->sd)
		ret = set_xattr(fd, display, NTFS_XATTR_ACL, m->sd, m->sd_len);
	if (!ret && m->has_attrib) {
		unsigned char v[4];
		put_le32(v, m->attrib & SETTABLE_ATTRIBUTES);
		ret = set_xattr(fd, display, NTFS_XATTR_ATTRIB, v, sizeof(v));
	}
	if (!ret && m->has_times) {
		unsigned char v[24];
		for (int i = 0; i < 3; i++)
			put_le64(v + 8 * i, m->times[i]);
		ret = set_xattr(fd, display, NTFS_XATTR_TIMES, v, sizeof(v));
	}
	return ret;
}

/* S-1-5-32-544, BUILTIN\Administrators */
static const unsigned char admins_sid[] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0 };

/* Inherit the parent's ACL at offset off into out at *pos; the new ACL's offset, or 0. */
static uint32_t inherit_acl(const unsigned char *parent, uint32_t off, le16 auto_inherited,
			    bool is_dir, unsigned char *out, size_t *pos)
{
	const SID *sid = (const SID *)admins_sid;
	int n = ntfs_inherit_acl((const ACL *)(parent + off), (ACL *)(out + *pos), sid, sid,
				 is_dir, auto_inherited);
	if (n <= 0)
		return 0;
	uint32_t at = (uint32_t)*pos;
	*pos += (size_t)n;
	return at;
}

bool ntfs_meta_inherit(int dirfd, bool is_dir, struct ntfs_meta *m)
{
	unsigned char *parent;
	ssize_t n = get_xattr(dirfd, NTFS_XATTR_ACL, &parent);
	if (n < (ssize_t)sizeof(SECURITY_DESCRIPTOR_RELATIVE) ||
	    !ntfs_valid_descr((const char *)parent, (unsigned)n)) {
		free(n > 0 ? parent : NULL);
		return false;
	}
	const SECURITY_DESCRIPTOR_RELATIVE *ph = (const SECURITY_DESCRIPTOR_RELATIVE *)parent;
	const SID *sid = (const SID *)admins_sid;
	size_t room = sizeof(*ph) + 2 * sizeof(admins_sid) + 2 * (size_t)n;
	if (ph->dacl)
		room += (size_t)ntfs_inherit_acl_extra_size((const ACL *)(parent + le32_to_cpu(ph->dacl)),
							    sid, sid);
	if (ph->sacl)
		room += (size_t)ntfs_inherit_acl_extra_size((const ACL *)(parent + le32_to_cpu(ph->sacl)),
							    sid, sid);
	unsigned char *sd = xcalloc(1, room);
	SECURITY_DESCRIPTOR_RELATIVE *h = (SECURITY_DESCRIPTOR_RELATIVE *)sd;
	size_t pos = sizeof(*h);
	uint32_t at;
	le16 autoinh = ph->control & SE_DACL_AUTO_INHERITED;
	le16 sautoinh = ph->control & SE_SACL_AUTO_INHERITED;
	h->revision = ph->revision;
	h->control = SE_SELF_RELATIVE;
	if (ph->dacl && (at = inherit_acl(parent, le32_to_cpu(ph->dacl), autoinh, is_dir, sd, &pos))) {
		h->dacl = cpu_to_le32(at);
		h->control |= SE_DACL_PRESENT | autoinh;
	}
	if (ph->sacl && (at = inherit_acl(parent, le32_to_cpu(ph->sacl), sautoinh, is_dir, sd, &pos))) {
		h->sacl = cpu_to_le32(at);
		h->control |= SE_SACL_PRESENT | sautoinh;
	}
	free(parent);
	if (!h->dacl) {
		free(sd);
		return false;
	}
	memcpy(sd + pos, admins_sid, sizeof(admins_sid));
	h->owner = cpu_to_le32((uint32_t)pos);
	pos += sizeof(admins_sid);
	memcpy(sd + pos, admins_sid, sizeof(admins_sid));
	h->group = cpu_to_le32((uint32_t)pos);
	pos += sizeof(admins_sid);
	memset(m, 0, sizeof(*m));
	m->sd = sd;
	m->sd_len = pos;
	return true;
}

void ntfs_meta_copy(struct ntfs_meta *to, const struct ntfs_meta *from)
{
	*to = *from;
	if (from->sd) {
		to->sd = xmalloc(from->sd_len);
		memcpy(to->sd, from->sd, from->sd_len);
	}
}

void ntfs_meta_release(struct ntfs_meta *m)
{
	free(m->sd);
	memset(m, 0, sizeof(*m));
}
