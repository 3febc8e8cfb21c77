/*
 * source.c - open a Server WIM, ESD or split WIM with wimlib, describe its
 * images, find files by case-insensitive patterns, and extract them with their hashes checked.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wimlib.h>

#include "iso.h"
#include "payload.h"
#include "tempdir.h"

struct wg_source {
	char *path;
	const struct source_ops *ops;  /* this file's wim_source_ops, or payload_source_ops */
	void *priv;                    /* what ops work on: the source itself for a WIM */
	WIMStruct *wim;                /* NULL for a payload folder */
	WIMStruct **parts;             /* other parts of a split WIM */
	size_t nparts;
	struct iso_source *iso;        /* an ISO: wim is its install image, copied out */
};

static const struct source_ops wim_source_ops;

const char *source_wimlib_error(int code)
{
	const char *s = wimlib_get_error_string((enum wimlib_error_code)code);
	return s ? s : "unknown wimlib error";
}

enum wg_err source_wimlib_init(void)
{
	static int done;
	if (done)
		return WG_OK;
	int ret = wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE);
	if (ret) {
		wg_error("cannot initialise wimlib: %s", source_wimlib_error(ret));
		return WG_ERR_WIM;
	}
	wimlib_set_print_errors(false);
	done = 1;
	return WG_OK;
}

enum wg_err source_wim_error(const char *path, int code)
{
	switch (code) {
	case WIMLIB_ERR_NOT_A_WIM_FILE:
	case WIMLIB_ERR_UNKNOWN_VERSION:
	case WIMLIB_ERR_INVALID_HEADER:
	case WIMLIB_ERR_INVALID_PART_NUMBER:
	case WIMLIB_ERR_INVALID_CHUNK_SIZE:
	case WIMLIB_ERR_INVALID_COMPRESSION_TYPE:
	case WIMLIB_ERR_INVALID_LOOKUP_TABLE_ENTRY:
	case WIMLIB_ERR_INVALID_METADATA_RESOURCE:
	case WIMLIB_ERR_INVALID_RESOURCE_HASH:
	case WIMLIB_ERR_DECOMPRESSION:
	case WIMLIB_ERR_XML:
	case WIMLIB_ERR_UNEXPECTED_END_OF_FILE:
	case WIMLIB_ERR_INTEGRITY:
	case WIMLIB_ERR_INVALID_INTEGRITY_TABLE:
	case WIMLIB_ERR_RESOURCE_NOT_FOUND:
		wg_error("'%s' is not a valid WIM file: %s", path, source_wimlib_error(code));
		return WG_ERR_NOT_WIM;
	case WIMLIB_ERR_OPEN:
	case WIMLIB_ERR_READ:
	case WIMLIB_ERR_STAT:
		wg_error("cannot read '%s': %s", path,
			 errno ? strerror(errno) : source_wimlib_error(code));
		return WG_ERR_IO;
	case WIMLIB_ERR_NOMEM:
		wg_error("out of memory reading '%s'", path);
		return WG_ERR_NOMEM;
	default:
		wg_error("'%s': %s", path, source_wimlib_error(code));
		return WG_ERR_WIM;
	}
}

/* The other parts of a split WIM: every "<base>*.swm" beside it, checked for completeness. */
static enum wg_err open_split_parts(struct wg_source *src, const char *path,
				    const struct wimlib_wim_info *info)
{
	size_t len = strlen(path);
	const char *dot = strrchr(path, '.');
	size_t baselen = (dot && !strchr(dot, '/')) ? (size_t)(dot - path) : len;
	char *pattern = xasprintf("%.*s*%s", (int)baselen, path, dot && !strchr(dot, '/') ? dot : "");
	glob_t g;
	enum wg_err ret = WG_OK;
	bool *seen = xcalloc(info->total_parts + 1u, sizeof(bool));

	seen[info->part_number] = true;
	memset(&g, 0, sizeof(g));
	if (glob(pattern, 0, NULL, &g) == 0) {
		src->parts = xcalloc(g.gl_pathc, sizeof(*src->parts));
		for (size_t i = 0; i < g.gl_pathc; i++) {
			WIMStruct *part;
			struct wimlib_wim_info pi;
			if (!strcmp(g.gl_pathv[i], path))
				continue;
			if (wimlib_open_wim(g.gl_pathv[i], 0, &part))
				continue;
			wimlib_get_wim_info(part, &pi);
			if (memcmp(pi.guid, info->guid, WIMLIB_GUID_LEN) || pi.part_number < 1 ||
			    pi.part_number > info->total_parts || seen[pi.part_number]) {
				wimlib_free(part);
				continue;
			}
			seen[pi.part_number] = true;
			src->parts[src->nparts++] = part;
		}
	}
	for (unsigned p = 1; p <= info->total_parts; p++) {
		if (!seen[p]) {
			wg_error("split WIM '%s' is missing part %u of %u (looked for '%s')", path, p,
				 info->total_parts, pattern);
			ret = WG_ERR_NOT_WIM;
			goto out;
		}
	}
	int wret = wimlib_reference_resources(src->wim, src->parts, (unsigned)src->nparts, 0);
	if (wret)
		ret = source_wim_error(path, wret);
out:
	globfree(&g);
	free(seen);
	free(pattern);
	return ret;
}

enum wg_err source_open(const char *path, struct wg_source **out)
{
	struct stat st;
	enum wg_err ret = source_wimlib_init();
	if (ret)
		return ret;
	if (stat(path, &st) < 0) {
		wg_error("cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	struct wg_source *src = xcalloc(1, sizeof(*src));
	src->path = xstrdup(path);
	if (S_ISDIR(st.st_mode)) {
		struct payload *p = NULL;
		ret = payload_open(path, &p);
		src->ops = &payload_source_ops;
		src->priv = p;
		goto out;
	}
	src->ops = &wim_source_ops;
	src->priv = src;
	if ((ret = iso_source_open(path, &src->iso)) != WG_OK)
		goto out;
	char *shown = src->iso ? xasprintf("%s:%s", path, iso_source_member(src->iso)) : NULL;
	if (src->iso)
		path = iso_source_wim_path(src->iso);
	errno = 0;
	int wret = wimlib_open_wim(path, 0, &src->wim);
	if (wret) {
		ret = source_wim_error(shown ? shown : path, wret);
		free(shown);
		goto out;
	}
	free(shown);
	struct wimlib_wim_info info;
	wimlib_get_wim_info(src->wim, &info);
	if (info.total_parts > 1) {
		if (info.part_number != 1) {
			wg_error("'%s' is part %u of a split WIM; give the first part", path,
				 info.part_number);
			ret = WG_ERR_NOT_WIM;
			goto out;
		}
		ret = open_split_parts(src, path, &info);
	}
	if (!ret && info.image_count == 0) {
		wg_error("'%s' holds no image", src->path);
		ret = WG_ERR_NOT_WIM;
	}
out:
	if (ret) {
		source_close(src);
		return ret;
	}
	*out = src;
	return WG_OK;
}

/* The WIM's own resources (src stays). */
static void wim_close(void *priv)
{
	struct wg_source *src = priv;
	if (src->wim)
		wimlib_free(src->wim);
	for (size_t i = 0; i < src->nparts; i++)
		wimlib_free(src->parts[i]);
	free(src->parts);
	iso_source_close(src->iso);
}

void source_close(struct wg_source *src)
{
	if (!src)
		return;
	if (src->ops)
		src->ops->close(src->priv);
	free(src->path);
	free(src);
}

const char *source_path(const struct wg_source *src)
{
	return src->path;
}

bool source_is_payload(const struct wg_source *src)
{
	return src->ops->payload_folder;
}

struct WIMStruct *source_wim(struct wg_source *src)
{
	return src->wim;
}

static int wim_image_count(void *priv)
{
	struct wg_source *src = priv;
	struct wimlib_wim_info info;
	wimlib_get_wim_info(src->wim, &info);
	return (int)info.image_count;
}

int source_image_count(const struct wg_source *src)
{
	return src->ops->image_count(src->priv);
}

enum wg_err source_find_image(struct wg_source *src, const char *spec, int *index)
{
	int count = source_image_count(src);
	char *end;
	errno = 0;
	long n = strtol(spec, &end, 10);
	if (*spec && !*end && !errno) {
		if (n < 1 || n > count) {
			wg_error("'%s' has no image %ld (it holds %d)", src->path, n, count);
			return WG_ERR_NO_IMAGE;
		}
		*index = (int)n;
		return WG_OK;
	}
	return src->ops->find_name(src->priv, spec, index);
}

static enum wg_err wim_find_name(void *priv, const char *spec, int *index)
{
	struct wg_source *src = priv;
	int count = wim_image_count(src);
	int found = 0, nocase = 0, nocase_count = 0;
	for (int i = 1; i <= count; i++) {
		const char *name = wimlib_get_image_name(src->wim, i);
		if (!name)
			continue;
		if (!strcmp(name, spec) && !found)
			found = i;
		if (wg_streq_nocase(name, spec)) {
			nocase = i;
			nocase_count++;
		}
	}
	if (!found && nocase_count == 1)
		found = nocase;
	if (!found) {
		wg_error(nocase_count > 1 ? "image name '%s' is ambiguous in '%s'"
					  : "'%s' has no image named '%s'",
			 nocase_count > 1 ? spec : src->path, nocase_count > 1 ? src->path : spec);
		return WG_ERR_NO_IMAGE;
	}
	*index = found;
	return WG_OK;
}

static char *prop(WIMStruct *wim, int index, const char *name)
{
	const char *v = wimlib_get_image_property(wim, index, name);
	return v ? xstrdup(v) : NULL;
}

static const char *arch_name(const char *code)
{
	static const struct { const char *code, *name; } arches[] = {
		{ "0", "x86" }, { "5", "arm" }, { "6", "ia64" }, { "9", "amd64" }, { "12", "arm64" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (!strcmp(code, arches[i].code))
			return arches[i].name;
	return code;
}

enum wg_err source_image_info(struct wg_source *src, int index, struct image_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return src->ops->image_info(src->priv, index, info);
}

static enum wg_err wim_image_info(void *priv, int index, struct image_info *info)
{
	WIMStruct *w = ((struct wg_source *)priv)->wim;
	info->name = prop(w, index, "NAME");
	info->description = prop(w, index, "DESCRIPTION");
	info->edition = prop(w, index, "WINDOWS/EDITIONID");
	info->installation_type = prop(w, index, "WINDOWS/INSTALLATIONTYPE");
	const char *arch = wimlib_get_image_property(w, index, "WINDOWS/ARCH");
	if (arch)
		info->arch = xstrdup(arch_name(arch));
	const char *major = wimlib_get_image_property(w, index, "WINDOWS/VERSION/MAJOR");
	const char *minor = wimlib_get_image_property(w, index, "WINDOWS/VERSION/MINOR");
	const char *build = wimlib_get_image_property(w, index, "WINDOWS/VERSION/BUILD");
	const char *sp = wimlib_get_image_property(w, index, "WINDOWS/VERSION/SPBUILD");
	if (major && minor && build)
		info->version = xasprintf("%s.%s.%s.%s", major, minor, build, sp ? sp : "0");
	if (build)
		info->build = (unsigned)strtoul(build, NULL, 10);
	for (int i = 1;; i++) {
		char name[64];
		snprintf(name, sizeof(name), "WINDOWS/LANGUAGES/LANGUAGE[%d]", i);
		const char *lang = wimlib_get_image_property(w, index, name);
		if (!lang)
			break;
		sv_push(&info->languages, lang);
	}
	info->default_language = prop(w, index, "WINDOWS/LANGUAGES/DEFAULT");
	const char *fc = wimlib_get_image_property(w, index, "FILECOUNT");
	const char *tb = wimlib_get_image_property(w, index, "TOTALBYTES");
	info->file_count = fc ? strtoull(fc, NULL, 10) : 0;
	info->total_bytes = tb ? strtoull(tb, NULL, 10) : 0;
	return WG_OK;
}

/* ---- finding files ------------------------------------------------------------------ */

struct file_list {
	struct source_file *v;
	size_t n, alloc;
};

static void list_push(struct file_list *l, const struct source_file *f)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 16;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = *f;
}

struct glob_ctx {
	const char *component;
	struct file_list *out;
};

static int match_child(const struct wimlib_dir_entry *d, void *arg)
{
	struct glob_ctx *ctx = arg;
	if (!wg_glob_match(ctx->component, d->filename))
		return 0;
	struct source_file f = { 0 };
	f.path = xstrdup(d->full_path[0] == '/' ? d->full_path + 1 : d->full_path);
	f.attributes = d->attributes;
	f.is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
	if (!f.is_dir) {
		/* streams[0] is the unnamed data stream */
		f.size = d->streams[0].resource.uncompressed_size;
		memcpy(f.sha1, d->streams[0].resource.sha1_hash, 20);
	}
	list_push(ctx->out, &f);
	return 0;
}

static void split_pattern(const char *pattern, struct strvec *parts)
{
	char *copy = xstrdup(pattern);
	for (char *p = copy; *p; p++)
		if (*p == '\\')
			*p = '/';
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		sv_push(parts, c);
	free(copy);
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct source_file *)a)->path, ((const struct source_file *)b)->path);
}

enum wg_err source_glob(struct wg_source *src, int index, const char *pattern,
			struct source_file **out, size_t *n)
{
	return src->ops->glob(src->priv, index, pattern, out, n);
}

static enum wg_err wim_glob(void *priv, int index, const char *pattern, struct source_file **out,
			    size_t *n)
{
	struct wg_source *src = priv;
	struct strvec parts = STRVEC_INIT;
	struct file_list level = { 0 };
	enum wg_err ret = WG_OK;

	split_pattern(pattern, &parts);
	struct source_file root = { .path = xstrdup(""), .is_dir = true };
	list_push(&level, &root);
	for (size_t c = 0; c < parts.n && level.n; c++) {
		struct file_list next = { 0 };
		struct glob_ctx ctx = { parts.v[c], &next };
		for (size_t i = 0; i < level.n; i++) {
			if (!level.v[i].is_dir)
				continue;
			char *dir = xasprintf("/%s", level.v[i].path);
			int wret = wimlib_iterate_dir_tree(src->wim, index, dir,
							   WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN,
							   match_child, &ctx);
			free(dir);
			if (wret && wret != WIMLIB_ERR_PATH_DOES_NOT_EXIST) {
				ret = source_wim_error(src->path, wret);
				source_files_free(next.v, next.n);
				goto out;
			}
		}
		source_files_free(level.v, level.n);
		level = next;
	}
	if (!parts.n) {
		source_files_free(level.v, level.n);
		level = (struct file_list){ 0 };
	}
	if (level.n)
		qsort(level.v, level.n, sizeof(*level.v), cmp_files);
	*out = level.v;
	*n = level.n;
	level.v = NULL;
	level.n = 0;
out:
	source_files_free(level.v, level.n);
	sv_clear(&parts);
	return ret;
}

/* ---- extracting files --------------------------------------------------------------- */

enum wg_err source_extract(struct wg_source *src, int index, const struct source_file *files,
			   size_t n, const char *dir)
{
	return src->ops->extract(src->priv, index, files, n, dir);
}

static enum wg_err wim_extract(void *priv, int index, const struct source_file *files, size_t n,
			       const char *dir)
{
	struct wg_source *src = priv;
	if (!n)
		return WG_OK;
	const char **paths = xcalloc(n, sizeof(*paths));
	for (size_t i = 0; i < n; i++)
		paths[i] = files[i].path;
	errno = 0;
	int wret = wimlib_extract_paths(src->wim, index, dir, paths, n,
					WIMLIB_EXTRACT_FLAG_NO_ACLS | WIMLIB_EXTRACT_FLAG_NORPFIX);
	free(paths);
	if (wret)
		return source_wim_error(src->path, wret);
	for (size_t i = 0; i < n; i++) {
		if (files[i].is_dir)
			continue;
		enum wg_err ret = source_check_extracted(dir, &files[i]);
		if (ret)
			return ret;
	}
	return WG_OK;
}

enum wg_err source_read_file(struct wg_source *src, int index, const struct source_file *file,
			     size_t max, unsigned char **data, size_t *len)
{
	if (file->size > max) {
		wg_error("'%s' in '%s' is too large to read (%llu bytes)", file->path, src->path,
			 (unsigned long long)file->size);
		return WG_ERR_IO;
	}
	struct temp_dir td = TEMP_DIR_INIT;
	if (temp_dir_create("wimgraft-read.", &td))
		return WG_ERR_IO;
	const char *dir = td.path;
	enum wg_err ret = source_extract(src, index, file, 1, dir);
	if (!ret) {
		char *path = xasprintf("%s/%s", dir, file->path);
		ret = read_file(path, max, data, len);
		free(path);
	}
	temp_dir_remove(&td);
	return ret;
}

static const struct source_ops wim_source_ops = {
	.payload_folder = false,
	.image_count = wim_image_count,
	.find_name = wim_find_name,
	.image_info = wim_image_info,
	.glob = wim_glob,
	.extract = wim_extract,
	.close = wim_close,
};
