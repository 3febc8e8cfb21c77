/*
 * reg_change.h - the record of one registry change: what a key or value held before
 * and after, with the file and line it came from.
 */
#ifndef WIMGRAFT_REG_CHANGE_H
#define WIMGRAFT_REG_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive.h"
#include "util.h"

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

void reg_changes_release(struct reg_changes *c);
/* How many changes actually change something (not 'unchanged'). */
size_t reg_changes_effective(const struct reg_changes *c);
/* Drop every change of the hives named (case-insensitively), keeping the others' order. */
void reg_changes_drop_hives(struct reg_changes *c, const struct strvec *hives);
/* Append a zeroed record with these fields copied; the rest is the caller's to fill. */
struct reg_change *reg_change_push(struct reg_changes *out, const char *hive, const char *key,
				   const char *name, enum reg_change_kind kind, const char *origin,
				   unsigned line);

#endif
