/*
 * regapply.h - registry operations applied to the offline hives of one image:
 * routing of root keys to hive files, CurrentControlSet, all-or-nothing edits, change records.
 */
#ifndef WIMGRAFT_REGAPPLY_H
#define WIMGRAFT_REGAPPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"
#include "hive.h"
#include "regop.h"
#include "util.h"

/* ---- routing ---- */

/*
 * The hive file of a full key path: HKEY_LOCAL_MACHINE\SYSTEM (or HKLM\...) ->
 * "SYSTEM", likewise SOFTWARE, DRIVERS, SAM, SECURITY; HKEY_USERS\.DEFAULT (HKU) ->
 * "DEFAULT"; case-insensitive. *rest gets the path inside the hive (a pointer into
 * key, "" for the hive's root). Any other key: WG_ERR_HIVE, message naming the key
 * (and origin/line when origin is not NULL).
 */
enum wg_err reg_route(const char *key, const char *origin, unsigned line, const char **hive,
		      const char **rest);

/* ---- the hives of one image ---- */

enum {
	HIVESET_FORCE = 1 << 0,     /* a dirty hive is edited anyway (loud warning) */
	HIVESET_DRY_RUN = 1 << 1,   /* edits stay in memory; hive_set_commit writes nothing */
	HIVESET_CHECK = 1 << 2,     /* verify: edits stay in memory, a dirty hive only warns */
};

struct hive_set;

/*
 * A set of hives opened lazily from the folder dirfd (borrowed: the image's
 * Windows/System32/config, or a staging copy of it). display is that folder's
 * name in messages ("img/Windows/System32/config").
 */
struct hive_set *hive_set_new(int dirfd, const char *display, unsigned flags);
/* Close every hive; uncommitted edits are dropped. NULL is fine. */
void hive_set_free(struct hive_set *s);
/* Does the folder hold this hive's file (name matched case-insensitively)? */
bool hive_set_has(struct hive_set *s, const char *hive);
/*
 * The open hive (opened on first use). A missing file: WG_ERR_NOT_FOUND, message
 * naming the hive file. Dirty / damaged: see hive_open.
 */
enum wg_err hive_set_get(struct hive_set *s, const char *hive, struct hive **out);
/*
 * The path inside hive with a leading CurrentControlSet (SYSTEM only) replaced by
 * the ControlSet00N that Select\Current names; an error when it names none.
 */
enum wg_err hive_set_map_path(struct hive_set *s, const char *hive, const char *path,
			      char **mapped);
/*
 * Write every edited hive: first all temporary files, then all renames. Refused
 * after a failed regapply_* call on this set, and a no-op for a dry run. If a
 * rename fails after another hive was already replaced, the message names it.
 */
enum wg_err hive_set_commit(struct hive_set *s);
/*
 * Append the names of the hives that have uncommitted edits. The strings are
 * borrowed (static): free names->v only, never sv_clear(names).
 */
void hive_set_modified(struct hive_set *s, struct strvec *names);

/* ---- change records ---- */

enum reg_change_kind {
	REG_CHANGE_CREATE_KEY,     /* the key was created (or, unchanged: it existed) */
	REG_CHANGE_DELETE_KEY,     /* the key was deleted; old_tree holds it */
	REG_CHANGE_SET_VALUE,
	REG_CHANGE_DELETE_VALUE,
};

struct reg_change {
	char *hive;                /* "SYSTEM" */
	char *key;                 /* path inside the hive, control set mapped, stored spelling */
	char *name;                /* value name ("" = default); NULL for key changes */
	enum reg_change_kind kind;
	bool unchanged;            /* the hive already held exactly this */
	bool old_present;          /* the value (or key, for DELETE_KEY) existed before */
	uint32_t old_type;
	unsigned char *old_data;
	size_t old_len;
	uint32_t new_type;         /* SET_VALUE only */
	unsigned char *new_data;
	size_t new_len;
	struct hive_tree *old_tree; /* DELETE_KEY of an existing key: what it held */
	char *origin;              /* file and line of the op, for messages; may be NULL */
	unsigned line;
};

struct reg_changes {
	struct reg_change *v;
	size_t n;
	size_t alloc;
};

void reg_changes_free(struct reg_changes *c);
/* How many changes actually change something (not 'unchanged'). */
size_t reg_changes_effective(const struct reg_changes *c);

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

/*
 * One line for --dry-run and reports:
 * SYSTEM\ControlSet001\Services\X: "Start" REG_DWORD 0x3 (replaces REG_DWORD 0x2)
 */
void reg_change_describe(const struct reg_change *c, struct strbuf *out);
/* The same change seen as a difference ("Start" is REG_DWORD 0x2, expected REG_DWORD 0x3). */
void reg_change_describe_difference(const struct reg_change *c, struct strbuf *out);
/* A value for messages: REG_DWORD 0x3, REG_SZ "text", REG_BINARY 16 bytes dd,07,... */
void reg_value_describe(uint32_t type, const unsigned char *data, size_t len, struct strbuf *out);

/* Change lists as JSON (the undo record, --json output) and back. */
struct json_object *reg_changes_to_json(const struct reg_changes *c);
/* Parse a list written by reg_changes_to_json; WG_ERR_UNDO (message printed) when invalid. */
enum wg_err reg_changes_from_json(struct json_object *j, struct reg_changes *out);

#endif
