/*
 * wim_recovery.h - a WIM written in place survives a kill: what the write may change is
 * saved beside it first, and the next run rolls an unfinished write back (or forward).
 */
#ifndef WIMGRAFT_WIM_RECOVERY_H
#define WIMGRAFT_WIM_RECOVERY_H

#include <stdbool.h>

#include "error.h"

/* What wim_recover found. */
enum wim_recovered {
	WIM_REC_NONE,           /* no record: nothing was interrupted */
	WIM_REC_UNTOUCHED,      /* the write had not begun: the WIM is as it was */
	WIM_REC_ROLLED_BACK,    /* the WIM was put back byte for byte */
	WIM_REC_ROLLED_FORWARD, /* the write had completed: the new WIM is kept */
};

/*
 * Under the exclusive lock, before wimlib_overwrite: save (fsync'd, beside the WIM as
 * ".<name>.wimgraft-record") the WIM's size and every byte an in-place write may change
 * below its end: the header, and the blob table, XML data and integrity table onwards.
 */
enum wg_err wim_record_save(const char *wim);
/* The write is complete: the record goes (and the folder is synced). */
enum wg_err wim_record_drop(const char *wim);
/*
 * Finish what a killed run left. write (exclusive lock): a WIM whose write completed (header
 * flag clear, new header, wimlib opens and verifies it) is kept, any other is put back from
 * the record byte for byte; then the record goes. !write: a record is WG_ERR_UNFINISHED.
 * WG_ERR_UNDO: the record is damaged (left alone); WG_ERR_PARTIAL: the WIM cannot be put back.
 */
enum wg_err wim_recover(const char *wim, bool write, enum wim_recovered *what);

#endif
