/*
 * hive.c - the hivex wrapper: base-block checks (magic, checksum, dirty), key and
 * value look-up that keeps stored spellings, edits that keep the other values, atomic commit.
 */
#include "hive.h"

#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

#define BASE_BLOCK 4096

/*
 * The children of the last keys with many of them, by case-folded name. hivex finds a child by
 * walking the whole list, so creating N subkeys of one parent would cost O(N^2) look-ups. Several
 * parents are kept: a path's walk passes through other big keys (Services) on its way down.
 */
#define CHILD_INDEX_MIN 128
#define CHILD_INDEX_KEEP 4
struct child_slot {
	char *name;                /* NULL: deleted */
	hive_key node;             /* 0: empty */
};
struct child_index {
	hive_key parent;           /* 0: none */
	struct child_slot *slot;
	size_t n, nslots;
};

struct hive {
	hive_h *hx;
	int dirfd;                 /* borrowed: the folder holding the file */
	char *name;                /* the file's name in that folder */
	char *display;
	bool writable;
	bool no_commit;
	bool modified;
	bool prepared;             /* a temporary file is written, not yet renamed */
	struct atomic_file af;
	struct child_index ci[CHILD_INDEX_KEEP];
	unsigned ci_next;          /* the one replaced next */
};

static uint32_t le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static enum wg_err check_base_block(int fd, const char *display, bool *dirty,
				    uint32_t *seq1, uint32_t *seq2)
{
	unsigned char b[BASE_BLOCK];
	ssize_t n;
	size_t got = 0;
	while (got < sizeof(b)) {
		n = pread(fd, b + got, sizeof(b) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			wg_error("cannot read '%s': %s", display, strerror(errno));
			return WG_ERR_IO;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(b)) {
		wg_error("'%s' is not a registry hive (only %zu bytes long)", display, got);
		return WG_ERR_HIVE_CORRUPT;
	}
	if (memcmp(b, "regf", 4)) {
		wg_error("'%s' is not a registry hive (no 'regf' signature)", display);
		return WG_ERR_HIVE_CORRUPT;
	}
	uint32_t sum = 0;
	for (size_t i = 0; i < 0x1FC; i += 4)
		sum ^= le32(b + i);
	if (sum == 0)
		sum = 1;
	else if (sum == 0xFFFFFFFF)
		sum = 0xFFFFFFFE;
	if (sum != le32(b + 0x1FC)) {
		wg_error("'%s' is damaged: its base block checksum is %#x, the header says %#x",
			 display, sum, le32(b + 0x1FC));
		return WG_ERR_HIVE_CORRUPT;
	}
	*seq1 = le32(b + 4);
	*seq2 = le32(b + 8);
	*dirty = *seq1 != *seq2;
	return WG_OK;
}

enum wg_err hive_check_fd(int fd, const char *display, bool *dirty)
{
	uint32_t s1, s2;
	return check_base_block(fd, display, dirty, &s1, &s2);
}

static enum wg_err open_file(int dirfd, const char *name, const char *display, int *fd)
{
	*fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (*fd < 0) {
		int e = errno;
		if (e == ELOOP) {
			wg_error("'%s' is a symbolic link: refusing to follow it", display);
			return WG_ERR_UNSAFE_PATH;
		}
		wg_error("cannot open '%s': %s", display, strerror(e));
		return e == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	struct stat st;
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		wg_error("'%s' is not a regular file", display);
		close(*fd);
		*fd = -1;
		return WG_ERR_HIVE_CORRUPT;
	}
	return WG_OK;
}

enum wg_err hive_check_file(int dirfd, const char *name, const char *display, bool *dirty)
{
	int fd;
	enum wg_err err = open_file(dirfd, name, display, &fd);
	if (err)
		return err;
	err = hive_check_fd(fd, display, dirty);
	close(fd);
	return err;
}

enum wg_err hive_open(int dirfd, const char *name, const char *display, unsigned flags,
		      struct hive **out)
{
	int fd;
	bool dirty;
	uint32_t s1, s2;
	enum wg_err err;

	*out = NULL;
	if (!display)
		display = name;
	err = open_file(dirfd, name, display, &fd);
	if (err)
		return err;
	err = check_base_block(fd, display, &dirty, &s1, &s2);
	if (err)
		goto out;
	bool will_write = (flags & HIVE_WRITE) && !(flags & HIVE_NO_COMMIT);
	if (dirty && will_write && !(flags & HIVE_FORCE)) {
		wg_error("'%s' is dirty (base block sequence numbers %#x and %#x differ): changes "
			 "are still waiting in its .LOG1/.LOG2 transaction logs, and editing it "
			 "offline would make Windows ignore them, losing those changes; boot this "
			 "Windows once and shut it down cleanly (or replay the logs) first, or use "
			 "'--force' to edit it anyway", display, s1, s2);
		err = WG_ERR_HIVE_DIRTY;
		goto out;
	}
	if (dirty && will_write)
		wg_warning("'%s' is DIRTY (sequence numbers %#x and %#x differ): editing it anyway "
			   "because of --force; the changes waiting in its .LOG1/.LOG2 logs will be "
			   "LOST when it is written", display, s1, s2);
	else if (dirty)
		wg_warning("'%s' is dirty (sequence numbers %#x and %#x differ): what is read may "
			   "miss changes still waiting in its .LOG1/.LOG2 logs", display, s1, s2);

	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	errno = 0;
	hive_h *hx = hivex_open(path, (flags & HIVE_WRITE) ? HIVEX_OPEN_WRITE : 0);
	if (!hx) {
		int e = errno;
		if (e == ENOMEM) {
			wg_error("cannot open '%s': %s", display, strerror(e));
			err = WG_ERR_NOMEM;
		} else {
			wg_error("'%s' is damaged: hivex cannot read it (%s)", display,
				 e ? strerror(e) : "unknown error");
			err = WG_ERR_HIVE_CORRUPT;
		}
		goto out;
	}
	struct hive *h = xcalloc(1, sizeof(*h));
	h->hx = hx;
	h->dirfd = dirfd;
	h->name = xstrdup(name);
	h->display = xstrdup(display);
	h->writable = flags & HIVE_WRITE;
	h->no_commit = flags & HIVE_NO_COMMIT;
	h->af.fd = -1;
	*out = h;
	wg_verbose("opened hive '%s'%s", display, h->writable ? " for writing" : "");
out:
	close(fd);
	return err;
}

size_t hive_name_hash(const char *name)
{
	size_t v = 1469598103934665603u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		v = (v ^ (size_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 1099511628211u;
	return v;
}

static void ci_clear(struct child_index *ci)
{
	for (size_t i = 0; i < ci->nslots; i++)
		free(ci->slot[i].name);
	free(ci->slot);
	memset(ci, 0, sizeof(*ci));
}

static void ci_clear_all(struct hive *h)
{
	for (size_t i = 0; i < CHILD_INDEX_KEEP; i++)
		ci_clear(&h->ci[i]);
}

/* The index of parent's children, when one is kept. */
static struct child_index *ci_find(struct hive *h, hive_key parent)
{
	for (size_t i = 0; parent && i < CHILD_INDEX_KEEP; i++)
		if (h->ci[i].parent == parent)
			return &h->ci[i];
	return NULL;
}

/* The slot of name, or the empty slot where it would go. */
static struct child_slot *ci_slot(const struct child_index *ci, const char *name)
{
	size_t i = hive_name_hash(name) & (ci->nslots - 1);
	for (;; i = (i + 1) & (ci->nslots - 1)) {
		struct child_slot *s = &ci->slot[i];
		if (!s->node || (s->name && wg_streq_nocase(s->name, name)))
			return s;
	}
}

static void ci_put(struct child_index *ci, char *name, hive_key node)
{
	if (2 * (ci->n + 1) > ci->nslots) {
		struct child_index big = { ci->parent, NULL, 0, ci->nslots ? 2 * ci->nslots : 256 };
		big.slot = xcalloc(big.nslots, sizeof(*big.slot));
		for (size_t i = 0; i < ci->nslots; i++)
			if (ci->slot[i].name)
				ci_put(&big, ci->slot[i].name, ci->slot[i].node);
		free(ci->slot);
		*ci = big;
	}
	struct child_slot *s = ci_slot(ci, name);
	if (s->node) {
		free(name);
		s->node = node;
		return;
	}
	s->name = name;
	s->node = node;
	ci->n++;
}

/* Index the children of parent (when it has many); NULL when it was not made. */
static struct child_index *ci_build(struct hive *h, hive_key parent)
{
	errno = 0;
	size_t nc = hivex_node_nr_children(h->hx, parent);
	if (errno || nc < CHILD_INDEX_MIN)
		return NULL;
	hive_node_h *kids = hivex_node_children(h->hx, parent);
	if (!kids)
		return NULL;
	struct child_index *ci = &h->ci[h->ci_next++ % CHILD_INDEX_KEEP];
	ci_clear(ci);
	ci->parent = parent;
	for (size_t i = 0; kids[i]; i++) {
		char *name = hivex_node_name(h->hx, kids[i]);
		if (!name) {
			ci_clear(ci);
			break;
		}
		ci_put(ci, name, kids[i]);
	}
	free(kids);
	return ci->parent == parent ? ci : NULL;
}

void hive_close(struct hive *h)
{
	if (!h)
		return;
	ci_clear_all(h);
	hive_commit_abort(h);
	hivex_close(h->hx);
	free(h->name);
	free(h->display);
	free(h);
}

const char *hive_display(const struct hive *h)
{
	return h->display;
}

bool hive_modified(const struct hive *h)
{
	return h->modified;
}

hive_key hive_root(struct hive *h)
{
	return hivex_root(h->hx);
}

static enum wg_err hx_fail(struct hive *h, const char *what)
{
	int e = errno;
	wg_error("'%s': %s: %s", h->display, what, e ? strerror(e) : "unknown error");
	return e == ENOMEM ? WG_ERR_NOMEM : WG_ERR_HIVE;
}

char *hive_key_name(struct hive *h, hive_key key)
{
	char *n = hivex_node_name(h->hx, key);
	return n ? n : xstrdup("?");
}

enum wg_err hive_child(struct hive *h, hive_key parent, const char *name, hive_key *child)
{
	struct child_index *ci = ci_find(h, parent);
	if (ci || (ci = ci_build(h, parent))) {
		struct child_slot *s = ci_slot(ci, name);
		if (!s->node)
			return WG_ERR_NOT_FOUND;
		*child = s->node;
		return WG_OK;
	}
	errno = 0;
	hive_node_h c = hivex_node_get_child(h->hx, parent, name);
	if (c) {
		*child = c;
		return WG_OK;
	}
	if (errno == 0)
		return WG_ERR_NOT_FOUND;
	return hx_fail(h, "cannot read a key");
}

/* Split a '\'-separated path into components; "" gives none. */
static enum wg_err split_path(struct hive *h, const char *path, struct strvec *out)
{
	if (!*path)
		return WG_OK;
	const char *p = path;
	for (;;) {
		const char *e = strchr(p, '\\');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n) {
			wg_error("'%s': invalid key path '%s' (an empty key name)", h->display, path);
			sv_clear(out);
			return WG_ERR_HIVE;
		}
		sv_push_nodup(out, xstrndup(p, n));
		if (!e)
			return WG_OK;
		p = e + 1;
	}
}

static void add_component(struct strbuf *sb, const char *name)
{
	if (sb->len)
		sb_addch(sb, '\\');
	sb_addstr(sb, name);
}

enum wg_err hive_lookup(struct hive *h, const char *path, hive_key *key, char **stored)
{
	struct strvec comps = STRVEC_INIT;
	struct strbuf sp = STRBUF_INIT;
	hive_key k = hivex_root(h->hx);
	enum wg_err err = split_path(h, path, &comps);
	for (size_t i = 0; !err && i < comps.n; i++) {
		err = hive_child(h, k, comps.v[i], &k);
		if (!err && stored) {
			char *n = hive_key_name(h, k);
			add_component(&sp, n);
			free(n);
		}
	}
	if (!err) {
		*key = k;
		if (stored)
			*stored = sb_detach(&sp);
	}
	sb_release(&sp);
	sv_clear(&comps);
	return err;
}

enum wg_err hive_ensure_key(struct hive *h, const char *path, hive_key *key, char **stored,
			    struct strvec *created)
{
	struct strvec comps = STRVEC_INIT;
	struct strbuf sp = STRBUF_INIT;
	hive_key k = hivex_root(h->hx);
	enum wg_err err = split_path(h, path, &comps);
	for (size_t i = 0; !err && i < comps.n; i++) {
		hive_key c;
		err = hive_child(h, k, comps.v[i], &c);
		if (err == WG_ERR_NOT_FOUND) {
			if (!h->writable) {
				wg_error("'%s': cannot create a key in a hive opened read-only",
					 h->display);
				err = WG_ERR_INTERNAL;
				break;
			}
			if (strlen(comps.v[i]) > 255 * 3) {
				wg_error("'%s': key name '%s' is too long", h->display, comps.v[i]);
				err = WG_ERR_HIVE;
				break;
			}
			errno = 0;
			c = hivex_node_add_child(h->hx, k, comps.v[i]);
			if (!c) {
				struct strbuf what = STRBUF_INIT;
				sb_addf(&what, "cannot create key '%s'", comps.v[i]);
				err = hx_fail(h, what.buf);
				sb_release(&what);
				break;
			}
			h->modified = true;
			struct child_index *ci = ci_find(h, k);
			if (ci)
				ci_put(ci, xstrdup(comps.v[i]), c);
			add_component(&sp, comps.v[i]);
			if (created)
				sv_push(created, sp.buf);
			err = WG_OK;
		} else if (!err) {
			char *n = hive_key_name(h, c);
			add_component(&sp, n);
			free(n);
		}
		k = c;
	}
	if (!err) {
		*key = k;
		if (stored)
			*stored = sb_detach(&sp);
	}
	sb_release(&sp);
	sv_clear(&comps);
	return err;
}

void hive_value_release(struct hive_value *v)
{
	free(v->name);
	free(v->data);
	memset(v, 0, sizeof(*v));
}

void hive_values_free(struct hive_value *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hive_value_release(&vals[i]);
	free(vals);
}

static enum wg_err read_value(struct hive *h, hive_value_h v, struct hive_value *out)
{
	hive_type t;
	size_t len;
	errno = 0;
	char *name = hivex_value_key(h->hx, v);
	if (!name)
		return hx_fail(h, "cannot read a value name");
	errno = 0;
	char *data = hivex_value_value(h->hx, v, &t, &len);
	if (!data && len) {
		free(name);
		return hx_fail(h, "cannot read a value");
	}
	out->name = name;
	out->type = (uint32_t)t;
	out->len = len;
	out->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(out->data, data, len);
	free(data);
	return WG_OK;
}

enum wg_err hive_values_list(struct hive *h, hive_key key, struct hive_value **vals, size_t *n)
{
	errno = 0;
	hive_value_h *vs = hivex_node_values(h->hx, key);
	if (!vs)
		return hx_fail(h, "cannot list the values of a key");
	size_t count = 0;
	while (vs[count])
		count++;
	struct hive_value *out = xcalloc(count + 1, sizeof(*out));
	enum wg_err err = WG_OK;
	for (size_t i = 0; i < count && !err; i++)
		err = read_value(h, vs[i], &out[i]);
	free(vs);
	if (err) {
		hive_values_free(out, count);
		return err;
	}
	*vals = out;
	*n = count;
	return WG_OK;
}

enum wg_err hive_value_get(struct hive *h, hive_key key, const char *name, struct hive_value *out)
{
	errno = 0;
	hive_value_h *vs = hivex_node_values(h->hx, key);
	if (!vs)
		return hx_fail(h, "cannot list the values of a key");
	enum wg_err err = WG_ERR_NOT_FOUND;
	for (size_t i = 0; vs[i]; i++) {
		errno = 0;
		char *n = hivex_value_key(h->hx, vs[i]);
		if (!n) {
			err = hx_fail(h, "cannot read a value name");
			break;
		}
		bool match = wg_streq_nocase(n, name);
		free(n);
		if (match) {
			err = read_value(h, vs[i], out);
			break;
		}
	}
	free(vs);
	return err;
}

enum wg_err hive_key_counts(struct hive *h, hive_key key, size_t *subkeys, size_t *values)
{
	errno = 0;
	size_t k = hivex_node_nr_children(h->hx, key);
	if (errno)
		return hx_fail(h, "cannot count subkeys");
	size_t v = hivex_node_nr_values(h->hx, key);
	if (errno)
		return hx_fail(h, "cannot count values");
	*subkeys = k;
	*values = v;
	return WG_OK;
}

/* Replace all values of key by vals (checked against hivex's one-cell limit). */
enum wg_err hive_values_replace(struct hive *h, hive_key key, const struct hive_value *vals,
				size_t n)
{
	if (!h->writable) {
		wg_error("'%s': cannot change a hive opened read-only", h->display);
		return WG_ERR_INTERNAL;
	}
	hive_set_value *sv = xcalloc(n + 1, sizeof(*sv));
	for (size_t i = 0; i < n; i++) {
		if (vals[i].len > HIVE_MAX_VALUE_DATA) {
			char *kn = hive_key_name(h, key);
			wg_error("'%s': key '%s' holds value '%s' of %zu bytes, more than the %d "
				 "bytes that can be written offline; not changing this key",
				 h->display, kn, vals[i].name, vals[i].len, HIVE_MAX_VALUE_DATA);
			free(kn);
			free(sv);
			return WG_ERR_HIVE;
		}
		sv[i].key = vals[i].name;
		sv[i].t = (hive_type)vals[i].type;
		sv[i].len = vals[i].len;
		sv[i].value = (char *)vals[i].data;
	}
	errno = 0;
	int r = hivex_node_set_values(h->hx, key, n, sv, 0);
	free(sv);
	if (r)
		return hx_fail(h, "cannot write the values of a key");
	h->modified = true;
	return WG_OK;
}

/* Where name stands among a key's values (ignoring case), or n when it is not there. */
static size_t value_index(const struct hive_value *vals, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (wg_streq_nocase(vals[i].name, name))
			break;
	return i;
}

enum wg_err hive_value_set(struct hive *h, hive_key key, const char *name, uint32_t type,
			   const void *data, size_t len)
{
	struct hive_value *vals;
	size_t n;
	if (len > HIVE_MAX_VALUE_DATA) {
		wg_error("'%s': value '%s' has %zu bytes of data, more than the %d bytes that can "
			 "be written offline", h->display, name, len, HIVE_MAX_VALUE_DATA);
		return WG_ERR_HIVE;
	}
	enum wg_err err = hive_values_list(h, key, &vals, &n);
	if (err)
		return err;
	size_t i = value_index(vals, n, name);
	if (i == n) {
		vals[n].name = xstrdup(name);   /* the list has room for one more */
		n++;
	}
	free(vals[i].data);
	vals[i].type = type;
	vals[i].len = len;
	vals[i].data = xmalloc(len ? len : 1);
	if (len)
		memcpy(vals[i].data, data, len);
	err = hive_values_replace(h, key, vals, n);
	hive_values_free(vals, n);
	return err;
}

enum wg_err hive_value_delete(struct hive *h, hive_key key, const char *name)
{
	struct hive_value *vals;
	size_t n;
	enum wg_err err = hive_values_list(h, key, &vals, &n);
	if (err)
		return err;
	size_t i = value_index(vals, n, name);
	if (i == n) {
		hive_values_free(vals, n);
		return WG_ERR_NOT_FOUND;
	}
	struct hive_value gone = vals[i];
	memmove(&vals[i], &vals[i + 1], (n - i - 1) * sizeof(*vals));
	err = hive_values_replace(h, key, vals, n - 1);
	hive_value_release(&gone);
	hive_values_free(vals, n - 1);
	return err;
}

enum wg_err hive_save_tree(struct hive *h, hive_key key, struct hive_tree *out)
{
	memset(out, 0, sizeof(*out));
	out->name = hive_key_name(h, key);
	enum wg_err err = hive_values_list(h, key, &out->values, &out->nvalues);
	if (err)
		goto fail;
	errno = 0;
	hive_node_h *kids = hivex_node_children(h->hx, key);
	if (!kids) {
		err = hx_fail(h, "cannot list subkeys");
		goto fail;
	}
	size_t n = 0;
	while (kids[n])
		n++;
	out->children = xcalloc(n ? n : 1, sizeof(*out->children));
	for (size_t i = 0; i < n && !err; i++) {
		err = hive_save_tree(h, kids[i], &out->children[i]);
		out->nchildren = i + 1;
	}
	free(kids);
	if (err)
		goto fail;
	return WG_OK;
fail:
	hive_tree_release(out);
	return err;
}

void hive_tree_release(struct hive_tree *t)
{
	if (!t)
		return;
	free(t->name);
	hive_values_free(t->values, t->nvalues);
	for (size_t i = 0; i < t->nchildren; i++)
		hive_tree_release(&t->children[i]);
	free(t->children);
	memset(t, 0, sizeof(*t));
}

enum wg_err hive_delete_key(struct hive *h, hive_key key)
{
	if (!h->writable) {
		wg_error("'%s': cannot change a hive opened read-only", h->display);
		return WG_ERR_INTERNAL;
	}
	if (key == hivex_root(h->hx)) {
		wg_error("'%s': the root key of a hive cannot be deleted", h->display);
		return WG_ERR_HIVE;
	}
	/* the parent's index loses the key; any other may hold keys below it: dropped */
	errno = 0;
	hive_key parent = hivex_node_parent(h->hx, key);
	struct child_index *pci = ci_find(h, parent);
	char *name = pci ? hivex_node_name(h->hx, key) : NULL;
	struct child_slot *s = name ? ci_slot(pci, name) : NULL;
	if (s && s->node == key) {
		free(s->name);
		s->name = NULL;   /* deleted: probed past */
	} else {
		pci = NULL;
	}
	free(name);
	for (size_t i = 0; i < CHILD_INDEX_KEEP; i++)
		if (&h->ci[i] != pci)
			ci_clear(&h->ci[i]);
	errno = 0;
	if (hivex_node_delete_child(h->hx, key))
		return hx_fail(h, "cannot delete a key");
	h->modified = true;
	return WG_OK;
}

enum wg_err hive_restore_tree(struct hive *h, hive_key parent, const struct hive_tree *t)
{
	struct child_index *ci = ci_find(h, parent);
	if (ci)
		ci_clear(ci);
	if (!h->writable) {
		wg_error("'%s': cannot change a hive opened read-only", h->display);
		return WG_ERR_INTERNAL;
	}
	errno = 0;
	hive_key k = hivex_node_add_child(h->hx, parent, t->name);
	if (!k) {
		struct strbuf what = STRBUF_INIT;
		sb_addf(&what, "cannot re-create key '%s'", t->name);
		enum wg_err err = hx_fail(h, what.buf);
		sb_release(&what);
		return err;
	}
	h->modified = true;
	enum wg_err err = WG_OK;
	if (t->nvalues)
		err = hive_values_replace(h, k, t->values, t->nvalues);
	for (size_t i = 0; i < t->nchildren && !err; i++)
		err = hive_restore_tree(h, k, &t->children[i]);
	return err;
}

enum wg_err hive_commit_prepare(struct hive *h)
{
	if (!h->modified || h->prepared)
		return WG_OK;
	if (h->no_commit) {
		wg_error("'%s' was opened for a dry run and cannot be written", h->display);
		return WG_ERR_INTERNAL;
	}
	enum wg_err err = atomic_begin(h->dirfd, h->name, h->display, 0644, &h->af);
	if (err)
		return err;
	errno = 0;
	if (hivex_commit(h->hx, h->af.tmppath, 0)) {
		int e = errno;
		wg_error("cannot write '%s' (into a temporary file beside it): %s", h->display,
			 e ? strerror(e) : "hivex failed");
		atomic_abort(&h->af);
		return e ? wg_err_from_errno(e) : WG_ERR_HIVE;
	}
	h->prepared = true;
	return WG_OK;
}

enum wg_err hive_commit_finish(struct hive *h)
{
	if (!h->prepared)
		return WG_OK;
	enum wg_err err = atomic_commit(&h->af);
	atomic_abort(&h->af);
	h->prepared = false;
	if (!err) {
		h->modified = false;
		wg_verbose("wrote hive '%s'", h->display);
	}
	return err;
}

void hive_commit_abort(struct hive *h)
{
	if (!h->prepared)
		return;
	atomic_abort(&h->af);
	h->prepared = false;
}

enum wg_err hive_commit(struct hive *h)
{
	enum wg_err err = hive_commit_prepare(h);
	if (!err)
		err = hive_commit_finish(h);
	return err;
}

/* The files Windows keeps registry hives in, below Windows/System32/config. */
static const char *const config_hives[] = {
	"SYSTEM", "SOFTWARE", "DRIVERS", "SAM", "SECURITY", "DEFAULT", "COMPONENTS",
	"BBI", "ELAM", "BCD-Template", "VSMIDK", "userdiff",
};

/* name is hive, or hive with a transaction log's extension. */
static bool is_hive_name(const char *name, size_t len, const char *hive)
{
	static const char *const logs[] = { "", ".LOG", ".LOG1", ".LOG2" };
	size_t hl = strlen(hive);
	if (len < hl || strncasecmp(name, hive, hl))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(logs); i++)
		if (len - hl == strlen(logs[i]) && !strncasecmp(name + hl, logs[i], len - hl))
			return true;
	return false;
}

bool hive_is_hive_file(const char *rel)
{
	static const char *const config[] = { "Windows", "System32", "config" };
	const char *comp[4];
	size_t len[4], n = 0;
	bool in_config = true;
	for (const char *p = rel; *p;) {
		size_t l = strcspn(p, "/\\");
		if (l) {
			if (n < ARRAY_SIZE(config))
				in_config = in_config && l == strlen(config[n]) && !strncasecmp(p, config[n], l);
			comp[n < 3 ? n : 3] = p;
			len[n < 3 ? n : 3] = l;
			n++;
		}
		p += l;
		p += *p != 0;
	}
	if (!n)
		return false;
	const char *leaf = comp[n < 4 ? n - 1 : 3];
	size_t leaf_len = len[n < 4 ? n - 1 : 3];
	if (is_hive_name(leaf, leaf_len, "NTUSER.DAT") || is_hive_name(leaf, leaf_len, "UsrClass.dat"))
		return true;
	if (n != 4 || !in_config)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(config_hives); i++)
		if (is_hive_name(leaf, leaf_len, config_hives[i]))
			return true;
	return false;
}
