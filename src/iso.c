/*
 * iso.c - recognise an ISO by its volume recognition sequence, find the install image in its
 * UDF file system with libudfread, and copy it out once (cache or temporary folder) for wimlib.
 */
#include "iso.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <udfread/blockinput.h>
#include <udfread/udfread.h>

#include "iso_cache.h"
#include "tempdir.h"

bool iso_opt_no_cache;
bool iso_opt_no_progress;

#define SECTOR 2048
#define VRS_FIRST 16          /* the volume recognition sequence starts at sector 16 */
#define VRS_MAX 16            /* and is short: look at no more than this many sectors */
#define COPY_CHUNK (1 << 20)

enum iso_kind iso_probe_buffer(const unsigned char *buf, size_t len)
{
	static const char *const idents[] = { "CD001", "BEA01", "NSR02", "NSR03", "TEA01",
					      "BOOT2", "CDW02" };
	bool udf = false;
	size_t seen = 0;
	if (len >= 8 && !memcmp(buf, "MSWIM\0\0\0", 8))
		return ISO_NOT_ISO;
	for (size_t s = VRS_FIRST; s < VRS_FIRST + VRS_MAX && (s + 1) * SECTOR <= len; s++) {
		const unsigned char *d = buf + s * SECTOR;
		size_t k;
		for (k = 0; k < ARRAY_SIZE(idents); k++)
			if (!memcmp(d + 1, idents[k], 5))
				break;
		if (k == ARRAY_SIZE(idents))
			break;        /* the sequence ends at the first sector naming nothing known */
		seen++;
		if (!memcmp(d + 1, "NSR0", 4))
			udf = true;
		if (!memcmp(d + 1, "TEA01", 5))
			break;
	}
	if (!seen)
		return ISO_NOT_ISO;
	return udf ? ISO_UDF : ISO_NO_UDF;
}

/*
 * libudfread prints its own errors on stderr ("udfread ERROR: ..."): each call that may is
 * made with stderr on /dev/null (unless -v), so that the user sees our one line.
 */
static int mute_stderr(void)
{
	if (wg_opt_verbose)
		return -1;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

static void unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static UDFDIR *q_opendir(struct udfread *udf, const char *path)
{
	int saved = mute_stderr();
	UDFDIR *d = udfread_opendir(udf, path);
	unmute_stderr(saved);
	return d;
}

static UDFDIR *q_opendir_at(UDFDIR *dir, const char *name)
{
	int saved = mute_stderr();
	UDFDIR *d = udfread_opendir_at(dir, name);
	unmute_stderr(saved);
	return d;
}

static struct udfread_dirent *q_readdir(UDFDIR *dir, struct udfread_dirent *e)
{
	int saved = mute_stderr();
	struct udfread_dirent *r = udfread_readdir(dir, e);
	unmute_stderr(saved);
	return r;
}

static UDFFILE *q_file_open(struct udfread *udf, const char *path)
{
	int saved = mute_stderr();
	UDFFILE *f = udfread_file_open(udf, path);
	unmute_stderr(saved);
	return f;
}

static ssize_t q_file_read(UDFFILE *f, void *buf, size_t len)
{
	int saved = mute_stderr();
	ssize_t n = udfread_file_read(f, buf, len);
	unmute_stderr(saved);
	return n;
}

struct mem_input {
	struct udfread_block_input in;   /* first: libudfread hands this pointer back */
	const unsigned char *data;
	size_t len;
};

static int mem_read(struct udfread_block_input *in, uint32_t lba, void *buf, uint32_t nblocks,
		    int flags)
{
	const struct mem_input *m = (const struct mem_input *)in;
	size_t blocks = m->len / SECTOR;
	(void)flags;
	if (lba >= blocks)
		return 0;
	size_t n = blocks - lba < nblocks ? blocks - lba : nblocks;
	memcpy(buf, m->data + (size_t)lba * SECTOR, n * SECTOR);
	return (int)n;
}

static uint32_t mem_size(struct udfread_block_input *in)
{
	const struct mem_input *m = (const struct mem_input *)in;
	return (uint32_t)(m->len / SECTOR);
}

static int mem_close(struct udfread_block_input *in)
{
	free(in);
	return 0;
}

struct udfread *iso_udf_open_buffer(const unsigned char *data, size_t len)
{
	struct udfread *udf = udfread_init();
	struct mem_input *m = xcalloc(1, sizeof(*m));
	m->in.read = mem_read;
	m->in.size = mem_size;
	m->in.close = mem_close;
	m->data = data;
	m->len = len;
	int saved = mute_stderr();
	int ret = udf ? udfread_open_input(udf, &m->in) : -1;
	unmute_stderr(saved);
	if (ret < 0) {
		free(m);   /* not taken on failure */
		if (udf)
			udfread_close(udf);
		return NULL;
	}
	return udf;
}

void iso_install_release(struct iso_install *inst)
{
	sv_clear(&inst->paths);
	memset(inst, 0, sizeof(*inst));
}

/* A part of a split install image: install.swm is part 1, install<N>.swm part N. */
static unsigned swm_part(const char *name)
{
	size_t len = strlen(name);
	if (len < 11 || strncasecmp(name, "install", 7) || strcasecmp(name + len - 4, ".swm"))
		return 0;
	if (len == 11)
		return 1;
	unsigned n = 0;
	for (size_t i = 7; i < len - 4; i++) {
		if (name[i] < '0' || name[i] > '9' || n > 9999)
			return 0;
		n = n * 10 + (unsigned)(name[i] - '0');
	}
	return n >= 2 ? n : 0;
}

static int by_part(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/') + 1, *y = strrchr(*(char *const *)b, '/') + 1;
	return (int)swm_part(x) - (int)swm_part(y);
}

/* The stored spelling of a child of dir named name (ignoring case), or NULL. */
static char *find_child(UDFDIR *dir, const char *name, unsigned type)
{
	struct udfread_dirent e;
	udfread_rewinddir(dir);
	while (q_readdir(dir, &e))
		if (e.d_type == type && e.d_name && wg_streq_nocase(e.d_name, name))
			return xstrdup(e.d_name);
	return NULL;
}

static void collect_parts(UDFDIR *dir, const char *folder, struct strvec *parts)
{
	struct udfread_dirent e;
	udfread_rewinddir(dir);
	while (q_readdir(dir, &e))
		if (e.d_type == UDF_DT_REG && e.d_name && swm_part(e.d_name))
			sv_push_nodup(parts, xasprintf("%s/%s", folder, e.d_name));
	if (parts->n > 1)
		qsort(parts->v, parts->n, sizeof(*parts->v), by_part);
}

/* Check the parts run 1, 2, ... without gap or repeat. */
static enum wg_err check_parts(const struct strvec *parts, const char *display)
{
	for (size_t i = 0; i < parts->n; i++) {
		unsigned p = swm_part(strrchr(parts->v[i], '/') + 1);
		if (p != i + 1) {
			wg_error("'%s': the split install image in its UDF file system %s part %zu",
				 display, p < i + 1 ? "repeats" : "lacks", i + 1);
			return WG_ERR_ISO;
		}
	}
	return WG_OK;
}

static enum wg_err add_sizes(struct udfread *udf, const char *display, struct iso_install *out)
{
	for (size_t i = 0; i < out->paths.n; i++) {
		char *abs = xasprintf("/%s", out->paths.v[i]);
		UDFFILE *f = q_file_open(udf, abs);
		int64_t size = f ? udfread_file_size(f) : -1;
		if (f)
			udfread_file_close(f);
		free(abs);
		if (size < 0) {
			wg_error("'%s': cannot open '%s' in its UDF file system (damaged image?)",
				 display, out->paths.v[i]);
			return WG_ERR_ISO;
		}
		out->bytes += (uint64_t)size;
	}
	return WG_OK;
}

static enum wg_err find_in_sources(struct udfread *udf, UDFDIR *src, const char *folder,
				   const char *display, struct iso_install *out)
{
	static const char *const singles[] = { "install.wim", "install.esd" };
	for (size_t i = 0; i < ARRAY_SIZE(singles); i++) {
		char *name = find_child(src, singles[i], UDF_DT_REG);
		if (name) {
			sv_push_nodup(&out->paths, xasprintf("%s/%s", folder, name));
			free(name);
			return add_sizes(udf, display, out);
		}
	}
	collect_parts(src, folder, &out->paths);
	if (!out->paths.n) {
		wg_error("'%s' is not a Windows installation image: its UDF file system holds no "
			 "sources/install.wim, install.esd or install.swm", display);
		return WG_ERR_NOT_WINDOWS_ISO;
	}
	enum wg_err ret = check_parts(&out->paths, display);
	return ret ? ret : add_sizes(udf, display, out);
}

enum wg_err iso_find_install(struct udfread *udf, const char *display, struct iso_install *out)
{
	enum wg_err ret = WG_ERR_NOT_WINDOWS_ISO;
	memset(out, 0, sizeof(*out));
	UDFDIR *root = q_opendir(udf, "/");
	if (!root) {
		wg_error("'%s': cannot read the root folder of its UDF file system (damaged image?)",
			 display);
		return WG_ERR_ISO;
	}
	char *folder = find_child(root, "sources", UDF_DT_DIR);
	UDFDIR *src = folder ? q_opendir_at(root, folder) : NULL;
	if (src)
		ret = find_in_sources(udf, src, folder, display, out);
	else if (folder)
		wg_error("'%s': cannot read '%s' in its UDF file system (damaged image?)", display,
			 folder), ret = WG_ERR_ISO;
	else
		wg_error("'%s' is not a Windows installation image: its UDF file system has no "
			 "'sources' folder", display);
	if (src)
		udfread_closedir(src);
	udfread_closedir(root);
	free(folder);
	if (ret)
		iso_install_release(out);
	return ret;
}

/* ---- copying the install image out ---------------------------------------------------- */

struct iso_source {
	char *wim_path;            /* the first part, in entry or tmp */
	char *member;              /* "sources/install.wim" as stored */
	struct cache_dir entry;    /* a cache entry, share-locked */
	bool entry_unpublished;    /* a stage the cache could not take: removed at close */
	struct temp_dir tmp;       /* or a temporary folder (--no-cache) */
};

struct copy_progress {
	const char *display;
	uint64_t total, done;
	int shown;                 /* last percentage shown, -1 for none */
	bool on;
};

static void progress_update(struct copy_progress *p, const char *member)
{
	if (!p->on || !p->total)
		return;
	int pct = (int)(p->done * 100 / p->total);
	if (pct == p->shown)
		return;
	p->shown = pct;
	fprintf(stderr, "\rcopying '%s' out of '%s': %3d%% (%llu of %llu MiB)", member, p->display,
		pct, (unsigned long long)(p->done >> 20), (unsigned long long)(p->total >> 20));
	if (p->done == p->total)
		fputc('\n', stderr);
	fflush(stderr);
}

static enum wg_err write_all(int fd, const unsigned char *buf, size_t len, const char *name)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			wg_error("cannot write '%s': %s", name, strerror(e));
			return wg_err_from_errno(e);
		}
		buf += w;
		len -= (size_t)w;
	}
	return WG_OK;
}

/* Copy one file of the UDF volume into dir/<its base name>, fsync'd. */
static enum wg_err copy_member(struct udfread *udf, const char *member, const char *dir,
			       struct copy_progress *p)
{
	char *abs = xasprintf("/%s", member);
	char *out = xasprintf("%s/%s", dir, strrchr(abs, '/') + 1);
	unsigned char *buf = xmalloc(COPY_CHUNK);
	enum wg_err ret = WG_OK;
	UDFFILE *f = q_file_open(udf, abs);
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int64_t size = f ? udfread_file_size(f) : -1, copied = 0;
	if (fd < 0) {
		int e = errno;
		wg_error("cannot create '%s': %s", out, strerror(e));
		ret = wg_err_from_errno(e);
	}
	while (!ret && f && copied < size) {
		ssize_t n = q_file_read(f, buf, COPY_CHUNK);
		if (n <= 0)
			break;
		ret = write_all(fd, buf, (size_t)n, out);
		copied += n;
		p->done += (uint64_t)n;
		progress_update(p, member);
	}
	if (!ret && (!f || copied != size)) {
		wg_error("'%s': cannot read '%s' from its UDF file system (damaged or truncated "
			 "image?)", p->display, member);
		ret = WG_ERR_ISO;
	}
	if (!ret && fsync(fd) < 0) {
		int e = errno;
		wg_error("cannot write '%s': %s", out, strerror(e));
		ret = wg_err_from_errno(e);
	}
	if (p->on && p->shown >= 0 && p->done != p->total && ret)
		fputc('\n', stderr);
	if (fd >= 0)
		close(fd);
	if (f)
		udfread_file_close(f);
	free(buf);
	free(out);
	free(abs);
	return ret;
}

static enum wg_err copy_install(struct udfread *udf, const char *display,
				const struct iso_install *inst, const char *dir)
{
	struct copy_progress p = { display, inst->bytes, 0, -1, false };
	p.on = !iso_opt_no_progress && !wg_opt_quiet && isatty(STDERR_FILENO);
	for (size_t i = 0; i < inst->paths.n; i++) {
		enum wg_err ret = copy_member(udf, inst->paths.v[i], dir, &p);
		if (ret)
			return ret;
	}
	return WG_OK;
}

/* The cache entry's name: the UDF volume identifier, and a hash of the ISO's identity. */
static char *cache_name(const struct stat *st, struct udfread *udf, const struct iso_install *inst)
{
	const char *volid = udfread_get_volume_id(udf);
	unsigned char set[128];
	size_t setlen = udfread_get_volume_set_id(udf, set, sizeof(set));
	struct strbuf key = STRBUF_INIT, name = STRBUF_INIT;
	uint8_t digest[20];
	char hex[41];

	sb_addf(&key, "%llu %lld.%09ld %s %s ", (unsigned long long)st->st_size,
		(long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, volid ? volid : "",
		inst->paths.v[0]);
	for (size_t i = 0; i < setlen && i < sizeof(set); i++)
		sb_addf(&key, "%02x", set[i]);
	sha1_buffer(key.buf, key.len, digest);
	sha1_to_hex(digest, hex);
	for (const char *c = volid ? volid : ""; *c && name.len < 32; c++)
		sb_addch(&name, (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			 (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ? *c : '_');
	sb_addf(&name, "%s%.16s", name.len ? "-" : "", hex);
	sb_release(&key);
	return sb_detach(&name);
}

/* A cache entry holding every part with its expected size. */
static bool entry_complete(const char *dir, const struct iso_install *inst)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < inst->paths.n; i++) {
		char *p = xasprintf("%s/%s", dir, strrchr(inst->paths.v[i], '/') + 1);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
		else
			sum = ~0ULL;
		free(p);
	}
	return sum == inst->bytes;
}

/* Copy into the cache, or find it there; WG_ERR_NO_SPACE (no message) when it cannot be cached. */
static enum wg_err use_cache(struct iso_source *iso, struct udfread *udf, const char *display,
			     const struct stat *st, const struct iso_install *inst)
{
	char *root = iso_cache_root();
	if (!root)
		return WG_ERR_NO_SPACE;
	char *name = cache_name(st, udf, inst);
	bool found = false;
	enum wg_err ret = iso_cache_lookup(root, name, &iso->entry, &found);
	if (found && entry_complete(iso->entry.path, inst)) {
		wg_verbose("reusing the copy of '%s' cached in '%s'", iso->member, iso->entry.path);
	} else if (found) {
		wg_warning("the cached copy '%s' is incomplete; copying to a temporary folder instead",
			   iso->entry.path);
		cache_dir_release(&iso->entry, false);
		ret = WG_ERR_NO_SPACE;
	} else if (inst->bytes > iso_cache_limit()) {
		wg_info("the install image (%llu MiB) is larger than the cache's bound "
			"(WIMGRAFT_CACHE_SIZE); copying to a temporary folder",
			(unsigned long long)(inst->bytes >> 20));
		ret = WG_ERR_NO_SPACE;
	} else if ((ret = iso_cache_stage(root, inst->bytes, &iso->entry)) == WG_OK) {
		wg_verbose("copying '%s' into the cache '%s'", iso->member, root);
		ret = copy_install(udf, display, inst, iso->entry.path);
		if (ret)
			cache_dir_release(&iso->entry, true);
		else if (iso_cache_commit(root, name, &iso->entry) == WG_ERR_NO_SPACE)
			iso->entry_unpublished = true;
	}
	free(name);
	free(root);
	return ret;
}

static enum wg_err use_temp(struct iso_source *iso, struct udfread *udf, const char *display,
			    const struct iso_install *inst)
{
	enum wg_err ret = temp_dir_create("wimgraft-iso.", &iso->tmp);
	if (!ret)
		wg_verbose("copying '%s' to the temporary folder '%s'", iso->member, iso->tmp.path);
	return ret ? ret : copy_install(udf, display, inst, iso->tmp.path);
}

/* "sources/install.wim", or "sources/install.swm + 2 more parts". */
static const char *describe_parts(const struct iso_install *inst)
{
	static char buf[256];
	if (inst->paths.n > 1)
		snprintf(buf, sizeof(buf), "%s + %zu more part%s", inst->paths.v[0], inst->paths.n - 1,
			 inst->paths.n > 2 ? "s" : "");
	else
		snprintf(buf, sizeof(buf), "%s", inst->paths.v[0]);
	return buf;
}

static enum wg_err probe_file(const char *path, struct stat *st, enum iso_kind *kind)
{
	unsigned char *buf = xmalloc(ISO_PROBE_BYTES);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, ISO_PROBE_BYTES, 0);
	enum wg_err ret = WG_OK;
	if (n < 0 || fstat(fd, st) < 0) {
		wg_error("cannot read '%s': %s", path, strerror(errno));
		ret = WG_ERR_IO;
	} else {
		*kind = S_ISREG(st->st_mode) ? iso_probe_buffer(buf, (size_t)n) : ISO_NOT_ISO;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

enum wg_err iso_source_open(const char *path, struct iso_source **out)
{
	struct stat st;
	enum iso_kind kind = ISO_NOT_ISO;
	*out = NULL;
	enum wg_err ret = probe_file(path, &st, &kind);
	if (ret || kind == ISO_NOT_ISO)
		return ret;
	if (kind == ISO_NO_UDF) {
		wg_error("'%s' is not a Windows installation image: it is an ISO 9660 image without "
			 "a UDF file system", path);
		return WG_ERR_NOT_WINDOWS_ISO;
	}
	struct udfread *udf = udfread_init();
	int saved = mute_stderr();
	int opened = udf ? udfread_open(udf, path) : -1;
	unmute_stderr(saved);
	if (opened < 0) {
		wg_error("'%s': cannot read its UDF file system (damaged or truncated image?)", path);
		if (udf)
			udfread_close(udf);
		return WG_ERR_ISO;
	}
	struct iso_install inst;
	struct iso_source *iso = xcalloc(1, sizeof(*iso));
	iso->entry = (struct cache_dir)CACHE_DIR_INIT;
	iso->tmp = (struct temp_dir)TEMP_DIR_INIT;
	ret = iso_find_install(udf, path, &inst);
	if (!ret) {
		iso->member = xstrdup(inst.paths.v[0]);
		wg_info("'%s': using %s%s from its UDF file system (%.1f MiB)", path,
			inst.paths.n > 1 ? "the split image " : "", describe_parts(&inst),
			(double)inst.bytes / (1 << 20));
		ret = iso_opt_no_cache ? WG_ERR_NO_SPACE : use_cache(iso, udf, path, &st, &inst);
		if (ret == WG_ERR_NO_SPACE)
			ret = use_temp(iso, udf, path, &inst);
	}
	if (!ret)
		iso->wim_path = xasprintf("%s/%s", iso->entry.path ? iso->entry.path : iso->tmp.path,
					  strrchr(iso->member, '/') + 1);
	iso_install_release(&inst);
	udfread_close(udf);
	if (ret) {
		iso_source_close(iso);
		return ret;
	}
	*out = iso;
	return WG_OK;
}

void iso_source_close(struct iso_source *iso)
{
	if (!iso)
		return;
	cache_dir_release(&iso->entry, iso->entry_unpublished);
	temp_dir_remove(&iso->tmp);
	free(iso->wim_path);
	free(iso->member);
	free(iso);
}

const char *iso_source_wim_path(const struct iso_source *iso)
{
	return iso->wim_path;
}

const char *iso_source_member(const struct iso_source *iso)
{
	return iso->member;
}
