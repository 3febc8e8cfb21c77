/*
 * team_script.h - the first-boot PowerShell script that makes a team file's NIC teams:
 * a fixed body, and the file's values as data, each a single-quoted literal.
 */
#ifndef WIMGRAFT_TEAM_SCRIPT_H
#define WIMGRAFT_TEAM_SCRIPT_H

#include "team.h"
#include "util.h"

/* Where the script lives in an image; wimgraft-lbfo.cmd runs it when it is there. */
#define TEAM_SCRIPT_PATH "Windows/Setup/Scripts/wimgraft-teams.ps1"

/* The script for tf: UTF-8 with a BOM (Windows PowerShell reads it as UTF-8 then), CRLF lines. */
void team_script_generate(const struct team_file *tf, struct strbuf *out);

/*
 * Append s as a PowerShell single-quoted string literal: every quote character
 * PowerShell ends such a string with (' and U+2018..U+201B) is doubled, nothing else changes.
 */
void ps_quote(struct strbuf *out, const char *s);

/*
 * Read the team file at path and generate its script into out (errors printed);
 * with describe, say in one line per team what the script will make.
 */
enum wg_err team_script_from_file(const char *path, struct strbuf *out, bool describe);

#endif
