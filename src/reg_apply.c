/*
 * reg_apply.c - registry operations applied to the hives of one image in memory, each
 * recorded as a change; a change list undone, or compared with what the hives hold.
 */
#include "reg_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive_values.h"
#include "reg_describe.h"
#include "reg_limits.h"
#include "regmerge.h"

static unsigned char *dup_bytes(const unsigned char *d, size_t len)
{
	unsigned char *p = xmalloc(len ? len : 1);
	if (len)
		memcpy(p, d, len);
	return p;
}

/* path with the stored spelling of every component that exists (for keys that do not). */
static char *stored_spelling(struct hive *h, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	hive_key k = hive_root(h);
	bool exists = true;
	const char *p = path;
	while (*p) {
		const char *e = strchr(p, '\\');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *comp = xstrndup(p, n);
		if (sb.len)
			sb_addch(&sb, '\\');
		if (exists && hive_child(h, k, comp, &k) == WG_OK) {
			char *name = hive_key_name(h, k);
			sb_addstr(&sb, name);
			free(name);
		} else {
			exists = false;
			sb_addstr(&sb, comp);
		}
		free(comp);
		if (!e)
			break;
		p = e + 1;
	}
	return sb_detach(&sb);
}

/* Where a change comes from, for messages: " ('x.reg' line 3)" or "". */
struct where {
	const char *origin;
	unsigned line;
};

static enum wg_err do_ensure_key(struct hive *h, const char *hive, const char *path,
				 struct where w, bool record_existing, char **stored,
				 struct reg_changes *out)
{
	struct strvec created = STRVEC_INIT;
	hive_key k;
	char *sp = NULL;
	enum wg_err err = hive_ensure_key(h, path, &k, &sp, &created);
	if (err)
		goto out;
	for (size_t i = 0; i < created.n; i++)
		reg_change_push(out, hive, created.v[i], NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line);
	if (!created.n && record_existing)
		reg_change_push(out, hive, sp, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line)->unchanged = true;
	if (stored) {
		*stored = sp;
		sp = NULL;
	}
out:
	free(sp);
	sv_clear(&created);
	return err;
}

static bool too_long(const char *hive, const char *path, const char *name, size_t len,
		     struct where w)
{
	if (len <= HIVE_MAX_VALUE_DATA)
		return false;
	if (w.origin)
		wg_error("'%s' line %u: value '%s' has %zu bytes of data, more than the %d "
			 "bytes that can be written to an offline hive", w.origin, w.line,
			 name, len, HIVE_MAX_VALUE_DATA);
	else
		wg_error("value '%s' of '%s\\%s' has %zu bytes of data, more than the %d "
			 "bytes that can be written to an offline hive", name, hive, path, len,
			 HIVE_MAX_VALUE_DATA);
	return true;
}

static enum wg_err do_set(struct hive *h, const char *hive, const char *path, const char *name,
			  uint32_t type, const unsigned char *data, size_t len, struct where w,
			  struct reg_changes *out)
{
	char *sp = NULL;
	hive_key k;
	struct hive_value old = { 0 };
	if (too_long(hive, path, name, len, w))
		return WG_ERR_HIVE;
	enum wg_err err = do_ensure_key(h, hive, path, w, false, &sp, out);
	if (!err)
		err = hive_lookup(h, path, &k, NULL);
	if (err)
		goto out;
	err = hive_value_get(h, k, name, &old);
	bool present = err == WG_OK;
	if (err && err != WG_ERR_NOT_FOUND)
		goto out;
	struct reg_change *c = reg_change_push(out, hive, sp, present ? old.name : name,
					   REG_CHANGE_SET_VALUE, w.origin, w.line);
	c->new_type = type;
	c->new_len = len;
	c->new_data = dup_bytes(data, len);
	c->old_present = present;
	if (present) {
		c->old_type = old.type;
		c->old_len = old.len;
		c->old_data = dup_bytes(old.data, old.len);
		c->unchanged = old.type == type && old.len == len && (!len || !memcmp(old.data, data, len));
	}
	err = c->unchanged ? WG_OK : hive_value_set(h, k, c->name, type, data, len);
out:
	hive_value_release(&old);
	free(sp);
	return err;
}

static enum wg_err do_delete_value(struct hive *h, const char *hive, const char *path,
				   const char *name, struct where w, struct reg_changes *out)
{
	hive_key k;
	char *sp = NULL;
	struct hive_value old = { 0 };
	enum wg_err err = hive_lookup(h, path, &k, &sp);
	if (err == WG_ERR_NOT_FOUND) {
		sp = stored_spelling(h, path);
		reg_change_push(out, hive, sp, name, REG_CHANGE_DELETE_VALUE, w.origin, w.line)->unchanged = true;
		free(sp);
		return WG_OK;
	}
	if (err)
		return err;
	err = hive_value_get(h, k, name, &old);
	if (err == WG_ERR_NOT_FOUND) {
		reg_change_push(out, hive, sp, name, REG_CHANGE_DELETE_VALUE, w.origin, w.line)->unchanged = true;
		err = WG_OK;
		goto out;
	}
	if (err)
		goto out;
	struct reg_change *c = reg_change_push(out, hive, sp, old.name, REG_CHANGE_DELETE_VALUE,
					   w.origin, w.line);
	c->old_present = true;
	c->old_type = old.type;
	c->old_len = old.len;
	c->old_data = dup_bytes(old.data, old.len);
	err = hive_value_delete(h, k, old.name);
out:
	hive_value_release(&old);
	free(sp);
	return err;
}

static bool tree_fits(const struct hive_tree *t, const struct hive_tree **bad_key,
		      const struct hive_value **bad_value)
{
	for (size_t i = 0; i < t->nvalues; i++)
		if (t->values[i].len > HIVE_MAX_VALUE_DATA) {
			*bad_key = t;
			*bad_value = &t->values[i];
			return false;
		}
	for (size_t i = 0; i < t->nchildren; i++)
		if (!tree_fits(&t->children[i], bad_key, bad_value))
			return false;
	return true;
}

static enum wg_err do_delete_key(struct hive *h, const char *hive, const char *path,
				 struct where w, struct reg_changes *out)
{
	hive_key k;
	char *sp = NULL;
	struct hive_tree *tree = NULL;
	enum wg_err err = hive_lookup(h, path, &k, &sp);
	if (err == WG_ERR_NOT_FOUND) {
		sp = stored_spelling(h, path);
		reg_change_push(out, hive, sp, NULL, REG_CHANGE_DELETE_KEY, w.origin, w.line)->unchanged = true;
		free(sp);
		return WG_OK;
	}
	if (err)
		return err;
	if (!*path) {
		if (w.origin)
			wg_error("'%s' line %u: the root key of the %s hive cannot be deleted",
				 w.origin, w.line, hive);
		else
			wg_error("the root key of the %s hive cannot be deleted", hive);
		err = WG_ERR_HIVE;
		goto out;
	}
	tree = xcalloc(1, sizeof(*tree));
	err = hive_save_tree(h, k, tree);
	if (err)
		goto out;
	const struct hive_tree *bk;
	const struct hive_value *bv;
	if (!tree_fits(tree, &bk, &bv)) {
		wg_error("cannot delete '%s\\%s': its key '%s' holds value '%s' of %zu bytes, which "
			 "could not be restored offline", hive, sp, bk->name, bv->name, bv->len);
		err = WG_ERR_HIVE;
		goto out;
	}
	struct reg_change *c = reg_change_push(out, hive, sp, NULL, REG_CHANGE_DELETE_KEY, w.origin,
					   w.line);
	c->old_present = true;
	c->old_tree = tree;
	tree = NULL;
	err = hive_delete_key(h, k);
out:
	if (tree) {
		hive_tree_release(tree);
		free(tree);
	}
	free(sp);
	return err;
}

/* Put a deleted key back (undo of a DELETE_KEY). */
static enum wg_err do_restore_tree(struct hive *h, const char *hive, const char *path,
				   const struct hive_tree *tree, struct where w,
				   struct reg_changes *out)
{
	const char *slash = strrchr(path, '\\');
	char *parent = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	char *sp = NULL;
	hive_key pk, k;
	enum wg_err err = do_ensure_key(h, hive, parent, w, false, &sp, out);
	if (!err)
		err = hive_lookup(h, parent, &pk, NULL);
	if (err)
		goto out;
	err = hive_child(h, pk, tree->name, &k);
	if (!err) {
		wg_warning("'%s\\%s' exists again: leaving it as it is", hive, path);
		reg_change_push(out, hive, path, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line)->unchanged = true;
		goto out;
	}
	if (err != WG_ERR_NOT_FOUND)
		goto out;
	err = hive_restore_tree(h, pk, tree);
	if (!err) {
		char *full = *sp ? xasprintf("%s\\%s", sp, tree->name) : xstrdup(tree->name);
		reg_change_push(out, hive, full, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line);
		free(full);
	}
out:
	free(sp);
	free(parent);
	return err;
}

/* One value set within a batch of its key, recorded as do_set records it. */
static void batch_set(struct hive_values *b, const char *hive, const char *sp, const char *name,
		      uint32_t type, const unsigned char *data, size_t len, struct where w,
		      struct reg_changes *out)
{
	const struct hive_value *old = hive_values_find(b, name);
	struct reg_change *c = reg_change_push(out, hive, sp, old ? old->name : name,
					       REG_CHANGE_SET_VALUE, w.origin, w.line);
	c->new_type = type;
	c->new_len = len;
	c->new_data = dup_bytes(data, len);
	c->old_present = old != NULL;
	if (old) {
		c->old_type = old->type;
		c->old_len = old->len;
		c->old_data = dup_bytes(old->data, old->len);
		c->unchanged = old->type == type && old->len == len &&
			       (!len || !memcmp(old->data, data, len));
	}
	if (!c->unchanged)
		hive_values_set(b, c->name, type, data, len);
}

/* One value deleted within a batch of its key, recorded as do_delete_value records it. */
static void batch_delete(struct hive_values *b, const char *hive, const char *sp,
			 const char *name, struct where w, struct reg_changes *out)
{
	const struct hive_value *old = hive_values_find(b, name);
	struct reg_change *c = reg_change_push(out, hive, sp, old ? old->name : name,
					       REG_CHANGE_DELETE_VALUE, w.origin, w.line);
	if (!old) {
		c->unchanged = true;
		return;
	}
	c->old_present = true;
	c->old_type = old->type;
	c->old_len = old->len;
	c->old_data = dup_bytes(old->data, old->len);
	hive_values_delete(b, c->name);
}

/* The hive and mapped key path of an operation. */
static enum wg_err op_target(struct hive_set *s, const struct reg_op *op, const char **hive,
			     struct hive **h, char **path)
{
	const char *rest;
	enum wg_err err = reg_route(op->key, op->origin, op->line, hive, &rest);
	if (!err && op->origin && !hive_set_has(s, *hive)) {
		wg_error("'%s' line %u: the image has no %s hive ('%s/%s' not found)", op->origin,
			 op->line, *hive, hive_set_display(s), *hive);
		return WG_ERR_NOT_FOUND;
	}
	if (!err)
		err = hive_set_get(s, *hive, h);
	if (!err)
		err = hive_set_map_path(s, *hive, rest, path);
	return err;
}

/* n values set in one key (n > 1): one read of its values, one write. */
static enum wg_err apply_set_run(struct hive_set *s, const struct reg_op *ops, size_t n,
				 struct reg_changes *out)
{
	const char *hive;
	struct hive *h;
	char *path = NULL, *sp = NULL;
	hive_key k;
	struct hive_values b;
	struct where w = { ops[0].origin, ops[0].line };
	enum wg_err err = op_target(s, &ops[0], &hive, &h, &path);
	for (size_t i = 0; i < n && !err; i++)
		if (too_long(hive, path, ops[i].name ? ops[i].name : "", ops[i].len,
			     (struct where){ ops[i].origin, ops[i].line }))
			err = WG_ERR_HIVE;
	if (!err)
		err = do_ensure_key(h, hive, path, w, false, &sp, out);
	if (!err)
		err = hive_lookup(h, path, &k, NULL);
	if (!err)
		err = hive_values_open(&b, h, k);
	if (!err) {
		for (size_t i = 0; i < n; i++)
			batch_set(&b, hive, sp, ops[i].name ? ops[i].name : "", ops[i].type,
				  ops[i].data, ops[i].len, (struct where){ ops[i].origin, ops[i].line },
				  out);
		err = hive_values_close(&b);
	}
	free(sp);
	free(path);
	return err;
}

/* How many operations from i on set values of the same key. */
static size_t set_run(const struct reg_ops *ops, size_t i)
{
	size_t j = i + 1;
	if (ops->v[i].kind != REG_OP_SET_VALUE)
		return 1;
	while (j < ops->n && ops->v[j].kind == REG_OP_SET_VALUE &&
	       wg_streq_nocase(ops->v[j].key, ops->v[i].key))
		j++;
	return j - i;
}

static enum wg_err apply_op(struct hive_set *s, const struct reg_op *op, struct reg_changes *out)
{
	const char *hive, *rest;
	struct hive *h;
	char *path = NULL;
	struct where w = { op->origin, op->line };
	enum wg_err err = reg_route(op->key, op->origin, op->line, &hive, &rest);
	if (!err && op->origin && !hive_set_has(s, hive)) {
		wg_error("'%s' line %u: the image has no %s hive ('%s/%s' not found)", op->origin,
			 op->line, hive, hive_set_display(s), hive);
		return WG_ERR_NOT_FOUND;
	}
	if (!err)
		err = hive_set_get(s, hive, &h);
	if (!err)
		err = hive_set_map_path(s, hive, rest, &path);
	if (err)
		return err;
	switch (op->kind) {
	case REG_OP_KEY:
		err = do_ensure_key(h, hive, path, w, true, NULL, out);
		break;
	case REG_OP_DELETE_KEY:
		err = do_delete_key(h, hive, path, w, out);
		break;
	case REG_OP_SET_VALUE:
		if (op->flags) {
			/* INF AddReg NOCLOBBER / APPEND: decided against what is there */
			uint32_t type;
			unsigned char *data;
			size_t len;
			err = regmerge_value(h, path, op, &type, &data, &len);
			if (!err) {
				err = do_set(h, hive, path, op->name ? op->name : "", type, data, len,
					     w, out);
				free(data);
			}
			break;
		}
		err = do_set(h, hive, path, op->name ? op->name : "", op->type, op->data, op->len,
			     w, out);
		break;
	case REG_OP_DELETE_VALUE:
		err = do_delete_value(h, hive, path, op->name ? op->name : "", w, out);
		break;
	}
	free(path);
	return err;
}

enum wg_err regapply_ops(struct hive_set *s, const struct reg_ops *ops, struct reg_changes *out)
{
	enum wg_err ret = reg_check_limits(s, ops);
	if (ret) {
		hive_set_mark_failed(s);
		return ret;
	}
	for (size_t i = 0; i < ops->n;) {
		size_t run = set_run(ops, i);
		enum wg_err err = run > 1 ? apply_set_run(s, &ops->v[i], run, out)
					  : apply_op(s, &ops->v[i], out);
		i += run;
		if (err) {
			hive_set_mark_failed(s);
			return err;
		}
	}
	return WG_OK;
}

static bool value_change(const struct reg_change *c)
{
	return c->kind == REG_CHANGE_SET_VALUE || c->kind == REG_CHANGE_DELETE_VALUE;
}

/* How many value changes of one key end at changes[last] (they are undone last to first). */
static size_t undo_run(const struct reg_changes *ch, size_t last)
{
	const struct reg_change *a = &ch->v[last];
	size_t first = last;
	if (!value_change(a))
		return 1;
	while (first > 0 && value_change(&ch->v[first - 1]) &&
	       wg_streq_nocase(ch->v[first - 1].hive, a->hive) &&
	       wg_streq_nocase(ch->v[first - 1].key, a->key))
		first--;
	return last - first + 1;
}

/*
 * The value changes changes[last-n+1 .. last] of one existing key undone on one list, written
 * once. *done is false (nothing changed) when the key does not exist: undo them one by one.
 */
static enum wg_err undo_value_run(struct hive_set *s, const struct reg_changes *ch, size_t last,
				  size_t n, struct reg_changes *out, bool *done)
{
	const struct reg_change *a = &ch->v[last];
	struct hive *h;
	hive_key k;
	char *sp = NULL;
	struct hive_values b;
	*done = false;
	enum wg_err err = hive_set_get(s, a->hive, &h);
	if (!err)
		err = hive_lookup(h, a->key, &k, &sp);
	if (err == WG_ERR_NOT_FOUND)
		return WG_OK;
	if (!err)
		err = hive_values_open(&b, h, k);
	if (err) {
		free(sp);
		return err;
	}
	for (size_t i = last + 1; i-- > last + 1 - n;) {
		const struct reg_change *c = &ch->v[i];
		struct where w = { c->origin, c->line };
		if (c->unchanged)
			continue;
		if (c->old_present)
			batch_set(&b, c->hive, sp, c->name, c->old_type, c->old_data, c->old_len, w, out);
		else if (c->kind == REG_CHANGE_SET_VALUE)
			batch_delete(&b, c->hive, sp, c->name, w, out);
	}
	*done = true;
	free(sp);
	return hive_values_close(&b);
}

enum wg_err regapply_undo(struct hive_set *s, const struct reg_changes *changes,
			  struct reg_changes *out)
{
	struct reg_changes scratch = { 0 };
	if (!out)
		out = &scratch;
	enum wg_err err = WG_OK;
	size_t batched_from = changes->n;   /* changes from here on were undone in a batch */
	for (size_t i = changes->n; i-- > 0 && !err;) {
		const struct reg_change *c = &changes->v[i];
		struct hive *h;
		struct where w = { c->origin, c->line };
		if (i < batched_from && undo_run(changes, i) > 1) {
			bool done;
			size_t n = undo_run(changes, i);
			err = undo_value_run(s, changes, i, n, out, &done);
			if (err)
				break;
			if (done) {
				i -= n - 1;
				continue;
			}
			batched_from = i + 1 - n;   /* the key is missing: one by one */
		}
		if (c->unchanged)
			continue;
		err = hive_set_get(s, c->hive, &h);
		if (err)
			break;
		switch (c->kind) {
		case REG_CHANGE_CREATE_KEY:
			err = do_delete_key(h, c->hive, c->key, w, out);
			break;
		case REG_CHANGE_DELETE_KEY:
			if (c->old_tree)
				err = do_restore_tree(h, c->hive, c->key, c->old_tree, w, out);
			break;
		case REG_CHANGE_SET_VALUE:
			if (c->old_present)
				err = do_set(h, c->hive, c->key, c->name, c->old_type, c->old_data,
					     c->old_len, w, out);
			else
				err = do_delete_value(h, c->hive, c->key, c->name, w, out);
			break;
		case REG_CHANGE_DELETE_VALUE:
			if (c->old_present)
				err = do_set(h, c->hive, c->key, c->name, c->old_type, c->old_data,
					     c->old_len, w, out);
			break;
		}
	}
	if (err)
		hive_set_mark_failed(s);
	reg_changes_release(&scratch);
	return err;
}

enum wg_err regapply_verify(struct hive_set *s, const struct reg_changes *changes,
			    struct strvec *diffs)
{
	struct reg_changes got = { 0 };
	enum wg_err err = WG_OK;
	for (size_t i = 0; i < changes->n && !err; i++) {
		const struct reg_change *c = &changes->v[i];
		struct hive *h;
		struct where w = { c->origin, c->line };
		err = hive_set_get(s, c->hive, &h);
		if (err)
			break;
		switch (c->kind) {
		case REG_CHANGE_CREATE_KEY:
			err = do_ensure_key(h, c->hive, c->key, w, false, NULL, &got);
			break;
		case REG_CHANGE_DELETE_KEY:
			err = do_delete_key(h, c->hive, c->key, w, &got);
			break;
		case REG_CHANGE_SET_VALUE:
			err = do_set(h, c->hive, c->key, c->name, c->new_type, c->new_data,
				     c->new_len, w, &got);
			break;
		case REG_CHANGE_DELETE_VALUE:
			err = do_delete_value(h, c->hive, c->key, c->name, w, &got);
			break;
		}
	}
	for (size_t i = 0; !err && i < got.n; i++) {
		if (got.v[i].unchanged)
			continue;
		struct strbuf sb = STRBUF_INIT;
		reg_change_describe_difference(&got.v[i], &sb);
		sv_push_nodup(diffs, sb_detach(&sb));
	}
	if (err)
		hive_set_mark_failed(s);
	reg_changes_release(&got);
	return err;
}
