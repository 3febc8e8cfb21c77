/*
 * graft.c - apply, verify and remove on one target: plan every file, registry
 * value and script block first, check every path is writable, then write, rolling back on failure.
 */
#include "graft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "firstboot.h"
#include "graft_firstboot.h"
#include "graft_common.h"
#include "graft_hives.h"
#include "graft_reg.h"
#include "report.h"
#include "resolve_report.h"
#include "team_script.h"
#include "unattend.h"
#include "undo.h"
#include "version.h"

/* ---- the source side ------------------------------------------------------------- */

enum wg_err graft_resolve(const struct wg_opts *opts, struct graft_source *gs)
{
	enum wg_err ret;
	memset(gs, 0, sizeof(*gs));
	if (!opts->source) {
		wg_error("give the source with -s");
		return WG_ERR_USAGE;
	}
	if (opts->team) {
		ret = team_script_from_file(opts->team, &gs->team_script, true);
		if (ret)
			return ret;
		gs->has_team = true;
		gs->team_rf.status = RESOLVED_OK;
		gs->team_rf.label = "team";
		gs->team_rf.source = xstrdup(opts->team);
		gs->team_rf.dest = xstrdup(TEAM_SCRIPT_PATH);
		gs->team_rf.size = gs->team_script.len;
		sha1_buffer(gs->team_script.buf, gs->team_script.len, gs->team_rf.sha1);
	}
	ret = manifest_load(opts->manifest, &opts->params, &gs->m);
	if (ret)
		return ret;
	ret = source_open(opts->source, &gs->src);
	if (ret)
		return ret;
	struct resolve_opts ro = { NULL };
	if (opts->source_image) {
		int index;
		ret = source_find_image(gs->src, opts->source_image, &index);
		if (ret)
			return ret;
		ret = resolve_image(gs->m, gs->src, index, &ro, &gs->res);
		if (ret)
			return ret;
		struct strbuf why = STRBUF_INIT;
		if (!manifest_req_met(&gs->m->source_req, &gs->res.info, &why)) {
			if (!opts->force) {
				wg_error("'%s' image %d does not meet the manifest's source requirements: %s",
					 source_path(gs->src), index, why.buf);
				sb_release(&why);
				return WG_ERR_SOURCE_REQUIREMENT;
			}
			wg_warning("--force: using '%s' image %d although %s", source_path(gs->src),
				   index, why.buf);
		}
		sb_release(&why);
	} else {
		struct strvec why = STRVEC_INIT;
		ret = resolve_select_image(gs->m, gs->src, &ro, &gs->res, &why);
		if (ret == WG_ERR_SOURCE_REQUIREMENT) {
			wg_error("no image of '%s' holds the feature '%s'", source_path(gs->src),
				 gs->m->id);
			for (size_t i = 0; i < why.n; i++)
				wg_info("  %s", why.v[i]);
		}
		sv_clear(&why);
		if (ret)
			return ret;
		wg_info("using image %d of '%s': %s", gs->res.image, source_path(gs->src),
			gs->res.info.name ? gs->res.info.name : "(no name)");
	}
	if (!gs->res.complete) {
		resolve_report_problems(&gs->res, source_path(gs->src));
		return resolve_report_summary(&gs->res, gs->m->path);
	}
	if (gs->has_team && !gs->res.commands.n && !gs->res.ncomponents)
		wg_warning("manifest '%s' runs nothing at first boot: the team script is written, but "
			   "nothing in the image will start it", gs->m->id);
	return graft_firstboot_prepare(opts, gs);
}

enum wg_err graft_stage(struct graft_source *gs)
{
	if (temp_dir_create("wimgraft-stage.", &gs->stage))
		return WG_ERR_IO;
	gs->staging = gs->stage.path;
	char *payload = xasprintf("%s/payload", gs->staging);
	char *backup = xasprintf("%s/backup", gs->staging);
	if (mkdir(payload, 0700) < 0 || mkdir(backup, 0700) < 0) {
		wg_error("cannot create '%s': %s", payload, strerror(errno));
		free(payload);
		free(backup);
		return WG_ERR_IO;
	}
	free(backup);
	struct source_file *files = xcalloc(gs->res.nfiles, sizeof(*files));
	size_t n = 0;
	for (size_t i = 0; i < gs->res.nfiles; i++) {
		const struct resolved_file *rf = &gs->res.files[i];
		if (rf->status != RESOLVED_OK || rf->entry == RESOLVED_GENERATED)
			continue;
		files[n].path = rf->source;
		files[n].size = rf->size;
		memcpy(files[n].sha1, rf->sha1, 20);
		files[n].attributes = rf->attributes;
		n++;
	}
	wg_verbose("extracting %zu files from '%s' image %d", n, source_path(gs->src), gs->res.image);
	enum wg_err ret = source_extract(gs->src, gs->res.image, files, n, payload);
	free(files);
	free(payload);
	if (!ret)
		ret = graft_firstboot_stage(gs);
	return ret;
}

void graft_source_release(struct graft_source *gs)
{
	temp_dir_remove(&gs->stage);
	free(gs->team_rf.source);
	free(gs->team_rf.dest);
	sb_release(&gs->team_script);
	resolution_release(&gs->res);
	sb_release(&gs->fb_script);
	source_close(gs->src);
	manifest_free(gs->m);
	memset(gs, 0, sizeof(*gs));
}

static char *staged_path(const struct graft_source *gs, const struct resolved_file *rf)
{
	return xasprintf("%s/payload/%s", gs->staging, rf->source);
}

/* ---- planning -------------------------------------------------------------------- */

enum file_state { FILE_NEW, FILE_REPLACES, FILE_UNCHANGED };
static const char *const file_state_names[] = { "new", "replaces", "unchanged" };

struct file_plan {
	const struct resolved_file *rf;
	enum file_state state;
	uint64_t old_size;
	uint8_t old_sha1[20];
	bool backup_needed;        /* the replaced original is not saved yet */
	char *backup;              /* where the original goes in the image */
	char *local_backup;        /* and its copy in staging */
	const struct strbuf *buf;  /* written from memory (the team script), not from staging */
};

struct plan {
	struct file_plan *files;
	size_t nfiles;
	struct graft_reg reg;      /* registry changes, edited in memory */
	bool script_changes;
	bool script_existed;
	struct strbuf script_old;
	struct strbuf script_new;
	struct fb_answer answer;   /* the answer file's command (--first-boot unattend) */
	struct undo_record undo;   /* the record as it will be written */
	struct strvec prev_changed;   /* hives an earlier apply changed (graft_hives.h) */
	bool had_record;
	bool changes;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].backup);
		free(p->files[i].local_backup);
	}
	free(p->files);
	graft_reg_release(&p->reg);
	sb_release(&p->script_old);
	sb_release(&p->script_new);
	fb_answer_release(&p->answer);
	undo_release(&p->undo);
	sv_clear(&p->prev_changed);
}

static json_object *source_identity(const struct graft_source *gs)
{
	const struct image_info *i = &gs->res.info;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(source_path(gs->src)));
	json_object_object_add(o, "image", json_object_new_int(gs->res.image));
	if (i->name)
		json_object_object_add(o, "name", json_object_new_string(i->name));
	if (i->edition)
		json_object_object_add(o, "edition", json_object_new_string(i->edition));
	if (i->version)
		json_object_object_add(o, "version", json_object_new_string(i->version));
	return o;
}

static json_object *params_json(const struct resolution *r)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < r->values.n; i++) {
		const char *eq = strchr(r->values.v[i], '=');
		if (!eq)
			continue;
		char *name = xstrndup(r->values.v[i], (size_t)(eq - r->values.v[i]));
		json_object_object_add(o, name, json_object_new_string(eq + 1));
		free(name);
	}
	return o;
}

static enum wg_err plan_file(const struct graft_source *gs, struct target *t, struct plan *p,
			     const struct undo_record *old, const struct resolved_file *rf, size_t i)
{
	struct file_plan *fp = &p->files[p->nfiles++];
	char *actual = NULL;
	bool is_dir = false;
	fp->rf = rf;
	enum wg_err ret = t->ops->lookup(t, rf->dest, &actual, &is_dir);
	if (ret == WG_ERR_NOT_FOUND) {
		fp->state = FILE_NEW;
		return WG_OK;
	}
	if (ret)
		return ret;
	if (is_dir) {
		wg_error("'%s' in %s is a folder; the feature needs a file there", actual, t->display);
		free(actual);
		return WG_ERR_UNSAFE_PATH;
	}
	ret = t->ops->hash(t, actual, &fp->old_size, fp->old_sha1);
	free(actual);
	if (ret)
		return ret;
	if (fp->old_size == rf->size && !memcmp(fp->old_sha1, rf->sha1, 20)) {
		fp->state = FILE_UNCHANGED;
	} else {
		fp->state = FILE_REPLACES;
		const struct undo_file *uf = old ? undo_find_file(old, rf->dest) : NULL;
		/* Save the original only the first time: a later apply must keep it. */
		if (!uf) {
			fp->backup_needed = true;
			fp->backup = undo_backup_path(gs->m->id, rf->dest);
			fp->local_backup = xasprintf("%s/backup/%zu", gs->staging, i);
		}
	}
	return WG_OK;
}

static enum wg_err plan_files(const struct graft_source *gs, struct target *t, struct plan *p,
			      const struct undo_record *old)
{
	const struct resolution *r = &gs->res;
	enum wg_err ret = WG_OK;
	p->files = xcalloc(r->nfiles + 1, sizeof(*p->files));
	for (size_t i = 0; !ret && i < r->nfiles; i++)
		if (r->files[i].status == RESOLVED_OK)
			ret = plan_file(gs, t, p, old, &r->files[i], i);
	if (!ret && gs->has_team) {
		ret = plan_file(gs, t, p, old, &gs->team_rf, r->nfiles);
		p->files[p->nfiles - 1].buf = &gs->team_script;
	}
	return ret;
}

static void copy_undo_file(struct undo_file *to, const struct undo_file *from)
{
	to->action = from->action;
	to->backup = from->backup ? xstrdup(from->backup) : NULL;
	to->old_size = from->old_size;
	memcpy(to->old_sha1, from->old_sha1, 20);
}

/*
 * The files part of the new record: what this apply writes, with the original
 * state an earlier apply found kept; and every file of the earlier record this
 * apply does not name (another source, another build), so remove still undoes it.
 */
static void plan_undo_files(struct plan *p, const struct undo_record *old)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct file_plan *fp = &p->files[i];
		const struct undo_file *prev = old ? undo_find_file(old, fp->rf->dest) : NULL;
		struct undo_file *uf = undo_add_file(&p->undo, prev ? prev->path : fp->rf->dest);
		uf->size = fp->rf->size;
		memcpy(uf->sha1, fp->rf->sha1, 20);
		if (prev) {
			copy_undo_file(uf, prev);
		} else if (fp->state == FILE_NEW) {
			uf->action = UNDO_ADDED;
		} else if (fp->state == FILE_UNCHANGED) {
			uf->action = UNDO_PRESENT;
		} else {
			uf->action = UNDO_REPLACED;
			uf->backup = xstrdup(fp->backup);
			uf->old_size = fp->old_size;
			memcpy(uf->old_sha1, fp->old_sha1, 20);
		}
	}
	for (size_t i = 0; old && i < old->nfiles; i++) {
		const struct undo_file *prev = &old->files[i];
		if (undo_find_file(&p->undo, prev->path))
			continue;
		struct undo_file *uf = undo_add_file(&p->undo, prev->path);
		uf->size = prev->size;
		memcpy(uf->sha1, prev->sha1, 20);
		copy_undo_file(uf, prev);
	}
}

static enum wg_err plan_script(const struct graft_source *gs, struct target *t, struct plan *p,
			       const struct undo_record *old)
{
	const struct strvec *cmds = &gs->res.commands;
	unsigned char *data;
	size_t len;
	const char *lead;
	if (!cmds->n)
		return WG_OK;
	enum wg_err ret = target_read_small(t, FIRSTBOOT_SCRIPT, NULL, &data, &len,
					    &p->script_existed);
	if (ret)
		return ret;
	sb_add(&p->script_old, data, len);
	free(data);
	firstboot_add(p->script_existed ? p->script_old.buf : NULL, p->script_old.len, gs->m->id,
		      cmds, &p->script_new, &lead);
	p->script_changes = !p->script_existed || p->script_new.len != p->script_old.len ||
			    memcmp(p->script_new.buf, p->script_old.buf, p->script_old.len);
	p->undo.firstboot_block = true;
	if (old && old->firstboot_block) {
		/* the block was there already: what the first apply found is what counts */
		p->undo.firstboot_created = old->firstboot_created;
		p->undo.firstboot_lead = xstrdup(old->firstboot_lead ? old->firstboot_lead : "");
	} else {
		p->undo.firstboot_created = !p->script_existed;
		p->undo.firstboot_lead = xstrdup(lead);
	}
	for (size_t i = 0; i < cmds->n; i++)
		sv_push(&p->undo.firstboot_commands, cmds->v[i]);
	return WG_OK;
}

static enum wg_err make_plan(const struct wg_opts *opts, struct graft_source *gs,
			     struct target *t, struct plan *p)
{
	struct undo_record old;
	enum wg_err ret;

	memset(p, 0, sizeof(*p));
	undo_init(&p->undo, gs->m->id);
	ret = target_read_undo(t, gs->m->id, &old, &p->had_record);
	if (ret)
		return ret;
	const struct undo_record *prev = p->had_record ? &old : NULL;
	ret = plan_files(gs, t, p, prev);
	if (!ret)
		ret = graft_reg_plan(&p->reg, opts, t, &gs->res, prev ? prev->registry : NULL);
	if (!ret)
		ret = plan_script(gs, t, p, prev);
	if (!ret)
		ret = fb_answer_plan(gs, t, prev, &p->answer);
	if (ret)
		goto out;
	p->undo.answer_file = p->answer.record ? json_object_get(p->answer.record) : NULL;
	if (gs->fb_made)
		p->undo.firstboot_route = xstrdup(manifest_route_name(gs->fb_route));
	plan_undo_files(p, prev);
	p->undo.manifest_version = gs->m->version ? xstrdup(gs->m->version) : NULL;
	p->undo.applied_at = prev && prev->applied_at ? xstrdup(prev->applied_at) : now_utc();
	p->undo.tool = xstrdup("wimgraft " WIMGRAFT_VERSION);
	p->undo.source = source_identity(gs);
	p->undo.params = params_json(&gs->res);
	p->undo.registry = graft_reg_undo_json(&p->reg);
	if (prev)
		for (size_t i = 0; i < prev->created_dirs.n; i++)
			sv_push_unique(&p->undo.created_dirs, prev->created_dirs.v[i]);
	if (prev)
		graft_hives_from_earlier(prev, &p->undo, &p->prev_changed);
	p->changes = !p->had_record || p->script_changes || p->answer.changes ||
		     graft_reg_changes(&p->reg);
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].state != FILE_UNCHANGED)
			p->changes = true;
out:
	if (p->had_record)
		undo_release(&old);
	return ret;
}

/* ---- showing the plan ------------------------------------------------------------ */

static void print_plan(const struct plan *p, const struct target *t, bool dry_run)
{
	printf("%s %s:\n", dry_run ? "plan for" : "grafting into", t->display);
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct file_plan *fp = &p->files[i];
		printf("  file  %-9s %s\n", file_state_names[fp->state], fp->rf->dest);
	}
	graft_reg_print(&p->reg, stdout);
	if (p->undo.firstboot_block)
		printf("  script %-8s %s\n", p->script_changes ? "changes" : "unchanged", FIRSTBOOT_SCRIPT);
	if (p->answer.active)
		printf("  answer %-8s %s\n", p->answer.changes ? "changes" : "unchanged", UNATTEND_PATH);
	if (!p->changes)
		printf("  everything is in place; nothing to do\n");
}

static json_object *plan_json(const struct plan *p, const struct target *t,
			      const struct graft_source *gs)
{
	json_object *o = json_object_new_object();
	report_add_target(o, t);
	json_object *files = json_object_new_array();
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct file_plan *fp = &p->files[i];
		char hex[41];
		json_object *f = json_object_new_object();
		json_object_object_add(f, "path", json_object_new_string(fp->rf->dest));
		json_object_object_add(f, "source", json_object_new_string(fp->rf->source));
		json_object_object_add(f, "state", json_object_new_string(file_state_names[fp->state]));
		json_object_object_add(f, "size", json_object_new_int64((int64_t)fp->rf->size));
		sha1_to_hex(fp->rf->sha1, hex);
		json_object_object_add(f, "sha1", json_object_new_string(hex));
		if (fp->state == FILE_REPLACES) {
			sha1_to_hex(fp->old_sha1, hex);
			json_object_object_add(f, "old_sha1", json_object_new_string(hex));
		}
		json_object_array_add(files, f);
	}
	json_object_object_add(o, "files", files);
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].buf)   /* --team: the team file the script comes from */
			json_object_object_add(o, "team_file", json_object_new_string(p->files[i].rf->source));
	json_object_object_add(o, "registry", graft_reg_plan_json(&p->reg));
	json_object_object_add(o, "first_boot_script_changes", json_object_new_boolean(p->script_changes));
	json_object *fb = graft_firstboot_json(gs);
	if (fb) {
		json_object_object_add(fb, "answer_file_changes",
				       json_object_new_boolean(p->answer.changes));
		json_object_object_add(o, "first_boot", fb);
	}
	json_object_object_add(o, "changes", json_object_new_boolean(p->changes));
	return o;
}

/* ---- committing ------------------------------------------------------------------ */

enum done_kind { DONE_WRITE_NEW, DONE_WRITE_REPLACED, DONE_SCRIPT, DONE_ANSWER };

struct done {
	enum done_kind kind;
	const char *rel;
	const char *restore_from;   /* local copy of what was there */
};

struct done_list {
	struct done *v;
	size_t n;
	struct strvec created;      /* folders made, in order */
};

static void done_add(struct done_list *j, enum done_kind kind, const char *rel, const char *from)
{
	j->v = xrealloc(j->v, (j->n + 1) * sizeof(*j->v));
	j->v[j->n++] = (struct done){ kind, rel, from };
}

/*
 * Put back everything done, newest first; say plainly when that failed. A target
 * that journals its writes does it itself (WG_ERR_PARTIAL when it could not).
 */
static enum wg_err rollback(struct target *t, struct done_list *j, const struct plan *p)
{
	size_t failed = 0;
	if (t->ops->rollback)
		return t->ops->rollback(t);
	for (size_t i = j->n; i-- > 0;) {
		const struct done *d = &j->v[i];
		enum wg_err ret = WG_OK;
		if (d->kind == DONE_ANSWER)
			ret = fb_answer_rollback(t, &p->answer);
		else if (d->kind == DONE_WRITE_NEW || (d->kind == DONE_SCRIPT && !p->script_existed))
			ret = t->ops->remove(t, d->rel);
		else if (d->kind == DONE_SCRIPT)
			ret = t->ops->write_buf(t, d->rel, p->script_old.buf, p->script_old.len, NULL);
		else if (d->restore_from)
			ret = t->ops->write_file(t, d->rel, d->restore_from, NULL);
		if (ret && ret != WG_ERR_NOT_FOUND) {
			wg_error("could not put back '%s' in %s", d->rel, t->display);
			failed++;
		}
	}
	for (size_t i = j->created.n; i-- > 0;)
		if (t->ops->rmdir_if_empty(t, j->created.v[i]))
			failed++;
	if (failed)
		wg_error("%s is NOT as it was: %zu change%s could not be undone", t->display, failed,
			 failed == 1 ? "" : "s");
	else
		wg_info("rolled back: %s is as it was", t->display);
	return failed ? WG_ERR_PARTIAL : WG_OK;
}

static enum wg_err check_all_writable(struct target *t, const struct plan *p, const char *feature)
{
	enum wg_err ret = WG_OK;
	for (size_t i = 0; i < p->nfiles && !ret; i++) {
		if (p->files[i].state != FILE_UNCHANGED)
			ret = t->ops->check_writable(t, p->files[i].rf->dest);
		if (!ret && p->files[i].backup_needed)
			ret = t->ops->check_writable(t, p->files[i].backup);
	}
	if (!ret && p->script_changes)
		ret = t->ops->check_writable(t, FIRSTBOOT_SCRIPT);
	if (!ret && p->answer.changes)
		ret = t->ops->check_writable(t, UNATTEND_PATH);
	if (!ret) {
		char *rec = undo_path(feature);
		ret = t->ops->check_writable(t, rec);
		free(rec);
	}
	if (!ret)
		ret = t->ops->check_writable(t, UNDO_LOG);
	return ret;
}

static enum wg_err commit_plan(struct graft_source *gs, struct target *t, struct plan *p)
{
	struct done_list j = { 0 };
	enum wg_err ret;
	char *rec = undo_path(gs->m->id);
	char *text = NULL, *old_rec = NULL;

	/* Originals first, into staging (so a rollback can restore them) and into the image. */
	for (size_t i = 0; i < p->nfiles; i++) {
		struct file_plan *fp = &p->files[i];
		if (fp->state != FILE_REPLACES)
			continue;
		if (!fp->local_backup)
			fp->local_backup = xasprintf("%s/backup/r%zu", gs->staging, i);
		ret = t->ops->copy_out(t, fp->rf->dest, fp->local_backup);
		if (ret)
			goto fail;
		if (fp->backup_needed) {
			ret = t->ops->write_file(t, fp->backup, fp->local_backup, &j.created);
			if (ret)
				goto fail;
			done_add(&j, DONE_WRITE_NEW, fp->backup, NULL);
		}
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		struct file_plan *fp = &p->files[i];
		if (fp->state == FILE_UNCHANGED)
			continue;
		if (fp->buf) {
			ret = t->ops->write_buf(t, fp->rf->dest, fp->buf->buf, fp->buf->len, &j.created);
		} else {
			char *local = staged_path(gs, fp->rf);
			ret = t->ops->write_file(t, fp->rf->dest, local, &j.created);
			free(local);
		}
		if (ret)
			goto fail;
		done_add(&j, fp->state == FILE_NEW ? DONE_WRITE_NEW : DONE_WRITE_REPLACED,
			    fp->rf->dest, fp->local_backup);
		wg_verbose("wrote %s", fp->rf->dest);
	}
	if (p->script_changes) {
		ret = t->ops->write_buf(t, FIRSTBOOT_SCRIPT, p->script_new.buf, p->script_new.len,
					&j.created);
		if (ret)
			goto fail;
		done_add(&j, DONE_SCRIPT, FIRSTBOOT_SCRIPT, NULL);
	}
	if (p->answer.changes) {
		ret = fb_answer_commit(t, &p->answer, &j.created);
		if (ret)
			goto fail;
		done_add(&j, DONE_ANSWER, UNATTEND_PATH, NULL);
	}
	/*
	 * The hives: the original of each one changed kept first, then the edited hives written;
	 * the record last, with what they are now. A kill at any point is rolled back.
	 */
	ret = graft_hives_keep(&p->reg, t, &p->undo, &p->prev_changed, gs->staging, &j.created);
	if (!ret)
		ret = graft_reg_commit(&p->reg, t);
	if (!ret)
		ret = graft_hives_note(t, &p->undo);
	if (ret)
		goto fail;
	for (size_t i = 0; i < j.created.n; i++)
		sv_push_unique(&p->undo.created_dirs, j.created.v[i]);
	/* The record replaced is kept in staging, so a rollback can put it back. */
	if (p->had_record) {
		old_rec = xasprintf("%s/backup/undo.json", gs->staging);
		ret = t->ops->copy_out(t, rec, old_rec);
		if (ret)
			goto fail;
	}
	text = undo_serialize(&p->undo);
	ret = t->ops->write_buf(t, rec, text, strlen(text), &j.created);
	if (ret)
		goto fail;
	done_add(&j, p->had_record ? DONE_WRITE_REPLACED : DONE_WRITE_NEW, rec, old_rec);
	char *line = xasprintf("apply %s from '%s' image %d", gs->m->id, source_path(gs->src),
			       gs->res.image);
	if (target_append_log(t, line))
		wg_warning("could not append to %s in %s", UNDO_LOG, t->display);
	free(line);
	goto out;
fail:
	if (rollback(t, &j, p))
		ret = WG_ERR_PARTIAL;
out:
	free(j.v);
	sv_clear(&j.created);
	free(text);
	free(old_rec);
	free(rec);
	return ret;
}

enum wg_err graft_apply(const struct wg_opts *opts, struct graft_source *gs, struct target *t,
			json_object *report)
{
	struct plan p;
	enum wg_err ret = make_plan(opts, gs, t, &p);
	if (ret)
		goto out;
	if (!opts->dry_run && p.changes)
		ret = check_all_writable(t, &p, gs->m->id);
	if (ret)
		goto out;
	if (report)
		json_object_array_add(report, plan_json(&p, t, gs));
	else if (!wg_opt_quiet)
		print_plan(&p, t, opts->dry_run);
	if (opts->dry_run || !p.changes)
		goto out;
	ret = commit_plan(gs, t, &p);
	if (!ret)
		wg_info("%s: feature '%s' applied", t->display, gs->m->id);
out:
	plan_release(&p);
	return ret;
}

