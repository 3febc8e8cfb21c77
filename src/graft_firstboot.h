/*
 * graft_firstboot.h - the graft engine's side of the first-boot script: made from the
 * resolution, staged as a payload file, called by SetupComplete.cmd or the answer file.
 */
#ifndef WIMGRAFT_GRAFT_FIRSTBOOT_H
#define WIMGRAFT_GRAFT_FIRSTBOOT_H

#include <stdbool.h>

#include <json-c/json.h>

#include "graft.h"
#include "target.h"
#include "undo.h"

/*
 * Write the script for the resolved feature (when it has components or
 * commands): it becomes one more payload file, and res.commands becomes what
 * calls it from SetupComplete.cmd (route setupcomplete) or nothing.
 */
enum wg_err graft_firstboot_prepare(const struct wg_opts *opts, struct graft_source *gs);
/* Put the script into the staging folder beside the extracted files. */
enum wg_err graft_firstboot_stage(const struct graft_source *gs);
/* {"route", "script", "command"}: what a site adds to its own answer file; NULL without a script. */
json_object *graft_firstboot_json(const struct graft_source *gs);

/* The answer-file change of one target. */
struct fb_answer {
	bool active;               /* the route is unattend, or an earlier apply added the command */
	bool existed;              /* the file was there */
	bool changes;              /* new differs from old */
	bool delete_file;          /* remove: the file apply created goes */
	char *actual;              /* stored spelling of the file when it exists */
	struct strbuf old, new;
	json_object *record;       /* for the undo record (owned) */
};

enum wg_err fb_answer_plan(const struct graft_source *gs, struct target *t,
			   const struct undo_record *old, struct fb_answer *a);
/* Write the planned file; and put back what was there (rollback). */
enum wg_err fb_answer_commit(struct target *t, struct fb_answer *a, struct strvec *created);
enum wg_err fb_answer_rollback(struct target *t, const struct fb_answer *a);
/*
 * Plan taking the command out again from an undo record's answer_file: the
 * original bytes when the file is as apply left it, else only the command removed.
 */
enum wg_err fb_answer_unplan(struct target *t, json_object *record, struct fb_answer *a);
enum wg_err fb_answer_uncommit(struct target *t, const struct fb_answer *a);
/* verify: the answer file runs command. */
void fb_answer_verify(struct target *t, const char *command, struct strvec *diffs);
/* The command an undo record's answer_file holds, or NULL. */
const char *fb_answer_record_command(json_object *record);
void fb_answer_release(struct fb_answer *a);

#endif
