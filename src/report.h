/*
 * report.h - the one JSON document a command prints with --json: what was (or
 * would be) done, per target, and how it ended.
 */
#ifndef WIMGRAFT_REPORT_H
#define WIMGRAFT_REPORT_H

#include <string.h>

#include <json-c/json.h>

#include "options.h"
#include "target.h"

/* Add "target" (its display name) and, for a folder, "filesystem" (fsinfo_json) to o. */
void report_add_target(json_object *o, const struct target *t);
/* Print {"command","dry_run","ok","status","error","targets":[...]} and free targets. */
void report_print(const char *command, const struct wg_opts *opts, enum wg_err ret,
		  json_object *targets);

#endif
