/*
 * iso_cache.c - the cache of install images copied out of ISOs: lookup with a shared lock,
 * staging folders published by rename, eviction of unused entries least recently used first.
 */
#include "iso_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_LIMIT (16ULL << 30)
#define STAGE_PREFIX "tmp."
#define EVICT_PREFIX "evict."

char *iso_cache_root(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return xasprintf("%s/wimgraft", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.cache/wimgraft", home);
	return NULL;
}

uint64_t iso_cache_limit(void)
{
	const char *s = getenv("WIMGRAFT_CACHE_SIZE");
	if (!s || !*s)
		return DEFAULT_LIMIT;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	int shift = 0;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (errno || end == s || *end || *s == '-' || (shift && n > (~0ULL >> shift))) {
		wg_warning("WIMGRAFT_CACHE_SIZE='%s' is not a size; using 16G", s);
		return DEFAULT_LIMIT;
	}
	return (uint64_t)n << shift;
}

void cache_dir_release(struct cache_dir *d, bool remove)
{
	if (remove && d->path)
		wg_remove_tree(d->path);
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	d->path = NULL;
	d->fd = -1;
}

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int ret = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			ret = -1;
		*s = c;
		if (!c || ret)
			break;
	}
	free(p);
	return ret;
}

enum wg_err iso_cache_lookup(const char *root, const char *name, struct cache_dir *entry,
			     bool *found)
{
	char *path = xasprintf("%s/%s", root, name);
	struct stat st;
	*found = false;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		free(path);
		return WG_OK;
	}
	/* An entry being evicted is emptied and removed while locked: it has no links left after. */
	if (flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
		close(fd);
		free(path);
		return WG_OK;
	}
	futimens(fd, NULL);   /* last use, for eviction */
	entry->path = path;
	entry->fd = fd;
	*found = true;
	return WG_OK;
}

struct entry {
	char *name;
	time_t used;
	uint64_t bytes;
};

static uint64_t folder_bytes(const char *path)
{
	uint64_t sum = 0;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *e;
	struct stat st;
	while ((e = readdir(d)))
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	closedir(d);
	return sum;
}

/* Remove root/name if nobody holds it; for an entry, rename it away first so no lookup finds it. */
static bool remove_unused(const char *root, const char *name, bool entry)
{
	char *path = xasprintf("%s/%s", root, name);
	bool removed = false;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
		char *away = entry ? xasprintf("%s/" EVICT_PREFIX "%s.%ld", root, name, (long)getpid())
				   : NULL;
		if (!away || rename(path, away) == 0) {
			wg_remove_tree(away ? away : path);
			removed = true;
		}
		free(away);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return removed;
}

static int by_use(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->used < y->used ? -1 : x->used > y->used;
}

/* The entries of root, oldest use first; leftovers of killed runs are removed on the way. */
static size_t list_entries(const char *root, struct entry **out, uint64_t *total)
{
	DIR *d = opendir(root);
	size_t n = 0, alloc = 0;
	struct entry *v = NULL;
	*total = 0;
	if (!d)
		return 0;
	struct dirent *e;
	struct stat st;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!strncmp(e->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) ||
		    !strncmp(e->d_name, EVICT_PREFIX, strlen(EVICT_PREFIX))) {
			if (remove_unused(root, e->d_name, false))
				wg_verbose("removed '%s/%s', left by an interrupted run", root, e->d_name);
			continue;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			v = xrealloc(v, alloc * sizeof(*v));
		}
		char *path = xasprintf("%s/%s", root, e->d_name);
		v[n] = (struct entry){ xstrdup(e->d_name), st.st_mtime, folder_bytes(path) };
		*total += v[n++].bytes;
		free(path);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_use);
	*out = v;
	return n;
}

static void evict(const char *root, uint64_t need, uint64_t limit)
{
	struct entry *v = NULL;
	uint64_t total;
	size_t n = list_entries(root, &v, &total);
	for (size_t i = 0; i < n && total + need > limit; i++) {
		if (remove_unused(root, v[i].name, true)) {
			wg_verbose("removed '%s/%s' from the cache (%llu bytes, least recently used)",
				   root, v[i].name, (unsigned long long)v[i].bytes);
			total -= v[i].bytes;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

enum wg_err iso_cache_stage(const char *root, uint64_t need, struct cache_dir *stage)
{
	uint64_t limit = iso_cache_limit();
	if (need > limit)
		return WG_ERR_NO_SPACE;
	if (mkdir_p(root) < 0) {
		wg_warning("cannot create the cache folder '%s': %s", root, strerror(errno));
		return WG_ERR_NO_SPACE;
	}
	evict(root, need, limit);
	char *path = xasprintf("%s/" STAGE_PREFIX "XXXXXX", root);
	if (!mkdtemp(path)) {
		wg_warning("cannot create a folder in the cache '%s': %s", root, strerror(errno));
		free(path);
		return WG_ERR_NO_SPACE;
	}
	stage->path = path;
	stage->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (stage->fd < 0 || flock(stage->fd, LOCK_EX) < 0) {
		wg_error("cannot lock '%s': %s", path, strerror(errno));
		cache_dir_release(stage, true);
		return WG_ERR_IO;
	}
	return WG_OK;
}

static void fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

enum wg_err iso_cache_commit(const char *root, const char *name, struct cache_dir *stage)
{
	char *path = xasprintf("%s/%s", root, name);
	fsync(stage->fd);
	if (rename(stage->path, path) < 0) {
		int e = errno;
		bool found = false;
		struct cache_dir other = CACHE_DIR_INIT;
		if ((e == ENOTEMPTY || e == EEXIST) &&
		    iso_cache_lookup(root, name, &other, &found) == WG_OK && found) {
			cache_dir_release(stage, true);   /* another run published it first */
			*stage = other;
			free(path);
			return WG_OK;
		}
		wg_warning("cannot publish '%s' in the cache: %s", path, strerror(e));
		free(path);
		return WG_ERR_NO_SPACE;
	}
	fsync_path(root);
	free(stage->path);
	stage->path = path;
	flock(stage->fd, LOCK_SH);
	return WG_OK;
}
