/*
 * test_target_wim_ntfs.c - the NTFS-3G route of target_wim.c: on WIMs whose files carry security
 * descriptors and attributes, added files keep their source's and a rewritten hive keeps its own.
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
#include <sys/types.h>
#include <unistd.h>

#include <wimlib.h>

#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_STAT_H 1
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/volume.h>
#include <ntfs-3g/security.h>

#include "ntfsvol.h"
#include "source.h"
#include "target_wim.h"
#include "util.h"
#include "shell.h"

/* Self-relative security descriptors (owner, group, one allow ACE). */
#define SD_TRUSTEDINSTALLER "0100048014000000340000000000000054000000010600000000000550000000" \
	"b589fb381984c2cb5c6c236d5700776ec0026487010600000000000550000000b589fb381984c2cb5c6c236d" \
	"5700776ec002648702001c000100000000001400ff011f00010100000000000512000000"
#define SD_FOLDER "010004801400000024000000000000003000000001020000000000052000000020020000" \
	"010100000000000512000000020020000100000000001800a900120001020000000000052000000021020000"
#define SD_HIVE "0100048014000000240000000000000030000000010200000000000520000000200200000101" \
	"0000000000051200000002001c000100000000001400ff011f00010100000000000512000000"

#define DRIVER "Windows/System32/drivers/MsLbfoProvider.sys"
#define PKG "Windows/System32/DriverStore/FileRepository/mslbfoprovider.inf_amd64_9afb7ecb68781bac"
#define PKG_INF PKG "/mslbfoprovider.inf"
#define HIVE "Windows/System32/config/SYSTEM"

struct fx {
	char top[64];
	char *src;             /* a Server image captured from NTFS, with SDs and attributes */
	char *tgt;             /* a client image likewise */
	struct ntfsvol_pool *pool;
};

static int image = 1;      /* the image field() and listing() read */

/* One field ("Attributes", "Security Descriptor", "Creation Time", "Hash") of one entry. */
static char *field(const char *wim, const char *path, const char *name)
{
	char *v = output_of("wimlib-imagex dir '%s' %d --detailed --path='/%s' | awk -F' = ' "
			    "'/^Full Path/{n++} n==1 && $1 ~ /^%s *$/{print $2; exit}'", wim, image, path,
			    name);
	size_t len = strlen(v);
	if (len && v[len - 1] == '\n')
		v[len - 1] = '\0';
	return v;
}

/* "path attributes sd hash" of every entry, sorted. */
static char *listing(const char *wim)
{
	return output_of("wimlib-imagex dir '%s' %d --detailed | awk -F' = ' "
			 "'/^Full Path/{p=$2; sd=\"-\"} /^Attributes/{a=$2} /^Security Descriptor/{sd=$2} "
			 "/^Hash/{print p, a, sd, $2}' | LC_ALL=C sort", wim, image);
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

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n;
}

/* Give a file of an NTFS volume image attributes and/or a security descriptor, without FUSE. */
static void set_meta(const char *volpath, const char *path, uint32_t attrs, const char *sd_hex)
{
	ntfs_volume *vol = ntfs_mount(volpath, 0);
	assert_non_null(vol);
	char *p = xasprintf("/%s", path);
	ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, p);
	free(p);
	assert_non_null(ni);
	if (sd_hex) {
		unsigned char sd[256];
		size_t len = unhex(sd_hex, sd);
		struct SECURITY_CONTEXT scx;
		memset(&scx, 0, sizeof(scx));
		scx.vol = vol;
		assert_int_equal(ntfs_set_ntfs_acl(&scx, ni, (const char *)sd, len, 0), 0);
	}
	if (attrs) {
		/* added to what the file has (sparse stays sparse: its data is stored so) */
		ni->flags = (ni->flags & ~FILE_ATTR_NORMAL) | attrs;
		NInoSetDirty(ni);
		NInoFileNameSetDirty(ni);
	}
	assert_int_equal(ntfs_inode_close(ni), 0);
	assert_int_equal(ntfs_umount(vol, FALSE), 0);
}

/* An image of from, applied to an NTFS volume (where every file gets an SD), edited, captured. */
static void ntfs_copy(struct fx *f, const char *from, int index, const char *out, const char *name,
		      int images, void (*edit)(const char *vol))
{
	WIMStruct *w;
	char *vol;
	assert_int_equal(ntfsvol_new(f->pool, 32u << 20, &vol), WG_OK);
	assert_int_equal(wimlib_open_wim(from, 0, &w), 0);
	assert_int_equal(wimlib_extract_image(w, index, vol, WIMLIB_EXTRACT_FLAG_NTFS), 0);
	wimlib_free(w);
	edit(vol);
	assert_int_equal(wimlib_create_new_wim(WIMLIB_COMPRESSION_TYPE_LZX, &w), 0);
	assert_int_equal(wimlib_add_image(w, vol, name, NULL, WIMLIB_ADD_FLAG_NTFS), 0);
	if (images > 1) {
		char *second = xasprintf("%s 2", name);
		assert_int_equal(wimlib_add_image(w, vol, second, NULL, WIMLIB_ADD_FLAG_NTFS), 0);
		free(second);
	}
	assert_int_equal(wimlib_write(w, out, WIMLIB_ALL_IMAGES, 0, 0), 0);
	wimlib_free(w);
	unlink(vol);
	free(vol);
}

static void edit_source(const char *vol)
{
	set_meta(vol, DRIVER, 0x21, SD_TRUSTEDINSTALLER);
	set_meta(vol, PKG, 0, SD_FOLDER);
	set_meta(vol, PKG_INF, 0x21, SD_TRUSTEDINSTALLER);
}

static void edit_target(const char *vol)
{
	set_meta(vol, HIVE, 0x26, SD_HIVE);
	set_meta(vol, "Windows/System32/lib0.dll", 0x21, NULL);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	*state = f;
	if (source_wimlib_init())
		return -1;
	strcpy(f->top, "/tmp/wg-target-ntfs-XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	const char *fx = getenv("WG_FIXTURES");
	fx = fx && *fx ? fx : "build/fixtures";
	char *srv = xasprintf("%s/server2019.wim", fx), *w10 = xasprintf("%s/win10.wim", fx);
	if (access(srv, R_OK) == 0 && access(w10, R_OK) == 0 &&
	    ntfsvol_pool_new(f->top, &f->pool) == WG_OK) {
		f->src = xasprintf("%s/src.wim", f->top);
		f->tgt = xasprintf("%s/tgt.wim", f->top);
		ntfs_copy(f, srv, 4, f->src, "Server", 1, edit_source);
		ntfs_copy(f, w10, 2, f->tgt, "Client", 2, edit_target);
	} else {
		fprintf(stderr, "fixture images or mkntfs missing: NTFS route not tested\n");
	}
	free(srv);
	free(w10);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ntfsvol_pool_free(f->pool);
	run("rm -rf '%s'", f->top);
	free(f->src);
	free(f->tgt);
	free(f);
	return 0;
}

/* The payload as the engine stages it: extracted under its source paths. */
static char *stage(struct fx *f, struct wg_source *src, const char *path)
{
	struct source_file *files;
	size_t n;
	char *dir = xasprintf("%s/payload", f->top);
	mkdir(dir, 0700);
	assert_int_equal(source_glob(src, 1, path, &files, &n), WG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(source_extract(src, 1, files, 1, dir), WG_OK);
	char *local = xasprintf("%s/%s", dir, files[0].path);
	source_files_free(files, n);
	free(dir);
	return local;
}

static void edit_hive(int dirfd)
{
	int fd = openat(dirfd, "SYSTEM", O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "wimgraft-marker", 15), 15);
	close(fd);
}

static void graft(struct fx *f, bool plain)
{
	struct wim_session *s;
	struct wg_source *src;
	struct target **t;
	size_t n;
	struct strvec created = STRVEC_INIT;
	int dirfd;
	const char *display;

	assert_int_equal(source_open(f->src, &src), WG_OK);
	char *drv = stage(f, src, DRIVER), *inf = stage(f, src, PKG_INF);
	char *backup = xasprintf("%s/lib0.copy", f->top);
	assert_int_equal(wim_session_open(f->tgt, NULL, &s), WG_OK);
	wim_session_set_source(s, src, 1);
	if (plain)
		wim_session_plain_add(s);
	assert_int_equal(wim_session_targets(s, "all", &t, &n), WG_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		sv_clear(&created);
		assert_int_equal(t[i]->ops->write_file(t[i], "windows/system32/DRIVERS/MsLbfoProvider.sys",
						       drv, &created), WG_OK);
		assert_int_equal(created.n, 0);
		assert_int_equal(t[i]->ops->write_file(t[i], PKG_INF, inf, &created), WG_OK);
		assert_int_equal(created.n, 1);
		assert_string_equal(created.v[0], PKG);
		/* a copy of the image's own file, written back elsewhere (as a backup is) */
		assert_int_equal(t[i]->ops->copy_out(t[i], "Windows/System32/lib0.dll", backup), WG_OK);
		assert_int_equal(t[i]->ops->write_file(t[i], "Windows/Logs/wimgraft/backup/lib0.dll",
						       backup, NULL), WG_OK);
		assert_int_equal(t[i]->ops->hive_folder(t[i], &dirfd, &display), WG_OK);
		edit_hive(dirfd);
		const char *names[] = { "SYSTEM" };
		assert_int_equal(t[i]->ops->hives_committed(t[i], names, 1), WG_OK);
	}
	assert_int_equal(wim_session_commit(s, false), WG_OK);
	wim_session_close(s);
	source_close(src);
	free(drv);
	free(inf);
	free(backup);
	sv_clear(&created);
}

#define ASSERT_FIELD(wim, path, name, want) do { \
		char *got_ = field(wim, path, name); \
		assert_string_equal(got_, want); \
		free(got_); \
	} while (0)

static void test_metadata_carried(void **state)
{
	struct fx *f = *state;
	if (!f->tgt)
		skip();
	char *before[3], *hive_ctime[3], *lib_sd[3];
	for (image = 1; image <= 2; image++) {
		before[image] = listing(f->tgt);
		hive_ctime[image] = field(f->tgt, HIVE, "Creation Time");
		lib_sd[image] = field(f->tgt, "Windows/System32/lib0.dll", "Security Descriptor");
		assert_true(strlen(lib_sd[image]) > 40);
		ASSERT_FIELD(f->tgt, HIVE, "Attributes", "0x00000226");
	}
	image = 1;
	ASSERT_FIELD(f->src, DRIVER, "Attributes", "0x00000021");

	graft(f, false);

	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null 2>&1", f->tgt), 0);
	char *x = xasprintf("%s/x", f->top);
	for (image = 1; image <= 2; image++) {
		/* the payload: the source's security descriptor and attributes, the target's spelling */
		ASSERT_FIELD(f->tgt, DRIVER, "Attributes", "0x00000021");
		ASSERT_FIELD(f->tgt, DRIVER, "Security Descriptor", SD_TRUSTEDINSTALLER);
		ASSERT_FIELD(f->tgt, PKG, "Security Descriptor", SD_FOLDER);
		ASSERT_FIELD(f->tgt, PKG_INF, "Attributes", "0x00000021");
		ASSERT_FIELD(f->tgt, PKG_INF, "Security Descriptor", SD_TRUSTEDINSTALLER);
		assert_int_equal(run("wimlib-imagex dir '%s' %d | grep -qx '/" DRIVER "'", f->tgt, image), 0);
		/* the hive: new data, its own security descriptor, attributes and creation time
		 * (its data is rewritten whole, so it is no longer sparse) */
		ASSERT_FIELD(f->tgt, HIVE, "Attributes", "0x00000026");
		ASSERT_FIELD(f->tgt, HIVE, "Security Descriptor", SD_HIVE);
		ASSERT_FIELD(f->tgt, HIVE, "Creation Time", hive_ctime[image]);
		run("rm -rf '%s'", x);
		assert_int_equal(run("wimlib-imagex extract '%s' %d /" HIVE " --dest-dir='%s' --no-acls "
				     ">/dev/null 2>&1 && tail -c 15 '%s/SYSTEM' | grep -q wimgraft-marker",
				     f->tgt, image, x, x), 0);
		/* the copy written back keeps the original's metadata */
		ASSERT_FIELD(f->tgt, "Windows/Logs/wimgraft/backup/lib0.dll", "Attributes", "0x00000021");
		ASSERT_FIELD(f->tgt, "Windows/Logs/wimgraft/backup/lib0.dll", "Security Descriptor",
			     lib_sd[image]);
		/* nothing of the staging left; every other entry unchanged */
		assert_int_not_equal(run("wimlib-imagex dir '%s' %d | grep -q wimgraft-stage", f->tgt,
					 image), 0);
		static const char *const changed[] = {
			"MsLbfoProvider", "mslbfoprovider", "config/SYSTEM", "Logs/wimgraft",
		};
		char *after = listing(f->tgt);
		char *b = drop_lines(before[image], changed, ARRAY_SIZE(changed));
		char *a = drop_lines(after, changed, ARRAY_SIZE(changed));
		assert_true(strlen(b) > 1000);
		assert_string_equal(a, b);
		free(a);
		free(b);
		free(after);
		free(before[image]);
		free(hive_ctime[image]);
		free(lib_sd[image]);
	}
	image = 1;
	free(x);
}

static void test_plain_add(void **state)
{
	struct fx *f = *state;
	if (!f->tgt)
		skip();
	graft(f, true);
	assert_int_equal(run("wimlib-imagex verify '%s' >/dev/null 2>&1", f->tgt), 0);
	ASSERT_FIELD(f->tgt, DRIVER, "Attributes", "0x00000080");
	ASSERT_FIELD(f->tgt, DRIVER, "Security Descriptor", "");
	ASSERT_FIELD(f->tgt, HIVE, "Security Descriptor", "");
	char *attrs = field(f->tgt, HIVE, "Attributes");
	assert_int_equal(strtoul(attrs, NULL, 16) & 0x26, 0);   /* hidden, system, archive lost */
	free(attrs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metadata_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_add, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
