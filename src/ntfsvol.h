/*
 * ntfsvol.h - small NTFS volume images (mkntfs once, then sparse copies) and the data of one file
 * in them read and rewritten with libntfs-3g: how files reach a WIM with their NTFS metadata.
 */
#ifndef WIMGRAFT_NTFSVOL_H
#define WIMGRAFT_NTFSVOL_H

#include <stdint.h>

#include "error.h"

struct ntfsvol_pool;

/*
 * A pool of empty volumes made in dir (which must exist). WG_ERR_NOT_FOUND, with no
 * message, when mkntfs is not installed; other failures are reported.
 */
enum wg_err ntfsvol_pool_new(const char *dir, struct ntfsvol_pool **out);
void ntfsvol_pool_free(struct ntfsvol_pool *p);

/* A new empty volume image (in the pool's folder) with room for a file of size bytes. */
enum wg_err ntfsvol_new(struct ntfsvol_pool *p, uint64_t size, char **path);

/* Copy the unnamed data stream of path ('/'-separated, from the volume's root) to local. */
enum wg_err ntfsvol_read_file(const char *vol, const char *path, const char *local);
/*
 * Replace the unnamed data stream of path with local's bytes, keeping the file's security
 * descriptor, attributes, creation time and names; its write time becomes now.
 */
enum wg_err ntfsvol_write_file(const char *vol, const char *path, const char *local);

#endif
