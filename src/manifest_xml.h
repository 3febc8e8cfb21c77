/*
 * manifest_xml.h - read a manifest's XML safely (no network, no entities, no
 * DOCTYPE) and validate it against the schema, reporting errors by file and line.
 */
#ifndef WIMGRAFT_MANIFEST_XML_H
#define WIMGRAFT_MANIFEST_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "error.h"
#include "util.h"

/*
 * Parse buf as a manifest named name and validate it against the schema
 * (found with manifest_find_shipped). On success *doc is the tree (xmlFreeDoc
 * it). Every error is printed as "'name' line N: ..." and WG_ERR_MANIFEST returned.
 */
enum wg_err mxml_read(const char *buf, size_t len, const char *name, xmlDoc **doc);

/*
 * Report one manifest error: printed with wg_error, or, while a sink is set,
 * appended to it as a line (manifest_parse_buffer_msg, the fuzz target).
 */
void mxml_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mxml_set_sink(struct strbuf *sink);

/* Turn a libxml2 schema message into ours ("element 'x': attribute 'y' must be one of ..."). */
char *mxml_rephrase(const char *msg);

/* The line of a node (works past 65535 lines). */
unsigned mxml_line(const xmlNode *node);

#endif
