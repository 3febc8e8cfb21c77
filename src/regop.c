/*
 * regop.c - the list of registry operations shared by the .reg parser, the
 * manifest and the hive editor, and the names of value types.
 */
#include "regop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const type_names[] = {
	[REG_NONE] = "REG_NONE",
	[REG_SZ] = "REG_SZ",
	[REG_EXPAND_SZ] = "REG_EXPAND_SZ",
	[REG_BINARY] = "REG_BINARY",
	[REG_DWORD] = "REG_DWORD",
	[REG_DWORD_BIG_ENDIAN] = "REG_DWORD_BIG_ENDIAN",
	[REG_LINK] = "REG_LINK",
	[REG_MULTI_SZ] = "REG_MULTI_SZ",
	[REG_RESOURCE_LIST] = "REG_RESOURCE_LIST",
	[REG_FULL_RESOURCE_DESCRIPTOR] = "REG_FULL_RESOURCE_DESCRIPTOR",
	[REG_RESOURCE_REQUIREMENTS_LIST] = "REG_RESOURCE_REQUIREMENTS_LIST",
	[REG_QWORD] = "REG_QWORD",
};

void reg_ops_push(struct reg_ops *ops, const struct reg_op *op)
{
	if (ops->n == ops->alloc) {
		ops->alloc = ops->alloc ? ops->alloc * 2 : 16;
		ops->v = xrealloc(ops->v, ops->alloc * sizeof(*ops->v));
	}
	struct reg_op *o = &ops->v[ops->n++];
	*o = *op;
	o->key = xstrdup(op->key);
	o->name = op->name ? xstrdup(op->name) : NULL;
	if (op->data) {
		o->data = xmalloc(op->len);
		memcpy(o->data, op->data, op->len);
	} else {
		o->data = NULL;
	}
}

void reg_ops_release(struct reg_ops *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		free(ops->v[i].key);
		free(ops->v[i].name);
		free(ops->v[i].data);
	}
	free(ops->v);
	ops->v = NULL;
	ops->n = ops->alloc = 0;
}

const char *reg_type_name(uint32_t type)
{
	static char buf[32];
	if (type < ARRAY_SIZE(type_names) && type_names[type])
		return type_names[type];
	snprintf(buf, sizeof(buf), "REG_0x%x", type);
	return buf;
}

int reg_type_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i] && !strcmp(type_names[i], name))
			return (int)i;
	return -1;
}
