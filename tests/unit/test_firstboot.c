/*
 * test_firstboot.c - the SetupComplete.cmd block: added once, replaced in place,
 * removed, and the rest of the script kept byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "firstboot.h"

static struct strvec cmds(const char *a, const char *b)
{
	struct strvec v = STRVEC_INIT;
	if (a)
		sv_push(&v, a);
	if (b)
		sv_push(&v, b);
	return v;
}

static void test_new_script(void **state)
{
	(void)state;
	struct strvec v = cmds("sc start MsLbfoProvider", NULL);
	struct strbuf out = STRBUF_INIT;
	firstboot_add(NULL, 0, "lbfo", &v, &out, NULL);
	assert_string_equal(out.buf,
		"@echo off\r\n"
		"rem >>> wimgraft lbfo: begin (added by wimgraft; 'wimgraft remove' deletes this block)\r\n"
		"sc start MsLbfoProvider\r\n"
		"rem <<< wimgraft lbfo: end\r\n");
	bool found;
	struct strbuf back = STRBUF_INIT;
	firstboot_remove(out.buf, out.len, "lbfo", "@echo off\r\n", &back, &found);
	assert_true(found);
	assert_true(firstboot_is_blank(back.buf, back.len));
	sb_release(&out);
	sb_release(&back);
	sv_clear(&v);
}

static void test_existing_kept_and_no_duplicate(void **state)
{
	(void)state;
	const char *orig = "@echo off\r\nnet user admin /active:yes\r\nrem tail without newline";
	struct strvec v = cmds("a", "b");
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT, removed = STRBUF_INIT;
	const char *lead, *lead2;
	firstboot_add(orig, strlen(orig), "lbfo", &v, &once, &lead);
	assert_string_equal(lead, "\r\n");
	assert_non_null(strstr(once.buf, "net user admin"));
	firstboot_add(once.buf, once.len, "lbfo", &v, &twice, &lead2);
	assert_string_equal(lead2, "");
	assert_string_equal(once.buf, twice.buf);
	bool found;
	firstboot_remove(twice.buf, twice.len, "lbfo", lead, &removed, &found);
	assert_true(found);
	assert_string_equal(removed.buf, orig);
	assert_false(firstboot_is_blank(removed.buf, removed.len));
	sb_release(&once);
	sb_release(&twice);
	sb_release(&removed);
	sv_clear(&v);
}

static void test_replace_in_place_other_feature_untouched(void **state)
{
	(void)state;
	struct strvec v1 = cmds("old", NULL), v2 = cmds("new", NULL), w = cmds("other", NULL);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, d = STRBUF_INIT;
	firstboot_add(NULL, 0, "lbfo", &v1, &a, NULL);
	firstboot_add(a.buf, a.len, "hyperv", &w, &b, NULL);
	firstboot_add(b.buf, b.len, "lbfo", &v2, &c, NULL);
	assert_null(strstr(c.buf, "old\r\n"));
	assert_non_null(strstr(c.buf, "new\r\n"));
	assert_true(strstr(c.buf, "new\r\n") < strstr(c.buf, "other\r\n"));
	bool found;
	firstboot_remove(c.buf, c.len, "lbfo", "", &d, &found);
	assert_true(found);
	assert_non_null(strstr(d.buf, "rem >>> wimgraft hyperv: begin"));
	assert_null(strstr(d.buf, "wimgraft lbfo"));
	sb_release(&a);
	sb_release(&b);
	sb_release(&c);
	sb_release(&d);
	sv_clear(&v1);
	sv_clear(&v2);
	sv_clear(&w);
}

static void test_remove_absent(void **state)
{
	(void)state;
	const char *orig = "echo hi\n";
	struct strbuf out = STRBUF_INIT;
	bool found = true;
	firstboot_remove(orig, strlen(orig), "lbfo", "", &out, &found);
	assert_false(found);
	assert_string_equal(out.buf, orig);
	sb_release(&out);
}

static void test_empty_script_and_stray_marker(void **state)
{
	(void)state;
	struct strvec v = cmds("x", NULL);
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, d = STRBUF_INIT;
	const char *lead;
	bool found;
	/* an empty script gets a header, and loses it again */
	firstboot_add("", 0, "lbfo", &v, &a, &lead);
	assert_string_equal(lead, "@echo off\r\n");
	firstboot_remove(a.buf, a.len, "lbfo", lead, &b, &found);
	assert_true(found);
	assert_int_equal(b.len, 0);
	/* a user's line that looks like a begin marker above the block is kept */
	const char *stray = "echo a\nrem >>> wimgraft lbfo: begin\n";
	firstboot_add(stray, strlen(stray), "lbfo", &v, &c, &lead);
	firstboot_remove(c.buf, c.len, "lbfo", lead, &d, &found);
	assert_true(found);
	assert_string_equal(d.buf, stray);
	sb_release(&a);
	sb_release(&b);
	sb_release(&c);
	sb_release(&d);
	sv_clear(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_script),
		cmocka_unit_test(test_existing_kept_and_no_duplicate),
		cmocka_unit_test(test_replace_in_place_other_feature_untouched),
		cmocka_unit_test(test_remove_absent),
		cmocka_unit_test(test_empty_script_and_stray_marker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
