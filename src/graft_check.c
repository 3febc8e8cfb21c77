/*
 * graft_check.c - what a target image says of itself (its SOFTWARE hive, or a
 * WIM image's properties) checked against the manifest's target requirements.
 */
#include "graft.h"

#include <stdlib.h>
#include <string.h>

#include "hive.h"

static char *hive_string(struct hive *h, hive_key key, const char *name)
{
	struct hive_value v;
	if (hive_value_get(h, key, name, &v))
		return NULL;
	char *s = (v.type == REG_SZ || v.type == REG_EXPAND_SZ) ? utf16le_to_utf8(v.data, v.len) : NULL;
	hive_value_release(&v);
	return s;
}

/*
 * What the image says of itself in SOFTWARE\Microsoft\Windows NT\CurrentVersion.
 * *known is false when the image has no readable SOFTWARE hive.
 */
static enum wg_err dir_target_info(struct target *t, struct image_info *info, bool *known)
{
	int dirfd;
	const char *display;
	struct hive *h = NULL;
	hive_key key;
	memset(info, 0, sizeof(*info));
	*known = false;
	enum wg_err ret = t->ops->hive_folder(t, &dirfd, &display);
	if (ret)
		return ret;
	char *actual = NULL;
	ret = t->ops->lookup(t, TARGET_CONFIG_DIR "/SOFTWARE", &actual, NULL);
	free(actual);
	if (ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	char *name = xasprintf("%s/SOFTWARE", display);
	ret = hive_open(dirfd, "SOFTWARE", name, 0, &h);
	free(name);
	if (ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	if (ret)
		return ret;
	if (hive_lookup(h, "Microsoft\\Windows NT\\CurrentVersion", &key, NULL) == WG_OK) {
		char *build = hive_string(h, key, "CurrentBuildNumber");
		char *ubr = NULL;
		struct hive_value v;
		info->edition = hive_string(h, key, "EditionID");
		info->installation_type = hive_string(h, key, "InstallationType");
		info->name = hive_string(h, key, "ProductName");
		if (build) {
			info->build = (unsigned)strtoul(build, NULL, 10);
			if (!hive_value_get(h, key, "UBR", &v)) {
				if (v.type == REG_DWORD && v.len == 4)
					ubr = xasprintf("%u", v.data[0] | v.data[1] << 8 |
							       v.data[2] << 16 | (unsigned)v.data[3] << 24);
				hive_value_release(&v);
			}
			info->version = xasprintf("10.0.%s.%s", build, ubr ? ubr : "0");
		}
		free(build);
		free(ubr);
		*known = info->build != 0;
	}
	hive_close(h);
	return WG_OK;
}

enum wg_err graft_check_target(const struct wg_opts *opts, const struct manifest *m,
			       struct target *t, const struct image_info *info, bool known)
{
	struct image_info own;
	enum wg_err ret;
	if (!info) {
		ret = dir_target_info(t, &own, &known);
		if (ret)
			return ret;
		info = &own;
	}
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
	if (info == &own)
		image_info_release(&own);
	return ret;
}

