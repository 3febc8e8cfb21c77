/*
 * manifest_loader.h - what the files that build the manifest model share (not for the rest:
 * manifest.h is the model's interface): the loader's state and messages, XML helpers, checks.
 */
#ifndef WIMGRAFT_MANIFEST_LOADER_H
#define WIMGRAFT_MANIFEST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <libxml/tree.h>

#include "manifest.h"
#include "manifest_xml.h"

struct loader {
	struct manifest *m;
	const char *name;
	enum wg_err err;
	unsigned params_line;     /* <parameters>, or the root: where -D errors point */
};

/* Report "'NAME' line N: ..." and remember the manifest is invalid. */
void ld_fail(struct loader *ld, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- XML ---- */
bool ld_is_elem(const xmlNode *n, const char *name);
/* An xs:boolean attribute: "true" or "1". */
bool ld_attr_bool(const xmlNode *n, const char *name);
/* The element's own text (text and CDATA children, not its child elements'). */
char *ld_own_text(const xmlNode *n);
/* Runs of white space made one space, none at either end. */
char *ld_collapse_ws(const char *s);
bool ld_blank(const char *s);
/* Grow v (n elements of size) to hold n + 1, zeroing the new one. */
void *ld_grow(void *v, size_t n, size_t size);

/* ---- the model being built ---- */
/* The capture named name (a file's or an INF component's), or NULL. */
const char *ld_find_capture(const struct manifest *m, const char *name);
/* The file entry with that id, or -1. */
ssize_t ld_file_index(const struct manifest *m, const char *id);
/*
 * Trial-expand tmpl (captures: ${capture} allowed; image_params: ${param} whose value
 * comes from the image allowed); reports a problem and returns NULL, else the expansion.
 */
char *ld_check_refs(struct loader *ld, unsigned line, const char *what, const char *tmpl,
		    bool captures, bool image_params);

/* ---- paths ---- */
void ld_to_slashes(char *s);
/*
 * Why a relative image path is unsafe or malformed, or NULL when it is fine.
 * wildcards: '*' and '?' allowed; folder: a trailing '/' allowed.
 */
const char *ld_path_problem(const char *p, bool wildcards, bool folder);

/* ---- manifest_reg.c ---- */
/* <registry>: its hives, keys, values, INF components and imports (read by ld_imports). */
void ld_registry(struct loader *ld, const xmlNode *node);
/* Read every imported .reg file, once the manifest is otherwise valid. */
void ld_imports(struct loader *ld);

#endif
