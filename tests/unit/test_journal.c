/*
 * test_journal.c - the intent journal and the target lock: changes rolled back, recovered after
 * a simulated kill, committed; malformed journals refused; exclusive and shared locks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "lock.h"
#include "util.h"

static char top[] = "/tmp/wg-test-journal.XXXXXX";
static struct wg_root root = WG_ROOT_INIT;
static int logfd = -1;

static void put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static char *get(const char *rel)
{
	char *path = xasprintf("%s/%s", top, rel);
	unsigned char *data = NULL;
	size_t len;
	enum wg_err ret = read_file(path, 1 << 20, &data, &len);
	free(path);
	if (ret)
		return NULL;
	char *s = xstrndup((const char *)data, len);
	free(data);
	return s;
}

static bool exists(const char *rel)
{
	char *path = xasprintf("%s/%s", top, rel);
	struct stat st;
	bool yes = lstat(path, &st) == 0;
	free(path);
	return yes;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(top))
		return -1;
	char *cmd = xasprintf("mkdir -p '%s/Windows/Logs/wimgraft' '%s/Windows/System32'", top, top);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", top);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* A fresh image: a.sys and c.sys in System32; the journal opened on it. */
static void fresh(struct journal *j)
{
	char *cmd = xasprintf("rm -rf '%s/Windows/New' '%s/Windows/Logs/wimgraft/'*", top, top);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	put("Windows/System32/a.sys", "old a");
	put("Windows/System32/c.sys", "old c");
	root_close(&root);
	assert_int_equal(root_open(top, &root), WG_OK);
	if (logfd >= 0)
		close(logfd);
	char *log = xasprintf("%s/Windows/Logs/wimgraft", top);
	logfd = open(log, O_RDONLY | O_DIRECTORY);
	free(log);
	assert_true(logfd >= 0);
	journal_init(j, &root, logfd, "apply");
}

static void write_text(struct journal *j, const char *rel, const char *text)
{
	uint8_t sha1[20];
	uint64_t size = strlen(text);
	sha1_buffer(text, strlen(text), sha1);
	assert_int_equal(journal_before_write(j, rel, &size, sha1), WG_OK);
	assert_int_equal(root_write_buf(&root, rel, text, strlen(text), 0644, NULL), WG_OK);
}

/* Replace a.sys, add Windows/New/b.sys (a new folder), remove c.sys. */
static void change_all(struct journal *j)
{
	write_text(j, "Windows/System32/a.sys", "new a");
	write_text(j, "Windows/New/b.sys", "new b");
	assert_int_equal(journal_remove(j, "Windows/System32/c.sys"), WG_OK);
	assert_false(exists("Windows/System32/c.sys"));
	assert_true(journal_active(j));
}

static void assert_as_before(void)
{
	char *a = get("Windows/System32/a.sys"), *c = get("Windows/System32/c.sys");
	assert_string_equal(a, "old a");
	assert_string_equal(c, "old c");
	free(a);
	free(c);
	assert_false(exists("Windows/New"));
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_NAME));
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_SAVED));
}

static void test_rollback(void **state)
{
	(void)state;
	struct journal j;
	fresh(&j);
	change_all(&j);
	assert_int_equal(journal_rollback(&j), WG_OK);
	journal_release(&j);
	assert_as_before();
}

static void test_commit(void **state)
{
	(void)state;
	struct journal j;
	fresh(&j);
	change_all(&j);
	assert_int_equal(journal_commit(&j), WG_OK);
	journal_release(&j);
	char *a = get("Windows/System32/a.sys"), *b = get("Windows/New/b.sys");
	assert_string_equal(a, "new a");
	assert_string_equal(b, "new b");
	free(a);
	free(b);
	assert_false(exists("Windows/System32/c.sys"));
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_NAME));
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_SAVED));
}

/* A run "killed" after its changes: a reader refuses, the next writer rolls back. */
static void test_recover_after_kill(void **state)
{
	(void)state;
	struct journal j, next;
	bool found;
	fresh(&j);
	change_all(&j);
	/* a temporary file the killed run was writing */
	put("Windows/System32/.a.sys.wimgraft-Ab12Cd", "partial");
	journal_release(&j);
	journal_init(&next, &root, logfd, "verify");
	assert_int_equal(journal_recover(&next, false, &found), WG_ERR_UNFINISHED);
	assert_true(found);
	assert_int_equal(journal_recover(&next, true, &found), WG_OK);
	assert_true(found);
	journal_release(&next);
	assert_as_before();
	assert_false(exists("Windows/System32/.a.sys.wimgraft-Ab12Cd"));
	journal_init(&next, &root, logfd, "apply");
	assert_int_equal(journal_recover(&next, true, &found), WG_OK);
	assert_false(found);
	journal_release(&next);
}

/* The completion mark was written but the kept files were not removed yet: rolled forward. */
static void test_recover_committed(void **state)
{
	(void)state;
	struct journal j, next;
	bool found;
	fresh(&j);
	change_all(&j);
	put("Windows/Logs/wimgraft/journal.d/99", "left");
	assert_int_equal(write(j.fd, "commit\n", 7), 7);
	journal_release(&j);
	journal_init(&next, &root, logfd, "apply");
	assert_int_equal(journal_recover(&next, true, &found), WG_OK);
	journal_release(&next);
	char *a = get("Windows/System32/a.sys");
	assert_string_equal(a, "new a");
	free(a);
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_SAVED));
	assert_false(exists("Windows/Logs/wimgraft/" JOURNAL_NAME));
}

static void test_parse(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"not a journal\n",
		JOURNAL_MAGIC " 1 apply\nwrite 0 /etc/passwd - - - -\n",
		JOURNAL_MAGIC " 1 apply\nwrite 0 Windows/../../x - - - -\n",
		JOURNAL_MAGIC " 1 apply\nwrite 0 Windows//x - - - -\n",
		JOURNAL_MAGIC " 1 apply\nwrite 0 Windows/x 1 abc - -\n",
		JOURNAL_MAGIC " 1 apply\nremove 0 Windows/x - -\n",
		JOURNAL_MAGIC " 1 apply\nmkdir 01 Windows/x\n",
		JOURNAL_MAGIC " 1 apply\nmkdir 1  Windows/x\n",
		JOURNAL_MAGIC " 1 apply\nmkdir 1 Windows/%00x\n",
		JOURNAL_MAGIC " 1 apply\nmkdir 1 Windows/%2\n",
		JOURNAL_MAGIC " 1 apply\ncommit\nmkdir 1 Windows/x\n",
		JOURNAL_MAGIC " 1 Apply!\n",
	};
	struct jsteps s;
	wg_opt_quiet = 1;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		print_message("# %s", bad[i]);
		assert_int_equal(journal_parse("'t'", bad[i], strlen(bad[i]), &s), WG_ERR_UNDO);
	}
	const char *good = JOURNAL_MAGIC " 42 reg-import\n"
			   "write 0 Windows/a%20b 5 0123456789abcdef0123456789abcdef01234567 - -\n"
			   "mkdir 1 Windows/New\n"
			   "remove 2 Windows/c 0 da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
			   "rmdir 3 Windows/Old\nprobe 4 Windows/x\nwrite 5 Windows/cut";
	assert_int_equal(journal_parse("'t'", good, strlen(good), &s), WG_OK);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.pid, 42);
	assert_string_equal(s.command, "reg-import");
	assert_string_equal(s.v[0].path, "Windows/a b");
	assert_true(s.v[0].has_old);
	assert_false(s.v[0].has_new);
	assert_int_equal(s.v[0].old_size, 5);
	assert_false(s.committed);
	struct strbuf sb = STRBUF_INIT;
	journal_format_step(&s.v[0], &sb);
	assert_string_equal(sb.buf, "write 0 Windows/a%20b 5 0123456789abcdef0123456789abcdef01234567 - -\n");
	sb_release(&sb);
	jsteps_release(&s);
	wg_opt_quiet = 0;
}

static void test_lock(void **state)
{
	(void)state;
	struct wg_lock a, b, c;
	wg_opt_quiet = 1;
	assert_int_equal(lock_take(logfd, "lock", "'t'", true, 0, &a), WG_OK);
	assert_true(exists("Windows/Logs/wimgraft/lock"));
	char *pid = get("Windows/Logs/wimgraft/lock"), want[32];
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(pid, want);
	free(pid);
	assert_int_equal(lock_take(logfd, "lock", "'t'", true, 0, &b), WG_ERR_LOCKED);
	assert_int_equal(lock_take(logfd, "lock", "'t'", false, 0, &b), WG_ERR_LOCKED);
	lock_release(&a);
	assert_false(exists("Windows/Logs/wimgraft/lock"));
	assert_int_equal(lock_take(logfd, "lock", "'t'", false, 0, &b), WG_OK);
	assert_int_equal(lock_take(logfd, "lock", "'t'", false, 0, &c), WG_OK);
	assert_int_equal(lock_take(logfd, "lock", "'t'", true, 0, &a), WG_ERR_LOCKED);
	lock_release(&b);
	assert_true(exists("Windows/Logs/wimgraft/lock"));   /* c still holds it */
	lock_release(&c);
	assert_false(exists("Windows/Logs/wimgraft/lock"));
	struct wg_lock z;
	memset(&z, 0, sizeof(z));
	lock_release(&z);   /* a zeroed lock is safe */
	wg_opt_quiet = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_recover_after_kill),
		cmocka_unit_test(test_recover_committed),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_lock),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	root_close(&root);
	if (logfd >= 0)
		close(logfd);
	return rc;
}
