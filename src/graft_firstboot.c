/*
 * graft_firstboot.c - the first-boot script as one more payload file, and its caller:
 * SetupComplete.cmd's block, or a command in the answer file recorded so remove restores its bytes.
 */
#include "graft_firstboot.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "firstboot_script.h"
#include "graft_common.h"
#include "unattend.h"

static const char generated_dir[] = "generated";

static enum manifest_route route_of(const struct wg_opts *opts, const struct manifest *m)
{
	int r = opts->first_boot ? manifest_route_from_name(opts->first_boot) : -1;
	return r >= 0 ? (enum manifest_route)r : m->first_boot_route;
}

static void add_generated_file(struct resolution *r, const char *dest, const struct strbuf *text)
{
	r->files = xrealloc(r->files, (r->nfiles + 1) * sizeof(*r->files));
	struct resolved_file *f = &r->files[r->nfiles++];
	memset(f, 0, sizeof(*f));
	f->entry = RESOLVED_GENERATED;
	f->label = "first-boot script";
	f->pattern = xstrdup(dest);
	f->status = RESOLVED_OK;
	f->source = xasprintf("%s/%s", generated_dir, strrchr(dest, '/') + 1);
	f->dest = xstrdup(dest);
	f->size = text->len;
	sha1_buffer(text->buf, text->len, f->sha1);
}

enum wg_err graft_firstboot_prepare(const struct wg_opts *opts, struct graft_source *gs)
{
	struct resolution *r = &gs->res;
	gs->fb_route = route_of(opts, gs->m);
	if (!r->ncomponents && !r->commands.n)
		return WG_OK;
	struct fbscript_component *comps = xcalloc(r->ncomponents + 1, sizeof(*comps));
	for (size_t i = 0; i < r->ncomponents; i++)
		comps[i] = (struct fbscript_component){ r->components[i].id, r->components[i].inf,
							r->components[i].netcfg_class,
							r->components[i].service };
	struct fbscript_spec spec = { gs->m->id, comps, r->ncomponents, &r->commands };
	enum wg_err err = fbscript_generate(&spec, &gs->fb_script);
	free(comps);
	if (err)
		return err;
	char *dest = fbscript_path(gs->m->id);
	add_generated_file(r, dest, &gs->fb_script);
	free(dest);
	gs->fb_made = true;
	/* the manifest's commands run inside the script; SetupComplete.cmd only calls it */
	sv_clear(&r->commands);
	if (gs->fb_route == ROUTE_SETUPCOMPLETE)
		sv_push_nodup(&r->commands, fbscript_call_line(gs->m->id));
	char *cmd = fbscript_unattend_command(gs->m->id);
	if (gs->fb_route == ROUTE_NONE)
		wg_verbose("--first-boot none: nothing in the image runs the first-boot script; add "
			   "this command to the specialize pass of your answer file: %s", cmd);
	free(cmd);
	return WG_OK;
}

static enum wg_err write_local(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wbx");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		int e = errno;
		wg_error("cannot write '%s': %s", path, strerror(e));
		return wg_err_from_errno(e);
	}
	return WG_OK;
}

enum wg_err graft_firstboot_stage(const struct graft_source *gs)
{
	if (!gs->fb_made)
		return WG_OK;
	char *dir = xasprintf("%s/payload/%s", gs->staging, generated_dir);
	char *name = fbscript_path(gs->m->id);
	char *path = xasprintf("%s/%s", dir, strrchr(name, '/') + 1);
	enum wg_err err = WG_OK;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		wg_error("cannot create '%s': %s", dir, strerror(errno));
		err = wg_err_from_errno(errno);
	}
	if (!err)
		err = write_local(path, gs->fb_script.buf, gs->fb_script.len);
	free(path);
	free(name);
	free(dir);
	return err;
}

json_object *graft_firstboot_json(const struct graft_source *gs)
{
	if (!gs->fb_made)
		return NULL;
	json_object *o = json_object_new_object();
	char *script = fbscript_path(gs->m->id), *cmd = fbscript_unattend_command(gs->m->id);
	json_object_object_add(o, "route", json_object_new_string(manifest_route_name(gs->fb_route)));
	json_object_object_add(o, "script", json_object_new_string(script));
	json_object_object_add(o, "command", json_object_new_string(cmd));
	json_object_object_add(o, "log", json_object_new_string(FBSCRIPT_LOG));
	free(script);
	free(cmd);
	return o;
}

/* ---- the answer file ---- */

static char *base64(const unsigned char *d, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	return out;
}

static bool unbase64(const char *s, size_t size, struct strbuf *out)
{
	size_t n = strlen(s);
	if (n % 4 || size > n / 4 * 3)
		return false;
	unsigned char *buf = xmalloc(n / 4 * 3 + 1);
	int got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	bool ok = got >= 0 && (size_t)got >= size && (size_t)got - size < 3;
	if (ok)
		sb_add(out, buf, size);
	free(buf);
	return ok;
}

static const char *rec_str(json_object *rec, const char *key)
{
	json_object *v;
	return rec && json_object_object_get_ex(rec, key, &v) && json_object_is_type(v, json_type_string)
	       ? json_object_get_string(v) : NULL;
}

const char *fb_answer_record_command(json_object *record)
{
	return rec_str(record, "command");
}

/* The record: the command, and the file as the first apply found it. */
static json_object *new_record(const char *command, const struct fb_answer *a,
			       json_object *old)
{
	json_object *o = json_object_new_object();
	char hex[41];
	uint8_t sha1[20];
	json_object_object_add(o, "path", json_object_new_string(UNATTEND_PATH));
	json_object_object_add(o, "command", json_object_new_string(command));
	if (old) {
		json_object *v;
		if (json_object_object_get_ex(old, "created", &v))
			json_object_object_add(o, "created", json_object_get(v));
		if (json_object_object_get_ex(old, "original_base64", &v))
			json_object_object_add(o, "original_base64", json_object_get(v));
		if (json_object_object_get_ex(old, "original_size", &v))
			json_object_object_add(o, "original_size", json_object_get(v));
	} else {
		json_object_object_add(o, "created", json_object_new_boolean(!a->existed));
		if (a->existed) {
			char *b = base64((const unsigned char *)a->old.buf, a->old.len);
			json_object_object_add(o, "original_base64", json_object_new_string(b));
			json_object_object_add(o, "original_size",
					       json_object_new_int64((int64_t)a->old.len));
			free(b);
		}
	}
	sha1_buffer(a->new.buf, a->new.len, sha1);
	sha1_to_hex(sha1, hex);
	json_object_object_add(o, "written_sha1", json_object_new_string(hex));
	return o;
}

static enum wg_err read_answer(struct target *t, struct fb_answer *a)
{
	unsigned char *data;
	size_t len;
	enum wg_err err = target_read_small(t, UNATTEND_PATH, &a->actual, &data, &len, &a->existed);
	if (!err && a->existed && len > UNATTEND_MAX_SIZE) {
		wg_error("'%s' in %s is larger than %u bytes", a->actual, t->display, UNATTEND_MAX_SIZE);
		err = WG_ERR_ANSWER_FILE;
	}
	if (!err && a->existed)
		sb_add(&a->old, data, len);
	free(data);
	return err;
}

enum wg_err fb_answer_plan(const struct graft_source *gs, struct target *t,
			   const struct undo_record *old, struct fb_answer *a)
{
	memset(a, 0, sizeof(*a));
	json_object *prev = old ? old->answer_file : NULL;
	if (!gs->fb_made || gs->fb_route != ROUTE_UNATTEND) {
		/* an earlier apply's command stays recorded, so remove still takes it out */
		a->record = prev ? json_object_get(prev) : NULL;
		return WG_OK;
	}
	a->active = true;
	enum wg_err err = read_answer(t, a);
	char *display = xasprintf("'%s' in %s", a->actual ? a->actual : UNATTEND_PATH, t->display);
	char *cmd = fbscript_unattend_command(gs->m->id);
	char *desc = xasprintf("wimgraft: the first-boot steps of '%s'", gs->m->id);
	if (!err)
		err = unattend_add(a->existed ? a->old.buf : NULL, a->old.len, display, cmd, desc,
				   &a->new, &a->changes);
	if (!err) {
		if (!a->existed)
			a->changes = true;
		a->record = new_record(cmd, a, prev);
	}
	free(desc);
	free(cmd);
	free(display);
	return err;
}

enum wg_err fb_answer_commit(struct target *t, struct fb_answer *a, struct strvec *created)
{
	if (!a->active || !a->changes)
		return WG_OK;
	return t->ops->write_buf(t, a->actual ? a->actual : UNATTEND_PATH, a->new.buf, a->new.len,
				 created);
}

enum wg_err fb_answer_rollback(struct target *t, const struct fb_answer *a)
{
	if (!a->active || !a->changes)
		return WG_OK;
	if (!a->existed)
		return t->ops->remove(t, UNATTEND_PATH);
	return t->ops->write_buf(t, a->actual, a->old.buf, a->old.len, NULL);
}

enum wg_err fb_answer_unplan(struct target *t, json_object *record, struct fb_answer *a)
{
	memset(a, 0, sizeof(*a));
	const char *cmd = rec_str(record, "command"), *written = rec_str(record, "written_sha1");
	if (!cmd || !written)
		return WG_OK;
	enum wg_err err = read_answer(t, a);
	if (err || !a->existed) {
		if (!err)
			wg_warning("%s: %s is gone already; nothing to take out of it", t->display,
				   UNATTEND_PATH);
		return err;
	}
	a->active = true;
	uint8_t want[20], have[20];
	sha1_buffer(a->old.buf, a->old.len, have);
	json_object *v;
	bool created = json_object_object_get_ex(record, "created", &v) && json_object_get_boolean(v);
	const char *orig = rec_str(record, "original_base64");
	int64_t size = json_object_object_get_ex(record, "original_size", &v) ?
		       json_object_get_int64(v) : -1;
	if (sha1_from_hex(written, want) && !memcmp(want, have, 20)) {
		/* as apply left it: back to the bytes it found */
		a->changes = true;
		if (created)
			a->delete_file = true;
		else if (!orig || size < 0 || !unbase64(orig, (size_t)size, &a->new)) {
			wg_error("the undo record's copy of %s in %s is damaged", UNATTEND_PATH,
				 t->display);
			return WG_ERR_UNDO;
		}
		return WG_OK;
	}
	char *display = xasprintf("'%s' in %s", a->actual, t->display);
	err = unattend_remove(a->old.buf, a->old.len, display, cmd, &a->new, &a->changes);
	if (!err && a->changes)
		wg_warning("%s changed since apply: only the first-boot command is taken out of it",
			   display);
	free(display);
	return err;
}

enum wg_err fb_answer_uncommit(struct target *t, const struct fb_answer *a)
{
	if (!a->active || !a->changes)
		return WG_OK;
	if (a->delete_file)
		return t->ops->remove(t, a->actual);
	return t->ops->write_buf(t, a->actual, a->new.buf, a->new.len, NULL);
}

void fb_answer_verify(struct target *t, const char *command, struct strvec *diffs)
{
	struct fb_answer a;
	bool has = false;
	memset(&a, 0, sizeof(a));
	enum wg_err err = read_answer(t, &a);
	if (!err && !a.existed) {
		sv_push_nodup(diffs, xasprintf("answer file %s: missing", UNATTEND_PATH));
	} else if (!err) {
		char *display = xasprintf("'%s' in %s", a.actual, t->display);
		err = unattend_has(a.old.buf, a.old.len, display, command, &has);
		free(display);
		if (!err && !has)
			sv_push_nodup(diffs, xasprintf("answer file %s: the specialize pass does not "
						       "run %s", UNATTEND_PATH, command));
	}
	if (err)
		sv_push_nodup(diffs, xasprintf("answer file %s: cannot be read", UNATTEND_PATH));
	fb_answer_release(&a);
}

void fb_answer_release(struct fb_answer *a)
{
	sb_release(&a->old);
	sb_release(&a->new);
	free(a->actual);
	json_object_put(a->record);
	memset(a, 0, sizeof(*a));
}
