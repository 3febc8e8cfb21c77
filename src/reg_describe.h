/*
 * reg_describe.h - registry changes and values in words, for --dry-run, reports and
 * the differences verify finds.
 */
#ifndef WIMGRAFT_REG_DESCRIBE_H
#define WIMGRAFT_REG_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#include "reg_change.h"
#include "regop.h"
#include "util.h"

/*
 * One line for --dry-run and reports:
 * SYSTEM\ControlSet001\Services\X: "Start" REG_DWORD 0x3 (replaces REG_DWORD 0x2)
 */
void reg_change_describe(const struct reg_change *c, struct strbuf *out);
/* The same change seen as a difference ("Start" is REG_DWORD 0x2, expected REG_DWORD 0x3). */
void reg_change_describe_difference(const struct reg_change *c, struct strbuf *out);
/* A value for messages: REG_DWORD 0x3, REG_SZ "text", REG_BINARY 16 bytes dd,07,... */
void reg_value_describe(uint32_t type, const unsigned char *data, size_t len, struct strbuf *out);

#endif
