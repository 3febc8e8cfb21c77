/*
 * manifest_xml.h - read a manifest's XML safely (no network, no entities, no
 * DOCTYPE) and validate it against the schema, reporting errors by file and line.
 */
#ifndef WIMGRAFT_MANIFEST_XML_H
#define WIMGRAFT_MANIFEST_XML_H

#include <stdarg.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "error.h"
#include "util.h"

/*
 * A kind of document (a manifest, a team file): its schema, root and noun. Read with
 * mxml_read_kind, it is validated against the schema; on success *doc is the tree
 * (xmlFreeDoc it). Every error is reported as "'name' line N: ..." and kind->err returned.
 */
struct mxml_kind {
	const char *schema_file;   /* the schema's file name, found with find_shipped */
	char *(*find_shipped)(const char *file);   /* a shipped file's path, or NULL */
	size_t max_size;           /* the largest document read */
	const char *root;          /* the root element's name */
	const char *noun;          /* "manifest", "team file": used in messages */
	unsigned format;           /* the newest format understood */
	enum wg_err err;           /* returned for an invalid document */
	void *schema;              /* the loaded schema, kept for the next read */
};
enum wg_err mxml_read_kind(struct mxml_kind *kind, const char *buf, size_t len, const char *name,
			   xmlDoc **doc);

/*
 * Report one manifest error: printed with wg_error, or, while a sink is set,
 * appended to it as a line (manifest_parse_buffer_msg, the fuzz target).
 */
void mxml_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mxml_set_sink(struct strbuf *sink);
/* mxml_report of "'name' line N: " and the formatted message (a reader's error at a line). */
void mxml_report_at(const char *name, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* An attribute's value, in no namespace (a new string), or NULL. */
char *mxml_attr(const xmlNode *n, const char *name);

/* Turn a libxml2 schema message into ours ("element 'x': attribute 'y' must be one of ..."). */
char *mxml_rephrase(const char *msg);

/* The line of a node (works past 65535 lines). */
unsigned mxml_line(const xmlNode *node);

#endif
