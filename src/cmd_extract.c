/*
 * cmd_extract.c - 'wimgraft extract': the payload folder for installing by hand,
 * built beside the destination and renamed into place only when complete.
 */
#include "commands.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graft.h"
#include "payload.h"
#include "payload_write.h"
#include "report.h"
#include "team_script.h"

#define PAYLOAD_TEAM_FILE "wimgraft-team.xml"

static enum wg_err write_local_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wbx");
	bool ok = f && fwrite(buf, 1, len, f) == len;
	int e = errno;
	if (f && fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		wg_error("cannot write '%s': %s", path, strerror(e));
		return wg_err_from_errno(e);
	}
	return WG_OK;
}

/* --team: the team file and its script, at the path the image would hold it. */
static enum wg_err write_team(const struct wg_opts *opts, const struct graft_source *gs,
			      const char *dir)
{
	unsigned char *xml;
	size_t len;
	enum wg_err ret = read_file(opts->team, 0, &xml, &len);
	if (ret)
		return ret;
	char *path = xasprintf("%s/" PAYLOAD_TEAM_FILE, dir);
	ret = write_local_file(path, xml, len);
	free(path);
	free(xml);
	char *sub = xasprintf("%s/%s", dir, TEAM_SCRIPT_PATH);
	for (char *s = strchr(sub + strlen(dir) + 1, '/'); !ret && s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(sub, 0755) < 0 && errno != EEXIST) {
			wg_error("cannot create '%s': %s", sub, strerror(errno));
			ret = wg_err_from_errno(errno);
		}
		*s = '/';
	}
	if (!ret)
		ret = write_local_file(sub, gs->team_script.buf, gs->team_script.len);
	free(sub);
	return ret;
}

static json_object *plan_json(const struct graft_source *gs, const char *output)
{
	json_object *o = json_object_new_object(), *files = json_object_new_array();
	json_object_object_add(o, "output", json_object_new_string(output));
	for (size_t i = 0; gs->m && i < gs->res.nfiles; i++) {
		const struct resolved_file *rf = &gs->res.files[i];
		char hex[41];
		if (rf->status != RESOLVED_OK)
			continue;
		json_object *f = json_object_new_object();
		json_object_object_add(f, "path", json_object_new_string(rf->dest));
		json_object_object_add(f, "size", json_object_new_int64((int64_t)rf->size));
		sha1_to_hex(rf->sha1, hex);
		json_object_object_add(f, "sha1", json_object_new_string(hex));
		json_object_array_add(files, f);
	}
	if (gs->has_team) {
		char hex[41];
		json_object *f = json_object_new_object();
		json_object_object_add(f, "path", json_object_new_string(TEAM_SCRIPT_PATH));
		json_object_object_add(f, "size", json_object_new_int64((int64_t)gs->team_rf.size));
		sha1_to_hex(gs->team_rf.sha1, hex);
		json_object_object_add(f, "sha1", json_object_new_string(hex));
		json_object_array_add(files, f);
	}
	json_object_object_add(o, "files", files);
	if (gs->m) {
		char *reg = payload_reg_name(gs->m->id);
		json_object_object_add(o, "reg", json_object_new_string(reg));
		free(reg);
	}
	return o;
}

static void print_plan(const struct graft_source *gs)
{
	for (size_t i = 0; i < gs->res.nfiles; i++)
		if (gs->res.files[i].status == RESOLVED_OK)
			printf("  file  %s\n", gs->res.files[i].dest);
	if (gs->has_team)
		printf("  file  %s (from '%s')\n  team  %s\n", TEAM_SCRIPT_PATH, gs->team_rf.source,
		       PAYLOAD_TEAM_FILE);
	char *reg = payload_reg_name(gs->m->id);
	printf("  reg   %s (%zu operations)\n  cmd   install.cmd\n  xml   %s\n", reg, gs->res.ops.n,
	       PAYLOAD_XML);
	free(reg);
}

enum wg_err cmd_extract(const struct wg_opts *opts)
{
	struct graft_source gs;
	char *tmp = NULL;
	struct stat st;
	enum wg_err ret;

	memset(&gs, 0, sizeof(gs));
	if (!opts->output) {
		wg_error("give the payload folder with -o DIR");
		ret = WG_ERR_USAGE;
		goto out;
	}
	if (lstat(opts->output, &st) == 0) {
		wg_error("'%s' already exists; give a new folder", opts->output);
		ret = WG_ERR_IO;
		goto out;
	}
	ret = graft_resolve(opts, &gs);
	if (ret)
		goto out;
	if (opts->dry_run) {
		if (!opts->json && !wg_opt_quiet)
			print_plan(&gs);
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
	if (!ret && gs.has_team)
		ret = write_team(opts, &gs, tmp);
	if (!ret && rename(tmp, opts->output) < 0) {
		wg_error("cannot rename '%s' to '%s': %s", tmp, opts->output, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	if (ret)
		wg_remove_tree(tmp);
	else
		wg_info("payload of '%s' written to '%s'", gs.m->id, opts->output);
out:
	if (opts->json) {
		json_object *t = json_object_new_array();
		json_object_array_add(t, plan_json(&gs, opts->output ? opts->output : ""));
		report_print("extract", opts, ret, t);
	}
	free(tmp);
	graft_source_release(&gs);
	return ret;
}
