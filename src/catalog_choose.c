/*
 * catalog_choose.c - which signing catalogs to graft: read every catalog of the
 * source's catalog folder (one extraction pass), keep the valid ones that list a
 * signed file's hash, and choose the fewest that cover every signed file.
 */
#include "catalog_choose.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authenticode.h"
#include "catalog.h"
#include "tempdir.h"

#include <wimlib.h>

/* The largest signed file or catalog read (real catalogs reach a few MB). */
#define SIGNED_MAX_READ (256u * 1024 * 1024)

/* A valid catalog that lists at least one signed file. */
struct candidate {
	const struct source_file *file;
	time_t time;
	bool *lists;          /* per signed file */
	bool *sha256;         /* per signed file: listed by its SHA-256 */
	size_t count;         /* files it lists that are not yet covered */
	bool chosen;
};

struct choice {
	struct resolved_file **signed_files;
	size_t nsigned;
	struct candidate *cands;
	size_t ncands;
	struct catalog_trust *trust;
	uint8_t (*hashes)[32];  /* every signed file's SHA-1 and SHA-256, for catalog_may_list */
	uint8_t *lens;
};

/* "…~10.0.20348.3932.cat" -> its four numbers compared in order (newer is greater). */
static int name_version_cmp(const char *a, const char *b)
{
	const char *x = strrchr(a, '~'), *y = strrchr(b, '~');
	x = x ? x + 1 : a, y = y ? y + 1 : b;
	while (*x || *y) {
		unsigned long p = strtoul(x, (char **)&x, 10), q = strtoul(y, (char **)&y, 10);
		if (p != q)
			return p < q ? -1 : 1;
		if (*x != '.' || *y != '.')
			break;
		x++, y++;
	}
	return wg_strcasecmp(a, b);
}

/* Newer first: the CTL's time, then the version in the name. */
static bool newer(const struct candidate *a, const struct candidate *b)
{
	if (a->time != b->time)
		return a->time > b->time;
	return name_version_cmp(a->file->path, b->file->path) > 0;
}

static void hex_of(const struct resolved_file *f, bool sha256, char *hex)
{
	if (sha256)
		hash_to_hex(f->hashes.sha256, 32, hex);
	else
		hash_to_hex(f->hashes.sha1, 20, hex);
}

/* The bytes read back must be the image's: extraction went straight through wimlib. */
static enum wg_err check_sha1(const char *path, const unsigned char *data, size_t len,
			      const uint8_t want[20])
{
	uint8_t got[20];
	if (sha1_is_zero(want) && !len)
		return WG_OK;
	sha1_buffer(data, len, got);
	if (!memcmp(got, want, 20))
		return WG_OK;
	char g[41], w[41];
	sha1_to_hex(got, g);
	sha1_to_hex(want, w);
	wg_error("extracted '%s' has SHA-1 %s, the image says %s", path, g, w);
	return WG_ERR_HASH;
}

static enum wg_err hash_signed(struct choice *c, const char *dir)
{
	for (size_t i = 0; i < c->nsigned; i++) {
		struct resolved_file *f = c->signed_files[i];
		char *path = xasprintf("%s/%s", dir, f->source);
		unsigned char *data;
		size_t len;
		enum wg_err ret = read_file(path, SIGNED_MAX_READ, &data, &len);
		free(path);
		if (ret)
			return ret;
		ret = check_sha1(f->source, data, len, f->sha1);
		if (!ret)
			ret = file_hashes_compute(data, len, f->sign, f->source, &f->hashes);
		free(data);
		if (ret)
			return ret;
		memcpy(c->hashes[2 * i], f->hashes.sha1, 20);
		memcpy(c->hashes[2 * i + 1], f->hashes.sha256, 32);
		c->lens[2 * i] = 20;
		c->lens[2 * i + 1] = 32;
	}
	return WG_OK;
}

/* Read one catalog; keep it as a candidate when it is valid and lists a signed file. */
static enum wg_err consider(struct choice *c, const struct source_file *sf, const char *dir)
{
	char *path = xasprintf("%s/%s", dir, sf->path);
	unsigned char *der;
	size_t len;
	enum wg_err ret = read_file(path, SIGNED_MAX_READ, &der, &len);
	unlink(path);  /* the folder can hold hundreds of MB: free each as it is read */
	free(path);
	if (ret)
		return ret;
	struct catalog *cat = NULL;
	const char *why = NULL;
	bool *lists = xcalloc(c->nsigned, sizeof(bool)), *sha256 = xcalloc(c->nsigned, sizeof(bool));
	size_t count = 0;
	/* Most catalogs list none of the files: skip parsing those, unless -v asks about every one. */
	if (!wg_opt_verbose && !catalog_may_list(der, len, c->hashes, c->lens, 2 * c->nsigned))
		goto out;
	if (catalog_parse(der, len, &cat, &why)) {
		wg_verbose("catalog '%s' is not used: %s", sf->path, why);
		goto out;
	}
	for (size_t i = 0; i < c->nsigned; i++) {
		const struct file_hashes *h = &c->signed_files[i]->hashes;
		sha256[i] = catalog_lists(cat, h->sha256, 32);
		lists[i] = sha256[i] || catalog_lists(cat, h->sha1, 20);
		count += lists[i];
	}
	if (!count)
		goto out;
	if (!catalog_verify(cat, c->trust, &why)) {
		size_t first = 0;
		while (!lists[first])
			first++;
		wg_verbose("catalog '%s' lists '%s' but is not used: %s", sf->path,
			   c->signed_files[first]->source, why);
		count = 0;
		goto out;
	}
	c->cands = xrealloc(c->cands, (c->ncands + 1) * sizeof(*c->cands));
	c->cands[c->ncands++] = (struct candidate){ sf, catalog_time(cat), lists, sha256, count, false };
	lists = sha256 = NULL;
out:
	catalog_free(cat);
	free(lists);
	free(sha256);
	free(der);
	return WG_OK;
}

/*
 * The fewest catalogs covering every file some catalog lists (greedy: the one
 * listing most of what is left, the newest among equals), and each file's
 * catalog: the newest chosen one that lists it.
 */
static void cover(struct choice *c)
{
	bool *covered = xcalloc(c->nsigned ? c->nsigned : 1, sizeof(bool));
	for (;;) {
		struct candidate *best = NULL;
		for (size_t k = 0; k < c->ncands; k++) {
			struct candidate *d = &c->cands[k];
			d->count = 0;
			for (size_t i = 0; i < c->nsigned; i++)
				d->count += d->lists[i] && !covered[i];
			if (!d->chosen && d->count &&
			    (!best || d->count > best->count || (d->count == best->count && newer(d, best))))
				best = d;
		}
		if (!best)
			break;
		best->chosen = true;
		for (size_t i = 0; i < c->nsigned; i++)
			covered[i] |= best->lists[i];
	}
	free(covered);
	for (size_t i = 0; i < c->nsigned; i++) {
		const struct candidate *pick = NULL;
		for (size_t k = 0; k < c->ncands; k++)
			if (c->cands[k].chosen && c->cands[k].lists[i] && (!pick || newer(&c->cands[k], pick)))
				pick = &c->cands[k];
		struct resolved_file *f = c->signed_files[i];
		if (pick) {
			f->catalog = xstrdup(pick->file->path);
			f->catalog_sha256 = pick->sha256[i];
		}
	}
}

static void append_chosen(const struct manifest *m, struct choice *c, struct resolution *r,
			  const char *pattern)
{
	/* Newest first, as the user reads them. */
	for (;;) {
		struct candidate *next = NULL;
		for (size_t k = 0; k < c->ncands; k++)
			if (c->cands[k].chosen && (!next || newer(&c->cands[k], next)))
				next = &c->cands[k];
		if (!next)
			break;
		next->chosen = false;
		r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
		struct resolved_file *f = &r->files[r->nfiles++];
		memset(f, 0, sizeof(*f));
		f->entry = m->nfiles;
		f->label = "catalog";
		f->pattern = xstrdup(pattern);
		f->status = RESOLVED_OK;
		f->is_catalog = true;
		f->source = xstrdup(next->file->path);
		f->dest = xstrdup(next->file->path);
		f->size = next->file->size;
		memcpy(f->sha1, next->file->sha1, 20);
		f->attributes = next->file->attributes;
	}
}

static void report_unsigned(struct choice *c, struct resolution *r)
{
	for (size_t i = 0; i < c->nsigned; i++) {
		struct resolved_file *f = c->signed_files[i];
		if (f->catalog)
			continue;
		r->nunsigned++;
		char hex[65];
		hex_of(f, true, hex);
		wg_verbose("no valid catalog lists '%s' (%s hash SHA-256 %s)", f->source,
			   sign_kind_name(f->sign), hex);
	}
}

static enum wg_err collect(const struct manifest *m, struct wg_source *src, int index,
			   struct resolution *r, struct choice *c, char **pattern,
			   struct source_file **cats, size_t *ncats)
{
	c->signed_files = xcalloc(r->nfiles ? r->nfiles : 1, sizeof(*c->signed_files));
	for (size_t i = 0; i < r->nfiles; i++) {
		struct resolved_file *f = &r->files[i];
		if (f->is_catalog || f->entry >= m->nfiles)
			continue;
		f->sign = m->files[f->entry].sign;
		if (f->status == RESOLVED_OK && f->sign != SIGN_NONE)
			c->signed_files[c->nsigned++] = f;
	}
	*pattern = xasprintf("%s/*.cat", m->catalog_folder);
	if (!c->nsigned)
		return WG_OK;
	return source_glob(src, index, *pattern, cats, ncats);
}

/*
 * Every file in one pass. From a WIM straight through wimlib, which checks each
 * blob's SHA-1 as it decompresses it, so that the catalogs are read back once
 * (source_extract would read them again to check); the signed files' SHA-1 is
 * checked where they are hashed. Payload folders through the source.
 */
static enum wg_err extract(struct wg_source *src, int index, const struct source_file *files,
			   size_t n, const char *dir)
{
	WIMStruct *wim = source_wim(src);
	if (!wim)
		return source_extract(src, index, files, n, dir);
	const char **paths = xcalloc(n ? n : 1, sizeof(*paths));
	for (size_t i = 0; i < n; i++)
		paths[i] = files[i].path;
	int wret = wimlib_extract_paths(wim, index, dir, paths, n,
					WIMLIB_EXTRACT_FLAG_NO_ACLS | WIMLIB_EXTRACT_FLAG_NORPFIX);
	free(paths);
	return wret ? source_wim_error(source_path(src), wret) : WG_OK;
}

enum wg_err catalog_choose(const struct manifest *m, struct wg_source *src, int index,
			   struct resolution *r)
{
	if (!m->catalog_folder)
		return WG_OK;
	struct choice c = { 0 };
	struct source_file *cats = NULL, *all = NULL;
	size_t ncats = 0;
	char *pattern = NULL;
	struct temp_dir td = TEMP_DIR_INIT;
	enum wg_err ret = collect(m, src, index, r, &c, &pattern, &cats, &ncats);
	if (ret || !c.nsigned)
		goto out;
	/* One extraction pass: the signed files and every catalog. */
	all = xcalloc(c.nsigned + ncats, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < c.nsigned; i++) {
		const struct resolved_file *f = c.signed_files[i];
		all[n++] = (struct source_file){ .path = f->source, .size = f->size, .attributes = f->attributes };
		memcpy(all[n - 1].sha1, f->sha1, 20);
	}
	for (size_t i = 0; i < ncats; i++)
		if (!cats[i].is_dir)
			all[n++] = cats[i];
	c.hashes = xcalloc(2 * c.nsigned, sizeof(*c.hashes));
	c.lens = xcalloc(2 * c.nsigned, 1);
	if (!(c.trust = catalog_trust_new())) {
		ret = WG_ERR_IO;
		goto out;
	}
	if ((ret = temp_dir_create("wimgraft-cat.", &td)) || (ret = extract(src, index, all, n, td.path)) ||
	    (ret = hash_signed(&c, td.path)))
		goto out;
	for (size_t i = c.nsigned; i < n && !ret; i++)
		ret = consider(&c, &all[i], td.path);
	if (ret)
		goto out;
	cover(&c);
	report_unsigned(&c, r);
	/* Last: appending moves r->files, to which c.signed_files point. */
	append_chosen(m, &c, r, pattern);
out:
	temp_dir_remove(&td);
	for (size_t k = 0; k < c.ncands; k++) {
		free(c.cands[k].lists);
		free(c.cands[k].sha256);
	}
	free(c.cands);
	free(c.signed_files);
	free(c.hashes);
	free(c.lens);
	catalog_trust_free(c.trust);
	free(all);
	source_files_free(cats, ncats);
	free(pattern);
	return ret;
}

/* A file of a target read whole; *found false when it is absent. */
static enum wg_err target_read(struct target *t, const char *rel, unsigned char **data,
			       size_t *len, bool *found)
{
	char *stored = NULL;
	enum wg_err ret = t->ops->lookup(t, rel, &stored, NULL);
	*found = false;
	*data = NULL;
	if (ret == WG_ERR_NOT_FOUND)
		return WG_OK;
	if (!ret)
		ret = t->ops->read(t, stored, SIGNED_MAX_READ, data, len);
	*found = !ret;
	free(stored);
	return ret;
}

/* Does the catalog at rel in t list h, and is it valid? */
static enum wg_err target_catalog_lists(struct target *t, const char *rel,
					const struct file_hashes *h, struct catalog_trust *trust,
					bool *listed)
{
	unsigned char *der;
	size_t len;
	bool found;
	struct catalog *cat = NULL;
	const char *why = NULL;
	*listed = false;
	enum wg_err ret = target_read(t, rel, &der, &len, &found);
	if (ret || !found)
		return ret;
	if (catalog_parse(der, len, &cat, &why) == WG_OK &&
	    (catalog_lists(cat, h->sha256, 32) || catalog_lists(cat, h->sha1, 20))) {
		*listed = catalog_verify(cat, trust, &why);
		if (!*listed)
			wg_verbose("catalog '%s' in %s lists the file but is not valid: %s", rel,
				   t->display, why);
	}
	catalog_free(cat);
	free(der);
	return WG_OK;
}

enum wg_err catalog_check_target(struct target *t, const char *path, enum sign_kind kind,
				 const struct strvec *cats, bool *listed, char **why)
{
	unsigned char *data;
	size_t len;
	bool found;
	struct file_hashes h;
	*listed = false;
	*why = NULL;
	enum wg_err ret = target_read(t, path, &data, &len, &found);
	if (ret || !found)
		return ret;  /* a missing file is reported as missing */
	ret = file_hashes_compute(data, len, kind, path, &h);
	free(data);
	if (ret == WG_ERR_HASH) {
		*why = xasprintf("it is not a PE image, so no catalog can list it");
		return WG_OK;
	}
	struct catalog_trust *trust = catalog_trust_new();
	if (!trust)
		return WG_ERR_IO;
	for (size_t i = 0; i < cats->n && !*listed && !ret; i++)
		ret = target_catalog_lists(t, cats->v[i], &h, trust, listed);
	catalog_trust_free(trust);
	if (!ret && !*listed) {
		char hex[65];
		hash_to_hex(h.sha256, 32, hex);
		*why = xasprintf("no catalog in the image lists its hash (%s SHA-256 %s)",
				 kind == SIGN_AUTHENTICODE ? "Authenticode" : "file", hex);
	}
	return ret;
}
