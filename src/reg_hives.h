/*
 * reg_hives.h - the offline hives of one image: root keys routed to hive files,
 * CurrentControlSet mapped, every edited hive committed all together.
 */
#ifndef WIMGRAFT_REG_HIVES_H
#define WIMGRAFT_REG_HIVES_H

#include <stdbool.h>

#include "error.h"
#include "hive.h"
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

/* The canonical spelling of a hive's name ("system" -> "SYSTEM"); NULL for none. */
const char *reg_hive_name(const char *hive);

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
/* The folder's name in messages, as given to hive_set_new. */
const char *hive_set_display(const struct hive_set *s);
/* After a failed edit: hive_set_commit refuses to write anything. */
void hive_set_mark_failed(struct hive_set *s);
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
/*
 * The hive's file in the set's folder: the folder's descriptor and the file's name there
 * (borrowed). WG_ERR_NOT_FOUND (no message) when the folder has none.
 */
enum wg_err hive_set_file(struct hive_set *s, const char *hive, int *dirfd, const char **name);

#endif
