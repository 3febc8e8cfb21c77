/*
 * fuzz_undo.c - libFuzzer target for the undo record reader: any input is read without
 * crashing; a record it accepts names only safe paths (hives kept whole: known hives, their
 * originals in the backup folder), and is written back and read again to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hive.h"
#include "reg_change.h"
#include "reg_hives.h"
#include "reg_undo_json.h"
#include "undo.h"

static int safe(const char *p)
{
	if (!p || !*p || *p == '/' || strstr(p, "//") || strchr(p, '\\'))
		return 0;
	for (const char *c = p; *c;) {
		size_t l = strcspn(c, "/");
		if ((l == 1 && c[0] == '.') || (l == 2 && !strncmp(c, "..", 2)))
			return 0;
		c += l + (c[l] != 0);
	}
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wg_opt_quiet = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct undo_record u, back;
	if (undo_parse("'fuzz.json'", (const char *)data, size, &u) != WG_OK)
		return 0;
	for (size_t i = 0; i < u.nfiles; i++)
		if (!safe(u.files[i].path) || hive_is_hive_file(u.files[i].path) ||
		    (u.files[i].action == UNDO_REPLACED && !safe(u.files[i].backup)))
			abort();
	for (size_t i = 0; i < u.created_dirs.n; i++)
		if (!safe(u.created_dirs.v[i]))
			abort();
	/* a hive kept whole: one wimgraft edits, its original in the feature's backup folder */
	for (size_t i = 0; i < u.nhives; i++)
		if (!reg_hive_name(u.hives[i].name) || !safe(u.hives[i].backup) ||
		    hive_is_hive_file(u.hives[i].backup) ||
		    strncmp(u.hives[i].backup, "Windows/Logs/wimgraft/backup/", 29))
			abort();
	if (u.registry) {
		struct reg_changes changes = { 0 };
		reg_changes_from_json(u.registry, &changes);
		reg_changes_release(&changes);
	}
	char *text = undo_serialize(&u);
	if (undo_parse("'back.json'", text, strlen(text), &back) != WG_OK)
		abort();
	char *again = undo_serialize(&back);
	if (strcmp(text, again))
		abort();
	free(again);
	free(text);
	undo_release(&back);
	undo_release(&u);
	return 0;
}
