/*
 * wim_recovery.c - the recovery record of a WIM written in place: saved before
 * wimlib_overwrite, dropped after it, and used by the next run when a write was killed.
 *
 * wimlib's in-place write (overwrite_wim_inplace in wimlib's write.c) sets the header flag
 * WRITE_IN_PROGRESS, appends after the old blob table / XML data / integrity table, rewrites
 * the header last, and on failure truncates to where it began; without new blobs it writes
 * the XML data and integrity table over the old ones. So the header and everything from the
 * first of those tables on is all it may change below the old end.
 */
#include "wim_recovery.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wimlib.h>

#include "source.h"
#include "wim_record.h"

#define HEADER_LEN 208
#define FLAG_WRITE_IN_PROGRESS 0x40

/* The record's folder and names, and the WIM's. */
struct where {
	int dirfd;
	char *base;      /* the WIM's file name */
	char *name;      /* .<base>.wimgraft-record */
	char *tmp;       /* .<base>.wimgraft-record.new */
	char *display;   /* 'path/.<base>.wimgraft-record' */
};

static void where_release(struct where *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->base);
	free(w->name);
	free(w->tmp);
	free(w->display);
}

static enum wg_err where_open(const char *wim, struct where *w)
{
	const char *slash = strrchr(wim, '/');
	char *dir = slash ? xstrndup(wim, (size_t)(slash - wim) + 1) : xstrdup("./");
	memset(w, 0, sizeof(*w));
	w->base = xstrdup(slash ? slash + 1 : wim);
	w->name = xasprintf(".%s.wimgraft-record", w->base);
	w->tmp = xasprintf("%s.new", w->name);
	w->display = xasprintf("'%s%s'", slash ? dir : "", w->name);
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (w->dirfd < 0) {
		wg_error("cannot open the folder of '%s': %s", wim, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return WG_OK;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Where the tables begin: the blob table's end, the XML data, the integrity table. */
static uint64_t tables_begin(const unsigned char *h, uint64_t size)
{
	uint64_t blob_off = le64(h + 56), blob_size = le64(h + 48) & 0x00ffffffffffffffULL;
	uint64_t xml_off = le64(h + 80), integ_off = le64(h + 132);
	uint64_t from = blob_off ? blob_off + blob_size : HEADER_LEN;
	if (blob_off && blob_off + blob_size < blob_off)
		from = HEADER_LEN;
	if (xml_off && xml_off < from)
		from = xml_off;
	if (integ_off && integ_off < from)
		from = integ_off;
	if (from < HEADER_LEN)
		from = HEADER_LEN;
	return from > size ? size : from;
}

static enum wg_err read_at(int fd, const char *wim, unsigned char *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			wg_error("cannot read '%s': %s", wim, n ? strerror(errno) : "unexpected end");
			return WG_ERR_IO;
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return WG_OK;
}

static enum wg_err write_at(int fd, const char *name, const unsigned char *buf, size_t len,
			    uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			wg_error("cannot write '%s': %s", name, strerror(errno));
			return wg_err_from_errno(errno);
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return WG_OK;
}

/* Write the record under its temporary name, sync it, rename it into place, sync the folder. */
static enum wg_err put_record(struct where *w, const struct strbuf *sb)
{
	int fd = openat(w->dirfd, w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0600);
	if (fd < 0) {
		wg_error("cannot create the recovery record %s: %s", w->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = write_at(fd, w->display, (const unsigned char *)sb->buf, sb->len, 0);
	if (!ret && fsync(fd) < 0) {
		wg_error("cannot write '%s': %s", w->display, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	close(fd);
	if (!ret && renameat(w->dirfd, w->tmp, w->dirfd, w->name) < 0) {
		wg_error("cannot rename the recovery record into place as %s: %s", w->display,
			 strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		unlinkat(w->dirfd, w->tmp, 0);
	else
		fsync(w->dirfd);
	return ret;
}

enum wg_err wim_record_save(const char *wim)
{
	struct where w;
	struct wim_record r;
	struct stat st;
	unsigned char *head = NULL, *tail = NULL;
	enum wg_err ret = where_open(wim, &w);
	int fd = ret ? -1 : open(wim, O_RDONLY | O_CLOEXEC);
	if (!ret && (fd < 0 || fstat(fd, &st) < 0)) {
		wg_error("cannot open '%s': %s", wim, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		goto out;
	memset(&r, 0, sizeof(r));
	r.pid = (long)getpid();
	r.size = (uint64_t)st.st_size;
	r.dev = (uint64_t)st.st_dev;
	r.ino = (uint64_t)st.st_ino;
	if (r.size < HEADER_LEN) {
		wg_error("'%s' is shorter than a WIM header", wim);
		ret = WG_ERR_NOT_WIM;
		goto out;
	}
	head = xmalloc(HEADER_LEN);
	ret = read_at(fd, wim, head, HEADER_LEN, 0);
	if (ret)
		goto out;
	uint64_t from = tables_begin(head, r.size);
	if (r.size - from > WIM_RECORD_MAX_DATA - HEADER_LEN) {
		wg_error("'%s': its blob table, XML data and integrity table (%llu bytes) are too "
			 "large to keep for recovery; write a new WIM with -o", wim,
			 (unsigned long long)(r.size - from));
		ret = WG_ERR_TOO_LARGE;
		goto out;
	}
	r.v[r.n++] = (struct wim_range){ 0, HEADER_LEN, head };
	if (from < r.size) {
		tail = xmalloc((size_t)(r.size - from));
		ret = read_at(fd, wim, tail, (size_t)(r.size - from), from);
		if (ret)
			goto out;
		if (from == HEADER_LEN) {
			/* one range: header and tail are adjacent */
			unsigned char *all = xmalloc((size_t)r.size);
			memcpy(all, head, HEADER_LEN);
			memcpy(all + HEADER_LEN, tail, (size_t)(r.size - from));
			free(head);
			head = all;
			r.v[0] = (struct wim_range){ 0, r.size, head };
		} else {
			r.v[r.n++] = (struct wim_range){ from, r.size - from, tail };
		}
	}
	struct strbuf sb = STRBUF_INIT;
	wim_record_format(&r, &sb);
	ret = put_record(&w, &sb);
	sb_release(&sb);
out:
	if (fd >= 0)
		close(fd);
	free(head);
	free(tail);
	where_release(&w);
	return ret;
}

static enum wg_err drop(struct where *w)
{
	if (unlinkat(w->dirfd, w->name, 0) < 0 && errno != ENOENT) {
		wg_error("cannot remove the recovery record %s: %s", w->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	fsync(w->dirfd);
	return WG_OK;
}

enum wg_err wim_record_drop(const char *wim)
{
	struct where w;
	enum wg_err ret = where_open(wim, &w);
	if (!ret)
		ret = drop(&w);
	where_release(&w);
	return ret;
}

/* ---- recovery ------------------------------------------------------------------------ */

/* Is the WIM the complete result of a write: flag clear, a new header, and wimlib verifies it? */
static bool complete_new(const char *wim, const unsigned char *now, const struct wim_record *r)
{
	uint32_t flags = (uint32_t)now[16] | (uint32_t)now[17] << 8 | (uint32_t)now[18] << 16 |
			 (uint32_t)now[19] << 24;
	if ((flags & FLAG_WRITE_IN_PROGRESS) || !memcmp(now, r->v[0].data, HEADER_LEN))
		return false;
	if (source_wimlib_init())
		return false;
	WIMStruct *w = NULL;
	int open_flags = le64(now + 132) ? WIMLIB_OPEN_FLAG_CHECK_INTEGRITY : 0;
	bool ok = wimlib_open_wim(wim, open_flags, &w) == 0 && wimlib_verify_wim(w, 0) == 0;
	wimlib_free(w);
	return ok;
}

/* Is the WIM still exactly what the record saved (the write never began)? */
static bool untouched(int fd, const char *wim, const struct stat *st, const struct wim_record *r)
{
	if ((uint64_t)st->st_size != r->size)
		return false;
	for (size_t i = 0; i < r->n; i++) {
		unsigned char *buf = xmalloc((size_t)r->v[i].len);
		bool same = !read_at(fd, wim, buf, (size_t)r->v[i].len, r->v[i].off) &&
			    !memcmp(buf, r->v[i].data, (size_t)r->v[i].len);
		free(buf);
		if (!same)
			return false;
	}
	return true;
}

/* Put the saved bytes back and cut what was appended. */
static enum wg_err roll_back(int fd, const char *wim, const struct stat *st,
			     const struct wim_record *r)
{
	uint64_t pos = (uint64_t)st->st_size;
	if ((uint64_t)st->st_dev != r->dev || (uint64_t)st->st_ino != r->ino) {
		wg_error("'%s' is not the file its recovery record was made for (it was replaced); "
			 "it cannot be put back", wim);
		return WG_ERR_PARTIAL;
	}
	for (size_t i = 0; i < r->n && pos < r->size; i++)
		if (r->v[i].off <= pos && r->v[i].off + r->v[i].len > pos)
			pos = r->v[i].off + r->v[i].len;
	if (pos < r->size) {
		wg_error("'%s' is shorter than before the write (%llu bytes, was %llu) and the "
			 "record does not hold what is missing", wim, (unsigned long long)st->st_size,
			 (unsigned long long)r->size);
		return WG_ERR_PARTIAL;
	}
	if (ftruncate(fd, (off_t)r->size) < 0) {
		wg_error("cannot truncate '%s': %s", wim, strerror(errno));
		return WG_ERR_PARTIAL;
	}
	for (size_t i = 0; i < r->n; i++)
		if (write_at(fd, wim, r->v[i].data, (size_t)r->v[i].len, r->v[i].off))
			return WG_ERR_PARTIAL;
	if (fsync(fd) < 0) {
		wg_error("cannot write '%s': %s", wim, strerror(errno));
		return WG_ERR_PARTIAL;
	}
	return WG_OK;
}

/* wimlib's own temporary copies (the WIM's name and 9 letters or digits) made since the record. */
static void sweep_wimlib_temps(struct where *w, const struct stat *rec)
{
	DIR *d = fdopendir(dup(w->dirfd));
	if (!d)
		return;
	size_t n = strlen(w->base);
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, w->base, n) || strlen(e->d_name) != n + 9 ||
		    strspn(e->d_name + n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789") != 9)
			continue;
		if (fstatat(w->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtim.tv_sec >= rec->st_mtim.tv_sec &&
		    unlinkat(w->dirfd, e->d_name, 0) == 0)
			wg_verbose("removed '%s', a temporary WIM of the interrupted write", e->d_name);
	}
	closedir(d);
}

static enum wg_err read_record(struct where *w, unsigned char **buf, size_t *len,
			       struct stat *st)
{
	int fd = openat(w->dirfd, w->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return WG_ERR_NOT_FOUND;
		wg_error("cannot open the recovery record %s: %s", w->display, strerror(errno));
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = WG_OK;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		wg_error("the recovery record %s is not a file", w->display);
		ret = WG_ERR_UNDO;
	}
	if (!ret)
		ret = read_fd(fd, w->display, (size_t)WIM_RECORD_MAX_DATA + 4096, buf, len);
	close(fd);
	return ret;
}

static enum wg_err finish(const char *wim, const struct wim_record *r, enum wim_recovered *what)
{
	int fd = open(wim, O_RDWR | O_CLOEXEC);
	struct stat st;
	unsigned char now[HEADER_LEN];
	if (fd < 0 || fstat(fd, &st) < 0) {
		wg_error("cannot open '%s' to finish its interrupted write: %s", wim, strerror(errno));
		if (fd >= 0)
			close(fd);
		return WG_ERR_PARTIAL;
	}
	enum wg_err ret = WG_OK;
	memset(now, 0, sizeof(now));
	if (st.st_size >= HEADER_LEN)
		ret = read_at(fd, wim, now, HEADER_LEN, 0);
	if (!ret && untouched(fd, wim, &st, r))
		*what = WIM_REC_UNTOUCHED;
	else if (!ret && complete_new(wim, now, r))
		*what = WIM_REC_ROLLED_FORWARD;
	else if (!ret && !(ret = roll_back(fd, wim, &st, r)))
		*what = WIM_REC_ROLLED_BACK;
	close(fd);
	return ret;
}

enum wg_err wim_recover(const char *wim, bool write, enum wim_recovered *what)
{
	struct where w;
	struct wim_record r;
	struct stat rst;
	unsigned char *buf = NULL;
	size_t len = 0;
	*what = WIM_REC_NONE;
	enum wg_err ret = where_open(wim, &w);
	if (!ret && write)
		unlinkat(w.dirfd, w.tmp, 0);   /* a record a killed run had not finished writing */
	if (!ret)
		ret = read_record(&w, &buf, &len, &rst);
	if (ret == WG_ERR_NOT_FOUND) {
		ret = WG_OK;
		goto out;
	}
	if (ret)
		goto out;
	ret = wim_record_parse(w.display, buf, len, &r);
	if (ret)
		goto out;
	if (!write) {
		wg_error("'%s' holds an unfinished in-place write (process %ld was interrupted); "
			 "run 'wimgraft recover -w %s'", wim, r.pid, wim);
		ret = WG_ERR_UNFINISHED;
		goto out;
	}
	ret = finish(wim, &r, what);
	if (!ret) {
		sweep_wimlib_temps(&w, &rst);
		ret = drop(&w);
	}
	if (!ret)
		wg_info("'%s': %s", wim,
			*what == WIM_REC_ROLLED_FORWARD ? "an interrupted in-place write had "
			"completed; the new WIM is kept" : *what == WIM_REC_ROLLED_BACK ?
			"an interrupted in-place write was rolled back; the WIM is as it was before it"
			: "an interrupted in-place write had not begun; the WIM is as it was");
	else if (ret == WG_ERR_PARTIAL)
		wg_error("'%s' keeps its recovery record %s; run 'wimgraft recover -w %s' once the "
			 "cause is fixed", wim, w.display, wim);
out:
	free(buf);
	where_release(&w);
	return ret;
}
