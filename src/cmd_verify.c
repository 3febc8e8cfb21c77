/*
 * cmd_verify.c - 'wimgraft verify'.
 * Not available in this build yet.
 */
#include "commands.h"

enum wg_err cmd_verify(const struct wg_opts *opts)
{
	(void)opts;
	wg_error("'verify' is not available in this build yet");
	return WG_ERR_INTERNAL;
}
