/*
 * fuzz_regfile.c - libFuzzer target for the .reg parser: any input is parsed
 * without crashing, and whatever parses is written back and parses to the same ops.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regfile.h"

static int has_cr(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

static int same(const struct reg_ops *a, const struct reg_ops *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct reg_op *x = &a->v[i], *y = &b->v[i];
		if (x->kind != y->kind || strcmp(x->key, y->key) || x->type != y->type ||
		    x->len != y->len || (x->len && memcmp(x->data, y->data, x->len)))
			return 0;
		if (!x->name != !y->name || (x->name && strcmp(x->name, y->name)))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_ops ops = { 0 }, back = { 0 };
	struct strbuf out = STRBUF_INIT;
	char *msg = NULL;

	if (regfile_parse_msg("fuzz.reg", data, size, &ops, &msg) != WG_OK) {
		/* a refusal always says where */
		if (!msg || strncmp(msg, "'fuzz.reg' line ", 16))
			abort();
		free(msg);
		return 0;
	}
	for (size_t i = 0; i < ops.n; i++)
		if (has_cr(ops.v[i].key) || has_cr(ops.v[i].name))
			goto out;   /* the writer refuses these by design */
	if (regfile_write_regedit5(&ops, &out) != WG_OK)
		abort();
	if (regfile_parse_msg("back.reg", (const unsigned char *)out.buf, out.len, &back, NULL) != WG_OK)
		abort();
	if (!same(&ops, &back))
		abort();
out:
	sb_release(&out);
	reg_ops_release(&back);
	reg_ops_release(&ops);
	return 0;
}
