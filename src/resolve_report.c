/*
 * resolve_report.c - the errors of an incomplete resolution, one line per file and a
 * summary, shared by check and the commands that graft.
 */
#include "resolve_report.h"

#include "authenticode.h"
#include "util.h"

void resolve_report_problems(const struct resolution *r, const char *source)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		if (f->status == RESOLVED_OK && f->sign != SIGN_NONE && !f->catalog) {
			char hex[65];
			hash_to_hex(f->hashes.sha256, 32, hex);
			wg_error("'%s' in image %d of '%s' is listed by no valid signing catalog "
				 "(%s SHA-256 %s): the driver would not load", f->source, r->image,
				 source, f->sign == SIGN_AUTHENTICODE ? "Authenticode" : "file", hex);
		}
	}
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct resolved_file *f = &r->files[i];
		if (f->status == RESOLVED_MISSING) {
			wg_error("'%s' not found in image %d of '%s'", f->pattern, r->image, source);
		} else if (f->status == RESOLVED_AMBIGUOUS) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < f->candidates.n; j++)
				sb_addf(&sb, "%s'%s'", j ? ", " : "", f->candidates.v[j]);
			wg_error("'%s' matches %zu files in image %d of '%s' where one is expected: %s",
				 f->pattern, f->candidates.n, r->image, source, sb.buf);
			sb_release(&sb);
		} else if (f->status == RESOLVED_OPTIONAL_MISSING) {
			wg_info("optional '%s' is not in image %d", f->pattern, r->image);
		}
	}
}

enum wg_err resolve_report_summary(const struct resolution *r, const char *manifest_path)
{
	if (r->complete)
		return WG_OK;
	if (!r->nmissing && !r->nambiguous && r->nunsigned) {
		wg_error("%zu file%s of '%s' would not be signed in image %d", r->nunsigned,
			 r->nunsigned == 1 ? "" : "s", manifest_path, r->image);
		return WG_ERR_UNSIGNED;
	}
	size_t n = r->nmissing + r->nambiguous;
	wg_error("%zu required entr%s of '%s' %s not resolved in image %d", n, n == 1 ? "y" : "ies",
		 manifest_path, n == 1 ? "is" : "are", r->image);
	return r->nmissing ? WG_ERR_NOT_FOUND : WG_ERR_AMBIGUOUS;
}
