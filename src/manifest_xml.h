/*
 * manifest_xml.h - read a manifest's XML safely (no network, no entities, no
 * DOCTYPE) and validate it against the schema, reporting errors by file and line.
 */
#ifndef WIMGRAFT_MANIFEST_XML_H
#define WIMGRAFT_MANIFEST_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "error.h"

/*
 * Parse buf as a manifest named name and validate it against the schema
 * (found with manifest_find_shipped). On success *doc is the tree (xmlFreeDoc
 * it). Every error is printed as "'name' line N: ..." and WG_ERR_MANIFEST returned.
 */
enum wg_err mxml_read(const char *buf, size_t len, const char *name, xmlDoc **doc);

/* Turn a libxml2 schema message into ours ("element 'x': attribute 'y' must be one of ..."). */
char *mxml_rephrase(const char *msg);

/* The line of a node (works past 65535 lines). */
unsigned mxml_line(const xmlNode *node);

#endif
