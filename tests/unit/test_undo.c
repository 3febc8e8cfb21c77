/*
 * test_undo.c - the undo record survives a write and a read unchanged, and a
 * damaged or foreign record is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "undo.h"

static void test_round_trip(void **state)
{
	(void)state;
	struct undo_record u, back;
	undo_init(&u, "lbfo");
	u.manifest_version = xstrdup("1.0");
	u.applied_at = xstrdup("2026-11-25T12:00:00Z");
	u.tool = xstrdup("wimgraft test");
	u.source = json_object_new_object();
	json_object_object_add(u.source, "image", json_object_new_int(4));
	u.registry = json_object_new_array();
	struct undo_file *f = undo_add_file(&u, "Windows/INF/mslbfoprovider.inf");
	f->action = UNDO_ADDED;
	f->size = 1063;
	memset(f->sha1, 0xab, 20);
	f = undo_add_file(&u, "Windows/System32/drivers/MsLbfoProvider.sys");
	f->action = UNDO_REPLACED;
	f->size = 5;
	f->backup = undo_backup_path("lbfo", "Windows/System32/drivers/MsLbfoProvider.sys");
	f->old_size = 7;
	memset(f->old_sha1, 0x01, 20);
	sv_push(&u.created_dirs, "Windows/System32/DriverStore/FileRepository/x");
	u.firstboot_block = true;
	u.firstboot_created = true;
	struct undo_hive *h = undo_add_hive(&u, "SYSTEM");
	h->backup = undo_hive_backup_path("lbfo", "SYSTEM");
	h->old_size = 11771904;
	memset(h->old_sha1, 0x5a, 20);
	h->size = 11784192;
	memset(h->sha1, 0xa5, 20);

	char *text = undo_serialize(&u);
	assert_int_equal(undo_parse("'rec'", text, strlen(text), &back), WG_OK);
	assert_string_equal(back.feature, "lbfo");
	assert_string_equal(back.manifest_version, "1.0");
	assert_int_equal(back.nfiles, 2);
	assert_int_equal(back.files[0].action, UNDO_ADDED);
	assert_int_equal(back.files[0].size, 1063);
	assert_memory_equal(back.files[0].sha1, u.files[0].sha1, 20);
	assert_int_equal(back.files[1].action, UNDO_REPLACED);
	assert_string_equal(back.files[1].backup,
			    "Windows/Logs/wimgraft/backup/lbfo/Windows/System32/drivers/MsLbfoProvider.sys");
	assert_int_equal(back.files[1].old_size, 7);
	assert_memory_equal(back.files[1].old_sha1, u.files[1].old_sha1, 20);
	assert_int_equal(back.created_dirs.n, 1);
	assert_true(back.firstboot_block);
	assert_true(back.firstboot_created);
	assert_non_null(undo_find_file(&back, "windows/inf/MSLBFOPROVIDER.INF"));
	assert_int_equal(back.nhives, 1);
	assert_string_equal(back.hives[0].name, "SYSTEM");
	assert_string_equal(back.hives[0].backup, "Windows/Logs/wimgraft/backup/lbfo/hives/SYSTEM");
	assert_int_equal(back.hives[0].old_size, 11771904);
	assert_int_equal(back.hives[0].size, 11784192);
	assert_memory_equal(back.hives[0].old_sha1, h->old_sha1, 20);
	assert_memory_equal(back.hives[0].sha1, h->sha1, 20);
	assert_non_null(undo_find_hive(&back, "system"));
	char *again = undo_serialize(&back);
	assert_string_equal(text, again);
	free(text);
	free(again);
	undo_release(&u);
	undo_release(&back);
}

static void test_refusals(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"not json",
		"[1,2]",
		"{\"format\": 2, \"feature\": \"lbfo\", \"files\": []}",
		"{\"format\": 1, \"files\": []}",
		"{\"format\": 1, \"feature\": \"lbfo\"}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [{\"path\": \"a\", \"action\": \"eaten\", \"size\": 1, \"sha1\": \"0000000000000000000000000000000000000000\"}]}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [{\"path\": \"a\", \"action\": \"added\", \"size\": 1, \"sha1\": \"00\"}]}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [{\"path\": \"a\", \"action\": \"replaced\", \"size\": 1, \"sha1\": \"0000000000000000000000000000000000000000\"}]}",
	};
#define REC(files) "{\"format\": 1, \"feature\": \"lbfo\", \"files\": [" files "]}"
#define ADDED(path) "{\"path\": " path ", \"action\": \"added\", \"size\": 1, \"sha1\": \"" Z "\"}"
#define Z "0000000000000000000000000000000000000000"
#define HIVES(a) "{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"hives\": " a "}"
#define BK "Windows/Logs/wimgraft/backup/lbfo/hives/"
#define HIVE(name, backup) "{\"name\": " name ", \"backup\": " backup ", \"old_size\": 1, " \
	"\"old_sha1\": \"" Z "\", \"size\": 1, \"sha1\": \"" Z "\"}"
	static const char *const hostile[] = {
		REC(ADDED("\"Windows/System32/config/SOFTWARE\"")),
		REC(ADDED("\"windows/system32/CONFIG/sam.log2\"")),
		REC(ADDED("\"Users/Default/NTUSER.DAT\"")),
		REC(ADDED("\"../etc/passwd\"")),
		REC(ADDED("\"Windows/./x\"")),
		REC(ADDED("\"/etc/passwd\"")),
		REC(ADDED("\"Windows//x\"")),
		REC(ADDED("\"Windows\\\\..\\\\x\"")),
		REC(ADDED("\"C:/x\"")),
		REC(ADDED("\"a\\u0000b\"")),
		REC(ADDED("null")),
		REC(ADDED("7")),
		REC(ADDED("\"a\"") "," ADDED("\"A\"")),
		REC("{\"path\": \"a\", \"action\": \"replaced\", \"size\": 1, \"sha1\": \"" Z "\", "
		    "\"backup\": \"Windows/x\", \"old_size\": 1, \"old_sha1\": \"" Z "\"}"),
		REC("{\"path\": \"a\", \"action\": \"added\", \"size\": -1, \"sha1\": \"" Z "\"}"),
		REC("null"),
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"created_dirs\": [\"..\"]}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"created_dirs\": [null]}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"first_boot\": {\"commands\": [null]}}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"first_boot\": {\"block\": \"yes\"}}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"registry\": {}}",
		"{\"format\": 1, \"feature\": \"../lbfo\", \"files\": []}",
		"{\"format\": \"1\", \"feature\": \"lbfo\", \"files\": []}",
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": []} {}",
		HIVES("7"),
		HIVES("[7]"),
		HIVES("[null]"),
		HIVES("[" HIVE("\"BOGUS\"", "\"" BK "BOGUS\"") "]"),
		HIVES("[" HIVE("\"system\"", "\"" BK "system\"") "]"),
		HIVES("[" HIVE("\"COMPONENTS\"", "\"" BK "COMPONENTS\"") "]"),
		HIVES("[" HIVE("null", "\"" BK "SYSTEM\"") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"Windows/System32/config/SYSTEM\"") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"" BK "../../../../System32/config/SYSTEM\"") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"Windows/Logs/wimgraft/backup/other/hives/SYSTEM\"") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"" BK "SOFTWARE\"") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "null") "]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"" BK "SYSTEM\"") "," HIVE("\"SYSTEM\"", "\"" BK "SYSTEM\"") "]"),
		HIVES("[{\"name\": \"SYSTEM\", \"backup\": \"" BK "SYSTEM\", \"old_size\": -1, "
		      "\"old_sha1\": \"" Z "\", \"size\": 1, \"sha1\": \"" Z "\"}]"),
		HIVES("[{\"name\": \"SYSTEM\", \"backup\": \"" BK "SYSTEM\", \"old_size\": 1, "
		      "\"old_sha1\": \"" Z "\", \"size\": \"1\", \"sha1\": \"" Z "\"}]"),
		HIVES("[{\"name\": \"SYSTEM\", \"backup\": \"" BK "SYSTEM\", \"old_size\": 1, "
		      "\"old_sha1\": \"xyz\", \"size\": 1, \"sha1\": \"" Z "\"}]"),
		HIVES("[{\"name\": \"SYSTEM\", \"backup\": \"" BK "SYSTEM\", \"old_size\": 1, "
		      "\"old_sha1\": \"" Z "\", \"size\": 1}]"),
	};
	wg_opt_quiet = 1;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct undo_record u;
		if (undo_parse("'rec'", hostile[i], strlen(hostile[i]), &u) != WG_ERR_UNDO)
			fail_msg("accepted: %s", hostile[i]);
	}
	/* What the checks must keep accepting: nulls where a record may say nothing. */
	static const char *const fine[] = {
		REC(ADDED("\"Windows/System32/config/systemprofile/x.dat\"")),
		REC(ADDED("\"Windows/System32/config/SYSTEM.txt\"")),
		"{\"format\": 1, \"feature\": \"lbfo\", \"files\": [], \"source\": null, \"registry\": null, "
		"\"first_boot\": {\"block\": false, \"lead\": null, \"commands\": []}}",
		HIVES("null"),
		HIVES("[]"),
		HIVES("[" HIVE("\"SYSTEM\"", "\"" BK "SYSTEM\"") "," HIVE("\"DRIVERS\"", "\"" BK "DRIVERS\"") "]"),
	};
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		struct undo_record u;
		if (undo_parse("'rec'", fine[i], strlen(fine[i]), &u) != WG_OK)
			fail_msg("refused: %s", fine[i]);
		undo_release(&u);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct undo_record u;
		assert_int_equal(undo_parse("'rec'", bad[i], strlen(bad[i]), &u), WG_ERR_UNDO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
