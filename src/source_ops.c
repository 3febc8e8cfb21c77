/*
 * source_ops.c - what every kind of source shares: releasing image descriptions and
 * found files, and the check of an extracted file against the image's size and SHA-1.
 */
#include "source_ops.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void image_info_release(struct image_info *info)
{
	free(info->name);
	free(info->description);
	free(info->edition);
	free(info->installation_type);
	free(info->arch);
	free(info->version);
	free(info->default_language);
	sv_clear(&info->languages);
	memset(info, 0, sizeof(*info));
}

void source_files_free(struct source_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

enum wg_err source_check_extracted(const char *dir, const struct source_file *f)
{
	char *path = xasprintf("%s/%s", dir, f->path);
	uint8_t digest[20];
	struct stat st;
	enum wg_err ret = WG_OK;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		wg_error("'%s' was not extracted as a regular file", f->path);
		ret = WG_ERR_IO;
	} else if ((uint64_t)st.st_size != f->size) {
		wg_error("extracted '%s' has %lld bytes, the image says %llu", f->path,
			 (long long)st.st_size, (unsigned long long)f->size);
		ret = WG_ERR_HASH;
	} else if ((ret = sha1_file(path, digest)) == WG_OK && f->size &&
		   memcmp(digest, f->sha1, 20)) {
		char want[41], got[41];
		sha1_to_hex(f->sha1, want);
		sha1_to_hex(digest, got);
		wg_error("extracted '%s' has SHA-1 %s, the image says %s", f->path, got, want);
		ret = WG_ERR_HASH;
	}
	free(path);
	return ret;
}
