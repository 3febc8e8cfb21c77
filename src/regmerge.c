/*
 * regmerge.c - INF AddReg's NOCLOBBER and APPEND against the value a hive
 * already holds, decided before the value is written.
 */
#include "regmerge.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The strings of REG_MULTI_SZ data: offsets and byte lengths (without the NUL). */
static size_t next_string(const unsigned char *d, size_t len, size_t at, size_t *n)
{
	size_t i = at;
	while (i + 1 < len && (d[i] || d[i + 1]))
		i += 2;
	*n = i - at;
	return i + 2;
}

static bool has_string(const unsigned char *d, size_t len, const unsigned char *s, size_t n)
{
	for (size_t at = 0, m; at + 1 < len;) {
		size_t next = next_string(d, len, at, &m);
		if (!m)
			break;
		if (m == n && !memcmp(d + at, s, n))
			return true;
		at = next;
	}
	return false;
}

unsigned char *regmerge_multi_sz(const unsigned char *a, size_t alen, const unsigned char *b,
				 size_t blen, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t m;
	for (size_t at = 0; at + 1 < alen;) {
		size_t next = next_string(a, alen, at, &m);
		if (!m)
			break;
		sb_add(&sb, a + at, m);
		sb_add(&sb, "\0", 2);
		at = next;
	}
	for (size_t at = 0; at + 1 < blen;) {
		size_t next = next_string(b, blen, at, &m);
		if (!m)
			break;
		if (!has_string(a, alen, b + at, m)) {
			sb_add(&sb, b + at, m);
			sb_add(&sb, "\0", 2);
		}
		at = next;
	}
	sb_add(&sb, "\0", 2);
	if (sb.len == 2)
		sb_add(&sb, "\0", 2);
	*len = sb.len;
	return (unsigned char *)sb_detach(&sb);
}

enum wg_err regmerge_value(struct hive *h, const char *path, const struct reg_op *op,
			   uint32_t *type, unsigned char **data, size_t *len)
{
	struct hive_value old = { 0 };
	hive_key k;
	enum wg_err err = WG_ERR_NOT_FOUND;
	if (op->flags & (REG_OP_NOCLOBBER | REG_OP_APPEND)) {
		err = hive_lookup(h, path, &k, NULL);
		if (!err)
			err = hive_value_get(h, k, op->name ? op->name : "", &old);
	}
	if (err && err != WG_ERR_NOT_FOUND)
		return err;
	*type = op->type;
	if (err == WG_ERR_NOT_FOUND || (!(op->flags & REG_OP_NOCLOBBER) &&
					old.type != REG_MULTI_SZ)) {
		/* nothing there, or APPEND onto a value of another type: replaced */
		*len = op->len;
		*data = xmalloc(op->len + 1);
		if (op->len)
			memcpy(*data, op->data, op->len);
	} else if (op->flags & REG_OP_NOCLOBBER) {
		*type = old.type;
		*len = old.len;
		*data = old.data;
		old.data = NULL;
	} else {
		*data = regmerge_multi_sz(old.data, old.len, op->data, op->len, len);
	}
	hive_value_release(&old);
	return WG_OK;
}
