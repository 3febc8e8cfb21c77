/*
 * cmd_remove.c - 'wimgraft remove'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_remove(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'remove' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
