/*
 * payload.h - a payload folder written by 'extract' (its files plus
 * wimgraft-payload.xml) read back as a source with one image.
 */
#ifndef WIMGRAFT_PAYLOAD_H
#define WIMGRAFT_PAYLOAD_H

#include <stddef.h>
#include "source.h"

#define PAYLOAD_XML "wimgraft-payload.xml"

struct payload;

enum wg_err payload_open(const char *dir, struct payload **out);
void payload_close(struct payload *p);
enum wg_err payload_image_info(struct payload *p, struct image_info *info);
/* Files whose source path matches pattern (as source_glob), with the payload's recorded hashes. */
enum wg_err payload_glob(struct payload *p, const char *pattern, struct source_file **out, size_t *n);
/* Copy files (by source path) into dir/<source path>, checking their SHA-1. */
enum wg_err payload_extract(struct payload *p, const struct source_file *files, size_t n,
			    const char *dir);

#endif
