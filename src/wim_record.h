/*
 * wim_record.h - the recovery record of a WIM written in place: the bytes the write may
 * change below the WIM's old end, kept beside it until the write is complete (its format).
 */
#ifndef WIMGRAFT_WIM_RECORD_H
#define WIMGRAFT_WIM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

#define WIM_RECORD_MAGIC "wimgraft-wim-record 1"
#define WIM_RECORD_MAX_RANGES 8
#define WIM_RECORD_MAX_DATA ((uint64_t)256 << 20)

struct wim_range {
	uint64_t off;
	uint64_t len;
	const unsigned char *data;   /* len bytes (borrowed: the parsed buffer, or the writer's) */
};

struct wim_record {
	long pid;                    /* the writer */
	uint64_t size;               /* the WIM's size before the write */
	uint64_t dev, ino;           /* and its file */
	size_t n;
	struct wim_range v[WIM_RECORD_MAX_RANGES];  /* ascending, disjoint, inside size */
};

/*
 * Read a record (untrusted): every line and number checked, ranges ascending, disjoint,
 * inside the size and starting with the header, each with its SHA-1 matching, nothing after
 * the data. WG_ERR_UNDO with one line naming display and what is wrong.
 */
enum wg_err wim_record_parse(const char *display, const unsigned char *buf, size_t len,
			     struct wim_record *r);
/* The record as written: its lines, then the bytes of every range. */
void wim_record_format(const struct wim_record *r, struct strbuf *out);

#endif
