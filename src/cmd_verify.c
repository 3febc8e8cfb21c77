/*
 * cmd_verify.c - 'wimgraft verify': is the feature present and complete in the
 * target? Against the source when -s is given, else against the undo record apply kept.
 */
#include "commands.h"

#include "graft.h"
#include "report.h"
#include "target_set.h"

enum wg_err cmd_verify(const struct wg_opts *opts)
{
	struct graft_source gs;
	struct manifest *m = NULL;
	struct target_set ts;
	json_object *targets = opts->json ? json_object_new_array() : NULL;
	enum wg_err ret, worst = WG_OK;

	memset(&ts, 0, sizeof(ts));
	memset(&gs, 0, sizeof(gs));
	if (opts->source_image && !opts->source) {
		wg_error("-i goes with -s SOURCE");
		ret = WG_ERR_USAGE;
		goto out;
	}
	if (opts->source) {
		ret = graft_resolve(opts, &gs);
		m = gs.m;
	} else {
		ret = manifest_load(opts->manifest, &opts->params, &m);
	}
	if (!ret)
		ret = target_set_open(opts, false, false, &ts);
	for (size_t i = 0; !ret && i < ts.n; i++) {
		enum wg_err r = graft_verify(opts, m, opts->source ? &gs : NULL, ts.v[i], targets);
		if (r && r != WG_ERR_MISMATCH)
			ret = r;
		else if (r)
			worst = r;
	}
	if (!ret)
		ret = worst;
out:
	if (targets)
		report_print("verify", opts, ret, targets);
	target_set_close(&ts);
	if (opts->source)
		graft_source_release(&gs);
	else
		manifest_free(m);
	return ret;
}
