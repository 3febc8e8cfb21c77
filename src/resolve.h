/*
 * resolve.h - a manifest resolved against one source image: every file entry
 * found (or not), captures filled, ${...} substituted, derived values computed.
 */
#ifndef WIMGRAFT_RESOLVE_H
#define WIMGRAFT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "regop.h"
#include "source.h"
#include "util.h"

enum resolved_status {
	RESOLVED_OK,
	RESOLVED_MISSING,           /* a required entry matched nothing */
	RESOLVED_OPTIONAL_MISSING,  /* an optional entry matched nothing */
	RESOLVED_AMBIGUOUS,         /* several files matched where one is expected */
};

/* The entry of a file wimgraft writes itself (the first-boot script), staged, not extracted. */
#define RESOLVED_GENERATED ((size_t)-1)

/* One file found for an entry (match="all" entries give one per match). */
struct resolved_file {
	size_t entry;               /* index in manifest->files */
	const char *label;          /* the entry's id, else its source pattern (borrowed) */
	char *pattern;              /* the source pattern after substitution */
	enum resolved_status status;
	/* RESOLVED_OK only: */
	char *source;               /* stored path in the image, '/'-separated */
	char *dest;                 /* destination, '/'-separated, relative to the target root */
	uint64_t size;
	uint8_t sha1[20];
	uint32_t attributes;
	/* RESOLVED_AMBIGUOUS only: the stored paths that matched */
	struct strvec candidates;
	/* Signing (format 2 manifests): */
	enum sign_kind sign;        /* how a catalog must list it; SIGN_NONE: not signed */
	struct file_hashes hashes;  /* its hashes of that kind (sign != SIGN_NONE, RESOLVED_OK) */
	char *catalog;              /* stored path of the chosen catalog that lists it, or NULL */
	bool catalog_sha256;        /* that catalog lists its SHA-256 (else its SHA-1) */
	bool is_catalog;            /* a chosen signing catalog (entry is the manifest's nfiles) */
};

/* A network component an <inf-component> installs: what the first-boot script needs. */
struct resolved_component {
	char *id;                   /* as the INF's models line writes it */
	char *inf;                  /* the INF's destination in the target, '/'-separated */
	char netcfg_class;          /* from [Version] Class: 's' NetService, 'p' NetTrans, 'c' NetClient */
	char *service;              /* its Ndi\Service value, or NULL */
};

struct resolution {
	int image;                  /* 1-based index in the source */
	struct image_info info;     /* the source image's description */
	struct resolved_file *files;
	size_t nfiles;
	size_t nmissing;            /* required entries with RESOLVED_MISSING */
	size_t nambiguous;
	size_t nunsigned;           /* signed="..." files that no valid catalog lists */
	bool complete;              /* every required entry resolved; ops and commands are filled only then */
	struct strvec values;       /* "NAME=VALUE" of every parameter and capture, as used */
	struct reg_ops ops;         /* full HKEY_... paths; the manifest's own, then its .reg imports
				       (each op's origin points into the manifest: keep it alive) */
	bool *op_optional;          /* parallel to ops.v: true when the op's hive is optional */
	struct strvec commands;     /* first-boot commands after substitution */
	struct resolved_component *components;
	size_t ncomponents;
};

struct resolve_opts {
	/*
	 * The target image, when known: its default language is preferred for
	 * from="language" parameters, when the source image lists that language
	 * (else the source image's default language is used).
	 */
	const struct image_info *target;
};

/*
 * Resolve m against image index of src. Returns WG_OK also when files are
 * missing or ambiguous (see ->complete and each file's status); errors are
 * failures to read the source or a derived value's file. Prints nothing but
 * error messages.
 */
enum wg_err resolve_image(const struct manifest *m, struct wg_source *src, int index,
			  const struct resolve_opts *opts, struct resolution *out);

/*
 * Pick the first image that meets the manifest's source requirements and
 * resolves every required entry; out->image says which. When none does,
 * WG_ERR_SOURCE_REQUIREMENT is returned (no message) and why_not (optional)
 * gets one line per image saying why it was passed over.
 */
enum wg_err resolve_select_image(const struct manifest *m, struct wg_source *src,
				 const struct resolve_opts *opts, struct resolution *out,
				 struct strvec *why_not);

void resolution_release(struct resolution *r);

const char *resolved_status_name(enum resolved_status s);  /* "ok", "missing", ... */

/* The value of a parameter or capture as this resolution used it, or NULL. */
const char *resolution_value(const struct resolution *r, const char *name);

#endif
