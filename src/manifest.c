/*
 * manifest.c - load a manifest and build its model from the validated XML tree: parameters
 * and -D values, requirements, files and captures, commands (registry: manifest_reg.c).
 */
#include "manifest_loader.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlregexp.h>

#include "hive.h"
#include "subst.h"

#ifndef WIMGRAFT_DATADIR
#define WIMGRAFT_DATADIR "/usr/local/share/wimgraft"
#endif

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
		if (!ld_is_elem(c, "param"))
			continue;
		m->params = ld_grow(m->params, m->nparams, sizeof(*m->params));
		struct manifest_param *p = &m->params[m->nparams++];
		p->name = mxml_attr(c, "name");
		p->def = mxml_attr(c, "default");
		p->value = xstrdup(p->def);
		p->pattern = mxml_attr(c, "pattern");
		p->line = mxml_line(c);
		char *from = mxml_attr(c, "from");
		p->from_language = from && !strcmp(from, "language");
		free(from);
		for (const xmlNode *d = c->children; d; d = d->next)
			if (ld_is_elem(d, "description")) {
				char *t = ld_own_text(d);
				p->description = ld_collapse_ws(t);
				free(t);
			}
		if (subst_has_refs(p->def) || strstr(p->def, "${"))
			ld_fail(ld, p->line, "parameter '%s': a default cannot refer to ${...}", p->name);
		if (p->pattern) {
			int r = manifest_pattern_match(p->pattern, p->def);
			if (r < 0)
				ld_fail(ld, p->line, "parameter '%s': '%s' is not a valid regular expression",
				     p->name, p->pattern);
			else if (r == 0)
				ld_fail(ld, p->line, "parameter '%s': the default '%s' does not match its "
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
			ld_fail(ld, ld->params_line, "-D %s: expected NAME=VALUE", arg);
			continue;
		}
		char *name = xstrndup(arg, (size_t)(eq - arg));
		struct manifest_param *p = (struct manifest_param *)manifest_param(m, name);
		if (!p) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < m->nparams; j++)
				sb_addf(&sb, "%s%s", j ? ", " : "", m->params[j].name);
			ld_fail(ld, ld->params_line, "-D %s: the manifest declares no parameter '%s' "
			     "(it has: %s)", arg, name, m->nparams ? sb.buf : "none");
			sb_release(&sb);
		} else if (p->pattern && manifest_pattern_match(p->pattern, eq + 1) == 0) {
			ld_fail(ld, p->line, "-D %s: '%s' does not match the pattern '%s' of parameter '%s'",
			     arg, eq + 1, p->pattern, name);
		} else if (strchr(eq + 1, '/') || strchr(eq + 1, '\\')) {
			ld_fail(ld, p->line, "-D %s: a parameter value cannot hold '/' or '\\'", arg);
		} else {
			free(p->value);
			p->value = xstrdup(eq + 1);
			p->set = true;
		}
		free(name);
	}
}

/* ---------- requirements ---------- */

static void load_req(struct loader *ld, const xmlNode *node, struct manifest_req *r)
{
	r->present = true;
	r->line = mxml_line(node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = ld_own_text(c), *v = ld_collapse_ws(t);
		free(t);
		if (ld_is_elem(c, "arch")) {
			sv_push(&r->arch, v);
		} else if (ld_is_elem(c, "installation-type")) {
			sv_push(&r->installation_types, v);
		} else if (ld_is_elem(c, "build")) {
			char *a = mxml_attr(c, "min"), *b = mxml_attr(c, "max");
			r->min_build = a ? (unsigned)strtoul(a, NULL, 10) : 0;
			r->max_build = b ? (unsigned)strtoul(b, NULL, 10) : 0;
			free(a);
			free(b);
			if (r->min_build && r->max_build && r->min_build > r->max_build)
				ld_fail(ld, mxml_line(c), "build: min %u is above max %u", r->min_build,
				     r->max_build);
		}
		free(v);
	}
}

static void load_requires(struct loader *ld, const xmlNode *node)
{
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (ld_is_elem(c, "source"))
			load_req(ld, c, &ld->m->source_req);
		else if (ld_is_elem(c, "target"))
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
	m->files = ld_grow(m->files, m->nfiles, sizeof(*m->files));
	struct manifest_file *f = &m->files[m->nfiles++];
	f->line = mxml_line(node);
	f->id = mxml_attr(node, "id");
	f->source = mxml_attr(node, "source");
	f->dest = mxml_attr(node, "dest");
	f->optional = ld_attr_bool(node, "optional");
	char *match = mxml_attr(node, "match");
	f->match_all = match && !strcmp(match, "all");
	free(match);
	char *sign = mxml_attr(node, "signed");
	f->sign = !sign ? SIGN_NONE : !strcmp(sign, "authenticode") ? SIGN_AUTHENTICODE : SIGN_FLAT;
	free(sign);
	char *signs = mxml_attr(node, "signs");
	if (signs) {
		char *save = NULL;
		for (char *t = strtok_r(signs, " \t\n\r", &save); t; t = strtok_r(NULL, " \t\n\r", &save))
			sv_push(&f->signs, t);
		free(signs);
	}
	ld_to_slashes(f->source);
	if (f->dest)
		ld_to_slashes(f->dest);

	struct strvec comps = STRVEC_INIT;
	split_components(f->source, &comps);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!ld_is_elem(c, "capture"))
			continue;
		f->captures = ld_grow(f->captures, f->ncaptures, sizeof(*f->captures));
		struct manifest_capture *cap = &f->captures[f->ncaptures++];
		cap->name = mxml_attr(c, "name");
		cap->line = mxml_line(c);
		char *comp = mxml_attr(c, "component");
		if (manifest_param(m, cap->name))
			ld_fail(ld, cap->line, "capture '%s': a parameter has the same name", cap->name);
		if (f->optional || f->match_all)
			ld_fail(ld, cap->line, "capture '%s': only a required entry matching one file "
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
			ld_fail(ld, cap->line, "capture '%s': '%s' is not a component of the source "
			     "pattern '%s'", cap->name, comp, f->source);
		else if (!comp && nfound != 1)
			ld_fail(ld, cap->line, "capture '%s': the source pattern has %s wildcard "
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
		char *src = ld_check_refs(ld, f->line, "attribute 'source'", f->source, false, true);
		if (src) {
			const char *why = ld_path_problem(src, true, false);
			if (why)
				ld_fail(ld, f->line, "source path '%s' %s", src, why);
			struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
			split_components(src, &a);
			split_components(f->source, &b);
			if (!why && a.n != b.n)
				ld_fail(ld, f->line, "source path '%s': a parameter's value holds a '/'", src);
			sv_clear(&a);
			sv_clear(&b);
			free(src);
		}
		if (f->dest) {
			char *dst = ld_check_refs(ld, f->line, "attribute 'dest'", f->dest, true, true);
			if (dst) {
				const char *why = ld_path_problem(dst, false, true);
				if (why)
					ld_fail(ld, f->line, "destination '%s' %s", dst, why);
				else if (hive_is_hive_file(dst))
					ld_fail(ld, f->line, "destination '%s' is a registry hive file; "
					     "hives are edited through <registry>, never replaced", dst);
				free(dst);
			}
		} else if (hive_is_hive_file(f->source)) {
			ld_fail(ld, f->line, "source '%s' is copied to a registry hive file; hives are "
			     "edited through <registry>, never replaced", f->source);
		}
		for (size_t j = 0; j < f->signs.n; j++)
			if (ld_file_index(m, f->signs.v[j]) < 0)
				ld_fail(ld, f->line, "attribute 'signs': no file entry has the id '%s'",
				     f->signs.v[j]);
		if (f->sign != SIGN_NONE && m->format < 2)
			ld_fail(ld, f->line, "attribute 'signed' needs format=\"2\" (this manifest says %u)",
			     m->format);
		else if (f->sign != SIGN_NONE && !m->catalog_folder)
			ld_fail(ld, f->line, "attribute 'signed': the manifest has no <catalogs folder=\"...\"> "
			     "to choose signing catalogs from");
	}
	if (m->catalog_folder) {
		const char *why = ld_path_problem(m->catalog_folder, false, false);
		if (m->format < 2)
			ld_fail(ld, m->catalog_line, "element 'catalogs' needs format=\"2\" (this manifest "
			     "says %u)", m->format);
		else if (why || strchr(m->catalog_folder, '$'))
			ld_fail(ld, m->catalog_line, "catalog folder '%s' %s", m->catalog_folder,
			     why ? why : "cannot hold a parameter");
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
	char *route = mxml_attr(node, "route");
	int r = route ? manifest_route_from_name(route) : ROUTE_SETUPCOMPLETE;
	if (r < 0)
		ld_fail(ld, mxml_line(node), "route '%s' is not setupcomplete, unattend or none", route);
	else
		m->first_boot_route = (enum manifest_route)r;
	free(route);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!ld_is_elem(c, "command"))
			continue;
		m->commands = ld_grow(m->commands, m->ncommands, sizeof(*m->commands));
		struct manifest_command *cmd = &m->commands[m->ncommands++];
		char *t = ld_own_text(c);
		cmd->text = ld_collapse_ws(t);
		free(t);
		cmd->description = mxml_attr(c, "description");
		cmd->line = mxml_line(c);
		char *x = ld_check_refs(ld, cmd->line, "command", cmd->text, true, true);
		free(x);
	}
}

/* ---------- the whole manifest ---------- */

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (ld_is_elem(c, name))
			return c;
	return NULL;
}

static void build_model(struct loader *ld, xmlDoc *doc, const struct strvec *params)
{
	struct manifest *m = ld->m;
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *n;
	char *fmt = mxml_attr(root, "format");
	m->format = fmt ? (unsigned)strtoul(fmt, NULL, 10) : 0;
	free(fmt);
	m->id = mxml_attr(root, "id");
	m->version = mxml_attr(root, "version");
	ld->params_line = mxml_line(root);
	if ((n = child(root, "name"))) {
		char *t = ld_own_text(n);
		m->name = ld_collapse_ws(t);
		free(t);
	}
	if ((n = child(root, "catalogs"))) {
		m->catalog_folder = mxml_attr(n, "folder");
		m->catalog_line = mxml_line(n);
		ld_to_slashes(m->catalog_folder);
		size_t len = strlen(m->catalog_folder);
		while (len > 1 && m->catalog_folder[len - 1] == '/')
			m->catalog_folder[--len] = '\0';
	}
	if ((n = child(root, "description"))) {
		char *t = ld_own_text(n);
		m->description = ld_collapse_ws(t);
		free(t);
	}
	if ((n = child(root, "parameters")))
		load_params(ld, n);
	apply_params(ld, params);
	if ((n = child(root, "requires")))
		load_requires(ld, n);
	if ((n = child(root, "files")))
		for (const xmlNode *c = n->children; c; c = c->next)
			if (ld_is_elem(c, "file"))
				load_file(ld, c);
	check_files(ld);
	if ((n = child(root, "registry")))
		ld_registry(ld, n);
	if ((n = child(root, "first-boot")))
		load_first_boot(ld, n);
	if (ld->err == WG_OK)
		ld_imports(ld);
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
