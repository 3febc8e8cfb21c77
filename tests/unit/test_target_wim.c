/*
 * test_target_wim.c - unit tests of target_wim.c on copies of the fixture WIMs: image choice,
 * look-ups, queued writes read back, hives put back, one write; results checked with wimlib-imagex.
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
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "target_wim.h"
#include "util.h"
#include "shell.h"

struct fx {
	char top[64];
	char wim[128];          /* a copy of win10.wim */
	char *fixtures;
};

static const char *fixtures_dir(void)
{
	const char *f = getenv("WG_FIXTURES");
	return f && *f ? f : "build/fixtures";
}

/* "path attributes hash" of every entry of an image, as wimlib-imagex sees it. */
static char *listing(const char *wim, int image)
{
	return output_of("wimlib-imagex dir '%s' %d --detailed | awk -F' = ' "
			 "'/^Full Path/{p=$2} /^Attributes/{a=$2} /^Hash/{print p, a, $2}' | LC_ALL=C sort",
			 wim, image);
}

/* text without the lines that contain any of the strings */
static char *drop_lines(const char *text, const char *const *drop, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, 1);
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text + 1) : strlen(text);
		char *line = xstrndup(text, len);
		bool keep = true;
		for (size_t i = 0; i < n; i++)
			if (strstr(line, drop[i]))
				keep = false;
		if (keep)
			sb_add(&sb, line, len);
		free(line);
		text += len;
	}
	return sb_detach(&sb);
}

static char *sha256_of(const char *path)
{
	return output_of("sha256sum < '%s'", path);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	if (source_wimlib_init())
		return -1;
	strcpy(f->top, "/tmp/wg-target-wim-XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->wim, sizeof(f->wim), "%s/install.wim", f->top);
	f->fixtures = xstrdup(fixtures_dir());
	*state = f;
	char *src = xasprintf("%s/win10.wim", f->fixtures);
	int have = access(src, R_OK) == 0;
	if (have && run("cp '%s' '%s'", src, f->wim) != 0)
		return -1;
	free(src);
	if (!have) {
		fprintf(stderr, "fixture images missing in %s (run 'make fixtures')\n", f->fixtures);
		return 0;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	run("chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", f->top, f->top);
	free(f->fixtures);
	free(f);
	return 0;
}

#define NEED_FIXTURE(f) do { if (access((f)->wim, F_OK) != 0) skip(); } while (0)

static struct target *one_target(struct wim_session *s, const char *spec)
{
	struct target **t;
	size_t n;
	assert_int_equal(wim_session_targets(s, spec, &t, &n), WG_OK);
	assert_int_equal(n, 1);
	return t[0];
}

static void test_choose_images(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	struct target **t;
	size_t n;
	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_OK);
	assert_int_equal(wim_session_targets(s, NULL, &t, &n), WG_ERR_USAGE);
	assert_int_equal(wim_session_targets(s, "4", &t, &n), WG_ERR_NO_IMAGE);
	assert_int_equal(wim_session_targets(s, "0", &t, &n), WG_ERR_NO_IMAGE);
	assert_int_equal(wim_session_targets(s, "Windows 7", &t, &n), WG_ERR_NO_IMAGE);

	struct target *pro = one_target(s, "windows 10 PRO");
	char *want = xasprintf("'%s' image 2 (Windows 10 Pro)", f->wim);
	assert_string_equal(pro->display, want);
	free(want);
	assert_ptr_equal(one_target(s, "2"), pro);

	struct image_info info;
	bool known = false;
	assert_int_equal(pro->ops->info(pro, &info, &known), WG_OK);
	assert_true(known);
	assert_int_equal(info.index, 2);
	assert_string_equal(info.name, "Windows 10 Pro");
	assert_string_equal(info.edition, "Professional");
	assert_string_equal(info.installation_type, "Client");
	assert_string_equal(info.arch, "amd64");
	assert_int_equal(info.build, 19045);
	assert_int_equal(info.languages.n, 1);
	assert_string_equal(info.languages.v[0], "en-US");
	image_info_release(&info);

	assert_int_equal(wim_session_targets(s, "all", &t, &n), WG_OK);
	assert_int_equal(n, 3);
	assert_ptr_equal(t[1], pro);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
}

static void test_lookup_hash_read(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	char *actual = NULL;
	bool is_dir = true;
	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_OK);
	struct target *t = one_target(s, "1");

	assert_int_equal(t->ops->lookup(t, "windows\\SYSTEM32/Config/system", &actual, &is_dir), WG_OK);
	assert_string_equal(actual, "Windows/System32/config/SYSTEM");
	assert_false(is_dir);
	free(actual);
	assert_int_equal(t->ops->lookup(t, "WINDOWS/system32", &actual, &is_dir), WG_OK);
	assert_string_equal(actual, "Windows/System32");
	assert_true(is_dir);
	free(actual);
	actual = NULL;
	assert_int_equal(t->ops->lookup(t, "Windows/nothing/here", &actual, NULL), WG_ERR_NOT_FOUND);
	assert_null(actual);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/config/SYSTEM/x", &actual, NULL),
			 WG_ERR_NOT_FOUND);
	assert_int_equal(t->ops->lookup(t, "Windows/../etc", &actual, NULL), WG_ERR_UNSAFE_PATH);
	assert_int_equal(t->ops->lookup(t, "/Windows", &actual, NULL), WG_ERR_UNSAFE_PATH);

	/* hash and read agree with what wimlib-imagex extracts */
	uint64_t size;
	uint8_t sha1[20], got[20];
	unsigned char *data;
	size_t len;
	assert_int_equal(t->ops->hash(t, "windows/system32/config/SYSTEM", &size, sha1), WG_OK);
	char *x = xasprintf("%s/x", f->top);
	assert_int_equal(run("wimlib-imagex extract '%s' 1 /Windows/System32/config/SYSTEM "
			     "--dest-dir='%s' --no-acls >/dev/null", f->wim, x), 0);
	char *ext = xasprintf("%s/SYSTEM", x);
	struct stat st;
	assert_int_equal(stat(ext, &st), 0);
	assert_int_equal(size, (uint64_t)st.st_size);
	assert_int_equal(sha1_file(ext, got), WG_OK);
	assert_memory_equal(sha1, got, 20);
	assert_int_equal(t->ops->read(t, "Windows/System32/config/SYSTEM", 1024, &data, &len),
			 WG_ERR_IO);
	assert_int_equal(t->ops->read(t, "Windows/System32/config/SYSTEM", 0, &data, &len), WG_OK);
	assert_int_equal(len, size);
	sha1_buffer(data, len, got);
	assert_memory_equal(sha1, got, 20);
	free(data);
	char *copy = xasprintf("%s/copy", f->top);
	assert_int_equal(t->ops->copy_out(t, "WINDOWS/System32/config/SYSTEM", copy), WG_OK);
	assert_int_equal(run("cmp -s '%s' '%s'", copy, ext), 0);
	assert_int_equal(t->ops->copy_out(t, "Windows/System32", copy), WG_ERR_IO);

	free(copy);
	free(ext);
	free(x);
	wim_session_close(s);
}

static void test_queue_read_back(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	struct strvec created = STRVEC_INIT;
	char *actual;
	unsigned char *data;
	size_t len;
	bool is_dir;
	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_OK);
	struct target *t = one_target(s, "3");

	assert_int_equal(t->ops->write_buf(t, "windows/system32/DRIVERS/NewDir/Sub/a.txt", "hello", 5,
					   &created), WG_OK);
	assert_int_equal(created.n, 2);
	assert_string_equal(created.v[0], "Windows/System32/drivers/NewDir");
	assert_string_equal(created.v[1], "Windows/System32/drivers/NewDir/Sub");
	assert_int_equal(t->ops->lookup(t, "WINDOWS/System32/drivers/newdir/SUB/A.TXT", &actual,
					&is_dir), WG_OK);
	assert_string_equal(actual, "Windows/System32/drivers/NewDir/Sub/a.txt");
	assert_false(is_dir);
	free(actual);
	assert_int_equal(t->ops->lookup(t, "windows/system32/drivers/newdir", &actual, &is_dir), WG_OK);
	assert_true(is_dir);
	free(actual);
	assert_int_equal(t->ops->read(t, "Windows/System32/drivers/NewDir/Sub/a.txt", 0, &data, &len),
			 WG_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);

	/* a second file in the new folder creates nothing more */
	sv_clear(&created);
	assert_int_equal(t->ops->write_buf(t, "Windows/System32/drivers/newdir/b.txt", "", 0, &created),
			 WG_OK);
	assert_int_equal(created.n, 0);
	uint64_t size;
	uint8_t sha1[20], zero[20] = { 0 };
	assert_int_equal(t->ops->hash(t, "Windows/System32/drivers/NewDir/b.txt", &size, sha1), WG_OK);
	assert_int_equal(size, 0);
	assert_memory_equal(sha1, zero, 20);

	/* not empty after the queued changes: left; empty: removed */
	assert_int_equal(t->ops->rmdir_if_empty(t, "Windows/System32/drivers/NewDir"), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/drivers/NewDir", NULL, NULL), WG_OK);
	assert_int_equal(t->ops->remove(t, "Windows/System32/drivers/NewDir/Sub/a.txt"), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/drivers/NewDir/Sub/a.txt", NULL, NULL),
			 WG_ERR_NOT_FOUND);
	assert_int_equal(t->ops->remove(t, "Windows/System32/drivers/NewDir/Sub/a.txt"),
			 WG_ERR_NOT_FOUND);
	assert_int_equal(t->ops->rmdir_if_empty(t, "Windows/System32/drivers/NewDir/Sub"), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/drivers/NewDir/Sub", NULL, NULL),
			 WG_ERR_NOT_FOUND);
	assert_int_equal(t->ops->remove(t, "Windows/System32/drivers/NewDir/b.txt"), WG_OK);
	assert_int_equal(t->ops->rmdir_if_empty(t, "Windows/System32/drivers/NewDir"), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/drivers/NewDir", NULL, NULL),
			 WG_ERR_NOT_FOUND);

	/* the image's own folders: never removed while they hold something */
	assert_int_equal(t->ops->rmdir_if_empty(t, "Windows/System32"), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32", NULL, NULL), WG_OK);
	assert_int_equal(t->ops->remove(t, "Windows/System32"), WG_ERR_IO);
	assert_int_equal(t->ops->check_writable(t, "Windows/System32"), WG_ERR_IO);
	assert_int_equal(t->ops->check_writable(t, "Windows/System32/config/SYSTEM/x"), WG_ERR_IO);
	assert_int_equal(t->ops->check_writable(t, "Windows/New/x.txt"), WG_OK);

	/* everything queued cancels out: the written WIM holds the same files */
	char *before = listing(f->wim, 3);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
	char *after = listing(f->wim, 3);
	assert_string_equal(before, after);
	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null", f->wim), 0);
	free(before);
	free(after);
	sv_clear(&created);
}

/* Replace the hive in the staging folder as the registry engine does: a new file renamed over it. */
static void edit_hive(int dirfd, const char *marker)
{
	int fd = openat(dirfd, "SYSTEM", O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char *buf = xmalloc((size_t)st.st_size + 64);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	assert_int_equal(memcmp(buf, "regf", 4), 0);
	size_t len = (size_t)st.st_size;
	memcpy(buf + len, marker, strlen(marker));
	len += strlen(marker);
	fd = openat(dirfd, ".SYSTEM.new", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	assert_int_equal(renameat(dirfd, ".SYSTEM.new", dirfd, "SYSTEM"), 0);
	free(buf);
}

static void test_graft_all_in_place(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	struct target **t;
	size_t n;
	char *before[4], *after[4];
	char *payload = xasprintf("%s/payload.sys", f->top);
	assert_int_equal(run("head -c 70000 /dev/urandom > '%s'", payload), 0);
	for (int i = 1; i <= 3; i++)
		before[i] = listing(f->wim, i);

	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_OK);
	assert_int_equal(wim_session_targets(s, "all", &t, &n), WG_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		struct strvec created = STRVEC_INIT;
		int dirfd;
		const char *display;
		assert_int_equal(t[i]->ops->write_file(t[i], "windows/system32/drivers/MsLbfoProvider.sys",
						       payload, &created), WG_OK);
		assert_int_equal(created.n, 0);
		/* replacing an existing file keeps its stored spelling */
		assert_int_equal(t[i]->ops->write_buf(t[i], "WINDOWS/SYSTEM32/LIB0.DLL", "x", 1,
						      NULL), WG_OK);
		assert_int_equal(t[i]->ops->remove(t[i], "program files/common files/TOOL101.EXE"), WG_OK);
		assert_int_equal(t[i]->ops->hive_folder(t[i], &dirfd, &display), WG_OK);
		char *want = xasprintf("'%s' image %zu: Windows/System32/config", f->wim, i + 1);
		assert_string_equal(display, want);
		free(want);
		edit_hive(dirfd, "wimgraft-marker");
		const char *names[] = { "SYSTEM" };
		assert_int_equal(t[i]->ops->hives_committed(t[i], names, 1), WG_OK);
		/* a second commit of the same hive queues nothing more, and reads see it */
		assert_int_equal(t[i]->ops->hives_committed(t[i], names, 1), WG_OK);
		unsigned char *data;
		size_t len;
		assert_int_equal(t[i]->ops->read(t[i], "windows/system32/config/system", 0, &data, &len),
				 WG_OK);
		assert_true(len > 16 && !memcmp(data + len - 15, "wimgraft-marker", 15));
		free(data);
		sv_clear(&created);
	}
	/* the payload may go away before the write: the session keeps its own copy */
	unlink(payload);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);

	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null", f->wim), 0);
	char *x = xasprintf("%s/x", f->top);
	for (int i = 1; i <= 3; i++) {
		after[i] = listing(f->wim, i);
		run("rm -rf '%s'", x);
		assert_int_equal(run("wimlib-imagex extract '%s' %d /Windows/System32/drivers/MsLbfoProvider.sys "
				     "/Windows/System32/lib0.dll /Windows/System32/config/SYSTEM "
				     "--dest-dir='%s' --no-acls >/dev/null", f->wim, i, x), 0);
		assert_int_equal(run("cd '%s' && [ \"$(cat lib0.dll)\" = x ] && "
				     "tail -c 15 SYSTEM | grep -q wimgraft-marker && "
				     "[ $(stat -c %%s MsLbfoProvider.sys) = 70000 ]", x), 0);
		assert_int_equal(run("wimlib-imagex dir '%s' %d | grep -q '^/Windows/System32/drivers/MsLbfoProvider.sys$'",
				     f->wim, i), 0);
		assert_int_not_equal(run("wimlib-imagex dir '%s' %d | grep -qi tool101.exe", f->wim, i), 0);
	}
	for (int i = 1; i <= 3; i++) {
		/* every other entry is unchanged (the changed files' folders get new times only) */
		static const char *const changed[] = {
			"MsLbfoProvider.sys", "lib0.dll", "tool101.exe", "config/SYSTEM\"",
		};
		char *b = drop_lines(before[i], changed, ARRAY_SIZE(changed));
		char *a = drop_lines(after[i], changed, ARRAY_SIZE(changed));
		assert_true(strlen(b) > 1000);
		assert_string_equal(a, b);
		free(a);
		free(b);
		free(before[i]);
		free(after[i]);
	}
	free(x);
	free(payload);
}

static void test_nothing_queued_writes_nothing(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	struct stat st0, st1;
	char *sum0 = sha256_of(f->wim);
	assert_int_equal(stat(f->wim, &st0), 0);
	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_OK);
	struct target *t = one_target(s, "2");
	int dirfd;
	const char *display;
	assert_int_equal(t->ops->hive_folder(t, &dirfd, &display), WG_OK);
	assert_int_equal(t->ops->lookup(t, "Windows/System32/config/SYSTEM", NULL, NULL), WG_OK);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
	char *sum1 = sha256_of(f->wim);
	assert_int_equal(stat(f->wim, &st1), 0);
	assert_string_equal(sum0, sum1);
	assert_int_equal(st0.st_mtim.tv_sec, st1.st_mtim.tv_sec);
	assert_int_equal(st0.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
	free(sum0);
	free(sum1);
}

static void test_output_keeps_input(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s;
	/* the input has an integrity table, which the new WIM keeps */
	assert_int_equal(run("wimlib-imagex optimize '%s' --check >/dev/null", f->wim), 0);
	char *sum0 = sha256_of(f->wim);
	char *out = xasprintf("%s/out.wim", f->top);
	assert_int_equal(wim_session_open(f->wim, out, &s), WG_OK);
	struct target *t = one_target(s, "Windows 10 Education");
	assert_int_equal(t->ops->write_buf(t, "Windows/Setup/Scripts/SetupComplete.cmd", "@echo off\r\n",
					   11, NULL), WG_OK);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
	char *sum1 = sha256_of(f->wim);
	assert_string_equal(sum0, sum1);
	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null", out), 0);
	assert_int_equal(run("wimlib-imagex info '%s' | grep -q '^Attributes:.*Integrity info'", out), 0);
	assert_int_equal(run("wimlib-imagex info '%s' | grep -q '^Boot Index: *2$'", out), 0);
	assert_int_equal(run("wimlib-imagex info '%s' | grep -q '^Compression: *LZX$'", out), 0);
	assert_int_equal(run("wimlib-imagex dir '%s' 3 | grep -q '^/Windows/Setup/Scripts/SetupComplete.cmd$'",
			     out), 0);
	assert_int_not_equal(run("wimlib-imagex dir '%s' 2 | grep -q SetupComplete", out), 0);
	/* no temporary file is left beside the output */
	assert_int_equal(run("[ $(ls '%s' | wc -l) = 2 ]", f->top), 0);
	free(sum0);
	free(sum1);
	free(out);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	NEED_FIXTURE(f);
	struct wim_session *s = NULL;
	struct target **t;
	size_t n;
	char *path = xasprintf("%s/notawim.wim", f->top);
	assert_int_equal(run("echo 'not a wim' > '%s'", path), 0);
	assert_int_equal(wim_session_open(path, NULL, &s), WG_ERR_NOT_WIM);
	assert_int_equal(wim_session_open(f->top, NULL, &s), WG_ERR_NOT_WIM);
	free(path);
	path = xasprintf("%s/missing.wim", f->top);
	assert_int_equal(wim_session_open(path, NULL, &s), WG_ERR_NOT_FOUND);
	free(path);

	/* read-only: refused at open, bytes unchanged */
	assert_int_equal(chmod(f->wim, 0444), 0);
	assert_int_equal(wim_session_open(f->wim, NULL, &s), WG_ERR_READ_ONLY);
	char *out = xasprintf("%s/out.wim", f->top);
	assert_int_equal(wim_session_open(f->wim, out, &s), WG_OK);   /* -o only reads it */
	wim_session_close(s);
	assert_int_equal(chmod(f->wim, 0644), 0);
	/* -o in a folder that does not exist */
	char *bad = xasprintf("%s/no/such/out.wim", f->top);
	assert_int_equal(wim_session_open(f->wim, bad, &s), WG_ERR_NOT_FOUND);
	free(bad);

	/* a split WIM needs -o, and with it becomes one standalone WIM */
	char *swm = xasprintf("%s/split.swm", f->top);
	assert_int_equal(run("wimlib-imagex split '%s' '%s' 1 >/dev/null && [ -f '%s'/split2.swm ]",
			     f->wim, swm, f->top), 0);
	assert_int_equal(wim_session_open(swm, NULL, &s), WG_ERR_READ_ONLY);
	assert_int_equal(wim_session_open(swm, out, &s), WG_OK);
	struct target *tg = one_target(s, "3");
	assert_int_equal(tg->ops->write_buf(tg, "Windows/wimgraft.txt", "split", 5, NULL), WG_OK);
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null", out), 0);
	assert_int_equal(run("wimlib-imagex info '%s' | grep -q '^Part Number: *1/1$'", out), 0);
	assert_int_equal(run("wimlib-imagex info '%s' | grep -q '^Image Count: *3$'", out), 0);
	assert_int_equal(run("wimlib-imagex dir '%s' 3 | grep -q '^/Windows/wimgraft.txt$'", out), 0);
	free(swm);

	/* an image without a SYSTEM hive */
	char *dir = xasprintf("%s/tree", f->top);
	char *nohive = xasprintf("%s/nohive.wim", f->top);
	assert_int_equal(run("mkdir -p '%s/Windows/System32' && echo x > '%s/Windows/System32/a.dll' && "
			     "wimlib-imagex capture '%s' '%s' NoHive >/dev/null && "
			     "wimlib-imagex append '%s' '%s' NoHive2 >/dev/null",
			     dir, dir, dir, nohive, dir, nohive), 0);
	assert_int_equal(wim_session_open(nohive, NULL, &s), WG_OK);
	assert_int_equal(wim_session_targets(s, "NoHive", &t, &n), WG_ERR_NOT_IMAGE_DIR);
	assert_int_equal(wim_session_targets(s, "all", &t, &n), WG_ERR_NOT_IMAGE_DIR);
	wim_session_close(s);
	free(dir);
	free(nohive);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_choose_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_hash_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_graft_all_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_queued_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_keeps_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
