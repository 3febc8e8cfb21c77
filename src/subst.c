/*
 * subst.c - ${NAME} substitution in manifest strings, with "$$" as an
 * escaped '$'. Pure: the caller supplies the values through a lookup function.
 */
#include "subst.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool name_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/* At s (pointing at "${"), parse the name. Returns its length, or 0 on bad syntax; *end gets '}'. */
static size_t parse_ref(const char *s, const char **end)
{
	const char *p = s + 2;
	size_t n = 0;
	while (p[n] && p[n] != '}') {
		if (!name_char(p[n], n == 0))
			return 0;
		n++;
	}
	if (p[n] != '}' || n == 0 || n > 64)
		return 0;
	*end = p + n;
	return n;
}

enum subst_result subst_expand(const char *tmpl, subst_lookup_fn lookup, void *ctx,
			       char **out, char **bad)
{
	struct strbuf sb = STRBUF_INIT;
	*out = NULL;
	*bad = NULL;
	sb_addstr(&sb, "");
	for (const char *s = tmpl; *s; s++) {
		if (s[0] != '$' || (s[1] != '{' && s[1] != '$')) {
			sb_addch(&sb, *s);
			continue;
		}
		if (s[1] == '$') {
			sb_addch(&sb, '$');
			s++;
			continue;
		}
		const char *end;
		size_t n = parse_ref(s, &end);
		if (!n) {
			/* quote "${" and what follows, up to '}', a blank or 32 characters */
			size_t k = 2;
			while (s[k] && s[k] != '}' && s[k] != ' ' && s[k] != '\n' && s[k] != '\t' &&
			       s[k] != '\r' && k < 34)
				k++;
			*bad = xstrndup(s, s[k] == '}' ? k + 1 : k);
			sb_release(&sb);
			return SUBST_SYNTAX;
		}
		char *name = xstrndup(s + 2, n);
		const char *val = lookup(ctx, name);
		if (!val) {
			*bad = name;
			sb_release(&sb);
			return SUBST_UNDEFINED;
		}
		sb_addstr(&sb, val);
		free(name);
		s = end;
	}
	*out = sb_detach(&sb);
	return SUBST_OK;
}

void subst_each_ref(const char *tmpl, void (*fn)(void *ctx, const char *name), void *ctx)
{
	for (const char *s = tmpl; *s; s++) {
		if (s[0] != '$')
			continue;
		if (s[1] == '$') {
			s++;
			continue;
		}
		if (s[1] != '{')
			continue;
		const char *end;
		size_t n = parse_ref(s, &end);
		if (!n)
			continue;
		char *name = xstrndup(s + 2, n);
		fn(ctx, name);
		free(name);
		s = end;
	}
}

static void note_ref(void *ctx, const char *name)
{
	(void)name;
	*(bool *)ctx = true;
}

bool subst_has_refs(const char *tmpl)
{
	bool found = false;
	subst_each_ref(tmpl, note_ref, &found);
	return found;
}
