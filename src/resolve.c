/*
 * resolve.c - find a manifest's files in a source image, fill its captures,
 * substitute ${...}, derive values from the INF, and pick an image automatically.
 */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "catalog_choose.h"
#include "hive.h"
#include "inf.h"
#include "inf_install.h"
#include "subst.h"

/* The largest file read to derive a value (an INF). */
#define DERIVE_MAX_READ (4 * 1024 * 1024)

struct vars {
	struct strvec names;
	struct strvec vals;
};

static void vars_set(struct vars *v, const char *name, const char *val)
{
	for (size_t i = 0; i < v->names.n; i++)
		if (!strcmp(v->names.v[i], name)) {
			free(v->vals.v[i]);
			v->vals.v[i] = xstrdup(val);
			return;
		}
	sv_push(&v->names, name);
	sv_push(&v->vals, val);
}

static const char *vars_lookup(void *ctx, const char *name)
{
	struct vars *v = ctx;
	for (size_t i = 0; i < v->names.n; i++)
		if (!strcmp(v->names.v[i], name))
			return v->vals.v[i];
	return NULL;
}

static void vars_release(struct vars *v)
{
	sv_clear(&v->names);
	sv_clear(&v->vals);
}

const char *resolved_status_name(enum resolved_status s)
{
	switch (s) {
	case RESOLVED_OK: return "ok";
	case RESOLVED_MISSING: return "missing";
	case RESOLVED_OPTIONAL_MISSING: return "optional-missing";
	case RESOLVED_AMBIGUOUS: return "ambiguous";
	}
	return "?";
}

const char *resolution_value(const struct resolution *r, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < r->values.n; i++)
		if (!strncmp(r->values.v[i], name, n) && r->values.v[i][n] == '=')
			return r->values.v[i] + n + 1;
	return NULL;
}

/* A language the image offers, acceptable as the parameter's value. */
static bool lang_ok(const struct manifest_param *p, const char *lang)
{
	if (!lang || !*lang || strchr(lang, '/') || strchr(lang, '\\') || strstr(lang, ".."))
		return false;
	if (!p->pattern)
		return true;
	return manifest_pattern_match(p->pattern, lang) == 1;
}

static bool source_has_language(const struct image_info *info, const char *lang)
{
	for (size_t i = 0; i < info->languages.n; i++)
		if (wg_streq_nocase(info->languages.v[i], lang))
			return true;
	return false;
}

static void set_params(const struct manifest *m, const struct image_info *source,
		       const struct resolve_opts *opts, struct vars *v)
{
	for (size_t i = 0; i < m->nparams; i++) {
		const struct manifest_param *p = &m->params[i];
		const char *val = p->value;
		if (p->from_language && !p->set) {
			const char *t = opts && opts->target ? opts->target->default_language : NULL;
			const char *s = source ? source->default_language : NULL;
			if (t && source && source->languages.n && !source_has_language(source, t))
				t = NULL;  /* the source has no files in the target's language */
			if (lang_ok(p, t))
				val = t;
			else if (lang_ok(p, s))
				val = s;
		}
		vars_set(v, p->name, val);
	}
}

static char *expand(const char *tmpl, struct vars *v)
{
	char *out, *bad;
	if (subst_expand(tmpl, vars_lookup, v, &out, &bad) != SUBST_OK) {
		free(bad);
		return NULL;
	}
	return out;
}

static struct resolved_file *add_file(struct resolution *r, size_t entry, const char *label,
				      const char *pattern, enum resolved_status st)
{
	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
	struct resolved_file *f = &r->files[r->nfiles++];
	memset(f, 0, sizeof(*f));
	f->entry = entry;
	f->label = label;
	f->pattern = xstrdup(pattern);
	f->status = st;
	return f;
}

static void fill_ok(struct resolved_file *f, const struct source_file *sf)
{
	f->status = RESOLVED_OK;
	f->source = xstrdup(sf->path);
	f->size = sf->size;
	memcpy(f->sha1, sf->sha1, 20);
	f->attributes = sf->attributes;
}

/* The n-th '/'-separated component of path (new string), or NULL. */
static char *component(const char *path, size_t n)
{
	const char *p = path;
	for (size_t i = 0; i < n; i++) {
		p = strchr(p, '/');
		if (!p)
			return NULL;
		p++;
	}
	const char *e = strchr(p, '/');
	return e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
}

static enum wg_err glob_entries(const struct manifest *m, struct wg_source *src, int index,
				struct vars *v, struct resolution *r)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_file *e = &m->files[i];
		const char *label = e->id ? e->id : e->source;
		char *pattern = expand(e->source, v);
		if (!pattern) {
			wg_error("'%s' line %u: cannot expand '%s'", m->path, e->line, e->source);
			return WG_ERR_MANIFEST;
		}
		struct source_file *found = NULL;
		size_t n = 0;
		enum wg_err err = source_glob(src, index, pattern, &found, &n);
		if (err != WG_OK) {
			free(pattern);
			return err;
		}
		/* folders do not count */
		const struct source_file **hits = xcalloc(n ? n : 1, sizeof(*hits));
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			if (!found[j].is_dir)
				hits[k++] = &found[j];
		enum resolved_status missing = e->optional ? RESOLVED_OPTIONAL_MISSING : RESOLVED_MISSING;
		if (k == 0) {
			add_file(r, i, label, pattern, missing);
			if (!e->optional)
				r->nmissing++;
		} else if (e->match_all) {
			for (size_t j = 0; j < k; j++)
				fill_ok(add_file(r, i, label, pattern, RESOLVED_OK), hits[j]);
		} else if (k > 1) {
			struct resolved_file *f = add_file(r, i, label, pattern, RESOLVED_AMBIGUOUS);
			for (size_t j = 0; j < k; j++)
				sv_push(&f->candidates, hits[j]->path);
			r->nambiguous++;
		} else {
			fill_ok(add_file(r, i, label, pattern, RESOLVED_OK), hits[0]);
			for (size_t c = 0; c < e->ncaptures; c++) {
				char *val = component(hits[0]->path, e->captures[c].component);
				if (val)
					vars_set(v, e->captures[c].name, val);
				free(val);
			}
		}
		free(hits);
		source_files_free(found, n);
		free(pattern);
	}
	return WG_OK;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool dest_safe(const char *p)
{
	if (!*p || p[0] == '/' || (p[0] && p[1] == ':'))
		return false;
	const char *s = p;
	for (;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (!e)
			return true;
		s = e + 1;
	}
}

static enum wg_err fill_dests(const struct manifest *m, struct vars *v, struct resolution *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		struct resolved_file *f = &r->files[i];
		if (f->status != RESOLVED_OK || f->is_catalog)
			continue;
		const struct manifest_file *e = &m->files[f->entry];
		if (!e->dest) {
			f->dest = xstrdup(f->source);
		} else {
			char *d = expand(e->dest, v);
			if (!d)
				continue;  /* a capture of an unresolved entry: no destination yet */
			for (char *c = d; *c; c++)
				if (*c == '\\')
					*c = '/';
			size_t n = strlen(d);
			if (n && d[n - 1] == '/') {
				f->dest = xasprintf("%s%s", d, base_name(f->source));
				free(d);
			} else {
				f->dest = d;
			}
		}
		if (!dest_safe(f->dest)) {
			wg_error("'%s' line %u: destination '%s' leaves the image", m->path, e->line,
				 f->dest);
			return WG_ERR_UNSAFE_PATH;
		}
		if (hive_is_hive_file(f->dest)) {
			wg_error("'%s' line %u: destination '%s' is a registry hive file; hives are "
				 "edited through <registry>, never replaced", m->path, e->line, f->dest);
			return WG_ERR_MANIFEST;
		}
	}
	return WG_OK;
}

struct inf_cache {
	size_t entry;
	bool loaded;
	struct inf_version v;
};

static const struct resolved_file *entry_file(const struct resolution *r, size_t entry)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].entry == entry && r->files[i].status == RESOLVED_OK)
			return &r->files[i];
	return NULL;
}

static enum wg_err read_source_file(struct wg_source *src, int index,
				    const struct resolved_file *f, unsigned char **data, size_t *len);

static enum wg_err load_inf(struct wg_source *src, int index, const struct resolved_file *f,
			    struct inf_version *out)
{
	unsigned char *data;
	size_t len;
	enum wg_err err = read_source_file(src, index, f, &data, &len);
	if (err != WG_OK)
		return err;
	err = inf_parse_version(data, len, f->source, out);
	free(data);
	return err;
}

static enum wg_err derive_value(const struct manifest *m, const struct manifest_reg *mr,
				struct wg_source *src, const struct resolution *r,
				struct inf_cache *cache, struct reg_op *op)
{
	const struct resolved_file *f = entry_file(r, mr->derive_file);
	if (!f) {
		wg_error("'%s' line %u: the file of this derived value was not found", m->path,
			 mr->line);
		return WG_ERR_NOT_FOUND;
	}
	if (mr->derive == DERIVE_FILE_SIZE) {
		if (mr->type == REG_DWORD && f->size > UINT32_MAX) {
			wg_error("'%s' line %u: '%s' is too large for a REG_DWORD size", m->path,
				 mr->line, f->source);
			return WG_ERR_NOT_FOUND;
		}
		op->len = mr->type == REG_DWORD ? 4 : 8;
		op->data = xmalloc(op->len);
		for (size_t i = 0; i < op->len; i++)
			op->data[i] = (unsigned char)(f->size >> (8 * i));
		return WG_OK;
	}
	if (!cache->loaded || cache->entry != mr->derive_file) {
		if (cache->loaded)
			inf_version_release(&cache->v);
		cache->loaded = false;
		enum wg_err err = load_inf(src, r->image, f, &cache->v);
		if (err != WG_OK)
			return err;
		cache->loaded = true;
		cache->entry = mr->derive_file;
	}
	const struct inf_version *v = &cache->v;
	const char *s = NULL, *what = NULL;
	switch (mr->derive) {
	case DERIVE_INF_DRIVER_VERSION:
		op->data = xmalloc(INF_VERSION_RECORD_SIZE);
		op->len = INF_VERSION_RECORD_SIZE;
		if (inf_version_record(v->class_guid, v->driver_ver, op->data)) {
			wg_error("'%s' in image %d: [Version] needs a ClassGuid like {xxxxxxxx-xxxx-"
				 "xxxx-xxxx-xxxxxxxxxxxx} and a DriverVer like mm/dd/yyyy,a.b.c.d "
				 "(has %s and %s)", f->source, r->image,
				 v->class_guid ? v->class_guid : "no ClassGuid",
				 v->driver_ver ? v->driver_ver : "no DriverVer");
			return WG_ERR_NOT_FOUND;
		}
		return WG_OK;
	case DERIVE_INF_PROVIDER:
		s = v->provider;
		what = "Provider";
		break;
	case DERIVE_INF_CLASS_GUID:
		s = v->class_guid;
		what = "ClassGuid";
		break;
	default:
		return WG_ERR_INTERNAL;
	}
	if (!s) {
		wg_error("'%s' in image %d: [Version] has no %s", f->source, r->image, what);
		return WG_ERR_NOT_FOUND;
	}
	op->data = utf8_to_utf16z(s, strlen(s), &op->len);
	if (!op->data) {
		wg_error("'%s' in image %d: %s is not valid text", f->source, r->image, what);
		return WG_ERR_NOT_FOUND;
	}
	if (op->len > HIVE_MAX_VALUE_DATA) {
		wg_error("'%s' in image %d: [Version] %s is %zu bytes as registry data; an offline "
			 "hive value holds at most %d", f->source, r->image, what, op->len,
			 HIVE_MAX_VALUE_DATA);
		return WG_ERR_NOT_FOUND;
	}
	return WG_OK;
}

static enum wg_err read_source_file(struct wg_source *src, int index,
				    const struct resolved_file *f, unsigned char **data, size_t *len)
{
	struct source_file sf = { .path = f->source, .size = f->size, .attributes = f->attributes };
	memcpy(sf.sha1, f->sha1, 20);
	return source_read_file(src, index, &sf, DERIVE_MAX_READ, data, len);
}

/* The netcfg class of the INF's [Version] Class. */
static char netcfg_class(const struct inf *inf, char **msg)
{
	struct inf_entries e;
	char c = 0;
	if (inf_section(inf, "Version", &e, msg))
		return 0;
	for (size_t i = 0; i < e.n && !c; i++) {
		const struct inf_entry *x = &e.v[i];
		if (!x->key || !wg_streq_nocase(x->key, "Class"))
			continue;
		const char *v = x->fields.v[0];
		c = wg_streq_nocase(v, "NetService") ? 's' : wg_streq_nocase(v, "NetTrans") ? 'p' :
		    wg_streq_nocase(v, "NetClient") ? 'c' : '?';
		if (c == '?')
			*msg = xasprintf("'%s' line %u: Class '%s' is not a network component "
					 "netcfg installs (NetService, NetTrans or NetClient)",
					 inf_name(inf), x->line, v);
	}
	if (!c)
		*msg = xasprintf("'%s': [Version] has no Class", inf_name(inf));
	inf_entries_release(&e);
	return c == '?' ? 0 : c;
}

/* What the first-boot script needs of a component: id, INF, class, service. */
static enum wg_err add_component(const struct inf *inf, const struct inf_component *c,
				 const struct resolved_file *f, struct resolution *r, char **msg)
{
	char cls = netcfg_class(inf, msg);
	if (!cls)
		return WG_ERR_INF;
	r->components = xrealloc(r->components, (r->ncomponents + 1) * sizeof(*r->components));
	struct resolved_component *rc = &r->components[r->ncomponents++];
	rc->id = xstrdup(c->id);
	rc->inf = xstrdup(f->dest);
	rc->netcfg_class = cls;
	rc->service = NULL;
	for (size_t i = 0; i < c->nregs && !rc->service; i++) {
		const struct inf_reg *g = &c->regs[i];
		if (g->kind == INF_REG_SET && g->type == REG_SZ && g->name &&
		    wg_streq_nocase(g->subkey, "Ndi") && wg_streq_nocase(g->name, "Service"))
			rc->service = utf16le_to_utf8(g->data, g->len);
	}
	return WG_OK;
}

/* Read every <inf-component>'s INF and component; its capture gets the key name. */
static enum wg_err read_components(const struct manifest *m, struct wg_source *src,
				   struct vars *v, struct resolution *r,
				   struct inf_component *comps)
{
	for (size_t i = 0; i < m->ninfcomps; i++) {
		const struct manifest_infcomp *ic = &m->infcomps[i];
		const struct resolved_file *f = entry_file(r, ic->file);
		unsigned char *data = NULL;
		size_t len;
		struct inf *inf = NULL;
		char *msg = NULL;
		if (!f) {
			wg_error("'%s' line %u: the INF of this component was not found", m->path,
				 ic->line);
			return WG_ERR_NOT_FOUND;
		}
		enum wg_err err = read_source_file(src, r->image, f, &data, &len);
		if (!err)
			err = inf_load(data, len, f->source, &inf, &msg);
		if (!err)
			err = inf_read_component(inf, ic->platform, ic->id, &comps[i], &msg);
		if (!err)
			err = add_component(inf, &comps[i], f, r, &msg);
		free(data);
		inf_free(inf);
		if (err && msg)
			wg_error("%s", msg);
		free(msg);
		if (err)
			return err;
		if (!ic->capture)
			continue;
		char *name = inf_instance_key_name(comps[i].netcfg_instance_id);
		if (!name) {
			wg_error("'%s': [%s] has no NetCfgInstanceId, which '%s' line %u captures as "
				 "'%s'", f->source, comps[i].section, m->path, ic->line, ic->capture);
			return WG_ERR_INF;
		}
		vars_set(v, ic->capture, name);
		sv_push_nodup(&r->values, xasprintf("%s=%s", ic->capture, name));
		free(name);
	}
	return WG_OK;
}

static void push_op(struct resolution *r, struct reg_op *op, bool optional)
{
	reg_ops_push(&r->ops, op);
	r->op_optional = xrealloc(r->op_optional, r->ops.alloc * sizeof(*r->op_optional));
	r->op_optional[r->ops.n - 1] = optional;
}

/* An <inf-component>: its operations under the key the manifest names. */
static void push_component(const struct manifest *m, const struct manifest_reg *mr,
			   const struct inf_component *c, const char *key, struct resolution *r)
{
	const struct resolved_file *f = entry_file(r, m->infcomps[mr->infcomp].file);
	struct reg_ops ops = { 0 };
	inf_component_ops(c, key, f->source, &ops);
	for (size_t i = 0; i < ops.n; i++)
		push_op(r, &ops.v[i], m->hive_optional[mr->hive]);
	reg_ops_release(&ops);
}

static enum wg_err build_ops(const struct manifest *m, struct wg_source *src, struct vars *v,
			     struct resolution *r)
{
	enum wg_err err = WG_OK;
	struct inf_cache cache = { 0 };
	struct inf_component *comps = xcalloc(m->ninfcomps + 1, sizeof(*comps));
	err = read_components(m, src, v, r, comps);
	for (size_t i = 0; i < m->nregs && err == WG_OK; i++) {
		const struct manifest_reg *mr = &m->regs[i];
		struct reg_op op = { .kind = mr->kind, .type = mr->type, .origin = m->path,
				     .line = mr->line };
		char *key = expand(mr->key, v);
		char *name = mr->name ? expand(mr->name, v) : NULL;
		if (!key || (mr->name && !name)) {
			wg_error("'%s' line %u: cannot expand the key or value name", m->path, mr->line);
			err = WG_ERR_MANIFEST;
			goto next;
		}
		op.key = xasprintf("%s\\%s", manifest_hive_root(mr->hive), key);
		op.name = name;
		if (mr->inf_component) {
			push_component(m, mr, &comps[mr->infcomp], op.key, r);
			goto next;
		}
		if (mr->kind == REG_OP_SET_VALUE) {
			if (mr->derive != DERIVE_NONE) {
				err = derive_value(m, mr, src, r, &cache, &op);
			} else if (mr->type == REG_SZ || mr->type == REG_EXPAND_SZ) {
				char *s = expand(mr->strings.n ? mr->strings.v[0] : "", v);
				op.data = s ? utf8_to_utf16z(s, strlen(s), &op.len) : NULL;
				if (!op.data) {
					wg_error("'%s' line %u: value data is not valid text", m->path,
						 mr->line);
					err = WG_ERR_MANIFEST;
				}
				free(s);
			} else if (mr->type == REG_MULTI_SZ) {
				struct strbuf sb = STRBUF_INIT;
				for (size_t j = 0; j < mr->strings.n && err == WG_OK; j++) {
					char *s = expand(mr->strings.v[j], v);
					size_t n = 0;
					unsigned char *u = s ? utf8_to_utf16z(s, strlen(s), &n) : NULL;
					if (!u) {
						wg_error("'%s' line %u: value data is not valid text",
							 m->path, mr->line);
						err = WG_ERR_MANIFEST;
					} else {
						sb_add(&sb, u, n);
					}
					free(u);
					free(s);
				}
				sb_add(&sb, "\0\0", 2);
				op.len = sb.len;
				op.data = (unsigned char *)sb_detach(&sb);
			} else if (mr->len) {
				op.data = xmalloc(mr->len);
				memcpy(op.data, mr->data, mr->len);
				op.len = mr->len;
			}
		}
		if (err == WG_OK && op.len > HIVE_MAX_VALUE_DATA) {
			wg_error("'%s' line %u: value data of %zu bytes; an offline hive value holds "
				 "at most %d", m->path, mr->line, op.len, HIVE_MAX_VALUE_DATA);
			err = WG_ERR_MANIFEST;
		}
		if (err == WG_OK)
			push_op(r, &op, m->hive_optional[mr->hive]);
next:
		free(key);
		free(op.key);
		free(op.name);
		free(op.data);
	}
	if (cache.loaded)
		inf_version_release(&cache.v);
	for (size_t i = 0; i < m->ninfcomps; i++)
		inf_component_release(&comps[i]);
	free(comps);
	for (size_t i = 0; err == WG_OK && i < m->import_ops.n; i++)
		push_op(r, &m->import_ops.v[i], false);
	return err;
}

enum wg_err resolve_image(const struct manifest *m, struct wg_source *src, int index,
			  const struct resolve_opts *opts, struct resolution *out)
{
	memset(out, 0, sizeof(*out));
	out->image = index;
	struct vars v = { STRVEC_INIT, STRVEC_INIT };
	enum wg_err err = source_image_info(src, index, &out->info);
	if (err != WG_OK)
		goto out;
	set_params(m, &out->info, opts, &v);
	if ((err = glob_entries(m, src, index, &v, out)) != WG_OK)
		goto out;
	/* Signing catalogs only for an image that has every file: they cost a read of the folder. */
	if (out->nmissing == 0 && out->nambiguous == 0 &&
	    (err = catalog_choose(m, src, index, out)) != WG_OK)
		goto out;
	out->complete = out->nmissing == 0 && out->nambiguous == 0 && out->nunsigned == 0;
	for (size_t i = 0; i < v.names.n; i++)
		sv_push_nodup(&out->values, xasprintf("%s=%s", v.names.v[i], v.vals.v[i]));
	if ((err = fill_dests(m, &v, out)) != WG_OK)
		goto out;
	if (!out->complete)
		goto out;
	if ((err = build_ops(m, src, &v, out)) != WG_OK)
		goto out;
	for (size_t i = 0; i < m->ncommands; i++) {
		char *c = expand(m->commands[i].text, &v);
		if (c)
			sv_push_nodup(&out->commands, c);
	}
out:
	vars_release(&v);
	return err;
}

enum wg_err resolve_select_image(const struct manifest *m, struct wg_source *src,
				 const struct resolve_opts *opts, struct resolution *out,
				 struct strvec *why_not)
{
	int count = source_image_count(src);
	memset(out, 0, sizeof(*out));
	for (int i = 1; i <= count; i++) {
		struct image_info info;
		enum wg_err err = source_image_info(src, i, &info);
		if (err != WG_OK)
			return err;
		struct strbuf why = STRBUF_INIT;
		bool eligible = manifest_req_met(&m->source_req, &info, &why);
		if (!eligible && why_not)
			sv_push_nodup(why_not, xasprintf("image %d ('%s'): %s", i,
							 info.name ? info.name : "", why.buf));
		sb_release(&why);
		if (!eligible) {
			image_info_release(&info);
			continue;
		}
		err = resolve_image(m, src, i, opts, out);
		if (err != WG_OK) {
			image_info_release(&info);
			resolution_release(out);
			return err;
		}
		if (out->complete) {
			image_info_release(&info);
			return WG_OK;
		}
		if (why_not) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < out->nfiles; j++) {
				const struct resolved_file *f = &out->files[j];
				if (f->status == RESOLVED_MISSING || f->status == RESOLVED_AMBIGUOUS)
					sb_addf(&sb, "%s%s '%s'", sb.len ? ", " : "",
						f->status == RESOLVED_MISSING ? "missing" : "ambiguous",
						f->pattern);
				else if (f->status == RESOLVED_OK && f->sign != SIGN_NONE && !f->catalog) {
					char hex[65];
					hash_to_hex(f->hashes.sha256, 32, hex);
					sb_addf(&sb, "%s'%s' is listed by no valid signing catalog (%s "
						"SHA-256 %s): the driver would not load", sb.len ? ", " : "",
						f->source, f->sign == SIGN_AUTHENTICODE ? "Authenticode" :
						"file", hex);
				}
			}
			sv_push_nodup(why_not, xasprintf("image %d ('%s'): %s", i,
							 info.name ? info.name : "", sb.buf ? sb.buf : ""));
			sb_release(&sb);
		}
		image_info_release(&info);
		resolution_release(out);
	}
	return WG_ERR_SOURCE_REQUIREMENT;
}

void resolution_release(struct resolution *r)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		struct resolved_file *f = &r->files[i];
		free(f->pattern);
		free(f->source);
		free(f->dest);
		free(f->catalog);
		sv_clear(&f->candidates);
	}
	free(r->files);
	image_info_release(&r->info);
	sv_clear(&r->values);
	reg_ops_release(&r->ops);
	free(r->op_optional);
	sv_clear(&r->commands);
	for (size_t i = 0; i < r->ncomponents; i++) {
		free(r->components[i].id);
		free(r->components[i].inf);
		free(r->components[i].service);
	}
	free(r->components);
	memset(r, 0, sizeof(*r));
}
