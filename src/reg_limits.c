/*
 * reg_limits.c - bounds on what one list of registry operations may ask of hivex: how many new
 * subkeys one key may get, counted over the whole list before the first change.
 */
#include "reg_limits.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One subkey the ops name: "<hive>\<parent path>" and the child's name, as written. */
struct edge {
	char *parent;
	size_t plen;
	const char *child;   /* points into parent's allocation */
	char *fold;          /* lower-case "parent\x01child": sorts children of one parent together */
	const struct reg_op *op;
};

static int by_fold(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	int c = strcmp(x->fold, y->fold);
	/* the first op naming a child stays first among equal ones: it names the file and line */
	return c ? c : x->op < y->op ? -1 : x->op > y->op;
}

static char *fold(const char *parent, const char *child)
{
	char *f = xasprintf("%s\x01%s", parent, child);
	for (char *p = f; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return f;
}

/* Every (parent, child) pair along the key of op, "<hive>\" prefixed. */
static void add_edges(const char *hive, const char *path, const struct reg_op *op,
		      struct edge **v, size_t *n, size_t *alloc)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, hive);
	for (const char *p = path; *p;) {
		size_t l = strcspn(p, "\\");
		if (l) {
			if (*n == *alloc) {
				*alloc = *alloc ? 2 * *alloc : 64;
				*v = xrealloc(*v, *alloc * sizeof(**v));
			}
			struct edge *e = &(*v)[(*n)++];
			size_t pl = sb.len;
			e->parent = xmalloc(pl + 1 + l + 1);
			memcpy(e->parent, sb.buf, pl);
			e->parent[pl] = '\0';
			memcpy(e->parent + pl + 1, p, l);
			e->parent[pl + 1 + l] = '\0';
			e->plen = pl;
			e->child = e->parent + pl + 1;
			e->fold = fold(e->parent, e->child);
			e->op = op;
			sb_addch(&sb, '\\');
			sb_add(&sb, p, l);
		}
		p += l;
		p += *p == '\\';
	}
	sb_release(&sb);
}

/*
 * How many of the children e[from..to) name are not in the hive yet; *over gets the one that
 * goes over the limit.
 */
static size_t count_new(struct hive_set *s, struct edge *e, size_t from, size_t to,
			const struct edge **over)
{
	const char *hive = e[from].parent, *slash = strchr(hive, '\\');
	char *name = slash ? xstrndup(hive, (size_t)(slash - hive)) : xstrdup(hive);
	struct hive *h;
	hive_key parent = 0;
	bool exists = !hive_set_get(s, name, &h) &&
		      !hive_lookup(h, slash ? slash + 1 : "", &parent, NULL);
	size_t fresh = 0;
	*over = NULL;
	for (size_t i = from; i < to; i++) {
		hive_key c;
		if (exists && !hive_child(h, parent, e[i].child, &c))
			continue;
		if (++fresh == REG_MAX_NEW_SUBKEYS + 1)
			*over = &e[i];
	}
	free(name);
	return fresh;
}

enum wg_err reg_check_limits(struct hive_set *s, const struct reg_ops *ops)
{
	struct edge *e = NULL;
	size_t n = 0, alloc = 0;
	enum wg_err ret = WG_OK;
	for (size_t i = 0; i < ops->n; i++) {
		const struct reg_op *op = &ops->v[i];
		const char *hive, *rest;
		char *path = NULL;
		if (op->kind != REG_OP_KEY && op->kind != REG_OP_SET_VALUE)
			continue;
		/* what cannot be routed is refused by the apply itself, with its own message */
		if (reg_route(op->key, NULL, 0, &hive, &rest) || !hive_set_has(s, hive))
			continue;
		if (hive_set_map_path(s, hive, rest, &path))
			continue;
		add_edges(reg_hive_name(hive), path, op, &e, &n, &alloc);
		free(path);
	}
	if (n)   /* qsort may not be given NULL, even for no element */
		qsort(e, n, sizeof(*e), by_fold);
	size_t from = 0;
	while (from < n && !ret) {
		/* the distinct children of one parent: e[from..to) */
		size_t to = from, distinct = 0;
		size_t plen = e[from].plen;
		for (; to < n && e[to].plen == plen && !strncmp(e[to].fold, e[from].fold, plen); to++)
			distinct += to == from || strcmp(e[to].fold, e[to - 1].fold);
		if (distinct > REG_MAX_NEW_SUBKEYS) {
			/* keep one edge per child, then count the ones the hive lacks */
			size_t k = from;
			for (size_t i = from; i < to; i++) {
				if (i == from || strcmp(e[i].fold, e[k - 1].fold)) {
					e[k++] = e[i];
				} else {
					free(e[i].parent);
					free(e[i].fold);
				}
			}
			for (size_t i = k; i < to; i++)
				e[i] = (struct edge){ 0 };
			const struct edge *over;
			size_t fresh = count_new(s, e, from, k, &over);
			if (fresh > REG_MAX_NEW_SUBKEYS) {
				const struct reg_op *op = over->op;
				wg_error("'%s' line %u: %zu new subkeys under '%s' are too many: at most "
					 "%d are written under one key (hivex copies the key's whole "
					 "subkey list for each one)", op->origin ? op->origin : "?",
					 op->line, fresh, e[from].parent, REG_MAX_NEW_SUBKEYS);
				ret = WG_ERR_TOO_LARGE;
			}
		}
		from = to;
	}
	for (size_t i = 0; i < n; i++) {
		free(e[i].parent);
		free(e[i].fold);
	}
	free(e);
	return ret;
}
