/*
 * undo.c - build, read and write the undo record (JSON through json-c) that
 * apply leaves in Windows/Logs/wimgraft/ for remove and verify.
 */
#include "undo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {
	[UNDO_ADDED] = "added",
	[UNDO_REPLACED] = "replaced",
	[UNDO_PRESENT] = "present",
};

char *undo_path(const char *feature)
{
	return xasprintf("%s/%s.undo.json", UNDO_DIR, feature);
}

char *undo_backup_path(const char *feature, const char *path)
{
	return xasprintf("%s/backup/%s/%s", UNDO_DIR, feature, path);
}

void undo_init(struct undo_record *u, const char *feature)
{
	memset(u, 0, sizeof(*u));
	u->feature = xstrdup(feature);
}

struct undo_file *undo_find_file(const struct undo_record *u, const char *path)
{
	for (size_t i = 0; i < u->nfiles; i++)
		if (wg_streq_nocase(u->files[i].path, path))
			return &u->files[i];
	return NULL;
}

struct undo_file *undo_add_file(struct undo_record *u, const char *path)
{
	u->files = xrealloc(u->files, (u->nfiles + 1) * sizeof(*u->files));
	struct undo_file *f = &u->files[u->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	return f;
}

void undo_release(struct undo_record *u)
{
	free(u->feature);
	free(u->manifest_version);
	free(u->applied_at);
	free(u->tool);
	json_object_put(u->source);
	json_object_put(u->params);
	json_object_put(u->registry);
	for (size_t i = 0; i < u->nfiles; i++) {
		free(u->files[i].path);
		free(u->files[i].backup);
	}
	free(u->files);
	sv_clear(&u->created_dirs);
	free(u->firstboot_lead);
	sv_clear(&u->firstboot_commands);
	memset(u, 0, sizeof(*u));
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *sha1_json(const uint8_t sha1[20])
{
	char hex[41];
	sha1_to_hex(sha1, hex);
	return json_object_new_string(hex);
}

char *undo_serialize(const struct undo_record *u)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_int(UNDO_FORMAT));
	json_object_object_add(o, "feature", str_or_null(u->feature));
	json_object_object_add(o, "manifest_version", str_or_null(u->manifest_version));
	json_object_object_add(o, "applied_at", str_or_null(u->applied_at));
	json_object_object_add(o, "tool", str_or_null(u->tool));
	json_object_object_add(o, "source", json_object_get(u->source));
	json_object_object_add(o, "params", json_object_get(u->params));
	json_object *files = json_object_new_array();
	for (size_t i = 0; i < u->nfiles; i++) {
		const struct undo_file *f = &u->files[i];
		json_object *jf = json_object_new_object();
		json_object_object_add(jf, "path", json_object_new_string(f->path));
		json_object_object_add(jf, "action", json_object_new_string(action_names[f->action]));
		json_object_object_add(jf, "size", json_object_new_int64((int64_t)f->size));
		json_object_object_add(jf, "sha1", sha1_json(f->sha1));
		if (f->action == UNDO_REPLACED) {
			json_object_object_add(jf, "backup", str_or_null(f->backup));
			json_object_object_add(jf, "old_size", json_object_new_int64((int64_t)f->old_size));
			json_object_object_add(jf, "old_sha1", sha1_json(f->old_sha1));
		}
		json_object_array_add(files, jf);
	}
	json_object_object_add(o, "files", files);
	json_object *dirs = json_object_new_array();
	for (size_t i = 0; i < u->created_dirs.n; i++)
		json_object_array_add(dirs, json_object_new_string(u->created_dirs.v[i]));
	json_object_object_add(o, "created_dirs", dirs);
	json_object_object_add(o, "registry", json_object_get(u->registry));
	json_object *fb = json_object_new_object();
	json_object_object_add(fb, "block", json_object_new_boolean(u->firstboot_block));
	json_object_object_add(fb, "created_script", json_object_new_boolean(u->firstboot_created));
	json_object_object_add(fb, "lead", str_or_null(u->firstboot_lead));
	json_object *cmds = json_object_new_array();
	for (size_t i = 0; i < u->firstboot_commands.n; i++)
		json_object_array_add(cmds, json_object_new_string(u->firstboot_commands.v[i]));
	json_object_object_add(fb, "commands", cmds);
	json_object_object_add(o, "first_boot", fb);
	char *text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

static bool get_str(json_object *o, const char *key, char **out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return false;
	*out = xstrdup(json_object_get_string(v));
	return true;
}

static bool get_sha1(json_object *o, const char *key, uint8_t out[20])
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
	       sha1_from_hex(json_object_get_string(v), out);
}

static bool get_u64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = (uint64_t)json_object_get_int64(v);
	return true;
}

static bool parse_file(json_object *jf, struct undo_record *u)
{
	char *path = NULL, *action = NULL;
	bool ok = false;
	if (!get_str(jf, "path", &path) || !get_str(jf, "action", &action))
		goto out;
	struct undo_file *f = undo_add_file(u, path);
	size_t a;
	for (a = 0; a < ARRAY_SIZE(action_names); a++)
		if (!strcmp(action, action_names[a]))
			break;
	if (a == ARRAY_SIZE(action_names))
		goto out;
	f->action = (enum undo_action)a;
	if (!get_u64(jf, "size", &f->size) || !get_sha1(jf, "sha1", f->sha1))
		goto out;
	if (f->action == UNDO_REPLACED &&
	    (!get_str(jf, "backup", &f->backup) || !get_u64(jf, "old_size", &f->old_size) ||
	     !get_sha1(jf, "old_sha1", f->old_sha1)))
		goto out;
	ok = true;
out:
	free(path);
	free(action);
	return ok;
}

enum wg_err undo_parse(const char *display, const char *text, size_t len, struct undo_record *u)
{
	memset(u, 0, sizeof(*u));
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || jerr != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		wg_error("undo record %s is not valid JSON: %s", display,
			 json_tokener_error_desc(jerr));
		json_object_put(o);
		return WG_ERR_UNDO;
	}
	json_object *v;
	bool ok = json_object_object_get_ex(o, "format", &v) && json_object_get_int(v) == UNDO_FORMAT &&
		  get_str(o, "feature", &u->feature);
	get_str(o, "manifest_version", &u->manifest_version);
	get_str(o, "applied_at", &u->applied_at);
	get_str(o, "tool", &u->tool);
	if (json_object_object_get_ex(o, "source", &v))
		u->source = json_object_get(v);
	if (json_object_object_get_ex(o, "params", &v))
		u->params = json_object_get(v);
	if (json_object_object_get_ex(o, "registry", &v))
		u->registry = json_object_get(v);
	if (ok && json_object_object_get_ex(o, "files", &v) && json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; ok && i < json_object_array_length(v); i++)
			ok = parse_file(json_object_array_get_idx(v, i), u);
	} else {
		ok = false;
	}
	if (ok && json_object_object_get_ex(o, "created_dirs", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *d = json_object_array_get_idx(v, i);
			if (json_object_is_type(d, json_type_string))
				sv_push(&u->created_dirs, json_object_get_string(d));
		}
	}
	if (ok && json_object_object_get_ex(o, "first_boot", &v)) {
		json_object *b;
		if (json_object_object_get_ex(v, "block", &b))
			u->firstboot_block = json_object_get_boolean(b);
		if (json_object_object_get_ex(v, "created_script", &b))
			u->firstboot_created = json_object_get_boolean(b);
		get_str(v, "lead", &u->firstboot_lead);
		if (json_object_object_get_ex(v, "commands", &b) && json_object_is_type(b, json_type_array))
			for (size_t i = 0; i < json_object_array_length(b); i++)
				sv_push(&u->firstboot_commands,
					json_object_get_string(json_object_array_get_idx(b, i)));
	}
	json_object_put(o);
	if (!ok) {
		wg_error("undo record %s is incomplete or of an unknown format", display);
		undo_release(u);
		return WG_ERR_UNDO;
	}
	return WG_OK;
}
