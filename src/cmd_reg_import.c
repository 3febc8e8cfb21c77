/*
 * cmd_reg_import.c - 'wimgraft reg-import'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_reg_import(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'reg-import' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
