/*
 * source_ops.h - what every kind of source shares: the image and file descriptions the rest
 * reads, one small table of operations per kind (a WIM, a payload folder), and common checks.
 */
#ifndef WIMGRAFT_SOURCE_OPS_H
#define WIMGRAFT_SOURCE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

/* What 'info' shows of one image, read from the WIM's XML data. */
struct image_info {
	int index;                 /* 1-based */
	char *name;
	char *description;
	char *edition;             /* WINDOWS/EDITIONID, may be NULL */
	char *installation_type;   /* WINDOWS/INSTALLATIONTYPE: "Server", "Server Core", "Client" */
	char *arch;                /* "x86", "amd64", "arm64", ... or NULL */
	char *version;             /* "major.minor.build.spbuild" or NULL */
	unsigned build;            /* WINDOWS/VERSION/BUILD, 0 when unknown */
	struct strvec languages;   /* WINDOWS/LANGUAGES/LANGUAGE */
	char *default_language;
	uint64_t file_count;
	uint64_t total_bytes;
};

/* One file (or folder) found in a source image. */
struct source_file {
	char *path;                /* stored spelling, '/'-separated, relative to the image root */
	uint64_t size;
	uint8_t sha1[20];          /* of the unnamed data stream; zero for an empty file */
	uint32_t attributes;       /* FILE_ATTRIBUTE_* */
	bool is_dir;
};

/* One kind of source; priv is what its opening gave. */
struct source_ops {
	bool payload_folder;       /* a folder written by 'extract': one image, no names */
	int (*image_count)(void *priv);
	/* The image named spec (not a number); reports its own error. */
	enum wg_err (*find_name)(void *priv, const char *spec, int *index);
	/* info arrives zeroed with its index set. */
	enum wg_err (*image_info)(void *priv, int index, struct image_info *info);
	enum wg_err (*glob)(void *priv, int index, const char *pattern, struct source_file **out,
			    size_t *n);
	enum wg_err (*extract)(void *priv, int index, const struct source_file *files, size_t n,
			       const char *dir);
	void (*close)(void *priv);
};

void image_info_release(struct image_info *info);
void source_files_free(struct source_file *files, size_t n);
/* Check an extracted file (dir/file->path) against the image's size and SHA-1. */
enum wg_err source_check_extracted(const char *dir, const struct source_file *file);

#endif
