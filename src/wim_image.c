/*
 * wim_image.c - the lowest layer of the WIM backend: entries of an image found in any
 * case, update commands queued and released, and whether the WIM (or -o's folder) can be written.
 */
#include "wim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

static int entry_cb(const struct wimlib_dir_entry *d, void *arg)
{
	struct image_entry *e = arg;
	const char *p = d->full_path;
	while (*p == '/')
		p++;
	e->stored = xstrdup(p);
	e->is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
	e->has_sd = d->security_descriptor != NULL;
	if (!e->is_dir) {
		/* streams[0] is the unnamed data stream */
		e->size = d->streams[0].resource.uncompressed_size;
		memcpy(e->sha1, d->streams[0].resource.sha1_hash, 20);
	}
	return 0;
}

/* Find path (any case) in an image of a WIM: WG_ERR_NOT_FOUND, without a message, when absent. */
enum wg_err wim_entry(WIMStruct *wim, int index, const char *name, const char *path,
		      struct image_entry *e)
{
	memset(e, 0, sizeof(*e));
	char *p = xasprintf("/%s", path);
	errno = 0;
	int wret = wimlib_iterate_dir_tree(wim, index, p, 0, entry_cb, e);
	free(p);
	if (wret == WIMLIB_ERR_PATH_DOES_NOT_EXIST || (!wret && !e->stored)) {
		free(e->stored);
		e->stored = NULL;
		return WG_ERR_NOT_FOUND;
	}
	if (wret) {
		free(e->stored);
		e->stored = NULL;
		return source_wim_error(name, wret);
	}
	return WG_OK;
}

void wim_queue_cmd(struct wim_target *w, enum wimlib_update_op op, const char *local,
		   const char *stored, int flags)
{
	w->cmds = xrealloc(w->cmds, (w->ncmds + 1) * sizeof(*w->cmds));
	struct wim_cmd *c = &w->cmds[w->ncmds++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->local = local ? xstrdup(local) : NULL;
	c->wim_path = xasprintf("/%s", stored);
	c->flags = flags;
}

void wim_cmds_release(struct wim_target *w)
{
	for (size_t i = 0; i < w->ncmds; i++) {
		free(w->cmds[i].local);
		free(w->cmds[i].wim_path);
		free(w->cmds[i].vol_from);
		free(w->cmds[i].sync);
	}
	w->ncmds = 0;
}

const char *wim_dir_of(const char *path, char **owned)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	*owned = xstrndup(path, (size_t)(slash - path));
	return *owned;
}

enum wg_err wim_can_write(struct wim_session *s)
{
	struct wimlib_wim_info info;
	struct stat st;
	wimlib_get_wim_info(s->wim, &info);
	if (s->output) {
		char *owned = NULL;
		const char *dir = wim_dir_of(s->output, &owned);
		enum wg_err ret = WG_OK;
		if (stat(s->output, &st) == 0 && S_ISDIR(st.st_mode)) {
			wg_error("'%s' is a folder; -o names the WIM file to write", s->output);
			ret = WG_ERR_USAGE;
		} else if (access(dir, W_OK) < 0) {
			wg_error("cannot write a WIM in '%s': %s", dir, strerror(errno));
			ret = errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_READ_ONLY;
		} else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			wg_error("cannot write a WIM in '%s': not a folder", dir);
			ret = WG_ERR_NOT_FOUND;
		}
		free(owned);
		return ret;
	}
	if (info.total_parts > 1) {
		wg_error("'%s' is a split WIM and cannot be updated in place; write a new WIM with -o NEW.wim",
			 s->path);
		return WG_ERR_READ_ONLY;
	}
	if (stat(s->path, &st) < 0) {
		wg_error("cannot read '%s': %s", s->path, strerror(errno));
		return WG_ERR_IO;
	}
	if (!(st.st_mode & 0222)) {
		wg_error("'%s' is read-only (mode %04o); make it writable or write a new WIM with -o",
			 s->path, (unsigned)(st.st_mode & 07777));
		return WG_ERR_READ_ONLY;
	}
	int fd = open(s->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot write '%s': %s", s->path, strerror(errno));
		return errno == ENOSPC ? WG_ERR_NO_SPACE : WG_ERR_READ_ONLY;
	}
	close(fd);
	if (info.is_readonly) {
		wg_error("'%s' is marked read-only in its header; write a new WIM with -o", s->path);
		return WG_ERR_READ_ONLY;
	}
	return WG_OK;
}
