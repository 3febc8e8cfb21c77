/*
 * main.c - wimgraft's command table, global options and exit statuses.
 * Each subcommand lives in its own cmd_*.c; only this file decides how the process exits.
 */
#include <stdio.h>
#include <string.h>

#include <hivex.h>
#include <json-c/json_c_version.h>
#include <libxml/xmlversion.h>
#include <wimlib.h>

#include "commands.h"
#include "error.h"
#include "options.h"
#include "version.h"

#ifndef HIVEX_VERSION_STRING
#define HIVEX_VERSION_STRING "unknown"
#endif

#define TARGET_DIR_OR_WIM "(-d DIR | -w WIM [-t IMAGE|all] [-o NEW.wim])"

static const struct wg_command commands[] = {
	{ "info", cmd_info, "wimgraft info    SOURCE",
	  "List the images of a Server ISO, WIM, ESD, split WIM or payload folder.",
	  OPT_JSON | OPT_ARGS | OPT_ISO },
	{ "check", cmd_check, "wimgraft check   [-m MANIFEST] -s SOURCE [-i IMAGE]",
	  "Resolve every file of the manifest in a source image and report what is found.",
	  OPT_MANIFEST | OPT_SOURCE | OPT_SOURCE_IMAGE | OPT_PARAM | OPT_JSON },
	{ "extract", cmd_extract, "wimgraft extract [-m MANIFEST] -s SOURCE [-i IMAGE] [--team FILE] -o DIR",
	  "Write the feature's payload folder: its files, a .reg, install.cmd and a description.",
	  OPT_MANIFEST | OPT_SOURCE | OPT_SOURCE_IMAGE | OPT_OUTPUT | OPT_PARAM | OPT_DRY_RUN |
	  OPT_JSON | OPT_FORCE | OPT_TEAM },
	{ "apply", cmd_apply,
	  "wimgraft apply   [-m MANIFEST] -s SOURCE [-i IMAGE] [--team FILE] [--first-boot R] (-d DIR | -w WIM [-t IMAGE|all] [-o NEW.wim])",
	  "Graft the feature into a Windows image folder or into a client WIM.",
	  OPT_MANIFEST | OPT_SOURCE | OPT_SOURCE_IMAGE | OPT_IMAGE_DIR | OPT_WIM |
	  OPT_TARGET_IMAGE | OPT_OUTPUT | OPT_PARAM | OPT_DRY_RUN | OPT_JSON | OPT_FORCE | OPT_TEAM | OPT_WAIT |
	  OPT_FIRST_BOOT },
	{ "verify", cmd_verify,
	  "wimgraft verify  [-m MANIFEST] (-d DIR | -w WIM [-t IMAGE|all]) [-s SOURCE [-i IMAGE]] [--team FILE] [--first-boot R]",
	  "Check that the feature is present and complete in a target.",
	  OPT_MANIFEST | OPT_SOURCE | OPT_SOURCE_IMAGE | OPT_IMAGE_DIR | OPT_WIM |
	  OPT_TARGET_IMAGE | OPT_PARAM | OPT_JSON | OPT_TEAM | OPT_WAIT |
	  OPT_FIRST_BOOT },
	{ "remove", cmd_remove,
	  "wimgraft remove  [-m MANIFEST] (-d DIR | -w WIM [-t IMAGE|all] [-o NEW.wim])",
	  "Undo what apply changed in a target.",
	  OPT_MANIFEST | OPT_IMAGE_DIR | OPT_WIM | OPT_TARGET_IMAGE | OPT_OUTPUT | OPT_PARAM |
	  OPT_DRY_RUN | OPT_JSON | OPT_FORCE | OPT_WAIT },
	{ "reg-import", cmd_reg_import,
	  "wimgraft reg-import " TARGET_DIR_OR_WIM " FILE.reg...",
	  "Apply .reg files to the offline registry hives of a target.",
	  OPT_IMAGE_DIR | OPT_WIM | OPT_TARGET_IMAGE | OPT_OUTPUT | OPT_DRY_RUN | OPT_JSON |
	  OPT_FORCE | OPT_ARGS | OPT_WAIT },
	{ "recover", cmd_recover, "wimgraft recover (-d DIR | -w WIM)",
	  "Finish what an interrupted run left in a target: roll it back, or forward when complete.",
	  OPT_IMAGE_DIR | OPT_WIM | OPT_JSON | OPT_WAIT },
};

static void print_help(FILE *out)
{
	fputs("usage:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fputs("\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'wimgraft COMMAND --help' lists a command's options.\n"
	      "exit status: 0 done; 1 failed (nothing changed); 2 usage error or invalid manifest;\n"
	      "3 verify found the feature missing or different; 4 refused for safety (see --force);\n"
	      "5 partially applied: run 'wimgraft recover'\n",
	      out);
}

/* --log FILE: every log line of the run is appended to FILE. */
static int open_log(const struct wg_opts *opts)
{
	if (opts->log && wg_log_open(opts->log) < 0) {
		wg_error("cannot open log file '%s'", opts->log);
		return WG_ERR_USAGE;
	}
	return WG_OK;
}

static void print_version(void)
{
	printf("wimgraft %s (wimlib %s, hivex %s, libxml2 %s, json-c %s)\n", WIMGRAFT_VERSION,
	       wimlib_get_version_string(), HIVEX_VERSION_STRING, LIBXML_DOTTED_VERSION,
	       json_c_version());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(stderr);
		return WG_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		print_help(stdout);
		return WG_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		print_version();
		return WG_EXIT_OK;
	}

	const struct wg_command *cmd = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			cmd = &commands[i];
	if (!cmd) {
		wg_error("'%s' is not a wimgraft command; see 'wimgraft --help'", name);
		return WG_EXIT_USAGE;
	}

	struct wg_opts opts;
	int ret = options_parse(cmd, argc - 1, argv + 1, &opts);
	if (ret == -1) {
		options_release(&opts);
		return WG_EXIT_OK;
	}
	if (ret == WG_OK)
		ret = open_log(&opts);
	if (ret == WG_OK)
		ret = cmd->fn(&opts);
	else
		fprintf(stderr, "usage: %s\n", cmd->usage);
	options_release(&opts);
	wg_log_close();
	return wg_exit_status((enum wg_err)ret);
}
