/*
 * test_reg_apply.c - routing, CurrentControlSet, all-or-nothing apply across hives,
 * change records (describe, JSON round trip), undo back to the original and verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reg_apply.h"
#include "reg_describe.h"
#include "reg_undo_json.h"
#include "regfile.h"
#include "minhive.h"

struct fx {
	char dir[64];
	int dirfd;
};

/* A SYSTEM hive with Select\Current = 2 and ControlSet001/002, plus a SOFTWARE hive. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hive *h;
	hive_key k;
	strcpy(f->dir, "/tmp/wg-test-regapply.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	if (f->dirfd < 0 || mh_write(f->dirfd, "SYSTEM") || mh_write(f->dirfd, "SOFTWARE"))
		return -1;
	if (hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE, &h))
		return -1;
	if (hive_ensure_key(h, "Select", &k, NULL, NULL) ||
	    hive_value_set(h, k, "Current", REG_DWORD, "\2\0\0\0", 4) ||
	    hive_ensure_key(h, "ControlSet001\\Services", &k, NULL, NULL) ||
	    hive_ensure_key(h, "ControlSet002\\services\\Old", &k, NULL, NULL) ||
	    hive_value_set(h, k, "Start", REG_DWORD, "\2\0\0\0", 4) ||
	    hive_value_set(h, k, "Keep", REG_SZ, "k\0\0\0", 4) ||
	    hive_ensure_key(h, "ControlSet002\\services\\Old\\Sub", &k, NULL, NULL) ||
	    hive_value_set(h, k, "Deep", REG_BINARY, "\1\2\3", 3) ||
	    hive_commit(h))
		return -1;
	hive_close(h);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

/* Every key and value of a hive file, one line each, read with reglookup. */
static char *dump(struct fx *f, const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "reglookup -H '%s/%s' 2>/dev/null | cut -d, -f1-3", f->dir, name);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&sb, buf, n);
	assert_int_equal(pclose(p), 0);
	assert_true(sb.len > 0);
	return sb_detach(&sb);
}

static void need_reglookup(void)
{
	if (system("command -v reglookup >/dev/null 2>&1"))
		skip();
}

static void parse(const char *text, struct reg_ops *ops)
{
	char *msg = NULL;
	if (regfile_parse_msg("t.reg", (const unsigned char *)text, strlen(text), ops, &msg))
		fail_msg("%s", msg);
}

static char *describe(const struct reg_change *c)
{
	struct strbuf sb = STRBUF_INIT;
	reg_change_describe(c, &sb);
	return sb_detach(&sb);
}

static void test_route(void **state)
{
	(void)state;
	const char *hive, *rest;
	wg_opt_quiet = 1;
	assert_int_equal(reg_route("HKEY_LOCAL_MACHINE\\SYSTEM\\A\\B", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "SYSTEM");
	assert_string_equal(rest, "A\\B");
	assert_int_equal(reg_route("hklm\\software", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "SOFTWARE");
	assert_string_equal(rest, "");
	assert_int_equal(reg_route("HKLM\\Drivers\\DriverDatabase", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "DRIVERS");
	assert_int_equal(reg_route("HKEY_LOCAL_MACHINE\\SAM\\x", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "SAM");
	assert_int_equal(reg_route("HKLM\\SECURITY", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "SECURITY");
	assert_int_equal(reg_route("HKEY_USERS\\.DEFAULT\\Control Panel", "f.reg", 3, &hive, &rest), WG_OK);
	assert_string_equal(hive, "DEFAULT");
	assert_string_equal(rest, "Control Panel");
	assert_int_equal(reg_route("HKU\\.default", NULL, 0, &hive, &rest), WG_OK);
	assert_string_equal(hive, "DEFAULT");

	static const char *const refused[] = {
		"HKEY_LOCAL_MACHINE", "HKLM\\SYSTEMX\\A", "HKLM\\HARDWARE\\x", "HKCU\\Software",
		"HKEY_USERS\\S-1-5-18", "HKLM\\DEFAULT", "HKEY_CLASSES_ROOT\\.txt", "SYSTEM\\A",
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		assert_int_equal(reg_route(refused[i], "f.reg", 3, &hive, &rest), WG_ERR_HIVE);
}

static void test_control_set(void **state)
{
	struct fx *f = *state;
	struct hive_set *s = hive_set_new(f->dirfd, "cfg", 0);
	char *p;
	assert_true(hive_set_has(s, "SYSTEM"));
	assert_true(hive_set_has(s, "software"));
	assert_false(hive_set_has(s, "DRIVERS"));
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "CurrentControlSet\\Services\\X", &p), WG_OK);
	assert_string_equal(p, "ControlSet002\\Services\\X");
	free(p);
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "currentcontrolset", &p), WG_OK);
	assert_string_equal(p, "ControlSet002");
	free(p);
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "CurrentControlSetX\\A", &p), WG_OK);
	assert_string_equal(p, "CurrentControlSetX\\A");
	free(p);
	/* only SYSTEM has control sets */
	assert_int_equal(hive_set_map_path(s, "SOFTWARE", "CurrentControlSet", &p), WG_OK);
	assert_string_equal(p, "CurrentControlSet");
	free(p);
	struct hive *h;
	assert_int_equal(hive_set_get(s, "DRIVERS", &h), WG_ERR_NOT_FOUND);
	hive_set_free(s);

	/* Select\Current naming a missing control set, then no Select at all */
	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE, &h), WG_OK);
	hive_key k;
	assert_int_equal(hive_lookup(h, "Select", &k, NULL), WG_OK);
	assert_int_equal(hive_value_set(h, k, "Current", REG_DWORD, "\3\0\0\0", 4), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "CurrentControlSet\\A", &p), WG_ERR_HIVE);
	hive_set_free(s);
	assert_int_equal(hive_value_set(h, k, "Current", REG_SZ, "2\0\0\0", 4), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "CurrentControlSet\\A", &p), WG_ERR_HIVE);
	hive_set_free(s);
	assert_int_equal(hive_delete_key(h, k), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	hive_close(h);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "CurrentControlSet\\A", &p), WG_ERR_HIVE);
	/* paths not under CurrentControlSet still work */
	assert_int_equal(hive_set_map_path(s, "SYSTEM", "ControlSet001\\A", &p), WG_OK);
	free(p);
	hive_set_free(s);
}

static const char *const import =
	"Windows Registry Editor Version 5.00\n"
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Old]\n"
	"\"start\"=dword:3\n"
	"\"Keep\"=\"k\"\n"
	"\"New\"=hex(2):25,00,00,00\n"
	"[HKLM\\SYSTEM\\CurrentControlSet\\Services\\New\\Deep]\n"
	"@=\"x\"\n"
	"[-HKLM\\SYSTEM\\CurrentControlSet\\Services\\Old\\Sub]\n"
	"[-HKLM\\SYSTEM\\CurrentControlSet\\Services\\Absent]\n"
	"[HKLM\\SYSTEM\\CurrentControlSet\\Services\\Old]\n"
	"\"Gone\"=-\n"
	"[HKLM\\SOFTWARE\\Vendor]\n"
	"\"Q\"=hex(b):01,00,00,00,00,00,00,00\n";

static void test_apply_undo_verify(void **state)
{
	struct fx *f = *state;
	struct reg_ops ops = { 0 };
	struct reg_changes ch = { 0 }, inv = { 0 };
	struct strvec diffs = STRVEC_INIT, mod = STRVEC_INIT;
	need_reglookup();
	char *sys0 = dump(f, "SYSTEM"), *soft0 = dump(f, "SOFTWARE");
	parse(import, &ops);

	/* a dry run: changes described, nothing written */
	struct hive_set *s = hive_set_new(f->dirfd, "cfg", HIVESET_DRY_RUN);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_OK);
	hive_set_modified(s, &mod);
	assert_int_equal(mod.n, 2);
	free(mod.v);
	mod.v = NULL;
	mod.n = mod.alloc = 0;
	assert_int_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	char *d = dump(f, "SYSTEM");
	assert_string_equal(d, sys0);
	free(d);

	const char *want[] = {
		"SYSTEM\\ControlSet002\\services\\Old: key exists (unchanged)",
		"SYSTEM\\ControlSet002\\services\\Old: \"Start\" REG_DWORD 0x3 (replaces REG_DWORD 0x2)",
		"SYSTEM\\ControlSet002\\services\\Old: \"Keep\" REG_SZ \"k\" (unchanged)",
		"SYSTEM\\ControlSet002\\services\\Old: \"New\" REG_EXPAND_SZ \"%\" (new)",
		"SYSTEM\\ControlSet002\\services\\New: key created",
		"SYSTEM\\ControlSet002\\services\\New\\Deep: key created",
		"SYSTEM\\ControlSet002\\services\\New\\Deep: @ (default value) REG_SZ \"x\" (new)",
		"SYSTEM\\ControlSet002\\services\\Old\\Sub: key deleted (it held 1 value and 0 subkeys)",
		"SYSTEM\\ControlSet002\\services\\Absent: key absent (unchanged)",
		"SYSTEM\\ControlSet002\\services\\Old: key exists (unchanged)",
		"SYSTEM\\ControlSet002\\services\\Old: \"Gone\" absent (unchanged)",
		"SOFTWARE\\Vendor: key created",
		"SOFTWARE\\Vendor: \"Q\" REG_QWORD 0x1 (new)",
	};
	assert_int_equal(ch.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < ch.n; i++) {
		char *t = describe(&ch.v[i]);
		if (strcmp(t, want[i]))
			fail_msg("change %zu: \"%s\", want \"%s\"", i, t, want[i]);
		free(t);
	}
	assert_int_equal(reg_changes_effective(&ch), 8);
	assert_string_equal(ch.v[1].origin, "t.reg");
	assert_int_equal(ch.v[1].line, 3);

	/* the JSON record round-trips exactly */
	json_object *j = reg_changes_to_json(&ch);
	struct reg_changes back = { 0 };
	assert_int_equal(reg_changes_from_json(j, &back), WG_OK);
	json_object *j2 = reg_changes_to_json(&back);
	assert_string_equal(json_object_to_json_string(j), json_object_to_json_string(j2));
	json_object_put(j2);
	reg_changes_release(&ch);

	/* the real thing: both hives written */
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_OK);
	assert_int_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	char *sys1 = dump(f, "SYSTEM"), *soft1 = dump(f, "SOFTWARE");
	assert_non_null(strstr(sys1, "/ControlSet002/services/Old/Start,DWORD,0x00000003\n"));
	assert_null(strstr(sys1, "/ControlSet002/services/Old/Sub"));
	assert_non_null(strstr(sys1, "/ControlSet002/services/New/Deep/,SZ,x\n"));
	assert_null(strstr(sys1, "/ControlSet001/services/New"));
	assert_non_null(strstr(soft1, "/Vendor/Q,QWORD,0x0000000000000001\n"));

	/* verify: nothing differs; then change one value behind its back */
	s = hive_set_new(f->dirfd, "cfg", HIVESET_CHECK);
	assert_int_equal(regapply_verify(s, &back, &diffs), WG_OK);
	assert_int_equal(diffs.n, 0);
	hive_set_free(s);
	struct hive *h;
	hive_key k;
	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE, &h), WG_OK);
	assert_int_equal(hive_lookup(h, "ControlSet002\\services\\Old", &k, NULL), WG_OK);
	assert_int_equal(hive_value_set(h, k, "Start", REG_DWORD, "\4\0\0\0", 4), WG_OK);
	assert_int_equal(hive_value_delete(h, k, "New"), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	hive_close(h);
	char *sys2 = dump(f, "SYSTEM");
	s = hive_set_new(f->dirfd, "cfg", HIVESET_CHECK);
	assert_int_equal(regapply_verify(s, &back, &diffs), WG_OK);
	assert_int_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	assert_int_equal(diffs.n, 2);
	assert_string_equal(diffs.v[0], "SYSTEM\\ControlSet002\\services\\Old: \"Start\" is REG_DWORD "
			    "0x4, expected REG_DWORD 0x3");
	assert_string_equal(diffs.v[1], "SYSTEM\\ControlSet002\\services\\Old: \"New\" missing, "
			    "expected REG_EXPAND_SZ \"%\"");
	sv_clear(&diffs);
	d = dump(f, "SYSTEM");
	assert_string_equal(d, sys2);   /* verify wrote nothing */
	free(d);

	/* undo from the JSON record: both hives hold exactly what they held at first */
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_undo(s, &back, &inv), WG_OK);
	assert_int_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	d = dump(f, "SYSTEM");
	assert_string_equal(d, sys0);
	free(d);
	d = dump(f, "SOFTWARE");
	assert_string_equal(d, soft0);
	free(d);
	assert_true(reg_changes_effective(&inv) > 0);

	json_object_put(j);
	free(sys0);
	free(soft0);
	free(sys1);
	free(soft1);
	free(sys2);
	reg_changes_release(&inv);
	reg_changes_release(&back);
	reg_changes_release(&ch);
	reg_ops_release(&ops);
}

static void test_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct reg_ops ops = { 0 };
	struct reg_changes ch = { 0 };
	need_reglookup();
	char *sys0 = dump(f, "SYSTEM"), *soft0 = dump(f, "SOFTWARE");

	/* the last op fails (no DRIVERS hive): the set refuses to commit anything */
	parse("REGEDIT4\n[HKLM\\SYSTEM\\A]\n\"v\"=dword:1\n[HKLM\\SOFTWARE\\B]\n"
	      "[HKLM\\DRIVERS\\C]\n", &ops);
	struct hive_set *s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_ERR_NOT_FOUND);
	assert_int_not_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	reg_ops_release(&ops);
	reg_changes_release(&ch);

	/* so does an unroutable key, and a value too large for an offline hive */
	parse("REGEDIT4\n[HKLM\\SYSTEM\\A]\n[HKEY_CURRENT_USER\\X]\n", &ops);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_ERR_HIVE);
	assert_int_not_equal(hive_set_commit(s), WG_OK);
	hive_set_free(s);
	reg_ops_release(&ops);
	reg_changes_release(&ch);

	struct reg_op big = { .kind = REG_OP_SET_VALUE, .key = "HKLM\\SOFTWARE\\Big", .name = "b",
			      .type = REG_BINARY, .len = HIVE_MAX_VALUE_DATA + 1 };
	big.data = calloc(1, big.len);
	reg_ops_push(&ops, &big);
	free(big.data);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_ERR_HIVE);
	hive_set_free(s);
	reg_ops_release(&ops);
	reg_changes_release(&ch);

	/* the root of a hive cannot be deleted */
	parse("REGEDIT4\n[-HKLM\\SOFTWARE]\n", &ops);
	s = hive_set_new(f->dirfd, "cfg", 0);
	assert_int_equal(regapply_ops(s, &ops, &ch), WG_ERR_HIVE);
	hive_set_free(s);
	reg_ops_release(&ops);
	reg_changes_release(&ch);

	char *d = dump(f, "SYSTEM");
	assert_string_equal(d, sys0);
	free(d);
	d = dump(f, "SOFTWARE");
	assert_string_equal(d, soft0);
	free(d);
	free(sys0);
	free(soft0);
}

static void test_json_refusals(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{}",
		"[1]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"action\":\"create-key\"}]",
		"[{\"hive\":\"NOPE\",\"key\":\"A\",\"action\":\"create-key\",\"unchanged\":false}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"action\":\"paint\",\"unchanged\":false}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"action\":\"set-value\",\"unchanged\":false}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"value\":\"v\",\"action\":\"set-value\",\"unchanged\":false}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"value\":\"v\",\"action\":\"set-value\",\"unchanged\":false,"
		"\"new\":{\"type\":4,\"data\":\"0g000000\"}}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"value\":\"v\",\"action\":\"set-value\",\"unchanged\":false,"
		"\"new\":{\"type\":-1,\"data\":\"00\"}}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"value\":\"v\",\"action\":\"set-value\",\"unchanged\":false,"
		"\"new\":{\"type\":4,\"data\":\"000\"}}]",
		"[{\"hive\":\"SYSTEM\",\"key\":\"A\",\"action\":\"delete-key\",\"unchanged\":false,"
		"\"old_tree\":{\"name\":\"A\",\"values\":[{\"name\":\"x\",\"type\":1}],\"keys\":[]}}]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_object *j = json_tokener_parse(bad[i]);
		assert_non_null(j);
		struct reg_changes c = { 0 };
		if (reg_changes_from_json(j, &c) != WG_ERR_UNDO)
			fail_msg("record %zu accepted", i);
		assert_int_equal(c.n, 0);
		json_object_put(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test_setup_teardown(test_control_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_undo_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test(test_json_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
