/*
 * commands.h - the entry point of each subcommand, one cmd_*.c file each.
 * A command returns an enum wg_err; main turns it into the exit status.
 */
#ifndef WIMGRAFT_COMMANDS_H
#define WIMGRAFT_COMMANDS_H

#include "options.h"

enum wg_err cmd_info(const struct wg_opts *opts);
enum wg_err cmd_check(const struct wg_opts *opts);
enum wg_err cmd_extract(const struct wg_opts *opts);
enum wg_err cmd_apply(const struct wg_opts *opts);
enum wg_err cmd_verify(const struct wg_opts *opts);
enum wg_err cmd_remove(const struct wg_opts *opts);
enum wg_err cmd_reg_import(const struct wg_opts *opts);
enum wg_err cmd_recover(const struct wg_opts *opts);

#endif
