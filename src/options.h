/*
 * options.h - the command-line options every subcommand shares, parsed once
 * from one table; each command declares which of them it accepts.
 */
#ifndef WIMGRAFT_OPTIONS_H
#define WIMGRAFT_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include "util.h"

enum {
	OPT_MANIFEST     = 1 << 0,  /* -m */
	OPT_SOURCE       = 1 << 1,  /* -s */
	OPT_SOURCE_IMAGE = 1 << 2,  /* -i */
	OPT_IMAGE_DIR    = 1 << 3,  /* -d */
	OPT_WIM          = 1 << 4,  /* -w */
	OPT_TARGET_IMAGE = 1 << 5,  /* -t */
	OPT_OUTPUT       = 1 << 6,  /* -o */
	OPT_PARAM        = 1 << 7,  /* -D */
	OPT_DRY_RUN      = 1 << 8,  /* -n */
	OPT_JSON         = 1 << 9,
	OPT_FORCE        = 1 << 10,
	OPT_ARGS         = 1 << 11, /* takes positional arguments */
	OPT_TEAM         = 1 << 20, /* --team */
	OPT_FIRST_BOOT   = 1 << 13, /* --first-boot */
	OPT_ISO          = 1 << 24, /* reads a source given as an argument (--no-cache) */
	OPT_WAIT         = 1 << 15, /* --wait */
};

struct wg_opts {
	const char *manifest;      /* default "lbfo" */
	const char *source;
	const char *source_image;
	const char *image_dir;
	const char *wim;
	const char *target_image;
	const char *output;
	struct strvec params;      /* "NAME=VALUE" as given */
	bool dry_run;
	bool json;
	bool force;
	bool no_progress;
	const char *log;
	const char *command;       /* the command's name */
	unsigned wait;             /* --wait: seconds to wait for another run's lock */
	const char *first_boot;    /* --first-boot: setupcomplete, unattend, none; NULL: the manifest's */
	struct strvec args;        /* positional arguments */
	const char *team;          /* --team FILE */
};

struct wg_command {
	const char *name;
	enum wg_err (*fn)(const struct wg_opts *opts);
	const char *usage;         /* the synopsis line(s), as in the README */
	const char *summary;
	unsigned accepts;          /* OPT_* */
};

/*
 * Parse argv (argv[0] is the command's name). Returns WG_OK, WG_ERR_USAGE
 * (message already printed), or -1 when --help was shown and nothing else is to be done.
 */
int options_parse(const struct wg_command *cmd, int argc, char **argv, struct wg_opts *opts);
void options_release(struct wg_opts *opts);
void options_print_usage(const struct wg_command *cmd, FILE *out);

/* Is the user watching a terminal (progress is shown only then)? */
bool options_show_progress(const struct wg_opts *opts);

#endif
