/*
 * manifest_loader.c - what the files that build the manifest model share: the loader's
 * messages, XML helpers, look-ups in the model being built, ${...} checks and image paths.
 */
#include "manifest_loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subst.h"

/* ---------- messages ---------- */

void ld_fail(struct loader *ld, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mxml_report_at(ld->name, line, fmt, ap);
	va_end(ap);
	if (ld->err == WG_OK)
		ld->err = WG_ERR_MANIFEST;
}

/* ---------- XML helpers ---------- */

bool ld_is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

bool ld_attr_bool(const xmlNode *n, const char *name)
{
	char *v = mxml_attr(n, name);
	bool b = v && (!strcmp(v, "true") || !strcmp(v, "1"));
	free(v);
	return b;
}

/* The element's own text (text and CDATA children, not its child elements'). */
char *ld_own_text(const xmlNode *n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "");
	for (const xmlNode *c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			sb_addstr(&sb, (const char *)c->content);
	return sb_detach(&sb);
}

char *ld_collapse_ws(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "");
	bool space = false;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_addch(&sb, ' ');
		space = false;
		sb_addch(&sb, *s);
	}
	return sb_detach(&sb);
}

bool ld_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

void *ld_grow(void *v, size_t n, size_t size)
{
	/* grow to hold n + 1 elements, zeroing the new one */
	char *p = xrealloc(v, (n + 1) * size);
	memset(p + n * size, 0, size);
	return p;
}

/* ---------- substitution at load time ---------- */

struct load_vars {
	const struct manifest *m;
	bool captures;            /* ${capture} allowed here */
	bool image_params;        /* ${param from="language"} allowed here (its value may change) */
	const char *refused;      /* why the last name was refused */
};

const char *ld_find_capture(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nfiles; i++)
		for (size_t j = 0; j < m->files[i].ncaptures; j++)
			if (!strcmp(m->files[i].captures[j].name, name))
				return m->files[i].captures[j].name;
	for (size_t i = 0; i < m->ninfcomps; i++)
		if (m->infcomps[i].capture && !strcmp(m->infcomps[i].capture, name))
			return m->infcomps[i].capture;
	return NULL;
}

static const char *load_lookup(void *ctx, const char *name)
{
	struct load_vars *v = ctx;
	const struct manifest_param *p = manifest_param(v->m, name);
	v->refused = NULL;
	if (p) {
		if (p->from_language && !p->set && !v->image_params) {
			v->refused = "its value comes from the image, so it can be used only in paths, "
				     "names, string data and commands";
			return NULL;
		}
		return p->value;
	}
	if (ld_find_capture(v->m, name)) {
		if (!v->captures) {
			v->refused = "a captured name can be used only in destinations, registry key "
				     "and value names, string data and commands";
			return NULL;
		}
		return "captured";
	}
	return NULL;
}

static void list_names(const struct manifest *m, struct strbuf *sb)
{
	sb_addstr(sb, "parameters: ");
	for (size_t i = 0; i < m->nparams; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", m->params[i].name);
	if (!m->nparams)
		sb_addstr(sb, "none");
	bool any = false;
	for (size_t i = 0; i < m->nfiles; i++)
		for (size_t j = 0; j < m->files[i].ncaptures; j++) {
			sb_addf(sb, "%s%s", any ? ", " : "; captures: ", m->files[i].captures[j].name);
			any = true;
		}
	for (size_t i = 0; i < m->ninfcomps; i++)
		if (m->infcomps[i].capture) {
			sb_addf(sb, "%s%s", any ? ", " : "; captures: ", m->infcomps[i].capture);
			any = true;
		}
}

/* Trial-expand tmpl; reports a problem and returns NULL, else the expansion. */
char *ld_check_refs(struct loader *ld, unsigned line, const char *what, const char *tmpl,
			bool captures, bool image_params)
{
	struct load_vars v = { ld->m, captures, image_params, NULL };
	char *out, *bad;
	switch (subst_expand(tmpl, load_lookup, &v, &out, &bad)) {
	case SUBST_OK:
		return out;
	case SUBST_SYNTAX:
		ld_fail(ld, line, "%s: '%s' is not a valid reference; write ${NAME} (or $$ for a '$')",
		     what, bad);
		break;
	case SUBST_UNDEFINED:
		if (v.refused) {
			ld_fail(ld, line, "%s: ${%s} cannot be used here: %s", what, bad, v.refused);
		} else {
			struct strbuf sb = STRBUF_INIT;
			list_names(ld->m, &sb);
			ld_fail(ld, line, "%s: ${%s} is not defined (%s)", what, bad, sb.buf);
			sb_release(&sb);
		}
		break;
	}
	free(bad);
	return NULL;
}

/* ---------- paths ---------- */

void ld_to_slashes(char *s)
{
	for (; *s; s++)
		if (*s == '\\')
			*s = '/';
}

/*
 * Why a relative image path is unsafe or malformed, or NULL when it is fine.
 * wildcards: '*' and '?' allowed; folder: a trailing '/' allowed.
 */
const char *ld_path_problem(const char *p, bool wildcards, bool folder)
{
	if (!*p)
		return "is empty";
	if (p[0] == '/' || p[0] == '\\' ||
	    (((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':'))
		return "is absolute; paths are relative to the image root";
	const char *s = p;
	for (;;) {
		const char *e = s;
		while (*e && *e != '/' && *e != '\\')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0 && !(*e == '\0' && folder && e != p))
			return "has an empty component";
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return "holds a '.' or '..' component; paths must stay inside the image";
		for (const char *c = s; c < e; c++) {
			if ((unsigned char)*c < 0x20 || *c == ':' || *c == '"' || *c == '<' ||
			    *c == '>' || *c == '|')
				return "holds a character Windows does not allow in file names";
			if (!wildcards && (*c == '*' || *c == '?'))
				return "holds a wildcard ('*' or '?')";
		}
		if (!*e)
			break;
		s = e + 1;
	}
	return NULL;
}

const struct manifest_param *manifest_param(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nparams; i++)
		if (!strcmp(m->params[i].name, name))
			return &m->params[i];
	return NULL;
}

ssize_t ld_file_index(const struct manifest *m, const char *id)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].id && !strcmp(m->files[i].id, id))
			return (ssize_t)i;
	return -1;
}
