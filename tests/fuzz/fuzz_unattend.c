/*
 * fuzz_unattend.c - libFuzzer target for the answer-file edit: any input is refused
 * or edited; an edited file holds the command, and taking it out finds it again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unattend.h"

static const char *cmd = "cmd.exe /c \"%SystemRoot%\\Setup\\Scripts\\wimgraft-lbfo.cmd\"";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf out = STRBUF_INIT, back = STRBUF_INIT;
	bool changed, has, found;
	wg_opt_quiet = 1;
	if (unattend_add((const char *)data, size, "'fuzz.xml'", cmd, "d", &out, &changed) == WG_OK) {
		if (unattend_has(out.buf, out.len, "'out.xml'", cmd, &has) != WG_OK || !has)
			abort();
		if (changed &&
		    (unattend_remove(out.buf, out.len, "'out.xml'", cmd, &back, &found) != WG_OK ||
		     !found))
			abort();
	}
	sb_release(&out);
	sb_release(&back);
	return 0;
}
