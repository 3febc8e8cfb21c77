/*
 * iso_cache.h - the cache of install images copied out of ISOs ($XDG_CACHE_HOME/wimgraft):
 * entries made atomically, shared-locked while used, evicted least recently used first.
 */
#ifndef WIMGRAFT_ISO_CACHE_H
#define WIMGRAFT_ISO_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* A folder holding copied-out files: a cache entry, or one being filled. */
struct cache_dir {
	char *path;
	int fd;                    /* the folder, flock'd: shared for an entry, exclusive while filled */
};
#define CACHE_DIR_INIT { NULL, -1 }

/* $XDG_CACHE_HOME/wimgraft, else $HOME/.cache/wimgraft; NULL when neither is set. */
char *iso_cache_root(void);
/* The size bound: $WIMGRAFT_CACHE_SIZE (bytes, or with a K, M, G or T suffix), else 16 GiB. */
uint64_t iso_cache_limit(void);

/* Open and share-lock the entry root/name; *found is false when there is none. */
enum wg_err iso_cache_lookup(const char *root, const char *name, struct cache_dir *entry,
			     bool *found);
/*
 * Make room for need bytes (removing unused entries, oldest use first, and folders that
 * killed runs left) and make a locked folder to fill. WG_ERR_NO_SPACE when the cache cannot
 * be used (need alone is over the bound: no message; an unwritable cache: a warning).
 */
enum wg_err iso_cache_stage(const char *root, uint64_t need, struct cache_dir *stage);
/*
 * Publish a filled stage as root/name (its files already fsync'd); if another run published
 * the same entry meanwhile, use that one. stage becomes the share-locked entry. On
 * WG_ERR_NO_SPACE (warned) the stage stays as it is, to be used once and removed.
 */
enum wg_err iso_cache_commit(const char *root, const char *name, struct cache_dir *stage);
/* Unlock (and, for an unpublished stage, remove) the folder. */
void cache_dir_release(struct cache_dir *d, bool remove);

#endif
