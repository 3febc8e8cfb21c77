/*
 * manifest_reg.c - the manifest's <registry>: hives, keys, values with their data checked
 * (or derived from a file), deleted keys and values, INF components and imported .reg files.
 */
#include "manifest_loader.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "regfile.h"

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
	m->regs = ld_grow(m->regs, m->nregs, sizeof(*m->regs));
	struct manifest_reg *r = &m->regs[m->nregs++];
	r->kind = kind;
	r->hive = hive;
	r->key = xstrdup(key);
	r->line = line;
	return r;
}

static bool check_key_path(struct loader *ld, unsigned line, const char *path)
{
	char *p = ld_check_refs(ld, line, "attribute 'path'", path, true, true);
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
		ld_fail(ld, line, "key path '%s' %s", p, why);
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

/* A value given by derive="..." from file="ID": checked, its data left to resolution. */
static void load_derived(struct loader *ld, struct manifest_reg *r, const char *derive,
			 const char *file, bool has_data)
{
	struct manifest *m = ld->m;
	unsigned line = r->line;
	ssize_t fi = file ? ld_file_index(m, file) : -1;
	if (!derive)
		ld_fail(ld, line, "attribute 'file' is used only with derive=\"...\"");
	else if (!file)
		ld_fail(ld, line, "derive=\"%s\" needs file=\"ID\" naming a file entry", derive);
	else if (fi < 0)
		ld_fail(ld, line, "attribute 'file': no file entry has the id '%s'", file);
	else if (m->files[fi].optional || m->files[fi].match_all)
		ld_fail(ld, line, "derive=\"%s\": file '%s' must be a required entry matching "
		     "one file", derive, file);
	else
		r->derive_file = (size_t)fi;
	if (derive && !derive_type_ok(r->derive, r->type))
		ld_fail(ld, line, "derive=\"%s\" cannot give a %s value (%s)", derive,
		     reg_type_name(r->type),
		     r->derive == DERIVE_FILE_SIZE ? "use REG_QWORD or REG_DWORD" :
		     r->derive == DERIVE_INF_DRIVER_VERSION ? "use REG_BINARY" :
		     "use REG_SZ or REG_EXPAND_SZ");
	if (has_data)
		ld_fail(ld, line, "a derived value (derive=\"%s\") must be empty",
		     derive ? derive : "");
}

/* REG_SZ and REG_EXPAND_SZ data (the value's text), or REG_MULTI_SZ's <string> elements. */
static void load_strings(struct loader *ld, const xmlNode *node, struct manifest_reg *r,
			 const char *text, bool has_strings)
{
	unsigned line = r->line;
	if (r->type != REG_MULTI_SZ) {
		if (has_strings) {
			ld_fail(ld, line, "<string> elements are only for REG_MULTI_SZ; put the %s "
			     "text directly in <value>", reg_type_name(r->type));
			return;
		}
		char *t = ld_check_refs(ld, line, "value data", text, true, true);
		free(t);
		sv_push(&r->strings, text);
		return;
	}
	if (!ld_blank(text)) {
		ld_fail(ld, line, "REG_MULTI_SZ data goes in <string> elements, one per string");
		return;
	}
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (!ld_is_elem(c, "string"))
			continue;
		char *s = ld_own_text(c);
		if (!*s)
			ld_fail(ld, mxml_line(c), "a REG_MULTI_SZ string cannot be empty");
		char *t = ld_check_refs(ld, mxml_line(c), "value data", s, true, true);
		free(t);
		sv_push_nodup(&r->strings, s);
	}
}

/* REG_DWORD and REG_QWORD data (a number), REG_BINARY and REG_NONE data (hex bytes). */
static void load_data(struct loader *ld, struct manifest_reg *r, const char *text,
		      bool has_strings)
{
	unsigned line = r->line;
	if (has_strings) {
		ld_fail(ld, line, "<string> elements are only for REG_MULTI_SZ");
		return;
	}
	char *t = ld_check_refs(ld, line, "value data", text, false, false);
	if (!t)
		return;
	if (r->type == REG_DWORD || r->type == REG_QWORD) {
		uint64_t v;
		bool dw = r->type == REG_DWORD;
		if (parse_number(t, dw ? UINT32_MAX : UINT64_MAX, &v)) {
			ld_fail(ld, line, "%s data '%s' is not a number (decimal, or hex with 0x) "
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
			ld_fail(ld, line, "%s data holds %s; write hex bytes such as 'dd,07' or "
			     "'dd 07'", reg_type_name(r->type), why);
			sb_release(&sb);
		} else {
			r->len = sb.len;
			r->data = (unsigned char *)sb_detach(&sb);
		}
	}
	free(t);
}

static void load_value(struct loader *ld, const xmlNode *node, enum manifest_hive hive,
		       const char *key)
{
	unsigned line = mxml_line(node);
	char *tname = mxml_attr(node, "type");
	int type = reg_type_from_name(tname ? tname : "");
	free(tname);
	struct manifest_reg *r = new_reg(ld->m, REG_OP_SET_VALUE, hive, key, line);
	r->type = type < 0 ? REG_NONE : (uint32_t)type;
	r->name = mxml_attr(node, "name");
	if (!r->name)
		r->name = xstrdup("");
	char *nm = ld_check_refs(ld, line, "attribute 'name'", r->name, true, true);
	free(nm);

	char *derive = mxml_attr(node, "derive");
	char *file = mxml_attr(node, "file");
	char *text = ld_own_text(node);
	bool has_strings = false;
	for (const xmlNode *c = node->children; c; c = c->next)
		has_strings |= ld_is_elem(c, "string");
	r->derive = derive_from_name(derive);

	if (derive || file) {
		load_derived(ld, r, derive, file, !ld_blank(text) || has_strings);
	} else {
		switch (r->type) {
		case REG_SZ:
		case REG_EXPAND_SZ:
		case REG_MULTI_SZ:
			load_strings(ld, node, r, text, has_strings);
			break;
		case REG_DWORD:
		case REG_QWORD:
		case REG_BINARY:
		case REG_NONE:
			load_data(ld, r, text, has_strings);
			break;
		default:
			break;
		}
	}
	free(derive);
	free(file);
	free(text);
}

static void load_key(struct loader *ld, const xmlNode *node, enum manifest_hive hive)
{
	unsigned line = mxml_line(node);
	char *path = mxml_attr(node, "path");
	check_key_path(ld, line, path);
	new_reg(ld->m, REG_OP_KEY, hive, path, line);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (ld_is_elem(c, "value")) {
			load_value(ld, c, hive, path);
		} else if (ld_is_elem(c, "delete-value")) {
			struct manifest_reg *r = new_reg(ld->m, REG_OP_DELETE_VALUE, hive, path,
							 mxml_line(c));
			r->name = mxml_attr(c, "name");
			if (!r->name)
				r->name = xstrdup("");
			char *t = ld_check_refs(ld, r->line, "attribute 'name'", r->name, true, true);
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
		if (!ld_is_elem(c, "hive"))
			continue;
		for (const xmlNode *k = c->children; k; k = k->next) {
			if (!ld_is_elem(k, "inf-component"))
				continue;
			unsigned line = mxml_line(k);
			char *file = mxml_attr(k, "file"), *capture = mxml_attr(k, "capture");
			ssize_t fi = file ? ld_file_index(m, file) : -1;
			m->infcomps = ld_grow(m->infcomps, m->ninfcomps, sizeof(*m->infcomps));
			struct manifest_infcomp *ic = &m->infcomps[m->ninfcomps++];
			ic->id = mxml_attr(k, "id");
			ic->platform = mxml_attr(k, "platform");
			if (!ic->platform)
				ic->platform = xstrdup("NTamd64");
			ic->line = line;
			if (m->format < 2)
				ld_fail(ld, line, "<inf-component> needs format=\"2\" on <feature>");
			if (fi < 0)
				ld_fail(ld, line, "attribute 'file': no file entry has the id '%s'",
				     file ? file : "");
			else if (m->files[fi].optional || m->files[fi].match_all)
				ld_fail(ld, line, "<inf-component>: file '%s' must be a required entry "
				     "matching one file", file);
			else
				ic->file = (size_t)fi;
			if (capture && (manifest_param(m, capture) || ld_find_capture(m, capture)))
				ld_fail(ld, line, "capture '%s' is already a parameter or capture", capture);
			ic->capture = capture;
			free(file);
		}
	}
}

void ld_registry(struct loader *ld, const xmlNode *node)
{
	struct manifest *m = ld->m;
	size_t ninf = 0;
	load_infcomps(ld, node);
	for (const xmlNode *c = node->children; c; c = c->next) {
		if (ld_is_elem(c, "import")) {
			m->imports = ld_grow(m->imports, m->nimports, sizeof(*m->imports));
			struct manifest_import *im = &m->imports[m->nimports++];
			im->file = mxml_attr(c, "file");
			im->line = mxml_line(c);
			if (m->dir)
				im->path = im->file[0] == '/' ? xstrdup(im->file) :
					   xasprintf("%s/%s", m->dir, im->file);
			continue;
		}
		if (!ld_is_elem(c, "hive"))
			continue;
		char *name = mxml_attr(c, "name");
		int h = hive_from_name(name);
		if (h < 0) {
			ld_fail(ld, mxml_line(c), "unknown hive '%s'; expected SYSTEM, SOFTWARE, DRIVERS "
			     "or DEFAULT", name ? name : "");
			free(name);
			continue;
		}
		free(name);
		m->hive_declared[h] = true;
		m->hive_optional[h] = ld_attr_bool(c, "optional");
		for (const xmlNode *k = c->children; k; k = k->next) {
			if (ld_is_elem(k, "key")) {
				load_key(ld, k, (enum manifest_hive)h);
			} else if (ld_is_elem(k, "inf-component") && ninf < m->ninfcomps) {
				char *path = mxml_attr(k, "key");
				if (check_key_path(ld, mxml_line(k), path)) {
					struct manifest_reg *r = new_reg(m, REG_OP_KEY,
						(enum manifest_hive)h, path, mxml_line(k));
					r->inf_component = true;
					r->infcomp = ninf;
				}
				ninf++;
				free(path);
			} else if (ld_is_elem(k, "delete-key")) {
				char *path = mxml_attr(k, "path");
				if (check_key_path(ld, mxml_line(k), path))
					new_reg(m, REG_OP_DELETE_KEY, (enum manifest_hive)h, path,
						mxml_line(k));
				free(path);
			}
		}
	}
}

void ld_imports(struct loader *ld)
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

/* For messages elsewhere: the derive kind's name as the manifest writes it. */
const char *manifest_derive_name(enum manifest_derive d)
{
	return derive_name(d);
}
