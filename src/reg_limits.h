/*
 * reg_limits.h - bounds on what one list of registry operations may ask of hivex, checked
 * before anything is changed.
 */
#ifndef WIMGRAFT_REG_LIMITS_H
#define WIMGRAFT_REG_LIMITS_H

#include "error.h"
#include "reg_hives.h"
#include "regop.h"

/*
 * At most this many new subkeys under one key. hivex copies a key's whole subkey list into a
 * new cell for each subkey it adds and never reuses the old one: N new subkeys of one key cost
 * O(N^2) time and leave about 4 N^2 bytes of dead cells in the hive (measured with hivex
 * 1.3.23 on the real SYSTEM hive: 512 -> 1.4 MiB, 1,000 -> 5.2 MiB, 5,000 -> 105 MiB).
 */
#define REG_MAX_NEW_SUBKEYS 512

/*
 * Refuse ops that would add more than REG_MAX_NEW_SUBKEYS new subkeys under one key of the
 * hives of s: WG_ERR_TOO_LARGE, one line naming the file (op origin and line) and the key.
 * Only reads the hives (in memory).
 */
enum wg_err reg_check_limits(struct hive_set *s, const struct reg_ops *ops);

#endif
