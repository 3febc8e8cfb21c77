/*
 * cmd_remove.c - 'wimgraft remove': restore what apply changed in the target,
 * from the undo record it left in the image; no source needed.
 */
#include "commands.h"

#include "graft.h"
#include "report.h"
#include "target_set.h"

enum wg_err cmd_remove(const struct wg_opts *opts)
{
	struct manifest *m = NULL;
	struct target_set ts;
	json_object *targets = opts->json ? json_object_new_array() : NULL;

	memset(&ts, 0, sizeof(ts));
	enum wg_err ret = manifest_load(opts->manifest, &opts->params, &m);
	if (!ret)
		ret = target_set_open(opts, true, true, &ts);
	for (size_t i = 0; !ret && i < ts.n; i++)
		ret = graft_remove(opts, m, ts.v[i], targets);
	if (!ret)
		ret = target_set_commit(&ts, opts);
	if (targets)
		report_print("remove", opts, ret, targets);
	target_set_close(&ts);
	manifest_free(m);
	return ret;
}
