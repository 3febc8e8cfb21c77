/*
 * cmd_recover.c - 'wimgraft recover': finish what an interrupted run left in a
 * target, under its lock: a folder's journal rolled back (or forward), a WIM checked.
 */
#include "commands.h"

#include <stdlib.h>

#include "report.h"
#include "target_set.h"

enum wg_err cmd_recover(const struct wg_opts *opts)
{
	struct target_set ts;
	json_object *targets = opts->json ? json_object_new_array() : NULL;

	memset(&ts, 0, sizeof(ts));
	/* Opening a folder for writing finishes its journal, if it has one. */
	enum wg_err ret = target_set_open(opts, false, true, &ts);
	if (!ret)
		ret = target_set_commit(&ts, opts);
	if (!ret) {
		bool done = ts.dir ? target_dir_recovered(ts.dir) : ts.wim_recovered != WIM_REC_NONE;
		char *what = xasprintf("'%s'", ts.dir ? opts->image_dir : opts->wim);
		if (!done)
			wg_info("%s: no interrupted change; nothing to recover", what);
		if (targets) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "target", json_object_new_string(what));
			json_object_object_add(o, "recovered", json_object_new_boolean(done));
			json_object_array_add(targets, o);
		}
		free(what);
	}
	if (targets)
		report_print("recover", opts, ret, targets);
	target_set_close(&ts);
	return ret;
}
