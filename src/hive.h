/*
 * hive.h - one offline registry hive file (hivex underneath): checks before
 * opening, key and value look-up and edits in memory, and an atomic commit.
 */
#ifndef WIMGRAFT_HIVE_H
#define WIMGRAFT_HIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

struct hive;
typedef size_t hive_key;          /* a key of an open hive (hivex's node handle) */

enum {
	HIVE_WRITE = 1 << 0,      /* edits will be made (in memory until hive_commit) */
	HIVE_FORCE = 1 << 1,      /* open a dirty hive for writing anyway, with a warning */
	HIVE_NO_COMMIT = 1 << 2,  /* with HIVE_WRITE: edits stay in memory (dry run, verify);
				     a dirty hive is only warned about */
};

/* hivex writes a value's data in one cell: Windows keeps longer data in big-data records. */
#define HIVE_MAX_VALUE_DATA 16344

/*
 * Check the base block of the hive open on fd: "regf" magic, checksum at 0x1FC,
 * and *dirty when the sequence numbers at offsets 4 and 8 differ (changes are
 * waiting in .LOG1/.LOG2). Damaged: WG_ERR_HIVE_CORRUPT (message printed).
 */
enum wg_err hive_check_fd(int fd, const char *display, bool *dirty);
/* The same on the file name inside dirfd (not following a symlink). */
enum wg_err hive_check_file(int dirfd, const char *name, const char *display, bool *dirty);

/*
 * Open the hive file name inside dirfd (a symlink is refused). display names it
 * in messages. With HIVE_WRITE a dirty hive is refused (WG_ERR_HIVE_DIRTY) unless
 * HIVE_FORCE; without HIVE_WRITE, or with HIVE_NO_COMMIT, it is only warned about. A missing file is
 * WG_ERR_NOT_FOUND, a damaged one WG_ERR_HIVE_CORRUPT. The file is never changed
 * by opening it.
 */
enum wg_err hive_open(int dirfd, const char *name, const char *display, unsigned flags,
		      struct hive **out);
/* Forget every uncommitted edit, abort a prepared commit, free. NULL is fine. */
void hive_close(struct hive *h);
const char *hive_display(const struct hive *h);
bool hive_modified(const struct hive *h);
hive_key hive_root(struct hive *h);

/*
 * Find a key by its '\'-separated path below the root ("" is the root),
 * matching names case-insensitively. WG_ERR_NOT_FOUND (no message) when a
 * component is missing; WG_ERR_HIVE (message printed) when reading fails.
 * stored, when not NULL, gets the path as the hive spells it (to be freed).
 */
enum wg_err hive_lookup(struct hive *h, const char *path, hive_key *key, char **stored);
/* One child by name (case-insensitive): WG_ERR_NOT_FOUND or WG_ERR_HIVE as above. */
enum wg_err hive_child(struct hive *h, hive_key parent, const char *name, hive_key *child);
/* The key's name as stored (to be freed). */
char *hive_key_name(struct hive *h, hive_key key);
/*
 * Make sure the key exists, creating missing keys. created (when not NULL) gets
 * the stored-spelling path of each key created, parents first; stored the whole path.
 */
enum wg_err hive_ensure_key(struct hive *h, const char *path, hive_key *key, char **stored,
			    struct strvec *created);

/* One value: name as stored, type and raw data. */
struct hive_value {
	char *name;
	uint32_t type;
	unsigned char *data;
	size_t len;
};
void hive_value_release(struct hive_value *v);

/* Value by name (case-insensitive; "" is the default value): WG_ERR_NOT_FOUND when absent. */
enum wg_err hive_value_get(struct hive *h, hive_key key, const char *name, struct hive_value *out);
/* Every value of a key, in stored order. */
enum wg_err hive_values_list(struct hive *h, hive_key key, struct hive_value **vals, size_t *n);
void hive_values_free(struct hive_value *vals, size_t n);
/* A hash of a key or value name that ignores ASCII case, as look-ups do. */
size_t hive_name_hash(const char *name);
/* Replace every value of a key by vals, in one hivex call (hive_values.h edits a list in bulk). */
enum wg_err hive_values_replace(struct hive *h, hive_key key, const struct hive_value *vals,
				size_t n);
/* Number of subkeys and values of a key. */
enum wg_err hive_key_counts(struct hive *h, hive_key key, size_t *subkeys, size_t *values);

/*
 * Set one value, keeping every other value of the key and the stored spelling of
 * an existing name. Data longer than HIVE_MAX_VALUE_DATA is refused.
 */
enum wg_err hive_value_set(struct hive *h, hive_key key, const char *name, uint32_t type,
			   const void *data, size_t len);
/* Delete one value: WG_ERR_NOT_FOUND (no message) when it is not there. */
enum wg_err hive_value_delete(struct hive *h, hive_key key, const char *name);

/* A key with everything below it, as saved before deleting it. */
struct hive_tree {
	char *name;
	struct hive_value *values;
	size_t nvalues;
	struct hive_tree *children;
	size_t nchildren;
};
enum wg_err hive_save_tree(struct hive *h, hive_key key, struct hive_tree *out);
void hive_tree_release(struct hive_tree *t);
/* Delete a key and everything below it (not the root). */
enum wg_err hive_delete_key(struct hive *h, hive_key key);
/* Re-create a saved tree as a child of parent (which must not already hold it). */
enum wg_err hive_restore_tree(struct hive *h, hive_key parent, const struct hive_tree *t);

/*
 * Write the edited hive atomically: hive_commit_prepare writes a temporary file
 * beside the hive (nothing is replaced yet); hive_commit_finish fsyncs it, gives it
 * the old file's mode, owner and extended attributes, and renames it over the hive.
 * hive_commit does both. A hive without edits is not written.
 */
enum wg_err hive_commit_prepare(struct hive *h);
enum wg_err hive_commit_finish(struct hive *h);
/* Remove a prepared temporary file (the edits stay in memory). */
void hive_commit_abort(struct hive *h);
enum wg_err hive_commit(struct hive *h);

/*
 * Whether rel (relative to the image root, '/' or '\\' separators, any case) names a registry
 * hive file or one of its transaction logs: Windows/System32/config/<hive>[.LOG|.LOG1|.LOG2],
 * or a user's NTUSER.DAT / UsrClass.dat anywhere. Such files are edited as hives, never
 * written, replaced or deleted as payload.
 */
bool hive_is_hive_file(const char *rel);

#endif
