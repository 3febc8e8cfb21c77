/*
 * graft_common.h - what apply, verify and remove share inside the graft engine:
 * reading small files of a target, its undo record, and appending to its log.
 */
#ifndef WIMGRAFT_GRAFT_COMMON_H
#define WIMGRAFT_GRAFT_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"
#include "undo.h"

/* The largest script, record or log read whole. */
#define SMALL_FILE_MAX (4u << 20)

/*
 * Read a small file of the target whole. *found is false (and WG_OK returned)
 * when it does not exist; actual (optional) gets its stored spelling.
 */
enum wg_err target_read_small(struct target *t, const char *rel, char **actual,
			      unsigned char **data, size_t *len, bool *found);
/* The undo record of feature, if the target has one (*found). */
enum wg_err target_read_undo(struct target *t, const char *feature, struct undo_record *u,
			     bool *found);
/* Append one line, time-stamped, to Windows/Logs/wimgraft/wimgraft.log. */
enum wg_err target_append_log(struct target *t, const char *line);
/* The current time, UTC, ISO 8601 (new string). */
char *now_utc(void);
/* Push s unless the vector already holds it. */
void sv_push_unique(struct strvec *sv, const char *s);

#endif
