/*
 * payload.h - a payload folder written by 'extract' (its files plus
 * wimgraft-payload.xml) read back as a source with one image.
 */
#ifndef WIMGRAFT_PAYLOAD_H
#define WIMGRAFT_PAYLOAD_H

#include <stddef.h>
#include "source_ops.h"

#define PAYLOAD_XML "wimgraft-payload.xml"

struct payload;

/* Read dir's payload description and check its files are there; reports its own errors. */
enum wg_err payload_open(const char *dir, struct payload **out);
/* What a payload folder does as a source (priv: what payload_open gave). */
extern const struct source_ops payload_source_ops;

#endif
