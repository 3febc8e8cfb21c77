/*
 * target_wim.c - the target_ops of one image of a WIM: reads come from the image,
 * writes are queued as wimlib update commands for the session's one write at commit.
 */
#include "wim_internal.h"
#include "tempdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <wimlib.h>

#include "ntfsvol.h"
#include "reg_hives.h"
#include "source.h"

/* The file name of hive k of the hive folder. */
static const char *hive_file(size_t k)
{
	return manifest_hive_name((enum manifest_hive)k);
}

/* Which hive of the hive folder name is (any case), or -1. */
static int hive_index(const char *name)
{
	const char *canon = reg_hive_name(name);
	for (size_t k = 0; canon && k < WIM_HIVES; k++)
		if (!strcmp(canon, hive_file(k)))
			return (int)k;
	return -1;
}

/* ---- the operations ------------------------------------------------------------------ */

static enum wg_err wim_lookup(struct target *t, const char *rel, char **actual, bool *is_dir)
{
	struct wim_resolved r;
	enum wg_err ret = wim_resolve(t, rel, &r);
	if (!ret && r.found < r.parts.n)
		ret = WG_ERR_NOT_FOUND;
	if (!ret) {
		if (actual)
			*actual = xstrdup(r.stored.buf);
		if (is_dir)
			*is_dir = r.is_dir;
	}
	wim_resolved_release(&r);
	return ret;
}

/* The image's Windows properties, from the WIM's XML data. */
static enum wg_err wim_info(struct target *t, struct image_info *info, bool *known)
{
	struct wim_target *w = wim_priv(t);
	enum wg_err ret = source_image_info(w->s->src, w->index, info);
	*known = ret == WG_OK;
	return ret;
}

static enum wg_err wim_hash(struct target *t, const char *rel, uint64_t *size, uint8_t sha1[20])
{
	struct wim_resolved r;
	enum wg_err ret = wim_find_file(t, rel, &r);
	if (ret)
		goto out;
	if (r.in_image) {
		*size = r.size;
		memcpy(sha1, r.sha1, 20);
		goto out;
	}
	struct stat st;
	if (stat(r.local, &st) < 0) {
		wg_error("cannot read '%s': %s", r.local, strerror(errno));
		ret = WG_ERR_IO;
		goto out;
	}
	*size = (uint64_t)st.st_size;
	if (st.st_size == 0)
		memset(sha1, 0, 20);    /* as a WIM stores an empty file */
	else
		ret = sha1_file(r.local, sha1);
out:
	wim_resolved_release(&r);
	return ret;
}

static enum wg_err wim_copy_out(struct target *t, const char *rel, const char *local)
{
	struct wim_target *w = wim_priv(t);
	struct wim_resolved r;
	enum wg_err ret = wim_find_file(t, rel, &r);
	if (!ret)
		ret = r.in_image ? wim_extract_to(w, &r, local) : wim_copy_local(r.local, local);
	if (!ret && r.in_image) {
		/* written back later (a backup, a restore), it keeps this file's metadata */
		w->copies = xrealloc(w->copies, (w->ncopies + 1) * sizeof(*w->copies));
		struct copied *c = &w->copies[w->ncopies++];
		c->local = xstrdup(local);
		c->has_sd = r.has_sd;
		c->stored = xstrdup(r.stored.buf);
		c->size = r.size;
		memcpy(c->sha1, r.sha1, 20);
	}
	wim_resolved_release(&r);
	return ret;
}

static enum wg_err wim_read(struct target *t, const char *rel, size_t max, unsigned char **data,
			    size_t *len)
{
	struct wim_target *w = wim_priv(t);
	struct wim_resolved r;
	char *tmp = NULL;
	enum wg_err ret = wim_find_file(t, rel, &r);
	if (ret)
		goto out;
	if (!r.in_image) {
		ret = read_file(r.local, max, data, len);
		goto out;
	}
	if (max && r.size > max) {
		wg_error("'%s' in %s is too large to read (%llu bytes)", r.stored.buf, t->display,
			 (unsigned long long)r.size);
		ret = WG_ERR_IO;
		goto out;
	}
	tmp = wim_staged_name(w);
	ret = wim_extract_to(w, &r, tmp);
	if (!ret)
		ret = read_file(tmp, max, data, len);
	unlink(tmp);
out:
	free(tmp);
	wim_resolved_release(&r);
	return ret;
}

/*
 * Hive i of the image into the hive folder: read from its NTFS volume image (which keeps
 * its metadata for when it goes back), copied from a queued local file, or added to files
 * to be extracted with the others.
 */
static enum wg_err fetch_hive(struct target *t, size_t i, struct source_file *files, size_t *n)
{
	struct wim_target *w = wim_priv(t);
	char *rel = xasprintf("%s/%s", w->config, hive_file(i));
	struct wim_resolved r;
	enum wg_err ret = wim_resolve(t, rel, &r);
	free(rel);
	if (ret || r.found != r.parts.n || r.is_dir)
		goto out;
	w->hive_stored[i] = xstrdup(r.stored.buf);
	char *dest = xasprintf("%s/%s", w->hive_dir, hive_file(i));
	const char *vol = r.in_image && r.has_sd ?
		wim_volume_of(w->s, w->s->wim, w->index, w->s->path, r.stored.buf, r.size, true) :
		NULL;
	if (vol) {
		char *vpath = xasprintf("/%s", r.stored.buf);
		ret = ntfsvol_read_file(vol, vpath, dest);
		free(vpath);
		if (!ret && !wim_same_content(dest, r.size, r.sha1)) {
			wg_error("'%s' of %s read back from its NTFS volume image differs "
				 "from the image's", r.stored.buf, t->display);
			ret = WG_ERR_HASH;
		}
		w->hive_vol[i] = vol;
	} else if (r.in_image) {
		files[*n].path = xstrdup(r.stored.buf);
		files[*n].size = r.size;
		memcpy(files[*n].sha1, r.sha1, 20);
		(*n)++;
	} else {
		ret = wim_copy_local(r.local, dest);
	}
	free(dest);
out:
	wim_resolved_release(&r);
	return ret;
}

/* Extract files (hives of the image) into xdir, then move each under its hive's name. */
static enum wg_err extract_hives(struct wim_target *w, struct source_file *files, size_t n,
				 const char *xdir)
{
	enum wg_err ret = source_extract(w->s->src, w->index, files, n, xdir);
	for (size_t i = 0; !ret && i < n; i++) {
		for (size_t k = 0; k < WIM_HIVES; k++) {
			if (!w->hive_stored[k] || strcmp(w->hive_stored[k], files[i].path))
				continue;
			char *from = xasprintf("%s/%s", xdir, files[i].path);
			char *to = xasprintf("%s/%s", w->hive_dir, hive_file(k));
			ret = wim_move_local(from, to);
			free(from);
			free(to);
			break;
		}
	}
	return ret;
}

/* The hive folder: the image's hives copied out once, under the names the engine opens. */
static enum wg_err make_hive_folder(struct target *t)
{
	struct wim_target *w = wim_priv(t);
	struct source_file files[WIM_HIVES];
	size_t n = 0;
	enum wg_err ret;
	char *xdir = NULL;

	w->hive_dir = xasprintf("%s/hives", w->dir);
	if (mkdir(w->hive_dir, 0700) < 0) {
		wg_error("cannot create '%s': %s", w->hive_dir, strerror(errno));
		ret = WG_ERR_IO;
		goto fail;
	}
	xdir = xasprintf("%s/hx", w->dir);
	if (mkdir(xdir, 0700) < 0) {
		wg_error("cannot create '%s': %s", xdir, strerror(errno));
		ret = WG_ERR_IO;
		goto fail;
	}
	memset(files, 0, sizeof(files));
	for (size_t i = 0; i < WIM_HIVES; i++) {
		ret = fetch_hive(t, i, files, &n);
		if (ret)
			goto fail;
	}
	ret = extract_hives(w, files, n, xdir);
	if (ret)
		goto fail;
	w->hive_fd = open(w->hive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->hive_fd < 0) {
		wg_error("cannot open '%s': %s", w->hive_dir, strerror(errno));
		ret = WG_ERR_IO;
		goto fail;
	}
	w->hive_display = xasprintf("'%s' image %d: %s", w->s->path, w->index, w->config);
	goto out;
fail:
	if (w->hive_dir) {
		wg_remove_tree(w->hive_dir);
		free(w->hive_dir);
		w->hive_dir = NULL;
	}
	for (size_t k = 0; k < WIM_HIVES; k++) {
		free(w->hive_stored[k]);
		w->hive_stored[k] = NULL;
		w->hive_vol[k] = NULL;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	if (xdir) {
		wg_remove_tree(xdir);
		free(xdir);
	}
	return ret;
}

static enum wg_err wim_hive_folder(struct target *t, int *dirfd, const char **display)
{
	struct wim_target *w = wim_priv(t);
	if (!w->hive_dir) {
		enum wg_err ret = make_hive_folder(t);
		if (ret)
			return ret;
	}
	*dirfd = w->hive_fd;
	*display = w->hive_display;
	return WG_OK;
}

/* Which hive (0 to WIM_HIVES - 1) the stored path is, or -1. */
static int hive_of(struct wim_target *w, const char *stored)
{
	const char *slash = strrchr(stored, '/');
	if (!slash || (size_t)(slash - stored) != strlen(w->config) ||
	    strncasecmp(stored, w->config, (size_t)(slash - stored)))
		return -1;
	return hive_index(slash + 1);
}


static enum wg_err wim_check_writable(struct target *t, const char *rel)
{
	struct wim_resolved r;
	enum wg_err ret = wim_resolve(t, rel, &r);
	if (ret)
		goto out;
	if (r.found == r.parts.n && r.is_dir) {
		wg_error("'%s' in %s is a folder; a file cannot be written there", r.stored.buf,
			 t->display);
		ret = WG_ERR_IO;
	} else if (r.found && r.found < r.parts.n && !r.is_dir) {
		wg_error("'%s' in %s is a file; '%s' cannot be made below it", r.stored.buf,
			 t->display, rel);
		ret = WG_ERR_IO;
	} else {
		ret = wim_can_write(wim_priv(t)->s);
	}
out:
	wim_resolved_release(&r);
	return ret;
}

/* Queue an ADD of local (kept until the WIM is written) at rel, listing the folders it makes. */
/* path cut after its k-th component */
static char *first_components(const char *path, size_t k)
{
	const char *p = path;
	for (size_t i = 0; i < k && p; i++) {
		p = strchr(p, '/');
		if (p && i + 1 < k)
			p++;
	}
	return p ? xstrndup(path, (size_t)(p - path)) : xstrdup(path);
}

/* An empty local folder: ADDed, it makes a folder (and its parents) in the image. */
static enum wg_err empty_dir(struct wim_session *s, const char **path)
{
	char *dir = xasprintf("%s/empty", s->tmpdir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		wg_error("cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		return WG_ERR_IO;
	}
	free(s->empty);
	s->empty = dir;
	*path = dir;
	return WG_OK;
}


/*
 * Queue local to be written at rel, listing the folders that will be made. With an origin,
 * the file comes from its NTFS volume image instead, with its metadata, and so do the
 * folders made for it, when the origin's path ends with the same folder names.
 */
static enum wg_err queue_add(struct target *t, const char *rel, const char *local,
			     struct strvec *created, const struct origin *o)
{
	struct wim_target *w = wim_priv(t);
	struct wim_resolved r;
	char *stored = NULL, *from = NULL, *top = NULL;
	const char *vol = NULL, *plain_dir = NULL;
	enum wg_err ret = wim_check_writable(t, rel);
	if (ret)
		return ret;
	ret = wim_resolve(t, rel, &r);
	if (ret)
		goto out;
	stored = wim_full_stored(&r);
	if (o)
		vol = wim_volume_of(w->s, o->wim, o->index, o->name, o->stored, o->size, false);
	if (vol) {
		/*
		 * The missing part of the path is taken from the volume as far as the origin's
		 * folders have the same names; folders above that are made plain, then the rest
		 * is moved into them (at least the file itself).
		 */
		size_t n = r.parts.n, missing = r.found == n ? 1 : n - r.found, keep;
		struct strvec sp = STRVEC_INIT;
		wim_split_rel(t, o->stored, &sp);
		for (keep = missing < sp.n ? missing : sp.n; keep > 1; keep--) {
			bool same = true;
			for (size_t j = 1; same && j < keep; j++)
				same = !strcmp(sp.v[sp.n - keep + j], r.parts.v[n - keep + j]);
			if (same)
				break;
		}
		from = first_components(o->stored, sp.n - keep + 1);
		top = first_components(stored, n - keep + 1);
		sv_clear(&sp);
		if (keep < missing) {
			char *folder = first_components(stored, n - keep);
			ret = empty_dir(w->s, &plain_dir);
			if (!ret)
				wim_queue_cmd(w, WIMLIB_UPDATE_OP_ADD, plain_dir, folder, 0);
			free(folder);
			if (ret)
				goto out;
		}
	}
	/* Every missing folder on the way: wimlib's ADD makes them. */
	struct strbuf dir = STRBUF_INIT;
	sb_addstr(&dir, r.stored.buf ? r.stored.buf : "");
	for (size_t i = r.found; i + 1 < r.parts.n; i++) {
		if (dir.len)
			sb_addch(&dir, '/');
		sb_addstr(&dir, r.parts.v[i]);
		wim_ov_set(w, dir.buf, OV_DIR, NULL);
		if (created)
			sv_push(created, dir.buf);
	}
	sb_release(&dir);
	int hive = hive_of(w, stored);
	if (hive >= 0 && w->hive_dir) {
		/* Keep the hive folder the engine edits in step with the image. */
		char *copy = xasprintf("%s/%s", w->hive_dir, hive_file(hive));
		if (strcmp(copy, local)) {
			char *tmp = xasprintf("%s/.%s.new", w->hive_dir, hive_file(hive));
			ret = wim_copy_local(local, tmp);
			if (!ret && rename(tmp, copy) < 0) {
				wg_error("cannot replace '%s': %s", copy, strerror(errno));
				ret = WG_ERR_IO;
			}
			unlink(tmp);
			free(tmp);
		}
		if (!ret && !w->hive_stored[hive])
			w->hive_stored[hive] = xstrdup(stored);
		free(copy);
		if (ret)
			goto out;
	}
	wim_ov_set(w, stored, OV_FILE, local);
	if (vol)
		wim_queue_volume(w, vol, from, top, NULL);
	else
		wim_queue_cmd(w, WIMLIB_UPDATE_OP_ADD, local, stored, 0);
out:
	free(stored);
	free(from);
	free(top);
	wim_resolved_release(&r);
	return ret;
}

static enum wg_err wim_write_file(struct target *t, const char *rel, const char *local,
				  struct strvec *created)
{
	/* ADD reads its file only when the WIM is written: keep a copy of our own. */
	struct wim_target *w = wim_priv(t);
	struct origin o;
	bool known = wim_find_origin(w, local, &o);
	char *staged = wim_staged_name(w);
	enum wg_err ret = WG_OK;
	if (link(local, staged) < 0)
		ret = wim_copy_local(local, staged);
	if (!ret)
		ret = queue_add(t, rel, staged, created, known ? &o : NULL);
	if (ret)
		unlink(staged);
	free(staged);
	free(o.stored);
	return ret;
}

static enum wg_err wim_write_buf(struct target *t, const char *rel, const void *buf, size_t len,
				 struct strvec *created)
{
	struct wim_target *w = wim_priv(t);
	char *staged = wim_staged_name(w);
	enum wg_err ret = WG_OK;
	int fd = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		wg_error("cannot create '%s': %s", staged, strerror(errno));
		ret = wg_err_from_errno(errno);
		goto out;
	}
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wg_error("cannot write '%s': %s", staged, strerror(errno));
			ret = wg_err_from_errno(errno);
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && !ret) {
		wg_error("cannot write '%s': %s", staged, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (!ret)
		ret = queue_add(t, rel, staged, created, NULL);
	if (ret)
		unlink(staged);
out:
	free(staged);
	return ret;
}

static enum wg_err wim_remove(struct target *t, const char *rel)
{
	struct wim_target *w = wim_priv(t);
	struct wim_resolved r;
	enum wg_err ret = wim_resolve(t, rel, &r);
	if (ret)
		goto out;
	if (r.found < r.parts.n) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (r.is_dir) {
		wg_error("'%s' in %s is a folder; refusing to remove it as a file", r.stored.buf,
			 t->display);
		ret = WG_ERR_IO;
		goto out;
	}
	ret = wim_can_write(w->s);
	if (ret)
		goto out;
	wim_queue_cmd(w, WIMLIB_UPDATE_OP_DELETE, NULL, r.stored.buf, 0);
	wim_ov_set(w, r.stored.buf, OV_DELETED, NULL);
out:
	wim_resolved_release(&r);
	return ret;
}

struct child_scan {
	struct wim_target *w;
};

static int child_cb(const struct wimlib_dir_entry *d, void *arg)
{
	struct child_scan *cs = arg;
	const char *p = d->full_path;
	while (*p == '/')
		p++;
	struct overlay *o = wim_ov_find(cs->w, p);
	return o && o->kind == OV_DELETED ? 0 : 1;   /* 1 stops the walk: a child is left */
}

/* Does the folder have anything in it once the queued changes are made? */
static enum wg_err has_children(struct wim_target *w, const struct wim_resolved *r, bool *any)
{
	*any = false;
	for (size_t i = 0; i < w->nov; i++) {
		if (w->ov[i].kind != OV_DELETED && wim_is_below(w->ov[i].path, r->stored.buf)) {
			*any = true;
			return WG_OK;
		}
	}
	if (!r->in_image)
		return WG_OK;
	struct child_scan cs = { w };
	char *p = xasprintf("/%s", r->stored.buf);
	int wret = wimlib_iterate_dir_tree(w->s->wim, w->index, p,
					   WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN, child_cb, &cs);
	free(p);
	if (wret == 1) {
		*any = true;
		return WG_OK;
	}
	return wret ? source_wim_error(w->s->path, wret) : WG_OK;
}

static enum wg_err wim_rmdir(struct target *t, const char *rel)
{
	struct wim_target *w = wim_priv(t);
	struct wim_resolved r;
	bool any;
	enum wg_err ret = wim_resolve(t, rel, &r);
	if (ret)
		goto out;
	if (r.found < r.parts.n) {
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	if (!r.is_dir) {
		wg_error("'%s' in %s is not a folder", r.stored.buf, t->display);
		ret = WG_ERR_IO;
		goto out;
	}
	ret = has_children(w, &r, &any);
	if (ret || any)
		goto out;
	ret = wim_can_write(w->s);
	if (ret)
		goto out;
	wim_queue_cmd(w, WIMLIB_UPDATE_OP_DELETE, NULL, r.stored.buf, WIMLIB_DELETE_FLAG_RECURSIVE);
	wim_ov_set(w, r.stored.buf, OV_DELETED, NULL);
out:
	wim_resolved_release(&r);
	return ret;
}

static enum wg_err wim_hives_committed(struct target *t, const char *const *names, size_t n)
{
	struct wim_target *w = wim_priv(t);
	if (!w->hive_dir) {
		wg_error("internal error: hives of %s committed before their folder was made",
			 t->display);
		return WG_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		int k = hive_index(names[i]);
		if (k < 0) {
			wg_error("internal error: '%s' is not a hive %s knows", names[i], t->display);
			return WG_ERR_INTERNAL;
		}
		char *local = xasprintf("%s/%s", w->hive_dir, hive_file(k));
		char *stored = w->hive_stored[k] ? xstrdup(w->hive_stored[k])
						 : xasprintf("%s/%s", w->config, hive_file(k));
		/* One ADD per hive is enough: it reads the folder's file when the WIM is written. */
		struct overlay *o = wim_ov_find(w, stored);
		const struct wim_cmd *last = w->ncmds ? &w->cmds[w->ncmds - 1] : NULL;
		bool queued = o && o->kind == OV_FILE && !strcmp(o->local, local) && last &&
			      last->op == WIMLIB_UPDATE_OP_ADD &&
			      (w->hive_vol[k] ? last->vol == w->hive_vol[k]
					      : last->local && !strcmp(last->local, local));
		enum wg_err ret = WG_OK;
		if (queued) {
			/* nothing more to queue */
		} else if (w->hive_vol[k]) {
			/* back into its own volume at commit, keeping its metadata, then into the image */
			ret = wim_can_write(w->s);
			if (!ret) {
				wim_ov_set(w, stored, OV_FILE, local);
				wim_queue_volume(w, w->hive_vol[k], stored, stored, local);
			}
		} else {
			ret = queue_add(t, stored, local, NULL, NULL);
		}
		if (!ret && !w->hive_stored[k])
			w->hive_stored[k] = xstrdup(stored);
		free(local);
		free(stored);
		if (ret)
			return ret;
	}
	return WG_OK;
}

static void wim_close(struct target *t)
{
	struct wim_target *w = wim_priv(t);
	if (!w)
		return;
	for (size_t i = 0; i < w->nov; i++) {
		free(w->ov[i].path);
		free(w->ov[i].local);
	}
	free(w->ov);
	wim_cmds_release(w);
	free(w->cmds);
	for (size_t i = 0; i < w->ncopies; i++) {
		free(w->copies[i].local);
		free(w->copies[i].stored);
	}
	free(w->copies);
	if (w->hive_fd >= 0)
		close(w->hive_fd);
	for (size_t k = 0; k < WIM_HIVES; k++)
		free(w->hive_stored[k]);
	free(w->hive_dir);
	free(w->hive_display);
	free(w->config);
	free(w->dir);
	free(w);
	t->priv = NULL;
}

const struct target_ops wim_ops = {
	.lookup = wim_lookup,
	.hash = wim_hash,
	.info = wim_info,
	.read = wim_read,
	.copy_out = wim_copy_out,
	.hive_folder = wim_hive_folder,
	.check_writable = wim_check_writable,
	.write_file = wim_write_file,
	.write_buf = wim_write_buf,
	.remove = wim_remove,
	.rmdir_if_empty = wim_rmdir,
	.hives_committed = wim_hives_committed,
	.close = wim_close,
};

enum wg_err wim_make_target(struct wim_session *s, int index, struct target **out)
{
	struct target *t = xcalloc(1, sizeof(*t));
	struct wim_target *w = xcalloc(1, sizeof(*w));
	struct wim_resolved r;
	enum wg_err ret;
	const char *name = wimlib_get_image_name(s->wim, index);

	w->s = s;
	w->index = index;
	w->hive_fd = -1;
	t->ops = &wim_ops;
	t->priv = w;
	t->display = name && *name ? xasprintf("'%s' image %d (%s)", s->path, index, name)
				   : xasprintf("'%s' image %d", s->path, index);
	ret = wim_resolve(t, TARGET_CONFIG_DIR "/SYSTEM", &r);
	if (!ret && (r.found < r.parts.n || r.is_dir)) {
		wg_error("%s does not hold a Windows image: no file %s/SYSTEM", t->display,
			 TARGET_CONFIG_DIR);
		ret = WG_ERR_NOT_IMAGE_DIR;
	}
	if (!ret) {
		char *slash = strrchr(r.stored.buf, '/');
		w->config = xstrndup(r.stored.buf, (size_t)(slash - r.stored.buf));
		w->dir = xasprintf("%s/%d", s->tmpdir, index);
		char *staged = xasprintf("%s/staged", w->dir);
		if (mkdir(w->dir, 0700) < 0 || mkdir(staged, 0700) < 0) {
			wg_error("cannot create '%s': %s", staged, strerror(errno));
			ret = WG_ERR_IO;
		}
		free(staged);
	}
	wim_resolved_release(&r);
	if (ret) {
		target_close(t);
		return ret;
	}
	*out = t;
	return WG_OK;
}
