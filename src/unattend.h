/*
 * unattend.h - the image's answer file (Windows/Panther/unattend.xml) edited with libxml2:
 * one RunSynchronousCommand added to, found in or removed from the specialize pass.
 */
#ifndef WIMGRAFT_UNATTEND_H
#define WIMGRAFT_UNATTEND_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

#define UNATTEND_PATH "Windows/Panther/unattend.xml"
#define UNATTEND_NS "urn:schemas-microsoft-com:unattend"
#define UNATTEND_WCM_NS "http://schemas.microsoft.com/WMIConfig/2002/State"
/* Largest answer file read. */
#define UNATTEND_MAX_SIZE (1u << 20)

/*
 * The answer file text (text NULL: a new file) with command added to the
 * specialize pass (component Microsoft-Windows-Deployment, amd64, RunSynchronous),
 * Order one above the highest there; every other node, namespace and Order kept.
 * *changed is false (and out a copy of text) when the command is there already.
 * display names the file in messages; a file that is not an answer file
 * (another root, another namespace, a DTD) is refused with WG_ERR_ANSWER_FILE.
 */
enum wg_err unattend_add(const char *text, size_t len, const char *display, const char *command,
			 const char *description, struct strbuf *out, bool *changed);
/* The same text without the command (*found false when it is not there). */
enum wg_err unattend_remove(const char *text, size_t len, const char *display,
			    const char *command, struct strbuf *out, bool *found);
/* Does the specialize pass run command? */
enum wg_err unattend_has(const char *text, size_t len, const char *display, const char *command,
			 bool *has);

#endif
