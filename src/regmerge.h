/*
 * regmerge.h - what an INF AddReg flag makes of a value already in the hive:
 * NOCLOBBER keeps it, APPEND adds the strings a REG_MULTI_SZ lacks.
 */
#ifndef WIMGRAFT_REGMERGE_H
#define WIMGRAFT_REGMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "hive.h"
#include "regop.h"

/*
 * The type and data op (REG_OP_SET_VALUE with REG_OP_NOCLOBBER or
 * REG_OP_APPEND) writes at path of h, given what is there now: *data is a new
 * buffer. Without a flag, or without a value there, op's own type and data.
 */
enum wg_err regmerge_value(struct hive *h, const char *path, const struct reg_op *op,
			   uint32_t *type, unsigned char **data, size_t *len);

/* REG_MULTI_SZ data a with every string of b it lacks added at its end (new buffer). */
unsigned char *regmerge_multi_sz(const unsigned char *a, size_t alen, const unsigned char *b,
				 size_t blen, size_t *len);

#endif
