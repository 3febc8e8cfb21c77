/*
 * target_set.h - the targets a command names: the folder of -d, or the images
 * of -w picked by -t; and the one write that a WIM needs at the end.
 */
#ifndef WIMGRAFT_TARGET_SET_H
#define WIMGRAFT_TARGET_SET_H

#include <stdbool.h>

#include "lock.h"
#include "options.h"
#include "target.h"
#include "source.h"
#include "wim_recovery.h"

struct target_set {
	struct target **v;
	size_t n;
	struct target *dir;           /* -d */
	struct wim_session *wim;      /* -w */
	struct wg_lock wim_lock;      /* the lock file beside the WIM */
	enum wim_recovered wim_recovered;  /* what opening found of a killed in-place write */
};

/*
 * Exactly one of -d / -w; -t and -o only with -w (except extract). write: the command
 * changes the target (unless --dry-run): the target is locked exclusively (a WIM only
 * when written in place), else shared; --wait says how long to wait for another run.
 */
enum wg_err target_set_open(const struct wg_opts *opts, bool allow_output, bool write,
			    struct target_set *ts);
/* Write what the targets queued (a WIM: once, in place or to -o); a folder's journal completed. */
enum wg_err target_set_commit(struct target_set *ts, const struct wg_opts *opts);
/* A folder not committed is rolled back (said on stderr); every lock is released. */
void target_set_close(struct target_set *ts);

#endif
