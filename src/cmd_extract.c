/*
 * cmd_extract.c - 'wimgraft extract': the payload folder for installing by hand,
 * built beside the destination and renamed into place only when complete.
 */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graft.h"
#include "payload_write.h"
#include "report.h"

enum wg_err cmd_extract(const struct wg_opts *opts)
{
	struct graft_source gs;
	char *tmp = NULL;
	struct stat st;
	enum wg_err ret;

	memset(&gs, 0, sizeof(gs));
	if (!opts->output) {
		wg_error("give the payload folder with -o DIR");
		return WG_ERR_USAGE;
	}
	if (lstat(opts->output, &st) == 0) {
		wg_error("'%s' already exists; give a new folder", opts->output);
		return WG_ERR_IO;
	}
	ret = graft_resolve(opts, &gs);
	if (ret)
		goto out;
	if (opts->dry_run) {
		for (size_t i = 0; i < gs.res.nfiles; i++)
			if (gs.res.files[i].status == RESOLVED_OK)
				printf("  file  %s\n", gs.res.files[i].dest);
		char *reg = payload_reg_name(gs.m->id);
		printf("  reg   %s (%zu operations)\n  cmd   install.cmd\n  xml   wimgraft-payload.xml\n",
		       reg, gs.res.ops.n);
		free(reg);
		goto out;
	}
	ret = graft_stage(&gs);
	if (ret)
		goto out;
	tmp = xasprintf("%s.wimgraft-tmp-%d", opts->output, (int)getpid());
	if (mkdir(tmp, 0755) < 0) {
		wg_error("cannot create '%s': %s", tmp, strerror(errno));
		ret = wg_err_from_errno(errno);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	ret = payload_write(&gs, tmp);
	if (!ret && rename(tmp, opts->output) < 0) {
		wg_error("cannot rename '%s' to '%s': %s", tmp, opts->output, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		source_remove_tree(tmp);
	else
		wg_info("payload of '%s' written to '%s'", gs.m->id, opts->output);
out:
	if (opts->json) {
		json_object *t = json_object_new_array();
		json_object *o = json_object_new_object();
		json_object_object_add(o, "output", json_object_new_string(opts->output));
		json_object_array_add(t, o);
		report_print("extract", opts, ret, t);
	}
	free(tmp);
	graft_source_release(&gs);
	return ret;
}
