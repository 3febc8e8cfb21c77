/*
 * wim_internal.h - what the files of the WIM backend share: the session, one image's
 * target with its overlay and queued commands, the volume list, and their helpers.
 */
#ifndef WIMGRAFT_WIM_INTERNAL_H
#define WIMGRAFT_WIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <wimlib.h>

#include "manifest.h"
#include "ntfsvol.h"
#include "target_wim.h"
#include "tempdir.h"

/*
 * The hive files an image's hive folder carries: the hives a manifest may edit, by the
 * names the registry engine opens them with (manifest_hive_name, 0 to WIM_HIVES - 1).
 */
#define WIM_HIVES HIVE_COUNT

/*
 * What this session has queued for one path: the engine reads its own writes
 * back (the undo log, a replaced hive), so look-ups see the queue before the image.
 */
enum ov_kind { OV_FILE, OV_DIR, OV_DELETED };

struct overlay {
	char *path;                /* as it will be stored, '/'-separated */
	enum ov_kind kind;
	char *local;               /* OV_FILE: the local file the ADD reads */
};

/*
 * A queued change. With vol, an ADD of an NTFS volume image under a staging name, a
 * RENAME of its vol_from onto wim_path and a DELETE of the rest: the file (and any
 * folder it needs) arrives with its security descriptor, attributes and times.
 */
struct wim_cmd {
	enum wimlib_update_op op;
	char *local;               /* ADD: the file read when the WIM is written */
	char *wim_path;            /* "/" + stored path */
	int flags;
	const char *vol;           /* borrowed from the session's volume list */
	char *vol_from;            /* what of the volume is moved to wim_path */
	char *sync;                /* a local file whose bytes go into the volume first */
};

/* An image file extracted into an NTFS volume image (shared by every target that adds it). */
struct volume {
	WIMStruct *wim;
	int index;
	char *stored;
	char *vol;
	bool own;                  /* a hive's: rewritten at commit, never shared */
};

/* A file copy_out gave to the engine: written back, it is taken from the image with its metadata. */
struct copied {
	char *local;
	bool has_sd;
	char *stored;
	uint64_t size;
	uint8_t sha1[20];
};

/* The fixed header of a WIM: GUID, part numbers, blob table, XML data, integrity table. */
#define WIM_HEADER_SIZE 208

struct wim_session {
	char *path;                /* the WIM, as given */
	char *output;              /* -o, or NULL to update in place */
	struct wg_source *src;     /* the WIM (and the other parts of a split WIM) */
	WIMStruct *wim;
	int image_count;
	bool had_integrity;
	struct temp_dir tmp;       /* staged files and hive folders, removed at close */
	char *tmpdir;              /* its path (borrowed) */
	struct target **images;    /* one target per image, made when first asked for */
	struct target **list;      /* what wim_session_targets returned last */
	unsigned seq;              /* names of staged files */
	bool plain;                /* no NTFS-3G route: added files get no metadata */
	struct ntfsvol_pool *pool; /* made when first needed */
	struct volume *vols;
	size_t nvols;
	unsigned stages;
	WIMStruct *src_wim;        /* where payload files come from (wim_session_set_source) */
	int src_index;
	char *src_path;
	char *empty;               /* an empty folder, for folders made plain */
	unsigned char header[WIM_HEADER_SIZE];  /* the WIM's header as it was opened */
	struct stat opened;        /* and its size and times */
};

struct wim_target {
	struct wim_session *s;
	int index;
	char *dir;                 /* the image's folder in the session's tmpdir */
	struct overlay *ov;
	size_t nov;
	struct wim_cmd *cmds;
	size_t ncmds;
	char *config;              /* stored spelling of Windows/System32/config */
	char *hive_dir;            /* the staging folder for hives, once made */
	int hive_fd;
	char *hive_display;
	char *hive_stored[WIM_HIVES];           /* stored paths of the hives the image has */
	const char *hive_vol[WIM_HIVES];        /* and the volume each was extracted to */
	struct copied *copies;
	size_t ncopies;
};

static inline struct wim_target *wim_priv(struct target *t)
{
	return t->priv;
}

/* One entry of the image as wimlib_iterate_dir_tree describes it. */
struct image_entry {
	char *stored;              /* without the leading '/' */
	bool is_dir;
	bool has_sd;               /* it has a security descriptor */
	uint64_t size;
	uint8_t sha1[20];
};

/* Where a local file came from, when it is an unchanged copy of a file of some image. */
struct origin {
	WIMStruct *wim;
	int index;
	const char *name;          /* the WIM, for messages */
	char *stored;
	uint64_t size;
};

/* wim_image.c: below the rest */
/* Find path (any case) in an image of a WIM: WG_ERR_NOT_FOUND, without a message, when absent. */
enum wg_err wim_entry(WIMStruct *wim, int index, const char *name, const char *path,
		      struct image_entry *e);
void wim_queue_cmd(struct wim_target *w, enum wimlib_update_op op, const char *local,
		   const char *stored, int flags);
/* Empty the target's queue of commands. */
void wim_cmds_release(struct wim_target *w);
/* The folder part of path ("." when none); *owned gets what the caller frees. */
const char *wim_dir_of(const char *path, char **owned);
/* Check the WIM (or the folder of -o) can be written: done at open, repeated for each path. */
enum wg_err wim_can_write(struct wim_session *s);

/* wim_overlay.c: the image as this session has changed it, and local copies */
/* Split rel at '/' and '\', refusing what could not name a path inside the image. */
enum wg_err wim_split_rel(const struct target *t, const char *rel, struct strvec *out);
struct overlay *wim_ov_find(struct wim_target *w, const char *path);
/* Is path below dir (case-insensitively)? */
bool wim_is_below(const char *path, const char *dir);
/* Record what is queued at path; a deleted folder takes everything queued below it along. */
void wim_ov_set(struct wim_target *w, const char *path, enum ov_kind kind, const char *local);
/*
 * Resolve rel against the image as this session has changed it. found gets how
 * many leading components exist, stored their stored spelling followed by the
 * rest as given; the last found component is described by is_dir, in_image
 * (it is the image's own entry, not something queued) and local (a queued file).
 * A file met before the last component ends the walk there.
 */
struct wim_resolved {
	struct strvec parts;
	size_t found;
	struct strbuf stored;      /* of the found components only */
	bool is_dir;
	bool in_image;
	bool has_sd;
	char *local;
	uint64_t size;
	uint8_t sha1[20];
};
void wim_resolved_release(struct wim_resolved *r);
enum wg_err wim_resolve(struct target *t, const char *rel, struct wim_resolved *r);
/* The stored spelling of the found components, then the given spelling of the rest. */
char *wim_full_stored(const struct wim_resolved *r);
/* wim_resolve, refusing what is missing (WG_ERR_NOT_FOUND) or a folder. */
enum wg_err wim_find_file(struct target *t, const char *rel, struct wim_resolved *r);
enum wg_err wim_copy_local(const char *from, const char *to);
/* Move a file (a rename within the session's folder, a copy across file systems). */
enum wg_err wim_move_local(const char *from, const char *to);
/* A new name for a staged file in the target's folder. */
char *wim_staged_name(struct wim_target *w);
/* Extract the image's own file (stored spelling) to local, its hash checked. */
enum wg_err wim_extract_to(struct wim_target *w, const struct wim_resolved *r, const char *local);

/* target_wim.c: the target_ops of one image */
extern const struct target_ops wim_ops;
enum wg_err wim_make_target(struct wim_session *s, int index, struct target **out);

/* wim_volume.c: the NTFS volume image route */
/*
 * The volume holding stored (and its folders) of image index of wim, with their NTFS
 * metadata: made once, shared by every target. NULL (with a warning) when it cannot be made.
 */
const char *wim_volume_of(struct wim_session *s, WIMStruct *wim, int index, const char *name,
			  const char *stored, uint64_t size, bool own);
bool wim_same_content(const char *local, uint64_t size, const uint8_t sha1[20]);
/*
 * Find the origin of local: a file this target's copy_out wrote, or a file of the session's
 * source image whose path ends local's path (the engine stages the payload under its source
 * paths), in both cases with the same content.
 */
bool wim_find_origin(struct wim_target *w, const char *local, struct origin *o);
/* Queue the NTFS route: the volume's from (a file or the folder holding it) moved onto top. */
void wim_queue_volume(struct wim_target *w, const char *vol, const char *from, const char *top,
		      const char *sync);

#endif
