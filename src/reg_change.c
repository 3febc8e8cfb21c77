/*
 * reg_change.c - the record of one registry change (what a key or value held before
 * and after), kept in a growing list.
 */
#include "reg_change.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void change_release(struct reg_change *c)
{
	free(c->hive);
	free(c->key);
	free(c->name);
	free(c->old_data);
	free(c->new_data);
	if (c->old_tree) {
		hive_tree_release(c->old_tree);
		free(c->old_tree);
	}
	free(c->origin);
}

void reg_changes_release(struct reg_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		change_release(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
}

size_t reg_changes_effective(const struct reg_changes *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += !c->v[i].unchanged;
	return n;
}

struct reg_change *reg_change_push(struct reg_changes *out, const char *hive, const char *key,
				   const char *name, enum reg_change_kind kind, const char *origin,
				   unsigned line)
{
	if (out->n == out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 16;
		out->v = xrealloc(out->v, out->alloc * sizeof(*out->v));
	}
	struct reg_change *c = &out->v[out->n++];
	memset(c, 0, sizeof(*c));
	c->hive = xstrdup(hive);
	c->key = xstrdup(key);
	c->name = name ? xstrdup(name) : NULL;
	c->kind = kind;
	c->origin = origin ? xstrdup(origin) : NULL;
	c->line = line;
	return c;
}

void reg_changes_drop_hives(struct reg_changes *c, const struct strvec *hives)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool drop = false;
		for (size_t h = 0; h < hives->n && !drop; h++)
			drop = wg_streq_nocase(c->v[i].hive, hives->v[h]);
		if (drop)
			change_release(&c->v[i]);
		else
			c->v[k++] = c->v[i];
	}
	c->n = k;
}
