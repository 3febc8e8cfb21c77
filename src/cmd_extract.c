/*
 * cmd_extract.c - 'wimgraft extract'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_extract(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'extract' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
