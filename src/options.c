/*
 * options.c - parse the shared option table with getopt_long and refuse the
 * options a command does not declare.
 */
#include "options.h"

#include "iso.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LONG_JSON = 256, LONG_FORCE, LONG_NO_PROGRESS, LONG_LOG, LONG_HELP, LONG_TEAM = 300,
       LONG_FIRST_BOOT = 310, LONG_NO_CACHE = 440,
       LONG_WAIT = 150 };

static const struct {
	struct option opt;
	unsigned flag;             /* 0: accepted by every command */
	const char *help;
} table[] = {
	{ { "manifest", required_argument, NULL, 'm' }, OPT_MANIFEST,
	  "-m, --manifest M         a manifest file, or a shipped one's name (default: lbfo)" },
	{ { "source", required_argument, NULL, 's' }, OPT_SOURCE,
	  "-s, --source S           Server ISO, WIM, ESD, first .swm part, or payload folder" },
	{ { "no-cache", no_argument, NULL, LONG_NO_CACHE }, OPT_SOURCE | OPT_ISO,
	  "    --no-cache           copy an ISO's install image to a temporary file, not the cache" },
	{ { "source-image", required_argument, NULL, 'i' }, OPT_SOURCE_IMAGE,
	  "-i, --source-image I     source image: 1-based index or name" },
	{ { "image-dir", required_argument, NULL, 'd' }, OPT_IMAGE_DIR,
	  "-d, --image-dir DIR      target: an applied or mounted Windows image" },
	{ { "wim", required_argument, NULL, 'w' }, OPT_WIM,
	  "-w, --wim WIM            target: a client WIM, serviced without applying it" },
	{ { "target-image", required_argument, NULL, 't' }, OPT_TARGET_IMAGE,
	  "-t, --target-image I     target image in the WIM: index, name or 'all'" },
	{ { "output", required_argument, NULL, 'o' }, OPT_OUTPUT,
	  "-o, --output P           payload folder (extract), or a new WIM to write" },
	{ { "param", required_argument, NULL, 'D' }, OPT_PARAM,
	  "-D, --param NAME=VALUE   set a manifest parameter (repeatable)" },
	{ { "dry-run", no_argument, NULL, 'n' }, OPT_DRY_RUN,
	  "-n, --dry-run            print the plan; change nothing" },
	{ { "json", no_argument, NULL, LONG_JSON }, OPT_JSON,
	  "    --json               one JSON document on stdout" },
	{ { "force", no_argument, NULL, LONG_FORCE }, OPT_FORCE,
	  "    --force              proceed past a safety refusal (dirty hive, version mismatch)" },
	{ { "team", required_argument, NULL, LONG_TEAM }, OPT_TEAM,
	  "    --team FILE          a team file: the NIC teams the image makes at first boot" },
	{ { "wait", required_argument, NULL, LONG_WAIT }, OPT_WAIT,
	  "    --wait SECONDS       wait up to SECONDS for another run's lock (default: 0)" },
	{ { "first-boot", required_argument, NULL, LONG_FIRST_BOOT }, OPT_FIRST_BOOT,
	  "    --first-boot R       what runs the first-boot script: setupcomplete, unattend or\n"
	  "                             none (default: the manifest's, setupcomplete for lbfo)" },
	{ { "quiet", no_argument, NULL, 'q' }, 0,
	  "-q, --quiet              print errors only" },
	{ { "verbose", no_argument, NULL, 'v' }, 0,
	  "-v, --verbose            say more about each step" },
	{ { "no-progress", no_argument, NULL, LONG_NO_PROGRESS }, 0,
	  "    --no-progress        no progress display" },
	{ { "log", required_argument, NULL, LONG_LOG }, 0,
	  "    --log FILE           append a log of what is done to FILE" },
	{ { "help", no_argument, NULL, LONG_HELP }, 0,
	  "-h, --help               show this help" },
};

void options_print_usage(const struct wg_command *cmd, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n\n", cmd->usage, cmd->summary);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!table[i].flag || (cmd->accepts & table[i].flag))
			fprintf(out, "    %s\n", table[i].help);
}

/* Take option c (its value in optarg) into o; refuses a value that cannot be. */
static int set_option(const struct wg_command *cmd, int c, struct wg_opts *o)
{
	switch (c) {
	case 'm': o->manifest = optarg; break;
	case 's': o->source = optarg; break;
	case 'i': o->source_image = optarg; break;
	case 'd': o->image_dir = optarg; break;
	case 'w': o->wim = optarg; break;
	case 't': o->target_image = optarg; break;
	case 'o': o->output = optarg; break;
	case 'D':
		if (!strchr(optarg, '=') || optarg[0] == '=') {
			wg_error("%s: '-D %s' is not NAME=VALUE", cmd->name, optarg);
			return WG_ERR_USAGE;
		}
		sv_push(&o->params, optarg);
		break;
	case 'n': o->dry_run = true; break;
	case LONG_JSON: o->json = true; break;
	case LONG_FORCE: o->force = true; break;
	case 'q': wg_opt_quiet = 1; break;
	case 'v': wg_opt_verbose = 1; break;
	case LONG_NO_PROGRESS: o->no_progress = iso_opt_no_progress = true; break;
	case LONG_NO_CACHE: iso_opt_no_cache = true; break;
	case LONG_LOG: o->log = optarg; break;
	case LONG_TEAM: o->team = optarg; break;
	case LONG_WAIT: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(optarg, &end, 10);
		if (!*optarg || *end || errno || v > 86400 || optarg[0] == '-') {
			wg_error("%s: '--wait %s' is not a number of seconds (0 to 86400)",
				 cmd->name, optarg);
			return WG_ERR_USAGE;
		}
		o->wait = (unsigned)v;
		break;
	}
	case LONG_FIRST_BOOT:
		if (strcmp(optarg, "setupcomplete") && strcmp(optarg, "unattend") &&
		    strcmp(optarg, "none")) {
			wg_error("%s: '--first-boot %s': expected setupcomplete, unattend or none",
				 cmd->name, optarg);
			return WG_ERR_USAGE;
		}
		o->first_boot = optarg;
		break;
	}
	return WG_OK;
}

int options_parse(const struct wg_command *cmd, int argc, char **argv, struct wg_opts *o)
{
	struct option longopts[ARRAY_SIZE(table) + 1];
	struct strbuf shortopts = STRBUF_INIT;

	memset(o, 0, sizeof(*o));
	o->manifest = "lbfo";
	o->command = cmd->name;
	sb_addstr(&shortopts, "+h");
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		longopts[i] = table[i].opt;
		if (table[i].opt.val < 256) {
			sb_addch(&shortopts, table[i].opt.val);
			if (table[i].opt.has_arg)
				sb_addch(&shortopts, ':');
		}
	}
	memset(&longopts[ARRAY_SIZE(table)], 0, sizeof(longopts[0]));

	optind = 1;
	opterr = 0;
	int ret = WG_OK, c, longidx;
	while (ret == WG_OK &&
	       (c = getopt_long(argc, argv, shortopts.buf, longopts, &longidx)) != -1) {
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];
			if (optopt && optopt < 256)
				wg_error("%s: option '-%c' %s", cmd->name, optopt,
					 strchr(shortopts.buf, optopt) ? "requires a value" : "is not known");
			else
				wg_error("%s: option '%s' is not known or lacks its value", cmd->name, bad);
			ret = WG_ERR_USAGE;
			break;
		}
		if (c == 'h' || c == LONG_HELP) {
			options_print_usage(cmd, stdout);
			ret = -1;
			break;
		}
		unsigned flag = 0;
		const char *name = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(table); i++)
			if (table[i].opt.val == c) {
				flag = table[i].flag;
				name = table[i].opt.name;
			}
		if (flag && !(cmd->accepts & flag)) {
			wg_error("%s: option '--%s' does not apply to this command", cmd->name, name);
			ret = WG_ERR_USAGE;
			break;
		}
		ret = set_option(cmd, c, o);
	}
	sb_release(&shortopts);
	if (ret != WG_OK)
		return ret;
	for (int i = optind; i < argc; i++)
		sv_push(&o->args, argv[i]);
	if (o->args.n && !(cmd->accepts & OPT_ARGS)) {
		wg_error("%s: unexpected argument '%s'", cmd->name, o->args.v[0]);
		return WG_ERR_USAGE;
	}
	return WG_OK;
}

void options_release(struct wg_opts *o)
{
	sv_clear(&o->params);
	sv_clear(&o->args);
}

bool options_show_progress(const struct wg_opts *o)
{
	return !o->no_progress && !wg_opt_quiet && isatty(STDOUT_FILENO);
}
