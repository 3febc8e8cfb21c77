/*
 * reg_undo_json.c - the registry half of the undo record: change lists written as
 * JSON (json-c) and read back, every field checked.
 */
#include "reg_undo_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reg_describe.h"
#include "reg_hives.h"

static const char *const kind_names[] = {
	[REG_CHANGE_CREATE_KEY] = "create-key",
	[REG_CHANGE_DELETE_KEY] = "delete-key",
	[REG_CHANGE_SET_VALUE] = "set-value",
	[REG_CHANGE_DELETE_VALUE] = "delete-value",
};

static json_object *hex_json(const unsigned char *d, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(len * 2 + 1);
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[d[i] >> 4];
		s[2 * i + 1] = digits[d[i] & 15];
	}
	s[len * 2] = '\0';
	json_object *j = json_object_new_string(s);
	free(s);
	return j;
}

static json_object *value_json(const char *name, uint32_t type, const unsigned char *d, size_t len)
{
	json_object *j = json_object_new_object();
	if (name)
		json_object_object_add(j, "name", json_object_new_string(name));
	json_object_object_add(j, "type", json_object_new_int64(type));
	json_object_object_add(j, "type_name", json_object_new_string(reg_type_name(type)));
	json_object_object_add(j, "data", hex_json(d, len));
	return j;
}

static json_object *tree_json(const struct hive_tree *t)
{
	json_object *j = json_object_new_object();
	json_object *vals = json_object_new_array();
	json_object *keys = json_object_new_array();
	json_object_object_add(j, "name", json_object_new_string(t->name));
	for (size_t i = 0; i < t->nvalues; i++)
		json_object_array_add(vals, value_json(t->values[i].name, t->values[i].type,
						       t->values[i].data, t->values[i].len));
	for (size_t i = 0; i < t->nchildren; i++)
		json_object_array_add(keys, tree_json(&t->children[i]));
	json_object_object_add(j, "values", vals);
	json_object_object_add(j, "keys", keys);
	return j;
}

struct json_object *reg_changes_to_json(const struct reg_changes *c)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct reg_change *r = &c->v[i];
		json_object *j = json_object_new_object();
		struct strbuf sb = STRBUF_INIT;
		json_object_object_add(j, "hive", json_object_new_string(r->hive));
		json_object_object_add(j, "key", json_object_new_string(r->key));
		if (r->name)
			json_object_object_add(j, "value", json_object_new_string(r->name));
		json_object_object_add(j, "action", json_object_new_string(kind_names[r->kind]));
		json_object_object_add(j, "unchanged", json_object_new_boolean(r->unchanged));
		if (r->kind == REG_CHANGE_SET_VALUE || r->kind == REG_CHANGE_DELETE_VALUE)
			json_object_object_add(j, "old", r->old_present ?
					       value_json(NULL, r->old_type, r->old_data, r->old_len) :
					       NULL);
		if (r->kind == REG_CHANGE_SET_VALUE)
			json_object_object_add(j, "new", value_json(NULL, r->new_type, r->new_data,
								    r->new_len));
		if (r->kind == REG_CHANGE_DELETE_KEY)
			json_object_object_add(j, "old_tree", r->old_tree ? tree_json(r->old_tree) : NULL);
		if (r->origin) {
			json_object_object_add(j, "origin", json_object_new_string(r->origin));
			json_object_object_add(j, "line", json_object_new_int64(r->line));
		}
		reg_change_describe(r, &sb);
		json_object_object_add(j, "description", json_object_new_string(sb.buf));
		sb_release(&sb);
		json_object_array_add(arr, j);
	}
	return arr;
}

static int bad(const char *what)
{
	wg_error("invalid registry change record: %s", what);
	return -1;
}

static const char *get_string(json_object *o, const char *key, bool required)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
		if (required) {
			char *m = xasprintf("'%s' missing or not a string", key);
			bad(m);
			free(m);
		}
		return NULL;
	}
	return json_object_get_string(v);
}

static int parse_hex_string(const char *s, unsigned char **data, size_t *len)
{
	size_t n = strlen(s);
	if (n % 2)
		return bad("hex data of odd length");
	unsigned char *d = xmalloc(n / 2 ? n / 2 : 1);
	for (size_t i = 0; i < n / 2; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];
			int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (x < 0) {
				free(d);
				return bad("hex data holds a character that is not a hex digit");
			}
			v = v * 16 + x;
		}
		d[i] = (unsigned char)v;
	}
	*data = d;
	*len = n / 2;
	return 0;
}

static int parse_value(json_object *o, bool want_name, char **name, uint32_t *type,
		       unsigned char **data, size_t *len)
{
	json_object *t;
	if (!json_object_is_type(o, json_type_object))
		return bad("a value is not an object");
	if (want_name) {
		const char *n = get_string(o, "name", true);
		if (!n)
			return -1;
		*name = xstrdup(n);
	}
	if (!json_object_object_get_ex(o, "type", &t) || !json_object_is_type(t, json_type_int) ||
	    json_object_get_int64(t) < 0 || json_object_get_int64(t) > 0xFFFFFFFFLL) {
		if (want_name)
			free(*name);
		return bad("a value's 'type' is missing or not a 32-bit number");
	}
	*type = (uint32_t)json_object_get_int64(t);
	const char *hex = get_string(o, "data", true);
	if (!hex || parse_hex_string(hex, data, len)) {
		if (want_name)
			free(*name);
		return -1;
	}
	return 0;
}

static int parse_tree(json_object *o, struct hive_tree *t, int depth)
{
	json_object *vals, *keys;
	memset(t, 0, sizeof(*t));
	if (depth > 512)
		return bad("keys nested too deep");
	if (!json_object_is_type(o, json_type_object))
		return bad("a saved key is not an object");
	const char *name = get_string(o, "name", true);
	if (!name)
		return -1;
	t->name = xstrdup(name);
	if (!json_object_object_get_ex(o, "values", &vals) || !json_object_is_type(vals, json_type_array) ||
	    !json_object_object_get_ex(o, "keys", &keys) || !json_object_is_type(keys, json_type_array))
		return bad("a saved key lacks its 'values' or 'keys' array");
	size_t nv = json_object_array_length(vals), nk = json_object_array_length(keys);
	t->values = xcalloc(nv + 1, sizeof(*t->values));
	for (size_t i = 0; i < nv; i++) {
		struct hive_value *v = &t->values[i];
		if (parse_value(json_object_array_get_idx(vals, i), true, &v->name, &v->type,
				&v->data, &v->len))
			return -1;
		t->nvalues = i + 1;
	}
	t->children = xcalloc(nk + 1, sizeof(*t->children));
	for (size_t i = 0; i < nk; i++) {
		t->nchildren = i + 1;
		if (parse_tree(json_object_array_get_idx(keys, i), &t->children[i], depth + 1))
			return -1;
	}
	return 0;
}

static int parse_change(json_object *o, struct reg_changes *out)
{
	json_object *v;
	if (!json_object_is_type(o, json_type_object))
		return bad("an entry is not an object");
	const char *hive = get_string(o, "hive", true);
	const char *key = hive ? get_string(o, "key", true) : NULL;
	const char *action = key ? get_string(o, "action", true) : NULL;
	if (!action)
		return -1;
	if (!reg_hive_name(hive))
		return bad("unknown hive");
	int kind = -1;
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(kind_names[i], action))
			kind = (int)i;
	if (kind < 0)
		return bad("unknown action");
	const char *name = get_string(o, "value", false);
	bool value_kind = kind == REG_CHANGE_SET_VALUE || kind == REG_CHANGE_DELETE_VALUE;
	if (value_kind != (name != NULL))
		return bad("'value' present on a key change or missing on a value change");
	const char *origin = get_string(o, "origin", false);
	unsigned line = 0;
	if (json_object_object_get_ex(o, "line", &v) && json_object_is_type(v, json_type_int))
		line = (unsigned)json_object_get_int64(v);
	struct reg_change *c = reg_change_push(out, reg_hive_name(hive), key, name,
					   (enum reg_change_kind)kind, origin, line);
	if (!json_object_object_get_ex(o, "unchanged", &v) || !json_object_is_type(v, json_type_boolean))
		return bad("'unchanged' missing or not a boolean");
	c->unchanged = json_object_get_boolean(v);
	if (value_kind && json_object_object_get_ex(o, "old", &v) && v) {
		c->old_present = true;
		if (parse_value(v, false, NULL, &c->old_type, &c->old_data, &c->old_len))
			return -1;
	}
	if (kind == REG_CHANGE_SET_VALUE) {
		if (!json_object_object_get_ex(o, "new", &v) || !v)
			return bad("'new' missing on a set-value change");
		if (parse_value(v, false, NULL, &c->new_type, &c->new_data, &c->new_len))
			return -1;
	}
	if (kind == REG_CHANGE_DELETE_KEY && json_object_object_get_ex(o, "old_tree", &v) && v) {
		c->old_present = true;
		c->old_tree = xcalloc(1, sizeof(*c->old_tree));
		if (parse_tree(v, c->old_tree, 0))
			return -1;
	}
	return 0;
}

enum wg_err reg_changes_from_json(struct json_object *j, struct reg_changes *out)
{
	struct reg_changes got = { 0 };
	if (!json_object_is_type(j, json_type_array)) {
		bad("not an array");
		return WG_ERR_UNDO;
	}
	for (size_t i = 0; i < json_object_array_length(j); i++) {
		if (parse_change(json_object_array_get_idx(j, i), &got)) {
			reg_changes_release(&got);
			return WG_ERR_UNDO;
		}
	}
	for (size_t i = 0; i < got.n; i++) {
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 16;
			out->v = xrealloc(out->v, out->alloc * sizeof(*out->v));
		}
		out->v[out->n++] = got.v[i];
	}
	free(got.v);
	return WG_OK;
}
