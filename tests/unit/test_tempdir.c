/*
 * test_tempdir.c - temporary folders are made and locked; a folder left by a
 * killed run (its lock free) is swept by the next run, one still locked is not.
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tempdir.h"
#include "util.h"

static char root[] = "/tmp/wg-test-tempdir.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	setenv("TMPDIR", root, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", root);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static char *make_left_over(const char *name, bool with_lock)
{
	char *dir = xasprintf("%s/%s", root, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	char *file = xasprintf("%s/%s", dir, with_lock ? "lock" : "data");
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	free(file);
	return dir;
}

static void test_create_and_remove(void **state)
{
	(void)state;
	struct temp_dir td = TEMP_DIR_INIT;
	assert_int_equal(temp_dir_create("wgtest.", &td), WG_OK);
	assert_non_null(td.path);
	assert_int_equal(strncmp(td.path, root, strlen(root)), 0);
	char *lock = xasprintf("%s/lock", td.path);
	int fd = open(lock, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);   /* held by td */
	close(fd);
	free(lock);
	char *path = xstrdup(td.path);
	temp_dir_remove(&td);
	assert_null(td.path);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	temp_dir_remove(&td);   /* twice is fine */
}

static void test_sweep(void **state)
{
	(void)state;
	char *stale = make_left_over("wgtest.stale1", true);
	char *young = make_left_over("wgtest.young1", false);
	char *other = make_left_over("other.stale1", true);
	char *busy = make_left_over("wgtest.busy01", true);
	char *busy_lock = xasprintf("%s/lock", busy);
	int fd = open(busy_lock, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	/* flock is per open file: a second descriptor of this process sees the lock as held */
	struct temp_dir td = TEMP_DIR_INIT;
	assert_int_equal(temp_dir_create("wgtest.", &td), WG_OK);
	assert_int_equal(access(stale, F_OK), -1);    /* lock free: swept */
	assert_int_equal(access(young, F_OK), 0);     /* no lock, under an hour old: kept */
	assert_int_equal(access(other, F_OK), 0);     /* another prefix: kept */
	assert_int_equal(access(busy, F_OK), 0);      /* lock held: kept */
	temp_dir_remove(&td);
	close(fd);
	free(stale);
	free(young);
	free(other);
	free(busy);
	free(busy_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_remove),
		cmocka_unit_test(test_sweep),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
