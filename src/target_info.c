/*
 * target_info.c - what an image says of itself in its SOFTWARE hive (product name, edition,
 * installation type, build and update revision), read through any target's operations.
 */
#include "target_info.h"

#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "regop.h"
#include "source_ops.h"

static char *hive_string(struct hive *h, hive_key key, const char *name)
{
	struct hive_value v;
	if (hive_value_get(h, key, name, &v))
		return NULL;
	char *s = (v.type == REG_SZ || v.type == REG_EXPAND_SZ) ? utf16le_to_utf8(v.data, v.len) : NULL;
	hive_value_release(&v);
	return s;
}

enum wg_err target_hive_info(struct target *t, struct image_info *info, bool *known)
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
