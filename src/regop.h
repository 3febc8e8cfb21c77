/*
 * regop.h - one registry change as a .reg file or a manifest states it, before
 * it is routed to a hive: the common currency of regfile, manifest and reg_apply.
 */
#ifndef WIMGRAFT_REGOP_H
#define WIMGRAFT_REGOP_H

#include <stddef.h>
#include <stdint.h>

/* Value types, numbered as Windows numbers them. */
enum reg_type {
	REG_NONE = 0,
	REG_SZ = 1,
	REG_EXPAND_SZ = 2,
	REG_BINARY = 3,
	REG_DWORD = 4,
	REG_DWORD_BIG_ENDIAN = 5,
	REG_LINK = 6,
	REG_MULTI_SZ = 7,
	REG_RESOURCE_LIST = 8,
	REG_FULL_RESOURCE_DESCRIPTOR = 9,
	REG_RESOURCE_REQUIREMENTS_LIST = 10,
	REG_QWORD = 11,
};

enum reg_op_kind {
	REG_OP_KEY,           /* [key]: make sure the key exists */
	REG_OP_DELETE_KEY,    /* [-key]: delete the key and everything below it */
	REG_OP_SET_VALUE,     /* "name"=data */
	REG_OP_DELETE_VALUE,  /* "name"=- */
};

struct reg_op {
	enum reg_op_kind kind;
	char *key;            /* full path as written, '\'-separated, e.g.
				 "HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\X" */
	char *name;           /* value name, UTF-8; "" is the default value (@); NULL for key ops */
	uint32_t type;        /* enum reg_type, or any other number hex(N) gave */
	unsigned char *data;  /* raw bytes as the hive stores them (REG_SZ: UTF-16LE with NUL) */
	size_t len;
	const char *origin;   /* file the op came from (borrowed, for messages) */
	unsigned line;        /* line in that file, 0 when unknown */
	unsigned flags;       /* REG_OP_NOCLOBBER, REG_OP_APPEND (from INF AddReg lines) */
};

enum {
	REG_OP_NOCLOBBER = 1 << 0,  /* SET_VALUE: an existing value is left as it is */
	REG_OP_APPEND = 1 << 1,     /* SET_VALUE, REG_MULTI_SZ: strings not there yet are added */
};

struct reg_ops {
	struct reg_op *v;
	size_t n;
	size_t alloc;
};

/* Append a copy of op (key, name and data are duplicated). */
void reg_ops_push(struct reg_ops *ops, const struct reg_op *op);
void reg_ops_release(struct reg_ops *ops);
const char *reg_type_name(uint32_t type);   /* "REG_SZ", ...; "REG_0x1234" style for others (static buffer) */
int reg_type_from_name(const char *name);   /* -1 when unknown */

#endif
