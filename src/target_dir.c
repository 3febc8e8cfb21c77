/*
 * target_dir.c - the image-folder backend of target.h: every path resolved below the
 * folder with safepath (no symlink followed, Windows case rules), locked, every write journaled.
 */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fsinfo.h"
#include "ntfs_meta.h"
#include "journal.h"
#include "lock.h"
#include "safepath.h"
#include "source.h"
#include "target_info.h"

/* A file copy_out wrote, with the NTFS metadata of the file it copied. */
struct dir_copy {
	char *local;
	struct ntfs_meta meta;
};

/* A folder the graft made and gave a source folder's metadata (its times are set again after each write). */
struct dir_made {
	char *rel;
	struct ntfs_meta meta;
};

/* The lock and the journal live in wimgraft's log folder of the image. */
#define LOCK_DIR "Windows/Logs/wimgraft"
#define LOCK_NAME "lock"

struct dir_target {
	struct wg_root root;
	struct fs_info fs;
	bool ntfs;                  /* the file system keeps NTFS metadata (NTFS-3G) */
	struct WIMStruct *src_wim;  /* where payload files come from, or NULL */
	int src_index;
	struct dir_copy *copies;
	size_t ncopies;
	struct dir_made *made;
	size_t nmade;
	int config_fd;
	char *config_display;
	char *config_rel;          /* the config folder's stored path */
	bool write;
	struct wg_lock lock;
	struct journal j;          /* writers only */
	bool has_journal;
	bool recovered;            /* opening finished an interrupted run's journal */
	struct strvec lock_made;   /* folders made for the lock, not yet named to a caller */
	struct strvec deferred;    /* the lock's folders a caller asked to remove */
};

static struct dir_target *priv(struct target *t)
{
	return t->priv;
}

static enum wg_err dir_lookup(struct target *t, const char *rel, char **actual, bool *is_dir)
{
	struct stat st;
	enum wg_err ret = root_lookup(&priv(t)->root, rel, actual, &st);
	if (!ret && is_dir)
		*is_dir = S_ISDIR(st.st_mode);
	if (!ret && S_ISLNK(st.st_mode)) {
		wg_error("'%s' in '%s' is a symbolic link; refusing to use it", rel,
			 priv(t)->root.path);
		if (actual) {
			free(*actual);
			*actual = NULL;
		}
		return WG_ERR_UNSAFE_PATH;
	}
	return ret;
}

/* "<folder>/<rel>", the way messages name a file of the target. */
static char *display_of(struct target *t, const char *rel)
{
	return xasprintf("%s/%s", priv(t)->root.path, rel);
}

static enum wg_err dir_hash(struct target *t, const char *rel, uint64_t *size, uint8_t sha1[20])
{
	int fd;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	char *name = display_of(t, rel);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		wg_error("cannot read '%s': %s", name, strerror(errno));
		ret = WG_ERR_IO;
	} else {
		*size = (uint64_t)st.st_size;
		ret = sha1_fd(fd, name, sha1);
	}
	free(name);
	close(fd);
	return ret;
}

static enum wg_err dir_read(struct target *t, const char *rel, size_t max, unsigned char **data,
			    size_t *len)
{
	int fd;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	char *name = display_of(t, rel);
	ret = read_fd(fd, name, max, data, len);
	free(name);
	close(fd);
	return ret;
}

static enum wg_err dir_copy_out(struct target *t, const char *rel, const char *local)
{
	int fd, out;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	out = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		wg_error("cannot create '%s': %s", local, strerror(errno));
		close(fd);
		return wg_err_from_errno(errno);
	}
	/* the metadata first: reading the data may move the access time */
	struct ntfs_meta meta = { 0 };
	if (priv(t)->ntfs)
		ntfs_meta_read_fd(fd, &meta);
	char *name = display_of(t, rel);
	ret = copy_fd(fd, name, out, local);
	free(name);
	if (!ret && priv(t)->ntfs) {
		struct dir_target *d = priv(t);
		d->copies = xrealloc(d->copies, (d->ncopies + 1) * sizeof(*d->copies));
		d->copies[d->ncopies].local = xstrdup(local);
		d->copies[d->ncopies].meta = meta;
		d->ncopies++;
	} else {
		ntfs_meta_release(&meta);
	}
	close(fd);
	if (close(out) < 0 && !ret) {
		wg_error("cannot write '%s': %s", local, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	return ret;
}

static enum wg_err dir_hive_folder(struct target *t, int *dirfd, const char **display)
{
	*dirfd = priv(t)->config_fd;
	*display = priv(t)->config_display;
	return WG_OK;
}

static enum wg_err not_for_writing(struct target *t)
{
	wg_error("%s was opened for reading only", t->display);
	return WG_ERR_INTERNAL;
}

static enum wg_err dir_check_writable(struct target *t, const char *rel)
{
	struct dir_target *d = priv(t);
	if (!d->write)
		return not_for_writing(t);
	enum wg_err ret = journal_before_probe(&d->j, rel);
	return ret ? ret : root_check_writable(&d->root, rel);
}

/* Is folder a prefix of rel, component-wise and ignoring case? */
static bool is_within(const char *folder, const char *rel)
{
	size_t n = strlen(folder);
	return !strncasecmp(folder, rel, n) && (rel[n] == '/' || rel[n] == '\\' || rel[n] == '\0');
}

/* Name the lock's folders a write went into as made by it, outermost first. */
static void hand_over(struct dir_target *d, const char *rel, struct strvec *made,
		      struct strvec *created)
{
	struct strvec keep = STRVEC_INIT;
	for (size_t i = 0; i < d->lock_made.n; i++) {
		if (created && is_within(d->lock_made.v[i], rel))
			sv_push(created, d->lock_made.v[i]);
		else
			sv_push(&keep, d->lock_made.v[i]);
	}
	sv_clear(&d->lock_made);
	d->lock_made = keep;
	for (size_t i = 0; created && i < made->n; i++)
		sv_push(created, made->v[i]);
	sv_clear(made);
}

/* Folders made since the graft began keep the source folders' times: set them again. */
static void restore_made_times(struct target *t)
{
	struct dir_target *d = priv(t);
	for (size_t i = 0; i < d->nmade; i++) {
		struct ntfs_meta times = { .has_times = d->made[i].meta.has_times };
		memcpy(times.times, d->made[i].meta.times, sizeof(times.times));
		int fd;
		if (!times.has_times || root_open_dir(&d->root, d->made[i].rel, &fd))
			continue;
		char *name = display_of(t, d->made[i].rel);
		if (ntfs_meta_apply_fd(fd, name, &times))
			wg_warning("the times of '%s' are not the source folder's", name);
		free(name);
		close(fd);
	}
}

/*
 * The folders this write made (created[from..]) get the metadata of the source folders
 * at the same depth above the file's origin.
 */
static enum wg_err give_made_folders(struct target *t, const char *rel, const char *origin,
				     const struct strvec *created, size_t from)
{
	struct dir_target *d = priv(t);
	enum wg_err ret = WG_OK;
	size_t depth = 0;
	for (const char *p = rel; *p; p++)
		depth += *p == '/';
	for (size_t i = from; i < created->n && !ret; i++) {
		size_t up = depth, k = 0;
		for (const char *p = created->v[i]; *p; p++)
			up -= *p == '/';
		char *src = xstrdup(origin);
		for (k = 0; k < up; k++) {
			char *slash = strrchr(src, '/');
			if (slash)
				*slash = '\0';
		}
		struct ntfs_meta m;
		int fd;
		if (ntfs_meta_from_wim(d->src_wim, d->src_index, src, NULL, &m) ||
		    root_open_dir(&d->root, created->v[i], &fd)) {
			free(src);
			continue;
		}
		char *name = display_of(t, created->v[i]);
		ret = ntfs_meta_apply_fd(fd, name, &m);
		close(fd);
		free(name);
		free(src);
		d->made = xrealloc(d->made, (d->nmade + 1) * sizeof(*d->made));
		d->made[d->nmade++] = (struct dir_made){ xstrdup(created->v[i]), m };
	}
	return ret;
}

/*
 * The metadata local carries: a copy_out's, the original's; a staged payload file's, its
 * source file's (found by the ending of its path, which is its path in the source image,
 * and by its content). *origin gets the source path, when there is one.
 */
static bool find_meta(struct target *t, const char *local, int fd, struct ntfs_meta *m,
		      char **origin)
{
	struct dir_target *d = priv(t);
	uint8_t sha1[20];
	*origin = NULL;
	for (size_t i = d->ncopies; i-- > 0;) {
		if (!strcmp(d->copies[i].local, local)) {
			ntfs_meta_copy(m, &d->copies[i].meta);
			return m->sd || m->has_attrib || m->has_times;
		}
	}
	if (!d->src_wim || sha1_fd(fd, local, sha1) || lseek(fd, 0, SEEK_SET) < 0)
		return false;
	for (const char *p = strchr(local, '/'); p; p = strchr(p + 1, '/')) {
		if (!p[1] || ntfs_meta_from_wim(d->src_wim, d->src_index, p + 1, sha1, m))
			continue;
		*origin = xstrdup(p + 1);
		return true;
	}
	return false;
}

static enum wg_err dir_write_file(struct target *t, const char *rel, const char *local,
				  struct strvec *created)
{
	struct dir_target *d = priv(t);
	struct strvec made = STRVEC_INIT;
	struct ntfs_meta m = { 0 };
	char *origin = NULL;
	struct stat st;
	uint8_t sha1[20];
	if (!d->write)
		return not_for_writing(t);
	int fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", local, strerror(errno));
		return WG_ERR_IO;
	}
	enum wg_err ret = fstat(fd, &st) < 0 ? WG_ERR_IO : sha1_fd(fd, local, sha1);
	uint64_t size = (uint64_t)st.st_size;
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = WG_ERR_IO;
	if (!ret)
		ret = journal_before_write(&d->j, rel, &size, sha1);
	if (ret || !d->ntfs) {
		if (!ret)
			ret = root_write_file(&d->root, rel, fd, 0644, &made);
		close(fd);
		hand_over(d, rel, &made, ret ? NULL : created);
		return ret;
	}
	bool has = find_meta(t, local, fd, &m, &origin);
	ret = root_write_file_meta(&d->root, rel, fd, 0644, has ? &m : NULL, &made);
	close(fd);
	if (!ret && origin)
		ret = give_made_folders(t, rel, origin, &made, 0);
	hand_over(d, rel, &made, ret ? NULL : created);
	if (!ret)
		restore_made_times(t);
	ntfs_meta_release(&m);
	free(origin);
	return ret;
}

static enum wg_err dir_write_buf(struct target *t, const char *rel, const void *buf, size_t len,
				 struct strvec *created)
{
	struct dir_target *d = priv(t);
	struct strvec made = STRVEC_INIT;
	uint8_t sha1[20];
	uint64_t size = len;
	if (!d->write)
		return not_for_writing(t);
	sha1_buffer(buf ? buf : "", len, sha1);
	enum wg_err ret = journal_before_write(&d->j, rel, &size, sha1);
	if (!ret)
		ret = root_write_buf(&d->root, rel, buf, len, 0644, &made);
	hand_over(d, rel, &made, ret ? NULL : created);
	if (!ret && d->ntfs)
		restore_made_times(t);
	return ret;
}

static enum wg_err dir_remove(struct target *t, const char *rel)
{
	if (!priv(t)->write)
		return not_for_writing(t);
	return journal_remove(&priv(t)->j, rel);
}

static enum wg_err dir_rmdir(struct target *t, const char *rel)
{
	struct dir_target *d = priv(t);
	if (!d->write)
		return not_for_writing(t);
	/* The lock's folders go when the lock does, at close. */
	if (is_within(rel, LOCK_DIR "/" LOCK_NAME)) {
		sv_push(&d->deferred, rel);
		return WG_OK;
	}
	enum wg_err ret = journal_before_rmdir(&d->j, rel);
	return ret ? ret : root_rmdir_if_empty(&d->root, rel);
}

static enum wg_err dir_hives_committed(struct target *t, const char *const *names, size_t n)
{
	(void)t;
	(void)names;
	(void)n;
	return WG_OK;   /* edited in place, already renamed into the image */
}

static enum wg_err dir_hives_will_change(struct target *t, const char *const *names, size_t n)
{
	struct dir_target *d = priv(t);
	enum wg_err ret = d->write ? WG_OK : not_for_writing(t);
	for (size_t i = 0; i < n && !ret; i++) {
		char *rel = xasprintf("%s/%s", d->config_rel, names[i]), *actual = NULL;
		ret = root_lookup(&d->root, rel, &actual, NULL);
		if (ret == WG_ERR_NOT_FOUND)
			ret = WG_OK;   /* a new hive file: recorded under the name given */
		ret = ret ? ret : journal_before_write(&d->j, actual ? actual : rel, NULL, NULL);
		free(actual);
		free(rel);
	}
	return ret;
}

static enum wg_err dir_rollback(struct target *t)
{
	struct dir_target *d = priv(t);
	if (!d->has_journal || !journal_active(&d->j))
		return WG_OK;
	bool changed = journal_changed(&d->j);
	enum wg_err ret = journal_rollback(&d->j);
	if (!ret && changed)
		wg_info("rolled back: %s is as it was", t->display);
	return ret;
}

static enum wg_err dir_finish(struct target *t)
{
	struct dir_target *d = priv(t);
	return d->has_journal ? journal_commit(&d->j) : WG_OK;
}

static int by_length_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Unlock; a writer then removes the lock's folders when they are empty and were asked for. */
static void unlock(struct dir_target *d)
{
	bool write = d->write && d->lock.fd >= 0;
	lock_release(&d->lock);
	if (!write)
		return;
	struct strvec dirs = STRVEC_INIT;
	for (size_t i = 0; i < d->lock_made.n; i++)
		sv_push(&dirs, d->lock_made.v[i]);
	for (size_t i = 0; i < d->deferred.n; i++)
		sv_push(&dirs, d->deferred.v[i]);
	sv_push(&dirs, LOCK_DIR);   /* wimgraft's own folder, when nothing is left in it */
	qsort(dirs.v, dirs.n, sizeof(*dirs.v), by_length_desc);
	for (size_t i = 0; i < dirs.n; i++)
		if (root_lookup(&d->root, dirs.v[i], NULL, NULL) == WG_OK)
			root_rmdir_if_empty(&d->root, dirs.v[i]);
	sv_clear(&dirs);
}

static void dir_close(struct target *t)
{
	struct dir_target *d = priv(t);
	if (d->has_journal) {
		if (journal_active(&d->j) && dir_rollback(t))
			wg_error("%s is only partly changed; run 'wimgraft recover -d %s'", t->display,
				 d->root.path);
		journal_release(&d->j);
	}
	unlock(d);
	sv_clear(&d->lock_made);
	sv_clear(&d->deferred);
	if (d->config_fd >= 0)
		close(d->config_fd);
	free(d->config_display);
	fsinfo_release(&d->fs);
	for (size_t i = 0; i < d->ncopies; i++) {
		free(d->copies[i].local);
		ntfs_meta_release(&d->copies[i].meta);
	}
	free(d->copies);
	for (size_t i = 0; i < d->nmade; i++) {
		free(d->made[i].rel);
		ntfs_meta_release(&d->made[i].meta);
	}
	free(d->made);
	free(d->config_rel);
	root_close(&d->root);
	free(d);
}

static const struct target_ops dir_ops = {
	.lookup = dir_lookup,
	.hash = dir_hash,
	.info = target_hive_info,
	.read = dir_read,
	.copy_out = dir_copy_out,
	.hive_folder = dir_hive_folder,
	.check_writable = dir_check_writable,
	.write_file = dir_write_file,
	.write_buf = dir_write_buf,
	.remove = dir_remove,
	.rmdir_if_empty = dir_rmdir,
	.hives_committed = dir_hives_committed,
	.hives_will_change = dir_hives_will_change,
	.rollback = dir_rollback,
	.finish = dir_finish,
	.close = dir_close,
};

void target_dir_set_source(struct target *t, struct wg_source *src, int index)
{
	if (t->ops != &dir_ops)
		return;
	priv(t)->src_wim = src ? source_wim(src) : NULL;
	priv(t)->src_index = index;
}

/* Reach (a writer: make) the lock's folder; NOT_FOUND for a reader when there is none. */
static enum wg_err open_lock_dir(struct dir_target *d, int *fd)
{
	struct strvec made = STRVEC_INIT;
	enum wg_err ret = root_open_parent(&d->root, LOCK_DIR "/" LOCK_NAME, d->write, fd, NULL,
					   &made);
	for (size_t i = 0; i < made.n; i++)
		sv_push(&d->lock_made, made.v[i]);
	sv_clear(&made);
	return ret;
}

/* Lock, then finish what an interrupted run left (a writer) or refuse it (a reader). */
static enum wg_err lock_and_recover(struct target *t, const char *command, unsigned wait)
{
	struct dir_target *d = priv(t);
	enum wg_err ret = WG_ERR_NOT_FOUND;
	int fd = -1;
	/* the folder may go between reaching it and locking in it: a releasing run removed it */
	for (int tries = 0; tries < 10 && ret == WG_ERR_NOT_FOUND; tries++) {
		if (fd >= 0)
			close(fd);
		ret = open_lock_dir(d, &fd);
		if (ret == WG_ERR_NOT_FOUND && !d->write)
			return WG_OK;   /* never written by wimgraft: nothing to lock or recover */
		if (ret)
			return ret;
		ret = lock_take(fd, LOCK_NAME, t->display, d->write, wait, &d->lock);
		if (ret == WG_ERR_NOT_FOUND && !d->write && !faccessat(fd, ".", F_OK, 0))
			ret = WG_OK;   /* a read-only folder without a lock file */
	}
	if (ret) {
		if (fd >= 0)
			close(fd);
		if (ret == WG_ERR_NOT_FOUND)
			wg_error("cannot lock %s: its folder '%s' keeps disappearing", t->display, LOCK_DIR);
		return ret == WG_ERR_NOT_FOUND ? WG_ERR_IO : ret;
	}
	bool found;
	journal_init(&d->j, &d->root, fd, command);
	close(fd);
	d->has_journal = true;
	ret = journal_recover(&d->j, d->write, &found);
	d->recovered = found && !ret;
	if (!d->write) {
		journal_release(&d->j);
		d->has_journal = false;
	}
	return ret;
}

enum wg_err target_open_dir(const char *dir, const char *command, bool write, unsigned wait,
			    struct target **out)
{
	struct dir_target *d = xcalloc(1, sizeof(*d));
	struct target *t = xcalloc(1, sizeof(*t));
	char *leaf = NULL, *actual = NULL;
	struct stat st;
	enum wg_err ret;

	d->config_fd = -1;
	d->lock = (struct wg_lock)WG_LOCK_INIT;
	t->ops = &dir_ops;
	t->priv = d;
	t->display = xasprintf("'%s'", dir);
	ret = root_open(dir, &d->root);
	if (ret)
		goto fail;
	fsinfo_of_fd(d->root.fd, &d->fs);
	t->fs = &d->fs;
	d->ntfs = d->root.ntfs_inherit = fs_keeps_ntfs_meta(&d->fs);
	char *about = fsinfo_describe(&d->fs, t->display);
	wg_verbose("%s", about);
	free(about);
	ret = root_lookup(&d->root, TARGET_CONFIG_DIR "/SYSTEM", &actual, &st);
	if (ret == WG_ERR_NOT_FOUND || (!ret && !S_ISREG(st.st_mode))) {
		wg_error("'%s' does not look like a Windows image: no regular file %s/SYSTEM", dir,
			 TARGET_CONFIG_DIR);
		ret = WG_ERR_NOT_IMAGE_DIR;
		goto fail;
	}
	if (ret)
		goto fail;
	ret = root_open_parent(&d->root, actual, false, &d->config_fd, &leaf, NULL);
	if (ret)
		goto fail;
	char *slash = strrchr(actual, '/');
	d->config_display = xasprintf("%s/%.*s", dir, (int)(slash - actual), actual);
	d->config_rel = xstrndup(actual, (size_t)(slash - actual));
	d->write = write;
	ret = lock_and_recover(t, command, wait);
	if (ret)
		goto fail;
	free(leaf);
	free(actual);
	*out = t;
	return WG_OK;
fail:
	free(leaf);
	free(actual);
	target_close(t);
	return ret;
}

bool target_dir_recovered(const struct target *t)
{
	return t->ops == &dir_ops && ((const struct dir_target *)t->priv)->recovered;
}

void target_close(struct target *t)
{
	if (!t)
		return;
	t->ops->close(t);
	free(t->display);
	free(t);
}
