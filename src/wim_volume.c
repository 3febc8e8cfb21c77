/*
 * wim_volume.c - the NTFS volume image route of the WIM backend: image files extracted into
 * volume images, so that what is added from them keeps security descriptors and attributes.
 */
#include "wim_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wimlib.h>

#include "ntfsvol.h"
#include "source.h"

/* ---- NTFS volume images: the route that carries security descriptors and attributes ---- */

/* The session's pool of volumes, or NULL when the route is off (mkntfs missing, or turned off). */
static struct ntfsvol_pool *volume_pool(struct wim_session *s)
{
	if (s->plain)
		return NULL;
	if (!s->pool) {
		char *dir = xasprintf("%s/volumes", s->tmpdir);
		enum wg_err ret = WG_OK;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			wg_error("cannot create '%s': %s", dir, strerror(errno));
			ret = WG_ERR_IO;
		} else {
			ret = ntfsvol_pool_new(dir, &s->pool);
		}
		if (ret == WG_ERR_NOT_FOUND)
			wg_warning("mkntfs (package ntfs-3g) is not installed: files added to '%s' get no "
				   "security descriptor and the attributes of a plain file", s->path);
		free(dir);
		if (ret) {
			s->plain = true;
			return NULL;
		}
	}
	return s->pool;
}

/*
 * The volume holding stored (and its folders) of image index of wim, with their NTFS
 * metadata: made once, shared by every target. NULL (with a warning) when it cannot be made.
 */
const char *wim_volume_of(struct wim_session *s, WIMStruct *wim, int index, const char *name,
			  const char *stored, uint64_t size, bool own)
{
	for (size_t i = 0; i < s->nvols && !own; i++)
		if (!s->vols[i].own && s->vols[i].wim == wim && s->vols[i].index == index &&
		    !strcmp(s->vols[i].stored, stored))
			return s->vols[i].vol;
	struct ntfsvol_pool *pool = volume_pool(s);
	char *vol = NULL;
	if (!pool || ntfsvol_new(pool, size, &vol))
		return NULL;
	char *path = xasprintf("/%s", stored);
	const char *paths[] = { path };
	errno = 0;
	int wret = wimlib_extract_paths(wim, index, vol, paths, 1, WIMLIB_EXTRACT_FLAG_NTFS);
	free(path);
	if (wret) {
		wg_warning("'%s' image %d: cannot extract '%s' into an NTFS volume image (%s); it is "
			   "added without its security descriptor and attributes", name, index, stored,
			   source_wimlib_error(wret));
		unlink(vol);
		free(vol);
		return NULL;
	}
	s->vols = xrealloc(s->vols, (s->nvols + 1) * sizeof(*s->vols));
	s->vols[s->nvols++] = (struct volume){ wim, index, xstrdup(stored), vol, own };
	return vol;
}

bool wim_same_content(const char *local, uint64_t size, const uint8_t sha1[20])
{
	struct stat st;
	uint8_t got[20];
	if (stat(local, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
		return false;
	if (size == 0)
		return sha1_is_zero(sha1);
	return sha1_file(local, got) == WG_OK && !memcmp(got, sha1, 20);
}

/*
 * Find the origin of local: a file this target's copy_out wrote, or a file of the session's
 * source image whose path ends local's path (the engine stages the payload under its source
 * paths), in both cases with the same content.
 */
bool wim_find_origin(struct wim_target *w, const char *local, struct origin *o)
{
	struct wim_session *s = w->s;
	memset(o, 0, sizeof(*o));
	for (size_t i = w->ncopies; i-- > 0;) {
		const struct copied *c = &w->copies[i];
		if (strcmp(c->local, local))
			continue;
		/* without a security descriptor a plain file is as faithful (NTFS would add one) */
		if (!c->has_sd || !wim_same_content(local, c->size, c->sha1))
			return false;
		*o = (struct origin){ s->wim, w->index, s->path, xstrdup(c->stored), c->size };
		return true;
	}
	if (!s->src_wim)
		return false;
	for (const char *p = strchr(local, '/'); p; p = strchr(p + 1, '/')) {
		struct image_entry e;
		if (!p[1] || wim_entry(s->src_wim, s->src_index, s->src_path, p + 1, &e))
			continue;
		bool match = !e.is_dir && wim_same_content(local, e.size, e.sha1);
		if (match && !e.has_sd) {
			free(e.stored);
			return false;
		}
		if (match) {
			*o = (struct origin){ s->src_wim, s->src_index, s->src_path, e.stored, e.size };
			return true;
		}
		free(e.stored);
	}
	return false;
}

/* Queue the NTFS route: the volume's from (a file or the folder holding it) moved onto top. */
void wim_queue_volume(struct wim_target *w, const char *vol, const char *from, const char *top,
		      const char *sync)
{
	wim_queue_cmd(w, WIMLIB_UPDATE_OP_ADD, NULL, top, 0);
	struct wim_cmd *c = &w->cmds[w->ncmds - 1];
	c->vol = vol;
	c->vol_from = xstrdup(from);
	c->sync = sync ? xstrdup(sync) : NULL;
}
