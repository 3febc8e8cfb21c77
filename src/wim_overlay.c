/*
 * wim_overlay.c - one image of a WIM as this session has changed it: paths split and
 * resolved through the queue of changes (the overlay), image files extracted or copied locally.
 */
#include "wim_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

/* ---- paths and the overlay ------------------------------------------------------- */

/* Split rel at '/' and '\', refusing what could not name a path inside the image. */
enum wg_err wim_split_rel(const struct target *t, const char *rel, struct strvec *out)
{
	const char *p = rel;
	if (!rel || !*rel) {
		wg_error("an empty path cannot name a file in %s", t->display);
		return WG_ERR_UNSAFE_PATH;
	}
	if (*rel == '/' || *rel == '\\' ||
	    (((*rel | 0x20) >= 'a' && (*rel | 0x20) <= 'z') && rel[1] == ':')) {
		wg_error("'%s' is an absolute path; expected a path inside %s", rel, t->display);
		return WG_ERR_UNSAFE_PATH;
	}
	for (;;) {
		size_t n = strcspn(p, "/\\");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			wg_error("'%s' has an empty, '.' or '..' component; refusing it", rel);
			sv_clear(out);
			return WG_ERR_UNSAFE_PATH;
		}
		sv_push_nodup(out, xstrndup(p, n));
		if (!p[n])
			return WG_OK;
		p += n + 1;
	}
}

struct overlay *wim_ov_find(struct wim_target *w, const char *path)
{
	for (size_t i = 0; i < w->nov; i++)
		if (wg_streq_nocase(w->ov[i].path, path))
			return &w->ov[i];
	return NULL;
}

/* Is path below dir (case-insensitively)? */
bool wim_is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strlen(path) <= n || path[n] != '/')
		return false;
	char *head = xstrndup(path, n);
	bool below = wg_streq_nocase(head, dir);
	free(head);
	return below;
}

void wim_ov_set(struct wim_target *w, const char *path, enum ov_kind kind, const char *local)
{
	if (kind == OV_DELETED) {
		/* A deleted folder takes everything queued below it along. */
		size_t keep = 0;
		for (size_t i = 0; i < w->nov; i++) {
			if (wim_is_below(w->ov[i].path, path)) {
				free(w->ov[i].path);
				free(w->ov[i].local);
				continue;
			}
			w->ov[keep++] = w->ov[i];
		}
		w->nov = keep;
	}
	struct overlay *o = wim_ov_find(w, path);
	if (!o) {
		w->ov = xrealloc(w->ov, (w->nov + 1) * sizeof(*w->ov));
		o = &w->ov[w->nov++];
		o->path = xstrdup(path);
	} else {
		free(o->local);
		if (strcmp(o->path, path)) {
			free(o->path);
			o->path = xstrdup(path);
		}
	}
	o->kind = kind;
	o->local = local ? xstrdup(local) : NULL;
}

/* ---- reading the image ------------------------------------------------------------- */

/* wim_entry in the target image as it was opened. */
static enum wg_err image_entry(struct wim_target *w, const char *path, struct image_entry *e)
{
	return wim_entry(w->s->wim, w->index, w->s->path, path, e);
}

void wim_resolved_release(struct wim_resolved *r)
{
	sv_clear(&r->parts);
	sb_release(&r->stored);
	free(r->local);
	memset(r, 0, sizeof(*r));
}

enum wg_err wim_resolve(struct target *t, const char *rel, struct wim_resolved *r)
{
	struct wim_target *w = wim_priv(t);
	bool under_image = true;
	enum wg_err ret;

	memset(r, 0, sizeof(*r));
	ret = wim_split_rel(t, rel, &r->parts);
	if (ret)
		return ret;
	for (size_t i = 0; i < r->parts.n; i++) {
		char *cand = r->stored.len ? xasprintf("%s/%s", r->stored.buf, r->parts.v[i])
					   : xstrdup(r->parts.v[i]);
		struct overlay *o = wim_ov_find(w, cand);
		struct image_entry e = { 0 };
		if (o) {
			free(cand);
			if (o->kind == OV_DELETED)
				break;
			sb_reset(&r->stored);
			sb_addstr(&r->stored, o->path);
			r->is_dir = o->kind == OV_DIR;
			r->in_image = false;
			r->has_sd = false;
			free(r->local);
			r->local = o->local ? xstrdup(o->local) : NULL;
			if (r->is_dir)
				under_image = false;   /* made by this session: nothing of the image below */
		} else if (under_image) {
			ret = image_entry(w, cand, &e);
			free(cand);
			if (ret == WG_ERR_NOT_FOUND)
				break;
			if (ret)
				return ret;
			sb_reset(&r->stored);
			sb_addstr(&r->stored, e.stored);
			free(e.stored);
			r->is_dir = e.is_dir;
			r->in_image = true;
			r->has_sd = e.has_sd;
			free(r->local);
			r->local = NULL;
			r->size = e.size;
			memcpy(r->sha1, e.sha1, 20);
		} else {
			free(cand);
			break;
		}
		r->found = i + 1;
		if (!r->is_dir)
			break;
	}
	return WG_OK;
}

/* The stored spelling of the found components, then the given spelling of the rest. */
char *wim_full_stored(const struct wim_resolved *r)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, r->stored.buf ? r->stored.buf : "");
	for (size_t i = r->found; i < r->parts.n; i++) {
		if (sb.len)
			sb_addch(&sb, '/');
		sb_addstr(&sb, r->parts.v[i]);
	}
	return sb_detach(&sb);
}

enum wg_err wim_find_file(struct target *t, const char *rel, struct wim_resolved *r)
{
	enum wg_err ret = wim_resolve(t, rel, r);
	if (ret)
		return ret;
	if (r->found < r->parts.n)
		return WG_ERR_NOT_FOUND;
	if (r->is_dir) {
		wg_error("'%s' in %s is a folder, not a file", r->stored.buf, t->display);
		return WG_ERR_IO;
	}
	return WG_OK;
}

/* ---- local files ------------------------------------------------------------------- */

enum wg_err wim_copy_local(const char *from, const char *to)
{
	enum wg_err ret;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		wg_error("cannot open '%s': %s", from, strerror(errno));
		return WG_ERR_IO;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		wg_error("cannot create '%s': %s", to, strerror(errno));
		close(in);
		return wg_err_from_errno(errno);
	}
	ret = copy_fd(in, from, out, to);
	close(in);
	if (close(out) < 0 && !ret) {
		wg_error("cannot write '%s': %s", to, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		unlink(to);
	return ret;
}

/* Move a file (a rename within the session's folder, a copy across file systems). */
enum wg_err wim_move_local(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return WG_OK;
	if (errno != EXDEV) {
		wg_error("cannot move '%s' to '%s': %s", from, to, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return wim_copy_local(from, to);
}

char *wim_staged_name(struct wim_target *w)
{
	return xasprintf("%s/staged/%u", w->dir, w->s->seq++);
}

/* Extract the image's own file (stored spelling) to local_path, its hash checked. */
enum wg_err wim_extract_to(struct wim_target *w, const struct wim_resolved *r, const char *local)
{
	char *dir = xasprintf("%s/x.XXXXXX", w->dir);
	enum wg_err ret;
	if (!mkdtemp(dir)) {
		wg_error("cannot create a temporary folder '%s': %s", dir, strerror(errno));
		free(dir);
		return WG_ERR_IO;
	}
	struct source_file f = { .path = r->stored.buf, .size = r->size };
	memcpy(f.sha1, r->sha1, 20);
	ret = source_extract(w->s->src, w->index, &f, 1, dir);
	if (!ret) {
		char *got = xasprintf("%s/%s", dir, r->stored.buf);
		ret = wim_move_local(got, local);
		free(got);
	}
	wg_remove_tree(dir);
	free(dir);
	return ret;
}
