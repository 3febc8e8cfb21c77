/*
 * hive_values.c - a key's values edited in memory (a hash of their case-folded names) and
 * written back with one hivex_node_set_values call.
 */
#include "hive_values.h"

#include <stdlib.h>
#include <string.h>

/* The slot holding name, or the empty slot where it would go. */
static size_t *slot_of(const struct hive_values *b, const char *name)
{
	size_t i = hive_name_hash(name) & (b->nslots - 1);
	for (;; i = (i + 1) & (b->nslots - 1)) {
		size_t *s = &b->slots[i];
		if (!*s || (b->v[*s - 1].name && wg_streq_nocase(b->v[*s - 1].name, name)))
			return s;
	}
}

static void rehash(struct hive_values *b)
{
	free(b->slots);
	b->nslots = 16;
	while (b->nslots < 2 * b->n + 2)
		b->nslots *= 2;
	b->slots = xcalloc(b->nslots, sizeof(*b->slots));
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].name)
			*slot_of(b, b->v[i].name) = i + 1;
}

enum wg_err hive_values_open(struct hive_values *b, struct hive *h, hive_key key)
{
	memset(b, 0, sizeof(*b));
	b->h = h;
	b->key = key;
	enum wg_err err = hive_values_list(h, key, &b->v, &b->n);
	if (err)
		return err;
	b->alloc = b->n + 1;   /* hive_values_list leaves room for one more */
	rehash(b);
	return WG_OK;
}

const struct hive_value *hive_values_find(const struct hive_values *b, const char *name)
{
	size_t s = *slot_of(b, name);
	return s ? &b->v[s - 1] : NULL;
}

void hive_values_set(struct hive_values *b, const char *name, uint32_t type, const void *data,
		     size_t len)
{
	size_t *slot = slot_of(b, name);
	struct hive_value *v;
	if (*slot) {
		v = &b->v[*slot - 1];
		free(v->data);
	} else {
		if (b->n == b->alloc) {
			b->alloc = b->alloc * 2 + 16;
			b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
		}
		v = &b->v[b->n++];
		v->name = xstrdup(name);
		*slot = b->n;
		if (b->nslots < 2 * b->n)
			rehash(b);
	}
	v->type = type;
	v->len = len;
	v->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(v->data, data, len);
	b->dirty = true;
}

bool hive_values_delete(struct hive_values *b, const char *name)
{
	size_t *slot = slot_of(b, name);
	if (!*slot)
		return false;
	/* name NULL: a tombstone, probed past and skipped when written */
	hive_value_release(&b->v[*slot - 1]);
	b->dirty = true;
	return true;
}

void hive_values_discard(struct hive_values *b)
{
	hive_values_free(b->v, b->n);
	free(b->slots);
	memset(b, 0, sizeof(*b));
}

enum wg_err hive_values_close(struct hive_values *b)
{
	enum wg_err err = WG_OK;
	if (b->dirty) {
		size_t live = 0;
		for (size_t i = 0; i < b->n; i++)
			if (b->v[i].name)
				b->v[live++] = b->v[i];
		for (size_t i = live; i < b->n; i++)
			memset(&b->v[i], 0, sizeof(b->v[i]));
		b->n = live;
		err = hive_values_replace(b->h, b->key, b->v, b->n);
	}
	hive_values_discard(b);
	return err;
}
