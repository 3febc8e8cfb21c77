/*
 * test_iso.c - the ISO probe on crafted sector sequences, the install image lookup on UDF images
 * built by genisoimage (read through a memory-backed input), and the cache's locking and eviction.
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

#include <udfread/udfread.h>

#include "iso.h"
#include "iso_cache.h"
#include "shell.h"
#include "util.h"

static char root[] = "/tmp/wg-test-iso.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	setenv("XDG_CACHE_HOME", root, 1);
	wg_opt_quiet = 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return run("rm -rf '%s'", root);
}

/* ---- the probe --------------------------------------------------------------------- */

static void put_ident(unsigned char *buf, int sector, const char *ident)
{
	memcpy(buf + sector * 2048 + 1, ident, 5);
}

static void test_probe(void **state)
{
	(void)state;
	unsigned char *buf = xcalloc(1, ISO_PROBE_BYTES);
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_NOT_ISO);
	put_ident(buf, 16, "CD001");
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_NO_UDF);
	put_ident(buf, 17, "BEA01");
	put_ident(buf, 18, "NSR02");
	put_ident(buf, 19, "TEA01");
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_UDF);
	/* cut before the NSR descriptor: only ISO 9660 is seen */
	assert_int_equal(iso_probe_buffer(buf, 18 * 2048), ISO_NO_UDF);
	assert_int_equal(iso_probe_buffer(buf, 1000), ISO_NOT_ISO);
	/* a WIM is a WIM whatever follows its header */
	memcpy(buf, "MSWIM\0\0\0", 8);
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_NOT_ISO);
	/* a UDF-only volume (no ISO 9660 descriptor) */
	memset(buf, 0, ISO_PROBE_BYTES);
	put_ident(buf, 16, "BEA01");
	put_ident(buf, 17, "NSR03");
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_UDF);
	/* NSR after an unknown sector is past the end of the sequence */
	memset(buf, 0, ISO_PROBE_BYTES);
	put_ident(buf, 16, "CD001");
	put_ident(buf, 18, "NSR02");
	assert_int_equal(iso_probe_buffer(buf, ISO_PROBE_BYTES), ISO_NO_UDF);
	free(buf);
}

/* ---- the lookup -------------------------------------------------------------------- */

/* Build an ISO holding the given files (paths under the image root) and open it from memory. */
static struct udfread *image_of(const char *name, const char *const *files, unsigned char **data,
				size_t *len)
{
	char *dir = xasprintf("%s/%s", root, name);
	for (size_t i = 0; files[i]; i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);
		assert_int_equal(run("mkdir -p \"$(dirname '%s')\" && printf 'MSWIM\\0\\0\\0%s' >'%s'",
				     path, files[i], path), 0);
		free(path);
	}
	assert_int_equal(run("genisoimage -quiet -udf -V T -o '%s.iso' '%s'", dir, dir), 0);
	char *iso = xasprintf("%s.iso", dir);
	assert_int_equal(read_file(iso, 64 << 20, data, len), WG_OK);
	free(iso);
	free(dir);
	struct udfread *udf = iso_udf_open_buffer(*data, *len);
	assert_non_null(udf);
	return udf;
}

static enum wg_err lookup(const char *name, const char *const *files, struct iso_install *inst)
{
	unsigned char *data;
	size_t len;
	struct udfread *udf = image_of(name, files, &data, &len);
	enum wg_err ret = iso_find_install(udf, name, inst);
	udfread_close(udf);
	free(data);
	return ret;
}

static void test_lookup_prefers_wim_then_esd(void **state)
{
	(void)state;
	struct iso_install inst;
	const char *both[] = { "sources/install.esd", "sources/install.wim", "sources/boot.wim",
			       "setup.exe", NULL };
	assert_int_equal(lookup("both", both, &inst), WG_OK);
	assert_int_equal(inst.paths.n, 1);
	assert_string_equal(inst.paths.v[0], "sources/install.wim");
	assert_int_equal(inst.bytes, 8 + strlen("sources/install.wim"));
	iso_install_release(&inst);
	const char *esd[] = { "Sources/Install.ESD", "sources2/install.wim", NULL };
	assert_int_equal(lookup("esd", esd, &inst), WG_OK);
	assert_string_equal(inst.paths.v[0], "Sources/Install.ESD");
	iso_install_release(&inst);
}

static void test_lookup_orders_split_parts(void **state)
{
	(void)state;
	struct iso_install inst;
	const char *parts[] = { "sources/install10.swm", "sources/install2.swm", "sources/install.swm",
				"sources/install9.swm", "sources/install3.swm", "sources/install4.swm",
				"sources/install5.swm", "sources/install6.swm", "sources/install7.swm",
				"sources/install8.swm", "sources/installer.swm", NULL };
	assert_int_equal(lookup("split", parts, &inst), WG_OK);
	assert_int_equal(inst.paths.n, 10);
	assert_string_equal(inst.paths.v[0], "sources/install.swm");
	assert_string_equal(inst.paths.v[1], "sources/install2.swm");
	assert_string_equal(inst.paths.v[8], "sources/install9.swm");
	assert_string_equal(inst.paths.v[9], "sources/install10.swm");
	iso_install_release(&inst);
}

static void test_lookup_refusals(void **state)
{
	(void)state;
	struct iso_install inst;
	const char *gap[] = { "sources/install.swm", "sources/install3.swm", NULL };
	assert_int_equal(lookup("gap", gap, &inst), WG_ERR_ISO);
	assert_int_equal(inst.paths.n, 0);
	const char *no_first[] = { "sources/install2.swm", NULL };
	assert_int_equal(lookup("nofirst", no_first, &inst), WG_ERR_ISO);
	const char *none[] = { "sources/boot.wim", "README.TXT", NULL };
	assert_int_equal(lookup("none", none, &inst), WG_ERR_NOT_WINDOWS_ISO);
	const char *nosources[] = { "install.wim", NULL };
	assert_int_equal(lookup("nosrc", nosources, &inst), WG_ERR_NOT_WINDOWS_ISO);
	const char *dir[] = { "sources/install.wim/x", NULL };   /* a folder named install.wim */
	assert_int_equal(lookup("dir", dir, &inst), WG_ERR_NOT_WINDOWS_ISO);
}

static void test_not_udf(void **state)
{
	(void)state;
	unsigned char zeros[300 * 2048] = { 0 };
	assert_null(iso_udf_open_buffer(zeros, sizeof(zeros)));
	assert_null(iso_udf_open_buffer(zeros, 100));
}

/* ---- the cache --------------------------------------------------------------------- */

static void fill(struct cache_dir *d, const char *name, size_t bytes)
{
	char *path = xasprintf("%s/%s", d->path, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	free(path);
}

static bool exists(const char *croot, const char *name)
{
	char *path = xasprintf("%s/%s", croot, name);
	struct stat st;
	bool ret = stat(path, &st) == 0;
	free(path);
	return ret;
}

static void assert_entry_path(const struct cache_dir *d, const char *croot, const char *name)
{
	char *want = xasprintf("%s/%s", croot, name);
	assert_string_equal(d->path, want);
	free(want);
}

static void make_entry(const char *croot, const char *name, size_t bytes, time_t used)
{
	struct cache_dir d = CACHE_DIR_INIT;
	assert_int_equal(iso_cache_stage(croot, bytes, &d), WG_OK);
	fill(&d, "install.wim", bytes);
	assert_int_equal(iso_cache_commit(croot, name, &d), WG_OK);
	assert_entry_path(&d, croot, name);
	struct timespec ts[2] = { { used, 0 }, { used, 0 } };
	assert_int_equal(futimens(d.fd, ts), 0);
	cache_dir_release(&d, false);
}

static void test_cache_evicts_oldest_unused(void **state)
{
	(void)state;
	char *croot = iso_cache_root();
	char *want = xasprintf("%s/wimgraft", root);
	assert_string_equal(croot, want);
	free(want);
	setenv("WIMGRAFT_CACHE_SIZE", "3K", 1);
	make_entry(croot, "a", 1024, 1000);
	make_entry(croot, "b", 1024, 3000);
	make_entry(croot, "c", 1024, 2000);
	/* "a" is the oldest but in use: "c" goes instead */
	struct cache_dir held = CACHE_DIR_INIT;
	bool found;
	assert_int_equal(iso_cache_lookup(croot, "a", &held, &found), WG_OK);
	assert_true(found);
	struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };
	futimens(held.fd, ts);
	struct cache_dir d = CACHE_DIR_INIT;
	assert_int_equal(iso_cache_stage(croot, 1024, &d), WG_OK);
	assert_true(exists(croot, "a"));
	assert_true(exists(croot, "b"));
	assert_false(exists(croot, "c"));
	fill(&d, "install.wim", 1024);
	assert_int_equal(iso_cache_commit(croot, "d", &d), WG_OK);
	cache_dir_release(&d, false);
	cache_dir_release(&held, false);
	/* over the bound alone: not cached, nothing evicted */
	assert_int_equal(iso_cache_stage(croot, 4096, &d), WG_ERR_NO_SPACE);
	assert_true(exists(croot, "a"));
	/* a second publisher of the same entry takes the first one's */
	assert_int_equal(iso_cache_stage(croot, 10, &d), WG_OK);
	char *stage = xstrdup(d.path);
	assert_int_equal(iso_cache_commit(croot, "d", &d), WG_OK);
	assert_entry_path(&d, croot, "d");
	assert_false(exists(stage, ""));
	cache_dir_release(&d, false);
	unsetenv("WIMGRAFT_CACHE_SIZE");
	free(stage);
	free(croot);
}

static void test_cache_limit_parsing(void **state)
{
	(void)state;
	setenv("WIMGRAFT_CACHE_SIZE", "2G", 1);
	assert_int_equal(iso_cache_limit(), 2ULL << 30);
	setenv("WIMGRAFT_CACHE_SIZE", "12345", 1);
	assert_int_equal(iso_cache_limit(), 12345);
	setenv("WIMGRAFT_CACHE_SIZE", "lots", 1);
	assert_int_equal(iso_cache_limit(), 16ULL << 30);
	setenv("WIMGRAFT_CACHE_SIZE", "-1", 1);
	assert_int_equal(iso_cache_limit(), 16ULL << 30);
	unsetenv("WIMGRAFT_CACHE_SIZE");
	assert_int_equal(iso_cache_limit(), 16ULL << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_lookup_prefers_wim_then_esd),
		cmocka_unit_test(test_lookup_orders_split_parts),
		cmocka_unit_test(test_lookup_refusals),
		cmocka_unit_test(test_not_udf),
		cmocka_unit_test(test_cache_evicts_oldest_unused),
		cmocka_unit_test(test_cache_limit_parsing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
