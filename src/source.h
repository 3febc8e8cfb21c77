/*
 * source.h - where the feature's files come from: a Server WIM, ESD or split
 * WIM read through wimlib, or a payload folder written by 'extract'.
 */
#ifndef WIMGRAFT_SOURCE_H
#define WIMGRAFT_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "source_ops.h"
#include "util.h"

struct wg_source;

/*
 * Open a WIM, an ESD, the first part of a split WIM (the other .swm parts
 * are found beside it), or a payload folder. Reports its own errors.
 */
enum wg_err source_open(const char *path, struct wg_source **out);
void source_close(struct wg_source *src);
const char *source_path(const struct wg_source *src);
bool source_is_payload(const struct wg_source *src);
int source_image_count(const struct wg_source *src);

/* An image given as a 1-based index or a name (names are matched exactly first, then ignoring case). */
enum wg_err source_find_image(struct wg_source *src, const char *spec, int *index);
enum wg_err source_image_info(struct wg_source *src, int index, struct image_info *info);

/*
 * Every file of the image matching pattern: '/'- or '\'-separated, matched
 * case-insensitively component by component, '*' and '?' allowed in any
 * component. *out is an array of *n entries (possibly 0), sorted by path.
 */
enum wg_err source_glob(struct wg_source *src, int index, const char *pattern,
			struct source_file **out, size_t *n);

/*
 * Extract files (stored spellings as source_glob gives them) into dir,
 * keeping their paths, in one pass; each extracted file's SHA-1 is checked
 * against the image's. dir must exist.
 */
enum wg_err source_extract(struct wg_source *src, int index, const struct source_file *files,
			   size_t n, const char *dir);

/* Read one small file of the image into memory (at most max bytes). */
enum wg_err source_read_file(struct wg_source *src, int index, const struct source_file *file,
			     size_t max, unsigned char **data, size_t *len);

/* The underlying WIMStruct (NULL for a payload folder). */
struct WIMStruct *source_wim(struct wg_source *src);

/* wimlib's own error text, for messages. */
const char *source_wimlib_error(int code);

/* wimlib set up once: case-insensitive paths, errors reported by us, not printed by wimlib. */
enum wg_err source_wimlib_init(void);
/* Report a wimlib error about path; returns the matching wg_err. */
enum wg_err source_wim_error(const char *path, int wimlib_code);

#endif
