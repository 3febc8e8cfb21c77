/*
 * fuzz_mountinfo.c - libFuzzer target for the /proc/self/mountinfo line reader: any input
 * is read without crashing, and a line it accepts gives a device number and three strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_entry e;
	if (!mountinfo_parse_line((const char *)data, size, &e))
		return 0;
	if (!e.mount_point || !e.type || !e.source)
		abort();
	(void)fs_kind_of(e.type, e.source, 0);
	mount_entry_release(&e);
	return 0;
}
