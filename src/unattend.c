/*
 * unattend.c - find, add and remove a specialize-pass RunSynchronousCommand in an answer
 * file through libxml2's tree, touching no other node, namespace declaration or Order.
 */
#include "unattend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

static const char empty_file[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<unattend xmlns=\"" UNATTEND_NS "\" xmlns:wcm=\"" UNATTEND_WCM_NS "\">\n"
	"</unattend>\n";

static bool is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, UNATTEND_NS) &&
	       !strcmp((const char *)n->name, name);
}

static bool attr_is(const xmlNode *n, const char *name, const char *value)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	bool eq = v && !strcasecmp((const char *)v, value);
	xmlFree(v);
	return eq;
}

static xmlNode *child_el(const xmlNode *parent, const char *name, const char *attr,
			 const char *value, const char *attr2, const char *value2)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (is_el(c, name) && (!attr || attr_is(c, attr, value)) &&
		    (!attr2 || attr_is(c, attr2, value2)))
			return c;
	return NULL;
}

static enum wg_err parse(const char *text, size_t len, const char *display, xmlDoc **out)
{
	xmlResetLastError();
	xmlDoc *doc = xmlReadMemory(text, (int)len, NULL, NULL, XML_PARSE_NONET |
				    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		char msg[256] = "not well-formed XML";
		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			msg[strcspn(msg, "\r\n")] = '\0';
			if (msg[0] >= 'A' && msg[0] <= 'Z' && msg[1] >= 'a' && msg[1] <= 'z')
				msg[0] = (char)(msg[0] - 'A' + 'a');
		}
		if (!len)
			wg_error("%s is empty", display);
		else
			wg_error("%s line %d: %s", display, e ? e->line : 0, msg);
		return WG_ERR_ANSWER_FILE;
	}
	const xmlNode *root = xmlDocGetRootElement(doc);
	const char *why = NULL;
	if (doc->intSubset)
		why = "holds a DOCTYPE, which answer files never do";
	else if (!root || !is_el(root, "unattend"))
		why = "is not an answer file (the root is not <unattend> in " UNATTEND_NS ")";
	if (why) {
		wg_error("%s %s", display, why);
		xmlFreeDoc(doc);
		return WG_ERR_ANSWER_FILE;
	}
	*out = doc;
	return WG_OK;
}

/* The specialize pass's RunSynchronous element, made (with its parents) when create is set. */
static xmlNode *run_synchronous(xmlDoc *doc, bool create);

static xmlChar *path_of(const xmlNode *cmd)
{
	for (xmlNode *c = cmd->children; c; c = c->next)
		if (is_el(c, "Path"))
			return xmlNodeGetContent(c);
	return NULL;
}

static xmlNode *find_command(xmlNode *rs, const char *command)
{
	for (xmlNode *c = rs ? rs->children : NULL; c; c = c->next) {
		if (!is_el(c, "RunSynchronousCommand"))
			continue;
		xmlChar *p = path_of(c);
		bool eq = p && !strcmp((const char *)p, command);
		xmlFree(p);
		if (eq)
			return c;
	}
	return NULL;
}

static long next_order(const xmlNode *rs)
{
	long max = 0;
	for (xmlNode *c = rs->children; c; c = c->next) {
		if (!is_el(c, "RunSynchronousCommand"))
			continue;
		for (xmlNode *o = c->children; o; o = o->next) {
			if (!is_el(o, "Order"))
				continue;
			xmlChar *t = xmlNodeGetContent(o);
			long v = t ? strtol((const char *)t, NULL, 10) : 0;
			xmlFree(t);
			if (v > max)
				max = v;
		}
	}
	return max + 1;
}

/* The white space before the last element child of parent, or a guess from depth. */
static char *indent_of(const xmlNode *parent, int depth)
{
	for (const xmlNode *c = parent->last; c; c = c->prev) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->prev && c->prev->type == XML_TEXT_NODE && c->prev->content &&
		    !((const char *)c->prev->content)[strspn((const char *)c->prev->content,
							     " \t\r\n")])
			return xstrdup((const char *)c->prev->content);
		break;
	}
	char *s = xmalloc((size_t)depth * 2 + 2);
	s[0] = '\n';
	memset(s + 1, ' ', (size_t)depth * 2);
	s[depth * 2 + 1] = '\0';
	return s;
}

/*
 * Append node as the last element child of parent, with the indentation its
 * siblings have; the white space closing parent stays after it.
 */
static void append_pretty(xmlNode *parent, xmlNode *node, int depth)
{
	char *ind = indent_of(parent, depth);
	xmlNode *last = NULL;
	for (xmlNode *c = parent->last; c && !last; c = c->prev)
		if (c->type == XML_ELEMENT_NODE)
			last = c;
	xmlNode *ws = xmlNewText(BAD_CAST ind);
	if (last) {
		xmlAddNextSibling(last, ws);
		xmlAddNextSibling(ws, node);
	} else {
		/* an empty parent: indent, node, and the parent's closing indentation */
		xmlNode *close = xmlNewText(BAD_CAST "\n");
		char *cl = xasprintf("\n%*s", (depth - 1) * 2, "");
		xmlNodeSetContent(close, BAD_CAST cl);
		free(cl);
		for (xmlNode *c = parent->children; c;) {
			xmlNode *next = c->next;
			if (c->type == XML_TEXT_NODE) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
			c = next;
		}
		xmlAddChild(parent, ws);
		xmlAddChild(parent, node);
		xmlAddChild(parent, close);
	}
	free(ind);
}

static xmlNode *new_el(xmlNode *parent, const char *name)
{
	return xmlNewDocNode(parent->doc, parent->ns, BAD_CAST name, NULL);
}

static xmlNode *run_synchronous(xmlDoc *doc, bool create)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *settings = child_el(root, "settings", "pass", "specialize", NULL, NULL);
	if (!settings && !create)
		return NULL;
	if (!settings) {
		settings = new_el(root, "settings");
		xmlSetProp(settings, BAD_CAST "pass", BAD_CAST "specialize");
		append_pretty(root, settings, 1);
	}
	xmlNode *comp = child_el(settings, "component", "name", "Microsoft-Windows-Deployment",
				 "processorArchitecture", "amd64");
	if (!comp && !create)
		return NULL;
	if (!comp) {
		comp = new_el(settings, "component");
		xmlSetProp(comp, BAD_CAST "name", BAD_CAST "Microsoft-Windows-Deployment");
		xmlSetProp(comp, BAD_CAST "processorArchitecture", BAD_CAST "amd64");
		xmlSetProp(comp, BAD_CAST "publicKeyToken", BAD_CAST "31bf3856ad364e35");
		xmlSetProp(comp, BAD_CAST "language", BAD_CAST "neutral");
		xmlSetProp(comp, BAD_CAST "versionScope", BAD_CAST "nonSxS");
		append_pretty(settings, comp, 2);
	}
	xmlNode *rs = child_el(comp, "RunSynchronous", NULL, NULL, NULL, NULL);
	if (!rs && create) {
		rs = new_el(comp, "RunSynchronous");
		append_pretty(comp, rs, 3);
	}
	return rs;
}

static void dump(xmlDoc *doc, struct strbuf *out)
{
	xmlChar *mem = NULL;
	int size = 0;
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	sb_add(out, mem, (size_t)size);
	xmlFree(mem);
}

static void add_text_child(xmlNode *parent, const char *name, const char *text, int depth)
{
	xmlNode *n = new_el(parent, name);
	xmlNodeAddContent(n, BAD_CAST text);
	append_pretty(parent, n, depth);
}

enum wg_err unattend_add(const char *text, size_t len, const char *display, const char *command,
			 const char *description, struct strbuf *out, bool *changed)
{
	xmlDoc *doc;
	*changed = false;
	enum wg_err err = text ? parse(text, len, display, &doc)
			       : parse(empty_file, sizeof(empty_file) - 1, display, &doc);
	if (err)
		return err;
	xmlNode *rs = run_synchronous(doc, false);
	if (rs && find_command(rs, command)) {
		sb_add(out, text, len);
		xmlFreeDoc(doc);
		return WG_OK;
	}
	rs = run_synchronous(doc, true);
	char order[32];
	snprintf(order, sizeof(order), "%ld", next_order(rs));
	xmlNode *cmd = new_el(rs, "RunSynchronousCommand");
	xmlNs *wcm = xmlSearchNsByHref(doc, rs, BAD_CAST UNATTEND_WCM_NS);
	if (!wcm)
		wcm = xmlNewNs(cmd, BAD_CAST UNATTEND_WCM_NS, BAD_CAST "wcm");
	xmlSetNsProp(cmd, wcm, BAD_CAST "action", BAD_CAST "add");
	append_pretty(rs, cmd, 4);
	add_text_child(cmd, "Order", order, 5);
	add_text_child(cmd, "Path", command, 5);
	if (description)
		add_text_child(cmd, "Description", description, 5);
	dump(doc, out);
	xmlFreeDoc(doc);
	*changed = true;
	return WG_OK;
}

enum wg_err unattend_remove(const char *text, size_t len, const char *display,
			    const char *command, struct strbuf *out, bool *found)
{
	xmlDoc *doc;
	*found = false;
	enum wg_err err = parse(text, len, display, &doc);
	if (err)
		return err;
	xmlNode *cmd = find_command(run_synchronous(doc, false), command);
	if (!cmd) {
		sb_add(out, text, len);
		xmlFreeDoc(doc);
		return WG_OK;
	}
	xmlNode *ws = cmd->prev;
	if (ws && ws->type == XML_TEXT_NODE && ws->content &&
	    !((const char *)ws->content)[strspn((const char *)ws->content, " \t\r\n")]) {
		xmlUnlinkNode(ws);
		xmlFreeNode(ws);
	}
	xmlUnlinkNode(cmd);
	xmlFreeNode(cmd);
	dump(doc, out);
	xmlFreeDoc(doc);
	*found = true;
	return WG_OK;
}

enum wg_err unattend_has(const char *text, size_t len, const char *display, const char *command,
			 bool *has)
{
	xmlDoc *doc;
	enum wg_err err = parse(text, len, display, &doc);
	if (err)
		return err;
	*has = find_command(run_synchronous(doc, false), command) != NULL;
	xmlFreeDoc(doc);
	return WG_OK;
}
