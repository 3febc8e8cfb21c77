/*
 * tempdir.h - wimgraft's temporary folders: locked while their run lives, and
 * swept at the next run when a killed one left them behind.
 */
#ifndef WIMGRAFT_TEMPDIR_H
#define WIMGRAFT_TEMPDIR_H

#include "error.h"

struct temp_dir {
	char *path;    /* $TMPDIR (else /tmp)/<prefix>XXXXXX */
	int lock_fd;   /* flock'd on <path>/lock while the folder is in use */
};
#define TEMP_DIR_INIT { NULL, -1 }

/*
 * Remove the folders named prefix* that no living run holds, then make a new
 * one and lock it. prefix ends with a dot by convention ("wimgraft-stage.").
 */
enum wg_err temp_dir_create(const char *prefix, struct temp_dir *td);
/* Remove the folder with everything in it, and unlock. Safe on a zeroed or failed td. */
void temp_dir_remove(struct temp_dir *td);

#endif
