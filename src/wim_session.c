/*
 * wim_session.c - the WIM backend's session: opening the WIM, the targets -t names, their
 * source and Windows properties, and the one write of the WIM at commit.
 */
#include "wim_internal.h"
#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wimlib.h>

#include "ntfsvol.h"
#include "source.h"
#include "wim_recovery.h"

/* ---- the session ----------------------------------------------------------------------- */

/* The header and the size and times of the WIM, to see whether another program wrote it. */
static enum wg_err read_header(const char *path, unsigned char header[WIM_HEADER_SIZE],
			       struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", path, strerror(errno));
		return wg_err_from_errno(errno);
	}
	memset(header, 0, WIM_HEADER_SIZE);
	enum wg_err ret = WG_OK;
	if (fstat(fd, st) < 0 || pread(fd, header, WIM_HEADER_SIZE, 0) < 0) {
		wg_error("cannot read '%s': %s", path, strerror(errno));
		ret = WG_ERR_IO;
	}
	close(fd);
	return ret;
}

/* Refuse to write in place over changes another program made since the WIM was opened. */
static enum wg_err check_unchanged(struct wim_session *s)
{
	unsigned char now[WIM_HEADER_SIZE];
	struct stat st;
	enum wg_err ret = read_header(s->path, now, &st);
	if (ret)
		return ret;
	if (memcmp(now, s->header, WIM_HEADER_SIZE) || st.st_size != s->opened.st_size ||
	    st.st_ino != s->opened.st_ino || st.st_mtim.tv_sec != s->opened.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != s->opened.st_mtim.tv_nsec) {
		wg_error("'%s' was changed by another program since it was opened; nothing was "
			 "written (run the command again)", s->path);
		return WG_ERR_CHANGED;
	}
	return WG_OK;
}

enum wg_err wim_session_open(const char *wim, const char *output, struct wim_session **out)
{
	struct stat st;
	enum wg_err ret;
	if (stat(wim, &st) < 0) {
		wg_error("cannot open '%s': %s", wim, strerror(errno));
		return errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		wg_error("'%s' is not a WIM file%s", wim,
			 S_ISDIR(st.st_mode) ? "; give an image folder with -d" : "");
		return WG_ERR_NOT_WIM;
	}
	struct wim_session *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(wim);
	s->output = output ? xstrdup(output) : NULL;
	ret = read_header(wim, s->header, &s->opened);
	if (!ret)
		ret = source_open(wim, &s->src);
	if (ret)
		goto fail;
	s->wim = source_wim(s->src);
	s->image_count = source_image_count(s->src);
	struct wimlib_wim_info info;
	wimlib_get_wim_info(s->wim, &info);
	s->had_integrity = info.has_integrity_table;
	ret = wim_can_write(s);
	if (ret)
		goto fail;
	ret = temp_dir_create("wimgraft-wim.", &s->tmp);
	if (ret)
		goto fail;
	s->tmpdir = s->tmp.path;
	s->images = xcalloc((size_t)s->image_count + 1, sizeof(*s->images));
	*out = s;
	return WG_OK;
fail:
	wim_session_close(s);
	return ret;
}


enum wg_err wim_session_targets(struct wim_session *s, const char *spec, struct target ***targets,
				size_t *n)
{
	int first, last;
	enum wg_err ret;
	if (!spec) {
		if (s->image_count > 1) {
			wg_error("'%s' holds %d images; choose one with -t INDEX, -t NAME or -t all",
				 s->path, s->image_count);
			return WG_ERR_USAGE;
		}
		first = last = 1;
	} else if (!strcmp(spec, "all")) {
		first = 1;
		last = s->image_count;
	} else {
		ret = source_find_image(s->src, spec, &first);
		if (ret)
			return ret;
		last = first;
	}
	for (int i = first; i <= last; i++) {
		if (s->images[i])
			continue;
		ret = wim_make_target(s, i, &s->images[i]);
		if (ret)
			return ret;
	}
	free(s->list);
	s->list = xcalloc((size_t)(last - first + 1), sizeof(*s->list));
	for (int i = first; i <= last; i++)
		s->list[i - first] = s->images[i];
	*targets = s->list;
	*n = (size_t)(last - first + 1);
	return WG_OK;
}

void wim_session_set_source(struct wim_session *s, struct wg_source *src, int index)
{
	s->src_wim = src ? source_wim(src) : NULL;
	s->src_index = index;
	free(s->src_path);
	s->src_path = s->src_wim ? xstrdup(source_path(src)) : NULL;
}

void wim_session_plain_add(struct wim_session *s)
{
	s->plain = true;
}

/* ---- writing ------------------------------------------------------------------------------ */

struct progress {
	const char *name;
	int last;
};

static enum wimlib_progress_status on_progress(enum wimlib_progress_msg msg,
					       union wimlib_progress_info *info, void *arg)
{
	struct progress *p = arg;
	if (msg == WIMLIB_PROGRESS_MSG_WRITE_STREAMS && info->write_streams.total_bytes) {
		int pct = (int)(info->write_streams.completed_bytes * 100 /
				info->write_streams.total_bytes);
		if (pct != p->last) {
			fprintf(stderr, "\rwriting '%s': %3d%%", p->name, pct);
			fflush(stderr);
			p->last = pct;
		}
	}
	return WIMLIB_PROGRESS_STATUS_CONTINUE;
}

static enum wg_err run_update(struct wim_session *s, struct wim_target *w,
			      struct wimlib_update_command *cmds, size_t n)
{
	if (!n)
		return WG_OK;
	errno = 0;
	int wret = wimlib_update_image(s->wim, w->index, cmds, n, 0);
	if (wret) {
		wg_error("cannot update image %d of '%s': %s", w->index, s->path,
			 source_wimlib_error(wret));
		return wret == WIMLIB_ERR_NOMEM ? WG_ERR_NOMEM : WG_ERR_WIM;
	}
	return WG_OK;
}

/*
 * Replay the image's queue in order: plain commands in batches; each volume in an update
 * call of its own (wimlib keys the inodes of an NTFS capture by MFT number alone, so two
 * volumes in one call could merge unrelated files into hard links), and never at the
 * root (an ADD at "/" rewrites the image's Windows properties).
 */
static enum wg_err update_image(struct wim_session *s, struct wim_target *w)
{
	struct wimlib_update_command *batch = xcalloc(w->ncmds, sizeof(*batch));
	size_t nbatch = 0;
	enum wg_err ret = WG_OK;
	for (size_t i = 0; i < w->ncmds && !ret; i++) {
		const struct wim_cmd *c = &w->cmds[i];
		if (!c->vol) {
			struct wimlib_update_command *u = &batch[nbatch++];
			memset(u, 0, sizeof(*u));
			u->op = c->op;
			if (c->op == WIMLIB_UPDATE_OP_ADD) {
				u->add.fs_source_path = c->local;
				u->add.wim_target_path = c->wim_path;
				u->add.add_flags = c->flags;
			} else {
				u->delete_.wim_path = c->wim_path;
				u->delete_.delete_flags = c->flags;
			}
			continue;
		}
		ret = run_update(s, w, batch, nbatch);
		nbatch = 0;
		if (ret)
			break;
		if (c->sync) {
			char *vpath = xasprintf("/%s", c->vol_from);
			ret = ntfsvol_write_file(c->vol, vpath, c->sync);
			free(vpath);
			if (ret)
				break;
		}
		char *stage = xasprintf("/.wimgraft-stage-%u", s->stages++);
		char *from = xasprintf("%s/%s", stage, c->vol_from);
		struct wimlib_update_command u[3];
		memset(u, 0, sizeof(u));
		u[0].op = WIMLIB_UPDATE_OP_ADD;
		u[0].add.fs_source_path = (char *)c->vol;
		u[0].add.wim_target_path = stage;
		u[0].add.add_flags = WIMLIB_ADD_FLAG_NTFS;
		u[1].op = WIMLIB_UPDATE_OP_RENAME;
		u[1].rename.wim_source_path = from;
		u[1].rename.wim_target_path = c->wim_path;
		u[2].op = WIMLIB_UPDATE_OP_DELETE;
		u[2].delete_.wim_path = stage;
		u[2].delete_.delete_flags = WIMLIB_DELETE_FLAG_RECURSIVE;
		ret = run_update(s, w, u, 3);
		free(stage);
		free(from);
	}
	if (!ret)
		ret = run_update(s, w, batch, nbatch);
	free(batch);
	return ret;
}

static enum wg_err write_error(const char *path, int wret, int saved_errno)
{
	if (saved_errno == ENOSPC) {
		wg_error("cannot write '%s': %s", path, strerror(saved_errno));
		return WG_ERR_NO_SPACE;
	}
	if (saved_errno && (wret == WIMLIB_ERR_WRITE || wret == WIMLIB_ERR_OPEN)) {
		wg_error("cannot write '%s': %s (%s)", path, source_wimlib_error(wret),
			 strerror(saved_errno));
		return wg_err_from_errno(saved_errno);
	}
	wg_error("cannot write '%s': %s", path, source_wimlib_error(wret));
	return wret == WIMLIB_ERR_NOMEM ? WG_ERR_NOMEM : WG_ERR_WIM;
}

static void sync_dir_of(const char *path)
{
	char *owned = NULL;
	int fd = open(wim_dir_of(path, &owned), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(owned);
}

/* ".<name>.wimgraft-PID.new" beside the output: where a new WIM gets its name before the rename. */
static char *temp_name(const char *output, long pid)
{
	const char *slash = strrchr(output, '/');
	return xasprintf("%.*s.%s.wimgraft-%ld.new", slash ? (int)(slash - output + 1) : 0, output,
			 slash ? slash + 1 : output, pid);
}

/* Remove the temporary names that runs killed before their rename left beside the output. */
static void sweep_temps(const char *output)
{
	char *owned = NULL;
	const char *slash = strrchr(output, '/');
	char *prefix = xasprintf(".%s.wimgraft-", slash ? slash + 1 : output);
	DIR *d = opendir(wim_dir_of(output, &owned));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		long pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (pid <= 0 || strcmp(end, ".new") || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char *path = temp_name(output, pid);
		if (unlink(path) == 0)
			wg_verbose("removed '%s', left by a run that was killed", path);
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(owned);
}

/*
 * -o: the new WIM is written to an unnamed file in the output's folder (O_TMPFILE: a run
 * killed while writing leaves nothing behind) and, once complete, linked as the output
 * when there is none yet, else under a temporary name renamed over it. Where O_TMPFILE is
 * not supported, it is written under the temporary name from the start. A temporary name
 * a killed run left is removed by the next run writing that output.
 */
static enum wg_err write_new(struct wim_session *s, int flags)
{
	char *owned = NULL;
	const char *dir = wim_dir_of(s->output, &owned);
	char *tmp = temp_name(s->output, (long)getpid());
	enum wg_err ret = WG_OK;
	mode_t mask = umask(0);
	umask(mask);
	bool named = false;
	sweep_temps(s->output);
	unlink(tmp);
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666 & ~mask);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666 & ~mask);
		named = fd >= 0;
	}
	if (fd < 0) {
		wg_error("cannot create a file in '%s': %s", dir, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	errno = 0;
	int wret = wimlib_write_to_fd(s->wim, fd, WIMLIB_ALL_IMAGES, flags | WIMLIB_WRITE_FLAG_FSYNC, 0);
	if (wret) {
		ret = write_error(s->output, wret, errno);
		goto out;
	}
	if (!named) {
		char *proc = xasprintf("/proc/self/fd/%d", fd);
		/* no output yet: it gets its name at once, nothing else is ever named */
		bool done = linkat(AT_FDCWD, proc, AT_FDCWD, s->output, AT_SYMLINK_FOLLOW) == 0;
		named = !done && linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
		free(proc);
		if (done)
			goto synced;
		if (!named) {
			wg_error("cannot name the new WIM '%s': %s", tmp, strerror(errno));
			ret = wg_err_from_errno(errno);
			goto out;
		}
	}
	if (rename(tmp, s->output) < 0) {
		wg_error("cannot rename '%s' to '%s': %s", tmp, s->output, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	named = false;
synced:
	sync_dir_of(s->output);
out:
	if (named)
		unlink(tmp);
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(owned);
	return ret;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

enum wg_err wim_session_commit(struct wim_session *s, bool show_progress)
{
	enum wg_err ret;
	bool any = false;
	for (int i = 1; i <= s->image_count; i++) {
		struct target *t = s->images[i];
		if (!t || !wim_priv(t)->ncmds)
			continue;
		any = true;
		ret = update_image(s, wim_priv(t));
		if (ret)
			return ret;
	}
	/* Nothing queued: the WIM is not written at all (-o still gets its copy). */
	if (!any && (!s->output || same_file(s->output, s->path)))
		return WG_OK;
	ret = wim_can_write(s);
	if (ret)
		return ret;

	struct progress p = { s->output ? s->output : s->path, -1 };
	wimlib_register_progress_function(s->wim, show_progress ? on_progress : NULL, &p);
	int flags = s->had_integrity ? WIMLIB_WRITE_FLAG_CHECK_INTEGRITY : 0;
	if (s->output) {
		ret = write_new(s, flags);
	} else if (!(ret = check_unchanged(s)) && !(ret = wim_record_save(s->path))) {
		/* the record beside the WIM puts it back if this is interrupted */
		errno = 0;
		int wret = wimlib_overwrite(s->wim, flags | WIMLIB_WRITE_FLAG_FSYNC, 0);
		ret = wret ? write_error(s->path, wret, errno) : wim_record_drop(s->path);
		enum wim_recovered what;
		if (wret && wim_recover(s->path, true, &what))
			ret = WG_ERR_PARTIAL;
	}
	if (p.last >= 0)
		fputc('\n', stderr);
	wimlib_register_progress_function(s->wim, NULL, NULL);
	for (int i = 1; i <= s->image_count; i++) {
		struct target *t = s->images[i];
		if (!t)
			continue;
		struct wim_target *w = wim_priv(t);
		wim_cmds_release(w);
	}
	return ret;
}

void wim_session_close(struct wim_session *s)
{
	if (!s)
		return;
	if (s->images)
		for (int i = 1; i <= s->image_count; i++)
			target_close(s->images[i]);
	free(s->images);
	free(s->list);
	/* wimlib keeps the captured volumes open until the WIM is freed */
	source_close(s->src);
	for (size_t i = 0; i < s->nvols; i++) {
		free(s->vols[i].stored);
		free(s->vols[i].vol);
	}
	free(s->vols);
	ntfsvol_pool_free(s->pool);
	free(s->src_path);
	free(s->empty);
	temp_dir_remove(&s->tmp);
	free(s->path);
	free(s->output);
	free(s);
}
