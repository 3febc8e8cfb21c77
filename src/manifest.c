/*
 * manifest.c - build the manifest model from a validated XML tree: parameters
 * and -D values, requirements, files and captures, registry changes, commands.
 */
#include "manifest.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlregexp.h>

#include "hive.h"
#include "manifest_xml.h"
#include "regfile.h"
#include "subst.h"

#ifndef WIMGRAFT_DATADIR
#define WIMGRAFT_DATADIR "/usr/local/share/wimgraft"
#endif

static const char *const hive_names[HIVE_COUNT] = { "SYSTEM", "SOFTWARE", "DRIVERS", "DEFAULT" };
static const char *const hive_roots[HIVE_COUNT] = {
	"HKEY_LOCAL_MACHINE\\SYSTEM", "HKEY_LOCAL_MACHINE\\SOFTWARE",
	"HKEY_LOCAL_MACHINE\\DRIVERS", "HKEY_USERS\\.DEFAULT",
};

const char *manifest_hive_name(enum manifest_hive h)
{
	return (unsigned)h < HIVE_COUNT ? hive_names[h] : "?";
}

const char *manifest_hive_root(enum manifest_hive h)
{
	return (unsigned)h < HIVE_COUNT ? hive_roots[h] : "?";
}

/* ---------- finding shipped files ---------- */

static char *existing(char *path)
{
	if (path && access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *manifest_find_shipped(const char *file)
{
	char *p;
	const char *env = getenv("WIMGRAFT_MANIFEST_DIR");
	if (env && *env && (p = existing(xasprintf("%s/%s", env, file))))
		return p;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if ((p = existing(xasprintf("%s/manifests/%s", exe, file))))
				return p;
			/* installed under another prefix than it was built for: <prefix>/bin/.. */
			if ((p = existing(xasprintf("%s/../share/wimgraft/manifests/%s", exe, file))))
				return p;
		}
	}
	return existing(xasprintf("%s/manifests/%s", WIMGRAFT_DATADIR, file));
}

static struct mxml_kind manifest_kind = {
	.schema_file = MANIFEST_SCHEMA_FILE, .find_shipped = manifest_find_shipped,
	.max_size = MANIFEST_MAX_SIZE, .root = "feature", .noun = "manifest",
	.format = MANIFEST_FORMAT, .err = WG_ERR_MANIFEST,
};

/* ---------- the loader's state and messages ---------- */

struct loader {
	struct manifest *m;
	const char *name;
	enum wg_err err;
	unsigned params_line;     /* <parameters>, or the root: where -D errors point */
};

static void fail(struct loader *ld, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct loader *ld, unsigned line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	sb_addf(&sb, "'%s' line %u: %s", ld->name, line, msg ? msg : "error");
	mxml_report("%s", sb.buf);
	free(msg);
	sb_release(&sb);
	if (ld->err == WG_OK)
		ld->err = WG_ERR_MANIFEST;
}

/* ---------- XML helpers ---------- */

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static bool attr_bool(const xmlNode *n, const char *name)
{
	char *v = attr(n, name);
	bool b = v && (!strcmp(v, "true") || !strcmp(v, "1"));
	free(v);
	return b;
}

/* The element's own text (text and CDATA children, not its child elements'). */
static char *own_text(const xmlNode *n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "");
	for (const xmlNode *c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			sb_addstr(&sb, (const char *)c->content);
	return sb_detach(&sb);
}

static char *collapse_ws(const char *s)
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

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static void *grow(void *v, size_t n, size_t size)
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

static const char *find_capture(const struct manifest *m, const char *name)
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
	if (find_capture(v->m, name)) {
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
static char *check_refs(struct loader *ld, unsigned line, const char *what, const char *tmpl,
			bool captures, bool image_params)
{
	struct load_vars v = { ld->m, captures, image_params, NULL };
	char *out, *bad;
	switch (subst_expand(tmpl, load_lookup, &v, &out, &bad)) {
	case SUBST_OK:
		return out;
	case SUBST_SYNTAX:
		fail(ld, line, "%s: '%s' is not a valid reference; write ${NAME} (or $$ for a '$')",
		     what, bad);
		break;
	case SUBST_UNDEFINED:
		if (v.refused) {
			fail(ld, line, "%s: ${%s} cannot be used here: %s", what, bad, v.refused);
		} else {
			struct strbuf sb = STRBUF_INIT;
			list_names(ld->m, &sb);
			fail(ld, line, "%s: ${%s} is not defined (%s)", what, bad, sb.buf);
			sb_release(&sb);
		}
		break;
	}
	free(bad);
	return NULL;
}

/* ---------- paths ---------- */

static void to_slashes(char *s)
{
	for (; *s; s++)
		if (*s == '\\')
			*s = '/';
}

/*
 * Why a relative image path is unsafe or malformed, or NULL when it is fine.
 * wildcards: '*' and '?' allowed; folder: a trailing '/' allowed.
 */
static const char *path_problem(const char *p, bool wildcards, bool folder)
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

/* ---------- value data ---------- */

static int parse_number(const char *text, uint64_t max, uint64_t *out)
{
	const char *s = text;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex)
		s += 2;
	uint64_t v = 0;
	int digits = 0;
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (hex && (*s | 32) >= 'a' && (*s | 32) <= 'f')
			d = (*s | 32) - 'a' + 10;
		else
			break;
		uint64_t base = hex ? 16 : 10;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -1;
		v = v * base + (uint64_t)d;
		digits++;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!digits || *s || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Hex bytes separated by blanks or commas ("dd,07 0c" or "dd070c"). NULL or a reason. */
static const char *parse_hex_bytes(const char *s, struct strbuf *out)
{
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ',') {
			s++;
			continue;
		}
		const char *e = s;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r' && *e != ',')
			e++;
		if ((e - s) % 2)
			return "an odd number of hex digits";
		for (const char *c = s; c < e; c += 2) {
			int hi = c[0], lo = c[1];
			int h = (hi >= '0' && hi <= '9') ? hi - '0' :
				((hi | 32) >= 'a' && (hi | 32) <= 'f') ? (hi | 32) - 'a' + 10 : -1;
			int l = (lo >= '0' && lo <= '9') ? lo - '0' :
				((lo | 32) >= 'a' && (lo | 32) <= 'f') ? (lo | 32) - 'a' + 10 : -1;
			if (h < 0 || l < 0)
				return "a character that is not a hex digit";
			sb_addch(out, (char)(h * 16 + l));
		}
		s = e;
	}
	return NULL;
}

/* ---------- parameters ---------- */

static void silent_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/* 1: matches; 0: does not; -1: the pattern is not a valid XSD regular expression. */
int manifest_pattern_match(const char *pattern, const char *value)
{
	xmlSetStructuredErrorFunc(NULL, silent_structured);
	xmlRegexpPtr re = xmlRegexpCompile(BAD_CAST pattern);
	int r = -1;
	if (re) {
		r = xmlRegexpExec(re, BAD_CAST value);
		if (r < 0)
			r = 0;
		xmlRegFreeRegexp(re);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	return r;
}

static void load_params(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	ld->params_line = mxml_line(node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_elem(c, "param"))
			continue;
		m->params = grow(m->params, m->nparams, sizeof(*m->params));
		struct manifest_param *p = &m->params[m->nparams++];
		p->name = attr(c, "name");
		p->def = attr(c, "default");
		p->value = xstrdup(p->def);
		p->pattern = attr(c, "pattern");
		p->line = mxml_line(c);
		char *from = attr(c, "from");
		p->from_language = from && !strcmp(from, "language");
		free(from);
		for (const xmlNode *d = c->children; d; d = d->next)
			if (is_elem(d, "description")) {
				char *t = own_text(d);
				p->description = collapse_ws(t);
				free(t);
			}
		if (subst_has_refs(p->def) || strstr(p->def, "${"))
			fail(ld, p->line, "parameter '%s': a default cannot refer to ${...}", p->name);
		if (p->pattern) {
			int r = manifest_pattern_match(p->pattern, p->def);
			if (r < 0)
				fail(ld, p->line, "parameter '%s': '%s' is not a valid regular expression",
				     p->name, p->pattern);
			else if (r == 0)
				fail(ld, p->line, "parameter '%s': the default '%s' does not match its "
				     "pattern '%s'", p->name, p->def, p->pattern);
		}
	}
}

static void apply_params(struct loader *ld, const struct strvec *params)
{
	struct manifest *m = ld->m;
	for (size_t i = 0; params && i < params->n; i++) {
		const char *arg = params->v[i];
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			fail(ld, ld->params_line, "-D %s: expected NAME=VALUE", arg);
			continue;
		}
		char *name = xstrndup(arg, (size_t)(eq - arg));
		struct manifest_param *p = (struct manifest_param *)manifest_param(m, name);
		if (!p) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < m->nparams; j++)
				sb_addf(&sb, "%s%s", j ? ", " : "", m->params[j].name);
			fail(ld, ld->params_line, "-D %s: the manifest declares no parameter '%s' "
			     "(it has: %s)", arg, name, m->nparams ? sb.buf : "none");
			sb_release(&sb);
		} else if (p->pattern && manifest_pattern_match(p->pattern, eq + 1) == 0) {
			fail(ld, p->line, "-D %s: '%s' does not match the pattern '%s' of parameter '%s'",
			     arg, eq + 1, p->pattern, name);
		} else if (strchr(eq + 1, '/') || strchr(eq + 1, '\\')) {
			fail(ld, p->line, "-D %s: a parameter value cannot hold '/' or '\\'", arg);
		} else {
			free(p->value);
			p->value = xstrdup(eq + 1);
			p->set = true;
		}
		free(name);
	}
}

const struct manifest_param *manifest_param(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nparams; i++)
		if (!strcmp(m->params[i].name, name))
			return &m->params[i];
	return NULL;
}

/* ---------- requirements ---------- */

static void load_req(struct loader *ld, const xmlNode *node, struct manifest_req *r)
{
	r->present = true;
	r->line = mxml_line(node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = own_text(c), *v = collapse_ws(t);
		free(t);
		if (is_elem(c, "arch")) {
			sv_push(&r->arch, v);
		} else if (is_elem(c, "installation-type")) {
			sv_push(&r->installation_types, v);
		} else if (is_elem(c, "build")) {
			char *a = attr(c, "min"), *b = attr(c, "max");
			r->min_build = a ? (unsigned)strtoul(a, NULL, 10) : 0;
			r->max_build = b ? (unsigned)strtoul(b, NULL, 10) : 0;
			free(a);
			free(b);
			if (r->min_build && r->max_build && r->min_build > r->max_build)
				fail(ld, mxml_line(c), "build: min %u is above max %u", r->min_build,
				     r->max_build);
		}
		free(v);
	}
}

static void load_requires(struct loader *ld, const xmlNode *node)
{
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (is_elem(c, "source"))
			load_req(ld, c, &ld->m->source_req);
		else if (is_elem(c, "target"))
			load_req(ld, c, &ld->m->target_req);
	}
}

bool manifest_req_met(const struct manifest_req *req, const struct image_info *info,
		      struct strbuf *why)
{
	bool ok = true;
	if (!req->present)
		return true;
	if (req->arch.n && info->arch) {
		bool any = false;
		for (size_t i = 0; i < req->arch.n; i++)
			any |= wg_streq_nocase(req->arch.v[i], info->arch);
		if (!any) {
			ok = false;
			if (why)
				sb_addf(why, "%sarchitecture '%s' is not %s", why->len ? "; " : "",
					info->arch, req->arch.v[0]);
		}
	}
	if (req->installation_types.n && info->installation_type) {
		bool any = false;
		for (size_t i = 0; i < req->installation_types.n; i++)
			any |= wg_streq_nocase(req->installation_types.v[i], info->installation_type);
		if (!any) {
			ok = false;
			if (why) {
				sb_addf(why, "%sinstallation type '%s' is not ", why->len ? "; " : "",
					info->installation_type);
				for (size_t i = 0; i < req->installation_types.n; i++)
					sb_addf(why, "%s'%s'", i ? " or " : "",
						req->installation_types.v[i]);
			}
		}
	}
	if (info->build && req->min_build && info->build < req->min_build) {
		ok = false;
		if (why)
			sb_addf(why, "%sbuild %u is older than %u", why->len ? "; " : "", info->build,
				req->min_build);
	}
	if (info->build && req->max_build && info->build > req->max_build) {
		ok = false;
		if (why)
			sb_addf(why, "%sbuild %u is newer than %u", why->len ? "; " : "", info->build,
				req->max_build);
	}
	return ok;
}

/* ---------- files ---------- */

static ssize_t file_index(const struct manifest *m, const char *id)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].id && !strcmp(m->files[i].id, id))
			return (ssize_t)i;
	return -1;
}

/* Split a '/'-separated template into components (a new strvec). */
static void split_components(const char *s, struct strvec *out)
{
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, '/');
		if (!e) {
			sv_push(out, p);
			break;
		}
		sv_push_nodup(out, xstrndup(p, (size_t)(e - p)));
		p = e + 1;
	}
}

static bool has_wildcard(const char *s)
{
	return strchr(s, '*') || strchr(s, '?');
}

static void load_file(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	m->files = grow(m->files, m->nfiles, sizeof(*m->files));
	struct manifest_file *f = &m->files[m->nfiles++];
	f->line = mxml_line(node);
	f->id = attr(node, "id");
	f->source = attr(node, "source");
	f->dest = attr(node, "dest");
	f->optional = attr_bool(node, "optional");
	char *match = attr(node, "match");
	f->match_all = match && !strcmp(match, "all");
	free(match);
	char *sign = attr(node, "signed");
	f->sign = !sign ? SIGN_NONE : !strcmp(sign, "authenticode") ? SIGN_AUTHENTICODE : SIGN_FLAT;
	free(sign);
	char *signs = attr(node, "signs");
	if (signs) {
		char *save = NULL;
		for (char *t = strtok_r(signs, " \t\n\r", &save); t; t = strtok_r(NULL, " \t\n\r", &save))
			sv_push(&f->signs, t);
		free(signs);
	}
	to_slashes(f->source);
	if (f->dest)
		to_slashes(f->dest);

	struct strvec comps = STRVEC_INIT;
	split_components(f->source, &comps);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_elem(c, "capture"))
			continue;
		f->captures = grow(f->captures, f->ncaptures, sizeof(*f->captures));
		struct manifest_capture *cap = &f->captures[f->ncaptures++];
		cap->name = attr(c, "name");
		cap->line = mxml_line(c);
		char *comp = attr(c, "component");
		if (manifest_param(m, cap->name))
			fail(ld, cap->line, "capture '%s': a parameter has the same name", cap->name);
		if (f->optional || f->match_all)
			fail(ld, cap->line, "capture '%s': only a required entry matching one file "
			     "can capture a name (not optional=\"true\" or match=\"all\")", cap->name);
		size_t found = comps.n, nfound = 0;
		for (size_t i = 0; i < comps.n; i++) {
			bool hit = comp ? !strcmp(comps.v[i], comp) : has_wildcard(comps.v[i]);
			if (hit) {
				if (!nfound)
					found = i;
				nfound++;
			}
		}
		if (comp && !nfound)
			fail(ld, cap->line, "capture '%s': '%s' is not a component of the source "
			     "pattern '%s'", cap->name, comp, f->source);
		else if (!comp && nfound != 1)
			fail(ld, cap->line, "capture '%s': the source pattern has %s wildcard "
			     "component; say which with component=\"...\"", cap->name,
			     nfound ? "more than one" : "no");
		cap->component = found;
		free(comp);
	}
	sv_clear(&comps);
}

static void check_files(struct loader *ld)
{
	struct manifest *m = ld->m;
	for (size_t i = 0; i < m->nfiles; i++) {
		struct manifest_file *f = &m->files[i];
		char *src = check_refs(ld, f->line, "attribute 'source'", f->source, false, true);
		if (src) {
			const char *why = path_problem(src, true, false);
			if (why)
				fail(ld, f->line, "source path '%s' %s", src, why);
			struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
			split_components(src, &a);
			split_components(f->source, &b);
			if (!why && a.n != b.n)
				fail(ld, f->line, "source path '%s': a parameter's value holds a '/'", src);
			sv_clear(&a);
			sv_clear(&b);
			free(src);
		}
		if (f->dest) {
			char *dst = check_refs(ld, f->line, "attribute 'dest'", f->dest, true, true);
			if (dst) {
				const char *why = path_problem(dst, false, true);
				if (why)
					fail(ld, f->line, "destination '%s' %s", dst, why);
				else if (hive_is_hive_file(dst))
					fail(ld, f->line, "destination '%s' is a registry hive file; "
					     "hives are edited through <registry>, never replaced", dst);
				free(dst);
			}
		} else if (hive_is_hive_file(f->source)) {
			fail(ld, f->line, "source '%s' is copied to a registry hive file; hives are "
			     "edited through <registry>, never replaced", f->source);
		}
		for (size_t j = 0; j < f->signs.n; j++)
			if (file_index(m, f->signs.v[j]) < 0)
				fail(ld, f->line, "attribute 'signs': no file entry has the id '%s'",
				     f->signs.v[j]);
		if (f->sign != SIGN_NONE && m->format < 2)
			fail(ld, f->line, "attribute 'signed' needs format=\"2\" (this manifest says %u)",
			     m->format);
		else if (f->sign != SIGN_NONE && !m->catalog_folder)
			fail(ld, f->line, "attribute 'signed': the manifest has no <catalogs folder=\"...\"> "
			     "to choose signing catalogs from");
	}
	if (m->catalog_folder) {
		const char *why = path_problem(m->catalog_folder, false, false);
		if (m->format < 2)
			fail(ld, m->catalog_line, "element 'catalogs' needs format=\"2\" (this manifest "
			     "says %u)", m->format);
		else if (why || strchr(m->catalog_folder, '$'))
			fail(ld, m->catalog_line, "catalog folder '%s' %s", m->catalog_folder,
			     why ? why : "cannot hold a parameter");
	}
}

/* ---------- registry ---------- */

static int hive_from_name(const char *s)
{
	for (int i = 0; i < HIVE_COUNT; i++)
		if (s && !strcmp(s, hive_names[i]))
			return i;
	return -1;
}

static struct manifest_reg *new_reg(struct manifest *m, enum reg_op_kind kind,
				    enum manifest_hive hive, const char *key, unsigned line)
{
	m->regs = grow(m->regs, m->nregs, sizeof(*m->regs));
	struct manifest_reg *r = &m->regs[m->nregs++];
	r->kind = kind;
	r->hive = hive;
	r->key = xstrdup(key);
	r->line = line;
	return r;
}

static bool check_key_path(struct loader *ld, unsigned line, const char *path)
{
	char *p = check_refs(ld, line, "attribute 'path'", path, true, true);
	if (!p)
		return false;
	const char *why = NULL;
	if (!strncasecmp(p, "HKEY_", 5) || !strncasecmp(p, "HKLM\\", 5))
		why = "starts with a root key; key paths are relative to their hive "
		      "(write 'CurrentControlSet\\Services\\X', not 'HKEY_LOCAL_MACHINE\\SYSTEM\\...')";
	else if (p[0] == '\\' || p[strlen(p) - 1] == '\\' || strstr(p, "\\\\"))
		why = "has an empty component";
	for (const char *c = p; !why && *c; c++)
		if ((unsigned char)*c < 0x20)
			why = "holds a control character";
	if (why)
		fail(ld, line, "key path '%s' %s", p, why);
	free(p);
	return why == NULL;
}

static const char *derive_name(enum manifest_derive d)
{
	switch (d) {
	case DERIVE_FILE_SIZE: return "file-size";
	case DERIVE_INF_DRIVER_VERSION: return "inf-driver-version";
	case DERIVE_INF_PROVIDER: return "inf-provider";
	case DERIVE_INF_CLASS_GUID: return "inf-class-guid";
	default: return "none";
	}
}

static enum manifest_derive derive_from_name(const char *s)
{
	if (!s)
		return DERIVE_NONE;
	if (!strcmp(s, "file-size"))
		return DERIVE_FILE_SIZE;
	if (!strcmp(s, "inf-driver-version"))
		return DERIVE_INF_DRIVER_VERSION;
	if (!strcmp(s, "inf-provider"))
		return DERIVE_INF_PROVIDER;
	if (!strcmp(s, "inf-class-guid"))
		return DERIVE_INF_CLASS_GUID;
	return DERIVE_NONE;
}

static bool derive_type_ok(enum manifest_derive d, uint32_t t)
{
	switch (d) {
	case DERIVE_FILE_SIZE: return t == REG_QWORD || t == REG_DWORD;
	case DERIVE_INF_DRIVER_VERSION: return t == REG_BINARY;
	case DERIVE_INF_PROVIDER:
	case DERIVE_INF_CLASS_GUID: return t == REG_SZ || t == REG_EXPAND_SZ;
	default: return true;
	}
}

static void load_value(struct loader *ld, const xmlNode *node, enum manifest_hive hive,
		       const char *key)
{
	struct manifest *m = ld->m;
	unsigned line = mxml_line(node);
	char *tname = attr(node, "type");
	int type = reg_type_from_name(tname ? tname : "");
	free(tname);
	struct manifest_reg *r = new_reg(m, REG_OP_SET_VALUE, hive, key, line);
	r->type = type < 0 ? REG_NONE : (uint32_t)type;
	r->name = attr(node, "name");
	if (!r->name)
		r->name = xstrdup("");
	char *nm = check_refs(ld, line, "attribute 'name'", r->name, true, true);
	free(nm);

	char *derive = attr(node, "derive");
	char *file = attr(node, "file");
	char *text = own_text(node);
	bool has_strings = false;
	for (const xmlNode *c = node->children; c; c = c->next)
		has_strings |= is_elem(c, "string");
	r->derive = derive_from_name(derive);

	if (derive || file) {
		ssize_t fi = file ? file_index(m, file) : -1;
		if (!derive)
			fail(ld, line, "attribute 'file' is used only with derive=\"...\"");
		else if (!file)
			fail(ld, line, "derive=\"%s\" needs file=\"ID\" naming a file entry", derive);
		else if (fi < 0)
			fail(ld, line, "attribute 'file': no file entry has the id '%s'", file);
		else if (m->files[fi].optional || m->files[fi].match_all)
			fail(ld, line, "derive=\"%s\": file '%s' must be a required entry matching "
			     "one file", derive, file);
		else
			r->derive_file = (size_t)fi;
		if (derive && !derive_type_ok(r->derive, r->type))
			fail(ld, line, "derive=\"%s\" cannot give a %s value (%s)", derive,
			     reg_type_name(r->type),
			     r->derive == DERIVE_FILE_SIZE ? "use REG_QWORD or REG_DWORD" :
			     r->derive == DERIVE_INF_DRIVER_VERSION ? "use REG_BINARY" :
			     "use REG_SZ or REG_EXPAND_SZ");
		if (!blank(text) || has_strings)
			fail(ld, line, "a derived value (derive=\"%s\") must be empty",
			     derive ? derive : "");
		goto out;
	}

	switch (r->type) {
	case REG_SZ:
	case REG_EXPAND_SZ: {
		if (has_strings) {
			fail(ld, line, "<string> elements are only for REG_MULTI_SZ; put the %s "
			     "text directly in <value>", reg_type_name(r->type));
			break;
		}
		char *t = check_refs(ld, line, "value data", text, true, true);
		free(t);
		sv_push(&r->strings, text);
		break;
	}
	case REG_MULTI_SZ:
		if (!blank(text)) {
			fail(ld, line, "REG_MULTI_SZ data goes in <string> elements, one per string");
			break;
		}
		for (const xmlNode *c = node->children; c; c = c->next) {
			if (!is_elem(c, "string"))
				continue;
			char *s = own_text(c);
			if (!*s)
				fail(ld, mxml_line(c), "a REG_MULTI_SZ string cannot be empty");
			char *t = check_refs(ld, mxml_line(c), "value data", s, true, true);
			free(t);
			sv_push_nodup(&r->strings, s);
		}
		break;
	case REG_DWORD:
	case REG_QWORD:
	case REG_BINARY:
	case REG_NONE: {
		if (has_strings) {
			fail(ld, line, "<string> elements are only for REG_MULTI_SZ");
			break;
		}
		char *t = check_refs(ld, line, "value data", text, false, false);
		if (!t)
			break;
		if (r->type == REG_DWORD || r->type == REG_QWORD) {
			uint64_t v;
			bool dw = r->type == REG_DWORD;
			if (parse_number(t, dw ? UINT32_MAX : UINT64_MAX, &v)) {
				fail(ld, line, "%s data '%s' is not a number (decimal, or hex with 0x) "
				     "%s", reg_type_name(r->type), t,
				     dw ? "from 0 to 0xffffffff" : "from 0 to 0xffffffffffffffff");
			} else {
				r->len = dw ? 4 : 8;
				r->data = xmalloc(r->len);
				for (size_t i = 0; i < r->len; i++)
					r->data[i] = (unsigned char)(v >> (8 * i));
			}
		} else {
			struct strbuf sb = STRBUF_INIT;
			const char *why = parse_hex_bytes(t, &sb);
			if (why) {
				fail(ld, line, "%s data holds %s; write hex bytes such as 'dd,07' or "
				     "'dd 07'", reg_type_name(r->type), why);
				sb_release(&sb);
			} else {
				r->len = sb.len;
				r->data = (unsigned char *)sb_detach(&sb);
			}
		}
		free(t);
		break;
	}
	default:
		break;
	}
out:
	free(derive);
	free(file);
	free(text);
}

static void load_key(struct loader *ld, const xmlNode *node, enum manifest_hive hive)
{
	unsigned line = mxml_line(node);
	char *path = attr(node, "path");
	check_key_path(ld, line, path);
	new_reg(ld->m, REG_OP_KEY, hive, path, line);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (is_elem(c, "value")) {
			load_value(ld, c, hive, path);
		} else if (is_elem(c, "delete-value")) {
			struct manifest_reg *r = new_reg(ld->m, REG_OP_DELETE_VALUE, hive, path,
							 mxml_line(c));
			r->name = attr(c, "name");
			if (!r->name)
				r->name = xstrdup("");
			char *t = check_refs(ld, r->line, "attribute 'name'", r->name, true, true);
			free(t);
		}
	}
	free(path);
}

/* First pass over <inf-component> elements: their captures are known to every key path. */
static void load_infcomps(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_elem(c, "hive"))
			continue;
		for (const xmlNode *k = c->children; k; k = k->next) {
			if (!is_elem(k, "inf-component"))
				continue;
			unsigned line = mxml_line(k);
			char *file = attr(k, "file"), *capture = attr(k, "capture");
			ssize_t fi = file ? file_index(m, file) : -1;
			m->infcomps = grow(m->infcomps, m->ninfcomps, sizeof(*m->infcomps));
			struct manifest_infcomp *ic = &m->infcomps[m->ninfcomps++];
			ic->id = attr(k, "id");
			ic->platform = attr(k, "platform");
			if (!ic->platform)
				ic->platform = xstrdup("NTamd64");
			ic->line = line;
			if (m->format < 2)
				fail(ld, line, "<inf-component> needs format=\"2\" on <feature>");
			if (fi < 0)
				fail(ld, line, "attribute 'file': no file entry has the id '%s'",
				     file ? file : "");
			else if (m->files[fi].optional || m->files[fi].match_all)
				fail(ld, line, "<inf-component>: file '%s' must be a required entry "
				     "matching one file", file);
			else
				ic->file = (size_t)fi;
			if (capture && (manifest_param(m, capture) || find_capture(m, capture)))
				fail(ld, line, "capture '%s' is already a parameter or capture", capture);
			ic->capture = capture;
			free(file);
		}
	}
}

static void load_registry(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	size_t ninf = 0;
	load_infcomps(ld, node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (is_elem(c, "import")) {
			m->imports = grow(m->imports, m->nimports, sizeof(*m->imports));
			struct manifest_import *im = &m->imports[m->nimports++];
			im->file = attr(c, "file");
			im->line = mxml_line(c);
			if (m->dir)
				im->path = im->file[0] == '/' ? xstrdup(im->file) :
					   xasprintf("%s/%s", m->dir, im->file);
			continue;
		}
		if (!is_elem(c, "hive"))
			continue;
		char *name = attr(c, "name");
		int h = hive_from_name(name);
		if (h < 0) {
			fail(ld, mxml_line(c), "unknown hive '%s'; expected SYSTEM, SOFTWARE, DRIVERS "
			     "or DEFAULT", name ? name : "");
			free(name);
			continue;
		}
		free(name);
		m->hive_declared[h] = true;
		m->hive_optional[h] = attr_bool(c, "optional");
		for (const xmlNode *k = c->children; k; k = k->next) {
			if (is_elem(k, "key")) {
				load_key(ld, k, (enum manifest_hive)h);
			} else if (is_elem(k, "inf-component") && ninf < m->ninfcomps) {
				char *path = attr(k, "key");
				if (check_key_path(ld, mxml_line(k), path)) {
					struct manifest_reg *r = new_reg(m, REG_OP_KEY,
						(enum manifest_hive)h, path, mxml_line(k));
					r->inf_component = true;
					r->infcomp = ninf;
				}
				ninf++;
				free(path);
			} else if (is_elem(k, "delete-key")) {
				char *path = attr(k, "path");
				if (check_key_path(ld, mxml_line(k), path))
					new_reg(m, REG_OP_DELETE_KEY, (enum manifest_hive)h, path,
						mxml_line(k));
				free(path);
			}
		}
	}
}

static void load_imports(struct loader *ld)
{
	struct manifest *m = ld->m;
	for (size_t i = 0; i < m->nimports; i++) {
		struct manifest_import *im = &m->imports[i];
		if (!im->path)
			continue;
		enum wg_err e = regfile_load(im->path, &m->import_ops);
		if (e != WG_OK) {
			mxml_report("'%s' line %u: cannot import '%s'", ld->name, im->line, im->file);
			if (ld->err == WG_OK)
				ld->err = e == WG_ERR_NOMEM ? e : WG_ERR_MANIFEST;
		}
	}
}

/* ---------- commands ---------- */

const char *manifest_route_name(enum manifest_route r)
{
	return r == ROUTE_UNATTEND ? "unattend" : r == ROUTE_NONE ? "none" : "setupcomplete";
}

int manifest_route_from_name(const char *s)
{
	return !s ? -1 : !strcmp(s, "setupcomplete") ? ROUTE_SETUPCOMPLETE :
	       !strcmp(s, "unattend") ? ROUTE_UNATTEND : !strcmp(s, "none") ? ROUTE_NONE : -1;
}

static void load_first_boot(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	char *route = attr(node, "route");
	int r = route ? manifest_route_from_name(route) : ROUTE_SETUPCOMPLETE;
	if (r < 0)
		fail(ld, mxml_line(node), "route '%s' is not setupcomplete, unattend or none", route);
	else
		m->first_boot_route = (enum manifest_route)r;
	free(route);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!is_elem(c, "command"))
			continue;
		m->commands = grow(m->commands, m->ncommands, sizeof(*m->commands));
		struct manifest_command *cmd = &m->commands[m->ncommands++];
		char *t = own_text(c);
		cmd->text = collapse_ws(t);
		free(t);
		cmd->description = attr(c, "description");
		cmd->line = mxml_line(c);
		char *x = check_refs(ld, cmd->line, "command", cmd->text, true, true);
		free(x);
	}
}

/* ---------- the whole manifest ---------- */

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

static void build_model(struct loader *ld, xmlDoc *doc, const struct strvec *params)
{
	struct manifest *m = ld->m;
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *n;
	char *fmt = attr(root, "format");
	m->format = fmt ? (unsigned)strtoul(fmt, NULL, 10) : 0;
	free(fmt);
	m->id = attr(root, "id");
	m->version = attr(root, "version");
	ld->params_line = mxml_line(root);
	if ((n = child(root, "name"))) {
		char *t = own_text(n);
		m->name = collapse_ws(t);
		free(t);
	}
	if ((n = child(root, "catalogs"))) {
		m->catalog_folder = attr(n, "folder");
		m->catalog_line = mxml_line(n);
		to_slashes(m->catalog_folder);
		size_t len = strlen(m->catalog_folder);
		while (len > 1 && m->catalog_folder[len - 1] == '/')
			m->catalog_folder[--len] = '\0';
	}
	if ((n = child(root, "description"))) {
		char *t = own_text(n);
		m->description = collapse_ws(t);
		free(t);
	}
	if ((n = child(root, "parameters")))
		load_params(ld, n);
	apply_params(ld, params);
	if ((n = child(root, "requires")))
		load_requires(ld, n);
	if ((n = child(root, "files")))
		for (const xmlNode *c = n->children; c; c = c->next)
			if (is_elem(c, "file"))
				load_file(ld, c);
	check_files(ld);
	if ((n = child(root, "registry")))
		load_registry(ld, n);
	if ((n = child(root, "first-boot")))
		load_first_boot(ld, n);
	if (ld->err == WG_OK)
		load_imports(ld);
}

enum wg_err manifest_parse_buffer_msg(const char *buf, size_t len, const char *name,
				      const struct strvec *params, struct manifest **out, char **errmsg)
{
	struct strbuf sink = STRBUF_INIT;
	mxml_set_sink(&sink);
	enum wg_err ret = manifest_parse_buffer(buf, len, name, NULL, params, out);
	mxml_set_sink(NULL);
	if (errmsg)
		*errmsg = sink.len ? sb_detach(&sink) : NULL;
	sb_release(&sink);
	return ret;
}

enum wg_err manifest_parse_buffer(const char *buf, size_t len, const char *name, const char *dir,
				  const struct strvec *params, struct manifest **out)
{
	*out = NULL;
	xmlDoc *doc;
	enum wg_err ret = mxml_read_kind(&manifest_kind, buf, len, name, &doc);
	if (ret != WG_OK)
		return ret;
	struct manifest *m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(name);
	m->dir = dir ? xstrdup(dir) : NULL;
	struct loader ld = { .m = m, .name = m->path, .err = WG_OK };
	build_model(&ld, doc, params);
	xmlFreeDoc(doc);
	if (ld.err != WG_OK) {
		manifest_free(m);
		return ld.err;
	}
	*out = m;
	return WG_OK;
}

static bool is_path_spec(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n >= 4 && !strcasecmp(s + n - 4, ".xml"));
}

enum wg_err manifest_load(const char *name_or_path, const struct strvec *params,
			  struct manifest **out)
{
	char *path;
	*out = NULL;
	if (is_path_spec(name_or_path)) {
		path = xstrdup(name_or_path);
	} else {
		for (const char *c = name_or_path; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
				wg_error("'%s' is neither a manifest file nor the name of a shipped "
					 "manifest", name_or_path);
				return WG_ERR_MANIFEST;
			}
		char *file = xasprintf("%s.xml", name_or_path);
		path = manifest_find_shipped(file);
		free(file);
		if (!path) {
			wg_error("no shipped manifest named '%s' (looked in $WIMGRAFT_MANIFEST_DIR, "
				 "the program's manifests folder and %s/manifests)", name_or_path,
				 WIMGRAFT_DATADIR);
			return WG_ERR_MANIFEST;
		}
	}
	unsigned char *data;
	size_t len;
	enum wg_err ret = read_file(path, MANIFEST_MAX_SIZE, &data, &len);
	if (ret != WG_OK) {
		free(path);
		return ret == WG_ERR_NOT_FOUND || ret == WG_ERR_TOO_LARGE ? WG_ERR_MANIFEST : ret;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	ret = manifest_parse_buffer((const char *)data, len, path, dir, params, out);
	free(data);
	free(dir);
	free(path);
	return ret;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nparams; i++) {
		struct manifest_param *p = &m->params[i];
		free(p->name);
		free(p->def);
		free(p->value);
		free(p->pattern);
		free(p->description);
	}
	free(m->params);
	struct manifest_req *rs[2] = { &m->source_req, &m->target_req };
	for (int i = 0; i < 2; i++) {
		sv_clear(&rs[i]->arch);
		sv_clear(&rs[i]->installation_types);
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		struct manifest_file *f = &m->files[i];
		free(f->id);
		free(f->source);
		free(f->dest);
		for (size_t j = 0; j < f->ncaptures; j++)
			free(f->captures[j].name);
		free(f->captures);
		sv_clear(&f->signs);
	}
	free(m->files);
	for (size_t i = 0; i < m->nregs; i++) {
		struct manifest_reg *r = &m->regs[i];
		free(r->key);
		free(r->name);
		sv_clear(&r->strings);
		free(r->data);
	}
	free(m->regs);
	for (size_t i = 0; i < m->ninfcomps; i++) {
		free(m->infcomps[i].id);
		free(m->infcomps[i].platform);
		free(m->infcomps[i].capture);
	}
	free(m->infcomps);
	for (size_t i = 0; i < m->nimports; i++) {
		free(m->imports[i].file);
		free(m->imports[i].path);
	}
	reg_ops_release(&m->import_ops);
	free(m->imports);
	for (size_t i = 0; i < m->ncommands; i++) {
		free(m->commands[i].text);
		free(m->commands[i].description);
	}
	free(m->commands);
	free(m->catalog_folder);
	free(m->path);
	free(m->dir);
	free(m->id);
	free(m->name);
	free(m->description);
	free(m->version);
	free(m);
}

/* For messages elsewhere: the derive kind's name as the manifest writes it. */
const char *manifest_derive_name(enum manifest_derive d)
{
	return derive_name(d);
}
