/*
 * graft_verify.c - is the feature present and complete in a target? Every file
 * by its SHA-1, every registry value, the first-boot block; against the source or the undo record.
 */
#include "graft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_choose.h"
#include "firstboot.h"
#include "firstboot_script.h"
#include "graft_firstboot.h"
#include "graft_common.h"
#include "graft_reg.h"
#include "report.h"
#include "team_script.h"

static void check_file(struct target *t, const char *path, uint64_t size, const uint8_t sha1[20],
		       struct strvec *diffs)
{
	char *actual = NULL;
	uint64_t have_size;
	uint8_t have[20];
	enum wg_err ret = t->ops->lookup(t, path, &actual, NULL);
	if (ret == WG_ERR_NOT_FOUND) {
		sv_push_nodup(diffs, xasprintf("file %s: missing", path));
		return;
	}
	if (!ret)
		ret = t->ops->hash(t, actual, &have_size, have);
	if (ret)
		sv_push_nodup(diffs, xasprintf("file %s: cannot be read", path));
	else if (have_size != size || memcmp(have, sha1, 20)) {
		char want_hex[41], have_hex[41];
		sha1_to_hex(sha1, want_hex);
		sha1_to_hex(have, have_hex);
		sv_push_nodup(diffs, xasprintf("file %s: SHA-1 %s, expected %s", path, have_hex, want_hex));
	}
	free(actual);
}

/* The script holds the feature's block with exactly these commands. */
static void check_script(struct target *t, const char *feature, const struct strvec *commands,
			 struct strvec *diffs)
{
	unsigned char *data;
	size_t len;
	bool found;
	if (target_read_small(t, FIRSTBOOT_SCRIPT, NULL, &data, &len, &found) || !found) {
		sv_push_nodup(diffs, xasprintf("script %s: missing", FIRSTBOOT_SCRIPT));
		free(data);
		return;
	}
	struct strbuf without = STRBUF_INIT, again = STRBUF_INIT;
	bool has_block;
	firstboot_remove((const char *)data, len, feature, "", &without, &has_block);
	firstboot_add((const char *)data, len, feature, commands, &again, NULL);
	if (!has_block)
		sv_push_nodup(diffs, xasprintf("script %s: the first-boot block is missing",
					       FIRSTBOOT_SCRIPT));
	else if (again.len != len || memcmp(again.buf, data, len))
		sv_push_nodup(diffs, xasprintf("script %s: the first-boot block differs",
					       FIRSTBOOT_SCRIPT));
	sb_release(&without);
	sb_release(&again);
	free(data);
}

/*
 * Would each signed file load? A valid catalog among those the resolution chose
 * (at their place in the target) must list its hash.
 */
static enum wg_err check_signatures(struct target *t, const struct resolution *r,
				    struct strvec *diffs)
{
	struct strvec cats = STRVEC_INIT;
	enum wg_err ret = WG_OK;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].status == RESOLVED_OK && r->files[i].is_catalog)
			sv_push(&cats, r->files[i].dest);
	for (size_t i = 0; i < r->nfiles && !ret; i++) {
		const struct resolved_file *rf = &r->files[i];
		bool listed;
		char *why;
		if (rf->status != RESOLVED_OK || rf->sign == SIGN_NONE)
			continue;
		ret = catalog_check_target(t, rf->dest, rf->sign, &cats, &listed, &why);
		if (!ret && why)
			sv_push_nodup(diffs, xasprintf("file %s would not load: %s", rf->dest, why));
		free(why);
	}
	sv_clear(&cats);
	return ret;
}

/*
 * What calls the first-boot script: the route of --first-boot, else the one apply
 * recorded, else the manifest's; the SetupComplete.cmd block or the answer file's command.
 */
static void check_caller(const struct wg_opts *opts, const struct graft_source *gs,
			 const struct undo_record *rec, struct target *t, struct strvec *diffs)
{
	enum manifest_route route = gs->fb_route;
	int r = rec && rec->firstboot_route ? manifest_route_from_name(rec->firstboot_route) : -1;
	if (!opts->first_boot && r >= 0)
		route = (enum manifest_route)r;
	if (!gs->fb_made) {
		if (gs->res.commands.n)
			check_script(t, gs->m->id, &gs->res.commands, diffs);
		return;
	}
	if (route == ROUTE_SETUPCOMPLETE) {
		struct strvec call = STRVEC_INIT;
		sv_push_nodup(&call, fbscript_call_line(gs->m->id));
		check_script(t, gs->m->id, &call, diffs);
		sv_clear(&call);
	} else if (route == ROUTE_UNATTEND) {
		char *cmd = fbscript_unattend_command(gs->m->id);
		fb_answer_verify(t, cmd, diffs);
		free(cmd);
	}
}

enum wg_err graft_verify(const struct wg_opts *opts, const struct manifest *m,
			 struct graft_source *gs, struct target *t, json_object *report)
{
	struct undo_record rec;
	bool have_record;
	struct strvec diffs = STRVEC_INIT;
	size_t checked = 0;
	enum wg_err ret = target_read_undo(t, m->id, &rec, &have_record);
	if (ret)
		return ret;
	if (gs) {
		for (size_t i = 0; i < gs->res.nfiles; i++) {
			const struct resolved_file *rf = &gs->res.files[i];
			if (rf->status != RESOLVED_OK)
				continue;
			check_file(t, rf->dest, rf->size, rf->sha1, &diffs);
			checked++;
		}
		if ((ret = check_signatures(t, &gs->res, &diffs)) != WG_OK)
			goto out;
		struct graft_reg reg;
		struct wg_opts dry = *opts;
		dry.dry_run = true;
		memset(&reg, 0, sizeof(reg));
		ret = graft_reg_plan(&reg, &dry, t, &gs->res, NULL);
		if (!ret && graft_reg_changes(&reg)) {
			json_object *plan = graft_reg_plan_json(&reg);
			for (size_t i = 0; i < json_object_array_length(plan); i++) {
				json_object *c = json_object_array_get_idx(plan, i), *state, *text;
				if (json_object_object_get_ex(c, "state", &state) &&
				    strcmp(json_object_get_string(state), "unchanged") &&
				    json_object_object_get_ex(c, "text", &text))
					sv_push_nodup(&diffs, xasprintf("registry %s", json_object_get_string(text)));
			}
			json_object_put(plan);
		}
		graft_reg_release(&reg);
		check_caller(opts, gs, have_record ? &rec : NULL, t, &diffs);
	} else if (have_record) {
		for (size_t i = 0; i < rec.nfiles; i++, checked++)
			check_file(t, rec.files[i].path, rec.files[i].size, rec.files[i].sha1, &diffs);
		if (rec.registry)
			ret = graft_reg_verify(opts, t, rec.registry, &diffs);
		if (rec.firstboot_block)
			check_script(t, m->id, &rec.firstboot_commands, &diffs);
		if (fb_answer_record_command(rec.answer_file))
			fb_answer_verify(t, fb_answer_record_command(rec.answer_file), &diffs);
	} else {
		sv_push_nodup(&diffs, xasprintf("feature '%s' is not applied (no %s)", m->id,
						UNDO_DIR "/…undo.json"));
	}
	if (!ret && opts->team) {
		/* --team: the image's team script is the one this team file gives */
		struct strbuf script = STRBUF_INIT;
		uint8_t sha1[20];
		ret = team_script_from_file(opts->team, &script, false);
		sha1_buffer(script.buf ? script.buf : "", script.len, sha1);
		if (!ret)
			check_file(t, TEAM_SCRIPT_PATH, script.len, sha1, &diffs);
		checked++;
		sb_release(&script);
	}
	if (ret)
		goto out;
	if (report) {
		json_object *o = json_object_new_object(), *d = json_object_new_array();
		report_add_target(o, t);
		json_object_object_add(o, "ok", json_object_new_boolean(diffs.n == 0));
		for (size_t i = 0; i < diffs.n; i++)
			json_object_array_add(d, json_object_new_string(diffs.v[i]));
		json_object_object_add(o, "differences", d);
		json_object_array_add(report, o);
	} else if (!wg_opt_quiet) {
		for (size_t i = 0; i < diffs.n; i++)
			printf("%s: %s\n", t->display, diffs.v[i]);
		if (!diffs.n)
			printf("%s: feature '%s' is present and complete (%zu files checked)\n",
			       t->display, m->id, checked);
	}
	if (diffs.n) {
		wg_error("feature '%s' is missing or different in %s (%zu difference%s)", m->id,
			 t->display, diffs.n, diffs.n == 1 ? "" : "s");
		ret = WG_ERR_MISMATCH;
	}
out:
	if (have_record)
		undo_release(&rec);
	sv_clear(&diffs);
	return ret;
}

