/*
 * cmd_check.c - 'wimgraft check': resolve every entry of a manifest in a source
 * image and report each one's path, size, SHA-1 and status, as a table or JSON.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "manifest.h"
#include "report.h"
#include "resolve.h"
#include "resolve_report.h"
#include "source.h"

static const char *kind_name(enum reg_op_kind k)
{
	switch (k) {
	case REG_OP_KEY: return "key";
	case REG_OP_DELETE_KEY: return "delete-key";
	case REG_OP_SET_VALUE: return "set-value";
	case REG_OP_DELETE_VALUE: return "delete-value";
	}
	return "?";
}

static json_object *hex_json(const unsigned char *p, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "");
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%02x", p[i]);
	json_object *o = json_object_new_string(sb.buf);
	sb_release(&sb);
	return o;
}

static json_object *file_json(const struct resolved_file *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "entry", json_object_new_string(f->label));
	json_object_object_add(o, "pattern", json_object_new_string(f->pattern));
	json_object_object_add(o, "status", json_object_new_string(resolved_status_name(f->status)));
	if (f->status == RESOLVED_OK) {
		char hex[41];
		sha1_to_hex(f->sha1, hex);
		json_object_object_add(o, "path", json_object_new_string(f->source));
		json_object_object_add(o, "destination", f->dest ? json_object_new_string(f->dest) : NULL);
		json_object_object_add(o, "size", json_object_new_int64((int64_t)f->size));
		json_object_object_add(o, "sha1", json_object_new_string(hex));
	}
	if (f->status == RESOLVED_OK && f->is_catalog)
		json_object_object_add(o, "catalog", json_object_new_boolean(true));
	if (f->status == RESOLVED_OK && f->sign != SIGN_NONE) {
		json_object *sg = json_object_new_object();
		json_object_object_add(sg, "kind", json_object_new_string(sign_kind_name(f->sign)));
		json_object_object_add(sg, "sha1", hex_json(f->hashes.sha1, 20));
		json_object_object_add(sg, "sha256", hex_json(f->hashes.sha256, 32));
		json_object_object_add(sg, "catalog", f->catalog ? json_object_new_string(f->catalog) : NULL);
		json_object_object_add(sg, "listed_by", !f->catalog ? NULL :
				       json_object_new_string(f->catalog_sha256 ? "sha256" : "sha1"));
		json_object_object_add(o, "signature", sg);
	}
	if (f->status == RESOLVED_AMBIGUOUS) {
		json_object *c = json_object_new_array();
		for (size_t i = 0; i < f->candidates.n; i++)
			json_object_array_add(c, json_object_new_string(f->candidates.v[i]));
		json_object_object_add(o, "candidates", c);
	}
	return o;
}

static json_object *report_json(const struct manifest *m, struct wg_source *src,
				const struct resolution *r, bool auto_selected,
				const struct strvec *why_not)
{
	json_object *doc = report_new_document("check");
	json_object *man = json_object_new_object();
	json_object_object_add(man, "path", json_object_new_string(m->path));
	json_object_object_add(man, "id", json_object_new_string(m->id));
	json_object_object_add(man, "version", json_object_new_string(m->version));
	json_object_object_add(doc, "manifest", man);
	json_object_object_add(doc, "source", json_object_new_string(source_path(src)));
	if (r) {
		json_object *img = json_object_new_object();
		json_object_object_add(img, "index", json_object_new_int(r->image));
		json_object_object_add(img, "name", r->info.name ? json_object_new_string(r->info.name) : NULL);
		json_object_object_add(img, "selected", json_object_new_string(auto_selected ? "auto" : "given"));
		json_object_object_add(img, "build", json_object_new_int((int)r->info.build));
		json_object_object_add(img, "default_language", r->info.default_language ?
				       json_object_new_string(r->info.default_language) : NULL);
		json_object_object_add(doc, "image", img);
		json_object *vals = json_object_new_object();
		for (size_t i = 0; i < r->values.n; i++) {
			const char *eq = strchr(r->values.v[i], '=');
			char *name = xstrndup(r->values.v[i], (size_t)(eq - r->values.v[i]));
			json_object_object_add(vals, name, json_object_new_string(eq + 1));
			free(name);
		}
		json_object_object_add(doc, "values", vals);
		json_object *files = json_object_new_array();
		for (size_t i = 0; i < r->nfiles; i++)
			json_object_array_add(files, file_json(&r->files[i]));
		json_object_object_add(doc, "files", files);
		json_object *ops = json_object_new_array();
		for (size_t i = 0; i < r->ops.n; i++) {
			const struct reg_op *op = &r->ops.v[i];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "op", json_object_new_string(kind_name(op->kind)));
			json_object_object_add(o, "key", json_object_new_string(op->key));
			if (op->name)
				json_object_object_add(o, "name", json_object_new_string(op->name));
			if (op->kind == REG_OP_SET_VALUE) {
				json_object_object_add(o, "type", json_object_new_string(reg_type_name(op->type)));
				json_object_object_add(o, "data", hex_json(op->data, op->len));
			}
			json_object_object_add(o, "optional_hive", json_object_new_boolean(r->op_optional[i]));
			json_object_array_add(ops, o);
		}
		json_object_object_add(doc, "registry", ops);
		json_object *cmds = json_object_new_array();
		for (size_t i = 0; i < r->commands.n; i++)
			json_object_array_add(cmds, json_object_new_string(r->commands.v[i]));
		json_object_object_add(doc, "first_boot", cmds);
	} else {
		json_object_object_add(doc, "image", NULL);
	}
	if (why_not && why_not->n) {
		json_object *w = json_object_new_array();
		for (size_t i = 0; i < why_not->n; i++)
			json_object_array_add(w, json_object_new_string(why_not->v[i]));
		json_object_object_add(doc, "passed_over", w);
	}
	json_object_object_add(doc, "complete", json_object_new_boolean(r && r->complete));
	return doc;
}

static void print_table(const struct resolution *r)
{
	size_t wl = strlen("ENTRY"), wp = strlen("PATH IN IMAGE");
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		const char *p = f->status == RESOLVED_OK ? f->source : f->pattern;
		if (strlen(f->label) > wl)
			wl = strlen(f->label);
		if (strlen(p) > wp)
			wp = strlen(p);
	}
	printf("%-*s  %-*s  %10s  %-40s  %s\n", (int)wl, "ENTRY", (int)wp, "PATH IN IMAGE", "SIZE",
	       "SHA-1", "STATUS");
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		if (f->status == RESOLVED_OK) {
			char hex[41];
			sha1_to_hex(f->sha1, hex);
			printf("%-*s  %-*s  %10llu  %-40s  %s\n", (int)wl, f->label, (int)wp, f->source,
			       (unsigned long long)f->size, hex, "ok");
		} else {
			printf("%-*s  %-*s  %10s  %-40s  %s\n", (int)wl, f->label, (int)wp, f->pattern,
			       "-", "-", resolved_status_name(f->status));
			for (size_t j = 0; j < f->candidates.n; j++)
				printf("%-*s    candidate: %s\n", (int)wl, "", f->candidates.v[j]);
		}
	}
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Which catalog signs which file, by which hash. */
static void print_signatures(const struct resolution *r)
{
	size_t wf = strlen("SIGNED FILE"), n = 0;
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		if (f->status == RESOLVED_OK && f->sign != SIGN_NONE && ++n && strlen(f->source) > wf)
			wf = strlen(f->source);
	}
	if (!n)
		return;
	printf("\n%-*s  %-12s  %-71s  %s\n", (int)wf, "SIGNED FILE", "HASH", "LISTED AS", "CATALOG");
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		if (f->status != RESOLVED_OK || f->sign == SIGN_NONE)
			continue;
		char hex[65];
		bool s256 = !f->catalog || f->catalog_sha256;
		hash_to_hex(s256 ? f->hashes.sha256 : f->hashes.sha1, s256 ? 32 : 20, hex);
		printf("%-*s  %-12s  %-7s %-64s  %s\n", (int)wf, f->source, sign_kind_name(f->sign),
		       s256 ? "SHA-256" : "SHA-1", hex, f->catalog ? base(f->catalog) : "NONE");
	}
}

static void print_json(json_object *doc)
{
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

enum wg_err cmd_check(const struct wg_opts *opts)
{
	struct manifest *m = NULL;
	struct wg_source *src = NULL;
	struct resolution r;
	struct strvec why_not = STRVEC_INIT;
	bool have_res = false, auto_selected = false;
	enum wg_err ret;

	memset(&r, 0, sizeof(r));
	if (!opts->source) {
		wg_error("check: give the source image with -s SOURCE");
		return WG_ERR_USAGE;
	}
	if ((ret = manifest_load(opts->manifest, &opts->params, &m)) != WG_OK)
		return ret;
	if ((ret = source_open(opts->source, &src)) != WG_OK)
		goto out;

	if (opts->source_image) {
		int index;
		if ((ret = source_find_image(src, opts->source_image, &index)) != WG_OK)
			goto out;
		ret = resolve_image(m, src, index, NULL, &r);
		have_res = true;   /* a failed resolution holds what it found so far */
		if (ret != WG_OK)
			goto out;
		struct strbuf why = STRBUF_INIT;
		if (!manifest_req_met(&m->source_req, &r.info, &why))
			wg_warning("image %d ('%s') does not meet the manifest's source requirements: %s",
				   index, r.info.name ? r.info.name : "", why.buf);
		sb_release(&why);
		wg_info("checking image %d ('%s') of '%s'", index, r.info.name ? r.info.name : "",
			opts->source);
	} else {
		ret = resolve_select_image(m, src, NULL, &r, &why_not);
		if (ret == WG_ERR_SOURCE_REQUIREMENT) {
			wg_error("no image of '%s' meets the manifest's source requirements and holds "
				 "every required file:", opts->source);
			for (size_t i = 0; i < why_not.n; i++)
				wg_error("  %s", why_not.v[i]);
			if (opts->json)
				print_json(report_json(m, src, NULL, true, &why_not));
			goto out;
		}
		if (ret != WG_OK)
			goto out;
		have_res = true;
		auto_selected = true;
		wg_info("chose image %d ('%s') of '%s': the first that meets the manifest",
			r.image, r.info.name ? r.info.name : "", opts->source);
	}

	if (opts->json) {
		print_json(report_json(m, src, &r, auto_selected, &why_not));
	} else {
		print_table(&r);
		print_signatures(&r);
	}
	resolve_report_problems(&r, opts->source);
	if (!r.complete)
		ret = resolve_report_summary(&r, m->path);
out:
	if (have_res)
		resolution_release(&r);
	sv_clear(&why_not);
	if (src)
		source_close(src);
	manifest_free(m);
	return ret;
}
