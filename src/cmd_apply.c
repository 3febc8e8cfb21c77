/*
 * cmd_apply.c - 'wimgraft apply'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_apply(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'apply' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
