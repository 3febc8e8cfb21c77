/*
 * firstboot.h - the manifest's first-boot commands as one marked block of
 * Windows/Setup/Scripts/SetupComplete.cmd: added once, kept apart from the rest, removable.
 */
#ifndef WIMGRAFT_FIRSTBOOT_H
#define WIMGRAFT_FIRSTBOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define FIRSTBOOT_SCRIPT "Windows/Setup/Scripts/SetupComplete.cmd"

/*
 * The script text with feature's block holding commands (CRLF lines), replacing
 * an existing block of that feature in place, else appended; everything else kept
 * byte for byte. text may be NULL (no script yet). *lead (optional) gets what was
 * put before a new block: "", a line break for a last line without one, or
 * "@echo off" and a line break for an empty script; remove takes it out again.
 */
void firstboot_add(const char *text, size_t len, const char *feature,
		   const struct strvec *commands, struct strbuf *out, const char **lead);
/*
 * The script without feature's block, and without lead when it stands right
 * before the block; *found says whether there was one.
 */
void firstboot_remove(const char *text, size_t len, const char *feature, const char *lead,
		      struct strbuf *out, bool *found);
/* Is the script (or only white space) left empty once the block is gone? */
bool firstboot_is_blank(const char *text, size_t len);

#endif
