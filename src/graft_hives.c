/*
 * graft_hives.c - whole hives kept by apply: the original of each hive it changes is kept in
 * the image (Windows/Logs/wimgraft/backup/<feature>/hives/), and remove puts it back when the
 * hive is byte-identical to what apply left, so that apply and remove leave no dead cells.
 */
#include "graft_hives.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "reg_change.h"
#include "reg_hives.h"
#include "reg_undo_json.h"

static char *config_path(const char *hive)
{
	return xasprintf("%s/%s", TARGET_CONFIG_DIR, hive);
}

/* Size and SHA-1 of a file of the target; *found false (no error) when it is not there. */
static enum wg_err target_hash(struct target *t, const char *rel, bool *found, uint64_t *size,
			       uint8_t sha1[20])
{
	char *actual = NULL;
	bool is_dir = false;
	*found = false;
	enum wg_err ret = t->ops->lookup(t, rel, &actual, &is_dir);
	if (ret == WG_ERR_NOT_FOUND || (!ret && is_dir)) {
		free(actual);
		return WG_OK;
	}
	if (!ret)
		ret = t->ops->hash(t, actual, size, sha1);
	*found = !ret;
	free(actual);
	return ret;
}

/* Is the target's file rel exactly size bytes with this SHA-1? */
static enum wg_err target_same(struct target *t, const char *rel, uint64_t size,
			       const uint8_t sha1[20], bool *same)
{
	uint64_t n = 0;
	uint8_t h[20];
	bool found;
	enum wg_err ret = target_hash(t, rel, &found, &n, h);
	*same = !ret && found && n == size && !memcmp(h, sha1, 20);
	return ret;
}

/* Copy the hive file from the set's folder (before it is written: the original) to local. */
static enum wg_err copy_hive(struct hive_set *s, const char *hive, const char *local,
			     uint64_t *size, uint8_t sha1[20])
{
	int dirfd, in, out;
	const char *name;
	enum wg_err ret = hive_set_file(s, hive, &dirfd, &name);
	if (ret) {
		wg_error("'%s/%s' not found", hive_set_display(s), hive);
		return ret == WG_ERR_NOT_FOUND ? WG_ERR_IO : ret;
	}
	char *display = xasprintf("%s/%s", hive_set_display(s), name);
	in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	out = in < 0 ? -1 : open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		wg_error("cannot copy '%s' to '%s': %s", display, local, strerror(errno));
		ret = wg_err_from_errno(errno);
	} else {
		ret = copy_fd(in, display, out, local);
		if (close(out) < 0 && !ret) {
			wg_error("cannot write '%s': %s", local, strerror(errno));
			ret = wg_err_from_errno(errno);
		}
		out = -1;
	}
	struct stat st;
	if (!ret && stat(local, &st) < 0)
		ret = WG_ERR_IO;
	if (!ret) {
		*size = (uint64_t)st.st_size;
		ret = sha1_file(local, sha1);
	}
	if (in >= 0)
		close(in);
	free(display);
	return ret;
}

/* Keep the entries of an earlier apply whose hive is still as it left it; drop the others. */
static enum wg_err keep_earlier(struct target *t, struct undo_record *rec)
{
	enum wg_err ret = WG_OK;
	size_t k = 0;
	for (size_t i = 0; i < rec->nhives; i++) {
		struct undo_hive *h = &rec->hives[i];
		bool same = false;
		if (!ret) {
			char *rel = config_path(h->name);
			ret = target_same(t, rel, h->size, h->sha1, &same);
			free(rel);
		}
		if (!ret && !same) {
			wg_verbose("%s: %s changed since the last apply: its original is no longer kept; "
				   "remove will undo its changes key by key", t->display, h->name);
			ret = t->ops->remove(t, h->backup);
			if (ret == WG_ERR_NOT_FOUND)
				ret = WG_OK;
		}
		if (same) {
			rec->hives[k++] = *h;
		} else {
			free(h->name);
			free(h->backup);
		}
	}
	rec->nhives = k;
	return ret;
}

static bool named(const struct strvec *v, const char *s)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (wg_streq_nocase(v->v[i], s))
			return true;
	return false;
}

enum wg_err graft_hives_keep(struct graft_reg *r, struct target *t, struct undo_record *rec,
			     const struct strvec *prev_changed, const char *staging,
			     struct strvec *created)
{
	struct hive_set *s = r->set;
	struct strvec mod = STRVEC_INIT;
	enum wg_err ret = keep_earlier(t, rec);
	if (s)
		hive_set_modified(s, &mod);   /* borrowed names */
	for (size_t i = 0; !ret && i < mod.n; i++) {
		const char *name = mod.v[i];
		if (undo_find_hive(rec, name))
			continue;
		if (named(prev_changed, name)) {
			wg_verbose("%s: an earlier apply changed %s without keeping its original: remove "
				   "will undo the changes key by key", t->display, name);
			continue;
		}
		char *local = xasprintf("%s/backup/hive-%s", staging, name);
		char *backup = undo_hive_backup_path(rec->feature, name);
		uint64_t size = 0;
		uint8_t sha1[20];
		ret = copy_hive(s, name, local, &size, sha1);
		if (!ret)
			ret = t->ops->check_writable(t, backup);
		if (!ret)
			ret = t->ops->write_file(t, backup, local, created);
		if (!ret) {
			struct undo_hive *h = undo_add_hive(rec, name);
			h->backup = backup;
			backup = NULL;
			h->old_size = size;
			memcpy(h->old_sha1, sha1, 20);
			wg_verbose("kept the original %s in %s", name, h->backup);
		}
		free(backup);
		free(local);
	}
	free(mod.v);
	return ret;
}

enum wg_err graft_hives_note(struct target *t, struct undo_record *rec)
{
	enum wg_err ret = WG_OK;
	for (size_t i = 0; !ret && i < rec->nhives; i++) {
		struct undo_hive *h = &rec->hives[i];
		char *rel = config_path(h->name);
		bool found = false;
		ret = target_hash(t, rel, &found, &h->size, h->sha1);
		if (!ret && !found) {
			wg_error("'%s' is missing from %s after it was written", rel, t->display);
			ret = WG_ERR_IO;
		}
		free(rel);
	}
	return ret;
}

/* Why hive h cannot be put back whole, or NULL when it can. */
static enum wg_err why_not_whole(struct target *t, const struct undo_hive *h, const char **why)
{
	bool same;
	char *rel = config_path(h->name);
	enum wg_err ret = target_same(t, rel, h->size, h->sha1, &same);
	free(rel);
	*why = NULL;
	if (!ret && !same) {
		*why = "is not as apply left it (Windows has run, or it was edited since)";
		return WG_OK;
	}
	if (!ret)
		ret = target_same(t, h->backup, h->old_size, h->old_sha1, &same);
	if (!ret && !same)
		*why = "has no intact original in the backup folder";
	return ret;
}

enum wg_err graft_hives_plan_restore(struct target *t, const struct undo_record *rec,
				     const char *tmpdir, struct hive_restore *hr)
{
	enum wg_err ret = WG_OK;
	memset(hr, 0, sizeof(*hr));
	hr->whole = xcalloc(rec->nhives + 1, sizeof(*hr->whole));
	hr->local = xcalloc(rec->nhives + 1, sizeof(*hr->local));
	for (size_t i = 0; !ret && i < rec->nhives; i++) {
		const struct undo_hive *h = &rec->hives[i];
		const char *why;
		ret = why_not_whole(t, h, &why);
		if (ret)
			break;
		if (why) {
			wg_verbose("%s: %s %s: its changes are undone key by key", t->display, h->name,
				   why);
			continue;
		}
		char *actual = NULL;
		uint8_t sha1[20];
		hr->local[i] = xasprintf("%s/hive-%s", tmpdir, h->name);
		ret = t->ops->lookup(t, h->backup, &actual, NULL);
		if (!ret)
			ret = t->ops->copy_out(t, actual, hr->local[i]);
		if (!ret)
			ret = sha1_file(hr->local[i], sha1);
		if (!ret && memcmp(sha1, h->old_sha1, 20)) {
			wg_error("'%s' in %s changed while it was read", actual, t->display);
			ret = WG_ERR_HASH;
		}
		free(actual);
		if (ret)
			break;
		hr->whole[i] = true;
		sv_push(&hr->names, h->name);
		wg_verbose("%s: %s is as apply left it: its original is put back whole", t->display,
			   h->name);
	}
	return ret;
}

/* Replace the hive file in the set's folder by local, atomically. */
static enum wg_err put_back(struct hive_set *s, const char *hive, const char *local)
{
	int dirfd;
	const char *name;
	struct atomic_file af = ATOMIC_FILE_INIT;
	enum wg_err ret = hive_set_file(s, hive, &dirfd, &name);
	if (ret) {
		wg_error("'%s/%s' not found", hive_set_display(s), hive);
		return ret == WG_ERR_NOT_FOUND ? WG_ERR_IO : ret;
	}
	char *display = xasprintf("%s/%s", hive_set_display(s), name);
	int in = open(local, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		wg_error("cannot open '%s': %s", local, strerror(errno));
		ret = WG_ERR_IO;
	}
	if (!ret)
		ret = atomic_begin(dirfd, name, display, 0644, &af);
	if (!ret)
		ret = atomic_copy_fd(&af, in);
	if (!ret)
		ret = atomic_commit(&af);
	atomic_abort(&af);
	if (in >= 0)
		close(in);
	free(display);
	return ret;
}

enum wg_err graft_hives_restore(struct graft_reg *r, struct target *t,
				const struct undo_record *rec, const struct hive_restore *hr)
{
	enum wg_err ret = WG_OK;
	for (size_t i = 0; !ret && i < rec->nhives; i++) {
		if (!hr->whole || !hr->whole[i])
			continue;
		const char *names[1] = { rec->hives[i].name };
		if (t->ops->hives_will_change)
			ret = t->ops->hives_will_change(t, names, 1);
		if (!ret)
			ret = put_back(r->set, names[0], hr->local[i]);
		if (!ret)
			ret = t->ops->hives_committed(t, names, 1);
		if (!ret)
			wg_verbose("%s: put back the original %s", t->display, names[0]);
	}
	return ret;
}

enum wg_err graft_hives_forget(struct target *t, const struct undo_record *rec)
{
	enum wg_err ret = WG_OK;
	for (size_t i = 0; !ret && i < rec->nhives; i++) {
		ret = t->ops->remove(t, rec->hives[i].backup);
		if (ret == WG_ERR_NOT_FOUND)
			ret = WG_OK;
	}
	return ret;
}

void hive_restore_release(const struct undo_record *rec, struct hive_restore *hr)
{
	for (size_t i = 0; hr->local && i < rec->nhives; i++) {
		if (hr->local[i])
			unlink(hr->local[i]);
		free(hr->local[i]);
	}
	free(hr->local);
	free(hr->whole);
	sv_clear(&hr->names);
	memset(hr, 0, sizeof(*hr));
}

void graft_hives_from_earlier(const struct undo_record *prev, struct undo_record *rec,
			      struct strvec *prev_changed)
{
	for (size_t i = 0; i < prev->nhives; i++) {
		const struct undo_hive *p = &prev->hives[i];
		struct undo_hive *h = undo_add_hive(rec, p->name);
		h->backup = xstrdup(p->backup);
		h->old_size = p->old_size;
		memcpy(h->old_sha1, p->old_sha1, 20);
		h->size = p->size;
		memcpy(h->sha1, p->sha1, 20);
	}
	struct reg_changes list = { 0 };
	if (prev->registry && !reg_changes_from_json(prev->registry, &list))
		for (size_t i = 0; i < list.n; i++)
			if (!list.v[i].unchanged && !named(prev_changed, list.v[i].hive))
				sv_push(prev_changed, list.v[i].hive);
	reg_changes_release(&list);
}
