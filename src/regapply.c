/*
 * regapply.c - registry operations applied to an image's hives: root keys routed to
 * hive files, CurrentControlSet mapped, edits made in memory and committed all together.
 */
#include "regapply.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- routing ---- */

static const char *const hive_names[] = {
	"SYSTEM", "SOFTWARE", "DRIVERS", "SAM", "SECURITY", "DEFAULT",
};
#define NHIVES ARRAY_SIZE(hive_names)

/* Does path start with the component comp (case-insensitive)? *rest gets what follows. */
static bool first_is(const char *path, const char *comp, const char **rest)
{
	size_t n = strlen(comp);
	if (strncasecmp(path, comp, n) || (path[n] && path[n] != '\\'))
		return false;
	*rest = path[n] ? path + n + 1 : path + n;
	return true;
}

enum wg_err reg_route(const char *key, const char *origin, unsigned line, const char **hive,
		      const char **rest)
{
	const char *r;
	if (first_is(key, "HKEY_LOCAL_MACHINE", &r) || first_is(key, "HKLM", &r)) {
		for (size_t i = 0; i < NHIVES; i++)
			if (strcmp(hive_names[i], "DEFAULT") && first_is(r, hive_names[i], rest)) {
				*hive = hive_names[i];
				return WG_OK;
			}
	} else if (first_is(key, "HKEY_USERS", &r) || first_is(key, "HKU", &r)) {
		if (first_is(r, ".DEFAULT", rest)) {
			*hive = "DEFAULT";
			return WG_OK;
		}
	}
	if (origin)
		wg_error("'%s' line %u: no offline hive holds '%s' (keys must be under "
			 "HKEY_LOCAL_MACHINE\\SYSTEM, SOFTWARE, DRIVERS, SAM, SECURITY or "
			 "HKEY_USERS\\.DEFAULT)", origin, line, key);
	else
		wg_error("no offline hive holds '%s' (keys must be under HKEY_LOCAL_MACHINE\\SYSTEM, "
			 "SOFTWARE, DRIVERS, SAM, SECURITY or HKEY_USERS\\.DEFAULT)", key);
	return WG_ERR_HIVE;
}

static int hive_index(const char *hive)
{
	for (size_t i = 0; i < NHIVES; i++)
		if (wg_streq_nocase(hive_names[i], hive))
			return (int)i;
	return -1;
}

/* ---- the set of hives ---- */

struct hive_entry {
	bool looked;               /* the folder was searched for the file */
	char *file;                /* the file's stored name, NULL when absent */
	int matches;               /* how many names matched case-insensitively */
	struct hive *h;
	char *ccs;                 /* SYSTEM: stored name of the current control set */
};

struct hive_set {
	int dirfd;
	char *display;
	unsigned flags;
	bool failed;
	struct hive_entry e[NHIVES];
};

struct hive_set *hive_set_new(int dirfd, const char *display, unsigned flags)
{
	struct hive_set *s = xcalloc(1, sizeof(*s));
	s->dirfd = dirfd;
	s->display = xstrdup(display ? display : ".");
	s->flags = flags;
	return s;
}

void hive_set_free(struct hive_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < NHIVES; i++) {
		hive_close(s->e[i].h);
		free(s->e[i].file);
		free(s->e[i].ccs);
	}
	free(s->display);
	free(s);
}

static void look_for_file(struct hive_set *s, int i)
{
	struct hive_entry *e = &s->e[i];
	if (e->looked)
		return;
	e->looked = true;
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!wg_streq_nocase(de->d_name, hive_names[i]))
			continue;
		e->matches++;
		if (!e->file || !strcmp(de->d_name, hive_names[i])) {
			free(e->file);
			e->file = xstrdup(de->d_name);
		}
	}
	closedir(d);
}

bool hive_set_has(struct hive_set *s, const char *hive)
{
	int i = hive_index(hive);
	if (i < 0)
		return false;
	look_for_file(s, i);
	return s->e[i].file != NULL;
}

enum wg_err hive_set_get(struct hive_set *s, const char *hive, struct hive **out)
{
	int i = hive_index(hive);
	if (i < 0) {
		wg_error("'%s' is not a hive wimgraft knows", hive);
		return WG_ERR_INTERNAL;
	}
	struct hive_entry *e = &s->e[i];
	if (e->h) {
		*out = e->h;
		return WG_OK;
	}
	look_for_file(s, i);
	if (!e->file) {
		wg_error("'%s/%s' not found: the image has no %s hive", s->display, hive_names[i],
			 hive_names[i]);
		return WG_ERR_NOT_FOUND;
	}
	if (e->matches > 1 && strcmp(e->file, hive_names[i])) {
		wg_error("'%s' holds several files named '%s' in different case", s->display,
			 hive_names[i]);
		return WG_ERR_AMBIGUOUS;
	}
	unsigned flags = HIVE_WRITE;
	if (s->flags & HIVESET_FORCE)
		flags |= HIVE_FORCE;
	if (s->flags & HIVESET_CHECK)
		flags |= HIVE_NO_COMMIT;
	char *display = xasprintf("%s/%s", s->display, e->file);
	enum wg_err err = hive_open(s->dirfd, e->file, display, flags, &e->h);
	free(display);
	if (!err)
		*out = e->h;
	return err;
}

static enum wg_err current_control_set(struct hive_set *s, struct hive *h, struct hive_entry *e)
{
	hive_key sel, cs;
	struct hive_value v = { 0 };
	enum wg_err err;
	if (e->ccs)
		return WG_OK;
	err = hive_lookup(h, "Select", &sel, NULL);
	if (!err)
		err = hive_value_get(h, sel, "Current", &v);
	if (err == WG_ERR_NOT_FOUND) {
		wg_error("'%s' has no 'Select\\Current' value: cannot tell which control set "
			 "'CurrentControlSet' stands for", hive_display(h));
		return WG_ERR_HIVE;
	}
	if (err)
		return err;
	if (v.type != REG_DWORD || v.len != 4) {
		wg_error("'%s': 'Select\\Current' is not a REG_DWORD: cannot tell which control set "
			 "'CurrentControlSet' stands for", hive_display(h));
		hive_value_release(&v);
		return WG_ERR_HIVE;
	}
	uint32_t n = v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 |
		     (uint32_t)v.data[3] << 24;
	hive_value_release(&v);
	char name[32];
	snprintf(name, sizeof(name), "ControlSet%03u", n);
	err = hive_child(h, hive_root(h), name, &cs);
	if (err == WG_ERR_NOT_FOUND || (!err && (n == 0 || n > 999))) {
		wg_error("'%s': 'Select\\Current' is %u but the hive has no key '%s'",
			 hive_display(h), n, name);
		return WG_ERR_HIVE;
	}
	if (err)
		return err;
	e->ccs = hive_key_name(h, cs);
	(void)s;
	return WG_OK;
}

enum wg_err hive_set_map_path(struct hive_set *s, const char *hive, const char *path,
			      char **mapped)
{
	const char *rest;
	int i = hive_index(hive);
	if (i < 0 || strcmp(hive_names[i], "SYSTEM") || !first_is(path, "CurrentControlSet", &rest)) {
		*mapped = xstrdup(path);
		return WG_OK;
	}
	struct hive *h;
	enum wg_err err = hive_set_get(s, hive, &h);
	if (!err)
		err = current_control_set(s, h, &s->e[i]);
	if (err)
		return err;
	*mapped = *rest ? xasprintf("%s\\%s", s->e[i].ccs, rest) : xstrdup(s->e[i].ccs);
	return WG_OK;
}

void hive_set_modified(struct hive_set *s, struct strvec *names)
{
	for (size_t i = 0; i < NHIVES; i++)
		if (s->e[i].h && hive_modified(s->e[i].h))
			sv_push_nodup(names, (char *)hive_names[i]);   /* borrowed: never freed */
}

enum wg_err hive_set_commit(struct hive_set *s)
{
	enum wg_err err = WG_OK;
	if (s->failed) {
		wg_error("not writing the hives in '%s': an earlier change failed", s->display);
		return WG_ERR_INTERNAL;
	}
	if (s->flags & (HIVESET_DRY_RUN | HIVESET_CHECK))
		return WG_OK;
	/* every temporary file first: a full disk or a write error stops us before any rename */
	for (size_t i = 0; i < NHIVES && !err; i++)
		if (s->e[i].h)
			err = hive_commit_prepare(s->e[i].h);
	if (err) {
		for (size_t i = 0; i < NHIVES; i++)
			if (s->e[i].h)
				hive_commit_abort(s->e[i].h);
		return err;
	}
	struct strvec done = STRVEC_INIT;
	for (size_t i = 0; i < NHIVES; i++) {
		if (!s->e[i].h || !hive_modified(s->e[i].h))
			continue;
		if (err) {
			hive_commit_abort(s->e[i].h);
			continue;
		}
		err = hive_commit_finish(s->e[i].h);
		if (err && done.n) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t k = 0; k < done.n; k++)
				sb_addf(&sb, "%s'%s'", k ? ", " : "", done.v[k]);
			wg_error("%s was already written with its changes, so the image's hives "
				 "disagree now", sb.buf);
			sb_release(&sb);
		}
		if (!err)
			sv_push(&done, hive_display(s->e[i].h));
	}
	sv_clear(&done);
	return err;
}

/* ---- change records ---- */

static void change_release(struct reg_change *c)
{
	free(c->hive);
	free(c->key);
	free(c->name);
	free(c->old_data);
	free(c->new_data);
	if (c->old_tree) {
		hive_tree_release(c->old_tree);
		free(c->old_tree);
	}
	free(c->origin);
}

void reg_changes_free(struct reg_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		change_release(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
}

size_t reg_changes_effective(const struct reg_changes *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += !c->v[i].unchanged;
	return n;
}

static unsigned char *dup_bytes(const unsigned char *d, size_t len)
{
	unsigned char *p = xmalloc(len ? len : 1);
	if (len)
		memcpy(p, d, len);
	return p;
}

static struct reg_change *push_change(struct reg_changes *out, const char *hive, const char *key,
				      const char *name, enum reg_change_kind kind,
				      const char *origin, unsigned line)
{
	if (out->n == out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 16;
		out->v = xrealloc(out->v, out->alloc * sizeof(*out->v));
	}
	struct reg_change *c = &out->v[out->n++];
	memset(c, 0, sizeof(*c));
	c->hive = xstrdup(hive);
	c->key = xstrdup(key);
	c->name = name ? xstrdup(name) : NULL;
	c->kind = kind;
	c->origin = origin ? xstrdup(origin) : NULL;
	c->line = line;
	return c;
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
		push_change(out, hive, created.v[i], NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line);
	if (!created.n && record_existing)
		push_change(out, hive, sp, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line)->unchanged = true;
	if (stored) {
		*stored = sp;
		sp = NULL;
	}
out:
	free(sp);
	sv_clear(&created);
	return err;
}

static enum wg_err do_set(struct hive *h, const char *hive, const char *path, const char *name,
			  uint32_t type, const unsigned char *data, size_t len, struct where w,
			  struct reg_changes *out)
{
	char *sp = NULL;
	hive_key k;
	struct hive_value old = { 0 };
	if (len > HIVE_MAX_VALUE_DATA) {
		if (w.origin)
			wg_error("'%s' line %u: value '%s' has %zu bytes of data, more than the %d "
				 "bytes that can be written to an offline hive", w.origin, w.line,
				 name, len, HIVE_MAX_VALUE_DATA);
		else
			wg_error("value '%s' of '%s\\%s' has %zu bytes of data, more than the %d "
				 "bytes that can be written to an offline hive", name, hive, path, len,
				 HIVE_MAX_VALUE_DATA);
		return WG_ERR_HIVE;
	}
	enum wg_err err = do_ensure_key(h, hive, path, w, false, &sp, out);
	if (!err)
		err = hive_lookup(h, path, &k, NULL);
	if (err)
		goto out;
	err = hive_value_get(h, k, name, &old);
	bool present = err == WG_OK;
	if (err && err != WG_ERR_NOT_FOUND)
		goto out;
	struct reg_change *c = push_change(out, hive, sp, present ? old.name : name,
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
		push_change(out, hive, sp, name, REG_CHANGE_DELETE_VALUE, w.origin, w.line)->unchanged = true;
		free(sp);
		return WG_OK;
	}
	if (err)
		return err;
	err = hive_value_get(h, k, name, &old);
	if (err == WG_ERR_NOT_FOUND) {
		push_change(out, hive, sp, name, REG_CHANGE_DELETE_VALUE, w.origin, w.line)->unchanged = true;
		err = WG_OK;
		goto out;
	}
	if (err)
		goto out;
	struct reg_change *c = push_change(out, hive, sp, old.name, REG_CHANGE_DELETE_VALUE,
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
		push_change(out, hive, sp, NULL, REG_CHANGE_DELETE_KEY, w.origin, w.line)->unchanged = true;
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
	struct reg_change *c = push_change(out, hive, sp, NULL, REG_CHANGE_DELETE_KEY, w.origin,
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
		push_change(out, hive, path, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line)->unchanged = true;
		goto out;
	}
	if (err != WG_ERR_NOT_FOUND)
		goto out;
	err = hive_restore_tree(h, pk, tree);
	if (!err) {
		char *full = *sp ? xasprintf("%s\\%s", sp, tree->name) : xstrdup(tree->name);
		push_change(out, hive, full, NULL, REG_CHANGE_CREATE_KEY, w.origin, w.line);
		free(full);
	}
out:
	free(sp);
	free(parent);
	return err;
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
			 op->line, hive, s->display, hive);
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
	for (size_t i = 0; i < ops->n; i++) {
		enum wg_err err = apply_op(s, &ops->v[i], out);
		if (err) {
			s->failed = true;
			return err;
		}
	}
	return WG_OK;
}

enum wg_err regapply_undo(struct hive_set *s, const struct reg_changes *changes,
			  struct reg_changes *out)
{
	struct reg_changes scratch = { 0 };
	if (!out)
		out = &scratch;
	enum wg_err err = WG_OK;
	for (size_t i = changes->n; i-- > 0 && !err;) {
		const struct reg_change *c = &changes->v[i];
		struct hive *h;
		struct where w = { c->origin, c->line };
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
		s->failed = true;
	reg_changes_free(&scratch);
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
		s->failed = true;
	reg_changes_free(&got);
	return err;
}

/* ---- describing changes ---- */

static void add_text(struct strbuf *out, const char *t)
{
	size_t n = strlen(t);
	sb_addch(out, '"');
	if (n > 80) {
		size_t cut = 77;
		while (cut && ((unsigned char)t[cut] & 0xC0) == 0x80)
			cut--;
		sb_add(out, t, cut);
		sb_addstr(out, "...");
	} else {
		sb_addstr(out, t);
	}
	sb_addch(out, '"');
}

void reg_value_describe(uint32_t type, const unsigned char *d, size_t len, struct strbuf *out)
{
	sb_addstr(out, reg_type_name(type));
	if (type == REG_DWORD && len == 4) {
		sb_addf(out, " 0x%x", d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
			(uint32_t)d[3] << 24);
		return;
	}
	if (type == REG_QWORD && len == 8) {
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | d[i];
		sb_addf(out, " 0x%llx", (unsigned long long)v);
		return;
	}
	if ((type == REG_SZ || type == REG_EXPAND_SZ) && len % 2 == 0) {
		char *t = utf16le_to_utf8(d, len);
		if (t) {
			sb_addch(out, ' ');
			add_text(out, t);
			free(t);
			return;
		}
	}
	if (type == REG_MULTI_SZ && len % 2 == 0) {
		struct strbuf sb = STRBUF_INIT;
		bool ok = true;
		size_t count = 0;
		for (size_t i = 0; i + 1 < len;) {
			size_t j = i;
			while (j + 1 < len && (d[j] || d[j + 1]))
				j += 2;
			if (j == i)
				break;      /* the empty string that ends the list */
			char *t = utf16le_to_utf8(d + i, j - i);
			if (!t) {
				ok = false;
				break;
			}
			sb_addstr(&sb, count++ ? ", " : " ");
			add_text(&sb, t);
			free(t);
			i = j + 2;
		}
		if (ok) {
			sb_addstr(out, count ? sb.buf : " (empty)");
			sb_release(&sb);
			return;
		}
		sb_release(&sb);
	}
	sb_addf(out, " %zu byte%s", len, len == 1 ? "" : "s");
	for (size_t i = 0; i < len && i < 16; i++)
		sb_addf(out, "%c%02x", i ? ',' : ' ', d[i]);
	if (len > 16)
		sb_addstr(out, ",...");
}

static void add_key(struct strbuf *out, const struct reg_change *c)
{
	sb_addstr(out, c->hive);
	if (*c->key) {
		sb_addch(out, '\\');
		sb_addstr(out, c->key);
	}
	sb_addstr(out, ": ");
}

static void add_name(struct strbuf *out, const char *name)
{
	if (*name)
		sb_addf(out, "\"%s\"", name);
	else
		sb_addstr(out, "@ (default value)");
}

void reg_change_describe(const struct reg_change *c, struct strbuf *out)
{
	add_key(out, c);
	switch (c->kind) {
	case REG_CHANGE_CREATE_KEY:
		sb_addstr(out, c->unchanged ? "key exists (unchanged)" : "key created");
		break;
	case REG_CHANGE_DELETE_KEY:
		if (c->unchanged || !c->old_tree)
			sb_addstr(out, "key absent (unchanged)");
		else
			sb_addf(out, "key deleted (it held %zu value%s and %zu subkey%s)",
				c->old_tree->nvalues, c->old_tree->nvalues == 1 ? "" : "s",
				c->old_tree->nchildren, c->old_tree->nchildren == 1 ? "" : "s");
		break;
	case REG_CHANGE_SET_VALUE:
		add_name(out, c->name);
		sb_addch(out, ' ');
		reg_value_describe(c->new_type, c->new_data, c->new_len, out);
		if (c->unchanged) {
			sb_addstr(out, " (unchanged)");
		} else if (c->old_present) {
			sb_addstr(out, " (replaces ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addch(out, ')');
		} else {
			sb_addstr(out, " (new)");
		}
		break;
	case REG_CHANGE_DELETE_VALUE:
		add_name(out, c->name);
		if (c->unchanged || !c->old_present) {
			sb_addstr(out, " absent (unchanged)");
		} else {
			sb_addstr(out, " deleted (was ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addch(out, ')');
		}
		break;
	}
}

void reg_change_describe_difference(const struct reg_change *c, struct strbuf *out)
{
	add_key(out, c);
	switch (c->kind) {
	case REG_CHANGE_CREATE_KEY:
		sb_addstr(out, c->unchanged ? "key present" : "key missing");
		break;
	case REG_CHANGE_DELETE_KEY:
		sb_addstr(out, c->old_present ? "key present, expected absent" : "key absent");
		break;
	case REG_CHANGE_SET_VALUE:
		add_name(out, c->name);
		if (c->old_present) {
			sb_addstr(out, " is ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addstr(out, ", expected ");
		} else {
			sb_addstr(out, " missing, expected ");
		}
		reg_value_describe(c->new_type, c->new_data, c->new_len, out);
		break;
	case REG_CHANGE_DELETE_VALUE:
		add_name(out, c->name);
		if (c->old_present) {
			sb_addstr(out, " is ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addstr(out, ", expected absent");
		} else {
			sb_addstr(out, " absent");
		}
		break;
	}
}

/* ---- JSON ---- */

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
	if (hive_index(hive) < 0)
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
	struct reg_change *c = push_change(out, hive_names[hive_index(hive)], key, name,
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
			reg_changes_free(&got);
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
