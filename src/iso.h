/*
 * iso.h - a Windows Server ISO as a source: recognised by its content, its UDF file system
 * read with libudfread (no mount, no root), its install image copied out once for wimlib.
 */
#ifndef WIMGRAFT_ISO_H
#define WIMGRAFT_ISO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

struct udfread;

/* What the first 64 KiB of a file say it is. */
enum iso_kind {
	ISO_NOT_ISO,    /* no volume recognition sequence (a WIM, anything else) */
	ISO_NO_UDF,     /* an ISO 9660 volume without a UDF descriptor */
	ISO_UDF,        /* a volume recognition sequence naming UDF (NSR02/NSR03) */
};
#define ISO_PROBE_BYTES (64 * 1024)

/* Recognise an ISO from the start of the file (len may be shorter than ISO_PROBE_BYTES). */
enum iso_kind iso_probe_buffer(const unsigned char *buf, size_t len);

/* Open a UDF volume held in memory (tests, fuzzing): NULL when it cannot be read. Not copied. */
struct udfread *iso_udf_open_buffer(const unsigned char *data, size_t len);

/* The install image found in sources/: one file, or the parts of a split WIM, first part first. */
struct iso_install {
	struct strvec paths;       /* stored spellings, "/"-separated, no leading slash */
	uint64_t bytes;            /* the parts' total size */
};

/*
 * Find sources/install.wim, else install.esd, else install.swm with its
 * install<N>.swm parts (names matched ignoring case) in an opened UDF volume.
 * display names the ISO in messages.
 */
enum wg_err iso_find_install(struct udfread *udf, const char *display, struct iso_install *out);
void iso_install_release(struct iso_install *inst);

/* An ISO opened as a source: its install image copied out (into the cache or a temporary folder). */
struct iso_source;

/*
 * Open path if its content is an ISO: *out is NULL (and WG_OK returned) when it is not one,
 * so that the caller opens it as a WIM. Reports its own errors.
 */
enum wg_err iso_source_open(const char *path, struct iso_source **out);
void iso_source_close(struct iso_source *iso);
/* The copied-out file for wimlib (the first part of a split WIM). */
const char *iso_source_wim_path(const struct iso_source *iso);
/* The install image's path inside the ISO, as stored ("sources/install.wim"). */
const char *iso_source_member(const struct iso_source *iso);

/* Set from the command line: --no-cache, --no-progress. */
extern bool iso_opt_no_cache;
extern bool iso_opt_no_progress;

#endif
