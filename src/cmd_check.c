/*
 * cmd_check.c - 'wimgraft check'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_check(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'check' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
