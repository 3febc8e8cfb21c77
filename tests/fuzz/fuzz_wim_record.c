/*
 * fuzz_wim_record.c - libFuzzer target for the reader of a WIM's recovery record: any input
 * is accepted or refused without crashing, and an accepted one reads back the same once written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wim_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wim_record r, again;
	wg_opt_quiet = 1;
	if (wim_record_parse("'fuzz'", data, size, &r))
		return 0;
	/* what recovery relies on: ranges ascending, disjoint, inside the size, header first */
	if (!r.n || r.v[0].off != 0 || r.v[0].len < 208)
		abort();
	for (size_t i = 0; i < r.n; i++) {
		if (!r.v[i].len || r.v[i].off + r.v[i].len > r.size ||
		    (i && r.v[i].off < r.v[i - 1].off + r.v[i - 1].len) ||
		    r.v[i].data < data || r.v[i].data + r.v[i].len > data + size)
			abort();
	}
	struct strbuf sb = STRBUF_INIT;
	wim_record_format(&r, &sb);
	if (wim_record_parse("'fuzz'", (const unsigned char *)sb.buf, sb.len, &again) ||
	    again.n != r.n || again.size != r.size || again.pid != r.pid || again.dev != r.dev ||
	    again.ino != r.ino)
		abort();
	for (size_t i = 0; i < r.n; i++)
		if (again.v[i].off != r.v[i].off || again.v[i].len != r.v[i].len ||
		    memcmp(again.v[i].data, r.v[i].data, (size_t)r.v[i].len))
			abort();
	sb_release(&sb);
	return 0;
}
