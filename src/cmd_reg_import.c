/*
 * cmd_reg_import.c - 'wimgraft reg-import': apply .reg files to the offline hives
 * of an image, all files and hives together or nothing, with --dry-run and --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "reg_apply.h"
#include "reg_describe.h"
#include "reg_undo_json.h"
#include "regfile.h"
#include "report.h"
#include "target_set.h"

static enum wg_err check_usage(const struct wg_opts *opts)
{
	if (!opts->args.n) {
		wg_error("reg-import: name at least one .reg file");
		return WG_ERR_USAGE;
	}
	return WG_OK;
}

/* Parse every file (reporting each bad one) before anything is opened for writing. */
static enum wg_err load_all(const struct wg_opts *opts, struct reg_ops *ops)
{
	enum wg_err first = WG_OK;
	for (size_t i = 0; i < opts->args.n; i++) {
		enum wg_err err = regfile_load(opts->args.v[i], ops);
		if (err && !first)
			first = err;
	}
	if (first) {
		reg_ops_release(ops);
		if (opts->args.n > 1)
			wg_info("nothing was changed: every .reg file must be valid");
	}
	return first;
}

static void print_changes(const struct reg_changes *changes)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < changes->n; i++) {
		sb_reset(&sb);
		reg_change_describe(&changes->v[i], &sb);
		printf("%s\n", sb.buf);
	}
	sb_release(&sb);
	fflush(stdout);
}

static json_object *target_json(const struct wg_opts *opts, const struct target *t,
				const struct reg_changes *changes, const struct strvec *written)
{
	json_object *o = json_object_new_object();
	json_object *files = json_object_new_array();
	json_object *hives = json_object_new_array();
	report_add_target(o, t);
	if (opts->image_dir)
		json_object_object_add(o, "image_dir", json_object_new_string(opts->image_dir));
	for (size_t i = 0; i < opts->args.n; i++)
		json_object_array_add(files, json_object_new_string(opts->args.v[i]));
	json_object_object_add(o, "files", files);
	for (size_t i = 0; i < written->n; i++)
		json_object_array_add(hives, json_object_new_string(written->v[i]));
	json_object_object_add(o, opts->dry_run ? "hives_to_write" : "hives_written", hives);
	json_object_object_add(o, "changed", json_object_new_int64((int64_t)reg_changes_effective(changes)));
	json_object_object_add(o, "unchanged",
			       json_object_new_int64((int64_t)(changes->n - reg_changes_effective(changes))));
	json_object_object_add(o, "changes", reg_changes_to_json(changes));
	return o;
}

/* Apply the ops to one target's hives: in memory, then (unless --dry-run) commit them. */
static enum wg_err import_into(const struct wg_opts *opts, struct target *t,
			       const struct reg_ops *ops, json_object *report)
{
	struct reg_changes changes = { 0 };
	struct strvec modified = STRVEC_INIT, written = STRVEC_INIT;
	struct hive_set *set = NULL;
	int dirfd;
	const char *display;

	enum wg_err err = t->ops->hive_folder(t, &dirfd, &display);
	if (err)
		goto out;
	unsigned flags = (opts->dry_run ? HIVESET_DRY_RUN : 0) | (opts->force ? HIVESET_FORCE : 0);
	set = hive_set_new(dirfd, display, flags);
	err = regapply_ops(set, ops, &changes);
	if (err) {
		wg_info("nothing was changed in %s", t->display);
		goto out;
	}
	hive_set_modified(set, &modified);
	for (size_t i = 0; i < modified.n; i++)
		sv_push(&written, modified.v[i]);   /* the set's names are borrowed */
	free(modified.v);
	if (!opts->dry_run && written.n) {
		if (t->ops->hives_will_change)
			err = t->ops->hives_will_change(t, (const char *const *)written.v, written.n);
		if (!err)
			err = hive_set_commit(set);
		if (!err)
			err = t->ops->hives_committed(t, (const char *const *)written.v, written.n);
		if (err)
			goto out;
	}
	if (report)
		json_object_array_add(report, target_json(opts, t, &changes, &written));
	else
		print_changes(&changes);
	size_t n = reg_changes_effective(&changes);
	wg_info("%s: %s%zu change%s%s, %zu already in place%s", t->display,
		opts->dry_run ? "dry run: " : "", n, n == 1 ? "" : "s",
		opts->dry_run ? " would be made" : " made", changes.n - n,
		opts->dry_run ? "; nothing was written" : "");
out:
	hive_set_free(set);
	reg_changes_release(&changes);
	sv_clear(&written);
	return err;
}

enum wg_err cmd_reg_import(const struct wg_opts *opts)
{
	struct reg_ops ops = { 0 };
	struct target_set ts;
	json_object *targets = opts->json ? json_object_new_array() : NULL;

	memset(&ts, 0, sizeof(ts));
	enum wg_err err = check_usage(opts);
	if (!err)
		err = load_all(opts, &ops);
	if (!err)
		err = target_set_open(opts, true, true, &ts);
	/* Every image is edited before the WIM is written once: all of them or none. */
	for (size_t i = 0; !err && i < ts.n; i++)
		err = import_into(opts, ts.v[i], &ops, targets);
	if (!err)
		err = target_set_commit(&ts, opts);
	if (targets) {
		if (err == WG_ERR_USAGE)
			json_object_put(targets);
		else
			report_print("reg-import", opts, err, targets);
	}
	target_set_close(&ts);
	reg_ops_release(&ops);
	return err;
}
