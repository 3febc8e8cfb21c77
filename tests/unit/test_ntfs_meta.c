/*
 * test_ntfs_meta.c - the metadata read from a WIM image through wimlib equals what
 * wimlib-imagex dir --detailed shows (times as FILETIMEs, attributes, descriptor), a file is
 * found only with its content, and a folder without NTFS-3G has nothing to inherit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include <wimlib.h>

#include "ntfs_meta.h"
#include "shell.h"
#include "source.h"

static char dir[] = "/tmp/wg-test-ntfs-meta.XXXXXX";

static int setup(void **state)
{
	(void)state;
	wg_opt_quiet = 1;
	if (!mkdtemp(dir) || source_wimlib_init())
		return -1;
	/* 2021-06-21 00:00:00 UTC = 1624233600 s: FILETIME 132687072000000000 */
	return run("cd '%s' && mkdir -p t/Windows/INF && printf 'inf' >t/Windows/INF/a.inf && "
		   "touch -d @1624233600 t/Windows/INF/a.inf && "
		   "wimlib-imagex capture t w.wim >/dev/null", dir) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return run("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static void test_from_wim(void **state)
{
	(void)state;
	char *wim = xasprintf("%s/w.wim", dir);
	WIMStruct *w;
	assert_int_equal(wimlib_open_wim(wim, 0, &w), 0);
	struct ntfs_meta m;
	uint8_t sha1[20];
	char *f = xasprintf("%s/t/Windows/INF/a.inf", dir);
	assert_int_equal(sha1_file(f, sha1), WG_OK);
	/* any case, '/'-separated, as the engine asks */
	assert_int_equal(ntfs_meta_from_wim(w, 1, "windows/inf/A.INF", sha1, &m), WG_OK);
	assert_true(m.has_times);
	assert_true(m.times[1] == 132687072000000000ULL);
	char *attr = output_of("wimlib-imagex dir '%s' 1 --detailed --path=/Windows/INF/a.inf | "
			       "sed -n 's/^Attributes *= 0x//p'", wim);
	assert_true(m.has_attrib);
	assert_int_equal(m.attrib, (uint32_t)strtoul(attr, NULL, 16));
	free(attr);
	/* a capture from Linux holds no descriptor */
	assert_null(m.sd);
	ntfs_meta_release(&m);

	/* another content is not this file; a file is not a folder; a folder is found as one */
	sha1[0] ^= 1;
	assert_int_equal(ntfs_meta_from_wim(w, 1, "Windows/INF/a.inf", sha1, &m), WG_ERR_NOT_FOUND);
	assert_int_equal(ntfs_meta_from_wim(w, 1, "Windows/INF/a.inf", NULL, &m), WG_ERR_NOT_FOUND);
	assert_int_equal(ntfs_meta_from_wim(w, 1, "Windows/INF", NULL, &m), WG_OK);
	assert_true(m.attrib & WIMLIB_FILE_ATTRIBUTE_DIRECTORY);
	ntfs_meta_release(&m);
	assert_int_equal(ntfs_meta_from_wim(w, 1, "Windows/nothing", NULL, &m), WG_ERR_NOT_FOUND);
	wimlib_free(w);
	free(f);
	free(wim);
}

static void test_not_ntfs(void **state)
{
	(void)state;
	struct ntfs_meta m;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_false(ntfs_meta_inherit(fd, false, &m));
	ntfs_meta_read_fd(fd, &m);
	assert_null(m.sd);
	assert_false(m.has_attrib);
	assert_false(m.has_times);
	/* setting on a file system without them is an error that names the file */
	m.has_attrib = true;
	assert_int_not_equal(ntfs_meta_apply_fd(fd, "x", &m), WG_OK);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_wim),
		cmocka_unit_test(test_not_ntfs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
