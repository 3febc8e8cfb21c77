/*
 * target_set.c - open the targets of -d or -w/-t for apply, verify, remove and
 * reg-import, and commit them once at the end.
 */
#include "target_set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target_wim.h"

/* ".<name>.wimgraft-lock" beside the WIM: not the WIM itself, which wimlib locks as it writes. */
static enum wg_err lock_wim(const char *wim, bool exclusive, unsigned wait, struct wg_lock *l)
{
	const char *slash = strrchr(wim, '/');
	char *dir = slash ? xstrndup(wim, (size_t)(slash - wim) + 1) : xstrdup(".");
	char *name = xasprintf(".%s.wimgraft-lock", slash ? slash + 1 : wim);
	char *display = xasprintf("'%s'", wim);
	enum wg_err ret = WG_OK;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open the folder of '%s': %s", wim, strerror(errno));
		ret = wg_err_from_errno(errno);
	} else {
		ret = lock_take(fd, name, display, exclusive, wait, l);
		if (ret == WG_ERR_NOT_FOUND && !exclusive)
			ret = WG_OK;   /* a read-only folder that holds no lock */
		else if (ret == WG_ERR_NOT_FOUND)
			wg_error("cannot create a lock file beside '%s'", wim);
		ret = ret == WG_ERR_NOT_FOUND ? WG_ERR_IO : ret;
		close(fd);
	}
	free(dir);
	free(name);
	free(display);
	return ret;
}

enum wg_err target_set_open(const struct wg_opts *opts, bool allow_output, bool write,
			    struct target_set *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->wim_lock = (struct wg_lock)WG_LOCK_INIT;
	write = write && !opts->dry_run;
	if (!!opts->image_dir == !!opts->wim) {
		wg_error("give one target: -d DIR (an image folder) or -w WIM");
		return WG_ERR_USAGE;
	}
	if (opts->image_dir) {
		if (opts->target_image || opts->output) {
			wg_error("-t and -o go with -w WIM, not with -d DIR");
			return WG_ERR_USAGE;
		}
		enum wg_err ret = target_open_dir(opts->image_dir, opts->command, write, opts->wait,
						  &ts->dir);
		if (ret)
			return ret;
		ts->v = &ts->dir;
		ts->n = 1;
		return WG_OK;
	}
	if (opts->output && !allow_output) {
		wg_error("-o does not apply here");
		return WG_ERR_USAGE;
	}
	/* in place: exclusive for the whole run; read for -o or verify: shared */
	enum wg_err ret = lock_wim(opts->wim, write && !opts->output, opts->wait, &ts->wim_lock);
	/* a write in place that a kill interrupted: finished (or, read only, reported) first */
	if (!ret)
		ret = wim_recover(opts->wim, write && !opts->output, &ts->wim_recovered);
	if (!ret)
		ret = wim_session_open(opts->wim, opts->output, &ts->wim);
	/* recover works on the whole WIM: no image to choose */
	if (!ret && strcmp(opts->command, "recover"))
		ret = wim_session_targets(ts->wim, opts->target_image, &ts->v, &ts->n);
	return ret;
}

enum wg_err target_set_commit(struct target_set *ts, const struct wg_opts *opts)
{
	if (ts->dir && !opts->dry_run)
		return ts->dir->ops->finish(ts->dir);
	if (!ts->wim || opts->dry_run)
		return WG_OK;
	return wim_session_commit(ts->wim, options_show_progress(opts));
}

void target_set_close(struct target_set *ts)
{
	if (ts->dir)
		target_close(ts->dir);
	if (ts->wim)
		wim_session_close(ts->wim);
	lock_release(&ts->wim_lock);
	memset(ts, 0, sizeof(*ts));
	ts->wim_lock = (struct wg_lock)WG_LOCK_INIT;
}
