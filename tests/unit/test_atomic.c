/*
 * test_atomic.c - unit tests of atomic.c: new and replaced files, kept mode/owner/xattrs,
 * no temporary file left behind, symlink refusal, library reopen via tmppath, ENOSPC/EROFS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <hivex.h>

#include "atomic.h"
#include "util.h"

struct fx {
	char dir[64];
	int dirfd;
	char mnt[96];      /* a tmpfs mounted below dir, when a test mounts one */
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/wg-atomic-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char *cmd;
	if (f->mnt[0])
		umount2(f->mnt, MNT_DETACH);
	close(f->dirfd);
	cmd = xasprintf("rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f);
	return 0;
}

static void write_path(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static char *read_path(const char *path)
{
	unsigned char *data;
	size_t len;
	if (read_file(path, 0, &data, &len) != WG_OK)
		return NULL;
	return (char *)data;
}

/* Number of entries of dir, other than . and .., whose name contains s (all when s is ""). */
static int count_entries(const char *dir, const char *s)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strstr(de->d_name, s))
			n++;
	closedir(d);
	return n;
}

/* Capture stderr around a call so that messages can be checked. */
static int saved_stderr = -1;
static char captured_path[64];

static void capture_begin(void)
{
	int fd;
	fflush(stderr);
	strcpy(captured_path, "/tmp/wg-atomic-err-XXXXXX");
	fd = mkstemp(captured_path);
	assert_true(fd >= 0);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	char *text = read_path(captured_path);
	unlink(captured_path);
	assert_non_null(text);
	return text;
}

/* Mount a small tmpfs at <dir>/mnt; false (and a message) when this is not allowed here. */
static bool mount_tmpfs(struct fx *f, const char *opts)
{
	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->dir);
	assert_int_equal(mkdir(f->mnt, 0755), 0);
	if (mount("tmpfs", f->mnt, "tmpfs", 0, opts) < 0) {
		fprintf(stderr, "# cannot mount a tmpfs (%s): skipped\n", strerror(errno));
		f->mnt[0] = '\0';
		return false;
	}
	return true;
}

static void test_new_file(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	struct stat st;
	char *path = xasprintf("%s/hive", f->dir);

	assert_int_equal(atomic_begin(f->dirfd, "hive", "Windows/hive", 0640, &af), WG_OK);
	assert_non_null(strstr(af.tmpname, ".hive.wimgraft-"));
	assert_int_equal(af.tmpname[0], '.');
	assert_int_equal(count_entries(f->dir, ".wimgraft-"), 1);
	assert_int_equal(stat(path, &st), -1);        /* nothing at the name before the commit */
	assert_int_equal(atomic_write(&af, "hello ", 6), WG_OK);
	assert_int_equal(atomic_write(&af, "world", 5), WG_OK);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);

	char *text = read_path(path);
	assert_string_equal(text, "hello world");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(count_entries(f->dir, ""), 1);
	free(text);
	free(path);
}

static void test_replace_keeps_mode_owner_xattrs(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	struct stat before, after;
	char *path = xasprintf("%s/SYSTEM", f->dir);
	static const unsigned char blob[] = { 0, 1, 2, 0xff, 0, 7 };
	char val[64];

	write_path(path, "old contents that are longer than the new ones");
	assert_int_equal(chmod(path, 0604), 0);
	if (setxattr(path, "user.wimgraft.test", "kept", 4, 0) < 0 ||
	    setxattr(path, "user.binary", blob, sizeof(blob), 0) < 0) {
		fprintf(stderr, "# user.* xattrs unsupported in /tmp (%s): skipped\n", strerror(errno));
		free(path);
		skip();
	}
	if (geteuid() == 0)
		assert_int_equal(chown(path, 1234, 5678), 0);
	assert_int_equal(stat(path, &before), 0);

	assert_int_equal(atomic_begin(f->dirfd, "SYSTEM", "SYSTEM", 0644, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "new", 3), WG_OK);
	/* the old file is untouched until the commit */
	char *text = read_path(path);
	assert_string_equal(text, "old contents that are longer than the new ones");
	free(text);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);

	text = read_path(path);
	assert_string_equal(text, "new");
	free(text);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino != before.st_ino);    /* replaced by rename, not rewritten */
	assert_int_equal(after.st_mode & 07777, 0604);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_int_equal(after.st_gid, before.st_gid);
	if (geteuid() == 0) {
		assert_int_equal(after.st_uid, 1234);
		assert_int_equal(after.st_gid, 5678);
	}
	assert_int_equal(getxattr(path, "user.wimgraft.test", val, sizeof(val)), 4);
	assert_memory_equal(val, "kept", 4);
	assert_int_equal(getxattr(path, "user.binary", val, sizeof(val)), (ssize_t)sizeof(blob));
	assert_memory_equal(val, blob, sizeof(blob));
	assert_int_equal(count_entries(f->dir, ""), 1);
	free(path);
}

/* getfattr, a tool this project did not write, sees the kept attribute too. */
static void test_replace_xattr_seen_by_getfattr(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	char *path = xasprintf("%s/f", f->dir);
	char *cmd = xasprintf("getfattr --only-values -n user.origin '%s' 2>/dev/null", path);
	char out[64] = "";

	write_path(path, "x");
	if (setxattr(path, "user.origin", "install.wim", 11, 0) < 0 || system("getfattr --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "# user.* xattrs or getfattr unavailable: skipped\n");
		free(cmd);
		free(path);
		skip();
	}
	assert_int_equal(atomic_begin(f->dirfd, "f", "f", 0644, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "y", 1), WG_OK);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, "install.wim");
	free(cmd);
	free(path);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	char *path = xasprintf("%s/keep", f->dir);

	write_path(path, "original");
	assert_int_equal(atomic_begin(f->dirfd, "keep", "keep", 0644, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "half-written", 12), WG_OK);
	assert_int_equal(count_entries(f->dir, ".wimgraft-"), 1);
	atomic_abort(&af);
	atomic_abort(&af);       /* twice is harmless */
	assert_int_equal(count_entries(f->dir, ".wimgraft-"), 0);
	assert_int_equal(count_entries(f->dir, ""), 1);
	char *text = read_path(path);
	assert_string_equal(text, "original");
	free(text);

	/* and on a struct never begun */
	struct atomic_file never = ATOMIC_FILE_INIT;
	atomic_abort(&never);
	free(path);
}

static void test_refuse_symlink_target(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	struct stat st;
	char *outside = xasprintf("%s/outside", f->dir);
	char *img = xasprintf("%s/img", f->dir);
	char *link = xasprintf("%s/img/SYSTEM", f->dir);

	assert_int_equal(mkdir(img, 0755), 0);
	write_path(outside, "not yours");
	assert_int_equal(symlink(outside, link), 0);
	int dirfd = open(img, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);

	assert_int_equal(atomic_begin(dirfd, "SYSTEM", "img/SYSTEM", 0644, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "evil", 4), WG_OK);
	capture_begin();
	enum wg_err err = atomic_commit(&af);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_UNSAFE_PATH);
	assert_non_null(strstr(msg, "'img/SYSTEM' is a symbolic link"));
	atomic_abort(&af);

	char *text = read_path(outside);
	assert_string_equal(text, "not yours");
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(count_entries(img, ""), 1);
	close(dirfd);
	free(text);
	free(msg);
	free(outside);
	free(img);
	free(link);
}

static void test_refuse_directory_target(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	char *sub = xasprintf("%s/sub", f->dir);

	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(atomic_begin(f->dirfd, "sub", "sub", 0644, &af), WG_OK);
	capture_begin();
	enum wg_err err = atomic_commit(&af);
	free(capture_end());
	assert_int_equal(err, WG_ERR_UNSAFE_PATH);
	atomic_abort(&af);
	assert_int_equal(count_entries(f->dir, ""), 1);
	free(sub);
}

static void test_invalid_names(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = { "", ".", "..", "a/b", "/etc/passwd" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct atomic_file af = ATOMIC_FILE_INIT;
		capture_begin();
		enum wg_err err = atomic_begin(f->dirfd, bad[i], bad[i], 0644, &af);
		free(capture_end());
		assert_int_equal(err, WG_ERR_UNSAFE_PATH);
		atomic_abort(&af);
	}
	assert_int_equal(count_entries(f->dir, ""), 0);
}

/* What hivex_commit does: open(path, O_WRONLY|O_CREAT|O_TRUNC) and write. Also through an O_PATH folder. */
static void test_tmppath_reopen(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	char *path = xasprintf("%s/h", f->dir);
	int dirfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);

	assert_int_equal(atomic_begin(dirfd, "h", "h", 0444, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "garbage that the reopen truncates", 33), WG_OK);
	int fd = open(af.tmppath, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "regf", 4), 4);
	assert_int_equal(close(fd), 0);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);

	char *text = read_path(path);
	assert_string_equal(text, "regf");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0444);
	assert_int_equal(count_entries(f->dir, ""), 1);
	close(dirfd);
	free(text);
	free(path);
}

/* The real hivex_commit, through tmppath, on the fixture SYSTEM hive; hivexsh reads the result. */
static void test_hivex_commit_via_tmppath(void **state)
{
	struct fx *f = *state;
	/* run from the checkout, as tests/run.sh does */
	const char *xz = "tests/fixtures/hives/SYSTEM.xz";
	char *src = xasprintf("%s/SYSTEM.orig", f->dir);
	char *dst = xasprintf("%s/SYSTEM", f->dir);
	char *cmd = NULL;
	struct atomic_file af = ATOMIC_FILE_INIT;

	assert_int_equal(access(xz, R_OK), 0);
	cmd = xasprintf("xz -dc '%s' >'%s'", xz, src);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	write_path(dst, "to be replaced");
	assert_int_equal(chmod(dst, 0600), 0);

	hive_h *h = hivex_open(src, HIVEX_OPEN_WRITE);
	assert_non_null(h);
	hive_node_h root = hivex_root(h);
	assert_true(root != 0);
	hive_node_h child = hivex_node_add_child(h, root, "WimgraftAtomicTest");
	assert_true(child != 0);

	assert_int_equal(atomic_begin(f->dirfd, "SYSTEM", "SYSTEM", 0644, &af), WG_OK);
	assert_int_equal(hivex_commit(h, af.tmppath, 0), 0);
	assert_int_equal(hivex_close(h), 0);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);

	struct stat st;
	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(f->dir, ".wimgraft-"), 0);
	if (system("command -v hivexsh >/dev/null 2>&1") == 0) {
		cmd = xasprintf("printf 'cd WimgraftAtomicTest\\n' | hivexsh '%s'", dst);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		cmd = xasprintf("printf 'cd NoSuchKeyHere\\n' | hivexsh '%s' 2>/dev/null", dst);
		assert_int_not_equal(system(cmd), 0);
		free(cmd);
	} else {
		h = hivex_open(dst, 0);
		assert_non_null(h);
		assert_true(hivex_node_get_child(h, hivex_root(h), "WimgraftAtomicTest") != 0);
		hivex_close(h);
	}
	free(src);
	free(dst);
}

static void test_copy_fd(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	char *src = xasprintf("%s/src", f->dir);
	char *dst = xasprintf("%s/dst", f->dir);
	struct strbuf big = STRBUF_INIT;

	for (int i = 0; i < 50000; i++)
		sb_addf(&big, "%d,", i);
	write_path(src, big.buf);
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);   /* from the current position */
	assert_int_equal(atomic_begin(f->dirfd, "dst", "dst", 0644, &af), WG_OK);
	assert_int_equal(atomic_copy_fd(&af, fd), WG_OK);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);
	close(fd);
	char *text = read_path(dst);
	assert_string_equal(text, big.buf + 3);
	free(text);
	sb_release(&big);
	free(src);
	free(dst);
}

/* ENOSPC from write is WG_ERR_NO_SPACE with a message naming the file (/dev/full gives ENOSPC). */
static void test_enospc_mapping_dev_full(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (full < 0) {
		fprintf(stderr, "# /dev/full unavailable: skipped\n");
		skip();
	}
	assert_int_equal(atomic_begin(f->dirfd, "SOFTWARE", "Windows/System32/config/SOFTWARE", 0644, &af), WG_OK);
	assert_true(dup3(full, af.fd, O_CLOEXEC) >= 0);
	close(full);
	capture_begin();
	enum wg_err err = atomic_write(&af, "data", 4);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_NO_SPACE);
	assert_non_null(strstr(msg, "cannot write 'Windows/System32/config/SOFTWARE': No space left on device"));
	atomic_abort(&af);
	assert_int_equal(count_entries(f->dir, ""), 0);
	free(msg);
}

/* A full file system: the write fails with WG_ERR_NO_SPACE, the old file is kept, no temp is left. */
static void test_enospc_tiny_tmpfs(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	if (!mount_tmpfs(f, "size=64k"))
		skip();
	char *path = xasprintf("%s/SYSTEM", f->mnt);
	write_path(path, "original hive");
	int dirfd = open(f->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	char *buf = xcalloc(1, 256 * 1024);

	assert_int_equal(atomic_begin(dirfd, "SYSTEM", "mnt/SYSTEM", 0644, &af), WG_OK);
	capture_begin();
	enum wg_err err = atomic_write(&af, buf, 256 * 1024);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_NO_SPACE);
	assert_non_null(strstr(msg, "'mnt/SYSTEM'"));
	atomic_abort(&af);
	assert_int_equal(count_entries(f->mnt, ""), 1);
	char *text = read_path(path);
	assert_string_equal(text, "original hive");
	close(dirfd);
	free(text);
	free(msg);
	free(buf);
	free(path);
}

/* A read-only file system: nothing can be begun, the error is WG_ERR_READ_ONLY. */
static void test_read_only_tmpfs(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	if (!mount_tmpfs(f, "size=64k"))
		skip();
	char *path = xasprintf("%s/SYSTEM", f->mnt);
	write_path(path, "original hive");
	assert_int_equal(mount(NULL, f->mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	int dirfd = open(f->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);

	capture_begin();
	enum wg_err err = atomic_begin(dirfd, "SYSTEM", "mnt/SYSTEM", 0644, &af);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_READ_ONLY);
	assert_non_null(strstr(msg, "'mnt/SYSTEM': Read-only file system"));
	atomic_abort(&af);
	char *text = read_path(path);
	assert_string_equal(text, "original hive");
	close(dirfd);
	free(text);
	free(msg);
	free(path);
}

/* The whole of stdout of a shell command. */
static char *shell_output(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	struct strbuf sb = STRBUF_INIT;
	char line[4096];
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		sb_addstr(&sb, line);
	assert_int_equal(pclose(p), 0);
	sb_addstr(&sb, "");
	return sb_detach(&sb);
}

/*
 * On an NTFS-3G mount the Windows security descriptor (system.ntfs_acl), the DOS
 * attributes (system.ntfs_attrib) and named streams (user.*) of a replaced file are
 * kept; getfattr reads them back.
 */
static void test_ntfs3g_keeps_acl_attrib_streams(void **state)
{
	struct fx *f = *state;
	struct atomic_file af = ATOMIC_FILE_INIT;
	if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0 ||
	    system("(command -v mkntfs && command -v ntfs-3g && command -v getfattr) >/dev/null") != 0) {
		fprintf(stderr, "# NTFS-3G, mkntfs, getfattr or root missing: skipped\n");
		skip();
	}
	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->dir);
	char *cmd = xasprintf("cd '%s' && mkdir mnt && truncate -s 8M vol.img && "
			      "mkntfs -F -f -q vol.img >/dev/null 2>&1 && ntfs-3g vol.img mnt", f->dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "# cannot mount an NTFS-3G volume: skipped\n");
		f->mnt[0] = '\0';
		free(cmd);
		skip();
	}
	free(cmd);
	/* a security descriptor unlike the default one (Everyone: read instead of full control) */
	cmd = xasprintf("cd '%s' && echo old >SYSTEM && "
			"acl=$(getfattr -n system.ntfs_acl -e hex --only-values SYSTEM | od -An -tx1 | tr -d ' \\n') && "
			"new=$(echo $acl | sed 's/ff011f00/89001200/') && [ \"$new\" != \"$acl\" ] && "
			"setfattr -n system.ntfs_acl -v 0x$new SYSTEM && "
			"setfattr -n system.ntfs_attrib -v 0x26000000 SYSTEM && "
			"setfattr -n user.Zone.Identifier -v stream SYSTEM", f->mnt);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	const char *show = "cd '%s' && getfattr -e hex -n system.ntfs_acl %s && "
			   "getfattr -e hex -n system.ntfs_attrib %s && getfattr -e hex -n user.Zone.Identifier %s";
	cmd = xasprintf(show, f->mnt, "SYSTEM", "SYSTEM", "SYSTEM");
	char *before = shell_output(cmd);
	free(cmd);

	int dirfd = open(f->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	assert_int_equal(atomic_begin(dirfd, "SYSTEM", "SYSTEM", 0644, &af), WG_OK);
	assert_int_equal(atomic_write(&af, "new hive", 8), WG_OK);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);
	/* a new file gets the folder's defaults: proves the kept ones were copied */
	assert_int_equal(atomic_begin(dirfd, "OTHER", "OTHER", 0644, &af), WG_OK);
	assert_int_equal(atomic_commit(&af), WG_OK);
	atomic_abort(&af);
	close(dirfd);

	cmd = xasprintf(show, f->mnt, "SYSTEM", "SYSTEM", "SYSTEM");
	char *after = shell_output(cmd);
	free(cmd);
	assert_string_equal(after, before);
	assert_non_null(strstr(after, "89001200"));
	assert_non_null(strstr(after, "system.ntfs_attrib=0x26000000"));
	cmd = xasprintf("cd '%s' && getfattr -e hex -n system.ntfs_acl OTHER && getfattr -e hex -n system.ntfs_attrib OTHER",
			f->mnt);
	char *other = shell_output(cmd);
	free(cmd);
	assert_null(strstr(other, "89001200"));
	assert_null(strstr(other, "0x26000000"));
	char *path = xasprintf("%s/SYSTEM", f->mnt);
	char *text = read_path(path);
	assert_string_equal(text, "new hive");
	assert_int_equal(count_entries(f->mnt, ".wimgraft-"), 0);
	free(path);
	free(text);
	free(other);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_keeps_mode_owner_xattrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_xattr_seen_by_getfattr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_symlink_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_directory_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmppath_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hivex_commit_via_tmppath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc_mapping_dev_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc_tiny_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ntfs3g_keeps_acl_attrib_streams, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
