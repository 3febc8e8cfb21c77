/*
 * firstboot.c - add, replace and remove a feature's marked block in
 * SetupComplete.cmd text; everything outside the block is kept byte for byte.
 */
#include "firstboot.h"

#include <stdlib.h>
#include <string.h>

static char *begin_marker(const char *feature)
{
	return xasprintf("rem >>> wimgraft %s: begin", feature);
}

static char *end_marker(const char *feature)
{
	return xasprintf("rem <<< wimgraft %s: end", feature);
}

/*
 * Find the block: [*start, *end) spans its lines including the end marker's line
 * break. The begin marker taken is the last one before the first end marker, so a
 * stray begin line above the block is never swallowed.
 */
static bool find_block(const char *text, size_t len, const char *feature, size_t *start,
		       size_t *end)
{
	char *b = begin_marker(feature), *e = end_marker(feature);
	size_t blen = strlen(b), elen = strlen(e);
	bool have_begin = false, found = false;
	for (size_t i = 0; i < len && !found;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= blen && !memcmp(text + i, b, blen)) {
			*start = i;
			have_begin = true;
		} else if (have_begin && eol - i >= elen && !memcmp(text + i, e, elen)) {
			*end = eol < len ? eol + 1 : len;
			found = true;
		}
		i = eol < len ? eol + 1 : len;
	}
	free(b);
	free(e);
	return found;
}

static void add_block(struct strbuf *out, const char *feature, const struct strvec *commands)
{
	char *b = begin_marker(feature), *e = end_marker(feature);
	sb_addf(out, "%s (added by wimgraft; 'wimgraft remove' deletes this block)\r\n", b);
	for (size_t i = 0; i < commands->n; i++)
		sb_addf(out, "%s\r\n", commands->v[i]);
	sb_addf(out, "%s\r\n", e);
	free(b);
	free(e);
}

static const char header[] = "@echo off\r\n";

void firstboot_add(const char *text, size_t len, const char *feature,
		   const struct strvec *commands, struct strbuf *out, const char **lead)
{
	size_t start, end;
	const char *l = "";
	if (text && find_block(text, len, feature, &start, &end)) {
		sb_add(out, text, start);
		add_block(out, feature, commands);
		sb_add(out, text + end, len - end);
	} else {
		if (text && len)
			sb_add(out, text, len);
		l = !text || !len ? header : text[len - 1] != '\n' ? "\r\n" : "";
		sb_addstr(out, l);
		add_block(out, feature, commands);
	}
	if (lead)
		*lead = l;
}

void firstboot_remove(const char *text, size_t len, const char *feature, const char *lead,
		      struct strbuf *out, bool *found)
{
	size_t start, end;
	*found = text && find_block(text, len, feature, &start, &end);
	if (!*found) {
		if (text)
			sb_add(out, text, len);
		return;
	}
	size_t llen = lead ? strlen(lead) : 0;
	if (llen && start >= llen && !memcmp(text + start - llen, lead, llen))
		start -= llen;
	sb_add(out, text, start);
	sb_add(out, text + end, len - end);
}

bool firstboot_is_blank(const char *text, size_t len)
{
	if (len >= sizeof(header) - 1 && !memcmp(text, header, sizeof(header) - 1)) {
		text += sizeof(header) - 1;
		len -= sizeof(header) - 1;
	}
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]))
			return false;
	return true;
}
