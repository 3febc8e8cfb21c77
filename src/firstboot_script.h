/*
 * firstboot_script.h - the feature's first-boot script (Windows/Setup/Scripts/wimgraft-<id>.cmd):
 * every step logged with time and exit status, components checked, one ready line at the end.
 */
#ifndef WIMGRAFT_FIRSTBOOT_SCRIPT_H
#define WIMGRAFT_FIRSTBOOT_SCRIPT_H

#include "error.h"
#include "util.h"

#define FBSCRIPT_DIR "Windows/Setup/Scripts"
/* The log the script appends to, as Windows sees it. */
#define FBSCRIPT_LOG "%SystemRoot%\\Logs\\wimgraft\\firstboot.log"
/* The team script another part of wimgraft writes; run at the end when it exists. */
#define FBSCRIPT_TEAMS "%SystemRoot%\\Setup\\Scripts\\wimgraft-teams.ps1"

/* A network component the script installs with netcfg unless it is installed already. */
struct fbscript_component {
	const char *id;           /* e.g. "ms_lbfo" */
	const char *inf;          /* the INF's path in the image, '/'-separated, e.g. "Windows/INF/x.inf" */
	char netcfg_class;        /* 's' service, 'p' protocol, 'c' client */
	const char *service;      /* the Ndi\Service it runs (checked with sc query), or NULL */
};

struct fbscript_spec {
	const char *feature;      /* manifest id: names the script and starts the ready line */
	const struct fbscript_component *components;
	size_t ncomponents;
	const struct strvec *commands;   /* the manifest's commands, in cmd syntax, run in order */
};

/* "Windows/Setup/Scripts/wimgraft-<feature>.cmd" (new string). */
char *fbscript_path(const char *feature);
/* The script as Windows sees it: "%SystemRoot%\Setup\Scripts\wimgraft-<feature>.cmd", quoted. */
char *fbscript_windows_path(const char *feature);
/* The SetupComplete.cmd line that runs it, and the answer file's command that does. */
char *fbscript_call_line(const char *feature);
char *fbscript_unattend_command(const char *feature);

/*
 * An image path as a quoted cmd argument: "Windows/INF/a b.inf" ->
 * "\"%SystemRoot%\INF\a b.inf\"", a literal % doubled. NULL when the path holds a
 * character cmd cannot carry in quotes (", control characters).
 */
char *fbscript_quote_image_path(const char *path);
/* A command as echo prints it: & | < > ^ outside quotes escaped with ^. */
char *fbscript_echo_text(const char *command);

/*
 * The script text (CRLF lines, UTF-8). Component ids and services must be plain
 * names ([A-Za-z0-9_.-]); anything else is refused with a message (WG_ERR_INF).
 */
enum wg_err fbscript_generate(const struct fbscript_spec *spec, struct strbuf *out);

#endif
