/*
 * graft_hives.h - whole hives kept by apply: the original of each hive it changes is kept in
 * the image, and remove puts it back when the hive is still exactly as apply left it.
 */
#ifndef WIMGRAFT_GRAFT_HIVES_H
#define WIMGRAFT_GRAFT_HIVES_H

#include <stdbool.h>

#include "graft_reg.h"
#include "target.h"
#include "undo.h"
#include "util.h"

/*
 * apply, planning: the entries of an earlier apply's record copied into rec, and the hives
 * that record's registry changes touch appended to prev_changed.
 */
void graft_hives_from_earlier(const struct undo_record *prev, struct undo_record *rec,
			      struct strvec *prev_changed);
/*
 * apply, before the hives are written. rec->hives holds the entries of an earlier apply (or
 * none): each one whose hive is still as that apply left it is kept, the others are dropped
 * (their original is deleted from the image: key-level undo takes over). Each hive r changes
 * with no entry gets one, its original written to the backup folder (folders made appended to
 * created), unless an earlier apply changed it already (prev_changed: its original is gone).
 */
enum wg_err graft_hives_keep(struct graft_reg *r, struct target *t, struct undo_record *rec,
			     const struct strvec *prev_changed, const char *staging,
			     struct strvec *created);
/* apply, after the hives are written: the size and SHA-1 of each kept hive as apply left it. */
enum wg_err graft_hives_note(struct target *t, struct undo_record *rec);

/* remove: what is done with each hive of a record. */
struct hive_restore {
	bool *whole;        /* per rec->hives[i]: put the original back */
	char **local;       /* and its local copy */
	struct strvec names;   /* the hives put back whole (their key-level changes are skipped) */
};
/*
 * remove, planning: a hive is put back whole when it is byte-identical to what apply left and
 * its original is intact; otherwise its changes are undone key by key (said with -v).
 */
enum wg_err graft_hives_plan_restore(struct target *t, const struct undo_record *rec,
				     const char *tmpdir, struct hive_restore *hr);
/* remove, writing: the originals put back (atomically, through the target's hive folder). */
enum wg_err graft_hives_restore(struct graft_reg *r, struct target *t,
				const struct undo_record *rec, const struct hive_restore *hr);
/* remove: the kept originals deleted from the image (after the hives are put back). */
enum wg_err graft_hives_forget(struct target *t, const struct undo_record *rec);
void hive_restore_release(const struct undo_record *rec, struct hive_restore *hr);

#endif
