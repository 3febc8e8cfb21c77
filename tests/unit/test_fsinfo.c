/*
 * test_fsinfo.c - mountinfo lines as the kernel writes them for wimlib's mount, NTFS-3G,
 * ntfs3 and ext4 are read right, malformed ones are refused, and each gives its kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "fsinfo.h"

static enum fs_kind kind_of_line(const char *line)
{
	struct mount_entry e;
	assert_true(mountinfo_parse_line(line, strlen(line), &e));
	enum fs_kind k = fs_kind_of(e.type, e.source, 0);
	mount_entry_release(&e);
	return k;
}

static void test_lines(void **state)
{
	(void)state;
	struct mount_entry e;
	const char *wimfs = "44 26 0:39 / /tmp/mx/m rw,nosuid,nodev,relatime - fuse.wimfs wimfs "
			    "rw,user_id=0,group_id=0,default_permissions";
	assert_true(mountinfo_parse_line(wimfs, strlen(wimfs), &e));
	assert_int_equal(e.major, 0);
	assert_int_equal(e.minor, 39);
	assert_string_equal(e.mount_point, "/tmp/mx/m");
	assert_string_equal(e.type, "fuse.wimfs");
	assert_string_equal(e.source, "wimfs");
	mount_entry_release(&e);

	/* optional fields before "-", a space in the mount point */
	const char *ext4 = "36 35 98:0 / /mnt/win\\04010 rw,noatime master:1 shared:7 - ext4 /dev/sda1 rw";
	assert_true(mountinfo_parse_line(ext4, strlen(ext4), &e));
	assert_int_equal(e.major, 98);
	assert_string_equal(e.mount_point, "/mnt/win 10");
	assert_string_equal(e.source, "/dev/sda1");
	mount_entry_release(&e);

	assert_int_equal(kind_of_line(wimfs), FS_WIMFS);
	assert_int_equal(kind_of_line("50 26 0:40 / /n rw - fuse.ntfs-3g /dev/sdb1 rw"), FS_NTFS3G);
	assert_int_equal(kind_of_line("50 26 8:17 / /n rw - fuseblk.ntfs-3g /dev/sdb1 rw"), FS_NTFS3G);
	assert_int_equal(kind_of_line("50 26 8:17 / /n rw - ntfs3 /dev/sdb1 rw,uid=0"), FS_NTFS3);
	assert_int_equal(kind_of_line("36 35 98:0 / / rw - ext4 /dev/root rw"), FS_POSIX);
	/* a plain "fuse" or "fuseblk" mount: decided by asking the file system, not here */
	assert_int_equal(kind_of_line("44 26 0:39 / /n rw - fuse /tmp/v.img rw,allow_other"), FS_POSIX);
	assert_int_equal(fs_kind_of(NULL, NULL, 0x5346544eUL), FS_NTFS3);
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"44 26 0:39 / /m rw",                       /* no separator */
		"44 26 0:39 / /m rw -",                     /* no type */
		"44 26 0:39 / /m rw - fuse.wimfs",          /* no source */
		"44 26 039 / /m rw - ext4 /dev/x rw",       /* no colon */
		"44 26 :39 / /m rw - ext4 /dev/x rw",
		"44 26 0: / /m rw - ext4 /dev/x rw",
		"44 26 a:b / /m rw - ext4 /dev/x rw",
		"44 26 0:39 /",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mount_entry e;
		assert_false(mountinfo_parse_line(bad[i], strlen(bad[i]), &e));
	}
}

static void test_this_folder(void **state)
{
	(void)state;
	struct fs_info fi;
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	fsinfo_of_fd(fd, &fi);
	close(fd);
	assert_non_null(fi.type);
	assert_non_null(fs_kind_name(fi.kind));
	char *line = fsinfo_describe(&fi, "'.'");
	assert_non_null(strstr(line, fi.type));
	free(line);
	json_object *o = fsinfo_json(&fi);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "type")), fi.type);
	json_object_put(o);
	fsinfo_release(&fi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_this_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
