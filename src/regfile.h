/*
 * regfile.h - .reg files (REGEDIT5 in UTF-16LE or UTF-8, REGEDIT4) read into a
 * list of registry operations, and such a list written back as regedit writes it.
 */
#ifndef WIMGRAFT_REGFILE_H
#define WIMGRAFT_REGFILE_H

#include <stddef.h>

#include "error.h"
#include "regop.h"
#include "util.h"

/*
 * Parse the text of a .reg file. name is how the file is named in messages and
 * is kept (borrowed) as the origin of every op: it must outlive them. The ops
 * are appended to out only when the whole file is valid; on any error nothing
 * is appended and WG_ERR_REG_SYNTAX is returned after one message naming the
 * file and the line ("'x.reg' line 7: expected '=' after the value name").
 */
enum wg_err regfile_parse(const char *name, const unsigned char *buf, size_t len,
			  struct reg_ops *out);

/*
 * The same, but the message is handed back in *errmsg (to be freed) instead of
 * being printed. errmsg may be NULL to drop it (the fuzz target does).
 */
enum wg_err regfile_parse_msg(const char *name, const unsigned char *buf, size_t len,
			      struct reg_ops *out, char **errmsg);

/* Read and parse the file at path (path is the ops' origin: it must outlive them). */
enum wg_err regfile_load(const char *path, struct reg_ops *out);

/*
 * Append to out the REGEDIT5 text of ops, as UTF-16LE with a BOM and CRLF line
 * ends (what 'reg import' expects). A value op whose key is not the one of the
 * line before gets a '[key]' line of its own. Fails (WG_ERR_REG_SYNTAX, message
 * printed) only for a key or value name holding a line break.
 */
enum wg_err regfile_write_regedit5(const struct reg_ops *ops, struct strbuf *out);

/* The longest value data the parser accepts (1 MiB, the registry's own limit). */
#define REGFILE_MAX_DATA (1024 * 1024)

#endif
