/*
 * target_set.c - open the targets of -d or -w/-t for apply, verify, remove and
 * reg-import, and commit them once at the end.
 */
#include "target_set.h"

#include <string.h>

#include "target_wim.h"

enum wg_err target_set_open(const struct wg_opts *opts, bool allow_output, struct target_set *ts)
{
	memset(ts, 0, sizeof(*ts));
	if (!!opts->image_dir == !!opts->wim) {
		wg_error("give one target: -d DIR (an image folder) or -w WIM");
		return WG_ERR_USAGE;
	}
	if (opts->image_dir) {
		if (opts->target_image || opts->output) {
			wg_error("-t and -o go with -w WIM, not with -d DIR");
			return WG_ERR_USAGE;
		}
		enum wg_err ret = target_open_dir(opts->image_dir, &ts->dir);
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
	enum wg_err ret = wim_session_open(opts->wim, opts->output, &ts->wim);
	if (!ret)
		ret = wim_session_targets(ts->wim, opts->target_image, &ts->v, &ts->n);
	ts->wim_info = true;
	return ret;
}

bool target_set_info(struct target_set *ts, size_t i, struct image_info *info)
{
	if (!ts->wim_info)
		return false;
	return wim_target_info(ts->v[i], info) == WG_OK;
}

enum wg_err target_set_commit(struct target_set *ts, const struct wg_opts *opts)
{
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
	memset(ts, 0, sizeof(*ts));
}
