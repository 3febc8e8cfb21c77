/*
 * test_regfile.c - the .reg parser and writer: every accepted form, malformed
 * inputs rejected with their line, and parse(write(ops)) == ops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "regfile.h"

#define H5 "Windows Registry Editor Version 5.00\r\n"

static enum wg_err parse_str(const char *text, struct reg_ops *ops, char **msg)
{
	return regfile_parse_msg("t.reg", (const unsigned char *)text, strlen(text), ops, msg);
}

static void parse_ok(const char *text, struct reg_ops *ops)
{
	char *msg = NULL;
	enum wg_err err = parse_str(text, ops, &msg);
	if (err)
		fail_msg("unexpected error: %s", msg ? msg : "?");
	assert_null(msg);
}

/* UTF-16LE of an ASCII string, with the 2-byte terminator. */
static size_t u16z(const char *s, unsigned char *out)
{
	size_t n = 0;
	for (; *s; s++) {
		out[n++] = (unsigned char)*s;
		out[n++] = 0;
	}
	out[n++] = 0;
	out[n++] = 0;
	return n;
}

static void assert_sz(const struct reg_op *op, const char *text)
{
	unsigned char want[512];
	size_t n = u16z(text, want);
	assert_int_equal(op->kind, REG_OP_SET_VALUE);
	assert_int_equal(op->type, REG_SZ);
	assert_int_equal(op->len, n);
	assert_memory_equal(op->data, want, n);
}

static void assert_dword(const struct reg_op *op, uint32_t v)
{
	unsigned char want[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };
	assert_int_equal(op->kind, REG_OP_SET_VALUE);
	assert_int_equal(op->type, REG_DWORD);
	assert_int_equal(op->len, 4);
	assert_memory_equal(op->data, want, 4);
}

static void assert_ops_equal(const struct reg_ops *a, const struct reg_ops *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct reg_op *x = &a->v[i], *y = &b->v[i];
		assert_int_equal(x->kind, y->kind);
		assert_string_equal(x->key, y->key);
		if (x->name || y->name) {
			assert_non_null(x->name);
			assert_non_null(y->name);
			assert_string_equal(x->name, y->name);
		}
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->len, y->len);
		if (x->len)
			assert_memory_equal(x->data, y->data, x->len);
	}
}

/* UTF-8 text (ASCII and U+00A0 only here) as UTF-16LE with BOM, LF turned into CRLF. */
static unsigned char *to_utf16_crlf(const char *text, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "\xFF\xFE", 2);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		unsigned c = *p;
		if (c == 0xC2 && p[1] == 0xA0) {
			c = 0xA0;
			p++;
		}
		if (c == '\n')
			sb_add(&sb, "\r\0", 2);
		sb_addch(&sb, (int)c);
		sb_addch(&sb, 0);
	}
	*len = sb.len;
	return (unsigned char *)sb_detach(&sb);
}

static const char *fixture_path(void)
{
	return "tests/fixtures/reg/Enable_Lbfo.reg"; /* run from the checkout, as tests/run.sh does */
}

/* ---- accepted forms ---- */

static void test_fixture(void **state)
{
	(void)state;
	struct reg_ops ops = { 0 };
	FILE *f = fopen(fixture_path(), "rb");
	if (!f)
		skip();
	fclose(f);
	assert_int_equal(regfile_load(fixture_path(), &ops), WG_OK);
	/* 6 keys, 7 + 7 + 3 + 3 + 1 values */
	size_t keys = 0, values = 0;
	for (size_t i = 0; i < ops.n; i++) {
		if (ops.v[i].kind == REG_OP_KEY)
			keys++;
		else
			values++;
	}
	assert_int_equal(keys, 6);
	assert_int_equal(values, 21);
	assert_int_equal(ops.v[0].kind, REG_OP_KEY);
	assert_string_equal(ops.v[0].key,
			    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\MsLbfoProvider");
	assert_int_equal(ops.v[0].line, 3);
	assert_string_equal(ops.v[1].name, "Description");
	assert_sz(&ops.v[1], "@%SystemRoot%\\System32\\drivers\\MsLbfoProvider.sys,-501");
	assert_string_equal(ops.v[3].name, "ErrorControl");
	assert_dword(&ops.v[3], 1);
	assert_string_equal(ops.v[5].name, "ImagePath");
	assert_int_equal(ops.v[5].type, REG_EXPAND_SZ);
	assert_int_equal(ops.v[5].line, 8);
	unsigned char want[200];
	size_t n = u16z("System32\\drivers\\MsLbfoProvider.sys", want);
	assert_int_equal(ops.v[5].len, n);
	assert_memory_equal(ops.v[5].data, want, n);
	assert_string_equal(ops.v[6].name, "Start");
	assert_int_equal(ops.v[6].line, 12);
	assert_dword(&ops.v[6], 3);
	const struct reg_op *ts = &ops.v[10];
	assert_string_equal(ts->name, "InstallTimeStamp");
	assert_int_equal(ts->type, REG_BINARY);
	assert_int_equal(ts->len, 16);
	assert_memory_equal(ts->data, "\xdd\x07\x0c\x00\x04\x00\x05\x00\0\0\0\0\0\0\0\0", 16);
	const struct reg_op *last = &ops.v[ops.n - 1];
	assert_string_equal(last->name, "ProviderGuid");
	n = u16z("{387ed463-8b1b-42c9-9ef0-803fdfd5d94e}", want);
	assert_int_equal(last->len, n);
	assert_memory_equal(last->data, want, n);
	assert_string_equal(last->origin, fixture_path());

	/* the UTF-16LE, BOM, CRLF form of the same file gives the same ops */
	unsigned char *raw;
	size_t rawlen, wlen;
	assert_int_equal(read_file(fixture_path(), 0, &raw, &rawlen), WG_OK);
	unsigned char *w = to_utf16_crlf((const char *)raw, &wlen);
	struct reg_ops ops16 = { 0 };
	assert_int_equal(regfile_parse_msg("x16.reg", w, wlen, &ops16, NULL), WG_OK);
	assert_ops_equal(&ops, &ops16);
	for (size_t i = 0; i < ops.n; i++)
		assert_int_equal(ops.v[i].line, ops16.v[i].line);
	free(w);
	free(raw);
	reg_ops_release(&ops16);
	reg_ops_release(&ops);
}

static void test_forms(void **state)
{
	(void)state;
	struct reg_ops ops = { 0 };
	parse_ok("\xEF\xBB\xBF" H5
		 "; a comment\r\n"
		 "\r\n"
		 "  \t\r\n"
		 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A b]\r\n"
		 "@=\"default\"\r\n"
		 "\"q\\\"uote\\\\\"=\"c:\\\\x \\\"y\\\"\"\r\n"
		 "\"d1\"=dword:1\r\n"
		 "\"d2\"=DWORD:FFFFFFFF\r\n"
		 "\"spaces\" = dword:0000002a ; trailing comment\r\n"
		 "\"empty\"=hex:\r\n"
		 "\"q\"=hex(b):01,02,03,04,05,06,07,08\r\n"
		 "\"m\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
		 "\"none\"=hex(0):\r\n"
		 "\"big\"=hex(ffff0001):1,a,FF\r\n"
		 "\"cont\"=hex:01,02,\\\r\n"
		 "  03,04\\\r\n"
		 "\t05\r\n"
		 "\"gone\"=-\r\n"
		 "@=-\r\n"
		 "\"\"=\"also default\"\r\n"
		 "\r\n"
		 "\xC2\xA0\r\n"
		 "[-HKLM\\SYSTEM\\Old]\r\n"
		 "[HKU\\.DEFAULT\\K\xC3\xA9y]\r\n"
		 "\"\xE2\x82\xAC\"=\"\xE2\x82\xAC\"\r\n", &ops);
	assert_int_equal(ops.n, 18);
	assert_int_equal(ops.v[0].kind, REG_OP_KEY);
	assert_string_equal(ops.v[0].key, "HKEY_LOCAL_MACHINE\\SOFTWARE\\A b");
	assert_int_equal(ops.v[0].line, 5);
	assert_string_equal(ops.v[1].name, "");
	assert_sz(&ops.v[1], "default");
	assert_string_equal(ops.v[2].name, "q\"uote\\");
	assert_sz(&ops.v[2], "c:\\x \"y\"");
	assert_dword(&ops.v[3], 1);
	assert_dword(&ops.v[4], 0xFFFFFFFF);
	assert_string_equal(ops.v[5].name, "spaces");
	assert_dword(&ops.v[5], 42);
	assert_int_equal(ops.v[6].type, REG_BINARY);
	assert_int_equal(ops.v[6].len, 0);
	assert_int_equal(ops.v[7].type, REG_QWORD);
	assert_int_equal(ops.v[7].len, 8);
	assert_memory_equal(ops.v[7].data, "\1\2\3\4\5\6\7\x08", 8);
	assert_int_equal(ops.v[8].type, REG_MULTI_SZ);
	assert_int_equal(ops.v[8].len, 10);
	assert_int_equal(ops.v[9].type, REG_NONE);
	assert_int_equal(ops.v[10].type, 0xffff0001u);
	assert_memory_equal(ops.v[10].data, "\x01\x0a\xff", 3);
	assert_int_equal(ops.v[11].len, 5);
	assert_memory_equal(ops.v[11].data, "\1\2\3\4\5", 5);
	assert_int_equal(ops.v[11].line, 16);
	assert_int_equal(ops.v[12].kind, REG_OP_DELETE_VALUE);
	assert_string_equal(ops.v[12].name, "gone");
	assert_int_equal(ops.v[12].line, 19);
	assert_int_equal(ops.v[13].kind, REG_OP_DELETE_VALUE);
	assert_string_equal(ops.v[13].name, "");
	assert_string_equal(ops.v[14].name, "");
	assert_sz(&ops.v[14], "also default");
	assert_int_equal(ops.v[15].kind, REG_OP_DELETE_KEY);
	assert_string_equal(ops.v[15].key, "HKLM\\SYSTEM\\Old");
	assert_int_equal(ops.v[15].line, 24);
	assert_string_equal(ops.v[16].key, "HKU\\.DEFAULT\\K\xC3\xA9y");
	assert_string_equal(ops.v[17].name, "\xE2\x82\xAC");
	assert_int_equal(ops.v[17].len, 4);
	assert_memory_equal(ops.v[17].data, "\xAC\x20\0\0", 4);
	reg_ops_release(&ops);
}

static void test_regedit4(void **state)
{
	(void)state;
	struct reg_ops ops = { 0 };
	/* Windows-1252 bytes (not UTF-8): e-acute and the euro sign */
	parse_ok("REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"n\xe9\"=\"\x80\"\n"
		 "\"p\"=hex(2):25,41,25,00\n", &ops);
	assert_int_equal(ops.n, 3);
	assert_string_equal(ops.v[1].name, "n\xC3\xA9");
	assert_int_equal(ops.v[1].len, 4);
	assert_memory_equal(ops.v[1].data, "\xAC\x20\0\0", 4);
	/* REGEDIT4 hex(2) holds ANSI bytes: they become UTF-16LE */
	assert_int_equal(ops.v[2].type, REG_EXPAND_SZ);
	assert_int_equal(ops.v[2].len, 8);
	assert_memory_equal(ops.v[2].data, "%\0A\0%\0\0\0", 8);
	reg_ops_release(&ops);

	/* valid UTF-8 in a REGEDIT4 file is read as UTF-8 */
	parse_ok("REGEDIT4\r\n[HKLM\\SOFTWARE\\X]\r\n\"a\"=\"\xC3\xA9\"\r\n", &ops);
	assert_int_equal(ops.n, 2);
	assert_memory_equal(ops.v[1].data, "\xE9\0\0\0", 4);
	reg_ops_release(&ops);
}

static void test_utf16_without_bom_and_empty(void **state)
{
	(void)state;
	const char *text = "Windows Registry Editor Version 5.00\n[HKLM\\SYSTEM\\A]\n\"v\"=dword:2\n";
	size_t len;
	unsigned char *w = to_utf16_crlf(text, &len);
	struct reg_ops ops = { 0 };
	assert_int_equal(regfile_parse_msg("nobom.reg", w + 2, len - 2, &ops, NULL), WG_OK);
	assert_int_equal(ops.n, 2);
	assert_dword(&ops.v[1], 2);
	free(w);
	reg_ops_release(&ops);
	/* a header alone is a valid file with nothing in it */
	parse_ok(H5, &ops);
	assert_int_equal(ops.n, 0);
	parse_ok("REGEDIT4", &ops);
	assert_int_equal(ops.n, 0);
}

/* ---- malformed inputs ---- */

struct bad {
	const char *text;
	size_t len;            /* 0: strlen(text) */
	unsigned line;
	const char *says;
};

#define K "[HKEY_LOCAL_MACHINE\\SYSTEM\\X]\n"

static const struct bad bad_inputs[] = {
	{ "", 0, 1, "expected the header" },
	{ "REGEDIT5\n", 0, 1, "expected the header" },
	{ "\n\n[HKLM\\SYSTEM\\X]\n", 0, 3, "expected the header" },
	{ "Windows Registry Editor Version 5.0\n", 0, 1, "expected the header" },
	{ H5 "\"a\"=\"b\"\n", 0, 2, "value outside of a key" },
	{ H5 "@=\"b\"\n", 0, 2, "value outside of a key" },
	{ H5 "[HKLM\\SYSTEM\\X\n", 0, 2, "missing ']'" },
	{ H5 "[HKLM\\SYSTEM\\X] junk\n", 0, 2, "unexpected text after ']'" },
	{ H5 "[]\n", 0, 2, "empty key name in '[]'" },
	{ H5 "[-]\n", 0, 2, "empty key name in '[]'" },
	{ H5 "[HKLM\\\\X]\n", 0, 2, "empty key name between two" },
	{ H5 "[HKLM\\SYSTEM\\]\n", 0, 2, "ends with '\\'" },
	{ H5 "[\\HKLM\\SYSTEM]\n", 0, 2, "starts with '\\'" },
	{ H5 "[FOO\\Bar]\n", 0, 2, "unknown root key 'FOO'" },
	{ H5 "[HKLM\\SYSTEM\\"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", 0, 2, "longer than 255" },
	{ H5 K "\"a\"\n", 0, 3, "expected '=' after the value name" },
	{ H5 K "\"a\" \"b\"\n", 0, 3, "expected '=' after the value name" },
	{ H5 K "\"abc=1\n", 0, 3, "missing '\"' at the end of the value name" },
	{ H5 K "\"a\\q\"=\"b\"\n", 0, 3, "unknown escape '\\q' in the value name" },
	{ H5 K "\"a\"=\"b\n", 0, 3, "missing '\"' at the end of the string" },
	{ H5 K "\"a\"=\"C:\\Windows\"\n", 0, 3, "unknown escape '\\W' in the string" },
	{ H5 K "\"a\"=\n", 0, 3, "expected the value's data after '='" },
	{ H5 K "\"a\"=dword:\n", 0, 3, "expected 1 to 8 hex digits after 'dword:'" },
	{ H5 K "\"a\"=dword:123456789\n", 0, 3, "expected 1 to 8 hex digits after 'dword:'" },
	{ H5 K "\"a\"=dword:0x10\n", 0, 3, "expected 1 to 8 hex digits after 'dword:'" },
	{ H5 K "\"a\"=dword:0000000g\n", 0, 3, "expected 1 to 8 hex digits after 'dword:'" },
	{ H5 K "\"a\"=dword:-1\n", 0, 3, "expected 1 to 8 hex digits after 'dword:'" },
	{ H5 K "\"a\"=hex:0g\n", 0, 3, "unexpected 'g' in hex data" },
	{ H5 K "\"a\"=hex:123\n", 0, 3, "at most two hex digits per byte" },
	{ H5 K "\"a\"=hex:01,,02\n", 0, 3, "expected a hex byte before ','" },
	{ H5 K "\"a\"=hex:,01\n", 0, 3, "expected a hex byte before ','" },
	{ H5 K "\"a\"=hex:01,02,\n", 0, 3, "expected a hex byte after ','" },
	{ H5 K "\"a\"=hex:01 02\n", 0, 3, "expected ',' between hex bytes" },
	{ H5 K "\"a\"=hex(2):41,00,42\n", 0, 3, "odd number of bytes in hex(2) data" },
	{ H5 K "\"a\"=hex(zz):00\n", 0, 3, "expected a type of 1 to 8 hex digits" },
	{ H5 K "\"a\"=hex(123456789):00\n", 0, 3, "expected a type of 1 to 8 hex digits" },
	{ H5 K "\"a\"=hex(2)00\n", 0, 3, "expected ':' after 'hex(2)'" },
	{ H5 K "\"a\"=hex:01,\\\n", 0, 3, "the file ends after the '\\' that continues line 3" },
	{ H5 K "\"a\"=hex:01,\\\n\n\"b\"=dword:1\n", 0, 4, "expected hex bytes continuing line 3" },
	{ H5 K "\"a\"=hex:01,\\ x\n  02\n", 0, 3, "unexpected text after the '\\'" },
	{ H5 K "\"a\"=hex:01,\\\n  02,\\\n  03,zz\n", 0, 5, "unexpected 'zz' in hex data" },
	{ H5 K "\"a\"=str:\"x\"\n", 0, 3, "unexpected 'str:\"x\"' after '='" },
	{ H5 K "\"a\"=qword:1\n", 0, 3, "unexpected 'qword:1' after '='" },
	{ H5 K "\"a\"=- junk\n", 0, 3, "unexpected text after '=-'" },
	{ H5 K "\"a\"=\"b\" junk\n", 0, 3, "unexpected text after the closing '\"'" },
	{ H5 "[-HKLM\\SYSTEM\\X]\n\"a\"=\"b\"\n", 0, 3, "value under a '[-KEY]' line" },
	{ H5 K "foo=bar\n", 0, 3, "unexpected 'foo=bar'" },
	{ H5 K "\"a\"=\"\xff\"\n", 0, 3, "invalid UTF-8" },
	{ H5 K "\"a\"=\"b\0\"\n", sizeof(H5 K "\"a\"=\"b\0\"\n") - 1, 3, "NUL character" },
	{ "\xFE\xFF\0W", 4, 1, "big-endian" },
	{ "\xFF\xFEW\0i\0\n\0x", 9, 2, "ends in the middle of a character" },
	{ "\xFF\xFEW\0\n\0\x00\xD8x\0", 10, 2, "unpaired surrogate" },
	{ "\xFF\xFEW\0\n\0\n\0\x00\xDC", 10, 3, "unpaired surrogate" },
};

static void test_malformed(void **state)
{
	(void)state;
	/* the list collected so far must not change when a file is refused */
	struct reg_ops ops = { 0 };
	parse_ok(H5 K "\"keep\"=dword:1\n", &ops);
	assert_int_equal(ops.n, 2);
	for (size_t i = 0; i < ARRAY_SIZE(bad_inputs); i++) {
		const struct bad *b = &bad_inputs[i];
		size_t len = b->len ? b->len : strlen(b->text);
		char *msg = NULL;
		char want[64];
		enum wg_err err = regfile_parse_msg("bad.reg", (const unsigned char *)b->text, len,
						    &ops, &msg);
		if (err != WG_ERR_REG_SYNTAX || !msg)
			fail_msg("input %zu accepted", i);
		snprintf(want, sizeof(want), "'bad.reg' line %u: ", b->line);
		if (strncmp(msg, want, strlen(want)) || !strstr(msg, b->says))
			fail_msg("input %zu: got \"%s\", want \"%s...%s\"", i, msg, want, b->says);
		free(msg);
		assert_int_equal(ops.n, 2);
	}
	assert_true(ARRAY_SIZE(bad_inputs) >= 25);
	/* an error found after good lines still returns nothing from that file */
	assert_int_equal(parse_str(H5 K "\"a\"=dword:1\n[HKLM\\SYSTEM\\Y]\n\"b\"=dword:\n", &ops,
				   NULL), WG_ERR_REG_SYNTAX);
	assert_int_equal(ops.n, 2);
	reg_ops_release(&ops);
}

/* ---- the writer ---- */

static char *utf16_file_to_utf8(const struct strbuf *sb)
{
	assert_true(sb->len >= 2);
	assert_memory_equal(sb->buf, "\xFF\xFE", 2);
	char *t = utf16le_to_utf8((const unsigned char *)sb->buf + 2, sb->len - 2);
	assert_non_null(t);
	return t;
}

static void roundtrip(const struct reg_ops *ops)
{
	struct strbuf out = STRBUF_INIT;
	struct reg_ops back = { 0 };
	char *msg = NULL;
	assert_int_equal(regfile_write_regedit5(ops, &out), WG_OK);
	if (regfile_parse_msg("w.reg", (const unsigned char *)out.buf, out.len, &back, &msg))
		fail_msg("written text does not parse: %s", msg);
	assert_ops_equal(ops, &back);
	reg_ops_release(&back);
	sb_release(&out);
}

static void test_roundtrip_fixture(void **state)
{
	(void)state;
	struct reg_ops ops = { 0 };
	FILE *f = fopen(fixture_path(), "rb");
	if (!f)
		skip();
	fclose(f);
	assert_int_equal(regfile_load(fixture_path(), &ops), WG_OK);
	roundtrip(&ops);

	/* the hex lines wrap exactly where regedit wraps them (the fixture is regedit's output) */
	struct strbuf out = STRBUF_INIT;
	assert_int_equal(regfile_write_regedit5(&ops, &out), WG_OK);
	char *text = utf16_file_to_utf8(&out);
	assert_non_null(strstr(text,
		"\"ImagePath\"=hex(2):53,00,79,00,73,00,74,00,65,00,6d,00,33,00,32,00,5c,00,64,00,\\\r\n"
		"  72,00,69,00,76,00,65,00,72,00,73,00,5c,00,4d,00,73,00,4c,00,62,00,66,00,6f,\\\r\n"
		"  00,50,00,72,00,6f,00,76,00,69,00,64,00,65,00,72,00,2e,00,73,00,79,00,73,00,\\\r\n"
		"  00,00\r\n"));
	assert_non_null(strstr(text, "\"Start\"=dword:00000003\r\n"));
	assert_non_null(strstr(text, "\"Description\"=\"@%SystemRoot%\\\\System32\\\\drivers"));
	const char *start = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\";
	assert_true(!strncmp(text, start, strlen(start)));
	/* no value line longer than 80 characters (key lines cannot wrap), every line end is CRLF */
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p ? nl[-1] == '\r' : 0);
		assert_true(*p == '[' || nl - p - 1 <= 80);
	}
	free(text);
	sb_release(&out);
	reg_ops_release(&ops);
}

static void push(struct reg_ops *ops, enum reg_op_kind kind, const char *key, const char *name,
		 uint32_t type, const void *data, size_t len)
{
	struct reg_op op = { .kind = kind, .key = (char *)key, .name = (char *)name, .type = type,
			     .data = (unsigned char *)data, .len = len };
	reg_ops_push(ops, &op);
}

static void test_roundtrip_crafted(void **state)
{
	(void)state;
	struct reg_ops ops = { 0 };
	unsigned char big[3000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7);
	const char *k = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Weird \"key\" [x]";
	push(&ops, REG_OP_KEY, k, NULL, 0, NULL, 0);
	push(&ops, REG_OP_SET_VALUE, k, "", REG_SZ, "d\0\0\0", 4);
	push(&ops, REG_OP_SET_VALUE, k, "quote\"back\\slash", REG_SZ, "\"\0\\\0\0\0", 6);
	/* REG_SZ that a quoted string cannot give back: written as hex(1) */
	push(&ops, REG_OP_SET_VALUE, k, "no-nul", REG_SZ, "a\0b\0", 4);
	push(&ops, REG_OP_SET_VALUE, k, "inner-nul", REG_SZ, "a\0\0\0b\0\0\0", 8);
	push(&ops, REG_OP_SET_VALUE, k, "newline", REG_SZ, "a\0\n\0\0\0", 6);
	push(&ops, REG_OP_SET_VALUE, k, "empty-sz", REG_SZ, "", 0);
	push(&ops, REG_OP_SET_VALUE, k, "empty-string", REG_SZ, "\0\0", 2);
	push(&ops, REG_OP_SET_VALUE, k, "bad-utf16", REG_SZ, "\x00\xD8\0\0", 4);
	push(&ops, REG_OP_SET_VALUE, k, "dword", REG_DWORD, "\x78\x56\x34\x12", 4);
	push(&ops, REG_OP_SET_VALUE, k, "short-dword", REG_DWORD, "\x01\x02", 2);
	push(&ops, REG_OP_SET_VALUE, k, "qword", REG_QWORD, "\1\2\3\4\5\6\7\x08", 8);
	push(&ops, REG_OP_SET_VALUE, k, "big", REG_BINARY, big, sizeof(big));
	push(&ops, REG_OP_SET_VALUE, k, "odd type", 0x12345678, "\xff", 1);
	push(&ops, REG_OP_SET_VALUE, k, "a very long value name that pushes the hex data far to the "
	     "right of the line", REG_MULTI_SZ, "a\0\0\0\0\0", 6);
	push(&ops, REG_OP_SET_VALUE, k, "\xC3\xA9t\xC3\xA9", REG_EXPAND_SZ, "%\0\0\0", 4);
	push(&ops, REG_OP_DELETE_VALUE, k, "old", 0, NULL, 0);
	push(&ops, REG_OP_DELETE_KEY, "HKLM\\SYSTEM\\Gone", NULL, 0, NULL, 0);
	push(&ops, REG_OP_KEY, "HKU\\.DEFAULT\\Empty", NULL, 0, NULL, 0);
	push(&ops, REG_OP_KEY, "HKLM\\SYSTEM\\Other", NULL, 0, NULL, 0);
	push(&ops, REG_OP_DELETE_VALUE, "HKLM\\SYSTEM\\Other", "", 0, NULL, 0);
	roundtrip(&ops);

	struct strbuf out = STRBUF_INIT;
	assert_int_equal(regfile_write_regedit5(&ops, &out), WG_OK);
	char *text = utf16_file_to_utf8(&out);
	assert_non_null(strstr(text, "\r\n@=\"d\"\r\n"));
	assert_non_null(strstr(text, "\"quote\\\"back\\\\slash\"=\"\\\"\\\\\"\r\n"));
	assert_non_null(strstr(text, "\"no-nul\"=hex(1):61,00,62,00\r\n"));
	assert_non_null(strstr(text, "\"empty-string\"=\"\"\r\n"));
	assert_non_null(strstr(text, "\"empty-sz\"=hex(1):\r\n"));
	assert_non_null(strstr(text, "\"short-dword\"=hex(4):01,02\r\n"));
	assert_non_null(strstr(text, "\"qword\"=hex(b):01,02,03,04,05,06,07,08\r\n"));
	assert_non_null(strstr(text, "\"odd type\"=hex(12345678):ff\r\n"));
	assert_non_null(strstr(text, "\"dword\"=dword:12345678\r\n"));
	assert_non_null(strstr(text, "\"old\"=-\r\n"));
	assert_non_null(strstr(text, "\r\n[-HKLM\\SYSTEM\\Gone]\r\n"));
	assert_non_null(strstr(text, "\r\n[HKLM\\SYSTEM\\Other]\r\n@=-\r\n"));
	free(text);
	sb_release(&out);

	/* a value op without a key op before it gets a [key] line of its own */
	struct reg_ops loose = { 0 }, back = { 0 };
	push(&loose, REG_OP_SET_VALUE, "HKLM\\SYSTEM\\A", "v", REG_DWORD, "\1\0\0\0", 4);
	push(&loose, REG_OP_SET_VALUE, "HKLM\\SYSTEM\\A", "w", REG_DWORD, "\2\0\0\0", 4);
	assert_int_equal(regfile_write_regedit5(&loose, &out), WG_OK);
	assert_int_equal(regfile_parse_msg("l.reg", (unsigned char *)out.buf, out.len, &back, NULL),
			 WG_OK);
	assert_int_equal(back.n, 3);
	assert_int_equal(back.v[0].kind, REG_OP_KEY);
	assert_string_equal(back.v[2].name, "w");
	sb_release(&out);
	reg_ops_release(&back);

	/* a name with a line break cannot be written */
	push(&loose, REG_OP_SET_VALUE, "HKLM\\SYSTEM\\A", "two\nlines", REG_DWORD, "\2\0\0\0", 4);
	wg_opt_quiet = 1;
	assert_int_equal(regfile_write_regedit5(&loose, &out), WG_ERR_REG_SYNTAX);
	assert_int_equal(out.len, 0);
	reg_ops_release(&loose);
	reg_ops_release(&ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_regedit4),
		cmocka_unit_test(test_utf16_without_bom_and_empty),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_roundtrip_fixture),
		cmocka_unit_test(test_roundtrip_crafted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
