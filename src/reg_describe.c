/*
 * reg_describe.c - registry changes and values in words, for --dry-run, reports and
 * the differences verify finds.
 */
#include "reg_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void add_text(struct strbuf *out, const char *t)
{
	size_t n = strlen(t);
	sb_addch(out, '"');
	if (n > 80) {
		size_t cut = 77;
		while (cut && ((unsigned char)t[cut] & 0xC0) == 0x80)
			cut--;
		sb_add(out, t, cut);
		sb_addstr(out, "...");
	} else {
		sb_addstr(out, t);
	}
	sb_addch(out, '"');
}

void reg_value_describe(uint32_t type, const unsigned char *d, size_t len, struct strbuf *out)
{
	sb_addstr(out, reg_type_name(type));
	if (type == REG_DWORD && len == 4) {
		sb_addf(out, " 0x%x", d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
			(uint32_t)d[3] << 24);
		return;
	}
	if (type == REG_QWORD && len == 8) {
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | d[i];
		sb_addf(out, " 0x%llx", (unsigned long long)v);
		return;
	}
	if ((type == REG_SZ || type == REG_EXPAND_SZ) && len % 2 == 0) {
		char *t = utf16le_to_utf8(d, len);
		if (t) {
			sb_addch(out, ' ');
			add_text(out, t);
			free(t);
			return;
		}
	}
	if (type == REG_MULTI_SZ && len % 2 == 0) {
		struct strbuf sb = STRBUF_INIT;
		bool ok = true;
		size_t count = 0;
		for (size_t i = 0; i + 1 < len;) {
			size_t j = i;
			while (j + 1 < len && (d[j] || d[j + 1]))
				j += 2;
			if (j == i)
				break;      /* the empty string that ends the list */
			char *t = utf16le_to_utf8(d + i, j - i);
			if (!t) {
				ok = false;
				break;
			}
			sb_addstr(&sb, count++ ? ", " : " ");
			add_text(&sb, t);
			free(t);
			i = j + 2;
		}
		if (ok) {
			sb_addstr(out, count ? sb.buf : " (empty)");
			sb_release(&sb);
			return;
		}
		sb_release(&sb);
	}
	sb_addf(out, " %zu byte%s", len, len == 1 ? "" : "s");
	for (size_t i = 0; i < len && i < 16; i++)
		sb_addf(out, "%c%02x", i ? ',' : ' ', d[i]);
	if (len > 16)
		sb_addstr(out, ",...");
}

static void add_key(struct strbuf *out, const struct reg_change *c)
{
	sb_addstr(out, c->hive);
	if (*c->key) {
		sb_addch(out, '\\');
		sb_addstr(out, c->key);
	}
	sb_addstr(out, ": ");
}

static void add_name(struct strbuf *out, const char *name)
{
	if (*name)
		sb_addf(out, "\"%s\"", name);
	else
		sb_addstr(out, "@ (default value)");
}

void reg_change_describe(const struct reg_change *c, struct strbuf *out)
{
	add_key(out, c);
	switch (c->kind) {
	case REG_CHANGE_CREATE_KEY:
		sb_addstr(out, c->unchanged ? "key exists (unchanged)" : "key created");
		break;
	case REG_CHANGE_DELETE_KEY:
		if (c->unchanged || !c->old_tree)
			sb_addstr(out, "key absent (unchanged)");
		else
			sb_addf(out, "key deleted (it held %zu value%s and %zu subkey%s)",
				c->old_tree->nvalues, c->old_tree->nvalues == 1 ? "" : "s",
				c->old_tree->nchildren, c->old_tree->nchildren == 1 ? "" : "s");
		break;
	case REG_CHANGE_SET_VALUE:
		add_name(out, c->name);
		sb_addch(out, ' ');
		reg_value_describe(c->new_type, c->new_data, c->new_len, out);
		if (c->unchanged) {
			sb_addstr(out, " (unchanged)");
		} else if (c->old_present) {
			sb_addstr(out, " (replaces ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addch(out, ')');
		} else {
			sb_addstr(out, " (new)");
		}
		break;
	case REG_CHANGE_DELETE_VALUE:
		add_name(out, c->name);
		if (c->unchanged || !c->old_present) {
			sb_addstr(out, " absent (unchanged)");
		} else {
			sb_addstr(out, " deleted (was ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addch(out, ')');
		}
		break;
	}
}

void reg_change_describe_difference(const struct reg_change *c, struct strbuf *out)
{
	add_key(out, c);
	switch (c->kind) {
	case REG_CHANGE_CREATE_KEY:
		sb_addstr(out, c->unchanged ? "key present" : "key missing");
		break;
	case REG_CHANGE_DELETE_KEY:
		sb_addstr(out, c->old_present ? "key present, expected absent" : "key absent");
		break;
	case REG_CHANGE_SET_VALUE:
		add_name(out, c->name);
		if (c->old_present) {
			sb_addstr(out, " is ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addstr(out, ", expected ");
		} else {
			sb_addstr(out, " missing, expected ");
		}
		reg_value_describe(c->new_type, c->new_data, c->new_len, out);
		break;
	case REG_CHANGE_DELETE_VALUE:
		add_name(out, c->name);
		if (c->old_present) {
			sb_addstr(out, " is ");
			reg_value_describe(c->old_type, c->old_data, c->old_len, out);
			sb_addstr(out, ", expected absent");
		} else {
			sb_addstr(out, " absent");
		}
		break;
	}
}
