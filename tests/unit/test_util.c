/*
 * test_util.c - UTF-8 <-> UTF-16LE conversions checked against glibc's iconv, invalid
 * sequences refused; globs checked against fnmatch, hex digits against strtol; trees
 * removed without following links.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fnmatch.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shell.h"
#include "util.h"

/* The same conversion by iconv: a new buffer and its length, NULL when iconv refuses. */
static unsigned char *by_iconv(const char *to, const char *from, const void *in, size_t len,
			       size_t *out_len)
{
	iconv_t cd = iconv_open(to, from);
	assert_true(cd != (iconv_t)-1);
	size_t cap = len * 4 + 4, left = cap;
	unsigned char *out = malloc(cap);
	char *ip = (char *)in, *op = (char *)out;
	size_t il = len;
	size_t r = iconv(cd, &ip, &il, &op, &left);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(out);
		return NULL;
	}
	*out_len = cap - left;
	return out;
}

static const char *const texts[] = {
	"",
	"plain ASCII",
	"Microsoft Network Adapter Multiplexor Driver",
	"caf\xc3\xa9 \xc3\x9f\xc3\xbc",                  /* 2-byte sequences */
	"\xe2\x82\xac \xe4\xb8\xad\xe6\x96\x87 \xef\xbf\xbd",  /* 3-byte, U+FFFD */
	"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",             /* 4-byte: surrogate pairs */
	"\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80", /* edges */
};

static void test_utf16_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n, want_n;
		unsigned char *u16 = utf8_to_utf16le(texts[i], strlen(texts[i]), &n);
		assert_non_null(u16);
		unsigned char *want = by_iconv("UTF-16LE", "UTF-8", texts[i], strlen(texts[i]), &want_n);
		assert_non_null(want);
		assert_int_equal(n, want_n);
		assert_memory_equal(u16, want, n);
		/* and back, with a NUL terminator the reader stops at */
		u16[n] = u16[n + 1] = 0;
		char *back = utf16le_to_utf8(u16, n + 2);
		assert_non_null(back);
		assert_string_equal(back, texts[i]);
		free(back);
		free(u16);
		free(want);
	}
}

static void test_utf8_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\x80",                 /* continuation byte first */
		"\xc3",                 /* cut short */
		"\xe2\x82",
		"\xc0\xaf",             /* overlong '/' */
		"\xe0\x80\xaf",
		"\xed\xa0\x80",         /* a surrogate, U+D800 */
		"\xf4\x90\x80\x80",     /* beyond U+10FFFF */
		"\xf8\x88\x80\x80\x80", /* 5-byte form */
		"ok\xffok",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n, m;
		assert_null(utf8_to_utf16le(bad[i], strlen(bad[i]), &n));
		/* iconv agrees that these are not UTF-8 */
		assert_null(by_iconv("UTF-16LE", "UTF-8", bad[i], strlen(bad[i]), &m));
	}
}

static void test_utf16_refused(void **state)
{
	(void)state;
	static const unsigned char lone_high[] = { 'a', 0, 0x3d, 0xd8, 'b', 0 };
	static const unsigned char lone_low[] = { 0x00, 0xdc, 'a', 0 };
	static const unsigned char high_at_end[] = { 'a', 0, 0x3d, 0xd8 };
	static const unsigned char two_high[] = { 0x3d, 0xd8, 0x3d, 0xd8 };
	assert_null(utf16le_to_utf8(lone_high, sizeof(lone_high)));
	assert_null(utf16le_to_utf8(lone_low, sizeof(lone_low)));
	assert_null(utf16le_to_utf8(high_at_end, sizeof(high_at_end)));
	assert_null(utf16le_to_utf8(two_high, sizeof(two_high)));
	/* an odd trailing byte is ignored; reading stops at the first NUL unit */
	static const unsigned char odd[] = { 'h', 0, 'i', 0, 'x' };
	static const unsigned char stop[] = { 'h', 0, 0, 0, 'i', 0 };
	char *s = utf16le_to_utf8(odd, sizeof(odd));
	assert_string_equal(s, "hi");
	free(s);
	s = utf16le_to_utf8(stop, sizeof(stop));
	assert_string_equal(s, "h");
	free(s);
}

static void test_decode_and_encode(void **state)
{
	(void)state;
	/* every code point class encodes as iconv does and decodes back */
	static const uint32_t cps[] = { 0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
					0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff };
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_add_utf8(&sb, cps[i]);
		uint32_t le = cps[i];   /* UTF-32LE on this little- or big-endian host */
		unsigned char in[4] = { le & 0xff, (le >> 8) & 0xff, (le >> 16) & 0xff, le >> 24 };
		size_t n;
		unsigned char *want = by_iconv("UTF-8", "UTF-32LE", in, 4, &n);
		assert_non_null(want);
		assert_int_equal(sb.len, n);
		assert_memory_equal(sb.buf, want, n);
		uint32_t cp = 0xdead;
		assert_int_equal(utf8_decode((unsigned char *)sb.buf, sb.len, &cp), n);
		assert_int_equal(cp, cps[i]);
		free(want);
		sb_release(&sb);
	}
}

static void test_case_insensitive(void **state)
{
	(void)state;
	assert_true(wg_streq_nocase("ControlSet001", "CONTROLSET001"));
	assert_true(wg_streq_nocase("", ""));
	assert_false(wg_streq_nocase("Services", "Service"));
	assert_false(wg_streq_nocase("\xc3\xa9", "\xc3\x89"));  /* ASCII only, as Windows' upcase of ASCII */
	assert_true(wg_strcasecmp("abc", "ABD") < 0);
	assert_true(wg_strcasecmp("b", "A") > 0);
	assert_true(wg_strcasecmp("_", "a") < 0);   /* '_' (0x5f) before 'a', not after 'A' */
}

static void test_glob(void **state)
{
	(void)state;
	static const char *const pats[] = {
		"*", "?", "*.inf", "*.INF", "mslbfo*", "*lbfo*.sys", "MsLbfoProvider.sys", "m?lbfo*",
		"*_amd64_*", "**", "*?", "?*?", "a*b*c", "*.", "", "*x", "x*", "*.inf_amd64_*",
	};
	static const char *const names[] = {
		"mslbfoprovider.inf", "MsLbfoProvider.sys", "netlbfo.inf", "", "a", "ab", "abc", "aXbYc",
		"acb", "mslbfoprovider.inf_amd64_f9d27a6b05ef21aa", "x", "file.", ".hidden", "axxbxxcxx",
	};
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			bool want = fnmatch(pats[i], names[j], FNM_NOESCAPE | FNM_CASEFOLD) == 0;
			if (wg_glob_match(pats[i], names[j]) != want)
				fail_msg("'%s' against '%s': fnmatch says %d", pats[i], names[j], want);
			checked++;
		}
	assert_int_equal(checked, 18 * 14);
	assert_true(wg_glob_match("*.inf", "NETLBFO.INF"));
	assert_false(wg_glob_match("*.inf", "netlbfo.inf.bak"));
}

static void test_utf16z_and_hex(void **state)
{
	(void)state;
	size_t n;
	unsigned char *u = utf8_to_utf16z("Net", 3, &n);
	assert_int_equal(n, 8);
	assert_memory_equal(u, "N\0e\0t\0\0\0", 8);
	free(u);
	assert_null(utf8_to_utf16z("\xff", 1, &n));
	/* every byte value against strtol's idea of a hex digit */
	for (int c = 0; c < 256; c++) {
		char s[2] = { (char)c, 0 }, *end;
		long v = strtol(s, &end, 16);
		int want = (c && *end == 0 && c != ' ' && c != '+' && c != '-') ? (int)v : -1;
		assert_int_equal(wg_hexval(c), want);
	}
}

static void test_remove_tree(void **state)
{
	(void)state;
	char dir[] = "/tmp/wg-test-util.XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* a tree holding a link to a folder outside it: the link goes, the folder stays whole */
	assert_int_equal(run("cd '%s' && mkdir -p keep/sub tree/a/b && echo x > keep/sub/f && "
			     "echo y > tree/a/b/g && ln -s ../../keep tree/a/link && ln -s keep/sub/f tree/flink",
			     dir), 0);
	char *tree = xasprintf("%s/tree", dir);
	wg_remove_tree(tree);
	assert_int_equal(run("cd '%s' && test ! -e tree && test ! -L tree && test -f keep/sub/f", dir), 0);
	/* a link given as the tree itself is removed, not followed */
	assert_int_equal(run("cd '%s' && ln -s keep tree", dir), 0);
	wg_remove_tree(tree);
	assert_int_equal(run("cd '%s' && test ! -L tree && test -f keep/sub/f", dir), 0);
	free(tree);
	run("rm -rf '%s'", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf16_round_trip),
		cmocka_unit_test(test_utf8_refused),
		cmocka_unit_test(test_utf16_refused),
		cmocka_unit_test(test_decode_and_encode),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_utf16z_and_hex),
		cmocka_unit_test(test_remove_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
