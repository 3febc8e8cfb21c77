/*
 * fuzz_journal.c - libFuzzer target for the intent journal's reader: any input is
 * accepted or refused without crashing, and an accepted one reads back the same once written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

static void same_step(const struct jstep *a, const struct jstep *b)
{
	if (a->kind != b->kind || a->n != b->n || strcmp(a->path, b->path) ||
	    a->has_old != b->has_old || a->has_new != b->has_new)
		abort();
	if (a->has_old && (a->old_size != b->old_size || memcmp(a->old_sha1, b->old_sha1, 20)))
		abort();
	if (a->has_new && (a->new_size != b->new_size || memcmp(a->new_sha1, b->new_sha1, 20)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsteps s, again;
	wg_opt_quiet = 1;
	if (journal_parse("'fuzz'", (const char *)data, size, &s))
		return 0;
	/* every path stays inside the image */
	for (size_t i = 0; i < s.n; i++) {
		const char *p = s.v[i].path;
		if (!*p || *p == '/' || *p == '\\' || strstr(p, "/../") || !strncmp(p, "../", 3))
			abort();
	}
	if (!s.command && s.n)
		abort();
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, JOURNAL_MAGIC " %ld %s\n", s.pid, s.command ? s.command : "x");
	for (size_t i = 0; i < s.n; i++)
		journal_format_step(&s.v[i], &sb);
	if (s.committed)
		sb_addstr(&sb, "commit\n");
	if (journal_parse("'fuzz'", sb.buf, sb.len, &again) || again.n != s.n ||
	    again.committed != s.committed)
		abort();
	for (size_t i = 0; i < s.n; i++)
		same_step(&s.v[i], &again.v[i]);
	jsteps_release(&again);
	jsteps_release(&s);
	sb_release(&sb);
	return 0;
}
