/*
 * cmd_apply.c - 'wimgraft apply': resolve the feature in the source, stage its
 * files once, and graft them into the folder of -d or the images of -w.
 */
#include "commands.h"

#include <stdio.h>

#include "graft.h"
#include "report.h"
#include "target_set.h"
#include "target_wim.h"

enum wg_err cmd_apply(const struct wg_opts *opts)
{
	struct graft_source gs;
	struct target_set ts;
	json_object *targets = opts->json ? json_object_new_array() : NULL;
	enum wg_err ret;

	memset(&ts, 0, sizeof(ts));
	ret = graft_resolve(opts, &gs);
	if (!ret)
		ret = target_set_open(opts, true, true, &ts);
	if (!ret)
		ret = graft_stage(&gs);
	/* A WIM target takes payload files' security descriptors and attributes from the source. */
	if (!ret && ts.wim)
		wim_session_set_source(ts.wim, gs.src, gs.res.image);
	/* So does a folder on NTFS-3G. */
	if (!ret && ts.dir)
		target_dir_set_source(ts.dir, gs.src, gs.res.image);
	/* Every target is checked and planned before the first one is written. */
	for (size_t i = 0; !ret && i < ts.n; i++)
		ret = graft_check_target(opts, gs.m, ts.v[i]);
	for (size_t i = 0; !ret && i < ts.n; i++)
		ret = graft_apply(opts, &gs, ts.v[i], targets);
	if (!ret)
		ret = target_set_commit(&ts, opts);
	if (targets)
		report_print("apply", opts, ret, targets);
	target_set_close(&ts);
	graft_source_release(&gs);
	return ret;
}
