/*
 * test_safepath.c - unit tests of safepath.c: case-insensitive reuse of folders, symlinks
 * and '..' refused, ambiguity, created-folder lists and rollback, removal, read-only targets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safepath.h"
#include "util.h"

struct fx {
	char top[64];      /* holds img/ and outside/ */
	char img[96];
	char outside[96];
	char mnt[96];      /* a tmpfs mounted at img, when a test mounts one */
	struct wg_root root;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	strcpy(f->top, "/tmp/wg-safepath-XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->img, sizeof(f->img), "%s/img", f->top);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->top);
	if (mkdir(f->img, 0755) < 0 || mkdir(f->outside, 0755) < 0)
		return -1;
	f->root.fd = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	root_close(&f->root);
	if (f->mnt[0])
		umount2(f->mnt, MNT_DETACH);
	char *cmd = xasprintf("chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", f->top, f->top);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->top);
	free(cmd);
	free(f);
	return 0;
}

static void open_root(struct fx *f)
{
	assert_int_equal(root_open(f->img, &f->root), WG_OK);
}

/* mkdir -p below img */
static void mkdirs(struct fx *f, const char *rel)
{
	char *cmd = xasprintf("mkdir -p '%s/%s'", f->img, rel);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	free(path);
}

static char *slurp(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	unsigned char *data = NULL;
	size_t len;
	enum wg_err err = read_file(path, 0, &data, &len);
	free(path);
	return err == WG_OK ? (char *)data : NULL;
}

/* The tree below dir as find(1) lists it, one sorted path a line. */
static char *tree(const char *dir)
{
	char *cmd = xasprintf("cd '%s' && find . -mindepth 1 | LC_ALL=C sort", dir);
	FILE *p = popen(cmd, "r");
	struct strbuf sb = STRBUF_INIT;
	char line[4096];
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		sb_addstr(&sb, line);
	assert_int_equal(pclose(p), 0);
	free(cmd);
	sb_addstr(&sb, "");
	return sb_detach(&sb);
}

static void assert_tree(const char *dir, const char *expected)
{
	char *t = tree(dir);
	assert_string_equal(t, expected);
	free(t);
}

/* Capture stderr around a call so that messages can be checked. */
static int saved_stderr = -1;
static char captured_path[64];

static void capture_begin(void)
{
	int fd;
	fflush(stderr);
	strcpy(captured_path, "/tmp/wg-safepath-err-XXXXXX");
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
	char *text = slurp("/", captured_path + 1);
	unlink(captured_path);
	assert_non_null(text);
	return text;
}

static void test_case_insensitive_reuse(void **state)
{
	struct fx *f = *state;
	struct strvec created = STRVEC_INIT;
	mkdirs(f, "Windows/System32/DriverStore");
	open_root(f);

	assert_int_equal(root_write_buf(&f->root, "windows/system32/driverstore/x.inf", "inf", 3, 0644,
					&created), WG_OK);
	assert_int_equal(created.n, 0);
	assert_int_equal(root_write_buf(&f->root, "WINDOWS\\SYSTEM32\\drivers\\MsLbfoProvider.sys",
					"sys", 3, 0644, &created), WG_OK);
	assert_int_equal(created.n, 1);
	assert_string_equal(created.v[0], "Windows/System32/drivers");
	assert_tree(f->img, "./Windows\n./Windows/System32\n./Windows/System32/DriverStore\n"
		    "./Windows/System32/DriverStore/x.inf\n./Windows/System32/drivers\n"
		    "./Windows/System32/drivers/MsLbfoProvider.sys\n");
	char *text = slurp(f->img, "Windows/System32/drivers/MsLbfoProvider.sys");
	assert_string_equal(text, "sys");
	free(text);
	sv_clear(&created);
}

/* An existing file written under another case is replaced in place, keeping its spelling and mode. */
static void test_replace_existing_other_case(void **state)
{
	struct fx *f = *state;
	struct stat st;
	mkdirs(f, "Windows/System32/config");
	put(f->img, "Windows/System32/config/SYSTEM", "old hive");
	char *path = xasprintf("%s/Windows/System32/config/SYSTEM", f->img);
	assert_int_equal(chmod(path, 0600), 0);
	open_root(f);

	int src = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(src >= 0);
	/* the source is the old file itself: it is read before the rename */
	assert_int_equal(root_write_file(&f->root, "windows/system32/CONFIG/system", src, 0644, NULL), WG_OK);
	close(src);
	assert_tree(f->img, "./Windows\n./Windows/System32\n./Windows/System32/config\n"
		    "./Windows/System32/config/SYSTEM\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	char *text = slurp(f->img, "Windows/System32/config/SYSTEM");
	assert_string_equal(text, "old hive");
	free(text);
	free(path);
}

static void test_lookup(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char *actual = NULL;
	mkdirs(f, "Windows/INF");
	put(f->img, "Windows/INF/MsLbfoProvider.inf", "x");
	open_root(f);

	assert_int_equal(root_lookup(&f->root, "windows\\inf\\mslbfoprovider.INF", &actual, &st), WG_OK);
	assert_string_equal(actual, "Windows/INF/MsLbfoProvider.inf");
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 1);
	free(actual);
	actual = NULL;
	assert_int_equal(root_lookup(&f->root, "WINDOWS/inf", &actual, &st), WG_OK);
	assert_string_equal(actual, "Windows/INF");
	assert_true(S_ISDIR(st.st_mode));
	free(actual);
	actual = NULL;

	capture_begin();
	assert_int_equal(root_lookup(&f->root, "Windows/INF/missing.inf", &actual, NULL), WG_ERR_NOT_FOUND);
	assert_int_equal(root_lookup(&f->root, "Windows/nowhere/x", &actual, NULL), WG_ERR_NOT_FOUND);
	char *msg = capture_end();
	assert_string_equal(msg, "");            /* NOT_FOUND is quiet */
	assert_null(actual);
	free(msg);

	/* a file where a folder is expected */
	capture_begin();
	assert_int_equal(root_lookup(&f->root, "Windows/INF/MsLbfoProvider.inf/x", NULL, NULL), WG_ERR_IO);
	msg = capture_end();
	assert_non_null(strstr(msg, "'Windows/INF/MsLbfoProvider.inf' in '"));
	assert_non_null(strstr(msg, "is not a folder"));
	free(msg);
}

static void test_symlink_outside_refused(void **state)
{
	struct fx *f = *state;
	struct strvec created = STRVEC_INIT;
	int fd = -1;
	char *leaf = NULL;
	mkdirs(f, "Windows/System32");
	char *link = xasprintf("%s/Windows/System32/drivers", f->img);
	assert_int_equal(symlink(f->outside, link), 0);
	open_root(f);

	capture_begin();
	enum wg_err err = root_write_buf(&f->root, "Windows/System32/drivers/MsLbfoProvider.sys", "evil", 4,
					 0644, &created);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_UNSAFE_PATH);
	char *want = xasprintf("error: 'Windows/System32/drivers' in '%s' is a symbolic link; "
			       "refusing to write through it\n", f->img);
	assert_string_equal(msg, want);
	free(want);
	free(msg);

	capture_begin();
	/* whatever the case of the path given */
	assert_int_equal(root_write_buf(&f->root, "windows/system32/DRIVERS/en-US/x.mui", "evil", 4, 0644,
					&created), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_open_parent(&f->root, "Windows/System32/drivers/new/x.sys", true, &fd, &leaf,
					  &created), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/drivers/x.sys"), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/drivers/a/b/x.sys"), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_lookup(&f->root, "Windows/System32/drivers/x.sys", NULL, NULL), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_open_read(&f->root, "Windows/System32/drivers/x.sys", &fd), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_unlink(&f->root, "Windows/System32/drivers/x.sys"), WG_ERR_UNSAFE_PATH);
	free(capture_end());

	assert_int_equal(created.n, 0);
	assert_int_equal(fd, -1);
	assert_null(leaf);
	assert_tree(f->outside, "");
	assert_tree(f->img, "./Windows\n./Windows/System32\n./Windows/System32/drivers\n");
	free(link);
}

/* A relative link climbing out ("../../..") and a link as the file itself are refused too. */
static void test_symlink_relative_and_leaf(void **state)
{
	struct fx *f = *state;
	mkdirs(f, "Windows/System32/config");
	char *up = xasprintf("%s/Windows/System32/config/up", f->img);
	assert_int_equal(symlink("../../../../outside", up), 0);
	free(up);
	put(f->outside, "SYSTEM", "theirs");
	char *leafpath = xasprintf("%s/Windows/System32/config/SYSTEM", f->img);
	char *target = xasprintf("%s/SYSTEM", f->outside);
	assert_int_equal(symlink(target, leafpath), 0);
	open_root(f);

	capture_begin();
	assert_int_equal(root_write_buf(&f->root, "Windows/System32/config/up/x", "evil", 4, 0644, NULL),
			 WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_write_buf(&f->root, "Windows/System32/config/SYSTEM", "evil", 4, 0644, NULL),
			 WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/config/system"), WG_ERR_UNSAFE_PATH);
	int fd = -1;
	assert_int_equal(root_open_read(&f->root, "Windows/System32/config/SYSTEM", &fd), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_unlink(&f->root, "Windows/System32/config/SYSTEM"), WG_ERR_UNSAFE_PATH);
	assert_int_equal(root_rmdir_if_empty(&f->root, "Windows/System32/config/up"), WG_ERR_UNSAFE_PATH);
	char *msg = capture_end();
	assert_non_null(strstr(msg, "'Windows/System32/config/up' in '"));
	assert_non_null(strstr(msg, "'Windows/System32/config/SYSTEM' in '"));
	free(msg);

	/* lookup reports a final symlink without following it */
	struct stat st;
	assert_int_equal(root_lookup(&f->root, "windows/system32/config/system", NULL, &st), WG_OK);
	assert_true(S_ISLNK(st.st_mode));

	char *text = slurp(f->outside, "SYSTEM");
	assert_string_equal(text, "theirs");
	assert_tree(f->outside, "./SYSTEM\n");
	assert_tree(f->img, "./Windows\n./Windows/System32\n./Windows/System32/config\n"
		    "./Windows/System32/config/SYSTEM\n./Windows/System32/config/up\n");
	free(text);
	free(leafpath);
	free(target);
}

static void test_unsafe_paths_refused(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"..", "../outside/x", "Windows/../../outside/x", "Windows\\..\\..\\outside\\x",
		"./x", "Windows/./x", "a//b", "a/", "", "/etc/passwd", "\\Windows\\x", "C:\\Windows\\x",
		"c:/Windows/x",
	};
	open_root(f);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int fd = -1;
		char *leaf = NULL;
		capture_begin();
		enum wg_err w = root_write_buf(&f->root, bad[i], "x", 1, 0644, NULL);
		enum wg_err c = root_check_writable(&f->root, bad[i]);
		enum wg_err l = root_lookup(&f->root, bad[i], NULL, NULL);
		enum wg_err p = root_open_parent(&f->root, bad[i], true, &fd, &leaf, NULL);
		enum wg_err u = root_unlink(&f->root, bad[i]);
		char *msg = capture_end();
		if (w != WG_ERR_UNSAFE_PATH)
			fail_msg("'%s' was not refused (%d)", bad[i], w);
		assert_int_equal(c, WG_ERR_UNSAFE_PATH);
		assert_int_equal(l, WG_ERR_UNSAFE_PATH);
		assert_int_equal(p, WG_ERR_UNSAFE_PATH);
		assert_int_equal(u, WG_ERR_UNSAFE_PATH);
		assert_true(strlen(msg) > 0);
		free(msg);
	}
	assert_tree(f->img, "");
	assert_tree(f->outside, "");
	assert_tree(f->top, "./img\n./outside\n");
}

static void test_ambiguous_case_pair(void **state)
{
	struct fx *f = *state;
	mkdirs(f, "Windows/System32");
	mkdirs(f, "Windows/SYSTEM32");
	open_root(f);

	capture_begin();
	enum wg_err err = root_write_buf(&f->root, "windows/system32/drivers/x.sys", "x", 1, 0644, NULL);
	char *msg = capture_end();
	assert_int_equal(err, WG_ERR_AMBIGUOUS);
	assert_non_null(strstr(msg, "'Windows/SYSTEM32' and 'Windows/System32' differ only in case"));
	free(msg);
	capture_begin();
	assert_int_equal(root_lookup(&f->root, "Windows/system32", NULL, NULL), WG_ERR_AMBIGUOUS);
	assert_int_equal(root_check_writable(&f->root, "Windows/system32/x"), WG_ERR_AMBIGUOUS);
	free(capture_end());
	assert_tree(f->img, "./Windows\n./Windows/SYSTEM32\n./Windows/System32\n");

	/* an exact spelling is not ambiguous */
	assert_int_equal(root_write_buf(&f->root, "Windows/System32/x.sys", "x", 1, 0644, NULL), WG_OK);
	assert_tree(f->img, "./Windows\n./Windows/SYSTEM32\n./Windows/System32\n./Windows/System32/x.sys\n");

	/* the same for a file name */
	put(f->img, "Windows/System32/X.SYS", "y");
	capture_begin();
	assert_int_equal(root_write_buf(&f->root, "Windows/System32/x.Sys", "z", 1, 0644, NULL), WG_ERR_AMBIGUOUS);
	free(capture_end());
}

static void test_created_list_and_rollback(void **state)
{
	struct fx *f = *state;
	struct strvec created = STRVEC_INIT;
	open_root(f);

	assert_int_equal(root_write_buf(&f->root, "Windows/System32/DriverStore/FileRepository/pkg/a.inf",
					"a", 1, 0644, &created), WG_OK);
	assert_int_equal(created.n, 5);
	assert_string_equal(created.v[0], "Windows");
	assert_string_equal(created.v[1], "Windows/System32");
	assert_string_equal(created.v[2], "Windows/System32/DriverStore");
	assert_string_equal(created.v[3], "Windows/System32/DriverStore/FileRepository");
	assert_string_equal(created.v[4], "Windows/System32/DriverStore/FileRepository/pkg");
	assert_int_equal(root_write_buf(&f->root, "windows/SYSTEM32/driverstore/en-US/a.inf_loc",
					"b", 1, 0644, &created), WG_OK);
	assert_int_equal(created.n, 6);
	assert_string_equal(created.v[5], "Windows/System32/DriverStore/en-US");
	sv_clear(&created);

	/* created folders have mode 0755 (under the usual umask) */
	struct stat st;
	char *p = xasprintf("%s/Windows/System32/DriverStore/en-US", f->img);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755 & ~(mode_t)022);
	free(p);

	/* a write that fails after making folders leaves none of them behind */
	char *before = tree(f->img);
	int dirfd = open(f->img, O_RDONLY | O_DIRECTORY | O_CLOEXEC);   /* read() gives EISDIR */
	assert_true(dirfd >= 0);
	capture_begin();
	enum wg_err err = root_write_file(&f->root, "Windows/System32/drivers/en-US/new/x.mui", dirfd, 0644,
					  &created);
	free(capture_end());
	close(dirfd);
	assert_int_not_equal(err, WG_OK);
	assert_int_equal(created.n, 0);
	char *after = tree(f->img);
	assert_string_equal(after, before);
	free(before);
	free(after);

	/* root_open_parent: without create a missing folder is NOT_FOUND; with it, made and listed */
	int fd = -1;
	char *leaf = NULL;
	assert_int_equal(root_open_parent(&f->root, "Windows/Setup/Scripts/SetupComplete.cmd", false, &fd,
					  &leaf, &created), WG_ERR_NOT_FOUND);
	assert_int_equal(root_open_parent(&f->root, "windows/Setup/Scripts/SetupComplete.cmd", true, &fd,
					  &leaf, &created), WG_OK);
	assert_string_equal(leaf, "SetupComplete.cmd");
	assert_int_equal(created.n, 2);
	assert_string_equal(created.v[0], "Windows/Setup");
	assert_string_equal(created.v[1], "Windows/Setup/Scripts");
	assert_int_equal(faccessat(fd, ".", W_OK, 0), 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = xasprintf("%s/Windows/Setup/Scripts", f->img);
	struct stat st2;
	assert_int_equal(stat(p, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	free(p);
	close(fd);
	free(leaf);
	leaf = NULL;
	put(f->img, "Windows/Setup/Scripts/setupcomplete.CMD", "@echo off\r\n");
	assert_int_equal(root_open_parent(&f->root, "Windows/Setup/Scripts/SetupComplete.cmd", false, &fd,
					  &leaf, NULL), WG_OK);
	assert_string_equal(leaf, "setupcomplete.CMD");
	close(fd);
	free(leaf);
	sv_clear(&created);
}

static void test_unlink_and_rmdir(void **state)
{
	struct fx *f = *state;
	struct strvec created = STRVEC_INIT;
	open_root(f);
	assert_int_equal(root_write_buf(&f->root, "A/B/file", "x", 1, 0644, &created), WG_OK);
	assert_int_equal(root_write_buf(&f->root, "A/keep", "x", 1, 0644, &created), WG_OK);
	assert_int_equal(created.n, 2);

	capture_begin();
	assert_int_equal(root_unlink(&f->root, "a/b/FILE"), WG_OK);
	assert_int_equal(root_unlink(&f->root, "a/b/FILE"), WG_ERR_NOT_FOUND);
	assert_int_equal(root_unlink(&f->root, "A/B"), WG_ERR_IO);          /* a folder */
	assert_int_equal(root_rmdir_if_empty(&f->root, "A/keep"), WG_ERR_IO); /* a file */
	assert_int_equal(root_rmdir_if_empty(&f->root, "A/nothing"), WG_ERR_NOT_FOUND);
	free(capture_end());
	assert_tree(f->img, "./A\n./A/B\n./A/keep\n");

	/* folders in reverse creation order; a non-empty one stays, without an error */
	for (size_t i = created.n; i-- > 0;)
		assert_int_equal(root_rmdir_if_empty(&f->root, created.v[i]), WG_OK);
	assert_tree(f->img, "./A\n./A/keep\n");
	assert_int_equal(root_unlink(&f->root, "A/KEEP"), WG_OK);
	assert_int_equal(root_rmdir_if_empty(&f->root, "a"), WG_OK);
	assert_tree(f->img, "");
	sv_clear(&created);
}

static void test_open_read(void **state)
{
	struct fx *f = *state;
	int fd = -1;
	char buf[16] = "";
	mkdirs(f, "Windows/INF");
	put(f->img, "Windows/INF/mslbfoprovider.inf", "[Version]");
	char *fifo = xasprintf("%s/Windows/INF/pipe", f->img);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	open_root(f);

	assert_int_equal(root_open_read(&f->root, "WINDOWS/inf/MsLbfoProvider.inf", &fd), WG_OK);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 9);
	assert_string_equal(buf, "[Version]");
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	capture_begin();
	assert_int_equal(root_open_read(&f->root, "Windows/INF/pipe", &fd), WG_ERR_IO);   /* no hang */
	assert_int_equal(root_open_read(&f->root, "Windows/INF", &fd), WG_ERR_IO);
	free(capture_end());
	assert_int_equal(root_open_read(&f->root, "Windows/INF/none", &fd), WG_ERR_NOT_FOUND);
	assert_int_equal(fd, -1);
	free(fifo);
}

static void test_root_open_errors(void **state)
{
	struct fx *f = *state;
	struct wg_root r = WG_ROOT_INIT;
	put(f->top, "file", "x");
	char *file = xasprintf("%s/file", f->top);
	char *missing = xasprintf("%s/missing", f->top);
	capture_begin();
	assert_int_equal(root_open(file, &r), WG_ERR_IO);
	assert_int_equal(root_open(missing, &r), WG_ERR_NOT_FOUND);
	char *msg = capture_end();
	assert_non_null(strstr(msg, "is not a folder"));
	assert_non_null(strstr(msg, "No such file or directory"));
	assert_int_equal(r.fd, -1);
	root_close(&r);
	free(msg);
	free(file);
	free(missing);
}

static void test_check_writable(void **state)
{
	struct fx *f = *state;
	mkdirs(f, "Windows/System32/config");
	put(f->img, "Windows/System32/config/SYSTEM", "hive");
	open_root(f);
	char *before = tree(f->img);

	assert_int_equal(root_check_writable(&f->root, "windows/system32/config/system"), WG_OK);
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/drivers/en-US/x.mui"), WG_OK);
	assert_int_equal(root_check_writable(&f->root, "New/Folder/x"), WG_OK);
	capture_begin();
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/config"), WG_ERR_IO);  /* a folder */
	assert_int_equal(root_check_writable(&f->root, "Windows/System32/config/SYSTEM/x"), WG_ERR_IO);
	free(capture_end());
	char *after = tree(f->img);
	assert_string_equal(after, before);        /* nothing created, nothing left */
	free(before);
	free(after);
}

/*
 * A read-only target: root ignores permission bits, so as root a read-only tmpfs is
 * mounted; otherwise chmod 555 is enough.
 */
static void test_read_only_target(void **state)
{
	struct fx *f = *state;
	struct strvec created = STRVEC_INIT;
	bool as_root = geteuid() == 0;

	if (as_root) {
		snprintf(f->mnt, sizeof(f->mnt), "%s", f->img);
		if (mount("tmpfs", f->mnt, "tmpfs", 0, "size=256k") < 0) {
			fprintf(stderr, "# cannot mount a tmpfs (%s): skipped\n", strerror(errno));
			f->mnt[0] = '\0';
			skip();
		}
	}
	mkdirs(f, "Windows/System32/config");
	put(f->img, "Windows/System32/config/SYSTEM", "hive");
	if (as_root) {
		assert_int_equal(mount(NULL, f->mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	} else {
		char *cmd = xasprintf("chmod -R a-w '%s'", f->img);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	open_root(f);
	char *before = tree(f->img);

	capture_begin();
	enum wg_err c1 = root_check_writable(&f->root, "Windows/System32/config/SYSTEM");
	enum wg_err c2 = root_check_writable(&f->root, "Windows/System32/drivers/x.sys");
	enum wg_err w1 = root_write_buf(&f->root, "Windows/System32/config/SYSTEM", "new", 3, 0644, &created);
	enum wg_err w2 = root_write_buf(&f->root, "Windows/System32/drivers/x.sys", "new", 3, 0644, &created);
	char *msg = capture_end();
	assert_int_equal(c1, WG_ERR_READ_ONLY);
	assert_int_equal(c2, WG_ERR_READ_ONLY);
	assert_int_equal(w1, WG_ERR_READ_ONLY);
	assert_int_equal(w2, WG_ERR_READ_ONLY);
	char *want = xasprintf("cannot write in '%s/Windows/System32/config'", f->img);
	assert_non_null(strstr(msg, want));
	free(want);
	assert_int_equal(created.n, 0);
	char *after = tree(f->img);
	assert_string_equal(after, before);
	char *text = slurp(f->img, "Windows/System32/config/SYSTEM");
	assert_string_equal(text, "hive");
	free(text);
	free(msg);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_insensitive_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_existing_other_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_outside_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_relative_and_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_paths_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_case_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_list_and_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlink_and_rmdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_target, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
