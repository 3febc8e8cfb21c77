/*
 * graft.h - resolve → plan → stage → commit: the feature's files, registry
 * changes and first-boot block grafted into a target, with an undo record; and their reversal.
 */
#ifndef WIMGRAFT_GRAFT_H
#define WIMGRAFT_GRAFT_H

#include <stdbool.h>

#include <json-c/json.h>

#include "manifest.h"
#include "options.h"
#include "resolve.h"
#include "source.h"
#include "target.h"
#include "tempdir.h"

/* The source side, prepared once for every target. */
struct graft_source {
	struct manifest *m;
	struct wg_source *src;
	struct resolution res;
	struct temp_dir stage;      /* a temporary folder holding the extracted payload */
	const char *staging;        /* its path */
	/* --team: the first-boot team script, planned and written like a payload file */
	bool has_team;
	struct strbuf team_script;
	struct resolved_file team_rf;
	struct strbuf fb_script;    /* the first-boot script, when fb_made */
	bool fb_made;
	enum manifest_route fb_route;   /* what calls it */
};

/* Load the manifest, open the source, pick the image, resolve every entry (errors printed). */
enum wg_err graft_resolve(const struct wg_opts *opts, struct graft_source *gs);
/* Extract every resolved file in one pass into a staging folder, hashes checked. */
enum wg_err graft_stage(struct graft_source *gs);
void graft_source_release(struct graft_source *gs);

/*
 * Check the target, as its info operation describes it, against the manifest's target
 * requirements (exit 4 unless --force); an image that cannot say is said, not refused.
 */
enum wg_err graft_check_target(const struct wg_opts *opts, const struct manifest *m,
			       struct target *t);

/* Graft into one target: plan, print/JSON, and (unless --dry-run) commit. */
enum wg_err graft_apply(const struct wg_opts *opts, struct graft_source *gs, struct target *t,
			json_object *report);
/*
 * Compare a target with the undo record of feature m->id, or with the source
 * when gs is not NULL. WG_ERR_MISMATCH (exit 3) lists each difference.
 */
enum wg_err graft_verify(const struct wg_opts *opts, const struct manifest *m,
			 struct graft_source *gs, struct target *t, json_object *report);
/* Undo what apply changed in a target, from its undo record. */
enum wg_err graft_remove(const struct wg_opts *opts, const struct manifest *m, struct target *t,
			 json_object *report);

#endif
