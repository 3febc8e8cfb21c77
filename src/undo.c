/*
 * undo.c - build, read and write the undo record (JSON through json-c) that
 * apply leaves in Windows/Logs/wimgraft/ for remove and verify.
 */
#include "undo.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive.h"
#include "reg_hives.h"

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

char *undo_hive_backup_path(const char *feature, const char *hive)
{
	return xasprintf("%s/backup/%s/hives/%s", UNDO_DIR, feature, hive);
}

struct undo_hive *undo_add_hive(struct undo_record *u, const char *name)
{
	u->hives = xrealloc(u->hives, (u->nhives + 1) * sizeof(*u->hives));
	struct undo_hive *h = &u->hives[u->nhives++];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	return h;
}

struct undo_hive *undo_find_hive(const struct undo_record *u, const char *name)
{
	for (size_t i = 0; i < u->nhives; i++)
		if (wg_streq_nocase(u->hives[i].name, name))
			return &u->hives[i];
	return NULL;
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
	json_object_put(u->answer_file);
	for (size_t i = 0; i < u->nfiles; i++) {
		free(u->files[i].path);
		free(u->files[i].backup);
	}
	free(u->files);
	for (size_t i = 0; i < u->nhives; i++) {
		free(u->hives[i].name);
		free(u->hives[i].backup);
	}
	free(u->hives);
	sv_clear(&u->created_dirs);
	free(u->firstboot_lead);
	free(u->firstboot_route);
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
	if (u->nhives) {
		json_object *hives = json_object_new_array();
		for (size_t i = 0; i < u->nhives; i++) {
			const struct undo_hive *h = &u->hives[i];
			json_object *jh = json_object_new_object();
			json_object_object_add(jh, "name", json_object_new_string(h->name));
			json_object_object_add(jh, "backup", json_object_new_string(h->backup));
			json_object_object_add(jh, "old_size", json_object_new_int64((int64_t)h->old_size));
			json_object_object_add(jh, "old_sha1", sha1_json(h->old_sha1));
			json_object_object_add(jh, "size", json_object_new_int64((int64_t)h->size));
			json_object_object_add(jh, "sha1", sha1_json(h->sha1));
			json_object_array_add(hives, jh);
		}
		json_object_object_add(o, "hives", hives);
	}
	json_object_object_add(o, "registry", json_object_get(u->registry));
	json_object *fb = json_object_new_object();
	json_object_object_add(fb, "block", json_object_new_boolean(u->firstboot_block));
	json_object_object_add(fb, "created_script", json_object_new_boolean(u->firstboot_created));
	json_object_object_add(fb, "lead", str_or_null(u->firstboot_lead));
	if (u->firstboot_route)
		json_object_object_add(fb, "route", json_object_new_string(u->firstboot_route));
	json_object *cmds = json_object_new_array();
	for (size_t i = 0; i < u->firstboot_commands.n; i++)
		json_object_array_add(cmds, json_object_new_string(u->firstboot_commands.v[i]));
	json_object_object_add(fb, "commands", cmds);
	json_object_object_add(o, "first_boot", fb);
	if (u->answer_file)
		json_object_object_add(o, "answer_file", json_object_get(u->answer_file));
	char *text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/*
 * Reading a record. It is input like any other (a user can edit it, a damaged image can hold
 * anything): every field is checked for its type, every path for staying inside the image,
 * before any of it is used. The first problem is reported naming the record and the field.
 */
struct reader {
	const char *display;
	bool failed;
};

static bool invalid(struct reader *r, const char *field, const char *why)
{
	if (!r->failed)
		wg_error("undo record %s is invalid: '%s' %s", r->display, field, why);
	r->failed = true;
	return false;
}

static const char *type_name(json_object *v)
{
	return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

/* A string without NUL characters (json-c keeps "\u0000"; C strings would cut it). */
static bool as_string(struct reader *r, const char *field, json_object *v, const char **out)
{
	char why[64];
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(why, sizeof(why), "is %s, expected a string", type_name(v));
		return invalid(r, field, why);
	}
	const char *s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return invalid(r, field, "holds a NUL character");
	*out = s;
	return true;
}

/* A member that must be there (required) or may be absent or null. */
static bool member(struct reader *r, json_object *o, const char *key, const char *field,
		   bool required, json_object **v)
{
	*v = NULL;
	if (!json_object_object_get_ex(o, key, v) || !*v) {
		*v = NULL;
		return required ? invalid(r, field, "is missing") : true;
	}
	return true;
}

static bool get_str(struct reader *r, json_object *o, const char *key, const char *field,
		    bool required, char **out)
{
	json_object *v;
	const char *s;
	if (!member(r, o, key, field, required, &v))
		return false;
	if (!v)
		return true;
	if (!as_string(r, field, v, &s))
		return false;
	*out = xstrdup(s);
	return true;
}

static bool get_typed(struct reader *r, json_object *o, const char *key, const char *field,
		      bool required, json_type type, json_object **v)
{
	char why[64];
	if (!member(r, o, key, field, required, v))
		return false;
	if (*v && !json_object_is_type(*v, type)) {
		snprintf(why, sizeof(why), "is %s, expected %s", type_name(*v),
			 type == json_type_array ? "an array" : type == json_type_object ? "an object"
							    : json_type_to_name(type));
		return invalid(r, field, why);
	}
	return true;
}

static bool get_bool(struct reader *r, json_object *o, const char *key, const char *field, bool *out)
{
	json_object *v;
	if (!get_typed(r, o, key, field, false, json_type_boolean, &v))
		return false;
	*out = v && json_object_get_boolean(v);
	return true;
}

static bool get_sha1(struct reader *r, json_object *o, const char *key, const char *field,
		     uint8_t out[20])
{
	char *hex = NULL;
	bool ok = get_str(r, o, key, field, true, &hex);
	if (ok && (strlen(hex) != 40 || !sha1_from_hex(hex, out)))
		ok = invalid(r, field, "is not a SHA-1 (40 hex digits)");
	free(hex);
	return ok;
}

static bool get_u64(struct reader *r, json_object *o, const char *key, const char *field,
		    uint64_t *out)
{
	json_object *v;
	if (!get_typed(r, o, key, field, true, json_type_int, &v))
		return false;
	int64_t n = json_object_get_int64(v);
	if (n < 0 || n == INT64_MAX)
		return invalid(r, field, "is not a size in bytes");
	*out = (uint64_t)n;
	return true;
}

/*
 * A path in the image as apply records it: relative, '/'-separated, no empty, "." or ".."
 * component, no backslash, colon (drive, stream) or control character.
 */
static bool check_path(struct reader *r, const char *field, const char *path)
{
	if (!*path)
		return invalid(r, field, "is empty");
	if (*path == '/')
		return invalid(r, field, "is an absolute path; paths in the image are relative");
	if (strlen(path) > 4096)
		return invalid(r, field, "is too long");
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\' || *p == ':')
			return invalid(r, field, "holds a backslash, colon or control character");
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 0)
			return invalid(r, field, "has an empty component");
		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return invalid(r, field, "has a '.' or '..' component; it must stay inside the image");
		p += l;
		if (*p && !*++p)
			return invalid(r, field, "ends with '/'");
	}
	return true;
}

static bool get_path(struct reader *r, json_object *o, const char *key, const char *field,
		     char **out)
{
	if (!get_str(r, o, key, field, true, out) || !check_path(r, field, *out))
		return false;
	if (hive_is_hive_file(*out))
		return invalid(r, field, "names a registry hive file; hives are restored only "
					 "through the 'registry' entries");
	return true;
}

static bool parse_file(struct reader *r, json_object *jf, size_t i, struct undo_record *u)
{
	char field[64], *action = NULL;
	bool ok;
#define FIELD(name) (snprintf(field, sizeof(field), "files[%zu]%s", i, name), field)
	if (!json_object_is_type(jf, json_type_object))
		return invalid(r, FIELD(""), "is not an object");
	struct undo_file *f = undo_add_file(u, "");
	free(f->path);
	f->path = NULL;
	ok = get_path(r, jf, "path", FIELD(".path"), &f->path) &&
	     get_str(r, jf, "action", FIELD(".action"), true, &action);
	size_t a = 0;
	for (; ok && a < ARRAY_SIZE(action_names); a++)
		if (!strcmp(action, action_names[a]))
			break;
	if (ok && a == ARRAY_SIZE(action_names))
		ok = invalid(r, FIELD(".action"), "is not 'added', 'replaced' or 'present'");
	free(action);
	if (!ok)
		return false;
	f->action = (enum undo_action)a;
	ok = get_u64(r, jf, "size", FIELD(".size"), &f->size) &&
	     get_sha1(r, jf, "sha1", FIELD(".sha1"), f->sha1);
	if (ok && f->action == UNDO_REPLACED) {
		char *dir = undo_backup_path(u->feature, "");
		ok = get_path(r, jf, "backup", FIELD(".backup"), &f->backup) &&
		     get_u64(r, jf, "old_size", FIELD(".old_size"), &f->old_size) &&
		     get_sha1(r, jf, "old_sha1", FIELD(".old_sha1"), f->old_sha1);
		if (ok && (strlen(f->backup) <= strlen(dir) || strncasecmp(f->backup, dir, strlen(dir))))
			ok = invalid(r, FIELD(".backup"), "is not in the feature's backup folder");
		free(dir);
	}
	for (size_t j = 0; ok && j < i; j++)
		if (wg_streq_nocase(u->files[j].path, f->path))
			ok = invalid(r, FIELD(".path"), "names a file an earlier entry names");
#undef FIELD
	return ok;
}

/*
 * One hive kept whole: a hive wimgraft edits, named once, its original at exactly the path
 * apply uses for it.
 */
static bool parse_hive(struct reader *r, json_object *jh, size_t i, struct undo_record *u)
{
	char field[64], *name = NULL, *backup = NULL;
	bool ok;
#define FIELD(n) (snprintf(field, sizeof(field), "hives[%zu]%s", i, n), field)
	if (!json_object_is_type(jh, json_type_object))
		return invalid(r, FIELD(""), "is not an object");
	ok = get_str(r, jh, "name", FIELD(".name"), true, &name);
	const char *canon = ok ? reg_hive_name(name) : NULL;
	if (ok && (!canon || strcmp(canon, name)))
		ok = invalid(r, FIELD(".name"), "is not a hive wimgraft edits (SYSTEM, SOFTWARE, ...)");
	if (ok && undo_find_hive(u, name))
		ok = invalid(r, FIELD(".name"), "names a hive an earlier entry names");
	if (!ok) {
		free(name);
		return false;
	}
	struct undo_hive *h = undo_add_hive(u, name);
	free(name);
	ok = get_str(r, jh, "backup", FIELD(".backup"), true, &backup);
	char *want = undo_hive_backup_path(u->feature, h->name);
	if (ok && strcmp(backup, want))
		ok = invalid(r, FIELD(".backup"), "is not where apply keeps that hive's original");
	free(want);
	h->backup = backup;
	ok = ok && get_u64(r, jh, "old_size", FIELD(".old_size"), &h->old_size) &&
	     get_sha1(r, jh, "old_sha1", FIELD(".old_sha1"), h->old_sha1) &&
	     get_u64(r, jh, "size", FIELD(".size"), &h->size) &&
	     get_sha1(r, jh, "sha1", FIELD(".sha1"), h->sha1);
#undef FIELD
	return ok;
}

/* A feature name: the manifest id apply used, which names the record and its folders. */
static bool check_feature(struct reader *r, const char *id)
{
	if (!*id || *id == '.')
		return invalid(r, "feature", "is not a feature name");
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return invalid(r, "feature", "is not a feature name");
	return true;
}

static bool parse_strings(struct reader *r, json_object *a, const char *name, bool paths,
			  struct strvec *out)
{
	char field[64];
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		const char *s;
		snprintf(field, sizeof(field), "%s[%zu]", name, i);
		if (!as_string(r, field, json_object_array_get_idx(a, i), &s))
			return false;
		if (paths && !check_path(r, field, s))
			return false;
		sv_push(out, s);
	}
	return true;
}

static bool parse_first_boot(struct reader *r, json_object *o, struct undo_record *u)
{
	json_object *fb, *cmds;
	if (!get_typed(r, o, "first_boot", "first_boot", false, json_type_object, &fb))
		return false;
	if (!fb)
		return true;
	return get_bool(r, fb, "block", "first_boot.block", &u->firstboot_block) &&
	       get_bool(r, fb, "created_script", "first_boot.created_script", &u->firstboot_created) &&
	       get_str(r, fb, "lead", "first_boot.lead", false, &u->firstboot_lead) &&
	       get_str(r, fb, "route", "first_boot.route", false, &u->firstboot_route) &&
	       get_typed(r, fb, "commands", "first_boot.commands", false, json_type_array, &cmds) &&
	       parse_strings(r, cmds, "first_boot.commands", false, &u->firstboot_commands);
}

static bool parse_record(struct reader *r, json_object *o, struct undo_record *u)
{
	json_object *v;
	if (!get_typed(r, o, "format", "format", true, json_type_int, &v))
		return false;
	if (json_object_get_int64(v) != UNDO_FORMAT)
		return invalid(r, "format", "is not a format this wimgraft knows (1)");
	if (!get_str(r, o, "feature", "feature", true, &u->feature) || !check_feature(r, u->feature) ||
	    !get_str(r, o, "manifest_version", "manifest_version", false, &u->manifest_version) ||
	    !get_str(r, o, "applied_at", "applied_at", false, &u->applied_at) ||
	    !get_str(r, o, "tool", "tool", false, &u->tool))
		return false;
	if (!get_typed(r, o, "source", "source", false, json_type_object, &v))
		return false;
	u->source = json_object_get(v);
	if (!get_typed(r, o, "params", "params", false, json_type_object, &v))
		return false;
	u->params = json_object_get(v);
	if (!get_typed(r, o, "registry", "registry", false, json_type_array, &v))
		return false;
	u->registry = json_object_get(v);
	if (json_object_object_get_ex(o, "answer_file", &v) && json_object_is_type(v, json_type_object))
		u->answer_file = json_object_get(v);
	if (!get_typed(r, o, "files", "files", true, json_type_array, &v))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!parse_file(r, json_object_array_get_idx(v, i), i, u))
			return false;
	if (!get_typed(r, o, "created_dirs", "created_dirs", false, json_type_array, &v) ||
	    !parse_strings(r, v, "created_dirs", true, &u->created_dirs))
		return false;
	if (!get_typed(r, o, "hives", "hives", false, json_type_array, &v))
		return false;
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		if (!parse_hive(r, json_object_array_get_idx(v, i), i, u))
			return false;
	return parse_first_boot(r, o, u);
}

enum wg_err undo_parse(const char *display, const char *text, size_t len, struct undo_record *u)
{
	memset(u, 0, sizeof(*u));
	if (len > INT_MAX) {
		wg_error("undo record %s is too large", display);
		return WG_ERR_UNDO;
	}
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (o && jerr == json_tokener_success && used < len && strchr(" \t\r\n", text[used]))
		used++;
	if (!o || jerr != json_tokener_success || used != len) {
		wg_error("undo record %s is not valid JSON: %s", display,
			 o && jerr == json_tokener_success ? "text after the end of the record"
							   : json_tokener_error_desc(jerr));
		json_object_put(o);
		return WG_ERR_UNDO;
	}
	struct reader r = { display, false };
	bool ok = json_object_is_type(o, json_type_object) ? parse_record(&r, o, u)
		: invalid(&r, "(the record)", "is not a JSON object");
	json_object_put(o);
	if (!ok) {
		undo_release(u);
		return WG_ERR_UNDO;
	}
	return WG_OK;
}
