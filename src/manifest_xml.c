/*
 * manifest_xml.c - parse a manifest with libxml2 (no network, no entity
 * expansion, DOCTYPE refused), validate it against the XSD, and rephrase errors.
 */
#include "manifest_xml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "util.h"

#define MAX_REPORTED 20

struct collected {
	const char *name;
	unsigned doctype_line;    /* where a DOCTYPE was met (parsing stopped there) */
	bool have_first;
	unsigned first_line;
	char *first_msg;          /* the first parser error */
	unsigned reported;        /* schema errors printed */
	unsigned last_line;
	bool last_was_facet;
};

static struct strbuf *report_sink;
/* the kind of document being read: the root element named in messages */
static const char *current_root = "feature";

void mxml_set_sink(struct strbuf *sink)
{
	report_sink = sink;
}

void mxml_report(const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* one line, whatever the manifest's text held */
	struct strbuf line = STRBUF_INIT;
	sb_addstr(&line, "");
	for (const char *c = msg ? msg : "error"; *c; c++) {
		if (*c == '\n')
			sb_addstr(&line, "\\n");
		else if (*c == '\r')
			sb_addstr(&line, "\\r");
		else if ((unsigned char)*c < 0x20 || *c == 0x7f)
			sb_addch(&line, ' ');
		else
			sb_addch(&line, *c);
	}
	if (report_sink) {
		sb_addstr(report_sink, line.buf);
		sb_addch(report_sink, '\n');
	} else {
		wg_error("%s", line.buf);
	}
	sb_release(&line);
	free(msg);
}

void mxml_report_at(const char *name, unsigned line, const char *fmt, va_list ap)
{
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	mxml_report("'%s' line %u: %s", name, line, msg ? msg : "error");
	free(msg);
}

char *mxml_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

unsigned mxml_line(const xmlNode *node)
{
	long l = xmlGetLineNo(node);
	return l > 0 ? (unsigned)l : 0;
}

static char *strip_message(const char *msg)
{
	char *s = xstrdup(msg ? msg : "");
	char *nl = strchr(s, '\n');
	if (nl && nl[1])
		*nl = '\0';  /* libxml2 adds detail lines ("Bytes: 0xE9 ...") */
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char)(s[0] + 32);
	return s;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* Copy the text between the first quote pair at or after p; *after points past it. */
static char *quoted(const char *p, const char **after)
{
	const char *a = strchr(p, '\'');
	if (!a)
		return NULL;
	const char *b = strchr(a + 1, '\'');
	if (!b)
		return NULL;
	if (after)
		*after = b + 1;
	return xstrndup(a + 1, (size_t)(b - a - 1));
}

static const char *type_description(const char *t)
{
	if (!strcmp(t, "xs:boolean"))
		return "true or false";
	if (!strcmp(t, "build") || !strcmp(t, "xs:unsignedInt") || !strncmp(t, "xs:", 3))
		return "a whole number";
	if (!strcmp(t, "identifier"))
		return "a name (letters, digits, '_', '.' and '-', starting with a letter or '_')";
	return NULL;
}

/* "{'A', 'B'}" -> "A, B" */
static char *set_list(const char *p)
{
	struct strbuf sb = STRBUF_INIT;
	const char *open = strchr(p, '{');
	const char *close = open ? strchr(open, '}') : NULL;
	if (!open || !close)
		return NULL;
	for (const char *s = open + 1; s < close; s++)
		if (*s != '\'')
			sb_addch(&sb, *s);
	return sb_detach(&sb);
}

/* The list inside "( ... )" from o, trimmed (a new string), or NULL without both parentheses. */
static char *paren_list(const char *o)
{
	const char *c = o ? strchr(o, ')') : NULL;
	if (!o || !c)
		return NULL;
	const char *t = o + 1;
	while (*t == ' ')
		t++;
	size_t n = c > t ? (size_t)(c - t) : 0;
	while (n && t[n - 1] == ' ')
		n--;
	return xstrndup(t, n);
}

/* A value refused by a facet or a type; false when body is no such message. */
static bool rephrase_value(const char *body, const char *subj, const char *what,
			   struct strbuf *sb)
{
	const char *rest;
	char *v1 = NULL, *v2 = NULL;
	bool done = true;
	if (starts(body, "[facet 'enumeration']") && (v1 = quoted(body + 21, &rest))) {
		char *set = set_list(rest);
		sb_addf(sb, "%s%s must be one of %s, not '%s'", subj, what,
			set ? set : "the listed values", v1);
		free(set);
	} else if (starts(body, "[facet 'pattern']") && (v1 = quoted(body + 17, &rest)) &&
		   (v2 = quoted(rest, NULL))) {
		if (!strcmp(v2, "[A-Za-z_][A-Za-z0-9_.\\-]{0,63}"))
			sb_addf(sb, "%s%s: '%s' is not a valid name (letters, digits, '_', '.' and '-', "
				"starting with a letter or '_', at most 64)", subj, what, v1);
		else
			sb_addf(sb, "%s%s: '%s' does not match the pattern '%s'", subj, what, v1, v2);
	} else if (starts(body, "[facet 'minLength']")) {
		sb_addf(sb, "%s%s must not be empty", subj, what);
	} else if (starts(body, "[facet 'maxLength']")) {
		const char *lim = strstr(body, "maximum length of ");
		v2 = lim ? quoted(lim, NULL) : NULL;
		sb_addf(sb, "%s%s is too long (at most %s characters)", subj, what,
			v2 ? v2 : "the allowed number of");
	} else if (starts(body, "[facet 'maxInclusive']") ||
		   starts(body, "[facet 'minInclusive']")) {
		bool max = body[9] == 'a';   /* "[facet 'maxInclusive']" */
		const char *lim = strstr(body, "allowed (");
		v2 = lim ? quoted(lim, NULL) : NULL;
		sb_addf(sb, "%s%s must be at %s %s", subj, what, max ? "most" : "least",
			v2 ? v2 : "the allowed limit");
	} else if (body[0] == '\'' && strstr(body, "' is not a valid value of the ") &&
		   (v1 = quoted(body, &rest))) {
		v2 = quoted(rest, NULL);
		const char *d = v2 ? type_description(v2) : NULL;
		if (d)
			sb_addf(sb, "%s%s: '%s' is not %s", subj, what, v1, d);
		else
			sb_addf(sb, "%s%s: '%s' is not a valid %s", subj, what, v1, v2 ? v2 : "value");
	} else {
		done = false;
	}
	free(v1);
	free(v2);
	return done;
}

/* A misplaced, missing or repeated element or attribute; false when body is no such message. */
static bool rephrase_structure(const char *body, const char *subj, const char *elem,
			       struct strbuf *sb)
{
	const char *rest;
	char *v1 = NULL, *v2 = NULL;
	bool done = true;
	if (starts(body, "the attribute '") && strstr(body, "is required but missing")) {
		v1 = quoted(body, NULL);
		sb_addf(sb, "%sattribute '%s' is required", subj, v1);
	} else if (starts(body, "the attribute '") && strstr(body, "is not allowed")) {
		v1 = quoted(body, NULL);
		sb_addf(sb, "%sattribute '%s' is not allowed here", subj, v1);
	} else if (starts(body, "this element is not expected")) {
		const char *exp = strcasestr(body, "expected is");
		char *t = exp ? paren_list(strchr(exp, '(')) : NULL;
		sb_addf(sb, "element '%s' is not expected here", elem ? elem : "?");
		if (t)
			sb_addf(sb, "; expected %s%s", strchr(t, ',') ? "one of " : "", t);
		free(t);
	} else if (starts(body, "missing child element(s)")) {
		const char *o = strchr(body, '(');
		char *t = paren_list(o ? strchr(o + 1, '(') : NULL);
		sb_addf(sb, "%sa child element is missing%s%s%s", subj, t ? "; expected " : "",
			t && strchr(t, ',') ? "one of " : "", t ? t : "");
		free(t);
	} else if (starts(body, "duplicate key-sequence [") && (v1 = quoted(body, &rest)) &&
		   (v2 = quoted(rest, NULL))) {
		const char *what2 = !strcmp(v2, "capture-name") ? "capture name" :
				    !strcmp(v2, "parameter-name") ? "parameter name" :
				    !strcmp(v2, "file-id") ? "file id" :
				    !strcmp(v2, "hive-name") ? "hive" : v2;
		sb_addf(sb, "%s%s '%s' is declared twice", subj, what2, v1);
	} else if (starts(body, "no match found for key-sequence [") &&
		   (v1 = quoted(body, NULL))) {
		sb_addf(sb, "%sattribute 'file': no file entry has the id '%s'", subj, v1);
	} else if (starts(body, "character content other than whitespace is not allowed")) {
		sb_addf(sb, "%stext is not allowed here, only elements", subj);
	} else if (starts(body, "element content is not allowed")) {
		sb_addf(sb, "%sonly text is allowed here, not elements", subj);
	} else if (starts(body, "no matching global declaration available")) {
		sb_addf(sb, "%sthe root element must be '%s'", subj, current_root);
	} else {
		done = false;
	}
	free(v1);
	free(v2);
	return done;
}

char *mxml_rephrase(const char *raw)
{
	char *msg = strip_message(raw);
	struct strbuf sb = STRBUF_INIT;
	char *elem = NULL, *attr = NULL;
	const char *body = msg, *rest;

	/* "element 'E'(, attribute 'A')?: BODY" */
	if (!strncmp(msg, "element '", 9) && (elem = quoted(msg, &rest))) {
		body = rest;
		if (starts(body, ", attribute '") && (attr = quoted(body, &rest)))
			body = rest;
		if (starts(body, ": "))
			body += 2;
	}
	struct strbuf subj = STRBUF_INIT;
	sb_addstr(&subj, "");
	if (elem)
		sb_addf(&subj, "element '%s': ", elem);
	char whatbuf[300];
	if (attr)
		snprintf(whatbuf, sizeof(whatbuf), "attribute '%.256s'", attr);
	else
		snprintf(whatbuf, sizeof(whatbuf), "its text");

	if (!rephrase_value(body, subj.buf, whatbuf, &sb) &&
	    !rephrase_structure(body, subj.buf, elem, &sb)) {
		sb_addstr(&sb, subj.buf);
		char *b = strip_message(body);
		sb_addstr(&sb, b);
		free(b);
	}
	sb_release(&subj);
	free(elem);
	free(attr);
	free(msg);
	return sb_detach(&sb);
}

static void on_parse_error(void *ctx, xmlErrorPtr err)
{
	struct collected *c = ctx;
	if (!err || err->level == XML_ERR_WARNING || c->have_first)
		return;
	c->have_first = true;
	c->first_line = err->line > 0 ? (unsigned)err->line : 0;
	c->first_msg = strip_message(err->message);
}

static void on_schema_error(void *ctx, xmlErrorPtr err)
{
	struct collected *c = ctx;
	if (!err || err->level == XML_ERR_WARNING || !err->message)
		return;
	/* libxml2's follow-ups that repeat an error already reported */
	if (strstr(err->message, "No precomputed value available"))
		return;
	unsigned line = err->line > 0 ? (unsigned)err->line : 0;
	if (err->node && !line)
		line = mxml_line((const xmlNode *)err->node);
	bool facet = strstr(err->message, "[facet '") != NULL;
	if (!facet && c->last_was_facet && line == c->last_line &&
	    strstr(err->message, "is not a valid value of the"))
		return;
	c->last_line = line;
	c->last_was_facet = facet;
	c->reported++;
	if (c->reported > MAX_REPORTED) {
		if (c->reported == MAX_REPORTED + 1)
			mxml_report("'%s': more errors not shown", c->name);
		return;
	}
	char *m = mxml_rephrase(err->message);
	mxml_report("'%s' line %u: %s", c->name, line, m);
	free(m);
}

static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
			       const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	xmlParserCtxtPtr ctxt = ctx;
	struct collected *c = ctxt->_private;
	if (!c->doctype_line)
		c->doctype_line = (unsigned)xmlSAX2GetLineNumber(ctx);
	if (!c->doctype_line)
		c->doctype_line = 1;
	xmlStopParser(ctxt);
}

static xmlParserInputPtr no_external_entities(const char *url, const char *id,
					      xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static xmlSchemaPtr load_schema(struct mxml_kind *k)
{
	if (k->schema)
		return k->schema;
	char *path = k->find_shipped(k->schema_file);
	if (!path) {
		mxml_report("cannot find the %s schema '%s' (set WIMGRAFT_MANIFEST_DIR to the "
			 "folder that holds it)", k->noun, k->schema_file);
		return NULL;
	}
	struct collected c = { .name = path };
	xmlSetStructuredErrorFunc(&c, on_parse_error);
	xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(path);
	if (pctx) {
		xmlSchemaSetParserStructuredErrors(pctx, on_parse_error, &c);
		k->schema = xmlSchemaParse(pctx);
		xmlSchemaFreeParserCtxt(pctx);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!k->schema)
		mxml_report("cannot load the %s schema '%s'%s%s", k->noun, path,
			 c.first_msg ? ": " : "", c.first_msg ? c.first_msg : "");
	free(c.first_msg);
	free(path);
	return k->schema;
}

/* The format attribute of the root, checked before the schema so that a newer
 * manifest says it is newer rather than listing unknown elements. */
static enum wg_err check_format(const struct mxml_kind *k, xmlDoc *doc, const char *name)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST k->root))
		return WG_OK;
	xmlChar *f = xmlGetNoNsProp(root, BAD_CAST "format");
	if (!f)
		return WG_OK;
	char *end;
	unsigned long v = strtoul((const char *)f, &end, 10);
	enum wg_err ret = WG_OK;
	if (*end == '\0' && end != (char *)f && v > k->format) {
		mxml_report("'%s' line %u: %s format %lu is newer than this wimgraft understands "
			 "(%u); upgrade wimgraft", name, mxml_line(root), k->noun, v, k->format);
		ret = k->err;
	}
	xmlFree(f);
	return ret;
}

enum wg_err mxml_read_kind(struct mxml_kind *k, const char *buf, size_t len, const char *name,
			   xmlDoc **out)
{
	enum wg_err ret = k->err;
	struct collected c = { .name = name };
	xmlDoc *doc = NULL;
	*out = NULL;

	xmlInitParser();
	if (len > k->max_size || len > (size_t)INT32_MAX) {
		mxml_report("'%s': %s is larger than %zu bytes", name, k->noun, k->max_size);
		return k->err;
	}
	current_root = k->root;
	xmlSchemaPtr schema = load_schema(k);
	if (!schema)
		return WG_ERR_INTERNAL;  /* an installation problem, not the manifest's */

	xmlExternalEntityLoader old_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(no_external_entities);
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetStructuredErrorFunc(&c, on_parse_error);
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		mxml_report("'%s': out of memory", name);
		ret = WG_ERR_NOMEM;
		goto out_restore;
	}
	ctxt->_private = &c;
	ctxt->sax->internalSubset = on_internal_subset;
	ctxt->sax->externalSubset = NULL;
	/* No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no network. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES |
				XML_PARSE_NOWARNING);
	if (c.doctype_line) {
		mxml_report("'%s' line %u: a DOCTYPE is not allowed in a %s (entities and DTDs "
			 "are not supported)", name, c.doctype_line, k->noun);
		goto out_free;
	}
	if (!doc || !ctxt->wellFormed || c.have_first) {
		if (c.have_first)
			mxml_report("'%s' line %u: malformed XML: %s", name, c.first_line, c.first_msg);
		else
			mxml_report("'%s': malformed XML", name);
		goto out_free;
	}
	if (doc->intSubset || doc->extSubset) {
		mxml_report("'%s' line 1: a DOCTYPE is not allowed in a %s", name, k->noun);
		goto out_free;
	}
	if ((ret = check_format(k, doc, name)) != WG_OK)
		goto out_free;

	xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(schema);
	if (!vctx) {
		mxml_report("'%s': out of memory", name);
		ret = WG_ERR_NOMEM;
		goto out_free;
	}
	xmlSchemaSetValidStructuredErrors(vctx, on_schema_error, &c);
	int v = xmlSchemaValidateDoc(vctx, doc);
	xmlSchemaFreeValidCtxt(vctx);
	if (v != 0) {
		if (!c.reported)
			mxml_report("'%s': the %s does not match the schema", name, k->noun);
		ret = k->err;
		goto out_free;
	}
	*out = doc;
	doc = NULL;
	ret = WG_OK;
out_free:
	if (doc)
		xmlFreeDoc(doc);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
out_restore:
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlSetExternalEntityLoader(old_loader);
	free(c.first_msg);
	return ret;
}
