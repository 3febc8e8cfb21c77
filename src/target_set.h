/*
 * target_set.h - the targets a command names: the folder of -d, or the images
 * of -w picked by -t; and the one write that a WIM needs at the end.
 */
#ifndef WIMGRAFT_TARGET_SET_H
#define WIMGRAFT_TARGET_SET_H

#include <stdbool.h>

#include "options.h"
#include "target.h"
#include "source.h"

struct target_set {
	struct target **v;
	size_t n;
	struct target *dir;           /* -d */
	struct wim_session *wim;      /* -w */
	bool wim_info;                /* targets can tell their Windows properties */
};

/* Exactly one of -d / -w; -t and -o only with -w (except extract). */
enum wg_err target_set_open(const struct wg_opts *opts, bool allow_output, struct target_set *ts);
/* Windows properties of target i (WIM images only); false when unknown. */
bool target_set_info(struct target_set *ts, size_t i, struct image_info *info);
/* Write what the targets queued (a WIM: once, in place or to -o). */
enum wg_err target_set_commit(struct target_set *ts, const struct wg_opts *opts);
void target_set_close(struct target_set *ts);

#endif
