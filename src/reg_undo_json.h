/*
 * reg_undo_json.h - the registry half of the undo record: change lists as JSON
 * (the undo record, --json output) and back.
 */
#ifndef WIMGRAFT_REG_UNDO_JSON_H
#define WIMGRAFT_REG_UNDO_JSON_H

#include <json-c/json.h>

#include "error.h"
#include "reg_change.h"

struct json_object *reg_changes_to_json(const struct reg_changes *c);
/* Parse a list written by reg_changes_to_json; WG_ERR_UNDO (message printed) when invalid. */
enum wg_err reg_changes_from_json(struct json_object *j, struct reg_changes *out);

#endif
