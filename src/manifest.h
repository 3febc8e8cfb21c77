/*
 * manifest.h - a feature manifest (manifests/README.md) loaded into a model:
 * parameters, requirements, files, registry changes and first-boot commands.
 */
#ifndef WIMGRAFT_MANIFEST_H
#define WIMGRAFT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authenticode.h"
#include "error.h"
#include "regop.h"
#include "source.h"
#include "util.h"

/* The newest manifest format this build understands (<feature format="...">). */
#define MANIFEST_FORMAT 2
#define MANIFEST_SCHEMA_FILE "wimgraft-manifest.xsd"
/* Largest manifest file read. */
#define MANIFEST_MAX_SIZE (1024 * 1024)

struct manifest_param {
	char *name;
	char *def;                /* the default as declared */
	char *value;              /* default, or the -D value */
	char *pattern;            /* XSD regular expression the value must match, or NULL */
	char *description;        /* or NULL */
	bool from_language;       /* from="language": unless -D sets it, the image's language */
	bool set;                 /* given with -D */
	unsigned line;
};

/* Requirements on an image (a source or a target). Unset parts accept anything. */
struct manifest_req {
	bool present;
	struct strvec arch;               /* any of, e.g. "amd64" */
	struct strvec installation_types; /* any of, e.g. "Server", "Client" (exact, ignoring case) */
	unsigned min_build, max_build;    /* 0: no bound */
	unsigned line;
};

struct manifest_capture {
	char *name;
	size_t component;         /* index of the captured component in the source pattern */
	unsigned line;
};

struct manifest_file {
	char *id;                 /* or NULL */
	char *source;             /* pattern template, '/'-separated, may hold ${param} */
	char *dest;               /* template, or NULL: the stored source path; ending in '/': a folder */
	bool optional;
	bool match_all;           /* match="all": every match is taken; else exactly one is expected */
	struct manifest_capture *captures;
	size_t ncaptures;
	struct strvec signs;      /* format 1: ids of entries this catalog signs (recorded only) */
	enum sign_kind sign;      /* format 2: a catalog must list the file by this hash */
	unsigned line;
};

enum manifest_hive { HIVE_SYSTEM, HIVE_SOFTWARE, HIVE_DRIVERS, HIVE_DEFAULT, HIVE_COUNT };

enum manifest_derive {
	DERIVE_NONE,
	DERIVE_FILE_SIZE,          /* the file's size in bytes (REG_QWORD or REG_DWORD) */
	DERIVE_INF_DRIVER_VERSION, /* the DRIVERS hive's 48-byte Version record (REG_BINARY) */
	DERIVE_INF_PROVIDER,       /* [Version] Provider, %strings% resolved (REG_SZ) */
	DERIVE_INF_CLASS_GUID,     /* [Version] ClassGuid (REG_SZ) */
};

/* One registry change before substitution; hive-relative key path. */
struct manifest_reg {
	enum reg_op_kind kind;
	enum manifest_hive hive;
	char *key;                /* template, '\'-separated, relative to the hive's root */
	char *name;               /* value name template ("" = default value); NULL for key ops */
	uint32_t type;
	struct strvec strings;    /* REG_SZ/REG_EXPAND_SZ: one template; REG_MULTI_SZ: one per string */
	unsigned char *data;      /* other types: encoded at load */
	size_t len;
	enum manifest_derive derive;
	size_t derive_file;       /* index in files[] when derive != DERIVE_NONE */
	bool inf_component;       /* <inf-component>: infcomps[infcomp] installed at key */
	size_t infcomp;
	unsigned line;
};

/* <inf-component> (format 2): a component installed from an INF into a key the manifest names. */
struct manifest_infcomp {
	size_t file;              /* index in files[] of the INF (a required single-file entry) */
	char *id;                 /* component id, e.g. "ms_lbfo" */
	char *platform;           /* models decoration, e.g. "NTamd64" */
	char *capture;            /* name for the key name from NetCfgInstanceId, or NULL */
	unsigned line;
};

struct manifest_import {
	char *file;               /* as written */
	char *path;               /* relative to the manifest's folder; NULL without one */
	unsigned line;
};

struct manifest_command {
	char *text;               /* template */
	char *description;        /* or NULL */
	unsigned line;
};

/* How the first-boot script is called (<first-boot route="..."> and --first-boot). */
enum manifest_route {
	ROUTE_SETUPCOMPLETE,      /* a block of Windows/Setup/Scripts/SetupComplete.cmd */
	ROUTE_UNATTEND,           /* a specialize-pass command of Windows/Panther/unattend.xml */
	ROUTE_NONE,               /* nothing: the site's own answer file calls it */
};

struct manifest {
	char *path;               /* the file as named in messages */
	char *dir;                /* its folder, for .reg imports (NULL for a buffer) */
	unsigned format;
	char *id, *name, *description, *version;
	struct manifest_param *params;
	size_t nparams;
	struct manifest_req source_req, target_req;
	struct manifest_file *files;
	size_t nfiles;
	struct manifest_reg *regs;
	size_t nregs;
	struct manifest_infcomp *infcomps;
	size_t ninfcomps;
	bool hive_declared[HIVE_COUNT];
	bool hive_optional[HIVE_COUNT];
	struct manifest_import *imports;
	size_t nimports;
	struct reg_ops import_ops;  /* the imports' operations, in order (loaded by manifest_load) */
	struct manifest_command *commands;
	size_t ncommands;
	char *catalog_folder;     /* <catalogs folder="...">: where signing catalogs are chosen, or NULL */
	unsigned catalog_line;
	enum manifest_route first_boot_route;
};

/*
 * Find a shipped file (a manifest or the schema) by file name:
 * $WIMGRAFT_MANIFEST_DIR/file, else <folder of /proc/self/exe>/manifests/file,
 * else WIMGRAFT_DATADIR/manifests/file. Returns a new path, or NULL (no message).
 */
char *manifest_find_shipped(const char *file);

/*
 * Load a manifest: name_or_path is a path when it holds '/' or ends in ".xml",
 * else the name of a shipped manifest ("lbfo"). params are "NAME=VALUE" strings
 * (-D); an unknown name is an error. Everything is validated (XML, schema,
 * references, paths, value data) and every problem reported with the file and
 * line. Returns WG_OK, WG_ERR_MANIFEST (exit 2), WG_ERR_REG_SYNTAX (an imported
 * .reg) or WG_ERR_IO.
 */
enum wg_err manifest_load(const char *name_or_path, const struct strvec *params,
			  struct manifest **out);

/*
 * The same from memory; name is used in messages, dir (may be NULL) is where
 * .reg imports are looked up (without one they are listed but not read).
 */
enum wg_err manifest_parse_buffer(const char *buf, size_t len, const char *name, const char *dir,
				  const struct strvec *params, struct manifest **out);

/*
 * The same without printing: the messages (one per line) are handed back in
 * *errmsg (to be freed; NULL when there are none). .reg imports are not read.
 */
enum wg_err manifest_parse_buffer_msg(const char *buf, size_t len, const char *name,
				      const struct strvec *params, struct manifest **out, char **errmsg);

void manifest_free(struct manifest *m);

const struct manifest_param *manifest_param(const struct manifest *m, const char *name);

/* Does value match an XSD regular expression? 1 yes, 0 no, -1 bad pattern. */
int manifest_pattern_match(const char *pattern, const char *value);

/* "setupcomplete", "unattend", "none"; and back (-1 for anything else). */
const char *manifest_route_name(enum manifest_route r);
int manifest_route_from_name(const char *s);

/* "file-size", ... as the manifest writes a derive kind. */
const char *manifest_derive_name(enum manifest_derive d);

/* "SYSTEM", ... and the root a full registry path starts with ("HKEY_LOCAL_MACHINE\SYSTEM"). */
const char *manifest_hive_name(enum manifest_hive h);
const char *manifest_hive_root(enum manifest_hive h);

/*
 * Does an image meet req? When it does not, why (optional) gets the reasons,
 * e.g. "installation type 'Server Core' is not Server". Unknown facts of the
 * image (NULL arch, build 0) do not count against it.
 */
bool manifest_req_met(const struct manifest_req *req, const struct image_info *info,
		      struct strbuf *why);

#endif
