/*
 * test_wim_record.c - the recovery record of a WIM written in place: written and read back,
 * and every kind of damage refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wim_record.h"

static unsigned char header[208], tail[100];

static void make(struct strbuf *sb)
{
	struct wim_record r = { .pid = 42, .size = 1000, .dev = 7, .ino = 9, .n = 2 };
	memset(header, 'h', sizeof(header));
	memset(tail, 't', sizeof(tail));
	r.v[0] = (struct wim_range){ 0, sizeof(header), header };
	r.v[1] = (struct wim_range){ 900, sizeof(tail), tail };
	wim_record_format(&r, sb);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct wim_record r;
	make(&sb);
	assert_int_equal(wim_record_parse("'t'", (unsigned char *)sb.buf, sb.len, &r), WG_OK);
	assert_int_equal(r.pid, 42);
	assert_int_equal(r.size, 1000);
	assert_int_equal(r.ino, 9);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].off, 900);
	assert_memory_equal(r.v[1].data, tail, sizeof(tail));
	sb_release(&sb);
}

/* The record with the first occurrence of from replaced by to, parsed. */
static enum wg_err parse_edited(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	struct wim_record r;
	make(&sb);
	char *at = memmem(sb.buf, sb.len, from, strlen(from));
	assert_non_null(at);
	sb_add(&out, sb.buf, (size_t)(at - sb.buf));
	sb_addstr(&out, to);
	sb_add(&out, at + strlen(from), sb.len - (size_t)(at - sb.buf) - strlen(from));
	enum wg_err ret = wim_record_parse("'t'", (unsigned char *)out.buf, out.len, &r);
	sb_release(&sb);
	sb_release(&out);
	return ret;
}

static void test_damage(void **state)
{
	(void)state;
	wg_opt_quiet = 1;
	assert_int_equal(parse_edited("record 1 42", "record 2 42"), WG_ERR_UNDO);
	assert_int_equal(parse_edited("record 1 42", "record 1 042"), WG_ERR_UNDO);
	assert_int_equal(parse_edited("wim 1000", "wim 950"), WG_ERR_UNDO);        /* range outside */
	assert_int_equal(parse_edited("range 900", "range 100"), WG_ERR_UNDO);     /* overlaps header */
	assert_int_equal(parse_edited("range 0 208", "range 1 208"), WG_ERR_UNDO); /* not the header */
	assert_int_equal(parse_edited("range 900 100", "range 900 99"), WG_ERR_UNDO);
	assert_int_equal(parse_edited("tttt", "tttu"), WG_ERR_UNDO);               /* SHA-1 */
	assert_int_equal(parse_edited("data\n", "data\nX"), WG_ERR_UNDO);          /* extra byte */
	assert_int_equal(parse_edited("wim 1000 7 9", "wim 1000 7 99999999999999999999"),
			 WG_ERR_UNDO);
	assert_int_equal(parse_edited("data\n", ""), WG_ERR_UNDO);
	wg_opt_quiet = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
