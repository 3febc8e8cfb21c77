/*
 * target.h - where a feature is grafted: a folder holding an applied Windows
 * image, or one image of a client WIM. One small table of operations per backend.
 */
#ifndef WIMGRAFT_TARGET_H
#define WIMGRAFT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

/* Where Windows keeps the offline hives, relative to the image root. */
#define TARGET_CONFIG_DIR "Windows/System32/config"

struct target;
struct image_info;

struct target_ops {
	/* An existing path's stored spelling ('/'-separated); WG_ERR_NOT_FOUND (no message) when absent. */
	enum wg_err (*lookup)(struct target *t, const char *rel, char **actual, bool *is_dir);
	/* Size and SHA-1 of an existing regular file. */
	enum wg_err (*hash)(struct target *t, const char *rel, uint64_t *size, uint8_t sha1[20]);
	/* Read a small file whole. */
	enum wg_err (*read)(struct target *t, const char *rel, size_t max, unsigned char **data,
			    size_t *len);
	/*
	 * What the image says of itself (name, edition, installation type, build, version):
	 * *known is false, and info empty, when it cannot say. info is released by the caller.
	 */
	enum wg_err (*info)(struct target *t, struct image_info *info, bool *known);
	/* Copy a file out to a local path (for backups of what apply replaces). */
	enum wg_err (*copy_out)(struct target *t, const char *rel, const char *local_path);
	/*
	 * The folder in which the image's hives are edited, as a descriptor: the
	 * image's own config folder, or a staging copy that commit puts back.
	 */
	enum wg_err (*hive_folder)(struct target *t, int *dirfd, const char **display);
	/* Could rel be written? (checked for every path before the first write) */
	enum wg_err (*check_writable)(struct target *t, const char *rel);
	/* Write rel from a local file, or from memory; missing folders are made and listed in created. */
	enum wg_err (*write_file)(struct target *t, const char *rel, const char *local_path,
				  struct strvec *created);
	enum wg_err (*write_buf)(struct target *t, const char *rel, const void *buf, size_t len,
				 struct strvec *created);
	enum wg_err (*remove)(struct target *t, const char *rel);
	enum wg_err (*rmdir_if_empty)(struct target *t, const char *rel);
	/* Hives edited in a staging folder must be put back: called after they are committed there. */
	enum wg_err (*hives_committed)(struct target *t, const char *const *names, size_t n);
	/*
	 * Optional. Called before the hives names of the hive folder are replaced; a folder
	 * target records them in its journal (keeping the originals until the end).
	 */
	enum wg_err (*hives_will_change)(struct target *t, const char *const *names, size_t n);
	/*
	 * Optional. Put back every change made since the target was opened (said on stderr);
	 * WG_ERR_PARTIAL when that failed. Targets without it write nothing before their commit.
	 */
	enum wg_err (*rollback)(struct target *t);
	/* Optional. The changes are complete: mark them so, and drop what rollback needed. */
	enum wg_err (*finish)(struct target *t);
	void (*close)(struct target *t);
};

struct fs_info;

struct target {
	const struct target_ops *ops;
	char *display;         /* "'/mnt/win10'" or "'install.wim' image 2" */
	const struct fs_info *fs;  /* a folder's file system (fsinfo.h); NULL for a WIM image */
	void *priv;
};

struct wg_source;
/*
 * Where a folder target's payload comes from: on NTFS-3G a file written from a local copy
 * of a file of image index of src (found by its path's ending and its content) gets that
 * file's security descriptor, attributes and times, and the folders its write makes get the
 * source folders'. Files written back from the target's own copy_out get the original's.
 * Without it, or for a payload folder, new files inherit as NTFS would.
 */
void target_dir_set_source(struct target *t, struct wg_source *src, int index);
/*
 * A folder holding Windows/ (an applied or mounted image): refuses anything else.
 * command names the run in its journal. A writer takes the image's lock exclusively
 * (waiting up to wait seconds), rolls back what an interrupted run left, and journals
 * every write until finish; closing without finish rolls back. A reader takes the
 * lock shared and refuses an unfinished journal (WG_ERR_UNFINISHED).
 */
enum wg_err target_open_dir(const char *dir, const char *command, bool write, unsigned wait,
			    struct target **out);
/* Did opening folder target t finish an interrupted run's changes? */
bool target_dir_recovered(const struct target *t);
void target_close(struct target *t);

#endif
