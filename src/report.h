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
/*
 * The --json documents' contract (README, "The JSON contract"): each one names its schema,
 * doc/json/<name>.schema.json, and the format number, raised only by an incompatible change.
 */
#define REPORT_SCHEMA_PREFIX "urn:wimgraft:json:"
#define REPORT_FORMAT 1

/* A new document {"schema": "urn:wimgraft:json:<name>", "format": 1} to add fields to. */
json_object *report_new_document(const char *name);

/* Print {"command","dry_run","ok","status","error","targets":[...]} and free targets. */
void report_print(const char *command, const struct wg_opts *opts, enum wg_err ret,
		  json_object *targets);

#endif
