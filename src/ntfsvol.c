/*
 * ntfsvol.c - NTFS volume images for wimlib's NTFS-3G mode: templates made once with mkntfs,
 * cloned sparsely, and one file's data read or rewritten in place through libntfs-3g (no mount).
 */
#include "ntfsvol.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* libntfs-3g's headers need to be told these exist, else they redefine struct timespec. */
#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_STAT_H 1
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/volume.h>

#include "util.h"

extern char **environ;

#define MIN_VOLUME (64ull << 20)
#define MAX_CLASSES 12                  /* 64 MiB .. 128 GiB */

struct ntfsvol_pool {
	char *dir;
	char *mkntfs;
	char *templates[MAX_CLASSES];      /* made when first needed */
	unsigned seq;
};

static char *find_mkntfs(void)
{
	const char *path = getenv("PATH");
	struct strbuf dirs = STRBUF_INIT;
	char *found = NULL;
	/* sbin is missing from the PATH of most users; mkntfs lives there */
	sb_addf(&dirs, "%s:/usr/sbin:/sbin:/usr/local/sbin", path ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(dirs.buf, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/mkntfs", *d ? d : ".");
		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	sb_release(&dirs);
	return found;
}

static void quiet_library(void)
{
	static int done;
	if (done)
		return;
	/* errors are reported by us, once, in our words */
	ntfs_log_set_handler(ntfs_log_handler_null);
	done = 1;
}

enum wg_err ntfsvol_pool_new(const char *dir, struct ntfsvol_pool **out)
{
	char *mk = find_mkntfs();
	if (!mk)
		return WG_ERR_NOT_FOUND;
	quiet_library();
	struct ntfsvol_pool *p = xcalloc(1, sizeof(*p));
	p->dir = xstrdup(dir);
	p->mkntfs = mk;
	*out = p;
	return WG_OK;
}

void ntfsvol_pool_free(struct ntfsvol_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < MAX_CLASSES; i++) {
		if (p->templates[i])
			unlink(p->templates[i]);
		free(p->templates[i]);
	}
	free(p->mkntfs);
	free(p->dir);
	free(p);
}

static enum wg_err make_template(struct ntfsvol_pool *p, size_t cls)
{
	char *path = xasprintf("%s/template-%zu.img", p->dir, cls);
	uint64_t bytes = MIN_VOLUME << cls;
	enum wg_err ret = WG_OK;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
		wg_error("cannot create the volume image '%s': %s", path, strerror(errno));
		ret = wg_err_from_errno(errno);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = { p->mkntfs, "-F", "-f", "-q", "-L", "wimgraft", path, NULL };
	pid_t pid;
	int st = 0;
	int e = posix_spawn(&pid, p->mkntfs, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (e != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		wg_error("'%s' could not make an NTFS volume image in '%s'%s%s", p->mkntfs, p->dir,
			 e ? ": " : "", e ? strerror(e) : "");
		ret = WG_ERR_IO;
		goto out;
	}
	p->templates[cls] = path;
	path = NULL;
out:
	if (path)
		unlink(path);
	free(path);
	return ret;
}

/* Copy a sparse file, its holes kept (the templates are mostly holes). */
static enum wg_err clone_sparse(const char *from, const char *to)
{
	enum wg_err ret = WG_OK;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	struct stat st;
	if (in < 0 || out < 0 || fstat(in, &st) < 0 || ftruncate(out, st.st_size) < 0) {
		wg_error("cannot make the volume image '%s': %s", to, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	off_t data = 0;
	while ((data = lseek(in, data, SEEK_DATA)) >= 0) {
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = st.st_size;
		off_t src = data, dst = data;
		while (src < hole) {
			ssize_t n = copy_file_range(in, &src, out, &dst, (size_t)(hole - src), 0);
			if (n <= 0) {
				wg_error("cannot copy '%s' to '%s': %s", from, to,
					 n < 0 ? strerror(errno) : "unexpected end of file");
				ret = n < 0 ? wg_err_from_errno(errno) : WG_ERR_IO;
				goto out;
			}
		}
		data = hole;
	}
	if (errno != ENXIO) {
		wg_error("cannot read '%s': %s", from, strerror(errno));
		ret = WG_ERR_IO;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && !ret) {
		wg_error("cannot write '%s': %s", to, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		unlink(to);
	return ret;
}

enum wg_err ntfsvol_new(struct ntfsvol_pool *p, uint64_t size, char **path)
{
	size_t cls = 0;
	/* room for the file, its folders and NTFS's own files */
	uint64_t need = size + size / 8 + (16ull << 20);
	while (cls + 1 < MAX_CLASSES && (MIN_VOLUME << cls) < need)
		cls++;
	if ((MIN_VOLUME << cls) < need) {
		wg_error("a file of %llu bytes is too large for an NTFS volume image",
			 (unsigned long long)size);
		return WG_ERR_IO;
	}
	if (!p->templates[cls]) {
		enum wg_err ret = make_template(p, cls);
		if (ret)
			return ret;
	}
	char *vol = xasprintf("%s/vol-%u.img", p->dir, p->seq++);
	enum wg_err ret = clone_sparse(p->templates[cls], vol);
	if (ret) {
		free(vol);
		return ret;
	}
	*path = vol;
	return WG_OK;
}

/* The volume mounted (without FUSE) and the file's unnamed data stream opened. */
struct open_file {
	ntfs_volume *vol;
	ntfs_inode *ni;
	ntfs_attr *na;
};

static void close_file(struct open_file *f)
{
	if (f->na)
		ntfs_attr_close(f->na);
	if (f->ni)
		ntfs_inode_close(f->ni);
	if (f->vol)
		ntfs_umount(f->vol, FALSE);
	memset(f, 0, sizeof(*f));
}

static enum wg_err open_file(const char *vol, const char *path, bool write, struct open_file *f)
{
	memset(f, 0, sizeof(*f));
	errno = 0;
	f->vol = ntfs_mount(vol, write ? 0 : NTFS_MNT_RDONLY);
	if (!f->vol) {
		wg_error("cannot open the NTFS volume image '%s': %s", vol, strerror(errno));
		return WG_ERR_IO;
	}
	f->ni = ntfs_pathname_to_inode(f->vol, NULL, path);
	if (!f->ni) {
		wg_error("'%s' is not in the NTFS volume image '%s'", path, vol);
		close_file(f);
		return WG_ERR_IO;
	}
	f->na = ntfs_attr_open(f->ni, AT_DATA, AT_UNNAMED, 0);
	if (!f->na) {
		wg_error("cannot open the data of '%s' in '%s': %s", path, vol, strerror(errno));
		close_file(f);
		return WG_ERR_IO;
	}
	return WG_OK;
}

enum wg_err ntfsvol_read_file(const char *vol, const char *path, const char *local)
{
	struct open_file f;
	enum wg_err ret = open_file(vol, path, false, &f);
	if (ret)
		return ret;
	int fd = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		wg_error("cannot create '%s': %s", local, strerror(errno));
		close_file(&f);
		return wg_err_from_errno(errno);
	}
	size_t bufsize = 1u << 20;
	char *buf = xmalloc(bufsize);
	s64 size = f.na->data_size;
	for (s64 off = 0; off < size && !ret;) {
		s64 want = size - off < (s64)bufsize ? size - off : (s64)bufsize;
		s64 n = ntfs_attr_pread(f.na, off, want, buf);
		if (n <= 0) {
			wg_error("cannot read '%s' in '%s': %s", path, vol,
				 n < 0 ? strerror(errno) : "unexpected end of data");
			ret = WG_ERR_IO;
			break;
		}
		if (write(fd, buf, (size_t)n) != (ssize_t)n) {
			wg_error("cannot write '%s': %s", local, strerror(errno));
			ret = wg_err_from_errno(errno);
			break;
		}
		off += n;
	}
	free(buf);
	if (close(fd) < 0 && !ret) {
		wg_error("cannot write '%s': %s", local, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	close_file(&f);
	if (ret)
		unlink(local);
	return ret;
}

enum wg_err ntfsvol_write_file(const char *vol, const char *path, const char *local)
{
	struct open_file f;
	struct stat st;
	int fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		wg_error("cannot read '%s': %s", local, strerror(errno));
		if (fd >= 0)
			close(fd);
		return WG_ERR_IO;
	}
	enum wg_err ret = open_file(vol, path, true, &f);
	if (ret) {
		close(fd);
		return ret;
	}
	if (ntfs_attr_truncate(f.na, (s64)st.st_size)) {
		wg_error("cannot resize '%s' in '%s': %s", path, vol, strerror(errno));
		ret = errno == ENOSPC ? WG_ERR_NO_SPACE : WG_ERR_IO;
	}
	size_t bufsize = 1u << 20;
	char *buf = xmalloc(bufsize);
	for (s64 off = 0; !ret && off < (s64)st.st_size;) {
		ssize_t n = read(fd, buf, bufsize);
		if (n <= 0) {
			wg_error("cannot read '%s': %s", local, n < 0 ? strerror(errno) : "file shrank");
			ret = WG_ERR_IO;
			break;
		}
		for (ssize_t done = 0; done < n;) {
			s64 w = ntfs_attr_pwrite(f.na, off + done, n - done, buf + done);
			if (w <= 0) {
				wg_error("cannot write '%s' in '%s': %s", path, vol, strerror(errno));
				ret = errno == ENOSPC ? WG_ERR_NO_SPACE : WG_ERR_IO;
				break;
			}
			done += (ssize_t)w;
		}
		off += n;
	}
	free(buf);
	close(fd);
	if (!ret)
		ntfs_inode_update_times(f.ni, NTFS_UPDATE_MCTIME);
	ntfs_attr_close(f.na);
	f.na = NULL;
	if (ntfs_inode_close(f.ni) && !ret) {
		wg_error("cannot write '%s' in '%s': %s", path, vol, strerror(errno));
		ret = WG_ERR_IO;
	}
	f.ni = NULL;
	if (ntfs_umount(f.vol, FALSE) && !ret) {
		wg_error("cannot close the NTFS volume image '%s': %s", vol, strerror(errno));
		ret = WG_ERR_IO;
	}
	f.vol = NULL;
	return ret;
}
