/*
 * cmd_info.c - 'wimgraft info SOURCE': one row per image of a WIM, ESD or
 * split WIM (or the one image of a payload folder), as a table or as JSON.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "source.h"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static char *join_languages(const struct image_info *info)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < info->languages.n; i++) {
		if (i)
			sb_addch(&sb, ',');
		sb_addstr(&sb, info->languages.v[i]);
	}
	return sb_detach(&sb);
}

static json_object *info_json(const struct image_info *info)
{
	json_object *o = json_object_new_object();
	json_object *langs = json_object_new_array();
	for (size_t i = 0; i < info->languages.n; i++)
		json_object_array_add(langs, json_object_new_string(info->languages.v[i]));
#define STR(s) ((s) ? json_object_new_string(s) : NULL)
	json_object_object_add(o, "index", json_object_new_int(info->index));
	json_object_object_add(o, "name", STR(info->name));
	json_object_object_add(o, "description", STR(info->description));
	json_object_object_add(o, "edition", STR(info->edition));
	json_object_object_add(o, "installation_type", STR(info->installation_type));
	json_object_object_add(o, "architecture", STR(info->arch));
	json_object_object_add(o, "version", STR(info->version));
	json_object_object_add(o, "languages", langs);
	json_object_object_add(o, "default_language", STR(info->default_language));
	json_object_object_add(o, "file_count", json_object_new_int64((int64_t)info->file_count));
	json_object_object_add(o, "total_bytes", json_object_new_int64((int64_t)info->total_bytes));
#undef STR
	return o;
}

enum wg_err cmd_info(const struct wg_opts *opts)
{
	if (opts->args.n != 1) {
		wg_error("info: give exactly one SOURCE");
		return WG_ERR_USAGE;
	}
	struct wg_source *src;
	enum wg_err ret = source_open(opts->args.v[0], &src);
	if (ret)
		return ret;

	int count = source_image_count(src);
	json_object *images = opts->json ? json_object_new_array() : NULL;
	if (!opts->json)
		printf("%-5s %-42s %-18s %-12s %-6s %-16s %-12s %9s %14s\n", "INDEX", "NAME",
		       "EDITION", "TYPE", "ARCH", "VERSION", "LANGUAGES", "FILES", "BYTES");
	for (int i = 1; i <= count; i++) {
		struct image_info info;
		ret = source_image_info(src, i, &info);
		if (ret)
			break;
		if (images) {
			json_object_array_add(images, info_json(&info));
		} else {
			char *langs = join_languages(&info);
			printf("%-5d %-42s %-18s %-12s %-6s %-16s %-12s %9llu %14llu\n", i,
			       or_dash(info.name), or_dash(info.edition),
			       or_dash(info.installation_type), or_dash(info.arch),
			       or_dash(info.version), or_dash(langs),
			       (unsigned long long)info.file_count,
			       (unsigned long long)info.total_bytes);
			free(langs);
		}
		image_info_release(&info);
	}
	if (images) {
		json_object *doc = report_new_document("info");
		json_object_object_add(doc, "source", json_object_new_string(source_path(src)));
		json_object_object_add(doc, "payload_folder", json_object_new_boolean(source_is_payload(src)));
		json_object_object_add(doc, "image_count", json_object_new_int(count));
		json_object_object_add(doc, "images", images);
		if (!ret)
			puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
	}
	source_close(src);
	return ret;
}
