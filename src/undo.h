/*
 * undo.h - the undo record 'apply' keeps inside the image, so that 'remove' and
 * 'verify' work later without the source: what was added, replaced and created.
 */
#ifndef WIMGRAFT_UNDO_H
#define WIMGRAFT_UNDO_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"
#include "util.h"

#define UNDO_DIR "Windows/Logs/wimgraft"
#define UNDO_LOG UNDO_DIR "/wimgraft.log"
#define UNDO_FORMAT 1

enum undo_action {
	UNDO_ADDED,     /* the file did not exist: remove deletes it */
	UNDO_REPLACED,  /* another file was there: remove puts the backup back */
	UNDO_PRESENT,   /* the same content was already there: remove leaves it */
};

struct undo_file {
	char *path;              /* in the image, stored spelling */
	uint64_t size;
	uint8_t sha1[20];        /* what apply wrote */
	enum undo_action action;
	char *backup;            /* UNDO_REPLACED: where the original is kept in the image */
	uint64_t old_size;
	uint8_t old_sha1[20];
};

/*
 * A whole hive apply changed: its original kept at backup, and the hive as apply left it.
 * remove puts the original back when the hive is still byte-identical to that.
 */
struct undo_hive {
	char *name;              /* "SYSTEM", ... (reg_hive_name's spelling) */
	char *backup;            /* undo_backup_path(feature, "hives/<name>") */
	uint64_t old_size;       /* the original, as kept at backup */
	uint8_t old_sha1[20];
	uint64_t size;           /* the hive as apply wrote it */
	uint8_t sha1[20];
};

struct undo_record {
	char *feature;
	char *manifest_version;
	char *applied_at;        /* UTC, ISO 8601 */
	char *tool;              /* "wimgraft 0.1.0" */
	json_object *source;     /* the source image's identity (owned) */
	json_object *params;     /* the parameters used (owned) */
	struct undo_file *files;
	size_t nfiles;
	struct strvec created_dirs;   /* folders apply made, in creation order */
	struct undo_hive *hives; /* the hives kept whole (may be none) */
	size_t nhives;
	json_object *registry;   /* the registry changes with what they replaced (owned) */
	bool firstboot_block;    /* a block was added to SetupComplete.cmd */
	bool firstboot_created;  /* ... and the script did not exist before */
	char *firstboot_lead;    /* what was put before the block (see firstboot_add) */
	char *firstboot_route;   /* what calls the first-boot script ("setupcomplete", ...), or NULL */
	struct strvec firstboot_commands;  /* the block's commands, for verify */
	json_object *answer_file; /* the command added to Windows/Panther/unattend.xml (owned; see
				     graft_firstboot.c), or NULL */
};

/* "Windows/Logs/wimgraft/<feature>.undo.json" (new string). */
char *undo_path(const char *feature);
/* "Windows/Logs/wimgraft/backup/<feature>/<path>" (new string). */
char *undo_backup_path(const char *feature, const char *path);

void undo_init(struct undo_record *u, const char *feature);
struct undo_file *undo_add_file(struct undo_record *u, const char *path);
struct undo_file *undo_find_file(const struct undo_record *u, const char *path);
void undo_release(struct undo_record *u);
/* "Windows/Logs/wimgraft/backup/<feature>/hives/<hive>" (new string). */
char *undo_hive_backup_path(const char *feature, const char *hive);
struct undo_hive *undo_add_hive(struct undo_record *u, const char *name);
struct undo_hive *undo_find_hive(const struct undo_record *u, const char *name);

/* Parse a record read from the image; display names it in messages, quotes included. */
enum wg_err undo_parse(const char *display, const char *text, size_t len, struct undo_record *u);
/* The record as pretty JSON text (new string). */
char *undo_serialize(const struct undo_record *u);

#endif
