/*
 * inf_install.c - from [Manufacturer] to the install section of one component,
 * its AddReg lines decoded (flags, types, data) and turned into registry operations.
 */
#include "inf_install.h"

#include <stdlib.h>
#include <string.h>

/* INF AddReg flags (setupapi.h). */
#define FLG_ADDREG_BINVALUETYPE  0x00000001u
#define FLG_ADDREG_NOCLOBBER     0x00000002u
#define FLG_ADDREG_DELVAL        0x00000004u
#define FLG_ADDREG_APPEND        0x00000008u
#define FLG_ADDREG_KEYONLY       0x00000010u
#define FLG_ADDREG_TYPE_MASK     0xFFFF0001u
#define FLG_ADDREG_TYPE_SZ       0x00000000u
#define FLG_ADDREG_TYPE_MULTI_SZ 0x00010000u
#define FLG_ADDREG_TYPE_EXPAND_SZ 0x00020000u
#define FLG_ADDREG_TYPE_BINARY   0x00000001u
#define FLG_ADDREG_TYPE_DWORD    0x00010001u
#define FLG_ADDREG_TYPE_NONE     0x00020001u
#define FLG_ADDREG_KNOWN         (FLG_ADDREG_TYPE_MASK | FLG_ADDREG_NOCLOBBER | \
				  FLG_ADDREG_DELVAL | FLG_ADDREG_APPEND | FLG_ADDREG_KEYONLY)

static enum wg_err bad(char **msg, const struct inf *inf, unsigned line, const char *what)
{
	free(*msg);
	*msg = line ? xasprintf("'%s' line %u: %s", inf_name(inf), line, what)
		    : xasprintf("'%s': %s", inf_name(inf), what);
	return WG_ERR_INF;
}

static enum wg_err badf(char **msg, const struct inf *inf, unsigned line, char *what)
{
	enum wg_err err = bad(msg, inf, line, what);
	free(what);
	return err;
}

/* ---- [Manufacturer] and the models sections ---- */

/* The models section a [Manufacturer] line names for platform, or NULL when none applies. */
static char *models_section(const struct inf *inf, const struct inf_entry *e, const char *platform)
{
	const char *base = e->fields.v[0];
	if (e->fields.n == 1)
		return xstrdup(base);
	const char *nt = NULL;
	for (size_t i = 1; i < e->fields.n; i++) {
		const char *d = e->fields.v[i];
		size_t pl = strlen(platform);
		if (!strncasecmp(d, platform, pl) && (d[pl] == '\0' || d[pl] == '.'))
			return xasprintf("%s.%s", base, d);
		if (!nt && !strncasecmp(d, "NT", 2) && (d[2] == '\0' || d[2] == '.'))
			nt = d;
	}
	(void)inf;
	return nt ? xasprintf("%s.%s", base, nt) : NULL;
}

struct model {
	char *install;            /* install section named by the models line */
	char *description;
	char *id;
	unsigned line;
};

static void model_release(struct model *m)
{
	free(m->install);
	free(m->description);
	free(m->id);
}

/* Look for id in one models section; a second, different match is an error. */
static enum wg_err search_models(const struct inf *inf, const char *section, const char *id,
				 struct model *found, char **msg)
{
	struct inf_entries e;
	enum wg_err err = inf_section(inf, section, &e, msg);
	for (size_t i = 0; !err && i < e.n; i++) {
		const struct inf_entry *x = &e.v[i];
		if (!x->key || x->fields.n < 2 || !*x->fields.v[0]) {
			err = badf(msg, inf, x->line, xasprintf("[%s]: a models line is "
				   "'description = install-section, id[, compatible ids]'", section));
			break;
		}
		for (size_t f = 1; f < x->fields.n; f++) {
			if (!wg_streq_nocase(x->fields.v[f], id))
				continue;
			if (found->install && !wg_streq_nocase(found->install, x->fields.v[0])) {
				err = badf(msg, inf, x->line, xasprintf("'%s' is installed by both [%s] "
					   "(line %u) and [%s]", id, found->install, found->line,
					   x->fields.v[0]));
				break;
			}
			if (!found->install) {
				found->install = xstrdup(x->fields.v[0]);
				found->description = xstrdup(x->key);
				found->id = xstrdup(x->fields.v[f]);
				found->line = x->line;
			}
			break;
		}
	}
	inf_entries_release(&e);
	return err;
}

static enum wg_err find_model(const struct inf *inf, const char *platform, const char *id,
			      struct model *found, char **msg)
{
	struct inf_entries man;
	if (!inf_has_section(inf, "Manufacturer"))
		return bad(msg, inf, 0, "no [Manufacturer] section");
	enum wg_err err = inf_section(inf, "Manufacturer", &man, msg);
	for (size_t i = 0; !err && i < man.n; i++) {
		const struct inf_entry *x = &man.v[i];
		if (!*x->fields.v[0]) {
			err = bad(msg, inf, x->line, "[Manufacturer]: a line is "
				  "'name = models-section[, platform, ...]'");
			break;
		}
		char *section = models_section(inf, x, platform);
		if (!section)
			continue;
		if (!inf_has_section(inf, section))
			err = badf(msg, inf, x->line, xasprintf("[Manufacturer] names the models "
				   "section [%s], which the INF does not have", section));
		else
			err = search_models(inf, section, id, found, msg);
		free(section);
	}
	inf_entries_release(&man);
	if (!err && !found->install) {
		free(*msg);
		*msg = xasprintf("'%s': no models line installs '%s' on %s", inf_name(inf), id,
				 platform);
		err = WG_ERR_NOT_FOUND;
	}
	return err;
}

/* ---- AddReg lines ---- */

static enum wg_err decode_type(const struct inf *inf, unsigned line, uint32_t flags,
			       uint32_t *type, bool *number)
{
	uint32_t t = flags & FLG_ADDREG_TYPE_MASK;
	*number = false;
	switch (t) {
	case FLG_ADDREG_TYPE_SZ: *type = REG_SZ; return WG_OK;
	case FLG_ADDREG_TYPE_MULTI_SZ: *type = REG_MULTI_SZ; return WG_OK;
	case FLG_ADDREG_TYPE_EXPAND_SZ: *type = REG_EXPAND_SZ; return WG_OK;
	case FLG_ADDREG_TYPE_BINARY: *type = REG_BINARY; return WG_OK;
	case FLG_ADDREG_TYPE_DWORD: *type = REG_DWORD; *number = true; return WG_OK;
	case FLG_ADDREG_TYPE_NONE: *type = REG_NONE; return WG_OK;
	}
	if (t & FLG_ADDREG_BINVALUETYPE) {
		*type = t >> 16;   /* any other type, its data written as bytes */
		return WG_OK;
	}
	(void)inf;
	(void)line;
	return WG_ERR_INF;
}

static enum wg_err encode_strings(const struct inf *inf, const struct inf_entry *x,
				  struct inf_reg *r, char **msg)
{
	struct strbuf sb = STRBUF_INIT;
	size_t first = 4, n = x->fields.n > first ? x->fields.n - first : 0;
	if (r->type != REG_MULTI_SZ && n > 1)
		return bad(msg, inf, x->line, "a string value takes one field (quote a value "
			   "holding commas)");
	for (size_t i = 0; i < n || (r->type != REG_MULTI_SZ && i == 0); i++) {
		const char *s = i < n ? x->fields.v[first + i] : "";
		if (r->type == REG_MULTI_SZ && !*s) {
			sb_release(&sb);
			return bad(msg, inf, x->line, "an empty string in a REG_MULTI_SZ value");
		}
		size_t len;
		unsigned char *u = utf8_to_utf16z(s, strlen(s), &len);
		if (!u) {
			sb_release(&sb);
			return bad(msg, inf, x->line, "the value is not valid text");
		}
		sb_add(&sb, u, len);
		free(u);
	}
	if (r->type == REG_MULTI_SZ)
		sb_add(&sb, "\0\0", n ? 2 : 4);
	r->len = sb.len;
	r->data = (unsigned char *)sb_detach(&sb);
	return WG_OK;
}

static bool parse_byte(const char *s, unsigned char *b)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strlen(s);
	if (n < 1 || n > 2)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*b = (unsigned char)v;
	return true;
}

static enum wg_err encode_data(const struct inf *inf, const struct inf_entry *x, bool number,
			       struct inf_reg *r, char **msg)
{
	size_t first = 4, n = x->fields.n > first ? x->fields.n - first : 0;
	if (r->type == REG_SZ || r->type == REG_EXPAND_SZ || r->type == REG_MULTI_SZ)
		return encode_strings(inf, x, r, msg);
	if (number && n == 1) {
		uint32_t v;
		if (!inf_parse_number(x->fields.v[first], &v))
			return badf(msg, inf, x->line, xasprintf("'%s' is not a REG_DWORD number "
				    "(0x hex or decimal, up to 32 bits)", x->fields.v[first]));
		r->len = 4;
		r->data = xmalloc(4);
		for (int i = 0; i < 4; i++)
			r->data[i] = (unsigned char)(v >> (8 * i));
		return WG_OK;
	}
	if (number && n != 4 && n != 0)
		return bad(msg, inf, x->line, "a REG_DWORD value is one number or four bytes");
	r->len = n;
	r->data = n ? xmalloc(n) : NULL;
	for (size_t i = 0; i < n; i++)
		if (!parse_byte(x->fields.v[first + i], &r->data[i]))
			return badf(msg, inf, x->line, xasprintf("'%s' is not a hexadecimal byte",
				    x->fields.v[first + i]));
	if (number && !n) {
		r->len = 4;
		r->data = xcalloc(1, 4);
	}
	return WG_OK;
}

static bool valid_subkey(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return true;
	if (s[0] == '\\' || s[n - 1] == '\\' || strstr(s, "\\\\"))
		return false;
	return true;
}

static enum wg_err addreg_line(const struct inf *inf, const char *section,
			       const struct inf_entry *x, struct inf_reg *r, char **msg)
{
	const struct strvec *f = &x->fields;
	uint32_t flags = 0;
	bool number;
	r->line = x->line;
	if (x->key)
		return badf(msg, inf, x->line, xasprintf("[%s]: an AddReg line has no '='; "
			    "quote a value holding one", section));
	if (!wg_streq_nocase(f->v[0], "HKR"))
		return badf(msg, inf, x->line, xasprintf("[%s]: only HKR lines (relative to the "
			    "component's key) can be installed, not '%s'", section, f->v[0]));
	r->subkey = xstrdup(f->n > 1 ? f->v[1] : "");
	if (!valid_subkey(r->subkey))
		return badf(msg, inf, x->line, xasprintf("'%s' is not a valid subkey", r->subkey));
	if (f->n > 3 && *f->v[3] && !inf_parse_number(f->v[3], &flags))
		return badf(msg, inf, x->line, xasprintf("'%s' is not a flags number", f->v[3]));
	if (flags & ~FLG_ADDREG_KNOWN)
		return badf(msg, inf, x->line, xasprintf("flags 0x%08x: 0x%08x not supported "
			    "(known: types, NOCLOBBER, DELVAL, APPEND, KEYONLY)", flags,
			    flags & ~FLG_ADDREG_KNOWN));
	if (f->n <= 2 || (flags & FLG_ADDREG_KEYONLY)) {
		if (f->n > 4 || (f->n > 2 && *f->v[2]))
			return bad(msg, inf, x->line, "a KEYONLY line takes no value name or data");
		r->kind = INF_REG_KEY;
		return WG_OK;
	}
	r->name = xstrdup(f->v[2]);
	if (decode_type(inf, x->line, flags, &r->type, &number))
		return badf(msg, inf, x->line, xasprintf("flags 0x%08x give no value type", flags));
	r->noclobber = flags & FLG_ADDREG_NOCLOBBER;
	r->append = flags & FLG_ADDREG_APPEND;
	if (flags & FLG_ADDREG_DELVAL) {
		if (f->n > 4 || r->append || r->noclobber)
			return bad(msg, inf, x->line, "DELVAL deletes the whole value: it takes no "
				   "data and no other flag");
		r->kind = INF_REG_DELETE_VALUE;
		return WG_OK;
	}
	if (r->append && r->type != REG_MULTI_SZ)
		return bad(msg, inf, x->line, "APPEND is for REG_MULTI_SZ values (0x00010008)");
	r->kind = INF_REG_SET;
	return encode_data(inf, x, number, r, msg);
}

static enum wg_err read_addreg(const struct inf *inf, const char *section, unsigned ref_line,
			       struct inf_component *c, char **msg)
{
	struct inf_entries e;
	if (!inf_has_section(inf, section))
		return badf(msg, inf, ref_line, xasprintf("AddReg names [%s], which the INF does "
			    "not have", section));
	enum wg_err err = inf_section(inf, section, &e, msg);
	for (size_t i = 0; !err && i < e.n; i++) {
		c->regs = xrealloc(c->regs, (c->nregs + 1) * sizeof(*c->regs));
		struct inf_reg *r = &c->regs[c->nregs++];
		memset(r, 0, sizeof(*r));
		err = addreg_line(inf, section, &e.v[i], r, msg);
	}
	inf_entries_release(&e);
	return err;
}

/* ---- the install section ---- */

static char *install_section(const struct inf *inf, const char *name, const char *platform)
{
	char *s = xasprintf("%s.%s", name, platform);
	if (inf_has_section(inf, s))
		return s;
	free(s);
	s = xasprintf("%s.NT", name);
	if (inf_has_section(inf, s))
		return s;
	free(s);
	return inf_has_section(inf, name) ? xstrdup(name) : NULL;
}

static enum wg_err install_line(const struct inf *inf, const struct inf_entry *x,
				struct inf_component *c, char **msg)
{
	const char *sec = c->section;
	if (!x->key)
		return badf(msg, inf, x->line, xasprintf("[%s]: a line without a directive", sec));
	if (wg_streq_nocase(x->key, "AddReg")) {
		for (size_t i = 0; i < x->fields.n; i++) {
			if (!*x->fields.v[i])
				return bad(msg, inf, x->line, "AddReg names an empty section");
			enum wg_err err = read_addreg(inf, x->fields.v[i], x->line, c, msg);
			if (err)
				return err;
		}
		return WG_OK;
	}
	bool is_char = wg_streq_nocase(x->key, "Characteristics");
	bool is_id = wg_streq_nocase(x->key, "NetCfgInstanceId");
	if (!is_char && !is_id)
		return badf(msg, inf, x->line, xasprintf("[%s]: directive '%s' cannot be carried "
			    "out offline (only AddReg, Characteristics and NetCfgInstanceId can)",
			    sec, x->key));
	if (x->fields.n != 1 || (is_char && c->has_characteristics) ||
	    (is_id && c->netcfg_instance_id))
		return badf(msg, inf, x->line, xasprintf("[%s]: %s is given once, with one value",
			    sec, x->key));
	if (is_char) {
		if (!inf_parse_number(x->fields.v[0], &c->characteristics))
			return badf(msg, inf, x->line, xasprintf("Characteristics '%s' is not a "
				    "number", x->fields.v[0]));
		c->has_characteristics = true;
		return WG_OK;
	}
	uint8_t guid[16];
	if (inf_parse_guid(x->fields.v[0], guid))
		return badf(msg, inf, x->line, xasprintf("NetCfgInstanceId '%s' is not a GUID "
			    "like {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", x->fields.v[0]));
	c->netcfg_instance_id = xstrdup(x->fields.v[0]);
	return WG_OK;
}

enum wg_err inf_read_component(const struct inf *inf, const char *platform, const char *id,
			       struct inf_component *out, char **msg)
{
	struct model m = { 0 };
	struct inf_entries e = { 0 };
	memset(out, 0, sizeof(*out));
	enum wg_err err = find_model(inf, platform, id, &m, msg);
	if (err)
		goto out;
	out->id = m.id;
	out->description = m.description;
	m.id = m.description = NULL;
	out->section = install_section(inf, m.install, platform);
	if (!out->section) {
		err = badf(msg, inf, m.line, xasprintf("the install section [%s] of '%s' is not "
			   "in the INF", m.install, id));
		goto out;
	}
	size_t n;
	unsigned char *u1 = utf8_to_utf16z(out->id, strlen(out->id), &n);
	unsigned char *u2 = utf8_to_utf16z(out->section, strlen(out->section), &n);
	if (!u1 || !u2)
		err = badf(msg, inf, m.line, xasprintf("the id or install section of '%s' is not "
			   "valid text", id));
	free(u1);
	free(u2);
	if (!err)
		err = inf_section(inf, out->section, &e, msg);
	for (size_t i = 0; !err && i < e.n; i++)
		err = install_line(inf, &e.v[i], out, msg);
out:
	inf_entries_release(&e);
	model_release(&m);
	if (err)
		inf_component_release(out);
	return err;
}

void inf_component_release(struct inf_component *c)
{
	for (size_t i = 0; i < c->nregs; i++) {
		free(c->regs[i].subkey);
		free(c->regs[i].name);
		free(c->regs[i].data);
	}
	free(c->regs);
	free(c->id);
	free(c->description);
	free(c->section);
	free(c->netcfg_instance_id);
	memset(c, 0, sizeof(*c));
}

static void push_string(struct reg_ops *ops, struct reg_op *op, const char *name, const char *s)
{
	op->kind = REG_OP_SET_VALUE;
	op->name = (char *)name;
	op->type = REG_SZ;
	op->data = utf8_to_utf16z(s, strlen(s), &op->len);
	reg_ops_push(ops, op);
	free(op->data);
}

void inf_component_ops(const struct inf_component *c, const char *key, const char *origin,
		       struct reg_ops *ops)
{
	struct reg_op op = { .kind = REG_OP_KEY, .key = (char *)key, .origin = origin };
	unsigned char dw[4];
	reg_ops_push(ops, &op);
	push_string(ops, &op, "ComponentId", c->id);
	if (c->has_characteristics) {
		for (int i = 0; i < 4; i++)
			dw[i] = (unsigned char)(c->characteristics >> (8 * i));
		op = (struct reg_op){ .kind = REG_OP_SET_VALUE, .key = (char *)key, .name =
				      "Characteristics", .type = REG_DWORD, .data = dw, .len = 4,
				      .origin = origin };
		reg_ops_push(ops, &op);
	}
	push_string(ops, &op, "InfSection", c->section);
	for (size_t i = 0; i < c->nregs; i++) {
		const struct inf_reg *r = &c->regs[i];
		char *k = *r->subkey ? xasprintf("%s\\%s", key, r->subkey) : xstrdup(key);
		op = (struct reg_op){ .key = k, .name = r->name, .type = r->type, .data = r->data,
				      .len = r->len, .origin = origin, .line = r->line };
		op.kind = r->kind == INF_REG_KEY ? REG_OP_KEY :
			  r->kind == INF_REG_DELETE_VALUE ? REG_OP_DELETE_VALUE : REG_OP_SET_VALUE;
		op.flags = (r->noclobber ? REG_OP_NOCLOBBER : 0) | (r->append ? REG_OP_APPEND : 0);
		if (op.kind == REG_OP_KEY)
			op.name = NULL;
		reg_ops_push(ops, &op);
		free(k);
	}
}

char *inf_instance_key_name(const char *netcfg_instance_id)
{
	uint8_t guid[16];
	if (!netcfg_instance_id || inf_parse_guid(netcfg_instance_id, guid))
		return NULL;
	char *s = xstrdup(netcfg_instance_id);
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	return s;
}
