/*
 * cmd_info.c - 'wimgraft info': not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_info(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'info' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
