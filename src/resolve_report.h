/*
 * resolve_report.h - why a resolution is not complete, said the same way by every
 * command that resolves a manifest (check, apply, extract, verify).
 */
#ifndef WIMGRAFT_RESOLVE_REPORT_H
#define WIMGRAFT_RESOLVE_REPORT_H

#include "error.h"
#include "resolve.h"

/*
 * One error line per file that is missing, ambiguous or listed by no valid signing catalog
 * in r's image of the source named source; an informational line per optional file missing.
 */
void resolve_report_problems(const struct resolution *r, const char *source);

/*
 * The summary line of an incomplete resolution of the manifest at manifest_path and its
 * status: WG_ERR_UNSIGNED when only signatures are missing, WG_ERR_AMBIGUOUS when only
 * ambiguity, else WG_ERR_NOT_FOUND. WG_OK (and nothing said) for a complete one.
 */
enum wg_err resolve_report_summary(const struct resolution *r, const char *manifest_path);

#endif
