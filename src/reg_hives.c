/*
 * reg_hives.c - the offline hives of one image: root keys routed to hive files, the
 * files opened lazily, CurrentControlSet mapped, every edited hive committed together.
 */
#include "reg_hives.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "regop.h"

/* ---- routing ---- */

static const char *const hive_names[] = {
	"SYSTEM", "SOFTWARE", "DRIVERS", "SAM", "SECURITY", "DEFAULT",
};
#define NHIVES ARRAY_SIZE(hive_names)

/* Does path start with the component comp (case-insensitive)? *rest gets what follows. */
static bool first_is(const char *path, const char *comp, const char **rest)
{
	size_t n = strlen(comp);
	if (strncasecmp(path, comp, n) || (path[n] && path[n] != '\\'))
		return false;
	*rest = path[n] ? path + n + 1 : path + n;
	return true;
}

enum wg_err reg_route(const char *key, const char *origin, unsigned line, const char **hive,
		      const char **rest)
{
	const char *r;
	if (first_is(key, "HKEY_LOCAL_MACHINE", &r) || first_is(key, "HKLM", &r)) {
		for (size_t i = 0; i < NHIVES; i++)
			if (strcmp(hive_names[i], "DEFAULT") && first_is(r, hive_names[i], rest)) {
				*hive = hive_names[i];
				return WG_OK;
			}
	} else if (first_is(key, "HKEY_USERS", &r) || first_is(key, "HKU", &r)) {
		if (first_is(r, ".DEFAULT", rest)) {
			*hive = "DEFAULT";
			return WG_OK;
		}
	}
	if (origin)
		wg_error("'%s' line %u: no offline hive holds '%s' (keys must be under "
			 "HKEY_LOCAL_MACHINE\\SYSTEM, SOFTWARE, DRIVERS, SAM, SECURITY or "
			 "HKEY_USERS\\.DEFAULT)", origin, line, key);
	else
		wg_error("no offline hive holds '%s' (keys must be under HKEY_LOCAL_MACHINE\\SYSTEM, "
			 "SOFTWARE, DRIVERS, SAM, SECURITY or HKEY_USERS\\.DEFAULT)", key);
	return WG_ERR_HIVE;
}

static int hive_index(const char *hive)
{
	for (size_t i = 0; i < NHIVES; i++)
		if (wg_streq_nocase(hive_names[i], hive))
			return (int)i;
	return -1;
}

const char *reg_hive_name(const char *hive)
{
	int i = hive_index(hive);
	return i < 0 ? NULL : hive_names[i];
}

/* ---- the set of hives ---- */

struct hive_entry {
	bool looked;               /* the folder was searched for the file */
	char *file;                /* the file's stored name, NULL when absent */
	int matches;               /* how many names matched case-insensitively */
	struct hive *h;
	char *ccs;                 /* SYSTEM: stored name of the current control set */
};

struct hive_set {
	int dirfd;
	char *display;
	unsigned flags;
	bool failed;
	struct hive_entry e[NHIVES];
};

struct hive_set *hive_set_new(int dirfd, const char *display, unsigned flags)
{
	struct hive_set *s = xcalloc(1, sizeof(*s));
	s->dirfd = dirfd;
	s->display = xstrdup(display ? display : ".");
	s->flags = flags;
	return s;
}

const char *hive_set_display(const struct hive_set *s)
{
	return s->display;
}

void hive_set_mark_failed(struct hive_set *s)
{
	s->failed = true;
}

void hive_set_free(struct hive_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < NHIVES; i++) {
		hive_close(s->e[i].h);
		free(s->e[i].file);
		free(s->e[i].ccs);
	}
	free(s->display);
	free(s);
}

static void look_for_file(struct hive_set *s, int i)
{
	struct hive_entry *e = &s->e[i];
	if (e->looked)
		return;
	e->looked = true;
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!wg_streq_nocase(de->d_name, hive_names[i]))
			continue;
		e->matches++;
		if (!e->file || !strcmp(de->d_name, hive_names[i])) {
			free(e->file);
			e->file = xstrdup(de->d_name);
		}
	}
	closedir(d);
}

bool hive_set_has(struct hive_set *s, const char *hive)
{
	int i = hive_index(hive);
	if (i < 0)
		return false;
	look_for_file(s, i);
	return s->e[i].file != NULL;
}

enum wg_err hive_set_get(struct hive_set *s, const char *hive, struct hive **out)
{
	int i = hive_index(hive);
	if (i < 0) {
		wg_error("'%s' is not a hive wimgraft knows", hive);
		return WG_ERR_INTERNAL;
	}
	struct hive_entry *e = &s->e[i];
	if (e->h) {
		*out = e->h;
		return WG_OK;
	}
	look_for_file(s, i);
	if (!e->file) {
		wg_error("'%s/%s' not found: the image has no %s hive", s->display, hive_names[i],
			 hive_names[i]);
		return WG_ERR_NOT_FOUND;
	}
	if (e->matches > 1 && strcmp(e->file, hive_names[i])) {
		wg_error("'%s' holds several files named '%s' in different case", s->display,
			 hive_names[i]);
		return WG_ERR_AMBIGUOUS;
	}
	unsigned flags = HIVE_WRITE;
	if (s->flags & HIVESET_FORCE)
		flags |= HIVE_FORCE;
	if (s->flags & HIVESET_CHECK)
		flags |= HIVE_NO_COMMIT;
	char *display = xasprintf("%s/%s", s->display, e->file);
	enum wg_err err = hive_open(s->dirfd, e->file, display, flags, &e->h);
	free(display);
	if (!err)
		*out = e->h;
	return err;
}

static enum wg_err current_control_set(struct hive_set *s, struct hive *h, struct hive_entry *e)
{
	hive_key sel, cs;
	struct hive_value v = { 0 };
	enum wg_err err;
	if (e->ccs)
		return WG_OK;
	err = hive_lookup(h, "Select", &sel, NULL);
	if (!err)
		err = hive_value_get(h, sel, "Current", &v);
	if (err == WG_ERR_NOT_FOUND) {
		wg_error("'%s' has no 'Select\\Current' value: cannot tell which control set "
			 "'CurrentControlSet' stands for", hive_display(h));
		return WG_ERR_HIVE;
	}
	if (err)
		return err;
	if (v.type != REG_DWORD || v.len != 4) {
		wg_error("'%s': 'Select\\Current' is not a REG_DWORD: cannot tell which control set "
			 "'CurrentControlSet' stands for", hive_display(h));
		hive_value_release(&v);
		return WG_ERR_HIVE;
	}
	uint32_t n = v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 |
		     (uint32_t)v.data[3] << 24;
	hive_value_release(&v);
	char name[32];
	snprintf(name, sizeof(name), "ControlSet%03u", n);
	err = hive_child(h, hive_root(h), name, &cs);
	if (err == WG_ERR_NOT_FOUND || (!err && (n == 0 || n > 999))) {
		wg_error("'%s': 'Select\\Current' is %u but the hive has no key '%s'",
			 hive_display(h), n, name);
		return WG_ERR_HIVE;
	}
	if (err)
		return err;
	e->ccs = hive_key_name(h, cs);
	(void)s;
	return WG_OK;
}

enum wg_err hive_set_map_path(struct hive_set *s, const char *hive, const char *path,
			      char **mapped)
{
	const char *rest;
	int i = hive_index(hive);
	if (i < 0 || strcmp(hive_names[i], "SYSTEM") || !first_is(path, "CurrentControlSet", &rest)) {
		*mapped = xstrdup(path);
		return WG_OK;
	}
	struct hive *h;
	enum wg_err err = hive_set_get(s, hive, &h);
	if (!err)
		err = current_control_set(s, h, &s->e[i]);
	if (err)
		return err;
	*mapped = *rest ? xasprintf("%s\\%s", s->e[i].ccs, rest) : xstrdup(s->e[i].ccs);
	return WG_OK;
}

void hive_set_modified(struct hive_set *s, struct strvec *names)
{
	for (size_t i = 0; i < NHIVES; i++)
		if (s->e[i].h && hive_modified(s->e[i].h))
			sv_push_nodup(names, (char *)hive_names[i]);   /* borrowed: never freed */
}

enum wg_err hive_set_commit(struct hive_set *s)
{
	enum wg_err err = WG_OK;
	if (s->failed) {
		wg_error("not writing the hives in '%s': an earlier change failed", s->display);
		return WG_ERR_INTERNAL;
	}
	if (s->flags & (HIVESET_DRY_RUN | HIVESET_CHECK))
		return WG_OK;
	/* every temporary file first: a full disk or a write error stops us before any rename */
	for (size_t i = 0; i < NHIVES && !err; i++)
		if (s->e[i].h)
			err = hive_commit_prepare(s->e[i].h);
	if (err) {
		for (size_t i = 0; i < NHIVES; i++)
			if (s->e[i].h)
				hive_commit_abort(s->e[i].h);
		return err;
	}
	struct strvec done = STRVEC_INIT;
	for (size_t i = 0; i < NHIVES; i++) {
		if (!s->e[i].h || !hive_modified(s->e[i].h))
			continue;
		if (err) {
			hive_commit_abort(s->e[i].h);
			continue;
		}
		err = hive_commit_finish(s->e[i].h);
		if (err && done.n) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t k = 0; k < done.n; k++)
				sb_addf(&sb, "%s'%s'", k ? ", " : "", done.v[k]);
			/* the caller's target puts them back (a folder's journal keeps the originals) */
			wg_verbose("%s was already written; it is put back with the rest", sb.buf);
			sb_release(&sb);
		}
		if (!err)
			sv_push(&done, hive_display(s->e[i].h));
	}
	sv_clear(&done);
	return err;
}

enum wg_err hive_set_file(struct hive_set *s, const char *hive, int *dirfd, const char **name)
{
	int i = hive_index(hive);
	if (i < 0) {
		wg_error("'%s' is not a hive wimgraft knows", hive);
		return WG_ERR_INTERNAL;
	}
	look_for_file(s, i);
	if (!s->e[i].file)
		return WG_ERR_NOT_FOUND;
	*dirfd = s->dirfd;
	*name = s->e[i].file;
	return WG_OK;
}
