/*
 * team.c - read a team file: libxml2 with the team schema (as the manifest is read),
 * then the rules the schema cannot express: names, counts, standby, LACP timer, VLANs, MACs.
 */
#include "team.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "manifest.h"
#include "manifest_xml.h"

static struct mxml_kind team_kind = {
	.schema_file = TEAM_SCHEMA_FILE, .find_shipped = manifest_find_shipped,
	.max_size = MANIFEST_MAX_SIZE, .root = "teams", .noun = "team file",
	.format = TEAM_FORMAT, .err = WG_ERR_TEAM,
};

static const char *const mode_names[] = { "SwitchIndependent", "Static", "Lacp" };
static const char *const alg_names[] = {
	"Dynamic", "TransportPorts", "IPAddresses", "MacAddresses", "HyperVPort",
};

const char *team_mode_name(enum team_mode mode)
{
	return mode_names[mode];
}

const char *team_algorithm_name(enum team_algorithm alg)
{
	return alg_names[alg];
}

const char *team_lacp_timer_name(enum team_lacp_timer timer)
{
	return timer == TEAM_LACP_FAST ? "Fast" : timer == TEAM_LACP_SLOW ? "Slow" : NULL;
}

/* ---- reading state and messages -------------------------------------------------- */

struct reader {
	const char *name;
	enum wg_err err;
};

static void fail(struct reader *rd, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct reader *rd, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mxml_report_at(rd->name, line, fmt, ap);
	va_end(ap);
	rd->err = WG_ERR_TEAM;
}

static unsigned attr_uint(xmlNode *n, const char *name, unsigned dflt)
{
	char *v = mxml_attr(n, name);
	if (!v)
		return dflt;
	unsigned long u = strtoul(v, NULL, 10);   /* the schema checked the digits */
	free(v);
	return u > 100000 ? 100000 : (unsigned)u;
}

static int attr_enum(xmlNode *n, const char *name, const char *const *names, size_t count,
		     int dflt)
{
	char *v = mxml_attr(n, name);
	int r = dflt;
	for (size_t i = 0; v && i < count; i++)
		if (!strcmp(v, names[i]))
			r = (int)i;
	free(v);
	return r;
}

/* ---- values ---------------------------------------------------------------------- */

/* The length in UTF-16 code units of valid UTF-8 s (libxml2 gives valid UTF-8). */
static size_t utf16_units(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			n++;
		if ((*p & 0xf8) == 0xf0)
			n++;   /* outside the BMP: a surrogate pair */
	}
	return n;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

bool team_valid_interface_name(const char *s, const char **why)
{
	size_t len = strlen(s);
	if (!len)
		*why = "it is empty";
	else if (utf16_units(s) > TEAM_NAME_MAX)
		*why = "it is longer than 256 characters";
	else if (has_control(s))
		*why = "it holds a control character (a line break, a tab, ...)";
	else if (strpbrk(s, "\\/:*?\"<>|"))
		*why = "Windows refuses \\ / : * ? \" < > | in an interface name";
	else if (s[0] == ' ' || s[len - 1] == ' ')
		*why = "it starts or ends with a space";
	else
		return true;
	return false;
}

/* A -like pattern: no control characters, every '[' closed (else -like throws). */
static bool valid_pattern(const char *s, const char **why)
{
	if (has_control(s)) {
		*why = "it holds a control character (a line break, a tab, ...)";
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '`' && p[1]) {
			p++;
			continue;
		}
		if (*p == '[') {
			const char *close = strchr(p + 1, ']');
			if (!close) {
				*why = "its '[' is not closed by ']' (write `[ for a bracket itself)";
				return false;
			}
			p = close;
		}
	}
	return true;
}

/* "00:15:5d:01:02:03" -> "00-15-5D-01-02-03"; "00-15-5D-*" a prefix. NULL when invalid. */
static char *parse_mac(const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char out[32];
	size_t o = 0, i = 0;
	unsigned octets = 0;
	char sep = 0;
	for (;;) {
		if (octets && octets < 6 && i + 1 == len && s[i] == '*') {
			memcpy(out + o, "*", 2);
			return xstrdup(out);
		}
		if (i + 2 > len || wg_hexval((unsigned char)s[i]) < 0 ||
		    wg_hexval((unsigned char)s[i + 1]) < 0)
			return NULL;
		if (octets)
			out[o++] = '-';
		out[o++] = hex[wg_hexval((unsigned char)s[i])];
		out[o++] = hex[wg_hexval((unsigned char)s[i + 1])];
		out[o] = '\0';
		octets++;
		i += 2;
		if (i == len)
			return octets == 6 ? xstrdup(out) : NULL;
		if (octets == 6 || (s[i] != '-' && s[i] != ':') || (sep && s[i] != sep))
			return NULL;
		sep = s[i++];
		if (octets < 6 && i < len && s[i] == '*')
			out[o++] = '-';
		if (i == len)
			return NULL;
	}
}

static void parse_macs(struct reader *rd, const char *list, unsigned line, struct strvec *out)
{
	const char *p = list;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, " ,\t\n\r");
		char *mac = parse_mac(p, n);
		if (!mac) {
			fail(rd, line, "'%.*s' is not a MAC address (like 00-15-5D-01-02-03) or a "
			     "prefix (like 00-15-5D-*)", (int)(n > 64 ? 64 : n), p);
			return;
		}
		sv_push_nodup(out, mac);
		p += n;
	}
	if (!out->n)
		fail(rd, line, "attribute 'mac' names no MAC address");
}

/* "3:0.0" -> "0:3:0.0" (the schema checked the shape). */
static char *normalize_pci(const char *s)
{
	int colons = 0;
	for (const char *p = s; *p; p++)
		colons += *p == ':';
	return colons == 1 ? xasprintf("0:%s", s) : xstrdup(s);
}

/* A name cut to 64 characters for a message (at a character boundary). */
static const char *shorten(const char *s, char buf[300])
{
	size_t i = 0, chars = 0;
	while (s[i] && chars < 64) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	snprintf(buf, 300, "%.*s%s", (int)i, s, s[i] ? "..." : "");
	return buf;
}

/* ---- the model ------------------------------------------------------------------- */

static void rule_release(struct team_rule *r)
{
	free(r->name);
	free(r->description);
	sv_clear(&r->macs);
	free(r->pci);
}

static void read_rule(struct reader *rd, xmlNode *n, struct team_rule *r)
{
	const char *why;
	r->line = mxml_line(n);
	r->name = mxml_attr(n, "name");
	r->description = mxml_attr(n, "description");
	r->pci = mxml_attr(n, "pci");
	char *mac = mxml_attr(n, "mac");
	const char *el = (const char *)n->name;
	if (!r->name && !r->description && !mac && !r->pci)
		fail(rd, r->line, "element '%s' needs at least one of the attributes name, "
		     "description, mac, pci", el);
	if (r->name && !valid_pattern(r->name, &why))
		fail(rd, r->line, "element '%s': attribute 'name' '%s': %s", el, r->name, why);
	if (r->description && !valid_pattern(r->description, &why))
		fail(rd, r->line, "element '%s': attribute 'description' '%s': %s", el,
		     r->description, why);
	if (mac)
		parse_macs(rd, mac, r->line, &r->macs);
	if (r->pci) {
		char *p = normalize_pci(r->pci);
		free(r->pci);
		r->pci = p;
	}
	free(mac);
}

static void read_members(struct reader *rd, xmlNode *n, struct team *t)
{
	t->min = attr_uint(n, "min", 1);
	t->max = attr_uint(n, "max", TEAM_MAX_MEMBERS);
	if (t->max > TEAM_MAX_MEMBERS)
		fail(rd, mxml_line(n), "team '%s': max=\"%u\": Windows allows at most %d members "
		     "in a team", t->name, t->max, TEAM_MAX_MEMBERS);
	else if (t->min > t->max)
		fail(rd, mxml_line(n), "team '%s': min=\"%u\" is more than max=\"%u\"", t->name,
		     t->min, t->max);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		t->rules = xrealloc(t->rules, (t->nrules + 1) * sizeof(*t->rules));
		memset(&t->rules[t->nrules], 0, sizeof(*t->rules));
		read_rule(rd, c, &t->rules[t->nrules++]);
	}
}

static void read_vlan(struct reader *rd, xmlNode *n, struct team *t)
{
	struct team_vlan *v;
	const char *why;
	t->vlans = xrealloc(t->vlans, (t->nvlans + 1) * sizeof(*t->vlans));
	v = &t->vlans[t->nvlans++];
	v->line = mxml_line(n);
	v->id = attr_uint(n, "id", 0);
	v->name = mxml_attr(n, "name");
	if (v->name && !team_valid_interface_name(v->name, &why))
		fail(rd, v->line, "team '%s': VLAN %u: '%s' is not a valid interface name: %s",
		     t->name, v->id, v->name, why);
	for (size_t i = 0; i + 1 < t->nvlans; i++)
		if (t->vlans[i].id == v->id)
			fail(rd, v->line, "team '%s': VLAN %u is declared twice (first on line %u)",
			     t->name, v->id, t->vlans[i].line);
	if (t->nvlans == TEAM_MAX_INTERFACES)
		fail(rd, v->line, "team '%s': %zu VLANs make %zu team interfaces with the team's "
		     "own; Windows allows at most %d", t->name, t->nvlans, t->nvlans + 1,
		     TEAM_MAX_INTERFACES);
}

static void read_team(struct reader *rd, xmlNode *n, struct team *t)
{
	const char *why;
	char shortbuf[300];
	t->line = mxml_line(n);
	t->name = mxml_attr(n, "name");
	if (!t->name)
		t->name = xstrdup("");
	if (!team_valid_interface_name(t->name, &why))
		fail(rd, t->line, "'%s' is not a valid team name: %s", shorten(t->name, shortbuf),
		     why);
	t->mode = (enum team_mode)attr_enum(n, "mode", mode_names, ARRAY_SIZE(mode_names), 0);
	t->algorithm = (enum team_algorithm)attr_enum(n, "algorithm", alg_names,
						      ARRAY_SIZE(alg_names), 0);
	static const char *const timers[] = { "", "Fast", "Slow" };
	t->lacp_timer = (enum team_lacp_timer)attr_enum(n, "lacp-timer", timers, 3, 0);
	if (t->lacp_timer != TEAM_LACP_TIMER_UNSET && t->mode != TEAM_LACP)
		fail(rd, t->line, "team '%s': lacp-timer is only allowed with mode=\"Lacp\", not "
		     "with mode=\"%s\"", t->name, mode_names[t->mode]);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(c->name, BAD_CAST "members")) {
			read_members(rd, c, t);
		} else if (!xmlStrcmp(c->name, BAD_CAST "standby") && t->standby) {
			fail(rd, mxml_line(c), "team '%s': a second standby member (the first is on "
			     "line %u); Windows allows one standby member in a team", t->name,
			     t->standby->line);
		} else if (!xmlStrcmp(c->name, BAD_CAST "standby")) {
			t->standby = xcalloc(1, sizeof(*t->standby));
			read_rule(rd, c, t->standby);
			if (t->mode != TEAM_SWITCH_INDEPENDENT)
				fail(rd, t->standby->line, "team '%s': a standby member is only "
				     "allowed with mode=\"SwitchIndependent\", not with mode=\"%s\"",
				     t->name, mode_names[t->mode]);
			else if (t->min < 2)
				fail(rd, t->standby->line, "team '%s': a standby member needs a team "
				     "of at least 2 members (set min=\"2\" on 'members')", t->name);
		} else if (!xmlStrcmp(c->name, BAD_CAST "vlan")) {
			read_vlan(rd, c, t);
		}
	}
}

/* Team and VLAN interface names are one namespace on the machine (case-insensitive). */
static void check_unique_names(struct reader *rd, struct team_file *tf)
{
	struct { const char *name; unsigned line; } *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < tf->nteams; i++) {
		struct team *t = &tf->teams[i];
		for (size_t j = 0; j <= t->nvlans; j++) {
			const char *name = j ? t->vlans[j - 1].name : t->name;
			unsigned line = j ? t->vlans[j - 1].line : t->line;
			if (!name || !*name)
				continue;
			for (size_t k = 0; k < n; k++)
				if (wg_streq_nocase(v[k].name, name)) {
					fail(rd, line, "interface name '%s' is used twice (first on "
					     "line %u)", name, v[k].line);
					break;
				}
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n].name = name;
			v[n++].line = line;
		}
	}
	free(v);
}

static struct team_file *build(struct reader *rd, xmlDoc *doc)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	struct team_file *tf = xcalloc(1, sizeof(*tf));
	tf->wait = attr_uint(root, "wait", TEAM_WAIT_DEFAULT);
	for (xmlNode *c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		tf->teams = xrealloc(tf->teams, (tf->nteams + 1) * sizeof(*tf->teams));
		memset(&tf->teams[tf->nteams], 0, sizeof(*tf->teams));
		read_team(rd, c, &tf->teams[tf->nteams++]);
	}
	check_unique_names(rd, tf);
	return tf;
}

void team_file_free(struct team_file *tf)
{
	if (!tf)
		return;
	for (size_t i = 0; i < tf->nteams; i++) {
		struct team *t = &tf->teams[i];
		free(t->name);
		for (size_t j = 0; j < t->nrules; j++)
			rule_release(&t->rules[j]);
		free(t->rules);
		if (t->standby)
			rule_release(t->standby);
		free(t->standby);
		for (size_t j = 0; j < t->nvlans; j++)
			free(t->vlans[j].name);
		free(t->vlans);
	}
	free(tf->teams);
	free(tf);
}

enum wg_err team_parse_buffer(const char *buf, size_t len, const char *name, struct team_file **out)
{
	struct reader rd = { .name = name, .err = WG_OK };
	xmlDoc *doc = NULL;
	*out = NULL;
	enum wg_err ret = mxml_read_kind(&team_kind, buf, len, name, &doc);
	if (ret)
		return ret;
	struct team_file *tf = build(&rd, doc);
	xmlFreeDoc(doc);
	if (rd.err) {
		team_file_free(tf);
		return rd.err;
	}
	*out = tf;
	return WG_OK;
}

enum wg_err team_parse_buffer_msg(const char *buf, size_t len, const char *name,
				  struct team_file **out, char **msg)
{
	struct strbuf sink = STRBUF_INIT;
	mxml_set_sink(&sink);
	enum wg_err ret = team_parse_buffer(buf, len, name, out);
	mxml_set_sink(NULL);
	*msg = sink.len ? sb_detach(&sink) : NULL;
	sb_release(&sink);
	return ret;
}

enum wg_err team_load(const char *path, struct team_file **out)
{
	unsigned char *data;
	size_t len;
	*out = NULL;
	enum wg_err ret = read_file(path, 1024 * 1024 + 1, &data, &len);
	if (ret)
		return ret == WG_ERR_NOMEM ? ret : WG_ERR_TEAM;
	ret = team_parse_buffer((const char *)data, len, path, out);
	free(data);
	return ret;
}
