/*
 * reg_apply.h - registry operations applied in memory to the hives of one image, each
 * recorded as a change; change lists undone and verified.
 */
#ifndef WIMGRAFT_REG_APPLY_H
#define WIMGRAFT_REG_APPLY_H

#include "error.h"
#include "reg_change.h"
#include "reg_hives.h"
#include "regop.h"
#include "util.h"

/*
 * Apply ops in order to the hives of s, in memory, appending one change record
 * (or several: one per key created) per op to out. Values larger than
 * HIVE_MAX_VALUE_DATA are refused. On any error the set can no longer be committed.
 */
enum wg_err regapply_ops(struct hive_set *s, const struct reg_ops *ops, struct reg_changes *out);

/*
 * Undo a change list (in reverse order) in memory: created keys are deleted,
 * deleted keys restored, values set back to their old data or deleted. The
 * changes this makes are appended to out (may be NULL).
 */
enum wg_err regapply_undo(struct hive_set *s, const struct reg_changes *changes,
			  struct reg_changes *out);

/*
 * Compare the hives with the state a change list leads to (use a set opened with
 * HIVESET_CHECK). Each difference is appended to diffs as one readable line.
 */
enum wg_err regapply_verify(struct hive_set *s, const struct reg_changes *changes,
			    struct strvec *diffs);

#endif
