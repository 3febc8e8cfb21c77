/*
 * subst.h - ${NAME} substitution in manifest strings: parameters and captured
 * path components. "$$" stands for one '$'; any other '$' is literal.
 */
#ifndef WIMGRAFT_SUBST_H
#define WIMGRAFT_SUBST_H

#include <stdbool.h>

/* Returns the value of name, or NULL when it is not defined. */
typedef const char *(*subst_lookup_fn)(void *ctx, const char *name);

enum subst_result {
	SUBST_OK,
	SUBST_SYNTAX,     /* "${" without "}" or a bad name; *bad holds the offending text */
	SUBST_UNDEFINED,  /* lookup returned NULL; *bad holds the name */
};

/*
 * Expand tmpl. On success *out is a new string. On failure *bad (a new string)
 * names what is wrong and *out is NULL.
 */
enum subst_result subst_expand(const char *tmpl, subst_lookup_fn lookup, void *ctx,
			       char **out, char **bad);

/* Does tmpl reference any ${...}? */
bool subst_has_refs(const char *tmpl);

/* Call fn for each ${name} in tmpl (names only; syntax errors are skipped). */
void subst_each_ref(const char *tmpl, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
