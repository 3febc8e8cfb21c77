/*
 * target_info.h - what an image says of itself in SOFTWARE\Microsoft\Windows NT\CurrentVersion,
 * for targets that have no other description (an image folder).
 */
#ifndef WIMGRAFT_TARGET_INFO_H
#define WIMGRAFT_TARGET_INFO_H

#include <stdbool.h>

#include "target.h"

/* A target_ops info: *known is false (info empty) when the image has no readable SOFTWARE hive. */
enum wg_err target_hive_info(struct target *t, struct image_info *info, bool *known);

#endif
