/*
 * graft_reg.h - the registry side of a graft: the manifest's operations routed
 * to the target's hives, edited in memory, shown, committed, recorded, reverted and verified.
 */
#ifndef WIMGRAFT_GRAFT_REG_H
#define WIMGRAFT_GRAFT_REG_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "options.h"
#include "resolve.h"
#include "target.h"

struct hive_set;
struct reg_changes;

struct graft_reg {
	struct hive_set *set;      /* the target's hives, opened as needed */
	struct reg_changes *changes;  /* what the edits replaced */
	bool has_changes;
	json_object *merged_undo;  /* the change list to record, originals kept from a previous apply */
};

/*
 * Apply the resolution's operations to the target's hives in memory (nothing is
 * written). Ops of an optional hive the image lacks are skipped with a notice.
 * prev_undo: the registry part of an earlier apply's undo record, whose original
 * values are kept in the new record.
 */
enum wg_err graft_reg_plan(struct graft_reg *r, const struct wg_opts *opts, struct target *t,
			   const struct resolution *res, json_object *prev_undo);
/* Open the target's hives (lazily: each one on first use) for graft_reg_revert. */
enum wg_err graft_reg_open(struct graft_reg *r, const struct wg_opts *opts, struct target *t);
/*
 * Restore, in memory, what an undo record's registry part says was there before, except in
 * the hives named in whole (put back whole by the caller; may be NULL).
 */
enum wg_err graft_reg_revert(struct graft_reg *r, json_object *undo, const struct strvec *whole);
/* Compare the hives with an undo record's registry part; one line per difference. */
enum wg_err graft_reg_verify(const struct wg_opts *opts, struct target *t, json_object *undo,
			     struct strvec *diffs);

bool graft_reg_changes(const struct graft_reg *r);
void graft_reg_print(const struct graft_reg *r, FILE *out);
json_object *graft_reg_plan_json(const struct graft_reg *r);
/* The change list for the undo record (a new reference). */
json_object *graft_reg_undo_json(const struct graft_reg *r);
/* Write every edited hive atomically and tell the target which ones changed. */
enum wg_err graft_reg_commit(struct graft_reg *r, struct target *t);
void graft_reg_release(struct graft_reg *r);

#endif
