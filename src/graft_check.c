/*
 * graft_check.c - what a target image says of itself (its target_ops' info) checked
 * against the manifest's target requirements.
 */
#include "graft.h"

enum wg_err graft_check_target(const struct wg_opts *opts, const struct manifest *m,
			       struct target *t)
{
	struct image_info own;
	bool known;
	enum wg_err ret = t->ops->info(t, &own, &known);
	if (ret)
		return ret;
	const struct image_info *info = &own;
	if (!known) {
		wg_info("%s: the image's version is unknown (no readable SOFTWARE hive); "
			"the manifest's target requirements are not checked", t->display);
		ret = WG_OK;
		goto out;
	}
	struct strbuf why = STRBUF_INIT;
	ret = WG_OK;
	if (!manifest_req_met(&m->target_req, info, &why)) {
		if (opts->force) {
			wg_warning("--force: grafting into %s although %s", t->display, why.buf);
		} else {
			wg_error("%s does not meet the manifest's target requirements: %s "
				 "(--force to graft anyway)", t->display, why.buf);
			ret = WG_ERR_REQUIREMENT;
		}
	}
	sb_release(&why);
out:
	image_info_release(&own);
	return ret;
}

