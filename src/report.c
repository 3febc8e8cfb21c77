/*
 * report.c - print a command's --json document with json-c: its targets' plans
 * or results, the exit status and the error code's meaning.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

#include "fsinfo.h"

void report_add_target(json_object *o, const struct target *t)
{
	json_object_object_add(o, "target", json_object_new_string(t->display));
	if (t->fs)
		json_object_object_add(o, "filesystem", fsinfo_json(t->fs));
}

json_object *report_new_document(const char *name)
{
	json_object *o = json_object_new_object();
	char *id = xasprintf(REPORT_SCHEMA_PREFIX "%s", name);
	json_object_object_add(o, "schema", json_object_new_string(id));
	json_object_object_add(o, "format", json_object_new_int(REPORT_FORMAT));
	free(id);
	return o;
}

void report_print(const char *command, const struct wg_opts *opts, enum wg_err ret,
		  json_object *targets)
{
	json_object *o = report_new_document(command);
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "dry_run", json_object_new_boolean(opts->dry_run));
	json_object_object_add(o, "ok", json_object_new_boolean(ret == WG_OK));
	json_object_object_add(o, "exit_status", json_object_new_int(wg_exit_status(ret)));
	if (ret)
		json_object_object_add(o, "error", json_object_new_string(wg_strerror(ret)));
	json_object_object_add(o, "targets", targets);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
