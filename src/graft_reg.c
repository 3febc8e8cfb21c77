/*
 * graft_reg.c - the registry side of a graft on top of reg_apply: route the
 * resolution's operations to the target's hives, keep the first apply's originals, show and commit.
 */
#include "graft_reg.h"

#include <string.h>

#include "reg_apply.h"
#include "reg_describe.h"
#include "reg_undo_json.h"

static enum wg_err open_set(struct graft_reg *r, const struct wg_opts *opts, struct target *t,
			    unsigned extra)
{
	int dirfd;
	const char *display;
	memset(r, 0, sizeof(*r));
	enum wg_err ret = t->ops->hive_folder(t, &dirfd, &display);
	if (ret)
		return ret;
	unsigned flags = extra;
	if (opts->dry_run)
		flags |= HIVESET_DRY_RUN;
	if (opts->force)
		flags |= HIVESET_FORCE;
	r->set = hive_set_new(dirfd, display, flags);
	r->changes = xcalloc(1, sizeof(struct reg_changes));
	return WG_OK;
}

static bool same_item(const struct reg_change *a, const struct reg_change *b)
{
	return a->kind == b->kind && wg_streq_nocase(a->hive, b->hive) &&
	       wg_streq_nocase(a->key, b->key) && (a->name == NULL) == (b->name == NULL) &&
	       (!a->name || wg_streq_nocase(a->name, b->name));
}

/* The change list to record: this apply's, with what a previous apply found first. */
static json_object *merge_undo(const struct reg_changes *now, json_object *prev_json)
{
	json_object *now_json = reg_changes_to_json(now);
	if (!prev_json)
		return now_json;
	struct reg_changes merged = { 0 }, prev = { 0 };
	if (reg_changes_from_json(now_json, &merged) || reg_changes_from_json(prev_json, &prev)) {
		reg_changes_release(&merged);
		reg_changes_release(&prev);
		return now_json;
	}
	bool *matched = xcalloc(prev.n + 1, sizeof(bool));
	for (size_t i = 0; i < merged.n; i++) {
		struct reg_change *c = &merged.v[i];
		for (size_t j = 0; j < prev.n; j++) {
			const struct reg_change *p = &prev.v[j];
			if (!same_item(c, p))
				continue;
			matched[j] = true;
			c->unchanged = p->unchanged;
			c->old_present = p->old_present;
			c->old_type = p->old_type;
			free(c->old_data);
			c->old_data = NULL;
			c->old_len = p->old_len;
			if (p->old_data) {
				c->old_data = xmalloc(p->old_len);
				memcpy(c->old_data, p->old_data, p->old_len);
			}
			break;
		}
	}
	json_object_put(now_json);
	json_object *out = reg_changes_to_json(&merged);
	/* What an earlier apply changed and this one does not touch stays to be undone. */
	for (size_t j = 0; j < prev.n; j++)
		if (!matched[j])
			json_object_array_add(out, json_object_get(json_object_array_get_idx(prev_json, j)));
	free(matched);
	reg_changes_release(&merged);
	reg_changes_release(&prev);
	return out;
}

enum wg_err graft_reg_plan(struct graft_reg *r, const struct wg_opts *opts, struct target *t,
			   const struct resolution *res, json_object *prev_undo)
{
	enum wg_err ret = open_set(r, opts, t, 0);
	if (ret)
		return ret;
	struct reg_ops ops = { 0 };
	struct strvec skipped = STRVEC_INIT;
	for (size_t i = 0; i < res->ops.n; i++) {
		const struct reg_op *op = &res->ops.v[i];
		const char *hive, *rest;
		if (res->op_optional && res->op_optional[i]) {
			ret = reg_route(op->key, op->origin, op->line, &hive, &rest);
			if (ret)
				goto out;
			if (!hive_set_has(r->set, hive)) {
				bool said = false;
				for (size_t s = 0; s < skipped.n; s++)
					said |= !strcmp(skipped.v[s], hive);
				if (!said) {
					sv_push(&skipped, hive);
					wg_info("%s: no %s hive; its optional changes are skipped",
						t->display, hive);
				}
				continue;
			}
		}
		reg_ops_push(&ops, op);
	}
	ret = regapply_ops(r->set, &ops, r->changes);
	if (ret)
		goto out;
	r->has_changes = reg_changes_effective(r->changes) > 0;
	r->merged_undo = merge_undo(r->changes, prev_undo);
out:
	reg_ops_release(&ops);
	sv_clear(&skipped);
	return ret;
}

enum wg_err graft_reg_open(struct graft_reg *r, const struct wg_opts *opts, struct target *t)
{
	return open_set(r, opts, t, 0);
}

enum wg_err graft_reg_revert(struct graft_reg *r, struct json_object *undo,
			     const struct strvec *whole)
{
	struct reg_changes list = { 0 };
	enum wg_err ret = reg_changes_from_json(undo, &list);
	if (!ret && whole)
		reg_changes_drop_hives(&list, whole);
	if (!ret)
		ret = regapply_undo(r->set, &list, r->changes);
	if (!ret)
		r->has_changes = reg_changes_effective(r->changes) > 0;
	reg_changes_release(&list);
	return ret;
}

enum wg_err graft_reg_verify(const struct wg_opts *opts, struct target *t, json_object *undo,
			     struct strvec *diffs)
{
	struct graft_reg r;
	struct reg_changes list = { 0 };
	struct wg_opts o = *opts;
	o.dry_run = false;
	o.force = false;
	enum wg_err ret = open_set(&r, &o, t, HIVESET_CHECK);
	if (!ret)
		ret = reg_changes_from_json(undo, &list);
	if (!ret)
		ret = regapply_verify(r.set, &list, diffs);
	reg_changes_release(&list);
	graft_reg_release(&r);
	return ret;
}

bool graft_reg_changes(const struct graft_reg *r)
{
	return r->has_changes;
}

static const char *state_of(const struct reg_change *c)
{
	if (c->unchanged)
		return "unchanged";
	if (c->kind == REG_CHANGE_DELETE_KEY || c->kind == REG_CHANGE_DELETE_VALUE)
		return "deletes";
	return c->old_present ? "replaces" : "new";
}

void graft_reg_print(const struct graft_reg *r, FILE *out)
{
	if (!r->changes)
		return;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->changes->n; i++) {
		sb_reset(&sb);
		reg_change_describe(&r->changes->v[i], &sb);
		fprintf(out, "  reg   %s\n", sb.buf);
	}
	sb_release(&sb);
}

json_object *graft_reg_plan_json(const struct graft_reg *r)
{
	json_object *a = json_object_new_array();
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; r->changes && i < r->changes->n; i++) {
		const struct reg_change *c = &r->changes->v[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "hive", json_object_new_string(c->hive));
		json_object_object_add(o, "key", json_object_new_string(c->key));
		if (c->name)
			json_object_object_add(o, "name", json_object_new_string(c->name));
		json_object_object_add(o, "state", json_object_new_string(state_of(c)));
		if (c->kind == REG_CHANGE_SET_VALUE) {
			sb_reset(&sb);
			reg_value_describe(c->new_type, c->new_data, c->new_len, &sb);
			json_object_object_add(o, "value", json_object_new_string(sb.buf));
		}
		if (c->name && c->old_present && !c->unchanged) {
			sb_reset(&sb);
			reg_value_describe(c->old_type, c->old_data, c->old_len, &sb);
			json_object_object_add(o, "old_value", json_object_new_string(sb.buf));
		}
		sb_reset(&sb);
		reg_change_describe(c, &sb);
		json_object_object_add(o, "text", json_object_new_string(sb.buf));
		json_object_array_add(a, o);
	}
	sb_release(&sb);
	return a;
}

json_object *graft_reg_undo_json(const struct graft_reg *r)
{
	return r->merged_undo ? json_object_get(r->merged_undo) : NULL;
}

enum wg_err graft_reg_commit(struct graft_reg *r, struct target *t)
{
	if (!r->set || !r->has_changes)
		return WG_OK;
	struct strvec names = STRVEC_INIT;
	hive_set_modified(r->set, &names);
	/* names are borrowed from the set: copy before the commit may change it */
	struct strvec copy = STRVEC_INIT;
	for (size_t i = 0; i < names.n; i++)
		sv_push(&copy, names.v[i]);
	free(names.v);
	enum wg_err ret = WG_OK;
	if (copy.n && t->ops->hives_will_change)
		ret = t->ops->hives_will_change(t, (const char *const *)copy.v, copy.n);
	if (!ret)
		ret = hive_set_commit(r->set);
	if (!ret && copy.n)
		ret = t->ops->hives_committed(t, (const char *const *)copy.v, copy.n);
	sv_clear(&copy);
	return ret;
}

void graft_reg_release(struct graft_reg *r)
{
	hive_set_free(r->set);
	if (r->changes) {
		reg_changes_release(r->changes);
		free(r->changes);
	}
	json_object_put(r->merged_undo);
	memset(r, 0, sizeof(*r));
}
