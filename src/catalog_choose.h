/*
 * catalog_choose.h - the signing catalogs a resolved feature needs: every catalog
 * of the source's catalog folder read in one pass, the valid ones listing each
 * signed file's hash, and the smallest set of them that covers every such file.
 */
#ifndef WIMGRAFT_CATALOG_CHOOSE_H
#define WIMGRAFT_CATALOG_CHOOSE_H

#include "manifest.h"
#include "resolve.h"
#include "source.h"
#include "target.h"

/*
 * For a manifest with a catalog folder: hash every resolved signed file, read
 * every *.cat of the folder, and choose catalogs. Each signed file gets ->catalog
 * (or counts in r->nunsigned); each chosen catalog is appended to r->files
 * (is_catalog, destination = its source path). Catalogs refused (unreadable,
 * bad digest or signature, untrusted chain) are named with -v. Errors are
 * failures to read the source.
 */
enum wg_err catalog_choose(const struct manifest *m, struct wg_source *src, int index,
			   struct resolution *r);

/*
 * In a target: does a valid catalog at one of the paths in cats (target-relative)
 * list the file at path (read from the target) by the hash of kind? When not,
 * *why says so ("no catalog in the image lists its hash (SHA-256 ...)").
 * Returns an error only when the target cannot be read.
 */
enum wg_err catalog_check_target(struct target *t, const char *path, enum sign_kind kind,
				 const struct strvec *cats, bool *listed, char **why);

#endif
