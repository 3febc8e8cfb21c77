/*
 * target_wim.h - the WIM backend of target.h: one target per image of a client
 * WIM, serviced without applying it, and one write of the WIM for all of them.
 */
#ifndef WIMGRAFT_TARGET_WIM_H
#define WIMGRAFT_TARGET_WIM_H

#include <stdbool.h>
#include <stddef.h>

#include "source.h"
#include "target.h"

struct wim_session;

/*
 * Open the WIM to service. output: NULL to update it in place, else the new WIM
 * to write (under a temporary name beside it, renamed at the end; the input is
 * never touched). A split WIM needs output. Nothing is written before commit.
 */
enum wg_err wim_session_open(const char *wim, const char *output, struct wim_session **out);
/*
 * The targets named by spec (-t: an index, a name, or "all"; NULL is allowed only
 * when the WIM holds one image), in image order. The array and the targets belong
 * to the session. Writes, removals and committed hives are queued until commit;
 * look-ups, hashes and reads see the queue first (a file written is read back as
 * written, a removed one is not found). The hive folder holds copies of the image's
 * SYSTEM, SOFTWARE, DRIVERS and DEFAULT, under those names.
 */
enum wg_err wim_session_targets(struct wim_session *s, const char *spec, struct target ***targets,
				size_t *n);
/*
 * Where the payload comes from: a file written from a local copy of a file of image index
 * of src (found by its path's ending and its content) is taken from src with its security
 * descriptor, attributes and times, through an NTFS volume image (needs mkntfs); so is a
 * file written back from a copy_out of the target itself, and a committed hive keeps its
 * own. Files with no such origin, or whose origin has no security descriptor, are added
 * as plain files (attributes NORMAL, no security descriptor). A payload folder as src
 * is ignored.
 */
void wim_session_set_source(struct wim_session *s, struct wg_source *src, int index);
/* Add every file as a plain file (no NTFS volume images). */
void wim_session_plain_add(struct wim_session *s);
/* Write the WIM once, with everything the targets queued (progress when show_progress). */
enum wg_err wim_session_commit(struct wim_session *s, bool show_progress);
void wim_session_close(struct wim_session *s);

#endif
