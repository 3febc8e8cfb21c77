/*
 * graft_remove.c - undo what apply changed in a target, from the undo record it
 * left there: everything is read and checked first, the hives are restored, then the files.
 */
#include "graft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firstboot.h"
#include "graft_firstboot.h"
#include "graft_common.h"
#include "graft_hives.h"
#include "graft_reg.h"
#include "report.h"

static const char *const file_actions[] = {
	[UNDO_ADDED] = "delete",
	[UNDO_REPLACED] = "restore",
	[UNDO_PRESENT] = "keep",
};

struct removal {
	struct undo_record rec;
	struct graft_reg reg;
	struct temp_dir tmp;        /* copies of the backups, taken before anything changes */
	char **backups;             /* per file: the local copy of its backup, or NULL */
	struct strbuf script;       /* the script without the block */
	char *script_actual;
	bool script_found;
	bool script_delete;
	struct fb_answer answer;    /* the answer file without the first-boot command */
	struct hive_restore hr;     /* the hives put back whole */
};

static void removal_release(struct removal *r)
{
	for (size_t i = 0; r->backups && i < r->rec.nfiles; i++) {
		if (r->backups[i])
			unlink(r->backups[i]);
		free(r->backups[i]);
	}
	free(r->backups);
	hive_restore_release(&r->rec, &r->hr);
	temp_dir_remove(&r->tmp);
	graft_reg_release(&r->reg);
	sb_release(&r->script);
	free(r->script_actual);
	fb_answer_release(&r->answer);
	undo_release(&r->rec);
}

/* Read and check everything remove will need; nothing is written. */
static enum wg_err plan_removal(const struct wg_opts *opts, const struct manifest *m,
				struct target *t, struct removal *r)
{
	enum wg_err ret = WG_OK;
	if (r->rec.nhives && temp_dir_create("wimgraft-remove.", &r->tmp))
		ret = WG_ERR_IO;
	if (!ret && r->rec.nhives)
		ret = graft_hives_plan_restore(t, &r->rec, r->tmp.path, &r->hr);
	if (!ret && (r->rec.registry || r->hr.names.n))
		ret = graft_reg_open(&r->reg, opts, t);
	if (!ret && r->rec.registry)
		ret = graft_reg_revert(&r->reg, r->rec.registry, &r->hr.names);
	if (!ret && r->rec.firstboot_block) {
		unsigned char *data;
		size_t len;
		ret = target_read_small(t, FIRSTBOOT_SCRIPT, &r->script_actual, &data, &len,
					&r->script_found);
		if (!ret && r->script_found) {
			firstboot_remove((const char *)data, len, m->id, r->rec.firstboot_lead,
					 &r->script, &r->script_found);
			r->script_delete = r->script_found && r->rec.firstboot_created &&
					   firstboot_is_blank(r->script.buf, r->script.len);
		}
		free(data);
	}
	if (!ret && r->rec.answer_file)
		ret = fb_answer_unplan(t, r->rec.answer_file, &r->answer);
	r->backups = xcalloc(r->rec.nfiles + 1, sizeof(char *));
	for (size_t i = 0; !ret && i < r->rec.nfiles; i++) {
		const struct undo_file *f = &r->rec.files[i];
		if (f->action == UNDO_PRESENT)
			continue;
		if (!opts->dry_run)   /* a dry run opens the target for reading only */
			ret = t->ops->check_writable(t, f->path);
		if (ret || f->action != UNDO_REPLACED)
			continue;
		char *actual = NULL;
		if (t->ops->lookup(t, f->backup, &actual, NULL)) {
			wg_error("the original of '%s' is missing from %s (expected at '%s'); "
				 "it cannot be restored", f->path, t->display, f->backup);
			ret = WG_ERR_UNDO;
			break;
		}
		if (!r->tmp.path && temp_dir_create("wimgraft-remove.", &r->tmp)) {
			free(actual);
			ret = WG_ERR_IO;
			break;
		}
		r->backups[i] = xasprintf("%s/%zu", r->tmp.path, i);
		ret = t->ops->copy_out(t, actual, r->backups[i]);
		free(actual);
	}
	return ret;
}

static void show_removal(const struct wg_opts *opts, struct target *t, const struct removal *r,
			 json_object *report)
{
	const struct undo_record *u = &r->rec;
	if (report) {
		json_object *o = json_object_new_object(), *files = json_object_new_array();
		report_add_target(o, t);
		for (size_t i = 0; i < u->nfiles; i++) {
			json_object *f = json_object_new_object();
			json_object_object_add(f, "path", json_object_new_string(u->files[i].path));
			json_object_object_add(f, "action",
					       json_object_new_string(file_actions[u->files[i].action]));
			json_object_array_add(files, f);
		}
		json_object_object_add(o, "files", files);
		json_object_object_add(o, "registry", graft_reg_plan_json(&r->reg));
		if (r->answer.changes)
			json_object_object_add(o, "answer_file", json_object_new_string(
				r->answer.delete_file ? "delete" : "restore"));
		json_object_array_add(report, o);
		return;
	}
	if (wg_opt_quiet)
		return;
	printf("%s %s:\n", opts->dry_run ? "removal plan for" : "removing from", t->display);
	for (size_t i = 0; i < u->nfiles; i++)
		printf("  file  %-9s %s\n", file_actions[u->files[i].action], u->files[i].path);
	for (size_t i = 0; i < u->nhives; i++)
		if (r->hr.whole[i])
			printf("  hive  %-9s %s/%s\n", "restore", TARGET_CONFIG_DIR, u->hives[i].name);
	graft_reg_print(&r->reg, stdout);
	if (r->script_found)
		printf("  script %-8s %s\n", r->script_delete ? "delete" : "unblock", FIRSTBOOT_SCRIPT);
	if (r->answer.changes)
		printf("  answer %-8s %s\n", r->answer.delete_file ? "delete" : "restore", r->answer.actual);
}

/*
 * The writes, hives first. All or nothing: a folder target journals each write and
 * is rolled back on failure; a kill mid-way is rolled back by the next run.
 */
static enum wg_err commit_removal(const struct manifest *m, struct target *t, struct removal *r)
{
	const struct undo_record *u = &r->rec;
	enum wg_err ret = graft_reg_commit(&r->reg, t);
	if (!ret)
		ret = graft_hives_restore(&r->reg, t, u, &r->hr);
	if (!ret)
		ret = graft_hives_forget(t, u);
	for (size_t i = 0; !ret && i < u->nfiles; i++) {
		const struct undo_file *f = &u->files[i];
		if (f->action == UNDO_ADDED) {
			ret = t->ops->remove(t, f->path);
			if (ret == WG_ERR_NOT_FOUND)
				ret = WG_OK;
		} else if (f->action == UNDO_REPLACED) {
			ret = t->ops->write_file(t, f->path, r->backups[i], NULL);
			if (!ret)
				ret = t->ops->remove(t, f->backup);
		}
	}
	if (!ret && r->script_found)
		ret = r->script_delete ? t->ops->remove(t, r->script_actual)
				       : t->ops->write_buf(t, r->script_actual, r->script.buf,
							   r->script.len, NULL);
	if (!ret)
		ret = fb_answer_uncommit(t, &r->answer);
	if (!ret) {
		char *path = undo_path(m->id);
		ret = t->ops->remove(t, path);
		free(path);
	}
	for (size_t i = u->created_dirs.n; !ret && i-- > 0;)
		ret = t->ops->rmdir_if_empty(t, u->created_dirs.v[i]);
	if (ret) {
		/* a folder is put back as it was; a WIM is written only after every target succeeded */
		if (t->ops->rollback && t->ops->rollback(t))
			return WG_ERR_PARTIAL;
		return ret;
	}
	char *line = xasprintf("remove %s", m->id);
	if (target_append_log(t, line))
		wg_warning("could not append to %s in %s", UNDO_LOG, t->display);
	free(line);
	wg_info("%s: feature '%s' removed", t->display, m->id);
	return WG_OK;
}

enum wg_err graft_remove(const struct wg_opts *opts, const struct manifest *m, struct target *t,
			 json_object *report)
{
	struct removal r;
	bool have_record;
	memset(&r, 0, sizeof(r));
	enum wg_err ret = target_read_undo(t, m->id, &r.rec, &have_record);
	if (ret)
		return ret;
	if (!have_record) {
		wg_info("%s: feature '%s' is not applied; nothing to remove", t->display, m->id);
		return WG_OK;
	}
	ret = plan_removal(opts, m, t, &r);
	if (!ret) {
		show_removal(opts, t, &r, report);
		if (!opts->dry_run)
			ret = commit_removal(m, t, &r);
	}
	removal_release(&r);
	return ret;
}
