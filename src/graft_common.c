/*
 * graft_common.c - small reads of a target, its undo record and its log,
 * shared by apply, verify and remove.
 */
#include "graft_common.h"

#include <stdlib.h>
#include <string.h>

enum wg_err target_read_small(struct target *t, const char *rel, char **actual,
			      unsigned char **data, size_t *len, bool *found)
{
	char *stored = NULL;
	enum wg_err ret = t->ops->lookup(t, rel, &stored, NULL);
	*found = false;
	*data = NULL;
	*len = 0;
	if (ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	if (!ret)
		ret = t->ops->read(t, stored, SMALL_FILE_MAX, data, len);
	if (!ret)
		*found = true;
	if (!ret && actual)
		*actual = stored;
	else
		free(stored);
	return ret;
}

/* One path a record names can be reached in the target: absent, or found without a symlink. */
static enum wg_err check_reachable(struct target *t, const char *display, const char *field,
				   size_t i, const char *rel)
{
	enum wg_err ret = t->ops->lookup(t, rel, NULL, NULL);
	if (!ret || ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	wg_error("undo record %s is invalid: '%s[%zu]' ('%s') cannot be reached safely", display,
		 field, i, rel);
	return WG_ERR_UNDO;
}

/* Every path of a record, checked in the target before anything is planned from it. */
static enum wg_err check_record_paths(struct target *t, const char *display,
				      const struct undo_record *u)
{
	enum wg_err ret = WG_OK;
	for (size_t i = 0; !ret && i < u->nfiles; i++) {
		ret = check_reachable(t, display, "files", i, u->files[i].path);
		if (!ret && u->files[i].backup)
			ret = check_reachable(t, display, "files", i, u->files[i].backup);
	}
	for (size_t i = 0; !ret && i < u->created_dirs.n; i++)
		ret = check_reachable(t, display, "created_dirs", i, u->created_dirs.v[i]);
	for (size_t i = 0; !ret && i < u->nhives; i++)
		ret = check_reachable(t, display, "hives", i, u->hives[i].backup);
	return ret;
}

enum wg_err target_read_undo(struct target *t, const char *feature, struct undo_record *u,
			     bool *found)
{
	char *rel = undo_path(feature), *actual = NULL;
	unsigned char *data;
	size_t len;
	enum wg_err ret = target_read_small(t, rel, &actual, &data, &len, found);
	if (!ret && *found) {
		char *display = xasprintf("'%s' in %s", actual, t->display);
		ret = undo_parse(display, (const char *)data, len, u);
		if (!ret && strcmp(u->feature, feature)) {
			wg_error("undo record %s is invalid: 'feature' is '%s', not '%s'", display,
				 u->feature, feature);
			ret = WG_ERR_UNDO;
		}
		if (!ret)
			ret = check_record_paths(t, display, u);
		if (ret)
			undo_release(u);
		free(display);
		*found = ret == WG_OK;
	}
	free(data);
	free(actual);
	free(rel);
	return ret;
}

char *now_utc(void)
{
	char buf[WG_STAMP_SIZE];
	wg_utc_stamp(buf);
	return xstrdup(buf);
}

enum wg_err target_append_log(struct target *t, const char *line)
{
	unsigned char *data;
	size_t len;
	bool found;
	struct strbuf sb = STRBUF_INIT;
	enum wg_err ret = target_read_small(t, UNDO_LOG, NULL, &data, &len, &found);
	if (!ret) {
		sb_add(&sb, data, len);
		char *stamp = now_utc();
		sb_addf(&sb, "%s %s\r\n", stamp, line);
		free(stamp);
		ret = t->ops->write_buf(t, UNDO_LOG, sb.buf, sb.len, NULL);
	}
	free(data);
	sb_release(&sb);
	return ret;
}

void sv_push_unique(struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return;
	sv_push(sv, s);
}
